//! WhatsApp Web's device store in the database (issue #18): whatsapp-rust's storage
//! traits on `wa_device_keys`, round trip per trait group, sealed at rest, read back byte
//! for byte by a second instance with its own data dir, and the move of an old
//! `device.db` file.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use garasi_channels::waweb::lib::bytes::Bytes;
use garasi_channels::waweb::lib::wacore::appstate::hash::HashState;
use garasi_channels::waweb::lib::wacore::appstate::processor::AppStateMutationMAC;
use garasi_channels::waweb::lib::wacore::store::Device;
use garasi_channels::waweb::lib::wacore::store::traits::*;
use garasi_channels::waweb::{DbStore, STORE_FILE, legacy};
use garasi_channels::{ConnStatus, SecretBox};
use garasi_domain::TenantId;
use garasi_store::Db;
use serde_json::json;

use crate::sales::showrooms;
use crate::support::{Fetch, TestApp, TestDatabase, store_with_tenants};
use crate::whatsapp::offline_app;

const KEY: [u8; 32] = [0x42; 32];

async fn one_store() -> (TestDatabase, Db, TenantId, DbStore) {
    let (test_db, db, [t]) = store_with_tenants(["kunci"]).await;
    let store = DbStore::new(db.tenant(t), SecretBox::from_key(&KEY));
    (test_db, db, t, store)
}

fn bytes(tag: &str, n: usize) -> Vec<u8> {
    tag.bytes().cycle().take(n).collect()
}

#[tokio::test]
async fn identities_and_sessions_round_trip() {
    let (_t, _db, _, s) = one_store().await;
    let addr = "6281299990001.0:0@s.whatsapp.net";
    assert_eq!(s.load_identity(addr).await.unwrap(), None);
    s.put_identity(addr, [9u8; 32]).await.unwrap();
    s.put_identities_batch(&[(Arc::from("6281299990002@s.whatsapp.net"), [8u8; 32])]).await.unwrap();
    assert_eq!(s.load_identity(addr).await.unwrap(), Some([9u8; 32]));
    assert_eq!(s.load_identity("6281299990002@s.whatsapp.net").await.unwrap(), Some([8u8; 32]));
    s.put_identity(addr, [1u8; 32]).await.unwrap();
    assert_eq!(s.load_identity(addr).await.unwrap(), Some([1u8; 32]), "a put replaces");
    s.delete_identity(addr).await.unwrap();
    assert_eq!(s.load_identity(addr).await.unwrap(), None);

    let rec = bytes("sesi", 300);
    assert!(!s.has_session("100000012345678:3@lid").await.unwrap());
    s.put_session("100000012345678:3@lid", &rec).await.unwrap();
    s.put_sessions_batch(&[(Arc::from("6281299990003@s.whatsapp.net"), Bytes::from(bytes("b", 10)))]).await.unwrap();
    assert_eq!(s.get_session("100000012345678:3@lid").await.unwrap().unwrap().as_ref(), rec.as_slice());
    assert!(s.has_session("100000012345678:3@lid").await.unwrap());
    assert!(s.has_signal_state_for_user("100000012345678").await.unwrap());
    assert!(s.has_signal_state_for_user("6281299990002").await.unwrap(), "an identity counts");
    assert!(!s.has_signal_state_for_user("10000001234567").await.unwrap(), "a prefix of a user is not the user");
    s.delete_session("100000012345678:3@lid").await.unwrap();
    assert_eq!(s.get_session("100000012345678:3@lid").await.unwrap(), None);
}

#[tokio::test]
async fn prekeys_and_signed_prekeys_round_trip() {
    let (_t, _db, _, s) = one_store().await;
    assert_eq!(s.get_max_prekey_id().await.unwrap(), 0);
    s.store_prekey(5, &bytes("pk5", 40), false).await.unwrap();
    s.store_prekeys_batch(&[(6, Bytes::from(bytes("pk6", 40))), (700, Bytes::from(bytes("pk7", 40)))], true)
        .await
        .unwrap();
    assert_eq!(s.load_prekey(5).await.unwrap().unwrap().as_ref(), bytes("pk5", 40).as_slice());
    assert_eq!(s.get_max_prekey_id().await.unwrap(), 700);
    let batch = s.load_prekeys_batch(&[5, 6, 99]).await.unwrap();
    assert_eq!(batch.iter().map(|(id, _)| *id).collect::<Vec<_>>(), vec![5, 6]);
    s.remove_prekey(5).await.unwrap();
    s.mark_prekeys_uploaded(&[5, 6]).await.unwrap();
    assert_eq!(s.load_prekey(5).await.unwrap(), None, "marking uploaded never brings a used key back");

    s.store_signed_prekey(1, &bytes("spk1", 80)).await.unwrap();
    s.store_signed_prekey(2, &bytes("spk2", 80)).await.unwrap();
    assert_eq!(s.load_signed_prekey(2).await.unwrap(), Some(bytes("spk2", 80)));
    let mut all = s.load_all_signed_prekeys().await.unwrap();
    all.sort();
    assert_eq!(all, vec![(1, bytes("spk1", 80)), (2, bytes("spk2", 80))]);
    s.remove_signed_prekey(1).await.unwrap();
    assert_eq!(s.load_signed_prekey(1).await.unwrap(), None);
}

