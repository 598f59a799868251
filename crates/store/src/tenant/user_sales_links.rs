//! A staff user's own salesperson entry (at most one each way), so the dashboard can
//! show "prospek saya": the leads assigned to that salesperson.

use garasi_domain::TenantId;
use uuid::Uuid;

use crate::db::Tx;
use crate::error::{StoreError, StoreResult};

pub struct UserSalesLinks<'a> {
    tx: &'a mut Tx,
    tenant: TenantId,
}

impl<'a> UserSalesLinks<'a> {
    pub(crate) fn new(tx: &'a mut Tx, tenant: TenantId) -> Self {
        UserSalesLinks { tx, tenant }
    }

    /// Links `user_id` to `sales_id`, replacing the user's earlier link. `Conflict` when
    /// the salesperson is already another user's.
    pub async fn link(&mut self, user_id: Uuid, sales_id: Uuid) -> StoreResult<()> {
        self.unlink(user_id).await?;
        const SQL: &str = "INSERT INTO user_sales_links (tenant_id, user_id, sales_id) VALUES ($1, $2, $3)";
        tx_query!(self.tx, execute, SQL, self.tenant.0, user_id, sales_id).map_err(StoreError::from_write)?;
        Ok(())
    }

    /// Removes the user's link. Returns whether there was one.
    pub async fn unlink(&mut self, user_id: Uuid) -> StoreResult<bool> {
        const SQL: &str = "DELETE FROM user_sales_links WHERE tenant_id = $1 AND user_id = $2";
        Ok(tx_query!(self.tx, execute, SQL, self.tenant.0, user_id)? > 0)
    }

    /// The salesperson entry of a user, if linked.
    pub async fn sales_of(&mut self, user_id: Uuid) -> StoreResult<Option<Uuid>> {
        const SQL: &str = "SELECT sales_id FROM user_sales_links WHERE tenant_id = $1 AND user_id = $2";
        Ok(tx_query!(self.tx, scalar_optional, SQL, self.tenant.0, user_id)?)
    }

    /// Every `(user_id, sales_id)` link of the showroom.
    pub async fn list(&mut self) -> StoreResult<Vec<(Uuid, Uuid)>> {
        const SQL: &str = "SELECT user_id, sales_id FROM user_sales_links WHERE tenant_id = $1";
        Ok(tx_query!(self.tx, fetch_all, SQL, self.tenant.0)?)
    }
}
