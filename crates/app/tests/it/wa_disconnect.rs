//! Disconnect reasons and stream errors of WhatsApp Web (issue #18), played into a
//! showroom's running connection through the same handling as the library's own events
//! (no phone): a server recycle reconnects, 463 pauses sending (the outbox holds messages
//! back, the dashboard says why), a logout stops, wipes the keys and alerts the owner.

use std::time::{Duration, Instant};

use garasi_channels::waweb::lib::prelude::Event;
use garasi_channels::waweb::lib::types::events::{ConnectFailureReason, Disconnected, LoggedOut, StreamError};
use garasi_channels::waweb::lib::wacore::net::DisconnectReason;
use garasi_store::jobs::{WHATSAPP_OUT, WhatsappOut};
use serde_json::{Value, json};

use crate::sales::showrooms;
use crate::support::{Fetch, TestApp};
use crate::whatsapp::offline_app;

async fn until<T>(what: &str, mut f: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn disconnect_reasons_drive_status_outbox_and_alerts() {
    let (app, _graph) = offline_app(|_| {}).await;
    let (t, token) = showrooms(&app, &["putus"]).await.remove(0);
    let host = TestApp::tenant_host("putus");
    app.put(&host, "/api/whatsapp/channel")
        .bearer_auth(&token)
        .json(&json!({ "kind": "waweb" }))
        .fetch_expect(200)
        .await;
    app.post(&host, "/api/whatsapp/pair").bearer_auth(&token).fetch_expect(200).await;
    let ch = app.running.as_ref().unwrap().state.whatsapp.clone().unwrap();
    let store = ch.device_store(t);
    until("the client", async || store.has_device().await.unwrap().then_some(())).await;
    let status =
        async || -> Value { app.get(&host, "/api/whatsapp/status").bearer_auth(&token).fetch_expect(200).await };

    // A routine server recycle: reconnect, nothing for the owner.
    let recycle = Event::Disconnected(Disconnected::builder().reason(DisconnectReason::StreamEnded).build());
    until("the event queue", async || ch.inject_waweb_event(t, &recycle).then_some(())).await;
    let s = status().await;
    assert!(!s["alert"].as_bool().unwrap(), "{s}");

    // 463: sending pauses; the dashboard says why and until when.
    assert!(ch.inject_waweb_event(t, &Event::StreamError(StreamError::builder().code("463".into()).build())));
    let note = until("the pause on the dashboard", async || {
        let s = status().await;
        s["last_error"].as_str().filter(|e| e.contains("463")).map(str::to_owned)
    })
    .await;
    assert!(note.contains("dibatasi WhatsApp") && note.contains("Dijeda sampai"), "{note}");
    let page = app.get(&host, "/admin/whatsapp").bearer_auth(&token).fetch().await.text().await.unwrap();
    assert!(page.contains("463"), "the WhatsApp page shows the pause");

    // The outbox holds a message back for the pause, without spending a try.
    let db = app.runtime_db();
    let mut tx = db.tenant(t).begin_write().await.unwrap();
    let msg = WhatsappOut {
        to: "+6281299990001".into(),
        text: Some("Halo".into()),
        channel: Some("waweb".into()),
        ..Default::default()
    };
    tx.outbox().enqueue_whatsapp(&[msg]).await.unwrap();
    tx.commit().await.unwrap();
    let job = until("the held-back message", async || {
        let mut tx = db.tenant(t).begin().await.unwrap();
        let jobs = tx.outbox().list(WHATSAPP_OUT, 100).await.unwrap();
        tx.commit().await.unwrap();
        jobs.into_iter().find(|j| j.last_error.as_deref().is_some_and(|e| e.contains("463")))
    })
    .await;
    assert_eq!(job.attempts, 0, "a pause is not a failed try");
    assert_ne!(job.status, "dead");

    // Logged out on the phone: stop, wipe the keys, alert the owner.
    let out = LoggedOut::builder().on_connect(false).reason(ConnectFailureReason::LoggedOut).build();
    assert!(ch.inject_waweb_event(t, &Event::LoggedOut(out)));
    until("logged out", async || (status().await["status"] == "logged_out").then_some(())).await;
    assert!(status().await["alert"].as_bool().unwrap());
    until("the keys wiped", async || (!store.has_device().await.unwrap()).then_some(())).await;
    let audit: Vec<String> =
        db.platform().audit_log(Some(t), 100, 0).await.unwrap().into_iter().map(|a| a.action).collect();
    assert!(audit.iter().any(|a| a == "whatsapp.alert"), "{audit:?}");
    assert!(audit.iter().any(|a| a == "whatsapp.send_paused"), "{audit:?}");
    app.stop().await;
}
