//! Booking, moving and cancelling a visit or test drive by chat. Runs before the intent
//! answers, because "sabtu sore" or "jam 10 ya" alone read as a greeting or nothing to
//! the intent rules, yet answer the bot's "hari & jam berapa?". It acts only when:
//! - the customer asks for a visit (intent `visit`) or names a full day and time;
//! - the bot asked for a day, a time or a yes (the pending visit in memory);
//! - the customer has a visit ahead and cancels it ("batal datang") or moves it
//!   ("jadinya minggu aja").
//!
//! Every change goes through `service::appointments` (validation, audit, reminders),
//! as the system acting for the customer; the salesperson gets a notice each time.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use garasi_domain::time::jakarta;
use garasi_domain::visit::{self, Fit, VisitKind};
use garasi_service::appointments::{self, NewVisit};
use garasi_service::{Actor, ServiceError};
use garasi_store::tenant::Appointment;
use garasi_store::{StoreError, StoreResult};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::sales::address_block;
use super::{contact_line, contact_or_showroom};
use crate::nlu::when;
use crate::nlu::{Intent, Understanding};
use crate::turn::Turn;

/// What the bot waits for about a visit, kept in memory between messages.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PendingVisit {
    pub test_drive: bool,
    /// The day named so far, waiting for a time.
    pub date: Option<NaiveDate>,
    /// A slot the bot proposed (Jakarta time), waiting for a yes.
    pub proposed: Option<NaiveDateTime>,
    /// The visit being moved, when it is a move.
    pub moving: Option<Uuid>,
}

/// The answer and its intent name, when the message was about a visit.
pub(crate) async fn intercept(t: &mut Turn, text: &str, u: &Understanding) -> StoreResult<Option<(String, String)>> {
    if t.is_sales() {
        return Ok(None);
    }
    let now = t.services.clock.now();
    let local_now = now.with_timezone(&jakarta()).naive_local();
    let w = when::parse(text, local_now);
    let pending = t.memory.visit.take();
    let upcoming = {
        let mut tx = t.begin().await?;
        let a = tx.appointments().upcoming_for_phone(t.sender.as_str(), now).await?;
        tx.commit().await?;
        a
    };

    // A yes to the slot the bot proposed.
    if let Some(p) = &pending
        && let Some(slot) = p.proposed
        && w.is_empty()
        && when::is_yes(text)
    {
        let kind = kind_of(p.test_drive);
        let reply = match p.moving {
            Some(id) => move_to(t, id, slot).await?,
            None => book(t, kind, slot).await?,
        };
        return Ok(Some(reply));
    }
    if let Some(a) = &upcoming {
        if when::is_cancel(text) {
            return cancel(t, a).await.map(Some);
        }
        let moving = pending.as_ref().and_then(|p| p.moving).is_some();
        if !w.is_empty() && (when::is_change(text) || u.intent == Intent::Visit || moving) {
            let old = a.starts_at.with_timezone(&jakarta()).naive_local();
            let date = w.date.unwrap_or(old.date());
            let time = w.time_of_day().unwrap_or(old.time());
            let wanted = date.and_time(time);
            let p =
                PendingVisit { test_drive: a.kind == VisitKind::TestDrive, moving: Some(a.id), ..Default::default() };
            return fit_then(t, p, wanted, local_now).await.map(Some);
        }
    }
    let asked = pending.is_some();
    let full = w.date.is_some() && w.time_of_day().is_some();
    let about_visit = u.intent == Intent::Visit
        // A full day and time is about a visit unless the message plainly asks something else.
        || (full
            && !matches!(
                u.intent,
                Intent::Location | Intent::CreditSimulation | Intent::Handoff | Intent::Photos | Intent::Price
            ))
        || (asked && !w.is_empty());
    if !about_visit {
        return Ok(None);
    }
    let test_drive = when::is_test_drive(text) || pending.as_ref().is_some_and(|p| p.test_drive);
    let date = w.date.or(pending.as_ref().and_then(|p| p.date));
    let p = PendingVisit { test_drive, date, ..Default::default() };
    match (date, w.time_of_day()) {
        (Some(d), Some(time)) => fit_then(t, p, d.and_time(time), local_now).await.map(Some),
        (Some(d), None) => {
            t.memory.visit = Some(p);
            let what = if test_drive { "test drive" } else { "datang" };
            Ok(Some((
                format!(
                    "Siap kak, {} ya 🙌 Rencananya {what} jam berapa?\n🕘 Jam kunjungan: {}",
                    visit::day_name(chrono::Datelike::weekday(&d)).to_owned() + ", " + &visit::say_date(d),
                    t.settings.visits.summary()
                ),
                "visit_ask_time".into(),
            )))
        }
        (None, Some(time)) => {
            // A time alone: today when it is still ahead, else tomorrow.
            let today = local_now.date().and_time(time);
            let wanted = if today > local_now { today } else { today + chrono::Duration::days(1) };
            fit_then(t, p, wanted, local_now).await.map(Some)
        }
        (None, None) => {
            // "Mau lihat langsung": the usual answer asks for the day and time; the next
            // message that names them books the visit.
            t.memory.visit = Some(p);
            Ok(None)
        }
    }
}

