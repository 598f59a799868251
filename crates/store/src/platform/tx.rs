//! A transaction over platform tables, so a root change to the tenant registry and
//! its audit entry commit or roll back together.

use garasi_domain::TenantId;

use super::{AuditEntry, NewTenant, PlatformDb, Tenant, TenantPatch, audit, tenants};
use crate::db::Tx;
use crate::error::StoreResult;
use crate::tenant::{NewUser, User};

pub struct PlatformTx {
    pub(super) tx: Tx,
}

impl PlatformDb {
    /// Opens a platform transaction that may write (`BEGIN IMMEDIATE` on SQLite).
    pub async fn begin_write(&self) -> StoreResult<PlatformTx> {
        Ok(PlatformTx { tx: self.db.begin_write().await? })
    }
}

impl PlatformTx {
    /// Creates a tenant with its owner and settings.
    pub async fn create_tenant(
        &mut self,
        new: &NewTenant,
        owner: &NewUser,
        settings: &serde_json::Value,
    ) -> StoreResult<(Tenant, User)> {
        tenants::create_in(&mut self.tx, new, owner, settings).await
    }

    pub async fn tenant(&mut self, id: TenantId) -> StoreResult<Option<Tenant>> {
        tenants::tenant_in(&mut self.tx, id).await
    }

    /// Applies a patch; `NotFound` for an unknown tenant.
    pub async fn update_tenant(&mut self, id: TenantId, patch: &TenantPatch) -> StoreResult<Tenant> {
        tenants::update_in(&mut self.tx, id, patch).await
    }

    /// Records an entry in this transaction; the caller sets its tenant.
    pub async fn audit(&mut self, entry: &AuditEntry) -> StoreResult<()> {
        audit::insert_in(&mut self.tx, entry).await
    }

    pub async fn commit(self) -> StoreResult<()> {
        self.tx.commit().await
    }
}
