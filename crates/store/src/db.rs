use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use garasi_domain::TenantId;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

use crate::error::{StoreError, StoreResult};
use crate::platform::PlatformDb;
use crate::tenant::TenantDb;

/// Runs the same body against whichever pool the [`Db`] holds. The body is compiled
/// once per backend, so one piece of SQL serves both without sqlx's `Any` driver.
///
/// On SQLite `$p` is the pool of readers: use it for reads, and [`with_db_write!`] for a
/// statement that writes outside a transaction.
#[macro_export]
macro_rules! with_db {
    ($db:expr, |$p:ident| $body:expr) => {
        match $db {
            $crate::Db::Sqlite(sqlite) => {
                let $p = sqlite.readers();
                $body
            }
            $crate::Db::Postgres($p) => $body,
        }
    };
}

/// [`with_db!`] for a statement that writes by itself (no transaction around it): on
/// SQLite it runs on the one writer connection, queued with every other write.
#[macro_export]
macro_rules! with_db_write {
    ($db:expr, |$p:ident| $body:expr) => {
        match $db {
            $crate::Db::Sqlite(sqlite) => {
                let $p = sqlite.writer();
                $body
            }
            $crate::Db::Postgres($p) => $body,
        }
    };
}

/// Like [`with_db!`] for an open transaction: `$c` is `&mut <Backend>Connection`.
#[macro_export]
macro_rules! with_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

/// Runs one query on a transaction: `tx_query!(tx, MODE, SQL, a, b)` with `tx` a
/// `&mut Tx`, `a` bound to `$1`, `b` to `$2`, and so on. MODE says what comes back:
/// - `execute`: the rows affected (`u64`);
/// - `fetch_one`, `fetch_optional`, `fetch_all`: rows decoded with `FromRow` (`query_as`);
/// - `scalar_one`, `scalar_optional`, `scalar_all`: a single column (`query_scalar`).
///
/// The result is a `Result<_, sqlx::Error>`. Like [`with_tx!`], the query is compiled
/// once per backend, so one SQL text with `$N` placeholders serves both.
macro_rules! tx_query {
    ($tx:expr, $mode:ident, $($query:tt)*) => { run_query!(with_tx, $tx, $mode, $($query)*) };
}

/// [`tx_query!`] on the pool (`db` is a `&Db`): each statement its own transaction.
/// Reads only: a statement that writes goes through [`db_write!`].
macro_rules! db_query {
    ($db:expr, $mode:ident, $($query:tt)*) => { run_query!(with_db, $db, $mode, $($query)*) };
}

/// [`db_query!`] for a statement that writes (on SQLite: through the one writer).
macro_rules! db_write {
    ($db:expr, $mode:ident, $($query:tt)*) => { run_query!(with_db_write, $db, $mode, $($query)*) };
}

/// The expansion of [`tx_query!`] and [`db_query!`]: builds the query, binds the
/// arguments in order and runs it inside `$with!`. `execute` takes the row count inside
/// each arm because the two backends' result types differ.
macro_rules! run_query {
    (@run $with:ident, $on:expr, $make:ident, $fetch:ident, $sql:expr $(, $arg:expr)* $(,)?) => {
        $with!($on, |c| sqlx::$make($sql)$(.bind($arg))*.$fetch(c).await)
    };
    ($with:ident, $on:expr, execute, $sql:expr $(, $arg:expr)* $(,)?) => {
        $with!($on, |c| sqlx::query($sql)$(.bind($arg))*.execute(c).await.map(|r| r.rows_affected()))
    };
    ($with:ident, $on:expr, scalar_one, $($q:tt)*) => { run_query!(@run $with, $on, query_scalar, fetch_one, $($q)*) };
    ($with:ident, $on:expr, scalar_optional, $($q:tt)*) => { run_query!(@run $with, $on, query_scalar, fetch_optional, $($q)*) };
    ($with:ident, $on:expr, scalar_all, $($q:tt)*) => { run_query!(@run $with, $on, query_scalar, fetch_all, $($q)*) };
    ($with:ident, $on:expr, $fetch:ident, $($q:tt)*) => { run_query!(@run $with, $on, query_as, $fetch, $($q)*) };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database: SQLite (embedded default) or PostgreSQL (production).
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqliteDb),
    Postgres(PgPool),
}

/// SQLite allows one writer at a time. Writers that each take the lock themselves
/// (`BEGIN IMMEDIATE` on any pooled connection) wait in SQLite's busy handler, which
/// sleeps and retries (up to 100 ms a sleep): under load the order is luck and the
/// tail long. So every write goes through **one writer connection**, a pool of its
/// own with one connection: a writer waits for it in the pool's fair (first come,
/// first served) async queue, and holds it, with the lock, until its transaction ends.
/// Readers have their own pool and, in WAL mode, never wait for the writer.
#[derive(Clone, Debug)]
pub struct SqliteDb {
    readers: SqlitePool,
    writer: SqlitePool,
}

