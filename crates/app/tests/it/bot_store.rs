//! The bot's repositories: conversations, messages (inbox dedupe), memory, LLM usage, the
//! outbox (claim, ordering, leases, retries) and tenant isolation of all of them.

use std::time::Duration;

use garasi_store::Db;
use garasi_store::jobs::NewJob;
use garasi_store::tenant::{Author, Contact, ContactRole, NewMessage};
use serde_json::json;

use crate::sales::phone;
use crate::support::store_with_tenants;

fn job(key: Option<&str>, n: i64) -> NewJob {
    NewJob { ordering_key: key.map(str::to_owned), ..NewJob::new("test_out", "send", json!({ "n": n })) }
}

async fn enqueue(db: &Db, tenant: garasi_domain::TenantId, jobs: &[NewJob]) {
    let mut tx = db.tenant(tenant).begin_write().await.unwrap();
    for j in jobs {
        tx.outbox().enqueue(j).await.unwrap().unwrap();
    }
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn the_outbox_keeps_order_per_key_and_retries() {
    let (_test_db, db, [t]) = store_with_tenants(["sinar"]).await;
    enqueue(&db, t, &[job(Some("chat-a"), 1), job(Some("chat-a"), 2), job(Some("chat-b"), 3), job(None, 4)]).await;

    // Only the head of each chat is claimable.
    let jobs = db.jobs().claim("test_out", "w1", 10, Duration::from_secs(60)).await.unwrap();
    let ns: Vec<i64> = jobs.iter().map(|j| j.payload["n"].as_i64().unwrap()).collect();
    assert_eq!(ns, vec![1, 3, 4]);
    assert!(jobs.iter().all(|j| j.status == "running" && j.attempts == 1 && j.tenant_id == Some(t)));
    assert!(db.jobs().claim("test_out", "w2", 10, Duration::from_secs(60)).await.unwrap().is_empty());

    // Job 1 fails: chat-a waits for its retry, then job 2 follows once it is done.
    let first = &jobs[0];
    assert!(db.jobs().fail(first.id, "w1", "timeout", Duration::ZERO).await.unwrap());
    assert!(!db.jobs().complete(first.id, "w1").await.unwrap(), "no longer held");
    let again = db.jobs().claim("test_out", "w2", 10, Duration::from_secs(60)).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, first.id);
    assert_eq!(again[0].attempts, 2);
    assert_eq!(again[0].last_error.as_deref(), Some("timeout"));
    assert!(db.jobs().complete(first.id, "w2").await.unwrap());
    let next = db.jobs().claim("test_out", "w2", 10, Duration::from_secs(60)).await.unwrap();
    assert_eq!(next.iter().map(|j| j.payload["n"].as_i64().unwrap()).collect::<Vec<_>>(), vec![2]);

    // An expired lease is claimable again (a worker died).
    let lost = db.jobs().claim("test_out", "w3", 10, Duration::ZERO).await.unwrap();
    assert!(lost.is_empty(), "job 2 is still leased to w2");
    let mut tx = db.tenant(t).begin_write().await.unwrap();
    tx.outbox().enqueue(&NewJob { max_attempts: 1, ..job(Some("chat-c"), 5) }).await.unwrap();
    tx.commit().await.unwrap();
    let short = db.jobs().claim("test_out", "w3", 10, Duration::ZERO).await.unwrap();
    assert_eq!(short.len(), 1);
    tokio::time::sleep(Duration::from_millis(5)).await;
    let reclaimed = db.jobs().claim("test_out", "w4", 10, Duration::from_secs(60)).await.unwrap();
    assert_eq!(reclaimed.iter().map(|j| j.id).collect::<Vec<_>>(), vec![short[0].id]);
    // Out of attempts: dead, and its chat moves on.
    assert!(db.jobs().fail(short[0].id, "w4", "gagal", Duration::ZERO).await.unwrap());
    assert_eq!(db.jobs().get(short[0].id).await.unwrap().unwrap().status, "dead");

    // Dedupe keys make a second enqueue a no-op.
    let mut tx = db.tenant(t).begin_write().await.unwrap();
    let keyed = NewJob { dedupe_key: Some("msg:1".into()), ..job(None, 6) };
    assert!(tx.outbox().enqueue(&keyed).await.unwrap().is_some());
    assert!(tx.outbox().enqueue(&keyed).await.unwrap().is_none());
    tx.commit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_workers_never_claim_the_same_job() {
    let (_test_db, db, [t]) = store_with_tenants(["sinar"]).await;
    let jobs: Vec<NewJob> = (0..40).map(|n| job(None, n)).collect();
    enqueue(&db, t, &jobs).await;
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let db = db.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let got = db.jobs().claim("test_out", &format!("w{w}"), 3, Duration::from_secs(60)).await.unwrap();
                    if got.is_empty() {
                        break;
                    }
                    mine.extend(got.into_iter().map(|j| j.id));
                }
                mine
            })
        })
        .collect();
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap());
    }
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!(n, 40, "every job claimed");
    assert_eq!(all.len(), 40, "none twice");
}

