//! Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP): HMAC-SHA1, 30 s steps,
//! 6 digits, which is what authenticator apps expect from an `otpauth://` URI without
//! parameters. Pure functions; the use cases in `root_2fa` keep the secret and the last
//! used step.

use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, KeyInit, Mac};
use rand::RngCore;
use sha1::Sha1;

/// Seconds per step.
pub const STEP_SECS: i64 = 30;
/// Steps accepted either side of the current one, for clocks a little off.
const SKEW_STEPS: i64 = 1;
/// RFC 4226 recommends at least 128 bits; 160 is the HMAC-SHA1 block-friendly size apps use.
const SECRET_BYTES: usize = 20;

/// A fresh random secret.
pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; SECRET_BYTES];
    rand::rng().fill_bytes(&mut secret);
    secret
}

/// The secret as people type it into an app: base32 without padding, in groups of four.
pub fn secret_text(secret: &[u8]) -> String {
    let plain = BASE32_NOPAD.encode(secret);
    plain.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
}

/// The secret back from [`secret_text`] (spaces and case ignored), as an app reads it.
pub fn parse_secret_text(text: &str) -> Option<Vec<u8>> {
    let plain: String = text.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect();
    BASE32_NOPAD.decode(plain.as_bytes()).ok()
}

/// The `otpauth://totp/...` URI an authenticator app scans.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let label = format!("{}:{}", encode(issuer), encode(account));
    format!("otpauth://totp/{label}?secret={}&issuer={}", BASE32_NOPAD.encode(secret), encode(issuer))
}

fn encode(s: &str) -> String {
    // Percent-encodes everything but unreserved characters (RFC 3986).
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The time step at `unix_secs`.
pub fn step_at(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(STEP_SECS)
}

/// The 6-digit code of `step` (RFC 4226 dynamic truncation).
pub fn code_at_step(secret: &[u8], step: i64) -> String {
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let bin = u32::from_be_bytes([digest[offset] & 0x7f, digest[offset + 1], digest[offset + 2], digest[offset + 3]]);
    format!("{:06}", bin % 1_000_000)
}

/// The step whose code is `code`, looking one step either side of `unix_secs`; `None`
/// for a wrong code. The caller refuses a step it has already accepted.
pub fn matching_step(secret: &[u8], code: &str, unix_secs: i64) -> Option<i64> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_at(unix_secs);
    // Every candidate is computed and compared, so the time taken says nothing about which matched.
    let mut found = None;
    for step in (now - SKEW_STEPS)..=(now + SKEW_STEPS) {
        if constant_time_eq(code_at_step(secret, step).as_bytes(), code.as_bytes()) {
            found = Some(step);
        }
    }
    found
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6238 appendix B, SHA-1 secret "12345678901234567890"; the RFC prints 8 digits,
    // whose last 6 are the 6-digit code.
    #[test]
    fn rfc6238_vectors() {
        let secret = b"12345678901234567890";
        for (t, code8) in [
            (59, "94287082"),
            (1111111109, "07081804"),
            (1111111111, "14050471"),
            (1234567890, "89005924"),
            (2000000000, "69279037"),
            (20000000000, "65353130"),
        ] {
            assert_eq!(code_at_step(secret, step_at(t)), code8[2..], "t = {t}");
        }
    }

    #[test]
    fn accepts_one_step_of_skew_and_nothing_else() {
        let secret = new_secret();
        let now = 1_700_000_000;
        let code = code_at_step(&secret, step_at(now) - 1);
        assert_eq!(matching_step(&secret, &code, now), Some(step_at(now) - 1));
        let old = code_at_step(&secret, step_at(now) - 3);
        assert_eq!(matching_step(&secret, &old, now), None);
        assert_eq!(matching_step(&secret, "12345", now), None);
        assert_eq!(matching_step(&secret, "abcdef", now), None);
    }

    #[test]
    fn uri_and_text() {
        let uri = otpauth_uri("Garasi", "root@garasi.test", b"12345678901234567890");
        assert_eq!(uri, "otpauth://totp/Garasi:root@garasi.test?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Garasi");
        assert_eq!(secret_text(b"12345678901234567890"), "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ");
        assert_eq!(parse_secret_text("gezd gnbv GY3T QOJQ GEZDGNBVGY3TQOJQ").unwrap(), b"12345678901234567890");
    }
}
