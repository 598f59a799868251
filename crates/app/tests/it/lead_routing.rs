//! Lead routing and response times (issue #17, point 3) through the real engine and
//! dashboard, with a manual clock: "/libur" and "/masuk" by chat, weights and working
//! hours from the API, the weighted round robin (also across two instances on one
//! database), the reassignment of a lead nobody contacted within the showroom's response
//! minutes (counted in opening hours) with the owner's WhatsApp alert, and the figures on
//! the sales page.

use std::time::Duration;

use chrono::{DateTime, Utc};
use garasi_domain::clock::Clock;
use garasi_store::jobs::WHATSAPP_OUT;
use serde_json::{Value, json};

use crate::admin::{hx_post, page};
use crate::bot::{Showroom, text};
use crate::sales::add_sales;
use crate::support::{Fetch, TestApp};

/// Monday 11 May 2026, 09:00 in Jakarta.
const MONDAY_9: &str = "2026-05-11T02:00:00Z";
const OWNER: &str = "+6281100009999";
const BUDI: &str = "+6281233334444";
const SARI: &str = "+6281255556666";

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn showroom(clock: &Clock) -> Showroom {
    let c = clock.clone();
    // The app's own workers tick once at start and then wait an hour: the test runs each
    // step itself (`fire`), so what a step did is known when it returns.
    let app = TestApp::spawn_with(move |s| {
        s.appointments.clock = c;
        s.appointments.tick = Duration::from_secs(3600);
    })
    .await;
    let s = Showroom::on(app, "sinar").await;
    add_sales(&s.app, "sinar", &s.token, "Budi", "0812-3333-4444").await;
    add_sales(&s.app, "sinar", &s.token, "Sari", "0812-5555-6666").await;
    s
}

/// Salespeople by name → id.
async fn sales_ids(s: &Showroom) -> Vec<(String, String)> {
    let v = s.app.get(&s.host(), "/api/sales").bearer_auth(&s.token).fetch_expect(200).await;
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap().to_owned(), p["id"].as_str().unwrap().to_owned()))
        .collect()
}

async fn id_of(s: &Showroom, name: &str) -> String {
    sales_ids(s).await.into_iter().find(|(n, _)| n == name).unwrap().1
}

async fn set_routing(s: &Showroom, name: &str, body: Value) -> Value {
    let id = id_of(s, name).await;
    s.app.put(&s.host(), &format!("/api/sales/{id}/routing")).bearer_auth(&s.token).json(&body).fetch_expect(200).await
}

/// A customer asks for a salesperson; returns who got the lead.
async fn new_lead(s: &Showroom, customer: &str) -> String {
    s.say(customer, "mau ngobrol sama sales").await;
    s.lead_of(customer).await.expect("a lead").assigned_sales_name.expect("assigned")
}

/// WhatsApp messages queued to `to`, oldest first.
async fn outbox_to(s: &Showroom, to: &str) -> Vec<String> {
    let mut tx = s.app.runtime_db().tenant(s.tenant).begin().await.unwrap();
    let jobs = tx.outbox().list(WHATSAPP_OUT, 1000).await.unwrap();
    tx.commit().await.unwrap();
    jobs.into_iter()
        .filter(|j| j.payload["to"] == to)
        .filter_map(|j| j.payload["text"].as_str().map(str::to_owned))
        .collect()
}

async fn fire(s: &Showroom) -> usize {
    let services = s.app.running.as_ref().unwrap().state.services.clone();
    garasi_service::routing::handle_due_deadlines(&services, "test").await.unwrap()
}

async fn audit_actions(s: &Showroom) -> Vec<String> {
    let log = s.app.runtime_db().platform().audit_log(Some(s.tenant), 200, 0).await.unwrap();
    log.into_iter().map(|e| e.action).collect()
}

