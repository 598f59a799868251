use chrono::{DateTime, Utc};
use garasi_domain::{TenantId, TenantStatus};
use sqlx::FromRow;
use uuid::Uuid;

use super::PlatformDb;
use crate::db::Tx;
use crate::error::{StoreError, StoreResult};
use crate::tenant::{NewUser, Settings, TenantTx, User, Users};
use crate::time::now;

#[derive(Debug, Clone, serde::Serialize)]
pub struct Tenant {
    pub id: TenantId,
    pub slug: String,
    pub name: String,
    pub status: TenantStatus,
    pub whatsapp_number: Option<String>,
    /// A verified custom domain; `None` means the tenant is served at `<slug>.<tenant domain>`.
    pub primary_domain: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

#[derive(FromRow)]
struct TenantRow {
    id: Uuid,
    slug: String,
    name: String,
    status: String,
    whatsapp_number: Option<String>,
    primary_domain: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    deleted_at: Option<DateTime<Utc>>,
}

macro_rules! select_tenants {
    ($rest:literal) => {
        concat!(
            "SELECT t.id, t.slug, t.name, t.status, t.whatsapp_number, t.primary_domain, t.created_at, ",
            "t.updated_at, t.deleted_at FROM tenants t ",
            $rest
        )
    };
}

impl TryFrom<TenantRow> for Tenant {
    type Error = StoreError;
    fn try_from(r: TenantRow) -> StoreResult<Tenant> {
        let status = r
            .status
            .parse::<TenantStatus>()
            .map_err(|_| StoreError::Corrupt { column: "tenants.status", value: r.status.clone() })?;
        Ok(Tenant {
            id: TenantId(r.id),
            slug: r.slug,
            name: r.name,
            status,
            whatsapp_number: r.whatsapp_number,
            primary_domain: r.primary_domain,
            created_at: r.created_at,
            updated_at: r.updated_at,
            deleted_at: r.deleted_at,
        })
    }
}

pub struct NewTenant {
    pub slug: String,
    pub name: String,
    pub whatsapp_number: Option<String>,
    /// A custom domain the operator vouches for; stored verified and made primary.
    pub domain: Option<String>,
}

/// Fields a root admin may change; `None` leaves a field alone.
#[derive(Default)]
pub struct TenantPatch {
    pub name: Option<String>,
    pub status: Option<TenantStatus>,
    pub whatsapp_number: Option<Option<String>>,
    pub domain: Option<Option<String>>,
}

impl PlatformDb {
    /// Creates a tenant with its owner and default settings in one transaction. To
    /// record the change with it, use [`PlatformDb::begin_write`] and
    /// [`super::PlatformTx::create_tenant`].
    pub async fn create_tenant(
        &self,
        new: &NewTenant,
        owner: &NewUser,
        settings: &serde_json::Value,
    ) -> StoreResult<(Tenant, User)> {
        let mut tx = self.begin_write().await?;
        let (tenant, user) = tx.create_tenant(new, owner, settings).await?;
        tx.commit().await?;
        Ok((tenant, user))
    }

    pub async fn tenant(&self, id: TenantId) -> StoreResult<Option<Tenant>> {
        const SQL: &str = select_tenants!("WHERE t.id = $1");
        let row: Option<TenantRow> = db_query!(&self.db, fetch_optional, SQL, id.0)?;
        row.map(Tenant::try_from).transpose()
    }

    pub async fn tenant_by_slug(&self, slug: &str) -> StoreResult<Option<Tenant>> {
        const SQL: &str = select_tenants!("WHERE t.slug = $1");
        let row: Option<TenantRow> = db_query!(&self.db, fetch_optional, SQL, slug)?;
        row.map(Tenant::try_from).transpose()
    }

    /// The tenant that owns a verified custom domain.
    pub async fn tenant_by_domain(&self, domain: &str) -> StoreResult<Option<Tenant>> {
        const SQL: &str = select_tenants!(
            "JOIN tenant_domains d ON d.tenant_id = t.id WHERE d.domain = $1 AND d.verified_at IS NOT NULL"
        );
        let row: Option<TenantRow> = db_query!(&self.db, fetch_optional, SQL, domain)?;
        row.map(Tenant::try_from).transpose()
    }

    /// Tenants newest first. Deleted tenants are listed only when asked for.
    pub async fn list_tenants(&self, include_deleted: bool, limit: i64, offset: i64) -> StoreResult<Vec<Tenant>> {
        const SQL: &str = select_tenants!(
            "WHERE ($1 OR t.status <> 'deleted') ORDER BY t.created_at DESC, t.id DESC LIMIT $2 OFFSET $3"
        );
        let rows: Vec<TenantRow> = db_query!(&self.db, fetch_all, SQL, include_deleted, limit, offset)?;
        rows.into_iter().map(Tenant::try_from).collect()
    }

    pub async fn count_tenants(&self, include_deleted: bool) -> StoreResult<i64> {
        const SQL: &str = "SELECT count(*) FROM tenants WHERE ($1 OR status <> 'deleted')";
        Ok(db_query!(&self.db, scalar_one, SQL, include_deleted)?)
    }

