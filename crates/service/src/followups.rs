//! Follow-ups with consent (issue #17, point 4).
//!
//! - **Offer**: a customer shown a car's details is asked once per car ("Mau saya kabari
//!   kalau harganya turun atau ada unit serupa?"); the offer is stored
//!   (`followup_subscriptions`: customer, car, model, body type, price band, price,
//!   channel). "ya"/"mau" to it is the consent ([`opt_in`], with its time).
//! - **Events**: a car's price going down and a car being published (draft or hidden →
//!   available, or created available) queue a job in [`FOLLOWUP_QUEUE`] from the car's
//!   own transaction ([`before_car_change`], [`car_created`]). [`send_due`] (the app's
//!   worker, by [`Services::clock`]) turns it into at most **one** message per
//!   subscription and kind (`price_drop`, `similar`), and never two about one car to one
//!   customer (unique rows in `followup_sends`).
//! - **Similar** = same model, or same body type and price band (Rp 50 juta bands).
//! - **Rules** at send time: the owner's switch (`followups.enabled`, off sends nothing
//!   and offers nothing), the showroom's daily cap (Jakarta day; what is over it waits for
//!   the next day), WhatsApp Web only to customers who wrote within 30 days, the Cloud API
//!   outside the 24-hour window only through the approved template named in the settings
//!   (nothing without one). Messages go through the outbox, paced like every other.
//! - **STOP** / "berhenti" ends every subscription of the customer in the showroom at once
//!   ([`opt_out`]), with a confirmation; no offer is made to them again.

use chrono::{DateTime, Duration, Utc};
use garasi_domain::car::{Car, CarFields, CarStatus};
use garasi_domain::time::jakarta;
use garasi_domain::{PhoneNumber, TenantId, TenantSettings};
use garasi_store::jobs::{NewJob, TemplateOut};
use garasi_store::tenant::{Contact, ContactRole, NewOffer, Subscription, TenantTx};
use garasi_store::{StoreResult, TenantDb};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::{Actor, ServiceResult, Services};

/// The job queue of follow-up events.
pub const FOLLOWUP_QUEUE: &str = "followup";
/// Width of a price band: "similar" cars cost within the same Rp 50 juta band.
pub const PRICE_BAND: i64 = 50_000_000;
/// What the bot asks after a car's details.
pub const OFFER_TEXT: &str = "Mau saya kabari kalau harganya turun atau ada unit serupa? Balas *ya* atau *mau* 🙂";
/// WhatsApp Web: only customers who wrote within this many days are messaged.
const WAWEB_DAYS: i64 = 30;
/// The Cloud API's customer-service window.
const CLOUD_WINDOW_HOURS: i64 = 24;

pub fn price_band(price: i64) -> i64 {
    price.max(0) / PRICE_BAND
}

/// What happened to a car.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    PriceDrop,
    Similar,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::PriceDrop => "price_drop",
            Kind::Similar => "similar",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct EventJob {
    car_id: Uuid,
    kind: Kind,
    /// The price before a drop (for the message).
    #[serde(default)]
    from_price: Option<i64>,
}

async fn settings_in(tx: &mut TenantTx) -> StoreResult<TenantSettings> {
    Ok(TenantSettings::from_json(&tx.settings().get().await?))
}

