//! PostgreSQL only: row-level security as the second wall, and the start-up checks
//! that keep the runtime role unable to bypass it. Skipped on SQLite.

use garasi_domain::TenantId;
use garasi_store::{Db, DbOptions};

use crate::support::{Fetch, TestApp, TestDatabase, test_settings};

/// Whether to run a PostgreSQL-only test. Under `CI=true` a missing database fails
/// the test, unless the run is the declared SQLite pass (`GARASI_TEST_BACKEND=sqlite`).
fn pg_only() -> bool {
    if crate::support::postgres_admin_url().is_some() {
        return true;
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let sqlite_pass = std::env::var("GARASI_TEST_BACKEND").is_ok_and(|v| v == "sqlite");
    assert!(!ci || sqlite_pass, "CI=true but GARASI_TEST_POSTGRES_URL is not set");
    eprintln!("skipped: GARASI_TEST_POSTGRES_URL is not set");
    false
}

/// The start of the row-level security tests: showrooms alpha and beta with their ids, and
/// a raw pool as the runtime role. `None` where the test skips (no PostgreSQL).
async fn alpha_and_beta_as_runtime_role() -> Option<(TestApp, [uuid::Uuid; 2], sqlx::PgPool)> {
    if !pg_only() {
        return None;
    }
    let app = TestApp::spawn().await;
    let root = app.root_token().await;
    let mut ids = [uuid::Uuid::nil(); 2];
    for (id, (slug, name)) in ids.iter_mut().zip([("alpha", "Alpha"), ("beta", "Beta")]) {
        *id = app.create_tenant(&root, slug, name).await["id"].as_str().unwrap().parse().unwrap();
    }
    let Db::Postgres(rt) = Db::connect(&app.db.runtime_url, &DbOptions::default()).await.unwrap() else {
        unreachable!()
    };
    Some((app, ids, rt))
}

#[tokio::test]
async fn runtime_role_without_a_tenant_sees_zero_rows() {
    let Some((_app, [a_id, _], rt)) = alpha_and_beta_as_runtime_role().await else { return };

    // No tenant set: every tenant table is empty to the runtime role.
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid \
         WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace AND a.attname = 'tenant_id' \
         AND c.relname NOT IN ('tenant_domains','jobs','wa_leases','audit_log','channel_routes') ORDER BY 1",
    )
    .fetch_all(&rt)
    .await
    .unwrap();
    assert!(tables.len() >= 15, "{tables:?}");
    for table in &tables {
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM \"{table}\"")))
            .fetch_one(&rt)
            .await
            .unwrap();
        assert_eq!(n, 0, "{table} leaks rows without a tenant");
    }
    // A pooled connection that ran a scoped transaction before falls back to '' — still zero rows, no error.
    let mut conn = rt.acquire().await.unwrap();
    let mut tx = sqlx::Connection::begin(&mut *conn).await.unwrap();
    sqlx::query("SELECT set_config('app.tenant_id', $1, true)").bind(a_id.to_string()).execute(&mut *tx).await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(&mut *tx).await.unwrap();
    assert_eq!(n, 1, "alpha's owner only");
    tx.commit().await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(&mut *conn).await.unwrap();
    assert_eq!(n, 0);

    // Every tenant table has RLS enabled and forced.
    let unprotected: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace \
         AND c.relname = ANY($1) AND NOT (c.relrowsecurity AND c.relforcerowsecurity)",
    )
    .bind(&tables)
    .fetch_all(&rt)
    .await
    .unwrap();
    assert!(unprotected.is_empty(), "{unprotected:?}");
}

#[tokio::test]
async fn a_scoped_transaction_cannot_write_into_another_tenant() {
    let Some((app, [a_id, b_id], rt)) = alpha_and_beta_as_runtime_role().await else { return };
    let mut tx = rt.begin().await.unwrap();
    sqlx::query("SELECT set_config('app.tenant_id', $1, true)").bind(a_id.to_string()).execute(&mut *tx).await.unwrap();
    let err = sqlx::query("INSERT INTO tenant_counters (tenant_id, name, value) VALUES ($1, 'stock_no', 1)")
        .bind(b_id)
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("row-level security"), "{err}");
    // And the repositories' scoped handle sees only its tenant even with a forgotten filter.
    let db = app.runtime_db();
    let mut scoped = db.tenant(TenantId(b_id)).begin().await.unwrap();
    assert_eq!(scoped.users().list().await.unwrap().len(), 1);
}

#[tokio::test]
async fn serve_refuses_a_superuser_and_pending_migrations() {
    if !pg_only() {
        return;
    }
    // A superuser would bypass RLS.
    let db = TestDatabase::create(true).await;
    let mut settings = test_settings(&db);
    settings.database_url = db.owner_url.clone().unwrap();
    let err = garasi_app::server::open_database(&settings).await.unwrap_err().to_string();
    assert!(err.contains("refusing to serve") && err.contains("NOBYPASSRLS"), "{err}");

    // A fresh database without migrations: refuse, and say what to run.
    let empty = TestDatabase::create(false).await;
    let settings = test_settings(&empty);
    let err = garasi_app::server::open_database(&settings).await.unwrap_err().to_string();
    assert!(err.contains("pending migrations") && err.contains("garasi migrate"), "{err}");

    // With the owner URL given, serve migrates and grants by itself.
    let mut settings = test_settings(&empty);
    settings.migrate_database_url = empty.owner_url.clone();
    let app = TestApp::spawn_on(empty, settings).await;
    assert_eq!(app.get("admin.localhost", "/readyz").fetch().await.status(), 200);
    app.root_token().await;
}

#[tokio::test]
async fn grant_to_refuses_privileged_or_missing_roles() {
    if !pg_only() {
        return;
    }
    let db = TestDatabase::create(true).await;
    let owner = db.owner_db().await;
    let missing = owner.grant_runtime_role("no_such_role_xyz").await.unwrap_err().to_string();
    assert!(missing.contains("does not exist"), "{missing}");
    let privileged = owner.grant_runtime_role("postgres").await.unwrap_err().to_string();
    assert!(privileged.contains("BYPASSRLS"), "{privileged}");
    let bad = owner.grant_runtime_role("x\"; drop").await.unwrap_err().to_string();
    assert!(bad.contains("plain lowercase identifier"), "{bad}");
}
