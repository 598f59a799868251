use chrono::{DateTime, Utc};
use garasi_domain::TenantId;
use serde_json::Value;
use sqlx::FromRow;
use sqlx::types::Json;
use uuid::Uuid;

use super::PlatformDb;
use crate::db::Tx;
use crate::error::StoreResult;
use crate::time::now;

/// One change worth keeping a record of: who did what to which object.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub tenant_id: Option<TenantId>,
    /// `root`, `user`, `system` or `bot`.
    pub actor_kind: &'static str,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    pub details: Value,
    pub ip: Option<String>,
}

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct AuditRecord {
    pub id: Uuid,
    pub tenant_id: Option<Uuid>,
    pub actor_kind: String,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    pub details: Json<Value>,
    pub ip: Option<String>,
    pub created_at: DateTime<Utc>,
}

const INSERT_AUDIT: &str = "INSERT INTO audit_log (id, tenant_id, actor_kind, actor_id, action, target_kind, \
                            target_id, details, ip, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

/// Binds an entry to [`INSERT_AUDIT`]; one list of binds for the pool and a transaction.
macro_rules! bind_audit {
    ($e:expr) => {
        sqlx::query(INSERT_AUDIT)
            .bind(Uuid::now_v7())
            .bind($e.tenant_id.map(|t| t.0))
            .bind($e.actor_kind)
            .bind($e.actor_id)
            .bind(&$e.action)
            .bind(&$e.target_kind)
            .bind(&$e.target_id)
            .bind(Json(&$e.details))
            .bind(&$e.ip)
            .bind(now())
    };
}

/// Writes an entry inside an open transaction, so it commits or rolls back with the change it records.
pub(crate) async fn insert_in(tx: &mut Tx, e: &AuditEntry) -> StoreResult<()> {
    with_tx!(tx, |c| bind_audit!(e).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

impl PlatformDb {
    /// Writes an entry on its own. For changes made in a transaction use
    /// `TenantTx::audit`, so the entry shares the change's fate.
    pub async fn audit(&self, e: &AuditEntry) -> StoreResult<()> {
        with_db_write!(&self.db, |p| bind_audit!(e).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Newest first; optionally one tenant's entries only.
    pub async fn audit_log(&self, tenant: Option<TenantId>, limit: i64, offset: i64) -> StoreResult<Vec<AuditRecord>> {
        const SQL: &str = "SELECT id, tenant_id, actor_kind, actor_id, action, target_kind, target_id, details, ip, \
                           created_at FROM audit_log WHERE ($1 IS NULL OR tenant_id = $1) \
                           ORDER BY id DESC LIMIT $2 OFFSET $3";
        Ok(db_query!(&self.db, fetch_all, SQL, tenant.map(|t| t.0), limit, offset)?)
    }
}
