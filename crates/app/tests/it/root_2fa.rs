//! The root second factor (issue #14, point 4): enrolment on `/keamanan`, the two-step
//! login (form and API), replayed and wrong codes, recovery codes that work once, the
//! throttle on code guesses, turning it off, `garasi root create --reset-2fa`, the 12 h
//! cap on root sessions, and the audit entries of each.

use garasi_service::totp;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::{Value, json};

use crate::admin::{FormBody, cookie, location, page};
use crate::admin_root::root_session;
use crate::support::{Fetch, STRONG_PASSWORD, TestApp};

const ROOT: &str = "root@garasi.test";

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A 6-digit string that is not the code of any step around now.
fn wrong_code(secret: &[u8]) -> String {
    let step = totp::step_at(now());
    (0..1000)
        .map(|n| format!("{:06}", 123_456 + n))
        .find(|c| (step - 2..=step + 2).all(|s| totp::code_at_step(secret, s) != *c))
        .unwrap()
}

fn between<'a>(html: &'a str, start: &str, end: &str) -> Vec<&'a str> {
    html.split(start).skip(1).filter_map(|rest| rest.split(end).next()).collect()
}

async fn form_post(app: &TestApp, token: &str, path: &str, pairs: &[(&str, &str)]) -> reqwest::Response {
    app.post(&app.admin_host(), path)
        .header(COOKIE, cookie(token))
        .header("sec-fetch-site", "same-origin")
        .form_pairs(pairs)
        .fetch()
        .await
}

async fn actions(app: &TestApp) -> Vec<String> {
    let log = app.runtime_db().platform().audit_log(None, 200, 0).await.unwrap();
    log.into_iter().map(|r| r.action).collect()
}

/// Enrols the root user through the security page; answers (session, secret, recovery codes).
async fn enrol(app: &TestApp) -> (String, Vec<u8>, Vec<String>) {
    let session = root_session(app).await;
    let admin = app.admin_host();
    let (status, html) = page(app, &admin, &session, "/keamanan").await;
    assert_eq!(status, 200);
    assert!(html.contains("Belum aktif"), "{html}");
    let resp = form_post(app, &session, "/keamanan/mulai", &[]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(app, &admin, &session, "/keamanan").await;
    assert!(html.contains("<svg"), "the secret is shown as a QR code");
    let secret_text = between(&html, "id=\"totp-secret\">", "<")[0];
    let secret = totp::parse_secret_text(secret_text).expect("the secret is base32");
    assert_eq!(secret.len(), 20);

    let bad = form_post(app, &session, "/keamanan/aktifkan", &[("code", &wrong_code(&secret))]).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.unwrap().contains("Kode salah"));
    let code = totp::code_at_step(&secret, totp::step_at(now()));
    let ok = form_post(app, &session, "/keamanan/aktifkan", &[("code", &code)]).await;
    assert_eq!(ok.status(), StatusCode::OK);
    let html = ok.text().await.unwrap();
    let codes: Vec<String> = between(&html, "<li><code>", "</code>").into_iter().map(str::to_owned).collect();
    assert_eq!(codes.len(), 10, "{html}");
    // Shown once: the page does not list them again.
    let (_, again) = page(app, &admin, &session, "/keamanan").await;
    assert!(again.contains("Aktif") && !again.contains(&codes[0]) && again.contains("<strong>10</strong>"));
    // Stored only as hashes, the secret only sealed.
    let owner = app.db.owner_db().await;
    let stored: Vec<String> = garasi_store::with_db!(&owner, |p| sqlx::query_scalar(
        "SELECT code_hash FROM platform_recovery_codes UNION ALL SELECT secret_sealed FROM platform_user_totp"
    )
    .fetch_all(p)
    .await)
    .unwrap();
    assert_eq!(stored.len(), 11);
    assert!(stored.iter().all(|s| !codes.iter().any(|c| s.contains(&c[..5])) && !s.contains(secret_text)));
    owner.close().await;
    (session, secret, codes)
}

async fn api_password_step(app: &TestApp, password: &str) -> reqwest::Response {
    app.login(&app.admin_host(), ROOT, password).await
}

async fn api_code_step(app: &TestApp, token: &str, code: &str) -> reqwest::Response {
    app.post(&app.admin_host(), "/api/auth/login/second-factor")
        .json(&json!({ "token": token, "code": code }))
        .fetch()
        .await
}