#[tokio::test]
async fn sender_keys_round_trip() {
    let (_t, _db, _, s) = one_store().await;
    let addr = "120363021033254949@g.us::6281299990001:0";
    s.put_sender_key(addr, &bytes("sk", 64)).await.unwrap();
    s.put_sender_keys_batch(&[(Arc::from("g2::u"), Bytes::from(bytes("sk2", 64)))]).await.unwrap();
    assert_eq!(s.get_sender_key(addr).await.unwrap(), Some(bytes("sk", 64)));
    assert_eq!(s.get_sender_key("g2::u").await.unwrap(), Some(bytes("sk2", 64)));
    s.delete_sender_key(addr).await.unwrap();
    assert_eq!(s.get_sender_key(addr).await.unwrap(), None);
}

#[tokio::test]
async fn app_state_keys_versions_and_mutation_macs_round_trip() {
    let (_t, _db, _, s) = one_store().await;
    assert_eq!(s.get_latest_sync_key_id().await.unwrap(), None);
    let k = AppStateSyncKey { key_data: vec![3u8; 32], fingerprint: vec![1, 2, 3], timestamp: 1_700_000_000 };
    s.set_sync_key(&[0, 0, 1], k.clone()).await.unwrap();
    s.set_sync_key(&[0, 0, 2], AppStateSyncKey { key_data: vec![4u8; 32], ..k.clone() }).await.unwrap();
    let got = s.get_sync_key(&[0, 0, 1]).await.unwrap().unwrap();
    assert_eq!((got.key_data, got.fingerprint, got.timestamp), (k.key_data, k.fingerprint, k.timestamp));
    assert_eq!(s.get_latest_sync_key_id().await.unwrap(), Some(vec![0, 0, 2]));

    assert_eq!(s.get_version("regular").await.unwrap().version, 0, "an unknown collection starts at zero");
    let mut state = HashState { version: 42, ..HashState::default() };
    state.hash[0] = 0xFF;
    state.hash[127] = 0x11;
    state.index_value_map.insert("idx".into(), vec![5, 6]);
    state.mac_mismatch_fatal = true;
    s.set_version("regular", state).await.unwrap();
    let got = s.get_version("regular").await.unwrap();
    assert_eq!((got.version, got.hash[0], got.hash[127], got.mac_mismatch_fatal), (42, 0xFF, 0x11, true));
    assert_eq!(got.index_value_map.get("idx"), Some(&vec![5, 6]));

    let m = |i: u8| AppStateMutationMAC { index_mac: vec![i; 32], value_mac: vec![i + 100; 32] };
    s.put_mutation_macs("regular", 42, &[m(1), m(2), m(3)]).await.unwrap();
    s.put_mutation_macs("critical", 1, &[m(1)]).await.unwrap();
    assert_eq!(s.get_mutation_mac("regular", &[2; 32]).await.unwrap(), Some(vec![102; 32]));
    let many = s.get_mutation_macs("regular", &[[1; 32], [3; 32], [9; 32]]).await.unwrap();
    assert_eq!(many.len(), 2);
    assert_eq!(many[&[3u8; 32]], vec![103; 32]);
    s.delete_mutation_macs("regular", &[vec![1; 32]]).await.unwrap();
    assert_eq!(s.get_mutation_mac("regular", &[1; 32]).await.unwrap(), None);
    s.clear_mutation_macs("regular").await.unwrap();
    assert_eq!(s.get_mutation_mac("regular", &[2; 32]).await.unwrap(), None);
    assert_eq!(s.get_mutation_mac("critical", &[1; 32]).await.unwrap(), Some(vec![101; 32]), "other collections stay");
}

