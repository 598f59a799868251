//! Issue #17, point 2: a showroom's marketplace feeds at secret, rotatable URLs. Each feed is
//! checked against the field list and enum values of its published specification (written out
//! below), lists only published cars on sale, shows nothing staff-only, uses absolute URLs of the
//! showroom's primary domain, is rebuilt when the stock changes and answers `If-None-Match`.

use std::collections::BTreeSet;

use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING, COOKIE, ETAG, IF_NONE_MATCH};
use serde_json::{Value, json};

use crate::admin::cookie;
use crate::cars::{avanza, create_car, update_car, with_fields};
use crate::support::{Fetch, TestApp};

const HOST: &str = "sinar.localhost";
/// Staff-only values of `avanza()`: floor price, internal notes, the full plate.
const SECRETS: [&str; 5] = ["188.000.000", "188000000", "Nego mentok", "1234 XYZ", "1234XYZ"];
const STAFF_FIELDS: [&str; 3] = ["floor_price", "internal_notes", "plate_number"];

/// Meta automotive (vehicle) catalog: the fields the catalog requires for a vehicle.
const META_REQUIRED: [&str; 20] = [
    "vehicle_id",
    "title",
    "description",
    "url",
    "make",
    "model",
    "year",
    "mileage.value",
    "mileage.unit",
    "image[0].url",
    "transmission",
    "fuel_type",
    "body_style",
    "price",
    "exterior_color",
    "state_of_vehicle",
    "address.addr1",
    "address.city",
    "address.region",
    "address.country",
];
/// Meta's enum values (the Graph API's `Vehicle` enums).
const META_TRANSMISSION: [&str; 4] = ["AUTOMATIC", "MANUAL", "NONE", "OTHER"];
const META_FUEL: [&str; 9] =
    ["DIESEL", "ELECTRIC", "FLEX", "GASOLINE", "HYBRID", "NONE", "OTHER", "PETROL", "PLUGIN_HYBRID"];
const META_BODY: [&str; 23] = [
    "CONVERTIBLE",
    "COUPE",
    "CROSSOVER",
    "ESTATE",
    "GRANDTOURER",
    "HATCHBACK",
    "MINIBUS",
    "MINIVAN",
    "MPV",
    "NONE",
    "OTHER",
    "PICKUP",
    "ROADSTER",
    "SALOON",
    "SEDAN",
    "SMALL_CAR",
    "SPORTSCAR",
    "SUPERCAR",
    "SUPERMINI",
    "SUV",
    "TRUCK",
    "VAN",
    "WAGON",
];
const META_STATE: [&str; 3] = ["NEW", "USED", "CPO"];
const META_AVAILABILITY: [&str; 3] = ["AVAILABLE", "NOT_AVAILABLE", "PENDING"];
const META_MILEAGE_UNIT: [&str; 2] = ["KM", "MI"];

/// Google Merchant Center vehicle ads: the attributes required of every vehicle offer
/// (mileage for used cars; store code for vehicles sold in store).
const GOOGLE_REQUIRED: [&str; 14] = [
    "id",
    "title",
    "description",
    "link",
    "image_link",
    "price",
    "condition",
    "google_product_category",
    "brand",
    "model",
    "year",
    "mileage",
    "vin",
    "store_code",
];
const GOOGLE_CONDITION: [&str; 2] = ["new", "used"];
const GOOGLE_AVAILABILITY: [&str; 4] = ["in_stock", "out_of_stock", "preorder", "backorder"];
/// Google's `body_style` values for passenger cars.
const GOOGLE_BODY: [&str; 15] = [
    "city_car",
    "compact_suv",
    "convertible",
    "coupe",
    "crossover",
    "full_size_van",
    "hatchback",
    "limousine",
    "minivan",
    "notchback",
    "sedan",
    "station_wagon",
    "suv",
    "truck",
    "ute",
];

/// A CSV document as rows of cells (RFC 4180: quoted cells may hold commas, quotes and newlines).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut cell, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if cell.is_empty() => quoted = true,
            (',', false) => row.push(std::mem::take(&mut cell)),
            ('\n', false) => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            ('\r', false) => {}
            (c, _) => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

