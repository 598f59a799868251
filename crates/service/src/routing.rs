//! Lead routing and response times (issue #17, point 3).
//!
//! - **Who may get a lead now**: an active salesperson who is on duty ("/libur" and
//!   "/masuk" by chat, or the dashboard toggle), has a weight above 0 and is inside their
//!   working hours (their own, else the showroom's opening hours, `settings.visits`), by
//!   [`Services::clock`] in Jakarta time.
//! - **Weighted round robin** ([`garasi_domain::routing::next_in_turn`]) among them; the
//!   cursor lives in `lead_routing` and is read and written in the assignment's own
//!   transaction under a row lock, so several instances on one database share one rotation.
//!   When nobody is inside their hours (a lead at night), the on-duty salespeople are
//!   used regardless of hours: the lead still gets an owner, and its response clock only
//!   starts counting when the showroom opens.
//! - **Response clock**: every assignment (automatic or by the owner) stores
//!   `leads.assigned_at` and queues a job in [`RESPONSE_QUEUE`] due after the showroom's
//!   `routing.response_minutes` (default 15) minutes of opening hours. When it fires and
//!   the lead is still new, not contacted and with the same salesperson, the lead goes to
//!   the next available salesperson (notified by WhatsApp, with a new clock) and the owner
//!   is alerted by WhatsApp; all of it, with the audit entry `lead.reassign`, in one
//!   transaction.
//! - **Contacted** is the first of: a person's reply to the customer from the showroom's
//!   number (`conversations::person_replied`), a status change of the lead by a person
//!   (dashboard, API), a salesperson recording the lead themselves by chat. The bot's own
//!   messages never count. [`contacted_in`] records it once (`leads.first_response_at`).

use chrono::{DateTime, Duration, Utc};
use garasi_domain::routing::{WeekHours, next_in_turn, peek as peek_turn};
use garasi_domain::time::jakarta;
use garasi_domain::{PhoneNumber, TenantId, TenantSettings};
use garasi_store::StoreResult;
use garasi_store::jobs::{NewJob, WhatsappOut};
use garasi_store::tenant::{Contact, ContactRole, ResponseRow, SalesPerson, TenantTx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::{Actor, ServiceError, ServiceResult, Services};

/// The job queue of response deadlines.
pub const RESPONSE_QUEUE: &str = "lead_response";

/// A deadline job's payload: void once the lead has another salesperson or clock.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct DeadlineJob {
    lead_id: Uuid,
    sales_id: Uuid,
    assigned_at: DateTime<Utc>,
}

/// A salesperson's working hours: their own, else the showroom's opening hours.
pub fn hours_of(person: &SalesPerson, settings: &TenantSettings) -> WeekHours {
    person
        .work_hours
        .as_deref()
        .and_then(|h| serde_json::from_str::<WeekHours>(h).ok())
        .unwrap_or_else(|| WeekHours::from(&settings.visits))
}

/// Whether the salesperson has their own working hours (rather than the showroom's).
pub fn has_own_hours(person: &SalesPerson) -> bool {
    person.work_hours.as_deref().and_then(|h| serde_json::from_str::<WeekHours>(h).ok()).is_some()
}

/// The showroom's opening hours, in which response minutes are counted.
pub fn showroom_hours(settings: &TenantSettings) -> WeekHours {
    WeekHours::from(&settings.visits)
}

/// Whether `person` may get a lead at `now`: active, on duty, weight above 0, inside
/// their hours.
pub fn available(person: &SalesPerson, settings: &TenantSettings, now: DateTime<Utc>) -> bool {
    person.active
        && person.deleted_at.is_none()
        && person.on_duty
        && person.weight > 0
        && hours_of(person, settings).is_open(now.with_timezone(&jakarta()).naive_local())
}

/// Open minutes of the showroom between two moments (the first-response time).
pub fn open_minutes(settings: &TenantSettings, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    let j = jakarta();
    showroom_hours(settings)
        .open_minutes_between(from.with_timezone(&j).naive_local(), to.with_timezone(&j).naive_local())
}

