//! Issue #17, point 7 on the public site: comparing up to three cars at `/mobil/banding`,
//! "Mobil serupa" on every car page, and the "Harga turun" badge from the price history (on a
//! controllable clock).

use chrono::{DateTime, Duration, Utc};
use garasi_domain::clock::Clock;
use serde_json::{Value, json};

use crate::cars::{avanza, create_car, update_car, with_fields};
use crate::support::{Fetch, TestApp};

const HOST: &str = "sinar.localhost";
const SECRETS: [&str; 5] = ["188.000.000", "188000000", "Nego mentok", "1234 XYZ", "1234XYZ"];

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let resp = app.get(HOST, path).fetch().await;
    (resp.status().as_u16(), resp.text().await.unwrap())
}

fn slug(car: &Value) -> &str {
    car["slug"].as_str().unwrap()
}

/// The "Mobil serupa" section of a car page.
fn similar_section(html: &str) -> &str {
    let start = html.find("id=\"serupa\"").expect("a Mobil serupa section");
    &html[start..start + html[start..].find("</section>").unwrap()]
}

#[tokio::test]
async fn similar_cars_are_the_same_model_first_then_the_same_body_and_price_band() {
    let (app, token) = TestApp::with_showroom("sinar", "Sinar").await;
    let mk = |extra: Value| with_fields(avanza(), extra);
    let a = create_car(&app, HOST, &token, &mk(json!({}))).await;
    let same_model =
        create_car(&app, HOST, &token, &mk(json!({ "year": 2017, "price": 120_000_000, "floor_price": null }))).await;
    let band =
        create_car(&app, HOST, &token, &mk(json!({ "brand": "Suzuki", "model": "Ertiga", "price": 210_000_000 })))
            .await;
    let far = create_car(
        &app,
        HOST,
        &token,
        &mk(json!({ "brand": "Suzuki", "model": "Ertiga", "variant": "GX", "price": 300_000_000 })),
    )
    .await;
    let suv =
        create_car(&app, HOST, &token, &mk(json!({ "model": "Rush", "body_type": "SUV", "price": 200_000_000 }))).await;
    let draft =
        create_car(&app, HOST, &token, &mk(json!({ "model": "Avanza", "variant": "Draf", "status": "draft" }))).await;
    let sold = create_car(&app, HOST, &token, &mk(json!({ "variant": "Laku", "status": "sold" }))).await;

    let (status, html) = page(&app, &format!("/mobil/{}", slug(&a))).await;
    assert_eq!(status, 200);
    let section = similar_section(&html);
    assert!(section.contains(">Mobil serupa</h2>"), "{section}");
    let pos = |c: &Value| section.find(&format!("href=\"/mobil/{}\"", slug(c)));
    assert!(pos(&same_model).unwrap() < pos(&band).unwrap(), "the same model first, even far in price");
    for c in [&a, &far, &suv, &draft, &sold] {
        assert!(pos(c).is_none(), "{} is not similar", c["title"]);
    }
    // A car with nothing like it still has the section.
    let (_, html) = page(&app, &format!("/mobil/{}", slug(&suv))).await;
    assert!(similar_section(&html).contains("Belum ada mobil serupa"));
    app.stop().await;
}

