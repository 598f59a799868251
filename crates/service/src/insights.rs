//! Insights (issue #17, point 6): counting views, WhatsApp clicks and search terms
//! without slowing requests, the funnel per car and source, and the owner's weekly
//! summary by WhatsApp.
//!
//! Adapters call [`Counter::record`] (a lock and a map increment, no IO); each instance
//! adds its buffered counts to `insight_counts` with [`flush`] (every few seconds from
//! `app`, and before the analytics page reads). The database does the addition, so
//! instances flushing the same counter add up.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use garasi_domain::insights::{self, Funnel, Kind, Source};
use garasi_domain::{PhoneNumber, TenantId, TenantSettings};
use garasi_store::StoreResult;
use garasi_store::jobs::WhatsappOut;
use garasi_store::tenant::TenantTx;
use serde_json::json;
use uuid::Uuid;

use crate::{Actor, ServiceResult, Services};

/// Distinct counters one instance buffers between flushes; beyond it new ones are
/// dropped (a flood of made-up search terms must not grow memory without bound).
const MAX_BUFFERED: usize = 50_000;

type Key = (TenantId, NaiveDate, Kind, Source, String);

/// Counts not yet written, shared by every clone.
#[derive(Clone, Default)]
pub struct Counter {
    pending: Arc<Mutex<HashMap<Key, i64>>>,
}

impl Counter {
    /// Counts one event of `tenant` on the Jakarta day of `at`.
    pub fn record(&self, tenant: TenantId, at: DateTime<Utc>, kind: Kind, source: Source, subject: &str) {
        let key = (tenant, insights::jakarta_day(at), kind, source, subject.to_owned());
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = pending.get_mut(&key) {
            *n += 1;
        } else if pending.len() < MAX_BUFFERED {
            pending.insert(key, 1);
        } else {
            tracing::debug!("insight counter buffer full; count dropped");
        }
    }

    fn take(&self) -> HashMap<Key, i64> {
        std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn put_back(&self, counts: impl IntoIterator<Item = (Key, i64)>) {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        for (key, n) in counts {
            *pending.entry(key).or_default() += n;
        }
    }
}

impl Services {
    /// Counts a search term (normalised; nothing when it is empty).
    pub fn count_search(&self, tenant: TenantId, source: Source, raw: &str) {
        if let Some(term) = insights::normalize_term(raw) {
            self.insights.record(tenant, self.clock.now(), Kind::Search, source, &term);
        }
    }

    /// Counts a car's page view or WhatsApp click.
    pub fn count_car(&self, tenant: TenantId, kind: Kind, source: Source, car: Uuid) {
        self.insights.record(tenant, self.clock.now(), kind, source, &car.to_string());
    }
}

/// Writes this instance's buffered counts, one transaction per showroom. What fails to
/// be written is kept for the next flush. Returns the number of counters written.
pub async fn flush(services: &Services) -> ServiceResult<usize> {
    let pending = services.insights.take();
    if pending.is_empty() {
        return Ok(0);
    }
    let mut by_tenant: BTreeMap<Uuid, Vec<(Key, i64)>> = BTreeMap::new();
    for (key, n) in pending {
        by_tenant.entry(key.0.0).or_default().push((key, n));
    }
    let mut written = 0;
    let mut failed: Option<crate::ServiceError> = None;
    for (tenant, rows) in by_tenant {
        if failed.is_some() {
            services.insights.put_back(rows);
            continue;
        }
        match write(services, TenantId(tenant), &rows).await {
            Ok(()) => written += rows.len(),
            Err(e) => {
                services.insights.put_back(rows);
                failed = Some(e.into());
            }
        }
    }
    match failed {
        Some(e) => Err(e),
        None => Ok(written),
    }
}

async fn write(services: &Services, tenant: TenantId, rows: &[(Key, i64)]) -> StoreResult<()> {
    let mut tx = services.db.tenant(tenant).begin_write().await?;
    for ((_, day, kind, source, subject), n) in rows {
        tx.insights().add(*day, kind.as_str(), source.as_str(), subject, *n).await?;
    }
    tx.commit().await
}

/// What the analytics page and the weekly summary show for Jakarta days `from`–`to`.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Per car and source.
    pub cars: BTreeMap<Uuid, BTreeMap<Source, Funnel>>,
    /// Per source, every car together.
    pub sources: BTreeMap<Source, Funnel>,
    /// Car page views (site and feed) and WhatsApp clicks per day, zero days included.
    pub views_per_day: Vec<(NaiveDate, i64)>,
    pub clicks_per_day: Vec<(NaiveDate, i64)>,
    /// Search terms, most frequent first, with the count per source.
    pub terms: Vec<(String, i64, BTreeMap<Source, i64>)>,
}

