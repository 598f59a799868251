//! What a salesperson writes to change the stock or ask about leads, and the short answers of a
//! guided flow ("ya", "batal", "lewati"). Pure: no IO, no clock, never panics.
//!
//! These are read *before* the general understanding and only for the roles they are meant for
//! (the engine decides the role from the staff registry): a salesperson's "harga no 4 turun 5 jt"
//! is a price change to confirm, not a stock summary. A change always names its car by stock
//! number ("no 4", "nomor 4", "#4", "unit 4", "stok 4"), so a customer-style question about a
//! price ("harga no 4 berapa?") is not a change.

/// A change to one car, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffUpdate {
    pub stock_no: i64,
    pub change: UpdateKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateKind {
    /// Add this many rupiah to the price (negative: lower it).
    PriceBy(i64),
    /// Set the cash price to this many rupiah.
    PriceTo(i64),
    /// Booked ("sudah DP", "tahan dulu", "booking").
    Booked,
    /// Available again ("batal booking", "tidak jadi").
    Available,
    /// Sold ("laku", "terjual").
    Sold,
}

/// A salesperson's question about leads.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LeadQuery {
    /// Only leads created today (Jakarta).
    pub today: bool,
    /// Words the car must match ("fortuner"), lower case.
    pub about: Option<String>,
}

/// Lower-case words; punctuation other than the decimal separators inside numbers splits words.
pub(crate) fn words(text: &str) -> Vec<String> {
    // A comma between digits is a decimal point ("2,5 jt"); elsewhere it separates words.
    let chars: Vec<char> = text.to_lowercase().chars().collect();
    let lower: String = chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let digits_around =
                i > 0 && chars[i - 1].is_ascii_digit() && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
            if c == ',' && !digits_around { ' ' } else { c }
        })
        .collect();
    let mut out = Vec::new();
    for raw in lower.split(|c: char| c.is_whitespace() || matches!(c, ';' | '!' | '?' | '(' | ')' | ':' | '"')) {
        let w = raw.trim_matches(|c: char| matches!(c, '.' | '*' | '_' | '~' | '\'' | '-'));
        if w.is_empty() {
            continue;
        }
        // "no.4", "no4", "#4" → "no", "4".
        if let Some(n) = w.strip_prefix('#').or_else(|| w.strip_prefix("no.")).or_else(|| {
            w.strip_prefix("no").filter(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()))
        }) {
            out.push("no".to_owned());
            if !n.is_empty() {
                out.push(n.to_owned());
            }
            continue;
        }
        out.push(w.to_owned());
    }
    out
}

fn has(words: &[String], w: &str) -> bool {
    words.iter().any(|x| x == w)
}

fn has_pair(words: &[String], a: &str, b: &str) -> bool {
    words.windows(2).any(|p| p[0] == a && p[1] == b)
}

/// The stock number named with a cue word, and the position after it.
fn stock_no(words: &[String]) -> Option<(i64, usize)> {
    const CUES: [&str; 6] = ["no", "nomor", "nomer", "unit", "stok", "stock"];
    words.windows(2).enumerate().find_map(|(i, p)| {
        if !CUES.contains(&p[0].as_str()) {
            return None;
        }
        let n: i64 = p[1].parse().ok()?;
        (1..=9_999_999).contains(&n).then_some((n, i + 2))
    })
}

/// An amount starting at `words[i]`: "5 jt", "5jt", "430", "1,2 m", "195.000.000", "rp 190jt".
/// `bare_juta`: a plain number below 1000 (for a change) or from 10 to 2000 (for a price) is juta.
fn amount(words: &[String], mut i: usize, change: bool) -> Option<i64> {
    if words.get(i).map(String::as_str) == Some("rp") {
        i += 1;
    }
    let w = words.get(i)?;
    let w = w.strip_prefix("rp").unwrap_or(w);
    let split = w.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',')).unwrap_or(w.len());
    let (num, glued) = w.split_at(split);
    if num.is_empty() || !num.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let unit = if glued.is_empty() { words.get(i + 1).map(String::as_str).unwrap_or("") } else { glued };
    let multiplier: f64 = match unit {
        "jt" | "juta" | "jeti" | "j" => 1e6,
        "rb" | "ribu" | "k" => 1e3,
        "m" | "miliar" | "milyar" => 1e9,
        _ => 1.0,
    };
    let grouped = num.contains('.') && num.split('.').skip(1).all(|g| g.len() == 3);
    let normalised = if grouped { num.replace('.', "") } else { num.replace(',', ".") };
    let v: f64 = normalised.parse().ok()?;
    let v = if multiplier > 1.0 {
        v * multiplier
    } else if change && (0.0..1000.0).contains(&v) || !change && (10.0..=2000.0).contains(&v) {
        v * 1e6
    } else {
        v
    };
    let v = v.round();
    (1.0..=1e11).contains(&v).then_some(v as i64)
}