/// The `<g:name>` values of each `<item>` of a Google feed.
fn google_items(xml: &str) -> Vec<Vec<(String, String)>> {
    xml.split("<item>")
        .skip(1)
        .map(|item| {
            let item = &item[..item.find("</item>").expect("closed item")];
            let mut tags = Vec::new();
            let mut rest = item;
            while let Some(start) = rest.find("<g:") {
                let after = &rest[start + 3..];
                let name_end = after.find('>').unwrap();
                let name = after[..name_end].to_owned();
                let close = format!("</g:{name}>");
                let value_end = after.find(&close).unwrap();
                tags.push((name.clone(), after[name_end + 1..value_end].to_owned()));
                rest = &after[value_end + close.len()..];
            }
            tags
        })
        .collect()
}

struct Shop {
    app: TestApp,
    token: String,
    tenant: garasi_domain::TenantId,
    base: String,
    /// (id, slug) of the cars on sale with a photo (A: available, B: booked), the one on sale
    /// without a photo (F), and the draft, sold and hidden ones.
    listed: Vec<(String, String)>,
    no_photo: String,
    unlisted: Vec<(String, String)>,
}

async fn upload_photo(app: &TestApp, token: &str, car_id: &str) {
    let jpeg = garasi_media::demo_car_image("MOBIL", [200, 200, 205], 1280, 800);
    let form = reqwest::multipart::Form::new()
        .part("files", reqwest::multipart::Part::bytes(jpeg).file_name("a.jpg").mime_str("image/jpeg").unwrap());
    let resp = app.post(HOST, &format!("/api/cars/{car_id}/photos")).bearer_auth(token).multipart(form).fetch().await;
    assert_eq!(resp.status(), 201);
}

async fn shop() -> Shop {
    let (app, token) = TestApp::with_showroom("sinar", "Sinar Jaya").await;
    let tenant = app.runtime_db().platform().tenant_by_slug("sinar").await.unwrap().unwrap().id;
    let mut tx = app.runtime_db().tenant(tenant).begin_write().await.unwrap();
    tx.settings()
        .put(&json!({ "profile": {
            "address": "Jl. Raya Pasar Minggu No. 88", "city": "Jakarta Selatan", "province": "DKI Jakarta",
            "phone": "021-7890123", "show_vin": true, "google_store_code": "SJ-01",
        }}))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let make = |extra: Value| with_fields(avanza(), extra);
    let specs = [
        make(json!({ "vin": "MHFM1BA3J7K012345" })),
        make(json!({ "brand": "Honda", "model": "Brio", "body_type": "hatchback", "transmission": "MT",
                     "color": "Merah", "status": "booked", "vin": "MHRDD1850KJ000111", "condition": "new",
                     "description": "Satu \"pemilik\",\nservis <resmi> & lengkap." })),
        make(json!({ "model": "Veloz", "status": "draft", "vin": "MHFM1BA3J7K099999" })),
        make(json!({ "model": "Innova", "status": "sold", "vin": "MHFM1BA3J7K088888" })),
        make(json!({ "model": "Calya", "status": "hidden", "body_type": "LCGC", "vin": "MHFM1BA3J7K077777" })),
        make(json!({ "model": "Rush", "body_type": "SUV", "vin": "MHFM1BA3J7K066666" })),
    ];
    let mut created = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let car = create_car(&app, HOST, &token, spec).await;
        let id = car["id"].as_str().unwrap().to_owned();
        if i != 5 {
            upload_photo(&app, &token, &id).await;
        }
        created.push((id, car["slug"].as_str().unwrap().to_owned()));
    }
    let base = format!("http://sinar.localhost:{}", app.addr.port());
    Shop {
        app,
        token,
        tenant,
        base,
        listed: vec![created[0].clone(), created[1].clone()],
        no_photo: created[5].0.clone(),
        unlisted: vec![created[2].clone(), created[3].clone(), created[4].clone()],
    }
}

impl Shop {
    async fn links(&self) -> Value {
        self.app.post(HOST, "/api/feeds/token").bearer_auth(&self.token).fetch_expect(200).await
    }

    /// Path and query of an absolute feed URL on this showroom.
    fn path(&self, url: &Value) -> String {
        url.as_str().unwrap().strip_prefix(&self.base).expect("absolute URL on the primary domain").to_owned()
    }

    async fn get(&self, url: &Value) -> reqwest::Response {
        self.app.get(HOST, &self.path(url)).fetch().await
    }

