//! The one-time move of a tenant's `device.db` (whatsapp-rust 0.7's own SQLite backend,
//! which Garasi used before issue #18) into the database. The file's tables are read with
//! sqlx ([`garasi_store::wa_keys::read_legacy_device_db`]), turned into the library's types
//! here, sealed and written through [`DbStore`] in one transaction per kind. The file is
//! removed only after everything was written; a file next to a database that already has
//! a device is left alone (and logged), never merged.

use std::path::Path;
use std::sync::Arc;

use garasi_store::wa_keys::{LegacyDeviceDb, LegacyValue, WaKeyRow};
use whatsapp_rust::wacore::appstate::hash::HashState;
use whatsapp_rust::wacore::libsignal::protocol::{KeyPair, PrivateKey, PublicKey};
use whatsapp_rust::wacore::store::Device;
use whatsapp_rust::wacore::store::traits::{
    AppStateSyncKey, DeviceInfo, DeviceListRecord, LidPnMappingEntry, MsgSecretEntry, TcTokenEntry,
};

use super::store::{DbStore, kind};

#[derive(Debug, thiserror::Error)]
pub enum LegacyError {
    #[error("reading the old device store failed: {0}")]
    Read(#[from] garasi_store::StoreError),
    #[error("the old device store has a bad {0}")]
    Bad(&'static str),
    #[error("writing the device store failed: {0}")]
    Write(#[from] whatsapp_rust::wacore::store::error::StoreError),
    #[error("serialising failed: {0}")]
    Json(#[from] serde_json::Error),
}

/// Moves `path` into `store` when the database has no device for the tenant yet.
/// `Ok(true)` when keys were moved and the file removed.
pub async fn migrate_file(store: &DbStore, path: &Path) -> Result<bool, LegacyError> {
    if !path.exists() {
        return Ok(false);
    }
    if store.has_device().await? {
        tracing::warn!(tenant = %store.tenant().0, path = %path.display(),
            "an old WhatsApp Web device file sits beside keys already in the database; left alone");
        return Ok(false);
    }
    let old = garasi_store::wa_keys::read_legacy_device_db(path).await?;
    let Some(cols) = &old.device else {
        // Never paired, nothing worth keeping.
        remove_files(path);
        return Ok(false);
    };
    let device = device_from_columns(cols)?;
    write_all(store, &old).await?;
    // The device last: a half-moved store (a crash in between) has no device, so the
    // next start moves the file again instead of running on partial keys.
    store.put_rows(kind::DEVICE, &[store.device_row(&device)?]).await?;
    remove_files(path);
    tracing::info!(tenant = %store.tenant().0, sessions = old.sessions.len(), prekeys = old.prekeys.len(),
        "WhatsApp Web keys moved from device.db into the database");
    Ok(true)
}

fn remove_files(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!(path = ?p, error = %e, "could not remove the old device store"),
        }
    }
}

async fn write_all(store: &DbStore, old: &LegacyDeviceDb) -> Result<(), LegacyError> {
    let one = |k: &str, key: &str, v: &[u8]| store.row(k, [key, "", ""], v);
    let rows: Vec<_> = old.identities.iter().map(|(a, k)| one(kind::IDENTITY, a, k)).collect();
    store.put_rows(kind::IDENTITY, &rows).await?;
    let rows: Vec<_> = old.sessions.iter().map(|(a, r)| one(kind::SESSION, a, r)).collect();
    store.put_rows(kind::SESSION, &rows).await?;
    let rows: Vec<_> = old
        .prekeys
        .iter()
        .map(|(id, r, up)| WaKeyRow {
            n1: Some(*id),
            n2: Some(i64::from(*up)),
            ..one(kind::PREKEY, &id.to_string(), r)
        })
        .collect();
    store.put_rows(kind::PREKEY, &rows).await?;
    let rows: Vec<_> = old
        .signed_prekeys
        .iter()
        .map(|(id, r)| WaKeyRow { n1: Some(*id), ..one(kind::SIGNED_PREKEY, &id.to_string(), r) })
        .collect();
    store.put_rows(kind::SIGNED_PREKEY, &rows).await?;
    let rows: Vec<_> = old.sender_keys.iter().map(|(a, r)| one(kind::SENDER_KEY, a, r)).collect();
    store.put_rows(kind::SENDER_KEY, &rows).await?;

    let mut rows = Vec::new();
    for (id, wire) in &old.app_state_keys {
        let Some(key) = pb::sync_key(wire) else {
            tracing::warn!("skipping an unreadable app state key of the old device store");
            continue;
        };
        rows.push(one(kind::SYNC_KEY, &hex::encode(id), &serde_json::to_vec(&key)?));
    }
    store.put_rows(kind::SYNC_KEY, &rows).await?;
    let mut rows = Vec::new();
    for (name, wire) in &old.app_state_versions {
        let state = pb::hash_state(wire).ok_or(LegacyError::Bad("app state version"))?;
        rows.push(one(kind::APP_VERSION, name, &serde_json::to_vec(&state)?));
    }
    store.put_rows(kind::APP_VERSION, &rows).await?;
    let rows: Vec<_> = old
        .mutation_macs
        .iter()
        .map(|(name, version, index, value)| WaKeyRow {
            n1: Some(*version),
            ..store.row(kind::MUTATION_MAC, [name, &hex::encode(index), ""], value)
        })
        .collect();
    store.put_rows(kind::MUTATION_MAC, &rows).await?;

    let mut rows = Vec::new();
    for (lid, pn, created_at, source, updated_at) in &old.lid_pn {
        let e = LidPnMappingEntry {
            lid: lid.clone(),
            phone_number: pn.clone(),
            created_at: *created_at,
            updated_at: *updated_at,
            learning_source: source.clone(),
        };
        let row = one(kind::LID_MAP, lid, &serde_json::to_vec(&e)?);
        rows.push(WaKeyRow { tag: Some(pn.clone()), n2: Some(*updated_at), ..row });
    }
    store.put_rows(kind::LID_MAP, &rows).await?;
    let mut rows = Vec::new();
    for (user, devices, timestamp, phash, raw_id) in &old.device_registry {
        let devices: Vec<DeviceInfo> = serde_json::from_str(devices)?;
        let r = DeviceListRecord {
            user: user.clone(),
            devices,
            timestamp: *timestamp,
            phash: phash.clone(),
            raw_id: raw_id.and_then(|r| u32::try_from(r).ok()),
        };
        rows.push(one(kind::DEVICE_LIST, user, &serde_json::to_vec(&r)?));
    }
    store.put_rows(kind::DEVICE_LIST, &rows).await?;
    let mut rows = Vec::new();
    for (jid, token, token_ts, sender_ts) in &old.tc_tokens {
        let e = TcTokenEntry { token: token.clone(), token_timestamp: *token_ts, sender_timestamp: *sender_ts };
        let row = one(kind::TC_TOKEN, jid, &serde_json::to_vec(&e)?);
        rows.push(WaKeyRow { n1: (!token.is_empty()).then_some(*token_ts), n2: *sender_ts, ..row });
    }
    store.put_rows(kind::TC_TOKEN, &rows).await?;
    let rows: Vec<_> = old
        .sender_key_devices
        .iter()
        .map(|(group, device, has)| WaKeyRow {
            k1: group.clone(),
            k2: device.clone(),
            n1: Some(i64::from(*has != 0)),
            ..WaKeyRow::default()
        })
        .collect();
    store.put_rows(kind::SENDER_KEY_DEVICE, &rows).await?;
    let mut rows = Vec::new();
    for (chat, sender, msg_id, secret, expires_at, message_ts) in &old.msg_secrets {
        let Ok(secret) = <[u8; 32]>::try_from(secret.as_slice()) else { continue };
        let e = MsgSecretEntry {
            chat: Arc::from(chat.as_str()),
            sender: Arc::from(sender.as_str()),
            msg_id: Arc::from(msg_id.as_str()),
            secret,
            expires_at: *expires_at,
            message_ts: *message_ts,
        };
        rows.push(store.msg_secret_row(&e));
    }
    store.put_rows(kind::MSG_SECRET, &rows).await?;
    let rows: Vec<_> = old
        .pending_inbound
        .iter()
        .map(|(chat, sender, id, msg, at)| WaKeyRow {
            n1: Some(*at),
            ..store.row(kind::PENDING_INBOUND, [chat, sender, id], msg)
        })
        .collect();
    store.put_rows(kind::PENDING_INBOUND, &rows).await?;
    Ok(())
}

fn col<'a>(cols: &'a [(String, LegacyValue)], name: &str) -> &'a LegacyValue {
    cols.iter().find(|(n, _)| n == name).map(|(_, v)| v).unwrap_or(&LegacyValue::Null)
}

