//! Insights (issue #17, point 6) through the real server: car page views counted for
//! people only (crawlers, previews and tools left out), on cache misses and hits alike;
//! WhatsApp clicks through `/wa/{slug}`; search terms from the site and the bot; the
//! marketplace source from `src=feed`; the funnel views → chats → leads → visits → sold
//! per car and source on `/admin/analytics`; and the owner's opt-in weekly summary on a
//! manual clock.

use std::time::Duration;

use chrono::{DateTime, Utc};
use garasi_domain::clock::Clock;
use garasi_domain::insights::{Funnel, Source};
use garasi_store::jobs::WHATSAPP_OUT;
use reqwest::header::{COOKIE, USER_AGENT};
use serde_json::{Value, json};

use crate::admin::{cookie, hx_post};
use crate::bot::{Showroom, text};
use crate::support::{Fetch, TestApp};

const PHONE_UA: &str = "Mozilla/5.0 (Linux; Android 13; SM-A536E) AppleWebKit/537.36 (KHTML, like Gecko) \
                        Chrome/120.0.0.0 Mobile Safari/537.36";
const BOTS: [&str; 4] = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "curl/8.5.0",
];
const CUSTOMER: &str = "+6281277770001";
const OWNER: &str = "+6281311112222";

fn tweak(clock: &Clock) -> impl FnOnce(&mut garasi_app::Settings) + use<> {
    let c = clock.clone();
    move |s| {
        s.appointments.clock = c;
        // The workers tick once at start; the test runs each step itself.
        s.appointments.tick = Duration::from_secs(3600);
    }
}

fn services(app: &TestApp) -> garasi_service::Services {
    app.running.as_ref().unwrap().state.services.clone()
}

async fn status_of(app: &TestApp, host: &str, path: &str, ua: Option<&str>) -> u16 {
    let mut req = app.get(host, path);
    if let Some(ua) = ua {
        req = req.header(USER_AGENT, ua);
    }
    req.fetch().await.status().as_u16()
}

async fn slug_of(s: &Showroom, stock_no: i64) -> String {
    let car = s
        .app
        .get(&s.host(), &format!("/api/cars/{}", s.car_id(stock_no)))
        .bearer_auth(&s.token)
        .fetch_expect(200)
        .await;
    car["slug"].as_str().unwrap().to_owned()
}

async fn report(s: &Showroom) -> garasi_service::insights::Report {
    let today = garasi_domain::insights::jakarta_day(Utc::now());
    let mut tx = s.app.runtime_db().tenant(s.tenant).begin().await.unwrap();
    let r = garasi_service::insights::report(&mut tx, today - chrono::Duration::days(6), today).await.unwrap();
    tx.commit().await.unwrap();
    r
}

fn car_funnel(r: &garasi_service::insights::Report, car: &str, source: Source) -> Funnel {
    let id = uuid::Uuid::parse_str(car).unwrap();
    r.cars.get(&id).and_then(|per| per.get(&source)).copied().unwrap_or_default()
}

