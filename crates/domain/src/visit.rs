//! Visits and test drives: their kinds and statuses, the showroom's opening hours for
//! them, and the rule that fits a wanted time into those hours (or names the nearest
//! slot that fits). Times here are Jakarta wall-clock times (`NaiveDateTime`); callers
//! convert with [`crate::time`].

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

/// What the customer comes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitKind {
    /// Coming to see the car (or the showroom).
    Visit,
    TestDrive,
}

impl VisitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            VisitKind::Visit => "visit",
            VisitKind::TestDrive => "test_drive",
        }
    }

    /// The Indonesian label.
    pub fn label(self) -> &'static str {
        match self {
            VisitKind::Visit => "Lihat unit",
            VisitKind::TestDrive => "Test drive",
        }
    }
}

impl FromStr for VisitKind {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "visit" => Ok(VisitKind::Visit),
            "test_drive" => Ok(VisitKind::TestDrive),
            _ => Err(()),
        }
    }
}

/// Where an appointment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    Scheduled,
    /// The customer came.
    Came,
    NoShow,
    Cancelled,
}

impl AppointmentStatus {
    pub const ALL: [AppointmentStatus; 4] = [
        AppointmentStatus::Scheduled,
        AppointmentStatus::Came,
        AppointmentStatus::NoShow,
        AppointmentStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AppointmentStatus::Scheduled => "scheduled",
            AppointmentStatus::Came => "came",
            AppointmentStatus::NoShow => "no_show",
            AppointmentStatus::Cancelled => "cancelled",
        }
    }

    /// The Indonesian label.
    pub fn label(self) -> &'static str {
        match self {
            AppointmentStatus::Scheduled => "Terjadwal",
            AppointmentStatus::Came => "Datang",
            AppointmentStatus::NoShow => "Tidak datang",
            AppointmentStatus::Cancelled => "Batal",
        }
    }
}

impl fmt::Display for AppointmentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AppointmentStatus {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        AppointmentStatus::ALL.into_iter().find(|k| k.as_str() == s).ok_or(())
    }
}

/// One day's opening hours, `HH:MM` in Jakarta time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayHours {
    pub open: String,
    pub close: String,
}

impl DayHours {
    fn new(open: &str, close: &str) -> Option<DayHours> {
        Some(DayHours { open: open.to_owned(), close: close.to_owned() })
    }

    /// The hours as times; `None` when unreadable or not a real interval.
    pub fn times(&self) -> Option<(NaiveTime, NaiveTime)> {
        let open = NaiveTime::parse_from_str(self.open.trim(), "%H:%M").ok()?;
        let close = NaiveTime::parse_from_str(self.close.trim(), "%H:%M").ok()?;
        (open < close).then_some((open, close))
    }
}

/// When the showroom receives visits: per weekday (Monday first) its hours, or `None`
/// when closed; and how long a visit is planned for. Part of the tenant settings, so a
/// showroom that never set them gets the defaults (Monday–Saturday 08:00–17:00, Sunday
/// 09:00–15:00, one hour).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VisitHours {
    pub days: [Option<DayHours>; 7],
    pub visit_minutes: i64,
}

impl Default for VisitHours {
    fn default() -> Self {
        let week = || DayHours::new("08:00", "17:00");
        VisitHours {
            days: [week(), week(), week(), week(), week(), week(), DayHours::new("09:00", "15:00")],
            visit_minutes: 60,
        }
    }
}

/// Where a wanted time falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// Inside the opening hours (and in the future).
    Open(NaiveDateTime),
    /// Outside them (or past): the nearest start that fits.
    Nearest(NaiveDateTime),
    /// The showroom opens on no day at all.
    Never,
}

impl VisitHours {
    /// The hours of `day`, if the showroom is open then.
    pub fn on(&self, day: NaiveDate) -> Option<(NaiveTime, NaiveTime)> {
        self.days.get(day.weekday().num_days_from_monday() as usize)?.as_ref()?.times()
    }

    fn length(&self) -> Duration {
        Duration::minutes(self.visit_minutes.clamp(15, 240))
    }

    /// The latest start of a visit on `day` (closing time minus the visit length, but at
    /// least the opening time).
    fn last_start(&self, day: NaiveDate) -> Option<NaiveDateTime> {
        let (open, close) = self.on(day)?;
        let last = day.and_time(close) - self.length();
        Some(last.max(day.and_time(open)))
    }

    /// Whether a visit may start at `at`.
    pub fn is_open(&self, at: NaiveDateTime) -> bool {
        match (self.on(at.date()), self.last_start(at.date())) {
            (Some((open, _)), Some(last)) => at >= at.date().and_time(open) && at <= last,
            _ => false,
        }
    }

