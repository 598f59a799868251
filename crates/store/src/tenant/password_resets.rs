//! What a password reset reads and writes beyond its one-time link (`UserTokens`): where
//! to send the link on WhatsApp, and the new password, which also lifts
//! `must_change_password` (the user has just chosen it).

use garasi_domain::TenantId;
use uuid::Uuid;

use crate::db::Tx;
use crate::error::{StoreError, StoreResult};
use crate::time::now;

pub struct PasswordResets<'a> {
    tx: &'a mut Tx,
    tenant: TenantId,
}

impl<'a> PasswordResets<'a> {
    pub(crate) fn new(tx: &'a mut Tx, tenant: TenantId) -> Self {
        PasswordResets { tx, tenant }
    }

    /// The WhatsApp number (E.164) of the active salesperson entry linked to this user.
    pub async fn linked_phone(&mut self, user_id: Uuid) -> StoreResult<Option<String>> {
        const SQL: &str = "SELECT s.phone FROM user_sales_links l JOIN sales_staff s \
                           ON s.tenant_id = l.tenant_id AND s.id = l.sales_id \
                           WHERE l.tenant_id = $1 AND l.user_id = $2 AND s.active AND s.deleted_at IS NULL";
        Ok(tx_query!(self.tx, scalar_optional, SQL, self.tenant.0, user_id)?)
    }

    /// Sets the new password hash and clears `must_change_password`.
    pub async fn set_password(&mut self, user_id: Uuid, hash: &str) -> StoreResult<()> {
        const SQL: &str = "UPDATE users SET password_hash = $3, must_change_password = $4, updated_at = $5 \
                           WHERE tenant_id = $1 AND id = $2";
        if tx_query!(self.tx, execute, SQL, self.tenant.0, user_id, hash, false, now())? == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