#[tokio::test]
async fn leads_go_round_by_weight_to_salespeople_on_duty_and_inside_their_hours() {
    let clock = Clock::manual(utc(MONDAY_9));
    let s = showroom(&clock).await;
    set_routing(&s, "Rina", json!({ "weight": 2 })).await;

    // Sari goes off duty by chat; the bot knows her by the staff list.
    let r = s.say(SARI, "/libur").await;
    assert_eq!(r["intent"], "cmd_off_duty", "{r}");
    assert!(text(&r).contains("*libur*"), "{r}");
    // A customer cannot switch anyone's duty.
    let r = s.say("+6281299990099", "/libur").await;
    assert!(text(&r).contains("khusus untuk sales"), "{r}");
    let help = text(&s.say(SARI, "/help").await);
    assert!(help.contains("/libur") && help.contains("/masuk"), "{help}");

    // Rina (weight 2) and Budi (1) share the leads; Sari gets none while off duty.
    let mut got = Vec::new();
    for i in 0..6 {
        got.push(new_lead(&s, &format!("+62812999900{i:02}")).await);
    }
    assert_eq!(got, ["Rina", "Rina", "Budi", "Rina", "Rina", "Budi"]);

    // Back on duty: Sari takes her turn after Budi.
    let r = s.say(SARI, "/masuk").await;
    assert_eq!(r["intent"], "cmd_on_duty", "{r}");
    assert!(text(&r).contains("*bertugas*"), "{r}");
    assert_eq!(new_lead(&s, "+6281299990010").await, "Sari");
    assert_eq!(new_lead(&s, "+6281299990011").await, "Rina");

    // Budi works only on Monday afternoons; Sari's weight 0 takes her out of the rotation.
    let afternoon = json!({ "open": "13:00", "close": "17:00" });
    set_routing(
        &s,
        "Budi",
        json!({ "weight": 1, "work_hours": { "days": [afternoon, null, null, null, null, null, null] } }),
    )
    .await;
    set_routing(&s, "Sari", json!({ "weight": 0 })).await;
    assert_eq!(new_lead(&s, "+6281299990012").await, "Rina");
    assert_eq!(new_lead(&s, "+6281299990013").await, "Rina");
    assert_eq!(new_lead(&s, "+6281299990014").await, "Rina");
    clock.set(utc("2026-05-11T07:00:00Z")); // 14:00 in Jakarta
    let after = [new_lead(&s, "+6281299990015").await, new_lead(&s, "+6281299990016").await];
    assert!(after.contains(&"Budi".to_owned()), "{after:?}");

    // Validation: a negative weight and unreadable hours are field errors.
    let id = id_of(&s, "Budi").await;
    let bad = s
        .app
        .put(&s.host(), &format!("/api/sales/{id}/routing"))
        .bearer_auth(&s.token)
        .json(&json!({ "weight": -1 }))
        .fetch_expect(422)
        .await;
    assert!(bad.to_string().contains("weight"), "{bad}");

    let actions = audit_actions(&s).await;
    for a in ["sales.duty", "sales.routing", "lead.route"] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
    let sales = s.app.get(&s.host(), "/api/sales").bearer_auth(&s.token).fetch_expect(200).await;
    let sari = sales["items"].as_array().unwrap().iter().find(|p| p["name"] == "Sari").unwrap().clone();
    assert_eq!(sari["on_duty"], true);
    assert_eq!(sari["weight"], 0);
}