async fn settings_in(tx: &mut TenantTx) -> StoreResult<TenantSettings> {
    Ok(TenantSettings::from_json(&tx.settings().get().await?))
}

/// The candidates for a lead now, without `exclude`: the available ones, else (with
/// `fallback`) the on-duty ones with a weight regardless of hours.
fn candidates(
    people: &[SalesPerson],
    settings: &TenantSettings,
    now: DateTime<Utc>,
    exclude: Option<Uuid>,
    fallback: bool,
) -> Vec<(Uuid, i64)> {
    let eligible = |s: &&SalesPerson| Some(s.id) != exclude;
    let now_ok: Vec<(Uuid, i64)> =
        people.iter().filter(eligible).filter(|s| available(s, settings, now)).map(|s| (s.id, s.weight)).collect();
    if !now_ok.is_empty() || !fallback {
        return now_ok;
    }
    people.iter().filter(eligible).filter(|s| s.on_duty && s.weight > 0).map(|s| (s.id, s.weight)).collect()
}

/// Picks the next salesperson in the weighted round robin and moves the cursor, inside
/// the caller's write transaction (which then holds the routing row's lock).
pub async fn pick_in(
    tx: &mut TenantTx,
    settings: &TenantSettings,
    now: DateTime<Utc>,
    exclude: Option<Uuid>,
    fallback: bool,
) -> StoreResult<Option<SalesPerson>> {
    let cursor = tx.routing().lock_cursor().await?;
    let people = tx.sales().routable().await?;
    let list = candidates(&people, settings, now, exclude, fallback);
    let Some((id, next)) = next_in_turn(&list, cursor) else { return Ok(None) };
    tx.routing().set_cursor(next).await?;
    Ok(people.into_iter().find(|s| s.id == id))
}

/// Who would get the next lead, without moving the cursor (a customer asking whom to chat).
pub async fn peek_in(tx: &mut TenantTx, now: DateTime<Utc>) -> StoreResult<Option<SalesPerson>> {
    let settings = settings_in(tx).await?;
    let cursor = tx.routing().cursor().await?;
    let people = tx.sales().routable().await?;
    let list = candidates(&people, &settings, now, None, true);
    let id = peek_turn(&list, cursor);
    Ok(people.into_iter().find(|s| Some(s.id) == id))
}

/// Gives a lead to the next salesperson in the round robin, inside the caller's write
/// transaction: the assignment (with its `assigned` history row by `by`), the response
/// clock and its deadline job, and the audit entry `lead.route`. `None` when nobody is
/// on duty.
pub async fn route_in(
    services: &Services,
    tx: &mut TenantTx,
    lead_id: Uuid,
    by: &str,
) -> StoreResult<Option<(garasi_store::tenant::Lead, SalesPerson)>> {
    let settings = settings_in(tx).await?;
    let now = services.clock.now();
    let Some(person) = pick_in(tx, &settings, now, None, true).await? else { return Ok(None) };
    let lead =
        tx.leads().assign(lead_id, Some(person.id), by, &format!("Dibagikan otomatis ke {}", person.name)).await?;
    start_clock_in(services, tx, &settings, lead_id, person.id).await?;
    tx.audit(&Actor::System.audit(
        "lead.route",
        Some(("lead", lead_id.to_string())),
        json!({ "sales_id": person.id, "weight": person.weight }),
    ))
    .await?;
    Ok(Some((lead, person)))
}

