//! Test harness: each test gets a fresh database (SQLite file by default, a new
//! PostgreSQL database when GARASI_TEST_POSTGRES_URL is set) and the real server on
//! 127.0.0.1:0. Redis is used when GARASI_TEST_REDIS_URL is set, under a unique prefix.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;

use garasi_app::{Running, Settings};
use garasi_domain::{Email, Role, TenantId};
use garasi_store::platform::NewTenant;
use garasi_store::tenant::NewUser;
use garasi_store::{Db, DbOptions};
use reqwest::header::HOST;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

pub const RUNTIME_ROLE: &str = "garasi_test_rt";
pub const STRONG_PASSWORD: &str = "Kuat-Sekali-2026";

pub fn postgres_admin_url() -> Option<String> {
    std::env::var("GARASI_TEST_POSTGRES_URL").ok().filter(|s| !s.is_empty())
}

pub fn redis_url() -> Option<String> {
    std::env::var("GARASI_TEST_REDIS_URL").ok().filter(|s| !s.is_empty())
}

/// Replaces the database name (and optionally the user) of a postgres URL.
pub fn pg_url(base: &str, user: Option<&str>, dbname: &str) -> String {
    let (scheme, rest) = base.split_once("://").expect("postgres url has a scheme");
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, format!("?{q}")),
        None => (rest, String::new()),
    };
    let (authority, _) = rest.split_once('/').unwrap_or((rest, ""));
    let authority = match user {
        Some(u) => {
            let hostport = authority.rsplit_once('@').map(|(_, h)| h).unwrap_or(authority);
            format!("{u}@{hostport}")
        }
        None => authority.to_owned(),
    };
    format!("{scheme}://{authority}/{dbname}{query}")
}

/// A fresh, migrated database for one test, dropped (PostgreSQL) or deleted (SQLite) after it.
pub struct TestDatabase {
    /// What the server connects with: the runtime role on PostgreSQL.
    pub runtime_url: String,
    /// The owner/superuser URL (PostgreSQL), for set-up and for bypassing RLS on purpose.
    pub owner_url: Option<String>,
    pub data_dir: PathBuf,
    pg_name: Option<String>,
}

