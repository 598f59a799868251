//! The public showroom site: pages, filters, htmx fragments, SEO data, the credit
//! widget, caching, headers, isolation between showrooms, and what must never show.

use std::time::Duration;

use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::cars::{avanza, create_car, update_car, with_fields};
use crate::support::{Fetch, TestApp};

const HOST: &str = "sinar.localhost";

/// Markers of sales-only fields in `avanza()`: floor price, internal notes, full plate.
const SECRETS: [&str; 5] = ["188.000.000", "188000000", "Nego mentok", "1234 XYZ", "1234XYZ"];

struct Site {
    app: TestApp,
    token: String,
    tenant: garasi_domain::TenantId,
}

async fn setup() -> Site {
    let (app, token) = TestApp::with_showroom("sinar", "Sinar Jaya").await;
    let tenant = app.runtime_db().platform().tenant_by_slug("sinar").await.unwrap().unwrap().id;
    let mut tx = app.runtime_db().tenant(tenant).begin().await.unwrap();
    tx.settings()
        .put(&json!({
            "profile": {
                "about": "Showroom mobil bekas pilihan sejak 2009.",
                "address": "Jl. Raya Pasar Minggu No. 88",
                "city": "Jakarta Selatan",
                "opening_hours": "Senin–Sabtu 08.30–17.30",
                "phone": "021-7890123",
            },
            "credit": { "flat_rate_bps": [500, 550, 600, 650, 700], "admin_fee": 3000000, "insurance_bps": 250,
                        "min_dp_percent": 20, "first_instalment_upfront": true },
        }))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    Site { app, token, tenant }
}

fn car(brand: &str, model: &str, year: i64, price: i64, extra: Value) -> Value {
    let v = json!({
        "brand": brand, "model": model, "year": year, "price": price, "transmission": "MT", "fuel": "bensin",
        "body_type": "MPV", "mileage_km": 50_000, "status": "available",
    });
    with_fields(v, extra)
}

async fn upload_photo(app: &TestApp, token: &str, car_id: &str) -> Value {
    let jpeg = garasi_media::demo_car_image("AVANZA", [200, 200, 205], 1280, 800);
    let form = Form::new().part("files", Part::bytes(jpeg).file_name("a.jpg").mime_str("image/jpeg").unwrap());
    let resp = app.post(HOST, &format!("/api/cars/{car_id}/photos")).bearer_auth(token).multipart(form).fetch().await;
    assert_eq!(resp.status(), 201);
    resp.json().await.unwrap()
}

async fn page(app: &TestApp, host: &str, path: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let resp = app.get(host, path).fetch().await;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, headers, resp.text().await.unwrap())
}

async fn htmx(app: &TestApp, path: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let resp = app.get(HOST, path).header("HX-Request", "true").fetch().await;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, headers, resp.text().await.unwrap())
}

/// Every JSON-LD block of a page, parsed.
fn json_ld(html: &str) -> Vec<Value> {
    let open = "<script type=\"application/ld+json\">";
    html.split(open)
        .skip(1)
        .map(|rest| {
            let raw = &rest[..rest.find("</script>").expect("closed script")];
            assert!(!raw.contains('<'), "unescaped < in JSON-LD: {raw}");
            serde_json::from_str(raw).unwrap_or_else(|e| panic!("JSON-LD does not parse ({e}): {raw}"))
        })
        .collect()
}

fn meta_content(html: &str, attr: &str, name: &str) -> Option<String> {
    let needle = format!("<meta {attr}=\"{name}\" content=\"");
    html.find(&needle).map(|i| {
        let rest = &html[i + needle.len()..];
        rest[..rest.find('"').unwrap()].to_owned()
    })
}

fn assert_no_secrets(what: &str, body: &str) {
    for s in SECRETS {
        assert!(!body.contains(s), "{what} leaks a sales-only value {s:?}");
    }
}