#[tokio::test]
async fn protocol_state_round_trips() {
    let (_t, _db, _, s) = one_store().await;
    // Sender key devices per group.
    s.set_sender_key_status("g1@g.us", &[("a:1@lid", true), ("b:2@lid", false)]).await.unwrap();
    s.set_sender_key_status("g2@g.us", &[("a:1@lid", true)]).await.unwrap();
    let mut g1 = s.get_sender_key_devices("g1@g.us").await.unwrap();
    g1.sort();
    assert_eq!(g1, vec![("a:1@lid".to_owned(), true), ("b:2@lid".to_owned(), false)]);
    s.delete_sender_key_device_rows(&["a:1@lid"]).await.unwrap();
    assert_eq!(s.get_sender_key_devices("g1@g.us").await.unwrap(), vec![("b:2@lid".to_owned(), false)]);
    assert!(s.get_sender_key_devices("g2@g.us").await.unwrap().is_empty());
    s.clear_sender_key_devices("g1@g.us").await.unwrap();
    s.set_sender_key_status("g3@g.us", &[("c:1@lid", true)]).await.unwrap();
    s.clear_all_sender_key_devices().await.unwrap();
    assert!(s.get_sender_key_devices("g3@g.us").await.unwrap().is_empty());

    // LID ↔ phone maps, both ways; a LID that moves to another phone leaves the old phone.
    let e = |lid: &str, pn: &str, at: i64| LidPnMappingEntry {
        lid: lid.into(),
        phone_number: pn.into(),
        created_at: at,
        updated_at: at,
        learning_source: "usync".into(),
    };
    s.put_lid_mapping(&e("100", "6281", 10)).await.unwrap();
    s.put_lid_mappings(&[e("200", "6282", 11), e("300", "6282", 12)]).await.unwrap();
    assert_eq!(s.get_lid_mapping("100").await.unwrap().unwrap().phone_number, "6281");
    assert_eq!(s.get_pn_mapping("6282").await.unwrap().unwrap().lid, "300", "the newest LID of a phone");
    s.put_lid_mapping(&e("100", "6289", 20)).await.unwrap();
    assert!(s.get_pn_mapping("6281").await.unwrap().is_none());
    assert_eq!(s.get_all_lid_mappings().await.unwrap().len(), 3);

    // Base keys.
    s.save_base_key("addr", "m1", &[7; 33]).await.unwrap();
    assert!(s.has_same_base_key("addr", "m1", &[7; 33]).await.unwrap());
    assert!(!s.has_same_base_key("addr", "m1", &[8; 33]).await.unwrap());
    s.delete_base_key("addr", "m1").await.unwrap();
    assert!(!s.has_same_base_key("addr", "m1", &[7; 33]).await.unwrap());

    // Device lists.
    let rec = DeviceListRecord {
        user: "6281".into(),
        devices: vec![DeviceInfo::new(0, None), DeviceInfo::new(3, Some(2)).with_hosting(true)],
        timestamp: 99,
        phash: Some("2:abc".into()),
        raw_id: Some(5),
    };
    s.update_device_list(rec).await.unwrap();
    let got = s.get_devices("6281").await.unwrap().unwrap();
    assert_eq!((got.devices.len(), got.devices[1].is_hosted, got.raw_id), (2, true, Some(5)));
    s.delete_devices("6281").await.unwrap();
    assert!(s.get_devices("6281").await.unwrap().is_none());

    // Group metadata.
    s.put_group_metadata("g@g.us", b"meta").await.unwrap();
    assert_eq!(s.get_group_metadata("g@g.us").await.unwrap(), Some(b"meta".to_vec()));
    s.delete_group_metadata("g@g.us").await.unwrap();
    assert_eq!(s.get_group_metadata("g@g.us").await.unwrap(), None);

    // Trusted-contact tokens: each writer owns its field, newer wins, expiry needs both stale.
    s.touch_tc_token_sender_timestamp("t1@lid", 100).await.unwrap();
    s.store_received_tc_token("t1@lid", b"tok-a", 200).await.unwrap();
    s.touch_tc_token_sender_timestamp("t1@lid", 50).await.unwrap();
    s.store_received_tc_token("t1@lid", b"tok-old", 150).await.unwrap();
    let t = s.get_tc_token("t1@lid").await.unwrap().unwrap();
    assert_eq!((t.token.as_slice(), t.token_timestamp, t.sender_timestamp), (&b"tok-a"[..], 200, Some(100)));
    s.put_tc_token("t2@lid", &TcTokenEntry { token: vec![], token_timestamp: 10, sender_timestamp: None })
        .await
        .unwrap();
    let mut jids = s.get_all_tc_token_jids().await.unwrap();
    jids.sort();
    assert_eq!(jids, vec!["t1@lid", "t2@lid"]);
    assert_eq!(s.delete_expired_tc_tokens(300, 90).await.unwrap(), 1, "t1's sender bucket is still live");
    assert_eq!(s.delete_expired_tc_tokens(300, 300).await.unwrap(), 1);
    s.put_tc_token("t3@lid", &TcTokenEntry { token: vec![1], token_timestamp: 10, sender_timestamp: None })
        .await
        .unwrap();
    s.delete_tc_token("t3@lid").await.unwrap();
    assert!(s.get_all_tc_token_jids().await.unwrap().is_empty());

    // Sent messages: taken once.
    s.store_sent_message("c@s.whatsapp.net", "m1", b"payload").await.unwrap();
    assert_eq!(s.take_sent_message("c@s.whatsapp.net", "m1").await.unwrap(), Some(b"payload".to_vec()));
    assert_eq!(s.take_sent_message("c@s.whatsapp.net", "m1").await.unwrap(), None);
    s.store_sent_message("c@s.whatsapp.net", "m2", b"p2").await.unwrap();
    assert_eq!(s.delete_expired_sent_messages(0).await.unwrap(), 0);
    assert_eq!(s.delete_expired_sent_messages(i64::MAX).await.unwrap(), 1);

    // The inbound durability buffer.
    s.store_pending_inbound("c", "s", "id1", b"msg1").await.unwrap();
    s.store_pending_inbound_batch(&[PendingInboundRow { chat: "c", sender: "s", id: "id2", message: b"msg2" }])
        .await
        .unwrap();
    assert_eq!(s.get_pending_inbound("c", "s", "id2").await.unwrap(), Some(b"msg2".to_vec()));
    s.delete_pending_inbound("c", "s", "id1").await.unwrap();
    s.delete_pending_inbound_batch(&[PendingInboundKey { chat: "c", sender: "s", id: "id2" }]).await.unwrap();
    assert_eq!(s.get_pending_inbound("c", "s", "id2").await.unwrap(), None);
    s.store_pending_inbound("c", "s", "id3", b"msg3").await.unwrap();
    assert_eq!(s.delete_expired_pending_inbound(i64::MAX).await.unwrap(), 1);
}

