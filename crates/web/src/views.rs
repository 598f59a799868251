//! JSON shapes of domain objects, one per audience. The public shape is built from
//! `PublicCar`, which has no sales-only fields; the staff shape adds them.

use garasi_domain::car::{Car, CarPhoto, PublicCar};
use serde_json::{Value, json};

/// The photo files every photo has, by variant name.
pub const PHOTO_VARIANTS: [(&str, &str); 4] =
    [("thumb", "thumb.webp"), ("card", "card.webp"), ("large", "large.webp"), ("large_jpeg", "large.jpg")];

pub fn photo_path(car_id: uuid::Uuid, photo_id: uuid::Uuid, file: &str) -> String {
    format!("/media/cars/{car_id}/{photo_id}/{file}")
}

fn photo_json(base_url: &str, car_id: uuid::Uuid, p: &CarPhoto) -> Value {
    let mut urls = serde_json::Map::new();
    for (name, file) in PHOTO_VARIANTS {
        urls.insert(name.into(), json!(format!("{base_url}{}", photo_path(car_id, p.id, file))));
    }
    json!({ "id": p.id, "position": p.position, "width": p.width, "height": p.height, "urls": urls })
}

pub fn car_url(base_url: &str, slug: &str) -> String {
    format!("{base_url}/mobil/{slug}")
}

/// What anyone may see. `base_url` is the tenant's stored primary origin.
pub fn public_car_json(base_url: &str, car: &PublicCar) -> Value {
    let mut v = serde_json::to_value(car).unwrap_or_else(|_| json!({}));
    v["url"] = json!(car_url(base_url, &car.slug));
    v["photos"] = json!(car.photos.iter().map(|p| photo_json(base_url, car.id, p)).collect::<Vec<_>>());
    v
}

/// What showroom staff see: the public shape plus the sales-only fields.
pub fn staff_car_json(base_url: &str, car: &Car) -> Value {
    let mut v = public_car_json(base_url, &car.public_view());
    v["floor_price"] = json!(car.fields.floor_price);
    v["internal_notes"] = json!(car.fields.internal_notes);
    v["plate_number"] = json!(car.fields.plate_number);
    v["created_at"] = json!(car.created_at);
    v["published_at"] = json!(car.published_at);
    v["sold_at"] = json!(car.sold_at);
    v
}
