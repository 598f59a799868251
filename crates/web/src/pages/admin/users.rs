//! `/admin/pengguna`: the owner's list of the showroom's users, the invitation form
//! and each user's actions (role, disable/enable, remove, a new invitation link or
//! temporary password, the salesperson link), all through `garasi_service::users`.
//! A one-time link or temporary password is shown once, in the answer that made it.

use std::collections::HashMap;

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use garasi_domain::{FieldErrors, Role};
use garasi_service::users::{self as service, Handover, InviteInput, OneTimeLink};
use garasi_store::now;
use garasi_store::tenant::User;
use http::{HeaderMap, StatusCode};
use serde::Serialize;
use uuid::Uuid;

use super::ui::{self, FormData, FormField, Toast, html, html_status, toast_oob};
use super::{Shell, Staff, render, ser};
use crate::api::PathId;
use crate::auth::TenantAuth;
use crate::auth::lifecycle::GatedPasswords;
use crate::error::AppError;
use crate::state::AppState;

pub const PATH: &str = "/admin/pengguna";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(PATH, get(page).post(invite))
        .route("/admin/pengguna/{id}/peran", post(set_role))
        .route("/admin/pengguna/{id}/nonaktifkan", post(disable))
        .route("/admin/pengguna/{id}/aktifkan", post(enable))
        .route("/admin/pengguna/{id}/hapus", post(remove))
        .route("/admin/pengguna/{id}/tautan", post(reissue_link))
        .route("/admin/pengguna/{id}/sandi-sementara", post(temporary_password))
        .route("/admin/pengguna/{id}/sales", post(link_sales))
}

/// The showroom's absolute URL of an invitation link.
pub(crate) fn invite_url(state: &AppState, auth: &TenantAuth, token: &str) -> String {
    format!("{}/admin/undangan/{token}", state.config.tenant_url(&auth.tenant))
}

/// Where a user stands, as the list shows it.
pub(crate) fn status_of(u: &User, invite_pending: bool) -> (&'static str, &'static str) {
    if u.deleted_at.is_some() {
        ("deleted", "Dihapus")
    } else if u.disabled_at.is_some() {
        ("disabled", "Nonaktif")
    } else if invite_pending && u.last_login_at.is_none() {
        ("invited", "Menunggu undangan diterima")
    } else if u.must_change_password {
        ("must_change", "Harus ganti kata sandi")
    } else {
        ("active", "Aktif")
    }
}

#[derive(Serialize)]
struct UserRow {
    id: Uuid,
    name: String,
    email: String,
    role: &'static str,
    role_label: &'static str,
    status: &'static str,
    status_label: &'static str,
    last_login: Option<String>,
    sales_id: String,
    sales_name: Option<String>,
    is_self: bool,
    can_reissue: bool,
}

/// Shown once after an invitation, a new link or a temporary password.
#[derive(Serialize)]
struct Shown {
    who: String,
    link: Option<String>,
    password: Option<String>,
    expires: Option<String>,
}

fn role_options(with_owner: bool) -> Vec<(String, String)> {
    Role::ALL
        .iter()
        .filter(|r| with_owner || **r != Role::Owner)
        .map(|r| (r.as_str().to_owned(), r.label().to_owned()))
        .collect()
}

fn invite_fields(input: &InviteInput, errors: &FieldErrors) -> Vec<FormField> {
    let method_options = vec![
        ("link".to_owned(), "Tautan undangan (berlaku 72 jam)".to_owned()),
        ("temporary_password".to_owned(), "Kata sandi sementara".to_owned()),
    ];
    vec![
        FormField::new("name", "Nama", "text")
            .value(&input.name)
            .required()
            .maxlength(80)
            .autocomplete("off")
            .placeholder("Siti Rahma")
            .error_from(errors),
        FormField::new("email", "Email", "email")
            .value(&input.email)
            .required()
            .maxlength(254)
            .inputmode("email")
            .autocomplete("off")
            .placeholder("siti@contoh.id")
            .error_from(errors),
        FormField::new("role", "Peran", "select")
            .value(if input.role.is_empty() { "staff" } else { &input.role })
            .required()
            .options(role_options(false))
            .help("Admin mengelola mobil, prospek dan pengaturan. Staf mengurus mobil dan prospek.")
            .error_from(errors),
        FormField::new("method", "Cara masuk pertama", "select")
            .value(if input.method.is_empty() { "link" } else { &input.method })
            .required()
            .options(method_options)
            .help("Tautan atau kata sandi ditampilkan sekali untuk Anda salin dan kirim sendiri.")
            .error_from(errors),
    ]
}

