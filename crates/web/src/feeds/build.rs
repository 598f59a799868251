//! The three feed documents, built from the buyer's view of each car (`PublicCar`, which
//! has no staff-only field) and the showroom's public profile. Pure functions: the
//! handler loads, these write.
//!
//! Field names and enum values follow the published specifications (see `docs/FEEDS.md`
//! for the sources):
//! - Meta automotive (vehicle) catalog, CSV: `vehicle_id`, `title`, `description`, `url`,
//!   `make`, `model`, `year`, `mileage.value`, `mileage.unit` (`KM`), `image[n].url`,
//!   `transmission` (`AUTOMATIC`, `MANUAL`), `fuel_type` (`GASOLINE`, `DIESEL`, `HYBRID`,
//!   `ELECTRIC`), `body_style` (`MPV`, `SUV`, `SMALL_CAR`, `SEDAN`, `HATCHBACK`, `PICKUP`),
//!   `price` ("195000000 IDR"), `state_of_vehicle` (`NEW`, `USED`), `exterior_color`,
//!   `availability` (`AVAILABLE`, `PENDING`) and the dealer's `address.*`;
//! - Google Merchant Center vehicle ads, RSS 2.0 with the `g:` namespace: `id`, `title`,
//!   `description`, `link`, `image_link`, `price`, `condition` (`new`, `used`),
//!   `availability`, `google_product_category` 916, `brand`, `model`, `year`, `mileage`
//!   ("45000 km"), `vin`, `store_code`, `color`, `body_style`;
//! - a plain JSON document of the same cars.

use chrono::{DateTime, Utc};
use garasi_domain::car::{BodyType, CarStatus, Condition, Fuel, PublicCar, Transmission};
use serde::Serialize;

use crate::pages::site::format::thousands;
use crate::views::{car_url, photo_path};

/// Most photos one item lists.
pub const MAX_IMAGES: usize = 10;

/// Google's product category for cars, trucks and vans (Vehicles & Parts > Vehicles >
/// Motor Vehicles > Cars, Trucks & Vans).
pub const GOOGLE_CAR_CATEGORY: &str = "916";

/// What the feeds say about the showroom.
#[derive(Debug, Clone, Serialize)]
pub struct Dealer {
    pub name: String,
    /// The public origin (`https://showroom.example`), from the stored primary domain.
    pub base_url: String,
    pub address: String,
    pub city: String,
    pub province: String,
    /// E.164, or empty.
    pub phone: String,
    pub store_code: String,
}

/// One car as the feeds show it: the buyer's view and, when the showroom shows VINs,
/// its VIN.
#[derive(Debug, Clone)]
pub struct FeedCar {
    pub car: PublicCar,
    pub vin: Option<String>,
}

impl FeedCar {
    /// The car page, marked `src=feed` so its views and WhatsApp clicks count under the
    /// marketplace source (insights).
    fn url(&self, dealer: &Dealer) -> String {
        format!("{}?src=feed", car_url(&dealer.base_url, &self.car.slug))
    }

    /// Absolute JPEG URLs of the photos, cover first (the feeds' crawlers want JPEG).
    fn images(&self, dealer: &Dealer) -> Vec<String> {
        self.car
            .photos
            .iter()
            .take(MAX_IMAGES)
            .map(|p| format!("{}{}", dealer.base_url, photo_path(self.car.id, p.id, "large.jpg")))
            .collect()
    }

    /// The showroom's description, or one written from the car's facts.
    fn description(&self) -> String {
        let c = &self.car;
        if !c.description.trim().is_empty() {
            return c.description.trim().to_owned();
        }
        let mut parts = vec![
            c.title.clone(),
            c.transmission.label().to_lowercase(),
            c.fuel.label().to_lowercase(),
            format!("{} km", thousands(c.mileage_km)),
        ];
        if !c.color.is_empty() {
            parts.push(format!("warna {}", c.color));
        }
        format!("{}.", parts.join(", "))
    }
}

pub fn meta_transmission(t: Transmission) -> &'static str {
    match t {
        Transmission::At => "AUTOMATIC",
        Transmission::Mt => "MANUAL",
    }
}

pub fn meta_fuel(f: Fuel) -> &'static str {
    match f {
        Fuel::Bensin => "GASOLINE",
        Fuel::Diesel => "DIESEL",
        Fuel::Hybrid => "HYBRID",
        Fuel::Listrik => "ELECTRIC",
    }
}

/// LCGCs (Agya, Ayla, Calya…) are small cars; a double cabin is a pick-up.
pub fn meta_body_style(b: BodyType) -> &'static str {
    match b {
        BodyType::Mpv => "MPV",
        BodyType::Suv => "SUV",
        BodyType::Lcgc => "SMALL_CAR",
        BodyType::Sedan => "SEDAN",
        BodyType::Hatchback => "HATCHBACK",
        BodyType::Pickup | BodyType::DoubleCabin => "PICKUP",
    }
}