impl TestDatabase {
    /// `migrated = false` leaves a PostgreSQL database empty (to test start-up refusals).
    pub async fn create(migrated: bool) -> TestDatabase {
        let data_dir = std::env::temp_dir().join(format!("garasi-test-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&data_dir).unwrap();
        match postgres_admin_url() {
            None => TestDatabase {
                runtime_url: Db::sqlite_url_for_dir(&data_dir),
                owner_url: None,
                data_dir,
                pg_name: None,
            },
            Some(admin) => {
                let name = format!("garasi_t_{}", uuid::Uuid::now_v7().simple());
                let admin_db = Db::connect(&admin, &DbOptions { max_connections: 1, ..DbOptions::default() })
                    .await
                    .expect("connect to GARASI_TEST_POSTGRES_URL");
                let Db::Postgres(pool) = &admin_db else { panic!("GARASI_TEST_POSTGRES_URL must be postgres") };
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\""))).execute(pool).await.unwrap();
                // Roles are cluster-wide; parallel tests may race to create it.
                sqlx::query(
                    "DO $$ BEGIN CREATE ROLE garasi_test_rt LOGIN NOSUPERUSER NOBYPASSRLS; \
                     EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$",
                )
                .execute(pool)
                .await
                .unwrap();
                admin_db.close().await;
                let owner_url = pg_url(&admin, None, &name);
                if migrated {
                    let owner = Db::connect(&owner_url, &DbOptions::default()).await.unwrap();
                    owner.migrate().await.unwrap();
                    owner.grant_runtime_role(RUNTIME_ROLE).await.unwrap();
                    owner.close().await;
                }
                TestDatabase {
                    runtime_url: pg_url(&admin, Some(RUNTIME_ROLE), &name),
                    owner_url: Some(owner_url),
                    data_dir,
                    pg_name: Some(name),
                }
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.pg_name.is_some()
    }

    /// Makes every insert into `audit_log` fail (`on`), or stops doing so, through the
    /// owner's connection (the runtime role may not create triggers). Tests use it to
    /// show that a change and its audit entry commit together or not at all.
    pub async fn fail_audit_inserts(&self, on: bool) {
        let db = self.owner_db().await;
        let statements: &[&str] = match (self.is_postgres(), on) {
            (false, true) => {
                &["CREATE TRIGGER audit_fail BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'injected'); END"]
            }
            (false, false) => &["DROP TRIGGER audit_fail"],
            (true, true) => &[
                "CREATE FUNCTION audit_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected'; END $$",
                "CREATE TRIGGER audit_fail BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_fail()",
            ],
            (true, false) => &["DROP TRIGGER audit_fail ON audit_log", "DROP FUNCTION audit_fail()"],
        };
        for sql in statements {
            garasi_store::with_db!(&db, |p| sqlx::query(*sql).execute(p).await.map(|_| ())).unwrap();
        }
        db.close().await;
    }

    /// A connection that bypasses row-level security (PostgreSQL superuser), or the
    /// SQLite file itself: only the repositories' own tenant filters protect it.
    pub async fn owner_db(&self) -> Db {
        let url = self.owner_url.clone().unwrap_or_else(|| self.runtime_url.clone());
        let db = Db::connect(&url, &DbOptions::default()).await.unwrap();
        if !self.is_postgres() {
            db.migrate().await.unwrap();
        }
        db
    }
}

/// A fresh database opened as its owner, for the repository tests that need no server.
/// Keep the `TestDatabase` alive until the end: dropping it drops the database.
pub async fn owner_store() -> (TestDatabase, Db) {
    let test_db = TestDatabase::create(true).await;
    let db = test_db.owner_db().await;
    (test_db, db)
}

/// [`owner_store`] with one showroom per slug, seeded straight in the store.
pub async fn store_with_tenants<const N: usize>(slugs: [&str; N]) -> (TestDatabase, Db, [TenantId; N]) {
    let (test_db, db) = owner_store().await;
    let mut tenants = [TenantId(uuid::Uuid::nil()); N];
    for (tenant, slug) in tenants.iter_mut().zip(slugs) {
        *tenant = seed_tenant(&db, slug).await;
    }
    (test_db, db, tenants)
}

/// A showroom written straight into the store (its owner `owner@<slug>.test` cannot log in).
pub async fn seed_tenant(db: &Db, slug: &str) -> TenantId {
    let (tenant, _) = db
        .platform()
        .create_tenant(
            &NewTenant { slug: slug.into(), name: slug.into(), whatsapp_number: None, domain: None },
            &NewUser {
                email: Email::parse(&format!("owner@{slug}.test")).unwrap(),
                name: String::new(),
                role: Role::Owner,
                password_hash: "x".into(),
            },
            &json!({}),
        )
        .await
        .unwrap();
    tenant.id
}

/// Runs one statement with its binds on either backend, for the set-up the API cannot
/// do (raw rows, twin ids, backdating), and returns the rows it touched.
macro_rules! exec_sql {
    ($db:expr, $sql:expr $(, $bind:expr)* $(,)?) => {
        garasi_store::with_db!($db, |p| sqlx::query($sql)$(.bind($bind))*.execute(p).await.map(|r| r.rows_affected()))
            .unwrap()
    };
}
pub(crate) use exec_sql;

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data_dir);
        if let (Some(name), Some(admin)) = (self.pg_name.take(), postgres_admin_url()) {
            // Drop runs outside async context: use a private runtime on its own thread.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async move {
                    if let Ok(Db::Postgres(pool)) =
                        Db::connect(&admin, &DbOptions { max_connections: 1, ..DbOptions::default() }).await
                    {
                        let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                        let _ = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&pool).await;
                        pool.close().await;
                    }
                });
            })
            .join();
        }
    }
}