/// Starts (or restarts) a lead's response clock for `sales_id` at [`Services::clock`]
/// and queues its deadline, in the caller's transaction. A lead already contacted keeps
/// no deadline.
pub async fn start_clock_in(
    services: &Services,
    tx: &mut TenantTx,
    settings: &TenantSettings,
    lead_id: Uuid,
    sales_id: Uuid,
) -> StoreResult<()> {
    let now = services.clock.now();
    tx.routing().mark_assigned(lead_id, now).await?;
    let Some(clock) = tx.routing().clock(lead_id).await? else { return Ok(()) };
    if clock.first_response_at.is_some() {
        return Ok(());
    }
    let minutes = settings.routing.response_minutes.clamp(1, 24 * 60);
    let j = jakarta();
    let Some(due) = showroom_hours(settings).after_open_minutes(now.with_timezone(&j).naive_local(), minutes) else {
        // A showroom that never opens has no deadline to keep.
        return Ok(());
    };
    let due = due.and_local_timezone(j).earliest().map(|d| d.with_timezone(&Utc)).unwrap_or(now);
    let payload = DeadlineJob { lead_id, sales_id, assigned_at: now };
    let mut job = NewJob::new(RESPONSE_QUEUE, "deadline", serde_json::to_value(&payload).unwrap_or_default());
    job.run_at = Some(due);
    job.dedupe_key = Some(format!("lead-resp:{}:{lead_id}:{}", tx.tenant_id().0, Uuid::now_v7()));
    job.max_attempts = 5;
    tx.outbox().enqueue(&job).await?;
    Ok(())
}

/// Records the lead's first contact now (by [`Services::clock`]), once. `true` when it
/// was the first.
pub async fn contacted_in(services: &Services, tx: &mut TenantTx, lead_id: Uuid) -> StoreResult<bool> {
    tx.routing().mark_contacted(lead_id, services.clock.now()).await
}

/// Puts a salesperson on duty or off ("/masuk", "/libur", the dashboard toggle). A
/// salesperson may switch only themselves; owners and admins anyone. Audited as
/// `sales.duty` in the same transaction.
pub async fn set_on_duty(
    _services: &Services,
    actor: &Actor,
    tenant: &garasi_store::TenantDb,
    sales_id: Uuid,
    on_duty: bool,
) -> ServiceResult<SalesPerson> {
    let allowed = match actor {
        Actor::Sales { sales_id: me, .. } => *me == sales_id,
        other => other.can_manage(),
    };
    if !allowed {
        return Err(ServiceError::forbidden("Hanya pemilik atau admin showroom yang boleh mengubah jadwal sales."));
    }
    let mut tx = tenant.begin_write().await?;
    if !tx.sales().set_on_duty(sales_id, on_duty).await? {
        return Err(ServiceError::NotFound);
    }
    tx.audit(&actor.audit("sales.duty", Some(("sales_staff", sales_id.to_string())), json!({ "on_duty": on_duty })))
        .await?;
    let person = tx.sales().get(sales_id).await?.ok_or(ServiceError::NotFound)?;
    tx.commit().await?;
    Ok(person)
}

/// Sets a salesperson's weight (0–100) and working hours (`None`: the showroom's
/// opening hours). Owners and admins only; audited as `sales.routing`.
pub async fn set_routing(
    _services: &Services,
    actor: &Actor,
    tenant: &garasi_store::TenantDb,
    sales_id: Uuid,
    weight: i64,
    hours: Option<&WeekHours>,
) -> ServiceResult<SalesPerson> {
    if !actor.can_manage() {
        return Err(ServiceError::forbidden("Hanya pemilik atau admin showroom yang boleh mengubah jadwal sales."));
    }
    let weight = garasi_domain::routing::Weight::new(weight).map_err(|m| ServiceError::field("weight", m))?;
    if let Some(h) = hours {
        for (i, d) in h.days.iter().enumerate() {
            if let Some(d) = d
                && d.times().is_none()
            {
                return Err(ServiceError::field(
                    &format!("day_{i}"),
                    "Jam kerja harus berformat JJ:MM dan jam mulai sebelum jam selesai.",
                ));
            }
        }
    }
    let json_hours = hours.map(|h| serde_json::to_string(h).unwrap_or_default());
    let mut tx = tenant.begin_write().await?;
    if !tx.sales().set_routing(sales_id, weight.value(), json_hours.as_deref()).await? {
        return Err(ServiceError::NotFound);
    }
    tx.audit(&actor.audit(
        "sales.routing",
        Some(("sales_staff", sales_id.to_string())),
        json!({ "weight": weight.value(), "work_hours": hours }),
    ))
    .await?;
    let person = tx.sales().get(sales_id).await?.ok_or(ServiceError::NotFound)?;
    tx.commit().await?;
    Ok(person)
}

