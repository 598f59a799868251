//! Visits and test drives as the API shows them, and the bodies that change them.

use chrono::{DateTime, Utc};
use garasi_domain::visit::{AppointmentStatus, VisitKind};
use garasi_store::tenant::Appointment as Stored;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::schema::Object;
use uuid::Uuid;

fn kind_schema() -> Object {
    super::words([VisitKind::Visit, VisitKind::TestDrive].map(VisitKind::as_str), false)
}

fn status_schema() -> Object {
    super::words(AppointmentStatus::ALL.map(AppointmentStatus::as_str), false)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Appointment {
    pub id: Uuid,
    #[schema(schema_with = kind_schema)]
    pub kind: VisitKind,
    #[schema(schema_with = status_schema)]
    pub status: AppointmentStatus,
    pub starts_at: DateTime<Utc>,
    /// The start in Jakarta time, as people read it ("Sabtu, 16 Mei 2026 pukul 10.00").
    pub starts_at_label: String,
    /// E.164.
    pub phone: String,
    pub name: String,
    pub lead_id: Option<Uuid>,
    pub car_id: Option<Uuid>,
    pub stock_no: Option<i64>,
    pub car_title: Option<String>,
    pub sales_id: Option<Uuid>,
    pub sales_name: Option<String>,
    pub note: String,
    /// `bot`, `dashboard` or `sales +62…`.
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Stored> for Appointment {
    fn from(a: &Stored) -> Appointment {
        let local = a.starts_at.with_timezone(&garasi_domain::time::jakarta()).naive_local();
        Appointment {
            id: a.id,
            kind: a.kind,
            status: a.status,
            starts_at: a.starts_at,
            starts_at_label: garasi_domain::visit::say_when(local),
            phone: a.phone.clone(),
            name: a.name.clone(),
            lead_id: a.lead_id,
            car_id: a.car_id,
            stock_no: a.stock_no,
            car_title: a.car_title.clone(),
            sales_id: a.sales_id,
            sales_name: a.sales_name.clone(),
            note: a.note.clone(),
            created_by: a.created_by.clone(),
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AppointmentList {
    pub items: Vec<Appointment>,
}

/// Books a visit for a lead.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppointmentInput {
    pub lead_id: Uuid,
    /// RFC 3339; inside the showroom's visiting hours and in the future.
    pub starts_at: DateTime<Utc>,
    /// `visit` (default) or `test_drive`.
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppointmentStatusInput {
    /// `scheduled`, `came`, `no_show` or `cancelled`.
    pub status: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppointmentTimeInput {
    /// RFC 3339; inside the showroom's visiting hours and in the future.
    pub starts_at: DateTime<Utc>,
}
