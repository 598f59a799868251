//! The outbound budget per contact (issue #14, point 9), through the bot harness: a
//! customer's daily message budget and hourly photo budget, the share of the number's
//! daily cap kept for contacts not answered yet today, one polite notice (with the chat
//! handed to a salesperson, which flags it on the dashboard) and then silence; sales
//! staff are exempt. The WhatsApp Cloud API path sends that notice exactly once.

use std::time::Duration;

use garasi_bot::ContactBudget;
use serde_json::Value;

use crate::bot::{CUSTOMER, SALES_PHONE, Showroom, images, text};
use crate::support::TestApp;
use crate::whatsapp::{APP_SECRET, PNID, Wa, envelope, text_msg};

async fn showroom(budget: ContactBudget) -> Showroom {
    let app = TestApp::spawn_with(|s| s.bot.contact_budget = budget).await;
    Showroom::on(app, "sinar").await
}

fn silent(r: &Value) -> bool {
    r["replies"].as_array().unwrap().is_empty() && r["status"] != "replied"
}

#[tokio::test]
async fn a_customer_gets_its_budget_then_one_notice_and_salespeople_are_exempt() {
    let s = showroom(ContactBudget {
        daily_messages: 7,
        photos_per_hour: 2,
        number_daily_cap: 0,
        new_contact_reserve_percent: 0,
    })
    .await;
    s.upload_photos(4, 3).await;

    // The hour's photos: two of three, then none, each time with a pointer to the site.
    let r = s.say(CUSTOMER, "/foto 4").await;
    assert_eq!(images(&r).len(), 2, "{r}");
    assert!(text(&r).contains("Foto lainnya saya kirim nanti"), "{r}");
    let r = s.say(CUSTOMER, "/foto 4").await;
    assert!(images(&r).is_empty(), "{r}");
    assert!(text(&r).contains("Foto lainnya saya kirim nanti"), "{r}");
    // 3 + 1 messages so far; three more texts reach the day's 7.
    for msg in ["Ada mobil apa?", "halo", "Ada mobil apa?"] {
        let r = s.say(CUSTOMER, msg).await;
        assert_eq!(r["status"], "replied", "{msg}: {r}");
        assert_ne!(r["intent"], "contact_budget", "{msg}: {r}");
    }
    // Over budget: one polite notice naming the salesperson who follows up, a lead for
    // the dashboard, then nothing more today.
    let r = s.say(CUSTOMER, "Ada mobil apa?").await;
    assert_eq!(r["intent"], "contact_budget", "{r}");
    let notice = text(&r);
    assert!(notice.contains("Rina") && notice.contains("menghubungi"), "{notice}");
    assert_eq!(r["notifications"].as_array().unwrap().len(), 1, "the salesperson hears of it: {r}");
    assert!(s.lead_of(CUSTOMER).await.is_some(), "the chat is flagged as a lead");
    for msg in ["halo?", "/foto 4", "Ada mobil apa?"] {
        let r = s.say(CUSTOMER, msg).await;
        assert!(silent(&r), "{msg}: {r}");
    }

    // Another customer is unaffected; the salesperson has no budget at all.
    let r = s.say("+6281299990002", "/foto 4").await;
    assert_eq!(images(&r).len(), 2, "{r}");
    for i in 0..12 {
        let r = s.say(SALES_PHONE, if i % 2 == 0 { "/foto 4" } else { "/stok" }).await;
        assert_eq!(r["role"], "sales");
        assert_eq!(r["status"], "replied", "sales message {i}: {r}");
        assert_ne!(r["intent"], "contact_budget");
        if i % 2 == 0 {
            assert_eq!(images(&r).len(), 3, "sales get every photo: {r}");
        }
    }
    s.app.stop().await;
}

#[tokio::test]
async fn part_of_the_daily_cap_is_kept_for_customers_not_answered_today() {
    // A cap of 10 with 40% kept: returning customers share 6 messages.
    let s = showroom(ContactBudget {
        daily_messages: 0,
        photos_per_hour: 0,
        number_daily_cap: 10,
        new_contact_reserve_percent: 40,
    })
    .await;
    let a = "+6281299990011";
    for i in 0..6 {
        let r = s.say(a, "halo").await;
        assert_eq!(r["status"], "replied", "message {i}: {r}");
    }
    let r = s.say(a, "halo").await;
    assert_eq!(r["intent"], "contact_budget", "the shared part is used: {r}");
    // Customers not answered yet today still get answers from the kept share, once each.
    for b in ["+6281299990012", "+6281299990013"] {
        let r = s.say(b, "Ada mobil apa?").await;
        assert_eq!(r["intent"], "list", "{b}: {r}");
        let r = s.say(b, "halo").await;
        assert_eq!(r["intent"], "contact_budget", "{b} was answered today: {r}");
    }
    s.app.stop().await;
}

#[tokio::test]
async fn over_whatsapp_the_notice_goes_out_once() {
    let (app, graph) = crate::whatsapp::offline_app(|s| {
        s.bot.contact_budget = ContactBudget {
            daily_messages: 2,
            photos_per_hour: 0,
            number_daily_cap: 0,
            new_contact_reserve_percent: 0,
        };
    })
    .await;
    let wa = Wa::on(app, graph, "sinar").await;
    crate::whatsapp::graph_ok(&wa.graph).await;
    for i in 0..6 {
        let body = envelope(PNID, text_msg(crate::whatsapp::CUSTOMER, &format!("wamid.B{i}"), "halo"));
        assert_eq!(wa.deliver(&body, Some(APP_SECRET)).await, reqwest::StatusCode::OK);
    }
    // Two answers, one notice, then silence: four messages in all, whatever comes later.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while wa.sent("text").await.len() < 3 {
        assert!(std::time::Instant::now() < deadline, "the answers never went out");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let sent = wa.sent("text").await;
    let bodies: Vec<&str> = sent.iter().map(|m| m["text"]["body"].as_str().unwrap()).collect();
    assert_eq!(bodies.len(), 3, "{bodies:?}");
    assert_eq!(bodies.iter().filter(|b| b.contains("saya jeda dulu")).count(), 1, "{bodies:?}");
    wa.app.stop().await;
}
