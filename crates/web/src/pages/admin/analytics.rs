//! `/admin/analytics`: leads over time, stock by brand, chat volume, the most asked-about
//! cars and how the bot answered (offline or with the LLM, and the tokens it spent),
//! over the last 7, 30 or 90 days.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use garasi_domain::car::CarStatus;
use garasi_store::tenant::{Direction, LeadFilter, LeadStatus, jakarta};
use serde::{Deserialize, Serialize};

use super::charts::{self, Point};
use super::ui::{self, html};
use super::{Shell, Staff, render, ser};
use crate::error::AppError;
use crate::state::AppState;

#[derive(Deserialize, Default)]
pub(crate) struct RangeQuery {
    days: Option<String>,
}

const RANGES: [i64; 3] = [7, 30, 90];

/// Counts per Jakarta day from `first` to `last` (both included), zeros for quiet days.
fn per_day(times: &[DateTime<Utc>], first: NaiveDate, last: NaiveDate) -> Vec<Point> {
    let mut counts: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    let mut d = first;
    while d <= last {
        counts.insert(d, 0);
        d = d.succ_opt().unwrap_or(last + Duration::days(1));
    }
    for t in times {
        if let Some(c) = counts.get_mut(&t.with_timezone(&jakarta()).date_naive()) {
            *c += 1;
        }
    }
    counts.into_iter().map(|(d, n)| Point::new(ui::day_label(d), n)).collect()
}

#[derive(Serialize)]
struct Chart {
    id: &'static str,
    title: &'static str,
    note: String,
    /// Markup drawn by `charts`, which escapes every label.
    svg: String,
    table: Vec<Point>,
    empty: bool,
}

fn chart(id: &'static str, title: &'static str, note: String, svg: String, table: Vec<Point>) -> Chart {
    let empty = table.iter().all(|p| p.value == 0);
    Chart { id, title, note, svg, table, empty }
}

/// One row of a funnel table.
#[derive(Serialize)]
struct FunnelRow {
    label: String,
    stages: Vec<i64>,
}

impl FunnelRow {
    fn new(label: String, f: &garasi_domain::insights::Funnel) -> FunnelRow {
        FunnelRow { label, stages: f.stages().iter().map(|(_, n)| *n).collect() }
    }
}

fn handled_label(h: &str) -> &'static str {
    match h {
        "offline" => "Otomatis (tanpa AI)",
        "llm" => "AI (LLM)",
        "command" => "Perintah sales",
        "fallback" => "Otomatis, AI gagal",
        _ => "Lainnya",
    }
}

