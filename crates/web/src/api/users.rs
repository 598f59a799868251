//! `/api/users`: the showroom's users, for its owner (others get 403), through
//! `garasi_service::users`. `/api/account/…`: the signed-in user's own password and
//! sessions, through `garasi_service::account`.

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use garasi_service::users::{Handover as Secret, InviteInput, OneTimeLink};
use garasi_service::{account, users};
use garasi_store::now;
use garasi_store::tenant::User;

use super::dto::users::{
    AccountSession, Ended, Handover, InviteRequest, Invited, PasswordChange, SessionList, ShowroomUser, UserList,
    UserUpdate,
};
use super::{ApiJson, InvalidInput, PathId, StaffCtx};
use crate::auth::lifecycle::GatedPasswords;
use crate::error::AppError;
use crate::pages::admin::{device_label, invite_url, user_status};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/users", get(list).post(invite))
        .route("/api/users/{id}", put(update).delete(remove))
        .route("/api/users/{id}/invite-link", post(reissue_link))
        .route("/api/users/{id}/temporary-password", post(temporary_password))
        .route("/api/account/password", put(change_password))
        .route("/api/account/sessions", get(sessions).delete(end_others))
        .route("/api/account/sessions/{id}", delete(end_session))
}

#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // read only by the OpenAPI generator
pub(crate) enum NotOwner {
    #[response(status = 403, description = "Bukan pemilik showroom.")]
    Forbidden(super::dto::ApiError),
}

async fn user_json(s: &StaffCtx, u: &User) -> Result<ShowroomUser, AppError> {
    let mut tx = s.tenant.begin().await?;
    let pending = tx.user_tokens().pending_invite(u.id, now()).await?.is_some();
    let sales_id = tx.user_sales_links().sales_of(u.id).await?;
    tx.commit().await?;
    Ok(ShowroomUser {
        id: u.id,
        email: u.email.clone(),
        name: u.name.clone(),
        role: u.role.as_str(),
        status: user_status(u, pending).0,
        must_change_password: u.must_change_password,
        sales_id,
        last_login_at: u.last_login_at,
        created_at: u.created_at,
    })
}

fn link_handover(s: &StaffCtx, link: &OneTimeLink) -> Handover {
    Handover {
        invite_url: Some(invite_url(&s.state, &s.auth, &link.token)),
        expires_at: Some(link.expires_at),
        temporary_password: None,
    }
}

#[utoipa::path(get, path = "/api/users", tag = "users", summary = "Daftar pengguna showroom (pemilik)",
    responses((status = 200, description = "Daftar", body = UserList), NotOwner))]
async fn list(s: StaffCtx) -> Result<Response, AppError> {
    s.auth.require_owner()?;
    let users = {
        let mut tx = s.tenant.begin().await?;
        let users = tx.users().list_current().await?;
        tx.commit().await?;
        users
    };
    let mut items = Vec::with_capacity(users.len());
    for u in &users {
        items.push(user_json(&s, u).await?);
    }
    Ok(axum::Json(UserList { items }).into_response())
}

#[utoipa::path(post, path = "/api/users", tag = "users",
    summary = "Undang admin atau staf dengan tautan sekali pakai (72 jam) atau kata sandi sementara (pemilik)",
    request_body = InviteRequest,
    responses((status = 201, description = "Diundang; tautan atau kata sandi hanya ditampilkan sekali", body = Invited),
        NotOwner, InvalidInput))]
async fn invite(s: StaffCtx, ApiJson(body): ApiJson<InviteRequest>) -> Result<Response, AppError> {
    let input = InviteInput { email: body.email, name: body.name, role: body.role, method: body.method };
    let passwords = GatedPasswords::of(&s.state);
    let invited = users::invite(&s.state.services, &s.actor, &s.tenant, &input, &passwords).await?;
    let handover = match &invited.handover {
        Secret::Link(link) => link_handover(&s, link),
        Secret::TemporaryPassword(p) => {
            Handover { invite_url: None, expires_at: None, temporary_password: Some(p.clone()) }
        }
    };
    let user = user_json(&s, &invited.user).await?;
    Ok((StatusCode::CREATED, axum::Json(Invited { user, handover })).into_response())
}

#[utoipa::path(put, path = "/api/users/{id}", tag = "users",
    summary = "Ubah peran, nonaktifkan/aktifkan, atau hubungkan dengan sales (pemilik)",
    params(("id" = uuid::Uuid, Path)), request_body = UserUpdate,
    responses((status = 200, description = "Pengguna", body = ShowroomUser), NotOwner, InvalidInput,
        (status = 409, description = "Pemilik aktif terakhir tidak bisa diturunkan atau dinonaktifkan.", body = super::dto::ApiError)))]
