//! Salespeople: the showroom API (`/api/sales`) and the `sales()` repository the bot uses.

use garasi_domain::{Email, PhoneNumber, Role, TenantId};
use garasi_store::Db;
use garasi_store::tenant::{NewLead, NewSalesPerson, NewUser};
use serde_json::{Value, json};

use crate::support::{Fetch, STRONG_PASSWORD, TestApp, store_with_tenants, without_request_id};

pub fn tenant_id(created: &Value) -> TenantId {
    TenantId(created["id"].as_str().unwrap().parse().unwrap())
}

/// A root token plus showrooms `slugs`, returning their ids and owner tokens.
pub async fn showrooms(app: &TestApp, slugs: &[&str]) -> Vec<(TenantId, String)> {
    let root = app.root_token().await;
    let mut out = Vec::new();
    for slug in slugs {
        let created = app.create_tenant(&root, slug, &format!("Showroom {slug}")).await;
        out.push((tenant_id(&created), app.owner_token(slug).await));
    }
    out
}

/// A new server with showrooms `slugs` (see [`showrooms`]).
pub async fn spawn_showrooms<const N: usize>(slugs: [&str; N]) -> (TestApp, [(TenantId, String); N]) {
    let app = TestApp::spawn().await;
    let shops = showrooms(&app, &slugs).await.try_into().unwrap();
    (app, shops)
}

/// Creates a staff user straight in the store and logs it in.
pub async fn staff_token(app: &TestApp, slug: &str, tenant: TenantId) -> String {
    user_token(app, slug, tenant, "staff", Role::Staff).await
}

/// A user `<name>@<slug>.test` of `role`, made in the store and logged in.
pub async fn user_token(app: &TestApp, slug: &str, tenant: TenantId, name: &str, role: Role) -> String {
    let email = format!("{name}@{slug}.test");
    let hash = garasi_web::hash_password(STRONG_PASSWORD).await.unwrap();
    let mut tx = app.runtime_db().tenant(tenant).begin().await.unwrap();
    tx.users()
        .create(&NewUser { email: Email::parse(&email).unwrap(), name: "Staf Satu".into(), role, password_hash: hash })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let resp = app.login(&TestApp::tenant_host(slug), &email, STRONG_PASSWORD).await;
    assert_eq!(resp.status(), 200, "staff login on {slug}");
    resp.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
}

pub async fn add_sales(app: &TestApp, slug: &str, token: &str, name: &str, phone: &str) -> Value {
    let resp = app
        .post(&TestApp::tenant_host(slug), "/api/sales")
        .bearer_auth(token)
        .json(&json!({ "name": name, "phone": phone }))
        .fetch()
        .await;
    let status = resp.status();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(status, 201, "add sales {name}: {body}");
    body
}

