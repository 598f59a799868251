//! Server-rendered pages. The full showroom site and dashboards grow here.

pub mod media;

use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use http::{HeaderValue, header};
use minijinja::context;

use crate::auth::extract::SiteTenant;
use crate::error::AppError;
use crate::state::AppState;

pub async fn tenant_home(State(state): State<AppState>, SiteTenant(tenant): SiteTenant) -> Result<Response, AppError> {
    let whatsapp_link = tenant
        .whatsapp_number
        .as_deref()
        .and_then(|n| garasi_domain::PhoneNumber::parse(n).ok())
        .map(|n| format!("https://wa.me/{}", n.digits()));
    let html = state.templates.render(
        "tenant_home.html",
        context! { tenant => minijinja::Value::from(minijinja::value::Serde(&*tenant)), base_url => state.config.tenant_url(&tenant), whatsapp_link },
    );
    Ok(Html(html).into_response())
}

pub async fn admin_home(State(state): State<AppState>) -> Result<Response, AppError> {
    let tenants = state.db.platform().count_tenants(false).await?;
    Ok(Html(state.templates.render("admin_home.html", context! { tenants })).into_response())
}

const APP_CSS: &str = include_str!("../../assets/app.css");

pub async fn app_css() -> Response {
    let mut resp = APP_CSS.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    resp
}
