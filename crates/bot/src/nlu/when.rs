//! Indonesian dates and times for visits: "besok jam 10", "sabtu sore", "lusa jam 2
//! siang", "tgl 12 pagi", "setengah 3", "minggu depan", "12 mei jam 14.30". Pure: the
//! caller passes "now" (Jakarta wall-clock time), so the same text always means the same
//! moment for the same now. Also the words that cancel or move a visit.
//!
//! Rules:
//! - besok/bsk/besuk → tomorrow; lusa → the day after; hari ini/nanti/sekarang → today.
//! - A day name is its next occurrence (today when it is today); "depan" or "minggu depan"
//!   after it is the week after. "minggu" alone is Sunday, "minggu depan" alone is in 7 days,
//!   "2 minggu" is not a day.
//! - "tgl 12" / "tanggal 12" (optionally "/5" or a month name) is that day of this month,
//!   or of the next month when it has passed; "12 mei" works without "tgl".
//! - "jam 10", "pukul 10", "jam 10.30", "14:00", a bare "10.00"; "setengah 3" is 2.30.
//! - pagi/siang/sore/malam move an hour to the afternoon or evening ("jam 2 siang" = 14:00,
//!   "jam 7 malam" = 19:00); without one, 1 to 6 o'clock means the afternoon (nobody visits
//!   a showroom at 2 a.m.). Alone they mean 09:00, 13:00, 15:00 and 19:00. As the first word or after
//!   "selamat" they greet and mean nothing ("pagi kak, besok bisa lihat unit?" names no time).

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

/// Part of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartOfDay {
    Pagi,
    Siang,
    Sore,
    Malam,
}

impl PartOfDay {
    /// The time meant when only the part of the day is named.
    pub fn default_time(self) -> NaiveTime {
        let h = match self {
            PartOfDay::Pagi => 9,
            PartOfDay::Siang => 13,
            PartOfDay::Sore => 15,
            PartOfDay::Malam => 19,
        };
        NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default()
    }
}

/// What a message says about when.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct When {
    pub date: Option<NaiveDate>,
    /// A clock time, with the part of the day already applied.
    pub time: Option<NaiveTime>,
    pub part: Option<PartOfDay>,
}

impl When {
    pub fn is_empty(&self) -> bool {
        self.date.is_none() && self.time.is_none() && self.part.is_none()
    }

    /// The time of day named: a clock time, else the part of the day's default.
    pub fn time_of_day(&self) -> Option<NaiveTime> {
        self.time.or(self.part.map(PartOfDay::default_time))
    }

    /// The moment, when both a day and a time of day are named.
    pub fn at(&self) -> Option<NaiveDateTime> {
        Some(self.date?.and_time(self.time_of_day()?))
    }
}

fn words(text: &str) -> Vec<String> {
    let lower = text.to_lowercase().replace("jum'at", "jumat").replace("jum at", "jumat");
    let mut out = Vec::new();
    for raw in lower.split(|c: char| c.is_whitespace() || matches!(c, ',' | '?' | '!' | ';' | '(' | ')' | '"')) {
        let w = raw.trim_matches(|c: char| matches!(c, '.' | '-' | '\'' | '*' | '_' | '~'));
        if w.is_empty() {
            continue;
        }
        // "jam10", "tgl12": the word and the number apart.
        let split = w.find(|c: char| c.is_ascii_digit()).filter(|&i| i > 0 && w[..i].chars().all(char::is_alphabetic));
        match split {
            Some(i) => {
                out.push(w[..i].to_owned());
                out.push(w[i..].to_owned());
            }
            None => out.push(w.to_owned()),
        }
    }
    out
}

fn weekday(w: &str) -> Option<Weekday> {
    Some(match w {
        "senin" | "sen" => Weekday::Mon,
        "selasa" | "sel" => Weekday::Tue,
        "rabu" => Weekday::Wed,
        "kamis" => Weekday::Thu,
        "jumat" | "jumaat" | "jum" => Weekday::Fri,
        "sabtu" | "sab" => Weekday::Sat,
        "minggu" | "ahad" | "mgg" => Weekday::Sun,
        _ => return None,
    })
}

fn month(w: &str) -> Option<u32> {
    Some(match w {
        "januari" | "jan" => 1,
        "februari" | "feb" | "pebruari" => 2,
        "maret" | "mar" => 3,
        "april" | "apr" => 4,
        "mei" => 5,
        "juni" | "jun" => 6,
        "juli" | "jul" => 7,
        "agustus" | "agu" | "agt" | "ags" | "agus" => 8,
        "september" | "sep" | "sept" => 9,
        "oktober" | "okt" => 10,
        "november" | "nov" | "nop" => 11,
        "desember" | "des" => 12,
        _ => return None,
    })
}