impl SqliteDb {
    /// The pool of read connections.
    pub fn readers(&self) -> &SqlitePool {
        &self.readers
    }

    /// The one write connection (for an in-memory database, the same single connection
    /// as the readers: a second connection would open another, empty database).
    pub fn writer(&self) -> &SqlitePool {
        &self.writer
    }
}

/// An open transaction on either backend.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    pub async fn commit(self) -> StoreResult<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

#[derive(Debug, Clone)]
pub struct DbOptions {
    pub max_connections: u32,
    /// Short, so a database outage answers 503 quickly instead of hanging requests.
    pub acquire_timeout: Duration,
}

impl Default for DbOptions {
    fn default() -> Self {
        DbOptions { max_connections: 10, acquire_timeout: Duration::from_secs(5) }
    }
}

/// Turns on SQLite's query planner stability guarantee (QPSG) for one connection.
///
/// Without it the planner may look at the values bound to a statement (the `LIMIT $n`
/// and `OFFSET $n` of every paged list, a `LIKE $n` pattern) and then marks the
/// prepared statement as depending on them: binding that parameter again, even to the
/// same value, expires the statement and the next step parses and plans it anew. The
/// profile of a catalogue page-cache miss showed a tenth of all CPU in that re-preparing
/// (bench/README.md, issue #16). With QPSG a statement keeps the plan it was prepared
/// with, so sqlx's statement cache is a real cache. Our queries get nothing from
/// value-dependent plans: no STAT4 statistics are gathered, and text search is
/// `lower(..) LIKE`, which no index serves.
async fn stable_query_plans(conn: &mut sqlx::SqliteConnection) -> Result<(), sqlx::Error> {
    let mut handle = conn.lock_handle().await?;
    let db = handle.as_raw_handle().as_ptr();
    // SAFETY: `db` is the live connection this locked handle guards for the duration
    // of the call; sqlite3_db_config with ENABLE_QPSG takes an int and an int pointer
    // (null: we don't read the old value back).
    let rc = unsafe {
        libsqlite3_sys::sqlite3_db_config(
            db,
            libsqlite3_sys::SQLITE_DBCONFIG_ENABLE_QPSG,
            1 as std::ffi::c_int,
            std::ptr::null_mut::<std::ffi::c_int>(),
        )
    };
    if rc == libsqlite3_sys::SQLITE_OK {
        Ok(())
    } else {
        Err(sqlx::Error::Configuration(format!("sqlite3_db_config(ENABLE_QPSG) failed: {rc}").into()))
    }
}

/// Whether QPSG is on for a connection (read back by the tests).
#[cfg(test)]
async fn sqlite_query_plans_are_stable(conn: &mut sqlx::SqliteConnection) -> Result<bool, sqlx::Error> {
    let mut handle = conn.lock_handle().await?;
    let db = handle.as_raw_handle().as_ptr();
    let mut on: std::ffi::c_int = -1;
    // SAFETY: as above; a negative first argument only reads the setting into `on`.
    let rc = unsafe {
        libsqlite3_sys::sqlite3_db_config(
            db,
            libsqlite3_sys::SQLITE_DBCONFIG_ENABLE_QPSG,
            -1 as std::ffi::c_int,
            &mut on,
        )
    };
    if rc != libsqlite3_sys::SQLITE_OK {
        return Err(sqlx::Error::Configuration(format!("sqlite3_db_config(ENABLE_QPSG) failed: {rc}").into()));
    }
    Ok(on == 1)
}