impl Report {
    pub fn total(&self) -> Funnel {
        let mut all = Funnel::default();
        for f in self.sources.values() {
            all.add(f);
        }
        all
    }

    /// Cars by the sum of their funnel, busiest first.
    pub fn busiest_cars(&self) -> Vec<(Uuid, Funnel)> {
        let mut cars: Vec<(Uuid, Funnel)> = self
            .cars
            .iter()
            .map(|(id, per)| {
                let mut f = Funnel::default();
                per.values().for_each(|p| f.add(p));
                (*id, f)
            })
            .collect();
        cars.sort_by(|a, b| {
            (b.1.sold, b.1.leads, b.1.chats, b.1.views)
                .cmp(&(a.1.sold, a.1.leads, a.1.chats, a.1.views))
                .then(a.0.cmp(&b.0))
        });
        cars
    }
}

/// Start of a Jakarta day in UTC.
fn day_start(day: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_time(NaiveTime::MIN)) - Duration::hours(7)
}

/// Reads the counters and the leads of `from`–`to`. The lead stages are a cohort: the
/// leads created in the period, those of them with a visit (booked, not cancelled) and
/// those converted. A lead counts under its own source (the bot's leads are WhatsApp).
/// On WhatsApp a "view" is the bot sending a car's details inside a chat, so its views
/// and chats are the same event.
pub async fn report(tx: &mut TenantTx, from: NaiveDate, to: NaiveDate) -> StoreResult<Report> {
    let rows = tx.insights().between(from, to).await?;
    let leads = tx.insights().lead_funnel_since(day_start(from)).await?;
    let mut report = Report::default();
    let mut views: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    let mut clicks: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    let mut d = from;
    while d <= to {
        views.insert(d, 0);
        clicks.insert(d, 0);
        d += Duration::days(1);
    }
    let mut terms: HashMap<String, BTreeMap<Source, i64>> = HashMap::new();
    for (day, kind, source, subject, n) in rows {
        let (Some(kind), Some(source)) = (Kind::parse(&kind), Source::parse(&source)) else { continue };
        let day = NaiveDate::parse_from_str(&day, "%Y-%m-%d").ok();
        match kind {
            Kind::Search => *terms.entry(subject).or_default().entry(source).or_default() += n,
            Kind::View | Kind::WaClick => {
                // Per day: views of the site and feed (the bot's are chat, not visits) and
                // every click, the showroom's general WhatsApp link too.
                let per_day = if kind == Kind::View { &mut views } else { &mut clicks };
                if let Some(c) = day.and_then(|d| per_day.get_mut(&d))
                    && (kind == Kind::WaClick || source != Source::Whatsapp)
                {
                    *c += n;
                }
                let Ok(car) = Uuid::parse_str(&subject) else { continue };
                let f = report.cars.entry(car).or_default().entry(source).or_default();
                if kind == Kind::View {
                    f.views += n;
                    if source == Source::Whatsapp {
                        f.chats += n;
                    }
                } else {
                    f.chats += n;
                }
            }
        }
    }
    for (car, source, n, visits, sold) in leads {
        let source = Source::parse(&source).unwrap_or(Source::Whatsapp);
        let f = report.cars.entry(car).or_default().entry(source).or_default();
        f.leads += n;
        f.visits += visits;
        f.sold += sold;
    }
    for per in report.cars.values() {
        for (source, f) in per {
            report.sources.entry(*source).or_default().add(f);
        }
    }
    report.views_per_day = views.into_iter().collect();
    report.clicks_per_day = clicks.into_iter().collect();
    let mut terms: Vec<(String, i64, BTreeMap<Source, i64>)> =
        terms.into_iter().map(|(t, per)| (t, per.values().sum(), per)).collect();
    terms.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    report.terms = terms;
    Ok(report)
}

/// Sends the weekly summary of last week (Monday–Sunday, Jakarta) to the owners who
/// turned it on, from Monday 08:00 Jakarta by `Services::clock`. A row in
/// `insight_summaries` claims each (showroom, week) in the message's own transaction,
/// so one instance sends it once. Returns the number sent.
pub async fn send_weekly_summaries(services: &Services) -> ServiceResult<usize> {
    let now = services.clock.now();
    let Some(week) = due_week(now) else { return Ok(0) };
    let today = insights::jakarta_day(now);
    // This instance's counts of last week go in first.
    flush(services).await?;
    let mut sent = 0;
    let mut offset = 0;
    loop {
        let tenants = services.db.platform().list_tenants(false, 200, offset).await?;
        if tenants.is_empty() {
            break;
        }
        offset += tenants.len() as i64;
        for t in tenants {
            if t.status != garasi_domain::TenantStatus::Active {
                continue;
            }
            if summarise(services, t.id, &t.name, &week, today, now).await? {
                sent += 1;
            }
        }
    }
    Ok(sent)
}