fn part(w: &str) -> Option<PartOfDay> {
    Some(match w {
        "pagi" | "pgi" => PartOfDay::Pagi,
        "siang" | "siang2" => PartOfDay::Siang,
        "sore" | "sor" => PartOfDay::Sore,
        "malam" | "malem" | "mlm" => PartOfDay::Malam,
        _ => return None,
    })
}

/// "10", "10.30", "10:30" → (hour, minute).
fn clock(w: &str) -> Option<(u32, u32)> {
    let (h, m): (u32, u32) = match w.split_once(['.', ':']) {
        Some((h, m)) if m.len() == 2 => (h.parse().ok()?, m.parse().ok()?),
        Some(_) => return None,
        None => (w.parse().ok()?, 0),
    };
    (h <= 24 && m < 60).then_some((h % 24, m))
}

/// A clock time written alone ("10.00", "14:30"): two-digit minutes, so "1.5" (an engine)
/// or "150" (a price) is never a time.
fn bare_clock(w: &str) -> Option<(u32, u32)> {
    w.split_once(['.', ':'])?;
    clock(w)
}

fn next_weekday(today: NaiveDate, w: Weekday) -> NaiveDate {
    let ahead = (7 + w.num_days_from_monday() as i64 - today.weekday().num_days_from_monday() as i64) % 7;
    today + Duration::days(ahead)
}

/// Day `day` (of `month`, else this month or the next when it has passed).
fn day_of_month(today: NaiveDate, day: u32, month: Option<u32>) -> Option<NaiveDate> {
    match month {
        Some(m) => {
            let this = NaiveDate::from_ymd_opt(today.year(), m, day)?;
            if this >= today { Some(this) } else { NaiveDate::from_ymd_opt(today.year() + 1, m, day) }
        }
        None => {
            let this = NaiveDate::from_ymd_opt(today.year(), today.month(), day);
            match this {
                Some(d) if d >= today => Some(d),
                _ => {
                    let next = today.with_day(1)? + Duration::days(32);
                    NaiveDate::from_ymd_opt(next.year(), next.month(), day)
                }
            }
        }
    }
}

/// Reads the day and time a message names, relative to `now` (Jakarta time).
pub fn parse(text: &str, now: NaiveDateTime) -> When {
    let today = now.date();
    let ws = words(text);
    let w = |i: usize| ws.get(i).map(String::as_str).unwrap_or("");
    let mut out = When::default();
    let mut hour: Option<(u32, u32)> = None;
    let mut next_week = false;
    let mut i = 0;
    while i < ws.len() {
        let cur = w(i);
        match cur {
            "besok" | "besuk" | "bsk" | "besoknya" | "esok" | "bsok" => out.date = Some(today + Duration::days(1)),
            "lusa" => out.date = Some(today + Duration::days(2)),
            "sekarang" | "skrg" | "skrng" => out.date = out.date.or(Some(today)),
            "hari" | "hr" if w(i + 1) == "ini" => out.date = out.date.or(Some(today)),
            "nanti" | "ntar" if part(w(i + 1)).is_some() => out.date = out.date.or(Some(today)),
            "depan" if w(i.wrapping_sub(1)) == "minggu" => next_week = true,
            "tgl" | "tanggal" | "tg" | "tangal" => {
                if let Ok(day) = w(i + 1).split(['/', '-']).next().unwrap_or("").parse::<u32>() {
                    let after = w(i + 1).split(['/', '-']).nth(1).and_then(|m| m.parse::<u32>().ok());
                    let named = month(w(i + 2));
                    out.date = day_of_month(today, day, after.or(named)).or(out.date);
                    i += 1;
                }
            }
            "jam" | "pukul" | "pkl" | "jm" => {
                if let Some(c) = clock(w(i + 1)) {
                    hour = Some(c);
                    i += 1;
                } else if w(i + 1) == "setengah"
                    && let Ok(h) = w(i + 2).parse::<u32>()
                    && (1..=24).contains(&h)
                {
                    hour = Some((h - 1, 30));
                    i += 2;
                }
            }
            "setengah" => {
                if let Ok(h) = w(i + 1).parse::<u32>()
                    && (1..=24).contains(&h)
                {
                    hour = Some((h - 1, 30));
                    i += 1;
                }
            }
            _ => {
                if let Some(d) = weekday(cur) {
                    // "2 minggu lagi" is a span, not a Sunday; "minggu depan" alone is a week on.
                    let span = w(i.wrapping_sub(1)).parse::<u32>().is_ok();
                    let alone_next_week = d == Weekday::Sun && w(i + 1) == "depan";
                    if alone_next_week {
                        next_week = true;
                        if out.date.is_none() {
                            out.date = Some(today + Duration::days(7));
                            i += 2;
                            continue;
                        }
                    } else if !span {
                        out.date = Some(next_weekday(today, d));
                        if w(i + 1) == "depan" {
                            next_week = true;
                        }
                    }
                } else if let Some(p) = part(cur) {
                    // "Pagi kak, …" and "selamat siang" greet; they name no time.
                    let greeting = i == 0 || matches!(w(i - 1), "selamat" | "met" | "slmt" | "slamat");
                    if !greeting {
                        out.part = Some(p);
                    }
                } else if let Ok(day) = cur.parse::<u32>()
                    && let Some(m) = month(w(i + 1))
                {
                    out.date = day_of_month(today, day, Some(m)).or(out.date);
                    i += 1;
                } else if hour.is_none()
                    && let Some(c) = bare_clock(cur)
                {
                    hour = Some(c);
                }
            }
        }
        i += 1;
    }
    if next_week
        && let Some(d) = out.date
        && d < today + Duration::days(7)
    {
        out.date = Some(d + Duration::days(7));
    }
    if let Some((h, m)) = hour {
        let h = match out.part {
            Some(PartOfDay::Pagi) => h,
            Some(PartOfDay::Siang) if h < 6 => h + 12,
            Some(PartOfDay::Sore | PartOfDay::Malam) if h < 12 => h + 12,
            Some(_) => h,
            None if (1..=6).contains(&h) => h + 12,
            None => h,
        };
        out.time = NaiveTime::from_hms_opt(h % 24, m, 0);
    }
    out
}

