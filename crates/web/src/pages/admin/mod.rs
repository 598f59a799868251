//! The showroom's dashboard at `/admin` on its own host: HTML rendered on the server,
//! enhanced with htmx, in Indonesian.
//!
//! Every page authenticates with [`Staff`] (the same session as the JSON API, found in
//! the tenant's own rows) and reads and writes through the tenant-scoped repositories
//! and the same validation as the API. Without a session a page answers with the
//! login page. Unsafe requests pass the same-origin check like every other route.
//! Photo uploads, photo order, CSV import and export and the bot simulator call the
//! JSON API from the browser.

mod account;
mod activity;
mod analytics;
mod bot;
mod cars;
mod charts;
mod conversations;
mod dashboard;
mod domain;
mod guide;
mod invite;
mod leads;
pub(crate) mod login;
mod my_leads;
pub(crate) mod password_reset;
mod sales;
mod schedule;
mod settings;
pub(crate) mod ui;
mod users;
pub(crate) mod whatsapp;

pub(crate) use account::device_label;
pub(crate) use activity::action_label as activity_label;
pub(crate) use users::{invite_url, status_of as user_status};

use axum::Router;
use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http::request::Parts;
use minijinja::Environment;
use minijinja::value::Value;
use serde::Serialize;

use crate::auth::TenantAuth;
use crate::error::AppError;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/login", get(login::page).post(login::submit))
        .route("/admin/logout", post(login::logout))
        .route("/admin", get(dashboard::page))
        .route("/admin/cars", get(cars::list).post(cars::create))
        .route("/admin/cars/new", get(cars::new_form))
        .route("/admin/cars/import", get(cars::import_page))
        .route("/admin/cars/{id}", get(cars::edit_form).post(cars::update))
        .route("/admin/cars/{id}/status", post(cars::set_status))
        .route("/admin/cars/{id}/delete", post(cars::delete))
        .route("/admin/cars/{id}/photos", get(cars::photos))
        .route("/admin/sales", get(sales::list).post(sales::create))
        .route("/admin/sales/{id}", get(sales::detail))
        .route("/admin/sales/{id}/delete", post(sales::remove))
        .route("/admin/sales/{id}/duty", post(sales::duty))
        .route("/admin/sales/{id}/jadwal", post(sales::save_routing))
        .route("/admin/leads", get(leads::list))
        .route("/admin/leads/board", get(leads::board))
        .route("/admin/leads/{id}", get(leads::detail))
        .route("/admin/leads/{id}/status", post(leads::set_status))
        .route("/admin/leads/{id}/notes", post(leads::add_note))
        .route("/admin/conversations", get(conversations::list))
        .route("/admin/conversations/{id}", get(conversations::detail))
        .route("/admin/conversations/{id}/takeover", post(conversations::take_over))
        .route("/admin/conversations/{id}/handback", post(conversations::hand_back))
        .route("/admin/analytics", get(analytics::page))
        .route("/admin/whatsapp", get(whatsapp::page))
        .route("/admin/whatsapp/dead-letters", get(whatsapp::dead_letters))
        .route("/admin/whatsapp/test", post(whatsapp::test_message))
        .route("/admin/whatsapp/pairing", get(whatsapp::pairing::card))
        .route("/admin/whatsapp/pairing/body", get(whatsapp::pairing::body))
        .route("/admin/whatsapp/pairing/start", post(whatsapp::pairing::start))
        .route("/admin/whatsapp/pairing/disconnect", post(whatsapp::pairing::disconnect))
        .route("/admin/whatsapp/pairing/logout", post(whatsapp::pairing::logout))
        .route("/admin/bot", get(bot::page))
        .route("/admin/settings", get(settings::page).post(settings::save))
        .route("/admin/settings/feed-token", post(settings::rotate_feed_token))
        .route("/admin/bantuan", get(guide::page))
        .route("/admin/domain", get(domain::page).post(domain::add))
        .route("/admin/domain/verify", post(domain::verify))
        .route("/admin/domain/remove", post(domain::remove))
        .route("/admin/lupa-password", get(password_reset::request_page).post(password_reset::request))
        .route("/admin/reset-password/{token}", get(password_reset::reset_page).post(password_reset::reset))
        .route("/admin/reset-link/{user_id}", post(password_reset::make_link))
        .merge(users::routes())
        .merge(account::routes())
        .merge(invite::routes())
        .route("/admin/aktivitas", get(activity::page))
        .route("/admin/prospek-saya", get(my_leads::page))
        .route(schedule::PATH, get(schedule::page))
        .route("/admin/jadwal/{id}/status", post(schedule::set_status))
}

