use std::fmt;

use super::PlateParity;

/// An Indonesian number plate such as `B 1234 XYZ`: a region code of one or two
/// letters, one to four digits, and up to three letters. The full plate stays
/// private; the region and the odd/even parity are what buyers may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlateNumber {
    region: String,
    number: u16,
    suffix: String,
}

impl PlateNumber {
    pub fn parse(raw: &str) -> Result<PlateNumber, String> {
        let compact: String =
            raw.chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>().to_uppercase();
        let invalid = || "Nomor polisi tidak valid. Contoh: B 1234 XYZ".to_owned();
        let region: String = compact.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
        let rest = &compact[region.len()..];
        let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        let suffix = &rest[digits.len()..];
        if !(1..=2).contains(&region.len())
            || !(1..=4).contains(&digits.len())
            || suffix.len() > 3
            || !suffix.chars().all(|c| c.is_ascii_alphabetic())
        {
            return Err(invalid());
        }
        let number: u16 = digits.parse().map_err(|_| invalid())?;
        if number == 0 {
            return Err(invalid());
        }
        Ok(PlateNumber { region, number, suffix: suffix.to_owned() })
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    pub fn parity(&self) -> PlateParity {
        if self.number.is_multiple_of(2) { PlateParity::Genap } else { PlateParity::Ganjil }
    }
}

impl fmt::Display for PlateNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.suffix.is_empty() {
            write!(f, "{} {}", self.region, self.number)
        } else {
            write!(f, "{} {} {}", self.region, self.number, self.suffix)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_derives_region_and_parity() {
        let p = PlateNumber::parse("b 1234 xyz").unwrap();
        assert_eq!(p.to_string(), "B 1234 XYZ");
        assert_eq!(p.region(), "B");
        assert_eq!(p.parity(), PlateParity::Genap);
        let p = PlateNumber::parse("AB-567-CD").unwrap();
        assert_eq!((p.region(), p.parity()), ("AB", PlateParity::Ganjil));
        assert_eq!(PlateNumber::parse("D 1").unwrap().to_string(), "D 1");
    }

    #[test]
    fn rejects_what_is_not_a_plate() {
        for bad in ["", "1234", "ABC 1234 X", "B 12345 X", "B 12 ABCD", "B 0 X", "B 12 X1"] {
            assert!(PlateNumber::parse(bad).is_err(), "{bad}");
        }
    }
}