pub async fn page(
    State(state): State<AppState>,
    Staff(auth): Staff,
    Query(q): Query<RangeQuery>,
) -> Result<Response, AppError> {
    let days = q.days.as_deref().and_then(|d| d.parse::<i64>().ok()).filter(|d| RANGES.contains(d)).unwrap_or(30);
    let last = ui::today();
    let first = last - Duration::days(days - 1);
    let since = ui::day_start(first);

    // This instance's buffered counts go in first, so the page shows them.
    if let Err(e) = garasi_service::insights::flush(&state.services).await {
        tracing::warn!(error = %e, "insight counts not written before the analytics page");
    }
    let mut tx = state.db.tenant(auth.tenant.id).begin().await?;
    let report = garasi_service::insights::report(&mut tx, first, last).await?;
    let mut car_rows = Vec::new();
    for (car_id, f) in report.busiest_cars().into_iter().take(10) {
        if let Some(car) = tx.cars().get(car_id).await? {
            car_rows.push(FunnelRow::new(format!("#{} {}", car.stock_no, car.title()), &f));
        }
    }
    let lead_times = tx.leads().created_since(since).await?;
    let converted = tx
        .leads()
        .count(&LeadFilter { status: Some(LeadStatus::Converted), created_from: Some(first), ..LeadFilter::default() })
        .await?;
    let in_times = tx.messages().times_since(Direction::In, since).await?;
    let handled = tx.messages().handled_by_since(since).await?;
    let usage = tx.llm_usage().days_since(&first.to_string()).await?;
    let stock =
        tx.cars().model_counts(&[CarStatus::Available, CarStatus::Booked, CarStatus::Draft, CarStatus::Hidden]).await?;
    let top = tx.leads().top_cars_since(since, 10).await?;
    let mut top_points = Vec::new();
    for (car_id, n) in &top {
        if let Some(car) = tx.cars().get(*car_id).await? {
            top_points.push(Point::new(format!("#{} {}", car.stock_no, car.title()), *n));
        }
    }
    tx.commit().await?;

    let leads = per_day(&lead_times, first, last);
    let volume = per_day(&in_times, first, last);
    let mut by_brand: BTreeMap<String, i64> = BTreeMap::new();
    for (brand, _, n) in stock {
        *by_brand.entry(brand).or_default() += n;
    }
    let mut brands: Vec<Point> = by_brand.into_iter().map(|(b, n)| Point::new(b, n)).collect();
    brands.sort_by(|a, b| b.value.cmp(&a.value).then(a.label.cmp(&b.label)));
    brands.truncate(12);
    let replies: Vec<Point> = handled.iter().map(|(h, n, _)| Point::new(handled_label(h), *n)).collect();
    let bot_total: i64 = handled.iter().map(|(_, n, _)| n).sum();
    let llm_replies: i64 = handled.iter().filter(|(h, _, _)| h == "llm").map(|(_, n, _)| n).sum();
    let offline_replies = bot_total - llm_replies;
    let message_tokens: i64 = handled.iter().map(|(_, _, t)| t).sum();
    let usage_tokens: i64 = usage.iter().map(|(_, u)| u.total_tokens()).sum();
    let calls: i64 = usage.iter().map(|(_, u)| u.calls).sum();
    let usage_by_day: BTreeMap<String, i64> = usage.iter().map(|(d, u)| (d.clone(), u.total_tokens())).collect();
    let mut token_points = Vec::new();
    let mut d = first;
    while d <= last {
        token_points.push(Point::new(ui::day_label(d), usage_by_day.get(&d.to_string()).copied().unwrap_or(0)));
        d = d.succ_opt().unwrap_or(last + Duration::days(1));
    }
    let total_leads = lead_times.len() as i64;
    let total_in = in_times.len() as i64;
    let pct = |a: i64, b: i64| if b > 0 { (a * 100 + b / 2) / b } else { 0 };

    let charts = vec![
        chart(
            "leads",
            "Prospek baru per hari",
            format!("{total_leads} prospek dalam {days} hari terakhir."),
            charts::line("ch-leads", "Prospek baru per hari", &leads),
            leads,
        ),
        chart(
            "volume",
            "Pesan masuk per hari",
            format!("{total_in} pesan dari pelanggan dan sales."),
            charts::columns("ch-volume", "Pesan masuk per hari", &volume),
            volume,
        ),
        chart(
            "brands",
            "Stok per merek",
            "Mobil yang belum terjual (termasuk draf).".into(),
            charts::bars("ch-brands", "Stok per merek", &brands),
            brands,
        ),
        chart(
            "top",
            "Mobil paling banyak ditanyakan",
            "Menurut jumlah prospek per mobil.".into(),
            charts::bars("ch-top", "Mobil paling banyak ditanyakan", &top_points),
            top_points,
        ),
        chart(
            "replies",
            "Cara bot membalas",
            format!("{bot_total} balasan bot."),
            charts::bars("ch-replies", "Cara bot membalas", &replies),
            replies,
        ),
        chart(
            "tokens",
            "Token AI per hari",
            format!(
                "{} token dalam {calls} panggilan AI.",
                crate::pages::site::format::thousands(usage_tokens.max(message_tokens))
            ),
            charts::columns("ch-tokens", "Token AI per hari", &token_points),
            token_points,
        ),
    ];
    let total = report.total();
    let funnel_points: Vec<Point> = total.stages().iter().map(|(l, n)| Point::new(*l, *n)).collect();
    let views_points: Vec<Point> =
        report.views_per_day.iter().map(|(d, n)| Point::new(ui::day_label(*d), *n)).collect();
    let click_points: Vec<Point> =
        report.clicks_per_day.iter().map(|(d, n)| Point::new(ui::day_label(*d), *n)).collect();
    let term_points: Vec<Point> = report.terms.iter().take(10).map(|(t, n, _)| Point::new(t.clone(), *n)).collect();
    let views_total: i64 = views_points.iter().map(|p| p.value).sum();
    let clicks_total: i64 = click_points.iter().map(|p| p.value).sum();
    let insight_charts = vec![
        chart(
            "funnel",
            "Corong penjualan",
            "Dilihat → chat → prospek → kunjungan → terjual, semua sumber.".into(),
            charts::bars("ch-funnel", "Corong penjualan", &funnel_points),
            funnel_points,
        ),
        chart(
            "views",
            "Halaman mobil dilihat per hari",
            format!("{views_total} kunjungan halaman mobil (tanpa bot mesin pencari)."),
            charts::line("ch-views", "Halaman mobil dilihat per hari", &views_points),
            views_points,
        ),
        chart(
            "clicks",
            "Klik tombol WhatsApp per hari",
            format!("{clicks_total} klik dari situs dan iklan marketplace."),
            charts::columns("ch-clicks", "Klik tombol WhatsApp per hari", &click_points),
            click_points,
        ),
        chart(
            "terms",
            "Pencarian teratas",
            "Kata yang dicari di situs dan yang diminta lewat bot.".into(),
            charts::bars("ch-terms", "Pencarian teratas", &term_points),
            term_points,
        ),
    ];
    let source_rows: Vec<FunnelRow> = garasi_domain::insights::Source::ALL
        .iter()
        .map(|s| FunnelRow::new(s.label().to_owned(), &report.sources.get(s).copied().unwrap_or_default()))
        .collect();
    let stats = minijinja::context! {
        leads => total_leads, converted, conversion => pct(converted, total_leads), inbound => total_in,
        bot => bot_total, offline => offline_replies, llm => llm_replies, llm_pct => pct(llm_replies, bot_total),
        tokens => usage_tokens.max(message_tokens),
    };
    let ranges: Vec<(i64, bool)> = RANGES.iter().map(|r| (*r, *r == days)).collect();
    let shell = Shell::new(&state, &auth, "analytics", "Analitik");
    Ok(html(render(
        &state,
        "admin/analytics.html",
        &shell,
        minijinja::context! { charts => ser(&charts), insight_charts => ser(&insight_charts), source_rows => ser(&source_rows), car_rows => ser(&car_rows), stats, days, ranges => ser(&ranges), first => ui::day_label(first), last => ui::day_label(last) },
    )))
}
