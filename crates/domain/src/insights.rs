//! Insights (issue #17, point 6): what is counted, from where, and who is not a person.

use std::fmt;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

/// What a counter counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A car's public page was shown (or the bot sent a car's details).
    View,
    /// The WhatsApp button of a car was clicked (through the site's redirect).
    WaClick,
    /// A search term, from the site's catalogue or the bot.
    Search,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::View => "view",
            Kind::WaClick => "wa_click",
            Kind::Search => "search",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "view" => Some(Kind::View),
            "wa_click" => Some(Kind::WaClick),
            "search" => Some(Kind::Search),
            _ => None,
        }
    }
}

/// Where the buyer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// The showroom's website.
    Site,
    /// A marketplace feed (Meta catalog, Google): links carry `src=feed`.
    Feed,
    /// The WhatsApp bot.
    Whatsapp,
}

impl Source {
    pub const ALL: [Source; 3] = [Source::Site, Source::Feed, Source::Whatsapp];

    pub fn as_str(self) -> &'static str {
        match self {
            Source::Site => "site",
            Source::Feed => "feed",
            Source::Whatsapp => "whatsapp",
        }
    }

    pub fn parse(s: &str) -> Option<Source> {
        match s {
            "site" => Some(Source::Site),
            "feed" => Some(Source::Feed),
            "whatsapp" => Some(Source::Whatsapp),
            _ => None,
        }
    }

    /// The Indonesian label on the dashboard.
    pub fn label(self) -> &'static str {
        match self {
            Source::Site => "Situs",
            Source::Feed => "Iklan marketplace",
            Source::Whatsapp => "WhatsApp",
        }
    }

    /// The source of a public page request from its query: `src=feed`, or a `utm_source`
    /// that names a marketplace or ad platform, is the feed; everything else the site.
    pub fn from_query(query: Option<&str>) -> Source {
        let Some(query) = query else { return Source::Site };
        for pair in query.split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = value.to_ascii_lowercase();
            match key {
                "src" if value == "feed" => return Source::Feed,
                "utm_source" if FEED_UTM_SOURCES.iter().any(|s| value == *s) => return Source::Feed,
                _ => {}
            }
        }
        Source::Site
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `utm_source` values that mean a marketplace or ad listing fed from Garasi's feeds.
const FEED_UTM_SOURCES: [&str; 6] = ["feed", "meta", "facebook", "google", "instagram", "marketplace"];

/// User-Agent fragments of known crawlers, link previewers and tools (lower case).
const BOT_PATTERNS: [&str; 30] = [
    "bot",
    "crawler",
    "spider",
    "preview",
    "crawl",
    "slurp",
    "googlebot",
    "bingbot",
    "facebookexternalhit",
    "facebookcatalog",
    "meta-externalagent",
    "ahrefsbot",
    "semrushbot",
    "mj12bot",
    "dotbot",
    "yandex",
    "baiduspider",
    "duckduckbot",
    "petalbot",
    "bytespider",
    "applebot",
    "whatsapp",
    "telegrambot",
    "twitterbot",
    "linkedinbot",
    "headlesschrome",
    "lighthouse",
    "curl/",
    "wget/",
    "python-requests",
];

/// Whether a request with this User-Agent is a crawler, a link preview or a tool rather
/// than a person's browser. No User-Agent at all is not a browser either.
pub fn is_bot(user_agent: Option<&str>) -> bool {
    let Some(ua) = user_agent.map(str::trim).filter(|ua| !ua.is_empty()) else { return true };
    let ua = ua.to_ascii_lowercase();
    BOT_PATTERNS.iter().any(|p| ua.contains(p)) || !ua.starts_with("mozilla/")
}

/// Longest search term kept, in characters.
pub const MAX_TERM_CHARS: usize = 60;

/// A search term as it is counted: lower case, single spaces, at most
/// [`MAX_TERM_CHARS`] characters; `None` when nothing is left.
pub fn normalize_term(raw: &str) -> Option<String> {
    let words: Vec<String> = raw.split_whitespace().map(|w| w.to_lowercase()).collect();
    let joined = words.join(" ");
    let term: String = joined.chars().filter(|c| !c.is_control()).take(MAX_TERM_CHARS).collect();
    let term = term.trim().to_owned();
    (!term.is_empty()).then_some(term)
}

/// The Jakarta calendar day of `at`.
pub fn jakarta_day(at: DateTime<Utc>) -> NaiveDate {
    (at + Duration::hours(7)).date_naive()
}

/// The ISO week of a Jakarta day, as `2026-W49`.
pub fn week_key(day: NaiveDate) -> String {
    let w = day.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// The Monday of the week before the one holding `day`, and its Sunday: the week a
/// summary sent on `day` reports.
pub fn previous_week(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let monday = day - Duration::days(day.weekday().num_days_from_monday() as i64);
    (monday - Duration::days(7), monday - Duration::days(1))
}

/// One car's (or source's) funnel: views → chats → leads → visits → sold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Funnel {
    pub views: i64,
    pub chats: i64,
    pub leads: i64,
    pub visits: i64,
    pub sold: i64,
}

impl Funnel {
    pub fn add(&mut self, other: &Funnel) {
        self.views += other.views;
        self.chats += other.chats;
        self.leads += other.leads;
        self.visits += other.visits;
        self.sold += other.sold;
    }

    pub fn is_empty(&self) -> bool {
        *self == Funnel::default()
    }

    /// The stages in order, with their Indonesian labels.
    pub fn stages(&self) -> [(&'static str, i64); 5] {
        [
            ("Dilihat", self.views),
            ("Chat", self.chats),
            ("Prospek", self.leads),
            ("Kunjungan", self.visits),
            ("Terjual", self.sold),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crawlers_and_tools_are_not_people() {
        for ua in [
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
            "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
            "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
            "WhatsApp/2.23.20.0",
            "curl/8.5.0",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0 Safari/537.36",
            "SomeLinkPreview/1.0",
            "",
        ] {
            assert!(is_bot(Some(ua)), "{ua}");
        }
        assert!(is_bot(None));
        for ua in [
            "Mozilla/5.0 (Linux; Android 13; SM-A536E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
        ] {
            assert!(!is_bot(Some(ua)), "{ua}");
        }
    }

    #[test]
    fn sources_come_from_the_query() {
        assert_eq!(Source::from_query(None), Source::Site);
        assert_eq!(Source::from_query(Some("src=feed")), Source::Feed);
        assert_eq!(Source::from_query(Some("a=1&utm_source=Meta")), Source::Feed);
        assert_eq!(Source::from_query(Some("utm_source=newsletter")), Source::Site);
        assert_eq!(Source::from_query(Some("src=other")), Source::Site);
    }

    #[test]
    fn terms_are_normalised() {
        assert_eq!(normalize_term("  Avanza   MATIC ").as_deref(), Some("avanza matic"));
        assert_eq!(normalize_term(" \t "), None);
        assert_eq!(normalize_term(&"x".repeat(100)).map(|t| t.chars().count()), Some(MAX_TERM_CHARS));
    }

    #[test]
    fn weeks() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(); // a Monday
        assert_eq!(week_key(d), "2026-W50");
        let (from, to) = previous_week(d);
        assert_eq!((from.to_string(), to.to_string()), ("2026-11-30".into(), "2026-12-06".into()));
        let sunday = NaiveDate::from_ymd_opt(2026, 12, 13).unwrap();
        assert_eq!(previous_week(sunday), previous_week(d));
    }
}