pub fn meta_state(c: Condition) -> &'static str {
    match c {
        Condition::New => "NEW",
        Condition::Used => "USED",
    }
}

/// A booked car is still on the site but no longer free: Meta's `PENDING`.
pub fn meta_availability(s: CarStatus) -> &'static str {
    if s == CarStatus::Booked { "PENDING" } else { "AVAILABLE" }
}

/// Google's vehicle `body_style` values; an MPV is a minivan, an LCGC a city car, a
/// pick-up or double cabin a truck.
pub fn google_body_style(b: BodyType) -> &'static str {
    match b {
        BodyType::Mpv => "minivan",
        BodyType::Suv => "suv",
        BodyType::Lcgc => "city_car",
        BodyType::Sedan => "sedan",
        BodyType::Hatchback => "hatchback",
        BodyType::Pickup | BodyType::DoubleCabin => "truck",
    }
}

pub fn google_condition(c: Condition) -> &'static str {
    match c {
        Condition::New => "new",
        Condition::Used => "used",
    }
}

/// Meta needs a photo and a colour for every vehicle; a car without them is left out
/// rather than sent incomplete.
pub fn meta_eligible(c: &FeedCar) -> bool {
    !c.car.photos.is_empty() && !c.car.color.trim().is_empty()
}

/// Google's vehicle ads need a photo and the VIN.
pub fn google_eligible(c: &FeedCar) -> bool {
    !c.car.photos.is_empty() && c.vin.is_some()
}

/// The Meta catalog's CSV columns, in order, for items with up to `images` photos.
pub fn meta_columns(images: usize) -> Vec<String> {
    let mut cols: Vec<String> = [
        "vehicle_id",
        "title",
        "description",
        "url",
        "make",
        "model",
        "trim",
        "year",
        "mileage.value",
        "mileage.unit",
        "transmission",
        "fuel_type",
        "body_style",
        "exterior_color",
        "state_of_vehicle",
        "availability",
        "price",
        "vin",
        "dealer_name",
        "dealer_phone",
        "address.addr1",
        "address.city",
        "address.region",
        "address.country",
    ]
    .map(str::to_owned)
    .to_vec();
    for i in 0..images.max(1) {
        cols.push(format!("image[{i}].url"));
    }
    cols
}

/// The Meta automotive catalog as CSV (RFC 4180 quoting, UTF-8, no byte-order mark).
pub fn meta_csv(dealer: &Dealer, cars: &[FeedCar]) -> String {
    let items: Vec<&FeedCar> = cars.iter().filter(|c| meta_eligible(c)).collect();
    let images = items.iter().map(|c| c.car.photos.len().min(MAX_IMAGES)).max().unwrap_or(1);
    let columns = meta_columns(images);
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let _ = w.write_record(&columns);
    let region = if dealer.province.is_empty() { &dealer.city } else { &dealer.province };
    for item in items {
        let c = &item.car;
        let mut row = vec![
            c.id.to_string(),
            c.title.clone(),
            item.description(),
            item.url(dealer),
            c.brand.clone(),
            c.model.clone(),
            c.variant.clone(),
            c.year.to_string(),
            c.mileage_km.to_string(),
            "KM".to_owned(),
            meta_transmission(c.transmission).to_owned(),
            meta_fuel(c.fuel).to_owned(),
            meta_body_style(c.body_type).to_owned(),
            c.color.clone(),
            meta_state(c.condition).to_owned(),
            meta_availability(c.status).to_owned(),
            format!("{} IDR", c.price),
            item.vin.clone().unwrap_or_default(),
            dealer.name.clone(),
            dealer.phone.clone(),
            dealer.address.clone(),
            dealer.city.clone(),
            region.clone(),
            "ID".to_owned(),
        ];
        let mut urls = item.images(dealer);
        urls.resize(images.max(1), String::new());
        row.extend(urls);
        let _ = w.write_record(&row);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Text for XML: markup characters escaped, characters XML 1.0 forbids dropped.
pub fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The Google Merchant Center vehicle feed as RSS 2.0 with the `g:` namespace.
pub fn google_xml(dealer: &Dealer, cars: &[FeedCar]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<rss version=\"2.0\" xmlns:g=\"http://base.google.com/ns/1.0\">\n<channel>\n");
    out.push_str(&format!("<title>{}</title>\n", xml_text(&dealer.name)));
    out.push_str(&format!("<link>{}/</link>\n", xml_text(&dealer.base_url)));
    out.push_str(&format!("<description>{}</description>\n", xml_text(&format!("Stok mobil {}", dealer.name))));
    for item in cars.iter().filter(|c| google_eligible(c)) {
        let c = &item.car;
        out.push_str("<item>\n");
        let mut tag = |name: &str, value: &str| {
            if !value.is_empty() {
                out.push_str(&format!("  <g:{name}>{}</g:{name}>\n", xml_text(value)));
            }
        };
        tag("id", &c.id.to_string());
        tag("title", &c.title);
        tag("description", &item.description());
        tag("link", &item.url(dealer));
        let images = item.images(dealer);
        if let Some((first, rest)) = images.split_first() {
            tag("image_link", first);
            for extra in rest {
                tag("additional_image_link", extra);
            }
        }
        tag("price", &format!("{} IDR", c.price));
        tag("condition", google_condition(c.condition));
        tag("availability", if c.status == CarStatus::Booked { "out_of_stock" } else { "in_stock" });
        tag("google_product_category", GOOGLE_CAR_CATEGORY);
        tag("brand", &c.brand);
        tag("model", &c.model);
        tag("trim", &c.variant);
        tag("year", &c.year.to_string());
        tag("mileage", &format!("{} km", c.mileage_km));
        tag("vin", item.vin.as_deref().unwrap_or_default());
        tag("color", &c.color);
        tag("body_style", google_body_style(c.body_type));
        tag("store_code", &dealer.store_code);
        out.push_str("</item>\n");
    }
    out.push_str("</channel>\n</rss>\n");
    out
}

/// The plain JSON feed.
#[derive(Debug, Serialize)]
pub struct JsonFeed<'a> {
    pub showroom: &'a Dealer,
    /// The latest change among the cars (not the time of writing, so an unchanged stock
    /// gives the same document and the same ETag).
    pub updated_at: Option<DateTime<Utc>>,
    pub cars: Vec<JsonCar>,
}

