//! Issue #17, point 1: the VIN (nomor rangka) and the price history. A VIN is checked and
//! normalised the same way on the API, the dashboard form and a spreadsheet, and buyers see it
//! only when the showroom turns it on. Every price a car is given is recorded with who, when and
//! through which path (API, dashboard, a salesperson's chat, a spreadsheet), in the change's own
//! transaction.

use reqwest::header::COOKIE;
use serde_json::{Value, json};

use crate::admin::{cookie, hx_post};
use crate::bot::{SALES_PHONE, Showroom, text};
use crate::cars::{avanza, create_car, update_car, with_fields};
use crate::support::{Fetch, TestApp};

const VIN: &str = "MHFM1BA3J7K012345";

async fn car_json(app: &TestApp, host: &str, token: &str, id: &str) -> Value {
    app.get(host, &format!("/api/cars/{id}")).bearer_auth(token).fetch_expect(200).await
}

/// `(price, previous_price, by.kind, by.name, via)` of each entry of a car's history.
fn history(car: &Value) -> Vec<(i64, Option<i64>, String, String, String)> {
    car["price_history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["price"].as_i64().unwrap(),
                e["previous_price"].as_i64(),
                e["by"]["kind"].as_str().unwrap().to_owned(),
                e["by"]["name"].as_str().unwrap().to_owned(),
                e["via"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_vin_is_checked_everywhere_and_public_only_when_the_showroom_shows_vins() {
    let (app, token) = TestApp::with_showroom("sinar", "Sinar").await;
    let host = TestApp::tenant_host("sinar");

    // The API: normalised (spaces, dashes, lower case), and a 422 naming `vin` otherwise.
    let car = create_car(&app, &host, &token, &with_fields(avanza(), json!({ "vin": "mhfm1ba3j7-k012345" }))).await;
    assert_eq!(car["vin"], VIN);
    let id = car["id"].as_str().unwrap().to_owned();
    for (bad, says) in [
        ("MHFM1BA3J7K01234O", "I, O atau Q"),
        ("MHFM1BA3J7K0123", "17 karakter"),
        ("MHFM1BA3J7K0123*5", "huruf dan angka"),
    ] {
        let body = update_car(&app, &host, &token, &id, &json!({ "vin": bad })).fetch_expect(422).await;
        let message = body["error"]["fields"]["vin"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{bad}: {body}");
    }
    assert_eq!(car_json(&app, &host, &token, &id).await["vin"], VIN, "a refused VIN changes nothing");
    // Cleared with an empty value.
    let cleared = update_car(&app, &host, &token, &id, &json!({ "vin": "" })).fetch_expect(200).await;
    assert_eq!(cleared["vin"], Value::Null);
    update_car(&app, &host, &token, &id, &json!({ "vin": VIN })).fetch_expect(200).await;

    // The dashboard form shows the same rule in Indonesian next to the field.
    let (_, form) = crate::admin::page(&app, &host, &token, &format!("/admin/cars/{id}")).await;
    assert!(form.contains("name=\"vin\"") && form.contains(VIN), "the form shows the VIN");
    let resp = hx_post(
        &app,
        &host,
        &token,
        &format!("/admin/cars/{id}"),
        &[
            ("brand", "Toyota"),
            ("model", "Avanza"),
            ("year", "2021"),
            ("price", "195.000.000"),
            ("transmission", "AT"),
            ("fuel", "bensin"),
            ("body_type", "MPV"),
            ("status", "available"),
            ("vin", "MHFM1BA3J7K0123Q5"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.unwrap();
    assert!(html.contains("tidak memakai huruf I, O atau Q"), "{html}");

    // A spreadsheet may carry it under its Indonesian name.
    let csv = format!(
        "no_stok,merek,model,tahun,harga,transmisi,bahan_bakar,tipe_bodi,nomor rangka\n\
         1,Toyota,Avanza,2021,195000000,AT,bensin,MPV,{}\n",
        VIN.to_lowercase().replace('5', "6")
    );
    let report = app
        .post(&host, "/api/cars/import.csv")
        .bearer_auth(&token)
        .header("content-type", "text/csv")
        .body(csv)
        .fetch_expect(200)
        .await;
    assert_eq!(report["updated"], 1, "{report}");
    assert_eq!(car_json(&app, &host, &token, &id).await["vin"], VIN.replace('5', "6"));
    let report = app
        .post(&host, "/api/cars/import.csv?dry_run=1")
        .bearer_auth(&token)
        .header("content-type", "text/csv")
        .body("no_stok,brand,model,year,price,transmission,fuel,body_type,vin\n1,Toyota,Avanza,2021,1,AT,bensin,MPV,OOPS\n")
        .fetch_expect(200)
        .await;
    assert!(report["errors"][0]["fields"]["vin"].is_string(), "{report}");

    // Buyers do not see it until the showroom says so (a showroom-wide setting).
    let vin_now = VIN.replace('5', "6");
    let slug = car["slug"].as_str().unwrap();
    let page = app.get(&host, &format!("/mobil/{slug}")).fetch_text().await;
    assert!(!page.contains(&vin_now) && !page.contains("Nomor rangka"), "hidden by default");
    let other = create_car(&app, &host, &token, &with_fields(avanza(), json!({ "model": "Veloz", "vin": VIN }))).await;
    let tenant = app.runtime_db().platform().tenant_by_slug("sinar").await.unwrap().unwrap().id;
    let mut tx = app.runtime_db().tenant(tenant).begin_write().await.unwrap();
    tx.settings().put(&json!({ "profile": { "show_vin": true } })).await.unwrap();
    tx.commit().await.unwrap();
    // (A page nobody fetched yet, so no cached copy from before the setting.)
    let page = app.get(&host, &format!("/mobil/{}", other["slug"].as_str().unwrap())).fetch_text().await;
    assert!(page.contains("Nomor rangka") && page.contains(VIN), "shown once the showroom turns it on");
    app.stop().await;
}

#[tokio::test]
async fn every_price_change_is_recorded_with_who_when_and_through_which_path() {
    let s = Showroom::open().await;
    let host = s.host();
    let owner = {
        let me: Value = s.app.get(&host, "/api/auth/me").bearer_auth(&s.token).fetch_json().await;
        me["user"]["name"].as_str().unwrap_or_default().to_owned()
    };

    // Created over the API: the first price, with no price before.
    let car = car_json(&s.app, &host, &s.token, s.car_id(4)).await;
    assert_eq!(history(&car), vec![(175_000_000, None, "user".into(), owner.clone(), "api".into())]);

    // The API.
    update_car(&s.app, &host, &s.token, s.car_id(4), &json!({ "price": 172_000_000 })).fetch_expect(200).await;
    // A change that leaves the price alone records nothing.
    update_car(&s.app, &host, &s.token, s.car_id(4), &json!({ "color": "Abu-abu" })).fetch_expect(200).await;

    // A salesperson on WhatsApp, after confirming.
    let r = s.say(SALES_PHONE, "harga no 4 turun 2 jt").await;
    assert_eq!(r["intent"], "change_proposed", "{r}");
    let r = s.say(SALES_PHONE, "ya").await;
    assert_eq!(r["intent"], "change_applied", "{}", text(&r));

    // The dashboard form.
    let resp = s
        .app
        .post(&host, &format!("/admin/cars/{}", s.car_id(4)))
        .header(COOKIE, cookie(&s.token))
        .header("sec-fetch-site", "same-origin")
        .form(&[
            ("brand", "Toyota"),
            ("model", "Rush"),
            ("variant", "1.5 S"),
            ("year", "2018"),
            ("price", "168.000.000"),
            ("transmission", "AT"),
            ("fuel", "bensin"),
            ("body_type", "SUV"),
            ("color", "Abu-abu"),
            ("status", "available"),
        ])
        .fetch()
        .await;
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());

    // A spreadsheet.
    let report = s
        .app
        .post(&host, "/api/cars/import.csv")
        .bearer_auth(&s.token)
        .header("content-type", "text/csv")
        .body(
            "stock_no,brand,model,variant,year,price,transmission,fuel,body_type,color\n\
               4,Toyota,Rush,1.5 S,2018,179000000,AT,bensin,SUV,Abu-abu\n",
        )
        .fetch_expect(200)
        .await;
    assert_eq!(report["updated"], 1, "{report}");

    let car = car_json(&s.app, &host, &s.token, s.car_id(4)).await;
    assert_eq!(
        history(&car),
        vec![
            (175_000_000, None, "user".into(), owner.clone(), "api".into()),
            (172_000_000, Some(175_000_000), "user".into(), owner.clone(), "api".into()),
            (170_000_000, Some(172_000_000), "sales".into(), "Rina".into(), "chat".into()),
            (168_000_000, Some(170_000_000), "user".into(), owner.clone(), "dashboard".into()),
            (179_000_000, Some(168_000_000), "user".into(), owner.clone(), "import".into()),
        ]
    );
    let entries = car["price_history"].as_array().unwrap();
    let times: Vec<&str> = entries.iter().map(|e| e["at"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "oldest first: {times:?}");
    let sales_id = entries[2]["by"]["id"].as_str().unwrap();
    let staff: Value = s.app.get(&host, "/api/sales").bearer_auth(&s.token).fetch_json().await;
    assert!(staff.to_string().contains(sales_id), "the salesperson's id: {staff}");
    // The list carries each car's history too.
    let list: Value = s.app.get(&host, "/api/cars?per_page=100").bearer_auth(&s.token).fetch_json().await;
    let listed = list["items"].as_array().unwrap().iter().find(|c| c["id"] == s.car_id(4)).unwrap();
    assert_eq!(listed["price_history"], car["price_history"]);

    // The car's admin page shows it, newest first.
    let (_, page) = crate::admin::page(&s.app, &host, &s.token, &format!("/admin/cars/{}", s.car_id(4))).await;
    let section = &page[page.find("Riwayat harga").expect("price history card")..];
    for needle in
        ["Rp 179.000.000", "Impor spreadsheet", "Chat WhatsApp", "Rina (sales)", "turun Rp 2.000.000", "harga awal"]
    {
        assert!(section.contains(needle), "{needle} missing");
    }
    assert!(section.find("Rp 179.000.000").unwrap() < section.find("harga awal").unwrap(), "newest first");

    // The OpenAPI document describes it.
    let doc: Value = s.app.get(&host, "/api/openapi.json").fetch_json().await;
    let schema = &doc["components"]["schemas"]["Car"]["properties"];
    assert!(schema["price_history"].is_object() && schema["vin"].is_object(), "{schema}");
    let entry = &doc["components"]["schemas"]["PriceHistoryEntry"];
    assert_eq!(entry["properties"]["via"]["enum"], json!(["dashboard", "api", "chat", "import", "system"]));
}

#[tokio::test]
async fn a_price_change_and_its_history_entry_commit_together() {
    let s = Showroom::open().await;
    let before = history(&car_json(&s.app, &s.host(), &s.token, s.car_id(2)).await);
    s.app.db.fail_audit_inserts(true).await;
    let resp = update_car(&s.app, &s.host(), &s.token, s.car_id(2), &json!({ "price": 415_000_000 })).fetch().await;
    assert_eq!(resp.status(), 500);
    // Over chat: whatever the reply, nothing is saved.
    let _ = s.simulate(json!({ "from": SALES_PHONE, "text": "/harga 2 410jt", "name": "Rina" })).await;
    s.app.db.fail_audit_inserts(false).await;
    let car = car_json(&s.app, &s.host(), &s.token, s.car_id(2)).await;
    assert_eq!(car["price"], 420_000_000, "the price is unchanged");
    assert_eq!(history(&car), before, "no history entry without its change");
}
