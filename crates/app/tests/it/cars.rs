//! The cars API: CRUD, validation, filters, sorting, pagination and isolation.

use serde_json::{Value, json};

use crate::support::{Fetch, TestApp};

pub fn avanza() -> Value {
    json!({
        "brand": "Toyota", "model": "Avanza", "variant": "1.5 G", "year": 2021, "price": 195_000_000,
        "credit_price": 185_000_000, "negotiable": true, "floor_price": 188_000_000, "mileage_km": 45_000,
        "transmission": "AT", "fuel": "bensin", "body_type": "MPV", "color": "Putih", "engine_cc": 1496, "seats": 7,
        "plate_number": "B 1234 XYZ", "tax_paid_until": "2026-05", "stnk": true, "bpkb": true, "first_owner": true,
        "condition": "used", "description": "Mulus, servis resmi.", "internal_notes": "Nego mentok 188",
        "status": "available", "featured": true, "specs": { "Airbag": "2", "Velg": "Alloy 15\"" },
    })
}

/// `base` with the fields of `changes` set or replaced.
pub fn with_fields(mut base: Value, changes: Value) -> Value {
    for (k, v) in changes.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

/// `PUT /api/cars/{id}` with `changes`, ready to send.
pub fn update_car(app: &TestApp, host: &str, token: &str, id: &str, changes: &Value) -> reqwest::RequestBuilder {
    app.put(host, &format!("/api/cars/{id}")).bearer_auth(token).json(changes)
}

pub async fn create_car(app: &TestApp, host: &str, token: &str, body: &Value) -> Value {
    let resp = app.post(host, "/api/cars").bearer_auth(token).json(body).fetch().await;
    let status = resp.status();
    let v: Value = resp.json().await.unwrap();
    assert_eq!(status, 201, "{v}");
    v
}

#[tokio::test]
async fn create_read_update_delete_a_car() {
    let (app, token) = TestApp::with_showroom("sinar", "Sinar").await;
    let host = "sinar.localhost";

    let car = create_car(&app, host, &token, &avanza()).await;
    let port = app.addr.port();
    assert_eq!(car["stock_no"], 1);
    assert_eq!(car["slug"], "toyota-avanza-1-5-g-2021-1");
    assert_eq!(car["url"], format!("http://sinar.localhost:{port}/mobil/toyota-avanza-1-5-g-2021-1"));
    assert_eq!(car["plate_region"], "B");
    assert_eq!(car["plate_parity"], "genap");
    assert_eq!(car["plate_number"], "B 1234 XYZ");
    assert_eq!(car["floor_price"], 188_000_000);
    assert_eq!(car["internal_notes"], "Nego mentok 188");
    assert_eq!(car["tax_paid_until"], "2026-05");
    assert_eq!(car["specs"]["Airbag"], "2");
    assert_eq!(car["photos"], json!([]));
    for key in [
        "id",
        "brand",
        "model",
        "variant",
        "year",
        "price",
        "credit_price",
        "negotiable",
        "mileage_km",
        "transmission",
        "fuel",
        "body_type",
        "color",
        "engine_cc",
        "seats",
        "stnk",
        "bpkb",
        "first_owner",
        "condition",
        "description",
        "status",
        "featured",
    ] {
        assert!(car.get(key).is_some(), "{key}");
    }
    let id = car["id"].as_str().unwrap().to_owned();
    let second = create_car(
        &app,
        host,
        &token,
        &json!({
            "brand": "Honda", "model": "Brio", "year": 2019, "price": "145.000.000", "transmission": "MT",
            "fuel": "bensin", "body_type": "hatchback",
        }),
    )
    .await;
    assert_eq!(second["stock_no"], 2);
    assert_eq!(second["status"], "draft");

    let shown: Value = app.get(host, &format!("/api/cars/{id}")).bearer_auth(&token).fetch_json().await;
    assert_eq!(shown, car);

    // A partial update keeps the rest; the slug stays stable for shared links.
    let changes = json!({ "price": 190_000_000, "status": "booked", "plate_number": "B 1235 XYZ", "slug": "ignored" });
    let updated = update_car(&app, host, &token, &id, &changes).fetch_expect(200).await;
    assert_eq!(updated["price"], 190_000_000);
    assert_eq!(updated["status"], "booked");
    assert_eq!(updated["plate_parity"], "ganjil");
    assert_eq!(updated["slug"], car["slug"]);
    assert_eq!(updated["description"], "Mulus, servis resmi.");

    let resp = app.delete(host, &format!("/api/cars/{id}")).bearer_auth(&token).fetch().await;
    assert_eq!(resp.status(), 204);
    assert_eq!(app.get(host, &format!("/api/cars/{id}")).bearer_auth(&token).fetch().await.status(), 404);
    let list: Value = app.get(host, "/api/cars").bearer_auth(&token).fetch_json().await;
    assert_eq!(list["total"], 1);
    // Stock numbers are never reused.
    let third = create_car(&app, host, &token, &avanza()).await;
    assert_eq!(third["stock_no"], 3);
}

#[tokio::test]
async fn validation_messages_are_per_field_and_indonesian() {
    let (app, token) = TestApp::with_showroom("sinar", "Sinar").await;
    let body = app
        .post("sinar.localhost", "/api/cars")
        .bearer_auth(&token)
        .json(&json!({ "brand": "Toyota", "year": 1800, "price": -5, "transmission": "otomatis-banget", "warna": "merah" }))
        .fetch_expect(422).await;
    let fields = &body["error"]["fields"];
    assert_eq!(fields["model"], "Model wajib diisi.");
    assert!(fields["year"].as_str().unwrap().starts_with("Tahun harus antara 1950"));
    assert!(fields["price"].as_str().unwrap().contains("lebih dari nol"));
    assert!(fields["transmission"].as_str().unwrap().contains("AT, MT"));
    assert_eq!(fields["warna"], "Kolom ini tidak dikenal.");
    assert!(fields["fuel"].is_string() && fields["body_type"].is_string());

    let car = create_car(&app, "sinar.localhost", &token, &crate::cars::avanza()).await;
    let resp = update_car(&app, "sinar.localhost", &token, car["id"].as_str().unwrap(), &json!({ "status": "dijual" }));
    assert_eq!(resp.fetch().await.status(), 422);
}

#[tokio::test]
async fn list_filters_sorts_and_paginates() {
    let (app, token) = TestApp::with_showroom("sinar", "Sinar").await;
    let host = "sinar.localhost";
    let cars = [
        ("Toyota", "Avanza", 2021, 195_000_000, "AT", "bensin", "MPV", "B 1234 AB", "available"),
        ("Toyota", "Fortuner", 2019, 420_000_000, "AT", "diesel", "SUV", "B 1001 CD", "available"),
        ("Honda", "HR-V", 2020, 285_000_000, "AT", "bensin", "SUV", "D 22 EF", "booked"),
        ("Honda", "Brio", 2018, 120_000_000, "MT", "bensin", "hatchback", "B 7 GH", "sold"),
        ("Mitsubishi", "Xpander", 2022, 250_000_000, "MT", "bensin", "MPV", "L 88 IJ", "draft"),
    ];
    for (brand, model, year, price, tr, fuel, body, plate, status) in cars {
        create_car(
            &app,
            host,
            &token,
            &json!({
                "brand": brand, "model": model, "year": year, "price": price, "transmission": tr, "fuel": fuel,
                "body_type": body, "plate_number": plate, "status": status,
            }),
        )
        .await;
    }
    let list = |q: &'static str| {
        let app = &app;
        let token = token.clone();
        async move {
            let resp = app.get(host, &format!("/api/cars?{q}")).bearer_auth(&token).fetch().await;
            assert_eq!(resp.status(), 200, "{q}");
            let v: Value = resp.json().await.unwrap();
            let models: Vec<String> =
                v["items"].as_array().unwrap().iter().map(|c| c["model"].as_str().unwrap().to_owned()).collect();
            (models, v["total"].as_i64().unwrap())
        }
    };
    assert_eq!(list("brand=toyota&sort=price_asc").await, (vec!["Avanza".into(), "Fortuner".into()], 2));
    assert_eq!(list("model=hrv,brio&sort=year_desc").await.0, vec!["HR-V", "Brio"]);
    assert_eq!(list("price_min=200000000&price_max=300.000.000&sort=price_asc").await.0, vec!["Xpander", "HR-V"]);
    assert_eq!(list("year_min=2020&year_max=2021&sort=year_asc").await.0, vec!["HR-V", "Avanza"]);
    assert_eq!(list("transmission=MT&sort=price_desc").await.0, vec!["Xpander", "Brio"]);
    assert_eq!(list("fuel=diesel").await.0, vec!["Fortuner"]);
    assert_eq!(list("body_type=SUV&sort=price_desc").await.0, vec!["Fortuner", "HR-V"]);
    assert_eq!(list("status=available,booked&sort=price_asc").await.0, vec!["Avanza", "HR-V", "Fortuner"]);
    assert_eq!(list("plate_parity=genap&sort=price_asc").await.0, vec!["Avanza", "Xpander", "HR-V"]);
    assert_eq!(list("q=for").await.0, vec!["Fortuner"]);
    let (page, total) = list("sort=price_asc&per_page=2&page=2").await;
    assert_eq!((page, total), (vec!["Xpander".into(), "HR-V".into()], 5));

    let body = app.get(host, "/api/cars?fuel=air&sort=acak").bearer_auth(&token).fetch_expect(422).await;
    assert!(body["error"]["fields"]["fuel"].is_string() && body["error"]["fields"]["sort"].is_string());
}

