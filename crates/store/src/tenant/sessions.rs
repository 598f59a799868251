use chrono::{DateTime, Utc};
use garasi_domain::TenantId;
use sqlx::FromRow;
use uuid::Uuid;

use crate::db::Tx;
use crate::error::{StoreError, StoreResult};
use crate::time::now;

/// A login of a tenant user. The same secret works as the cookie and as a bearer
/// token; only its hash is stored, and only on this tenant.
#[derive(Debug, Clone, FromRow)]
pub struct Session {
    pub id: Uuid,
    pub user_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl Session {
    /// A session of `user_id` that starts now: a fresh id, created and last seen now.
    pub(crate) fn starting(user_id: Uuid, expires_at: DateTime<Utc>) -> Session {
        let id = Uuid::now_v7();
        let at = now();
        Session { id, user_id, created_at: at, last_seen_at: at, expires_at }
    }
}

/// A session as its user sees it in "active sessions".
#[derive(Debug, Clone, FromRow)]
pub struct SessionInfo {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
}

/// `SELECT <session columns> FROM <table> <rest>`: one column list for the tenant
/// `sessions` and the root `platform_sessions`, which share the [`Session`] row.
macro_rules! select_sessions {
    ($table:literal, $rest:literal) => {
        concat!("SELECT id, user_id, created_at, last_seen_at, expires_at FROM ", $table, " ", $rest)
    };
}
pub(crate) use select_sessions;

pub struct Sessions<'a> {
    tx: &'a mut Tx,
    tenant: TenantId,
}

impl<'a> Sessions<'a> {
    pub(crate) fn new(tx: &'a mut Tx, tenant: TenantId) -> Self {
        Sessions { tx, tenant }
    }

    pub async fn create(
        &mut self,
        user_id: Uuid,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        user_agent: Option<&str>,
    ) -> StoreResult<Session> {
        self.create_from(user_id, token_hash, expires_at, user_agent, None).await
    }

    /// [`Sessions::create`] that also keeps the client address, for "active sessions".
    pub async fn create_from(
        &mut self,
        user_id: Uuid,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        user_agent: Option<&str>,
        ip: Option<&str>,
    ) -> StoreResult<Session> {
        let s = Session::starting(user_id, expires_at);
        const SQL: &str = "INSERT INTO sessions (tenant_id, id, token_hash, user_id, created_at, last_seen_at, \
                           expires_at, user_agent, ip) VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8)";
        tx_query!(
            self.tx,
            execute,
            SQL,
            self.tenant.0,
            s.id,
            token_hash,
            user_id,
            s.created_at,
            expires_at,
            user_agent,
            ip
        )
        .map_err(StoreError::from_write)?;
        Ok(s)
    }

    /// The unexpired session with this token hash, if any.
    pub async fn find_active(&mut self, token_hash: &str, at: DateTime<Utc>) -> StoreResult<Option<Session>> {
        const SQL: &str = select_sessions!("sessions", "WHERE tenant_id = $1 AND token_hash = $2 AND expires_at > $3");
        Ok(tx_query!(self.tx, fetch_optional, SQL, self.tenant.0, token_hash, at)?)
    }

    pub async fn touch(&mut self, id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
        const SQL: &str = "UPDATE sessions SET last_seen_at = $3 WHERE tenant_id = $1 AND id = $2";
        tx_query!(self.tx, execute, SQL, self.tenant.0, id, at)?;
        Ok(())
    }

    /// Ends one session. Returns whether it existed.
    pub async fn delete(&mut self, id: Uuid) -> StoreResult<bool> {
        const SQL: &str = "DELETE FROM sessions WHERE tenant_id = $1 AND id = $2";
        let done = tx_query!(self.tx, execute, SQL, self.tenant.0, id)?;
        Ok(done > 0)
    }

    /// Ends every session of a user (password change, disabling).
    pub async fn delete_for_user(&mut self, user_id: Uuid) -> StoreResult<u64> {
        const SQL: &str = "DELETE FROM sessions WHERE tenant_id = $1 AND user_id = $2";
        let done = tx_query!(self.tx, execute, SQL, self.tenant.0, user_id)?;
        Ok(done)
    }

    /// A user's unexpired sessions, most recently used first.
    pub async fn list_for_user(&mut self, user_id: Uuid, at: DateTime<Utc>) -> StoreResult<Vec<SessionInfo>> {
        const SQL: &str = "SELECT id, created_at, last_seen_at, user_agent, ip FROM sessions \
                           WHERE tenant_id = $1 AND user_id = $2 AND expires_at > $3 ORDER BY last_seen_at DESC, id DESC";
        Ok(tx_query!(self.tx, fetch_all, SQL, self.tenant.0, user_id, at)?)
    }

    /// Ends one session of `user_id` (a user ends only their own). Returns whether it existed.
    pub async fn delete_of_user(&mut self, user_id: Uuid, id: Uuid) -> StoreResult<bool> {
        const SQL: &str = "DELETE FROM sessions WHERE tenant_id = $1 AND user_id = $2 AND id = $3";
        Ok(tx_query!(self.tx, execute, SQL, self.tenant.0, user_id, id)? > 0)
    }

    /// Ends every session of `user_id` except `keep` (the one making the request).
    pub async fn delete_others(&mut self, user_id: Uuid, keep: Uuid) -> StoreResult<u64> {
        const SQL: &str = "DELETE FROM sessions WHERE tenant_id = $1 AND user_id = $2 AND id <> $3";
        Ok(tx_query!(self.tx, execute, SQL, self.tenant.0, user_id, keep)?)
    }

    pub async fn delete_expired(&mut self, at: DateTime<Utc>) -> StoreResult<u64> {
        const SQL: &str = "DELETE FROM sessions WHERE tenant_id = $1 AND expires_at <= $2";
        let done = tx_query!(self.tx, execute, SQL, self.tenant.0, at)?;
        Ok(done)
    }
}
