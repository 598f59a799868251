//! Safe first contact (issue #18) on either backend: the outbox's check before the first
//! message to a number that never wrote, with the simulator channel's fake answer.

use std::time::Duration;

use chrono::{DateTime, Utc};
use garasi_channels::manager::first_contact::{FirstContact, check};
use garasi_channels::simulator::SimulatorChannel;
use garasi_domain::PhoneNumber;
use garasi_store::tenant::{Author, Contact, ContactRole, NewMessage};

use crate::support::store_with_tenants;

const DAY: Duration = Duration::from_secs(24 * 3600);

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[tokio::test]
async fn first_contacts_are_checked_cached_refused_and_capped() {
    let (_test_db, db, [t, other]) = store_with_tenants(["pertama", "lain"]).await;
    let sim = SimulatorChannel::default();
    sim.set_not_on_whatsapp("+6281200000002");
    sim.set_not_on_whatsapp("+6281200000003");
    // 10:00 in Jakarta.
    let now = at("2026-12-06T03:00:00Z");

    // A contact who wrote before is never checked, even one the fake would refuse.
    let phone = PhoneNumber::parse("+6281200000003").unwrap();
    let mut tx = db.tenant(t).begin_write().await.unwrap();
    let contact =
        Contact { channel: "waweb", phone: &phone, name: "", role: ContactRole::Customer, sales_staff_id: None };
    let conv = tx.conversations().upsert(&contact).await.unwrap();
    tx.messages().insert(&NewMessage::inbound(conv.id, Author::Customer, "wamid.1", "halo")).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(check(&db, t, &sim, "+6281200000003", DAY, 2, now).await.unwrap(), FirstContact::Known);
    assert_eq!(sim.on_whatsapp_asked(), 0);

    // New numbers: asked once, the answer kept per showroom.
    assert_eq!(check(&db, t, &sim, "+6281200000001", DAY, 2, now).await.unwrap(), FirstContact::Allowed);
    assert_eq!(check(&db, t, &sim, "+6281200000002", DAY, 2, now).await.unwrap(), FirstContact::NotOnWhatsapp);
    assert_eq!(check(&db, t, &sim, "+6281200000002", DAY, 2, now).await.unwrap(), FirstContact::NotOnWhatsapp);
    assert_eq!(sim.on_whatsapp_asked(), 2);
    assert_eq!(check(&db, other, &sim, "+6281200000002", DAY, 2, now).await.unwrap(), FirstContact::NotOnWhatsapp);
    assert_eq!(sim.on_whatsapp_asked(), 3, "another showroom asks for itself");

    // The daily cap of new chats (one used above, in this showroom).
    assert_eq!(check(&db, t, &sim, "+6281200000004", DAY, 2, now).await.unwrap(), FirstContact::Allowed);
    assert_eq!(
        check(&db, t, &sim, "+6281200000005", DAY, 2, now).await.unwrap(),
        FirstContact::CapReached(Duration::from_secs(14 * 3600)),
        "until midnight in Jakarta"
    );
    assert_eq!(check(&db, t, &sim, "+6281200000005", DAY, 2, now + DAY).await.unwrap(), FirstContact::Allowed);
}