impl Db {
    /// Connects from a URL: `sqlite://path`, `sqlite::memory:` or `postgres://…`.
    pub async fn connect(url: &str, opts: &DbOptions) -> StoreResult<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let connect = PgConnectOptions::from_str(url)?.application_name("garasi");
            let pool = PgPoolOptions::new()
                .max_connections(opts.max_connections)
                .acquire_timeout(opts.acquire_timeout)
                .connect_with(connect)
                .await?;
            Ok(Db::Postgres(pool))
        } else if url.starts_with("sqlite:") {
            let (url, synchronous) = sqlite_synchronous(url)?;
            let connect = SqliteConnectOptions::from_str(&url)?
                .create_if_missing(true)
                // sqlx no longer turns WAL on by itself; WAL lets readers run beside the writer.
                .journal_mode(SqliteJournalMode::Wal)
                // In WAL mode NORMAL syncs at checkpoints, not at every commit: a commit
                // survives the process dying (it is in the WAL, which the OS holds), and only an
                // OS crash or power cut can lose the last ones. `?synchronous=full` in the URL
                // syncs every commit instead (see docs/ARCHITECTURE.md, Database).
                .synchronous(synchronous)
                // Only other processes (a `garasi` CLI command, a backup) wait here: this
                // process's writers queue for the writer connection instead.
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true);
            let in_memory = url.contains(":memory:") || url.contains("mode=memory");
            let pool = |max: u32| {
                SqlitePoolOptions::new()
                    // One in-memory database lives only as long as a connection holds it.
                    .max_connections(if in_memory { 1 } else { max })
                    .min_connections(if in_memory { 1 } else { 0 })
                    .idle_timeout(if in_memory { None } else { Some(Duration::from_secs(600)) })
                    .max_lifetime(if in_memory { None } else { Some(Duration::from_secs(1800)) })
                    .acquire_timeout(opts.acquire_timeout)
                    .after_connect(|conn, _| Box::pin(stable_query_plans(conn)))
                    .connect_with(connect.clone())
            };
            let readers = pool(opts.max_connections).await?;
            let writer = if in_memory { readers.clone() } else { pool(1).await? };
            Ok(Db::Sqlite(SqliteDb { readers, writer }))
        } else {
            Err(StoreError::UnsupportedUrl(redact_url(url)))
        }
    }

    /// The default SQLite URL for a data directory.
    pub fn sqlite_url_for_dir(dir: &Path) -> String {
        format!("sqlite://{}", dir.join("garasi.db").display())
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// A plain transaction, for platform tables only. Tenant data goes through [`Db::tenant`].
    pub(crate) async fn begin(&self) -> StoreResult<Tx> {
        let begin = async {
            match self {
                Db::Sqlite(s) => s.readers.begin().await.map(Tx::Sqlite),
                Db::Postgres(p) => p.begin().await.map(Tx::Postgres),
            }
        };
        Ok(crate::stats::timed_begin("read", begin).await?)
    }

    /// A transaction that will write. On SQLite it waits for the writer connection
    /// (see [`SqliteDb`]), then takes the write lock up front (`BEGIN IMMEDIATE`): a
    /// deferred transaction that reads first and writes later fails at once with
    /// "database is locked" when another process wrote in between. Never open a second
    /// one while holding one: it would wait for the connection the first one holds.
    pub(crate) async fn begin_write(&self) -> StoreResult<Tx> {
        let begin = async {
            match self {
                Db::Sqlite(s) => s.writer.begin_with("BEGIN IMMEDIATE").await.map(Tx::Sqlite),
                Db::Postgres(p) => p.begin().await.map(Tx::Postgres),
            }
        };
        Ok(crate::stats::timed_begin("write", begin).await?)
    }

    /// The only door to tenant tables.
    pub fn tenant(&self, tenant: TenantId) -> TenantDb {
        TenantDb::new(self.clone(), tenant)
    }

    /// Platform tables: tenants, domains, root users and sessions, audit log.
    pub fn platform(&self) -> PlatformDb {
        PlatformDb::new(self.clone())
    }

    /// Readiness probe: a round trip to the database.
    pub async fn ping(&self) -> StoreResult<()> {
        db_query!(self, execute, "SELECT 1")?;
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(s) => {
                s.writer.close().await;
                s.readers.close().await;
            }
            Db::Postgres(p) => p.close().await,
        }
    }
}

/// Takes `synchronous=normal|full` out of a SQLite URL (sqlx does not know the key).
/// The default is NORMAL; see [`Db::connect`].
fn sqlite_synchronous(url: &str) -> StoreResult<(String, SqliteSynchronous)> {
    let Some((base, query)) = url.split_once('?') else { return Ok((url.to_owned(), SqliteSynchronous::Normal)) };
    let mut synchronous = SqliteSynchronous::Normal;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("synchronous", value)) => {
                synchronous = match value.to_ascii_lowercase().as_str() {
                    "normal" => SqliteSynchronous::Normal,
                    "full" => SqliteSynchronous::Full,
                    "extra" => SqliteSynchronous::Extra,
                    _ => {
                        return Err(StoreError::UnsupportedUrl(format!("synchronous={value} (normal, full or extra)")));
                    }
                }
            }
            _ => kept.push(pair),
        }
    }
    let url = if kept.is_empty() { base.to_owned() } else { format!("{base}?{}", kept.join("&")) };
    Ok((url, synchronous))
}

