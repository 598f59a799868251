//! What a password reset reads beyond its one-time link (`UserTokens`) and the user
//! (`Users`, which also stores the new password): where to send the link on WhatsApp.

use garasi_domain::TenantId;
use uuid::Uuid;

use crate::db::Tx;
use crate::error::StoreResult;

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
}
