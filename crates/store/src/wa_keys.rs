//! The WhatsApp Web device store of a showroom (`wa_device_keys`), in bytes.
//!
//! whatsapp-rust keeps its linked device's keys behind storage traits; the adapter in
//! `garasi-channels` (feature `waweb`) implements them on this repository. Here a row is
//! an item `kind` with a key (k1, k2, k3), a sealed value (encrypted by the adapter, never
//! seen in the clear by this crate) and the few plain values the adapter must query by:
//! `tag` (an indexed text), `n1` and `n2` (numbers: ids, timestamps). Tenant-scoped like
//! every tenant table (RLS on PostgreSQL).
//!
//! [`read_legacy_device_db`] reads the SQLite file (`device.db`) that whatsapp-rust's own
//! SQLite backend wrote before, so a running install moves its keys over without pairing
//! again.

use std::path::Path;

use garasi_domain::TenantId;
use sqlx::FromRow;

use crate::db::Tx;
use crate::error::StoreResult;
use crate::time::now;

/// One stored item of a kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, FromRow)]
pub struct WaKeyRow {
    pub k1: String,
    pub k2: String,
    pub k3: String,
    /// The value, sealed by the caller.
    pub sealed: Option<String>,
    pub tag: Option<String>,
    pub n1: Option<i64>,
    pub n2: Option<i64>,
}

impl WaKeyRow {
    /// A row keyed by `k1` alone.
    pub fn new(k1: impl Into<String>, sealed: Option<String>) -> WaKeyRow {
        WaKeyRow { k1: k1.into(), sealed, ..WaKeyRow::default() }
    }
}

const COLS: &str = "k1, k2, k3, sealed, tag, n1, n2";

/// The tenant's device store rows, inside a tenant transaction (`TenantTx::wa_keys`).
pub struct WaKeys<'a> {
    tx: &'a mut Tx,
    tenant: TenantId,
}

impl<'a> WaKeys<'a> {
    pub(crate) fn new(tx: &'a mut Tx, tenant: TenantId) -> Self {
        WaKeys { tx, tenant }
    }

    pub async fn get(&mut self, kind: &str, k1: &str, k2: &str, k3: &str) -> StoreResult<Option<WaKeyRow>> {
        let sql = format!(
            "SELECT {COLS} FROM wa_device_keys WHERE tenant_id = $1 AND kind = $2 AND k1 = $3 AND k2 = $4 AND k3 = $5"
        );
        Ok(tx_query!(self.tx, fetch_optional, sqlx::AssertSqlSafe(sql), self.tenant.0, kind, k1, k2, k3)?)
    }

