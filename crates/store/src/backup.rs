//! What backups and restores need from the database: consistent snapshots, row counts
//! per table, an emptiness check, and the platform job that schedules backups.
//!
//! Row counts must describe exactly the data in the archive, so they are taken inside
//! the snapshot the archive holds: on SQLite in the `VACUUM INTO` copy, on PostgreSQL in
//! the REPEATABLE READ transaction whose exported snapshot `pg_dump --snapshot` reads.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::types::Json;
use sqlx::{Connection, PgConnection, Postgres, SqliteConnection, Transaction};
use uuid::Uuid;

use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::time::now;

/// Row counts by table name.
pub type RowCounts = BTreeMap<String, i64>;

/// The migrations table: present in every database, even one nothing was written to.
pub const MIGRATIONS_TABLE: &str = "_sqlx_migrations";

/// Table names come from the catalogue, but they are spliced into SQL: accept only
/// plain identifiers, so a hostile catalogue cannot inject anything.
fn checked(table: &str) -> StoreResult<&str> {
    let plain = !table.is_empty()
        && table.len() <= 63
        && table.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain { Ok(table) } else { Err(StoreError::Backup(format!("unexpected table name {table:?}"))) }
}

/// Counts the rows of every table `$list_sql` names, on a connection of either backend
/// (the two differ only in how the catalogue is read; the connection types share no
/// trait a plain function could name without a wall of bounds).
macro_rules! count_tables {
    ($conn:expr, $list_sql:expr) => {{
        let conn = $conn;
        let tables: Vec<String> = sqlx::query_scalar($list_sql).fetch_all(&mut *conn).await?;
        let mut counts = RowCounts::new();
        for table in tables {
            let sql = format!("SELECT COUNT(*) FROM \"{}\"", checked(&table)?);
            let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(&mut *conn).await?;
            counts.insert(table, n);
        }
        Ok(counts)
    }};
}

async fn sqlite_counts(conn: &mut SqliteConnection) -> StoreResult<RowCounts> {
    count_tables!(
        conn,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
}

async fn pg_counts(conn: &mut PgConnection) -> StoreResult<RowCounts> {
    count_tables!(conn, "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
}

/// Opens one SQLite file by itself (not through a pool), read-only unless `write`.
async fn open_sqlite_file(path: &Path, write: bool) -> StoreResult<SqliteConnection> {
    let opts = SqliteConnectOptions::new()
        .filename(path)
        .read_only(!write)
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(30));
    Ok(SqliteConnection::connect_with(&opts).await?)
}

/// A consistent copy of any SQLite file (Garasi's database or a WhatsApp device store)
/// taken while others write to it: `VACUUM INTO` reads inside one read transaction.
/// `dest` must not exist.
pub async fn sqlite_snapshot(src: &Path, dest: &Path) -> StoreResult<()> {
    let mut conn = open_sqlite_file(src, false).await?;
    let dest = dest.to_str().ok_or_else(|| StoreError::Backup("snapshot path is not UTF-8".into()))?;
    sqlx::query("VACUUM INTO $1").bind(dest).execute(&mut conn).await?;
    conn.close().await?;
    Ok(())
}

/// Row counts of every table of a SQLite file (the snapshot, or a restored database).
pub async fn sqlite_file_counts(path: &Path) -> StoreResult<RowCounts> {
    // Read-write (it only reads): a WAL database cannot always be opened read-only.
    let mut conn = open_sqlite_file(path, true).await?;
    let counts = sqlite_counts(&mut conn).await?;
    conn.close().await?;
    Ok(counts)
}

/// An exported PostgreSQL snapshot, held open: while it lives, `pg_dump --snapshot=<id>`
/// sees exactly what [`PgSnapshot::counts`] counted, whatever commits meanwhile.
pub struct PgSnapshot {
    tx: Transaction<'static, Postgres>,
    pub id: String,
}

impl PgSnapshot {
    /// Connects (as a role that bypasses row-level security: see [`require_rls_bypass`]),
    /// opens a REPEATABLE READ, READ ONLY transaction and exports its snapshot.
    pub async fn open(url: &str) -> StoreResult<PgSnapshot> {
        let opts = PgConnectOptions::from_str(url)?.application_name("garasi-backup");
        // A private one-connection pool: the transaction must own its connection.
        let pool = PgPoolOptions::new().max_connections(1).connect_with(opts).await?;
        let mut tx = pool.begin().await?;
        // Must be the transaction's first statement.
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
        require_rls_bypass(&mut tx).await?;
        // Off, not bypassed silently: a role that RLS would filter gets an error, never a short count.
        sqlx::query("SET LOCAL row_security = off").execute(&mut *tx).await?;
        let id: String = sqlx::query_scalar("SELECT pg_export_snapshot()").fetch_one(&mut *tx).await?;
        Ok(PgSnapshot { tx, id })
    }

    /// Row counts of every table in the snapshot.
    pub async fn counts(&mut self) -> StoreResult<RowCounts> {
        pg_counts(&mut self.tx).await
    }

    /// Ends the snapshot (after `pg_dump` is done with it).
    pub async fn close(self) -> StoreResult<()> {
        self.tx.rollback().await?;
        Ok(())
    }
}

/// Backing up and restoring read and write every tenant's rows, which FORCE'd row-level
/// security hides even from the tables' owner: the role must be a superuser or have
/// BYPASSRLS. Checked up front for a clear message instead of a failure half-way.
async fn require_rls_bypass(conn: &mut PgConnection) -> StoreResult<()> {
    let (role, ok): (String, bool) = sqlx::query_as(
        "SELECT current_user::text, rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user",
    )
    .fetch_one(&mut *conn)
    .await?;
    if ok {
        Ok(())
    } else {
        Err(StoreError::Backup(format!(
            "PostgreSQL role {role:?} cannot read past row-level security: backups and restores need the owner \
             role with BYPASSRLS (as a superuser: ALTER ROLE {role} BYPASSRLS;) or a superuser URL"
        )))
    }
}

/// The file of a `sqlite:` URL; `None` for an in-memory database or another backend.
pub fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    if !url.starts_with("sqlite:") || url.contains(":memory:") || url.contains("mode=memory") {
        return None;
    }
    SqliteConnectOptions::from_str(url).ok().map(|o| o.get_filename().to_owned())
}