fn int(cols: &[(String, LegacyValue)], name: &str) -> i64 {
    match col(cols, name) {
        LegacyValue::Int(i) => *i,
        _ => 0,
    }
}

fn text(cols: &[(String, LegacyValue)], name: &str) -> Option<String> {
    match col(cols, name) {
        LegacyValue::Text(t) if !t.is_empty() => Some(t.clone()),
        _ => None,
    }
}

fn blob(cols: &[(String, LegacyValue)], name: &str) -> Option<Vec<u8>> {
    match col(cols, name) {
        LegacyValue::Blob(b) => Some(b.clone()),
        LegacyValue::Text(t) => Some(t.as_bytes().to_vec()),
        _ => None,
    }
}

fn key_pair(bytes: Option<Vec<u8>>, what: &'static str) -> Result<KeyPair, LegacyError> {
    let bytes = bytes.filter(|b| b.len() == 64).ok_or(LegacyError::Bad(what))?;
    let private = PrivateKey::deserialize(&bytes[..32]).map_err(|_| LegacyError::Bad(what))?;
    let public = PublicKey::from_djb_public_key_bytes(&bytes[32..]).map_err(|_| LegacyError::Bad(what))?;
    Ok(KeyPair::new(public, private))
}

/// The old `device` row as the library's [`Device`]. The cached server certificate
/// chain is dropped (a cache: the next connect runs the full handshake and stores it).
pub fn device_from_columns(cols: &[(String, LegacyValue)]) -> Result<Device, LegacyError> {
    let mut d = Device::new();
    d.pn = text(cols, "pn").and_then(|t| t.parse().ok());
    d.lid = text(cols, "lid").and_then(|t| t.parse().ok());
    d.registration_id = u32::try_from(int(cols, "registration_id")).map_err(|_| LegacyError::Bad("registration id"))?;
    d.noise_key = key_pair(blob(cols, "noise_key"), "noise key")?;
    d.identity_key = key_pair(blob(cols, "identity_key"), "identity key")?;
    d.signed_pre_key = key_pair(blob(cols, "signed_pre_key"), "signed pre-key")?;
    d.signed_pre_key_id = u32::try_from(int(cols, "signed_pre_key_id")).unwrap_or_default();
    d.signed_pre_key_signature = blob(cols, "signed_pre_key_signature")
        .and_then(|b| b.try_into().ok())
        .ok_or(LegacyError::Bad("signed pre-key signature"))?;
    d.adv_secret_key =
        blob(cols, "adv_secret_key").and_then(|b| b.try_into().ok()).ok_or(LegacyError::Bad("adv secret key"))?;
    d.account = match blob(cols, "account") {
        Some(b) => Some(Arc::new(
            whatsapp_rust::wacore::store::device::account_serde::from_bytes(&b)
                .map_err(|_| LegacyError::Bad("account"))?,
        )),
        None => None,
    };
    d.push_name = text(cols, "push_name").unwrap_or_default();
    d.app_version_primary = u32::try_from(int(cols, "app_version_primary")).unwrap_or_default();
    d.app_version_secondary = u32::try_from(int(cols, "app_version_secondary")).unwrap_or_default();
    d.app_version_tertiary = u32::try_from(int(cols, "app_version_tertiary")).unwrap_or_default();
    d.app_version_last_fetched_ms = int(cols, "app_version_last_fetched_ms");
    d.edge_routing_info = blob(cols, "edge_routing_info");
    d.props_hash = text(cols, "props_hash");
    d.next_pre_key_id = u32::try_from(int(cols, "next_pre_key_id")).unwrap_or_default();
    d.first_unupload_pre_key_id = u32::try_from(int(cols, "first_unupload_pre_key_id")).unwrap_or_default();
    d.server_has_prekeys = int(cols, "server_has_prekeys") != 0;
    d.nct_salt = blob(cols, "nct_salt");
    d.server_cert_chain = None;
    d.login_counter = i32::try_from(int(cols, "login_counter")).unwrap_or_default();
    d.lid_migrated = int(cols, "lid_migrated") != 0;
    d.last_signed_pre_key_rotation_ms = int(cols, "last_signed_pre_key_rotation_ms");
    d.read_receipts_disabled = int(cols, "read_receipts_disabled") != 0;
    Ok(d)
}