#[tokio::test]
async fn bot_repositories_never_cross_tenants() {
    let (_test_db, db, [a, b]) = store_with_tenants(["sinar", "berkah"]).await;
    let customer = phone("0812-9999-0001");

    let mut tx = db.tenant(a).begin_write().await.unwrap();
    let contact = Contact {
        channel: "simulator",
        phone: &customer,
        name: "Andi",
        role: ContactRole::Customer,
        sales_staff_id: None,
    };
    let conv = tx.conversations().upsert(&contact).await.unwrap();
    let again = tx.conversations().upsert(&Contact { name: "", ..contact.clone() }).await.unwrap();
    assert_eq!(again.id, conv.id, "one conversation per contact and channel");
    assert_eq!(again.contact_name, "Andi", "an empty push name keeps the known one");
    let msg = NewMessage::inbound(conv.id, Author::Customer, "wamid.1", "halo");
    assert!(tx.messages().insert(&msg).await.unwrap().is_some());
    assert!(tx.messages().insert(&msg).await.unwrap().is_none(), "redelivery");
    tx.bot_memory()
        .put(customer.as_str(), &json!({"focus": 1}), garasi_store::now() + chrono::Duration::hours(1))
        .await
        .unwrap();
    tx.llm_usage().record("2026-01-01", 10, 5, 1).await.unwrap();
    tx.llm_usage().record("2026-01-01", 1, 1, 1).await.unwrap();
    assert_eq!(tx.llm_usage().day("2026-01-01").await.unwrap().total_tokens(), 17);
    tx.outbox().enqueue(&job(Some("x"), 1)).await.unwrap();
    tx.commit().await.unwrap();

    // The same provider id in another showroom is another message.
    let mut tx = db.tenant(b).begin_write().await.unwrap();
    assert!(tx.conversations().get(conv.id).await.unwrap().is_none());
    assert!(tx.conversations().find("simulator", &customer).await.unwrap().is_none());
    assert!(tx.messages().recent(conv.id, 10).await.unwrap().is_empty());
    assert!(tx.messages().by_provider_id("wamid.1").await.unwrap().is_none());
    assert!(tx.bot_memory().get(customer.as_str(), garasi_store::now()).await.unwrap().is_none());
    assert_eq!(tx.llm_usage().day("2026-01-01").await.unwrap().total_tokens(), 0);
    assert!(tx.outbox().list("test_out", 10).await.unwrap().is_empty());
    assert!(tx.conversations().hand_off(conv.id, None, garasi_store::now()).await.is_err());
    tx.commit().await.unwrap();
    let mut tx = db.tenant(b).begin_write().await.unwrap();
    let err = tx.messages().insert(&NewMessage::inbound(conv.id, Author::Customer, "wamid.2", "x")).await;
    assert!(err.is_err(), "a message cannot join another showroom's conversation");
    // (On PostgreSQL the refused insert ends the transaction.)
    drop(tx);
    let mut tx = db.tenant(b).begin_write().await.unwrap();
    let b_conv = tx.conversations().upsert(&contact).await.unwrap();
    assert_ne!(b_conv.id, conv.id);
    assert!(
        tx.messages()
            .insert(&NewMessage::inbound(b_conv.id, Author::Customer, "wamid.1", "halo"))
            .await
            .unwrap()
            .is_some()
    );
    tx.commit().await.unwrap();

    // Memory expires.
    let mut tx = db.tenant(a).begin_write().await.unwrap();
    tx.bot_memory()
        .put("+6281200000000", &json!({}), garasi_store::now() - chrono::Duration::seconds(1))
        .await
        .unwrap();
    assert!(tx.bot_memory().get("+6281200000000", garasi_store::now()).await.unwrap().is_none());
    assert_eq!(tx.bot_memory().purge_expired(garasi_store::now()).await.unwrap(), 1);
    assert!(tx.bot_memory().delete(customer.as_str()).await.unwrap());
    tx.commit().await.unwrap();
}