#[tokio::test]
async fn two_instances_share_one_rotation() {
    let clock = Clock::manual(utc(MONDAY_9));
    let s = showroom(&clock).await;
    set_routing(&s, "Sari", json!({ "weight": 0 })).await;
    let (sibling, running) = s.app.spawn_sibling().await;
    let client = reqwest::Client::new();
    let mut calls = Vec::new();
    for i in 0..10 {
        let addr = if i % 2 == 0 { s.app.addr } else { sibling };
        let req = client
            .post(format!("http://{addr}/api/bot/simulate"))
            .header(reqwest::header::HOST, s.host())
            .bearer_auth(&s.token)
            .json(&json!({ "from": format!("+62812888800{i:02}"), "text": "mau ngobrol sama sales", "name": "X" }));
        calls.push(async move { req.send().await.unwrap().status() });
    }
    for status in futures_util::future::join_all(calls).await {
        assert_eq!(status, 200);
    }
    let leads = s.leads().await;
    assert_eq!(leads.len(), 10);
    let rina = leads.iter().filter(|l| l.assigned_sales_name.as_deref() == Some("Rina")).count();
    let budi = leads.iter().filter(|l| l.assigned_sales_name.as_deref() == Some("Budi")).count();
    assert_eq!((rina, budi), (5, 5), "one cursor for both instances");
    running.stop().await.unwrap();
}

