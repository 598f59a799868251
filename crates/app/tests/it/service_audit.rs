//! Use cases write their audit entry in the same transaction as the change: exactly
//! one entry per change, and when the entry cannot be written the change is not
//! made either. The failure is injected with a trigger on `audit_log`.

use garasi_domain::TenantId;
use garasi_store::Db;
use garasi_store::tenant::{LeadStatus, NewLead};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::admin::hx_post;
use crate::sales::{phone, spawn_showrooms};
use crate::support::{STRONG_PASSWORD, TestApp};

async fn seed_lead(db: &Db, tenant: TenantId) -> Uuid {
    let mut tx = db.tenant(tenant).begin_write().await.unwrap();
    let lead = tx.leads().create(&NewLead::new(phone("0857-0000-1111")), "bot").await.unwrap();
    tx.commit().await.unwrap();
    lead.id
}

/// The lead's status and how many history rows it has.
async fn lead_state(db: &Db, tenant: TenantId, id: Uuid) -> (LeadStatus, usize) {
    let mut tx = db.tenant(tenant).begin().await.unwrap();
    let lead = tx.leads().get(id).await.unwrap().unwrap();
    let events = tx.leads().events(id).await.unwrap();
    tx.commit().await.unwrap();
    (lead.status, events.len())
}

async fn status_entries(app: &TestApp, tenant: TenantId) -> Vec<Value> {
    let log = app.runtime_db().platform().audit_log(Some(tenant), 100, 0).await.unwrap();
    log.into_iter().filter(|e| e.action == "lead.status").map(|e| e.details.0).collect()
}

async fn api_status(app: &TestApp, token: &str, id: Uuid, status: &str) -> StatusCode {
    app.put(&TestApp::tenant_host("sinar"), &format!("/api/leads/{id}/status"))
        .bearer_auth(token)
        .json(&json!({ "status": status }))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn a_lead_status_change_is_audited_once_or_not_made() {
    let (app, [(t, owner)]) = spawn_showrooms(["sinar"]).await;
    let db = app.db.owner_db().await;
    let host = TestApp::tenant_host("sinar");
    let lead = seed_lead(&db, t).await;

    // Through the API: one change, one entry.
    assert_eq!(api_status(&app, &owner, lead, "contacted").await, StatusCode::OK);
    let entries = status_entries(&app, t).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["from"], "new");
    assert_eq!(entries[0]["to"], "contacted");

    // Through the dashboard: one more.
    let resp = hx_post(&app, &host, &owner, &format!("/admin/leads/{lead}/status"), &[("status", "qualified")]).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let entries = status_entries(&app, t).await;
    assert_eq!(entries.len(), 2, "{entries:?}");
    // A refused change (the status it already has) writes nothing.
    assert_eq!(api_status(&app, &owner, lead, "qualified").await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(status_entries(&app, t).await.len(), 2);

    // The entry cannot be written: neither can the change, from either door.
    let before = lead_state(&db, t, lead).await;
    assert_eq!(before.0, LeadStatus::Qualified);
    app.db.fail_audit_inserts(true).await;
    assert!(!api_status(&app, &owner, lead, "lost").await.is_success());
    assert_eq!(lead_state(&db, t, lead).await, before, "the API change rolled back");
    let resp = hx_post(&app, &host, &owner, &format!("/admin/leads/{lead}/status"), &[("status", "converted")]).await;
    assert!(!resp.status().is_success());
    assert_eq!(lead_state(&db, t, lead).await, before, "the dashboard change rolled back");
    let resp = hx_post(&app, &host, &owner, &format!("/admin/leads/{lead}/notes"), &[("note", "Telepon lagi")]).await;
    assert!(!resp.status().is_success());
    assert_eq!(lead_state(&db, t, lead).await, before, "the note rolled back");
}

#[tokio::test]
async fn a_root_tenant_create_is_not_made_without_its_audit_entry() {
    let app = TestApp::spawn().await;
    let root = app.root_token().await;
    let db = app.db.owner_db().await;
    app.db.fail_audit_inserts(true).await;
    let resp = app
        .post(&app.admin_host(), "/api/admin/tenants")
        .bearer_auth(&root)
        .json(&json!({
            "name": "Sinar Jaya",
            "slug": "sinar",
            "owner_email": "owner@sinar.test",
            "owner_password": STRONG_PASSWORD,
            "domain": "www.sinarjaya.co.id",
        }))
        .send()
        .await
        .unwrap();
    assert!(!resp.status().is_success(), "{}", resp.status());
    let platform = app.runtime_db().platform();
    assert!(platform.tenant_by_slug("sinar").await.unwrap().is_none(), "no tenant row");
    assert!(platform.tenant_by_domain("www.sinarjaya.co.id").await.unwrap().is_none(), "no domain row");
    assert_eq!(platform.count_tenants(true).await.unwrap(), 0);
    const USERS: &str = "SELECT count(*) FROM users";
    let users: i64 = garasi_store::with_db!(&db, |p| sqlx::query_scalar(USERS).fetch_one(p).await).unwrap();
    assert_eq!(users, 0, "no owner row");
    // The site does not exist.
    assert_eq!(app.get("sinar.localhost", "/").send().await.unwrap().status(), StatusCode::NOT_FOUND);
}
