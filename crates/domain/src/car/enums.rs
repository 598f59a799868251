use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Declares a closed vocabulary stored and serialised as fixed strings, with
/// lenient parsing of the words people actually type.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $( $variant:ident = $wire:literal, $label:literal, [$($alias:literal),*] ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $( #[serde(rename = $wire)] $variant ),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored and serialised spelling.
            pub fn as_str(self) -> &'static str {
                match self { $( $name::$variant => $wire ),+ }
            }

            /// The Indonesian label shown to people.
            pub fn label(self) -> &'static str {
                match self { $( $name::$variant => $label ),+ }
            }

            /// The message for a value that is not in the vocabulary.
            pub fn invalid_message() -> String {
                let options: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                format!("{} harus salah satu dari: {}.", $what, options.join(", "))
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                let key = s.trim().to_lowercase().replace([' ', '-'], "_");
                $(
                    if key == $wire.to_lowercase() $(|| key == $alias)* {
                        return Ok($name::$variant);
                    }
                )+
                Err(Self::invalid_message())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// CVT, DCT and the like are automatics to a buyer: they map to `AT`.
    Transmission, "Transmisi" {
        At = "AT", "Otomatis", ["matic", "matik", "otomatis", "automatic", "auto", "a/t", "cvt", "e_cvt", "dct", "ecvt"],
        Mt = "MT", "Manual", ["manual", "m/t"],
    }
}

vocabulary! {
    Fuel, "Bahan bakar" {
        Bensin = "bensin", "Bensin", ["petrol", "gasoline", "pertalite", "pertamax"],
        Diesel = "diesel", "Diesel", ["solar", "disel"],
        Hybrid = "hybrid", "Hybrid", ["hibrid", "hev", "phev"],
        Listrik = "listrik", "Listrik", ["ev", "bev", "electric"],
    }
}

vocabulary! {
    BodyType, "Tipe bodi" {
        Mpv = "MPV", "MPV", [],
        Suv = "SUV", "SUV", [],
        Lcgc = "LCGC", "LCGC", [],
        Sedan = "sedan", "Sedan", [],
        Hatchback = "hatchback", "Hatchback", [],
        Pickup = "pickup", "Pick-up", ["pick_up", "pikap"],
        DoubleCabin = "double_cabin", "Double cabin", ["dobel_kabin", "dcab", "d_cab", "doublecabin"],
    }
}

vocabulary! {
    /// Where a car is in its life: only available, booked and sold cars are public.
    CarStatus, "Status" {
        Draft = "draft", "Draf", [],
        Available = "available", "Tersedia", ["tersedia"],
        Booked = "booked", "Dipesan", ["dipesan", "booking"],
        Sold = "sold", "Terjual", ["terjual", "laku"],
        Hidden = "hidden", "Disembunyikan", ["disembunyikan"],
    }
}

vocabulary! {
    Condition, "Kondisi" {
        New = "new", "Baru", ["baru"],
        Used = "used", "Bekas", ["bekas"],
    }
}

vocabulary! {
    /// Jakarta's odd-even rule cares about the last digit of the plate number.
    PlateParity, "Ganjil/genap" {
        Ganjil = "ganjil", "Ganjil", ["odd"],
        Genap = "genap", "Genap", ["even"],
    }
}

impl CarStatus {
    /// Shown on the public site, in the sitemap and to customers on WhatsApp.
    pub fn is_public(self) -> bool {
        matches!(self, CarStatus::Available | CarStatus::Booked | CarStatus::Sold)
    }

    /// Offered in the catalogue and in bot searches: a sold car has a page but is no offer.
    pub fn is_for_sale(self) -> bool {
        matches!(self, CarStatus::Available | CarStatus::Booked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_parsing_maps_to_the_canonical_word() {
        assert_eq!("matic".parse::<Transmission>().unwrap(), Transmission::At);
        assert_eq!("CVT".parse::<Transmission>().unwrap(), Transmission::At);
        assert_eq!("M/T".parse::<Transmission>().unwrap(), Transmission::Mt);
        assert_eq!("Double Cabin".parse::<BodyType>().unwrap(), BodyType::DoubleCabin);
        assert_eq!("mpv".parse::<BodyType>().unwrap(), BodyType::Mpv);
        assert_eq!("solar".parse::<Fuel>().unwrap(), Fuel::Diesel);
        assert_eq!("terjual".parse::<CarStatus>().unwrap(), CarStatus::Sold);
        assert_eq!(BodyType::DoubleCabin.as_str(), "double_cabin");
        assert_eq!(serde_json::to_string(&Transmission::At).unwrap(), "\"AT\"");
    }

    #[test]
    fn unknown_words_get_an_indonesian_message() {
        let err = "kotak".parse::<Fuel>().unwrap_err();
        assert_eq!(err, "Bahan bakar harus salah satu dari: bensin, diesel, hybrid, listrik.");
    }

    #[test]
    fn public_statuses() {
        assert!(CarStatus::Sold.is_public() && !CarStatus::Sold.is_for_sale());
        assert!(!CarStatus::Draft.is_public() && !CarStatus::Hidden.is_public());
    }
}
