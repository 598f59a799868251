//! Prices in whole rupiah.
//!
//! Car prices are never fractional, so an integer count of rupiah is exact and
//! avoids floating-point rounding. The upper bound catches typos (an extra
//! "000") long before any arithmetic could overflow.

use serde::{Deserialize, Deserializer, Serialize};
use thiserror::Error;

const MAX: i64 = 100_000_000_000;
const JUTA: i64 = 1_000_000;
const MILIAR: i64 = 1_000_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum MoneyError {
    #[error("Nominal wajib diisi")]
    Empty,
    #[error("Nominal harus lebih dari nol")]
    NotPositive,
    #[error("Nominal terlalu besar (maksimal Rp 100.000.000.000)")]
    TooLarge,
    #[error("Nominal tidak valid. Tulis angka tanpa desimal, contoh: 195.000.000")]
    InvalidFormat,
}

/// A positive amount of whole rupiah, at most Rp 100 miliar.
///
/// Serialises as a plain JSON integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Rupiah(i64);

impl Rupiah {
    pub fn new(value: i64) -> Result<Rupiah, MoneyError> {
        if value <= 0 {
            Err(MoneyError::NotPositive)
        } else if value > MAX {
            Err(MoneyError::TooLarge)
        } else {
            Ok(Rupiah(value))
        }
    }

    /// Parses an amount typed in a form: "195000000", "195.000.000",
    /// "Rp 195.000.000", "Rp195.000.000,-" or "195.000.000,00".
    ///
    /// Dots are Indonesian thousands separators, so they must group exactly
    /// three digits; "1.5" is rejected rather than silently read as 15.
    pub fn parse(raw: &str) -> Result<Rupiah, MoneyError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(MoneyError::Empty);
        }
        let s = strip_currency_prefix(s);
        // ",-" and ",00" are the customary "no cents" endings on price tags.
        let s = [",-", ",00", ",0"].iter().find_map(|suffix| s.strip_suffix(suffix)).unwrap_or(s).trim_end();
        if s.is_empty() {
            return Err(MoneyError::InvalidFormat);
        }

        let mut groups = s.split('.');
        let first = groups.next().unwrap_or_default();
        if first.is_empty() || (s.contains('.') && first.len() > 3) {
            return Err(MoneyError::InvalidFormat);
        }
        let mut value = digits_value(first, 0)?;
        for group in groups {
            if group.len() != 3 {
                return Err(MoneyError::InvalidFormat);
            }
            value = digits_value(group, value)?;
        }
        Rupiah::new(value)
    }

    pub fn value(&self) -> i64 {
        self.0
    }

    /// "Rp 195.000.000".
    pub fn format_full(&self) -> String {
        format!("Rp {}", group_thousands(self.0))
    }

    /// Compact form for listings: "195 jt", "1,5 jt", "1,25 M" (M = miliar).
    /// Rounded to at most two decimals, trailing zeros dropped. Amounts below
    /// one juta are shown in full ("Rp 750.000").
    pub fn format_short(&self) -> String {
        let v = self.0;
        if v < JUTA {
            return self.format_full();
        }
        // Hundredths of a juta, rounded half up; values are at most 1e11, so
        // `v * 100` cannot overflow.
        let juta_hundredths = (v * 100 + JUTA / 2) / JUTA;
        // 999.995.000 rounds to "1000 jt", which reads better as "1 M".
        if v < MILIAR && juta_hundredths < 1000 * 100 {
            return format!("{} jt", two_decimals(juta_hundredths));
        }
        let miliar_hundredths = (v * 100 + MILIAR / 2) / MILIAR;
        format!("{} M", two_decimals(miliar_hundredths))
    }
}

impl std::fmt::Display for Rupiah {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.format_full())
    }
}

impl TryFrom<i64> for Rupiah {
    type Error = MoneyError;
    fn try_from(value: i64) -> Result<Rupiah, MoneyError> {
        Rupiah::new(value)
    }
}

