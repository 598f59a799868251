//! Unit tests of the WhatsApp Web adapter: event and message mapping.

use super::*;

fn tenant() -> TenantId {
    TenantId(uuid::Uuid::nil())
}

/// A migrated in-memory database with one showroom, and that showroom's device store.
pub(super) async fn test_store() -> (garasi_store::Db, DbStore) {
    use garasi_domain::{Email, Role};
    use garasi_store::platform::NewTenant;
    use garasi_store::tenant::NewUser;
    let db = garasi_store::Db::connect("sqlite::memory:", &garasi_store::DbOptions::default()).await.unwrap();
    db.migrate().await.unwrap();
    let slug = format!("s{}", &uuid::Uuid::now_v7().simple().to_string()[20..]);
    let (t, _) = db
        .platform()
        .create_tenant(
            &NewTenant { slug: slug.clone(), name: slug.clone(), whatsapp_number: None, domain: None },
            &NewUser {
                email: Email::parse(&format!("owner@{slug}.test")).unwrap(),
                name: String::new(),
                role: Role::Owner,
                password_hash: "x".into(),
            },
            &serde_json::json!({}),
        )
        .await
        .unwrap();
    let store = DbStore::new(db.tenant(t.id), crate::SecretBox::from_key(&[7u8; 32]));
    (db, store)
}

fn info(sender: Jid, alt: Option<Jid>) -> MessageInfo {
    let mut i = MessageInfo::default();
    i.source.chat = sender.clone();
    i.source.sender = sender;
    i.source.sender_alt = alt;
    i.id = "3EB0ABC".into();
    i.push_name = "Budi".into();
    i.timestamp = Utc::now();
    i
}

#[test]
fn plain_text_from_a_phone_number() {
    let m = wa::Message { conversation: Some("ada avanza?".into()), ..Default::default() };
    let got = map_message(tenant(), &m, &info(Jid::pn("6281234567890"), None), None).unwrap();
    assert_eq!(got.text(), Some("ada avanza?"));
    assert_eq!(got.sender.phone.as_deref(), Some("+6281234567890"));
    assert_eq!(got.sender.platform_id, None);
    assert_eq!(got.sender_name.as_deref(), Some("Budi"));
    assert_eq!(got.id, "3EB0ABC");
    assert_eq!(got.channel, ChannelKind::WaWeb);
}

