//! LLM tokens used per tenant and day (`llm_usage`), for the daily budget and billing.
//! Days are calendar days in Asia/Jakarta, written `YYYY-MM-DD`.

use garasi_domain::TenantId;
use sqlx::FromRow;

use crate::db::Tx;
use crate::error::StoreResult;

/// One tenant's usage on one day.
#[derive(Debug, Clone, Default, PartialEq, Eq, FromRow)]
pub struct UsageDay {
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    pub calls: i64,
}

impl UsageDay {
    pub fn total_tokens(&self) -> i64 {
        self.prompt_tokens.saturating_add(self.completion_tokens)
    }
}

pub struct LlmUsage<'a> {
    tx: &'a mut Tx,
    tenant: TenantId,
}

impl<'a> LlmUsage<'a> {
    pub(crate) fn new(tx: &'a mut Tx, tenant: TenantId) -> Self {
        LlmUsage { tx, tenant }
    }

    /// Adds `calls` requests and their tokens to `day`. One upsert, so concurrent
    /// conversations add up instead of overwriting each other.
    pub async fn record(
        &mut self,
        day: &str,
        prompt_tokens: i64,
        completion_tokens: i64,
        calls: i64,
    ) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO llm_usage (tenant_id, day, prompt_tokens, completion_tokens, calls) \
                           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, day) DO UPDATE SET \
                           prompt_tokens = llm_usage.prompt_tokens + excluded.prompt_tokens, \
                           completion_tokens = llm_usage.completion_tokens + excluded.completion_tokens, \
                           calls = llm_usage.calls + excluded.calls";
        tx_query!(
            self.tx,
            execute,
            SQL,
            self.tenant.0,
            day,
            prompt_tokens.max(0),
            completion_tokens.max(0),
            calls.max(0)
        )?;
        Ok(())
    }

    /// Usage on `day`; zero when nothing was recorded.
    pub async fn day(&mut self, day: &str) -> StoreResult<UsageDay> {
        const SQL: &str =
            "SELECT prompt_tokens, completion_tokens, calls FROM llm_usage WHERE tenant_id = $1 AND day = $2";
        let row: Option<UsageDay> = tx_query!(self.tx, fetch_optional, SQL, self.tenant.0, day)?;
        Ok(row.unwrap_or_default())
    }
}

// Tenant admin dashboard (issue #7).

impl LlmUsage<'_> {
    /// Usage per day from `from_day` (`YYYY-MM-DD`, included), oldest first.
    pub async fn days_since(&mut self, from_day: &str) -> StoreResult<Vec<(String, UsageDay)>> {
        const SQL: &str = "SELECT day, prompt_tokens, completion_tokens, calls FROM llm_usage \
                           WHERE tenant_id = $1 AND day >= $2 ORDER BY day";
        let rows: Vec<(String, i64, i64, i64)> = tx_query!(self.tx, fetch_all, SQL, self.tenant.0, from_day)?;
        Ok(rows
            .into_iter()
            .map(|(day, prompt_tokens, completion_tokens, calls)| {
                (day, UsageDay { prompt_tokens, completion_tokens, calls })
            })
            .collect())
    }
}