impl<'de> Deserialize<'de> for Rupiah {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = i64::deserialize(deserializer)?;
        Rupiah::new(value).map_err(serde::de::Error::custom)
    }
}

fn strip_currency_prefix(s: &str) -> &str {
    let rest = match s.get(..2) {
        Some(prefix) if prefix.eq_ignore_ascii_case("rp") => s.get(2..).unwrap_or_default(),
        _ => return s,
    };
    rest.strip_prefix('.').unwrap_or(rest).trim_start()
}

/// Appends the decimal digits of `group` to `acc`, refusing anything else and
/// reporting overflow as "too large".
fn digits_value(group: &str, acc: i64) -> Result<i64, MoneyError> {
    let mut acc = acc;
    for b in group.bytes() {
        if !b.is_ascii_digit() {
            return Err(MoneyError::InvalidFormat);
        }
        acc = acc.checked_mul(10).and_then(|a| a.checked_add(i64::from(b - b'0'))).ok_or(MoneyError::TooLarge)?;
    }
    Ok(acc)
}

/// 195000000 → "195.000.000": Indonesian thousands grouping, used wherever a
/// number is shown to people (prices, kilometres, counts).
pub fn group_thousands(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// Hundredths written the Indonesian way, with a decimal comma and no trailing zeros:
/// 125 → "1,25", 150 → "1,5", 19500 → "195". Also percentages kept in basis points
/// (650 → "6,5").
pub fn two_decimals(hundredths: i64) -> String {
    let whole = hundredths / 100;
    let frac = (hundredths % 100).abs();
    if frac == 0 {
        whole.to_string()
    } else if frac % 10 == 0 {
        format!("{whole},{}", frac / 10)
    } else {
        format!("{whole},{frac:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rp(v: i64) -> Rupiah {
        Rupiah::new(v).unwrap()
    }

    #[test]
    fn new_bounds() {
        assert_eq!(Rupiah::new(0), Err(MoneyError::NotPositive));
        assert_eq!(Rupiah::new(-5), Err(MoneyError::NotPositive));
        assert_eq!(Rupiah::new(i64::MIN), Err(MoneyError::NotPositive));
        assert_eq!(Rupiah::new(1).map(|r| r.value()), Ok(1));
        assert_eq!(Rupiah::new(MAX).map(|r| r.value()), Ok(100_000_000_000));
        assert_eq!(Rupiah::new(MAX + 1), Err(MoneyError::TooLarge));
        assert_eq!(Rupiah::new(i64::MAX), Err(MoneyError::TooLarge));
    }

    #[test]
    fn format_full() {
        assert_eq!(rp(195_000_000).format_full(), "Rp 195.000.000");
        assert_eq!(rp(1).format_full(), "Rp 1");
        assert_eq!(rp(999).format_full(), "Rp 999");
        assert_eq!(rp(1_000).format_full(), "Rp 1.000");
        assert_eq!(rp(750_000).format_full(), "Rp 750.000");
        assert_eq!(rp(1_234_567).format_full(), "Rp 1.234.567");
        assert_eq!(rp(100_000_000_000).format_full(), "Rp 100.000.000.000");
        assert_eq!(rp(195_000_000).to_string(), "Rp 195.000.000");
    }

    #[test]
    fn format_short() {
        assert_eq!(rp(750_000).format_short(), "Rp 750.000");
        assert_eq!(rp(999_999).format_short(), "Rp 999.999");
        assert_eq!(rp(1_000_000).format_short(), "1 jt");
        assert_eq!(rp(1_500_000).format_short(), "1,5 jt");
        assert_eq!(rp(1_250_000).format_short(), "1,25 jt");
        assert_eq!(rp(1_234_567).format_short(), "1,23 jt");
        assert_eq!(rp(1_235_000).format_short(), "1,24 jt");
        assert_eq!(rp(1_004_999).format_short(), "1 jt");
        assert_eq!(rp(195_000_000).format_short(), "195 jt");
        assert_eq!(rp(999_990_000).format_short(), "999,99 jt");
        assert_eq!(rp(999_995_000).format_short(), "1 M");
        assert_eq!(rp(1_000_000_000).format_short(), "1 M");
        assert_eq!(rp(1_200_000_000).format_short(), "1,2 M");
        assert_eq!(rp(1_250_000_000).format_short(), "1,25 M");
        assert_eq!(rp(1_999_999_999).format_short(), "2 M");
        assert_eq!(rp(12_050_000_000).format_short(), "12,05 M");
        assert_eq!(rp(100_000_000_000).format_short(), "100 M");
    }

    #[test]
    fn parse_form_input() {
        assert_eq!(Rupiah::parse("195000000"), Ok(rp(195_000_000)));
        assert_eq!(Rupiah::parse("195.000.000"), Ok(rp(195_000_000)));
        assert_eq!(Rupiah::parse(" Rp 195.000.000 "), Ok(rp(195_000_000)));
        assert_eq!(Rupiah::parse("Rp195.000.000"), Ok(rp(195_000_000)));
        assert_eq!(Rupiah::parse("rp. 195.000.000"), Ok(rp(195_000_000)));
        assert_eq!(Rupiah::parse("Rp 195.000.000,-"), Ok(rp(195_000_000)));
        assert_eq!(Rupiah::parse("195.000.000,00"), Ok(rp(195_000_000)));
        assert_eq!(Rupiah::parse("1.000"), Ok(rp(1_000)));
    }

    #[test]
    fn parse_rejections() {
        assert_eq!(Rupiah::parse(""), Err(MoneyError::Empty));
        assert_eq!(Rupiah::parse("   "), Err(MoneyError::Empty));
        assert_eq!(Rupiah::parse("Rp"), Err(MoneyError::InvalidFormat));
        assert_eq!(Rupiah::parse("1.5"), Err(MoneyError::InvalidFormat));
        assert_eq!(Rupiah::parse("1,5"), Err(MoneyError::InvalidFormat));
        assert_eq!(Rupiah::parse("1000.000"), Err(MoneyError::InvalidFormat));
        assert_eq!(Rupiah::parse(".000"), Err(MoneyError::InvalidFormat));
        assert_eq!(Rupiah::parse("1.000."), Err(MoneyError::InvalidFormat));
        assert_eq!(Rupiah::parse("195 juta"), Err(MoneyError::InvalidFormat));
        assert_eq!(Rupiah::parse("-5"), Err(MoneyError::InvalidFormat));
        assert_eq!(Rupiah::parse("Rp€"), Err(MoneyError::InvalidFormat));
        assert_eq!(Rupiah::parse("€5"), Err(MoneyError::InvalidFormat));
        assert_eq!(Rupiah::parse("0"), Err(MoneyError::NotPositive));
        assert_eq!(Rupiah::parse("100.000.000.001"), Err(MoneyError::TooLarge));
        assert_eq!(Rupiah::parse(&"9".repeat(100)), Err(MoneyError::TooLarge));
    }

    #[test]
    fn serde_is_a_plain_integer() {
        assert_eq!(serde_json::to_string(&rp(195_000_000)).unwrap(), "195000000");
        let back: Rupiah = serde_json::from_str("195000000").unwrap();
        assert_eq!(back, rp(195_000_000));
        assert!(serde_json::from_str::<Rupiah>("0").is_err());
        assert!(serde_json::from_str::<Rupiah>("100000000001").is_err());
        assert!(serde_json::from_str::<Rupiah>("\"195000000\"").is_err());
        assert!(serde_json::from_str::<Rupiah>("1.5").is_err());
    }

    #[test]
    fn messages_are_indonesian() {
        assert_eq!(MoneyError::NotPositive.to_string(), "Nominal harus lebih dari nol");
    }
}
