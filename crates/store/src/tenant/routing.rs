//! Lead routing state: the round robin's cursor (`lead_routing`, one row per showroom)
//! and the response clock of each lead (`leads.assigned_at`, `leads.first_response_at`).
//!
//! The cursor is read and written inside the assignment's own transaction, after
//! [`LeadRouting::lock_cursor`] took the row's lock (PostgreSQL) or the write lock
//! (SQLite, whose write transactions run one at a time): two instances assigning at the
//! same moment queue up, and the second sees the first one's cursor.

use chrono::{DateTime, Utc};
use garasi_domain::TenantId;
use garasi_domain::routing::Cursor;
use sqlx::FromRow;
use uuid::Uuid;

use crate::db::Tx;
use crate::error::StoreResult;
use crate::time::now;

pub struct LeadRouting<'a> {
    tx: &'a mut Tx,
    tenant: TenantId,
}

/// A lead's response clock.
#[derive(Debug, Clone, FromRow)]
pub struct ResponseClock {
    pub id: Uuid,
    pub status: String,
    pub assigned_sales_id: Option<Uuid>,
    pub assigned_at: Option<DateTime<Utc>>,
    pub first_response_at: Option<DateTime<Utc>>,
}

/// A lead as the response figures see it.
#[derive(Debug, Clone, FromRow)]
pub struct ResponseRow {
    pub id: Uuid,
    pub name: String,
    pub phone: String,
    pub status: String,
    pub assigned_sales_id: Option<Uuid>,
    pub assigned_sales_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub assigned_at: Option<DateTime<Utc>>,
    pub first_response_at: Option<DateTime<Utc>>,
}

const RESPONSE_COLUMNS: &str = "SELECT l.id, l.name, l.phone, l.status, l.assigned_sales_id, \
     s.name AS assigned_sales_name, l.created_at, l.assigned_at, l.first_response_at FROM leads l \
     LEFT JOIN sales_staff s ON s.tenant_id = l.tenant_id AND s.id = l.assigned_sales_id ";

impl<'a> LeadRouting<'a> {
    pub(crate) fn new(tx: &'a mut Tx, tenant: TenantId) -> Self {
        LeadRouting { tx, tenant }
    }

    /// Takes the showroom's routing row (creating it the first time) and returns the
    /// cursor. Call it first in a write transaction; it holds the lock until commit.
    pub async fn lock_cursor(&mut self) -> StoreResult<Option<Cursor>> {
        const INSERT: &str = "INSERT INTO lead_routing (tenant_id, cursor_sales_id, served, updated_at) \
                              VALUES ($1, NULL, 0, $2) ON CONFLICT (tenant_id) DO NOTHING";
        tx_query!(self.tx, execute, INSERT, self.tenant.0, now())?;
        // A write first: the row lock on PostgreSQL, like SELECT … FOR UPDATE.
        const LOCK: &str = "UPDATE lead_routing SET served = served WHERE tenant_id = $1";
        tx_query!(self.tx, execute, LOCK, self.tenant.0)?;
        const SQL: &str = "SELECT cursor_sales_id, served FROM lead_routing WHERE tenant_id = $1";
        let row: Option<(Option<Uuid>, i64)> = tx_query!(self.tx, fetch_optional, SQL, self.tenant.0)?;
        Ok(row.and_then(|(id, served)| id.map(|sales_id| Cursor { sales_id, served })))
    }

    /// The cursor without locking (who would be next, for a customer asking for sales).
    pub async fn cursor(&mut self) -> StoreResult<Option<Cursor>> {
        const SQL: &str = "SELECT cursor_sales_id, served FROM lead_routing WHERE tenant_id = $1";
        let row: Option<(Option<Uuid>, i64)> = tx_query!(self.tx, fetch_optional, SQL, self.tenant.0)?;
        Ok(row.and_then(|(id, served)| id.map(|sales_id| Cursor { sales_id, served })))
    }

    /// Stores the cursor after a pick (the row must have been locked by [`Self::lock_cursor`]).
    pub async fn set_cursor(&mut self, cursor: Cursor) -> StoreResult<()> {
        const SQL: &str =
            "UPDATE lead_routing SET cursor_sales_id = $2, served = $3, updated_at = $4 WHERE tenant_id = $1";
        tx_query!(self.tx, execute, SQL, self.tenant.0, cursor.sales_id, cursor.served, now())?;
        Ok(())
    }

    /// Starts the response clock of a lead that just got its salesperson.
    pub async fn mark_assigned(&mut self, lead_id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
        const SQL: &str = "UPDATE leads SET assigned_at = $3 WHERE tenant_id = $1 AND id = $2";
        tx_query!(self.tx, execute, SQL, self.tenant.0, lead_id, at)?;
        Ok(())
    }

    /// Records the lead's first contact at `at`, once. `true` when this was the first.
    pub async fn mark_contacted(&mut self, lead_id: Uuid, at: DateTime<Utc>) -> StoreResult<bool> {
        const SQL: &str = "UPDATE leads SET first_response_at = $3 \
                           WHERE tenant_id = $1 AND id = $2 AND first_response_at IS NULL";
        Ok(tx_query!(self.tx, execute, SQL, self.tenant.0, lead_id, at)? > 0)
    }

    /// Locks a lead's row (a no-op write) and reads its response clock.
    pub async fn lock_clock(&mut self, lead_id: Uuid) -> StoreResult<Option<ResponseClock>> {
        const LOCK: &str = "UPDATE leads SET updated_at = updated_at WHERE tenant_id = $1 AND id = $2";
        tx_query!(self.tx, execute, LOCK, self.tenant.0, lead_id)?;
        const SQL: &str = "SELECT id, status, assigned_sales_id, assigned_at, first_response_at FROM leads \
                           WHERE tenant_id = $1 AND id = $2";
        Ok(tx_query!(self.tx, fetch_optional, SQL, self.tenant.0, lead_id)?)
    }

    /// Open leads not contacted yet, oldest first: the leads waiting now.
    pub async fn waiting(&mut self, limit: i64) -> StoreResult<Vec<ResponseRow>> {
        let sql = format!(
            "{RESPONSE_COLUMNS} WHERE l.tenant_id = $1 AND l.first_response_at IS NULL AND l.status = $2 \
             ORDER BY l.created_at, l.id LIMIT $3"
        );
        Ok(tx_query!(self.tx, fetch_all, sqlx::AssertSqlSafe(sql), self.tenant.0, "new", limit)?)
    }

    /// Leads assigned to someone since `since` (by creation), newest first, with their
    /// response clocks: the response and conversion figures per salesperson.
    pub async fn assigned_since(&mut self, since: DateTime<Utc>, limit: i64) -> StoreResult<Vec<ResponseRow>> {
        let sql = format!(
            "{RESPONSE_COLUMNS} WHERE l.tenant_id = $1 AND l.assigned_sales_id IS NOT NULL AND l.created_at >= $2 \
             ORDER BY l.created_at DESC, l.id DESC LIMIT $3"
        );
        Ok(tx_query!(self.tx, fetch_all, sqlx::AssertSqlSafe(sql), self.tenant.0, since, limit)?)
    }

    /// A lead's response clock, without locking.
    pub async fn clock(&mut self, lead_id: Uuid) -> StoreResult<Option<ResponseClock>> {
        const SQL: &str = "SELECT id, status, assigned_sales_id, assigned_at, first_response_at FROM leads \
                           WHERE tenant_id = $1 AND id = $2";
        Ok(tx_query!(self.tx, fetch_optional, SQL, self.tenant.0, lead_id)?)
    }
}