#[test]
fn extended_text() {
    let m = wa::Message {
        extended_text_message: MessageField::some(wa::message::ExtendedTextMessage {
            text: Some("lihat https://contoh.id".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let got = map_message(tenant(), &m, &info(Jid::pn("6281234567890"), None), None).unwrap();
    assert_eq!(got.text(), Some("lihat https://contoh.id"));
}

#[test]
fn image_with_caption_keeps_a_download_reference() {
    let m = wa::Message {
        image_message: MessageField::some(wa::message::ImageMessage {
            caption: Some("/foto 12".into()),
            mimetype: Some("image/jpeg".into()),
            direct_path: Some("/v/t62/abc".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let got = map_message(tenant(), &m, &info(Jid::pn("6281234567890"), None), None).unwrap();
    let InboundBody::Image { caption, media } = &got.body else { panic!("not an image: {got:?}") };
    assert_eq!(caption.as_deref(), Some("/foto 12"));
    assert_eq!(media.mime_type.as_deref(), Some("image/jpeg"));
    let raw = STANDARD.decode(media.raw.as_deref().unwrap()).unwrap();
    let back = wa::message::ImageMessage::decode_from_slice(&raw).unwrap();
    assert_eq!(back.direct_path.as_deref(), Some("/v/t62/abc"));
}

#[test]
fn lid_sender_takes_the_phone_from_sender_alt_and_keeps_both() {
    let m = wa::Message { conversation: Some("halo".into()), ..Default::default() };
    let got =
        map_message(tenant(), &m, &info(Jid::lid("100000012345678"), Some(Jid::pn("6281234567890"))), None).unwrap();
    assert_eq!(got.sender.phone.as_deref(), Some("+6281234567890"));
    assert_eq!(got.sender.platform_id.as_deref(), Some("100000012345678@lid"));
    // Without sender_alt, the client's LID map decides; without that, no phone.
    let got = map_message(tenant(), &m, &info(Jid::lid("100000012345678"), None), Some("+6281299998888")).unwrap();
    assert_eq!(got.sender.phone.as_deref(), Some("+6281299998888"));
    let got = map_message(tenant(), &m, &info(Jid::lid("100000012345678"), None), None).unwrap();
    assert_eq!(got.sender.phone, None);
    // A phone sender with a LID alt keeps the LID too.
    let got = map_message(tenant(), &m, &info(Jid::pn("6281234567890"), Some(Jid::lid("777"))), None).unwrap();
    assert_eq!(got.sender.platform_id.as_deref(), Some("777@lid"));
}

#[test]
fn group_and_status_messages_are_skipped() {
    let m = wa::Message { conversation: Some("x".into()), ..Default::default() };
    let mut group = info(Jid::pn("6281234567890"), None);
    group.source.is_group = true;
    assert!(map_message(tenant(), &m, &group, None).is_none());
    let unsupported = wa::Message::default();
    let got = map_message(tenant(), &unsupported, &info(Jid::pn("6281234567890"), None), None).unwrap();
    assert!(matches!(got.body, InboundBody::Unsupported { .. }));
}

/// A server that is not there: the client never connects, the library raises no
/// event, and the supervisor must see it by polling, rebuild with backoff (shutting
/// the old client down first) and stop cleanly.
#[tokio::test]
async fn supervisor_backs_off_against_a_closed_port_and_stops_cleanly() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dir = std::env::temp_dir().join(format!("garasi-waweb-{}", uuid::Uuid::now_v7().simple()));
    let (db, store) = test_store().await;
    let timings = WaWebTimings {
        poll_every: Duration::from_millis(50),
        stuck_after: Duration::from_millis(400),
        backoff_min: Duration::from_millis(100),
        backoff_max: Duration::from_millis(400),
        ws_url: Some(format!("ws://127.0.0.1:{port}/ws/chat")),
        version: Some((2, 3000, 1_000_000_000)),
    };
    let ch = WaWebChannel::new(dir.clone(), store.clone(), timings, Inbox::new(db));
    let mut status = ch.status();
    let mut seen = Vec::new();
    status.borrow_and_update();
    ch.start().await.unwrap();
    ch.start().await.unwrap(); // idempotent: still one supervisor
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        let s = status.borrow_and_update().clone();
        if seen.last() != Some(&s) && !(seen.is_empty() && s == ConnStatus::Stopped) {
            seen.push(s.clone());
        }
        if matches!(s, ConnStatus::Reconnecting { attempt } if attempt >= 2) {
            break;
        }
        let _ = tokio::time::timeout(Duration::from_millis(200), status.changed()).await;
    }
    assert_eq!(seen.first(), Some(&ConnStatus::Connecting), "{seen:?}");
    assert!(seen.iter().any(|s| matches!(s, ConnStatus::Reconnecting { attempt: 1 })), "{seen:?}");
    assert!(seen.iter().any(|s| matches!(s, ConnStatus::Reconnecting { attempt: 2 })), "{seen:?}");
    assert!(!seen.iter().any(|s| *s == ConnStatus::Connected || s.is_terminal()), "{seen:?}");
    assert!(store.has_device().await.unwrap(), "the client's device is in the database");
    assert!(!dir.join(STORE_FILE).exists(), "nothing on the instance's disk");
    let started = Instant::now();
    ch.stop().await;
    assert!(started.elapsed() < Duration::from_secs(5), "stop took {:?}", started.elapsed());
    assert_eq!(*ch.status().borrow(), ConnStatus::Stopped);
    assert!(ch.shared.client.borrow().is_none(), "no client left running");
    assert!(ch.running.lock().await.is_none());
    let _ = std::fs::remove_dir_all(dir);
}

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find(|l| l.starts_with("VmRSS"))
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap()
}

/// Measurement, not a check: `cargo test -p garasi-channels --features waweb measure_idle -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn measure_idle_client_memory() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let (db, store) = test_store().await;
    let timings = WaWebTimings {
        poll_every: Duration::from_millis(500),
        stuck_after: Duration::from_secs(3600),
        backoff_min: Duration::from_secs(1),
        backoff_max: Duration::from_secs(1),
        ws_url: Some(format!("ws://127.0.0.1:{port}/ws/chat")),
        version: Some((2, 3000, 1_000_000_000)),
    };
    let base = std::env::temp_dir().join(format!("garasi-mem-{}", uuid::Uuid::now_v7().simple()));
    // Warm up one client so one-time statics are not counted per client.
    let warm = WaWebChannel::new(base.join("warm"), store.clone(), timings.clone(), Inbox::new(db.clone()));
    warm.start().await.unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let before = rss_kb();
    let n = 50;
    let mut chans = Vec::new();
    for i in 0..n {
        // One showroom each, as in production.
        let (db, store) = test_store().await;
        let c = WaWebChannel::new(base.join(i.to_string()), store, timings.clone(), Inbox::new(db));
        c.start().await.unwrap();
        chans.push(c);
    }
    tokio::time::sleep(Duration::from_secs(8)).await;
    let after = rss_kb();
    println!(
        "RSS before {before} kB, after {n} idle clients {after} kB: {} kB per client",
        (after - before) / n as u64
    );
    println!("memory_report of one: {:?}", chans[0].memory_report().await);
    for c in &chans {
        c.stop().await;
    }
    warm.stop().await;
    let _ = std::fs::remove_dir_all(base);
}

/// A message the showroom's phone sent to a customer: kept, marked `from_me`, addressed
/// to the customer (the chat), never with our own push name.
#[test]
fn own_messages_name_the_chat_and_are_marked() {
    let m = wa::Message { conversation: Some("siang kak, unitnya ready".into()), ..Default::default() };
    let mut own = info(Jid::pn("6281111111111"), None);
    own.source.chat = Jid::pn("6281234567890");
    own.source.is_from_me = true;
    let got = map_message(tenant(), &m, &own, None).unwrap();
    assert!(got.from_me);
    assert_eq!(got.sender.phone.as_deref(), Some("+6281234567890"));
    assert_eq!(got.sender_name, None);
    assert_eq!(got.text(), Some("siang kak, unitnya ready"));
    // A LID chat takes its phone from the client's LID map.
    own.source.chat = Jid::lid("100000012345678");
    let got = map_message(tenant(), &m, &own, Some("+6281299998888")).unwrap();
    assert_eq!(got.sender.phone.as_deref(), Some("+6281299998888"));
    assert_eq!(got.sender.platform_id.as_deref(), Some("100000012345678@lid"));
    // A customer's message is not ours.
    let theirs = map_message(tenant(), &m, &info(Jid::pn("6281234567890"), None), None).unwrap();
    assert!(!theirs.from_me);
}