async fn list_sales(app: &TestApp, slug: &str, token: &str, query: &str) -> Value {
    let resp = app.get(&TestApp::tenant_host(slug), &format!("/api/sales{query}")).bearer_auth(token).fetch().await;
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

fn names(list: &Value) -> Vec<String> {
    list["items"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn owner_adds_lists_removes_and_restores_salespeople() {
    let (app, [(_, owner)]) = spawn_showrooms(["sinar"]).await;
    let host = TestApp::tenant_host("sinar");

    let rina = add_sales(&app, "sinar", &owner, "  Rina Wati ", "0812-3456-7890").await;
    assert_eq!(rina["name"], "Rina Wati", "name trimmed");
    assert_eq!(rina["phone"], "+6281234567890", "phone normalised to E.164");
    assert_eq!(rina["active"], true);
    assert!(rina["created_at"].is_string());
    let mut keys: Vec<&String> = rina.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["active", "created_at", "id", "name", "on_duty", "phone", "weight", "work_hours"]);
    add_sales(&app, "sinar", &owner, "agus", "+62 813 1111 2222").await;
    add_sales(&app, "sinar", &owner, "Budi", "813-2222-3333").await;

    let list = list_sales(&app, "sinar", &owner, "").await;
    assert_eq!(list["total"], 3);
    assert_eq!(list["page"], 1);
    assert_eq!(names(&list), ["agus", "Budi", "Rina Wati"], "alphabetical, ignoring case");
    let page2 = list_sales(&app, "sinar", &owner, "?per_page=2&page=2").await;
    assert_eq!(names(&page2), ["Rina Wati"]);
    assert_eq!(page2["total"], 3);
    assert_eq!(page2["per_page"], 2);

    // The same number in another spelling is the same number.
    let body = app
        .post(&host, "/api/sales")
        .bearer_auth(&owner)
        .json(&json!({ "name": "Rina Lagi", "phone": "+62 812 3456 7890" }))
        .fetch_expect(422)
        .await;
    assert_eq!(body["error"]["fields"]["phone"], "Nomor ini sudah terdaftar sebagai sales.");

    let rina_id = rina["id"].as_str().unwrap();
    let resp = app.delete(&host, &format!("/api/sales/{rina_id}")).bearer_auth(&owner).fetch().await;
    assert_eq!(resp.status(), 204);
    let list = list_sales(&app, "sinar", &owner, "").await;
    assert_eq!(list["total"], 2);
    assert_eq!(names(&list), ["agus", "Budi"], "deleted salespeople are not listed");
    let resp = app.delete(&host, &format!("/api/sales/{rina_id}")).bearer_auth(&owner).fetch().await;
    assert_eq!(resp.status(), 404, "already deleted");

    // Adding the number again brings the same row back, under the new name.
    let back = add_sales(&app, "sinar", &owner, "Rina Kembali", "081234567890").await;
    assert_eq!(back["id"], rina["id"]);
    assert_eq!(back["name"], "Rina Kembali");
    assert_eq!(back["active"], true);
    assert_eq!(list_sales(&app, "sinar", &owner, "").await["total"], 3);
}

#[tokio::test]
async fn invalid_salesperson_fields_get_indonesian_messages() {
    let (app, [(_, owner)]) = spawn_showrooms(["sinar"]).await;
    let host = TestApp::tenant_host("sinar");
    let cases = [
        (json!({ "name": "R", "phone": "0812-3456-7890" }), "name", "Nama sales minimal 2 karakter."),
        (json!({ "name": "R".repeat(81), "phone": "0812-3456-7890" }), "name", "Nama sales maksimal 80 karakter."),
        (
            json!({ "name": "Rina", "phone": "halo" }),
            "phone",
            "Nomor telepon hanya boleh berisi angka. Contoh: 0812 3456 7890",
        ),
        (json!({ "name": "Rina", "phone": "0812" }), "phone", "Nomor telepon terlalu pendek. Contoh: 0812 3456 7890"),
        (json!({ "name": "Rina" }), "phone", "Nomor telepon wajib diisi"),
    ];
    for (body, field, message) in cases {
        let resp = app.post(&host, "/api/sales").bearer_auth(&owner).json(&body).fetch().await;
        assert_eq!(resp.status(), 422, "{body}");
        let err: Value = resp.json().await.unwrap();
        assert_eq!(err["error"]["code"], "validation");
        assert_eq!(err["error"]["fields"][field], message, "{body}");
    }
    // Every problem at once.
    let err = app.post(&host, "/api/sales").bearer_auth(&owner).json(&json!({})).fetch_expect(422).await;
    assert!(err["error"]["fields"]["name"].is_string() && err["error"]["fields"]["phone"].is_string());
    // 80 characters is fine.
    add_sales(&app, "sinar", &owner, &"R".repeat(80), "0812-3456-7890").await;

    let err = app.get(&host, "/api/sales?page=dua").bearer_auth(&owner).fetch_expect(422).await;
    assert_eq!(err["error"]["fields"]["page"], "Nomor halaman harus berupa angka.");
}

#[tokio::test]
async fn the_same_phone_may_be_sales_in_two_showrooms() {
    let (app, [(_, a), (_, b)]) = spawn_showrooms(["sinar", "berkah"]).await;
    let in_a = add_sales(&app, "sinar", &a, "Rina", "0812-3456-7890").await;
    let in_b = add_sales(&app, "berkah", &b, "Rina", "0812-3456-7890").await;
    assert_ne!(in_a["id"], in_b["id"]);
    assert_eq!(list_sales(&app, "sinar", &a, "").await["total"], 1);
    assert_eq!(list_sales(&app, "berkah", &b, "").await["total"], 1);
}

#[tokio::test]
async fn staff_may_list_but_not_manage_salespeople() {
    let (app, [(tenant, owner)]) = spawn_showrooms(["sinar"]).await;
    let host = TestApp::tenant_host("sinar");
    let rina = add_sales(&app, "sinar", &owner, "Rina", "0812-3456-7890").await;
    let staff = staff_token(&app, "sinar", tenant).await;

    assert_eq!(list_sales(&app, "sinar", &staff, "").await["total"], 1);
    let err = app
        .post(&host, "/api/sales")
        .bearer_auth(&staff)
        .json(&json!({ "name": "Agus", "phone": "0813-1111-2222" }))
        .fetch_expect(403)
        .await;
    assert_eq!(err["error"]["code"], "forbidden");
    let resp =
        app.delete(&host, &format!("/api/sales/{}", rina["id"].as_str().unwrap())).bearer_auth(&staff).fetch().await;
    assert_eq!(resp.status(), 403);
    assert_eq!(list_sales(&app, "sinar", &owner, "").await["total"], 1, "nothing changed");

    // No credentials at all.
    assert_eq!(app.get(&host, "/api/sales").fetch().await.status(), 401);
    let resp = app.post(&host, "/api/sales").json(&json!({ "name": "X", "phone": "1" })).fetch().await;
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn another_showrooms_salespeople_are_not_found() {
    let (app, [(_, a), (_, b)]) = spawn_showrooms(["sinar", "berkah"]).await;
    let theirs = add_sales(&app, "berkah", &b, "Dewi", "0812-9999-0000").await;
    let their_id = theirs["id"].as_str().unwrap();
    let host_a = TestApp::tenant_host("sinar");

    let missing = app.delete(&host_a, &format!("/api/sales/{their_id}")).bearer_auth(&a).fetch_expect(404).await;
    let resp = app.delete(&host_a, "/api/sales/bukan-uuid").bearer_auth(&a).fetch().await;
    assert_eq!(resp.status(), 404);
    assert_eq!(
        without_request_id(resp.json().await.unwrap()),
        without_request_id(missing.clone()),
        "same answer as a bad id"
    );
    let resp = app.delete(&host_a, &format!("/api/sales/{}", uuid::Uuid::now_v7())).bearer_auth(&a).fetch().await;
    assert_eq!(resp.status(), 404);
    assert_eq!(
        without_request_id(resp.json().await.unwrap()),
        without_request_id(missing),
        "same answer as a missing id"
    );
    assert_eq!(list_sales(&app, "sinar", &a, "").await["total"], 0, "B's salespeople are not listed on A");
    assert_eq!(list_sales(&app, "berkah", &b, "").await["total"], 1, "B's salesperson survived");

    // A's token means nothing on B's host.
    let resp =
        app.delete(&TestApp::tenant_host("berkah"), &format!("/api/sales/{their_id}")).bearer_auth(&a).fetch().await;
    assert_eq!(resp.status(), 401);
}

// ---------------------------------------------------------------------------------------------------------
// Repository level
// ---------------------------------------------------------------------------------------------------------

pub fn phone(raw: &str) -> PhoneNumber {
    PhoneNumber::parse(raw).unwrap()
}

pub async fn seed_sales(db: &Db, tenant: TenantId, name: &str, raw_phone: &str) -> uuid::Uuid {
    let mut tx = db.tenant(tenant).begin().await.unwrap();
    let s = tx.sales().create(&NewSalesPerson { name: name.into(), phone: phone(raw_phone) }).await.unwrap();
    tx.commit().await.unwrap();
    s.id
}

#[tokio::test]
async fn bot_lookups_find_only_active_salespeople() {
    let (_test_db, db, [t]) = store_with_tenants(["sinar"]).await;
    let rina = seed_sales(&db, t, "Rina", "0812-3456-7890").await;

    let mut tx = db.tenant(t).begin().await.unwrap();
    let found = tx.sales().find_active_by_phone(&phone("+6281234567890")).await.unwrap().unwrap();
    assert_eq!(found.id, rina);
    assert!(tx.sales().find_active_by_phone(&phone("0813-0000-0000")).await.unwrap().is_none());
    assert!(tx.sales().delete(rina).await.unwrap());
    assert!(tx.sales().find_active_by_phone(&phone("0812-3456-7890")).await.unwrap().is_none(), "deleted");
    let gone = tx.sales().get(rina).await.unwrap().unwrap();
    assert!(gone.deleted_at.is_some() && !gone.active, "soft delete keeps the row");
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn round_robin_takes_turns_and_skips_removed_salespeople() {
    let (_test_db, db, [t]) = store_with_tenants(["sinar"]).await;
    let settings = garasi_domain::TenantSettings::default();
    let settings = &settings;
    // With `fallback`, hours do not matter: the test runs at any time of day.
    let next = |db: Db| async move {
        let mut tx = db.tenant(t).begin_write().await.unwrap();
        let s = garasi_service::routing::pick_in(&mut tx, settings, garasi_store::now(), None, true).await.unwrap();
        tx.commit().await.unwrap();
        s.map(|s| s.id)
    };
    assert_eq!(next(db.clone()).await, None, "no salespeople yet");
    let s1 = seed_sales(&db, t, "Satu", "0812-0000-0001").await;
    let s2 = seed_sales(&db, t, "Dua", "0812-0000-0002").await;
    let s3 = seed_sales(&db, t, "Tiga", "0812-0000-0003").await;

    let mut order = Vec::new();
    for _ in 0..6 {
        order.push(next(db.clone()).await.unwrap());
    }
    assert_eq!(order, [s1, s2, s3, s1, s2, s3]);

    // Deleted salespeople get nothing; a newcomer joins the rotation after the last one.
    let mut tx = db.tenant(t).begin().await.unwrap();
    tx.sales().delete(s1).await.unwrap();
    tx.commit().await.unwrap();
    let s4 = seed_sales(&db, t, "Empat", "0812-0000-0004").await;
    assert_eq!(next(db.clone()).await, Some(s4));
    assert_eq!(next(db.clone()).await, Some(s2), "s1 is deleted");
}

/// Runs on a connection that bypasses RLS: only the repository's own `tenant_id`
/// filters keep the tenants apart.
#[tokio::test]
async fn sales_repository_never_reads_or_touches_another_tenants_rows() {
    let (_test_db, db, [a, b]) = store_with_tenants(["alpha", "beta"]).await;
    let a_rina = seed_sales(&db, a, "Rina A", "0812-0000-0001").await;
    let b_dewi = seed_sales(&db, b, "Dewi B", "0812-0000-0002").await;
    let b_shared = seed_sales(&db, b, "Shared B", "0812-0000-0003").await;
    let b_gone = seed_sales(&db, b, "Gone B", "0812-0000-0004").await;
    let mut tx = db.tenant(b).begin().await.unwrap();
    assert!(tx.sales().delete(b_gone).await.unwrap());
    tx.commit().await.unwrap();
    // A removed salesperson of A whose number B also uses.
    let a_back = seed_sales(&db, a, "Back A", "0812-0000-0005").await;
    let b_back = seed_sales(&db, b, "Back B", "0812-0000-0005").await;
    let mut tx = db.tenant(a).begin().await.unwrap();
    assert!(tx.sales().delete(a_back).await.unwrap());
    tx.commit().await.unwrap();

    let mut tx = db.tenant(a).begin().await.unwrap();
    let list = tx.sales().list(100, 0).await.unwrap();
    assert_eq!(list.iter().map(|s| s.id).collect::<Vec<_>>(), [a_rina]);
    assert_eq!(tx.sales().count().await.unwrap(), 1);
    let restored =
        tx.sales().create(&NewSalesPerson { name: "Back A2".into(), phone: phone("0812-0000-0005") }).await.unwrap();
    assert_eq!((restored.id, restored.name.as_str()), (a_back, "Back A2"), "A's own row comes back");
    assert!(tx.sales().delete(a_back).await.unwrap());
    assert!(tx.sales().get(b_dewi).await.unwrap().is_none());
    assert!(tx.sales().find_active_by_phone(&phone("0812-0000-0002")).await.unwrap().is_none());
    // The rotation's candidates are A's own: B's idle salespeople do not count.
    tx.leads()
        .create(&NewLead { assigned_sales_id: Some(a_rina), ..NewLead::new(phone("0857-0000-0001")) }, "bot")
        .await
        .unwrap();
    assert_eq!(tx.sales().routable().await.unwrap().iter().map(|s| s.id).collect::<Vec<_>>(), [a_rina]);
    assert!(!tx.sales().delete(b_dewi).await.unwrap());
    // B's number is free in A, and adding it in A neither clashes with nor restores B's rows.
    let mine =
        tx.sales().create(&NewSalesPerson { name: "Shared A".into(), phone: phone("0812-0000-0003") }).await.unwrap();
    assert_ne!(mine.id, b_shared);
    let mine =
        tx.sales().create(&NewSalesPerson { name: "Not Gone".into(), phone: phone("0812-0000-0004") }).await.unwrap();
    assert_ne!(mine.id, b_gone);
    tx.commit().await.unwrap();

    let mut tx = db.tenant(b).begin().await.unwrap();
    assert_eq!(tx.sales().count().await.unwrap(), 3);
    assert_eq!(tx.sales().get(b_back).await.unwrap().unwrap().name, "Back B");
    let dewi = tx.sales().get(b_dewi).await.unwrap().unwrap();
    assert!(dewi.active && dewi.deleted_at.is_none(), "A's delete did not reach B");
    assert_eq!(tx.sales().get(b_shared).await.unwrap().unwrap().name, "Shared B");
    let gone = tx.sales().get(b_gone).await.unwrap().unwrap();
    assert!(gone.deleted_at.is_some() && gone.name == "Gone B", "A's create did not restore B's row");
    assert!(tx.sales().find_active_by_phone(&phone("0812-0000-0001")).await.unwrap().is_none());
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn duplicate_phone_in_one_tenant_is_a_conflict_in_the_store() {
    let (_test_db, db, [t]) = store_with_tenants(["sinar"]).await;
    seed_sales(&db, t, "Rina", "0812-3456-7890").await;
    let mut tx = db.tenant(t).begin().await.unwrap();
    let dup = tx.sales().create(&NewSalesPerson { name: "Lagi".into(), phone: phone("+6281234567890") }).await;
    assert!(matches!(&dup, Err(garasi_store::StoreError::Conflict(h)) if h.contains("phone")), "{dup:?}");
}
