//! Slugs: tenant subdomains (`sinar.garasi.id`) and car URL parts.
//!
//! Tenant slugs become DNS labels and URL paths, so `Slug::parse` is strict and
//! explains every rejection. Car slugs are derived from titles with
//! `Slug::slugify`, which never fails.

use thiserror::Error;

const MIN_LEN: usize = 3;
const MAX_LEN: usize = 40;
const SLUGIFY_MAX_LEN: usize = 80;

/// Names the platform itself uses (or may use) as subdomains or top-level paths.
pub const RESERVED_SLUGS: &[&str] =
    &["admin", "api", "www", "mail", "static", "assets", "root", "app", "garasi", "login", "webhooks", "status"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum SlugError {
    #[error("Slug wajib diisi")]
    Empty,
    #[error("Slug hanya boleh berisi huruf kecil, angka dan tanda hubung")]
    InvalidCharacter,
    #[error("Slug minimal 3 karakter")]
    TooShort,
    #[error("Slug maksimal 40 karakter")]
    TooLong,
    #[error("Slug harus diawali huruf")]
    MustStartWithLetter,
    #[error("Slug tidak boleh diakhiri tanda hubung atau berisi dua tanda hubung berturut-turut")]
    MisplacedHyphen,
    #[error("Slug ini dipakai oleh sistem, silakan pilih yang lain")]
    Reserved,
}

/// A validated tenant slug, e.g. `sinar-motor`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slug(String);

crate::newtype::validated_string!(Slug, SlugError);

impl Slug {
    /// Validates a slug chosen by a person. Surrounding whitespace is ignored;
    /// uppercase is rejected rather than silently changed, so the owner sees
    /// exactly the address they will get.
    pub fn parse(raw: &str) -> Result<Slug, SlugError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(SlugError::Empty);
        }
        if !s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            return Err(SlugError::InvalidCharacter);
        }
        // Only ASCII remains, so bytes are characters.
        if s.len() < MIN_LEN {
            return Err(SlugError::TooShort);
        }
        if s.len() > MAX_LEN {
            return Err(SlugError::TooLong);
        }
        if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
            return Err(SlugError::MustStartWithLetter);
        }
        if s.ends_with('-') || s.contains("--") {
            return Err(SlugError::MisplacedHyphen);
        }
        if RESERVED_SLUGS.contains(&s) {
            return Err(SlugError::Reserved);
        }
        Ok(Slug(s.to_owned()))
    }

    /// Turns free text (a car title) into a URL-safe slug:
    /// "Toyota Avanza 1.5 G (2019)" → "toyota-avanza-1-5-g-2019".
    ///
    /// Common Latin accents are folded to ASCII, other characters act as
    /// separators. At most 80 characters. May return an empty string when the
    /// input has no letters or digits; callers should fall back to an id.
    pub fn slugify(text: &str) -> String {
        let mut out = String::with_capacity(text.len().min(SLUGIFY_MAX_LEN));
        // Start as if a separator was just written, so no leading hyphen appears.
        let mut after_separator = true;
        for c in text.chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                out.push(c);
            } else if let Some(folded) = fold_accent(c) {
                out.push_str(folded);
            } else {
                if !after_separator {
                    out.push('-');
                    after_separator = true;
                }
                continue;
            }
            after_separator = false;
            if out.len() >= SLUGIFY_MAX_LEN {
                break;
            }
        }
        // Output is ASCII, so truncating by bytes is safe.
        out.truncate(SLUGIFY_MAX_LEN);
        out.trim_end_matches('-').to_owned()
    }
}