#[tokio::test]
async fn message_secrets_merge_and_expire() {
    let (_t, _db, _, s) = one_store().await;
    let e = |id: &str, secret: u8, exp: i64, ts: i64| MsgSecretEntry {
        chat: Arc::from("c@s.whatsapp.net"),
        sender: Arc::from("c@s.whatsapp.net"),
        msg_id: Arc::from(id),
        secret: [secret; 32],
        expires_at: exp,
        message_ts: ts,
    };
    assert_eq!(s.put_msg_secrets(vec![e("m1", 1, 100, 50), e("m2", 2, 0, 0)]).await.unwrap(), 2);
    // A re-persist never shortens the window nor forgets the parent time.
    s.put_msg_secrets(vec![e("m1", 3, 80, 0)]).await.unwrap();
    let (secret, ts) = s.get_msg_secret_with_ts("c@s.whatsapp.net", "c@s.whatsapp.net", "m1").await.unwrap().unwrap();
    assert_eq!((secret, ts), (vec![3; 32], 50));
    s.put_msg_secret("c@s.whatsapp.net", "c@s.whatsapp.net", "m3", &[4; 32]).await.unwrap();
    assert_eq!(s.delete_expired_msg_secrets(99).await.unwrap(), 0, "m1 lives until 100");
    assert_eq!(s.delete_expired_msg_secrets(100).await.unwrap(), 1);
    assert_eq!(s.get_msg_secret("c@s.whatsapp.net", "c@s.whatsapp.net", "m1").await.unwrap(), None);
    assert_eq!(s.get_msg_secret("c@s.whatsapp.net", "c@s.whatsapp.net", "m2").await.unwrap(), Some(vec![2; 32]));
}

fn same_device(a: &Device, b: &Device) {
    assert_eq!(a.registration_id, b.registration_id);
    assert_eq!(a.identity_key.private_key.serialize(), b.identity_key.private_key.serialize());
    assert_eq!(a.identity_key.public_key.public_key_bytes(), b.identity_key.public_key.public_key_bytes());
    assert_eq!(a.noise_key.private_key.serialize(), b.noise_key.private_key.serialize());
    assert_eq!(a.signed_pre_key.private_key.serialize(), b.signed_pre_key.private_key.serialize());
    assert_eq!(a.signed_pre_key_signature, b.signed_pre_key_signature);
    assert_eq!(a.adv_secret_key, b.adv_secret_key);
    assert_eq!(a.pn, b.pn);
    assert_eq!(a.push_name, b.push_name);
    assert_eq!(a.next_pre_key_id, b.next_pre_key_id);
}

