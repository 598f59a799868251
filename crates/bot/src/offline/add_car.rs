//! A salesperson adds a car by chat: one line (`/tambah avanza 1.5 g 2021 matic 195jt 38rb km
//! putih`) or, when something the car rules need is missing, a short guided flow that asks for
//! it. The car is created as a draft through `service::cars::create` (the dashboard's rules and
//! audit, as `Actor::Sales`); `/foto <no>` adds its photos and `/tayang <no>` publishes it.

use garasi_domain::car::PriceVia;
use garasi_service::{Actor, ServiceError};
use serde_json::{Map, Value, json};

use super::*;
use crate::flow::{CarDraft, Flow, Pending};
use crate::nlu::staff_update;

/// What the guided flow asks for, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    Model,
    Year,
    Price,
    Transmission,
    Body,
    Mileage,
}

fn next_missing(d: &CarDraft) -> Option<Need> {
    if d.model.is_none() || d.brand.is_none() {
        Some(Need::Model)
    } else if d.year.is_none() {
        Some(Need::Year)
    } else if d.price.is_none() {
        Some(Need::Price)
    } else if d.transmission.is_none() {
        Some(Need::Transmission)
    } else if d.body_type.is_none() {
        Some(Need::Body)
    } else if d.mileage_km.is_none() {
        Some(Need::Mileage)
    } else {
        None
    }
}

fn question(need: Need) -> &'static str {
    match need {
        Need::Model => "Merek dan modelnya apa? (misalnya *Toyota Avanza 1.5 G*)",
        Need::Year => "Tahun berapa? (misalnya *2021*)",
        Need::Price => "Harga jualnya berapa? (misalnya *195jt*)",
        Need::Transmission => "Transmisinya *matic* atau *manual*?",
        Need::Body => "Tipe bodinya apa? (*MPV*, *SUV*, *hatchback*, *sedan*, *LCGC*, *pick-up* atau *double cabin*)",
        Need::Mileage => "Kilometernya berapa? (misalnya *38rb km*; balas *lewati* bila belum tahu)",
    }
}

/// `/tambah …`: creates the draft at once when the line says enough, else starts asking.
pub(super) async fn start(t: &mut Turn, args: &str) -> StoreResult<String> {
    if args.trim().is_empty() {
        t.memory.pending = Some(Pending::new(Flow::AddCar(CarDraft::default()), garasi_store::now()));
        return Ok(format!(
            "Oke, kita tambah mobil baru 🚗 Ketik *batal* untuk berhenti.\n{}\n\nTip: bisa juga satu baris, misalnya */tambah avanza 1.5 g 2021 matic 195jt 38rb km putih*",
            question(Need::Model)
        ));
    }
    let mut draft = CarDraft::default();
    merge(&mut draft, parse(args, None));
    next_or_create(t, draft).await
}

/// An answer in the guided flow.
pub(super) async fn answer(t: &mut Turn, mut draft: CarDraft, text: &str) -> StoreResult<(String, &'static str)> {
    if staff_update::is_cancel(text) {
        return Ok(("Oke, penambahan mobil dibatalkan. Tidak ada yang disimpan 👍".into(), "add_car_cancelled"));
    }
    let asked = next_missing(&draft);
    if asked == Some(Need::Mileage) && staff_update::is_skip(text) {
        draft.mileage_km = Some(0);
    } else {
        let before = draft.clone();
        merge(&mut draft, parse(text, asked));
        if draft == before {
            let again = asked.map(question).unwrap_or("");
            t.memory.pending = Some(Pending::new(Flow::AddCar(draft), garasi_store::now()));
            return Ok((format!("Belum terbaca 🙏 {again}\n(Ketik *batal* untuk berhenti.)"), "add_car"));
        }
    }
    next_or_create(t, draft).await.map(|r| (r, "add_car"))
}

