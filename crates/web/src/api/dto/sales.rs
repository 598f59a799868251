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
    /// Off duty ("/libur") gets no new leads.
    pub on_duty: bool,
    /// Leads per turn of the weighted round robin (0: none).
    pub weight: i64,
    /// Own working hours (`{"days": [{"open": "08:00", "close": "17:00"} | null; 7]}`, Jakarta,
    /// Monday first); `null` follows the showroom's opening hours.
    #[schema(value_type = Option<Object>)]
    pub work_hours: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
}

impl From<&StoredSalesPerson> for SalesPerson {
    fn from(s: &StoredSalesPerson) -> SalesPerson {
        SalesPerson {
            id: s.id,
            name: s.name.clone(),
            phone: s.phone.clone(),
            active: s.active,
            on_duty: s.on_duty,
            weight: s.weight,
            work_hours: s.work_hours.as_deref().and_then(|h| serde_json::from_str(h).ok()),
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

/// On or off duty.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DutyInput {
    pub on_duty: bool,
}

/// Weight and working hours; `work_hours: null` follows the showroom's opening hours.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RoutingInput {
    pub weight: i64,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub work_hours: Option<garasi_domain::routing::WeekHours>,
}
