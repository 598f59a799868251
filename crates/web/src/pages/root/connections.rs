//! `/connections`: every showroom's WhatsApp connection with its health, and force
//! disconnect. Statuses come from the channels manager, which reads each showroom's
//! channel row inside that showroom's scope.

use axum::extract::State;
use axum::response::Response;
use garasi_domain::{TenantId, TenantStatus};
use garasi_store::platform::Tenant;
use http::HeaderMap;
use serde::Serialize;

use super::dashboard::{Health, MAX_COUNTED};
use super::{Root, shell};
use crate::api::PathId;
use crate::error::AppError;
use crate::pages::admin::ui::{self, Toast, html, with_toast};
use crate::pages::admin::whatsapp::{Summary, summarize};
use crate::pages::admin::{render, ser};
use crate::state::AppState;

pub(crate) async fn tenant_connection(state: &AppState, t: &Tenant) -> Result<Option<Summary>, AppError> {
    match &state.whatsapp {
        Some(ch) if t.status != TenantStatus::Deleted => Ok(Some(summarize(&ch.status(t.id).await?))),
        _ => Ok(None),
    }
}

/// The WhatsApp line of the dashboard's health panel: connections by state.
pub(crate) async fn health(state: &AppState, tenants: &[Tenant]) -> Result<Vec<Health>, AppError> {
    let Some(ch) = &state.whatsapp else {
        return Ok(vec![Health {
            name: "WhatsApp",
            ok: false,
            value: "Tidak berjalan".into(),
            detail: "Layanan saluran WhatsApp tidak aktif di server ini.".into(),
        }]);
    };
    let (mut connected, mut trouble, mut waiting, mut none) = (0, 0, 0, 0);
    for t in tenants.iter().filter(|t| t.status == TenantStatus::Active) {
        let v = ch.status(t.id).await?;
        if v.kind == "simulator" {
            none += 1;
        } else if v.alert {
            trouble += 1;
        } else if v.status == garasi_channels::ConnState::Connected {
            connected += 1;
        } else {
            waiting += 1;
        }
    }
    Ok(vec![Health {
        name: "WhatsApp",
        ok: trouble == 0,
        value: format!("{connected} tersambung"),
        detail: format!("{trouble} bermasalah · {waiting} menunggu · {none} belum diatur"),
    }])
}

#[derive(Serialize)]
struct Row {
    id: String,
    name: String,
    href: String,
    s: Summary,
    can_disconnect: bool,
}

async fn rows(state: &AppState) -> Result<Vec<Row>, AppError> {
    let tenants = state.db.platform().list_tenants(false, MAX_COUNTED, 0).await?;
    let mut out = Vec::new();
    for t in &tenants {
        if let Some(s) = tenant_connection(state, t).await? {
            out.push(Row {
                id: t.id.to_string(),
                name: t.name.clone(),
                href: format!("/tenants/{}", t.id),
                can_disconnect: s.kind != "simulator" && !matches!(s.tone, "muted"),
                s,
            });
        }
    }
    // Trouble first, then the ones that work, then the rest.
    out.sort_by_key(|r| {
        (
            match r.s.tone {
                "bad" => 0,
                "warn" => 1,
                "ok" => 2,
                _ => 3,
            },
            r.name.clone(),
        )
    });
    Ok(out)
}

pub async fn page(State(state): State<AppState>, Root(auth): Root) -> Result<Response, AppError> {
    let rows = rows(&state).await?;
    let shell = shell(&auth, "connections", "Koneksi WhatsApp");
    Ok(html(render(
        &state,
        "root/connections.html",
        &shell,
        minijinja::context! { rows => ser(&rows), running => state.whatsapp.is_some() },
    )))
}

/// Stops a showroom's connection (the session stays; the showroom can reconnect).
pub async fn disconnect(
    State(state): State<AppState>,
    Root(auth): Root,
    headers: HeaderMap,
    PathId(id): PathId<TenantId>,
) -> Result<Response, AppError> {
    let t = state.db.platform().tenant(id).await?.ok_or(AppError::NotFound)?;
    let ch = crate::api::whatsapp::channels(&state)?;
    garasi_service::whatsapp::force_disconnect(&state.services, &auth.actor(), &state.db.tenant(id), ch).await?;
    if !ui::is_htmx(&headers) {
        return Ok(ui::redirect(&headers, "/connections"));
    }
    let rows = rows(&state).await?;
    let shell = shell(&auth, "connections", "Koneksi WhatsApp");
    let body =
        render(&state, "root/connections.html", &shell, minijinja::context! { rows => ser(&rows), running => true });
    Ok(with_toast(&state, body, Toast::Success, &format!("Koneksi WhatsApp {} diputus.", t.name)))
}