async fn next_or_create(t: &mut Turn, draft: CarDraft) -> StoreResult<String> {
    if let Some(need) = next_missing(&draft) {
        let known = describe(&draft);
        t.memory.pending = Some(Pending::new(Flow::AddCar(draft), garasi_store::now()));
        let known = if known.is_empty() { String::new() } else { format!("Sejauh ini: {known}\n") };
        return Ok(format!("{known}{}\n(Ketik *batal* untuk berhenti.)", question(need)));
    }
    create(t, &draft).await
}

/// "Toyota Avanza 1.5 G 2021 · Rp 195.000.000 · 38.000 km · Otomatis · MPV · Putih".
fn describe(d: &CarDraft) -> String {
    let mut title = Vec::new();
    for part in [d.brand.as_deref(), d.model.as_deref(), Some(d.variant.as_str())].into_iter().flatten() {
        if !part.is_empty() {
            title.push(part.to_owned());
        }
    }
    if let Some(y) = d.year {
        title.push(y.to_string());
    }
    let mut parts = Vec::new();
    if !title.is_empty() {
        parts.push(title.join(" "));
    }
    if let Some(p) = d.price {
        parts.push(format::rp(p));
    }
    if let Some(km) = d.mileage_km {
        parts.push(format!("{} km", garasi_domain::money::group_thousands(km)));
    }
    if let Some(tr) = d.transmission.as_deref().and_then(|s| s.parse().ok()) {
        parts.push(format::transmission(tr).to_owned());
    }
    if let Some(b) = &d.body_type {
        parts.push(b.clone());
    }
    if !d.color.is_empty() {
        parts.push(d.color.clone());
    }
    parts.join(" · ")
}

/// Creates the draft through the use case; a refusal is explained field by field.
async fn create(t: &mut Turn, d: &CarDraft) -> StoreResult<String> {
    let Some(me) = t.me.clone() else { return Ok("Nomor ini tidak terdaftar sebagai sales.".into()) };
    let actor = Actor::Sales { sales_id: me.id, phone: me.phone.clone() };
    let mut input = Map::new();
    let mut put = |k: &str, v: Value| {
        input.insert(k.to_owned(), v);
    };
    put("brand", json!(d.brand));
    put("model", json!(d.model));
    put("variant", json!(d.variant));
    put("year", json!(d.year));
    put("price", json!(d.price));
    put("mileage_km", json!(d.mileage_km.unwrap_or(0)));
    put("transmission", json!(d.transmission));
    put("fuel", json!(d.fuel.clone().unwrap_or_else(|| "bensin".into())));
    put("body_type", json!(d.body_type));
    put("color", json!(d.color));
    put("status", json!("draft"));
    let tenant = t.db.tenant(t.tenant.id);
    match garasi_service::cars::create(&t.services, &actor, PriceVia::Chat, &tenant, &input).await {
        Ok(car) => {
            t.focus(&car);
            let n = car.stock_no;
            let fuel = if d.fuel.is_none() { " (BBM dianggap bensin; ubah di dashboard bila bukan)" } else { "" };
            Ok(format!(
                "✅ Draf mobil *no. {n}* dibuat: {}{fuel}\nBelum tampil di katalog.\n📷 Kirim fotonya dengan keterangan */foto {n}*\n🚀 Lalu ketik */tayang {n}* untuk menayangkannya.",
                describe(d)
            ))
        }
        Err(ServiceError::Validation(errors)) => {
            let why: Vec<String> = errors.iter().map(|(_, m)| format!("• {m}")).collect();
            Ok(format!("Mobil belum bisa disimpan:\n{}\n\nPerbaiki lalu kirim ulang */tambah …* ya.", why.join("\n")))
        }
        Err(ServiceError::Store(e)) => Err(e),
        Err(e) => {
            tracing::warn!(error = %e, "adding a car by chat failed");
            Ok("Mobil belum bisa disimpan karena kesalahan sistem 🙏 Coba lagi sebentar lagi.".into())
        }
    }
}