/// The ISO week whose summary is due at `now`: from Monday 08:00 Jakarta on.
pub fn due_week(now: DateTime<Utc>) -> Option<String> {
    let local = now + Duration::hours(7);
    let today = local.date_naive();
    if chrono::Datelike::weekday(&today) == chrono::Weekday::Mon && chrono::Timelike::hour(&local) < 8 {
        return None;
    }
    Some(insights::week_key(today))
}

async fn summarise(
    services: &Services,
    tenant: TenantId,
    showroom: &str,
    week: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> ServiceResult<bool> {
    // A read first: most showrooms have it off, and a sent week needs no write lock.
    let mut read = services.db.tenant(tenant).begin().await?;
    let on = TenantSettings::from_json(&read.settings().get().await?).insights.weekly_summary;
    let sent = on && read.insights().summary_sent(week).await?;
    read.commit().await?;
    if !on || sent {
        return Ok(false);
    }
    let mut tx = services.db.tenant(tenant).begin_write().await?;
    let settings = TenantSettings::from_json(&tx.settings().get().await?);
    if !settings.insights.weekly_summary {
        tx.commit().await?;
        return Ok(false);
    }
    let Some(owner) = crate::routing::owner_phone(&mut tx, &settings).await? else {
        tx.commit().await?;
        return Ok(false);
    };
    if !tx.insights().claim_summary(week, now).await? {
        tx.commit().await?;
        return Ok(false);
    }
    let (from, to) = insights::previous_week(today);
    let report = report(&mut tx, from, to).await?;
    let mut titles = HashMap::new();
    for (car, _) in report.busiest_cars().into_iter().take(3) {
        if let Some(c) = tx.cars().get(car).await? {
            titles.insert(car, c.title());
        }
    }
    let text = summary_text(showroom, from, to, &report, &titles);
    let channel = crate::bot_messages::channel_kind(&mut tx).await?;
    let out = WhatsappOut::reply(&channel, owner.as_str(), None, Some(&text), &[], None);
    tx.outbox().enqueue_whatsapp(&out).await?;
    tx.audit(&Actor::System.audit("insights.weekly_summary", None, json!({ "week": week, "to": mask(&owner) })))
        .await?;
    tx.commit().await?;
    Ok(true)
}

fn mask(p: &PhoneNumber) -> String {
    garasi_domain::mask_e164(p.as_str())
}

/// The summary message, in Indonesian.
pub fn summary_text(
    showroom: &str,
    from: NaiveDate,
    to: NaiveDate,
    report: &Report,
    titles: &HashMap<Uuid, String>,
) -> String {
    let total = report.total();
    let src = |s: Source| report.sources.get(&s).copied().unwrap_or_default();
    let (site, feed, wa) = (src(Source::Site), src(Source::Feed), src(Source::Whatsapp));
    let mut text = format!(
        "📊 *Ringkasan mingguan {showroom}*\n{} – {}\n\n👀 Mobil dilihat: {} (situs {}, iklan {}, bot {})\n💬 Klik WhatsApp: {}\n🧲 Prospek baru: {}\n📅 Dengan kunjungan: {}\n✅ Terjual: {}",
        from.format("%d/%m"),
        to.format("%d/%m/%Y"),
        site.views + feed.views + wa.views,
        site.views,
        feed.views,
        wa.views,
        site.chats + feed.chats,
        total.leads,
        total.visits,
        total.sold,
    );
    let top: Vec<String> = report
        .busiest_cars()
        .into_iter()
        .filter_map(|(id, f)| titles.get(&id).map(|t| format!("• {t}: {} dilihat, {} prospek", f.views, f.leads)))
        .take(3)
        .collect();
    if !top.is_empty() {
        text.push_str("\n\n🚗 Mobil teramai:\n");
        text.push_str(&top.join("\n"));
    }
    let terms: Vec<String> = report.terms.iter().take(5).map(|(t, n, _)| format!("{t} ({n})")).collect();
    if !terms.is_empty() {
        text.push_str("\n\n🔎 Pencarian teratas: ");
        text.push_str(&terms.join(", "));
    }
    text.push_str("\n\nDetail lengkap di menu Analitik dasbor.");
    text
}
