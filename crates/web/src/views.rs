//! Addresses of what the API and pages show: photo files and car pages. The JSON
//! shapes themselves are typed in `api::dto`; the public site and the bot's customer
//! replies are built from `PublicCar`, which has no sales-only fields.

use garasi_domain::car::Car;

use crate::api::dto::cars::Car as CarView;

/// The photo files every photo has, by variant name.
pub const PHOTO_VARIANTS: [(&str, &str); 4] =
    [("thumb", "thumb.webp"), ("card", "card.webp"), ("large", "large.webp"), ("large_jpeg", "large.jpg")];

pub fn photo_path(car_id: uuid::Uuid, photo_id: uuid::Uuid, file: &str) -> String {
    format!("/media/cars/{car_id}/{photo_id}/{file}")
}

pub fn car_url(base_url: &str, slug: &str) -> String {
    format!("{base_url}/mobil/{slug}")
}

/// What showroom staff see: the public shape plus the sales-only fields.
/// `base_url` is the tenant's stored primary origin.
pub fn staff_car_json(base_url: &str, car: &Car) -> CarView {
    CarView::staff(base_url, car)
}