    fn assert_clean(&self, what: &str, body: &str) {
        for secret in SECRETS.iter().chain(STAFF_FIELDS.iter()) {
            assert!(!body.contains(secret), "{what} shows staff-only {secret}");
        }
        for (id, slug) in &self.unlisted {
            assert!(!body.contains(id.as_str()) && !body.contains(slug.as_str()), "{what} lists an unpublished car");
        }
    }
}

#[tokio::test]
async fn the_meta_feed_has_metas_required_fields_and_values_and_only_cars_on_sale() {
    let s = shop().await;
    // No token yet: nothing to fetch.
    let none = s.app.get(HOST, "/api/feeds").bearer_auth(&s.token).fetch_expect(200).await;
    assert_eq!(none, json!({ "meta": null, "google": null, "json": null }));
    assert_eq!(s.app.get(HOST, "/feed/0123456789abcdef/meta.csv").fetch().await.status(), 404);

    let links = s.links().await;
    let url = links["meta"].as_str().unwrap();
    assert!(url.starts_with(&format!("{}/feed/", s.base)) && url.ends_with("/meta.csv"), "{url}");
    let resp = s.get(&links["meta"]).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
    let body = resp.text().await.unwrap();
    s.assert_clean("meta.csv", &body);
    let rows = parse_csv(&body);
    let header = &rows[0];
    for field in META_REQUIRED {
        assert!(header.iter().any(|h| h == field), "column {field} missing: {header:?}");
    }
    let col = |row: &Vec<String>, name: &str| row[header.iter().position(|h| h == name).unwrap()].clone();
    let items = &rows[1..];
    let ids: BTreeSet<String> = items.iter().map(|r| col(r, "vehicle_id")).collect();
    let want: BTreeSet<String> = s.listed.iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(ids, want, "only the cars on sale with a photo");
    for row in items {
        assert_eq!(row.len(), header.len());
        for field in META_REQUIRED {
            assert!(!col(row, field).trim().is_empty(), "{field} empty in {row:?}");
        }
        assert!(META_TRANSMISSION.contains(&col(row, "transmission").as_str()));
        assert!(META_FUEL.contains(&col(row, "fuel_type").as_str()));
        assert!(META_BODY.contains(&col(row, "body_style").as_str()));
        assert!(META_STATE.contains(&col(row, "state_of_vehicle").as_str()));
        assert!(META_AVAILABILITY.contains(&col(row, "availability").as_str()));
        assert!(META_MILEAGE_UNIT.contains(&col(row, "mileage.unit").as_str()));
        let price = col(row, "price");
        let (amount, currency) = price.split_once(' ').unwrap();
        assert!(amount.parse::<i64>().unwrap() > 0 && currency == "IDR", "{price}");
        assert!(col(row, "year").parse::<i64>().is_ok() && col(row, "mileage.value").parse::<i64>().is_ok());
        assert_eq!(col(row, "address.country"), "ID");
        assert_eq!(col(row, "address.region"), "DKI Jakarta");
        let (_, slug) = s.listed.iter().find(|(id, _)| *id == col(row, "vehicle_id")).unwrap();
        assert_eq!(col(row, "url"), format!("{}/mobil/{slug}?src=feed", s.base));
        let image = col(row, "image[0].url");
        assert!(image.starts_with(&format!("{}/media/cars/", s.base)) && image.ends_with(".jpg"), "{image}");
        let img = s.app.get(HOST, image.strip_prefix(&s.base).unwrap()).fetch().await;
        assert_eq!((img.status().as_u16(), img.headers()["content-type"].to_str().unwrap()), (200, "image/jpeg"));
    }
    let brio = items.iter().find(|r| col(r, "vehicle_id") == s.listed[1].0).unwrap();
    assert_eq!(
        (col(brio, "availability"), col(brio, "state_of_vehicle"), col(brio, "body_style"), col(brio, "vin")),
        ("PENDING".into(), "NEW".into(), "HATCHBACK".into(), "MHRDD1850KJ000111".into())
    );
    assert_eq!(col(brio, "description"), "Satu \"pemilik\",\nservis <resmi> & lengkap.", "quoted whole");
    s.app.stop().await;
}