    /// Inserts or replaces a row.
    pub async fn put(&mut self, kind: &str, row: &WaKeyRow) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO wa_device_keys (tenant_id, kind, k1, k2, k3, sealed, tag, n1, n2, updated_at) \
                           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                           ON CONFLICT (tenant_id, kind, k1, k2, k3) DO UPDATE SET sealed = excluded.sealed, \
                           tag = excluded.tag, n1 = excluded.n1, n2 = excluded.n2, updated_at = excluded.updated_at";
        tx_query!(
            self.tx,
            execute,
            SQL,
            self.tenant.0,
            kind,
            &row.k1,
            &row.k2,
            &row.k3,
            &row.sealed,
            &row.tag,
            row.n1,
            row.n2,
            now()
        )?;
        Ok(())
    }

    /// Deletes one row; `true` when it existed.
    pub async fn delete(&mut self, kind: &str, k1: &str, k2: &str, k3: &str) -> StoreResult<bool> {
        const SQL: &str =
            "DELETE FROM wa_device_keys WHERE tenant_id = $1 AND kind = $2 AND k1 = $3 AND k2 = $4 AND k3 = $5";
        Ok(tx_query!(self.tx, execute, SQL, self.tenant.0, kind, k1, k2, k3)? > 0)
    }

    /// Every row of a kind.
    pub async fn list(&mut self, kind: &str) -> StoreResult<Vec<WaKeyRow>> {
        let sql = format!("SELECT {COLS} FROM wa_device_keys WHERE tenant_id = $1 AND kind = $2 ORDER BY k1, k2, k3");
        Ok(tx_query!(self.tx, fetch_all, sqlx::AssertSqlSafe(sql), self.tenant.0, kind)?)
    }

    /// The rows of a kind whose first key part is `k1`.
    pub async fn list_k1(&mut self, kind: &str, k1: &str) -> StoreResult<Vec<WaKeyRow>> {
        let sql =
            format!("SELECT {COLS} FROM wa_device_keys WHERE tenant_id = $1 AND kind = $2 AND k1 = $3 ORDER BY k2, k3");
        Ok(tx_query!(self.tx, fetch_all, sqlx::AssertSqlSafe(sql), self.tenant.0, kind, k1)?)
    }

    /// Deletes the rows of a kind whose first key part is `k1`.
    pub async fn delete_k1(&mut self, kind: &str, k1: &str) -> StoreResult<u64> {
        const SQL: &str = "DELETE FROM wa_device_keys WHERE tenant_id = $1 AND kind = $2 AND k1 = $3";
        Ok(tx_query!(self.tx, execute, SQL, self.tenant.0, kind, k1)?)
    }

    /// Deletes the rows of a kind whose second key part is `k2`.
    pub async fn delete_k2(&mut self, kind: &str, k2: &str) -> StoreResult<u64> {
        const SQL: &str = "DELETE FROM wa_device_keys WHERE tenant_id = $1 AND kind = $2 AND k2 = $3";
        Ok(tx_query!(self.tx, execute, SQL, self.tenant.0, kind, k2)?)
    }

    /// Deletes every row of a kind.
    pub async fn delete_kind(&mut self, kind: &str) -> StoreResult<u64> {
        const SQL: &str = "DELETE FROM wa_device_keys WHERE tenant_id = $1 AND kind = $2";
        Ok(tx_query!(self.tx, execute, SQL, self.tenant.0, kind)?)
    }

    /// Deletes the whole device store of the tenant (logout, pairing again).
    pub async fn wipe(&mut self) -> StoreResult<u64> {
        const SQL: &str = "DELETE FROM wa_device_keys WHERE tenant_id = $1";
        Ok(tx_query!(self.tx, execute, SQL, self.tenant.0)?)
    }

    /// Number of rows of a kind.
    pub async fn count(&mut self, kind: &str) -> StoreResult<i64> {
        const SQL: &str = "SELECT count(*) FROM wa_device_keys WHERE tenant_id = $1 AND kind = $2";
        Ok(tx_query!(self.tx, scalar_one, SQL, self.tenant.0, kind)?)
    }

    /// The row of a kind with this tag and the highest `n2` (the newest).
    pub async fn newest_by_tag(&mut self, kind: &str, tag: &str) -> StoreResult<Option<WaKeyRow>> {
        let sql = format!(
            "SELECT {COLS} FROM wa_device_keys WHERE tenant_id = $1 AND kind = $2 AND tag = $3 \
             ORDER BY n2 DESC, k1 LIMIT 1"
        );
        Ok(tx_query!(self.tx, fetch_optional, sqlx::AssertSqlSafe(sql), self.tenant.0, kind, tag)?)
    }

    /// Deletes the rows of a kind whose `n1` is set and at most `max` (an expiry sweep).
    pub async fn delete_n1_upto(&mut self, kind: &str, max: i64) -> StoreResult<u64> {
        const SQL: &str =
            "DELETE FROM wa_device_keys WHERE tenant_id = $1 AND kind = $2 AND n1 IS NOT NULL AND n1 <= $3";
        Ok(tx_query!(self.tx, execute, SQL, self.tenant.0, kind, max)?)
    }

    /// Deletes the rows of a kind where both windows are stale: `n1` unset or below
    /// `n1_before`, and `n2` unset or below `n2_before`.
    pub async fn delete_both_stale(&mut self, kind: &str, n1_before: i64, n2_before: i64) -> StoreResult<u64> {
        const SQL: &str = "DELETE FROM wa_device_keys WHERE tenant_id = $1 AND kind = $2 \
                           AND (n1 IS NULL OR n1 < $3) AND (n2 IS NULL OR n2 < $4)";
        Ok(tx_query!(self.tx, execute, SQL, self.tenant.0, kind, n1_before, n2_before)?)
    }

    /// The highest `n1` of a kind.
    pub async fn max_n1(&mut self, kind: &str) -> StoreResult<Option<i64>> {
        const SQL: &str = "SELECT max(n1) FROM wa_device_keys WHERE tenant_id = $1 AND kind = $2";
        Ok(tx_query!(self.tx, scalar_one, SQL, self.tenant.0, kind)?)
    }

    /// Sets `n2` of an existing row (never inserts); `true` when the row exists.
    pub async fn set_n2(&mut self, kind: &str, k1: &str, n2: Option<i64>) -> StoreResult<bool> {
        const SQL: &str =
            "UPDATE wa_device_keys SET n2 = $4, updated_at = $5 WHERE tenant_id = $1 AND kind = $2 AND k1 = $3";
        Ok(tx_query!(self.tx, execute, SQL, self.tenant.0, kind, k1, n2, now())? > 0)
    }

    /// Whether any row of the kinds has a `k1` starting with `prefix` (`LIKE`, so the
    /// caller passes a prefix free of `%` and `_`).
    pub async fn any_k1_prefix(&mut self, kinds: &[&str], prefix: &str) -> StoreResult<bool> {
        const SQL: &str = "SELECT count(*) FROM wa_device_keys WHERE tenant_id = $1 AND kind = $2 AND k1 LIKE $3";
        let pattern = format!("{prefix}%");
        for kind in kinds {
            let n: i64 = tx_query!(self.tx, scalar_one, SQL, self.tenant.0, *kind, &pattern)?;
            if n > 0 {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// A cached answer to "is this number on WhatsApp?" (`wa_contact_checks`).
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ContactCheck {
    pub phone: String,
    pub on_whatsapp: bool,
    pub checked_at: chrono::DateTime<chrono::Utc>,
}

/// The tenant's cached first-contact checks (`TenantTx::contact_checks`).
pub struct ContactChecks<'a> {
    tx: &'a mut Tx,
    tenant: TenantId,
}

impl<'a> ContactChecks<'a> {
    pub(crate) fn new(tx: &'a mut Tx, tenant: TenantId) -> Self {
        ContactChecks { tx, tenant }
    }

    /// The answer for `phone` checked at or after `since`.
    pub async fn get(
        &mut self,
        phone: &str,
        since: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<Option<ContactCheck>> {
        const SQL: &str = "SELECT phone, on_whatsapp, checked_at FROM wa_contact_checks \
                           WHERE tenant_id = $1 AND phone = $2 AND checked_at >= $3";
        Ok(tx_query!(self.tx, fetch_optional, SQL, self.tenant.0, phone, since)?)
    }

    pub async fn put(&mut self, phone: &str, on_whatsapp: bool, at: chrono::DateTime<chrono::Utc>) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO wa_contact_checks (tenant_id, phone, on_whatsapp, checked_at) \
                           VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, phone) DO UPDATE SET \
                           on_whatsapp = excluded.on_whatsapp, checked_at = excluded.checked_at";
        tx_query!(self.tx, execute, SQL, self.tenant.0, phone, on_whatsapp, at)?;
        Ok(())
    }

    /// How many numbers found on WhatsApp were checked at or after `since` (new chats
    /// opened in a day).
    pub async fn count_since(&mut self, since: chrono::DateTime<chrono::Utc>) -> StoreResult<i64> {
        const SQL: &str =
            "SELECT count(*) FROM wa_contact_checks WHERE tenant_id = $1 AND checked_at >= $2 AND on_whatsapp";
        Ok(tx_query!(self.tx, scalar_one, SQL, self.tenant.0, since)?)
    }
}

/// (lid, phone_number, created_at, learning_source, updated_at)
pub type LegacyLidPn = (String, String, i64, String, i64);
/// (user_id, devices_json, timestamp, phash, raw_id)
pub type LegacyDeviceList = (String, String, i64, Option<String>, Option<i64>);
/// (chat, sender, msg_id, secret, expires_at, message_ts)
pub type LegacyMsgSecret = (String, String, String, Vec<u8>, i64, i64);
/// (chat, sender, id, message, inserted_at)
pub type LegacyPendingInbound = (String, String, String, Vec<u8>, i64);
/// (jid, token, token_timestamp, sender_timestamp)
pub type LegacyTcToken = (String, Vec<u8>, i64, Option<i64>);
/// (name, version, index_mac, value_mac)
pub type LegacyMutationMac = (String, i64, Vec<u8>, Vec<u8>);

/// The tables of whatsapp-rust 0.7's own SQLite backend (`device.db`), raw, for the
/// one-time move into [`WaKeys`]. Only the first device of the file (the one Garasi
/// used) is read.
#[derive(Debug, Default)]
pub struct LegacyDeviceDb {
    /// `device` as name → value, blobs as bytes, numbers as i64, text as UTF-8 bytes.
    pub device: Option<Vec<(String, LegacyValue)>>,
    pub identities: Vec<(String, Vec<u8>)>,
    pub sessions: Vec<(String, Vec<u8>)>,
    /// (id, record, uploaded)
    pub prekeys: Vec<(i64, Vec<u8>, bool)>,
    pub signed_prekeys: Vec<(i64, Vec<u8>)>,
    pub sender_keys: Vec<(String, Vec<u8>)>,
    /// (key_id, protobuf `AppStateSyncKeyWire`)
    pub app_state_keys: Vec<(Vec<u8>, Vec<u8>)>,
    /// (name, protobuf `HashStateWire`)
    pub app_state_versions: Vec<(String, Vec<u8>)>,
    /// (name, version, index_mac, value_mac)
    pub mutation_macs: Vec<LegacyMutationMac>,
    /// (lid, phone_number, created_at, learning_source, updated_at)
    pub lid_pn: Vec<LegacyLidPn>,
    /// (user_id, devices_json, timestamp, phash, raw_id)
    pub device_registry: Vec<LegacyDeviceList>,
    /// (jid, token, token_timestamp, sender_timestamp)
    pub tc_tokens: Vec<LegacyTcToken>,
    /// (group_jid, device_jid, has_key)
    pub sender_key_devices: Vec<(String, String, i64)>,
    /// (chat, sender, msg_id, secret, expires_at, message_ts)
    pub msg_secrets: Vec<LegacyMsgSecret>,
    /// (chat, sender, id, message, inserted_at)
    pub pending_inbound: Vec<LegacyPendingInbound>,
}

/// A column of the legacy `device` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LegacyValue {
    Null,
    Int(i64),
    Text(String),
    Blob(Vec<u8>),
}