fn kind_of(test_drive: bool) -> VisitKind {
    if test_drive { VisitKind::TestDrive } else { VisitKind::Visit }
}

/// Books or moves when `wanted` is inside the visiting hours, else proposes the nearest slot.
async fn fit_then(
    t: &mut Turn,
    mut p: PendingVisit,
    wanted: NaiveDateTime,
    now: NaiveDateTime,
) -> StoreResult<(String, String)> {
    match t.settings.visits.fit(wanted, now) {
        Fit::Open(at) => match p.moving {
            Some(id) => move_to(t, id, at).await,
            None => book(t, kind_of(p.test_drive), at).await,
        },
        Fit::Nearest(slot) => {
            p.proposed = Some(slot);
            t.memory.visit = Some(p);
            let why = if wanted <= now {
                "Waktunya sudah lewat kak 🙏".to_owned()
            } else {
                format!("Maaf kak, {} showroom sedang tutup 🙏", visit::say_when(wanted))
            };
            Ok((
                format!(
                    "{why}\nJam kunjungan: {}.\n\nBagaimana kalau *{}*? Balas _ya_ kalau cocok, atau sebutkan hari & jam lain.",
                    t.settings.visits.summary(),
                    visit::say_when(slot)
                ),
                "visit_propose".into(),
            ))
        }
        Fit::Never => Ok((
            format!("Maaf kak, jadwal kunjungan belum dibuka. {}", contact_or_showroom(t).await?),
            "visit_closed".into(),
        )),
    }
}

fn to_utc(at: NaiveDateTime) -> Option<DateTime<Utc>> {
    at.and_local_timezone(jakarta()).single().map(|d| d.with_timezone(&Utc))
}

/// A use case refused: the reason for the customer, or the store error.
fn refusal(e: ServiceError) -> StoreResult<String> {
    match e {
        ServiceError::Validation(f) => Ok(f.iter().map(|(_, m)| m).collect::<Vec<_>>().join(" ")),
        ServiceError::Conflict(m) | ServiceError::Forbidden(m) => Ok(m),
        ServiceError::NotFound => Ok("Jadwalnya tidak ditemukan.".into()),
        ServiceError::Store(e) => Err(e),
        other => {
            tracing::warn!(error = %other, "visit change failed");
            Ok("Terjadi kesalahan di sistem, coba lagi sebentar lagi.".into())
        }
    }
}

