//! `tenant_domains`: a showroom's own host names. A platform table (the host lookup
//! reads it before any tenant is known), so uniqueness is global: one host, one
//! showroom. Every statement that acts for a known showroom still binds its
//! `tenant_id`, so one showroom can never read or touch another's domain rows.
//!
//! Only rows with `verified_at` route (see `tenants::tenant_by_domain`); the showroom's
//! primary host is `tenants.primary_domain`, which the use cases keep pointing at one
//! of its verified domains (or at none).

use chrono::{DateTime, Utc};
use garasi_domain::TenantId;
use sqlx::FromRow;
use uuid::Uuid;

use super::{PlatformDb, PlatformTx};
use crate::error::{StoreError, StoreResult};

/// Where a domain stands with its DNS checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DomainStatus {
    /// Added, never verified: does not route.
    Pending,
    /// Verified, and the last check (if any) passed.
    Ok,
    /// Verified once, but the last daily re-check failed. It keeps routing.
    Failing,
}

impl DomainStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DomainStatus::Pending => "pending",
            DomainStatus::Ok => "ok",
            DomainStatus::Failing => "failing",
        }
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct TenantDomain {
    pub domain: String,
    pub tenant_id: TenantId,
    pub verified_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The value `_garasi.<domain>` must hold; `None` when root vouched without DNS.
    pub token: Option<String>,
    pub status: DomainStatus,
    pub last_error: Option<String>,
    pub checked_at: Option<DateTime<Utc>>,
    pub next_check_at: Option<DateTime<Utc>>,
}

impl TenantDomain {
    pub fn is_verified(&self) -> bool {
        self.verified_at.is_some()
    }
}

#[derive(FromRow)]
struct DomainRow {
    domain: String,
    tenant_id: Uuid,
    verified_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    token: Option<String>,
    check_status: String,
    last_error: Option<String>,
    checked_at: Option<DateTime<Utc>>,
    next_check_at: Option<DateTime<Utc>>,
}

impl TryFrom<DomainRow> for TenantDomain {
    type Error = StoreError;
    fn try_from(r: DomainRow) -> StoreResult<TenantDomain> {
        let status = match r.check_status.as_str() {
            "pending" => DomainStatus::Pending,
            "ok" => DomainStatus::Ok,
            "failing" => DomainStatus::Failing,
            _ => return Err(StoreError::Corrupt { column: "tenant_domains.check_status", value: r.check_status }),
        };
        Ok(TenantDomain {
            domain: r.domain,
            tenant_id: TenantId(r.tenant_id),
            verified_at: r.verified_at,
            created_at: r.created_at,
            token: r.token,
            status,
            last_error: r.last_error,
            checked_at: r.checked_at,
            next_check_at: r.next_check_at,
        })
    }
}

macro_rules! select_domains {
    ($rest:literal) => {
        concat!(
            "SELECT domain, tenant_id, verified_at, created_at, token, check_status, last_error, checked_at, ",
            "next_check_at FROM tenant_domains ",
            $rest
        )
    };
}

fn convert(rows: Vec<DomainRow>) -> StoreResult<Vec<TenantDomain>> {
    rows.into_iter().map(TenantDomain::try_from).collect()
}

impl PlatformDb {
    /// A showroom's domains, verified first, then oldest first.
    pub async fn domains_of(&self, tenant: TenantId) -> StoreResult<Vec<TenantDomain>> {
        const SQL: &str = select_domains!(
            "WHERE tenant_id = $1 ORDER BY CASE WHEN verified_at IS NULL THEN 1 ELSE 0 END, created_at, domain"
        );
        let rows: Vec<DomainRow> = db_query!(&self.db, fetch_all, SQL, tenant.0)?;
        convert(rows)
    }

