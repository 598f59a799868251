//! WhatsApp channel state.
//!
//! - [`WhatsappChannels`] (from `TenantTx::whatsapp()`): the tenant's own row in
//!   `whatsapp_channels` (kind, status, encrypted credentials, last traffic), under RLS,
//!   and the LID of a conversation's contact.
//! - [`WaPlatform`] (from [`Db::whatsapp`]): the platform tables read before any tenant is
//!   known: `channel_routes` (inbound address → tenant) and `wa_leases` (which instance
//!   holds each tenant's connection).
//!
//! A lease row exists for every tenant whose channel needs a live connection (WhatsApp
//! Web or Cloud API); the simulator has none. An instance may take a lease only once it
//! has been expired for a grace period longer than the holder's renewal interval, and a
//! holder stops its connection as soon as a renewal fails, so two instances never drive
//! one number at once.

use chrono::{DateTime, Utc};
use garasi_domain::TenantId;
use sqlx::FromRow;
use uuid::Uuid;

use crate::db::{Db, Tx};
use crate::error::{StoreError, StoreResult};
use crate::time::now;

/// The tenant's channel row.
#[derive(Debug, Clone, FromRow)]
pub struct WhatsappChannel {
    /// `simulator`, `waweb` or `cloud_api`.
    pub kind: String,
    /// `stopped`, `connecting`, `awaiting_pairing`, `connected`, `reconnecting`,
    /// `logged_out`, `replaced`, `banned` or `failed`.
    pub status: String,
    pub phone: Option<String>,
    pub cloud_phone_number_id: Option<String>,
    pub credentials_encrypted: Option<String>,
    pub status_changed_at: Option<DateTime<Utc>>,
    pub last_inbound_at: Option<DateTime<Utc>>,
    pub last_outbound_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "kind, status, phone, cloud_phone_number_id, credentials_encrypted, status_changed_at, \
                       last_inbound_at, last_outbound_at, last_error, updated_at";

/// The tenant's side, inside a tenant transaction.
pub struct WhatsappChannels<'a> {
    tx: &'a mut Tx,
    tenant: TenantId,
}

impl<'a> WhatsappChannels<'a> {
    pub(crate) fn new(tx: &'a mut Tx, tenant: TenantId) -> Self {
        WhatsappChannels { tx, tenant }
    }

    /// The tenant's channel; `None` means the default (the simulator, never configured).
    pub async fn get(&mut self) -> StoreResult<Option<WhatsappChannel>> {
        let sql = format!("SELECT {COLUMNS} FROM whatsapp_channels WHERE tenant_id = $1");
        Ok(tx_query!(self.tx, fetch_optional, sqlx::AssertSqlSafe(sql), self.tenant.0)?)
    }

    /// Sets the channel kind and its credentials; the status goes back to `stopped`.
    /// The phone is kept when the kind stays the same (a WhatsApp Web number stays paired).
    pub async fn configure(
        &mut self,
        kind: &str,
        cloud_phone_number_id: Option<&str>,
        credentials_encrypted: Option<&str>,
    ) -> StoreResult<WhatsappChannel> {
        let at = now();
        let sql = format!(
            "INSERT INTO whatsapp_channels (tenant_id, kind, status, cloud_phone_number_id, credentials_encrypted, \
             status_changed_at, updated_at) VALUES ($1, $2, 'stopped', $3, $4, $5, $5) \
             ON CONFLICT (tenant_id) DO UPDATE SET \
             phone = CASE WHEN whatsapp_channels.kind = excluded.kind THEN whatsapp_channels.phone ELSE NULL END, \
             kind = excluded.kind, status = 'stopped', cloud_phone_number_id = excluded.cloud_phone_number_id, \
             credentials_encrypted = excluded.credentials_encrypted, status_changed_at = excluded.status_changed_at, \
             last_error = NULL, updated_at = excluded.updated_at RETURNING {COLUMNS}"
        );
        tx_query!(
            self.tx,
            fetch_one,
            sqlx::AssertSqlSafe(sql),
            self.tenant.0,
            kind,
            cloud_phone_number_id,
            credentials_encrypted,
            at
        )
        .map_err(StoreError::from_write)
    }