#[tokio::test]
async fn people_are_counted_through_the_cache_bots_are_not_and_the_funnel_adds_up() {
    let clock = Clock::manual(Utc::now());
    let s = Showroom::on(TestApp::spawn_with(tweak(&clock)).await, "sinar").await;
    let host = s.host();
    let slug = slug_of(&s, 4).await;
    let page = format!("/mobil/{slug}");

    // Three people on the car page: the first renders it, the others are cache hits (fast lane).
    for _ in 0..3 {
        assert_eq!(status_of(&s.app, &host, &page, Some(PHONE_UA)).await, 200);
    }
    // One from a marketplace feed link; its WhatsApp button keeps the source.
    let feed_page = s.app.get(&host, &format!("{page}?src=feed")).header(USER_AGENT, PHONE_UA).fetch().await;
    let html = feed_page.text().await.unwrap();
    assert!(html.contains(&format!("href=\"/wa/{slug}?src=feed\"")), "feed visitors click through with the source");
    assert_eq!(status_of(&s.app, &host, &format!("{page}?src=feed"), Some(PHONE_UA)).await, 200);
    // Crawlers, link previews, tools and requests without a User-Agent are not people.
    for ua in BOTS {
        assert_eq!(status_of(&s.app, &host, &page, Some(ua)).await, 200);
    }
    assert_eq!(status_of(&s.app, &host, &page, None).await, 200);
    // A signed-in owner looking at the site is not a buyer.
    let owner_view =
        s.app.get(&host, &page).header(USER_AGENT, PHONE_UA).header(COOKIE, cookie(&s.token)).fetch().await;
    assert_eq!(owner_view.status(), 200);

    // WhatsApp buttons: a 302 to wa.me with the inquiry, counted per source, people only.
    let click = s.app.get(&host, &format!("/wa/{slug}")).header(USER_AGENT, PHONE_UA).fetch().await;
    assert_eq!(click.status(), 302);
    let to = click.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.starts_with("https://wa.me/6281234567890?text=Halo%20Showroom%20sinar"), "{to}");
    assert!(to.contains("Toyota%20Rush"), "{to}");
    assert_eq!(click.headers()["cache-control"], "no-store");
    assert_eq!(status_of(&s.app, &host, &format!("/wa/{slug}?src=feed"), Some(PHONE_UA)).await, 302);
    assert_eq!(status_of(&s.app, &host, &format!("/wa/{slug}"), Some(BOTS[0])).await, 302);
    assert_eq!(status_of(&s.app, &host, "/wa/tidak-ada", Some(PHONE_UA)).await, 404);
    // The general WhatsApp link of the layout.
    assert_eq!(status_of(&s.app, &host, "/wa", Some(PHONE_UA)).await, 302);

    // Searches on the site: counted once per search (not per further page), people only.
    for _ in 0..2 {
        assert_eq!(status_of(&s.app, &host, "/mobil?q=Avanza%20%20Matic", Some(PHONE_UA)).await, 200);
    }
    assert_eq!(status_of(&s.app, &host, "/mobil?q=avanza+matic&page=2", Some(PHONE_UA)).await, 200);
    assert_eq!(status_of(&s.app, &host, "/mobil?q=avanza+matic", Some(BOTS[0])).await, 200);
    assert_eq!(status_of(&s.app, &host, "/mobil", Some(PHONE_UA)).await, 200);

    // The bot: a search (as the filters it understood), the car's details, a visit, a sale.
    let r = s.say(CUSTOMER, "ada xenia?").await;
    assert!(text(&r).contains("Xenia"), "{r}");
    s.say(CUSTOMER, "detail no 4").await;
    let r = s.say(CUSTOMER, "mau lihat langsung besok jam 10").await;
    assert_eq!(r["intent"], "visit_booked", "{r}");
    let lead = s.lead_of(CUSTOMER).await.expect("a lead");
    s.app
        .put(&host, &format!("/api/leads/{}/status", lead.id))
        .bearer_auth(&s.token)
        .json(&json!({ "status": "converted" }))
        .fetch_expect(200)
        .await;

    // The analytics page writes this instance's buffered counts, then shows them.
    let resp = s.app.get(&host, "/admin/analytics?days=7").header(COOKIE, cookie(&s.token)).fetch().await;
    assert_eq!(resp.status(), 200);
    let page_html = resp.text().await.unwrap();
    for part in [
        "Corong penjualan",
        "Halaman mobil dilihat per hari",
        "Klik tombol WhatsApp per hari",
        "Pencarian teratas",
        "Corong per sumber",
        "Corong per mobil",
        "Iklan marketplace",
        "avanza matic",
    ] {
        assert!(page_html.contains(part), "analytics lacks {part:?}");
    }
    assert!(page_html.contains("<th scope=\"row\">#4 Toyota Rush"), "the car's funnel row");

    let r = report(&s).await;
    let car = s.car_id(4);
    assert_eq!(car_funnel(&r, car, Source::Site), Funnel { views: 3, chats: 1, leads: 0, visits: 0, sold: 0 });
    assert_eq!(car_funnel(&r, car, Source::Feed), Funnel { views: 2, chats: 1, leads: 0, visits: 0, sold: 0 });
    // On WhatsApp the details sent are the view and the chat; the bot's lead came with a
    // visit and was sold.
    assert_eq!(car_funnel(&r, car, Source::Whatsapp), Funnel { views: 1, chats: 1, leads: 1, visits: 1, sold: 1 });
    let site_terms: Vec<(&str, i64)> =
        r.terms.iter().filter_map(|(t, _, per)| per.get(&Source::Site).map(|n| (t.as_str(), *n))).collect();
    assert_eq!(site_terms, vec![("avanza matic", 2)]);
    let bot_terms: Vec<&str> =
        r.terms.iter().filter(|(_, _, per)| per.contains_key(&Source::Whatsapp)).map(|(t, _, _)| t.as_str()).collect();
    assert!(bot_terms.iter().any(|t| t.contains("xenia")), "{bot_terms:?}");
    // Views and clicks per day: site and feed views, every click (the general one too).
    assert_eq!(r.views_per_day.iter().map(|(_, n)| n).sum::<i64>(), 5);
    assert_eq!(r.clicks_per_day.iter().map(|(_, n)| n).sum::<i64>(), 3);

    // Increments add up in the database: a second flush after more views adds, never overwrites.
    assert_eq!(status_of(&s.app, &host, &page, Some(PHONE_UA)).await, 200);
    garasi_service::insights::flush(&services(&s.app)).await.unwrap();
    assert_eq!(car_funnel(&report(&s).await, car, Source::Site).views, 4);

    // Nothing about the visitor is stored on their side.
    let resp = s.app.get(&host, &page).header(USER_AGENT, PHONE_UA).fetch().await;
    assert!(resp.headers().get("set-cookie").is_none());
    s.app.stop().await;
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn summaries(app: &TestApp, tenant: garasi_domain::TenantId) -> Vec<String> {
    let mut tx = app.runtime_db().tenant(tenant).begin().await.unwrap();
    let jobs = tx.outbox().list(WHATSAPP_OUT, 1000).await.unwrap();
    tx.commit().await.unwrap();
    jobs.into_iter()
        .map(|j| j.payload)
        .filter(|p: &Value| p["to"] == OWNER)
        .filter_map(|p| p["text"].as_str().map(str::to_owned))
        .filter(|t| t.starts_with("📊"))
        .collect()
}

