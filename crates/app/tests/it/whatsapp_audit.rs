//! WhatsApp administration through the service layer: every change from the dashboard
//! writes its audit entry, and an audit insert that fails leaves the channel as it was
//! (the entry and the channel's row are written in one transaction).

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::TestApp;
use crate::whatsapp::{WebShop, cloud_body};

async fn actions(app: &TestApp) -> Vec<String> {
    let audit = app.runtime_db().platform().audit_log(None, 200, 0).await.unwrap();
    audit.into_iter().map(|a| a.action).collect()
}

async fn status(app: &TestApp, host: &str, token: &str) -> Value {
    app.get(host, "/api/whatsapp/status").bearer_auth(token).send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn dashboard_pairing_changes_are_audited_and_a_failed_audit_changes_nothing() {
    let WebShop { app, tenant, token, host, graph: _graph, .. } = WebShop::open("audit").await;

    // The dashboard's pairing card: start, then disconnect; each leaves its entry.
    let resp = app.post(&host, "/admin/whatsapp/pairing/start").bearer_auth(&token).form(&[("phone", "")]).send();
    let resp = resp.await.unwrap();
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    let resp = app.post(&host, "/admin/whatsapp/pairing/disconnect").bearer_auth(&token).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(status(&app, &host, &token).await["status"], "stopped");
    let seen = actions(&app).await;
    for action in ["whatsapp.channel", "whatsapp.pair", "whatsapp.disconnect"] {
        assert!(seen.iter().any(|a| a == action), "{action} in {seen:?}");
    }

    // With the audit insert failing, nothing changes: not the kind, not the status.
    let resp = app.post(&host, "/admin/whatsapp/pairing/start").bearer_auth(&token).form(&[("phone", "")]).send();
    assert_eq!(resp.await.unwrap().status(), 200);
    let before = status(&app, &host, &token).await;
    assert_ne!(before["status"], "stopped");
    app.db.fail_audit_inserts(true).await;
    let resp = app.put(&host, "/api/whatsapp/channel").bearer_auth(&token).json(&cloud_body()).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let resp = app.post(&host, "/admin/whatsapp/pairing/disconnect").bearer_auth(&token).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let after = status(&app, &host, &token).await;
    assert_eq!(after["kind"], "waweb", "the channel kind did not switch");
    assert_eq!(after["credentials_set"], false);
    assert_ne!(after["status"], "stopped", "the connection was not stopped: {after}");
    assert!(app.running.as_ref().unwrap().state.whatsapp.as_ref().unwrap().holds(tenant));

    // Once the audit works again, so does the change.
    app.db.fail_audit_inserts(false).await;
    let resp = app.post(&host, "/admin/whatsapp/pairing/disconnect").bearer_auth(&token).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(status(&app, &host, &token).await["status"], "stopped");
    app.stop().await;
}