/// Hides the password in a database URL before it reaches a log or an error message.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}://{}:***@{}", &url[..scheme_end], user, &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_password() {
        assert_eq!(redact_url("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact_url("sqlite://data/x.db"), "sqlite://data/x.db");
    }

    #[test]
    fn synchronous_comes_out_of_the_url() {
        let (url, s) = sqlite_synchronous("sqlite:///d/g.db?synchronous=FULL&mode=rwc").unwrap();
        assert_eq!((url.as_str(), format!("{s:?}")), ("sqlite:///d/g.db?mode=rwc", "Full".to_owned()));
        let (url, s) = sqlite_synchronous("sqlite:///d/g.db").unwrap();
        assert_eq!((url.as_str(), format!("{s:?}")), ("sqlite:///d/g.db", "Normal".to_owned()));
        assert!(sqlite_synchronous("sqlite:///d/g.db?synchronous=off").is_err());
    }

    /// Every connection of both pools plans a statement once (see `stable_query_plans`).
    #[tokio::test]
    async fn sqlite_connections_keep_their_query_plans() {
        let dir = std::env::temp_dir().join(format!("garasi-qpsg-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let opts = DbOptions { max_connections: 2, acquire_timeout: Duration::from_secs(5) };
        let db = Db::connect(&Db::sqlite_url_for_dir(&dir), &opts).await.unwrap();
        let Db::Sqlite(sqlite) = &db else { unreachable!("a sqlite URL") };
        let (mut r1, mut r2) = (sqlite.readers().acquire().await.unwrap(), sqlite.readers().acquire().await.unwrap());
        let mut w = sqlite.writer().acquire().await.unwrap();
        for conn in [&mut r1, &mut r2, &mut w] {
            assert!(sqlite_query_plans_are_stable(conn).await.unwrap());
        }
        drop((r1, r2, w));
        std::fs::remove_dir_all(&dir).ok();
    }

    /// Many tasks write at once on a file database, some while holding a read
    /// transaction, some with a statement of their own: every write commits (no "database
    /// is locked", no pool time-out from readers waiting on the writer).
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_sqlite_writers_all_commit() {
        const WRITERS: i64 = 48;
        const EACH: i64 = 15;
        let dir = std::env::temp_dir().join(format!("garasi-writers-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        // Fewer read connections than writers, so readers do wait for the writer.
        let opts = DbOptions { max_connections: 4, acquire_timeout: Duration::from_secs(20) };
        let db = Db::connect(&Db::sqlite_url_for_dir(&dir), &opts).await.unwrap();
        db_write!(&db, execute, "CREATE TABLE tally (writer INTEGER NOT NULL, n INTEGER NOT NULL)").unwrap();
        let tasks: Vec<_> = (0..WRITERS)
            .map(|w| {
                let db = db.clone();
                tokio::spawn(async move {
                    for n in 0..EACH {
                        match n % 3 {
                            // Reads, then writes, in one write transaction.
                            0 => {
                                let mut tx = db.begin_write().await?;
                                let mine: i64 =
                                    tx_query!(&mut tx, scalar_one, "SELECT count(*) FROM tally WHERE writer = $1", w)?;
                                tx_query!(&mut tx, execute, "INSERT INTO tally (writer, n) VALUES ($1, $2)", w, mine)?;
                                tx.commit().await?;
                            }
                            // Holds a read transaction (and its connection) while it waits to write.
                            1 => {
                                let mut read = db.begin().await?;
                                let _: i64 = tx_query!(&mut read, scalar_one, "SELECT count(*) FROM tally")?;
                                let mut tx = db.begin_write().await?;
                                tx_query!(&mut tx, execute, "INSERT INTO tally (writer, n) VALUES ($1, $2)", w, n)?;
                                tx.commit().await?;
                                read.commit().await?;
                            }
                            // A statement outside any transaction.
                            _ => {
                                db_write!(&db, execute, "INSERT INTO tally (writer, n) VALUES ($1, $2)", w, n)?;
                            }
                        }
                    }
                    Ok::<_, StoreError>(())
                })
            })
            .collect();
        let mut failures = Vec::new();
        for task in tasks {
            if let Err(e) = task.await.unwrap() {
                failures.push(e.to_string());
            }
        }
        assert!(failures.is_empty(), "writes failed: {failures:?}");
        let total: i64 = db_query!(&db, scalar_one, "SELECT count(*) FROM tally").unwrap();
        assert_eq!(total, WRITERS * EACH);
        let per_writer: Vec<i64> =
            db_query!(&db, scalar_all, "SELECT count(*) FROM tally GROUP BY writer ORDER BY writer").unwrap();
        assert_eq!(per_writer, vec![EACH; WRITERS as usize]);
        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
