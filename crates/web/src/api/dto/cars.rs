//! Cars and their photos as the staff API shows them, and the bodies the car routes take.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use garasi_domain::FieldErrors;
use garasi_domain::car::{
    BodyType, Car as StoredCar, CarPhoto, CarStatus, Condition, Fuel, PlateParity, PriceChange as StoredPriceChange,
    Transmission, YearMonth,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::vocab;
use crate::views::{PHOTO_VARIANTS, car_url, photo_path};

/// A car as showroom staff see it. The public fields come from `PublicCar` (the buyer's
/// projection); `floor_price`, `internal_notes`, the full `plate_number` and the
/// timestamps below them are staff-only and exist in no public output.
#[derive(Debug, Serialize, ToSchema)]
pub struct Car {
    pub id: Uuid,
    pub stock_no: i64,
    pub slug: String,
    /// The car's page on the showroom's site.
    pub url: String,
    pub title: String,
    pub brand: String,
    pub model: String,
    pub variant: String,
    pub year: i64,
    /// Cash price, rupiah.
    pub price: i64,
    pub credit_price: Option<i64>,
    pub negotiable: bool,
    pub mileage_km: i64,
    #[schema(schema_with = vocab::transmission)]
    pub transmission: Transmission,
    #[schema(schema_with = vocab::fuel)]
    pub fuel: Fuel,
    #[schema(schema_with = vocab::body_type)]
    pub body_type: BodyType,
    pub color: String,
    pub engine_cc: Option<i64>,
    pub seats: Option<i64>,
    /// The region letters of the plate, e.g. `B`.
    pub plate_region: Option<String>,
    #[schema(schema_with = vocab::plate_parity_or_null)]
    pub plate_parity: Option<PlateParity>,
    /// `YYYY-MM`.
    #[schema(value_type = Option<String>, pattern = r"^\d{4}-\d{2}$")]
    pub tax_paid_until: Option<YearMonth>,
    pub stnk: bool,
    pub bpkb: bool,
    pub first_owner: bool,
    #[schema(schema_with = vocab::condition)]
    pub condition: Condition,
    pub description: String,
    #[schema(schema_with = vocab::car_status)]
    pub status: CarStatus,
    pub featured: bool,
    pub specs: BTreeMap<String, String>,
    /// In display order; the first is the cover.
    pub photos: Vec<Photo>,
    pub updated_at: DateTime<Utc>,
    /// Net price: staff only.
    pub floor_price: Option<i64>,
    /// Staff only.
    pub internal_notes: String,
    /// The full plate: staff only.
    pub plate_number: Option<String>,
    /// The VIN (nomor rangka): 17 characters, upper case, no I, O or Q. Buyers see it only
    /// when the showroom's settings show VINs.
    #[schema(pattern = r"^[A-HJ-NPR-Z0-9]{17}$")]
    pub vin: Option<String>,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub sold_at: Option<DateTime<Utc>>,
    /// Every price the car was given, oldest first: its first price, then each change.
    pub price_history: Vec<PriceHistoryEntry>,
}

/// One price a car was given.
#[derive(Debug, Serialize, ToSchema)]
pub struct PriceHistoryEntry {
    /// The new price, rupiah.
    pub price: i64,
    /// The price before; `null` for the first price.
    pub previous_price: Option<i64>,
    pub at: DateTime<Utc>,
    pub by: PriceActor,
    /// The path the change came through.
    #[schema(schema_with = vocab::price_via)]
    pub via: String,
}

/// Who changed a price.
#[derive(Debug, Serialize, ToSchema)]
pub struct PriceActor {
    /// `user` (dashboard or API), `sales` (a salesperson on WhatsApp), `root` or `system`.
    #[schema(schema_with = vocab::actor_kind)]
    pub kind: String,
    /// The user's or salesperson's id.
    pub id: Option<Uuid>,
    /// Their name at the time.
    pub name: String,
}

impl PriceHistoryEntry {
    pub fn new(c: &StoredPriceChange) -> PriceHistoryEntry {
        PriceHistoryEntry {
            price: c.price,
            previous_price: c.previous_price,
            at: c.at,
            by: PriceActor { kind: c.actor_kind.clone(), id: c.actor_id, name: c.actor_name.clone() },
            via: c.via.as_str().to_owned(),
        }
    }
}

impl Car {
    /// The staff view of a stored car. `base_url` is the tenant's stored primary origin.
    pub fn staff(base_url: &str, car: &StoredCar, history: &[StoredPriceChange]) -> Car {
        let p = car.public_view();
        let photos = p.photos.iter().map(|ph| Photo::new(base_url, p.id, ph)).collect();
        Car {
            url: car_url(base_url, &p.slug),
            id: p.id,
            stock_no: p.stock_no,
            slug: p.slug,
            title: p.title,
            brand: p.brand,
            model: p.model,
            variant: p.variant,
            year: p.year,
            price: p.price,
            credit_price: p.credit_price,
            negotiable: p.negotiable,
            mileage_km: p.mileage_km,
            transmission: p.transmission,
            fuel: p.fuel,
            body_type: p.body_type,
            color: p.color,
            engine_cc: p.engine_cc,
            seats: p.seats,
            plate_region: p.plate_region,
            plate_parity: p.plate_parity,
            tax_paid_until: p.tax_paid_until,
            stnk: p.stnk,
            bpkb: p.bpkb,
            first_owner: p.first_owner,
            condition: p.condition,
            description: p.description,
            status: p.status,
            featured: p.featured,
            specs: p.specs,
            photos,
            updated_at: p.updated_at,
            floor_price: car.fields.floor_price,
            internal_notes: car.fields.internal_notes.clone(),
            plate_number: car.fields.plate_number.clone(),
            vin: car.fields.vin.as_ref().map(|v| v.as_str().to_owned()),
            created_at: car.created_at,
            published_at: car.published_at,
            sold_at: car.sold_at,
            price_history: history.iter().map(PriceHistoryEntry::new).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Photo {
    pub id: Uuid,
    pub position: i64,
    pub width: i64,
    pub height: i64,
    pub urls: PhotoUrls,
}

/// Absolute URLs of every size of a photo.
#[derive(Debug, Serialize, ToSchema)]
pub struct PhotoUrls {
    pub thumb: String,
    pub card: String,
    pub large: String,
    pub large_jpeg: String,
}

impl Photo {
    fn new(base_url: &str, car_id: Uuid, p: &CarPhoto) -> Photo {
        let [thumb, card, large, large_jpeg] =
            PHOTO_VARIANTS.map(|(_, file)| format!("{base_url}{}", photo_path(car_id, p.id, file)));
        Photo {
            id: p.id,
            position: p.position,
            width: p.width,
            height: p.height,
            urls: PhotoUrls { thumb, card, large, large_jpeg },
        }
    }
}

crate::api::dto::list_of!(CarList, Car, "cars");

/// The car fields a client sends. `POST /api/cars` takes them all (the required ones at
/// least); `PUT /api/cars/{id}` takes any subset, laid over the stored car. The handlers
/// read the body as a JSON object and validate it with `CarFields::from_json`, so this
/// type only documents it.
#[allow(dead_code)]
#[derive(ToSchema)]
pub struct CarInput {
    brand: String,
    model: String,
    variant: Option<String>,
    year: i64,
    /// Cash price, rupiah.
    price: i64,
    credit_price: Option<i64>,
    negotiable: Option<bool>,
    mileage_km: Option<i64>,
    #[schema(schema_with = vocab::transmission)]
    transmission: String,
    #[schema(schema_with = vocab::fuel)]
    fuel: String,
    #[schema(schema_with = vocab::body_type)]
    body_type: String,
    color: Option<String>,
    engine_cc: Option<i64>,
    seats: Option<i64>,
    /// `YYYY-MM`.
    #[schema(pattern = r"^\d{4}-\d{2}$")]
    tax_paid_until: Option<String>,
    stnk: Option<bool>,
    bpkb: Option<bool>,
    first_owner: Option<bool>,
    #[schema(schema_with = vocab::condition)]
    condition: Option<String>,
    description: Option<String>,
    #[schema(schema_with = vocab::car_status)]
    status: Option<String>,
    featured: Option<bool>,
    specs: Option<BTreeMap<String, String>>,
    /// Net price: staff only.
    floor_price: Option<i64>,
    /// Staff only.
    internal_notes: Option<String>,
    /// The full plate: staff only.
    plate_number: Option<String>,
    /// The VIN (nomor rangka): 17 letters and digits without I, O or Q; spaces and dashes
    /// are dropped and lower case is raised. `422` naming `vin` otherwise.
    #[schema(pattern = r"^[A-HJ-NPR-Za-hj-npr-z0-9 -]{17,}$")]
    vin: Option<String>,
}

/// The new photo order: every photo id of the car exactly once; the first is the cover.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PhotoOrder {
    pub order: Vec<String>,
}

/// A multipart upload: one or more `files` parts (JPEG, PNG or WebP).
#[allow(dead_code)]
#[derive(ToSchema)]
pub struct PhotoUpload {
    #[schema(value_type = Vec<String>, format = Binary)]
    files: Vec<Vec<u8>>,
}

/// The car after an upload, with the ids of the photos just added.
#[derive(Debug, Serialize, ToSchema)]
pub struct CarWithUploads {
    #[serde(flatten)]
    pub car: Car,
    pub uploaded: Vec<Uuid>,
}

/// A spreadsheet import: a multipart `file` part, or the CSV as a `text/csv` body.
#[allow(dead_code)]
#[derive(ToSchema)]
pub struct CsvUpload {
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// What an import did (or, with `dry_run`, would do), with a message per field of every
/// invalid row.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReport {
    pub dry_run: bool,
    pub rows: usize,
    pub valid: usize,
    pub created: usize,
    pub updated: usize,
    pub errors: Vec<ImportRowError>,
    pub ignored_columns: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportRowError {
    /// The line as a spreadsheet shows it: the header is line 1.
    pub row: usize,
    #[schema(value_type = BTreeMap<String, String>)]
    pub fields: FieldErrors,
}
