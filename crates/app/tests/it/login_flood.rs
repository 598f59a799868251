//! Login floods change nothing: a burst of parallel guesses is counted before any
//! password is checked, so at most the configured number are verified; overflow is
//! refused at once (429, or 503 when every password-check slot is busy); and an attacker
//! who knows the owner's e-mail slows the account down from other addresses without
//! locking its owner out.

use std::collections::BTreeMap;

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{STRONG_PASSWORD, TestApp};

/// The default `login_max_failures`.
const LIMIT: usize = 5;

async fn login_from(app: &TestApp, ip: &str, password: &str) -> reqwest::Response {
    app.post("sinar.localhost", "/api/auth/login")
        .header("x-forwarded-for", ip)
        .json(&json!({ "email": "owner@sinar.test", "password": password }))
        .send()
        .await
        .unwrap()
}

fn retry_after(resp: &reqwest::Response) -> u64 {
    resp.headers()["retry-after"].to_str().unwrap().parse().unwrap()
}

async fn spawn_behind_proxy() -> TestApp {
    let app = TestApp::spawn_with(|s| s.web.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await;
    app.add_showroom("sinar", "Sinar").await;
    app
}

#[tokio::test]
async fn two_hundred_parallel_wrong_logins_verify_at_most_the_limit() {
    let app = spawn_behind_proxy().await;
    let attempts = (0..200).map(|i| {
        let app = &app;
        async move { login_from(app, "203.0.113.7", &format!("tebakan-salah-{i}")).await.status() }
    });
    let statuses = futures_util::future::join_all(attempts).await;
    let mut counts: BTreeMap<u16, usize> = BTreeMap::new();
    for s in &statuses {
        *counts.entry(s.as_u16()).or_default() += 1;
    }
    // Every 401 is one password that was really checked.
    let verified = counts.get(&401).copied().unwrap_or(0);
    assert!(verified <= LIMIT, "{verified} guesses verified: {counts:?}");
    assert!(verified >= 1, "some guesses were checked: {counts:?}");
    assert!(
        counts.keys().all(|s| [401, 429, 503].contains(s)),
        "only wrong-password, throttled or busy answers: {counts:?}"
    );
    // The right password from the attacker's address waits out the window now.
    let resp = login_from(&app, "203.0.113.7", STRONG_PASSWORD).await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!((1..=900).contains(&retry_after(&resp)));
    // The owner, elsewhere, signs in.
    assert_eq!(login_from(&app, "198.51.100.20", STRONG_PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn an_attacker_from_many_addresses_slows_the_account_but_never_locks_out_its_owner() {
    let app = spawn_behind_proxy().await;
    // The owner signed in from the office before: that address is known to the account.
    assert_eq!(login_from(&app, "198.51.100.20", STRONG_PASSWORD).await.status(), 200);

    let mut verified = 0;
    let mut slowed = 0;
    for ip in 1..=8 {
        for i in 0..LIMIT {
            let resp = login_from(&app, &format!("203.0.113.{ip}"), &format!("salah-{ip}-{i}")).await;
            match resp.status().as_u16() {
                401 => verified += 1,
                429 => {
                    // Slowed down, not locked: the next slot is seconds away.
                    assert!(retry_after(&resp) <= 5, "retry after {}", retry_after(&resp));
                    slowed += 1;
                }
                other => panic!("unexpected {other}"),
            }
        }
    }
    assert!(slowed > 0 && verified < 8 * LIMIT, "{verified} verified, {slowed} slowed down");

    // From the known address the owner goes straight through, during the attack.
    assert_eq!(login_from(&app, "198.51.100.20", STRONG_PASSWORD).await.status(), 200);
    // The owner's new phone waits at most one step, never the whole window.
    let mut resp = login_from(&app, "192.0.2.55", STRONG_PASSWORD).await;
    if resp.status() == StatusCode::TOO_MANY_REQUESTS {
        let wait = retry_after(&resp);
        assert!(wait <= 5, "{wait}");
        tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
        resp = login_from(&app, "192.0.2.55", STRONG_PASSWORD).await;
    }
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn right_passwords_do_not_use_up_an_offices_budget() {
    let app = spawn_behind_proxy().await;
    // Colleagues behind one office address sign in many times: each success gives its
    // unit back, so the address is never throttled for working logins.
    for _ in 0..(LIMIT * 4 + 5) {
        assert_eq!(login_from(&app, "198.51.100.99", STRONG_PASSWORD).await.status(), 200);
    }
}