/// Handles the response deadlines due by [`Services::clock`]: each lead still waiting
/// for the same salesperson goes to the next available one. Returns how many leads were
/// reassigned or reported to the owner.
pub async fn handle_due_deadlines(services: &Services, worker: &str) -> ServiceResult<usize> {
    crate::due_jobs::run_due(services, RESPONSE_QUEUE, worker, "deadline", |tenant, job| async move {
        overdue(services, tenant, &job).await.map(usize::from)
    })
    .await
}

/// One deadline: `true` when the lead was overdue (reassigned, or the owner told that
/// nobody else is available).
async fn overdue(services: &Services, tenant: TenantId, d: &DeadlineJob) -> ServiceResult<bool> {
    let showroom = services.db.platform().tenant(tenant).await?.map(|t| t.name).unwrap_or_default();
    let now = services.clock.now();
    let mut tx = services.db.tenant(tenant).begin_write().await?;
    let Some(clock) = tx.routing().lock_clock(d.lead_id).await? else {
        tx.commit().await?;
        return Ok(false);
    };
    let still_waiting = clock.status == "new"
        && clock.first_response_at.is_none()
        && clock.assigned_sales_id == Some(d.sales_id)
        && clock.assigned_at == Some(d.assigned_at);
    if !still_waiting {
        tx.commit().await?;
        return Ok(false);
    }
    let settings = settings_in(&mut tx).await?;
    let Some(lead) = tx.leads().get(d.lead_id).await? else {
        tx.commit().await?;
        return Ok(false);
    };
    let before = tx.sales().get(d.sales_id).await?;
    let before_name = before.as_ref().map(|s| s.name.clone()).unwrap_or_default();
    let waited = open_minutes(&settings, d.assigned_at, now);
    let channel = crate::bot_messages::channel_kind(&mut tx).await?;
    let customer = if lead.name.trim().is_empty() { "(belum menyebut nama)".to_owned() } else { lead.name.clone() };
    let phone_local = local_phone(&lead.phone);
    let car_line = match lead.car_id {
        Some(car_id) => match tx.cars().get(car_id).await? {
            Some(c) => format!("\n🚗 Minat: {} (no. {})", c.title(), c.stock_no),
            None => String::new(),
        },
        None => String::new(),
    };
    let next = pick_in(&mut tx, &settings, now, Some(d.sales_id), false).await?;
    let owner_text = match &next {
        Some(person) => {
            let note = format!("Dialihkan dari {before_name}: belum dihubungi selama {waited} menit jam buka");
            tx.leads().assign(lead.id, Some(person.id), "system", &note).await?;
            start_clock_in(services, &mut tx, &settings, lead.id, person.id).await?;
            let text = format!(
                "🔔 *Prospek dialihkan ke Anda* — {showroom}\n👤 {customer} · {phone_local}{car_line}\n📝 {before_name} belum menghubungi dalam {waited} menit. Mohon segera hubungi pelanggan ini."
            );
            notify_sales(&mut tx, &channel, person, &text).await?;
            format!(
                "⚠️ {showroom}: prospek {customer} ({phone_local}) belum dihubungi {before_name} selama {waited} menit jam buka, dan sudah dialihkan ke {}.",
                person.name
            )
        }
        None => format!(
            "⚠️ {showroom}: prospek {customer} ({phone_local}) belum dihubungi {before_name} selama {waited} menit jam buka, dan tidak ada sales lain yang sedang bertugas. Mohon tindak lanjuti."
        ),
    };
    let owner = owner_phone(&mut tx, &settings).await?;
    if let Some(owner) = &owner {
        let out = WhatsappOut::reply(&channel, owner.as_str(), None, Some(&owner_text), &[], None);
        tx.outbox().enqueue_whatsapp(&out).await?;
    }
    tx.audit(&Actor::System.audit(
        "lead.reassign",
        Some(("lead", lead.id.to_string())),
        json!({
            "from": d.sales_id,
            "to": next.as_ref().map(|s| s.id),
            "waited_minutes": waited,
            "owner_alerted": owner.is_some(),
        }),
    ))
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// "0812-…" as the salesperson reads it.
fn local_phone(e164: &str) -> String {
    PhoneNumber::parse(e164).map(|p| p.display()).unwrap_or_else(|_| e164.to_owned())
}

/// A WhatsApp notice to a salesperson: kept in their chat's transcript and queued in the
/// outbox, like the bot's notices.
async fn notify_sales(tx: &mut TenantTx, channel: &str, person: &SalesPerson, text: &str) -> StoreResult<()> {
    let Ok(phone) = PhoneNumber::parse(&person.phone) else { return Ok(()) };
    let contact = Contact {
        channel,
        phone: &phone,
        name: &person.name,
        role: ContactRole::Sales,
        sales_staff_id: Some(person.id),
    };
    crate::bot_messages::send_to(tx, &contact, text, "sales_notice", None).await?;
    Ok(())
}

/// The owner's WhatsApp number: the routing setting, else the salesperson entry linked
/// to an owner account.
pub(crate) async fn owner_phone(tx: &mut TenantTx, settings: &TenantSettings) -> StoreResult<Option<PhoneNumber>> {
    if let Ok(p) = PhoneNumber::parse(settings.routing.owner_phone.trim()) {
        return Ok(Some(p));
    }
    for (user_id, sales_id) in tx.user_sales_links().list().await? {
        let is_owner = tx.users().get(user_id).await?.is_some_and(|u| u.role == garasi_domain::Role::Owner);
        if !is_owner {
            continue;
        }
        if let Some(s) = tx.sales().get(sales_id).await?.filter(|s| s.deleted_at.is_none())
            && let Ok(p) = PhoneNumber::parse(&s.phone)
        {
            return Ok(Some(p));
        }
    }
    Ok(None)
}

/// Response and conversion figures of one salesperson.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SalesFigures {
    pub sales_id: Uuid,
    pub leads: i64,
    pub converted: i64,
    /// Leads contacted, and the median of their first-response minutes (opening hours).
    pub responded: i64,
    pub median_response_minutes: Option<i64>,
}

