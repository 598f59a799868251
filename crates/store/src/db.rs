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
#[macro_export]
macro_rules! with_db {
    ($db:expr, |$p:ident| $body:expr) => {
        match $db {
            $crate::Db::Sqlite($p) => $body,
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
macro_rules! db_query {
    ($db:expr, $mode:ident, $($query:tt)*) => { run_query!(with_db, $db, $mode, $($query)*) };
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
    Sqlite(SqlitePool),
    Postgres(PgPool),
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
            let connect = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                // sqlx no longer turns WAL on by itself; WAL lets readers run beside the writer.
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true);
            let in_memory = url.contains(":memory:") || url.contains("mode=memory");
            let pool = SqlitePoolOptions::new()
                // One in-memory database lives only as long as a connection holds it.
                .max_connections(if in_memory { 1 } else { opts.max_connections })
                .min_connections(if in_memory { 1 } else { 0 })
                .idle_timeout(if in_memory { None } else { Some(Duration::from_secs(600)) })
                .max_lifetime(if in_memory { None } else { Some(Duration::from_secs(1800)) })
                .acquire_timeout(opts.acquire_timeout)
                .connect_with(connect)
                .await?;
            Ok(Db::Sqlite(pool))
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
                Db::Sqlite(p) => p.begin().await.map(Tx::Sqlite),
                Db::Postgres(p) => p.begin().await.map(Tx::Postgres),
            }
        };
        Ok(crate::stats::timed_begin("read", begin).await?)
    }

    /// A transaction that will write. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`), waiting up to `busy_timeout` for it: a deferred
    /// transaction that reads first and writes later fails at once with
    /// "database is locked" when another writer got in between.
    pub(crate) async fn begin_write(&self) -> StoreResult<Tx> {
        let begin = async {
            match self {
                Db::Sqlite(p) => p.begin_with("BEGIN IMMEDIATE").await.map(Tx::Sqlite),
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
        with_db!(self, |p| p.close().await)
    }
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
    use super::redact_url;

    #[test]
    fn redacts_password() {
        assert_eq!(redact_url("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact_url("sqlite://data/x.db"), "sqlite://data/x.db");
    }
}