async fn update(s: StaffCtx, PathId(id): PathId, ApiJson(body): ApiJson<UserUpdate>) -> Result<Response, AppError> {
    s.auth.require_owner()?;
    let (services, actor, tenant) = (&s.state.services, &s.actor, &s.tenant);
    if let Some(role) = &body.role {
        users::set_role(services, actor, tenant, id, role).await?;
    }
    if let Some(disabled) = body.disabled {
        users::set_disabled(services, actor, tenant, id, disabled).await?;
    }
    if let Some(sales_id) = body.sales_id {
        users::link_sales(services, actor, tenant, id, sales_id).await?;
    }
    let user = {
        let mut tx = tenant.begin().await?;
        let user = tx.users().get(id).await?.filter(|u| u.deleted_at.is_none()).ok_or(AppError::NotFound)?;
        tx.commit().await?;
        user
    };
    Ok(axum::Json(user_json(&s, &user).await?).into_response())
}

#[utoipa::path(delete, path = "/api/users/{id}", tag = "users",
    summary = "Hapus pengguna (pemilik); sesi berakhir, email bisa diundang lagi",
    params(("id" = uuid::Uuid, Path)), responses((status = 204, description = "Dihapus"), NotOwner))]
async fn remove(s: StaffCtx, PathId(id): PathId) -> Result<Response, AppError> {
    users::delete(&s.state.services, &s.actor, &s.tenant, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(post, path = "/api/users/{id}/invite-link", tag = "users",
    summary = "Buat tautan undangan baru untuk pengguna yang belum pernah masuk (pemilik)",
    params(("id" = uuid::Uuid, Path)), responses((status = 200, description = "Tautan baru", body = Handover), NotOwner))]
async fn reissue_link(s: StaffCtx, PathId(id): PathId) -> Result<Response, AppError> {
    let link = users::reissue_link(&s.state.services, &s.actor, &s.tenant, id).await?;
    Ok(axum::Json(link_handover(&s, &link)).into_response())
}

#[utoipa::path(post, path = "/api/users/{id}/temporary-password", tag = "users",
    summary = "Buat kata sandi sementara (pemilik); sesi pengguna itu berakhir",
    params(("id" = uuid::Uuid, Path)), responses((status = 200, description = "Kata sandi sementara", body = Handover), NotOwner))]
async fn temporary_password(s: StaffCtx, PathId(id): PathId) -> Result<Response, AppError> {
    let passwords = GatedPasswords::of(&s.state);
    let password = users::temporary_password_for(&s.state.services, &s.actor, &s.tenant, id, &passwords).await?;
    Ok(axum::Json(Handover { invite_url: None, expires_at: None, temporary_password: Some(password) }).into_response())
}

#[utoipa::path(put, path = "/api/account/password", tag = "account",
    summary = "Ganti kata sandi sendiri; sesi lain berakhir", request_body = PasswordChange,
    responses((status = 204, description = "Diganti"), InvalidInput))]
async fn change_password(s: StaffCtx, ApiJson(body): ApiJson<PasswordChange>) -> Result<Response, AppError> {
    let passwords = GatedPasswords::of(&s.state);
    account::change_password(
        &s.state.services,
        &s.actor,
        &s.tenant,
        s.auth.session_id,
        &body.current_password,
        &body.new_password,
        &passwords,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(get, path = "/api/account/sessions", tag = "account", summary = "Sesi aktif akun sendiri",
    responses((status = 200, description = "Sesi", body = SessionList)))]
async fn sessions(s: StaffCtx) -> Result<Response, AppError> {
    let mut tx = s.tenant.begin().await?;
    let list = tx.sessions().list_for_user(s.auth.user.id, now()).await?;
    tx.commit().await?;
    let items = list
        .into_iter()
        .map(|x| AccountSession {
            id: x.id,
            device: device_label(x.user_agent.as_deref()),
            current: x.id == s.auth.session_id,
            user_agent: x.user_agent,
            ip: x.ip,
            created_at: x.created_at,
            last_seen_at: x.last_seen_at,
        })
        .collect();
    Ok(axum::Json(SessionList { items }).into_response())
}

#[utoipa::path(delete, path = "/api/account/sessions/{id}", tag = "account", summary = "Akhiri satu sesi sendiri",
    params(("id" = uuid::Uuid, Path)), responses((status = 204, description = "Diakhiri")))]
async fn end_session(s: StaffCtx, PathId(id): PathId) -> Result<Response, AppError> {
    account::end_session(&s.state.services, &s.actor, &s.tenant, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(delete, path = "/api/account/sessions", tag = "account", summary = "Akhiri semua sesi lain",
    responses((status = 200, description = "Jumlah sesi yang diakhiri", body = Ended)))]
async fn end_others(s: StaffCtx) -> Result<Response, AppError> {
    let ended = account::end_other_sessions(&s.state.services, &s.actor, &s.tenant, s.auth.session_id).await?;
    Ok(axum::Json(Ended { ended }).into_response())
}
