use garasi_domain::TenantId;
use serde_json::Value;
use sqlx::types::Json;

use crate::db::Tx;
use crate::error::StoreResult;
use crate::time::now;

/// The tenant's settings document (profile, credit rates, bot persona…), kept as JSON
/// so a new setting needs no migration. Typed access lives in the domain layer.
pub struct Settings<'a> {
    tx: &'a mut Tx,
    tenant: TenantId,
}

impl<'a> Settings<'a> {
    pub(crate) fn new(tx: &'a mut Tx, tenant: TenantId) -> Self {
        Settings { tx, tenant }
    }

    /// The stored document, or an empty object when none was written yet.
    pub async fn get(&mut self) -> StoreResult<Value> {
        const SQL: &str = "SELECT settings FROM tenant_settings WHERE tenant_id = $1";
        let row: Option<Json<Value>> = tx_query!(self.tx, scalar_optional, SQL, self.tenant.0)?;
        Ok(row.map(|j| j.0).unwrap_or_else(|| Value::Object(Default::default())))
    }

    pub async fn put(&mut self, settings: &Value) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO tenant_settings (tenant_id, settings, updated_at) VALUES ($1, $2, $3) \
                           ON CONFLICT (tenant_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at";
        tx_query!(self.tx, execute, SQL, self.tenant.0, Json(settings), now())?;
        Ok(())
    }
}