async fn rows(state: &AppState, auth: &TenantAuth) -> Result<(Vec<UserRow>, Vec<(String, String)>), AppError> {
    let at = now();
    let mut tx = state.db.tenant(auth.tenant.id).begin().await?;
    let users = tx.users().list_current().await?;
    let links: HashMap<Uuid, Uuid> = tx.user_sales_links().list().await?.into_iter().collect();
    let sales = super::leads::sales_options(&mut tx).await?;
    let mut out = Vec::with_capacity(users.len());
    for u in users {
        let pending = tx.user_tokens().pending_invite(u.id, at).await?.is_some();
        let (status, status_label) = status_of(&u, pending);
        let sales_id = links.get(&u.id).map(Uuid::to_string).unwrap_or_default();
        let sales_name = sales.iter().find(|(id, _)| *id == sales_id).map(|(_, n)| n.clone());
        out.push(UserRow {
            id: u.id,
            name: u.display_name().to_owned(),
            email: u.email.clone(),
            role: u.role.as_str(),
            role_label: u.role.label(),
            status,
            status_label,
            last_login: u.last_login_at.map(ui::wib),
            sales_id,
            sales_name,
            is_self: u.id == auth.user.id,
            can_reissue: u.last_login_at.is_none() && u.disabled_at.is_none(),
        });
    }
    tx.commit().await?;
    Ok((out, sales))
}

/// Renders the page (or, for htmx, the `#users` fragment) with the invite form's values.
async fn answer(
    state: &AppState,
    auth: &TenantAuth,
    headers: &HeaderMap,
    input: &InviteInput,
    errors: &FieldErrors,
    shown: Option<Shown>,
) -> Result<String, AppError> {
    let (rows, sales) = rows(state, auth).await?;
    let shell = Shell::new(state, auth, "users", "Pengguna");
    let template = if ui::is_htmx(headers) { "admin/_users.html" } else { "admin/users.html" };
    let ctx = minijinja::context! {
        rows => ser(&rows), form => ser(invite_fields(input, errors)), roles => ser(role_options(true)),
        sales => ser(&sales), shown => ser(&shown), has_errors => !errors.is_empty(),
    };
    Ok(render(state, template, &shell, ctx))
}

pub async fn page(State(state): State<AppState>, Staff(auth): Staff, headers: HeaderMap) -> Result<Response, AppError> {
    auth.require_owner()?;
    let body = answer(&state, &auth, &headers, &InviteInput::default(), &FieldErrors::new(), None).await?;
    Ok(html(body))
}

fn link_shown(state: &AppState, auth: &TenantAuth, who: &str, link: &OneTimeLink) -> Shown {
    Shown {
        who: who.to_owned(),
        link: Some(invite_url(state, auth, &link.token)),
        password: None,
        expires: Some(ui::wib(link.expires_at)),
    }
}

