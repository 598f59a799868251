//! The vehicle identification number (VIN, "nomor rangka") of ISO 3779: 17 letters and
//! digits, never I, O or Q (they read like 1 and 0).

use thiserror::Error;

/// Why a VIN was refused; the messages are shown to showroom staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum VinError {
    #[error("Nomor rangka (VIN) harus 17 karakter.")]
    Length,
    #[error("Nomor rangka (VIN) hanya boleh berisi huruf dan angka.")]
    Characters,
    #[error("Nomor rangka (VIN) tidak memakai huruf I, O atau Q (mungkin maksudnya 1 atau 0).")]
    ForbiddenLetter,
}

/// A VIN, upper case, without the spaces and dashes people type between its groups.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Vin(String);

crate::newtype::validated_string!(Vin, VinError);

impl Vin {
    pub fn parse(raw: &str) -> Result<Vin, VinError> {
        let cleaned: String = raw.trim().chars().filter(|c| *c != ' ' && *c != '-').collect();
        if !cleaned.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(VinError::Characters);
        }
        if cleaned.chars().count() != 17 {
            return Err(VinError::Length);
        }
        let upper = cleaned.to_ascii_uppercase();
        if upper.contains(['I', 'O', 'Q']) {
            return Err(VinError::ForbiddenLetter);
        }
        Ok(Vin(upper))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vin_is_normalised() {
        assert_eq!(Vin::parse(" mhfm1ba3j7k012345 ").unwrap().as_str(), "MHFM1BA3J7K012345");
        assert_eq!(Vin::parse("MHF-M1BA3J-7K012345").unwrap().as_str(), "MHFM1BA3J7K012345");
    }

    #[test]
    fn bad_vins_are_refused_with_the_reason() {
        assert_eq!(Vin::parse("MHFM1BA3J7K01234"), Err(VinError::Length));
        assert_eq!(Vin::parse("MHFM1BA3J7K0123456"), Err(VinError::Length));
        assert_eq!(Vin::parse("MHFM1BA3J7K01234O"), Err(VinError::ForbiddenLetter));
        assert_eq!(Vin::parse("IHFM1BA3J7K012345"), Err(VinError::ForbiddenLetter));
        assert_eq!(Vin::parse("qhfm1ba3j7k012345"), Err(VinError::ForbiddenLetter));
        assert_eq!(Vin::parse("MHFM1BA3J7K01234É"), Err(VinError::Characters));
        assert_eq!(Vin::parse("MHFM1BA3J7K0123_5"), Err(VinError::Characters));
    }
}