/// One car of the JSON feed: public fields only.
#[derive(Debug, Serialize)]
pub struct JsonCar {
    pub id: uuid::Uuid,
    pub stock_no: i64,
    pub url: String,
    pub title: String,
    pub brand: String,
    pub model: String,
    pub variant: String,
    pub year: i64,
    pub price: i64,
    pub currency: &'static str,
    pub credit_price: Option<i64>,
    pub negotiable: bool,
    pub mileage_km: i64,
    pub transmission: Transmission,
    pub fuel: Fuel,
    pub body_type: BodyType,
    pub color: String,
    pub condition: Condition,
    pub status: CarStatus,
    pub description: String,
    pub images: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vin: Option<String>,
    pub updated_at: DateTime<Utc>,
}

pub fn json_feed(dealer: &Dealer, cars: &[FeedCar]) -> String {
    let updated_at = cars.iter().map(|c| c.car.updated_at).max();
    let cars = cars
        .iter()
        .map(|item| {
            let c = &item.car;
            JsonCar {
                id: c.id,
                stock_no: c.stock_no,
                url: item.url(dealer),
                title: c.title.clone(),
                brand: c.brand.clone(),
                model: c.model.clone(),
                variant: c.variant.clone(),
                year: c.year,
                price: c.price,
                currency: "IDR",
                credit_price: c.credit_price,
                negotiable: c.negotiable,
                mileage_km: c.mileage_km,
                transmission: c.transmission,
                fuel: c.fuel,
                body_type: c.body_type,
                color: c.color.clone(),
                condition: c.condition,
                status: c.status,
                description: c.description.clone(),
                images: item.images(dealer),
                vin: item.vin.clone(),
                updated_at: c.updated_at,
            }
        })
        .collect();
    serde_json::to_string_pretty(&JsonFeed { showroom: dealer, updated_at, cars }).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_escapes_markup_and_drops_forbidden_characters() {
        assert_eq!(xml_text("A & B <c> \"d\" 'e'\u{1}"), "A &amp; B &lt;c&gt; &quot;d&quot; &apos;e&apos;");
    }

    #[test]
    fn every_vocabulary_word_maps_to_a_spec_value() {
        const META_BODY: [&str; 23] = [
            "CONVERTIBLE",
            "COUPE",
            "CROSSOVER",
            "ESTATE",
            "GRANDTOURER",
            "HATCHBACK",
            "MINIBUS",
            "MINIVAN",
            "MPV",
            "NONE",
            "OTHER",
            "PICKUP",
            "ROADSTER",
            "SALOON",
            "SEDAN",
            "SMALL_CAR",
            "SPORTSCAR",
            "SUPERCAR",
            "SUPERMINI",
            "SUV",
            "TRUCK",
            "VAN",
            "WAGON",
        ];
        // The passenger-car values of Google's `body_style` (the rest are ATVs, UTVs and campers).
        const GOOGLE_BODY: [&str; 15] = [
            "city_car",
            "compact_suv",
            "convertible",
            "coupe",
            "crossover",
            "full_size_van",
            "hatchback",
            "limousine",
            "minivan",
            "notchback",
            "sedan",
            "station_wagon",
            "suv",
            "truck",
            "ute",
        ];
        for b in BodyType::ALL {
            assert!(META_BODY.contains(&meta_body_style(*b)), "{b}");
            assert!(GOOGLE_BODY.contains(&google_body_style(*b)), "{b}");
        }
        for f in Fuel::ALL {
            assert!(["DIESEL", "ELECTRIC", "GASOLINE", "HYBRID", "PETROL", "PLUGIN_HYBRID"].contains(&meta_fuel(*f)));
        }
    }
}
