//! One error shape per audience: JSON problems under /api, Indonesian pages elsewhere.

use serde_json::Value;

use crate::support::{Fetch, TestApp};

#[tokio::test]
async fn api_errors_are_json_and_pages_are_indonesian_html() {
    let (app, _root) = TestApp::with_tenants(&[("sinar", "Sinar")]).await;

    let resp = app.get("sinar.localhost", "/api/tidak-ada").fetch().await;
    assert_eq!(resp.status(), 404);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");

    let resp = app.get("sinar.localhost", "/tidak-ada").fetch().await;
    assert_eq!(resp.status(), 404);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = resp.text().await.unwrap();
    assert!(html.contains("<html lang=\"id\">") && html.contains("Halaman tidak ditemukan"));

    let resp = app.get("sinar.localhost", "/tidak-ada").header("hx-request", "true").fetch().await;
    assert_eq!(resp.headers()["hx-retarget"], "#toasts");
    assert!(resp.text().await.unwrap().contains("role=\"alert\""));

    let body = app.delete("sinar.localhost", "/api/auth/me").fetch_expect(405).await;
    assert_eq!(body["error"]["code"], "method_not_allowed");
}

#[tokio::test]
async fn bad_json_gets_a_clear_400() {
    let app = TestApp::spawn().await;
    let root = app.root_token().await;
    let bad = app.post_tenant(&root).header("content-type", "application/json").body("{\"name\": ");
    let body = bad.fetch_expect(400).await;
    assert_eq!(body["error"]["message"], "Format JSON tidak valid.");
    let resp = app.post_tenant(&root).body("name=x").fetch().await;
    assert_eq!(resp.status(), 400);
    let resp = app.post(&app.admin_host(), "/api/auth/login").json(&serde_json::json!({ "email": 5 })).fetch().await;
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn responses_carry_security_headers() {
    let (app, _root) = TestApp::with_tenants(&[("sinar", "Sinar")]).await;
    let resp = app.get("sinar.localhost", "/").fetch().await;
    let h = resp.headers();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin");
    assert!(h.get("set-cookie").is_none(), "public pages never set a session cookie");
}

#[tokio::test]
async fn the_openapi_document_is_served_on_every_site() {
    let (app, _root) = TestApp::with_tenants(&[("sinar", "Sinar")]).await;
    for host in ["sinar.localhost", "admin.localhost"] {
        let resp = app.get(host, "/api/openapi.json").fetch().await;
        assert_eq!(resp.status(), 200, "{host}");
        let doc: Value = resp.json().await.unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        assert!(doc["paths"]["/api/cars"]["get"].is_object());
        assert!(doc["components"]["schemas"]["Car"]["properties"]["floor_price"].is_object());
    }
}

#[tokio::test]
async fn thousands_of_filter_values_are_refused_not_a_server_error() {
    let (app, owner) = TestApp::with_showroom("sinar", "Sinar").await;
    let models: Vec<String> = (0..3000).map(|i| format!("m{i}")).collect();
    let query = format!("model={}", models.join(","));

    let api = app.get("sinar.localhost", &format!("/api/cars?{query}")).bearer_auth(&owner).fetch_expect(422).await;
    assert_eq!(api["error"]["fields"]["model"], "Paling banyak 10 model sekaligus.");

    // The public catalogue drops the filter and says why, as for any bad filter.
    let page = app.get("sinar.localhost", &format!("/mobil?{query}")).fetch().await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Paling banyak 10 model sekaligus."));

    // Repeating one model is one filter value, not thousands of parameters.
    let same = vec!["Avanza"; 3000].join(",");
    let resp = app.get("sinar.localhost", &format!("/api/cars?model={same}")).bearer_auth(&owner).fetch().await;
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn path_and_query_rejections_answer_the_json_error_shape_on_the_api() {
    let (app, _root) = TestApp::with_tenants(&[("sinar", "Sinar")]).await;
    let token = app.owner_token("sinar").await;
    // Not UTF-8 in the path, a bad UUID, a query that doesn't parse, a wrong content type.
    let cases: [(reqwest::RequestBuilder, u16); 4] = [
        (app.get("sinar.localhost", "/api/cars/%ff%fe"), 400),
        (app.get("sinar.localhost", "/api/cars/bukan-uuid"), 404),
        (app.get("sinar.localhost", "/api/cars?per_page=%ff"), 422),
        (app.post("sinar.localhost", "/api/cars").header("content-type", "text/plain").body("halo"), 400),
    ];
    for (req, status) in cases {
        let resp = req.bearer_auth(&token).send().await.unwrap();
        let url = resp.url().to_string();
        assert_eq!(resp.status().as_u16(), status, "{url}");
        assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("application/json"), "{url}");
        assert_eq!(resp.headers()["x-content-type-options"], "nosniff", "{url}");
        assert!(resp.headers().contains_key("content-security-policy"), "{url}");
        let body: Value = resp.json().await.unwrap();
        assert!(body["error"]["code"].is_string(), "{url}: {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(!message.is_empty() && !message.contains("Failed to"), "{url}: axum's English leaked: {message}");
        assert!(body["error"]["request_id"].is_string(), "{url}: {body}");
    }
    // Outside the API the same rejection is an Indonesian page.
    let resp = app.get("sinar.localhost", "/mobil/%ff%fe").fetch().await;
    assert!(resp.status().is_client_error());
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
}