/// A lead's first-response minutes (opening hours from its assignment to the first
/// contact), when both are known.
pub fn response_minutes(settings: &TenantSettings, r: &ResponseRow) -> Option<i64> {
    Some(open_minutes(settings, r.assigned_at?, r.first_response_at?))
}

/// Figures per salesperson over `rows` (leads assigned to someone).
pub fn figures(settings: &TenantSettings, rows: &[ResponseRow]) -> Vec<SalesFigures> {
    let mut by: std::collections::BTreeMap<Uuid, (SalesFigures, Vec<i64>)> = Default::default();
    for r in rows {
        let Some(id) = r.assigned_sales_id else { continue };
        let entry = by.entry(id).or_insert_with(|| (SalesFigures { sales_id: id, ..SalesFigures::default() }, vec![]));
        entry.0.leads += 1;
        if r.status == "converted" {
            entry.0.converted += 1;
        }
        if let Some(m) = response_minutes(settings, r) {
            entry.1.push(m);
        }
    }
    by.into_values()
        .map(|(mut f, mut minutes)| {
            minutes.sort_unstable();
            f.responded = minutes.len() as i64;
            f.median_response_minutes = median(&minutes);
            f
        })
        .collect()
}

/// The median of sorted values (the mean of the two middle ones for an even count).
fn median(sorted: &[i64]) -> Option<i64> {
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(sorted[n / 2]),
        n => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2),
    }
}

/// How long a waiting lead has waited, in minutes of wall-clock time since it came in.
pub fn waiting_minutes(now: DateTime<Utc>, r: &ResponseRow) -> i64 {
    (now - r.assigned_at.unwrap_or(r.created_at)).max(Duration::zero()).num_minutes()
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn medians() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3]), Some(3));
        assert_eq!(median(&[1, 3, 10]), Some(3));
        assert_eq!(median(&[2, 4]), Some(3));
    }
}