pub fn test_settings(db: &TestDatabase) -> Settings {
    let args = garasi_app::settings::SettingArgs {
        bind: Some("127.0.0.1:0".into()),
        internal_bind: Some("127.0.0.1:0".into()),
        data_dir: Some(db.data_dir.clone()),
        database_url: Some(db.runtime_url.clone()),
        redis_url: redis_url(),
        redis_prefix: Some(format!("garasi-test:{}:", uuid::Uuid::now_v7().simple())),
        ..Default::default()
    };
    Settings::resolve(&args).expect("test settings")
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub settings: Settings,
    pub client: reqwest::Client,
    pub running: Option<Running>,
    pub db: TestDatabase,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(tweak: impl FnOnce(&mut Settings)) -> TestApp {
        let db = TestDatabase::create(true).await;
        let mut settings = test_settings(&db);
        tweak(&mut settings);
        Self::spawn_on(db, settings).await
    }

    pub async fn spawn_on(db: TestDatabase, settings: Settings) -> TestApp {
        let runtime_db = garasi_app::server::open_database(&settings).await.expect("open database");
        let running = garasi_app::start(&settings, runtime_db).await.expect("start server");
        garasi_app::install_tls_provider();
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        TestApp { addr: running.addr, settings, client, running: Some(running), db }
    }

    /// A server with showrooms `(slug, name)` created through the root API; returns the
    /// root token for what the test does next. Nobody of the showrooms is logged in yet.
    pub async fn with_tenants(tenants: &[(&str, &str)]) -> (TestApp, String) {
        let app = TestApp::spawn().await;
        let root = app.root_token().await;
        for (slug, name) in tenants {
            app.create_tenant(&root, slug, name).await;
        }
        (app, root)
    }

    /// A server with one showroom and its owner's token: where most showroom tests start.
    pub async fn with_showroom(slug: &str, name: &str) -> (TestApp, String) {
        let app = TestApp::spawn().await;
        let token = app.add_showroom(slug, name).await;
        (app, token)
    }

    /// Creates a showroom as root and returns its owner's token.
    pub async fn add_showroom(&self, slug: &str, name: &str) -> String {
        let root = self.root_token().await;
        self.create_tenant(&root, slug, name).await;
        self.owner_token(slug).await
    }

    /// A second server on the same database (and Redis), as another instance would be.
    pub async fn spawn_sibling(&self) -> (SocketAddr, Running) {
        let mut settings = self.settings.clone();
        settings.bind = "127.0.0.1:0".parse().unwrap();
        let runtime_db = garasi_app::server::open_database(&settings).await.unwrap();
        let running = garasi_app::start(&settings, runtime_db).await.unwrap();
        (running.addr, running)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn admin_host(&self) -> String {
        self.settings.web.admin_host.clone()
    }

    pub fn tenant_host(slug: &str) -> String {
        format!("{slug}.localhost")
    }

    pub fn get(&self, host: &str, path: &str) -> reqwest::RequestBuilder {
        self.client.get(self.url(path)).header(HOST, host)
    }

    pub fn post(&self, host: &str, path: &str) -> reqwest::RequestBuilder {
        self.client.post(self.url(path)).header(HOST, host)
    }

    pub fn put(&self, host: &str, path: &str) -> reqwest::RequestBuilder {
        self.client.put(self.url(path)).header(HOST, host)
    }

    pub fn delete(&self, host: &str, path: &str) -> reqwest::RequestBuilder {
        self.client.delete(self.url(path)).header(HOST, host)
    }

    pub fn runtime_db(&self) -> Db {
        self.running.as_ref().expect("running").state.db.clone()
    }

    /// Creates a root user straight in the database.
    pub async fn create_root(&self, email: &str, password: &str) {
        let hash = garasi_web::hash_password(password).await.unwrap();
        self.runtime_db().platform().upsert_root_user(email, "Root", &hash).await.unwrap();
    }

    pub async fn login(&self, host: &str, email: &str, password: &str) -> reqwest::Response {
        self.post(host, "/api/auth/login").json(&json!({ "email": email, "password": password })).send().await.unwrap()
    }

    /// A root bearer token (creating the root user on first use).
    pub async fn root_token(&self) -> String {
        self.create_root("root@garasi.test", STRONG_PASSWORD).await;
        let resp = self.login(&self.admin_host(), "root@garasi.test", STRONG_PASSWORD).await;
        assert_eq!(resp.status(), 200, "root login");
        resp.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
    }

    /// `POST /api/admin/tenants` as root, body still to add: for tests that check the answer.
    pub fn post_tenant(&self, root_token: &str) -> reqwest::RequestBuilder {
        self.post(&self.admin_host(), "/api/admin/tenants").bearer_auth(root_token)
    }

    /// Suspends a showroom through the root API (it must answer 200).
    pub async fn suspend_tenant(&self, root_token: &str, tenant: &Value) {
        let id = tenant["id"].as_str().expect("tenant id");
        let resp = self
            .put(&self.admin_host(), &format!("/api/admin/tenants/{id}"))
            .bearer_auth(root_token)
            .json(&json!({ "status": "suspended" }))
            .fetch()
            .await;
        assert_eq!(resp.status(), 200);
    }

    /// Creates a showroom through the root API; its owner is `owner@<slug>.test`.
    pub async fn create_tenant(&self, root_token: &str, slug: &str, name: &str) -> Value {
        let resp = self
            .post_tenant(root_token)
            .json(&json!({
                "name": name,
                "slug": slug,
                "owner_email": format!("owner@{slug}.test"),
                "owner_password": STRONG_PASSWORD,
                "whatsapp_number": "0812-3456-7890",
            }))
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let body: Value = resp.json().await.unwrap();
        assert_eq!(status, 201, "create tenant {slug}: {body}");
        body
    }

    /// Logs in a showroom owner and returns the token.
    pub async fn owner_token(&self, slug: &str) -> String {
        let resp = self.login(&Self::tenant_host(slug), &format!("owner@{slug}.test"), STRONG_PASSWORD).await;
        assert_eq!(resp.status(), 200, "owner login on {slug}");
        resp.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
    }

    pub async fn stop(mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await.unwrap();
        }
    }
}

