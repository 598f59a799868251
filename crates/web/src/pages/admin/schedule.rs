//! `/admin/jadwal`: visits and test drives of one week (Monday first, Jakarta days), as a
//! list per day that becomes a 7-column calendar on wide screens, with the status buttons
//! (datang / tidak datang / batal) and the `.ics` export of the same week. The lead page
//! lists its own appointments through [`of_lead`].

use axum::Form;
use axum::extract::{Query, State};
use axum::response::{Redirect, Response};
use chrono::{Datelike, Duration, NaiveDate};
use garasi_domain::time::{jakarta, jakarta_day_start};
use garasi_domain::visit::{self, AppointmentStatus};
use garasi_store::tenant::Appointment;
use serde::{Deserialize, Serialize};

use super::ui::{self, html};
use super::{Shell, Staff, render, ser};
use crate::api::PathId;
use crate::error::AppError;
use crate::state::AppState;

pub const PATH: &str = "/admin/jadwal";

#[derive(Debug, Deserialize)]
pub struct WeekQuery {
    /// Any day of the week to show, `YYYY-MM-DD`; default this week.
    pub minggu: Option<String>,
}

/// One appointment as the page shows it.
#[derive(Debug, Serialize)]
pub struct Row {
    pub id: String,
    pub time: String,
    pub when: String,
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub status: &'static str,
    pub status_label: &'static str,
    pub scheduled: bool,
    pub who: String,
    pub phone: String,
    pub lead_id: Option<String>,
    pub car: Option<String>,
    pub sales: Option<String>,
    pub note: String,
}

pub fn row(a: &Appointment) -> Row {
    let local = a.starts_at.with_timezone(&jakarta()).naive_local();
    let phone = ui::phone_display(&a.phone);
    Row {
        id: a.id.to_string(),
        time: local.format("%H.%M").to_string(),
        when: visit::say_when(local),
        kind: a.kind.as_str(),
        kind_label: a.kind.label(),
        status: a.status.as_str(),
        status_label: a.status.label(),
        scheduled: a.status == AppointmentStatus::Scheduled,
        who: if a.name.trim().is_empty() { phone.clone() } else { a.name.clone() },
        phone,
        lead_id: a.lead_id.map(|id| id.to_string()),
        car: a.car_title.as_ref().map(|t| match a.stock_no {
            Some(n) => format!("{t} (no. {n})"),
            None => t.clone(),
        }),
        sales: a.sales_name.clone(),
        note: a.note.clone(),
    }
}

#[derive(Debug, Serialize)]
struct Day {
    label: String,
    date: String,
    today: bool,
    rows: Vec<Row>,
}

fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

pub async fn page(
    State(state): State<AppState>,
    Staff(auth): Staff,
    Query(q): Query<WeekQuery>,
) -> Result<Response, AppError> {
    let today = state.services.clock.now().with_timezone(&jakarta()).date_naive();
    let asked = q.minggu.as_deref().and_then(|s| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok());
    let monday = monday_of(asked.unwrap_or(today));
    let start = jakarta_day_start(monday).ok_or(AppError::NotFound)?;
    let end = jakarta_day_start(monday + Duration::days(7)).ok_or(AppError::NotFound)?;
    let mut tx = state.db.tenant(auth.tenant.id).begin().await?;
    let items = tx.appointments().between(start, end).await?;
    tx.commit().await?;
    let days: Vec<Day> = (0..7)
        .map(|i| {
            let date = monday + Duration::days(i);
            let rows =
                items.iter().filter(|a| a.starts_at.with_timezone(&jakarta()).date_naive() == date).map(row).collect();
            Day {
                label: format!("{}, {}", visit::day_name(date.weekday()), visit::say_date(date)),
                date: date.format("%Y-%m-%d").to_string(),
                today: date == today,
                rows,
            }
        })
        .collect();
    let counts = AppointmentStatus::ALL.map(|s| (s.label(), items.iter().filter(|a| a.status == s).count()));
    let last = monday + Duration::days(6);
    let shell = Shell::new(&state, &auth, "schedule", "Jadwal kunjungan");
    let ctx = minijinja::context! {
        days => ser(&days),
        total => items.len(),
        counts => ser(counts),
        range => format!("{} – {}", visit::say_date(monday), visit::say_date(last)),
        week => monday.format("%Y-%m-%d").to_string(),
        prev => (monday - Duration::days(7)).format("%Y-%m-%d").to_string(),
        next => (monday + Duration::days(7)).format("%Y-%m-%d").to_string(),
        this_week => monday_of(today) == monday,
        ics => format!("/api/appointments/export.ics?from={}&to={}", monday.format("%Y-%m-%d"), last.format("%Y-%m-%d")),
    };
    Ok(html(render(&state, "admin/schedule.html", &shell, ctx)))
}

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    pub status: String,
    /// The week to come back to.
    #[serde(default)]
    pub minggu: String,
}

/// A status button: through the use case, then back to the week (the dashboard's forms
/// work without JavaScript).
pub async fn set_status(
    State(state): State<AppState>,
    Staff(auth): Staff,
    PathId(id): PathId,
    Form(form): Form<StatusForm>,
) -> Result<Response, AppError> {
    let status: AppointmentStatus =
        form.status.parse().map_err(|()| AppError::field("status", "Status jadwal tidak dikenal."))?;
    garasi_service::appointments::set_status(&state.services, &auth.actor(), &auth.tenant_db(&state), id, status)
        .await?;
    let week = NaiveDate::parse_from_str(form.minggu.trim(), "%Y-%m-%d").ok();
    let to = match week {
        Some(w) => format!("{PATH}?minggu={}", w.format("%Y-%m-%d")),
        None => PATH.to_owned(),
    };
    Ok(axum::response::IntoResponse::into_response(Redirect::to(&to)))
}

/// A lead's appointments, for the lead page.
pub async fn of_lead(
    state: &AppState,
    tenant: garasi_domain::TenantId,
    lead: uuid::Uuid,
) -> Result<Vec<Row>, AppError> {
    let mut tx = state.db.tenant(tenant).begin().await?;
    let items = tx.appointments().of_lead(lead).await?;
    tx.commit().await?;
    Ok(items.iter().map(row).collect())
}
