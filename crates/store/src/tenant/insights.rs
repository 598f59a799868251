//! Insight counters (`insight_counts`) and the weekly summaries sent (`insight_summaries`).

use chrono::{DateTime, NaiveDate, Utc};
use garasi_domain::TenantId;
use uuid::Uuid;

use crate::db::Tx;
use crate::error::{StoreError, StoreResult};

pub struct Insights<'a> {
    tx: &'a mut Tx,
    tenant: TenantId,
}

/// One counter row: (day, kind, source, subject, n).
pub type CountRow = (String, String, String, String, i64);

impl<'a> Insights<'a> {
    pub(crate) fn new(tx: &'a mut Tx, tenant: TenantId) -> Self {
        Insights { tx, tenant }
    }

    /// Adds `n` to a counter; the addition happens in the database, so instances that
    /// flush the same counter add up instead of overwriting each other.
    pub async fn add(&mut self, day: NaiveDate, kind: &str, source: &str, subject: &str, n: i64) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO insight_counts (tenant_id, day, kind, source, subject, n) \
                           VALUES ($1, $2, $3, $4, $5, $6) \
                           ON CONFLICT (tenant_id, day, kind, source, subject) \
                           DO UPDATE SET n = insight_counts.n + excluded.n";
        tx_query!(self.tx, execute, SQL, self.tenant.0, day.to_string(), kind, source, subject, n)
            .map_err(StoreError::from_write)?;
        Ok(())
    }

    /// Every counter of Jakarta days `from` to `to` (both included).
    pub async fn between(&mut self, from: NaiveDate, to: NaiveDate) -> StoreResult<Vec<CountRow>> {
        const SQL: &str = "SELECT day, kind, source, subject, n FROM insight_counts \
                           WHERE tenant_id = $1 AND day >= $2 AND day <= $3 ORDER BY day, kind, source, subject";
        Ok(tx_query!(self.tx, fetch_all, SQL, self.tenant.0, from.to_string(), to.to_string())?)
    }

    /// Whether the weekly summary of `week` went out already.
    pub async fn summary_sent(&mut self, week: &str) -> StoreResult<bool> {
        const SQL: &str = "SELECT count(*) FROM insight_summaries WHERE tenant_id = $1 AND week = $2";
        let (n,): (i64,) = tx_query!(self.tx, fetch_one, SQL, self.tenant.0, week)?;
        Ok(n > 0)
    }

    /// Claims the weekly summary of `week`: `true` for the one caller that may send it.
    pub async fn claim_summary(&mut self, week: &str, at: DateTime<Utc>) -> StoreResult<bool> {
        const SQL: &str = "INSERT INTO insight_summaries (tenant_id, week, sent_at) VALUES ($1, $2, $3) \
                           ON CONFLICT (tenant_id, week) DO NOTHING";
        Ok(tx_query!(self.tx, execute, SQL, self.tenant.0, week, at).map_err(StoreError::from_write)? > 0)
    }
}

/// Per car: leads, appointments that were not cancelled, and converted leads, for leads
/// created from `since`, with the lead's source. Rows: (car id, lead source, leads,
/// visits, converted).
pub type LeadFunnelRow = (Uuid, String, i64, i64, i64);

impl Insights<'_> {
    pub async fn lead_funnel_since(&mut self, since: DateTime<Utc>) -> StoreResult<Vec<LeadFunnelRow>> {
        const SQL: &str = "SELECT l.car_id, l.source, count(*), \
                           COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM appointments a \
                               WHERE a.tenant_id = l.tenant_id AND a.lead_id = l.id AND a.status <> 'cancelled') \
                               THEN 1 ELSE 0 END), 0), \
                           COALESCE(SUM(CASE WHEN l.status = 'converted' THEN 1 ELSE 0 END), 0) \
                           FROM leads l WHERE l.tenant_id = $1 AND l.created_at >= $2 AND l.car_id IS NOT NULL \
                           GROUP BY l.car_id, l.source";
        Ok(tx_query!(self.tx, fetch_all, SQL, self.tenant.0, since)?)
    }
}