/// `/tayang 12`: a draft or hidden car goes on sale (status available) through the use case.
pub(super) async fn publish(t: &mut Turn, n: Option<i64>) -> StoreResult<String> {
    let Some(n) = n else { return Ok("Ketik */tayang* dan no. mobilnya, misalnya */tayang 12*.".into()) };
    let Some(car) = t.car(n).await? else { return Ok(not_found(n)) };
    match car.fields.status {
        CarStatus::Available | CarStatus::Booked => {
            return Ok(format!("Mobil no. {n} *{}* sudah tayang di katalog.", car.title()));
        }
        CarStatus::Sold => {
            return Ok(format!(
                "Mobil no. {n} *{}* berstatus terjual. Ketik */tersedia {n}* bila ingin menjualnya lagi.",
                car.title()
            ));
        }
        CarStatus::Draft | CarStatus::Hidden => {}
    }
    match t.set_status(n, CarStatus::Available).await? {
        CarChange::Done(car, _) => {
            let photos = if car.photos.is_empty() {
                format!("\nBelum ada fotonya: kirim dengan keterangan */foto {n}* ya.")
            } else {
                String::new()
            };
            Ok(format!(
                "🚀 Mobil no. {n} *{}* sekarang tayang di katalog.\n{}{photos}",
                car.title(),
                format::car_url(&t.tenant.base_url, &car.slug)
            ))
        }
        CarChange::NotFound => Ok(not_found(n)),
        CarChange::Refused(why) => Ok(refused(n, &why)),
    }
}

/// Fills what `more` knows and `d` does not.
fn merge(d: &mut CarDraft, more: CarDraft) {
    if d.model.is_none() {
        d.model = more.model;
        if d.variant.is_empty() {
            d.variant = more.variant;
        }
    }
    if d.brand.is_none() {
        d.brand = more.brand;
    }
    d.year = d.year.or(more.year);
    d.price = d.price.or(more.price);
    d.mileage_km = d.mileage_km.or(more.mileage_km);
    d.transmission = d.transmission.take().or(more.transmission);
    d.fuel = d.fuel.take().or(more.fuel);
    if d.body_type.is_none() {
        d.body_type = more.body_type.or_else(|| d.model.as_deref().and_then(body_of).map(str::to_owned));
    }
    if d.color.is_empty() {
        d.color = more.color;
    }
}

/// The body type of common models, so a one-line `/tambah` need not name it.
fn body_of(model: &str) -> Option<&'static str> {
    const BODIES: &[(&str, &[&str])] = &[
        (
            "MPV",
            &[
                "Avanza",
                "Xenia",
                "Innova",
                "Innova Zenix",
                "Veloz",
                "Ertiga",
                "Xpander",
                "Xpander Cross",
                "Mobilio",
                "Livina",
                "Grand Livina",
                "Confero",
                "Sienta",
                "Alphard",
                "Voxy",
                "Serena",
                "Stargazer",
                "Freed",
                "Luxio",
                "APV",
            ],
        ),
        (
            "SUV",
            &[
                "Fortuner",
                "Pajero Sport",
                "Rush",
                "Terios",
                "CR-V",
                "HR-V",
                "BR-V",
                "Creta",
                "Raize",
                "Rocky",
                "XL7",
                "Almaz",
                "Santa Fe",
                "CX-5",
                "Outlander",
                "Everest",
                "Terra",
                "X-Trail",
                "Tucson",
            ],
        ),
        ("LCGC", &["Agya", "Ayla", "Calya", "Sigra", "Brio Satya", "Karimun Wagon R", "Go", "Go+"]),
        ("hatchback", &["Brio", "Jazz", "Yaris", "Swift", "Ignis", "March", "Mazda 2", "Baleno", "City Hatchback"]),
        ("sedan", &["Vios", "Camry", "Corolla", "Corolla Altis", "Civic", "City", "Accord", "Almera", "Mazda 6"]),
        ("pickup", &["Carry", "Gran Max", "L300", "Hilux", "Traga"]),
    ];
    BODIES.iter().find(|(_, models)| models.iter().any(|m| m.eq_ignore_ascii_case(model))).map(|(b, _)| *b)
}