/// Whether the message calls a visit off ("batal datang", "gak jadi ke sana", "cancel").
pub fn is_cancel(text: &str) -> bool {
    let ws = words(text);
    let has = |x: &str| ws.iter().any(|w| w == x);
    let off = has("batal")
        || has("cancel")
        || has("dibatalkan")
        || has("batalkan")
        || has("urung")
        || ws.windows(2).any(|p| {
            matches!(p[0].as_str(), "gak" | "ga" | "nggak" | "tidak" | "tdk" | "gk" | "enggak" | "engga")
                && p[1] == "jadi"
        });
    let about_visit =
        ws.iter().any(|w| {
            matches!(
                w.as_str(),
                "datang"
                    | "dtg"
                    | "kesana"
                    | "kesitu"
                    | "janji"
                    | "janjian"
                    | "jadwal"
                    | "kunjungan"
                    | "ketemu"
                    | "ketemuan"
                    | "drive"
                    | "testdrive"
                    | "booking"
                    | "mampir"
                    | "survey"
                    | "survei"
            )
        }) || ws.windows(2).any(|p| p[0] == "ke" && matches!(p[1].as_str(), "sana" | "situ" | "showroom"));
    off && (about_visit || ws.len() <= 3)
}

/// Whether the message moves a visit ("jadinya minggu aja", "ganti jam 3", "diundur").
pub fn is_change(text: &str) -> bool {
    words(text).iter().any(|w| {
        matches!(
            w.as_str(),
            "jadinya"
                | "jadi"
                | "ganti"
                | "diganti"
                | "ubah"
                | "diubah"
                | "pindah"
                | "dipindah"
                | "undur"
                | "diundur"
                | "mundur"
                | "majukan"
                | "dimajukan"
                | "maju"
                | "geser"
                | "digeser"
                | "reschedule"
                | "resched"
                | "aja"
                | "saja"
                | "ajah"
        )
    })
}

/// Whether the message says yes ("ya", "oke", "boleh", "bisa").
pub fn is_yes(text: &str) -> bool {
    let ws = words(text);
    ws.len() <= 4
        && ws.iter().any(|w| {
            matches!(
                w.as_str(),
                "ya" | "iya"
                    | "iyaa"
                    | "y"
                    | "yes"
                    | "ok"
                    | "oke"
                    | "okay"
                    | "okey"
                    | "okee"
                    | "boleh"
                    | "bisa"
                    | "setuju"
                    | "siap"
                    | "sip"
                    | "gas"
                    | "mantap"
                    | "deal"
                    | "baik"
                    | "yup"
            )
        })
}