#[tokio::test]
async fn home_catalogue_and_car_pages_carry_their_seo_data() {
    let Site { app, token, .. } = setup().await;
    let port = app.addr.port();
    let base = format!("http://sinar.localhost:{port}");
    let created = create_car(&app, HOST, &token, &avanza()).await;
    let car_id = created["id"].as_str().unwrap();
    let with_photo = upload_photo(&app, &token, car_id).await;
    let photo_id = with_photo["photos"][0]["id"].as_str().unwrap().to_owned();
    let slug = created["slug"].as_str().unwrap().to_owned();

    // Home: name, about, featured car, WhatsApp link to the bot number, AutoDealer.
    let (status, headers, home) = page(&app, HOST, "/").await;
    assert_eq!(status, 200);
    assert!(headers.get("set-cookie").is_none());
    assert!(home.contains("<h1>Sinar Jaya</h1>") && home.contains("Showroom mobil bekas pilihan sejak 2009."));
    assert!(home.contains("https://wa.me/6281234567890?text=Halo%20Sinar%20Jaya"), "WhatsApp link");
    assert!(home.contains("Toyota Avanza 1.5 G 2021") && home.contains("Rp 195.000.000"));
    assert!(home.contains(&format!("<link rel=\"canonical\" href=\"{base}/\">")));
    let ld = json_ld(&home);
    let dealer = ld.iter().find(|v| v["@type"] == "AutoDealer").expect("AutoDealer");
    assert_eq!(dealer["name"], "Sinar Jaya");
    assert_eq!(dealer["address"]["addressLocality"], "Jakarta Selatan");
    assert_eq!(dealer["telephone"], "+62217890123");
    assert_eq!(dealer["url"], format!("{base}/"));

    // Catalogue.
    let (status, _, cat) = page(&app, HOST, "/mobil").await;
    assert_eq!(status, 200);
    assert!(cat.contains("<title>Mobil Bekas Dijual | Sinar Jaya</title>"));
    assert!(cat.contains(&format!("href=\"/mobil/{slug}\"")));
    assert!(cat.contains("data-hx-get=\"/mobil\"") && cat.contains("data-hx-push-url=\"true\""));
    assert!(cat.contains("<strong>1</strong> mobil ditemukan"));

    // The car page: title, description, canonical, Open Graph, every public field.
    let (status, headers, html) = page(&app, HOST, &format!("/mobil/{slug}")).await;
    assert_eq!(status, 200);
    assert!(headers.get("set-cookie").is_none());
    assert!(html.contains("<title>Toyota Avanza 1.5 G 2021 - Rp 195 Juta | Sinar Jaya</title>"), "title");
    let description = meta_content(&html, "name", "description").unwrap();
    assert!(description.contains("Toyota Avanza 1.5 G 2021") && description.contains("Rp 195.000.000"));
    assert!(html.contains(&format!("<link rel=\"canonical\" href=\"{base}/mobil/{slug}\">")));
    let og_image = meta_content(&html, "property", "og:image").unwrap();
    assert_eq!(og_image, format!("{base}/media/cars/{car_id}/{photo_id}/large.jpg"));
    assert_eq!(meta_content(&html, "property", "og:url").unwrap(), format!("{base}/mobil/{slug}"));
    assert!(meta_content(&html, "property", "og:title").unwrap().starts_with("Toyota Avanza"));
    assert_eq!(meta_content(&html, "name", "twitter:card").unwrap(), "summary_large_image");
    for text in [
        "Mei 2026",
        "Tangan pertama",
        "Wilayah plat",
        "Plat genap",
        "Bekas",
        "Otomatis",
        "Bensin",
        "45.000 km",
        "1.496 cc",
        "7 penumpang",
        "Harga kredit Rp 185.000.000",
        "Harga masih bisa nego",
        "Mulus, servis resmi.",
        "Airbag",
        "Alloy 15&quot;",
        "Kode stok #1",
    ] {
        assert!(html.contains(text), "car page lacks {text:?}");
    }
    // Responsive WebP with intrinsic size; the first photo loads first.
    assert!(html.contains("thumb.webp 320w") && html.contains("card.webp 640w") && html.contains("large.webp 1280w"));
    assert!(html.contains("width=\"1280\" height=\"800\"") && html.contains("fetchpriority=\"high\""));
    // WhatsApp inquiry naming the car and its URL, through the counting redirect; share
    // links without third-party scripts.
    assert!(html.contains(&format!("href=\"/wa/{slug}\"")), "inquiry link");
    let inquiry =
        "https://wa.me/6281234567890?text=Halo%20Sinar%20Jaya%2C%20saya%20tertarik%20dengan%20Toyota%20Avanza";
    let redirect = app.get(HOST, &format!("/wa/{slug}")).fetch().await;
    assert_eq!(redirect.status(), 302);
    assert!(redirect.headers()["location"].to_str().unwrap().starts_with(inquiry), "inquiry link");
    assert!(html.contains(&format!("{}%2Fmobil%2F{slug}", "sinar.localhost%3A".to_owned() + &port.to_string())));
    assert!(html.contains("https://www.facebook.com/sharer/sharer.php?u=") && html.contains("data-copy="));
    assert!(!html.contains("<script src=\"http"), "no third-party scripts");

    let ld = json_ld(&html);
    let car = ld.iter().find(|v| v["@type"] == "Car").expect("Car JSON-LD");
    assert_eq!(car["brand"]["name"], "Toyota");
    assert_eq!(car["model"], "Avanza");
    assert_eq!(car["vehicleModelDate"], "2021");
    assert_eq!(car["mileageFromOdometer"], json!({ "@type": "QuantitativeValue", "value": 45000, "unitCode": "KMT" }));
    assert_eq!(car["vehicleTransmission"], "Automatic");
    assert_eq!(car["fuelType"], "Gasoline");
    assert_eq!(car["offers"]["price"], 195_000_000);
    assert_eq!(car["offers"]["priceCurrency"], "IDR");
    assert_eq!(car["offers"]["availability"], "https://schema.org/InStock");
    assert_eq!(car["image"][0], og_image);
    let crumbs = ld.iter().find(|v| v["@type"] == "BreadcrumbList").expect("BreadcrumbList");
    assert_eq!(crumbs["itemListElement"].as_array().unwrap().len(), 4);
    assert_eq!(crumbs["itemListElement"][3]["item"], format!("{base}/mobil/{slug}"));

    // Sales-only fields appear nowhere.
    for path in ["/", "/mobil", &format!("/mobil/{slug}"), "/sitemap.xml", "/kontak"] {
        let (_, _, body) = page(&app, HOST, path).await;
        assert_no_secrets(path, &body);
    }
    app.stop().await;
}