    /// Applies a patch on its own. Changing the domain replaces the tenant's custom domain.
    pub async fn update_tenant(&self, id: TenantId, patch: &TenantPatch) -> StoreResult<Tenant> {
        let mut tx = self.begin_write().await?;
        let tenant = tx.update_tenant(id, patch).await?;
        tx.commit().await?;
        Ok(tenant)
    }

    /// Every host name a tenant is served at, besides its slug subdomain.
    pub async fn tenant_domains(&self, id: TenantId) -> StoreResult<Vec<String>> {
        const SQL: &str = "SELECT domain FROM tenant_domains WHERE tenant_id = $1 ORDER BY domain";
        Ok(db_query!(&self.db, scalar_all, SQL, id.0)?)
    }

    /// Every name host resolution can find a tenant by: all slugs (suspended and deleted
    /// ones too, which answer 404/410 from their row) and every verified custom domain.
    /// Kept in memory by the web layer, so a host outside these never costs a query.
    pub async fn known_hosts(&self) -> StoreResult<(Vec<String>, Vec<String>)> {
        const SLUGS: &str = "SELECT slug FROM tenants";
        const DOMAINS: &str = "SELECT domain FROM tenant_domains WHERE verified_at IS NOT NULL";
        let slugs: Vec<String> = db_query!(&self.db, scalar_all, SLUGS)?;
        let domains: Vec<String> = db_query!(&self.db, scalar_all, DOMAINS)?;
        Ok((slugs, domains))
    }
}

/// Inserts a tenant, its owner (inside the tenant's RLS scope) and its settings.
pub(crate) async fn create_in(
    tx: &mut Tx,
    new: &NewTenant,
    owner: &NewUser,
    settings: &serde_json::Value,
) -> StoreResult<(Tenant, User)> {
    let id = TenantId(Uuid::now_v7());
    let at = now();
    const INSERT: &str = "INSERT INTO tenants (id, slug, name, status, whatsapp_number, primary_domain, \
                          created_at, updated_at) VALUES ($1, $2, $3, 'active', $4, $5, $6, $6)";
    tx_query!(tx, execute, INSERT, id.0, &new.slug, &new.name, &new.whatsapp_number, &new.domain, at)
        .map_err(StoreError::from_write)?;
    if let Some(domain) = &new.domain {
        insert_domain(tx, id, domain).await?;
    }
    // The owner and settings rows are tenant rows: RLS wants the tenant set first.
    // `set_config(…, true)` ends with the transaction; platform tables have no RLS.
    TenantTx::set_scope(tx, id).await?;
    let user = Users::new(tx, id).create(owner).await?;
    Settings::new(tx, id).put(settings).await?;
    let tenant = tenant_in(tx, id).await?.ok_or(StoreError::NotFound)?;
    Ok((tenant, user))
}

pub(crate) async fn tenant_in(tx: &mut Tx, id: TenantId) -> StoreResult<Option<Tenant>> {
    const SQL: &str = select_tenants!("WHERE t.id = $1");
    let row: Option<TenantRow> = tx_query!(tx, fetch_optional, SQL, id.0)?;
    row.map(Tenant::try_from).transpose()
}

/// Applies a patch inside `tx`. Changing the domain replaces the tenant's custom domain.
pub(crate) async fn update_in(tx: &mut Tx, id: TenantId, patch: &TenantPatch) -> StoreResult<Tenant> {
    let current = tenant_in(tx, id).await?.ok_or(StoreError::NotFound)?;
    let at = now();
    let name = patch.name.clone().unwrap_or(current.name);
    let status = patch.status.unwrap_or(current.status);
    let whatsapp = patch.whatsapp_number.clone().unwrap_or(current.whatsapp_number);
    let domain = patch.domain.clone().unwrap_or(current.primary_domain.clone());
    let deleted_at = match status {
        TenantStatus::Deleted => current.deleted_at.or(Some(at)),
        _ => None,
    };
    const UPDATE: &str = "UPDATE tenants SET name = $2, status = $3, whatsapp_number = $4, primary_domain = $5, \
                          updated_at = $6, deleted_at = $7 WHERE id = $1";
    tx_query!(tx, execute, UPDATE, id.0, &name, status.as_str(), &whatsapp, &domain, at, deleted_at)
        .map_err(StoreError::from_write)?;
    if domain != current.primary_domain {
        const CLEAR: &str = "DELETE FROM tenant_domains WHERE tenant_id = $1";
        tx_query!(tx, execute, CLEAR, id.0)?;
        if let Some(d) = &domain {
            insert_domain(tx, id, d).await?;
        }
    }
    tenant_in(tx, id).await?.ok_or(StoreError::NotFound)
}

async fn insert_domain(tx: &mut Tx, tenant: TenantId, domain: &str) -> StoreResult<()> {
    let at = now();
    const SQL: &str = "INSERT INTO tenant_domains (domain, tenant_id, verified_at, created_at) VALUES ($1, $2, $3, $3)";
    tx_query!(tx, execute, SQL, domain, tenant.0, at).map_err(StoreError::from_write)?;
    Ok(())
}
