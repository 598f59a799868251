//! Car list filters from query parameters, shared by the JSON API and the public
//! catalogue, so a filtered URL means the same thing everywhere.

use garasi_domain::FieldErrors;
use garasi_domain::car::{BodyType, CarFilter, CarSort, CarStatus, Fuel, PlateParity, Transmission};
use garasi_domain::money::Rupiah;

/// Parsed list parameters.
#[derive(Debug, Clone, Default)]
pub struct CarListParams {
    pub filter: CarFilter,
    pub sort: CarSort,
    pub page: i64,
    pub per_page: i64,
}

/// Which parameters an audience may use: buyers never filter by status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Staff,
    Public,
}

fn int(errors: &mut FieldErrors, key: &str, v: &str) -> Option<i64> {
    let digits: String = v.trim().chars().filter(|c| *c != '.').collect();
    match digits.parse::<i64>() {
        Ok(n) if n >= 0 => Some(n),
        _ => {
            errors.add(key, "Harus berupa angka.");
            None
        }
    }
}

fn price(errors: &mut FieldErrors, key: &str, v: &str) -> Option<i64> {
    match Rupiah::parse(v) {
        Ok(r) => Some(r.value()),
        Err(e) => {
            errors.add(key, e.to_string());
            None
        }
    }
}

fn word<T: std::str::FromStr<Err = String>>(errors: &mut FieldErrors, key: &str, v: &str) -> Option<T> {
    match v.parse::<T>() {
        Ok(t) => Some(t),
        Err(msg) => {
            errors.add(key, msg);
            None
        }
    }
}

/// List filters take a few values, never thousands: each value is a bound parameter of
/// the query, and a database refuses a statement past its parameter limit (a 500 for a
/// crafted URL). Repeats are dropped, so `model=a,a,a,…` is one value.
const MAX_LIST_VALUES: usize = 10;
const MAX_VALUE_CHARS: usize = 64;

/// `model=Avanza,Veloz` (the parameter may also repeat): distinct models, case-insensitively.
fn add_models(errors: &mut FieldErrors, models: &mut Vec<String>, raw: &str) {
    for m in raw.split(',').map(str::trim).filter(|m| !m.is_empty()) {
        if m.chars().count() > MAX_VALUE_CHARS {
            errors.add("model", format!("Nama model maksimal {MAX_VALUE_CHARS} karakter."));
            return;
        }
        if models.iter().any(|known| known.eq_ignore_ascii_case(m)) {
            continue;
        }
        if models.len() == MAX_LIST_VALUES {
            errors.add("model", format!("Paling banyak {MAX_LIST_VALUES} model sekaligus."));
            return;
        }
        models.push(m.to_owned());
    }
}

