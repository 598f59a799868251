//! Logins, sessions bound to their tenant, bearer tokens per host, logout,
//! throttling and the same-origin check for cookie-authenticated writes.

use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::Value;

use crate::support::{Fetch, STRONG_PASSWORD, TestApp, without_request_id};

#[tokio::test]
async fn root_logs_in_on_the_admin_host_only() {
    let app = TestApp::spawn().await;
    app.create_root("root@garasi.test", STRONG_PASSWORD).await;
    let resp = app.login(&app.admin_host(), "root@garasi.test", STRONG_PASSWORD).await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["user"]["role"], "root");
    let token = body["token"].as_str().unwrap();
    let me: Value = app.get(&app.admin_host(), "/api/auth/me").bearer_auth(token).fetch_json().await;
    assert_eq!(me["user"]["email"], "root@garasi.test");

    // Root credentials mean nothing on a showroom host.
    let root = token.to_owned();
    app.create_tenant(&root, "sinar", "Sinar").await;
    assert_eq!(app.login("sinar.localhost", "root@garasi.test", STRONG_PASSWORD).await.status(), 401);
    let resp = app.get("sinar.localhost", "/api/auth/me").bearer_auth(&root).fetch().await;
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_401() {
    let (app, _root) = TestApp::with_tenants(&[("sinar", "Sinar")]).await;
    let wrong = app.login("sinar.localhost", "owner@sinar.test", "salah-sekali-123").await;
    assert_eq!(wrong.status(), 401);
    let wrong: Value = wrong.json().await.unwrap();
    let unknown = app.login("sinar.localhost", "siapa@sinar.test", "salah-sekali-123").await;
    assert_eq!(unknown.status(), 401);
    let unknown: Value = unknown.json().await.unwrap();
    assert_eq!(without_request_id(wrong.clone()), without_request_id(unknown));
    assert_eq!(wrong["error"]["code"], "invalid_credentials");
    assert_eq!(wrong["error"]["message"], "Email atau kata sandi salah.");
    let malformed = app.login("sinar.localhost", "bukan email", "x").await;
    assert_eq!(malformed.status(), 401);
}

#[tokio::test]
async fn owner_session_works_only_on_its_own_showroom() {
    let (app, _root) = TestApp::with_tenants(&[("sinar", "Sinar Jaya"), ("berkah", "Berkah Mobil")]).await;

    let resp = app.login("sinar.localhost", "owner@sinar.test", STRONG_PASSWORD).await;
    assert_eq!(resp.status(), 200);
    let cookie = resp.headers().get(SET_COOKIE).unwrap().to_str().unwrap().to_owned();
    assert!(cookie.starts_with("garasi_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"));
    assert!(!cookie.contains("Secure"), "plain http in tests");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["user"]["role"], "owner");
    assert_eq!(body["tenant"]["slug"], "sinar");
    let token = body["token"].as_str().unwrap();

    // The owner is refused on another showroom's host and on the admin host.
    assert_eq!(app.login("berkah.localhost", "owner@sinar.test", STRONG_PASSWORD).await.status(), 401);
    assert_eq!(app.login(&app.admin_host(), "owner@sinar.test", STRONG_PASSWORD).await.status(), 401);

    // The token works on its host, and is useless elsewhere, as bearer or as cookie.
    let me = app.get("sinar.localhost", "/api/auth/me").bearer_auth(token).fetch_expect(200).await;
    assert_eq!(me["tenant"]["slug"], "sinar");
    let cookie_pair = cookie.split(';').next().unwrap().to_owned();
    let me = app.get("sinar.localhost", "/api/auth/me").header(COOKIE, &cookie_pair).fetch().await;
    assert_eq!(me.status(), 200);
    for host in ["berkah.localhost", "admin.localhost"] {
        assert_eq!(app.get(host, "/api/auth/me").bearer_auth(token).fetch().await.status(), 401, "{host}");
        assert_eq!(app.get(host, "/api/auth/me").header(COOKIE, &cookie_pair).fetch().await.status(), 401, "{host}");
    }
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let (app, root) = TestApp::with_tenants(&[("sinar", "Sinar")]).await;
    let token = app.owner_token("sinar").await;
    let resp = app.post("sinar.localhost", "/api/auth/logout").bearer_auth(&token).fetch().await;
    assert_eq!(resp.status(), 204);
    assert!(resp.headers().get(SET_COOKIE).unwrap().to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(app.get("sinar.localhost", "/api/auth/me").bearer_auth(&token).fetch().await.status(), 401);
    // Root logout too.
    let resp = app.post(&app.admin_host(), "/api/auth/logout").bearer_auth(&root).fetch().await;
    assert_eq!(resp.status(), 204);
    assert_eq!(app.get(&app.admin_host(), "/api/auth/me").bearer_auth(&root).fetch().await.status(), 401);
    assert_eq!(app.get(&app.admin_host(), "/api/auth/me").fetch().await.status(), 401);
}

#[tokio::test]
async fn repeated_failed_logins_are_throttled() {
    let (app, _root) = TestApp::with_tenants(&[("sinar", "Sinar")]).await;
    for _ in 0..5 {
        assert_eq!(app.login("sinar.localhost", "owner@sinar.test", "tebakan-salah-1").await.status(), 401);
    }
    // Even the right password waits now: the account is under attack.
    let resp = app.login("sinar.localhost", "owner@sinar.test", STRONG_PASSWORD).await;
    assert_eq!(resp.status(), 429);
    let retry: u64 = resp.headers().get("retry-after").unwrap().to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    // Another account is not locked by it.
    app.create_root("root2@garasi.test", STRONG_PASSWORD).await;
    assert_eq!(app.login(&app.admin_host(), "root2@garasi.test", STRONG_PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn cookie_authenticated_writes_need_a_same_origin_request() {
    let (app, _root) = TestApp::with_tenants(&[("sinar", "Sinar")]).await;
    let login = app.login("sinar.localhost", "owner@sinar.test", STRONG_PASSWORD).await;
    let cookie = login.headers().get(SET_COOKIE).unwrap().to_str().unwrap().split(';').next().unwrap().to_owned();
    let logout = || app.post("sinar.localhost", "/api/auth/logout").header(COOKIE, &cookie);

    let cross = logout().header("sec-fetch-site", "cross-site").fetch().await;
    assert_eq!(cross.status(), 403);
    let same_site = logout().header("sec-fetch-site", "same-site").fetch().await;
    assert_eq!(same_site.status(), 403, "a sibling showroom subdomain is same-site, not same-origin");
    let body = logout().header("origin", "http://berkah.localhost").fetch_expect(403).await;
    assert_eq!(body["error"]["code"], "forbidden");
    let no_metadata = logout().fetch().await;
    assert_eq!(no_metadata.status(), 403, "a cookie without browser metadata is refused");
    // The session survived all of that.
    assert_eq!(app.get("sinar.localhost", "/api/auth/me").header(COOKIE, &cookie).fetch().await.status(), 200);

    let ok = logout().header("origin", "http://sinar.localhost").fetch().await;
    assert_eq!(ok.status(), 204);

    // Cross-site login attempts are refused too (login CSRF).
    let resp = app
        .post("sinar.localhost", "/api/auth/login")
        .header("sec-fetch-site", "cross-site")
        .json(&serde_json::json!({ "email": "owner@sinar.test", "password": STRONG_PASSWORD }))
        .fetch()
        .await;
    assert_eq!(resp.status(), 403);
}