#[tokio::test]
async fn the_google_and_json_feeds_follow_their_specifications() {
    let s = shop().await;
    let links = s.links().await;

    let resp = s.get(&links["google"]).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/xml; charset=utf-8");
    let xml = resp.text().await.unwrap();
    s.assert_clean("google.xml", &xml);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert!(xml.contains("<rss version=\"2.0\" xmlns:g=\"http://base.google.com/ns/1.0\">"));
    let items = google_items(&xml);
    assert_eq!(items.len(), 2, "the cars on sale with a photo and a shown VIN");
    for item in &items {
        let get = |name: &str| item.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
        for field in GOOGLE_REQUIRED {
            assert!(get(field).is_some_and(|v| !v.trim().is_empty()), "{field} missing in {item:?}");
        }
        assert!(GOOGLE_CONDITION.contains(&get("condition").unwrap().as_str()));
        assert!(GOOGLE_AVAILABILITY.contains(&get("availability").unwrap().as_str()));
        assert!(GOOGLE_BODY.contains(&get("body_style").unwrap().as_str()));
        assert_eq!(get("google_product_category").unwrap(), "916");
        assert_eq!(get("store_code").unwrap(), "SJ-01");
        let mileage = get("mileage").unwrap();
        assert!(mileage.strip_suffix(" km").unwrap().parse::<i64>().is_ok(), "{mileage}");
        let price = get("price").unwrap();
        assert!(price.strip_suffix(" IDR").unwrap().parse::<i64>().is_ok(), "{price}");
        assert_eq!(get("vin").unwrap().len(), 17);
        assert!(get("link").unwrap().starts_with(&format!("{}/mobil/", s.base)));
        assert!(get("image_link").unwrap().starts_with(&format!("{}/media/cars/", s.base)));
        let id = get("id").unwrap();
        assert!(s.listed.iter().any(|(listed, _)| *listed == id));
    }
    assert!(xml.contains("Satu &quot;pemilik&quot;,\nservis &lt;resmi&gt; &amp; lengkap."), "escaped");

    let resp = s.get(&links["json"]).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let text = resp.text().await.unwrap();
    s.assert_clean("mobil.json", &text);
    let feed: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(feed["showroom"]["name"], "Sinar Jaya");
    let ids: BTreeSet<&str> = feed["cars"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    let want: BTreeSet<&str> = s.listed.iter().map(|(id, _)| id.as_str()).chain([s.no_photo.as_str()]).collect();
    assert_eq!(ids, want, "every car on sale, with or without a photo");
    for car in feed["cars"].as_array().unwrap() {
        assert_eq!(car["currency"], "IDR");
        assert!(car["url"].as_str().unwrap().starts_with(&format!("{}/mobil/", s.base)));
        for image in car["images"].as_array().unwrap() {
            assert!(image.as_str().unwrap().starts_with(&s.base));
        }
    }

    // The paths are in the OpenAPI document, without a session requirement.
    let doc: Value = s.app.get(HOST, "/api/openapi.json").fetch_json().await;
    for file in ["meta.csv", "google.xml", "mobil.json"] {
        let op = &doc["paths"][format!("/feed/{{token}}/{file}")]["get"];
        assert!(op.is_object(), "{file} not documented");
        assert_eq!(op["security"], json!([]), "{file}");
    }
    assert!(doc["paths"]["/api/feeds/token"]["post"].is_object());
    s.app.stop().await;
}

#[tokio::test]
async fn feeds_carry_a_strong_etag_and_are_rebuilt_when_the_stock_or_the_vin_setting_changes() {
    let s = shop().await;
    let links = s.links().await;
    let path = s.path(&links["meta"]);

    let first = s.app.get(HOST, &path).fetch().await;
    let etag = first.headers()[ETAG].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"') && !etag.starts_with("W/"), "a strong validator: {etag}");
    let body = first.text().await.unwrap();
    let again = s.app.get(HOST, &path).header(IF_NONE_MATCH, &etag).fetch().await;
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()[ETAG].to_str().unwrap(), etag);
    // The gzip form is another representation, with its own validator.
    let gz = s.app.get(HOST, &path).header(ACCEPT_ENCODING, "gzip").fetch().await;
    assert_eq!(gz.headers()[CONTENT_ENCODING], "gzip");
    let gz_etag = gz.headers()[ETAG].to_str().unwrap().to_owned();
    assert_ne!(gz_etag, etag);
    let gz_again = s.app.get(HOST, &path).header(ACCEPT_ENCODING, "gzip").header(IF_NONE_MATCH, &gz_etag).fetch().await;
    assert_eq!(gz_again.status(), 304);

    // A price change, a published draft: the feed is rebuilt at once.
    update_car(&s.app, HOST, &s.token, &s.listed[0].0, &json!({ "price": 191_000_000 })).fetch_expect(200).await;
    update_car(&s.app, HOST, &s.token, &s.unlisted[0].0, &json!({ "status": "available" })).fetch_expect(200).await;
    let changed = s.app.get(HOST, &path).header(IF_NONE_MATCH, &etag).fetch().await;
    assert_eq!(changed.status(), 200);
    assert_ne!(changed.headers()[ETAG].to_str().unwrap(), etag);
    let text = changed.text().await.unwrap();
    assert!(text.contains("191000000 IDR") && !body.contains("191000000 IDR"));
    assert!(text.contains(&s.unlisted[0].0), "the published draft is listed");

    // VINs only while the showroom shows them.
    assert!(text.contains("MHFM1BA3J7K012345"));
    let mut tx = s.app.runtime_db().tenant(s.tenant).begin_write().await.unwrap();
    tx.settings()
        .put(&json!({ "profile": { "address": "Jl. Raya Pasar Minggu No. 88", "show_vin": false } }))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // (The settings were written behind the service's back: a stock change publishes the event.)
    update_car(&s.app, HOST, &s.token, &s.listed[0].0, &json!({ "price": 190_000_000 })).fetch_expect(200).await;
    for kind in ["meta", "json"] {
        let body = s.get(&links[kind]).await.text().await.unwrap();
        assert!(!body.contains("MHFM1BA3J7K012345") && !body.contains("MHRDD1850KJ000111"), "{kind} shows a VIN");
    }
    let xml = s.get(&links["google"]).await.text().await.unwrap();
    assert!(google_items(&xml).is_empty(), "Google requires the VIN: no incomplete offers");
    s.app.stop().await;
}

