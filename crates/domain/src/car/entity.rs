use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::{BodyType, CarFields, CarStatus, Condition, Fuel, PlateParity, Transmission, YearMonth};

/// One photo of a car; its files are addressed by (car, photo, variant).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CarPhoto {
    pub id: Uuid,
    pub position: i64,
    pub width: i64,
    pub height: i64,
}

/// A car as stored: the validated fields plus what the server assigns.
#[derive(Debug, Clone, PartialEq)]
pub struct Car {
    pub id: Uuid,
    /// The showroom's own running number ("mobil no 12"), unique per tenant.
    pub stock_no: i64,
    /// Fixed at creation, so shared links keep working when a car is edited.
    pub slug: String,
    pub fields: CarFields,
    /// In display order; the first is the cover.
    pub photos: Vec<CarPhoto>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub sold_at: Option<DateTime<Utc>>,
}

/// What buyers may see of a car: the public site, JSON-LD, the sitemap and the bot
/// talking to a customer. Sales-only fields (floor price, internal notes, the full
/// plate) are not in this type at all, so no template or tool can leak them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicCar {
    pub id: Uuid,
    pub stock_no: i64,
    pub slug: String,
    pub title: String,
    pub brand: String,
    pub model: String,
    pub variant: String,
    pub year: i64,
    pub price: i64,
    pub credit_price: Option<i64>,
    pub negotiable: bool,
    pub mileage_km: i64,
    pub transmission: Transmission,
    pub fuel: Fuel,
    pub body_type: BodyType,
    pub color: String,
    pub engine_cc: Option<i64>,
    pub seats: Option<i64>,
    pub plate_region: Option<String>,
    pub plate_parity: Option<PlateParity>,
    pub tax_paid_until: Option<YearMonth>,
    pub stnk: bool,
    pub bpkb: bool,
    pub first_owner: bool,
    pub condition: Condition,
    pub description: String,
    pub status: CarStatus,
    pub featured: bool,
    pub specs: BTreeMap<String, String>,
    pub photos: Vec<CarPhoto>,
    pub updated_at: DateTime<Utc>,
}

impl Car {
    pub fn title(&self) -> String {
        self.fields.title()
    }

    /// The buyer's view, or `None` for drafts and hidden cars.
    pub fn public(&self) -> Option<PublicCar> {
        self.fields.status.is_public().then(|| self.public_view())
    }

    /// The buyer's view regardless of status (for staff previews).
    pub fn public_view(&self) -> PublicCar {
        let f = &self.fields;
        PublicCar {
            id: self.id,
            stock_no: self.stock_no,
            slug: self.slug.clone(),
            title: f.title(),
            brand: f.brand.clone(),
            model: f.model.clone(),
            variant: f.variant.clone(),
            year: f.year,
            price: f.price,
            credit_price: f.credit_price,
            negotiable: f.negotiable,
            mileage_km: f.mileage_km,
            transmission: f.transmission,
            fuel: f.fuel,
            body_type: f.body_type,
            color: f.color.clone(),
            engine_cc: f.engine_cc,
            seats: f.seats,
            plate_region: f.plate_region(),
            plate_parity: f.plate_parity(),
            tax_paid_until: f.tax_paid_until,
            stnk: f.stnk,
            bpkb: f.bpkb,
            first_owner: f.first_owner,
            condition: f.condition,
            description: f.description.clone(),
            status: f.status,
            featured: f.featured,
            specs: f.specs.clone(),
            photos: self.photos.clone(),
            updated_at: self.updated_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use serde_json::json;

    use super::*;

    fn car(status: &str) -> Car {
        let input = json!({
            "brand": "Toyota", "model": "Fortuner", "year": 2020, "price": 450_000_000, "transmission": "AT",
            "fuel": "diesel", "body_type": "SUV", "floor_price": 430_000_000, "internal_notes": "RAHASIA-NET",
            "plate_number": "B 1234 ABC", "status": status,
        });
        Car {
            id: Uuid::now_v7(),
            stock_no: 7,
            slug: "toyota-fortuner-2020-7".into(),
            fields: CarFields::from_json(input.as_object().unwrap(), 2026).unwrap(),
            photos: vec![],
            created_at: Utc::now(),
            updated_at: Utc::now(),
            published_at: None,
            sold_at: None,
        }
    }

    #[test]
    fn the_public_view_has_no_sales_only_fields() {
        let public = car("available").public().unwrap();
        let text = serde_json::to_string(&public).unwrap();
        for secret in ["floor_price", "internal_notes", "plate_number", "RAHASIA", "430000000", "1234"] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        assert!(text.contains("\"plate_region\":\"B\"") && text.contains("\"plate_parity\":\"genap\""));
    }

    #[test]
    fn drafts_and_hidden_cars_have_no_public_view() {
        assert!(car("draft").public().is_none());
        assert!(car("hidden").public().is_none());
        assert!(car("sold").public().is_some());
    }
}