#[tokio::test]
async fn the_device_round_trips_and_nothing_is_readable_without_the_key() {
    let (_t, db, t, s) = one_store().await;
    assert!(!s.exists().await.unwrap());
    assert_eq!(s.load().await.unwrap().map(|_| ()), None);
    s.create().await.unwrap();
    let created = s.load().await.unwrap().unwrap();
    assert_eq!(s.create().await.unwrap(), 1);
    same_device(&created, &s.load().await.unwrap().unwrap());
    let mut d = created.clone();
    d.pn = Some("6281299990009@s.whatsapp.net".parse().unwrap());
    d.push_name = "Showroom Kunci".into();
    d.next_pre_key_id = 812;
    s.save(&d).await.unwrap();
    same_device(&d, &s.load().await.unwrap().unwrap());

    // Key material with a recognisable shape, then every stored row read raw.
    let session = bytes("SESSION-PLAINTEXT-MARKER", 120);
    s.put_session("6281299990001@s.whatsapp.net", &session).await.unwrap();
    s.put_identity("6281299990001@s.whatsapp.net", [0xA5; 32]).await.unwrap();
    s.store_prekey(1, &bytes("PREKEY-MARKER", 64), false).await.unwrap();
    s.set_sync_key(&[1], AppStateSyncKey { key_data: vec![0x5A; 32], fingerprint: vec![], timestamp: 1 })
        .await
        .unwrap();
    let secrets: Vec<Vec<u8>> = vec![
        session.clone(),
        vec![0xA5; 32],
        bytes("PREKEY-MARKER", 64),
        vec![0x5A; 32],
        d.identity_key.private_key.serialize().to_vec(),
        d.noise_key.private_key.serialize().to_vec(),
        d.adv_secret_key.to_vec(),
    ];
    let mut raw = String::new();
    let mut tx = db.tenant(t).begin().await.unwrap();
    for kind in ["device", "session", "identity", "prekey", "sync_key", "meta"] {
        let rows = tx.wa_keys().list(kind).await.unwrap();
        assert!(!rows.is_empty(), "{kind} stored");
        for r in rows {
            let sealed = r.sealed.clone().unwrap();
            assert!(sealed.starts_with("v1:"), "{kind} sealed");
            raw.push_str(&format!("{} {} {} {} {:?}\n", r.k1, r.k2, r.k3, sealed, r.tag));
        }
    }
    tx.commit().await.unwrap();
    let b64 = base64::engine::general_purpose::STANDARD;
    for secret in &secrets {
        let lossy = String::from_utf8_lossy(secret);
        assert!(!raw.contains(lossy.as_ref()), "plaintext in the rows");
        assert!(!raw.contains(&hex::encode(secret)), "hex plaintext in the rows");
        assert!(!raw.contains(&b64.encode(secret)), "base64 plaintext in the rows");
        // A JSON array of the bytes (serde's form of a key) is not there either.
        let arr = serde_json::to_string(secret).unwrap();
        assert!(!raw.contains(&arr[1..arr.len() - 1]), "json plaintext in the rows");
    }
    assert!(!raw.contains("Showroom Kunci"), "the device document is sealed whole");

    // Another key opens nothing; another tenant sees nothing.
    let wrong = DbStore::new(db.tenant(t), SecretBox::from_key(&[1u8; 32]));
    assert!(wrong.load().await.is_err());
    assert!(wrong.get_session("6281299990001@s.whatsapp.net").await.is_err());
    let other = crate::support::seed_tenant(&db, "lain").await;
    let theirs = DbStore::new(db.tenant(other), SecretBox::from_key(&KEY));
    assert!(!theirs.exists().await.unwrap());
    assert_eq!(theirs.get_session("6281299990001@s.whatsapp.net").await.unwrap(), None);
    // Wiping is per tenant.
    theirs.create().await.unwrap();
    s.wipe().await.unwrap();
    assert!(!s.exists().await.unwrap());
    assert!(theirs.exists().await.unwrap());
}

/// whatsapp-rust 0.7's SQLite schema (`whatsapp-rust-sqlite-storage` 0.7.0, after all its
/// migrations), the tables the move reads.
const OLD_SCHEMA: &str = r#"
CREATE TABLE device (id INTEGER PRIMARY KEY NOT NULL, lid TEXT NOT NULL, pn TEXT NOT NULL,
  registration_id INTEGER NOT NULL, noise_key BLOB NOT NULL, identity_key BLOB NOT NULL,
  signed_pre_key BLOB NOT NULL, signed_pre_key_id INTEGER NOT NULL, signed_pre_key_signature BLOB NOT NULL,
  adv_secret_key BLOB NOT NULL, account BLOB, push_name TEXT NOT NULL, app_version_primary INTEGER NOT NULL,
  app_version_secondary INTEGER NOT NULL, app_version_tertiary BIGINT NOT NULL,
  app_version_last_fetched_ms BIGINT NOT NULL, edge_routing_info BLOB, props_hash TEXT,
  next_pre_key_id INTEGER NOT NULL DEFAULT 0, nct_salt BLOB, server_has_prekeys BOOLEAN NOT NULL DEFAULT 0,
  server_cert_chain BLOB, login_counter INTEGER NOT NULL DEFAULT 0,
  first_unupload_pre_key_id INTEGER NOT NULL DEFAULT 0, lid_migrated BOOLEAN NOT NULL DEFAULT 0,
  last_signed_pre_key_rotation_ms BIGINT NOT NULL DEFAULT 0, read_receipts_disabled BOOLEAN NOT NULL DEFAULT 0);
CREATE TABLE identities (address TEXT NOT NULL, key BLOB NOT NULL, device_id INTEGER NOT NULL,
  PRIMARY KEY (address, device_id));
CREATE TABLE sessions (address TEXT NOT NULL, record BLOB NOT NULL, device_id INTEGER NOT NULL,
  PRIMARY KEY (address, device_id));
CREATE TABLE prekeys (id INTEGER NOT NULL, key BLOB NOT NULL, uploaded BOOLEAN NOT NULL DEFAULT 0,
  device_id INTEGER NOT NULL, PRIMARY KEY (id, device_id));
CREATE TABLE signed_prekeys (id INTEGER NOT NULL, record BLOB NOT NULL, device_id INTEGER NOT NULL,
  PRIMARY KEY (id, device_id));
CREATE TABLE sender_keys (address TEXT NOT NULL, record BLOB NOT NULL, device_id INTEGER NOT NULL,
  PRIMARY KEY (address, device_id));
CREATE TABLE app_state_keys (key_id BLOB NOT NULL, key_data BLOB NOT NULL, device_id INTEGER NOT NULL,
  PRIMARY KEY (key_id, device_id));
CREATE TABLE app_state_versions (name TEXT NOT NULL, state_data BLOB NOT NULL, device_id INTEGER NOT NULL,
  PRIMARY KEY (name, device_id));
