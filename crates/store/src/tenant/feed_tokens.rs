//! The secret in a showroom's marketplace feed URLs (`feed_tokens`, one row a showroom).

use chrono::{DateTime, Utc};
use garasi_domain::TenantId;
use uuid::Uuid;

use crate::db::Tx;
use crate::error::{StoreError, StoreResult};

pub struct FeedTokens<'a> {
    tx: &'a mut Tx,
    tenant: TenantId,
}

impl<'a> FeedTokens<'a> {
    pub(crate) fn new(tx: &'a mut Tx, tenant: TenantId) -> Self {
        FeedTokens { tx, tenant }
    }

    /// The current token and when it was made, if the showroom has one.
    pub async fn current(&mut self) -> StoreResult<Option<(String, DateTime<Utc>)>> {
        const SQL: &str = "SELECT token, created_at FROM feed_tokens WHERE tenant_id = $1";
        Ok(tx_query!(self.tx, fetch_optional, SQL, self.tenant.0)?)
    }

    /// Replaces the token (the old one stops working when this commits). Returns whether
    /// there was one before.
    pub async fn replace(&mut self, token: &str, at: DateTime<Utc>) -> StoreResult<bool> {
        const DELETE: &str = "DELETE FROM feed_tokens WHERE tenant_id = $1";
        let had = tx_query!(self.tx, execute, DELETE, self.tenant.0)? > 0;
        const INSERT: &str = "INSERT INTO feed_tokens (tenant_id, id, token, created_at) VALUES ($1, $2, $3, $4)";
        tx_query!(self.tx, execute, INSERT, self.tenant.0, Uuid::now_v7(), token, at)
            .map_err(StoreError::from_write)?;
        Ok(had)
    }
}
