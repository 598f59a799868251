//! Tenant resolution by Host: exact lookups, normalisation, forwarded headers only
//! from trusted proxies, and no showroom content for hosts we do not serve.

use reqwest::header::HOST;
use serde_json::json;

use crate::support::{Fetch, TestApp, raw_request};

#[tokio::test]
async fn each_host_serves_its_own_showroom_and_unknown_hosts_get_404() {
    let (app, _root) = TestApp::with_tenants(&[("sinar", "Sinar Jaya Motor"), ("berkah", "Berkah Mobil")]).await;

    let a = app.get("sinar.localhost", "/").fetch().await;
    assert_eq!(a.status(), 200);
    let a = a.text().await.unwrap();
    assert!(a.contains("Sinar Jaya Motor") && !a.contains("Berkah Mobil"));

    let b = app.get("berkah.localhost:3000", "/").fetch_text().await;
    assert!(b.contains("Berkah Mobil") && !b.contains("Sinar Jaya Motor"));

    for host in ["nope.localhost", "localhost", "sinar.localhost.evil.example", "evil.example", "127.0.0.1"] {
        let resp = app.get(host, "/").fetch().await;
        assert_eq!(resp.status(), 404, "{host}");
        let body = resp.text().await.unwrap();
        assert!(body.contains("tidak ditemukan"), "{host}: Indonesian 404 page");
        assert!(!body.contains("Sinar") && !body.contains("Berkah"), "{host}: no showroom content");
    }
}

#[tokio::test]
async fn host_is_normalised_before_lookup() {
    let (app, _root) = TestApp::with_tenants(&[("sinar", "Sinar Jaya Motor")]).await;
    for host in ["SINAR.LOCALHOST", "Sinar.Localhost:3000", "sinar.localhost.", "sinar.localhost.:8080"] {
        let resp = app.get(host, "/").fetch().await;
        assert_eq!(resp.status(), 200, "{host}");
        assert!(resp.text().await.unwrap().contains("Sinar Jaya Motor"), "{host}");
    }
}

#[tokio::test]
async fn malformed_and_duplicate_hosts_are_rejected() {
    let (app, _root) = TestApp::with_tenants(&[("sinar", "Sinar Jaya Motor")]).await;
    for host in ["sinar..localhost", "user@sinar.localhost", "sinar.localhost:99999", "sin ar.localhost"] {
        let raw = format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        let resp = raw_request(app.addr, &raw).await;
        assert!(resp.starts_with("HTTP/1.1 400"), "{host}: {resp}");
        assert!(!resp.contains("Sinar Jaya"), "{host}");
    }
    let dup = "GET / HTTP/1.1\r\nHost: sinar.localhost\r\nHost: berkah.localhost\r\nConnection: close\r\n\r\n";
    assert!(raw_request(app.addr, dup).await.starts_with("HTTP/1.1 400"));
    let empty = "GET / HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n";
    assert!(raw_request(app.addr, empty).await.starts_with("HTTP/1.1 400"));
}

#[tokio::test]
async fn forwarded_host_is_ignored_from_untrusted_peers() {
    let (app, _root) = TestApp::with_tenants(&[("sinar", "Sinar Jaya Motor"), ("berkah", "Berkah Mobil")]).await;

    let spoofed = app.get("nope.localhost", "/").header("x-forwarded-host", "sinar.localhost").fetch().await;
    assert_eq!(spoofed.status(), 404);
    let spoofed = app
        .get("berkah.localhost", "/")
        .header("x-forwarded-host", "sinar.localhost")
        .header("forwarded", "host=sinar.localhost")
        .fetch_text()
        .await;
    assert!(spoofed.contains("Berkah Mobil") && !spoofed.contains("Sinar Jaya"));
}