/// A signed-in showroom user on an admin page. Without a session the request gets
/// the login page instead (htmx requests an `HX-Redirect` to it).
pub(crate) struct Staff(pub TenantAuth);

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match TenantAuth::from_request_parts(parts, state).await {
            // A temporary password is replaced before anything else is shown.
            Ok(auth) if auth.user.must_change_password && !parts.uri.path().starts_with(account::PATH) => {
                Err(ui::redirect(&parts.headers, account::PATH))
            }
            Ok(auth) => Ok(Staff(auth)),
            Err(AppError::Unauthorized) => Err(ui::to_login(parts, "/admin/login", "/admin")),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// What the layout shows around every page: the showroom, the user, the menu.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Shell {
    /// `admin` (a showroom) or `root` (the platform).
    pub area: &'static str,
    pub home: &'static str,
    pub logout: &'static str,
    pub showroom: String,
    pub initial: String,
    pub site_url: Option<String>,
    pub user: String,
    pub role: &'static str,
    pub is_admin: bool,
    /// Owners manage users and read the activity log.
    pub is_owner: bool,
    /// Which menu entry is current.
    pub nav: &'static str,
    pub title: String,
    /// A one-off message after a redirect (`?notice=`).
    pub notice: Option<&'static str>,
}

impl Shell {
    pub fn new(state: &AppState, auth: &TenantAuth, nav: &'static str, title: impl Into<String>) -> Shell {
        let initial = auth.tenant.name.chars().find(|c| c.is_alphanumeric()).unwrap_or('G').to_uppercase().to_string();
        Shell {
            area: "admin",
            home: "/admin",
            logout: "/admin/logout",
            showroom: auth.tenant.name.clone(),
            initial,
            site_url: Some(state.config.tenant_url(&auth.tenant)),
            user: auth.actor_label(),
            role: auth.user.role.label(),
            is_admin: auth.user.role.is_admin(),
            is_owner: auth.user.role == garasi_domain::Role::Owner,
            nav,
            title: title.into(),
            notice: None,
        }
    }

    pub fn with_notice(mut self, code: Option<&str>) -> Shell {
        self.notice = ui::notice(code);
        self
    }
}

/// Any serialisable value as a template value.
pub(crate) fn ser<T: Serialize>(v: T) -> Value {
    Value::from(minijinja::value::Serde(v))
}

/// Renders a dashboard template with the shell and the page's own values.
pub(crate) fn render(state: &AppState, template: &str, shell: &Shell, page: Value) -> String {
    state.templates.render(template, minijinja::context! { shell => ser(shell), ..page })
}

/// Adds the dashboards' templates (tenant admin and root admin) and filters.
pub fn register_templates(env: &mut Environment<'static>) {
    macro_rules! templates {
        ($($name:literal),+ $(,)?) => {
            $( env
                .add_template($name, include_str!(concat!("../../../templates/", $name)))
                .expect(concat!("template ", $name, " must compile")); )+
        };
    }
    templates!(
        "admin/macros.html",
        "admin/layout.html",
        "admin/login.html",
        "admin/dashboard.html",
        "admin/cars.html",
        "admin/_car_rows.html",
        "admin/_car_row.html",
        "admin/car_form.html",
        "admin/_car_fields.html",
        "admin/_photos.html",
        "admin/cars_import.html",
        "admin/sales.html",
        "admin/_sales_list.html",
        "admin/sales_detail.html",
        "admin/leads.html",
        "admin/_lead_rows.html",
        "admin/lead.html",
        "admin/_lead_status.html",
        "admin/_lead_history.html",
        "admin/board.html",
        "admin/_board.html",
        "admin/conversations.html",
        "admin/_conversation_rows.html",
        "admin/conversation.html",
        "admin/_thread.html",
        "admin/_bot_control.html",
        "admin/analytics.html",
        "admin/whatsapp.html",
        "admin/_dead_letters.html",
        "admin/_wa_test.html",
        "admin/_wa_pairing.html",
        "admin/_wa_pairing_body.html",
        "admin/bot.html",
        "admin/settings.html",
        "admin/domain.html",
        "admin/guide.html",
        "admin/users.html",
        "admin/_users.html",
        "admin/account.html",
        "admin/_account.html",
        "admin/invite.html",
        "admin/activity.html",
        "admin/my_leads.html",
        "admin/schedule.html",
        "root/dashboard.html",
        "root/_audit_table.html",
        "root/tenants.html",
        "root/tenant_new.html",
        "root/_tenant_new_form.html",
        "root/tenant.html",
        "root/_tenant_edit_form.html",
        "root/connections.html",
        "root/audit.html",
        "admin/auth_layout.html",
        "root/login_code.html",
        "root/security.html",
        "admin/forgot_password.html",
        "admin/reset_password.html",
        "admin/_reset_link.html",
    );
    ui::register_filters(env);
}