#[tokio::test]
async fn the_weekly_summary_goes_to_the_owner_who_opted_in_once_a_week_from_monday_morning() {
    // Sunday 6 December 2026, 12:00 in Jakarta.
    let clock = Clock::manual(utc("2026-12-06T05:00:00Z"));
    let s = Showroom::on(TestApp::spawn_with(tweak(&clock)).await, "sinar").await;
    let host = s.host();
    let services = services(&s.app);
    let slug = slug_of(&s, 4).await;
    assert_eq!(status_of(&s.app, &host, &format!("/mobil/{slug}"), Some(PHONE_UA)).await, 200);
    assert_eq!(status_of(&s.app, &host, &format!("/wa/{slug}"), Some(PHONE_UA)).await, 302);
    assert_eq!(status_of(&s.app, &host, "/mobil?q=rush", Some(PHONE_UA)).await, 200);

    // Off by default: nothing is sent.
    assert_eq!(garasi_service::insights::send_weekly_summaries(&services).await.unwrap(), 0);

    // The owner opts in through the Settings form, with the owner's number.
    let settings_page = s.app.get(&host, "/admin/settings").header(COOKIE, cookie(&s.token)).fetch().await;
    let html = settings_page.text().await.unwrap();
    assert!(html.contains("name=\"insights_weekly_summary\""), "the opt-in is in Settings");
    let form: Vec<(&str, &str)> = vec![
        ("name", "Showroom sinar"),
        ("rate_1", "5"),
        ("rate_2", "5,5"),
        ("rate_3", "6"),
        ("rate_4", "6,5"),
        ("rate_5", "7"),
        ("admin_fee", "3.000.000"),
        ("insurance", "2,5"),
        ("min_dp_percent", "20"),
        ("persona_name", "Sinta"),
        ("llm_daily_token_budget", "50000"),
        ("handoff_pause_minutes", "60"),
        ("response_minutes", "15"),
        ("owner_phone", "0813-1111-2222"),
        ("insights_weekly_summary", "0"),
        ("insights_weekly_summary", "1"),
    ];
    let resp = hx_post(&s.app, &host, &s.token, "/admin/settings", &form).await;
    assert_eq!(resp.headers()["hx-redirect"], "/admin/settings?notice=settings_saved");
    let mut tx = s.app.runtime_db().tenant(s.tenant).begin().await.unwrap();
    let stored = tx.settings().get().await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(stored["insights"]["weekly_summary"], true);

    // On Sunday the summary due is the one of the week before (23–29 November): once.
    assert_eq!(garasi_service::insights::send_weekly_summaries(&services).await.unwrap(), 1);
    assert_eq!(garasi_service::insights::send_weekly_summaries(&services).await.unwrap(), 0);
    let sent = summaries(&s.app, s.tenant).await;
    assert_eq!(sent.len(), 1);
    assert!(sent[0].contains("23/11 – 29/11/2026") && sent[0].contains("Mobil dilihat: 0"), "{}", sent[0]);

    // Monday 7 December before 08:00 in Jakarta: not yet.
    clock.set(utc("2026-12-07T00:59:00Z"));
    assert_eq!(garasi_service::insights::send_weekly_summaries(&services).await.unwrap(), 0);
    // From 08:00: this week's summary, of 30 November – 6 December, once.
    clock.set(utc("2026-12-07T01:00:00Z"));
    assert_eq!(garasi_service::insights::send_weekly_summaries(&services).await.unwrap(), 1);
    clock.advance(chrono::Duration::hours(5));
    assert_eq!(garasi_service::insights::send_weekly_summaries(&services).await.unwrap(), 0);
    let sent = summaries(&s.app, s.tenant).await;
    assert_eq!(sent.len(), 2);
    let t = &sent[1];
    assert!(t.contains("30/11 – 06/12/2026"), "{t}");
    assert!(t.contains("Mobil dilihat: 1 (situs 1, iklan 0, bot 0)"), "{t}");
    assert!(t.contains("Klik WhatsApp: 1"), "{t}");
    assert!(t.contains("Toyota Rush") && t.contains("rush (1)"), "{t}");

    // Turned off: the next Monday brings nothing.
    let mut tx = s.app.runtime_db().tenant(s.tenant).begin_write().await.unwrap();
    let mut stored = tx.settings().get().await.unwrap();
    stored["insights"] = json!({ "weekly_summary": false });
    tx.settings().put(&stored).await.unwrap();
    tx.commit().await.unwrap();
    clock.set(utc("2026-12-14T01:00:00Z"));
    assert_eq!(garasi_service::insights::send_weekly_summaries(&services).await.unwrap(), 0);
    s.app.stop().await;
}
