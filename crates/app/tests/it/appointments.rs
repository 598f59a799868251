//! Visits and test drives through the real engine (the simulator and, for the hand-off
//! pause, WhatsApp Web's inbound path), with a manual clock: booking in Indonesian,
//! asking for a missing time, proposing the nearest open slot, rescheduling and
//! cancelling by chat, reminders that fire when the clock reaches them (and never for a
//! moved or cancelled visit), the dashboard and its API, the `.ics` export; and a person
//! replying from the showroom's phone pausing the bot until the hand-off time is over.

use std::time::Duration;

use chrono::{DateTime, Utc};
use garasi_channels::{ChannelKind, InboundBody, InboundMessage, Inbox, Peer};
use garasi_domain::clock::Clock;
use garasi_service::Services;
use garasi_store::jobs::{WHATSAPP_IN, WHATSAPP_OUT};
use serde_json::{Value, json};

use crate::bot::{CUSTOMER, SALES_E164, Showroom, text};
use crate::sales::showrooms;
use crate::support::{Fetch, TestApp};
use crate::whatsapp::{eventually, offline_app};

/// Monday 11 May 2026, 09:00 in Jakarta.
const START: &str = "2026-05-11T02:00:00Z";

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn showroom(clock: &Clock) -> Showroom {
    let c = clock.clone();
    let app = TestApp::spawn_with(move |s| {
        s.appointments.clock = c;
        s.appointments.tick = Duration::from_millis(100);
    })
    .await;
    Showroom::on(app, "sinar").await
}

fn services(app: &TestApp) -> Services {
    app.running.as_ref().unwrap().state.services.clone()
}

/// Runs the reminder worker's step once here (the app's own worker runs it too).
async fn fire(app: &TestApp) {
    garasi_service::appointments::send_due_reminders(&services(app), "test").await.unwrap();
}

/// The reminders in the outbox, oldest first.
async fn reminders(s: &Showroom) -> Vec<Value> {
    let mut tx = s.app.runtime_db().tenant(s.tenant).begin().await.unwrap();
    let jobs = tx.outbox().list(WHATSAPP_OUT, 500).await.unwrap();
    tx.commit().await.unwrap();
    jobs.into_iter()
        .map(|j| j.payload)
        .filter(|p| p["text"].as_str().is_some_and(|t| t.starts_with("⏰ Pengingat")))
        .collect()
}

/// Moves the clock and waits until the outbox holds `want` reminders.
async fn reminders_at(s: &Showroom, clock: &Clock, at: &str, want: usize) -> Vec<Value> {
    clock.set(utc(at));
    eventually(&format!("{want} reminders at {at}"), async || {
        fire(&s.app).await;
        let r = reminders(s).await;
        (r.len() == want).then_some(r)
    })
    .await
}