/// Reads a car description. `expect` is the field just asked for, so a bare answer ("2021",
/// "195", "38rb") fills it.
fn parse(text: &str, expect: Option<Need>) -> CarDraft {
    let u = nlu::understand(text, nlu::Role::Sales);
    let mut d = CarDraft {
        brand: u.filters.brand.clone(),
        model: match &u.filters.model {
            Some(ModelFilter::One(m)) => Some(m.clone()),
            Some(ModelFilter::Many(ms)) => ms.first().cloned(),
            None => None,
        },
        transmission: u.filters.transmission.clone(),
        fuel: u.filters.fuel.clone(),
        body_type: u.filters.body_type.clone(),
        color: u.extras.color.clone().map(|c| capitalise(&c)).unwrap_or_default(),
        ..CarDraft::default()
    };
    if d.model.is_some() && d.brand.is_none() {
        // Twins of two brands come without one: the first word that is a brand decides.
        d.brand = staff_update::words(text)
            .iter()
            .find_map(|w| nlu::understand(w, nlu::Role::Sales).filters.brand.filter(|_| !is_model_word(w)));
    }
    let words = staff_update::words(text);
    let mut model_at = None;
    let mut used = vec![false; words.len()];
    for (i, w) in words.iter().enumerate() {
        if model_at.is_none() && d.model.is_some() && is_model_word(w) {
            model_at = Some(i);
        }
        let next = words.get(i + 1).map(String::as_str).unwrap_or("");
        let prev = if i > 0 { words[i - 1].as_str() } else { "" };
        let Some((num, unit)) = number(w) else { continue };
        let unit_next = unit.is_empty() && matches!(next, "jt" | "juta" | "m" | "miliar" | "rb" | "ribu" | "k" | "km");
        let unit = if unit_next {
            used[i + 1] = true;
            next.to_owned()
        } else {
            unit
        };
        // "38rb km", "38 rb km", "38000 km".
        let after = if unit_next { words.get(i + 2) } else { words.get(i + 1) };
        let km_follows = after.is_some_and(|w| w == "km") && matches!(unit.as_str(), "rb" | "ribu" | "k" | "");
        if km_follows {
            let k = if unit_next { i + 2 } else { i + 1 };
            used[k] = true;
        }
        let is_km = unit == "km" || km_follows || prev == "km" || expect == Some(Need::Mileage);
        let value = match unit.as_str() {
            "jt" | "juta" => num * 1e6,
            "m" | "miliar" => num * 1e9,
            "rb" | "ribu" | "k" => num * 1e3,
            _ => num,
        };
        if is_km && unit != "jt" && unit != "juta" {
            let km = if unit.is_empty() && num < 1000.0 && expect == Some(Need::Mileage) { num * 1e3 } else { value };
            d.mileage_km = d.mileage_km.or(Some(km.round() as i64));
            used[i] = true;
            continue;
        }
        let whole = num.fract() == 0.0;
        if unit.is_empty() && whole && (1950.0..=2100.0).contains(&num) && expect != Some(Need::Price) {
            d.year = d.year.or(Some(num as i64));
            used[i] = true;
            continue;
        }
        let price = match unit.as_str() {
            "jt" | "juta" | "m" | "miliar" => Some(value),
            "" if prev == "rp" || prev == "harga" || expect == Some(Need::Price) || (10.0..=2000.0).contains(&num) => {
                Some(if (10.0..=2000.0).contains(&num) { num * 1e6 } else { num })
            }
            "" if num >= 1e6 => Some(num),
            _ => None,
        };
        if let Some(p) = price
            && (num >= 10.0 || !unit.is_empty())
        {
            d.price = d.price.or(Some(p.round() as i64));
            used[i] = true;
        }
    }
    // The variant: what follows the model up to the first number or word read as something else.
    if let Some(at) = model_at {
        let mut variant = Vec::new();
        for (i, w) in words.iter().enumerate().skip(at + 1) {
            if used[i] || is_model_word(w) {
                continue;
            }
            let engine = w.contains('.') && number(w).is_some_and(|(n, u)| n < 10.0 && u.is_empty());
            let trim = w.chars().count() <= 4 && w.chars().all(|c| c.is_ascii_alphanumeric()) && !is_known(w);
            if engine || trim && number(w).is_none() {
                variant.push(if engine { w.clone() } else { w.to_uppercase() });
            } else {
                break;
            }
        }
        d.variant = variant.join(" ");
    }
    d
}

