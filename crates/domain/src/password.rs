//! Password policy for showroom and platform accounts.
//!
//! Follows current guidance (NIST SP 800-63B): length matters, composition
//! rules do not, and known-common passwords are refused. The list is small on
//! purpose; it targets what people actually type first, including the usual
//! Indonesian choices.

use thiserror::Error;

const MIN_CHARS: usize = 10;
const MAX_CHARS: usize = 128;
/// "bismillah123", "indonesia1945!", "password2024" are as weak as the word
/// itself; a long random tail is not, hence the limit.
const MAX_WEAK_SUFFIX: usize = 6;

/// Lowercase. Entries shorter than 10 characters still matter: they are also
/// matched with a short digit/punctuation tail stripped (see `is_common`).
const COMMON_PASSWORDS: &[&str] = &[
    "password",
    "password1",
    "password123",
    "passw0rd",
    "p@ssw0rd",
    "123456",
    "12345678",
    "123456789",
    "1234567890",
    "0123456789",
    "0987654321",
    "1234512345",
    "123123123",
    "qwerty",
    "qwerty123",
    "qwertyuiop",
    "qwerty12345",
    "1q2w3e4r",
    "1q2w3e4r5t",
    "1qaz2wsx",
    "1qaz2wsx3edc",
    "asdfghjkl",
    "zxcvbnm",
    "abc123",
    "abcd1234",
    "abcdefghij",
    "iloveyou",
    "admin",
    "admin123",
    "admin12345",
    "administrator",
    "letmein",
    "welcome",
    "welcome123",
    "football",
    "monkey",
    "dragon",
    "sunshine",
    "princess",
    "superman",
    "trustno1",
    "changeme",
    "secret",
    "rahasia",
    "rahasia123",
    "bismillah",
    "bismillah123",
    "alhamdulillah",
    "indonesia",
    "indonesia123",
    "merdeka",
    "jakarta",
    "sayang",
    "sayangku",
    "cintaku",
    "akucintakamu",
    "katasandi",
    "sandi123",
    "garasi",
    "garasi123",
    "showroom",
    "mobil123",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum PasswordError {
    #[error("Kata sandi minimal 10 karakter")]
    TooShort,
    #[error("Kata sandi maksimal 128 karakter")]
    TooLong,
    #[error("Kata sandi tidak boleh hanya berisi satu karakter yang diulang")]
    RepeatedCharacter,
    #[error("Kata sandi ini terlalu umum dan mudah ditebak, silakan pilih yang lain")]
    TooCommon,
}

/// Checks a new password. Length is counted in characters, not bytes, so
/// Indonesian and emoji-rich passphrases are measured as the user sees them.
/// The password is not trimmed: spaces are legitimate characters.
pub fn check_password_policy(pw: &str) -> Result<(), PasswordError> {
    let chars = pw.chars().count();
    if chars < MIN_CHARS {
        return Err(PasswordError::TooShort);
    }
    if chars > MAX_CHARS {
        return Err(PasswordError::TooLong);
    }
    let mut all = pw.chars();
    if let Some(first) = all.next()
        && all.all(|c| c == first)
    {
        return Err(PasswordError::RepeatedCharacter);
    }
    if is_common(pw) {
        return Err(PasswordError::TooCommon);
    }
    Ok(())
}

/// Case-insensitive match against the list, either exactly or after removing a
/// short tail of digits and punctuation ("Bismillah1!" → "bismillah").
fn is_common(pw: &str) -> bool {
    let lower = pw.to_lowercase();
    if COMMON_PASSWORDS.contains(&lower.as_str()) {
        return true;
    }
    let core = lower.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    let tail_len = lower.len() - core.len();
    tail_len <= MAX_WEAK_SUFFIX && COMMON_PASSWORDS.contains(&core)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_reasonable_passwords() {
        assert_eq!(check_password_policy("kuda-lari-cepat"), Ok(()));
        assert_eq!(check_password_policy("Avanza 2019 hitam"), Ok(()));
        assert_eq!(check_password_policy("aaaaaaaaab"), Ok(()));
        assert_eq!(check_password_policy(&"x1".repeat(64)), Ok(()));
        // A long random tail makes a common word strong enough.
        assert_eq!(check_password_policy("password83920174"), Ok(()));
    }

    #[test]
    fn length_is_counted_in_characters() {
        // 9 characters but 18 bytes: too short.
        assert_eq!(check_password_policy("ééééééééb"), Err(PasswordError::TooShort));
        // 10 characters.
        assert_eq!(check_password_policy("ééééééééba"), Ok(()));
        // 128 characters of 2 bytes each is fine; 129 is not.
        let max = format!("{}b", "é".repeat(127));
        assert_eq!(check_password_policy(&max), Ok(()));
        let over = format!("{}b", "é".repeat(128));
        assert_eq!(check_password_policy(&over), Err(PasswordError::TooLong));
    }

    #[test]
    fn rejections() {
        assert_eq!(check_password_policy(""), Err(PasswordError::TooShort));
        assert_eq!(check_password_policy("short"), Err(PasswordError::TooShort));
        assert_eq!(check_password_policy("123456789"), Err(PasswordError::TooShort));
        assert_eq!(check_password_policy("aaaaaaaaaa"), Err(PasswordError::RepeatedCharacter));
        assert_eq!(check_password_policy("          "), Err(PasswordError::RepeatedCharacter));
        assert_eq!(check_password_policy("1111111111"), Err(PasswordError::RepeatedCharacter));
    }

    #[test]
    fn common_passwords_any_case() {
        for pw in [
            "1234567890",
            "password123",
            "PASSWORD123",
            "Rahasia123",
            "rahasia2024",
            "Bismillah1!",
            "bismillah123",
            "Indonesia1945",
            "indonesia!!",
            "QwertyUiop",
            "qwerty12345",
            "Password2024!",
            "admin12345",
            "Garasi2025",
        ] {
            assert_eq!(check_password_policy(pw), Err(PasswordError::TooCommon), "{pw}");
        }
    }

    #[test]
    fn list_is_lowercase() {
        for pw in COMMON_PASSWORDS {
            assert_eq!(*pw, pw.to_lowercase());
        }
    }

    #[test]
    fn messages_are_indonesian() {
        assert_eq!(PasswordError::TooShort.to_string(), "Kata sandi minimal 10 karakter");
    }
}
