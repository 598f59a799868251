//! Host names: showroom custom domains and incoming HTTP `Host` headers.
//!
//! Tenants are resolved from the request host (`sinar.garasi.id` or a custom
//! domain such as `mobilsinar.co.id`), so both the stored domains and the
//! header must reduce to the same canonical lowercase form before comparison.

use std::net::IpAddr;

use thiserror::Error;

const MAX_HOST_LEN: usize = 253;
const MAX_LABEL_LEN: usize = 63;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum DomainNameError {
    #[error("Nama domain wajib diisi")]
    Empty,
    #[error("Masukkan nama domain saja, tanpa http:// atau garis miring. Contoh: mobilsinar.co.id")]
    IncludesSchemeOrPath,
    #[error("Nama domain dengan huruf non-ASCII harus ditulis dalam bentuk punycode (xn--...)")]
    NonAscii,
    #[error("Gunakan nama domain, bukan alamat IP")]
    IpAddress,
    #[error("Nama domain terlalu panjang (maksimal 253 karakter)")]
    TooLong,
    #[error("Nama domain harus terdiri dari minimal dua bagian. Contoh: mobilsinar.co.id")]
    TooFewLabels,
    #[error("Nama domain tidak boleh diawali titik atau berisi dua titik berturut-turut")]
    EmptyLabel,
    #[error("Setiap bagian nama domain maksimal 63 karakter")]
    LabelTooLong,
    #[error("Nama domain hanya boleh berisi huruf, angka, tanda hubung dan titik")]
    InvalidCharacter,
    #[error("Bagian nama domain tidak boleh diawali atau diakhiri tanda hubung")]
    MisplacedHyphen,
    #[error("Akhiran nama domain tidak valid. Contoh: .com atau .co.id")]
    InvalidTld,
}

/// A custom domain name for a showroom, lowercase and without trailing dot.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DomainName(String);

crate::newtype::validated_string!(DomainName, DomainNameError);

impl DomainName {
    pub fn parse(raw: &str) -> Result<DomainName, DomainNameError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(DomainNameError::Empty);
        }
        // Owners often paste a whole URL; say so instead of "invalid character".
        if s.contains('/') {
            return Err(DomainNameError::IncludesSchemeOrPath);
        }
        if !s.is_ascii() {
            return Err(DomainNameError::NonAscii);
        }
        let lower = s.to_ascii_lowercase();
        let name = lower.strip_suffix('.').unwrap_or(&lower);
        if name.parse::<IpAddr>().is_ok() {
            return Err(DomainNameError::IpAddress);
        }
        if name.len() > MAX_HOST_LEN {
            return Err(DomainNameError::TooLong);
        }

        let labels: Vec<&str> = name.split('.').collect();
        for label in &labels {
            check_label(label)?;
        }
        if labels.len() < 2 {
            return Err(DomainNameError::TooFewLabels);
        }
        let tld = labels.last().copied().unwrap_or_default();
        // A numeric TLD would make "10.0.0.300"-like names look like hosts.
        if !(tld.bytes().all(|b| b.is_ascii_alphabetic()) || tld.starts_with("xn--")) {
            return Err(DomainNameError::InvalidTld);
        }
        Ok(DomainName(name.to_owned()))
    }
}

fn check_label(label: &str) -> Result<(), DomainNameError> {
    if label.is_empty() {
        return Err(DomainNameError::EmptyLabel);
    }
    if label.len() > MAX_LABEL_LEN {
        return Err(DomainNameError::LabelTooLong);
    }
    if !label.bytes().all(is_label_byte) {
        return Err(DomainNameError::InvalidCharacter);
    }
    if label.starts_with('-') || label.ends_with('-') {
        return Err(DomainNameError::MisplacedHyphen);
    }
    Ok(())
}

/// A lowercase DNS label: 1–63 of [a-z0-9-], not starting or ending with '-'.
/// Shared with email validation, which needs the same rule for its domain.
pub(crate) fn is_valid_label(label: &str) -> bool {
    check_label(label).is_ok()
}

fn is_label_byte(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'
}

/// Why a `Host` header was refused. Requests with such hosts get a 400; the
/// messages are Indonesian like every other message of this crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum HostError {
    #[error("Host kosong")]
    Empty,
    #[error("Host tidak boleh berisi nama pengguna (@)")]
    UserInfo,
    #[error("Host berisi karakter yang tidak diizinkan")]
    InvalidCharacter,
    #[error("Nomor port pada host tidak valid")]
    InvalidPort,
    #[error("Alamat IPv6 pada host tidak valid")]
    InvalidIpv6,
    #[error("Host tidak boleh berisi bagian kosong (titik ganda)")]
    EmptyLabel,
    #[error("Bagian host terlalu panjang (maksimal 63 karakter)")]
    LabelTooLong,
    #[error("Host terlalu panjang (maksimal 253 karakter)")]
    TooLong,
}

