//! Safe first contact (issue #18): before the first message to a number that never
//! wrote to the showroom, ask the channel whether the number is on WhatsApp (sending to
//! one that is not can get the showroom's number restricted), keep the answer a while
//! (`wa_contact_checks`), refuse numbers that are not, and open at most
//! `Pacing::new_chats_per_day` new chats a day.

use std::time::Duration;

use chrono::{DateTime, Utc};
use garasi_domain::TenantId;
use garasi_domain::time::jakarta;
use garasi_store::Db;

use crate::channel::Channel;
use crate::types::SendError;

/// What the check allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FirstContact {
    /// The contact wrote to the showroom before: no check.
    Known,
    /// On WhatsApp (or the channel cannot tell): send.
    Allowed,
    /// Not on WhatsApp: never send.
    NotOnWhatsapp,
    /// Today's new chats are used up: try again after this long.
    CapReached(Duration),
}

/// The outbox's note for a number that is not on WhatsApp (shown with the dead letter).
pub fn not_on_whatsapp_note(phone: &str) -> String {
    format!("Nomor {phone} tidak terdaftar di WhatsApp; pesan tidak dikirim agar nomor showroom tidak dibatasi.")
}

/// The outbox's note for a message held back by the new-chat cap.
pub const CAP_NOTE: &str = "Batas chat baru hari ini tercapai; pesan ke nomor baru dikirim besok.";

fn db_err(e: garasi_store::StoreError) -> SendError {
    SendError::Temporary(format!("database: {e}"))
}