pub async fn invite(
    State(state): State<AppState>,
    Staff(auth): Staff,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response, AppError> {
    let input = InviteInput {
        email: form.text("email"),
        name: form.text("name"),
        role: form.text("role"),
        method: form.text("method"),
    };
    let passwords = GatedPasswords::of(&state);
    let done = service::invite(&state.services, &auth.actor(), &auth.tenant_db(&state), &input, &passwords).await;
    match done.map_err(AppError::from) {
        Ok(invited) => {
            let who = invited.user.display_name().to_owned();
            let shown = match &invited.handover {
                Handover::Link(link) => link_shown(&state, &auth, &who, link),
                Handover::TemporaryPassword(p) => {
                    Shown { who: who.clone(), link: None, password: Some(p.clone()), expires: None }
                }
            };
            let body =
                answer(&state, &auth, &headers, &InviteInput::default(), &FieldErrors::new(), Some(shown)).await?;
            Ok(ui::with_toast(&state, body, Toast::Success, &format!("{who} diundang.")))
        }
        Err(e) => {
            let errors = ui::field_errors(e)?;
            let body = answer(&state, &auth, &headers, &input, &errors, None).await?;
            let toast = toast_oob(&state, Toast::Error, "Periksa kembali isian yang ditandai.");
            Ok(html_status(StatusCode::UNPROCESSABLE_ENTITY, format!("{body}{toast}")))
        }
    }
}

/// The list again after an action, with a toast; `shown` carries a new secret.
async fn after(
    state: &AppState,
    auth: &TenantAuth,
    headers: &HeaderMap,
    message: &str,
    shown: Option<Shown>,
) -> Result<Response, AppError> {
    let body = answer(state, auth, headers, &InviteInput::default(), &FieldErrors::new(), shown).await?;
    Ok(ui::with_toast(state, body, Toast::Success, message))
}

/// The user's name for a toast; `NotFound` for other showrooms' ids and removed users.
async fn name_of(state: &AppState, auth: &TenantAuth, id: Uuid) -> Result<String, AppError> {
    let mut tx = state.db.tenant(auth.tenant.id).begin().await?;
    let user = tx.users().get(id).await?.filter(|u| u.deleted_at.is_none()).ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(user.display_name().to_owned())
}

pub async fn set_role(
    State(state): State<AppState>,
    Staff(auth): Staff,
    headers: HeaderMap,
    PathId(id): PathId,
    form: FormData,
) -> Result<Response, AppError> {
    let user =
        service::set_role(&state.services, &auth.actor(), &auth.tenant_db(&state), id, &form.text("role")).await?;
    let message = format!("Peran {} sekarang {}.", user.display_name(), user.role.label());
    after(&state, &auth, &headers, &message, None).await
}

async fn toggle(
    state: AppState,
    auth: TenantAuth,
    headers: HeaderMap,
    id: Uuid,
    off: bool,
) -> Result<Response, AppError> {
    let user = service::set_disabled(&state.services, &auth.actor(), &auth.tenant_db(&state), id, off).await?;
    let message = if off {
        format!("{} dinonaktifkan; semua sesinya diakhiri.", user.display_name())
    } else {
        format!("{} aktif kembali.", user.display_name())
    };
    after(&state, &auth, &headers, &message, None).await
}

pub async fn disable(
    State(state): State<AppState>,
    Staff(auth): Staff,
    headers: HeaderMap,
    PathId(id): PathId,
) -> Result<Response, AppError> {
    toggle(state, auth, headers, id, true).await
}

pub async fn enable(
    State(state): State<AppState>,
    Staff(auth): Staff,
    headers: HeaderMap,
    PathId(id): PathId,
) -> Result<Response, AppError> {
    toggle(state, auth, headers, id, false).await
}

pub async fn remove(
    State(state): State<AppState>,
    Staff(auth): Staff,
    headers: HeaderMap,
    PathId(id): PathId,
) -> Result<Response, AppError> {
    auth.require_owner()?;
    let name = name_of(&state, &auth, id).await?;
    service::delete(&state.services, &auth.actor(), &auth.tenant_db(&state), id).await?;
    after(&state, &auth, &headers, &format!("{name} dihapus."), None).await
}

pub async fn reissue_link(
    State(state): State<AppState>,
    Staff(auth): Staff,
    headers: HeaderMap,
    PathId(id): PathId,
) -> Result<Response, AppError> {
    auth.require_owner()?;
    let name = name_of(&state, &auth, id).await?;
    let link = service::reissue_link(&state.services, &auth.actor(), &auth.tenant_db(&state), id).await?;
    let shown = link_shown(&state, &auth, &name, &link);
    after(&state, &auth, &headers, "Tautan undangan baru dibuat; tautan lama tidak berlaku lagi.", Some(shown)).await
}

pub async fn temporary_password(
    State(state): State<AppState>,
    Staff(auth): Staff,
    headers: HeaderMap,
    PathId(id): PathId,
) -> Result<Response, AppError> {
    auth.require_owner()?;
    let name = name_of(&state, &auth, id).await?;
    let passwords = GatedPasswords::of(&state);
    let password =
        service::temporary_password_for(&state.services, &auth.actor(), &auth.tenant_db(&state), id, &passwords)
            .await?;
    let shown = Shown { who: name, link: None, password: Some(password), expires: None };
    after(&state, &auth, &headers, "Kata sandi sementara dibuat; sesi lama pengguna ini diakhiri.", Some(shown)).await
}

pub async fn link_sales(
    State(state): State<AppState>,
    Staff(auth): Staff,
    headers: HeaderMap,
    PathId(id): PathId,
    form: FormData,
) -> Result<Response, AppError> {
    let raw = form.text("sales_id");
    let sales_id = if raw.is_empty() {
        None
    } else {
        Some(Uuid::parse_str(&raw).map_err(|_| AppError::field("sales_id", "Sales ini tidak ditemukan."))?)
    };
    service::link_sales(&state.services, &auth.actor(), &auth.tenant_db(&state), id, sales_id).await?;
    let message =
        if sales_id.is_some() { "Akun terhubung dengan data sales." } else { "Hubungan dengan sales dilepas." };
    after(&state, &auth, &headers, message, None).await
}