CREATE TABLE app_state_mutation_macs (name TEXT NOT NULL, version BIGINT NOT NULL, index_mac BLOB NOT NULL,
  value_mac BLOB NOT NULL, device_id INTEGER NOT NULL, PRIMARY KEY (name, index_mac, device_id));
CREATE TABLE lid_pn_mapping (lid TEXT NOT NULL, phone_number TEXT NOT NULL, created_at BIGINT NOT NULL,
  learning_source TEXT NOT NULL, updated_at BIGINT NOT NULL, device_id INTEGER NOT NULL, PRIMARY KEY (lid, device_id));
CREATE TABLE tc_tokens (jid TEXT NOT NULL, token BLOB NOT NULL, token_timestamp BIGINT NOT NULL,
  sender_timestamp BIGINT, device_id INTEGER NOT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY (jid, device_id));
"#;

/// proto3 bytes of `AppStateSyncKeyWire` and `HashStateWire`, written by hand as the old
/// backend's `buffa` code writes them.
fn pb_field(n: u8, v: &[u8]) -> Vec<u8> {
    let mut out = vec![(n << 3) | 2];
    let mut len = v.len();
    loop {
        let b = (len & 0x7f) as u8;
        len >>= 7;
        if len == 0 {
            out.push(b);
            break;
        }
        out.push(b | 0x80);
    }
    out.extend_from_slice(v);
    out
}

