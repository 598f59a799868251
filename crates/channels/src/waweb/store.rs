//! whatsapp-rust's storage traits on Garasi's database (`wa_device_keys`).
//!
//! Every value is sealed with the platform [`SecretBox`] (AES-256-GCM) before it reaches
//! the store, bound to the tenant, the item kind and its key: a row copied to another
//! tenant or another key does not open. The keys of rows (addresses, JIDs, ids) and a few
//! numbers (ids, timestamps, flags) stay plain so the store can look them up and expire
//! them. The semantics follow the library's in-memory reference backend. Read-modify-write
//! operations hold a per-store lock; only one client runs per tenant (the lease), so the
//! lock makes them atomic.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use garasi_domain::TenantId;
use garasi_store::TenantDb;
use garasi_store::wa_keys::WaKeyRow;
use whatsapp_rust::bytes::Bytes;
use whatsapp_rust::wacore::appstate::hash::HashState;
use whatsapp_rust::wacore::appstate::processor::AppStateMutationMAC;
use whatsapp_rust::wacore::store::Device;
use whatsapp_rust::wacore::store::error::{Result, StoreError};
use whatsapp_rust::wacore::store::traits::*;

use crate::secret::SecretBox;

/// Item kinds (the `kind` column).
pub(crate) mod kind {
    pub const DEVICE: &str = "device";
    pub const IDENTITY: &str = "identity";
    pub const SESSION: &str = "session";
    pub const PREKEY: &str = "prekey";
    pub const SIGNED_PREKEY: &str = "signed_prekey";
    pub const SENDER_KEY: &str = "sender_key";
    pub const SYNC_KEY: &str = "sync_key";
    pub const META: &str = "meta";
    pub const APP_VERSION: &str = "app_version";
    pub const MUTATION_MAC: &str = "mutation_mac";
    pub const SENDER_KEY_DEVICE: &str = "sender_key_device";
    pub const LID_MAP: &str = "lid_map";
    pub const BASE_KEY: &str = "base_key";
    pub const DEVICE_LIST: &str = "device_list";
    pub const GROUP_META: &str = "group_meta";
    pub const TC_TOKEN: &str = "tc_token";
    pub const SENT_MESSAGE: &str = "sent_message";
    pub const PENDING_INBOUND: &str = "pending_inbound";
    pub const MSG_SECRET: &str = "msg_secret";
}

const LATEST_SYNC_KEY: &str = "latest_sync_key";

/// One showroom's device store.
#[derive(Clone)]
pub struct DbStore {
    db: TenantDb,
    secrets: SecretBox,
    lock: Arc<tokio::sync::Mutex<()>>,
}

fn db_err(e: garasi_store::StoreError) -> StoreError {
    StoreError::Database(Box::new(e))
}

fn ser_err(e: serde_json::Error) -> StoreError {
    StoreError::Serialization(Box::new(e))
}

fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

impl DbStore {
    pub fn new(db: TenantDb, secrets: SecretBox) -> DbStore {
        DbStore { db, secrets, lock: Arc::new(tokio::sync::Mutex::new(())) }
    }

    pub fn tenant(&self) -> TenantId {
        self.db.tenant_id()
    }

    /// The associated data of a value: tenant, kind and key, each ended by a zero byte.
    fn aad(&self, kind: &str, k1: &str, k2: &str, k3: &str) -> Vec<u8> {
        let mut aad = self.db.tenant_id().0.as_bytes().to_vec();
        for part in [kind, k1, k2, k3] {
            aad.extend_from_slice(part.as_bytes());
            aad.push(0);
        }
        aad
    }

    pub(crate) fn seal(&self, kind: &str, k1: &str, k2: &str, k3: &str, value: &[u8]) -> String {
        self.secrets.seal_bound(&self.aad(kind, k1, k2, k3), value)
    }

    fn open(&self, kind: &str, row: &WaKeyRow) -> Result<Option<Vec<u8>>> {
        let Some(sealed) = &row.sealed else { return Ok(None) };
        self.secrets
            .open_bound(&self.aad(kind, &row.k1, &row.k2, &row.k3), sealed)
            .map(Some)
            .map_err(|e| StoreError::Database(Box::new(e)))
    }

