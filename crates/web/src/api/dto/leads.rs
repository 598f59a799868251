//! Leads and their history as the API shows them, and the bodies that change them.

use chrono::{DateTime, Utc};
use garasi_store::tenant::{Lead as StoredLead, LeadEvent as StoredLeadEvent, LeadStatus, PaymentMethod};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::vocab;

#[derive(Debug, Serialize, ToSchema)]
pub struct Lead {
    pub id: Uuid,
    pub phone: String,
    pub name: String,
    #[schema(schema_with = vocab::lead_status)]
    pub status: LeadStatus,
    pub car_id: Option<Uuid>,
    pub stock_no: Option<i64>,
    pub conversation_id: Option<Uuid>,
    pub assigned_sales_id: Option<Uuid>,
    pub assigned_sales_name: Option<String>,
    /// Whole rupiah.
    pub budget: Option<i64>,
    #[schema(schema_with = vocab::payment_method_or_null)]
    pub payment_method: Option<PaymentMethod>,
    pub notes: String,
    /// Where the lead came from, e.g. `whatsapp`, `simulator`, `web`.
    pub source: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&StoredLead> for Lead {
    fn from(l: &StoredLead) -> Lead {
        Lead {
            id: l.id,
            phone: l.phone.clone(),
            name: l.name.clone(),
            status: l.status,
            car_id: l.car_id,
            stock_no: l.stock_no,
            conversation_id: l.conversation_id,
            assigned_sales_id: l.assigned_sales_id,
            assigned_sales_name: l.assigned_sales_name.clone(),
            budget: l.budget,
            payment_method: l.payment_method,
            notes: l.notes.clone(),
            source: l.source.clone(),
            created_at: l.created_at,
            updated_at: l.updated_at,
        }
    }
}

/// One entry of a lead's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeadEvent {
    pub id: Uuid,
    /// `created`, `status`, `note` or `assigned`.
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub note: String,
    /// A user's name or e-mail, `bot` or `system`.
    pub actor: String,
    pub created_at: DateTime<Utc>,
}

impl From<&StoredLeadEvent> for LeadEvent {
    fn from(e: &StoredLeadEvent) -> LeadEvent {
        LeadEvent {
            id: e.id,
            kind: e.kind.clone(),
            from_status: e.from_status.clone(),
            to_status: e.to_status.clone(),
            note: e.note.clone(),
            actor: e.actor.clone(),
            created_at: e.created_at,
        }
    }
}

/// A lead with its history, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeadDetail {
    #[serde(flatten)]
    pub lead: Lead,
    pub events: Vec<LeadEvent>,
}

impl LeadDetail {
    pub fn new(lead: &StoredLead, events: &[StoredLeadEvent]) -> LeadDetail {
        LeadDetail { lead: lead.into(), events: events.iter().map(LeadEvent::from).collect() }
    }
}

crate::api::dto::list_of!(LeadList, Lead, "leads");

/// A status change, with an optional note for the history.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LeadStatusInput {
    #[serde(default)]
    #[schema(schema_with = vocab::lead_status)]
    pub status: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LeadNoteInput {
    #[serde(default)]
    pub note: String,
}