#[tokio::test]
async fn forwarded_host_is_honoured_from_a_trusted_proxy() {
    let app = TestApp::spawn_with(|s| s.web.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await;
    let root = app.root_token().await;
    app.create_tenant(&root, "sinar", "Sinar Jaya Motor").await;
    let resp = app.get("proxy.internal", "/").header("x-forwarded-host", "sinar.localhost").fetch().await;
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("Sinar Jaya Motor"));
    let resp = app.get("proxy.internal", "/").header("forwarded", "for=1.2.3.4;host=sinar.localhost").fetch().await;
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn custom_domain_serves_the_tenant_and_canonical_urls_use_the_stored_domain() {
    let app = TestApp::spawn().await;
    let root = app.root_token().await;
    let tenant = app
        .post_tenant(&root)
        .json(&json!({
            "name": "Sinar Jaya Motor", "slug": "sinar", "owner_email": "owner@sinar.test",
            "owner_password": crate::support::STRONG_PASSWORD, "domain": "Mobil-Sinar.Example.",
        }))
        .fetch_expect(201)
        .await;
    assert_eq!(tenant["primary_domain"], "mobil-sinar.example");
    let port = app.addr.port();
    assert_eq!(tenant["url"], format!("http://mobil-sinar.example:{port}"));

    // Served on the custom domain, with canonical naming it; the subdomain's public pages
    // move there (custom-domain tests: `domains`), its dashboard stays.
    let html = app.get("mobil-sinar.example", "/").fetch_text().await;
    assert!(html.contains("Sinar Jaya Motor"));
    assert!(html.contains(&format!("http://mobil-sinar.example:{port}/")), "canonical from the stored domain");
    let resp = app.get("sinar.localhost", "/").fetch().await;
    assert_eq!(resp.status(), 301);
    assert_eq!(resp.headers()["location"], format!("http://mobil-sinar.example:{port}/").as_str());
    assert_eq!(app.get("sinar.localhost", "/admin/login").fetch().await.status(), 200);
    // The request's Host never leaks into absolute URLs.
    let html = app
        .client
        .get(app.url("/"))
        .header(HOST, "mobil-sinar.example")
        .header("x-forwarded-host", "evil.example")
        .fetch_text()
        .await;
    assert!(!html.contains("evil.example"));
}

#[tokio::test]
async fn suspended_tenants_answer_404_and_deleted_ones_410() {
    let app = TestApp::spawn().await;
    let root = app.root_token().await;
    let sinar = app.create_tenant(&root, "sinar", "Sinar Jaya Motor").await;
    let berkah = app.create_tenant(&root, "berkah", "Berkah Mobil").await;
    // Warm the host cache first: a change must invalidate it.
    assert_eq!(app.get("sinar.localhost", "/").fetch().await.status(), 200);
    assert_eq!(app.get("berkah.localhost", "/").fetch().await.status(), 200);

    app.suspend_tenant(&root, &sinar).await;
    let resp = app.get("sinar.localhost", "/").fetch().await;
    assert_eq!(resp.status(), 404);
    assert!(!resp.text().await.unwrap().contains("Sinar Jaya"));

    let id = berkah["id"].as_str().unwrap();
    let resp = app.delete(&app.admin_host(), &format!("/api/admin/tenants/{id}")).bearer_auth(&root).fetch().await;
    assert_eq!(resp.status(), 200);
    let resp = app.get("berkah.localhost", "/").fetch().await;
    assert_eq!(resp.status(), 410);
    assert!(!resp.text().await.unwrap().contains("Berkah Mobil"));
}

#[tokio::test]
async fn a_change_made_on_one_instance_reaches_the_others() {
    let app = TestApp::spawn().await;
    let root = app.root_token().await;
    let sinar = app.create_tenant(&root, "sinar", "Sinar Jaya Motor").await;
    let (sibling_addr, sibling) = app.spawn_sibling().await;
    let sibling_get = || app.client.get(format!("http://{sibling_addr}/")).header(HOST, "sinar.localhost").send();
    assert_eq!(sibling_get().await.unwrap().status(), 200, "sibling caches the tenant");

    app.suspend_tenant(&root, &sinar).await;
    if crate::support::redis_url().is_some() {
        // With Redis the invalidation is pushed: allow only for delivery latency.
        let mut status = 200;
        for _ in 0..50 {
            status = sibling_get().await.unwrap().status().as_u16();
            if status == 404 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert_eq!(status, 404, "sibling instance must forget the suspended tenant");
    }
    sibling.stop().await.unwrap();
}

#[tokio::test]
async fn health_answers_on_any_host() {
    let app = TestApp::spawn().await;
    for host in ["nope.example", "admin.localhost", "10.0.0.1:8080"] {
        let live = app.get(host, "/healthz").fetch().await;
        assert_eq!(live.status(), 200);
        let ready: serde_json::Value = app.get(host, "/readyz").fetch_json().await;
        assert_eq!(ready["database"], "ok");
    }
}
