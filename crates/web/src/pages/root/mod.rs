//! The platform's own dashboard on the admin host: root login (separate from every
//! showroom's login), platform figures and health, showrooms (create, view, edit,
//! suspend, reactivate, delete through the same code as `/api/admin/tenants`), every
//! showroom's WhatsApp connection, and the audit log.
//!
//! Figures per showroom are read through tenant-scoped transactions (one per
//! showroom, so row-level security applies) or from platform tables; nothing here
//! reads tenant tables around RLS.

mod audit;
pub(crate) use audit::action_label as audit_action_label;
mod connections;
mod dashboard;
mod domains;
mod llm;
pub(crate) mod security;
mod tenants;

use axum::Router;
use axum::extract::{FromRequestParts, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, RequestPartsExt};
use http::StatusCode;
use http::request::Parts;
use serde::Deserialize;

use super::admin::Shell;
use super::admin::login::{end_session, finish_login};
use super::admin::ui;
use crate::auth::RootAuth;
use crate::error::AppError;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard::page))
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/tenants", get(tenants::list).post(tenants::create))
        .route("/tenants/new", get(tenants::new_form))
        .route("/tenants/{id}", get(tenants::detail).post(tenants::update))
        .route("/tenants/{id}/status", post(tenants::set_status))
        .route("/tenants/{id}/delete", post(tenants::delete))
        .route("/tenants/{id}/domains/{action}", post(domains::act))
        .route("/tenants/{id}/llm-ceiling", post(llm::save))
        .route("/connections", get(connections::page))
        .route("/connections/{id}/disconnect", post(connections::disconnect))
        .route("/audit", get(audit::page))
        .route("/login/kode", post(security::login_code))
        .route("/keamanan", get(security::page))
        .route("/keamanan/mulai", post(security::begin))
        .route("/keamanan/aktifkan", post(security::confirm))
        .route("/keamanan/nonaktifkan", post(security::disable))
        .route("/tenants/{id}/reset-link", post(tenants::reset_link))
}

/// A signed-in root user; without a session, the root login page.
pub(crate) struct Root(pub RootAuth);

impl FromRequestParts<AppState> for Root {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match RootAuth::from_request_parts(parts, state).await {
            Ok(auth) => Ok(Root(auth)),
            Err(AppError::Unauthorized) => Err(ui::to_login(parts, "/login", "/")),
            Err(e) => Err(e.into_response()),
        }
    }
}

pub(crate) fn shell(auth: &RootAuth, nav: &'static str, title: impl Into<String>) -> Shell {
    Shell {
        area: "root",
        home: "/",
        logout: "/logout",
        showroom: "Garasi Platform".into(),
        initial: "G".into(),
        site_url: None,
        user: if auth.user.name.is_empty() { auth.user.email.clone() } else { auth.user.name.clone() },
        role: "Root",
        is_admin: true,
        is_owner: false,
        nav,
        title: title.into(),
        notice: None,
    }
}

#[derive(Deserialize, Default)]
struct NextQuery {
    next: Option<String>,
}

#[derive(Deserialize, Default)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

fn login_form(state: &AppState, email: &str, next: &str, error: Option<&str>, status: StatusCode) -> Response {
    let body = state.templates.render(
        "admin/login.html",
        minijinja::context! {
            showroom => "Garasi Platform", email => email, next => next, error => error,
            action => "/login", subtitle => "Masuk sebagai admin platform",
        },
    );
    ui::html_status(status, body)
}

async fn login_page(State(state): State<AppState>, Query(q): Query<NextQuery>, mut parts: Parts) -> Response {
    let next = ui::safe_next(q.next.as_deref(), "/", "/");
    if parts.extract_with_state::<RootAuth, _>(&state).await.is_ok() {
        return ui::redirect(&parts.headers, &next);
    }
    login_form(&state, "", &next, None, StatusCode::OK)
}

async fn login_submit(State(state): State<AppState>, parts: Parts, Form(form): Form<LoginForm>) -> Response {
    let next = ui::safe_next(form.next.as_deref(), "/", "/");
    finish_login(&state, &parts, &form.email, &form.password, &next, |error, status| {
        login_form(&state, &form.email, &next, Some(error), status)
    })
    .await
}

async fn logout(State(state): State<AppState>, parts: Parts) -> Response {
    end_session(&state, parts, "/login").await
}