    /// A row with its value sealed.
    pub(crate) fn row(&self, kind: &str, k: [&str; 3], value: &[u8]) -> WaKeyRow {
        WaKeyRow {
            k1: k[0].to_owned(),
            k2: k[1].to_owned(),
            k3: k[2].to_owned(),
            sealed: Some(self.seal(kind, k[0], k[1], k[2], value)),
            ..WaKeyRow::default()
        }
    }

    async fn get_row(&self, kind: &str, k: [&str; 3]) -> Result<Option<WaKeyRow>> {
        let mut tx = self.db.begin().await.map_err(db_err)?;
        let row = tx.wa_keys().get(kind, k[0], k[1], k[2]).await.map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(row)
    }

    async fn get_value(&self, kind: &str, k: [&str; 3]) -> Result<Option<Vec<u8>>> {
        match self.get_row(kind, k).await? {
            Some(row) => self.open(kind, &row),
            None => Ok(None),
        }
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, kind: &str, k: [&str; 3]) -> Result<Option<T>> {
        match self.get_value(kind, k).await? {
            Some(v) => Ok(Some(serde_json::from_slice(&v).map_err(ser_err)?)),
            None => Ok(None),
        }
    }

    /// Writes rows of one kind in one transaction.
    pub(crate) async fn put_rows(&self, kind: &str, rows: &[WaKeyRow]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut tx = self.db.begin_write().await.map_err(db_err)?;
        for row in rows {
            tx.wa_keys().put(kind, row).await.map_err(db_err)?;
        }
        tx.commit().await.map_err(db_err)
    }

    async fn put_value(&self, kind: &str, k: [&str; 3], value: &[u8]) -> Result<()> {
        self.put_rows(kind, &[self.row(kind, k, value)]).await
    }

    async fn put_json<T: serde::Serialize>(&self, kind: &str, k: [&str; 3], value: &T) -> Result<()> {
        self.put_value(kind, k, &serde_json::to_vec(value).map_err(ser_err)?).await
    }

    async fn delete(&self, kind: &str, k: [&str; 3]) -> Result<()> {
        let mut tx = self.db.begin_write().await.map_err(db_err)?;
        tx.wa_keys().delete(kind, k[0], k[1], k[2]).await.map_err(db_err)?;
        tx.commit().await.map_err(db_err)
    }

    async fn list(&self, kind: &str, k1: Option<&str>) -> Result<Vec<WaKeyRow>> {
        let mut tx = self.db.begin().await.map_err(db_err)?;
        let rows = match k1 {
            Some(k1) => tx.wa_keys().list_k1(kind, k1).await,
            None => tx.wa_keys().list(kind).await,
        }
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(rows)
    }

    /// Deletes every key of the tenant (logout, pairing again).
    pub async fn wipe(&self) -> std::result::Result<u64, garasi_store::StoreError> {
        let mut tx = self.db.begin_write().await?;
        let n = tx.wa_keys().wipe().await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Whether a device (paired or not) is stored.
    pub async fn has_device(&self) -> std::result::Result<bool, garasi_store::StoreError> {
        let mut tx = self.db.begin().await?;
        let n = tx.wa_keys().count(kind::DEVICE).await?;
        tx.commit().await?;
        Ok(n > 0)
    }

    pub(crate) fn device_row(&self, device: &Device) -> Result<WaKeyRow> {
        Ok(self.row(kind::DEVICE, ["", "", ""], &serde_json::to_vec(device).map_err(ser_err)?))
    }
}

fn ok_32(v: Vec<u8>) -> Result<[u8; 32]> {
    v.try_into().map_err(|v: Vec<u8>| StoreError::Validation(format!("identity key of {} bytes", v.len())))
}

#[async_trait]
impl SignalStore for DbStore {
    async fn put_identity(&self, address: &str, key: [u8; 32]) -> Result<()> {
        self.put_value(kind::IDENTITY, [address, "", ""], &key).await
    }

    async fn put_identities_batch(&self, identities: &[(Arc<str>, [u8; 32])]) -> Result<()> {
        let rows: Vec<_> = identities.iter().map(|(a, k)| self.row(kind::IDENTITY, [a, "", ""], k)).collect();
        self.put_rows(kind::IDENTITY, &rows).await
    }

