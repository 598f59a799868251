//! Spreadsheet import and export of stock.

use serde_json::{Value, json};

use crate::cars::{avanza, create_car};
use crate::support::{Fetch, TestApp};

#[tokio::test]
async fn export_then_import_round_trips_and_bad_rows_are_reported() {
    let (app, token) = TestApp::with_showroom("sinar", "Sinar").await;
    let host = "sinar.localhost";
    let mut car = avanza();
    car["description"] = json!("=HYPERLINK(\"http://jahat\") -mulus");
    create_car(&app, host, &token, &car).await;

    let resp = app.get(host, "/api/cars/export.csv").bearer_auth(&token).fetch().await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(resp.headers()["content-disposition"].to_str().unwrap().starts_with("attachment; filename=\"stok-sinar-"));
    let csv = resp.text().await.unwrap();
    let mut lines = csv.lines();
    let header = lines.next().unwrap().trim_start_matches('\u{feff}');
    assert!(header.starts_with("stock_no,brand,model,variant,year,price"), "{header}");
    let row = lines.next().unwrap();
    assert!(row.starts_with("1,Toyota,Avanza,1.5 G,2021,195000000"), "{row}");
    assert!(row.contains("'=HYPERLINK"), "formulas are neutralised: {row}");
    assert!(row.contains("Airbag=2"), "{row}");

    // Edit the export: change the price of car 1, add a new car, and one broken row.
    let edited = format!(
        "{}\n{}\n{}\n{}\n",
        header,
        row.replace("195000000", "189000000"),
        ",Honda,Brio,Satya,2019,145.000.000,,ya,,45000,MT,bensin,hatchback,Merah,,,,,,,,used,,,available,,",
        ",Honda,,,1800,-1,,,,,XX,air,,,,,,,,,,,,,,,",
    );
    let report = app
        .post(host, "/api/cars/import.csv?dry_run=1")
        .bearer_auth(&token)
        .header("content-type", "text/csv")
        .body(edited.clone())
        .fetch_expect(200)
        .await;
    assert_eq!((report["valid"].clone(), report["created"].clone()), (json!(2), json!(0)), "{report}");
    let list: Value = app.get(host, "/api/cars").bearer_auth(&token).fetch_json().await;
    assert_eq!(list["total"], 1, "a dry run writes nothing");

    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(edited.into_bytes()).file_name("stok.csv"));
    let report = app.post(host, "/api/cars/import.csv").bearer_auth(&token).multipart(form).fetch_expect(200).await;
    assert_eq!(report["created"], 1, "{report}");
    assert_eq!(report["updated"], 1);
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["row"], 4);
    for field in ["model", "year", "price", "transmission", "fuel", "body_type"] {
        assert!(errors[0]["fields"][field].is_string(), "{field}: {report}");
    }
    let list: Value = app.get(host, "/api/cars?sort=price_asc").bearer_auth(&token).fetch_json().await;
    assert_eq!(list["total"], 2);
    assert_eq!(list["items"][0]["model"], "Brio");
    assert_eq!(list["items"][0]["price"], 145_000_000);
    assert_eq!(list["items"][1]["price"], 189_000_000);
    assert_eq!(
        list["items"][1]["description"], "=HYPERLINK(\"http://jahat\") -mulus",
        "the quote mark is undone on import"
    );
    assert_eq!(list["items"][1]["floor_price"], 188_000_000, "untouched fields survive the round trip");
}

#[tokio::test]
async fn semicolon_files_with_indonesian_headers_import() {
    let (app, token) = TestApp::with_showroom("sinar", "Sinar").await;
    let csv = "Merek;Model;Tahun;Harga;Transmisi;Bahan Bakar;Tipe Bodi;Warna Mobil\n\
               Toyota;Rush;2020;Rp 210.000.000;matic;bensin;SUV;hitam\n";
    let resp = app
        .post("sinar.localhost", "/api/cars/import.csv")
        .bearer_auth(&token)
        .header("content-type", "text/csv")
        .body(csv)
        .fetch()
        .await;
    let report: Value = resp.json().await.unwrap();
    assert_eq!(report["created"], 1, "{report}");
    assert_eq!(report["ignored_columns"], json!(["warna mobil"]));
    // Unknown stock numbers and missing brand columns are explained.
    let resp = app
        .post("sinar.localhost", "/api/cars/import.csv")
        .bearer_auth(&token)
        .header("content-type", "text/csv")
        .body("model,tahun\nAvanza,2020\n")
        .fetch()
        .await;
    assert_eq!(resp.status(), 422);
}
