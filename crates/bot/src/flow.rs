//! A conversation the bot is in the middle of, kept in the sender's [`Memory`](crate::memory::Memory):
//! a salesperson's change waiting for "ya", a car being added by chat, a customer's trade-in intake.
//! Each expires: a change confirmed long after it was shown could change a price someone else has
//! changed since, and a forgotten intake must not swallow the next question.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How long a change waits for "ya".
pub const CONFIRM_TTL: Duration = Duration::minutes(10);
/// How long a guided flow (adding a car, a trade-in) waits for the next answer.
pub const FLOW_TTL: Duration = Duration::minutes(30);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    pub flow: Flow,
    pub expires_at: DateTime<Utc>,
}

impl Pending {
    pub fn new(flow: Flow, now: DateTime<Utc>) -> Pending {
        let ttl = match flow {
            Flow::Confirm(_) => CONFIRM_TTL,
            Flow::AddCar(_) | Flow::TradeIn(_) => FLOW_TTL,
        };
        Pending { flow, expires_at: now + ttl }
    }

    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.expires_at
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Flow {
    /// A salesperson's change, shown and waiting for "ya" or "batal".
    Confirm(CarUpdate),
    /// A car being added by chat: what is known so far.
    AddCar(CarDraft),
    /// A customer's trade-in intake: the answers so far and the step asked.
    TradeIn(TradeIn),
}

/// A change to one car, with the value it replaces (checked again before saving).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "what", rename_all = "snake_case")]
pub enum CarUpdate {
    Price {
        stock_no: i64,
        from: i64,
        to: i64,
    },
    /// Statuses by their stored names (`available`, `booked`, `sold`).
    Status {
        stock_no: i64,
        from: String,
        to: String,
    },
}

/// A car being added by chat. Required by the car rules: brand, model, year, price,
/// transmission, fuel and body type; the rest is optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CarDraft {
    pub brand: Option<String>,
    pub model: Option<String>,
    pub variant: String,
    pub year: Option<i64>,
    pub price: Option<i64>,
    pub mileage_km: Option<i64>,
    /// `AT` or `MT`.
    pub transmission: Option<String>,
    pub fuel: Option<String>,
    pub body_type: Option<String>,
    pub color: String,
}

/// A customer's car offered in trade, step by step; every step may be skipped.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TradeIn {
    pub step: TradeInStep,
    pub brand: Option<String>,
    pub model: Option<String>,
    pub year: Option<i64>,
    pub mileage_km: Option<i64>,
    /// The plate's region code (`B`, `D`, `AB`).
    pub plate_region: Option<String>,
    pub photos: u32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TradeInStep {
    #[default]
    Brand,
    Model,
    Year,
    Mileage,
    Plate,
    Photos,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_waits_ten_minutes_and_a_flow_thirty() {
        let now = Utc::now();
        let change = CarUpdate::Price { stock_no: 4, from: 195_000_000, to: 190_000_000 };
        let p = Pending::new(Flow::Confirm(change), now);
        assert!(!p.expired(now + Duration::minutes(9)));
        assert!(p.expired(now + Duration::minutes(10)));
        let p = Pending::new(Flow::TradeIn(TradeIn::default()), now);
        assert!(!p.expired(now + Duration::minutes(29)));
        assert!(p.expired(now + Duration::minutes(30)));
    }

    #[test]
    fn survives_a_round_trip_through_json() {
        let p =
            Pending::new(Flow::AddCar(CarDraft { model: Some("Avanza".into()), ..CarDraft::default() }), Utc::now());
        let back: Pending = serde_json::from_value(serde_json::to_value(&p).unwrap()).unwrap();
        assert_eq!(back, p);
    }
}
