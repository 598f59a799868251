//! Schema migrations (embedded from `migrations/<backend>`) and the PostgreSQL
//! two-role set-up: an owner role migrates, a runtime role without BYPASSRLS serves.

use sqlx::migrate::Migrator;

use crate::db::{Backend, Db};
use crate::error::StoreResult;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../../migrations/postgres");

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    pub applied: Vec<i64>,
    pub pending: Vec<i64>,
}

/// What the runtime role may do that it must not.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoleCheck {
    pub role: String,
    pub superuser: bool,
    pub bypass_rls: bool,
    pub owned_tables: i64,
}

impl RoleCheck {
    /// RLS is silently off for superusers, BYPASSRLS roles and table owners.
    pub fn is_safe(&self) -> bool {
        !self.superuser && !self.bypass_rls && self.owned_tables == 0
    }
}

impl Db {
    fn migrator(&self) -> &'static Migrator {
        match self.backend() {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// Every migration version this binary knows, in order.
    pub fn known_migrations(&self) -> Vec<i64> {
        self.migrator().iter().map(|m| m.version).collect()
    }

    /// Applies pending migrations. On PostgreSQL sqlx holds an advisory lock, so two
    /// instances starting together do not race.
    pub async fn migrate(&self) -> StoreResult<()> {
        match self {
            Db::Sqlite(s) => SQLITE_MIGRATIONS.run(s.writer()).await?,
            Db::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await?,
        }
        Ok(())
    }

    /// Reads which migrations are applied without creating anything, so it works as
    /// the runtime role (which may only read `_sqlx_migrations`).
    pub async fn migration_status(&self) -> StoreResult<MigrationStatus> {
        let exists: bool = match self {
            Db::Sqlite(s) => {
                sqlx::query_scalar::<_, i64>(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
                )
                .fetch_one(s.readers())
                .await?
                    > 0
            }
            Db::Postgres(p) => {
                sqlx::query_scalar::<_, bool>("SELECT to_regclass('_sqlx_migrations') IS NOT NULL").fetch_one(p).await?
            }
        };
        let applied: Vec<i64> = if exists {
            with_db!(self, |p| sqlx::query_scalar::<_, i64>(
                "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version"
            )
            .fetch_all(p)
            .await)?
        } else {
            Vec::new()
        };
        let pending = self.known_migrations().into_iter().filter(|v| !applied.contains(v)).collect();
        Ok(MigrationStatus { applied, pending })
    }

    /// PostgreSQL only: what the connected role could bypass. SQLite has no roles.
    pub async fn runtime_role_check(&self) -> StoreResult<Option<RoleCheck>> {
        let Db::Postgres(p) = self else { return Ok(None) };
        let (role, superuser, bypass_rls): (String, bool, bool) =
            sqlx::query_as("SELECT rolname::text, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
                .fetch_one(p)
                .await?;
        let owned_tables: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tableowner = current_user",
        )
        .fetch_one(p)
        .await?;
        Ok(Some(RoleCheck { role, superuser, bypass_rls, owned_tables }))
    }

    /// PostgreSQL only: grants `role` exactly what the runtime needs: DML on the
    /// application tables and read access to the migration history. No TRUNCATE or
    /// REFERENCES (neither is subject to RLS), no DDL, no ownership.
    pub async fn grant_runtime_role(&self, role: &str) -> Result<(), GrantError> {
        let Db::Postgres(p) = self else { return Err(GrantError::NotPostgres) };
        if !is_plain_identifier(role) {
            return Err(GrantError::BadRoleName(role.to_owned()));
        }
        let found: Option<(bool, bool)> =
            sqlx::query_as("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1")
                .bind(role)
                .fetch_optional(p)
                .await
                .map_err(crate::StoreError::from)?;
        match found {
            None => return Err(GrantError::NoSuchRole(role.to_owned())),
            Some((true, _)) | Some((_, true)) => return Err(GrantError::Privileged(role.to_owned())),
            Some(_) => {}
        }
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename",
        )
        .fetch_all(p)
        .await
        .map_err(crate::StoreError::from)?;
        let mut tx = p.begin().await.map_err(crate::StoreError::from)?;
        // Identifiers cannot be bound as parameters; both were checked to be plain
        // lowercase identifiers (the table names come from the catalogue).
        let schema_sql = format!("GRANT USAGE ON SCHEMA public TO \"{role}\"");
        sqlx::query(sqlx::AssertSqlSafe(schema_sql)).execute(&mut *tx).await.map_err(crate::StoreError::from)?;
        for table in tables {
            let privileges = if table == "_sqlx_migrations" { "SELECT" } else { "SELECT, INSERT, UPDATE, DELETE" };
            let sql = format!("GRANT {privileges} ON TABLE \"{table}\" TO \"{role}\"");
            sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut *tx).await.map_err(crate::StoreError::from)?;
        }
        tx.commit().await.map_err(crate::StoreError::from)?;
        Ok(())
    }
}

fn is_plain_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && s.len() <= 63
}

#[derive(Debug, thiserror::Error)]
pub enum GrantError {
    #[error("--grant-to works only on PostgreSQL")]
    NotPostgres,
    #[error("role name {0:?} must be a plain lowercase identifier")]
    BadRoleName(String),
    #[error("role {0:?} does not exist; create it first: CREATE ROLE {0} LOGIN PASSWORD '…' NOSUPERUSER NOBYPASSRLS;")]
    NoSuchRole(String),
    #[error("role {0:?} is a superuser or has BYPASSRLS, which would switch row-level security off")]
    Privileged(String),
    #[error(transparent)]
    Store(#[from] crate::StoreError),
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::PathBuf;

    fn listing(backend: &str) -> BTreeSet<String> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../migrations").join(backend);
        std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect()
    }

    /// Both trees must carry the same versions under the same names, so a schema change
    /// can never land on one backend only.
    #[test]
    fn sqlite_and_postgres_migrations_match() {
        let sqlite = listing("sqlite");
        let postgres = listing("postgres");
        assert!(!sqlite.is_empty(), "no migrations found");
        assert_eq!(sqlite, postgres, "migrations/sqlite and migrations/postgres differ");
        let sqlite_versions: Vec<i64> = super::SQLITE_MIGRATIONS.iter().map(|m| m.version).collect();
        let pg_versions: Vec<i64> = super::POSTGRES_MIGRATIONS.iter().map(|m| m.version).collect();
        assert_eq!(sqlite_versions, pg_versions);
    }

    #[test]
    fn identifiers() {
        assert!(super::is_plain_identifier("garasi_rt"));
        assert!(!super::is_plain_identifier("x\"; DROP"));
        assert!(!super::is_plain_identifier("Upper"));
        assert!(!super::is_plain_identifier(""));
    }
}
