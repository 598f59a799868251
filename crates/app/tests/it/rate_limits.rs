//! Per-address rate limits (issue #14, point 8): each class (pages, API, webhooks,
//! uploads) answers 429 with `Retry-After` past its own limit, in the caller's language
//! and with the security headers; another address is unaffected; assets and probes are
//! never limited; `X-Forwarded-For` counts only from a trusted proxy.

use garasi_web::RateLimits;
use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::support::{Fetch, TestApp};

const LIMIT: u32 = 4;

/// Every class at [`LIMIT`] per minute; the set-up (root and owner logins, the showroom)
/// runs from 127.0.0.1 and stays under it, the tests speak as other addresses.
fn limits() -> RateLimits {
    RateLimits { pages: LIMIT, api: LIMIT, webhooks: LIMIT, uploads: LIMIT, ..RateLimits::default() }
}

fn as_client(req: reqwest::RequestBuilder, ip: &str) -> reqwest::RequestBuilder {
    req.header("x-forwarded-for", ip)
}

/// Sends `make()` [`LIMIT`] times (none refused), then once more: the 429, checked.
async fn exhaust(what: &str, make: impl Fn() -> reqwest::RequestBuilder) -> reqwest::Response {
    for i in 0..LIMIT {
        let resp = make().fetch().await;
        assert_ne!(resp.status(), 429, "{what}: request {i} refused too early");
    }
    let resp = make().fetch().await;
    assert_eq!(resp.status(), 429, "{what}");
    let retry: u64 = resp.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{what}: Retry-After {retry}");
    for name in ["content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy"] {
        assert!(resp.headers().contains_key(name), "{what}: 429 lacks {name}");
    }
    resp
}

fn upload(app: &TestApp, host: &str, ip: &str) -> reqwest::RequestBuilder {
    let jpeg = garasi_media::demo_car_image("X", [1, 2, 3], 64, 48);
    let form = Form::new().part("files", Part::bytes(jpeg).file_name("a.jpg").mime_str("image/jpeg").unwrap());
    let car = uuid::Uuid::now_v7();
    as_client(app.post(host, &format!("/api/cars/{car}/photos")), ip).multipart(form)
}

#[tokio::test]
async fn every_class_has_its_own_limit_per_client_address() {
    let app = TestApp::spawn_with(|s| {
        s.web.rate_limits = limits();
        s.web.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let token = app.add_showroom("sinar", "Sinar Jaya").await;
    let host = TestApp::tenant_host("sinar");

    // Public pages: an Indonesian HTML page.
    let page = exhaust("pages", || as_client(app.get(&host, "/"), "203.0.113.10")).await;
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(page.text().await.unwrap().contains("Terlalu banyak permintaan"));
    // The same address still gets assets, photos' 404s and the probes; another address the pages.
    for path in ["/favicon.ico", "/healthz"] {
        let resp = as_client(app.get(&host, path), "203.0.113.10").fetch().await;
        assert_eq!(resp.status(), 200, "{path} is never limited");
    }
    let resp =
        as_client(app.get(&host, &format!("/media/cars/{0}/{0}/card.webp", uuid::Uuid::now_v7())), "203.0.113.10")
            .fetch()
            .await;
    assert_eq!(resp.status(), 404, "photos are not limited");
    assert_eq!(as_client(app.get(&host, "/"), "203.0.113.11").fetch().await.status(), 200);
    // Its own API budget is untouched by the pages it spent.
    let me = as_client(app.get(&host, "/api/auth/me"), "203.0.113.10").bearer_auth(&token).fetch().await;
    assert_eq!(me.status(), 200);

    // The API: the JSON error shape.
    let api = exhaust("api", || as_client(app.get(&host, "/api/cars"), "203.0.113.20").bearer_auth(&token)).await;
    let body: Value = api.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited", "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("Coba lagi"), "{body}");
    let other = as_client(app.get(&host, "/api/cars"), "203.0.113.21").bearer_auth(&token).fetch().await;
    assert_eq!(other.status(), 200, "another address is unaffected");

    // Webhooks: per sender address, so one sender can't starve another.
    let hook = || as_client(app.post(&host, "/webhooks/whatsapp"), "198.51.100.1").body("{}");
    exhaust("webhooks", hook).await;
    let other = as_client(app.post(&host, "/webhooks/whatsapp"), "198.51.100.2").body("{}").fetch().await;
    assert_ne!(other.status(), 429);

    // Uploads: their own class, apart from the API.
    exhaust("uploads", || upload(&app, &host, "203.0.113.30").bearer_auth(&token)).await;
    let api = as_client(app.get(&host, "/api/cars"), "203.0.113.30").bearer_auth(&token).fetch().await;
    assert_eq!(api.status(), 200, "the API budget is apart from uploads");
    assert_ne!(upload(&app, &host, "203.0.113.31").bearer_auth(&token).fetch().await.status(), 429);

    // IPv6 clients count by their /64.
    exhaust("ipv6 pages", || as_client(app.get(&host, "/"), "2001:db8:7:7::1")).await;
    assert_eq!(as_client(app.get(&host, "/"), "2001:db8:7:7::ffff").fetch().await.status(), 429);
    app.stop().await;
}

#[tokio::test]
async fn forwarded_addresses_count_only_from_a_trusted_proxy() {
    // No trusted proxies: every request is the TCP peer's, whatever it claims.
    let app =
        TestApp::spawn_with(|s| s.web.rate_limits = RateLimits { pages: LIMIT, api: 0, ..RateLimits::default() }).await;
    app.add_showroom("sinar", "Sinar Jaya").await;
    let host = TestApp::tenant_host("sinar");
    exhaust("pages", || as_client(app.get(&host, "/"), "203.0.113.50")).await;
    let forged = as_client(app.get(&host, "/"), "203.0.113.51").fetch().await;
    assert_eq!(forged.status(), 429, "a forged X-Forwarded-For does not escape the limit");
    // A class set to 0 is off.
    for _ in 0..(LIMIT * 2) {
        assert_ne!(app.get(&host, "/api/cars").fetch().await.status(), 429);
    }
    app.stop().await;
}
