//! "Lupa password?" (issue #14, point 3): the link by e-mail through a local SMTP sink,
//! by WhatsApp through the fake Cloud API, made by the owner (page and API) or by root
//! for an owner; single use, 30 minutes, the same answer for unknown e-mails, request
//! limits, old sessions ended, and the audit entries of each step.

use garasi_domain::{Email, Role, TenantId};
use garasi_store::tenant::NewUser;
use reqwest::StatusCode;
use reqwest::header::COOKIE;
use serde_json::Value;

use crate::admin::{FormBody, cookie};
use crate::admin_root::root_session;
use crate::sales::add_sales;
use crate::smtp_sink::SmtpSink;
use crate::support::{Fetch, STRONG_PASSWORD, TestApp, exec_sql};
use crate::whatsapp::Wa;

const NEW_PASSWORD: &str = "Sandi-Baru-Sekali-2026";

fn host(slug: &str) -> String {
    TestApp::tenant_host(slug)
}

/// The reset link in a text, from `http` to the end of its token.
fn link_in(text: &str) -> String {
    let start = text.find("http://").expect("a link");
    let rest = &text[start..];
    let path = rest.find("/admin/reset-password/").expect("a reset link") + "/admin/reset-password/".len();
    let token_len = rest[path..].chars().take_while(char::is_ascii_hexdigit).count();
    rest[..path + token_len].to_owned()
}

/// The path of a link on the test server (the host is sent as a header).
fn path_of(link: &str) -> String {
    let after_scheme = &link["http://".len()..];
    after_scheme[after_scheme.find('/').unwrap()..].to_owned()
}

async fn forgot(app: &TestApp, slug: &str, email: &str) -> (StatusCode, String) {
    let resp = app
        .post(&host(slug), "/admin/lupa-password")
        .header("sec-fetch-site", "same-origin")
        .form_pairs(&[("email", email)])
        .fetch()
        .await;
    let status = resp.status();
    (status, resp.text().await.unwrap())
}

async fn set_password(app: &TestApp, slug: &str, link: &str, password: &str, again: &str) -> (StatusCode, String) {
    let resp = app
        .post(&host(slug), &path_of(link))
        .header("sec-fetch-site", "same-origin")
        .form_pairs(&[("password", password), ("password_again", again)])
        .fetch()
        .await;
    let status = resp.status();
    (status, resp.text().await.unwrap())
}

async fn login_status(app: &TestApp, slug: &str, email: &str, password: &str) -> StatusCode {
    app.login(&host(slug), email, password).await.status()
}

async fn me_status(app: &TestApp, slug: &str, token: &str) -> StatusCode {
    app.get(&host(slug), "/api/auth/me").bearer_auth(token).fetch().await.status()
}

async fn tenant_actions(app: &TestApp, tenant: TenantId) -> Vec<(String, String)> {
    let log = app.runtime_db().platform().audit_log(Some(tenant), 200, 0).await.unwrap();
    log.into_iter().map(|r| (r.action, r.actor_kind)).collect()
}

fn tenant_of(created: &Value) -> TenantId {
    TenantId(created["id"].as_str().unwrap().parse().unwrap())
}

/// Uses a link end to end: the form shows, the new password is set, the link is spent.
async fn use_link(app: &TestApp, slug: &str, email: &str, link: &str) {
    let form = app.get(&host(slug), &path_of(link)).fetch().await;
    assert_eq!(form.status(), StatusCode::OK);
    assert!(form.text().await.unwrap().contains(email));
    let (status, html) = set_password(app, slug, link, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("sudah diganti"));
    assert_eq!(login_status(app, slug, email, NEW_PASSWORD).await, StatusCode::OK);
    assert_eq!(login_status(app, slug, email, STRONG_PASSWORD).await, StatusCode::UNAUTHORIZED);
    // Single use.
    assert_eq!(app.get(&host(slug), &path_of(link)).fetch().await.status(), StatusCode::GONE);
    assert_eq!(set_password(app, slug, link, "Lain-Lagi-Sandi-2026", "Lain-Lagi-Sandi-2026").await.0, StatusCode::GONE);
}

