//! The negative host cache (issue #14, point 10): a flood of random unknown hosts is
//! answered from the in-memory set of known hosts, not the database
//! (`garasi_host_lookups_total{result}`), and a host that becomes known (a new showroom,
//! a new domain) resolves at once, also on a second instance when Redis carries events.

use std::time::{Duration, Instant};

use garasi_web::RateLimits;
use serde_json::json;

use crate::support::{Fetch, TestApp, redis_url};

/// The value of one series in this process's metrics (shared by every test server, so
/// callers compare increments around what they did).
async fn counter(app: &TestApp, series: &str) -> f64 {
    let internal = app.running.as_ref().unwrap().internal_addr;
    let text = reqwest::get(format!("http://{internal}/metrics")).await.unwrap().text().await.unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(series).and_then(|rest| rest.trim().parse::<f64>().ok()))
        .unwrap_or_else(|| panic!("no {series} in /metrics"))
}

const REJECTED: &str = "garasi_host_lookups_total{result=\"rejected\"}";
const UNKNOWN: &str = "garasi_host_lookups_total{result=\"unknown\"}";

async fn status_on(app: &TestApp, host: &str) -> u16 {
    app.get(host, "/").fetch().await.status().as_u16()
}

#[tokio::test]
async fn random_unknown_hosts_never_reach_the_database_and_new_hosts_resolve_at_once() {
    // Pages unlimited here: the flood below comes from one address.
    let app = TestApp::spawn_with(|s| s.web.rate_limits = RateLimits { pages: 0, ..RateLimits::default() }).await;
    let root = app.root_token().await;
    app.create_tenant(&root, "sinar", "Sinar Jaya").await;
    assert_eq!(status_on(&app, "sinar.localhost").await, 200);
    let sibling = match redis_url() {
        Some(_) => Some(app.spawn_sibling().await),
        None => None,
    };

    const N: usize = 300;
    let (rejected, unknown) = (counter(&app, REJECTED).await, counter(&app, UNKNOWN).await);
    for i in 0..N {
        let r = uuid::Uuid::now_v7().simple().to_string();
        // Random showroom subdomains and random custom domains.
        let host = if i % 2 == 0 { format!("x{}.localhost", &r[20..]) } else { format!("{}.example.com", &r[16..]) };
        assert_eq!(status_on(&app, &host).await, 404, "{host}");
    }
    let rejected = counter(&app, REJECTED).await - rejected;
    let unknown = counter(&app, UNKNOWN).await - unknown;
    assert!(rejected >= N as f64, "{rejected} of {N} unknown hosts answered from memory");
    // Other tests share the counter; without the negative cache this would be N.
    assert!(unknown <= 10.0, "{unknown} database lookups for {N} unknown hosts");

    // A showroom created now resolves at once, and so does a custom domain given to it.
    let created = app.create_tenant(&root, "baru", "Baru Motor").await;
    assert_eq!(status_on(&app, "baru.localhost").await, 200);
    assert_eq!(status_on(&app, "mobil-baru.example").await, 404);
    let id = created["id"].as_str().unwrap();
    let resp = app
        .put(&app.admin_host(), &format!("/api/admin/tenants/{id}"))
        .bearer_auth(&root)
        .json(&json!({ "domain": "mobil-baru.example" }))
        .fetch()
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(status_on(&app, "mobil-baru.example").await, 200);

    // Another instance (same database, events over Redis) learns it from the event, not
    // from its known-host set's TTL.
    if let Some((addr, running)) = sibling {
        let get =
            |host: &'static str| app.client.get(format!("http://{addr}/")).header(reqwest::header::HOST, host).send();
        assert_eq!(get("kedua.localhost").await.unwrap().status(), 404);
        app.create_tenant(&root, "kedua", "Kedua Motor").await;
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let status = get("kedua.localhost").await.unwrap().status();
            if status == 200 {
                break;
            }
            assert!(Instant::now() < deadline, "the second instance never served the new showroom: {status}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        running.stop().await.unwrap();
    }
    app.stop().await;
}