/// A change to a car, if the message is one.
pub fn parse_update(text: &str) -> Option<StaffUpdate> {
    let words = words(text);
    let (stock_no, after) = stock_no(&words)?;
    let at = |cues: &[&str]| words.iter().position(|w| cues.contains(&w.as_str()));
    // A price change: "turun 5 jt", "naik 3jt", "jadi 430", "harga no 4 190jt".
    if let Some(i) = at(&["turun", "turunin", "turunkan", "kurangi", "dikurangi", "potong", "diskon", "korting"]) {
        let by = amount(&words, i + 1, true).or_else(|| amount(&words, i + 2, true))?;
        return Some(StaffUpdate { stock_no, change: UpdateKind::PriceBy(-by) });
    }
    if let Some(i) = at(&["naik", "naikin", "naikkan", "tambah"]) {
        let by = amount(&words, i + 1, true).or_else(|| amount(&words, i + 2, true))?;
        return Some(StaffUpdate { stock_no, change: UpdateKind::PriceBy(by) });
    }
    if let Some(i) = at(&["jadi", "menjadi", "jd", "ganti", "ubah", "set"])
        && let Some(to) = amount(&words, i + 1, false).or_else(|| amount(&words, i + 2, false))
    {
        return Some(StaffUpdate { stock_no, change: UpdateKind::PriceTo(to) });
    }
    if has(&words, "harga")
        && let Some(to) = amount(&words, after, false)
    {
        return Some(StaffUpdate { stock_no, change: UpdateKind::PriceTo(to) });
    }
    // A status: cancelling a booking first, since it names the booking too.
    let cancelled = has_pair(&words, "batal", "booking")
        || has_pair(&words, "batal", "dp")
        || has_pair(&words, "cancel", "booking")
        || has_pair(&words, "tidak", "jadi")
        || has_pair(&words, "gak", "jadi")
        || has_pair(&words, "ga", "jadi")
        || has_pair(&words, "nggak", "jadi")
        || has_pair(&words, "gk", "jadi")
        || has_pair(&words, "lepas", "booking")
        || has_pair(&words, "tersedia", "lagi")
        || has_pair(&words, "ready", "lagi")
        || has_pair(&words, "buka", "lagi");
    if cancelled {
        return Some(StaffUpdate { stock_no, change: UpdateKind::Available });
    }
    if at(&["laku", "terjual", "sold", "kejual", "lepas"]).is_some() {
        return Some(StaffUpdate { stock_no, change: UpdateKind::Sold });
    }
    if at(&["dp", "booking", "dibooking", "book", "tahan", "ditahan", "hold", "keep", "tanda"]).is_some() {
        return Some(StaffUpdate { stock_no, change: UpdateKind::Booked });
    }
    None
}

/// A question about leads ("prospek saya", "leads hari ini", "siapa yang tanya fortuner?").
pub fn parse_lead_query(text: &str) -> Option<LeadQuery> {
    let words = words(text);
    let today = has_pair(&words, "hari", "ini") || has(&words, "hariini") || has(&words, "today");
    let asks_who = has(&words, "siapa") || has(&words, "sapa") || has(&words, "siapa2");
    let asked = ["tanya", "nanya", "tanyain", "nanyain", "bertanya", "minat", "cari", "nyari", "mau", "inbox"];
    if asks_who && let Some(i) = words.iter().position(|w| asked.contains(&w.as_str())) {
        let about: Vec<&str> = words[i + 1..]
            .iter()
            .map(String::as_str)
            .filter(|w| !matches!(*w, "aja" | "saja" | "sih" | "ya" | "tadi" | "hari" | "ini" | "yang" | "yg"))
            .collect();
        let about = (!about.is_empty()).then(|| about.join(" "));
        return Some(LeadQuery { today, about });
    }
    let lead_word = words.iter().any(|w| matches!(w.as_str(), "prospek" | "lead" | "leads" | "calon"));
    if !lead_word {
        return None;
    }
    // "prospek saya", "leads hari ini", "daftar prospek": short requests, not sentences about a buyer.
    if words.len() > 6 {
        return None;
    }
    Some(LeadQuery { today, about: None })
}

/// "ya", "iya", "ok", "simpan", "betul"…: the answer that confirms.
pub fn is_yes(text: &str) -> bool {
    let w = words(text);
    matches!(w.as_slice(), [one] | [one, _] if matches!(one.as_str(),
        "ya" | "iya" | "y" | "yes" | "ok" | "oke" | "okay" | "okey" | "siap" | "simpan" | "betul" | "benar" | "yup" | "yoi" | "lanjut"))
}

/// "batal", "tidak", "cancel", "gak jadi": the answer that cancels ("gak tau" does not).
pub fn is_cancel(text: &str) -> bool {
    let joined = words(text).join(" ");
    matches!(
        joined.as_str(),
        "batal"
            | "batalkan"
            | "batal aja"
            | "batal saja"
            | "batalin"
            | "cancel"
            | "tidak"
            | "tdk"
            | "gak"
            | "ga"
            | "nggak"
            | "enggak"
            | "ngga"
            | "no"
            | "jangan"
            | "stop"
            | "tidak jadi"
            | "gak jadi"
            | "ga jadi"
            | "nggak jadi"
            | "gk jadi"
            | "gak usah"
            | "ga usah"
            | "tidak usah"
            | "nggak usah"
            | "jangan dulu"
    )
}

