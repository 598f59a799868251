use super::{BodyType, CarStatus, Fuel, PlateParity, Transmission};

/// Which cars to list. Empty means no constraint.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CarFilter {
    pub brand: Option<String>,
    /// Any of these models ("HR-V atau CR-V"), matched ignoring case, spaces and hyphens.
    pub models: Vec<String>,
    pub price_min: Option<i64>,
    pub price_max: Option<i64>,
    pub year_min: Option<i64>,
    pub year_max: Option<i64>,
    pub mileage_max: Option<i64>,
    pub transmission: Option<Transmission>,
    pub fuel: Option<Fuel>,
    pub body_type: Option<BodyType>,
    pub plate_parity: Option<PlateParity>,
    /// Any of these statuses; empty means every status.
    pub statuses: Vec<CarStatus>,
    pub featured: Option<bool>,
    /// Free text over brand, model and variant.
    pub text: Option<String>,
    pub stock_no: Option<i64>,
    /// At least this many seats; a car with no seat count counts when it is an MPV (the usual 7-seater).
    pub seats_min: Option<i64>,
    /// Engine capacity below or at this many cc (the bot's "yang lebih irit").
    pub engine_cc_max: Option<i64>,
    /// Exclusions ("selain Toyota", "jangan yang manual", "asal jangan hitam"), matched like their positive filters;
    /// colours are words matched inside the car's colour ("hitam" excludes "Hitam Metalik").
    pub exclude_brands: Vec<String>,
    pub exclude_models: Vec<String>,
    pub exclude_transmissions: Vec<Transmission>,
    pub exclude_fuels: Vec<Fuel>,
    pub exclude_body_types: Vec<BodyType>,
    pub exclude_colors: Vec<String>,
}

impl CarFilter {
    /// What buyers may browse: cars on offer.
    pub fn for_sale() -> CarFilter {
        CarFilter { statuses: vec![CarStatus::Available, CarStatus::Booked], ..CarFilter::default() }
    }
}

/// Normalises a model name for matching: "HR-V", "hrv" and "HR V" are one model.
pub fn model_key(model: &str) -> String {
    model.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CarSort {
    #[default]
    Newest,
    PriceAsc,
    PriceDesc,
    YearDesc,
    YearAsc,
    MileageAsc,
}

impl CarSort {
    pub const ALL: &'static [CarSort] = &[
        CarSort::Newest,
        CarSort::PriceAsc,
        CarSort::PriceDesc,
        CarSort::YearDesc,
        CarSort::YearAsc,
        CarSort::MileageAsc,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CarSort::Newest => "newest",
            CarSort::PriceAsc => "price_asc",
            CarSort::PriceDesc => "price_desc",
            CarSort::YearDesc => "year_desc",
            CarSort::YearAsc => "year_asc",
            CarSort::MileageAsc => "mileage_asc",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CarSort::Newest => "Terbaru",
            CarSort::PriceAsc => "Harga terendah",
            CarSort::PriceDesc => "Harga tertinggi",
            CarSort::YearDesc => "Tahun terbaru",
            CarSort::YearAsc => "Tahun terlama",
            CarSort::MileageAsc => "Kilometer terendah",
        }
    }

    pub fn parse(s: &str) -> Option<CarSort> {
        CarSort::ALL.iter().copied().find(|v| v.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_keys_ignore_punctuation_and_case() {
        assert_eq!(model_key("HR-V"), "hrv");
        assert_eq!(model_key("hr v"), "hrv");
        assert_eq!(model_key("Pajero Sport"), "pajerosport");
    }

    #[test]
    fn sorts_round_trip() {
        for s in CarSort::ALL {
            assert_eq!(CarSort::parse(s.as_str()), Some(*s));
        }
        assert_eq!(CarSort::parse("x"), None);
    }
}