async fn book(t: &mut Turn, kind: VisitKind, at: NaiveDateTime) -> StoreResult<(String, String)> {
    let Some(starts_at) = to_utc(at) else { return Err(StoreError::NotFound) };
    let car = match t.memory.focus {
        Some(n) => t.car(n).await?,
        None => None,
    };
    if let Some(c) = &car {
        t.focus(c);
    }
    let what = format!("{} {}", kind.label(), visit::say_when(at));
    let outcome = t.open_lead(&format!("Janji {what}"), true).await?;
    let new = NewVisit {
        phone: t.sender.clone(),
        name: t.customer_name(),
        kind,
        starts_at,
        lead_id: Some(outcome.lead.id),
        conversation_id: Some(t.conversation.id),
        car_id: car.as_ref().map(|c| c.id),
        sales_id: outcome.sales.as_ref().map(|s| s.id),
        note: t.text.chars().take(300).collect(),
    };
    let tenant = t.db.tenant(t.tenant.id);
    let booked = match appointments::create(&t.services, &Actor::System, &tenant, new).await {
        Ok(a) => a,
        Err(e) => {
            return Ok((format!("Maaf kak, jadwalnya belum bisa dicatat: {}", refusal(e)?), "visit_refused".into()));
        }
    };
    if let Some(s) = &outcome.sales {
        let text = t.lead_notice("Jadwal kunjungan baru", &outcome.lead, &format!("📅 {what}"), None).await?;
        t.notify(s, text);
    }
    let mut lines = vec![format!("Siap kak, jadwal *{}* sudah dicatat ✅", kind.label().to_lowercase())];
    lines.push(format!("📅 *{}*", visit::say_when(at)));
    if let Some(title) = &booked.car_title {
        lines.push(format!("🚗 {title} (no. {})", booked.stock_no.unwrap_or_default()));
    }
    lines.push(String::new());
    lines.push(address_block(t));
    lines.push(String::new());
    match &outcome.sales {
        Some(s) => lines.push(format!("Sales kami {} akan menyambut kakak.", contact_line(s))),
        None => lines.push(contact_or_showroom(t).await?),
    }
    lines.push(
        "Kami kirim pengingat sehari sebelumnya dan 2 jam sebelumnya. Mau ganti jadwal? Balas _jadinya <hari> jam <jam>_; berhalangan: _batal datang_."
            .into(),
    );
    Ok((lines.join("\n"), "visit_booked".into()))
}

async fn move_to(t: &mut Turn, id: Uuid, at: NaiveDateTime) -> StoreResult<(String, String)> {
    let Some(starts_at) = to_utc(at) else { return Err(StoreError::NotFound) };
    let tenant = t.db.tenant(t.tenant.id);
    let moved = match appointments::reschedule(&t.services, &Actor::System, &tenant, id, starts_at).await {
        Ok(a) => a,
        Err(e) => {
            return Ok((format!("Maaf kak, jadwalnya belum bisa diganti: {}", refusal(e)?), "visit_refused".into()));
        }
    };
    notify_sales(t, &moved, &format!("📅 Jadwal diganti ke {}", visit::say_when(at))).await?;
    Ok((
        format!(
            "Siap kak, jadwalnya sudah diganti ✅\n📅 *{}*\nPengingat ikut disesuaikan. Sampai jumpa! 🙌",
            visit::say_when(at)
        ),
        "visit_rescheduled".into(),
    ))
}

async fn cancel(t: &mut Turn, a: &Appointment) -> StoreResult<(String, String)> {
    let tenant = t.db.tenant(t.tenant.id);
    if let Err(e) = appointments::cancel(&t.services, &Actor::System, &tenant, a.id).await {
        return Ok((format!("Maaf kak, jadwalnya belum bisa dibatalkan: {}", refusal(e)?), "visit_refused".into()));
    }
    let local = a.starts_at.with_timezone(&jakarta()).naive_local();
    notify_sales(t, a, &format!("❌ Batal: {} {}", a.kind.label(), visit::say_when(local))).await?;
    Ok((
        format!(
            "Baik kak, jadwal {} *{}* sudah dibatalkan. Kabari saja kalau mau atur jadwal baru ya 🙏",
            a.kind.label().to_lowercase(),
            visit::say_when(local)
        ),
        "visit_cancelled".into(),
    ))
}

/// Tells the visit's salesperson (if any) what changed, with the lead's summary.
async fn notify_sales(t: &mut Turn, a: &Appointment, what: &str) -> StoreResult<()> {
    let (Some(sales_id), Some(lead_id)) = (a.sales_id, a.lead_id) else { return Ok(()) };
    let mut tx = t.begin().await?;
    let sales = tx.sales().get(sales_id).await?.filter(|s| s.active && s.deleted_at.is_none());
    let lead = tx.leads().get(lead_id).await?;
    tx.commit().await?;
    if let (Some(s), Some(lead)) = (sales, lead) {
        let text = t.lead_notice("Perubahan jadwal kunjungan", &lead, what, None).await?;
        t.notify(&s, text);
    }
    Ok(())
}