#[tokio::test]
async fn a_reset_by_email_sets_a_new_password_once_and_ends_old_sessions() {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let app = TestApp::spawn_with(|s| s.mail.smtp_url = Some(url)).await;
    let root = app.root_token().await;
    let tenant = tenant_of(&app.create_tenant(&root, "sinar", "Sinar Jaya").await);
    let old_session = app.owner_token("sinar").await;
    // Raw rows go through the owner's connection: the runtime role sees no tenant rows outside a scope.
    let raw = app.db.owner_db().await;
    exec_sql!(&raw, "UPDATE users SET must_change_password = $1 WHERE tenant_id = $2", true, tenant.0);

    // The login page links to the form.
    let login = app.get(&host("sinar"), "/admin/login").fetch_text().await;
    assert!(login.contains("href=\"&#x2f;admin&#x2f;lupa-password\"") || login.contains("/admin/lupa-password"));

    // An unknown e-mail and a known one get the same answer; only the known one gets mail.
    let (unknown_status, unknown_html) = forgot(&app, "sinar", "siapa@sinar.test").await;
    let (known_status, known_html) = forgot(&app, "sinar", "owner@sinar.test").await;
    assert_eq!((unknown_status, known_status), (StatusCode::OK, StatusCode::OK));
    assert_eq!(unknown_html.replace("siapa@sinar.test", "X"), known_html.replace("owner@sinar.test", "X"));
    assert!(known_html.contains("Tautan berlaku 30 menit"));
    let mail = sink.wait_for(1).await.remove(0);
    assert_eq!(sink.messages().len(), 1, "nothing went to the unknown e-mail");
    assert_eq!(mail.to, vec!["<owner@sinar.test>".to_owned()]);
    assert_eq!(mail.from, "<no-reply@localhost>", "GARASI_SMTP_FROM's default");
    let text = mail.text();
    assert!(text.contains("Subject: Atur ulang kata sandi Sinar Jaya"), "{text}");
    assert!(text.contains("berlaku") || text.contains("30 menit"), "{text}");
    let link = link_in(&text);
    assert!(link.starts_with(&format!("http://sinar.localhost:{}/admin/reset-password/", app.addr.port())), "{link}");

    // Passwords must match and follow the policy; the link survives both mistakes.
    let (status, html) = set_password(&app, "sinar", &link, NEW_PASSWORD, "lain").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("tidak sama"));
    let (status, _) = set_password(&app, "sinar", &link, "123", "123").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    use_link(&app, "sinar", "owner@sinar.test", &link).await;
    assert_eq!(me_status(&app, "sinar", &old_session).await, StatusCode::UNAUTHORIZED, "old sessions end");
    let must: bool = garasi_store::with_db!(&raw, |p| sqlx::query_scalar(
        "SELECT must_change_password FROM users WHERE email = 'owner@sinar.test'"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert!(!must, "must_change_password is cleared");

    // A link expires after 30 minutes (the row is moved back in time, no sleeping).
    forgot(&app, "sinar", "owner@sinar.test").await;
    let second = link_in(&sink.wait_for(2).await[1].text());
    let expired = chrono::Utc::now() - chrono::Duration::minutes(1);
    exec_sql!(
        &raw,
        "UPDATE user_tokens SET expires_at = $1 WHERE tenant_id = $2 AND used_at IS NULL",
        expired,
        tenant.0
    );
    assert_eq!(app.get(&host("sinar"), &path_of(&second)).fetch().await.status(), StatusCode::GONE);

    // Requests are limited per e-mail (3 an hour), for unknown e-mails just the same.
    assert_eq!(forgot(&app, "sinar", "owner@sinar.test").await.0, StatusCode::OK);
    assert_eq!(forgot(&app, "sinar", "owner@sinar.test").await.0, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(forgot(&app, "sinar", "siapa@sinar.test").await.0, StatusCode::OK);
    assert_eq!(forgot(&app, "sinar", "siapa@sinar.test").await.0, StatusCode::OK);
    assert_eq!(forgot(&app, "sinar", "siapa@sinar.test").await.0, StatusCode::TOO_MANY_REQUESTS);

    let actions = tenant_actions(&app, tenant).await;
    assert!(actions.contains(&("auth.reset_requested".into(), "user".into())), "{actions:?}");
    assert!(actions.contains(&("auth.password_reset".into(), "user".into())), "{actions:?}");
}

#[tokio::test]
async fn without_smtp_the_link_goes_by_whatsapp_to_the_linked_number() {
    let wa = Wa::cloud_ok().await;
    let app = &wa.app;
    let sales = add_sales(app, &wa.slug, &wa.token, "Budi", "0812-7777-8888").await;
    let sales_id: uuid::Uuid = sales["id"].as_str().unwrap().parse().unwrap();
    let owner_id: uuid::Uuid =
        app.get(&wa.host(), "/api/auth/me").bearer_auth(&wa.token).fetch_json::<Value>().await["user"]["id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();

    // Not linked yet: nothing is sent (the owner or root makes a link instead).
    assert_eq!(forgot(app, &wa.slug, "owner@sinar.test").await.0, StatusCode::OK);
    exec_sql!(
        &app.db.owner_db().await,
        "INSERT INTO user_sales_links (tenant_id, user_id, sales_id) VALUES ($1, $2, $3)",
        wa.tenant.0,
        owner_id,
        sales_id
    );
    let (status, html) = forgot(app, &wa.slug, "owner@sinar.test").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Tautan berlaku 30 menit"));
    let jobs = wa.drain_outbox().await;
    assert_eq!(jobs.len(), 1, "one message, for the linked request only");
    let sent = wa.sent("text").await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["to"], "6281277778888");
    let body = sent[0]["text"]["body"].as_str().unwrap();
    assert!(body.contains("atur ulang kata sandi"), "{body}");
    use_link(app, &wa.slug, "owner@sinar.test", &link_in(body)).await;
    assert_eq!(me_status(app, &wa.slug, &wa.token).await, StatusCode::UNAUTHORIZED);

    let actions = tenant_actions(app, wa.tenant).await;
    let requested: Vec<_> = app
        .runtime_db()
        .platform()
        .audit_log(Some(wa.tenant), 200, 0)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.action == "auth.reset_requested")
        .map(|r| r.details.0["channel"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(requested, ["whatsapp", "none"], "newest first");
    assert!(actions.iter().any(|(a, _)| a == "auth.password_reset"));
}

#[tokio::test]
async fn the_owner_makes_a_link_for_a_user_and_root_for_an_owner() {
    let app = TestApp::spawn().await;
    let root = app.root_token().await;
    let tenant = tenant_of(&app.create_tenant(&root, "sinar", "Sinar").await);
    let owner = app.owner_token("sinar").await;
    let hash = garasi_web::hash_password(STRONG_PASSWORD).await.unwrap();
    let mut tx = app.runtime_db().tenant(tenant).begin_write().await.unwrap();
    let staff = tx
        .users()
        .create(&NewUser {
            email: Email::parse("staf@sinar.test").unwrap(),
            name: "Staf".into(),
            role: Role::Staff,
            password_hash: hash,
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let staff_login: Value = app.login(&host("sinar"), "staf@sinar.test", STRONG_PASSWORD).await.json().await.unwrap();
    let staff_token = staff_login["token"].as_str().unwrap().to_owned();

    // Only the owner may make one.
    let path = format!("/api/users/{}/reset-link", staff.id);
    let refused = app.post(&host("sinar"), &path).bearer_auth(&staff_token).fetch_expect(403).await;
    assert_eq!(refused["error"]["code"], "forbidden");
    let made = app.post(&host("sinar"), &path).bearer_auth(&owner).fetch_expect(201).await;
    assert_eq!(made["email"], "staf@sinar.test");
    let link = made["url"].as_str().unwrap().to_owned();
    use_link(&app, "sinar", "staf@sinar.test", &link).await;
    assert_eq!(me_status(&app, "sinar", &staff_token).await, StatusCode::UNAUTHORIZED);
    let unknown = format!("/api/users/{}/reset-link", uuid::Uuid::now_v7());
    app.post(&host("sinar"), &unknown).bearer_auth(&owner).fetch_expect(404).await;

    // The dashboard button answers the same link as a fragment.
    let resp = app
        .post(&host("sinar"), &format!("/admin/reset-link/{}", staff.id))
        .header(COOKIE, cookie(&owner))
        .header("sec-fetch-site", "same-origin")
        .header("hx-request", "true")
        .fetch()
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let fragment = resp.text().await.unwrap();
    assert!(fragment.contains("data-reset-link") && fragment.contains("staf@sinar.test"), "{fragment}");
    // A newer link replaces the older one.
    assert_eq!(app.get(&host("sinar"), &path_of(&link)).fetch().await.status(), StatusCode::GONE);

    // Root makes one for the owner from the showroom's page.
    let session = root_session(&app).await;
    let page = app.get(&app.admin_host(), &format!("/tenants/{}", tenant.0)).header(COOKIE, cookie(&session));
    assert!(page.fetch_text().await.contains("Buat tautan atur ulang kata sandi"));
    let resp = app
        .post(&app.admin_host(), &format!("/tenants/{}/reset-link", tenant.0))
        .header(COOKIE, cookie(&session))
        .header("sec-fetch-site", "same-origin")
        .header("hx-request", "true")
        .fetch()
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let fragment = resp.text().await.unwrap();
    assert!(fragment.contains("owner@sinar.test"), "{fragment}");
    let owner_link = link_in(&fragment.replace("&#x2f;", "/").replace("&#x3a;", ":"));
    use_link(&app, "sinar", "owner@sinar.test", &owner_link).await;
    assert_eq!(me_status(&app, "sinar", &owner).await, StatusCode::UNAUTHORIZED);

    let made: Vec<(String, String)> =
        tenant_actions(&app, tenant).await.into_iter().filter(|(a, _)| a == "auth.reset_link_made").collect();
    assert_eq!(
        made,
        [
            ("auth.reset_link_made".into(), "root".into()),
            ("auth.reset_link_made".into(), "user".into()),
            ("auth.reset_link_made".into(), "user".into())
        ]
    );
}
