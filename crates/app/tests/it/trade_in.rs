//! A customer's trade-in by chat through the real engine: "tukar tambah" starts an intake that
//! asks for their car step by step (each answer checked, each step skippable, "batal" stops it),
//! then opens a trade-in lead with the details for a salesperson and tells them.

use serde_json::Value;

use crate::admin::page;
use crate::bot::{CUSTOMER, SALES_E164, SALES_PHONE, Showroom, text};
use crate::support::{Fetch, TestApp};

impl Showroom {
    /// A message through the engine itself, as the WhatsApp worker passes a picture: no text.
    async fn send_picture(&self, from: &str, id: &str) -> garasi_bot::Outcome {
        let state = &self.app.running.as_ref().unwrap().state;
        let engine = state.bot.as_ref().unwrap();
        let inbound = garasi_bot::Inbound {
            tenant: garasi_bot::TenantRef {
                id: self.tenant,
                name: format!("Showroom {}", self.slug),
                base_url: format!("http://{}", TestApp::tenant_host(&self.slug)),
            },
            channel: "simulator".into(),
            from: from.into(),
            name: "Andi".into(),
            text: String::new(),
            provider_message_id: format!("pic-{id}"),
        };
        engine.handle(inbound).await.unwrap()
    }
}

#[tokio::test]
async fn a_trade_in_is_collected_step_by_step_and_becomes_a_lead() {
    // More messages from one customer in a minute than the default limit lets through.
    let app = TestApp::spawn_with(|s| s.bot.customer_rate_per_minute = 100).await;
    let s = Showroom::on(app, "sinar").await;

    let r = s.say(CUSTOMER, "kak bisa tukar tambah?").await;
    assert_eq!(r["intent"], "trade_in");
    assert!(text(&r).contains("1/6 Merek"), "{}", text(&r));
    // Each answer is checked: asked again when it does not read.
    let steps: [(&str, &[&str]); 8] = [
        ("1234", &["Mereknya belum terbaca"]),
        ("toyota", &["2/6 Model"]),
        ("avanza 1.3 g", &["3/6 Tahun"]),
        ("tahun lalu", &["Tahunnya belum pas"]),
        ("2018", &["4/6 Kilometer"]),
        ("85rb", &["5/6 Plat"]),
        ("XX", &["Plat nomornya belum terbaca"]),
        ("plat B", &["6/6 Kirim beberapa foto"]),
    ];
    for (msg, parts) in steps {
        s.expect_reply(CUSTOMER, msg, parts).await;
    }
    assert!(s.leads().await.is_empty(), "no lead before the intake ends");

    // Two pictures (they stay in the chat), then done.
    let out = s.send_picture(CUSTOMER, "1").await;
    assert!(out.replies[0].text.contains("Foto ke-1 diterima"), "{}", out.replies[0].text);
    let out = s.send_picture(CUSTOMER, "2").await;
    assert!(out.replies[0].text.contains("Foto ke-2 diterima"), "{}", out.replies[0].text);
    let r = s.say(CUSTOMER, "selesai").await;
    assert_eq!(r["intent"], "trade_in_done");
    let t = text(&r);
    assert!(t.contains("Tukar tambah: Toyota Avanza 2018 · 85.000 km · plat B · 2 foto di chat"), "{t}");
    assert!(t.contains("Rina"), "the salesperson who will call: {t}");

    // The lead: source trade_in, the details, assigned; the salesperson is told.
    let leads = s.leads().await;
    assert_eq!(leads.len(), 1);
    let lead = &leads[0];
    assert_eq!(lead.source, "trade_in");
    assert_eq!(lead.phone, CUSTOMER);
    assert_eq!(lead.assigned_sales_name.as_deref(), Some("Rina"));
    assert!(lead.notes.contains("Toyota Avanza 2018 · 85.000 km · plat B"), "{}", lead.notes);
    let notices = r["notifications"].as_array().unwrap();
    assert_eq!(notices.len(), 1, "{r}");
    assert_eq!(notices[0]["to"], SALES_E164);
    assert!(notices[0]["text"].as_str().unwrap().contains("tukar tambah"), "{}", notices[0]);

    // In the lead JSON and on the dashboard's lead page.
    let body: Value =
        s.app.get(&s.host(), &format!("/api/leads/{}", lead.id)).bearer_auth(&s.token).fetch_expect(200).await;
    assert_eq!(body["source"], "trade_in");
    assert!(body["notes"].as_str().unwrap().contains("Toyota Avanza 2018"), "{body}");
    let (status, html) = page(&s.app, &s.host(), &s.token, &format!("/admin/leads/{}", lead.id)).await;
    assert_eq!(status, 200);
    assert!(html.contains("Tukar tambah (bot)") && html.contains("Toyota Avanza 2018"), "lead page");

    // The salesperson finds it among their leads.
    s.expect_reply(SALES_PHONE, "prospek saya", &["tukar tambah"]).await;
    // The intake is over: the next message is an ordinary question.
    let r = s.say(CUSTOMER, "ada fortuner?").await;
    assert_eq!(r["intent"], "search");
}

#[tokio::test]
async fn a_trade_in_can_be_skipped_through_or_cancelled() {
    let s = Showroom::open().await;

    // What the first message names is not asked again; every other step may be skipped.
    s.expect_reply(CUSTOMER, "mau tukar tambah xpander 2019", &["4/6 Kilometer"]).await;
    s.expect_reply(CUSTOMER, "lewati", &["5/6 Plat"]).await;
    s.expect_reply(CUSTOMER, "skip", &["6/6"]).await;
    let t = s.expect_reply(CUSTOMER, "lewati", &["Tukar tambah: Mitsubishi Xpander 2019"]).await;
    assert!(!t.contains("km") && !t.contains("plat"), "skipped steps are left out: {t}");
    assert_eq!(s.leads().await.iter().filter(|l| l.source == "trade_in").count(), 1);

    // Cancelled: no lead, and the bot answers as usual again.
    let other = "+6281299990002";
    s.expect_reply(other, "trade in bisa?", &["1/6"]).await;
    s.expect_reply(other, "honda", &["2/6"]).await;
    let r = s.say(other, "batal").await;
    assert_eq!(r["intent"], "trade_in_cancelled");
    assert!(s.leads().await.iter().all(|l| l.phone != other));
    let r = s.say(other, "ada brio?").await;
    assert_eq!(r["intent"], "search");

    // A salesperson's "tukar tambah" is not a customer's intake.
    let r = s.say(SALES_PHONE, "tukar tambah").await;
    assert_ne!(r["intent"], "trade_in");
}