/// Reads a legacy `device.db` (read-only). Tables missing from an older file read as empty.
pub async fn read_legacy_device_db(path: &Path) -> StoreResult<LegacyDeviceDb> {
    use sqlx::sqlite::{SqliteConnectOptions, SqliteRow};
    use sqlx::{Column, ConnectOptions, Row, TypeInfo, ValueRef};

    let mut conn = SqliteConnectOptions::new().filename(path).read_only(true).connect().await?;
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'").fetch_all(&mut conn).await?;
    let has = |t: &str| tables.iter().any(|n| n == t);
    let mut out = LegacyDeviceDb::default();
    if !has("device") {
        return Ok(out);
    }
    let device: Option<SqliteRow> =
        sqlx::query("SELECT * FROM device ORDER BY id LIMIT 1").fetch_optional(&mut conn).await?;
    let Some(device) = device else { return Ok(out) };
    let device_id: i64 = device.try_get("id")?;
    let mut cols = Vec::new();
    for (i, c) in device.columns().iter().enumerate() {
        let raw = device.try_get_raw(i)?;
        let v = if raw.is_null() {
            LegacyValue::Null
        } else {
            match raw.type_info().name() {
                "INTEGER" | "BOOLEAN" => LegacyValue::Int(device.try_get(i)?),
                "TEXT" => LegacyValue::Text(device.try_get(i)?),
                _ => LegacyValue::Blob(device.try_get(i)?),
            }
        };
        cols.push((c.name().to_owned(), v));
    }
    out.device = Some(cols);

    macro_rules! read {
        ($table:literal, $sql:literal, $field:ident) => {
            if has($table) {
                out.$field = sqlx::query_as($sql).bind(device_id).fetch_all(&mut conn).await?;
            }
        };
    }
    read!("identities", "SELECT address, key FROM identities WHERE device_id = $1", identities);
    read!("sessions", "SELECT address, record FROM sessions WHERE device_id = $1", sessions);
    read!("prekeys", "SELECT id, key, uploaded FROM prekeys WHERE device_id = $1", prekeys);
    read!("signed_prekeys", "SELECT id, record FROM signed_prekeys WHERE device_id = $1", signed_prekeys);
    read!("sender_keys", "SELECT address, record FROM sender_keys WHERE device_id = $1", sender_keys);
    read!("app_state_keys", "SELECT key_id, key_data FROM app_state_keys WHERE device_id = $1", app_state_keys);
    read!(
        "app_state_versions",
        "SELECT name, state_data FROM app_state_versions WHERE device_id = $1",
        app_state_versions
    );
    read!(
        "app_state_mutation_macs",
        "SELECT name, version, index_mac, value_mac FROM app_state_mutation_macs WHERE device_id = $1",
        mutation_macs
    );
    read!(
        "lid_pn_mapping",
        "SELECT lid, phone_number, created_at, learning_source, updated_at FROM lid_pn_mapping WHERE device_id = $1",
        lid_pn
    );
    read!(
        "device_registry",
        "SELECT user_id, devices_json, timestamp, phash, raw_id FROM device_registry WHERE device_id = $1",
        device_registry
    );
    read!(
        "tc_tokens",
        "SELECT jid, token, token_timestamp, sender_timestamp FROM tc_tokens WHERE device_id = $1",
        tc_tokens
    );
    read!(
        "sender_key_devices",
        "SELECT group_jid, device_jid, has_key FROM sender_key_devices WHERE device_id = $1",
        sender_key_devices
    );
    read!(
        "msg_secrets",
        "SELECT chat, sender, msg_id, secret, expires_at, message_ts FROM msg_secrets WHERE device_id = $1",
        msg_secrets
    );
    read!(
        "pending_inbound_messages",
        "SELECT chat, sender, id, message, inserted_at FROM pending_inbound_messages WHERE device_id = $1",
        pending_inbound
    );
    Ok(out)
}