/// The check for a message to `phone` (E.164) at `now`.
pub async fn check(
    db: &Db,
    tenant: TenantId,
    channel: &dyn Channel,
    phone: &str,
    ttl: Duration,
    cap: u32,
    now: DateTime<Utc>,
) -> Result<FirstContact, SendError> {
    let since = now - chrono::Duration::from_std(ttl).unwrap_or_default();
    let day_start = now.with_timezone(&jakarta()).date_naive();
    let day_start = garasi_domain::time::jakarta_day_start(day_start).unwrap_or(now);
    let mut tx = db.tenant(tenant).begin().await.map_err(db_err)?;
    let known = tx.conversations().has_written(phone).await.map_err(db_err)?;
    let cached = if known { None } else { tx.contact_checks().get(phone, since).await.map_err(db_err)? };
    let opened_today = tx.contact_checks().count_since(day_start).await.map_err(db_err)?;
    tx.commit().await.map_err(db_err)?;
    if known {
        return Ok(FirstContact::Known);
    }
    if let Some(c) = cached {
        return Ok(if c.on_whatsapp { FirstContact::Allowed } else { FirstContact::NotOnWhatsapp });
    }
    if cap > 0 && opened_today >= i64::from(cap) {
        let tomorrow = day_start + chrono::Duration::days(1);
        return Ok(FirstContact::CapReached((tomorrow - now).to_std().unwrap_or(Duration::from_secs(3600))));
    }
    let Some(on) = channel.on_whatsapp(phone).await? else { return Ok(FirstContact::Allowed) };
    let mut tx = db.tenant(tenant).begin_write().await.map_err(db_err)?;
    tx.contact_checks().put(phone, on, now).await.map_err(db_err)?;
    tx.commit().await.map_err(db_err)?;
    Ok(if on { FirstContact::Allowed } else { FirstContact::NotOnWhatsapp })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulator::SimulatorChannel;

    async fn db_with_tenant() -> (Db, TenantId) {
        use garasi_domain::{Email, Role};
        use garasi_store::platform::NewTenant;
        use garasi_store::tenant::NewUser;
        let db = Db::connect("sqlite::memory:", &garasi_store::DbOptions::default()).await.unwrap();
        db.migrate().await.unwrap();
        let (t, _) = db
            .platform()
            .create_tenant(
                &NewTenant { slug: "baru".into(), name: "Baru".into(), whatsapp_number: None, domain: None },
                &NewUser {
                    email: Email::parse("owner@baru.test").unwrap(),
                    name: String::new(),
                    role: Role::Owner,
                    password_hash: "x".into(),
                },
                &serde_json::json!({}),
            )
            .await
            .unwrap();
        (db, t.id)
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    const DAY: Duration = Duration::from_secs(24 * 3600);

    #[tokio::test]
    async fn numbers_not_on_whatsapp_are_refused_and_answers_are_cached() {
        let (db, t) = db_with_tenant().await;
        let sim = SimulatorChannel::default();
        sim.set_not_on_whatsapp("+6281200000002");
        let now = at("2026-12-06T03:00:00Z");
        let yes = check(&db, t, &sim, "+6281200000001", DAY, 0, now).await.unwrap();
        assert_eq!(yes, FirstContact::Allowed);
        let no = check(&db, t, &sim, "+6281200000002", DAY, 0, now).await.unwrap();
        assert_eq!(no, FirstContact::NotOnWhatsapp);
        assert_eq!(sim.on_whatsapp_asked(), 2);
        // Cached: asked once per number while the answer is fresh.
        let again = check(&db, t, &sim, "+6281200000002", DAY, 0, now + chrono::Duration::hours(1)).await.unwrap();
        assert_eq!(again, FirstContact::NotOnWhatsapp);
        assert_eq!(sim.on_whatsapp_asked(), 2);
        // Stale: asked again.
        check(&db, t, &sim, "+6281200000002", DAY, 0, now + chrono::Duration::days(2)).await.unwrap();
        assert_eq!(sim.on_whatsapp_asked(), 3);
    }

    #[tokio::test]
    async fn a_contact_who_wrote_is_never_checked() {
        use garasi_domain::PhoneNumber;
        use garasi_store::tenant::{Author, Contact, ContactRole, NewMessage};
        let (db, t) = db_with_tenant().await;
        let phone = PhoneNumber::parse("+6281200000003").unwrap();
        let mut tx = db.tenant(t).begin_write().await.unwrap();
        let conv = tx
            .conversations()
            .upsert(&Contact {
                channel: "waweb",
                phone: &phone,
                name: "",
                role: ContactRole::Customer,
                sales_staff_id: None,
            })
            .await
            .unwrap();
        tx.messages().insert(&NewMessage::inbound(conv.id, Author::Customer, "wamid.1", "halo")).await.unwrap();
        tx.commit().await.unwrap();
        let sim = SimulatorChannel::default();
        sim.set_not_on_whatsapp("+6281200000003");
        let got = check(&db, t, &sim, "+6281200000003", DAY, 1, at("2026-12-06T03:00:00Z")).await.unwrap();
        assert_eq!(got, FirstContact::Known);
        assert_eq!(sim.on_whatsapp_asked(), 0);
    }

    #[tokio::test]
    async fn new_chats_stop_at_the_daily_cap_until_the_next_jakarta_day() {
        let (db, t) = db_with_tenant().await;
        let sim = SimulatorChannel::default();
        // 10:00 in Jakarta.
        let now = at("2026-12-06T03:00:00Z");
        for n in 1..=2 {
            let got = check(&db, t, &sim, &format!("+62812000001{n:02}"), DAY, 2, now).await.unwrap();
            assert_eq!(got, FirstContact::Allowed);
        }
        let got = check(&db, t, &sim, "+6281200000199", DAY, 2, now).await.unwrap();
        assert_eq!(got, FirstContact::CapReached(Duration::from_secs(14 * 3600)), "until midnight in Jakarta");
        // A number already opened today is not a new chat.
        let got = check(&db, t, &sim, "+6281200000101", DAY, 2, now).await.unwrap();
        assert_eq!(got, FirstContact::Allowed);
        // The next day the cap starts again.
        let got = check(&db, t, &sim, "+6281200000199", DAY, 2, now + DAY).await.unwrap();
        assert_eq!(got, FirstContact::Allowed);
    }
}