    async fn load_identity(&self, address: &str) -> Result<Option<[u8; 32]>> {
        self.get_value(kind::IDENTITY, [address, "", ""]).await?.map(ok_32).transpose()
    }

    async fn delete_identity(&self, address: &str) -> Result<()> {
        self.delete(kind::IDENTITY, [address, "", ""]).await
    }

    async fn get_session(&self, address: &str) -> Result<Option<Bytes>> {
        Ok(self.get_value(kind::SESSION, [address, "", ""]).await?.map(Bytes::from))
    }

    async fn put_session(&self, address: &str, session: &[u8]) -> Result<()> {
        self.put_value(kind::SESSION, [address, "", ""], session).await
    }

    async fn put_sessions_batch(&self, sessions: &[(Arc<str>, Bytes)]) -> Result<()> {
        let rows: Vec<_> = sessions.iter().map(|(a, s)| self.row(kind::SESSION, [a, "", ""], s)).collect();
        self.put_rows(kind::SESSION, &rows).await
    }

    async fn delete_session(&self, address: &str) -> Result<()> {
        self.delete(kind::SESSION, [address, "", ""]).await
    }

    async fn has_session(&self, address: &str) -> Result<bool> {
        Ok(self.get_row(kind::SESSION, [address, "", ""]).await?.is_some())
    }

    async fn has_signal_state_for_user(&self, user: &str) -> Result<bool> {
        if user.is_empty() || user.contains(['%', '_', '\\']) {
            return Ok(true);
        }
        let mut tx = self.db.begin().await.map_err(db_err)?;
        let kinds = [kind::SESSION, kind::IDENTITY];
        let found = tx.wa_keys().any_k1_prefix(&kinds, &format!("{user}@")).await.map_err(db_err)?
            || tx.wa_keys().any_k1_prefix(&kinds, &format!("{user}:")).await.map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(found)
    }

    async fn store_prekey(&self, id: u32, record: &[u8], uploaded: bool) -> Result<()> {
        self.store_prekeys_batch(&[(id, Bytes::copy_from_slice(record))], uploaded).await
    }

    async fn store_prekeys_batch(&self, keys: &[(u32, Bytes)], uploaded: bool) -> Result<()> {
        let rows: Vec<_> = keys
            .iter()
            .map(|(id, rec)| {
                let mut row = self.row(kind::PREKEY, [&id.to_string(), "", ""], rec);
                row.n1 = Some(i64::from(*id));
                row.n2 = Some(i64::from(uploaded));
                row
            })
            .collect();
        self.put_rows(kind::PREKEY, &rows).await
    }

    async fn load_prekey(&self, id: u32) -> Result<Option<Bytes>> {
        Ok(self.get_value(kind::PREKEY, [&id.to_string(), "", ""]).await?.map(Bytes::from))
    }

    async fn mark_prekeys_uploaded(&self, ids: &[u32]) -> Result<()> {
        let mut tx = self.db.begin_write().await.map_err(db_err)?;
        for id in ids {
            tx.wa_keys().set_n2(kind::PREKEY, &id.to_string(), Some(1)).await.map_err(db_err)?;
        }
        tx.commit().await.map_err(db_err)
    }

    async fn remove_prekey(&self, id: u32) -> Result<()> {
        self.delete(kind::PREKEY, [&id.to_string(), "", ""]).await
    }

    async fn get_max_prekey_id(&self) -> Result<u32> {
        let mut tx = self.db.begin().await.map_err(db_err)?;
        let max = tx.wa_keys().max_n1(kind::PREKEY).await.map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(max.and_then(|m| u32::try_from(m).ok()).unwrap_or(0))
    }

    async fn store_signed_prekey(&self, id: u32, record: &[u8]) -> Result<()> {
        let mut row = self.row(kind::SIGNED_PREKEY, [&id.to_string(), "", ""], record);
        row.n1 = Some(i64::from(id));
        self.put_rows(kind::SIGNED_PREKEY, &[row]).await
    }