#[tokio::test]
async fn an_old_device_db_is_moved_in_and_removed() {
    use sqlx::ConnectOptions;
    let (_t, _db, _, s) = one_store().await;
    let dir = std::env::temp_dir().join(format!("garasi-olddb-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(STORE_FILE);
    let mut old =
        sqlx::sqlite::SqliteConnectOptions::new().filename(&path).create_if_missing(true).connect().await.unwrap();
    sqlx::raw_sql(OLD_SCHEMA).execute(&mut old).await.unwrap();
    let d = Device::new();
    let pair = |k: &garasi_channels::waweb::lib::wacore::libsignal::protocol::KeyPair| {
        [k.private_key.serialize(), k.public_key.public_key_bytes()].concat()
    };
    sqlx::query(
        "INSERT INTO device (id, lid, pn, registration_id, noise_key, identity_key, signed_pre_key, signed_pre_key_id, \
         signed_pre_key_signature, adv_secret_key, account, push_name, app_version_primary, app_version_secondary, \
         app_version_tertiary, app_version_last_fetched_ms, next_pre_key_id, server_has_prekeys, server_cert_chain) \
         VALUES (1, '100000012345678@lid', '6281299990009@s.whatsapp.net', $1, $2, $3, $4, $5, $6, $7, NULL, 'Lama', \
         2, 3000, 1, 0, 812, 1, x'0a00')",
    )
    .bind(i64::from(d.registration_id))
    .bind(pair(&d.noise_key))
    .bind(pair(&d.identity_key))
    .bind(pair(&d.signed_pre_key))
    .bind(i64::from(d.signed_pre_key_id))
    .bind(d.signed_pre_key_signature.to_vec())
    .bind(d.adv_secret_key.to_vec())
    .execute(&mut old)
    .await
    .unwrap();
    let session = bytes("old-session", 200);
    for (sql, a, b) in [
        ("INSERT INTO sessions VALUES ($1, $2, 1)", "6281299990001@s.whatsapp.net", session.clone()),
        ("INSERT INTO identities VALUES ($1, $2, 1)", "6281299990001@s.whatsapp.net", vec![0xA5; 32]),
        ("INSERT INTO sender_keys VALUES ($1, $2, 1)", "g@g.us::x", bytes("sk", 50)),
        // Another device of the file (never Garasi's) is not moved.
        ("INSERT INTO sessions VALUES ($1, $2, 2)", "other@s.whatsapp.net", vec![1]),
    ] {
        sqlx::query(sql).bind(a).bind(b).execute(&mut old).await.unwrap();
    }
    sqlx::query("INSERT INTO prekeys VALUES (7, $1, 1, 1), (8, $2, 0, 1)")
        .bind(bytes("pk7", 40))
        .bind(bytes("pk8", 40))
        .execute(&mut old)
        .await
        .unwrap();
    sqlx::query("INSERT INTO signed_prekeys VALUES (3, $1, 1)").bind(bytes("spk", 90)).execute(&mut old).await.unwrap();
    let key_wire = [pb_field(1, &[3; 32]), pb_field(2, &[1, 2]), vec![3 << 3, 0x96, 0x01]].concat();
    sqlx::query("INSERT INTO app_state_keys VALUES ($1, $2, 1)")
        .bind(vec![0u8, 1])
        .bind(key_wire)
        .execute(&mut old)
        .await
        .unwrap();
    let mut hash = vec![0u8; 128];
    hash[5] = 9;
    let entry = [pb_field(1, b"idx"), pb_field(2, &[4, 2])].concat();
    let state_wire = [vec![1 << 3, 7], pb_field(2, &hash), pb_field(3, &entry), vec![4 << 3, 1]].concat();
    sqlx::query("INSERT INTO app_state_versions VALUES ('regular', $1, 1)")
        .bind(state_wire)
        .execute(&mut old)
        .await
        .unwrap();
    sqlx::query("INSERT INTO app_state_mutation_macs VALUES ('regular', 7, $1, $2, 1)")
        .bind(vec![1u8; 32])
        .bind(vec![2u8; 32])
        .execute(&mut old)
        .await
        .unwrap();
    sqlx::query("INSERT INTO lid_pn_mapping VALUES ('100', '6281', 5, 'usync', 6, 1)").execute(&mut old).await.unwrap();
    sqlx::query("INSERT INTO tc_tokens VALUES ('t@lid', x'0102', 50, 60, 1, 0)").execute(&mut old).await.unwrap();
    drop(old);

    assert!(legacy::migrate_file(&s, &path).await.unwrap());
    assert!(!path.exists(), "the file is removed once moved");
    let got = s.load().await.unwrap().unwrap();
    assert_eq!(got.pn.as_ref().map(|j| j.user.to_string()).as_deref(), Some("6281299990009"));
    assert_eq!(got.lid.as_ref().map(|j| j.user.to_string()).as_deref(), Some("100000012345678"));
    assert_eq!((got.push_name.as_str(), got.next_pre_key_id, got.server_has_prekeys), ("Lama", 812, true));
    assert!(got.server_cert_chain.is_none(), "the certificate cache is not carried over");
    let mut want = d.clone();
    want.pn = got.pn.clone();
    want.push_name = "Lama".into();
    want.next_pre_key_id = 812;
    same_device(&want, &got);
    assert_eq!(s.get_session("6281299990001@s.whatsapp.net").await.unwrap().unwrap().as_ref(), session.as_slice());
    assert_eq!(s.get_session("other@s.whatsapp.net").await.unwrap(), None);
    assert_eq!(s.load_identity("6281299990001@s.whatsapp.net").await.unwrap(), Some([0xA5; 32]));
    assert_eq!(s.get_sender_key("g@g.us::x").await.unwrap(), Some(bytes("sk", 50)));
    assert_eq!(s.load_prekey(8).await.unwrap().unwrap().as_ref(), bytes("pk8", 40).as_slice());
    assert_eq!(s.get_max_prekey_id().await.unwrap(), 8);
    assert_eq!(s.load_signed_prekey(3).await.unwrap(), Some(bytes("spk", 90)));
    let k = s.get_sync_key(&[0, 1]).await.unwrap().unwrap();
    assert_eq!((k.key_data, k.fingerprint, k.timestamp), (vec![3; 32], vec![1, 2], 150));
    let v = s.get_version("regular").await.unwrap();
    assert_eq!((v.version, v.hash[5], v.mac_mismatch_fatal), (7, 9, true));
    assert_eq!(v.index_value_map.get("idx"), Some(&vec![4, 2]));
    assert_eq!(s.get_mutation_mac("regular", &[1; 32]).await.unwrap(), Some(vec![2; 32]));
    assert_eq!(s.get_pn_mapping("6281").await.unwrap().unwrap().lid, "100");
    let tc = s.get_tc_token("t@lid").await.unwrap().unwrap();
    assert_eq!((tc.token, tc.token_timestamp, tc.sender_timestamp), (vec![1, 2], 50, Some(60)));

    // A second start finds no file; a file beside keys already moved is never merged.
    assert!(!legacy::migrate_file(&s, &path).await.unwrap());
    std::fs::write(&path, b"not a database").unwrap();
    assert!(!legacy::migrate_file(&s, &path).await.unwrap());
    same_device(&want, &s.load().await.unwrap().unwrap());
    let _ = std::fs::remove_dir_all(&dir);
}

async fn wait_for(what: &str, mut f: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !f().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The lease of a paired number moves from one `garasi` instance to another with a data
/// dir of its own: the second reads the keys the first wrote, byte for byte, and runs
/// its WhatsApp Web client on them (no pairing again).
#[tokio::test]
async fn keys_follow_the_lease_to_an_instance_with_its_own_data_dir() {
    let key_setting = hex::encode(KEY);
    let ks = key_setting.clone();
    let (mut app, _graph) = offline_app(move |s| s.whatsapp.secret_key = Some(ks)).await;
    let (t, token) = showrooms(&app, &["pindah"]).await.remove(0);
    let host = TestApp::tenant_host("pindah");
    app.put(&host, "/api/whatsapp/channel")
        .bearer_auth(&token)
        .json(&json!({ "kind": "waweb" }))
        .fetch_expect(200)
        .await;
    app.post(&host, "/api/whatsapp/pair").bearer_auth(&token).fetch_expect(200).await;
    let a = app.running.as_ref().unwrap().state.whatsapp.clone().unwrap();
    assert!(a.holds(t));
    let sa = a.device_store(t);
    // A's client makes its device in the database (not in A's data dir).
    wait_for("A's device", async || sa.exists().await.unwrap()).await;
    let a_dir = app.settings.data_dir.clone();
    assert!(!a_dir.join("whatsapp").join(t.0.to_string()).join(STORE_FILE).exists());

    // Keys as a paired session has them, written by A.
    sa.put_identity("6281299990001@s.whatsapp.net", [0xA5; 32]).await.unwrap();
    sa.put_session("6281299990001@s.whatsapp.net", &bytes("sesi-a", 333)).await.unwrap();
    sa.store_prekeys_batch(&[(41, Bytes::from(bytes("pk", 50)))], true).await.unwrap();
    sa.put_sender_key("g@g.us::a", &bytes("sk", 70)).await.unwrap();
    let sync = AppStateSyncKey { key_data: vec![0x33; 32], fingerprint: vec![9], timestamp: 77 };
    sa.set_sync_key(&[7, 7], sync.clone()).await.unwrap();
    let device_a = sa.load().await.unwrap().unwrap();

    // B: the same database, another data dir, the same platform key.
    let mut settings = app.settings.clone();
    settings.bind = "127.0.0.1:0".parse().unwrap();
    settings.data_dir = std::env::temp_dir().join(format!("garasi-b-{}", uuid::Uuid::now_v7().simple()));
    assert_ne!(settings.data_dir, a_dir);
    let b_running =
        garasi_app::start(&settings, garasi_app::server::open_database(&settings).await.unwrap()).await.unwrap();
    let b = b_running.state.whatsapp.clone().unwrap();

    // A goes away (a deploy); B takes the lease.
    app.running.take().unwrap().stop().await.unwrap();
    wait_for("B to take the lease", async || b.holds(t)).await;
    let sb = b.device_store(t);
    let device_b = sb.load().await.unwrap().expect("B reads A's device");
    same_device(&device_a, &device_b);
    assert_eq!(sb.load_identity("6281299990001@s.whatsapp.net").await.unwrap(), Some([0xA5; 32]));
    assert_eq!(
        sb.get_session("6281299990001@s.whatsapp.net").await.unwrap().unwrap().as_ref(),
        bytes("sesi-a", 333).as_slice()
    );
    assert_eq!(sb.load_prekey(41).await.unwrap().unwrap().as_ref(), bytes("pk", 50).as_slice());
    assert_eq!(sb.get_sender_key("g@g.us::a").await.unwrap(), Some(bytes("sk", 70)));
    let got = sb.get_sync_key(&[7, 7]).await.unwrap().unwrap();
    assert_eq!((got.key_data, got.fingerprint, got.timestamp), (sync.key_data, sync.fingerprint, sync.timestamp));

    // B's own client starts on those keys: it opens the stored device (a device it could
    // not open would stop the channel as failed) and never makes a new one.
    let b_addr = b_running.addr;
    let client = reqwest::Client::new();
    let resp = client
        .post(format!("http://{b_addr}/api/whatsapp/pair"))
        .header("Host", &host)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let (mut status, _) = b.watch(t).unwrap();
    let seen = status.wait_for(|s| matches!(s, ConnStatus::Reconnecting { .. } | ConnStatus::Failed { .. }));
    let seen = tokio::time::timeout(Duration::from_secs(30), seen).await.unwrap().unwrap().clone();
    assert!(matches!(seen, ConnStatus::Reconnecting { .. }), "B's client runs on the stored device: {seen:?}");
    same_device(&device_a, &sb.load().await.unwrap().unwrap());
    assert!(!settings.data_dir.join("whatsapp").join(t.0.to_string()).join(STORE_FILE).exists());
    b_running.stop().await.unwrap();
    let _ = std::fs::remove_dir_all(&settings.data_dir);
}

/// An instance whose platform key differs cannot open the keys: its connection stops as
/// failed (the operator sees why) instead of pairing a new device over them.
#[tokio::test]
async fn an_instance_with_another_secret_key_fails_instead_of_making_a_new_device() {
    let (app, _graph) = offline_app(|s| s.whatsapp.secret_key = Some(hex::encode([0x11u8; 32]))).await;
    let (t, token) = showrooms(&app, &["salah"]).await.remove(0);
    // Keys sealed with another key, as another instance would have written them.
    let foreign = DbStore::new(app.runtime_db().tenant(t), SecretBox::from_key(&KEY));
    foreign.create().await.unwrap();
    let before = foreign.load().await.unwrap().unwrap();
    let host = TestApp::tenant_host("salah");
    app.put(&host, "/api/whatsapp/channel")
        .bearer_auth(&token)
        .json(&json!({ "kind": "waweb" }))
        .fetch_expect(200)
        .await;
    app.post(&host, "/api/whatsapp/pair").bearer_auth(&token).fetch_expect(200).await;
    let ch = app.running.as_ref().unwrap().state.whatsapp.clone().unwrap();
    let (mut status, _) = ch.watch(t).unwrap();
    let seen = status.wait_for(|s| matches!(s, ConnStatus::Reconnecting { .. } | ConnStatus::Failed { .. }));
    let seen = tokio::time::timeout(Duration::from_secs(30), seen).await.unwrap().unwrap().clone();
    assert!(matches!(seen, ConnStatus::Failed { .. }), "{seen:?}");
    same_device(&before, &foreign.load().await.unwrap().unwrap());
    app.stop().await;
}
