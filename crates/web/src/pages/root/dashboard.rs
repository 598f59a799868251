//! `/` on the admin host: showrooms, their stock, chats and leads, and the health of
//! the platform's parts.

use std::time::Instant;

use axum::extract::{Query, State};
use axum::response::Response;
use garasi_domain::TenantStatus;
use garasi_store::platform::Tenant;
use garasi_store::tenant::{ConversationFilter, LeadFilter};
use serde::Serialize;

use super::{Root, shell};
use crate::error::AppError;
use crate::pages::admin::ui::html;
use crate::pages::admin::{render, ser};
use crate::state::AppState;

/// How many showrooms the figures are gathered from, one scoped transaction each.
pub(crate) const MAX_COUNTED: i64 = 2000;

pub(crate) use crate::pages::admin::ui::NoticeQuery;

/// One showroom's figures, read inside its own scope (RLS applies on PostgreSQL).
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct TenantCounts {
    pub cars: i64,
    pub available: i64,
    pub leads: i64,
    pub conversations: i64,
}

pub(crate) async fn tenant_counts(state: &AppState, t: &Tenant) -> Result<TenantCounts, AppError> {
    let mut tx = state.db.tenant(t.id).begin().await?;
    let stock = tx.cars().counts().await?.by_status;
    let leads = tx.leads().count(&LeadFilter::default()).await?;
    let conversations = tx.conversations().count_matching(&ConversationFilter::default()).await?;
    tx.commit().await?;
    Ok(TenantCounts {
        cars: stock.values().sum(),
        available: stock.get("available").copied().unwrap_or(0),
        leads,
        conversations,
    })
}

/// One line of the health panel.
#[derive(Serialize)]
pub(crate) struct Health {
    pub name: &'static str,
    pub ok: bool,
    pub value: String,
    pub detail: String,
}

pub async fn page(
    State(state): State<AppState>,
    Root(auth): Root,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let platform = state.db.platform();
    let tenants = platform.list_tenants(true, MAX_COUNTED, 0).await?;
    let (mut active, mut suspended, mut deleted) = (0, 0, 0);
    let mut totals = TenantCounts::default();
    let mut top: Vec<(String, String, TenantCounts)> = Vec::new();
    for t in &tenants {
        match t.status {
            TenantStatus::Active => active += 1,
            TenantStatus::Suspended => suspended += 1,
            TenantStatus::Deleted => deleted += 1,
        }
        if t.status == TenantStatus::Deleted {
            continue;
        }
        let c = tenant_counts(&state, t).await?;
        totals.cars += c.cars;
        totals.available += c.available;
        totals.leads += c.leads;
        totals.conversations += c.conversations;
        top.push((t.name.clone(), format!("/tenants/{}", t.id), c));
    }
    top.sort_by(|a, b| b.2.leads.cmp(&a.2.leads).then(b.2.cars.cmp(&a.2.cars)));
    top.truncate(8);

    let started = Instant::now();
    let db = state.db.ping().await;
    let db_ms = started.elapsed().as_millis();
    let kv_kind = state.kv.kind();
    let kv = state.kv.peek("health:root-dashboard").await;
    let mut health = vec![
        Health {
            name: "Database",
            ok: db.is_ok(),
            value: if db.is_ok() { "Normal".into() } else { "Gangguan".into() },
            detail: match state.db.backend() {
                garasi_store::Backend::Postgres => format!("PostgreSQL · {db_ms} ms"),
                garasi_store::Backend::Sqlite => format!("SQLite · {db_ms} ms"),
            },
        },
        Health {
            name: "Penyimpanan bersama",
            ok: kv.is_ok(),
            value: if kv.is_ok() { "Normal".into() } else { "Gangguan".into() },
            detail: if kv_kind == "redis" { "Redis".into() } else { "Memori (satu instance)".into() },
        },
    ];
    health.extend(super::connections::health(&state, &tenants).await?);
    let recent = platform.audit_log(None, 8, 0).await?;
    let names: std::collections::HashMap<_, _> = tenants.iter().map(|t| (t.id.0, t.name.clone())).collect();
    let recent = super::audit::views(&recent, &names);
    let ctx = minijinja::context! {
        counts => minijinja::context! { active, suspended, deleted, all => tenants.len() },
        totals => ser(&totals), top => ser(&top), health => ser(&health), recent => ser(&recent),
    };
    let shell = shell(&auth, "home", "Ringkasan platform").with_notice(q.notice.as_deref());
    Ok(html(render(&state, "root/dashboard.html", &shell, ctx)))
}