    async fn load_signed_prekey(&self, id: u32) -> Result<Option<Vec<u8>>> {
        self.get_value(kind::SIGNED_PREKEY, [&id.to_string(), "", ""]).await
    }

    async fn load_all_signed_prekeys(&self) -> Result<Vec<(u32, Vec<u8>)>> {
        let mut out = Vec::new();
        for row in self.list(kind::SIGNED_PREKEY, None).await? {
            let id = row.n1.and_then(|n| u32::try_from(n).ok()).unwrap_or_default();
            if let Some(v) = self.open(kind::SIGNED_PREKEY, &row)? {
                out.push((id, v));
            }
        }
        Ok(out)
    }

    async fn remove_signed_prekey(&self, id: u32) -> Result<()> {
        self.delete(kind::SIGNED_PREKEY, [&id.to_string(), "", ""]).await
    }

    async fn put_sender_key(&self, address: &str, record: &[u8]) -> Result<()> {
        self.put_value(kind::SENDER_KEY, [address, "", ""], record).await
    }

    async fn put_sender_keys_batch(&self, sender_keys: &[(Arc<str>, Bytes)]) -> Result<()> {
        let rows: Vec<_> = sender_keys.iter().map(|(a, r)| self.row(kind::SENDER_KEY, [a, "", ""], r)).collect();
        self.put_rows(kind::SENDER_KEY, &rows).await
    }

    async fn get_sender_key(&self, address: &str) -> Result<Option<Vec<u8>>> {
        self.get_value(kind::SENDER_KEY, [address, "", ""]).await
    }

    async fn delete_sender_key(&self, address: &str) -> Result<()> {
        self.delete(kind::SENDER_KEY, [address, "", ""]).await
    }
}

#[async_trait]
impl AppSyncStore for DbStore {
    async fn get_sync_key(&self, key_id: &[u8]) -> Result<Option<AppStateSyncKey>> {
        self.get_json(kind::SYNC_KEY, [&hex::encode(key_id), "", ""]).await
    }

    async fn set_sync_key(&self, key_id: &[u8], key: AppStateSyncKey) -> Result<()> {
        let id = hex::encode(key_id);
        let value = serde_json::to_vec(&key).map_err(ser_err)?;
        let mut tx = self.db.begin_write().await.map_err(db_err)?;
        tx.wa_keys().put(kind::SYNC_KEY, &self.row(kind::SYNC_KEY, [&id, "", ""], &value)).await.map_err(db_err)?;
        let latest = self.row(kind::META, [LATEST_SYNC_KEY, "", ""], key_id);
        tx.wa_keys().put(kind::META, &latest).await.map_err(db_err)?;
        tx.commit().await.map_err(db_err)
    }

    async fn get_version(&self, name: &str) -> Result<HashState> {
        Ok(self.get_json(kind::APP_VERSION, [name, "", ""]).await?.unwrap_or_default())
    }

    async fn set_version(&self, name: &str, state: HashState) -> Result<()> {
        self.put_json(kind::APP_VERSION, [name, "", ""], &state).await
    }

    async fn put_mutation_macs(&self, name: &str, version: u64, mutations: &[AppStateMutationMAC]) -> Result<()> {
        let rows: Vec<_> = mutations
            .iter()
            .map(|m| {
                let mut row = self.row(kind::MUTATION_MAC, [name, &hex::encode(&m.index_mac), ""], &m.value_mac);
                row.n1 = i64::try_from(version).ok();
                row
            })
            .collect();
        self.put_rows(kind::MUTATION_MAC, &rows).await
    }

    async fn get_mutation_mac(&self, name: &str, index_mac: &[u8]) -> Result<Option<Vec<u8>>> {
        self.get_value(kind::MUTATION_MAC, [name, &hex::encode(index_mac), ""]).await
    }

    async fn get_mutation_macs(&self, name: &str, index_macs: &[[u8; 32]]) -> Result<HashMap<[u8; 32], Vec<u8>>> {
        let mut out = HashMap::with_capacity(index_macs.len());
        let mut tx = self.db.begin().await.map_err(db_err)?;
        for im in index_macs {
            let row = tx.wa_keys().get(kind::MUTATION_MAC, name, &hex::encode(im), "").await.map_err(db_err)?;
            if let Some(v) = row.map(|r| self.open(kind::MUTATION_MAC, &r)).transpose()?.flatten() {
                out.insert(*im, v);
            }
        }
        tx.commit().await.map_err(db_err)?;
        Ok(out)
    }

