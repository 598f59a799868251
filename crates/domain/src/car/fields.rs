use std::collections::BTreeMap;
use std::fmt;

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use super::{BodyType, CarStatus, Condition, Fuel, PlateNumber, PlateParity, Transmission, Vin};
use crate::money::Rupiah;
use crate::validation::FieldErrors;

/// Every field a client may write, in the order forms and spreadsheets show them.
pub const CAR_FIELDS: &[&str] = &[
    "brand",
    "model",
    "variant",
    "year",
    "price",
    "credit_price",
    "negotiable",
    "floor_price",
    "mileage_km",
    "transmission",
    "fuel",
    "body_type",
    "color",
    "engine_cc",
    "seats",
    "plate_number",
    "tax_paid_until",
    "stnk",
    "bpkb",
    "first_owner",
    "condition",
    "description",
    "internal_notes",
    "status",
    "featured",
    "specs",
    // Added last, so spreadsheets laid out before it keep their column order.
    "vin",
];

/// Fields the server computes. Clients may send them back (a GET body round-trips
/// into a PUT); they are ignored rather than refused.
pub const READ_ONLY_FIELDS: &[&str] = &[
    "id",
    "stock_no",
    "slug",
    "url",
    "photos",
    "plate_region",
    "plate_parity",
    "created_at",
    "updated_at",
    "published_at",
    "sold_at",
    "title",
];

const MAX_SPECS: usize = 60;

/// A calendar month, for "pajak hidup sampai Mei 2026". Serialised as `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct YearMonth {
    pub year: i32,
    pub month: u8,
}

