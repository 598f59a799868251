//! A car's price history: every price it was given, by whom and through which path.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use uuid::Uuid;

/// Through which door a price change came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceVia {
    /// The showroom dashboard (`/admin`).
    Dashboard,
    /// The JSON API.
    Api,
    /// A salesperson on WhatsApp.
    Chat,
    /// A spreadsheet import.
    Import,
    /// Garasi itself (demo data, maintenance).
    System,
}

impl PriceVia {
    pub const ALL: [PriceVia; 5] =
        [PriceVia::Dashboard, PriceVia::Api, PriceVia::Chat, PriceVia::Import, PriceVia::System];

    pub fn as_str(self) -> &'static str {
        match self {
            PriceVia::Dashboard => "dashboard",
            PriceVia::Api => "api",
            PriceVia::Chat => "chat",
            PriceVia::Import => "import",
            PriceVia::System => "system",
        }
    }

    /// How the dashboard names it.
    pub fn label(self) -> &'static str {
        match self {
            PriceVia::Dashboard => "Dashboard",
            PriceVia::Api => "API",
            PriceVia::Chat => "Chat WhatsApp",
            PriceVia::Import => "Impor spreadsheet",
            PriceVia::System => "Sistem",
        }
    }

    pub fn parse(s: &str) -> Option<PriceVia> {
        PriceVia::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// One entry of a car's price history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PriceChange {
    pub id: Uuid,
    pub car_id: Uuid,
    /// The new price, whole rupiah.
    pub price: i64,
    /// The price before; `None` for the car's first price.
    pub previous_price: Option<i64>,
    /// `user`, `sales`, `root` or `system`, as in the audit log.
    pub actor_kind: String,
    pub actor_id: Option<Uuid>,
    /// The actor's name at the time ('' when unknown).
    pub actor_name: String,
    pub via: PriceVia,
    pub at: DateTime<Utc>,
}

/// How long a price drop is advertised ("Harga turun").
pub const PRICE_DROP_DAYS: i64 = 30;

impl PriceChange {
    /// Whether this change lowered the price.
    pub fn is_drop(&self) -> bool {
        self.previous_price.is_some_and(|before| self.price < before)
    }
}

/// Whether a car whose latest price change is `latest` and whose price is now
/// `current_price` shows the price-drop badge at `now`: the latest change lowered the
/// price, within [`PRICE_DROP_DAYS`], and that is still the price asked.
pub fn shows_price_drop(latest: Option<&PriceChange>, current_price: i64, now: DateTime<Utc>) -> bool {
    latest.is_some_and(|c| {
        c.is_drop() && c.price == current_price && c.at <= now && now - c.at <= Duration::days(PRICE_DROP_DAYS)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(before: Option<i64>, after: i64, days_ago: i64, now: DateTime<Utc>) -> PriceChange {
        PriceChange {
            id: Uuid::now_v7(),
            car_id: Uuid::now_v7(),
            price: after,
            previous_price: before,
            actor_kind: "user".into(),
            actor_id: None,
            actor_name: String::new(),
            via: PriceVia::Dashboard,
            at: now - Duration::days(days_ago),
        }
    }

    #[test]
    fn a_recent_drop_shows_the_badge() {
        let now = Utc::now();
        assert!(shows_price_drop(Some(&change(Some(200), 190, 3, now)), 190, now));
        assert!(shows_price_drop(Some(&change(Some(200), 190, 30, now)), 190, now));
        assert!(!shows_price_drop(Some(&change(Some(200), 190, 31, now)), 190, now), "too old");
        assert!(!shows_price_drop(Some(&change(Some(190), 200, 1, now)), 200, now), "a rise");
        assert!(!shows_price_drop(Some(&change(None, 190, 1, now)), 190, now), "the first price");
        assert!(!shows_price_drop(Some(&change(Some(200), 190, 1, now)), 195, now), "not the price asked now");
        assert!(!shows_price_drop(None, 190, now));
    }

    #[test]
    fn via_round_trips() {
        for v in PriceVia::ALL {
            assert_eq!(PriceVia::parse(v.as_str()), Some(v));
        }
        assert_eq!(serde_json::to_string(&PriceVia::Chat).unwrap(), "\"chat\"");
    }
}