/// The user name of a PostgreSQL URL.
pub fn pg_user(url: &str) -> Option<String> {
    PgConnectOptions::from_str(url).ok().map(|o| o.get_username().to_owned())
}

impl Db {
    /// Row counts of every table, read past row-level security (PostgreSQL: needs a
    /// BYPASSRLS or superuser role). Used after a restore, when nothing else writes.
    pub async fn row_counts(&self) -> StoreResult<RowCounts> {
        match self {
            Db::Sqlite(s) => {
                let mut conn = s.readers().acquire().await?;
                sqlite_counts(&mut conn).await
            }
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SET LOCAL row_security = off").execute(&mut *tx).await?;
                let counts = pg_counts(&mut tx).await?;
                tx.rollback().await?;
                Ok(counts)
            }
        }
    }

    /// The first table (other than the migrations table) that holds a row: a restore
    /// refuses to overwrite it without `--force`. `None` for an empty or unmigrated database.
    pub async fn first_table_with_rows(&self) -> StoreResult<Option<(String, i64)>> {
        Ok(self.row_counts().await?.into_iter().find(|(table, n)| *n > 0 && table != MIGRATIONS_TABLE))
    }

    /// PostgreSQL: fails with a clear message unless the connected role bypasses RLS.
    pub async fn require_rls_bypass(&self) -> StoreResult<()> {
        match self {
            Db::Sqlite(_) => Ok(()),
            Db::Postgres(pool) => {
                let mut conn = pool.acquire().await?;
                require_rls_bypass(&mut conn).await
            }
        }
    }

    /// Enqueues a platform job (no tenant), e.g. one scheduled backup per period. `None`
    /// when a job with the same dedupe key exists: every instance may try, one job results.
    pub async fn enqueue_platform_job(
        &self,
        queue: &str,
        kind: &str,
        payload: &Value,
        run_at: DateTime<Utc>,
        dedupe_key: &str,
    ) -> StoreResult<Option<Uuid>> {
        let id = Uuid::now_v7();
        let at = now();
        let n = db_write!(
            self,
            execute,
            "INSERT INTO jobs (id, tenant_id, queue, kind, payload, status, attempts, max_attempts, run_at, \
             dedupe_key, ordering_key, created_at, updated_at) \
             VALUES ($1, NULL, $2, $3, $4, 'queued', 0, 3, $5, $6, NULL, $7, $7) ON CONFLICT (dedupe_key) DO NOTHING",
            id,
            queue,
            kind,
            Json(payload),
            run_at,
            dedupe_key,
            at
        )
        .map_err(StoreError::from_write)?;
        Ok((n > 0).then_some(id))
    }
}

#[cfg(test)]
mod tests {
    use super::checked;

    #[test]
    fn only_plain_table_names_reach_sql() {
        assert!(checked("car_photos").is_ok());
        assert!(checked("_sqlx_migrations").is_ok());
        assert!(checked("x\"; DROP TABLE cars; --").is_err());
        assert!(checked("").is_err());
    }
}