#[tokio::test]
async fn up_to_three_cars_are_compared_side_by_side() {
    let (app, token) = TestApp::with_showroom("sinar", "Sinar").await;
    let mk = |extra: Value| with_fields(avanza(), extra);
    let cars = [
        create_car(&app, HOST, &token, &mk(json!({}))).await,
        create_car(&app, HOST, &token, &mk(json!({ "brand": "Honda", "model": "Mobilio", "transmission": "MT" })))
            .await,
        create_car(&app, HOST, &token, &mk(json!({ "brand": "Suzuki", "model": "Ertiga", "status": "booked" }))).await,
        create_car(&app, HOST, &token, &mk(json!({ "brand": "Daihatsu", "model": "Xenia" }))).await,
    ];
    let draft = create_car(&app, HOST, &token, &mk(json!({ "model": "Veloz", "status": "draft" }))).await;
    let ids = |cs: &[&Value]| cs.iter().map(|c| slug(c)).collect::<Vec<_>>().join(",");

    let (status, html) = page(&app, &format!("/mobil/banding?ids={}", ids(&[&cars[0], &cars[1], &cars[2]]))).await;
    assert_eq!(status, 200);
    for c in &cars[..3] {
        assert!(html.contains(&format!("href=\"/mobil/{}\"", slug(c))), "{}", c["title"]);
    }
    assert_eq!(html.matches("<th scope=\"col\">").count(), 3);
    assert!(html.contains("<th scope=\"row\">Transmisi</th>") && html.contains("class=\"diff\""), "differences marked");
    assert!(html.contains("noindex"), "comparisons stay out of search engines");
    for secret in SECRETS {
        assert!(!html.contains(secret), "{secret}");
    }
    // Dropping one links to the other two.
    assert!(html.contains(&format!("href=\"/mobil/banding?ids={}\"", ids(&[&cars[1], &cars[2]]))));

    // Four: a clear message, and the first three.
    let (status, html) =
        page(&app, &format!("/mobil/banding?ids={}", ids(&[&cars[0], &cars[1], &cars[2], &cars[3]]))).await;
    assert_eq!(status, 200);
    assert!(html.contains("Maksimal 3 mobil bisa dibandingkan sekaligus."), "the limit is explained");
    assert_eq!(html.matches("<th scope=\"col\">").count(), 3);
    assert!(!html.contains(&format!("href=\"/mobil/{}\"", slug(&cars[3]))), "the fourth is left out");

    // A draft or an unknown car is not shown, and the page says so; another showroom's car neither.
    let other = app.add_showroom("berkah", "Berkah").await;
    let theirs = create_car(&app, "berkah.localhost", &other, &mk(json!({ "model": "Calya" }))).await;
    let (_, html) =
        page(&app, &format!("/mobil/banding?ids={},{},{}", slug(&cars[0]), slug(&draft), slug(&theirs))).await;
    assert!(html.contains("2 mobil tidak ditemukan atau sudah tidak ditayangkan."), "{html}");
    assert!(!html.contains("Maksimal 3 mobil"));
    assert_eq!(html.matches("<th scope=\"col\">").count(), 1);
    assert!(!html.contains("Veloz") && !html.contains("Calya"));
    assert!(html.contains("Tambahkan ke perbandingan"), "cars to add");

    let (_, html) = page(&app, "/mobil/banding?ids=tidak-ada-9").await;
    assert!(html.contains("1 mobil tidak ditemukan") && html.contains("Belum ada mobil yang dipilih"));

    // With one car, suggestions link to the comparison with it added.
    let (_, html) = page(&app, &format!("/mobil/banding?ids={}", slug(&cars[0]))).await;
    assert!(html.contains(&format!("href=\"/mobil/banding?ids={},", slug(&cars[0]))));
    // Car pages and cards link to it.
    let (_, html) = page(&app, &format!("/mobil/{}", slug(&cars[0]))).await;
    assert!(html.contains(&format!("href=\"/mobil/banding?ids={}\"", slug(&cars[0]))));
    let (_, html) = page(&app, "/mobil").await;
    assert!(html.contains(&format!("href=\"/mobil/banding?ids={}\" data-compare", slug(&cars[1]))));
    app.stop().await;
}

#[tokio::test]
async fn a_recent_price_drop_shows_harga_turun_until_it_is_30_days_old() {
    let clock = Clock::manual(utc("2026-03-01T03:00:00Z"));
    let c = clock.clone();
    let app = TestApp::spawn_with(move |s| s.appointments.clock = c).await;
    let token = app.add_showroom("sinar", "Sinar").await;
    let dropped = create_car(&app, HOST, &token, &avanza()).await;
    let raised = create_car(&app, HOST, &token, &with_fields(avanza(), json!({ "model": "Veloz" }))).await;
    let id = |c: &Value| c["id"].as_str().unwrap().to_owned();

    // New cars have a first price, no drop.
    let (_, html) = page(&app, "/mobil").await;
    assert!(!html.contains("Harga turun"));

    clock.advance(Duration::days(2));
    update_car(&app, HOST, &token, &id(&dropped), &json!({ "price": 189_000_000 })).fetch_expect(200).await;
    update_car(&app, HOST, &token, &id(&raised), &json!({ "price": 199_000_000 })).fetch_expect(200).await;
    let (_, html) = page(&app, "/mobil").await;
    assert_eq!(html.matches("class=\"badge badge-drop\">Harga turun").count(), 1, "only the car whose price fell");
    assert!(html.contains("Sebelumnya <s>Rp 195.000.000</s>"));
    let (_, html) = page(&app, &format!("/mobil/{}", slug(&dropped))).await;
    assert!(html.contains("Harga turun") && html.contains("dari <s>Rp 195.000.000</s>"));
    let (_, html) = page(&app, &format!("/mobil/{}", slug(&raised))).await;
    let summary = &html[..html.find("id=\"serupa\"").unwrap()];
    assert!(!summary.contains("badge-drop"), "a rise is no drop");
    let (_, html) = page(&app, &format!("/mobil/banding?ids={},{}", slug(&dropped), slug(&raised))).await;
    assert_eq!(html.matches(">Harga turun</span>").count(), 1);

    // 30 days on it is still news; 31 days on it is not (pages not cached yet: other URLs).
    clock.advance(Duration::days(30));
    let (_, html) = page(&app, "/mobil?sort=price_asc").await;
    assert!(html.contains("Harga turun"));
    clock.advance(Duration::days(1) + Duration::minutes(1));
    let (_, html) = page(&app, "/mobil?sort=price_desc").await;
    assert!(!html.contains("Harga turun"), "the drop is older than 30 days");
    app.stop().await;
}