/// Normalises an HTTP `Host` header value for tenant lookup: lowercase, no
/// port, at most one trailing dot removed. Bracketed IPv6 literals are kept
/// with their brackets (`[::1]:3000` → `[::1]`).
pub fn normalize_host(raw: &str) -> Result<String, HostError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(HostError::Empty);
    }
    if s.contains('@') {
        return Err(HostError::UserInfo);
    }
    if s.chars().any(|c| !c.is_ascii() || c.is_ascii_control() || c.is_whitespace()) {
        return Err(HostError::InvalidCharacter);
    }
    if s.starts_with('[') {
        return normalize_ipv6_literal(s);
    }

    let host = match s.rsplit_once(':') {
        Some((host, port)) => {
            check_port(port)?;
            host
        }
        None => s,
    };
    let host = host.to_ascii_lowercase();
    let host = host.strip_suffix('.').unwrap_or(&host);
    if host.is_empty() {
        return Err(HostError::Empty);
    }
    if host.len() > MAX_HOST_LEN {
        return Err(HostError::TooLong);
    }
    for label in host.split('.') {
        if label.is_empty() {
            return Err(HostError::EmptyLabel);
        }
        if label.len() > MAX_LABEL_LEN {
            return Err(HostError::LabelTooLong);
        }
        if !label.bytes().all(is_label_byte) {
            return Err(HostError::InvalidCharacter);
        }
    }
    Ok(host.to_owned())
}

/// `[addr]` or `[addr]:port`; the address must be a real IPv6 address.
fn normalize_ipv6_literal(s: &str) -> Result<String, HostError> {
    let Some((literal, after)) = s.split_once(']') else {
        return Err(HostError::InvalidIpv6);
    };
    if !after.is_empty() {
        let port = after.strip_prefix(':').ok_or(HostError::InvalidPort)?;
        check_port(port)?;
    }
    let addr = literal.strip_prefix('[').unwrap_or(literal);
    if addr.parse::<std::net::Ipv6Addr>().is_err() {
        return Err(HostError::InvalidIpv6);
    }
    Ok(format!("[{}]", addr.to_ascii_lowercase()))
}

fn check_port(port: &str) -> Result<(), HostError> {
    let valid =
        !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) && port.parse::<u16>().is_ok_and(|p| p != 0);
    if valid { Ok(()) } else { Err(HostError::InvalidPort) }
}