async fn pending_token(app: &TestApp) -> String {
    let resp = api_password_step(app, STRONG_PASSWORD).await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED, "the password alone makes no session");
    assert!(resp.headers().get(SET_COOKIE).is_none());
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["second_factor"], "totp");
    assert_eq!(body["expires_in"], 300);
    body["token"].as_str().unwrap().to_owned()
}

fn max_age(resp: &reqwest::Response) -> u64 {
    let set = resp.headers()[SET_COOKIE].to_str().unwrap();
    set.split(';').find_map(|p| p.trim().strip_prefix("Max-Age=")).unwrap().parse().unwrap()
}

#[tokio::test]
async fn root_login_needs_the_second_factor_once_enrolled() {
    let app = TestApp::spawn().await;
    let (_, secret, codes) = enrol(&app).await;
    assert!(actions(&app).await.contains(&"root.2fa_enabled".to_owned()));
    let sessions_before = count_root_sessions(&app).await;

    // Password step: a pending token, no session.
    let token = pending_token(&app).await;
    assert_eq!(count_root_sessions(&app).await, sessions_before);
    // A wrong code and a forged token are refused.
    assert_eq!(api_code_step(&app, &token, &wrong_code(&secret)).await.status(), StatusCode::UNAUTHORIZED);
    let next = totp::code_at_step(&secret, totp::step_at(now()) + 1);
    assert_eq!(api_code_step(&app, "forged", &next).await.status(), StatusCode::UNAUTHORIZED);
    // The right code signs in (the next step: the enrolment spent the current one).
    let resp = api_code_step(&app, &token, &next).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(max_age(&resp) <= 12 * 3600);
    let session: Value = resp.json().await.unwrap();
    let me = app.get(&app.admin_host(), "/api/auth/me").bearer_auth(session["token"].as_str().unwrap());
    assert_eq!(me.fetch_json::<Value>().await["user"]["role"], "root");
    // The pending token is spent, and the same code does not work twice.
    assert_eq!(api_code_step(&app, &token, &next).await.status(), StatusCode::UNAUTHORIZED);
    let token = pending_token(&app).await;
    assert_eq!(api_code_step(&app, &token, &next).await.status(), StatusCode::UNAUTHORIZED, "replay");

    // A recovery code works once (typed in lower case, without the dash).
    let typed = codes[3].replace('-', "").to_lowercase();
    assert_eq!(api_code_step(&app, &token, &typed).await.status(), StatusCode::OK);
    let token = pending_token(&app).await;
    assert_eq!(api_code_step(&app, &token, &codes[3]).await.status(), StatusCode::UNAUTHORIZED);
    assert!(actions(&app).await.contains(&"root.2fa_recovery_used".to_owned()));

    // The login form asks for the code on a page of its own, then signs in.
    let admin = app.admin_host();
    let resp = app
        .post(&admin, "/login")
        .header("sec-fetch-site", "same-origin")
        .form_pairs(&[("email", ROOT), ("password", STRONG_PASSWORD), ("next", "/tenants")])
        .fetch()
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers().get(SET_COOKIE).is_none());
    let html = resp.text().await.unwrap();
    assert!(html.contains("Verifikasi dua langkah") && html.contains("/login/kode"));
    let form_token = between(&html, "name=\"token\" value=\"", "\"")[0].to_owned();
    let code_form = |code: String| {
        let token = form_token.clone();
        let app = &app;
        async move {
            app.post(&app.admin_host(), "/login/kode")
                .header("sec-fetch-site", "same-origin")
                .form_pairs(&[("token", &token), ("code", &code), ("next", "/tenants")])
                .fetch()
                .await
        }
    };
    let wrong = code_form(wrong_code(&secret)).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.text().await.unwrap().contains("Kode salah"));
    let ok = code_form(codes[5].clone()).await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&ok), "/tenants?notice=login");
    assert!(max_age(&ok) <= 12 * 3600);

    // Guesses are throttled per user like passwords (5 per window here).
    let token = pending_token(&app).await;
    let mut statuses = Vec::new();
    for _ in 0..7 {
        statuses.push(api_code_step(&app, &token, &wrong_code(&secret)).await.status());
    }
    assert_eq!(statuses[..5], [StatusCode::UNAUTHORIZED; 5]);
    assert_eq!(statuses[5..], [StatusCode::TOO_MANY_REQUESTS; 2]);
    let login_audits = app.runtime_db().platform().audit_log(None, 200, 0).await.unwrap();
    assert!(login_audits.iter().any(|r| r.action == "auth.login" && r.details.0["second_factor"] == "recovery_code"));
    assert!(login_audits.iter().any(|r| r.action == "auth.login" && r.details.0["second_factor"] == "totp"));
}

