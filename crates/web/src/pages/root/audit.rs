//! `/audit`: the audit log of the whole platform, newest first, by showroom.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::Response;
use garasi_domain::TenantId;
use garasi_store::platform::AuditRecord;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::dashboard::MAX_COUNTED;
use super::{Root, shell};
use crate::error::AppError;
use crate::pages::admin::ui::{self, Pager, html};
use crate::pages::admin::{render, ser};
use crate::pages::site::format::truncate;
use crate::state::AppState;

const PER_PAGE: i64 = 50;

#[derive(Serialize)]
pub(crate) struct AuditView {
    at: String,
    tenant: Option<String>,
    tenant_href: Option<String>,
    actor: &'static str,
    action: String,
    action_label: &'static str,
    target: Option<String>,
    details: String,
    ip: Option<String>,
}

pub(crate) fn action_label(action: &str) -> &'static str {
    match action {
        "auth.login" => "Masuk",
        "tenant.create" => "Showroom dibuat",
        "tenant.update" => "Showroom diubah",
        "tenant.delete" => "Showroom dihapus",
        "tenant.llm_ceiling" => "Batas token AI diubah",
        "sales.create" => "Sales ditambah",
        "sales.delete" => "Sales dihapus",
        "leads.export" => "Ekspor prospek",
        "car.delete" => "Mobil dihapus",
        "settings.update" => "Pengaturan diubah",
        "conversation.take_over" => "Chat diambil alih",
        "conversation.hand_back" => "Chat diserahkan ke bot",
        other => crate::pages::admin::activity_label(other),
    }
}

pub(crate) fn views(records: &[AuditRecord], names: &HashMap<Uuid, String>) -> Vec<AuditView> {
    records
        .iter()
        .map(|r| {
            let details = r.details.0.to_string();
            AuditView {
                at: ui::wib(r.created_at),
                tenant: r.tenant_id.map(|id| names.get(&id).cloned().unwrap_or_else(|| "(showroom lain)".into())),
                tenant_href: r.tenant_id.map(|id| format!("/tenants/{id}")),
                actor: match r.actor_kind.as_str() {
                    "root" => "Root",
                    "user" => "Pengguna showroom",
                    "bot" => "Bot",
                    _ => "Sistem",
                },
                action: r.action.clone(),
                action_label: action_label(&r.action),
                target: r.target_kind.as_ref().map(|k| format!("{k} {}", r.target_id.as_deref().unwrap_or(""))),
                details: if details == "{}" { String::new() } else { truncate(&details, 160) },
                ip: r.ip.clone(),
            }
        })
        .collect()
}

#[derive(Deserialize, Default)]
pub(crate) struct AuditQuery {
    #[serde(default)]
    tenant: String,
    page: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    Root(auth): Root,
    Query(q): Query<AuditQuery>,
) -> Result<Response, AppError> {
    let platform = state.db.platform();
    let tenants = platform.list_tenants(true, MAX_COUNTED, 0).await?;
    let names: HashMap<Uuid, String> = tenants.iter().map(|t| (t.id.0, t.name.clone())).collect();
    let filter = Uuid::parse_str(q.tenant.trim()).ok().filter(|id| names.contains_key(id)).map(TenantId);
    let page = ui::page_number(q.page.as_deref());
    // One extra row tells whether a next page exists, without counting the whole log.
    let mut records = platform.audit_log(filter, PER_PAGE + 1, (page - 1) * PER_PAGE).await?;
    let has_next = records.len() as i64 > PER_PAGE;
    records.truncate(PER_PAGE as usize);
    let known_total = (page - 1) * PER_PAGE + records.len() as i64 + i64::from(has_next);
    let tenant_value = filter.map(|t| t.to_string()).unwrap_or_default();
    let pager = Pager::new("/audit", &[("tenant", tenant_value.clone())], page, PER_PAGE, known_total);
    let options: Vec<(String, String)> = tenants.iter().map(|t| (t.id.to_string(), t.name.clone())).collect();
    let shell = shell(&auth, "audit", "Log audit");
    Ok(html(render(
        &state,
        "root/audit.html",
        &shell,
        minijinja::context! {
            rows => ser(views(&records, &names)), pager => ser(&pager), tenants => ser(&options),
            tenant => tenant_value,
        },
    )))
}