#[tokio::test]
async fn catalogue_filters_sort_paginate_and_answer_htmx_with_a_fragment() {
    let Site { app, token, .. } = setup().await;
    let cars = [
        car("Toyota", "Avanza", 2021, 195_000_000, json!({ "transmission": "AT", "plate_number": "B 1234 AB" })),
        car("Toyota", "Rush", 2019, 230_000_000, json!({ "body_type": "SUV", "plate_number": "B 1235 AB" })),
        car("Honda", "Brio", 2018, 120_000_000, json!({ "body_type": "LCGC", "mileage_km": 90_000 })),
        car("Mitsubishi", "Pajero Sport", 2020, 480_000_000, json!({ "fuel": "diesel", "body_type": "SUV" })),
    ];
    for c in &cars {
        create_car(&app, HOST, &token, c).await;
    }
    let titles = |html: &str| -> Vec<String> {
        html.split("class=\"card-title\">").skip(1).map(|s| s[..s.find('<').unwrap()].to_owned()).collect()
    };
    let cases: &[(&str, &[&str])] = &[
        ("/mobil?brand=toyota", &["Toyota Rush", "Toyota Avanza"]),
        ("/mobil?model=pajero-sport", &["Mitsubishi Pajero Sport"]),
        ("/mobil?transmission=matic", &["Toyota Avanza"]),
        ("/mobil?fuel=diesel", &["Mitsubishi Pajero Sport"]),
        ("/mobil?body_type=SUV&sort=price_asc", &["Toyota Rush", "Mitsubishi Pajero Sport"]),
        ("/mobil?price_min=150.000.000&price_max=250000000&sort=price_asc", &["Toyota Avanza", "Toyota Rush"]),
        ("/mobil?year_min=2019&year_max=2020&sort=year_asc", &["Toyota Rush", "Mitsubishi Pajero Sport"]),
        ("/mobil?mileage_max=60000&sort=price_desc", &["Mitsubishi Pajero Sport", "Toyota Rush", "Toyota Avanza"]),
        ("/mobil?plate_parity=ganjil", &["Toyota Rush"]),
        ("/mobil?plate_parity=genap", &["Toyota Avanza"]),
        ("/mobil?q=brio", &["Honda Brio"]),
        ("/mobil?sort=price_asc", &["Honda Brio", "Toyota Avanza", "Toyota Rush", "Mitsubishi Pajero Sport"]),
    ];
    for (path, want) in cases {
        let (status, _, html) = page(&app, HOST, path).await;
        assert_eq!(status, 200, "{path}");
        let got: Vec<String> = titles(&html).into_iter().map(|t| t.rsplit_once(' ').unwrap().0.to_owned()).collect();
        assert_eq!(got, *want, "{path}");
    }

    // A filtered page names the filter in its title and is canonical in a fixed order.
    let (_, _, html) = page(&app, HOST, "/mobil?utm_source=wa&transmission=matic&brand=Toyota").await;
    assert!(html.contains("<title>Mobil Bekas Toyota Otomatis | Sinar Jaya</title>"), "filtered title");
    assert!(html.contains("/mobil?brand=Toyota&amp;transmission=AT\">"), "canonical of a filtered URL");

    // htmx: only the results, with the new title and the clean URL to push.
    let (status, headers, frag) = htmx(&app, "/mobil?brand=Toyota&model=&price_min=&sort=price_desc").await;
    assert_eq!(status, 200);
    assert!(!frag.contains("<html") && !frag.contains("<form"), "a fragment, not a page");
    assert!(frag.starts_with("<title>Mobil Bekas Toyota | Sinar Jaya</title>"), "{}", &frag[..200.min(frag.len())]);
    assert_eq!(titles(&frag).len(), 2);
    assert_eq!(headers["hx-push-url"], "/mobil?brand=Toyota&sort=price_desc");
    assert!(headers["vary"].to_str().unwrap().to_ascii_lowercase().contains("hx-request"));
    // A history restore gets the full page.
    let resp = app
        .get(HOST, "/mobil?brand=Toyota")
        .header("HX-Request", "true")
        .header("HX-History-Restore-Request", "true")
        .fetch()
        .await;
    assert!(resp.text().await.unwrap().contains("<html"));

    // Nothing found: a helpful message and a way out.
    let (status, _, html) = page(&app, HOST, "/mobil?brand=Ferrari").await;
    assert_eq!(status, 200);
    assert!(html.contains("Belum ada mobil yang cocok") && html.contains("Lihat semua mobil"));
    assert!(html.contains("Minta dicarikan lewat WhatsApp"));

    // Bad values never break the page: they are ignored and named.
    for path in [
        "/mobil?fuel=air&price_min=murah&year_min=abc&sort=acak&page=x",
        "/mobil?price_min=300000000&price_max=100000000",
        "/mobil?page=999999999999999999999",
        "/mobil?%ZZ=1",
    ] {
        let (status, _, html) = page(&app, HOST, path).await;
        assert_eq!(status, 200, "{path}");
        assert!(html.contains("mobil ditemukan"), "{path}");
    }
    let (_, _, html) = page(&app, HOST, "/mobil?fuel=air&brand=Toyota").await;
    assert!(html.contains("Bahan bakar: Bahan bakar harus salah satu dari"), "the message names the filter");
    assert_eq!(titles(&html).len(), 2, "the valid filters still apply");
    app.stop().await;
}