    async fn delete_mutation_macs(&self, name: &str, index_macs: &[Vec<u8>]) -> Result<()> {
        let mut tx = self.db.begin_write().await.map_err(db_err)?;
        for im in index_macs {
            tx.wa_keys().delete(kind::MUTATION_MAC, name, &hex::encode(im), "").await.map_err(db_err)?;
        }
        tx.commit().await.map_err(db_err)
    }

    async fn clear_mutation_macs(&self, name: &str) -> Result<()> {
        let mut tx = self.db.begin_write().await.map_err(db_err)?;
        tx.wa_keys().delete_k1(kind::MUTATION_MAC, name).await.map_err(db_err)?;
        tx.commit().await.map_err(db_err)
    }

    async fn get_latest_sync_key_id(&self) -> Result<Option<Vec<u8>>> {
        self.get_value(kind::META, [LATEST_SYNC_KEY, "", ""]).await
    }
}

#[async_trait]
impl ProtocolStore for DbStore {
    async fn get_sender_key_devices(&self, group_jid: &str) -> Result<Vec<(String, bool)>> {
        Ok(self
            .list(kind::SENDER_KEY_DEVICE, Some(group_jid))
            .await?
            .into_iter()
            .map(|r| (r.k2, r.n1.unwrap_or(0) != 0))
            .collect())
    }

    async fn set_sender_key_status(&self, group_jid: &str, entries: &[(&str, bool)]) -> Result<()> {
        let rows: Vec<_> = entries
            .iter()
            .map(|(device, has)| WaKeyRow {
                k1: group_jid.to_owned(),
                k2: (*device).to_owned(),
                n1: Some(i64::from(*has)),
                ..WaKeyRow::default()
            })
            .collect();
        self.put_rows(kind::SENDER_KEY_DEVICE, &rows).await
    }

    async fn clear_sender_key_devices(&self, group_jid: &str) -> Result<()> {
        let mut tx = self.db.begin_write().await.map_err(db_err)?;
        tx.wa_keys().delete_k1(kind::SENDER_KEY_DEVICE, group_jid).await.map_err(db_err)?;
        tx.commit().await.map_err(db_err)
    }

    async fn delete_sender_key_device_rows(&self, device_jids: &[&str]) -> Result<()> {
        let mut tx = self.db.begin_write().await.map_err(db_err)?;
        for d in device_jids {
            tx.wa_keys().delete_k2(kind::SENDER_KEY_DEVICE, d).await.map_err(db_err)?;
        }
        tx.commit().await.map_err(db_err)
    }

    async fn clear_all_sender_key_devices(&self) -> Result<()> {
        let mut tx = self.db.begin_write().await.map_err(db_err)?;
        tx.wa_keys().delete_kind(kind::SENDER_KEY_DEVICE).await.map_err(db_err)?;
        tx.commit().await.map_err(db_err)
    }

    async fn get_lid_mapping(&self, lid: &str) -> Result<Option<LidPnMappingEntry>> {
        self.get_json(kind::LID_MAP, [lid, "", ""]).await
    }

    async fn get_pn_mapping(&self, phone: &str) -> Result<Option<LidPnMappingEntry>> {
        let mut tx = self.db.begin().await.map_err(db_err)?;
        let row = tx.wa_keys().newest_by_tag(kind::LID_MAP, phone).await.map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        match row.map(|r| self.open(kind::LID_MAP, &r)).transpose()?.flatten() {
            Some(v) => Ok(Some(serde_json::from_slice(&v).map_err(ser_err)?)),
            None => Ok(None),
        }
    }

    async fn put_lid_mapping(&self, entry: &LidPnMappingEntry) -> Result<()> {
        self.put_lid_mappings(std::slice::from_ref(entry)).await
    }

