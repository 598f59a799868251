//! `/admin`: what a showroom owner wants to see first: stock, new leads, today's
//! chats, the WhatsApp connection and the next thing to do.

use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{Datelike, Duration};
use garasi_domain::car::CarStatus;
use garasi_store::tenant::{ConversationFilter, LeadFilter};
use serde::Serialize;

use super::conversations::{ConversationRow, conversation_rows};
use super::leads::{LeadRow, lead_row};
use super::ui::{self, html};
use super::{Shell, Staff, render, ser};
use crate::error::AppError;
use crate::state::AppState;

pub(crate) use super::ui::NoticeQuery;

#[derive(Serialize)]
struct Stat {
    label: &'static str,
    value: i64,
    href: String,
    tone: &'static str,
}

pub async fn page(
    State(state): State<AppState>,
    Staff(auth): Staff,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let today = ui::today();
    let week_start = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let month_start = today.with_day(1).unwrap_or(today);
    let mut tx = state.db.tenant(auth.tenant.id).begin().await?;
    let stock = tx.cars().counts().await?.by_status;
    let leads_since = |from| LeadFilter { created_from: Some(from), ..LeadFilter::default() };
    let leads_today = tx.leads().count(&leads_since(today)).await?;
    let leads_week = tx.leads().count(&leads_since(week_start)).await?;
    let leads_month = tx.leads().count(&leads_since(month_start)).await?;
    let new_leads = tx
        .leads()
        .count(&LeadFilter { status: Some(garasi_store::tenant::LeadStatus::New), ..LeadFilter::default() })
        .await?;
    let chats_today = tx
        .conversations()
        .count_matching(&ConversationFilter {
            active_from: Some(ui::day_start(today)),
            ..ConversationFilter::default()
        })
        .await?;
    let recent_leads = tx.leads().list(&LeadFilter::default(), 6, 0).await?;
    let recent_chats = tx.conversations().search(&ConversationFilter::default(), 6, 0).await?;
    let chat_rows = conversation_rows(&mut tx, &recent_chats).await?;
    tx.commit().await?;
    let whatsapp = super::whatsapp::summary(&state, auth.tenant.id).await?;
    let failing_domains = super::domain::failing(&state, &auth).await?;

    let count = |s: CarStatus| stock.get(s.as_str()).copied().unwrap_or(0);
    let stock_stats = vec![
        Stat {
            label: "Tersedia",
            value: count(CarStatus::Available),
            href: "/admin/cars?status=available".into(),
            tone: "ok",
        },
        Stat {
            label: "Dipesan",
            value: count(CarStatus::Booked),
            href: "/admin/cars?status=booked".into(),
            tone: "warn",
        },
        Stat { label: "Terjual", value: count(CarStatus::Sold), href: "/admin/cars?status=sold".into(), tone: "muted" },
        Stat { label: "Draf", value: count(CarStatus::Draft), href: "/admin/cars?status=draft".into(), tone: "muted" },
    ];
    let lead_stats = vec![
        Stat { label: "Hari ini", value: leads_today, href: format!("/admin/leads?from={today}"), tone: "brand" },
        Stat { label: "Minggu ini", value: leads_week, href: format!("/admin/leads?from={week_start}"), tone: "brand" },
        Stat {
            label: "Bulan ini",
            value: leads_month,
            href: format!("/admin/leads?from={month_start}"),
            tone: "brand",
        },
    ];
    let leads: Vec<LeadRow> = recent_leads.iter().map(lead_row).collect();
    let chats: Vec<ConversationRow> = chat_rows;
    let shell = Shell::new(&state, &auth, "home", "Ringkasan").with_notice(q.notice.as_deref());
    let greeting = greeting();
    Ok(html(render(
        &state,
        "admin/dashboard.html",
        &shell,
        minijinja::context! {
            greeting, stock_stats => ser(&stock_stats), lead_stats => ser(&lead_stats), chats_today, new_leads,
            leads => ser(&leads), chats => ser(&chats), whatsapp => ser(&whatsapp),
            total_cars => stock.values().sum::<i64>(), today => today.to_string(), failing_domains,
        },
    )))
}

/// "Selamat pagi" and so on, by the hour in Jakarta.
fn greeting() -> &'static str {
    use chrono::Timelike;
    let hour = chrono::Utc::now().with_timezone(&garasi_store::tenant::jakarta()).hour();
    match hour {
        4..=10 => "Selamat pagi",
        11..=14 => "Selamat siang",
        15..=17 => "Selamat sore",
        _ => "Selamat malam",
    }
}