async fn count_root_sessions(app: &TestApp) -> i64 {
    let owner = app.db.owner_db().await;
    let n: i64 = garasi_store::with_db!(&owner, |p| sqlx::query_scalar("SELECT count(*) FROM platform_sessions")
        .fetch_one(p)
        .await)
    .unwrap();
    owner.close().await;
    n
}

#[tokio::test]
async fn turning_the_factor_off_needs_a_code() {
    let app = TestApp::spawn().await;
    let (session, secret, codes) = enrol(&app).await;
    let bad = form_post(&app, &session, "/keamanan/nonaktifkan", &[("code", &wrong_code(&secret))]).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let ok = form_post(&app, &session, "/keamanan/nonaktifkan", &[("code", &codes[0])]).await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&ok), "/keamanan?notice=2fa-off");
    assert!(actions(&app).await.contains(&"root.2fa_disabled".to_owned()));
    // The password alone signs in again.
    assert_eq!(api_password_step(&app, STRONG_PASSWORD).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn root_create_resets_the_password_ends_sessions_and_removes_the_factor() {
    let app = TestApp::spawn().await;
    let (session, _, _) = enrol(&app).await;
    let cli = |extra: &[&str], password: &str| {
        let mut cmd = crate::cli::garasi(&app.db);
        cmd.args(["root", "create", "--email", ROOT]).args(extra).env("GARASI_ROOT_PASSWORD", password);
        cmd.output().unwrap()
    };
    // Without --reset-2fa: a new password, every session ended, the factor stays.
    let out = cli(&[], "Sandi-Baru-Root-2026");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("session(s) ended"));
    let (status, _) = page(&app, &app.admin_host(), &session, "/keamanan").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the old session is gone");
    assert_eq!(api_password_step(&app, STRONG_PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(api_password_step(&app, "Sandi-Baru-Root-2026").await.status(), StatusCode::ACCEPTED);

    // With --reset-2fa: the factor and its codes are gone; the password alone signs in.
    let out = cli(&["--reset-2fa"], "Sandi-Ketiga-Root-2026");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("second factor and recovery codes removed"));
    assert_eq!(api_password_step(&app, "Sandi-Ketiga-Root-2026").await.status(), StatusCode::OK);
    let owner = app.db.owner_db().await;
    let left: i64 = garasi_store::with_db!(&owner, |p| sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM platform_recovery_codes) + (SELECT count(*) FROM platform_user_totp)"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    owner.close().await;
    assert_eq!(left, 0);
    let all = actions(&app).await;
    assert_eq!(all.iter().filter(|a| *a == "root.password_reset").count(), 2, "{all:?}");
    assert!(all.contains(&"root.2fa_reset".to_owned()));
}

#[tokio::test]
async fn root_sessions_last_at_most_twelve_hours() {
    // The default session lifetime is 168 h; showroom sessions keep it, root ones don't.
    let app = TestApp::spawn().await;
    let root = app.root_token().await;
    app.create_tenant(&root, "sinar", "Sinar").await;
    let resp = app.login(&app.admin_host(), ROOT, STRONG_PASSWORD).await;
    assert_eq!(max_age(&resp), 12 * 3600);
    let owner = app.login(&TestApp::tenant_host("sinar"), "owner@sinar.test", STRONG_PASSWORD).await;
    assert_eq!(max_age(&owner), 168 * 3600);
    let db = app.db.owner_db().await;
    let longest: chrono::DateTime<chrono::Utc> =
        garasi_store::with_db!(&db, |p| sqlx::query_scalar("SELECT max(expires_at) FROM platform_sessions")
            .fetch_one(p)
            .await)
        .unwrap();
    db.close().await;
    let left = longest - chrono::Utc::now();
    assert!(left <= chrono::Duration::hours(12) && left > chrono::Duration::hours(11), "{left}");
}