#[tokio::test]
async fn another_tenants_car_is_404_on_every_route() {
    let (app, _root) = TestApp::with_tenants(&[("sinar", "Sinar"), ("berkah", "Berkah")]).await;
    let sinar = app.owner_token("sinar").await;
    let berkah = app.owner_token("berkah").await;
    let theirs = create_car(&app, "berkah.localhost", &berkah, &avanza()).await;
    let id = theirs["id"].as_str().unwrap();
    let host = "sinar.localhost";
    let missing = "0190b7a2-0000-7000-8000-000000000000";
    for target in [id, missing, "bukan-id"] {
        let path = format!("/api/cars/{target}");
        assert_eq!(app.get(host, &path).bearer_auth(&sinar).fetch().await.status(), 404, "GET {target}");
        let put = app.put(host, &path).bearer_auth(&sinar).json(&json!({ "price": 1 })).fetch().await;
        assert_eq!(put.status(), 404, "PUT {target}");
        assert_eq!(app.delete(host, &path).bearer_auth(&sinar).fetch().await.status(), 404, "DELETE {target}");
    }
    let list: Value = app.get(host, "/api/cars").bearer_auth(&sinar).fetch_json().await;
    assert_eq!(list["total"], 0);
    // Berkah's car is untouched.
    let still: Value = app.get("berkah.localhost", &format!("/api/cars/{id}")).bearer_auth(&berkah).fetch_json().await;
    assert_eq!(still["price"], 195_000_000);
    // And the API needs a login.
    assert_eq!(app.get(host, "/api/cars").fetch().await.status(), 401);
}