/// Sending a test request: a transport error is a failed test, so the tests read
/// only what they check (status, headers, body).
pub trait Fetch {
    fn fetch(self) -> impl Future<Output = reqwest::Response> + Send;
    /// Sends and reads the JSON body, whatever the status.
    fn fetch_json<T: DeserializeOwned>(self) -> impl Future<Output = T> + Send;
    /// Sends and reads the body as text, whatever the status.
    fn fetch_text(self) -> impl Future<Output = String> + Send;
    /// Sends, asserts the status (showing the body when it differs) and reads the JSON
    /// body: how the tests check an error's shape.
    fn fetch_expect(self, status: u16) -> impl Future<Output = Value> + Send;
}

impl Fetch for reqwest::RequestBuilder {
    async fn fetch(self) -> reqwest::Response {
        self.send().await.unwrap()
    }

    async fn fetch_json<T: DeserializeOwned>(self) -> T {
        self.send().await.unwrap().json().await.unwrap()
    }

    async fn fetch_text(self) -> String {
        self.send().await.unwrap().text().await.unwrap()
    }

    async fn fetch_expect(self, status: u16) -> Value {
        let resp = self.send().await.unwrap();
        let actual = resp.status().as_u16();
        let body = resp.text().await.unwrap();
        assert_eq!(actual, status, "{body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
    }
}

/// Sends raw bytes over TCP and returns the raw response (for malformed requests
/// that an HTTP client refuses to send).
pub async fn raw_request(addr: SocketAddr, request: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), stream.read_to_end(&mut buf)).await;
    String::from_utf8_lossy(&buf).into_owned()
}

/// An error body without its request id (unique per request), for comparing two answers.
pub fn without_request_id(mut body: Value) -> Value {
    if let Some(error) = body.get_mut("error").and_then(Value::as_object_mut) {
        error.remove("request_id");
    }
    body
}