#[tokio::test]
async fn pagination_keeps_the_filters() {
    let Site { app, token, .. } = setup().await;
    for i in 0..14 {
        create_car(
            &app,
            HOST,
            &token,
            &car("Daihatsu", "Xenia", 2015 + (i % 8), 100_000_000 + i * 1_000_000, json!({})),
        )
        .await;
    }
    let (_, _, first) = page(&app, HOST, "/mobil?brand=Daihatsu&sort=price_asc").await;
    assert_eq!(first.matches("class=\"card-title\"").count(), 12);
    assert!(first.contains("href=\"/mobil?brand=Daihatsu&amp;sort=price_asc&amp;page=2\""));
    let (_, _, second) = page(&app, HOST, "/mobil?brand=Daihatsu&sort=price_asc&page=2").await;
    assert_eq!(second.matches("class=\"card-title\"").count(), 2);
    assert!(second.contains("Rp 113.000.000") && !second.contains("Rp 100.000.000"));
    let (_, _, beyond) = page(&app, HOST, "/mobil?brand=Daihatsu&page=9").await;
    assert!(beyond.contains("Halaman ini kosong") && beyond.contains("noindex"));
    app.stop().await;
}

#[tokio::test]
async fn drafts_and_hidden_cars_do_not_exist_and_sold_cars_suggest_others() {
    let Site { app, token, .. } = setup().await;
    let avanza_as = |status, model| with_fields(avanza(), json!({ "status": status, "model": model }));
    let draft = create_car(&app, HOST, &token, &avanza_as("draft", "Veloz")).await;
    let hidden = create_car(&app, HOST, &token, &avanza_as("hidden", "Calya")).await;
    let sold = create_car(&app, HOST, &token, &avanza_as("sold", "Innova")).await;
    let similar = create_car(&app, HOST, &token, &car("Suzuki", "Ertiga", 2021, 190_000_000, json!({}))).await;
    let booked =
        create_car(&app, HOST, &token, &car("Honda", "Mobilio", 2020, 170_000_000, json!({ "status": "booked" })))
            .await;

    for c in [&draft, &hidden] {
        let (status, headers, html) = page(&app, HOST, &format!("/mobil/{}", c["slug"].as_str().unwrap())).await;
        assert_eq!(status, 404);
        assert!(headers["content-type"].to_str().unwrap().starts_with("text/html"));
        assert!(
            html.contains("Halaman tidak ditemukan") && html.contains("href=\"/mobil\""),
            "site 404 with navigation"
        );
        assert!(html.contains("noindex"));
        let resp = app
            .get(HOST, &format!("/mobil/{}/kredit", c["slug"].as_str().unwrap()))
            .header("HX-Request", "true")
            .fetch()
            .await;
        assert_eq!(resp.status(), 404);
    }
    let (status, _, html) = page(&app, HOST, &format!("/mobil/{}", sold["slug"].as_str().unwrap())).await;
    assert_eq!(status, 200);
    assert!(html.contains("Mobil ini sudah terjual") && html.contains("Mobil serupa yang masih tersedia"));
    assert!(html.contains(similar["title"].as_str().unwrap_or("Suzuki Ertiga 2021")), "a similar car is suggested");
    assert!(html.contains("<title>Toyota Innova 1.5 G 2021 - Terjual | Sinar Jaya</title>"));
    assert!(!html.contains("id=\"kredit\""), "no credit widget for a sold car");
    let ld = json_ld(&html);
    let car_ld = ld.iter().find(|v| v["@type"] == "Car").unwrap();
    assert_eq!(car_ld["offers"]["availability"], "https://schema.org/SoldOut");
    let (_, _, html) = page(&app, HOST, &format!("/mobil/{}", booked["slug"].as_str().unwrap())).await;
    assert!(html.contains("Sudah dipesan") && html.contains("https://schema.org/Reserved"));

    // The catalogue offers cars for sale only; the sitemap lists every public car.
    let (_, _, cat) = page(&app, HOST, "/mobil").await;
    assert!(cat.contains("Suzuki Ertiga") && cat.contains("Honda Mobilio"));
    for absent in ["Veloz", "Calya", "Innova"] {
        assert!(!cat.contains(absent), "catalogue shows {absent}");
    }
    let (status, headers, sitemap) = page(&app, HOST, "/sitemap.xml").await;
    assert_eq!(status, 200);
    assert!(headers["content-type"].to_str().unwrap().starts_with("application/xml"));
    for c in [&sold, &similar, &booked] {
        assert!(sitemap.contains(&format!("/mobil/{}</loc>", c["slug"].as_str().unwrap())));
    }
    for c in [&draft, &hidden] {
        assert!(!sitemap.contains(c["slug"].as_str().unwrap()), "sitemap lists a non-public car");
    }
    assert!(sitemap.contains("<lastmod>") && sitemap.contains("+00:00</lastmod>"));
    let (_, _, robots) = page(&app, HOST, "/robots.txt").await;
    assert!(robots.contains(&format!("Sitemap: http://sinar.localhost:{}/sitemap.xml", app.addr.port())));
    app.stop().await;
}

