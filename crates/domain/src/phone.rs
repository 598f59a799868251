//! Phone numbers in E.164 form, Indonesian-first.
//!
//! Showroom customers type numbers in every local style ("0812-3456-7890",
//! "+62 812 3456 7890", "(0812) 3456.7890", "812 3456 7890"). They are stored in
//! one canonical form so the same customer is recognised everywhere and so
//! WhatsApp links (`wa.me/<digits>`) work without further processing.

use thiserror::Error;

const INDONESIA: &str = "62";
/// Digits of an Indonesian national significant number (after +62).
const ID_NSN_MIN: usize = 8;
const ID_NSN_MAX: usize = 13;
/// A bare "8…" is a mobile number typed without its trunk zero.
const BARE_MOBILE_MIN: usize = 9;
const BARE_MOBILE_MAX: usize = 12;
/// E.164 allows at most 15 digits; shorter than 8 is never a real subscriber.
const E164_MIN: usize = 8;
const E164_MAX: usize = 15;
/// Cheap guard so absurdly long input is rejected before any work.
const MAX_INPUT_LEN: usize = 40;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum PhoneError {
    #[error("Nomor telepon wajib diisi")]
    Empty,
    #[error("Nomor telepon hanya boleh berisi angka. Contoh: 0812 3456 7890")]
    InvalidCharacter,
    #[error("Nomor telepon terlalu pendek. Contoh: 0812 3456 7890")]
    TooShort,
    #[error("Nomor telepon terlalu panjang. Contoh: 0812 3456 7890")]
    TooLong,
    #[error("Nomor telepon tidak valid. Contoh: 0812 3456 7890")]
    Invalid,
}

/// A phone number in E.164 form, e.g. `+6281234567890`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber(String);

crate::newtype::validated_string!(PhoneNumber, PhoneError);

impl PhoneNumber {
    /// Parses a phone number typed by a person.
    ///
    /// Spaces, dashes, dots and parentheses are ignored. Without a leading '+'
    /// the number is read as Indonesian: `0812…`, `62812…` and a bare mobile
    /// `812…` all become `+62812…`. With a leading '+', any country is accepted.
    pub fn parse(raw: &str) -> Result<PhoneNumber, PhoneError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(PhoneError::Empty);
        }
        if raw.len() > MAX_INPUT_LEN {
            return Err(PhoneError::TooLong);
        }

        let mut digits = String::with_capacity(raw.len());
        let mut has_plus = false;
        for c in raw.chars() {
            match c {
                '0'..='9' => digits.push(c),
                // '+' only makes sense in front of the number ("(+62) 812…" included).
                '+' if !has_plus && digits.is_empty() => has_plus = true,
                '-' | '.' | '(' | ')' => {}
                c if c.is_whitespace() => {}
                _ => return Err(PhoneError::InvalidCharacter),
            }
        }
        if digits.is_empty() {
            return Err(PhoneError::Invalid);
        }

        if has_plus { from_international(&digits) } else { from_local(&digits) }
    }

    /// The number without the leading '+', as used by `wa.me/<digits>` links
    /// and WhatsApp JIDs (`<digits>@s.whatsapp.net`).
    pub fn digits(&self) -> &str {
        self.0.strip_prefix('+').unwrap_or(&self.0)
    }

    /// Indonesian mobile numbers start with 8 after the country code.
    /// How people write the number: `0812-3456-7890` for Indonesia, E.164 otherwise.
    pub fn display(&self) -> String {
        display_e164(self.as_str())
    }

    pub fn is_indonesian_mobile(&self) -> bool {
        self.0.starts_with("+628")
    }

    /// For log lines at INFO and above: the country and operator prefix and the last four
    /// digits, the rest starred (`+62812****7890`), enough to tell numbers apart in an
    /// incident without writing customers' numbers into the logs.
    pub fn masked(&self) -> String {
        mask_e164(self.as_str())
    }
}

/// [`PhoneNumber::masked`] for a stored number given as text. Anything that is not a
/// `+` and ASCII digits is replaced whole, so no raw input reaches a log through here.
pub fn mask_e164(e164: &str) -> String {
    let Some(digits) = e164.strip_prefix('+') else { return "***".to_owned() };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return "***".to_owned();
    }
    // Long numbers keep 5 leading and 4 trailing digits; short ones 2 and 2.
    let (head, tail) = if digits.len() >= 11 { (5, 4) } else { (2.min(digits.len()), 2) };
    let tail = tail.min(digits.len() - head);
    let hidden = digits.len() - head - tail;
    format!("+{}{}{}", &digits[..head], "*".repeat(hidden.max(1)), &digits[digits.len() - tail..])
}