    /// Records a status. `status_changed_at` moves only when the status changes.
    /// `false` when the tenant has no channel row.
    pub async fn set_status(&mut self, status: &str, error: Option<&str>) -> StoreResult<bool> {
        const SQL: &str = "UPDATE whatsapp_channels SET \
                           status_changed_at = CASE WHEN status = $2 THEN status_changed_at ELSE $4 END, \
                           status = $2, last_error = $3, updated_at = $4 WHERE tenant_id = $1";
        let error: Option<String> = error.map(|e| e.chars().take(1000).collect());
        let n = tx_query!(self.tx, execute, SQL, self.tenant.0, status, &error, now())?;
        Ok(n > 0)
    }

    /// The number the channel sends from (E.164), once known.
    pub async fn set_phone(&mut self, phone: Option<&str>) -> StoreResult<()> {
        const SQL: &str = "UPDATE whatsapp_channels SET phone = $2, updated_at = $3 WHERE tenant_id = $1";
        tx_query!(self.tx, execute, SQL, self.tenant.0, phone, now())?;
        Ok(())
    }

    /// Stamps the last inbound (`inbound = true`) or outbound message time.
    pub async fn touch(&mut self, inbound: bool, at: DateTime<Utc>) -> StoreResult<()> {
        let sql = if inbound {
            "UPDATE whatsapp_channels SET last_inbound_at = $2 WHERE tenant_id = $1"
        } else {
            "UPDATE whatsapp_channels SET last_outbound_at = $2 WHERE tenant_id = $1"
        };
        tx_query!(self.tx, execute, sql, self.tenant.0, at)?;
        Ok(())
    }

    /// Keeps the WhatsApp LID of a conversation's contact beside its phone number.
    pub async fn set_contact_lid(&mut self, channel: &str, phone: &str, lid: &str) -> StoreResult<()> {
        const SQL: &str = "UPDATE conversations SET contact_lid = $4 \
                           WHERE tenant_id = $1 AND channel = $2 AND contact_phone = $3 \
                           AND (contact_lid IS NULL OR contact_lid <> $4)";
        tx_query!(self.tx, execute, SQL, self.tenant.0, channel, phone, lid)?;
        Ok(())
    }

    /// The phone number last seen with a LID, for senders addressed by LID only.
    pub async fn phone_for_lid(&mut self, lid: &str) -> StoreResult<Option<String>> {
        const SQL: &str = "SELECT contact_phone FROM conversations WHERE tenant_id = $1 AND contact_lid = $2 \
                           ORDER BY last_message_at DESC LIMIT 1";
        Ok(tx_query!(self.tx, scalar_optional, SQL, self.tenant.0, lid)?)
    }
}

/// A `wa_leases` row.
#[derive(Debug, Clone, FromRow)]
pub struct Lease {
    pub tenant_id: Uuid,
    pub holder: String,
    pub expires_at: DateTime<Utc>,
}

/// Platform side: routes and leases.
#[derive(Clone, Debug)]
pub struct WaPlatform {
    db: Db,
}

impl Db {
    /// WhatsApp routes and connection leases (platform tables).
    pub fn whatsapp(&self) -> WaPlatform {
        WaPlatform { db: self.clone() }
    }
}

fn epoch() -> DateTime<Utc> {
    DateTime::<Utc>::UNIX_EPOCH
}

fn chrono_dur(d: std::time::Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::seconds(30))
}

impl WaPlatform {
    /// The tenant an inbound address belongs to (`kind` is `cloud_api` or `waweb`).
    pub async fn route(&self, kind: &str, external_id: &str) -> StoreResult<Option<TenantId>> {
        const SQL: &str = "SELECT tenant_id FROM channel_routes WHERE kind = $1 AND external_id = $2";
        let id: Option<Uuid> = db_query!(&self.db, scalar_optional, SQL, kind, external_id)?;
        Ok(id.map(TenantId))
    }

    /// Points an address at a tenant, replacing the tenant's other routes.
    /// [`StoreError::Conflict`] when another tenant already owns the address.
    pub async fn set_route(&self, tenant: TenantId, kind: &str, external_id: &str) -> StoreResult<()> {
        if let Some(owner) = self.route(kind, external_id).await?
            && owner != tenant
        {
            return Err(StoreError::Conflict("channel_routes.external_id".into()));
        }
        let mut tx = self.db.begin_write().await?;
        tx_query!(&mut tx, execute, "DELETE FROM channel_routes WHERE tenant_id = $1", tenant.0)?;
        tx_query!(
            &mut tx,
            execute,
            "INSERT INTO channel_routes (kind, external_id, tenant_id) VALUES ($1, $2, $3)",
            kind,
            external_id,
            tenant.0
        )
        .map_err(StoreError::from_write)?;
        tx.commit().await
    }

