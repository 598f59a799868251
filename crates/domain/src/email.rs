//! Email addresses for showroom users and customers.
//!
//! Deliberately loose: the only real proof of an address is a delivered
//! message. The checks catch typos and anything that could break a mail
//! header, and lowercasing makes the address usable as a login key.

use thiserror::Error;

use crate::host::is_valid_label;

const MAX_LEN: usize = 254;
const MAX_LOCAL_LEN: usize = 64;
const MAX_DOMAIN_LEN: usize = 253;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum EmailError {
    #[error("Alamat email wajib diisi")]
    Empty,
    #[error("Alamat email terlalu panjang")]
    TooLong,
    #[error("Alamat email tidak valid")]
    Invalid,
}

/// A trimmed, lowercased email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

crate::newtype::validated_string!(Email, EmailError);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, EmailError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        if s.len() > MAX_LEN {
            return Err(EmailError::TooLong);
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(EmailError::Invalid);
        }
        let s = s.to_lowercase();
        // Unicode lowercasing can grow the string, so measure again.
        if s.len() > MAX_LEN {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = s.split_once('@').ok_or(EmailError::Invalid)?;
        if !is_valid_local_part(local) || !is_valid_domain(domain) {
            return Err(EmailError::Invalid);
        }
        Ok(Email(s))
    }

    /// The part after '@'.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }
}

/// Unquoted local part: no dot at either end or twice in a row, and none of
/// the characters that only appear in quoted form (they could also confuse
/// mail header parsing). Non-ASCII letters are allowed (RFC 6531).
fn is_valid_local_part(local: &str) -> bool {
    const SPECIALS: &[char] = &['@', '"', '(', ')', ',', ':', ';', '<', '>', '[', '\\', ']'];
    !local.is_empty()
        && local.len() <= MAX_LOCAL_LEN
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && !local.contains(SPECIALS)
}

/// A loose hostname: ASCII DNS labels, at least two of them.
fn is_valid_domain(domain: &str) -> bool {
    domain.len() <= MAX_DOMAIN_LEN && domain.contains('.') && domain.split('.').all(is_valid_label)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(raw: &str) -> String {
        match Email::parse(raw) {
            Ok(e) => e.into_inner(),
            Err(e) => panic!("{raw:?} should parse, got {e:?}"),
        }
    }

    #[test]
    fn accepts_and_normalises() {
        assert_eq!(ok("budi@example.com"), "budi@example.com");
        assert_eq!(ok("  Budi.Santoso@Mail.CO.ID "), "budi.santoso@mail.co.id");
        assert_eq!(ok("budi+mobil@gmail.com"), "budi+mobil@gmail.com");
        assert_eq!(ok("o'neil_x-y@sub.example.org"), "o'neil_x-y@sub.example.org");
        assert_eq!(ok("ägnes@example.com"), "ägnes@example.com");
        assert_eq!(ok(&format!("{}@example.com", "a".repeat(64))), format!("{}@example.com", "a".repeat(64)));
    }

    #[test]
    fn rejections() {
        use EmailError::*;
        let err = |raw: &str| Email::parse(raw).unwrap_err();
        assert_eq!(err(""), Empty);
        assert_eq!(err("   "), Empty);
        assert_eq!(err("budi"), Invalid);
        assert_eq!(err("budi@"), Invalid);
        assert_eq!(err("@example.com"), Invalid);
        assert_eq!(err("budi@@example.com"), Invalid);
        assert_eq!(err("budi@ex@ample.com"), Invalid);
        assert_eq!(err("budi@localhost"), Invalid);
        assert_eq!(err("budi @example.com"), Invalid);
        assert_eq!(err("budi@exa mple.com"), Invalid);
        assert_eq!(err("budi\n@example.com"), Invalid);
        assert_eq!(err("budi@example.com\r\nBcc: x@y.z"), Invalid);
        assert_eq!(err("budi\u{0}@example.com"), Invalid);
        assert_eq!(err(".budi@example.com"), Invalid);
        assert_eq!(err("budi.@example.com"), Invalid);
        assert_eq!(err("bu..di@example.com"), Invalid);
        assert_eq!(err("\"budi\"@example.com"), Invalid);
        assert_eq!(err("budi<x>@example.com"), Invalid);
        assert_eq!(err("budi@example..com"), Invalid);
        assert_eq!(err("budi@.example.com"), Invalid);
        assert_eq!(err("budi@example.com."), Invalid);
        assert_eq!(err("budi@-example.com"), Invalid);
        assert_eq!(err("budi@exam_ple.com"), Invalid);
        assert_eq!(err("budi@contoh.中国"), Invalid);
        assert_eq!(err(&format!("{}@example.com", "a".repeat(65))), Invalid);
        assert_eq!(err(&format!("a@{}.com", "b".repeat(64))), Invalid);
        assert_eq!(err(&format!("a@{}.com", vec!["b".repeat(50); 5].join("."))), TooLong);
    }

    #[test]
    fn message_is_indonesian() {
        assert_eq!(EmailError::Invalid.to_string(), "Alamat email tidak valid");
    }

    #[test]
    fn domain_accessor() {
        assert_eq!(Email::parse("budi@Example.com").unwrap().domain(), "example.com");
    }

    #[test]
    fn serde_validates() {
        let e: Email = serde_json::from_str("\"Budi@Example.com\"").unwrap();
        assert_eq!(serde_json::to_string(&e).unwrap(), "\"budi@example.com\"");
        assert!(serde_json::from_str::<Email>("\"bukan-email\"").is_err());
    }
}