async fn week(s: &Showroom) -> Vec<Value> {
    let v = s
        .app
        .get(&s.host(), "/api/appointments?from=2026-05-11&to=2026-05-17")
        .bearer_auth(&s.token)
        .fetch_expect(200)
        .await;
    v["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_visit_booked_by_chat_is_reminded_moved_and_cancelled_at_the_right_times() {
    let clock = Clock::manual(utc(START));
    let s = showroom(&clock).await;
    s.say(CUSTOMER, "detail no 4").await;

    // Booking: the day and time in Jakarta, the car in focus, the lead and its salesperson.
    let r = s.say(CUSTOMER, "mau lihat langsung besok jam 10").await;
    let t = text(&r);
    assert_eq!(r["intent"], "visit_booked", "{r}");
    assert!(t.contains("Selasa, 12 Mei 2026 pukul 10.00"), "{t}");
    assert!(t.contains("Toyota Rush"), "{t}");
    assert!(!t.contains("hari & jam berapa"), "{t}");
    assert_eq!(r["notifications"][0]["to"], SALES_E164, "{r}");
    assert!(r["notifications"][0]["text"].as_str().unwrap().contains("Jadwal kunjungan baru"), "{r}");
    let items = week(&s).await;
    assert_eq!(items.len(), 1, "{items:?}");
    let a = &items[0];
    assert_eq!(a["starts_at"], "2026-05-12T03:00:00Z");
    assert_eq!(a["kind"], "visit");
    assert_eq!(a["status"], "scheduled");
    assert_eq!(a["stock_no"], 4);
    assert_eq!(a["sales_name"], "Rina");
    let lead = s.lead_of(CUSTOMER).await.expect("a lead");
    assert_eq!(a["lead_id"], lead.id.to_string());

    // The day-before reminder waits for its minute, then goes to the customer once.
    clock.set(utc("2026-05-11T02:59:59Z"));
    fire(&s.app).await;
    assert!(reminders(&s).await.is_empty());
    let sent = reminders_at(&s, &clock, "2026-05-11T03:00:00Z", 1).await;
    assert_eq!(sent[0]["to"], CUSTOMER);
    assert_eq!(sent[0]["channel"], "simulator");
    assert!(sent[0]["text"].as_str().unwrap().contains("besok, Selasa, 12 Mei 2026 pukul 10.00"), "{sent:?}");

    // Moved to Sunday (same hour): the old 2-hour reminder never fires, the new ones do.
    let r = s.say(CUSTOMER, "jadinya minggu aja").await;
    assert_eq!(r["intent"], "visit_rescheduled", "{r}");
    assert!(text(&r).contains("Minggu, 17 Mei 2026 pukul 10.00"), "{r}");
    assert!(r["notifications"][0]["text"].as_str().unwrap().contains("Jadwal diganti"), "{r}");
    clock.set(utc("2026-05-12T01:00:00Z"));
    fire(&s.app).await;
    let sent = reminders(&s).await;
    assert_eq!(sent.len(), 1, "the moved visit's old reminder stays silent: {sent:?}");
    let sent = reminders_at(&s, &clock, "2026-05-16T03:00:00Z", 2).await;
    assert!(sent[1]["text"].as_str().unwrap().contains("besok, Minggu, 17 Mei 2026 pukul 10.00"), "{sent:?}");

    // Cancelled: the 2-hour reminder is withdrawn.
    let r = s.say(CUSTOMER, "maaf kak batal datang ya").await;
    assert_eq!(r["intent"], "visit_cancelled", "{r}");
    clock.set(utc("2026-05-17T01:00:00Z"));
    fire(&s.app).await;
    assert_eq!(reminders(&s).await.len(), 2);
    assert_eq!(week(&s).await[0]["status"], "cancelled");

    let log = s.app.runtime_db().platform().audit_log(Some(s.tenant), 100, 0).await.unwrap();
    let actions: Vec<String> = log.into_iter().map(|e| e.action).collect();
    for a in ["appointment.create", "appointment.reschedule", "appointment.status"] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
}

#[tokio::test]
async fn the_bot_asks_for_a_missing_time_and_proposes_the_nearest_open_slot() {
    let clock = Clock::manual(utc(START));
    let s = showroom(&clock).await;

    // A day without a time: the bot asks for the time, then books.
    let c2 = "+6281299990002";
    let r = s.say(c2, "mau test drive hari kamis").await;
    assert_eq!(r["intent"], "visit_ask_time", "{r}");
    assert!(text(&r).contains("Kamis, 14 Mei 2026") && text(&r).contains("jam berapa"), "{r}");
    let r = s.say(c2, "jam 10 ya").await;
    assert_eq!(r["intent"], "visit_booked", "{r}");
    assert!(text(&r).contains("Kamis, 14 Mei 2026 pukul 10.00"), "{r}");

    // After closing time: the nearest slot (the last one that day) is proposed; "ya" books it.
    let c3 = "+6281299990003";
    let r = s.say(c3, "lusa jam 7 malam bisa lihat unit?").await;
    assert_eq!(r["intent"], "visit_propose", "{r}");
    assert!(text(&r).contains("Rabu, 13 Mei 2026 pukul 16.00"), "{r}");
    let r = s.say(c3, "ya").await;
    assert_eq!(r["intent"], "visit_booked", "{r}");
    assert!(text(&r).contains("Rabu, 13 Mei 2026 pukul 16.00"), "{r}");

    // The examples, each from a new customer.
    for (from, msg, when, kind) in [
        ("+6281299990004", "tgl 12 pagi", "2026-05-12T02:00:00Z", "visit"),
        ("+6281299990005", "test drive sabtu sore bisa?", "2026-05-16T08:00:00Z", "test_drive"),
        ("+6281299990006", "lusa jam 2 siang", "2026-05-13T07:00:00Z", "visit"),
    ] {
        let r = s.say(from, msg).await;
        assert_eq!(r["intent"], "visit_booked", "{msg}: {r}");
        let items = week(&s).await;
        let a = items.iter().find(|a| a["phone"] == from).unwrap_or_else(|| panic!("{msg}: {items:?}"));
        assert_eq!(a["starts_at"], when, "{msg}");
        assert_eq!(a["kind"], kind, "{msg}");
    }
    assert_eq!(week(&s).await.len(), 5);
}

#[tokio::test]
async fn the_dashboard_lists_changes_and_exports_the_week() {
    let clock = Clock::manual(utc(START));
    let s = showroom(&clock).await;
    s.say(CUSTOMER, "detail no 2").await;
    s.say(CUSTOMER, "test drive besok jam 1 siang").await;
    let lead = s.lead_of(CUSTOMER).await.unwrap();
    let id = week(&s).await[0]["id"].as_str().unwrap().to_owned();

    // The week page (Indonesian, with the status buttons) and the lead page.
    let html = s.app.get(&s.host(), "/admin/jadwal?minggu=2026-05-13").bearer_auth(&s.token).fetch_text().await;
    assert!(html.contains("Senin, 11 Mei 2026") && html.contains("Minggu, 17 Mei 2026"), "{html}");
    assert!(html.contains("Toyota Fortuner") && html.contains("13.00") && html.contains("Test drive"), "{html}");
    assert!(html.contains("Tidak datang") && html.contains("/admin/jadwal/"), "{html}");
    let lead_html = s.app.get(&s.host(), &format!("/admin/leads/{}", lead.id)).bearer_auth(&s.token).fetch_text().await;
    assert!(lead_html.contains("Selasa, 12 Mei 2026 pukul 13.00"), "{lead_html}");

    // A booking from the dashboard must fit the visiting hours.
    let body = json!({ "lead_id": lead.id, "starts_at": "2026-05-12T12:00:00Z" });
    let e = s.app.post(&s.host(), "/api/appointments").bearer_auth(&s.token).json(&body).fetch_expect(422).await;
    assert!(e["error"]["fields"]["starts_at"].as_str().unwrap().contains("jam kunjungan"), "{e}");
    let body = json!({ "lead_id": lead.id, "starts_at": "2026-05-13T07:30:00Z", "kind": "visit" });
    let made = s.app.post(&s.host(), "/api/appointments").bearer_auth(&s.token).json(&body).fetch_expect(201).await;
    assert_eq!(made["starts_at_label"], "Rabu, 13 Mei 2026 pukul 14.30");

    // Status from a dashboard button: reminders withdrawn.
    let resp = s
        .app
        .post(&s.host(), &format!("/admin/jadwal/{id}/status"))
        .bearer_auth(&s.token)
        .form(&[("status", "came"), ("minggu", "2026-05-11")])
        .fetch()
        .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()["location"], "/admin/jadwal?minggu=2026-05-11");
    let mut tx = s.app.runtime_db().tenant(s.tenant).begin().await.unwrap();
    let jobs = tx.outbox().list(garasi_service::appointments::REMINDER_QUEUE, 50).await.unwrap();
    tx.commit().await.unwrap();
    let of_first: Vec<_> = jobs.iter().filter(|j| j.payload["appointment_id"] == id.as_str()).collect();
    assert!(!of_first.is_empty() && of_first.iter().all(|j| j.status == "done"), "{of_first:?}");
    let v = s
        .app
        .put(&s.host(), &format!("/api/appointments/{}/status", made["id"].as_str().unwrap()))
        .bearer_auth(&s.token)
        .json(&json!({ "status": "no_show" }))
        .fetch_expect(200)
        .await;
    assert_eq!(v["status"], "no_show");
    s.app
        .put(&s.host(), &format!("/api/appointments/{id}/status"))
        .bearer_auth(&s.token)
        .json(&json!({ "status": "kemarin" }))
        .fetch_expect(422)
        .await;

    // The calendar export.
    let resp = s
        .app
        .get(&s.host(), "/api/appointments/export.ics?from=2026-05-11&to=2026-05-17")
        .bearer_auth(&s.token)
        .fetch()
        .await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
    let ics = resp.text().await.unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.ends_with("END:VCALENDAR\r\n"), "{ics}");
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 2, "{ics}");
    assert!(ics.contains("DTSTART:20260512T060000Z\r\n") && ics.contains("DTSTART:20260513T073000Z\r\n"), "{ics}");

    // Other showrooms see none of it.
    let (_, other_token) = showrooms(&s.app, &["lain"]).await.remove(0);
    let v = s
        .app
        .get(&TestApp::tenant_host("lain"), "/api/appointments?from=2026-05-11&to=2026-05-17")
        .bearer_auth(&other_token)
        .fetch_expect(200)
        .await;
    assert_eq!(v["items"], json!([]));
    s.app
        .put(&TestApp::tenant_host("lain"), &format!("/api/appointments/{id}/status"))
        .bearer_auth(&other_token)
        .json(&json!({ "status": "cancelled" }))
        .fetch_expect(404)
        .await;
    let doc = s.app.get(&s.host(), "/api/openapi.json").fetch_expect(200).await;
    assert!(
        doc["paths"]["/api/appointments"]["get"].is_object()
            && doc["paths"]["/api/appointments/export.ics"].is_object()
    );
}