/// Digits that followed a '+': country code included.
/// "+6281234567890" → "0812-3456-7890"; numbers of other countries (or anything not
/// Indonesian and long enough) stay as they are. Takes text so stored numbers that
/// no longer parse still show; only ASCII digits are split, so nothing can panic.
pub fn display_e164(e164: &str) -> String {
    match e164.strip_prefix("+62") {
        Some(rest) if rest.len() >= 8 && rest.bytes().all(|b| b.is_ascii_digit()) => {
            let local = format!("0{rest}");
            let (a, b) = local.split_at(4);
            let (b, c) = b.split_at(4.min(b.len()));
            if c.is_empty() { format!("{a}-{b}") } else { format!("{a}-{b}-{c}") }
        }
        _ => e164.to_owned(),
    }
}

fn from_international(digits: &str) -> Result<PhoneNumber, PhoneError> {
    if let Some(nsn) = digits.strip_prefix(INDONESIA) {
        return indonesian(strip_trunk_zero(nsn));
    }
    // No country code starts with 0.
    if digits.starts_with('0') {
        return Err(PhoneError::Invalid);
    }
    check_len(digits.len(), E164_MIN, E164_MAX)?;
    Ok(PhoneNumber(format!("+{digits}")))
}

/// Digits typed without '+': an Indonesian number in one of its local styles.
fn from_local(digits: &str) -> Result<PhoneNumber, PhoneError> {
    if let Some(nsn) = digits.strip_prefix('0') {
        indonesian(nsn)
    } else if let Some(nsn) = digits.strip_prefix(INDONESIA) {
        indonesian(strip_trunk_zero(nsn))
    } else if digits.starts_with('8') {
        check_len(digits.len(), BARE_MOBILE_MIN, BARE_MOBILE_MAX)?;
        indonesian(digits)
    } else {
        Err(PhoneError::Invalid)
    }
}

/// People often keep the trunk zero after the country code ("+62 0812…").
/// An Indonesian national number never starts with 0, so dropping it is safe.
fn strip_trunk_zero(nsn: &str) -> &str {
    nsn.strip_prefix('0').unwrap_or(nsn)
}

/// `nsn` is the national significant number, i.e. what follows +62.
fn indonesian(nsn: &str) -> Result<PhoneNumber, PhoneError> {
    if nsn.starts_with('0') {
        return Err(PhoneError::Invalid);
    }
    check_len(nsn.len(), ID_NSN_MIN, ID_NSN_MAX)?;
    Ok(PhoneNumber(format!("+{INDONESIA}{nsn}")))
}