/// Words that mean something else than a trim ("km", "rb", "matic", "putih").
fn is_known(w: &str) -> bool {
    let u = nlu::understand(w, nlu::Role::Sales);
    matches!(w, "km" | "rb" | "jt" | "thn" | "th" | "tahun" | "rp" | "warna" | "unit" | "mt" | "at")
        || u.filters.transmission.is_some()
        || u.filters.fuel.is_some()
        || u.filters.body_type.is_some()
        || u.extras.color.is_some()
}

fn is_model_word(w: &str) -> bool {
    nlu::understand(w, nlu::Role::Sales).filters.model.is_some()
}

/// "195jt" → (195, "jt"); "1,5" → (1.5, ""); "38.000" → (38000, "").
fn number(w: &str) -> Option<(f64, String)> {
    let w = w.strip_prefix("rp").unwrap_or(w);
    let split = w.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',')).unwrap_or(w.len());
    let (num, unit) = w.split_at(split);
    if num.is_empty() || !num.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let grouped = num.contains('.') && num.split('.').skip(1).all(|g| g.len() == 3);
    let v: f64 = if grouped { num.replace('.', "") } else { num.replace(',', ".") }.parse().ok()?;
    let unit = unit.to_owned();
    let known = matches!(unit.as_str(), "" | "jt" | "juta" | "m" | "miliar" | "rb" | "ribu" | "k" | "km" | "rbkm");
    known.then(|| if unit == "rbkm" { (v * 1e3, "km".to_owned()) } else { (v, unit) })
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_has_everything() {
        let d = parse("avanza 1.5 g 2021 matic 195jt 38rb km putih", None);
        assert_eq!(d.brand.as_deref(), Some("Toyota"));
        assert_eq!(d.model.as_deref(), Some("Avanza"));
        assert_eq!(d.variant, "1.5 G");
        assert_eq!(d.year, Some(2021));
        assert_eq!(d.price, Some(195_000_000));
        assert_eq!(d.mileage_km, Some(38_000));
        assert_eq!(d.transmission.as_deref(), Some("AT"));
        assert_eq!(d.color, "Putih");
        let mut draft = CarDraft::default();
        merge(&mut draft, d);
        assert_eq!(draft.body_type.as_deref(), Some("MPV"), "known model, known body");
        assert_eq!(next_missing(&draft), None);
    }

    #[test]
    fn bare_answers_fill_what_was_asked() {
        assert_eq!(parse("2019", Some(Need::Year)).year, Some(2019));
        assert_eq!(parse("185", Some(Need::Price)).price, Some(185_000_000));
        assert_eq!(parse("Rp 185.000.000", Some(Need::Price)).price, Some(185_000_000));
        assert_eq!(parse("45rb", Some(Need::Mileage)).mileage_km, Some(45_000));
        assert_eq!(parse("45", Some(Need::Mileage)).mileage_km, Some(45_000));
        assert_eq!(parse("manual", Some(Need::Transmission)).transmission.as_deref(), Some("MT"));
        assert_eq!(parse("suv", Some(Need::Body)).body_type.as_deref(), Some("SUV"));
    }

    #[test]
    fn missing_fields_are_asked_in_order() {
        let mut d = CarDraft::default();
        merge(&mut d, parse("fortuner 2019", None));
        assert_eq!(next_missing(&d), Some(Need::Price));
        merge(&mut d, parse("420jt", Some(Need::Price)));
        assert_eq!(next_missing(&d), Some(Need::Transmission));
    }
}
