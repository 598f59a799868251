//! LLM spending (issue #14, point 13): the platform's ceiling on a showroom's daily
//! token budget, root's override per showroom (API and root page, audited), the owner's
//! form refusing more than the ceiling, the engine applying min(budget, ceiling) even to
//! budgets stored before, and the bot simulator's per-user limit.

use std::time::Duration;

use garasi_bot::LlmConfig;
use garasi_web::RateLimits;
use reqwest::header::COOKIE;
use serde_json::{Value, json};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer};

use crate::admin::{cookie, hx_post};
use crate::bot::{CUSTOMER, Showroom};
use crate::bot_llm::{UNCLEAR, answer};
use crate::support::{Fetch, TestApp};

async fn showroom(llm: Option<&MockServer>, tweak: impl FnOnce(&mut garasi_app::Settings)) -> Showroom {
    let base_url = llm.map(|s| format!("{}/v1", s.uri()));
    let app = TestApp::spawn_with(|s| {
        s.llm_token_ceiling = 50_000;
        s.bot.llm = base_url.map(|base_url| LlmConfig {
            base_url,
            api_key: Some("test-key".into()),
            model: "fake-model".into(),
            timeout: Duration::from_secs(5),
            max_tokens: 300,
        });
        tweak(s);
    })
    .await;
    Showroom::on(app, "sinar").await
}

fn ceiling_path(s: &Showroom) -> String {
    format!("/api/admin/tenants/{}/llm-ceiling", s.tenant.0)
}

async fn put_ceiling(s: &Showroom, root: &str, body: Value) -> reqwest::Response {
    s.app.put(&s.app.admin_host(), &ceiling_path(s)).bearer_auth(root).json(&body).fetch().await
}

/// Stores an owner budget straight in the settings, as one saved before the ceiling existed.
async fn store_budget(s: &Showroom, tokens: i64) {
    let mut tx = s.app.runtime_db().tenant(s.tenant).begin_write().await.unwrap();
    let mut raw = tx.settings().get().await.unwrap();
    raw["bot"]["llm_daily_token_budget"] = json!(tokens);
    tx.settings().put(&raw).await.unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn root_sets_the_ceiling_with_an_audit_entry_and_the_owner_cannot_exceed_it() {
    let s = showroom(None, |_| {}).await;
    let root = s.app.root_token().await;
    let view = s.app.get(&s.app.admin_host(), &ceiling_path(&s)).bearer_auth(&root).fetch_expect(200).await;
    assert_eq!(view["platform_ceiling"], 50_000);
    assert_eq!(view["effective_ceiling"], 50_000);
    assert_eq!(view["llm_token_ceiling"], Value::Null);
    // Only root, only sane values.
    let resp = s
        .app
        .put(&s.host(), &ceiling_path(&s))
        .bearer_auth(&s.token)
        .json(&json!({"llm_token_ceiling": 1}))
        .fetch()
        .await;
    assert!(resp.status() == 404 || resp.status() == 401 || resp.status() == 403, "{}", resp.status());
    let bad = put_ceiling(&s, &root, json!({"llm_token_ceiling": -5})).await;
    assert_eq!(bad.status(), 422);
    let body: Value = bad.json().await.unwrap();
    assert!(body["error"]["fields"]["llm_token_ceiling"].as_str().unwrap().contains("antara 0"), "{body}");

    let view = put_ceiling(&s, &root, json!({"llm_token_ceiling": 1_000})).await;
    assert_eq!(view.status(), 200);
    let view: Value = view.json().await.unwrap();
    assert_eq!((view["llm_token_ceiling"].as_i64(), view["effective_ceiling"].as_i64()), (Some(1_000), Some(1_000)));
    let log = s.app.runtime_db().platform().audit_log(Some(s.tenant), 50, 0).await.unwrap();
    let entry = log.iter().find(|a| a.action == "tenant.llm_ceiling").expect("an audit entry");
    assert_eq!(entry.actor_kind, "root");
    assert_eq!(entry.details.0["llm_token_ceiling"], 1_000);

    // The owner's form: above the ceiling is refused with an Indonesian message on the field.
    let form = |budget: &'static str| {
        vec![
            ("name", "Sinar Jaya"),
            ("rate_1", "5,5"),
            ("rate_2", "6"),
            ("rate_3", "6,5"),
            ("rate_4", "7"),
            ("rate_5", "7,5"),
            ("admin_fee", ""),
            ("insurance", "2,5"),
            ("min_dp_percent", "20"),
            ("persona_name", "Sinta"),
            ("llm_enabled", "1"),
            ("llm_daily_token_budget", budget),
            ("handoff_pause_minutes", "60"),
        ]
    };
    let resp = hx_post(&s.app, &s.host(), &s.token, "/admin/settings", &form("5000")).await;
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.unwrap();
    assert!(html.contains("maksimal 1.000") && html.contains("id=\"err-llm_daily_token_budget\""), "{html}");
    let resp = hx_post(&s.app, &s.host(), &s.token, "/admin/settings", &form("900")).await;
    assert_eq!(resp.headers()["hx-redirect"], "/admin/settings?notice=settings_saved");

    // Root's page shows the card and saves through the same use case; empty clears it.
    let page = s
        .app
        .get(&s.app.admin_host(), &format!("/tenants/{}", s.tenant.0))
        .header(COOKIE, cookie(&root))
        .fetch_text()
        .await;
    assert!(page.contains("Batas token AI") && page.contains("name=\"llm_token_ceiling\""), "{page}");
    let resp = hx_post(
        &s.app,
        &s.app.admin_host(),
        &root,
        &format!("/tenants/{}/llm-ceiling", s.tenant.0),
        &[("llm_token_ceiling", "banyak")],
    )
    .await;
    assert_eq!(resp.status(), 422);
    assert!(resp.text().await.unwrap().contains("Isi dengan angka token."));
    let resp = hx_post(
        &s.app,
        &s.app.admin_host(),
        &root,
        &format!("/tenants/{}/llm-ceiling", s.tenant.0),
        &[("llm_token_ceiling", "")],
    )
    .await;
    assert!(resp.status().is_success() || resp.status().is_redirection(), "{}", resp.status());
    let view = s.app.get(&s.app.admin_host(), &ceiling_path(&s)).bearer_auth(&root).fetch_expect(200).await;
    assert_eq!(view["llm_token_ceiling"], Value::Null);
    assert_eq!(view["effective_ceiling"], 50_000);
    let entries = s.app.runtime_db().platform().audit_log(Some(s.tenant), 50, 0).await.unwrap();
    assert_eq!(entries.iter().filter(|a| a.action == "tenant.llm_ceiling").count(), 2, "every override is audited");
    s.app.stop().await;
}