    /// Every verified domain whose last re-check failed, across showrooms (root's view).
    pub async fn failing_domains(&self) -> StoreResult<Vec<TenantDomain>> {
        const SQL: &str = select_domains!("WHERE check_status = 'failing' ORDER BY tenant_id, domain");
        let rows: Vec<DomainRow> = db_query!(&self.db, fetch_all, SQL)?;
        convert(rows)
    }

    /// Verified, DNS-checked domains whose daily re-check is due at `now`.
    pub async fn domains_due(&self, now: DateTime<Utc>, limit: i64) -> StoreResult<Vec<TenantDomain>> {
        const SQL: &str = select_domains!(
            "WHERE verified_at IS NOT NULL AND token IS NOT NULL AND next_check_at IS NOT NULL \
             AND next_check_at <= $1 ORDER BY next_check_at LIMIT $2"
        );
        let rows: Vec<DomainRow> = db_query!(&self.db, fetch_all, SQL, now, limit)?;
        convert(rows)
    }

    /// Claims a due re-check by moving `next_check_at` from the value this instance
    /// read to `next`. `false` when another instance claimed it first: exactly one
    /// instance checks a domain per day.
    pub async fn claim_domain_check(
        &self,
        domain: &TenantDomain,
        seen: DateTime<Utc>,
        next: DateTime<Utc>,
    ) -> StoreResult<bool> {
        const SQL: &str = "UPDATE tenant_domains SET next_check_at = $4 \
                           WHERE domain = $1 AND tenant_id = $2 AND next_check_at = $3";
        let n = db_write!(&self.db, execute, SQL, &domain.domain, domain.tenant_id.0, seen, next)?;
        Ok(n == 1)
    }
}

/// The outcome of a DNS check to store on a domain row.
#[derive(Debug, Clone)]
pub struct DomainCheck {
    pub at: DateTime<Utc>,
    /// `None` when the records were right.
    pub error: Option<String>,
    /// When the next daily re-check is due (verified domains only).
    pub next_check_at: Option<DateTime<Utc>>,
}

impl PlatformTx {
    /// The row of `domain`, whichever showroom holds it (uniqueness is global).
    pub async fn domain(&mut self, domain: &str) -> StoreResult<Option<TenantDomain>> {
        const SQL: &str = select_domains!("WHERE domain = $1");
        let row: Option<DomainRow> = tx_query!(&mut self.tx, fetch_optional, SQL, domain)?;
        row.map(TenantDomain::try_from).transpose()
    }

    /// A showroom's own row of `domain`; `None` when it is not that showroom's.
    pub async fn tenant_domain(&mut self, tenant: TenantId, domain: &str) -> StoreResult<Option<TenantDomain>> {
        const SQL: &str = select_domains!("WHERE tenant_id = $1 AND domain = $2");
        let row: Option<DomainRow> = tx_query!(&mut self.tx, fetch_optional, SQL, tenant.0, domain)?;
        row.map(TenantDomain::try_from).transpose()
    }

    pub async fn count_domains(&mut self, tenant: TenantId) -> StoreResult<i64> {
        const SQL: &str = "SELECT count(*) FROM tenant_domains WHERE tenant_id = $1";
        Ok(tx_query!(&mut self.tx, scalar_one, SQL, tenant.0)?)
    }