#[tokio::test]
async fn a_lead_nobody_contacts_in_opening_hours_moves_on_and_the_owner_hears_of_it() {
    // Monday 16:50 in Jakarta; the showroom closes at 17:00.
    let clock = Clock::manual(utc("2026-05-11T09:50:00Z"));
    let s = showroom(&clock).await;
    let mut tx = s.app.runtime_db().tenant(s.tenant).begin_write().await.unwrap();
    let mut settings = tx.settings().get().await.unwrap();
    settings["routing"] = json!({ "response_minutes": 15, "owner_phone": OWNER });
    tx.settings().put(&settings).await.unwrap();
    tx.commit().await.unwrap();
    set_routing(&s, "Sari", json!({ "weight": 0 })).await;

    const CUSTOMER: &str = "+6281299991234";
    assert_eq!(new_lead(&s, CUSTOMER).await, "Rina");
    let lead = s.lead_of(CUSTOMER).await.unwrap();

    // 10 open minutes pass before closing, the night does not count.
    clock.set(utc("2026-05-11T10:04:00Z"));
    assert_eq!(fire(&s).await, 0);
    clock.set(utc("2026-05-11T23:30:00Z")); // Tuesday 06:30
    assert_eq!(fire(&s).await, 0);
    assert_eq!(s.lead_of(CUSTOMER).await.unwrap().assigned_sales_name.as_deref(), Some("Rina"));
    let (_, html) = page(&s.app, &s.host(), &s.token, "/admin/sales").await;
    assert!(html.contains("Prospek menunggu") && html.contains("badge-lead-new"), "{html}");

    // Tuesday 08:05: 15 open minutes. Budi gets it and a notice, the owner an alert.
    clock.set(utc("2026-05-12T01:05:00Z"));
    assert_eq!(fire(&s).await, 1);
    let moved = s.lead_of(CUSTOMER).await.unwrap();
    assert_eq!(moved.id, lead.id);
    assert_eq!(moved.assigned_sales_name.as_deref(), Some("Budi"));
    let to_budi = outbox_to(&s, BUDI).await;
    assert!(to_budi.iter().any(|t| t.contains("Prospek dialihkan ke Anda") && t.contains("15 menit")), "{to_budi:?}");
    let to_owner = outbox_to(&s, OWNER).await;
    assert_eq!(to_owner.len(), 1, "{to_owner:?}");
    assert!(to_owner[0].contains("Rina") && to_owner[0].contains("Budi"), "{to_owner:?}");
    assert!(audit_actions(&s).await.iter().any(|a| a == "lead.reassign"));
    // Firing again changes nothing: the deadline counted once.
    assert_eq!(fire(&s).await, 0);

    // Budi moves the lead on from the dashboard at 08:12: contacted, 7 minutes.
    clock.set(utc("2026-05-12T01:12:00Z"));
    s.app
        .put(&s.host(), &format!("/api/leads/{}/status", lead.id))
        .bearer_auth(&s.token)
        .json(&json!({ "status": "contacted" }))
        .fetch_expect(200)
        .await;
    // His own deadline (08:20) passes without another move or alert.
    clock.set(utc("2026-05-12T02:00:00Z"));
    assert_eq!(fire(&s).await, 0);
    assert_eq!(s.lead_of(CUSTOMER).await.unwrap().assigned_sales_name.as_deref(), Some("Budi"));
    assert_eq!(outbox_to(&s, OWNER).await.len(), 1);

    // The dashboard shows Budi's response time and the empty waiting list.
    let budi = id_of(&s, "Budi").await;
    let (status, html) = page(&s.app, &s.host(), &s.token, &format!("/admin/sales/{budi}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("7 menit"), "{html}");
    let (_, html) = page(&s.app, &s.host(), &s.token, "/admin/sales").await;
    assert!(html.contains("Tidak ada prospek yang menunggu"), "{html}");

    // The dashboard toggle puts Budi off duty, like "/libur" by chat.
    let resp = hx_post(&s.app, &s.host(), &s.token, &format!("/admin/sales/{budi}/duty"), &[("on_duty", "0")]).await;
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Budi sekarang libur") || html.contains("libur"), "{html}");
    let sales = s.app.get(&s.host(), "/api/sales").bearer_auth(&s.token).fetch_expect(200).await;
    let budi_row = sales["items"].as_array().unwrap().iter().find(|p| p["name"] == "Budi").unwrap().clone();
    assert_eq!(budi_row["on_duty"], false);

    // Nobody else available: the owner is told, the lead stays.
    const LATE: &str = "+6281299995678";
    assert_eq!(new_lead(&s, LATE).await, "Rina");
    clock.set(utc("2026-05-12T02:20:00Z"));
    assert_eq!(fire(&s).await, 1);
    assert_eq!(s.lead_of(LATE).await.unwrap().assigned_sales_name.as_deref(), Some("Rina"));
    let to_owner = outbox_to(&s, OWNER).await;
    assert_eq!(to_owner.len(), 2);
    assert!(to_owner[1].contains("tidak ada sales lain"), "{to_owner:?}");
}

#[tokio::test]
async fn the_settings_page_sets_the_response_minutes_owner_number_and_follow_ups() {
    let clock = Clock::manual(utc(MONDAY_9));
    let s = showroom(&clock).await;
    let mut form: Vec<(&str, &str)> = vec![
        ("name", "Sinar"),
        ("about", ""),
        ("address", "Jl. Raya Bogor No. 17"),
        ("city", "Jakarta"),
        ("opening_hours", ""),
        ("maps_url", ""),
        ("phone", ""),
        ("rate_1", "5"),
        ("rate_2", "6"),
        ("rate_3", "6,5"),
        ("rate_4", "7"),
        ("rate_5", "7,5"),
        ("admin_fee", ""),
        ("insurance", "2"),
        ("min_dp_percent", "20"),
        ("first_instalment_upfront", "0"),
        ("persona_name", "Sinta"),
        ("greeting", ""),
        ("llm_enabled", "0"),
        ("llm_daily_token_budget", "50000"),
        ("handoff_pause_minutes", "60"),
        ("response_minutes", "20"),
        ("owner_phone", "0811-0000-9999"),
        ("followups_enabled", "0"),
        ("followups_daily_cap", "30"),
        ("followups_template", "Kabar Harga!"),
        ("followups_language", "id"),
    ];
    let resp = hx_post(&s.app, &s.host(), &s.token, "/admin/settings", &form).await;
    assert_eq!(resp.status(), 422);
    assert!(resp.text().await.unwrap().contains("Nama template hanya huruf kecil"));
    form.retain(|(k, _)| *k != "followups_template");
    form.push(("followups_template", "kabar_harga"));
    let resp = hx_post(&s.app, &s.host(), &s.token, "/admin/settings", &form).await;
    assert_eq!(resp.headers()["hx-redirect"], "/admin/settings?notice=settings_saved");
    let mut tx = s.app.runtime_db().tenant(s.tenant).begin().await.unwrap();
    let saved = tx.settings().get().await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(saved["routing"], json!({ "response_minutes": 20, "owner_phone": "+6281100009999" }));
    assert_eq!(saved["followups"]["enabled"], false);
    assert_eq!(saved["followups"]["daily_cap"], 30);
    assert_eq!(saved["followups"]["cloud_template"], "kabar_harga");
    let (_, html) = page(&s.app, &s.host(), &s.token, "/admin/settings").await;
    assert!(html.contains("Pembagian prospek") && html.contains("Kabar harga turun"), "{html}");
}

#[tokio::test]
async fn a_persons_reply_from_the_showroom_number_is_the_first_contact() {
    use garasi_channels::{ChannelKind, InboundBody, InboundMessage, Inbox, Peer};
    use garasi_store::jobs::WHATSAPP_IN;

    let clock = Clock::manual(utc(MONDAY_9));
    let t = {
        let c = clock.clone();
        move |s: &mut garasi_app::Settings| {
            s.appointments.clock = c;
            s.appointments.tick = Duration::from_secs(3600);
        }
    };
    let (app, _graph) = crate::whatsapp::offline_app(t).await;
    let s = Showroom::on(app, "sinar").await;
    s.app
        .put(&s.host(), "/api/whatsapp/channel")
        .bearer_auth(&s.token)
        .json(&json!({ "kind": "waweb" }))
        .fetch_expect(200)
        .await;
    let db = s.app.runtime_db();
    db.whatsapp().want_lease(s.tenant).await.unwrap();
    let inbox = Inbox::new(db.clone());
    const CUSTOMER: &str = "+6281299997777";
    let message = |id: &str, text: &str, from_me: bool| InboundMessage {
        tenant_id: s.tenant,
        channel: ChannelKind::WaWeb,
        id: id.into(),
        sender: Peer::phone(CUSTOMER),
        sender_name: (!from_me).then(|| "Andi".to_owned()),
        at: Utc::now(),
        body: InboundBody::Text { text: text.into() },
        from_me,
    };
    let handled = async |id: &str| {
        crate::whatsapp::eventually(&format!("inbound {id} handled"), async || {
            let mut tx = db.tenant(s.tenant).begin().await.unwrap();
            let jobs = tx.outbox().list(WHATSAPP_IN, 100).await.unwrap();
            tx.commit().await.unwrap();
            jobs.iter().any(|j| j.payload["id"] == id && j.status == "done").then_some(())
        })
        .await
    };
    inbox.accept(&message("C1", "mau ngobrol sama sales", false)).await.unwrap();
    handled("C1").await;
    let lead = s.lead_of(CUSTOMER).await.expect("a lead");
    assert_eq!(lead.assigned_sales_name.as_deref(), Some("Rina"));

    // Rina answers from the showroom's phone 6 minutes later: the lead is contacted.
    clock.advance(chrono::Duration::minutes(6));
    inbox.accept(&message("P1", "Siang kak, saya Rina", true)).await.unwrap();
    handled("P1").await;
    let mut tx = db.tenant(s.tenant).begin().await.unwrap();
    let c = tx.routing().clock(lead.id).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    assert_eq!(c.first_response_at, Some(utc(MONDAY_9) + chrono::Duration::minutes(6)));

    // Her deadline passes without a move.
    clock.advance(chrono::Duration::minutes(30));
    assert_eq!(fire(&s).await, 0);
    assert_eq!(s.lead_of(CUSTOMER).await.unwrap().assigned_sales_name.as_deref(), Some("Rina"));
    let rina = id_of(&s, "Rina").await;
    let (_, html) = page(&s.app, &s.host(), &s.token, &format!("/admin/sales/{rina}")).await;
    assert!(html.contains("6 menit"), "{html}");
    let (_, html) = page(&s.app, &s.host(), &s.token, &format!("/admin/leads/{}", lead.id)).await;
    assert!(html.contains("Respons pertama") && html.contains("6 menit (jam buka)"), "{html}");
}