#[tokio::test]
async fn the_engine_spends_at_most_the_ceiling_even_of_a_larger_stored_budget() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(answer("dari LLM")).mount(&server).await;
    let s = showroom(Some(&server), |_| {}).await;
    let root = s.app.root_token().await;
    // Ten million tokens stored by the owner before the ceiling; the LLM is used under it.
    store_budget(&s, 10_000_000).await;
    let r = s.say(CUSTOMER, UNCLEAR).await;
    assert_eq!(r["handled_by"], "llm", "{r}");
    // 500 tokens spent; root lowers this showroom's ceiling under that: offline from now on.
    assert_eq!(put_ceiling(&s, &root, json!({"llm_token_ceiling": 400})).await.status(), 200);
    let r = s.say("+6281299990031", UNCLEAR).await;
    assert_eq!(r["handled_by"], "offline", "over the ceiling: {r}");
    // Raised again: the LLM answers.
    assert_eq!(put_ceiling(&s, &root, json!({"llm_token_ceiling": 100_000})).await.status(), 200);
    let r = s.say("+6281299990032", UNCLEAR).await;
    assert_eq!(r["handled_by"], "llm", "{r}");
    s.app.stop().await;
}

#[tokio::test]
async fn the_bot_simulator_is_limited_per_user() {
    let s = showroom(None, |s| s.web.rate_limits = RateLimits { simulator: 3, ..RateLimits::default() }).await;
    for i in 0..3 {
        let r = s.simulate(json!({ "from": CUSTOMER, "text": format!("halo {i}") })).await;
        assert_eq!(r.status(), 200);
    }
    let r = s.simulate(json!({ "from": "+6281299990041", "text": "halo" })).await;
    assert_eq!(r.status(), 429);
    let retry: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited", "{body}");
    // Another user of the same showroom has a budget of their own.
    let staff_admin = crate::sales::user_token(&s.app, "sinar", s.tenant, "admin2", garasi_domain::Role::Admin).await;
    let r = s
        .app
        .post(&s.host(), "/api/bot/simulate")
        .bearer_auth(&staff_admin)
        .json(&json!({ "from": CUSTOMER, "text": "halo" }))
        .fetch()
        .await;
    assert_ne!(r.status(), 429, "another user is not limited by the first");
    s.app.stop().await;
}