/// "lewati", "skip", "-", "tidak tahu": the answer that skips a step.
pub fn is_skip(text: &str) -> bool {
    let t = text.trim().to_lowercase();
    t == "-"
        || matches!(
            t.trim_end_matches(['.', '!']),
            "lewati"
                | "lewat"
                | "skip"
                | "lanjut"
                | "gak tahu"
                | "ga tahu"
                | "tidak tahu"
                | "gatau"
                | "ga tau"
                | "gak tau"
                | "nggak tahu"
                | "lupa"
        )
}

/// "selesai", "sudah", "udah", "cukup": the end of a list of photos.
pub fn is_done(text: &str) -> bool {
    let t = text.trim().to_lowercase();
    matches!(
        t.trim_end_matches(['.', '!']),
        "selesai" | "sudah" | "udah" | "cukup" | "done" | "sdh" | "udh" | "beres" | "itu aja" | "itu saja"
    )
}

/// Whether a customer asks to trade their car in.
pub fn is_trade_in(text: &str) -> bool {
    let w = words(text);
    has_pair(&w, "tukar", "tambah")
        || has(&w, "tukartambah")
        || has_pair(&w, "trade", "in")
        || has(&w, "tradein")
        || has(&w, "trade-in")
        || has_pair(&w, "tukar", "mobil")
        || has_pair(&w, "tuker", "tambah")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(text: &str) -> Option<(i64, UpdateKind)> {
        parse_update(text).map(|u| (u.stock_no, u.change))
    }

    #[test]
    fn price_changes() {
        assert_eq!(update("harga no 4 turun 5 jt"), Some((4, UpdateKind::PriceBy(-5_000_000))));
        assert_eq!(update("no 4 turun 5jt"), Some((4, UpdateKind::PriceBy(-5_000_000))));
        assert_eq!(update("harga #4 turunin 2,5 juta"), Some((4, UpdateKind::PriceBy(-2_500_000))));
        assert_eq!(update("no 4 naik 3"), Some((4, UpdateKind::PriceBy(3_000_000))));
        assert_eq!(update("no 4 jadi 430"), Some((4, UpdateKind::PriceTo(430_000_000))));
        assert_eq!(update("harga no.4 jadi Rp 190.000.000"), Some((4, UpdateKind::PriceTo(190_000_000))));
        assert_eq!(update("harga no 4 190jt"), Some((4, UpdateKind::PriceTo(190_000_000))));
        assert_eq!(update("no4 jadi 1,2 m"), Some((4, UpdateKind::PriceTo(1_200_000_000))));
    }

    #[test]
    fn statuses() {
        assert_eq!(update("no 12 sudah DP, tahan dulu"), Some((12, UpdateKind::Booked)));
        assert_eq!(update("no 7 batal booking"), Some((7, UpdateKind::Available)));
        assert_eq!(update("unit 7 gak jadi, tersedia lagi"), Some((7, UpdateKind::Available)));
        assert_eq!(update("no 9 laku"), Some((9, UpdateKind::Sold)));
        assert_eq!(update("nomor 9 udah terjual"), Some((9, UpdateKind::Sold)));
    }

    #[test]
    fn not_changes() {
        assert_eq!(update("harga no 4 berapa?"), None);
        assert_eq!(update("harga turun 5 jt"), None, "no car named");
        assert_eq!(update("avanza ada?"), None);
        assert_eq!(update("no 4 turun"), None, "no amount");
        assert_eq!(update("detail no 4"), None);
    }

    #[test]
    fn lead_questions() {
        assert_eq!(parse_lead_query("prospek saya"), Some(LeadQuery::default()));
        assert_eq!(parse_lead_query("leads hari ini"), Some(LeadQuery { today: true, about: None }));
        assert_eq!(
            parse_lead_query("siapa yang tanya fortuner?"),
            Some(LeadQuery { today: false, about: Some("fortuner".into()) })
        );
        assert_eq!(
            parse_lead_query("siapa aja yg nanya fortuner hari ini"),
            Some(LeadQuery { today: true, about: Some("fortuner".into()) })
        );
        assert_eq!(parse_lead_query("ada yang mau beli avanza namanya budi"), None);
        assert_eq!(parse_lead_query("halo"), None);
    }

    #[test]
    fn short_answers() {
        assert!(is_yes("ya") && is_yes("Iya") && is_yes("ok simpan") && is_yes("Ya."));
        assert!(!is_yes("ya tapi harganya berapa ya"));
        assert!(is_cancel("batal") && is_cancel("gak jadi") && is_cancel("Batal."));
        assert!(!is_cancel("batal booking no 7 ya kak") && !is_cancel("gak tau"));
        assert!(is_skip("lewati") && is_skip("-") && is_skip("gak tahu") && !is_skip("toyota"));
        assert!(is_done("selesai") && is_done("Sudah") && !is_done("sudah dp"));
        assert!(
            is_trade_in("mau tukar tambah bisa?") && is_trade_in("Trade in bisa gan") && !is_trade_in("tukar pikiran")
        );
    }
}
