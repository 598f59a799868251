//! Repository-level isolation. These run on a connection that bypasses row-level
//! security (the PostgreSQL superuser; SQLite has none), so only each repository's
//! own `tenant_id` filter stands between tenants: drop one and a test here fails.

use chrono::Duration;
use garasi_domain::{Email, Role, TenantId};
use garasi_store::platform::NewTenant;
use garasi_store::tenant::NewUser;
use garasi_store::{Db, hash_token, now};
use serde_json::json;

use crate::support::owner_store;

struct Seeded {
    tenant: TenantId,
    user_id: uuid::Uuid,
    email: Email,
    token: String,
    session_id: uuid::Uuid,
}

async fn seed(db: &Db, slug: &str) -> Seeded {
    let email = Email::parse(&format!("owner@{slug}.test")).unwrap();
    let (tenant, user) = db
        .platform()
        .create_tenant(
            &NewTenant { slug: slug.into(), name: slug.into(), whatsapp_number: None, domain: None },
            &NewUser {
                email: email.clone(),
                name: format!("marker-{slug}"),
                role: Role::Owner,
                password_hash: "x".into(),
            },
            &json!({ "marker": slug }),
        )
        .await
        .unwrap();
    let token = format!("token-{slug}");
    let mut tx = db.tenant(tenant.id).begin().await.unwrap();
    let session = tx.sessions().create(user.id, &hash_token(&token), now() + Duration::hours(1), None).await.unwrap();
    tx.users()
        .create(&NewUser {
            email: Email::parse(&format!("staff@{slug}.test")).unwrap(),
            name: format!("marker-{slug}"),
            role: Role::Staff,
            password_hash: "x".into(),
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    Seeded { tenant: tenant.id, user_id: user.id, email, token, session_id: session.id }
}

#[tokio::test]
async fn repositories_never_return_or_touch_another_tenants_rows() {
    let (_test_db, db) = owner_store().await;
    let a = seed(&db, "alpha").await;
    let b = seed(&db, "beta").await;

    let mut tx = db.tenant(a.tenant).begin().await.unwrap();
    // Reads.
    let users = tx.users().list().await.unwrap();
    assert_eq!(users.len(), 2);
    assert!(users.iter().all(|u| u.tenant_id == a.tenant && u.name == "marker-alpha"));
    assert!(tx.users().get(b.user_id).await.unwrap().is_none());
    assert!(tx.users().find_by_email(&b.email).await.unwrap().is_none());
    assert!(tx.users().find_by_email(&a.email).await.unwrap().is_some());
    assert!(tx.sessions().find_active(&hash_token(&b.token), now()).await.unwrap().is_none());
    assert!(tx.sessions().find_active(&hash_token(&a.token), now()).await.unwrap().is_some());
    assert_eq!(tx.settings().get().await.unwrap()["marker"], "alpha");
    // Writes aimed at B's rows change nothing.
    assert!(!tx.sessions().delete(b.session_id).await.unwrap());
    assert_eq!(tx.sessions().delete_for_user(b.user_id).await.unwrap(), 0);
    tx.sessions().touch(b.session_id, now()).await.unwrap();
    assert!(tx.users().set_password_hash(b.user_id, "hijacked").await.is_err());
    tx.users().record_login(b.user_id).await.unwrap();
    assert_eq!(tx.sessions().delete_expired(now() + Duration::days(1)).await.unwrap(), 1, "only A's session");
    tx.settings().put(&json!({ "marker": "alpha-2" })).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = db.tenant(b.tenant).begin().await.unwrap();
    assert!(tx.sessions().find_active(&hash_token(&b.token), now()).await.unwrap().is_some(), "B's session survived");
    let b_user = tx.users().get(b.user_id).await.unwrap().unwrap();
    assert_eq!(b_user.password_hash, "x");
    assert!(b_user.last_login_at.is_none());
    assert_eq!(tx.settings().get().await.unwrap()["marker"], "beta");
    assert_eq!(tx.users().list().await.unwrap().len(), 2);
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn the_same_email_may_exist_in_two_tenants() {
    let (_test_db, db) = owner_store().await;
    let a = seed(&db, "alpha").await;
    let b = seed(&db, "beta").await;
    let shared = Email::parse("sales@shared.test").unwrap();
    for t in [a.tenant, b.tenant] {
        let mut tx = db.tenant(t).begin().await.unwrap();
        tx.users()
            .create(&NewUser {
                email: shared.clone(),
                name: String::new(),
                role: Role::Staff,
                password_hash: "x".into(),
            })
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    // …but only once per tenant.
    let mut tx = db.tenant(a.tenant).begin().await.unwrap();
    let dup = tx
        .users()
        .create(&NewUser { email: shared, name: String::new(), role: Role::Staff, password_hash: "x".into() })
        .await;
    assert!(matches!(dup, Err(garasi_store::StoreError::Conflict(_))), "{dup:?}");
}