pub fn parse_car_params(pairs: &[(String, String)], audience: Audience) -> Result<CarListParams, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut p = CarListParams { page: 1, per_page: 20, ..CarListParams::default() };
    if audience == Audience::Public {
        p.filter = CarFilter::for_sale();
    }
    for (key, value) in pairs {
        let v = value.trim();
        if v.is_empty() {
            continue;
        }
        let f = &mut p.filter;
        match key.as_str() {
            "brand" => f.brand = Some(v.to_owned()),
            "model" => add_models(&mut errors, &mut f.models, v),
            "price_min" => f.price_min = price(&mut errors, key, v),
            "price_max" => f.price_max = price(&mut errors, key, v),
            "year_min" => f.year_min = int(&mut errors, key, v),
            "year_max" => f.year_max = int(&mut errors, key, v),
            "mileage_max" => f.mileage_max = int(&mut errors, key, v),
            "transmission" => f.transmission = word::<Transmission>(&mut errors, key, v),
            "fuel" => f.fuel = word::<Fuel>(&mut errors, key, v),
            "body_type" => f.body_type = word::<BodyType>(&mut errors, key, v),
            "plate_parity" => f.plate_parity = word::<PlateParity>(&mut errors, key, v),
            "q" => f.text = Some(v.chars().take(100).collect()),
            "stock_no" => f.stock_no = int(&mut errors, key, v),
            "featured" => f.featured = Some(matches!(v, "1" | "true" | "ya")),
            "status" if audience == Audience::Staff => {
                for s in v.split(',') {
                    match word::<CarStatus>(&mut errors, key, s) {
                        Some(status) if !f.statuses.contains(&status) => f.statuses.push(status),
                        Some(_) => {}
                        // One message is enough; don't read thousands of bad values.
                        None => break,
                    }
                }
            }
            "sort" => match CarSort::parse(v) {
                Some(s) => p.sort = s,
                None => {
                    let options: Vec<&str> = CarSort::ALL.iter().map(|s| s.as_str()).collect();
                    errors.add(key, format!("Urutan harus salah satu dari: {}.", options.join(", ")));
                }
            },
            "page" => p.page = int(&mut errors, key, v).unwrap_or(1).clamp(1, 100_000),
            "per_page" => p.per_page = int(&mut errors, key, v).unwrap_or(20).clamp(1, 100),
            // Unknown parameters (tracking tags, cache busters) are ignored, as on any web page.
            _ => {}
        }
    }
    if let (Some(a), Some(b)) = (p.filter.price_min, p.filter.price_max)
        && a > b
    {
        errors.add("price_max", "Harga maksimal harus lebih besar dari harga minimal.");
    }
    if let (Some(a), Some(b)) = (p.filter.year_min, p.filter.year_max)
        && a > b
    {
        errors.add("year_max", "Tahun maksimal harus sama atau setelah tahun minimal.");
    }
    errors.into_result().map(|()| p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &[(&str, &str)]) -> Vec<(String, String)> {
        q.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn list_filters_are_capped_and_deduplicated() {
        let many = vec!["a"; 5000].join(",");
        let p = parse_car_params(&pairs(&[("model", &many), ("model", "A"), ("model", "Veloz")]), Audience::Public)
            .unwrap();
        assert_eq!(p.filter.models, ["a", "Veloz"]);

        let distinct: Vec<String> = (0..5000).map(|i| format!("m{i}")).collect();
        let errors = parse_car_params(&pairs(&[("model", &distinct.join(","))]), Audience::Public).unwrap_err();
        assert_eq!(errors.get("model"), Some("Paling banyak 10 model sekaligus."));
        let long = "x".repeat(65);
        let errors = parse_car_params(&pairs(&[("model", &long)]), Audience::Public).unwrap_err();
        assert_eq!(errors.get("model"), Some("Nama model maksimal 64 karakter."));

        let statuses = vec!["draft"; 5000].join(",");
        let p = parse_car_params(&pairs(&[("status", &statuses)]), Audience::Staff).unwrap();
        assert_eq!(p.filter.statuses, [CarStatus::Draft]);
    }

    #[test]
    fn parses_every_filter() {
        let p = parse_car_params(
            &pairs(&[
                ("brand", "Toyota"),
                ("model", "Avanza,Veloz"),
                ("price_min", "100.000.000"),
                ("price_max", "250000000"),
                ("year_min", "2018"),
                ("transmission", "matic"),
                ("fuel", "bensin"),
                ("body_type", "MPV"),
                ("plate_parity", "genap"),
                ("status", "available,booked"),
                ("sort", "price_asc"),
                ("page", "2"),
                ("per_page", "500"),
            ]),
            Audience::Staff,
        )
        .unwrap();
        assert_eq!(p.filter.models, vec!["Avanza", "Veloz"]);
        assert_eq!(p.filter.price_min, Some(100_000_000));
        assert_eq!(p.filter.transmission, Some(Transmission::At));
        assert_eq!(p.filter.statuses.len(), 2);
        assert_eq!((p.sort, p.page, p.per_page), (CarSort::PriceAsc, 2, 100));
    }

    #[test]
    fn the_public_cannot_see_other_statuses() {
        let p = parse_car_params(&pairs(&[("status", "draft")]), Audience::Public).unwrap();
        assert_eq!(p.filter.statuses, vec![CarStatus::Available, CarStatus::Booked]);
    }

    #[test]
    fn bad_values_are_reported_per_field() {
        let e = parse_car_params(
            &pairs(&[
                ("fuel", "air"),
                ("price_min", "murah"),
                ("sort", "acak"),
                ("year_min", "2020"),
                ("year_max", "2019"),
            ]),
            Audience::Staff,
        )
        .unwrap_err();
        for k in ["fuel", "price_min", "sort", "year_max"] {
            assert!(e.get(k).is_some(), "{k}");
        }
    }
}