#[tokio::test]
async fn one_showroom_never_shows_another_showrooms_cars_photos_or_sitemap_entries() {
    let Site { app, token, .. } = setup().await;
    let other_token = app.add_showroom("berkah", "Berkah Mobil").await;
    let mine = create_car(&app, HOST, &token, &car("Toyota", "Avanza", 2021, 195_000_000, json!({}))).await;
    let mut theirs = car("Wuling", "Almaz", 2022, 300_000_000, json!({}));
    theirs["status"] = json!("available");
    let theirs = create_car(&app, "berkah.localhost", &other_token, &theirs).await;
    let jpeg = garasi_media::demo_car_image("ALMAZ", [10, 10, 10], 800, 500);
    let form = Form::new().part("files", Part::bytes(jpeg).file_name("b.jpg").mime_str("image/jpeg").unwrap());
    let with_photo: Value = app
        .post("berkah.localhost", &format!("/api/cars/{}/photos", theirs["id"].as_str().unwrap()))
        .bearer_auth(&other_token)
        .multipart(form)
        .fetch_json()
        .await;
    let photo_url = with_photo["photos"][0]["urls"]["card"].as_str().unwrap().to_owned();
    let photo_path = photo_url.split_once(&format!(":{}", app.addr.port())).unwrap().1.to_owned();
    let their_slug = theirs["slug"].as_str().unwrap();

    let (status, _, _) = page(&app, "berkah.localhost", &format!("/mobil/{their_slug}")).await;
    assert_eq!(status, 200, "their car is public on their own host");
    let (status, _, _) = page(&app, HOST, &format!("/mobil/{their_slug}")).await;
    assert_eq!(status, 404, "their car on my host");
    let resp = app.get(HOST, &photo_path).fetch().await;
    assert_eq!(resp.status(), 404, "their photo on my host");
    for path in ["/", "/mobil", "/sitemap.xml"] {
        let (_, _, body) = page(&app, HOST, path).await;
        assert!(!body.contains("Wuling") && !body.contains("Almaz") && !body.contains(their_slug), "{path}");
        assert!(!body.contains("berkah"), "{path} names the other host");
    }
    // Searching for their car on my host finds nothing (the search words are echoed, nothing more).
    for path in ["/mobil?brand=Wuling", "/mobil?q=almaz", "/mobil?model=Almaz"] {
        let (_, _, body) = page(&app, HOST, path).await;
        assert!(body.contains("Belum ada mobil yang cocok"), "{path}");
        assert!(
            !body.contains("Wuling Almaz 2022") && !body.contains(their_slug) && !body.contains("berkah"),
            "{path}"
        );
    }
    let (_, _, theirs_home) = page(&app, "berkah.localhost", "/").await;
    assert!(!theirs_home.contains(mine["slug"].as_str().unwrap()) && theirs_home.contains("Berkah Mobil"));
    app.stop().await;
}