/// An inbound WhatsApp Web message, as the channel's durability hook would store it.
fn waweb(tenant: garasi_domain::TenantId, id: &str, customer: &str, text: &str, from_me: bool) -> InboundMessage {
    InboundMessage {
        tenant_id: tenant,
        channel: ChannelKind::WaWeb,
        id: id.into(),
        sender: Peer::phone(customer),
        sender_name: (!from_me).then(|| "Andi".to_owned()),
        at: Utc::now(),
        body: InboundBody::Text { text: text.into() },
        from_me,
    }
}

#[tokio::test]
async fn a_person_replying_from_the_showroom_phone_pauses_the_bot_until_the_hand_off_ends() {
    let clock = Clock::manual(utc(START));
    let c = clock.clone();
    let (app, _graph) = offline_app(move |s| s.appointments.clock = c).await;
    let (tenant, token) = showrooms(&app, &["toko"]).await.remove(0);
    let host = TestApp::tenant_host("toko");
    app.put(&host, "/api/whatsapp/channel")
        .bearer_auth(&token)
        .json(&json!({ "kind": "waweb" }))
        .fetch_expect(200)
        .await;
    let db = app.runtime_db();
    // Messages only arrive on a paired number, whose lease an instance holds; an unpaired
    // WhatsApp Web channel has none, so offer it as pairing would.
    db.whatsapp().want_lease(tenant).await.unwrap();
    let inbox = Inbox::new(db.clone());
    let handled = async |id: &str| {
        eventually(&format!("inbound {id} handled"), async || {
            let mut tx = db.tenant(tenant).begin().await.unwrap();
            let jobs = tx.outbox().list(WHATSAPP_IN, 100).await.unwrap();
            tx.commit().await.unwrap();
            jobs.iter().any(|j| j.payload["id"] == id && j.status == "done").then_some(())
        })
        .await
    };
    let replies = async || {
        let mut tx = db.tenant(tenant).begin().await.unwrap();
        let jobs = tx.outbox().list(WHATSAPP_OUT, 100).await.unwrap();
        tx.commit().await.unwrap();
        jobs.iter().filter(|j| j.payload["to"] == CUSTOMER).count()
    };
    let paused_until = async || {
        let phone = garasi_domain::PhoneNumber::parse(CUSTOMER).unwrap();
        let mut tx = db.tenant(tenant).begin().await.unwrap();
        let c = tx.conversations().find("waweb", &phone).await.unwrap();
        tx.commit().await.unwrap();
        c.and_then(|c| c.handoff_until)
    };

    // The bot answers the customer.
    inbox.accept(&waweb(tenant, "C1", CUSTOMER, "ada mobil apa?", false)).await.unwrap();
    handled("C1").await;
    assert_eq!(replies().await, 1);

    // Garasi's own message echoed back from the number pauses nothing.
    garasi_service::conversations::record_sent(&services(&app), &db.tenant(tenant), "G1").await.unwrap();
    inbox.accept(&waweb(tenant, "G1", CUSTOMER, "Ada 0 mobil", true)).await.unwrap();
    handled("G1").await;
    assert_eq!(paused_until().await, None);

    // A person replies from the phone: the bot pauses for the hand-off minutes (120 by default).
    inbox.accept(&waweb(tenant, "P1", CUSTOMER, "Siang kak, saya Rina dari showroom", true)).await.unwrap();
    handled("P1").await;
    assert_eq!(paused_until().await, Some(utc(START) + chrono::Duration::minutes(120)));
    inbox.accept(&waweb(tenant, "C2", CUSTOMER, "harganya berapa kak?", false)).await.unwrap();
    handled("C2").await;
    assert_eq!(replies().await, 1, "no bot reply while a person handles the chat");
    let mut tx = db.tenant(tenant).begin().await.unwrap();
    let kept = tx.messages().by_provider_id("P1").await.unwrap().expect("the person's reply is in the transcript");
    tx.commit().await.unwrap();
    assert_eq!((kept.direction.as_str(), kept.sender.as_str()), ("out", "admin"));
    let log = db.platform().audit_log(Some(tenant), 50, 0).await.unwrap();
    assert!(log.iter().any(|e| e.action == "conversation.person_replied"));

    // After the hand-off time the bot answers again.
    clock.advance(chrono::Duration::minutes(121));
    inbox.accept(&waweb(tenant, "C3", CUSTOMER, "masih ada avanza?", false)).await.unwrap();
    handled("C3").await;
    assert_eq!(replies().await, 2);
}
