//! Showroom time. Every showroom works in Indonesia's western time (WIB,
//! Asia/Jakarta): UTC+7 all year, no daylight saving. Dates shown to people, daily
//! caps and "today" filters all use it, whatever the server's clock zone.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Utc};

const OFFSET_HOURS: i64 = 7;

/// The UTC+7 offset.
pub fn jakarta() -> FixedOffset {
    FixedOffset::east_opt((OFFSET_HOURS * 3600) as i32).expect("UTC+7 is a valid offset")
}

/// The current time in Jakarta.
pub fn jakarta_now() -> DateTime<FixedOffset> {
    Utc::now().with_timezone(&jakarta())
}

/// Today's calendar date in Jakarta.
pub fn jakarta_today() -> NaiveDate {
    jakarta_now().date_naive()
}

/// The instant a calendar day starts in Jakarta, or `None` past chrono's range.
pub fn jakarta_day_start(day: NaiveDate) -> Option<DateTime<Utc>> {
    let local = day.and_hms_opt(0, 0, 0)?;
    local.and_utc().checked_sub_signed(Duration::hours(OFFSET_HOURS))
}

/// The current year in Jakarta (a car may be at most next year's model).
pub fn current_year() -> i32 {
    jakarta_now().year()
}

/// Indonesian month names, January first: dates on the site, in the dashboard and in chat.
pub const MONTHS_ID: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_starts_at_seventeen_utc_the_day_before() {
        let day = NaiveDate::from_ymd_opt(2026, 5, 12).unwrap();
        let start = jakarta_day_start(day).unwrap();
        assert_eq!(start.to_rfc3339(), "2026-05-11T17:00:00+00:00");
        assert_eq!(start.with_timezone(&jakarta()).date_naive(), day);
    }
}
