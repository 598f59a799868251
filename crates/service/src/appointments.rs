//! Visits and test drives: create, reschedule, cancel and set the status of an
//! appointment (each with its audit entry in the same transaction), and the reminders.
//!
//! Reminders are jobs in the [`REMINDER_QUEUE`], enqueued in the appointment's own
//! transaction: one the day before (24 hours ahead) and one 2 hours before, each only
//! when that moment is still ahead. Moving or ending an appointment withdraws its queued
//! reminders in the same transaction; a reminder that fires anyway (claimed just before)
//! checks that the appointment is still scheduled at the time it was written for, and
//! sends nothing otherwise. [`send_due_reminders`] turns due reminders into WhatsApp
//! messages through the outbox, by [`Services::clock`], so tests move time instead of
//! waiting for it.

use chrono::{DateTime, Duration, Utc};
use garasi_domain::time::jakarta;
use garasi_domain::visit::{self, AppointmentStatus, VisitKind};
use garasi_domain::{PhoneNumber, TenantSettings};
use garasi_store::jobs::NewJob;
use garasi_store::tenant::{Appointment, Contact, ContactRole, NewAppointment, TenantTx};
use garasi_store::{StoreError, TenantDb};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::{Actor, ServiceError, ServiceResult, Services};

/// The job queue of appointment reminders.
pub const REMINDER_QUEUE: &str = "appointment_reminder";

/// Which reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reminder {
    DayBefore,
    TwoHours,
}

impl Reminder {
    pub const ALL: [Reminder; 2] = [Reminder::DayBefore, Reminder::TwoHours];

    fn ahead(self) -> Duration {
        match self {
            Reminder::DayBefore => Duration::hours(24),
            Reminder::TwoHours => Duration::hours(2),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Reminder::DayBefore => "day_before",
            Reminder::TwoHours => "two_hours",
        }
    }
}

/// A reminder job's payload.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ReminderJob {
    appointment_id: Uuid,
    which: Reminder,
    /// The start the reminder was written for: a moved appointment's old reminder is void.
    starts_at: DateTime<Utc>,
}

/// What the dashboard or the bot books.
#[derive(Debug, Clone)]
pub struct NewVisit {
    pub phone: PhoneNumber,
    pub name: String,
    pub kind: VisitKind,
    pub starts_at: DateTime<Utc>,
    pub lead_id: Option<Uuid>,
    pub conversation_id: Option<Uuid>,
    pub car_id: Option<Uuid>,
    pub sales_id: Option<Uuid>,
    pub note: String,
}

/// Who may book and change visits: anyone of the showroom at the dashboard, its
/// salespeople, the system (the bot books for customers as the system).
fn check_actor(actor: &Actor) -> ServiceResult<()> {
    match actor {
        Actor::Staff { .. } | Actor::Sales { .. } | Actor::System => Ok(()),
        Actor::Root { .. } => Err(ServiceError::forbidden("Jadwal kunjungan diatur oleh showroom.")),
    }
}

/// The free-text author of a change, like lead events.
fn author(actor: &Actor) -> String {
    match actor {
        Actor::Staff { .. } => "dashboard".into(),
        Actor::Sales { phone, .. } => format!("sales {phone}"),
        Actor::Root { .. } => "root".into(),
        Actor::System => "bot".into(),
    }
}

/// Checks that `at` is ahead and inside the showroom's visiting hours.
fn check_time(services: &Services, settings: &TenantSettings, at: DateTime<Utc>) -> ServiceResult<()> {
    if at <= services.clock.now() {
        return Err(ServiceError::field("starts_at", "Waktu kunjungan harus di masa depan."));
    }
    let local = at.with_timezone(&jakarta()).naive_local();
    if !settings.visits.is_open(local) {
        return Err(ServiceError::field(
            "starts_at",
            format!("Di luar jam kunjungan showroom ({}).", settings.visits.summary()),
        ));
    }
    Ok(())
}

async fn settings_in(tx: &mut TenantTx) -> ServiceResult<TenantSettings> {
    Ok(TenantSettings::from_json(&tx.settings().get().await?))
}