/// The tenant label when `host` is exactly one label below `tenant_domain`:
/// `tenant_subdomain("sinar.garasi.id", "garasi.id") == Some("sinar")`.
/// Deeper names (`a.b.garasi.id`) and the bare domain give `None`.
pub fn tenant_subdomain<'a>(host: &'a str, tenant_domain: &str) -> Option<&'a str> {
    let tenant_domain = tenant_domain.strip_suffix('.').unwrap_or(tenant_domain);
    if tenant_domain.is_empty() {
        return None;
    }
    let split = host.len().checked_sub(tenant_domain.len())?;
    let suffix = host.get(split..)?;
    if !suffix.eq_ignore_ascii_case(tenant_domain) {
        return None;
    }
    let label = host.get(..split)?.strip_suffix('.')?;
    if label.is_empty() || label.contains('.') {
        return None;
    }
    Some(label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_name_accepts() {
        let ok = |raw: &str| DomainName::parse(raw).map(DomainName::into_inner);
        assert_eq!(ok("mobilsinar.co.id"), Ok("mobilsinar.co.id".to_owned()));
        assert_eq!(ok("  MobilSinar.COM. "), Ok("mobilsinar.com".to_owned()));
        assert_eq!(ok("www.sinar-motor.id"), Ok("www.sinar-motor.id".to_owned()));
        assert_eq!(ok("xn--mobil-gra.xn--p1ai"), Ok("xn--mobil-gra.xn--p1ai".to_owned()));
        assert_eq!(ok("123.example.com"), Ok("123.example.com".to_owned()));
        let label = "a".repeat(63);
        assert!(DomainName::parse(&format!("{label}.com")).is_ok());
    }

    #[test]
    fn domain_name_rejections() {
        use DomainNameError::*;
        let err = |raw: &str| DomainName::parse(raw).unwrap_err();
        assert_eq!(err(""), Empty);
        assert_eq!(err("  "), Empty);
        assert_eq!(err("https://mobilsinar.co.id"), IncludesSchemeOrPath);
        assert_eq!(err("mobilsinar.co.id/"), IncludesSchemeOrPath);
        assert_eq!(err("mobilmurah.中国"), NonAscii);
        assert_eq!(err("mobilé.com"), NonAscii);
        assert_eq!(err("192.168.1.1"), IpAddress);
        assert_eq!(err("::1"), IpAddress);
        assert_eq!(err("10.0.0.300"), InvalidTld);
        assert_eq!(err("localhost"), TooFewLabels);
        assert_eq!(err("mobil..com"), EmptyLabel);
        assert_eq!(err(".mobil.com"), EmptyLabel);
        assert_eq!(err("mobil.com.."), EmptyLabel);
        assert_eq!(err(&format!("{}.com", "a".repeat(64))), LabelTooLong);
        assert_eq!(err(&format!("{}.com", vec!["a".repeat(60); 5].join("."))), TooLong);
        assert_eq!(err("mobil_sinar.com"), InvalidCharacter);
        assert_eq!(err("mobil sinar.com"), InvalidCharacter);
        assert_eq!(err("mobilsinar.com:8080"), InvalidCharacter);
        assert_eq!(err("-mobil.com"), MisplacedHyphen);
        assert_eq!(err("mobil-.com"), MisplacedHyphen);
        assert_eq!(err("mobil.c0m"), InvalidTld);
    }

    #[test]
    fn domain_name_serde() {
        let d: DomainName = serde_json::from_str("\"MobilSinar.co.id\"").unwrap();
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"mobilsinar.co.id\"");
        assert!(serde_json::from_str::<DomainName>("\"127.0.0.1\"").is_err());
    }

    #[test]
    fn normalize_host_happy_paths() {
        let ok = |raw: &str| normalize_host(raw).unwrap();
        assert_eq!(ok("Sinar.LOCALHOST:3000"), "sinar.localhost");
        assert_eq!(ok("sinar.localhost."), "sinar.localhost");
        assert_eq!(ok("sinar.localhost.:8080"), "sinar.localhost");
        assert_eq!(ok(" garasi.id "), "garasi.id");
        assert_eq!(ok("localhost"), "localhost");
        assert_eq!(ok("127.0.0.1:80"), "127.0.0.1");
        assert_eq!(ok("[::1]:3000"), "[::1]");
        assert_eq!(ok("[::1]"), "[::1]");
        assert_eq!(ok("[2001:DB8::1]:443"), "[2001:db8::1]");
        assert_eq!(ok("a.b:65535"), "a.b");
    }

    #[test]
    fn normalize_host_rejections() {
        use HostError::*;
        let err = |raw: &str| normalize_host(raw).unwrap_err();
        assert_eq!(err(""), Empty);
        assert_eq!(err("   "), Empty);
        assert_eq!(err("."), Empty);
        assert_eq!(err(":3000"), Empty);
        assert_eq!(err("user@host"), UserInfo);
        assert_eq!(err("user:pw@host:80"), UserInfo);
        assert_eq!(err("a..b"), EmptyLabel);
        assert_eq!(err(".a.b"), EmptyLabel);
        assert_eq!(err("a.b.."), EmptyLabel);
        assert_eq!(err("sinar localhost"), InvalidCharacter);
        assert_eq!(err("sinar\tlocalhost"), InvalidCharacter);
        assert_eq!(err("sinar\r\nx"), InvalidCharacter);
        assert_eq!(err("mobilé.com"), InvalidCharacter);
        assert_eq!(err("a_b.com"), InvalidCharacter);
        assert_eq!(err("a/b"), InvalidCharacter);
        assert_eq!(err("::1"), InvalidCharacter);
        assert_eq!(err("host:"), InvalidPort);
        assert_eq!(err("host:0"), InvalidPort);
        assert_eq!(err("host:65536"), InvalidPort);
        assert_eq!(err("host:+80"), InvalidPort);
        assert_eq!(err("host:http"), InvalidPort);
        assert_eq!(err("host:99999999999999999999"), InvalidPort);
        assert_eq!(err("[::1]x"), InvalidPort);
        assert_eq!(err("[::1]:"), InvalidPort);
        assert_eq!(err("[::1"), InvalidIpv6);
        assert_eq!(err("[nope]"), InvalidIpv6);
        assert_eq!(err("[::1%25eth0]"), InvalidIpv6);
        assert_eq!(err(&format!("{}.com", "a".repeat(64))), LabelTooLong);
        assert_eq!(err(&vec!["a".repeat(60); 5].join(".")), TooLong);
    }

    #[test]
    fn tenant_subdomain_cases() {
        assert_eq!(tenant_subdomain("sinar.garasi.id", "garasi.id"), Some("sinar"));
        assert_eq!(tenant_subdomain("sinar.localhost", "localhost"), Some("sinar"));
        assert_eq!(tenant_subdomain("sinar.garasi.id", "garasi.id."), Some("sinar"));
        assert_eq!(tenant_subdomain("sinar.GARASI.id", "garasi.id"), Some("sinar"));
        assert_eq!(tenant_subdomain("garasi.id", "garasi.id"), None);
        assert_eq!(tenant_subdomain(".garasi.id", "garasi.id"), None);
        assert_eq!(tenant_subdomain("a.b.garasi.id", "garasi.id"), None);
        assert_eq!(tenant_subdomain("sinargarasi.id", "garasi.id"), None);
        assert_eq!(tenant_subdomain("sinar.other.id", "garasi.id"), None);
        assert_eq!(tenant_subdomain("id", "garasi.id"), None);
        assert_eq!(tenant_subdomain("sinar.garasi.id", ""), None);
        assert_eq!(tenant_subdomain("é.garasi.id", "garasi.id"), Some("é"));
        assert_eq!(tenant_subdomain("xé", "é"), None);
    }

    #[test]
    fn shared_label_rule() {
        assert!(is_valid_label("abc-1"));
        assert!(!is_valid_label(""));
        assert!(!is_valid_label("-a"));
        assert!(!is_valid_label("A"));
    }
}