    /// Fits `wanted` (Jakarta time) into the hours, never before `now`: inside them it
    /// stays; otherwise the nearest start that fits, earlier the same day (the last slot
    /// before closing) or later (the next opening), whichever is closer.
    pub fn fit(&self, wanted: NaiveDateTime, now: NaiveDateTime) -> Fit {
        if wanted > now && self.is_open(wanted) {
            return Fit::Open(wanted);
        }
        let earlier = self
            .last_start(wanted.date())
            .filter(|last| *last < wanted && *last > now)
            .filter(|last| self.is_open(*last));
        let later = self.next_opening(wanted.max(now));
        match (earlier, later) {
            (Some(e), Some(l)) => Fit::Nearest(if wanted - e <= l - wanted { e } else { l }),
            (Some(e), None) => Fit::Nearest(e),
            (None, Some(l)) => Fit::Nearest(l),
            (None, None) => Fit::Never,
        }
    }

    /// The first start at or after `from` that fits: later on the same day when still
    /// open (rounded up to the half hour), else the opening of the next open day.
    fn next_opening(&self, from: NaiveDateTime) -> Option<NaiveDateTime> {
        for offset in 0..8 {
            let day = from.date() + Duration::days(offset);
            let Some((open, _)) = self.on(day) else { continue };
            let Some(last) = self.last_start(day) else { continue };
            let start = day.and_time(open);
            if start > from {
                return Some(start);
            }
            let rounded = round_up_half_hour(from);
            if rounded <= last && rounded > from - Duration::seconds(1) {
                return Some(rounded);
            }
        }
        None
    }

    /// One line per day, for the bot and the dashboard: "Senin 08:00–17:00, …, Minggu tutup".
    pub fn summary(&self) -> String {
        let names = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"];
        names
            .iter()
            .zip(&self.days)
            .map(|(n, d)| match d.as_ref().and_then(DayHours::times) {
                Some((o, c)) => format!("{n} {}–{}", o.format("%H:%M"), c.format("%H:%M")),
                None => format!("{n} tutup"),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn round_up_half_hour(t: NaiveDateTime) -> NaiveDateTime {
    let minute = t.time().minute_of_day();
    let rounded = minute.div_ceil(30) * 30;
    t.date().and_hms_opt(0, 0, 0).unwrap_or(t) + Duration::minutes(i64::from(rounded))
}

trait MinuteOfDay {
    fn minute_of_day(&self) -> u32;
}

impl MinuteOfDay for NaiveTime {
    fn minute_of_day(&self) -> u32 {
        use chrono::Timelike;
        self.hour() * 60 + self.minute() + u32::from(self.second() > 0 || self.nanosecond() > 0)
    }
}

/// "Sabtu, 16 Mei 2026 pukul 10.00": how the bot and the dashboard say a visit's time.
pub fn say_when(at: NaiveDateTime) -> String {
    format!("{}, {} pukul {}", day_name(at.weekday()), say_date(at.date()), at.format("%H.%M"))
}

/// "16 Mei 2026".
pub fn say_date(d: NaiveDate) -> String {
    format!("{} {} {}", d.day(), crate::time::MONTHS_ID[d.month0() as usize], d.year())
}

pub fn day_name(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "Senin",
        Weekday::Tue => "Selasa",
        Weekday::Wed => "Rabu",
        Weekday::Thu => "Kamis",
        Weekday::Fri => "Jumat",
        Weekday::Sat => "Sabtu",
        Weekday::Sun => "Minggu",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn inside_the_hours_stays_and_outside_gets_the_nearest_slot() {
        let h = VisitHours::default();
        // 2026-05-11 is a Monday.
        let now = at("2026-05-11 09:00");
        assert_eq!(h.fit(at("2026-05-12 10:00"), now), Fit::Open(at("2026-05-12 10:00")));
        // 19:00 on Tuesday: the last slot (16:00) is closer than Wednesday 08:00.
        assert_eq!(h.fit(at("2026-05-12 19:00"), now), Fit::Nearest(at("2026-05-12 16:00")));
        // 06:00 on Tuesday: the opening that morning.
        assert_eq!(h.fit(at("2026-05-12 06:00"), now), Fit::Nearest(at("2026-05-12 08:00")));
        // Sunday 16:00: Sunday closes at 15:00, so 14:00 that day.
        assert_eq!(h.fit(at("2026-05-17 16:00"), now), Fit::Nearest(at("2026-05-17 14:00")));
        // In the past: the next slot from now, rounded to the half hour.
        assert_eq!(h.fit(at("2026-05-11 08:00"), at("2026-05-11 09:10")), Fit::Nearest(at("2026-05-11 09:30")));
        let mut closed = h.clone();
        closed.days[1] = None;
        assert_eq!(closed.fit(at("2026-05-12 10:00"), now), Fit::Nearest(at("2026-05-13 08:00")));
        let never = VisitHours { days: Default::default(), visit_minutes: 60 };
        assert_eq!(never.fit(at("2026-05-12 10:00"), now), Fit::Never);
    }

    #[test]
    fn says_times_in_indonesian() {
        assert_eq!(say_when(at("2026-05-16 10:00")), "Sabtu, 16 Mei 2026 pukul 10.00");
        assert!(VisitHours::default().summary().starts_with("Senin 08:00–17:00"));
        assert!(VisitHours::default().summary().ends_with("Minggu 09:00–15:00"));
        assert_eq!("no_show".parse(), Ok(AppointmentStatus::NoShow));
        assert_eq!("test_drive".parse(), Ok(VisitKind::TestDrive));
    }
}
