//! How the public site writes numbers, money, months and links, in Indonesian.

use garasi_domain::car::YearMonth;
use garasi_domain::money::Rupiah;
use serde_json::Value;

/// 38000 → "38.000".
pub use garasi_domain::money::group_thousands as thousands;

/// 195000000 → "Rp 195.000.000".
pub fn rupiah(v: i64) -> String {
    format!("Rp {}", thousands(v))
}

/// 195000000 → "Rp 195 Juta", 1250000000 → "Rp 1,25 Miliar" (titles and headlines).
pub fn rupiah_words(v: i64) -> String {
    match Rupiah::new(v) {
        Ok(r) => {
            let short = r.format_short();
            if let Some(n) = short.strip_suffix(" jt") {
                format!("Rp {n} Juta")
            } else if let Some(n) = short.strip_suffix(" M") {
                format!("Rp {n} Miliar")
            } else {
                short
            }
        }
        Err(_) => rupiah(v),
    }
}

/// 4425000 → "Rp 4,43 jt" (compact, for cards).
pub fn rupiah_short(v: i64) -> String {
    match Rupiah::new(v) {
        Ok(r) => {
            let s = r.format_short();
            if s.starts_with("Rp") { s } else { format!("Rp {s}") }
        }
        Err(_) => rupiah(v),
    }
}

/// 2026-05 → "Mei 2026".
pub fn month_year(ym: YearMonth) -> String {
    let name = garasi_domain::time::MONTHS_ID.get(usize::from(ym.month.saturating_sub(1))).copied().unwrap_or("");
    format!("{name} {}", ym.year)
}

/// Percent-encodes everything but RFC 3986 unreserved characters (for `?text=`).
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3 / 2);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// JSON for a `<script type="application/ld+json">` block: `<`, `>` and `&` (and the
/// JavaScript line separators) become `\uXXXX`, so no value can close the element or
/// open a comment, whatever a showroom types into a description.
pub fn json_ld(v: &Value) -> String {
    let raw = serde_json::to_string(v).unwrap_or_else(|_| "{}".into());
    let mut out = String::with_capacity(raw.len() + 16);
    for c in raw.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Cuts text to at most `max` characters at a word boundary, with an ellipsis.
pub fn truncate(s: &str, max: usize) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() <= max {
        return s;
    }
    let cut: String = s.chars().take(max.saturating_sub(1)).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => cut[..i].to_owned(),
        _ => cut,
    };
    format!("{}…", cut.trim_end_matches([',', '.', ';', ':', ' ']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_numbers() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(38_000), "38.000");
        assert_eq!(rupiah(195_000_000), "Rp 195.000.000");
        assert_eq!(rupiah_words(195_000_000), "Rp 195 Juta");
        assert_eq!(rupiah_words(1_250_000_000), "Rp 1,25 Miliar");
        assert_eq!(rupiah_words(750_000), "Rp 750.000");
        assert_eq!(rupiah_short(4_425_000), "Rp 4,43 jt");
        assert_eq!(month_year(YearMonth { year: 2026, month: 5 }), "Mei 2026");
    }

    #[test]
    fn json_ld_cannot_close_its_script() {
        let v = serde_json::json!({ "description": "</script><script>alert(1)</script> & <!--" });
        let s = json_ld(&v);
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'), "{s}");
        let back: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn encodes_and_truncates() {
        assert_eq!(url_encode("Halo, mobil 1.5 G?"), "Halo%2C%20mobil%201.5%20G%3F");
        assert_eq!(truncate("satu dua tiga empat", 12), "satu dua…");
        assert_eq!(truncate("pendek", 12), "pendek");
    }
}
