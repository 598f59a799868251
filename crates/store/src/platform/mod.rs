//! Platform tables, read and written without a tenant scope. Each one is listed with
//! the reason it has no row-level security in docs/ARCHITECTURE.md.

pub(crate) mod audit;
mod domains;
mod root_totp;
mod root_users;
pub(crate) mod tenants;
mod tx;

pub use audit::{AuditEntry, AuditRecord};
pub use domains::{DomainCheck, DomainStatus, TenantDomain};
pub use root_totp::RootTotp;
pub use root_users::{RootSession, RootUser};
pub use tenants::{NewTenant, Tenant, TenantPatch};
pub use tx::PlatformTx;

use crate::db::Db;

#[derive(Clone, Debug)]
pub struct PlatformDb {
    db: Db,
}

impl PlatformDb {
    pub(crate) fn new(db: Db) -> PlatformDb {
        PlatformDb { db }
    }
}