#[tokio::test]
async fn rotating_the_token_retires_the_old_urls_and_is_audited() {
    let s = shop().await;
    let old = s.links().await;
    for kind in ["meta", "google", "json"] {
        assert_eq!(s.get(&old[kind]).await.status(), 200, "{kind}");
    }
    // Another showroom's host knows nothing of this token.
    let other_token = s.app.add_showroom("berkah", "Berkah").await;
    let on_other = s.path(&old["json"]);
    assert_eq!(s.app.get("berkah.localhost", &on_other).fetch().await.status(), 404);
    let theirs = s.app.post("berkah.localhost", "/api/feeds/token").bearer_auth(&other_token).fetch_expect(200).await;
    let theirs_path = theirs["json"].as_str().unwrap().split_once("/feed/").unwrap().1;
    assert_eq!(s.app.get(HOST, &format!("/feed/{theirs_path}")).fetch().await.status(), 404);

    // From the dashboard's settings page.
    let (status, page) = crate::admin::page(&s.app, HOST, &s.token, "/admin/settings").await;
    assert_eq!(status, 200);
    let token_of = |links: &Value| links["meta"].as_str().unwrap().split('/').rev().nth(1).unwrap().to_owned();
    assert!(page.contains(&token_of(&old)) && page.contains("Ganti tautan feed"));
    let resp = s
        .app
        .post(HOST, "/admin/settings/feed-token")
        .header(COOKIE, cookie(&s.token))
        .header("sec-fetch-site", "same-origin")
        .fetch()
        .await;
    assert_eq!(resp.status(), 303);
    for kind in ["meta", "google", "json"] {
        assert_eq!(s.get(&old[kind]).await.status(), 404, "the old {kind} URL is retired");
    }
    let new = s.app.get(HOST, "/api/feeds").bearer_auth(&s.token).fetch_expect(200).await;
    assert_ne!(new["meta"], old["meta"]);
    for kind in ["meta", "google", "json"] {
        assert_eq!(s.get(&new[kind]).await.status(), 200, "{kind}");
    }
    let (_, page) = crate::admin::page(&s.app, HOST, &s.token, "/admin/settings").await;
    assert!(page.contains(&token_of(&new)) && !page.contains(&token_of(&old)));

    let log = s.app.runtime_db().platform().audit_log(Some(s.tenant), 100, 0).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|a| a.action.as_str()).collect();
    assert!(actions.contains(&"feed.token_create") && actions.contains(&"feed.token_rotate"), "{actions:?}");
    s.app.stop().await;
}