/// Whether a test drive (rather than a look) is meant.
pub fn is_test_drive(text: &str) -> bool {
    let ws = words(text);
    ws.iter().any(|w| matches!(w.as_str(), "testdrive" | "test_drive" | "td"))
        || ws.windows(2).any(|p| {
            matches!(p[0].as_str(), "test" | "tes") && matches!(p[1].as_str(), "drive" | "drv" | "driv")
                || p[0] == "coba" && matches!(p[1].as_str(), "bawa" | "nyetir" | "kendarai" | "jalan")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Monday 11 May 2026, 09:00 in Jakarta.
    fn now() -> NaiveDateTime {
        NaiveDateTime::parse_from_str("2026-05-11 09:00", "%Y-%m-%d %H:%M").unwrap()
    }

    fn at(text: &str) -> Option<String> {
        parse(text, now()).at().map(|t| t.format("%Y-%m-%d %H:%M").to_string())
    }

    #[test]
    fn the_issue_examples() {
        assert_eq!(at("mau lihat langsung besok jam 10").as_deref(), Some("2026-05-12 10:00"));
        assert_eq!(at("test drive sabtu sore bisa?").as_deref(), Some("2026-05-16 15:00"));
        assert_eq!(at("lusa jam 2 siang").as_deref(), Some("2026-05-13 14:00"));
        assert_eq!(at("tgl 12 pagi").as_deref(), Some("2026-05-12 09:00"));
        assert_eq!(parse("jadinya minggu aja", now()).date, NaiveDate::from_ymd_opt(2026, 5, 17));
    }

    #[test]
    fn times_of_day() {
        assert_eq!(at("besok setengah 3").as_deref(), Some("2026-05-12 14:30"));
        assert_eq!(at("besok jam setengah 10 pagi").as_deref(), Some("2026-05-12 09:30"));
        assert_eq!(at("rabu jam 7 malam").as_deref(), Some("2026-05-13 19:00"));
        assert_eq!(at("kamis pukul 10.30").as_deref(), Some("2026-05-14 10:30"));
        assert_eq!(at("jumat 14:00").as_deref(), Some("2026-05-15 14:00"));
        assert_eq!(at("jum'at jam 3 sore").as_deref(), Some("2026-05-15 15:00"));
        assert_eq!(at("besok jam12 siang").as_deref(), Some("2026-05-12 12:00"));
        assert_eq!(at("hari ini jam 4").as_deref(), Some("2026-05-11 16:00"));
        assert_eq!(at("nanti sore").as_deref(), Some("2026-05-11 15:00"));
    }

    #[test]
    fn dates() {
        assert_eq!(at("senin jam 10").as_deref(), Some("2026-05-11 10:00"), "today is Monday");
        assert_eq!(at("sabtu depan jam 10").as_deref(), Some("2026-05-23 10:00"));
        assert_eq!(at("sabtu minggu depan jam 10").as_deref(), Some("2026-05-23 10:00"));
        assert_eq!(at("minggu depan jam 10").as_deref(), Some("2026-05-18 10:00"));
        assert_eq!(at("tgl 5 jam 10").as_deref(), Some("2026-06-05 10:00"), "the 5th has passed");
        assert_eq!(at("tanggal 20/6 jam 10").as_deref(), Some("2026-06-20 10:00"));
        assert_eq!(at("20 juni jam 10").as_deref(), Some("2026-06-20 10:00"));
        assert_eq!(at("tgl 3 januari jam 10").as_deref(), Some("2027-01-03 10:00"));
        assert_eq!(parse("2 minggu lagi", now()).date, None);
    }

    #[test]
    fn nothing_that_is_not_a_time() {
        for text in [
            "selamat pagi",
            "pagi kak",
            "avanza 1.5 g 2021",
            "budget 150",
            "jam buka showroom?",
            "jam berapa buka?",
            "ada brio?",
            "4x4",
        ] {
            assert_eq!(parse(text, now()), When::default(), "{text}");
        }
        assert_eq!(parse("tgl 31 feb", now()).date, None);
        assert_eq!(parse("jam 99", now()).time, None);
    }

    #[test]
    fn cancel_change_and_yes() {
        assert!(is_cancel("batal datang"));
        assert!(is_cancel("maaf gak jadi ke sana kak"));
        assert!(is_cancel("cancel"));
        assert!(!is_cancel("batal kredit, mau cash aja kak gimana caranya"));
        assert!(is_change("jadinya minggu aja"));
        assert!(is_change("diundur jam 3 ya"));
        assert!(is_yes("oke kak"));
        assert!(!is_yes("ada avanza?"));
        assert!(is_test_drive("test drive sabtu sore bisa?"));
        assert!(is_test_drive("mau coba bawa besok"));
        assert!(!is_test_drive("mau lihat langsung"));
    }
}