/// Books a visit or test drive.
pub async fn create(
    services: &Services,
    actor: &Actor,
    tenant: &TenantDb,
    new: NewVisit,
) -> ServiceResult<Appointment> {
    check_actor(actor)?;
    let mut tx = tenant.begin_write().await?;
    let settings = settings_in(&mut tx).await?;
    check_time(services, &settings, new.starts_at)?;
    let appointment = tx
        .appointments()
        .create(&NewAppointment {
            lead_id: new.lead_id,
            conversation_id: new.conversation_id,
            car_id: new.car_id,
            sales_id: new.sales_id,
            phone: new.phone.as_str().to_owned(),
            name: new.name,
            kind: new.kind,
            starts_at: new.starts_at,
            note: new.note,
            created_by: author(actor),
        })
        .await
        .map_err(reference)?;
    schedule_reminders(services, &mut tx, &appointment).await?;
    tx.audit(&actor.audit(
        "appointment.create",
        Some(("appointment", appointment.id.to_string())),
        json!({ "kind": appointment.kind.as_str(), "starts_at": appointment.starts_at, "lead_id": appointment.lead_id }),
    ))
    .await?;
    tx.commit().await?;
    Ok(appointment)
}

/// Moves an appointment to `starts_at`; its old reminders are withdrawn and new ones set.
pub async fn reschedule(
    services: &Services,
    actor: &Actor,
    tenant: &TenantDb,
    id: Uuid,
    starts_at: DateTime<Utc>,
) -> ServiceResult<Appointment> {
    check_actor(actor)?;
    let mut tx = tenant.begin_write().await?;
    let settings = settings_in(&mut tx).await?;
    let before = tx.appointments().get(id).await?.ok_or(ServiceError::NotFound)?;
    if before.status != AppointmentStatus::Scheduled {
        return Err(ServiceError::Conflict("Jadwal ini sudah selesai atau dibatalkan.".into()));
    }
    check_time(services, &settings, starts_at)?;
    withdraw_reminders(&mut tx, id).await?;
    let after = tx.appointments().reschedule(id, starts_at).await?;
    schedule_reminders(services, &mut tx, &after).await?;
    tx.audit(&actor.audit(
        "appointment.reschedule",
        Some(("appointment", id.to_string())),
        json!({ "from": before.starts_at, "to": after.starts_at }),
    ))
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Sets the status: `came`, `no_show`, `cancelled` end the reminders; `scheduled` again
/// sets them anew (when the visit is still ahead).
pub async fn set_status(
    services: &Services,
    actor: &Actor,
    tenant: &TenantDb,
    id: Uuid,
    status: AppointmentStatus,
) -> ServiceResult<Appointment> {
    check_actor(actor)?;
    let mut tx = tenant.begin_write().await?;
    let before = tx.appointments().get(id).await?.ok_or(ServiceError::NotFound)?;
    if before.status == status {
        tx.commit().await?;
        return Ok(before);
    }
    withdraw_reminders(&mut tx, id).await?;
    let after = tx.appointments().set_status(id, status).await?;
    if status == AppointmentStatus::Scheduled {
        schedule_reminders(services, &mut tx, &after).await?;
    }
    tx.audit(&actor.audit(
        "appointment.status",
        Some(("appointment", id.to_string())),
        json!({ "from": before.status.as_str(), "to": status.as_str() }),
    ))
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Cancels an appointment (the customer's "batal datang" or the dashboard's button).
pub async fn cancel(services: &Services, actor: &Actor, tenant: &TenantDb, id: Uuid) -> ServiceResult<Appointment> {
    set_status(services, actor, tenant, id, AppointmentStatus::Cancelled).await
}

fn key_prefix(tenant: garasi_domain::TenantId, id: Uuid) -> String {
    format!("appt-rem:{}:{id}:", tenant.0)
}

async fn withdraw_reminders(tx: &mut TenantTx, id: Uuid) -> ServiceResult<()> {
    let prefix = key_prefix(tx.tenant_id(), id);
    tx.outbox().withdraw(REMINDER_QUEUE, &prefix).await?;
    Ok(())
}

/// Enqueues the reminders still ahead of `services.clock`. Each schedule gets its own
/// dedupe keys, so moving a visit back to an earlier time schedules afresh.
async fn schedule_reminders(services: &Services, tx: &mut TenantTx, a: &Appointment) -> ServiceResult<()> {
    let now = services.clock.now();
    let round = Uuid::now_v7();
    for which in Reminder::ALL {
        let at = a.starts_at - which.ahead();
        if at <= now {
            continue;
        }
        let payload = ReminderJob { appointment_id: a.id, which, starts_at: a.starts_at };
        let mut job = NewJob::new(REMINDER_QUEUE, which.as_str(), serde_json::to_value(&payload).unwrap_or_default());
        job.run_at = Some(at);
        job.dedupe_key = Some(format!("{}{}:{round}", key_prefix(tx.tenant_id(), a.id), which.as_str()));
        job.max_attempts = 5;
        tx.outbox().enqueue(&job).await?;
    }
    Ok(())
}

fn reference(e: StoreError) -> ServiceError {
    match e {
        StoreError::Conflict(_) => ServiceError::Conflict("Prospek, mobil atau sales tidak ditemukan.".into()),
        other => other.into(),
    }
}

/// The reminder's text for the customer.
pub fn reminder_text(showroom: &str, a: &Appointment, which: Reminder) -> String {
    let local = a.starts_at.with_timezone(&jakarta()).naive_local();
    let what = match a.kind {
        VisitKind::Visit => "kunjungan",
        VisitKind::TestDrive => "test drive",
    };
    let car = a.car_title.as_ref().map(|t| format!(" untuk *{t}*")).unwrap_or_default();
    let lead = match which {
        Reminder::DayBefore => format!("⏰ Pengingat: besok, {}", visit::say_when(local)),
        Reminder::TwoHours => format!("⏰ Pengingat: 2 jam lagi, pukul {}", local.format("%H.%M")),
    };
    format!(
        "{lead}, kakak ada jadwal {what}{car} di *{showroom}*. Sampai jumpa! 🙌\n\nBerhalangan? Balas _batal datang_, atau _jadinya <hari> jam <jam>_ untuk ganti jadwal."
    )
}

/// Sends the reminders due by `services.clock`: each becomes a WhatsApp message to the
/// customer (stored in their conversation, sent through the outbox) unless its appointment
/// was moved, ended or cancelled since. Returns how many were sent.
pub async fn send_due_reminders(services: &Services, worker: &str) -> ServiceResult<usize> {
    crate::due_jobs::run_due(services, REMINDER_QUEUE, worker, "reminder", |tenant, job| async move {
        send_one(services, tenant, &job).await.map(usize::from)
    })
    .await
}

/// `true` when the reminder went into the outbox.
async fn send_one(services: &Services, tenant: garasi_domain::TenantId, r: &ReminderJob) -> ServiceResult<bool> {
    let showroom = services.db.platform().tenant(tenant).await?.map(|t| t.name).unwrap_or_default();
    let mut tx = services.db.tenant(tenant).begin_write().await?;
    let Some(a) = tx.appointments().get(r.appointment_id).await? else {
        tx.commit().await?;
        return Ok(false);
    };
    if a.status != AppointmentStatus::Scheduled || a.starts_at != r.starts_at {
        tx.commit().await?;
        return Ok(false);
    }
    let Ok(phone) = PhoneNumber::parse(&a.phone) else {
        tx.commit().await?;
        return Ok(false);
    };
    let conversation = match a.conversation_id {
        Some(id) => tx.conversations().get(id).await?,
        None => None,
    };
    let conversation = match conversation {
        Some(c) => c,
        None => {
            let channel = crate::bot_messages::channel_kind(&mut tx).await?;
            tx.conversations()
                .upsert(&Contact {
                    channel: &channel,
                    phone: &phone,
                    name: &a.name,
                    role: ContactRole::Customer,
                    sales_staff_id: None,
                })
                .await?
        }
    };
    let text = reminder_text(&showroom, &a, r.which);
    crate::bot_messages::send_in(&mut tx, &conversation, &phone, &text, "appointment_reminder", None).await?;
    tx.commit().await?;
    Ok(true)
}