#[tokio::test]
async fn user_text_is_escaped_everywhere() {
    let Site { app, token, .. } = setup().await;
    let evil = with_fields(
        avanza(),
        json!({
            "variant": "<img src=x onerror=alert(1)>",
            "description": "</script><script>alert('xss')</script> & <!-- komentar",
            "specs": { "<b>Fitur</b>": "\"><svg onload=alert(2)>" },
        }),
    );
    let created = create_car(&app, HOST, &token, &evil).await;
    let (status, _, html) = page(&app, HOST, &format!("/mobil/{}", created["slug"].as_str().unwrap())).await;
    assert_eq!(status, 200);
    assert!(!html.contains("<script>alert") && !html.contains("<img src=x") && !html.contains("<svg onload"));
    assert!(html.contains("&lt;&#x2f;script&gt;") || html.contains("&lt;/script&gt;&lt;script&gt;alert"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    let ld = json_ld(&html);
    let car = ld.iter().find(|v| v["@type"] == "Car").unwrap();
    assert!(car["description"].as_str().unwrap().starts_with("</script><script>"), "JSON-LD keeps the text, escaped");
    let (_, _, cat) = page(&app, HOST, "/mobil?q=%3Cscript%3E").await;
    assert!(!cat.contains("<script>\"") && !cat.contains("value=\"<script>"));
    app.stop().await;
}

#[tokio::test]
async fn the_credit_widget_uses_the_showrooms_rates() {
    let Site { app, token, .. } = setup().await;
    let mut c = car("Toyota", "Fortuner", 2019, 180_000_000, json!({}));
    c["credit_price"] = json!(180_000_000);
    let created = create_car(&app, HOST, &token, &c).await;
    let slug = created["slug"].as_str().unwrap();
    let terms = garasi_domain::credit::CreditTerms {
        flat_rate_bps: [500, 550, 600, 650, 700],
        admin_fee: 3_000_000,
        insurance_bps: 250,
        min_dp_percent: 20,
        first_instalment_upfront: true,
    };
    let expected =
        garasi_domain::credit::simulate(180_000_000, garasi_domain::credit::DownPayment::Percent(25.0), 3, &terms)
            .unwrap();
    assert_eq!(expected.instalment, 4_425_000);

    // htmx: the result fragment.
    let (status, _, frag) = htmx(&app, &format!("/mobil/{slug}/kredit?dp=25&dp_rp=&tenor=3")).await;
    assert_eq!(status, 200);
    assert!(!frag.contains("<html") && frag.contains("Rp 4.425.000") && frag.contains("Rp 56.925.000"), "{frag}");
    // DP as an amount.
    let (_, _, frag) = htmx(&app, &format!("/mobil/{slug}/kredit?dp=30&dp_rp=45.000.000&tenor=3")).await;
    assert!(frag.contains("Rp 4.425.000"), "amount wins over percent");
    // Refusals come back as messages.
    let (status, _, frag) = htmx(&app, &format!("/mobil/{slug}/kredit?dp_rp=1.000.000&tenor=3")).await;
    assert_eq!(status, 200);
    assert!(frag.contains("DP minimal 20% dari harga."), "{frag}");
    let (_, _, frag) = htmx(&app, &format!("/mobil/{slug}/kredit?dp=30&tenor=9")).await;
    assert!(frag.contains("Tenor harus 1 sampai 5 tahun."));
    let (_, _, frag) = htmx(&app, &format!("/mobil/{slug}/kredit?dp_rp=murah")).await;
    assert!(frag.contains("role=\"alert\""));

    // Without JavaScript: the form reloads the car page, which shows the same result.
    let resp = app.get(HOST, &format!("/mobil/{slug}/kredit?dp=25&tenor=3")).fetch().await;
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()["location"], format!("/mobil/{slug}?dp=25&tenor=3#kredit"));
    let (status, _, html) = page(&app, HOST, &format!("/mobil/{slug}?dp=25&tenor=3")).await;
    assert_eq!(status, 200);
    assert!(html.contains("action=\"/mobil/") && html.contains("Rp 4.425.000"));
    let (_, _, plain) = page(&app, HOST, &format!("/mobil/{slug}")).await;
    assert!(plain.contains("data-hx-get=\"/mobil/") && plain.contains("/kredit\""), "the widget asks htmx");
    app.stop().await;
}

#[tokio::test]
async fn public_pages_send_security_headers_etags_and_no_cookies_and_are_cached_until_stock_changes() {
    let Site { app, token, tenant } = setup().await;
    let created = create_car(&app, HOST, &token, &avanza()).await;
    let id = created["id"].as_str().unwrap().to_owned();
    for path in ["/", "/mobil", &format!("/mobil/{}", created["slug"].as_str().unwrap()), "/kontak", "/tidak-ada"] {
        let resp = app.get(HOST, path).fetch().await;
        let h = resp.headers();
        assert!(h.get("set-cookie").is_none(), "{path} sets a cookie");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"));
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert!(h.contains_key("referrer-policy"));
    }
    // A logged-in owner browsing the site gets no cookie either.
    let login = app.login(HOST, "owner@sinar.test", crate::support::STRONG_PASSWORD).await;
    let cookie = login.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let resp = app.get(HOST, "/mobil").header("cookie", &cookie).fetch().await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers().get("set-cookie").is_none());

    // ETag and 304.
    let resp = app.get(HOST, "/mobil").fetch().await;
    let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
    let resp = app.get(HOST, "/mobil").header("if-none-match", &etag).fetch().await;
    assert_eq!(resp.status(), 304);
    assert!(resp.bytes().await.unwrap().is_empty());

    // Cached: a settings change that publishes nothing is not seen yet...
    let (_, _, before) = page(&app, HOST, "/").await;
    assert!(before.contains("sejak 2009"));
    let mut tx = app.runtime_db().tenant(tenant).begin().await.unwrap();
    tx.settings().put(&json!({ "profile": { "about": "Profil baru showroom kami." } })).await.unwrap();
    tx.commit().await.unwrap();
    let (_, _, cached) = page(&app, HOST, "/").await;
    assert!(cached.contains("sejak 2009"), "served from the page cache");
    // ...until the tenant's stock changes (here through the API, which publishes the event).
    let resp = update_car(&app, HOST, &token, &id, &json!({ "price": 199_000_000 })).fetch().await;
    assert_eq!(resp.status(), 200);
    let mut fresh = String::new();
    for _ in 0..50 {
        fresh = page(&app, HOST, "/").await.2;
        if fresh.contains("Profil baru") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(fresh.contains("Profil baru") && fresh.contains("Rp 199.000.000"), "invalidated by InventoryChanged");
    let (_, _, cat) = page(&app, HOST, "/mobil").await;
    assert!(cat.contains("Rp 199.000.000"));
    let resp = app.get(HOST, "/mobil").header("if-none-match", &etag).fetch().await;
    assert_eq!(resp.status(), 200, "the old ETag no longer matches");
    app.stop().await;
}

#[tokio::test]
async fn assets_are_hashed_immutable_and_revalidate() {
    let Site { app, .. } = setup().await;
    let (_, _, html) = page(&app, HOST, "/mobil").await;
    for (prefix, mime) in [("/assets/site.", "text/css"), ("/assets/htmx.", "text/javascript")] {
        let start = html.find(prefix).unwrap_or_else(|| panic!("{prefix} linked"));
        let url = &html[start..start + html[start..].find('"').unwrap()];
        let resp = app.get(HOST, url).fetch().await;
        assert_eq!(resp.status(), 200, "{url}");
        assert!(resp.headers()["content-type"].to_str().unwrap().starts_with(mime));
        assert_eq!(resp.headers()["cache-control"], "public, max-age=31536000, immutable");
        let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
        let resp = app.get(HOST, url).header("if-none-match", &etag).fetch().await;
        assert_eq!(resp.status(), 304);
    }
    let resp = app.get(HOST, "/assets/site.0000000000.css").fetch().await;
    assert_eq!(resp.status(), 404);
    let resp = app.get(&app.admin_host(), "/assets/app.css").fetch().await;
    assert_eq!(resp.status(), 200, "the admin site keeps its stylesheet");
    let resp = app.get(HOST, "/favicon.ico").fetch().await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "image/svg+xml");
    // htmx runs under the CSP: no injected styles, no eval.
    assert!(html.contains("\"includeIndicatorStyles\":false") && html.contains("\"allowEval\":false"));
    // The API keeps answering JSON 404s on the showroom host.
    let resp = app.get(HOST, "/api/tidak-ada").fetch().await;
    assert_eq!(resp.status(), 404);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    app.stop().await;
}