fn check_len(len: usize, min: usize, max: usize) -> Result<(), PhoneError> {
    if len < min {
        Err(PhoneError::TooShort)
    } else if len > max {
        Err(PhoneError::TooLong)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e164(raw: &str) -> String {
        match PhoneNumber::parse(raw) {
            Ok(p) => p.as_str().to_owned(),
            Err(e) => panic!("{raw:?} should parse, got {e:?}"),
        }
    }

    #[test]
    fn indonesian_local_styles() {
        assert_eq!(e164("081234567890"), "+6281234567890");
        assert_eq!(e164("0812-3456-7890"), "+6281234567890");
        assert_eq!(e164("0812 3456 7890"), "+6281234567890");
        assert_eq!(e164("(0812) 3456.7890"), "+6281234567890");
        assert_eq!(e164("  0812 3456 7890  "), "+6281234567890");
        assert_eq!(e164("62812 3456 7890"), "+6281234567890");
        assert_eq!(e164("+62 812-3456-7890"), "+6281234567890");
        assert_eq!(e164("+6281234567890"), "+6281234567890");
        assert_eq!(e164("(+62) 812 3456 7890"), "+6281234567890");
        assert_eq!(e164("812 3456 7890"), "+6281234567890");
        assert_eq!(e164("812345678"), "+62812345678");
    }

    #[test]
    fn trunk_zero_after_country_code_is_dropped() {
        assert_eq!(e164("+62 0812 3456 7890"), "+6281234567890");
        assert_eq!(e164("620812 3456 7890"), "+6281234567890");
    }

    #[test]
    fn indonesian_landline() {
        assert_eq!(e164("021-5551234"), "+62215551234");
        assert_eq!(e164("(021) 555 1234"), "+62215551234");
    }

    #[test]
    fn other_countries_with_plus() {
        assert_eq!(e164("+65 9123 4567"), "+6591234567");
        assert_eq!(e164("+1 (415) 555-2671"), "+14155552671");
        assert_eq!(e164("+60 12-345 6789"), "+60123456789");
    }

    #[test]
    fn indonesian_length_limits() {
        // 8 and 13 digits after +62 are the bounds.
        assert_eq!(e164("+62 2112 3456"), "+6221123456");
        assert_eq!(e164("+62 8123 4567 89012"), "+628123456789012");
        assert_eq!(PhoneNumber::parse("0812345"), Err(PhoneError::TooShort));
        assert_eq!(PhoneNumber::parse("+62 8123 4567 890123"), Err(PhoneError::TooLong));
    }

    #[test]
    fn bare_mobile_length_limits() {
        assert_eq!(PhoneNumber::parse("81234567"), Err(PhoneError::TooShort));
        assert_eq!(PhoneNumber::parse("8123456789012"), Err(PhoneError::TooLong));
        assert_eq!(e164("812345678901"), "+62812345678901");
    }

    #[test]
    fn international_length_limits() {
        assert_eq!(PhoneNumber::parse("+1 555 12"), Err(PhoneError::TooShort));
        assert_eq!(PhoneNumber::parse("+1 2345 6789 01234 56"), Err(PhoneError::TooLong));
        assert_eq!(e164("+1 2345 6789 01234 5"), "+123456789012345");
        assert_eq!(e164("+44 2071 83"), "+44207183");
    }

    #[test]
    fn rejections() {
        assert_eq!(PhoneNumber::parse(""), Err(PhoneError::Empty));
        assert_eq!(PhoneNumber::parse("   "), Err(PhoneError::Empty));
        assert_eq!(PhoneNumber::parse("0812abcd7890"), Err(PhoneError::InvalidCharacter));
        assert_eq!(PhoneNumber::parse("0812/3456/7890"), Err(PhoneError::InvalidCharacter));
        assert_eq!(PhoneNumber::parse("０８１２３４５６７８９０"), Err(PhoneError::InvalidCharacter));
        assert_eq!(PhoneNumber::parse("0812+34567890"), Err(PhoneError::InvalidCharacter));
        assert_eq!(PhoneNumber::parse("++6281234567890"), Err(PhoneError::InvalidCharacter));
        assert_eq!(PhoneNumber::parse("+"), Err(PhoneError::Invalid));
        assert_eq!(PhoneNumber::parse("( )"), Err(PhoneError::Invalid));
        assert_eq!(PhoneNumber::parse("+0812345678"), Err(PhoneError::Invalid));
        assert_eq!(PhoneNumber::parse("00812345678"), Err(PhoneError::Invalid));
        assert_eq!(PhoneNumber::parse("7123456789"), Err(PhoneError::Invalid));
        assert_eq!(PhoneNumber::parse(&"1".repeat(1000)), Err(PhoneError::TooLong));
    }

    #[test]
    fn messages_are_indonesian() {
        assert_eq!(PhoneError::Invalid.to_string(), "Nomor telepon tidak valid. Contoh: 0812 3456 7890");
        assert_eq!(PhoneError::Empty.to_string(), "Nomor telepon wajib diisi");
    }

    #[test]
    fn digits_and_mobile() {
        let p = PhoneNumber::parse("0812 3456 7890").unwrap();
        assert_eq!(p.digits(), "6281234567890");
        assert_eq!(p.to_string(), "+6281234567890");
        assert!(p.is_indonesian_mobile());
        assert!(!PhoneNumber::parse("021 555 1234").unwrap().is_indonesian_mobile());
        assert!(!PhoneNumber::parse("+65 9123 4567").unwrap().is_indonesian_mobile());
    }

    #[test]
    fn display_groups_indonesian_numbers() {
        assert_eq!(display_e164("+6281234567890"), "0812-3456-7890");
        assert_eq!(display_e164("+62812345678"), "0812-3456-78");
        assert_eq!(display_e164("+6221123456"), "0211-2345-6");
        assert_eq!(display_e164("+14155550100"), "+14155550100");
        assert_eq!(display_e164("+62ééééé"), "+62ééééé");
        assert_eq!(PhoneNumber::parse("0812 3456 7890").unwrap().display(), "0812-3456-7890");
    }

    #[test]
    fn masks_for_logs() {
        assert_eq!(PhoneNumber::parse("0812 0000 0001").unwrap().masked(), "+62812****0001");
        assert_eq!(PhoneNumber::parse("0812 3456 7890").unwrap().masked(), "+62812****7890");
        assert_eq!(PhoneNumber::parse("+44 2071 83").unwrap().masked(), "+44****83");
        assert_eq!(mask_e164("+1"), "+1*");
        assert_eq!(mask_e164("0812345"), "***");
        assert_eq!(mask_e164("+62abc\n"), "***");
        assert_eq!(mask_e164(""), "***");
    }

    #[test]
    fn parse_is_idempotent() {
        for raw in ["0812 3456 7890", "+65 9123 4567", "021-5551234"] {
            let once = PhoneNumber::parse(raw).unwrap();
            let twice = PhoneNumber::parse(once.as_str()).unwrap();
            assert_eq!(once, twice);
        }
    }

    #[test]
    fn serde_round_trip_validates() {
        let p = PhoneNumber::parse("0812 3456 7890").unwrap();
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(json, "\"+6281234567890\"");
        let back: PhoneNumber = serde_json::from_str("\"0812-3456-7890\"").unwrap();
        assert_eq!(back, p);
        assert!(serde_json::from_str::<PhoneNumber>("\"halo\"").is_err());
        assert!(serde_json::from_str::<PhoneNumber>("6281234567890").is_err());
    }

    #[test]
    fn from_str_matches_parse() {
        let p: PhoneNumber = "0812 3456 7890".parse().unwrap();
        assert_eq!(p.as_str(), "+6281234567890");
    }
}