    async fn put_lid_mappings(&self, entries: &[LidPnMappingEntry]) -> Result<()> {
        let mut rows = Vec::with_capacity(entries.len());
        for e in entries {
            let mut row = self.row(kind::LID_MAP, [&e.lid, "", ""], &serde_json::to_vec(e).map_err(ser_err)?);
            row.tag = Some(e.phone_number.clone());
            row.n2 = Some(e.updated_at);
            rows.push(row);
        }
        self.put_rows(kind::LID_MAP, &rows).await
    }

    async fn get_all_lid_mappings(&self) -> Result<Vec<LidPnMappingEntry>> {
        let mut out = Vec::new();
        for row in self.list(kind::LID_MAP, None).await? {
            if let Some(v) = self.open(kind::LID_MAP, &row)? {
                out.push(serde_json::from_slice(&v).map_err(ser_err)?);
            }
        }
        Ok(out)
    }

    async fn save_base_key(&self, address: &str, message_id: &str, base_key: &[u8]) -> Result<()> {
        self.put_value(kind::BASE_KEY, [address, message_id, ""], base_key).await
    }

    async fn has_same_base_key(&self, address: &str, message_id: &str, current_base_key: &[u8]) -> Result<bool> {
        Ok(self.get_value(kind::BASE_KEY, [address, message_id, ""]).await?.is_some_and(|v| v == current_base_key))
    }

    async fn delete_base_key(&self, address: &str, message_id: &str) -> Result<()> {
        self.delete(kind::BASE_KEY, [address, message_id, ""]).await
    }

    async fn update_device_list(&self, record: DeviceListRecord) -> Result<()> {
        self.update_device_lists(vec![record]).await
    }

    async fn update_device_lists(&self, records: Vec<DeviceListRecord>) -> Result<()> {
        let mut rows = Vec::with_capacity(records.len());
        for r in &records {
            rows.push(self.row(kind::DEVICE_LIST, [&r.user, "", ""], &serde_json::to_vec(r).map_err(ser_err)?));
        }
        self.put_rows(kind::DEVICE_LIST, &rows).await
    }

    async fn get_devices(&self, user: &str) -> Result<Option<DeviceListRecord>> {
        self.get_json(kind::DEVICE_LIST, [user, "", ""]).await
    }

    async fn delete_devices(&self, user: &str) -> Result<()> {
        self.delete(kind::DEVICE_LIST, [user, "", ""]).await
    }

    async fn get_group_metadata(&self, group_jid: &str) -> Result<Option<Vec<u8>>> {
        self.get_value(kind::GROUP_META, [group_jid, "", ""]).await
    }

    async fn put_group_metadata(&self, group_jid: &str, blob: &[u8]) -> Result<()> {
        self.put_value(kind::GROUP_META, [group_jid, "", ""], blob).await
    }

    async fn delete_group_metadata(&self, group_jid: &str) -> Result<()> {
        self.delete(kind::GROUP_META, [group_jid, "", ""]).await
    }

    async fn get_tc_token(&self, jid: &str) -> Result<Option<TcTokenEntry>> {
        self.get_json(kind::TC_TOKEN, [jid, "", ""]).await
    }

    async fn put_tc_token(&self, jid: &str, entry: &TcTokenEntry) -> Result<()> {
        let _g = self.lock.lock().await;
        self.put_tc_token_unlocked(jid, entry).await
    }

    async fn delete_tc_token(&self, jid: &str) -> Result<()> {
        self.delete(kind::TC_TOKEN, [jid, "", ""]).await
    }

    async fn get_all_tc_token_jids(&self) -> Result<Vec<String>> {
        Ok(self.list(kind::TC_TOKEN, None).await?.into_iter().map(|r| r.k1).collect())
    }