impl YearMonth {
    /// Accepts `2026-05`, `2026-5`, `05/2026` and `5-2026`.
    pub fn parse(raw: &str) -> Result<YearMonth, String> {
        let invalid = || "Gunakan format tahun-bulan, contoh: 2026-05".to_owned();
        let parts: Vec<&str> = raw.trim().split(['-', '/', '.']).map(str::trim).collect();
        let [a, b] = parts.as_slice() else { return Err(invalid()) };
        let (year, month) = if a.len() == 4 { (a, b) } else { (b, a) };
        let year: i32 = year.parse().map_err(|_| invalid())?;
        let month: u8 = month.parse().map_err(|_| invalid())?;
        if !(2000..=2100).contains(&year) || !(1..=12).contains(&month) {
            return Err(invalid());
        }
        Ok(YearMonth { year, month })
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for YearMonth {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The validated, writable fields of a car.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CarFields {
    pub brand: String,
    pub model: String,
    pub variant: String,
    pub year: i64,
    /// Cash price, whole rupiah.
    pub price: i64,
    pub credit_price: Option<i64>,
    pub negotiable: bool,
    /// The lowest price sales may agree to ("harga net"): staff only.
    pub floor_price: Option<i64>,
    pub mileage_km: i64,
    pub transmission: Transmission,
    pub fuel: Fuel,
    pub body_type: BodyType,
    pub color: String,
    pub engine_cc: Option<i64>,
    pub seats: Option<i64>,
    /// The full plate, normalised (`B 1234 XYZ`): staff only.
    pub plate_number: Option<String>,
    /// The VIN (nomor rangka); public only where the showroom's settings say so.
    pub vin: Option<Vin>,
    pub tax_paid_until: Option<YearMonth>,
    pub stnk: bool,
    pub bpkb: bool,
    pub first_owner: bool,
    pub condition: Condition,
    pub description: String,
    /// Staff only.
    pub internal_notes: String,
    pub status: CarStatus,
    pub featured: bool,
    pub specs: BTreeMap<String, String>,
}

impl CarFields {
    /// Validates a JSON object (API body, form or spreadsheet row as strings).
    /// Unknown keys are refused so nothing is silently dropped or mass-assigned.
    pub fn from_json(input: &Map<String, Value>, current_year: i64) -> Result<CarFields, FieldErrors> {
        let mut r = Reader { input, errors: FieldErrors::new() };
        for key in input.keys() {
            if !CAR_FIELDS.contains(&key.as_str()) && !READ_ONLY_FIELDS.contains(&key.as_str()) {
                r.errors.add(key, "Kolom ini tidak dikenal.");
            }
        }
        let brand = r.text("brand", 1, 40, true, "Merek");
        let model = r.text("model", 1, 60, true, "Model");
        let variant = r.text("variant", 0, 60, false, "Varian");
        let year = r.int("year", true, "Tahun").and_then(|y| {
            let max = current_year + 1;
            if (1950..=max).contains(&y) {
                Some(y)
            } else {
                r.errors.add("year", format!("Tahun harus antara 1950 dan {max}."));
                None
            }
        });
        let price = r.money("price", true, "Harga");
        let credit_price = r.money("credit_price", false, "Harga kredit");
        let floor_price = r.money("floor_price", false, "Harga net");
        let negotiable = r.boolean("negotiable", true);
        let mileage_km = r.int("mileage_km", false, "Kilometer").unwrap_or(0);
        if !(0..=2_000_000).contains(&mileage_km) {
            r.errors.add("mileage_km", "Kilometer harus antara 0 dan 2.000.000.");
        }
        let transmission = r.word::<Transmission>("transmission", None);
        let fuel = r.word::<Fuel>("fuel", None);
        let body_type = r.word::<BodyType>("body_type", None);
        let color = r.text("color", 0, 40, false, "Warna");
        let engine_cc = r.int("engine_cc", false, "Kapasitas mesin");
        if engine_cc.is_some_and(|cc| !(50..=10_000).contains(&cc)) {
            r.errors.add("engine_cc", "Kapasitas mesin harus antara 50 dan 10.000 cc.");
        }
        let seats = r.int("seats", false, "Jumlah kursi");
        if seats.is_some_and(|s| !(1..=60).contains(&s)) {
            r.errors.add("seats", "Jumlah kursi harus antara 1 dan 60.");
        }
        let plate_number = match r.optional_text("plate_number") {
            None => None,
            Some(raw) => match PlateNumber::parse(&raw) {
                Ok(p) => Some(p.to_string()),
                Err(e) => {
                    r.errors.add("plate_number", e);
                    None
                }
            },
        };
        let vin = match r.optional_text("vin") {
            None => None,
            Some(raw) => match Vin::parse(&raw) {
                Ok(v) => Some(v),
                Err(e) => {
                    r.errors.add("vin", e.to_string());
                    None
                }
            },
        };
        let tax_paid_until = match r.optional_text("tax_paid_until") {
            None => None,
            Some(raw) => match YearMonth::parse(&raw) {
                Ok(ym) => Some(ym),
                Err(e) => {
                    r.errors.add("tax_paid_until", e);
                    None
                }
            },
        };
        let stnk = r.boolean("stnk", true);
        let bpkb = r.boolean("bpkb", true);
        let first_owner = r.boolean("first_owner", false);
        let condition = r.word::<Condition>("condition", Some(Condition::Used));
        let description = r.text("description", 0, 5000, false, "Deskripsi");
        let internal_notes = r.text("internal_notes", 0, 5000, false, "Catatan internal");
        let status = r.word::<CarStatus>("status", Some(CarStatus::Draft));
        let featured = r.boolean("featured", false);
        let specs = r.specs();

        if let (Some(p), Some(c)) = (price, credit_price)
            && c > p * 2
        {
            r.errors.add("credit_price", "Harga kredit tidak wajar dibanding harga tunai.");
        }
        if let (Some(p), Some(f)) = (price, floor_price)
            && f > p
        {
            r.errors.add("floor_price", "Harga net tidak boleh di atas harga jual.");
        }
        let errors = r.errors;
        match (brand, model, year, price, transmission, fuel, body_type, condition, status) {
            (
                Some(brand),
                Some(model),
                Some(year),
                Some(price),
                Some(transmission),
                Some(fuel),
                Some(body_type),
                Some(condition),
                Some(status),
            ) if errors.is_empty() => Ok(CarFields {
                brand,
                model,
                variant: variant.unwrap_or_default(),
                year,
                price,
                credit_price,
                negotiable,
                floor_price,
                mileage_km,
                transmission,
                fuel,
                body_type,
                color: color.unwrap_or_default(),
                engine_cc,
                seats,
                plate_number,
                vin,
                tax_paid_until,
                stnk,
                bpkb,
                first_owner,
                condition,
                description: description.unwrap_or_default(),
                internal_notes: internal_notes.unwrap_or_default(),
                status,
                featured,
                specs,
            }),
            _ => Err(errors),
        }
    }

    /// The fields as the JSON object [`CarFields::from_json`] reads, so an update
    /// can overlay a partial body on the stored car and validate the result whole.
    pub fn to_json(&self) -> Map<String, Value> {
        match serde_json::to_value(self) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        }
    }

    pub fn plate(&self) -> Option<PlateNumber> {
        self.plate_number.as_deref().and_then(|p| PlateNumber::parse(p).ok())
    }

    pub fn plate_region(&self) -> Option<String> {
        self.plate().map(|p| p.region().to_owned())
    }

    pub fn plate_parity(&self) -> Option<PlateParity> {
        self.plate().map(|p| p.parity())
    }

    /// "Toyota Avanza 1.5 G 2021".
    pub fn title(&self) -> String {
        let mut t = format!("{} {}", self.brand, self.model);
        if !self.variant.is_empty() {
            t.push(' ');
            t.push_str(&self.variant);
        }
        t.push_str(&format!(" {}", self.year));
        t
    }
}

/// Reads loosely typed input: numbers may come as JSON numbers or as text
/// ("85.000"), booleans as `true`, "ya", "1"… Every problem becomes a field message.
struct Reader<'a> {
    input: &'a Map<String, Value>,
    errors: FieldErrors,
}

impl<'a> Reader<'a> {
    fn raw(&self, key: &str) -> Option<&'a Value> {
        match self.input.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(v) => Some(v),
        }
    }

    fn optional_text(&mut self, key: &str) -> Option<String> {
        match self.raw(key)? {
            Value::String(s) => Some(s.trim().to_owned()),
            Value::Number(n) => Some(n.to_string()),
            _ => {
                self.errors.add(key, "Isian ini harus berupa teks.");
                None
            }
        }
    }

    fn text(&mut self, key: &str, min: usize, max: usize, required: bool, label: &str) -> Option<String> {
        let Some(s) = self.optional_text(key) else {
            if required {
                self.errors.add(key, format!("{label} wajib diisi."));
                return None;
            }
            return self.errors.get(key).is_none().then(String::new);
        };
        let len = s.chars().count();
        if len < min {
            self.errors.add(key, format!("{label} minimal {min} karakter."));
            None
        } else if len > max {
            self.errors.add(key, format!("{label} maksimal {max} karakter."));
            None
        } else if s.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
            self.errors.add(key, format!("{label} berisi karakter yang tidak diizinkan."));
            None
        } else {
            Some(s)
        }
    }

    fn int(&mut self, key: &str, required: bool, label: &str) -> Option<i64> {
        let parsed = match self.raw(key) {
            None => {
                if required {
                    self.errors.add(key, format!("{label} wajib diisi."));
                }
                return None;
            }
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => {
                let digits: String = s.trim().chars().filter(|c| *c != '.' && *c != ' ').collect();
                digits.parse::<i64>().ok()
            }
            Some(_) => None,
        };
        if parsed.is_none() {
            self.errors.add(key, format!("{label} harus berupa angka bulat."));
        }
        parsed
    }

    fn money(&mut self, key: &str, required: bool, label: &str) -> Option<i64> {
        let result = match self.raw(key) {
            None => {
                if required {
                    self.errors.add(key, format!("{label} wajib diisi."));
                }
                return None;
            }
            Some(Value::Number(n)) => match n.as_i64() {
                Some(v) => Rupiah::new(v),
                None => {
                    self.errors.add(key, format!("{label} harus berupa rupiah tanpa desimal."));
                    return None;
                }
            },
            Some(Value::String(s)) => Rupiah::parse(s),
            Some(_) => {
                self.errors.add(key, format!("{label} harus berupa angka."));
                return None;
            }
        };
        match result {
            Ok(r) => Some(r.value()),
            Err(e) => {
                self.errors.add(key, format!("{label}: {e}."));
                None
            }
        }
    }

    fn boolean(&mut self, key: &str, default: bool) -> bool {
        match self.raw(key) {
            None => default,
            Some(Value::Bool(b)) => *b,
            Some(Value::Number(n)) if n.as_i64() == Some(1) => true,
            Some(Value::Number(n)) if n.as_i64() == Some(0) => false,
            Some(Value::String(s)) => match s.trim().to_lowercase().as_str() {
                "true" | "ya" | "y" | "yes" | "1" | "ada" | "on" => true,
                "false" | "tidak" | "t" | "no" | "n" | "0" | "tidak ada" | "off" => false,
                _ => {
                    self.errors.add(key, "Isi dengan ya atau tidak.");
                    default
                }
            },
            Some(_) => {
                self.errors.add(key, "Isi dengan ya atau tidak.");
                default
            }
        }
    }

    fn word<T: std::str::FromStr<Err = String>>(&mut self, key: &str, default: Option<T>) -> Option<T> {
        match self.raw(key) {
            None => {
                if default.is_none() {
                    // The vocabulary's own message lists the choices.
                    let msg = "x".parse::<T>().err().unwrap_or_default();
                    self.errors.add(key, format!("Wajib diisi. {msg}"));
                }
                default
            }
            Some(Value::String(s)) => match s.parse::<T>() {
                Ok(v) => Some(v),
                Err(msg) => {
                    self.errors.add(key, msg);
                    None
                }
            },
            Some(_) => {
                let msg = "x".parse::<T>().err().unwrap_or_default();
                self.errors.add(key, msg);
                None
            }
        }
    }

    fn specs(&mut self) -> BTreeMap<String, String> {
        let mut specs = BTreeMap::new();
        match self.raw("specs") {
            None => {}
            Some(Value::Object(map)) => {
                if map.len() > MAX_SPECS {
                    self.errors.add("specs", format!("Spesifikasi maksimal {MAX_SPECS} baris."));
                    return specs;
                }
                for (k, v) in map {
                    let key = k.trim();
                    let value = match v {
                        Value::String(s) => s.trim().to_owned(),
                        Value::Number(n) => n.to_string(),
                        Value::Bool(b) => if *b { "ya" } else { "tidak" }.to_owned(),
                        _ => {
                            self.errors.add("specs", format!("Nilai spesifikasi \"{key}\" harus berupa teks."));
                            continue;
                        }
                    };
                    if key.is_empty() || key.chars().count() > 60 {
                        self.errors.add("specs", "Nama spesifikasi harus 1 sampai 60 karakter.");
                    } else if value.chars().count() > 500 {
                        self.errors.add("specs", format!("Nilai spesifikasi \"{key}\" maksimal 500 karakter."));
                    } else if !value.is_empty() {
                        specs.insert(key.to_owned(), value);
                    }
                }
            }
            Some(_) => self.errors.add("specs", "Spesifikasi harus berupa pasangan nama dan nilai."),
        }
        specs
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn avanza() -> Map<String, Value> {
        json!({
            "brand": "Toyota", "model": "Avanza", "variant": "1.5 G", "year": 2021, "price": 195_000_000,
            "transmission": "AT", "fuel": "bensin", "body_type": "MPV", "plate_number": "b 1234 xyz",
            "tax_paid_until": "2026-05", "specs": { "Airbag": "2", "Velg": "Alloy 16\"" },
        })
        .as_object()
        .cloned()
        .unwrap()
    }

    #[test]
    fn a_valid_car_gets_defaults_and_derived_plate_data() {
        let car = CarFields::from_json(&avanza(), 2026).unwrap();
        assert_eq!(car.title(), "Toyota Avanza 1.5 G 2021");
        assert_eq!(car.plate_number.as_deref(), Some("B 1234 XYZ"));
        assert_eq!(car.plate_region().as_deref(), Some("B"));
        assert_eq!(car.plate_parity(), Some(PlateParity::Genap));
        assert_eq!(car.status, CarStatus::Draft);
        assert_eq!(car.condition, Condition::Used);
        assert!(car.negotiable && car.stnk && car.bpkb && !car.first_owner);
        assert_eq!(car.tax_paid_until.unwrap().to_string(), "2026-05");
        assert_eq!(car.specs.len(), 2);
    }

    #[test]
    fn to_json_round_trips() {
        let car = CarFields::from_json(&avanza(), 2026).unwrap();
        assert_eq!(CarFields::from_json(&car.to_json(), 2026).unwrap(), car);
    }

    #[test]
    fn strings_from_forms_and_spreadsheets_are_accepted() {
        let input = json!({
            "brand": "Honda", "model": "Brio", "year": "2019", "price": "Rp 145.000.000", "mileage_km": "45.000",
            "transmission": "matic", "fuel": "Bensin", "body_type": "hatchback", "first_owner": "ya", "stnk": "tidak",
            "tax_paid_until": "05/2026",
        });
        let car = CarFields::from_json(input.as_object().unwrap(), 2026).unwrap();
        assert_eq!((car.year, car.price, car.mileage_km), (2019, 145_000_000, 45_000));
        assert!(car.first_owner && !car.stnk);
        assert_eq!(car.transmission, Transmission::At);
    }

    #[test]
    fn every_problem_gets_its_own_indonesian_message() {
        let input = json!({
            "brand": "", "model": "X", "year": 1900, "price": 0, "transmission": "kopling", "fuel": 5,
            "engine_cc": 5, "plate_number": "1234", "tax_paid_until": "2026-13", "status": "dijual",
            "colour": "merah", "negotiable": "mungkin", "floor_price": 1_000_000,
        });
        let errors = CarFields::from_json(input.as_object().unwrap(), 2026).unwrap_err();
        for field in [
            "brand",
            "year",
            "price",
            "transmission",
            "fuel",
            "body_type",
            "engine_cc",
            "plate_number",
            "tax_paid_until",
            "status",
            "colour",
            "negotiable",
        ] {
            assert!(errors.get(field).is_some(), "{field}: {errors}");
        }
        assert_eq!(errors.get("brand"), Some("Merek wajib diisi."));
        assert_eq!(errors.get("year"), Some("Tahun harus antara 1950 dan 2027."));
    }

    #[test]
    fn read_only_fields_are_ignored_not_refused() {
        let mut input = avanza();
        input.insert("id".into(), json!("x"));
        input.insert("stock_no".into(), json!(3));
        input.insert("plate_parity".into(), json!("ganjil"));
        assert!(CarFields::from_json(&input, 2026).is_ok());
    }

    #[test]
    fn a_vin_is_optional_normalised_and_checked() {
        assert_eq!(CarFields::from_json(&avanza(), 2026).unwrap().vin, None);
        let mut input = avanza();
        input.insert("vin".into(), json!("mhfm1ba3j7k012345"));
        let car = CarFields::from_json(&input, 2026).unwrap();
        assert_eq!(car.vin.as_ref().map(Vin::as_str), Some("MHFM1BA3J7K012345"));
        assert_eq!(CarFields::from_json(&car.to_json(), 2026).unwrap(), car);
        input.insert("vin".into(), json!("MHFM1BA3J7K01234O"));
        let errors = CarFields::from_json(&input, 2026).unwrap_err();
        assert!(errors.get("vin").unwrap().contains("I, O atau Q"), "{errors}");
    }

    #[test]
    fn floor_price_above_price_is_refused() {
        let mut input = avanza();
        input.insert("floor_price".into(), json!(200_000_000));
        let errors = CarFields::from_json(&input, 2026).unwrap_err();
        assert!(errors.get("floor_price").is_some());
    }
}
