//! Salespeople as the API shows them, and the body that adds one.

use chrono::{DateTime, Utc};
use garasi_store::tenant::SalesPerson as StoredSalesPerson;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct SalesPerson {
    pub id: Uuid,
    pub name: String,
    /// E.164, e.g. `+6281234567890`.
    pub phone: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

impl From<&StoredSalesPerson> for SalesPerson {
    fn from(s: &StoredSalesPerson) -> SalesPerson {
        SalesPerson {
            id: s.id,
            name: s.name.clone(),
            phone: s.phone.clone(),
            active: s.active,
            created_at: s.created_at,
        }
    }
}

crate::api::dto::list_of!(SalesList, SalesPerson, "salespeople");

/// A new salesperson. Missing fields are empty and answered with a field message.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SalesInput {
    #[serde(default)]
    pub name: String,
    /// Any common Indonesian spelling (`0812…`, `62812…`, `+62 812…`).
    #[serde(default)]
    pub phone: String,
}
