//! Leads: status changes, notes, hand-over to a salesperson and the export (automatic
//! assignment and response times are in [`crate::routing`]). Every
//! change writes the lead's own history (`lead_events`, shown to the showroom) and
//! an audit entry in the same transaction.

use garasi_domain::FieldErrors;
use garasi_store::tenant::{Lead, LeadEvent, LeadFilter, LeadStatus, StatusChange};
use garasi_store::{StoreError, TenantDb};
use serde_json::json;
use uuid::Uuid;

use crate::{Actor, ServiceError, ServiceResult, Services};

const NOTE_MAX: usize = 2000;

/// The message for a status that is not one of [`LeadStatus::ALL`].
pub fn status_message() -> String {
    let all: Vec<&str> = LeadStatus::ALL.iter().map(|s| s.as_str()).collect();
    format!("Status harus salah satu dari: {}.", all.join(", "))
}

fn check_note(errors: &mut FieldErrors, note: &str) {
    if note.chars().count() > NOTE_MAX {
        errors.add("note", format!("Catatan maksimal {NOTE_MAX} karakter."));
    }
}

/// Moves a lead to `status` with an optional note; answers the lead and its history.
/// Any status may follow any other; asking for the status the lead already has is a
/// field error. `by` is who the history names (a user's name or e-mail).
pub async fn change_status(
    services: &Services,
    actor: &Actor,
    tenant: &TenantDb,
    by: &str,
    id: Uuid,
    status: &str,
    note: &str,
) -> ServiceResult<(Lead, Vec<LeadEvent>)> {
    let mut errors = FieldErrors::new();
    let status = match status.trim().parse::<LeadStatus>() {
        Ok(s) => Some(s),
        Err(_) => {
            errors.add("status", status_message());
            None
        }
    };
    let note = note.trim();
    check_note(&mut errors, note);
    let Some(status) = status else {
        return Err(ServiceError::Validation(errors));
    };
    errors.into_result()?;
    let mut tx = tenant.begin_write().await?;
    let lead = match tx.leads().set_status(id, status, by, note).await? {
        StatusChange::Changed(lead) => lead,
        StatusChange::Unchanged(_) => {
            return Err(ServiceError::field("status", format!("Status prospek sudah \"{}\".", status.label())));
        }
    };
    // A person moving the lead on has been in touch with the customer: its first contact
    // (the response clock stops; see `routing`). The bot and workers do not count.
    if matches!(actor, Actor::Staff { .. } | Actor::Sales { .. }) {
        crate::routing::contacted_in(services, &mut tx, id).await?;
    }
    let events = tx.leads().events(id).await?;
    // The history's newest row is this change, with the status it actually replaced.
    let from = events.iter().rev().find(|e| e.kind == "status").and_then(|e| e.from_status.clone());
    tx.audit(&actor.audit(
        "lead.status",
        Some(("lead", id.to_string())),
        json!({ "from": from, "to": lead.status.as_str(), "note": note }),
    ))
    .await?;
    tx.commit().await?;
    Ok((lead, events))
}

/// Adds a note to a lead's history.
pub async fn add_note(
    _services: &Services,
    actor: &Actor,
    tenant: &TenantDb,
    by: &str,
    id: Uuid,
    note: &str,
) -> ServiceResult<LeadEvent> {
    let note = note.trim();
    let mut errors = FieldErrors::new();
    if note.is_empty() {
        errors.add("note", "Catatan wajib diisi.");
    }
    check_note(&mut errors, note);
    errors.into_result()?;
    let mut tx = tenant.begin_write().await?;
    let event = tx.leads().add_note(id, by, note).await?;
    tx.audit(&actor.audit("lead.note", Some(("lead", id.to_string())), json!({ "event_id": event.id }))).await?;
    tx.commit().await?;
    Ok(event)
}

/// Hands a lead to a salesperson of this showroom (or to nobody). Owners and admins only.
pub async fn assign(
    services: &Services,
    actor: &Actor,
    tenant: &TenantDb,
    by: &str,
    id: Uuid,
    sales_id: Option<Uuid>,
    note: &str,
) -> ServiceResult<Lead> {
    if !actor.can_manage() {
        return Err(ServiceError::forbidden("Hanya pemilik atau admin showroom yang boleh membagikan prospek."));
    }
    let mut errors = FieldErrors::new();
    let note = note.trim();
    check_note(&mut errors, note);
    errors.into_result()?;
    let mut tx = tenant.begin_write().await?;
    if let Some(sid) = sales_id {
        // A removed salesperson keeps their row; new leads must not go to them.
        let person = tx.sales().get(sid).await?.filter(|s| s.deleted_at.is_none());
        if person.is_none() {
            return Err(ServiceError::field("sales_id", "Sales tidak ditemukan."));
        }
    }
    let lead = tx.leads().assign(id, sales_id, by, note).await.map_err(|e| match e {
        StoreError::Conflict(_) => ServiceError::field("sales_id", "Sales tidak ditemukan."),
        other => other.into(),
    })?;
    // A new salesperson gets a fresh response clock (none once the lead was contacted).
    if let Some(sid) = sales_id {
        let settings = garasi_domain::TenantSettings::from_json(&tx.settings().get().await?);
        crate::routing::start_clock_in(services, &mut tx, &settings, id, sid).await?;
    }
    tx.audit(&actor.audit("lead.assign", Some(("lead", id.to_string())), json!({ "sales_id": sales_id }))).await?;
    tx.commit().await?;
    Ok(lead)
}

/// Every lead matching `filter`, for the spreadsheet export (owners and admins). The
/// export of customer numbers is recorded in the audit log with the filter used.
pub async fn export(
    _services: &Services,
    actor: &Actor,
    tenant: &TenantDb,
    filter: &LeadFilter,
) -> ServiceResult<Vec<Lead>> {
    if !actor.can_manage() {
        return Err(ServiceError::forbidden("Hanya pemilik atau admin showroom yang boleh melakukan ini."));
    }
    let mut tx = tenant.begin_write().await?;
    let leads = tx.leads().list(filter, i64::MAX, 0).await?;
    tx.audit(&actor.audit(
        "leads.export",
        None,
        json!({
            "rows": leads.len(),
            "status": filter.status.map(|s| s.as_str()),
            "sales_id": filter.assigned_sales_id,
            "from": filter.created_from,
            "to": filter.created_to,
        }),
    ))
    .await?;
    tx.commit().await?;
    Ok(leads)
}