/// ASCII spelling of a lowercase accented Latin letter.
/// Crude on purpose: it covers the letters that appear in car names and
/// Indonesian text; anything else is treated as a separator by the caller.
fn fold_accent(c: char) -> Option<&'static str> {
    let folded = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ł' | 'ľ' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ř' => "r",
        'ß' => "ss",
        'ś' | 'š' | 'ş' => "s",
        'ť' | 'ţ' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    };
    Some(folded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_slugs() {
        for s in ["sinar", "sinar-motor", "abc", "a1b", "mobil88", "a-b-c", &"a".repeat(40)] {
            assert_eq!(Slug::parse(s).map(|x| x.into_inner()), Ok(s.to_owned()), "{s}");
        }
        assert_eq!(Slug::parse("  sinar-motor ").unwrap().as_str(), "sinar-motor");
    }

    #[test]
    fn rejections() {
        assert_eq!(Slug::parse(""), Err(SlugError::Empty));
        assert_eq!(Slug::parse("   "), Err(SlugError::Empty));
        assert_eq!(Slug::parse("Sinar"), Err(SlugError::InvalidCharacter));
        assert_eq!(Slug::parse("sinar motor"), Err(SlugError::InvalidCharacter));
        assert_eq!(Slug::parse("sinar_motor"), Err(SlugError::InvalidCharacter));
        assert_eq!(Slug::parse("sinar.motor"), Err(SlugError::InvalidCharacter));
        assert_eq!(Slug::parse("mobilé"), Err(SlugError::InvalidCharacter));
        assert_eq!(Slug::parse("ab"), Err(SlugError::TooShort));
        assert_eq!(Slug::parse(&"a".repeat(41)), Err(SlugError::TooLong));
        assert_eq!(Slug::parse("1abc"), Err(SlugError::MustStartWithLetter));
        assert_eq!(Slug::parse("-abc"), Err(SlugError::MustStartWithLetter));
        assert_eq!(Slug::parse("abc-"), Err(SlugError::MisplacedHyphen));
        assert_eq!(Slug::parse("ab--c"), Err(SlugError::MisplacedHyphen));
        for reserved in RESERVED_SLUGS {
            if reserved.len() >= MIN_LEN {
                assert_eq!(Slug::parse(reserved), Err(SlugError::Reserved), "{reserved}");
            }
        }
    }

    #[test]
    fn messages_are_indonesian() {
        assert_eq!(
            SlugError::InvalidCharacter.to_string(),
            "Slug hanya boleh berisi huruf kecil, angka dan tanda hubung"
        );
    }

    #[test]
    fn serde_validates() {
        let s: Slug = serde_json::from_str("\"sinar-motor\"").unwrap();
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"sinar-motor\"");
        assert!(serde_json::from_str::<Slug>("\"admin\"").is_err());
    }

    #[test]
    fn slugify_car_titles() {
        assert_eq!(Slug::slugify("Toyota Avanza 1.5 G (2019)"), "toyota-avanza-1-5-g-2019");
        assert_eq!(Slug::slugify("  Honda   HR-V -- Prestige  "), "honda-hr-v-prestige");
        assert_eq!(Slug::slugify("Citroën Ë-C4 Crème Brûlée"), "citroen-e-c4-creme-brulee");
        assert_eq!(Slug::slugify("Straße Œuvre Æon"), "strasse-oeuvre-aeon");
        assert_eq!(Slug::slugify("Mobil 日本 Bagus"), "mobil-bagus");
        assert_eq!(Slug::slugify("BMW_X5"), "bmw-x5");
    }

    #[test]
    fn slugify_degenerate_input() {
        assert_eq!(Slug::slugify(""), "");
        assert_eq!(Slug::slugify("!!! ??? ---"), "");
        assert_eq!(Slug::slugify("日本語"), "");
        assert_eq!(Slug::slugify("-a-"), "a");
    }

    #[test]
    fn slugify_caps_length_without_trailing_hyphen() {
        let long = "a".repeat(200);
        assert_eq!(Slug::slugify(&long).len(), 80);
        // The 80th character would be a hyphen; it must be trimmed.
        let title = format!("{} b", "a".repeat(79));
        let slug = Slug::slugify(&title);
        assert_eq!(slug, "a".repeat(79));
        // A multi-letter fold crossing the limit is cut cleanly.
        let title = format!("{}ß", "a".repeat(79));
        assert_eq!(Slug::slugify(&title).len(), 80);
    }
}
