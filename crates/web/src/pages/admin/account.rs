//! `/admin/akun`: the signed-in user's own account. The password change (the current
//! one needed; every other session ends) and the active sessions (device, address,
//! last use; end one or all others), through `garasi_service::account`. A user with a
//! temporary password lands here from every other page until they replace it.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use garasi_domain::FieldErrors;
use garasi_service::account;
use garasi_store::now;
use http::{HeaderMap, StatusCode, header};
use serde::Serialize;
use uuid::Uuid;

use super::ui::{self, FormData, FormField, Toast, html, html_status, toast_oob};
use super::{Shell, Staff, render, ser};
use crate::api::PathId;
use crate::auth::lifecycle::GatedPasswords;
use crate::auth::{TenantAuth, clear_cookie};
use crate::error::AppError;
use crate::state::AppState;

pub const PATH: &str = "/admin/akun";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(PATH, get(page))
        .route("/admin/akun/sandi", post(change_password))
        .route("/admin/akun/sesi/{id}/akhiri", post(end_session))
        .route("/admin/akun/sesi/akhiri-lain", post(end_others))
}

/// "Chrome di Android" from a User-Agent header: enough to recognise one's own devices.
pub(crate) fn device_label(user_agent: Option<&str>) -> String {
    let Some(ua) = user_agent.map(str::trim).filter(|s| !s.is_empty()) else {
        return "Perangkat tidak dikenal".to_owned();
    };
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("SamsungBrowser/", "Samsung Internet"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Chromium/", "Chromium"),
        ("Safari/", "Safari"),
    ]
    .iter()
    .find(|(needle, _)| ua.contains(needle))
    .map(|(_, name)| *name);
    let os = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("CrOS", "ChromeOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Macintosh", "macOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(needle, _)| ua.contains(needle))
    .map(|(_, name)| *name);
    match (browser, os) {
        (Some(b), Some(o)) => format!("{b} di {o}"),
        (Some(b), None) => b.to_owned(),
        (None, Some(o)) => format!("Peramban di {o}"),
        // API clients: their product token ("curl/8.5" → "curl").
        (None, None) => {
            let product: String = ua.split(['/', ' ']).next().unwrap_or("").chars().take(40).collect();
            format!("Aplikasi {product}")
        }
    }
}

#[derive(Serialize)]
pub(crate) struct SessionRow {
    pub id: Uuid,
    pub device: String,
    pub ip: Option<String>,
    pub since: String,
    pub last_used: String,
    pub current: bool,
}

/// The user's active sessions, the current one first.
pub(crate) async fn session_rows(state: &AppState, auth: &TenantAuth) -> Result<Vec<SessionRow>, AppError> {
    let mut tx = state.db.tenant(auth.tenant.id).begin().await?;
    let sessions = tx.sessions().list_for_user(auth.user.id, now()).await?;
    tx.commit().await?;
    let mut rows: Vec<SessionRow> = sessions
        .into_iter()
        .map(|s| SessionRow {
            id: s.id,
            device: device_label(s.user_agent.as_deref()),
            ip: s.ip,
            since: ui::wib(s.created_at),
            last_used: ui::wib(s.last_seen_at),
            current: s.id == auth.session_id,
        })
        .collect();
    rows.sort_by_key(|r| !r.current);
    Ok(rows)
}

fn password_fields(errors: &FieldErrors, temporary: bool) -> Vec<FormField> {
    let current = if temporary { "Kata sandi sementara" } else { "Kata sandi saat ini" };
    vec![
        FormField::new("current_password", current, "password")
            .required()
            .maxlength(200)
            .autocomplete("current-password")
            .error_from(errors),
        FormField::new("new_password", "Kata sandi baru", "password")
            .required()
            .maxlength(128)
            .autocomplete("new-password")
            .help("Minimal 10 karakter. Kalimat pendek yang mudah Anda ingat lebih aman daripada kata yang umum.")
            .error_from(errors),
        FormField::new("confirm_password", "Ulangi kata sandi baru", "password")
            .required()
            .maxlength(128)
            .autocomplete("new-password")
            .error_from(errors),
    ]
}

async fn answer(
    state: &AppState,
    auth: &TenantAuth,
    headers: &HeaderMap,
    errors: &FieldErrors,
) -> Result<String, AppError> {
    let sessions = session_rows(state, auth).await?;
    let others = sessions.iter().filter(|s| !s.current).count();
    let shell = Shell::new(state, auth, "account", "Akun saya");
    let template = if ui::is_htmx(headers) { "admin/_account.html" } else { "admin/account.html" };
    let ctx = minijinja::context! {
        form => ser(password_fields(errors, auth.user.must_change_password)),
        must_change => auth.user.must_change_password, has_errors => !errors.is_empty(),
        sessions => ser(&sessions), others,
        me => minijinja::context! { name => auth.user.display_name(), email => auth.user.email.clone(), role => auth.user.role.label() },
    };
    Ok(render(state, template, &shell, ctx))
}

pub async fn page(State(state): State<AppState>, Staff(auth): Staff, headers: HeaderMap) -> Result<Response, AppError> {
    Ok(html(answer(&state, &auth, &headers, &FieldErrors::new()).await?))
}

pub async fn change_password(
    State(state): State<AppState>,
    Staff(auth): Staff,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response, AppError> {
    // Passwords are taken as typed: spaces are legitimate characters.
    let field = |name: &str| form.get(name).unwrap_or("").to_owned();
    let (current, new) = (field("current_password"), field("new_password"));
    let result = if new != field("confirm_password") {
        Err(AppError::field("confirm_password", "Kata sandi baru dan ulangannya tidak sama."))
    } else {
        let passwords = GatedPasswords::of(&state);
        account::change_password(
            &state.services,
            &auth.actor(),
            &auth.tenant_db(&state),
            auth.session_id,
            &current,
            &new,
            &passwords,
        )
        .await
        .map_err(AppError::from)
    };
    match result {
        Ok(user) => {
            let was_forced = auth.user.must_change_password;
            let auth = TenantAuth { user, ..auth };
            if was_forced {
                return Ok(ui::redirect(&headers, "/admin?notice=password_changed"));
            }
            let body = answer(&state, &auth, &headers, &FieldErrors::new()).await?;
            Ok(ui::with_toast(&state, body, Toast::Success, "Kata sandi diganti. Sesi lain sudah diakhiri."))
        }
        Err(e) => {
            let errors = ui::field_errors(e)?;
            let body = answer(&state, &auth, &headers, &errors).await?;
            let toast = toast_oob(&state, Toast::Error, "Kata sandi belum diganti. Periksa isian yang ditandai.");
            Ok(html_status(StatusCode::UNPROCESSABLE_ENTITY, format!("{body}{toast}")))
        }
    }
}

pub async fn end_session(
    State(state): State<AppState>,
    Staff(auth): Staff,
    headers: HeaderMap,
    PathId(id): PathId,
) -> Result<Response, AppError> {
    account::end_session(&state.services, &auth.actor(), &auth.tenant_db(&state), id).await?;
    if id == auth.session_id {
        // Ending this very session is signing out.
        let mut resp = ui::redirect(&headers, "/admin/login");
        resp.headers_mut().insert(header::SET_COOKIE, clear_cookie(&state));
        return Ok(resp);
    }
    let body = answer(&state, &auth, &headers, &FieldErrors::new()).await?;
    Ok(ui::with_toast(&state, body, Toast::Success, "Sesi diakhiri."))
}

pub async fn end_others(
    State(state): State<AppState>,
    Staff(auth): Staff,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let ended =
        account::end_other_sessions(&state.services, &auth.actor(), &auth.tenant_db(&state), auth.session_id).await?;
    let body = answer(&state, &auth, &headers, &FieldErrors::new()).await?;
    Ok(ui::with_toast(&state, body, Toast::Success, &format!("{ended} sesi lain diakhiri.")))
}

#[cfg(test)]
mod tests {
    use super::device_label;

    #[test]
    fn devices_read_like_people_say_them() {
        let android = "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) \
                       Chrome/126.0.0.0 Mobile Safari/537.36";
        assert_eq!(device_label(Some(android)), "Chrome di Android");
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 \
                      (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
        assert_eq!(device_label(Some(iphone)), "Safari di iPhone");
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                    Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0";
        assert_eq!(device_label(Some(edge)), "Edge di Windows");
        assert_eq!(device_label(Some("curl/8.5.0")), "Aplikasi curl");
        assert_eq!(device_label(None), "Perangkat tidak dikenal");
    }
}