#[tokio::test]
async fn contact_page_and_gzip() {
    let Site { app, .. } = setup().await;
    let (status, _, html) = page(&app, HOST, "/kontak").await;
    assert_eq!(status, 200);
    assert!(html.contains("Jl. Raya Pasar Minggu No. 88, Jakarta Selatan"));
    assert!(html.contains("https://www.google.com/maps/search/?api=1&amp;query=Jl.%20Raya%20Pasar%20Minggu"));
    assert!(html.contains("Senin–Sabtu 08.30–17.30") && html.contains("https://wa.me/6281234567890?text="));
    assert!(html.contains("tel:+62217890123"));
    let resp = app.get(HOST, "/mobil").header("accept-encoding", "br, gzip").fetch().await;
    assert_eq!(resp.status(), 200);
    assert!(matches!(resp.headers()["content-encoding"].to_str().unwrap(), "br" | "gzip"));
    app.stop().await;
}

#[tokio::test]
async fn another_instance_drops_its_cached_pages_when_stock_changes() {
    // Cross-instance events travel over Redis; without it each instance is alone.
    if crate::support::redis_url().is_none() {
        eprintln!("skipped: set GARASI_TEST_REDIS_URL for the cross-instance page cache test");
        return;
    }
    let Site { app, token, .. } = setup().await;
    let created = create_car(&app, HOST, &token, &avanza()).await;
    let (addr, sibling) = app.spawn_sibling().await;
    let sibling_page = || async {
        let resp = app.client.get(format!("http://{addr}/mobil")).header("host", HOST).fetch().await;
        resp.text().await.unwrap()
    };
    assert!(sibling_page().await.contains("Rp 195.000.000"), "cached on the sibling");
    let resp =
        update_car(&app, HOST, &token, created["id"].as_str().unwrap(), &json!({ "price": 199_000_000 })).fetch().await;
    assert_eq!(resp.status(), 200);
    let mut seen = String::new();
    for _ in 0..50 {
        seen = sibling_page().await;
        if seen.contains("Rp 199.000.000") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(seen.contains("Rp 199.000.000"), "the sibling's cache was invalidated through Redis");
    sibling.stop().await.unwrap();
    app.stop().await;
}

#[tokio::test]
async fn cached_pages_keep_every_header_and_negotiate_the_encoding() {
    let Site { app, .. } = setup().await;
    // The first request renders and stores the page; the ones below are cache hits.
    assert_eq!(app.get(HOST, "/mobil").fetch().await.status(), 200);
    let cases = [
        (Some("gzip"), Some("gzip")),
        (Some("gzip, deflate, br, zstd"), Some("br")),
        (Some("br;q=0, gzip"), Some("gzip")),
        (Some("identity"), None),
        (None, None),
    ];
    for (accept, encoding) in cases {
        let mut req = app.get(HOST, "/mobil").header("x-request-id", "uji-cache-1");
        if let Some(a) = accept {
            req = req.header("accept-encoding", a);
        }
        let resp = req.fetch().await;
        assert_eq!(resp.status(), 200, "{accept:?}");
        let h = resp.headers();
        assert_eq!(h.get("content-encoding").map(|v| v.to_str().unwrap()), encoding, "{accept:?}");
        assert!(h.get_all("vary").iter().any(|v| v == "accept-encoding"), "{accept:?}: Vary");
        assert_eq!(h["x-request-id"], "uji-cache-1", "the caller's id is echoed");
        assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["x-frame-options"], "DENY");
        assert!(h.contains_key("referrer-policy") && h.contains_key("etag"));
        assert_eq!(h["cache-control"], "no-cache");
        assert!(h.get("set-cookie").is_none());
        let body = resp.bytes().await.unwrap();
        match encoding {
            Some("gzip") => assert_eq!(&body[..2], &[0x1f, 0x8b], "gzip bytes"),
            Some(_) => assert!(!body.is_empty()),
            None => assert!(String::from_utf8_lossy(&body).contains("</html>"), "the whole page, unpacked"),
        }
    }
    // A hit without an id of the caller's gets a new one each time.
    let id = |r: reqwest::Response| r.headers()["x-request-id"].to_str().unwrap().to_owned();
    let (a, b) = (id(app.get(HOST, "/mobil").fetch().await), id(app.get(HOST, "/mobil").fetch().await));
    assert_ne!(a, b);
    assert_eq!(uuid::Uuid::parse_str(&a).unwrap().get_version_num(), 7);
    // A signed-in request is never answered from the cache (it renders, and still gets no cookie).
    let resp = app.get(HOST, "/mobil").header("cookie", "garasi_session=tidak-ada").fetch().await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers().get("set-cookie").is_none());
    app.stop().await;
}
