use chrono::{DateTime, SubsecRound, Utc};

/// The current time, truncated to microseconds.
///
/// PostgreSQL keeps microseconds and SQLite keeps whatever text we give it; truncating
/// here makes a value read back from either backend equal to the value written.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}