/// Offers follow-ups about `car` to a customer who was just shown it: `true` when the
/// offer is new (the bot then asks), `false` when follow-ups are off, the customer said
/// STOP before, or this car was offered already.
pub async fn offer(
    services: &Services,
    tenant: &TenantDb,
    phone: &PhoneNumber,
    conversation_id: Option<Uuid>,
    channel: &str,
    car: &Car,
) -> ServiceResult<bool> {
    let mut tx = tenant.begin_write().await?;
    let settings = settings_in(&mut tx).await?;
    if !settings.followups.enabled || !car.fields.status.is_public() || tx.followups().opted_out(phone.as_str()).await?
    {
        tx.commit().await?;
        return Ok(false);
    }
    let offered = tx
        .followups()
        .offer(&NewOffer {
            phone: phone.as_str().to_owned(),
            conversation_id,
            car_id: car.id,
            model: car.fields.model.clone(),
            body_type: Some(car.fields.body_type.as_str().to_owned()),
            price_band: price_band(car.fields.price),
            price: car.fields.price,
            channel: channel.to_owned(),
            at: services.clock.now(),
        })
        .await?;
    if offered {
        tx.audit(&Actor::System.audit(
            "followup.offer",
            Some(("car", car.id.to_string())),
            json!({ "phone": garasi_domain::mask_e164(phone.as_str()) }),
        ))
        .await?;
    }
    tx.commit().await?;
    Ok(offered)
}

/// The customer's yes to the offer about `car_id`: the consent, with its time and
/// channel. `false` when there was no open offer (or the customer opted out).
pub async fn opt_in(
    services: &Services,
    tenant: &TenantDb,
    phone: &PhoneNumber,
    car_id: Uuid,
    channel: &str,
) -> ServiceResult<bool> {
    let mut tx = tenant.begin_write().await?;
    let settings = settings_in(&mut tx).await?;
    if !settings.followups.enabled {
        tx.commit().await?;
        return Ok(false);
    }
    let done = tx.followups().consent(phone.as_str(), car_id, channel, services.clock.now()).await?;
    if done {
        tx.audit(&Actor::System.audit(
            "followup.opt_in",
            Some(("car", car_id.to_string())),
            json!({ "phone": garasi_domain::mask_e164(phone.as_str()), "channel": channel }),
        ))
        .await?;
    }
    tx.commit().await?;
    Ok(done)
}

/// "STOP": every subscription of the customer in this showroom ends now. Returns how many.
pub async fn opt_out(services: &Services, tenant: &TenantDb, phone: &PhoneNumber) -> ServiceResult<u64> {
    let mut tx = tenant.begin_write().await?;
    let n = tx.followups().opt_out_all(phone.as_str(), services.clock.now()).await?;
    tx.audit(&Actor::System.audit(
        "followup.opt_out",
        None,
        json!({ "phone": garasi_domain::mask_e164(phone.as_str()), "subscriptions": n }),
    ))
    .await?;
    tx.commit().await?;
    Ok(n)
}

fn published(before: Option<CarStatus>, after: CarStatus) -> bool {
    after == CarStatus::Available && !matches!(before, Some(CarStatus::Available | CarStatus::Booked | CarStatus::Sold))
}

async fn enqueue(tx: &mut TenantTx, job: &EventJob, run_at: Option<DateTime<Utc>>) -> StoreResult<()> {
    let mut j = NewJob::new(FOLLOWUP_QUEUE, job.kind.as_str(), serde_json::to_value(job).unwrap_or_default());
    j.run_at = run_at;
    j.dedupe_key =
        Some(format!("followup:{}:{}:{}:{}", tx.tenant_id().0, job.car_id, job.kind.as_str(), Uuid::now_v7()));
    j.max_attempts = 5;
    tx.outbox().enqueue(&j).await?;
    Ok(())
}

/// Called by every change of a car's fields, in its transaction, before the new fields
/// are written: a lower price queues the price-drop event, a draft or hidden car put on
/// sale the similar-car event.
pub async fn before_car_change(services: &Services, tx: &mut TenantTx, id: Uuid, new: &CarFields) -> StoreResult<()> {
    let Some(current) = tx.cars().get(id).await? else { return Ok(()) };
    let now = Some(services.clock.now());
    if new.price < current.fields.price && new.status == CarStatus::Available {
        enqueue(tx, &EventJob { car_id: id, kind: Kind::PriceDrop, from_price: Some(current.fields.price) }, now)
            .await?;
    }
    if published(Some(current.fields.status), new.status) {
        enqueue(tx, &EventJob { car_id: id, kind: Kind::Similar, from_price: None }, now).await?;
    }
    Ok(())
}

