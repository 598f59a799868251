//! Lead routing (issue #17, point 3): a salesperson's working hours and weight, the
//! weighted round robin that picks who gets the next lead, and minutes counted only while
//! the showroom is open (the response deadline, the first-response time).
//!
//! Hours have the shape of the showroom's visiting hours ([`crate::visit::VisitHours`]):
//! per weekday (Monday first) `HH:MM` opening and closing times in Jakarta, or `None`
//! when closed. Times here are Jakarta wall-clock times (`NaiveDateTime`).

use chrono::{Datelike, Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::visit::DayHours;

/// Hours per weekday, Monday first; `None` is a day off (or a closed day).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekHours {
    pub days: [Option<DayHours>; 7],
}

impl WeekHours {
    /// Whether `at` falls inside the hours (opening time included, closing time not).
    pub fn is_open(&self, at: NaiveDateTime) -> bool {
        match self.day(at) {
            Some((open, close)) => at.time() >= open && at.time() < close,
            None => false,
        }
    }

    fn day(&self, at: NaiveDateTime) -> Option<(chrono::NaiveTime, chrono::NaiveTime)> {
        self.days.get(at.weekday().num_days_from_monday() as usize)?.as_ref()?.times()
    }

    /// Whether the hours open on any day at all.
    pub fn ever_open(&self) -> bool {
        self.days.iter().any(|d| d.as_ref().and_then(DayHours::times).is_some())
    }

    /// Minutes between `from` and `to` that fall inside the hours (0 when `to <= from`).
    pub fn open_minutes_between(&self, from: NaiveDateTime, to: NaiveDateTime) -> i64 {
        if to <= from {
            return 0;
        }
        let mut total = Duration::zero();
        let mut day = from.date();
        while day <= to.date() {
            if let Some((open, close)) =
                self.days[day.weekday().num_days_from_monday() as usize].as_ref().and_then(DayHours::times)
            {
                let start = day.and_time(open).max(from);
                let end = day.and_time(close).min(to);
                if end > start {
                    total += end - start;
                }
            }
            day = match day.succ_opt() {
                Some(d) => d,
                None => break,
            };
        }
        total.num_minutes()
    }

    /// The moment `minutes` open minutes after `from`: a lead that comes in at night
    /// starts counting when the showroom opens. `None` when the hours never open.
    pub fn after_open_minutes(&self, from: NaiveDateTime, minutes: i64) -> Option<NaiveDateTime> {
        if !self.ever_open() {
            return None;
        }
        let mut left = Duration::minutes(minutes.max(0));
        let mut day = from.date();
        // At most a year of days: hours that open at all open within a week.
        for _ in 0..370 {
            if let Some((open, close)) =
                self.days[day.weekday().num_days_from_monday() as usize].as_ref().and_then(DayHours::times)
            {
                let start = day.and_time(open).max(from);
                let end = day.and_time(close);
                if end > start {
                    if end - start >= left {
                        return Some(start + left);
                    }
                    left -= end - start;
                }
            }
            day = day.succ_opt()?;
        }
        None
    }

