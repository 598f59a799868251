//! Addresses of what the API and pages show: photo files and car pages. The JSON
//! shapes themselves are typed in `api::dto`; the public site and the bot's customer
//! replies are built from `PublicCar`, which has no sales-only fields.

use garasi_domain::car::Car;
use garasi_store::TenantTx;

use crate::api::dto::cars::Car as CarView;
use crate::error::AppError;

/// The photo files every photo has, by variant name.
pub const PHOTO_VARIANTS: [(&str, &str); 4] =
    [("thumb", "thumb.webp"), ("card", "card.webp"), ("large", "large.webp"), ("large_jpeg", "large.jpg")];

pub fn photo_path(car_id: uuid::Uuid, photo_id: uuid::Uuid, file: &str) -> String {
    format!("/media/cars/{car_id}/{photo_id}/{file}")
}

pub fn car_url(base_url: &str, slug: &str) -> String {
    format!("{base_url}/mobil/{slug}")
}

/// What showroom staff see: the public shape plus the sales-only fields and the price
/// history (read in `tx`). `base_url` is the tenant's stored primary origin.
pub async fn staff_car_json(tx: &mut TenantTx, base_url: &str, car: &Car) -> Result<CarView, AppError> {
    let history = tx.car_prices().for_car(car.id).await?;
    Ok(CarView::staff(base_url, car, &history))
}

/// [`staff_car_json`] for a list, with every history read in one query.
pub async fn staff_cars_json(tx: &mut TenantTx, base_url: &str, cars: &[Car]) -> Result<Vec<CarView>, AppError> {
    let ids: Vec<uuid::Uuid> = cars.iter().map(|c| c.id).collect();
    let mut histories = tx.car_prices().for_cars(&ids).await?;
    Ok(cars.iter().map(|c| CarView::staff(base_url, c, &histories.remove(&c.id).unwrap_or_default())).collect())
}

/// [`staff_car_json`] in a read transaction of its own (after a use case committed).
pub async fn staff_car_json_fresh(
    tenant: &garasi_store::TenantDb,
    base_url: &str,
    car: &Car,
) -> Result<CarView, AppError> {
    let mut tx = tenant.begin().await?;
    let view = staff_car_json(&mut tx, base_url, car).await?;
    tx.commit().await?;
    Ok(view)
}
