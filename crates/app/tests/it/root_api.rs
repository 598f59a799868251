//! The root admin API for showrooms.

use serde_json::{Value, json};

use crate::support::{Fetch, STRONG_PASSWORD, TestApp};

#[tokio::test]
async fn root_creates_lists_shows_updates_and_soft_deletes_tenants() {
    let app = TestApp::spawn().await;
    let root = app.root_token().await;
    let admin = app.admin_host();

    let created = app.create_tenant(&root, "sinar", "Sinar Jaya Motor").await;
    assert_eq!(created["slug"], "sinar");
    assert_eq!(created["status"], "active");
    assert_eq!(created["primary_domain"], "sinar.localhost");
    assert_eq!(created["whatsapp_number"], "+6281234567890", "phone normalised to E.164");
    assert_eq!(created["owner"]["email"], "owner@sinar.test");
    assert_eq!(created["owner"]["role"], "owner");
    let id = created["id"].as_str().unwrap().to_owned();
    app.create_tenant(&root, "berkah", "Berkah Mobil").await;

    let list: Value = app.get(&admin, "/api/admin/tenants").bearer_auth(&root).fetch_json().await;
    assert_eq!(list["total"], 2);
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    let page: Value = app.get(&admin, "/api/admin/tenants?per_page=1&page=2").bearer_auth(&root).fetch_json().await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["page"], 2);

    let shown: Value = app.get(&admin, &format!("/api/admin/tenants/{id}")).bearer_auth(&root).fetch_json().await;
    assert_eq!(shown["name"], "Sinar Jaya Motor");

    let updated = app
        .put(&admin, &format!("/api/admin/tenants/{id}"))
        .bearer_auth(&root)
        .json(&json!({ "name": "Sinar Jaya Motor Bekasi", "whatsapp_number": "+62 813-1111-2222", "domain": "sinarjaya.example" }))
        .fetch_expect(200).await;
    assert_eq!(updated["name"], "Sinar Jaya Motor Bekasi");
    assert_eq!(updated["whatsapp_number"], "+6281311112222");
    assert_eq!(updated["primary_domain"], "sinarjaya.example");
    assert_eq!(updated["domains"], json!(["sinarjaya.example"]));
    assert!(app.get("sinarjaya.example", "/").fetch_text().await.contains("Bekasi"));

    let deleted = app.delete(&admin, &format!("/api/admin/tenants/{id}")).bearer_auth(&root).fetch_expect(200).await;
    assert_eq!(deleted["status"], "deleted");
    assert!(deleted["deleted_at"].is_string());
    let list: Value = app.get(&admin, "/api/admin/tenants").bearer_auth(&root).fetch_json().await;
    assert_eq!(list["total"], 1, "deleted tenants are hidden by default");
    let list: Value = app.get(&admin, "/api/admin/tenants?include_deleted=true").bearer_auth(&root).fetch_json().await;
    assert_eq!(list["total"], 2, "soft delete keeps the row");

    // Every change is in the audit log.
    let audit = app.runtime_db().platform().audit_log(None, 100, 0).await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    for action in ["tenant.create", "tenant.update", "tenant.delete"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    assert!(audit.iter().all(|a| a.actor_kind == "root" || a.action == "auth.login"));
}

#[tokio::test]
async fn invalid_input_gets_422_with_indonesian_field_messages() {
    let app = TestApp::spawn().await;
    let root = app.root_token().await;
    let body = app
        .post_tenant(&root)
        .json(&json!({
            "name": "X", "slug": "Bad Slug!", "owner_email": "bukan-email", "owner_password": "pendek",
            "whatsapp_number": "12ab", "domain": "http://contoh.com/path",
        }))
        .fetch_expect(422)
        .await;
    assert_eq!(body["error"]["code"], "validation");
    let fields = body["error"]["fields"].as_object().unwrap();
    for f in ["name", "slug", "owner_email", "owner_password", "whatsapp_number", "domain"] {
        assert!(
            fields.get(f).and_then(Value::as_str).is_some_and(|m| !m.is_empty()),
            "missing message for {f}: {body}"
        );
    }
    assert_eq!(fields["owner_email"], "Alamat email tidak valid");

    // Platform names cannot be taken as custom domains.
    let resp = app
        .post_tenant(&root)
        .json(&json!({ "name": "Ok", "slug": "oke", "owner_email": "a@b.test", "owner_password": STRONG_PASSWORD, "domain": "evil.localhost" }))
        .fetch().await;
    assert_eq!(resp.status(), 422);

    app.create_tenant(&root, "sinar", "Sinar").await;
    let body = app
        .post_tenant(&root)
        .json(&json!({ "name": "Lain", "slug": "sinar", "owner_email": "x@y.test", "owner_password": STRONG_PASSWORD }))
        .fetch_expect(422)
        .await;
    assert_eq!(body["error"]["fields"]["slug"], "Slug ini sudah dipakai showroom lain.");

    let id = app.get(&app.admin_host(), "/api/admin/tenants").bearer_auth(&root).fetch_json::<Value>().await["items"]
        [0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = app
        .put(&app.admin_host(), &format!("/api/admin/tenants/{id}"))
        .bearer_auth(&root)
        .json(&json!({ "slug": "baru", "status": "rusak" }))
        .fetch_expect(422)
        .await;
    assert!(body["error"]["fields"]["slug"].is_string(), "unknown or read-only fields are refused");
    assert!(body["error"]["fields"]["status"].is_string());
}

#[tokio::test]
async fn the_admin_api_is_for_root_on_the_admin_host_only() {
    let app = TestApp::spawn().await;
    let root = app.root_token().await;
    let t = app.create_tenant(&root, "sinar", "Sinar").await;
    let owner = app.owner_token("sinar").await;
    let admin = app.admin_host();

    assert_eq!(app.get(&admin, "/api/admin/tenants").fetch().await.status(), 401);
    assert_eq!(app.get(&admin, "/api/admin/tenants").bearer_auth(&owner).fetch().await.status(), 401);
    assert_eq!(app.get("sinar.localhost", "/api/admin/tenants").bearer_auth(&root).fetch().await.status(), 404);
    assert_eq!(app.get("sinar.localhost", "/api/admin/tenants").bearer_auth(&owner).fetch().await.status(), 404);
    for path in ["/api/admin/tenants/not-a-uuid", "/api/admin/tenants/0190b7a2-0000-7000-8000-000000000000"] {
        assert_eq!(app.get(&admin, path).bearer_auth(&root).fetch().await.status(), 404, "{path}");
    }
    assert!(t["id"].is_string());
}
