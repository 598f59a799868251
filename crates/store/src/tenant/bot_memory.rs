//! The bot's short-term memory of a contact (`bot_memory`), used when Redis is not
//! configured: the last turns, the last car list shown, the last filters. One JSON
//! document per (tenant, contact phone) with an expiry; expired rows read as absent.

use chrono::{DateTime, Utc};
use garasi_domain::TenantId;
use serde_json::Value;
use sqlx::types::Json;

use crate::db::Tx;
use crate::error::StoreResult;
use crate::time::now;

pub struct BotMemory<'a> {
    tx: &'a mut Tx,
    tenant: TenantId,
}

impl<'a> BotMemory<'a> {
    pub(crate) fn new(tx: &'a mut Tx, tenant: TenantId) -> Self {
        BotMemory { tx, tenant }
    }

    /// The memory of `contact_phone` (E.164), unless it expired before `at`.
    pub async fn get(&mut self, contact_phone: &str, at: DateTime<Utc>) -> StoreResult<Option<Value>> {
        const SQL: &str = "SELECT data FROM bot_memory WHERE tenant_id = $1 AND contact_phone = $2 AND expires_at > $3";
        let row: Option<Json<Value>> = tx_query!(self.tx, scalar_optional, SQL, self.tenant.0, contact_phone, at)?;
        Ok(row.map(|j| j.0))
    }

    /// Writes (or replaces) the memory of `contact_phone`.
    pub async fn put(&mut self, contact_phone: &str, data: &Value, expires_at: DateTime<Utc>) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO bot_memory (tenant_id, contact_phone, data, expires_at, updated_at) \
                           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, contact_phone) DO UPDATE SET \
                           data = excluded.data, expires_at = excluded.expires_at, updated_at = excluded.updated_at";
        tx_query!(self.tx, execute, SQL, self.tenant.0, contact_phone, Json(data), expires_at, now())?;
        Ok(())
    }

    /// Forgets `contact_phone` (the `/reset` command).
    pub async fn delete(&mut self, contact_phone: &str) -> StoreResult<bool> {
        const SQL: &str = "DELETE FROM bot_memory WHERE tenant_id = $1 AND contact_phone = $2";
        let n = tx_query!(self.tx, execute, SQL, self.tenant.0, contact_phone)?;
        Ok(n > 0)
    }

    /// Deletes this tenant's memories that expired before `at`; returns how many.
    pub async fn purge_expired(&mut self, at: DateTime<Utc>) -> StoreResult<u64> {
        const SQL: &str = "DELETE FROM bot_memory WHERE tenant_id = $1 AND expires_at <= $2";
        Ok(tx_query!(self.tx, execute, SQL, self.tenant.0, at)?)
    }
}