/// Just enough protobuf (proto3 wire format) to read the old store's two message blobs.
pub(crate) mod pb {
    use super::{AppStateSyncKey, HashState};

    /// A field: number and value (varint, or length-delimited bytes).
    pub(crate) enum Val<'a> {
        Int(u64),
        Bytes(&'a [u8]),
    }

    fn varint(buf: &[u8], pos: &mut usize) -> Option<u64> {
        let mut out = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *buf.get(*pos)?;
            *pos += 1;
            out |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(out);
            }
        }
        None
    }

    pub(crate) fn fields(buf: &[u8]) -> Option<Vec<(u64, Val<'_>)>> {
        let mut pos = 0;
        let mut out = Vec::new();
        while pos < buf.len() {
            let tag = varint(buf, &mut pos)?;
            let v = match tag & 7 {
                0 => Val::Int(varint(buf, &mut pos)?),
                2 => {
                    let len = usize::try_from(varint(buf, &mut pos)?).ok()?;
                    let end = pos.checked_add(len).filter(|e| *e <= buf.len())?;
                    let v = &buf[pos..end];
                    pos = end;
                    Val::Bytes(v)
                }
                1 => {
                    pos = pos.checked_add(8).filter(|e| *e <= buf.len())?;
                    continue;
                }
                5 => {
                    pos = pos.checked_add(4).filter(|e| *e <= buf.len())?;
                    continue;
                }
                _ => return None,
            };
            out.push((tag >> 3, v));
        }
        Some(out)
    }

    /// `AppStateSyncKeyWire { bytes key_data = 1; bytes fingerprint = 2; int64 timestamp = 3; }`
    pub(crate) fn sync_key(buf: &[u8]) -> Option<AppStateSyncKey> {
        let mut k = AppStateSyncKey::default();
        for (n, v) in fields(buf)? {
            match (n, v) {
                (1, Val::Bytes(b)) => k.key_data = b.to_vec(),
                (2, Val::Bytes(b)) => k.fingerprint = b.to_vec(),
                (3, Val::Int(i)) => k.timestamp = i as i64,
                _ => {}
            }
        }
        (k.key_data.len() == 32).then_some(k)
    }

    /// `HashStateWire { uint64 version = 1; bytes hash = 2; map<string, bytes> index_value_map = 3;
    /// bool mac_mismatch_fatal = 4; }`
    pub(crate) fn hash_state(buf: &[u8]) -> Option<HashState> {
        let mut s = HashState::default();
        for (n, v) in fields(buf)? {
            match (n, v) {
                (1, Val::Int(i)) => s.version = i,
                (2, Val::Bytes(b)) => s.hash = b.try_into().ok()?,
                (3, Val::Bytes(entry)) => {
                    let (mut key, mut value) = (String::new(), Vec::new());
                    for (n, v) in fields(entry)? {
                        match (n, v) {
                            (1, Val::Bytes(b)) => key = String::from_utf8(b.to_vec()).ok()?,
                            (2, Val::Bytes(b)) => value = b.to_vec(),
                            _ => {}
                        }
                    }
                    s.index_value_map.insert(key, value);
                }
                (4, Val::Int(i)) => s.mac_mismatch_fatal = i != 0,
                _ => {}
            }
        }
        Some(s)
    }
}
