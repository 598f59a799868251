//! A car in a showroom's stock: its vocabulary (transmission, fuel, body type,
//! status…), its plate, and the validated set of fields a car is made of.
//!
//! One validator ([`CarFields::from_json`]) serves the JSON API, the admin forms
//! and spreadsheet import alike, so the same input gets the same Indonesian
//! messages wherever it comes from.

mod entity;
mod enums;
mod fields;
mod plate;
mod price;
mod query;
mod vin;

pub use entity::{Car, CarPhoto, PublicCar};
pub use enums::{BodyType, CarStatus, Condition, Fuel, PlateParity, Transmission};
pub use fields::{CAR_FIELDS, CarFields, READ_ONLY_FIELDS, YearMonth};
pub use plate::PlateNumber;
pub use price::{PRICE_DROP_DAYS, PriceChange, PriceVia, shows_price_drop};
pub use query::{CarFilter, CarSort, model_key};
pub use vin::{Vin, VinError};