    async fn delete_expired_tc_tokens(&self, token_cutoff: i64, sender_cutoff: i64) -> Result<u32> {
        let mut tx = self.db.begin_write().await.map_err(db_err)?;
        let n = tx.wa_keys().delete_both_stale(kind::TC_TOKEN, token_cutoff, sender_cutoff).await.map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    async fn touch_tc_token_sender_timestamp(&self, jid: &str, sender_timestamp: i64) -> Result<()> {
        let _g = self.lock.lock().await;
        let entry = match self.get_tc_token(jid).await? {
            Some(e) => TcTokenEntry {
                sender_timestamp: Some(e.sender_timestamp.map_or(sender_timestamp, |s| s.max(sender_timestamp))),
                ..e
            },
            None => TcTokenEntry {
                token: Vec::new(),
                token_timestamp: sender_timestamp,
                sender_timestamp: Some(sender_timestamp),
            },
        };
        self.put_tc_token_unlocked(jid, &entry).await
    }

    async fn store_received_tc_token(&self, jid: &str, token: &[u8], token_timestamp: i64) -> Result<()> {
        let _g = self.lock.lock().await;
        let existing = self.get_tc_token(jid).await?;
        if let Some(e) = &existing
            && !e.token.is_empty()
            && token_timestamp < e.token_timestamp
        {
            return Ok(());
        }
        let sender_timestamp = existing.and_then(|e| e.sender_timestamp);
        let entry = TcTokenEntry { token: token.to_vec(), token_timestamp, sender_timestamp };
        self.put_tc_token_unlocked(jid, &entry).await
    }

    async fn store_sent_message(&self, chat_jid: &str, message_id: &str, payload: &[u8]) -> Result<()> {
        let mut row = self.row(kind::SENT_MESSAGE, [chat_jid, message_id, ""], payload);
        row.n1 = Some(now_secs());
        self.put_rows(kind::SENT_MESSAGE, &[row]).await
    }

    async fn take_sent_message(&self, chat_jid: &str, message_id: &str) -> Result<Option<Vec<u8>>> {
        let mut tx = self.db.begin_write().await.map_err(db_err)?;
        let row = tx.wa_keys().get(kind::SENT_MESSAGE, chat_jid, message_id, "").await.map_err(db_err)?;
        if row.is_some() {
            tx.wa_keys().delete(kind::SENT_MESSAGE, chat_jid, message_id, "").await.map_err(db_err)?;
        }
        tx.commit().await.map_err(db_err)?;
        Ok(row.map(|r| self.open(kind::SENT_MESSAGE, &r)).transpose()?.flatten())
    }

    async fn delete_expired_sent_messages(&self, cutoff_timestamp: i64) -> Result<u32> {
        self.delete_upto(kind::SENT_MESSAGE, cutoff_timestamp.saturating_sub(1)).await
    }

    async fn store_pending_inbound(&self, chat: &str, sender: &str, id: &str, message: &[u8]) -> Result<()> {
        let row = PendingInboundRow { chat, sender, id, message };
        self.store_pending_inbound_batch(&[row]).await
    }

    async fn store_pending_inbound_batch(&self, rows: &[PendingInboundRow<'_>]) -> Result<()> {
        let at = now_secs();
        let rows: Vec<_> = rows
            .iter()
            .map(|r| {
                let mut row = self.row(kind::PENDING_INBOUND, [r.chat, r.sender, r.id], r.message);
                row.n1 = Some(at);
                row
            })
            .collect();
        self.put_rows(kind::PENDING_INBOUND, &rows).await
    }

    async fn get_pending_inbound(&self, chat: &str, sender: &str, id: &str) -> Result<Option<Vec<u8>>> {
        self.get_value(kind::PENDING_INBOUND, [chat, sender, id]).await
    }

    async fn delete_pending_inbound(&self, chat: &str, sender: &str, id: &str) -> Result<()> {
        self.delete(kind::PENDING_INBOUND, [chat, sender, id]).await
    }

    async fn delete_pending_inbound_batch(&self, keys: &[PendingInboundKey<'_>]) -> Result<()> {
        let mut tx = self.db.begin_write().await.map_err(db_err)?;
        for k in keys {
            tx.wa_keys().delete(kind::PENDING_INBOUND, k.chat, k.sender, k.id).await.map_err(db_err)?;
        }
        tx.commit().await.map_err(db_err)
    }

    async fn delete_expired_pending_inbound(&self, cutoff_timestamp: i64) -> Result<u32> {
        self.delete_upto(kind::PENDING_INBOUND, cutoff_timestamp.saturating_sub(1)).await
    }
}

impl DbStore {
    async fn put_tc_token_unlocked(&self, jid: &str, entry: &TcTokenEntry) -> Result<()> {
        let mut row = self.row(kind::TC_TOKEN, [jid, "", ""], &serde_json::to_vec(entry).map_err(ser_err)?);
        // Plain copies for the expiry sweep: an empty token counts as absent.
        row.n1 = (!entry.token.is_empty()).then_some(entry.token_timestamp);
        row.n2 = entry.sender_timestamp;
        self.put_rows(kind::TC_TOKEN, &[row]).await
    }

    async fn delete_upto(&self, kind: &str, max: i64) -> Result<u32> {
        let mut tx = self.db.begin_write().await.map_err(db_err)?;
        let n = tx.wa_keys().delete_n1_upto(kind, max).await.map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// A message-secret row: the secret sealed, `n1` the deadline (unset = never), `n2`
    /// the parent message's time.
    pub(crate) fn msg_secret_row(&self, e: &MsgSecretEntry) -> WaKeyRow {
        let mut row = self.row(kind::MSG_SECRET, [&e.chat, &e.sender, &e.msg_id], &e.secret);
        row.n1 = (e.expires_at != 0).then_some(e.expires_at);
        row.n2 = Some(e.message_ts);
        row
    }
}

#[async_trait]
impl MsgSecretStore for DbStore {
    async fn put_msg_secrets(&self, entries: Vec<MsgSecretEntry>) -> Result<usize> {
        let _g = self.lock.lock().await;
        let n = entries.len();
        let mut tx = self.db.begin_write().await.map_err(db_err)?;
        for mut e in entries {
            if let Some(old) =
                tx.wa_keys().get(kind::MSG_SECRET, &e.chat, &e.sender, &e.msg_id).await.map_err(db_err)?
            {
                e.expires_at = merge_msg_secret_expiry(old.n1.unwrap_or(0), e.expires_at);
                e.message_ts = merge_msg_secret_message_ts(old.n2.unwrap_or(0), e.message_ts);
            }
            tx.wa_keys().put(kind::MSG_SECRET, &self.msg_secret_row(&e)).await.map_err(db_err)?;
        }
        tx.commit().await.map_err(db_err)?;
        Ok(n)
    }

    async fn get_msg_secret(&self, chat: &str, sender: &str, msg_id: &str) -> Result<Option<Vec<u8>>> {
        Ok(self.get_msg_secret_with_ts(chat, sender, msg_id).await?.map(|(s, _)| s))
    }

    async fn get_msg_secret_with_ts(&self, chat: &str, sender: &str, msg_id: &str) -> Result<Option<(Vec<u8>, i64)>> {
        let Some(row) = self.get_row(kind::MSG_SECRET, [chat, sender, msg_id]).await? else { return Ok(None) };
        let ts = row.n2.unwrap_or(0);
        Ok(self.open(kind::MSG_SECRET, &row)?.map(|s| (s, ts)))
    }

    async fn delete_expired_msg_secrets(&self, cutoff_timestamp: i64) -> Result<u32> {
        self.delete_upto(kind::MSG_SECRET, cutoff_timestamp).await
    }
}

/// The device after loading: the runtime-only fields the library's own backends set.
fn runtime_fields(mut device: Device) -> Device {
    device.device_props = Arc::new(whatsapp_rust::wacore::store::device::DEVICE_PROPS.clone());
    device.client_profile = whatsapp_rust::ClientProfile::web();
    device
}

#[async_trait]
impl DeviceStore for DbStore {
    async fn save(&self, device: &Device) -> Result<()> {
        self.put_rows(kind::DEVICE, &[self.device_row(device)?]).await
    }

    async fn load(&self) -> Result<Option<Device>> {
        Ok(self.get_json::<Device>(kind::DEVICE, ["", "", ""]).await?.map(runtime_fields))
    }

    async fn exists(&self) -> Result<bool> {
        self.has_device().await.map_err(db_err)
    }

    async fn create(&self) -> Result<i32> {
        if !self.exists().await? {
            self.save(&runtime_fields(Device::new())).await?;
        }
        Ok(1)
    }

    async fn resource_report(&self) -> whatsapp_rust::wacore::stats::StorageResourceReport {
        whatsapp_rust::wacore::stats::StorageResourceReport { memory_bytes: Some(0), ..Default::default() }
    }
}