    /// "Senin 08:00–17:00, …, Minggu libur".
    pub fn summary(&self) -> String {
        let names = ["Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"];
        names
            .iter()
            .zip(&self.days)
            .map(|(n, d)| match d.as_ref().and_then(DayHours::times) {
                Some((o, c)) => format!("{n} {}–{}", o.format("%H:%M"), c.format("%H:%M")),
                None => format!("{n} libur"),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl From<&crate::visit::VisitHours> for WeekHours {
    fn from(v: &crate::visit::VisitHours) -> WeekHours {
        WeekHours { days: v.days.clone() }
    }
}

/// The most a salesperson's weight may be.
pub const MAX_WEIGHT: i64 = 100;

/// How many leads a salesperson gets in each turn of the round robin; 0 gets none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Weight(i64);

impl Weight {
    pub fn new(v: i64) -> Result<Weight, String> {
        if (0..=MAX_WEIGHT).contains(&v) {
            Ok(Weight(v))
        } else {
            Err(format!("Bobot harus bilangan bulat 0–{MAX_WEIGHT}."))
        }
    }

    pub fn value(self) -> i64 {
        self.0
    }
}

/// Where the round robin stands: the salesperson whose turn it is and how many leads
/// they have had in this turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub sales_id: Uuid,
    pub served: i64,
}

/// Weighted round robin. `candidates` are the salespeople who may get a lead now, with
/// their weights, in a fixed order (by id). The cursor's salesperson keeps the turn until
/// they had `weight` leads; then the next candidate after them in that order (wrapping
/// around) starts a turn. A cursor naming someone who is no longer a candidate passes the
/// turn to the next one after their place. Weight 0 never gets a lead. Returns the pick
/// and the new cursor.
pub fn next_in_turn(candidates: &[(Uuid, i64)], cursor: Option<Cursor>) -> Option<(Uuid, Cursor)> {
    let mut eligible: Vec<(Uuid, i64)> = candidates.iter().copied().filter(|(_, w)| *w > 0).collect();
    eligible.sort_by_key(|(id, _)| *id);
    let first = *eligible.first()?;
    let Some(c) = cursor else {
        return Some((first.0, Cursor { sales_id: first.0, served: 1 }));
    };
    if let Some((id, w)) = eligible.iter().find(|(id, _)| *id == c.sales_id)
        && c.served < *w
    {
        return Some((*id, Cursor { sales_id: *id, served: c.served + 1 }));
    }
    let next = eligible.iter().find(|(id, _)| *id > c.sales_id).copied().unwrap_or(first);
    Some((next.0, Cursor { sales_id: next.0, served: 1 }))
}

/// Who would get the next lead, without moving the cursor (for "chat sales kami …").
pub fn peek(candidates: &[(Uuid, i64)], cursor: Option<Cursor>) -> Option<Uuid> {
    next_in_turn(candidates, cursor).map(|(id, _)| id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::visit::VisitHours;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn id(n: u8) -> Uuid {
        Uuid::from_bytes([n; 16])
    }

    #[test]
    fn weighted_round_robin_gives_each_their_weight_in_turn() {
        let c = [(id(1), 2), (id(2), 1), (id(3), 0)];
        let mut cursor = None;
        let mut picks = Vec::new();
        for _ in 0..6 {
            let (who, next) = next_in_turn(&c, cursor).unwrap();
            picks.push(who);
            cursor = Some(next);
        }
        assert_eq!(picks, vec![id(1), id(1), id(2), id(1), id(1), id(2)]);
        // Someone who left mid-turn hands the turn to the next after their place.
        let only = [(id(1), 1), (id(3), 1)];
        assert_eq!(next_in_turn(&only, Some(Cursor { sales_id: id(2), served: 1 })).unwrap().0, id(3));
        assert_eq!(next_in_turn(&[(id(1), 0)], None), None);
        assert_eq!(peek(&c, Some(Cursor { sales_id: id(1), served: 1 })), Some(id(1)));
    }

    #[test]
    fn minutes_count_only_while_open() {
        let h = WeekHours::from(&VisitHours::default());
        // 2026-05-11 is a Monday; 16:50 + 15 open minutes = Tuesday 08:05.
        assert_eq!(h.after_open_minutes(at("2026-05-11 16:50"), 15), Some(at("2026-05-12 08:05")));
        assert_eq!(h.after_open_minutes(at("2026-05-11 22:00"), 15), Some(at("2026-05-12 08:15")));
        assert_eq!(h.after_open_minutes(at("2026-05-11 09:00"), 15), Some(at("2026-05-11 09:15")));
        assert_eq!(h.open_minutes_between(at("2026-05-11 16:50"), at("2026-05-12 08:05")), 15);
        assert_eq!(h.open_minutes_between(at("2026-05-11 22:00"), at("2026-05-11 23:00")), 0);
        assert!(h.is_open(at("2026-05-11 08:00")) && !h.is_open(at("2026-05-11 17:00")));
        assert_eq!(WeekHours::default().after_open_minutes(at("2026-05-11 09:00"), 15), None);
        assert!(Weight::new(-1).is_err() && Weight::new(3).is_ok());
    }
}