    /// Removes every route of a tenant.
    pub async fn clear_routes(&self, tenant: TenantId) -> StoreResult<()> {
        db_write!(&self.db, execute, "DELETE FROM channel_routes WHERE tenant_id = $1", tenant.0)?;
        Ok(())
    }

    /// Makes sure a lease row exists for the tenant (free, so any instance may take it).
    pub async fn want_lease(&self, tenant: TenantId) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO wa_leases (tenant_id, holder, expires_at, updated_at) VALUES ($1, '', $2, $3) \
                           ON CONFLICT (tenant_id) DO NOTHING";
        db_write!(&self.db, execute, SQL, tenant.0, epoch(), now()).map_err(StoreError::from_write)?;
        Ok(())
    }

    /// Removes the tenant's lease row: nobody should hold a connection for it.
    pub async fn drop_lease(&self, tenant: TenantId) -> StoreResult<()> {
        db_write!(&self.db, execute, "DELETE FROM wa_leases WHERE tenant_id = $1", tenant.0)?;
        Ok(())
    }

    pub async fn lease(&self, tenant: TenantId) -> StoreResult<Option<Lease>> {
        const SQL: &str = "SELECT tenant_id, holder, expires_at FROM wa_leases WHERE tenant_id = $1";
        Ok(db_query!(&self.db, fetch_optional, SQL, tenant.0)?)
    }

    /// Takes the lease for `holder` if it is free (expired for longer than `grace`) or
    /// already ours. `true` when `holder` now holds it for `ttl`.
    pub async fn acquire(
        &self,
        tenant: TenantId,
        holder: &str,
        ttl: std::time::Duration,
        grace: std::time::Duration,
    ) -> StoreResult<bool> {
        let at = now();
        const SQL: &str = "UPDATE wa_leases SET holder = $2, expires_at = $3, updated_at = $4 \
                           WHERE tenant_id = $1 AND (holder = $2 OR holder = '' OR expires_at < $5)";
        let n = db_write!(&self.db, execute, SQL, tenant.0, holder, at + chrono_dur(ttl), at, at - chrono_dur(grace))?;
        Ok(n > 0)
    }

    /// Extends every unexpired lease `holder` has; returns the tenants still held.
    /// A lease that ran out or was handed over is not renewed: its holder must stop.
    pub async fn renew(&self, holder: &str, ttl: std::time::Duration) -> StoreResult<Vec<TenantId>> {
        let at = now();
        const SQL: &str = "UPDATE wa_leases SET expires_at = $2, updated_at = $3 \
                           WHERE holder = $1 AND expires_at > $3 RETURNING tenant_id";
        let ids: Vec<Uuid> = db_write!(&self.db, scalar_all, SQL, holder, at + chrono_dur(ttl), at)?;
        Ok(ids.into_iter().map(TenantId).collect())
    }

    /// Tenants whose lease another instance could take now (free, or expired longer than `grace`).
    pub async fn takeable(&self, holder: &str, grace: std::time::Duration, limit: i64) -> StoreResult<Vec<TenantId>> {
        const SQL: &str = "SELECT tenant_id FROM wa_leases WHERE holder <> $1 AND (holder = '' OR expires_at < $2) \
                           ORDER BY expires_at LIMIT $3";
        let ids: Vec<Uuid> = db_query!(&self.db, scalar_all, SQL, holder, now() - chrono_dur(grace), limit)?;
        Ok(ids.into_iter().map(TenantId).collect())
    }

    /// Gives a lease up at once (clean stop): any instance may take it immediately.
    pub async fn release(&self, tenant: TenantId, holder: &str) -> StoreResult<()> {
        const SQL: &str =
            "UPDATE wa_leases SET holder = '', expires_at = $3, updated_at = $4 WHERE tenant_id = $1 AND holder = $2";
        db_write!(&self.db, execute, SQL, tenant.0, holder, epoch(), now())?;
        Ok(())
    }

    /// Asks the current holder to let go: the lease expires now, the holder's next renewal
    /// fails and it stops; after the grace period another instance can take it.
    pub async fn expire(&self, tenant: TenantId) -> StoreResult<()> {
        let at = now();
        const SQL: &str =
            "UPDATE wa_leases SET expires_at = $2, updated_at = $2 WHERE tenant_id = $1 AND expires_at > $2";
        db_write!(&self.db, execute, SQL, tenant.0, at)?;
        Ok(())
    }
}
