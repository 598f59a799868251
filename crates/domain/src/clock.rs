//! The time use cases and workers read. Production reads the system clock; tests use a
//! manual clock they move forward, so something due in a day can be shown to happen at
//! the right moment without waiting a day.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, SubsecRound, Utc};

/// A source of "now", cheap to clone. Always microsecond precision, like the store.
#[derive(Clone, Debug, Default)]
pub enum Clock {
    /// The system clock.
    #[default]
    System,
    /// A clock that moves only when told to (tests); clones share the same time.
    Manual(Arc<Mutex<DateTime<Utc>>>),
}

impl Clock {
    /// A manual clock showing `at`.
    pub fn manual(at: DateTime<Utc>) -> Clock {
        Clock::Manual(Arc::new(Mutex::new(at.trunc_subsecs(6))))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now().trunc_subsecs(6),
            // A poisoned lock still holds a valid time.
            Clock::Manual(at) => *at.lock().unwrap_or_else(|e| e.into_inner()),
        }
    }

    /// Moves a manual clock forward (or back, with a negative duration); the system clock
    /// cannot be moved and ignores this.
    pub fn advance(&self, by: Duration) {
        if let Clock::Manual(at) = self {
            let mut t = at.lock().unwrap_or_else(|e| e.into_inner());
            *t = t.checked_add_signed(by).unwrap_or(*t);
        }
    }

    /// Sets a manual clock to `to`; the system clock ignores this.
    pub fn set(&self, to: DateTime<Utc>) {
        if let Clock::Manual(at) = self {
            *at.lock().unwrap_or_else(|e| e.into_inner()) = to.trunc_subsecs(6);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told_and_clones_share_it() {
        let start = DateTime::parse_from_rfc3339("2026-05-11T02:00:00Z").unwrap().with_timezone(&Utc);
        let c = Clock::manual(start);
        let other = c.clone();
        assert_eq!(c.now(), start);
        c.advance(Duration::hours(22));
        assert_eq!(other.now(), start + Duration::hours(22));
        other.set(start);
        assert_eq!(c.now(), start);
        let sys = Clock::System;
        sys.advance(Duration::days(3));
        assert!((sys.now() - Utc::now()).num_seconds().abs() < 60);
    }
}
