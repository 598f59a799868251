//! What a deployment relies on: `garasi healthcheck` (the image's HEALTHCHECK), the
//! internal listener's TLS `ask` for Caddy, and the refusal to serve plain http publicly.

use std::process::Command;

use serde_json::json;

use crate::support::{Fetch, STRONG_PASSWORD, TestApp};

fn healthcheck(addr: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_garasi"))
        .env_clear()
        .env("GARASI_LOG", "warn")
        .args(["healthcheck", "--addr", addr])
        .output()
        .unwrap()
}

#[tokio::test]
async fn healthcheck_passes_on_a_ready_server_and_fails_without_one() {
    let app = TestApp::spawn().await;
    let addr = app.addr.to_string();
    let ready = tokio::task::spawn_blocking(move || healthcheck(&addr)).await.unwrap();
    assert!(ready.status.success(), "{}", String::from_utf8_lossy(&ready.stderr));
    let body: serde_json::Value = serde_json::from_slice(&ready.stdout).unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "ok");

    // A port nothing listens on: bind one, note it, and close it again.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string();
    let down = tokio::task::spawn_blocking(move || healthcheck(&closed)).await.unwrap();
    assert!(!down.status.success());
    assert!(String::from_utf8_lossy(&down.stderr).contains("cannot connect"));
}

#[tokio::test]
async fn healthcheck_fails_while_the_server_drains() {
    let app = TestApp::spawn().await;
    let addr = app.addr.to_string();
    // Shutting down flips /readyz to 503 before the listener closes, so a load
    // balancer stops sending traffic first; the probe must report that as unhealthy.
    app.running.as_ref().unwrap().state.begin_shutdown();
    let draining = tokio::task::spawn_blocking(move || healthcheck(&addr)).await.unwrap();
    assert!(!draining.status.success());
    assert!(String::from_utf8_lossy(&draining.stderr).contains("503"));
}

#[tokio::test]
async fn tls_ask_allows_exactly_the_hosts_garasi_serves() {
    let app = TestApp::spawn().await;
    let root = app.root_token().await;
    let created: serde_json::Value = app
        .post_tenant(&root)
        .json(&json!({
            "name": "Sinar Jaya Motor", "slug": "sinar", "owner_email": "owner@sinar.test",
            "owner_password": STRONG_PASSWORD, "domain": "mobil-sinar.example",
        }))
        .fetch_json()
        .await;
    app.create_tenant(&root, "berkah", "Berkah Mobil").await;
    let internal = app.running.as_ref().unwrap().internal_addr;
    assert!(internal.ip().is_loopback());
    let ask = |domain: &str| {
        let url = format!("http://{internal}/tls/allowed?domain={domain}");
        let client = app.client.clone();
        async move { client.get(url).send().await.unwrap().status().as_u16() }
    };
    for allowed in
        ["sinar.localhost", "berkah.localhost", "mobil-sinar.example", "MOBIL-SINAR.example.", "admin.localhost"]
    {
        assert_eq!(ask(allowed).await, 200, "{allowed}");
    }
    for refused in
        ["evil.example", "nope.localhost", "sinar.localhost.evil.example", "localhost", "127.0.0.1", "", "a..b"]
    {
        assert_eq!(ask(refused).await, 404, "{refused:?}");
    }
    let no_param = app.client.get(format!("http://{internal}/tls/allowed")).send().await.unwrap();
    assert_eq!(no_param.status(), 404);

    // A suspended showroom gets no new certificate, on its subdomain or its own domain.
    app.suspend_tenant(&root, &created).await;
    assert_eq!(ask("mobil-sinar.example").await, 404);
    assert_eq!(ask("sinar.localhost").await, 404);
    assert_eq!(ask("berkah.localhost").await, 200);

    // The ask endpoint is not on the public port.
    let public = app.get("berkah.localhost", "/tls/allowed?domain=berkah.localhost").fetch().await;
    assert_eq!(public.status(), 404);
}

#[test]
fn serve_refuses_plain_http_on_a_public_address_unless_told() {
    let data = std::env::temp_dir().join(format!("garasi-insecure-{}", uuid::Uuid::now_v7().simple()));
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_garasi"))
            .env_clear()
            .env("GARASI_LOG", "warn")
            .env("GARASI_DATA_DIR", &data)
            .env("GARASI_BIND", "0.0.0.0:0")
            .env("GARASI_INTERNAL_BIND", "127.0.0.1:0")
            .arg("serve")
            .args(extra)
            .output()
            .unwrap()
    };
    let refused = run(&[]);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("refusing to serve plain http") && err.contains("GARASI_PUBLIC_SCHEME=https"), "{err}");
    // Nothing was created: the guard runs before the database is opened.
    assert!(!data.join("garasi.db").exists());
}

#[tokio::test]
async fn https_reported_by_a_trusted_proxy_marks_cookies_secure() {
    let login = |app: &TestApp, proto: Option<&'static str>| {
        let mut req = app
            .post("sinar.localhost", "/api/auth/login")
            .json(&json!({ "email": "owner@sinar.test", "password": STRONG_PASSWORD }));
        if let Some(p) = proto {
            req = req.header("x-forwarded-proto", p);
        }
        req.fetch()
    };
    let cookie = |resp: &reqwest::Response| {
        resp.headers().get("set-cookie").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
    };

    // Behind a trusted proxy (Caddy on loopback) on an http-configured deployment.
    let app = TestApp::spawn_with(|s| s.web.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await;
    let root = app.root_token().await;
    app.create_tenant(&root, "sinar", "Sinar Jaya Motor").await;
    let over_https = login(&app, Some("https")).await;
    assert_eq!(over_https.status(), 200);
    assert!(cookie(&over_https).ends_with("; Secure"), "{}", cookie(&over_https));
    assert_eq!(over_https.headers()["strict-transport-security"], "max-age=31536000");
    let over_http = login(&app, Some("http")).await;
    assert!(!cookie(&over_http).contains("Secure"), "{}", cookie(&over_http));
    assert!(over_http.headers().get("strict-transport-security").is_none());

    // A peer that is not a trusted proxy cannot claim https.
    let direct = TestApp::spawn().await;
    let root = direct.root_token().await;
    direct.create_tenant(&root, "sinar", "Sinar Jaya Motor").await;
    let claimed = login(&direct, Some("https")).await;
    assert_eq!(claimed.status(), 200);
    assert!(!cookie(&claimed).contains("Secure"), "{}", cookie(&claimed));
    assert!(claimed.headers().get("strict-transport-security").is_none());
}

#[cfg(unix)]
#[tokio::test]
async fn a_start_makes_the_data_dir_and_its_secrets_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let db = crate::support::TestDatabase::create(true).await;
    let dir = db.data_dir.clone();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("demo-logins.txt"), "owner: rahasia\n").unwrap();
    for p in [dir.join("demo-logins.txt"), dir.clone()] {
        let loose = if p.is_dir() { 0o755 } else { 0o644 };
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(loose)).unwrap();
    }
    let settings = crate::support::test_settings(&db);
    let app = TestApp::spawn_on(db, settings).await;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("demo-logins.txt")), 0o600);
    if !app.db.is_postgres() {
        assert_eq!(mode(&dir.join("garasi.db")), 0o600);
    }
    app.stop().await;
}
