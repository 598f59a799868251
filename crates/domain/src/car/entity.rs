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