/// Called when a car is created, in its transaction: one created for sale is published.
pub async fn car_created(services: &Services, tx: &mut TenantTx, car: &Car) -> StoreResult<()> {
    if published(None, car.fields.status) {
        let job = EventJob { car_id: car.id, kind: Kind::Similar, from_price: None };
        enqueue(tx, &job, Some(services.clock.now())).await?;
    }
    Ok(())
}

/// Sends the follow-ups of the events due by [`Services::clock`]. Returns how many
/// messages went into the outbox.
pub async fn send_due(services: &Services, worker: &str) -> ServiceResult<usize> {
    crate::due_jobs::run_due(services, FOLLOWUP_QUEUE, worker, "follow-up", |tenant, job| async move {
        send_event(services, tenant, &job).await
    })
    .await
}

/// How a follow-up may reach a customer now.
enum Route {
    Text,
    Template(TemplateOut),
    Not(&'static str),
}

fn route(
    channel: &str,
    settings: &TenantSettings,
    last_in: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    params: Vec<String>,
) -> Route {
    let since = last_in.map(|t| now - t);
    match channel {
        "waweb" => match since {
            Some(d) if d <= Duration::days(WAWEB_DAYS) => Route::Text,
            _ => Route::Not("no message from the customer in 30 days"),
        },
        "cloud_api" => match since {
            Some(d) if d <= Duration::hours(CLOUD_WINDOW_HOURS) => Route::Text,
            _ if settings.followups.cloud_template.trim().is_empty() => {
                Route::Not("outside the 24-hour window, no template")
            }
            _ => Route::Template(TemplateOut {
                name: settings.followups.cloud_template.trim().to_owned(),
                language: match settings.followups.template_language.trim() {
                    "" => "id".to_owned(),
                    l => l.to_owned(),
                },
                params,
            }),
        },
        _ => Route::Text,
    }
}

fn rupiah(v: i64) -> String {
    format!("Rp {}", garasi_domain::money::group_thousands(v))
}

/// The message's text, and the template's parameters (title, price).
fn message(kind: Kind, showroom: &str, car: &Car, from_price: Option<i64>) -> (String, Vec<String>) {
    let title = car.title();
    let price = rupiah(car.fields.price);
    let stop = "Balas *STOP* kalau tidak mau menerima kabar seperti ini lagi.";
    let text = match kind {
        Kind::PriceDrop => format!(
            "📉 Kabar baik kak! Harga *{title}* (no. {}) di *{showroom}* turun{} jadi *{price}*.\nKetik */detail {}* untuk info lengkapnya.\n\n{stop}",
            car.stock_no,
            from_price.map(|p| format!(" dari {}", rupiah(p))).unwrap_or_default(),
            car.stock_no,
        ),
        Kind::Similar => format!(
            "🚗 Ada unit serupa yang baru tayang di *{showroom}*: *{title}* (no. {}), *{price}*.\nKetik */detail {}* untuk info lengkapnya.\n\n{stop}",
            car.stock_no, car.stock_no,
        ),
    };
    (text, vec![title, price])
}

/// One event: the messages it sends (at most the day's remaining cap).
async fn send_event(services: &Services, tenant: TenantId, e: &EventJob) -> ServiceResult<usize> {
    let showroom = services.db.platform().tenant(tenant).await?.map(|t| t.name).unwrap_or_default();
    let now = services.clock.now();
    let mut tx = services.db.tenant(tenant).begin_write().await?;
    let settings = settings_in(&mut tx).await?;
    let car = tx.cars().get(e.car_id).await?;
    let Some(car) = car.filter(|c| c.fields.status == CarStatus::Available && settings.followups.enabled) else {
        tx.commit().await?;
        return Ok(0);
    };
    let candidates: Vec<Subscription> = match e.kind {
        Kind::PriceDrop => {
            tx.followups().active_for_car(car.id).await?.into_iter().filter(|s| car.fields.price < s.price).collect()
        }
        Kind::Similar => {
            let body = car.fields.body_type.as_str().to_owned();
            tx.followups().active_similar(car.id, &car.fields.model, Some(&body), price_band(car.fields.price)).await?
        }
    };
    let channel = crate::bot_messages::channel_kind(&mut tx).await?;
    let day_start = garasi_domain::time::jakarta_day_start(now.with_timezone(&jakarta()).date_naive()).unwrap_or(now);
    let cap = settings.followups.daily_cap.max(0);
    if cap == 0 {
        tx.commit().await?;
        return Ok(0);
    }
    let mut sent_today = tx.followups().sent_since(day_start).await?;
    let mut sent = 0;
    let mut seen = std::collections::HashSet::new();
    for s in candidates {
        if !seen.insert(s.phone.clone()) || tx.followups().already_sent(s.id, e.kind.as_str(), &s.phone, car.id).await?
        {
            continue;
        }
        if sent_today >= cap {
            // The rest waits for tomorrow (Jakarta); what went out today is not sent again.
            let tomorrow = day_start + Duration::days(1);
            enqueue(&mut tx, e, Some(tomorrow)).await?;
            break;
        }
        let Ok(phone) = PhoneNumber::parse(&s.phone) else { continue };
        let last_in = tx.followups().last_inbound_at(phone.as_str()).await?;
        let (text, params) = message(e.kind, &showroom, &car, e.from_price);
        let template = match route(&channel, &settings, last_in, now, params) {
            Route::Text => None,
            Route::Template(t) => Some(t),
            Route::Not(why) => {
                tracing::debug!(why, "follow-up not sent");
                continue;
            }
        };
        if !tx.followups().record_send(s.id, e.kind.as_str(), car.id, phone.as_str(), now).await? {
            continue;
        }
        let contact =
            Contact { channel: &channel, phone: &phone, name: "", role: ContactRole::Customer, sales_staff_id: None };
        let intent = match e.kind {
            Kind::PriceDrop => "followup_price_drop",
            Kind::Similar => "followup_similar",
        };
        crate::bot_messages::send_to(&mut tx, &contact, &text, intent, template.clone()).await?;
        tx.audit(&Actor::System.audit(
            "followup.send",
            Some(("car", car.id.to_string())),
            json!({ "kind": e.kind.as_str(), "subscription_id": s.id, "template": template.is_some() }),
        ))
        .await?;
        sent_today += 1;
        sent += 1;
    }
    tx.commit().await?;
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn channels_decide_how_a_follow_up_may_go() {
        let now = at("2026-05-11T02:00:00Z");
        let mut s = TenantSettings::default();
        let recent = Some(now - Duration::hours(2));
        let old = Some(now - Duration::days(31));
        assert!(matches!(route("waweb", &s, recent, now, vec![]), Route::Text));
        assert!(matches!(route("waweb", &s, old, now, vec![]), Route::Not(_)));
        assert!(matches!(route("waweb", &s, None, now, vec![]), Route::Not(_)));
        assert!(matches!(route("cloud_api", &s, recent, now, vec![]), Route::Text));
        assert!(matches!(route("cloud_api", &s, Some(now - Duration::hours(25)), now, vec![]), Route::Not(_)));
        s.followups.cloud_template = "kabar_harga".into();
        assert!(
            matches!(route("cloud_api", &s, Some(now - Duration::hours(25)), now, vec![]), Route::Template(t) if t.name == "kabar_harga" && t.language == "id")
        );
        assert!(published(None, CarStatus::Available));
        assert!(published(Some(CarStatus::Draft), CarStatus::Available));
        assert!(!published(Some(CarStatus::Booked), CarStatus::Available));
        assert_eq!(price_band(199_000_000), 3);
    }
}