    /// Adds an unverified domain with its TXT token. `Conflict` when any showroom has it.
    pub async fn add_pending_domain(&mut self, tenant: TenantId, domain: &str, token: &str) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO tenant_domains (domain, tenant_id, verified_at, created_at, token, check_status) \
                           VALUES ($1, $2, NULL, $3, $4, 'pending')";
        let at = crate::time::now();
        tx_query!(&mut self.tx, execute, SQL, domain, tenant.0, at, token).map_err(StoreError::from_write)?;
        Ok(())
    }

    /// Marks a showroom's domain verified now (keeping the first verification time),
    /// with a clean status. `NotFound` when the row is not that showroom's.
    pub async fn mark_domain_verified(
        &mut self,
        tenant: TenantId,
        domain: &str,
        check: &DomainCheck,
    ) -> StoreResult<()> {
        const SQL: &str = "UPDATE tenant_domains SET verified_at = COALESCE(verified_at, $3), check_status = 'ok', \
                           last_error = NULL, checked_at = $3, next_check_at = $4 \
                           WHERE tenant_id = $1 AND domain = $2";
        let n = tx_query!(&mut self.tx, execute, SQL, tenant.0, domain, check.at, check.next_check_at)?;
        if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Stores a failed check: a verified domain becomes `failing` (and keeps routing),
    /// an unverified one stays `pending`; both keep the message.
    pub async fn record_domain_failure(
        &mut self,
        tenant: TenantId,
        domain: &str,
        check: &DomainCheck,
    ) -> StoreResult<()> {
        const SQL: &str = "UPDATE tenant_domains SET \
                           check_status = CASE WHEN verified_at IS NULL THEN 'pending' ELSE 'failing' END, \
                           last_error = $3, checked_at = $4, next_check_at = COALESCE($5, next_check_at) \
                           WHERE tenant_id = $1 AND domain = $2";
        let n = tx_query!(
            &mut self.tx,
            execute,
            SQL,
            tenant.0,
            domain,
            check.error.as_deref().unwrap_or(""),
            check.at,
            check.next_check_at
        )?;
        if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Inserts (or, for the showroom's own pending row, marks) a domain verified without
    /// DNS, as root vouches for it. The TXT token is dropped: it is not re-checked.
    pub async fn vouch_domain(&mut self, tenant: TenantId, domain: &str) -> StoreResult<()> {
        let at = crate::time::now();
        const UPDATE: &str = "UPDATE tenant_domains SET verified_at = COALESCE(verified_at, $3), token = NULL, \
                              check_status = 'ok', last_error = NULL, next_check_at = NULL \
                              WHERE tenant_id = $1 AND domain = $2";
        let n = tx_query!(&mut self.tx, execute, UPDATE, tenant.0, domain, at)?;
        if n > 0 {
            return Ok(());
        }
        const INSERT: &str = "INSERT INTO tenant_domains (domain, tenant_id, verified_at, created_at, check_status) \
                              VALUES ($1, $2, $3, $3, 'ok')";
        tx_query!(&mut self.tx, execute, INSERT, domain, tenant.0, at).map_err(StoreError::from_write)?;
        Ok(())
    }

    /// Deletes a showroom's domain; `false` when it had no such row.
    pub async fn delete_domain(&mut self, tenant: TenantId, domain: &str) -> StoreResult<bool> {
        const SQL: &str = "DELETE FROM tenant_domains WHERE tenant_id = $1 AND domain = $2";
        let n = tx_query!(&mut self.tx, execute, SQL, tenant.0, domain)?;
        Ok(n > 0)
    }

    /// The showroom's most recently verified domain other than `except`, to fall back
    /// to when its primary one goes.
    pub async fn latest_verified_domain(&mut self, tenant: TenantId, except: &str) -> StoreResult<Option<String>> {
        const SQL: &str = "SELECT domain FROM tenant_domains WHERE tenant_id = $1 AND domain <> $2 \
                           AND verified_at IS NOT NULL ORDER BY verified_at DESC, domain LIMIT 1";
        Ok(tx_query!(&mut self.tx, scalar_optional, SQL, tenant.0, except)?)
    }

    /// Points the showroom's primary host at one of its verified domains, or back at
    /// its subdomain (`None`).
    pub async fn set_primary_domain(&mut self, tenant: TenantId, domain: Option<&str>) -> StoreResult<()> {
        const SQL: &str = "UPDATE tenants SET primary_domain = $2, updated_at = $3 WHERE id = $1";
        let n = tx_query!(&mut self.tx, execute, SQL, tenant.0, domain, crate::time::now())?;
        if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }
}
