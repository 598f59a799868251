use chrono::{DateTime, Utc};
use sqlx::FromRow;
use uuid::Uuid;

use super::PlatformDb;
use crate::error::{StoreError, StoreResult};
use crate::tenant::{Session, select_sessions};
use crate::time::now;

/// A platform operator. Root users live outside every tenant.
#[derive(Debug, Clone, FromRow)]
pub struct RootUser {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
}

/// A root user's login, kept in `platform_sessions`: the same row as a tenant [`Session`].
pub type RootSession = Session;

macro_rules! select_root_users {
    ($rest:literal) => {
        concat!("SELECT id, email, name, password_hash, created_at, disabled_at FROM platform_users ", $rest)
    };
}

impl PlatformDb {
    /// Creates a root user, or sets a new password for an existing e-mail, which is
    /// how an operator recovers a lost root password (`garasi root create`).
    pub async fn upsert_root_user(&self, email: &str, name: &str, password_hash: &str) -> StoreResult<RootUser> {
        let at = now();
        const SQL: &str = "INSERT INTO platform_users (id, email, password_hash, name, created_at, updated_at) \
                           VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (email) DO UPDATE SET \
                           password_hash = excluded.password_hash, updated_at = excluded.updated_at";
        db_write!(&self.db, execute, SQL, Uuid::now_v7(), email, password_hash, name, at)
            .map_err(StoreError::from_write)?;
        self.root_user_by_email(email).await?.ok_or(StoreError::NotFound)
    }

    pub async fn root_user_by_email(&self, email: &str) -> StoreResult<Option<RootUser>> {
        const SQL: &str = select_root_users!("WHERE email = $1");
        Ok(db_query!(&self.db, fetch_optional, SQL, email)?)
    }

    pub async fn root_user(&self, id: Uuid) -> StoreResult<Option<RootUser>> {
        const SQL: &str = select_root_users!("WHERE id = $1");
        Ok(db_query!(&self.db, fetch_optional, SQL, id)?)
    }

    pub async fn count_root_users(&self) -> StoreResult<i64> {
        const SQL: &str = "SELECT count(*) FROM platform_users";
        Ok(db_query!(&self.db, scalar_one, SQL)?)
    }

    pub async fn create_root_session(
        &self,
        user_id: Uuid,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        user_agent: Option<&str>,
    ) -> StoreResult<RootSession> {
        let s = Session::starting(user_id, expires_at);
        const SQL: &str = "INSERT INTO platform_sessions (id, token_hash, user_id, created_at, last_seen_at, \
                           expires_at, user_agent) VALUES ($1, $2, $3, $4, $4, $5, $6)";
        db_write!(&self.db, execute, SQL, s.id, token_hash, user_id, s.created_at, expires_at, user_agent)
            .map_err(StoreError::from_write)?;
        Ok(s)
    }

    pub async fn find_root_session(&self, token_hash: &str, at: DateTime<Utc>) -> StoreResult<Option<RootSession>> {
        const SQL: &str = select_sessions!("platform_sessions", "WHERE token_hash = $1 AND expires_at > $2");
        Ok(db_query!(&self.db, fetch_optional, SQL, token_hash, at)?)
    }

    pub async fn touch_root_session(&self, id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
        const SQL: &str = "UPDATE platform_sessions SET last_seen_at = $2 WHERE id = $1";
        db_write!(&self.db, execute, SQL, id, at)?;
        Ok(())
    }

    pub async fn delete_root_session(&self, id: Uuid) -> StoreResult<bool> {
        const SQL: &str = "DELETE FROM platform_sessions WHERE id = $1";
        let done = db_write!(&self.db, execute, SQL, id)?;
        Ok(done > 0)
    }

    pub async fn delete_expired_root_sessions(&self, at: DateTime<Utc>) -> StoreResult<u64> {
        const SQL: &str = "DELETE FROM platform_sessions WHERE expires_at <= $1";
        let done = db_write!(&self.db, execute, SQL, at)?;
        Ok(done)
    }
}
