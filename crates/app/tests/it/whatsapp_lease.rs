//! Several Garasi instances on one database: exactly one holds each showroom's WhatsApp
//! connection (a `wa_leases` row it renews), sends its messages, and another instance
//! takes over when the holder stops or its lease lapses, never both at once.

use std::time::{Duration, Instant};

use garasi_channels::Channels;
use garasi_domain::TenantId;
use garasi_store::jobs::WhatsappOut;

use crate::serve_process::Serve;
use crate::whatsapp::{CUSTOMER, Wa};

fn one_holder(a: &Channels, b: &Channels, t: TenantId) -> Option<&'static str> {
    match (a.holds(t), b.holds(t)) {
        (true, true) => panic!("two instances hold the same WhatsApp number"),
        (true, false) => Some("a"),
        (false, true) => Some("b"),
        (false, false) => None,
    }
}

/// Watches both instances until `until` says stop, failing if both ever hold the number.
async fn watch_until(
    a: &Channels,
    b: &Channels,
    t: TenantId,
    mut until: impl FnMut(Option<&'static str>) -> bool,
) -> Option<&'static str> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let h = one_holder(a, b, t);
        if until(h) {
            return h;
        }
        assert!(Instant::now() < deadline, "no expected holder in time (now {h:?})");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn texts(n: usize, tag: &str) -> Vec<WhatsappOut> {
    (0..n)
        .map(|i| WhatsappOut {
            to: format!("+{CUSTOMER}"),
            text: Some(format!("{tag} {i}")),
            channel: Some("cloud_api".into()),
            ..Default::default()
        })
        .collect()
}

#[tokio::test]
async fn two_servers_on_one_database_hold_each_number_exactly_once() {
    let mut wa = Wa::cloud_ok().await;
    let t = wa.tenant;
    let a = wa.app.running.as_ref().unwrap().state.whatsapp.clone().unwrap();
    let (b_addr, b_running) = wa.app.spawn_sibling().await;
    let b = b_running.state.whatsapp.clone().unwrap();
    assert_ne!(a.holder(), b.holder());

    // For a while both run: one holder, and the lease row names it.
    let start = Instant::now();
    while start.elapsed() < Duration::from_millis(1500) {
        assert_eq!(one_holder(&a, &b, t), Some("a"));
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let lease = wa.app.runtime_db().whatsapp().lease(t).await.unwrap().unwrap();
    assert_eq!(lease.holder, a.holder());

    // Messages go out once, from the holder, though both instances poll the outbox.
    wa.enqueue(&texts(5, "pesan")).await;
    wa.drain_outbox().await;
    assert_eq!(wa.sent("text").await.len(), 5);

    // The holder shuts down: it gives the lease back and the other instance takes over.
    let a_running = wa.app.running.take().unwrap();
    let stopping = tokio::spawn(async move { a_running.stop().await });
    watch_until(&a, &b, t, |h| h == Some("b")).await;
    stopping.await.unwrap().unwrap();
    wa.app.running = Some(b_running);
    wa.app.addr = b_addr;
    assert_eq!(wa.app.runtime_db().whatsapp().lease(t).await.unwrap().unwrap().holder, b.holder());
    wa.wait_status("connected").await;
    wa.enqueue(&texts(2, "setelah")).await;
    wa.drain_outbox().await;
    assert_eq!(wa.sent("text").await.len(), 7);
    wa.app.stop().await;
}

#[tokio::test]
async fn a_lapsed_lease_is_taken_over_only_after_the_holder_let_go() {
    let wa = Wa::cloud_ok().await;
    let t = wa.tenant;
    let a = wa.app.running.as_ref().unwrap().state.whatsapp.clone().unwrap();
    let (_, b_running) = wa.app.spawn_sibling().await;
    let b = b_running.state.whatsapp.clone().unwrap();
    assert_eq!(watch_until(&a, &b, t, |h| h.is_some()).await, Some("a"));

    // The lease runs out (as when a holder can no longer renew): the holder stops at its
    // next renewal, the other instance waits out the grace period, and only then connects.
    wa.app.runtime_db().whatsapp().expire(t).await.unwrap();
    let expired = Instant::now();
    watch_until(&a, &b, t, |h| h.is_none()).await;
    watch_until(&a, &b, t, |h| h == Some("b")).await;
    assert!(
        expired.elapsed() >= Duration::from_millis(450),
        "took over before the grace period: {:?}",
        expired.elapsed()
    );
    // And it keeps it.
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(1) {
        assert_eq!(one_holder(&a, &b, t), Some("b"));
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    wa.enqueue(&texts(3, "b")).await;
    wa.drain_outbox().await;
    assert_eq!(wa.sent("text").await.len(), 3);
    b_running.stop().await.unwrap();
    wa.app.stop().await;
}

/// The pid in a lease holder id (`host-pid-random`).
fn holder_pid(holder: &str) -> Option<u32> {
    let mut parts = holder.rsplitn(3, '-');
    parts.next()?;
    parts.next()?.parse().ok()
}

async fn lease_pid(db: &garasi_store::Db, t: TenantId) -> Option<u32> {
    let lease = db.whatsapp().lease(t).await.unwrap()?;
    (lease.expires_at > chrono::Utc::now()).then(|| holder_pid(&lease.holder)).flatten()
}

async fn send_texts(db: &garasi_store::Db, t: TenantId, msgs: &[WhatsappOut]) {
    let mut tx = db.tenant(t).begin_write().await.unwrap();
    tx.outbox().enqueue_whatsapp(msgs).await.unwrap();
    tx.commit().await.unwrap();
}

async fn wait_sent(wa: &Wa, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let sent = wa.sent("text").await.len();
        assert!(sent <= n, "a message went out twice: {sent} sends for {n} messages");
        if sent == n {
            return;
        }
        assert!(Instant::now() < deadline, "only {sent} of {n} messages sent");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn two_garasi_processes_on_one_database_hold_the_number_once_and_hand_it_over() {
    let mut wa = Wa::cloud_ok().await;
    let t = wa.tenant;
    // The in-process server only set the showroom up; it gives the number back on stop.
    wa.app.running.take().unwrap().stop().await.unwrap();
    let db = garasi_store::Db::connect(&wa.app.db.runtime_url, &garasi_store::DbOptions::default()).await.unwrap();
    let uri = wa.graph.uri();
    let procs = [Serve::start(&wa.app, &uri), Serve::start(&wa.app, &uri)];
    let pids = [procs[0].pid, procs[1].pid];

    // One of the two processes takes the lease, and keeps it while both run.
    let deadline = Instant::now() + Duration::from_secs(40);
    let holder = loop {
        if let Some(pid) = lease_pid(&db, t).await {
            break pid;
        }
        assert!(Instant::now() < deadline, "no process took the lease");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(pids.contains(&holder), "holder {holder} is not one of {pids:?}");
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(2) {
        assert_eq!(lease_pid(&db, t).await, Some(holder));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Both poll the outbox; each message leaves once.
    send_texts(&db, t, &texts(3, "proses")).await;
    wait_sent(&wa, 3).await;

    // The holder is stopped (SIGTERM, as systemd would): the other process takes over
    // and delivers what comes next.
    let [first, second] = procs;
    let (gone, other) = if holder == first.pid { (first, second) } else { (second, first) };
    gone.signal("TERM");
    let (status, _) = gone.wait().await;
    assert!(status.success(), "graceful exit");
    let deadline = Instant::now() + Duration::from_secs(60);
    while lease_pid(&db, t).await != Some(other.pid) {
        assert!(Instant::now() < deadline, "the other process never took over");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    send_texts(&db, t, &texts(2, "sesudah")).await;
    wait_sent(&wa, 5).await;

    drop(other); // killed and reaped by its Drop
    db.close().await;
}

#[tokio::test]
async fn the_new_lease_holder_takes_over_jobs_the_dead_holder_had_claimed() {
    let (_test_db, db, [t, other]) = crate::support::store_with_tenants(["sinar", "berkah"]).await;
    let (ttl, grace) = (Duration::from_secs(30), Duration::ZERO);
    let lease = Duration::from_secs(120);
    let wa = db.whatsapp();
    for tenant in [t, other] {
        wa.want_lease(tenant).await.unwrap();
        let mut tx = db.tenant(tenant).begin_write().await.unwrap();
        for n in 0..2 {
            let job = garasi_store::jobs::NewJob::new("wa_out", "text", serde_json::json!({ "n": n }));
            tx.outbox().enqueue(&job).await.unwrap();
        }
        tx.commit().await.unwrap();
    }
    // Instance "dead" holds both showrooms and claims every job, then dies mid-send.
    assert!(wa.acquire(t, "dead-1-aa", ttl, grace).await.unwrap());
    assert!(wa.acquire(other, "dead-1-aa", ttl, grace).await.unwrap());
    let claimed = db.jobs().claim_held("wa_out", "dead-1-aa/out", "dead-1-aa", 10, lease).await.unwrap();
    assert_eq!(claimed.len(), 4);

    // Once its lease lapses, "alive" takes over one showroom (the row's lease is expired).
    let sql = "UPDATE wa_leases SET expires_at = $2 WHERE tenant_id = $1";
    garasi_store::with_db!(&db, |p| sqlx::query(sql)
        .bind(t.0)
        .bind(chrono::Utc::now() - chrono::Duration::seconds(1))
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
    .unwrap();
    assert!(wa.acquire(t, "alive-2-bb", ttl, grace).await.unwrap());
    // Its worker gets that showroom's two claimed jobs at once, not after the 120 s job lease;
    // the showroom still held by "dead" keeps its jobs.
    let taken = db.jobs().claim_held("wa_out", "alive-2-bb/out", "alive-2-bb", 10, lease).await.unwrap();
    assert_eq!(taken.len(), 2);
    assert!(taken.iter().all(|j| j.tenant_id == Some(t) && j.locked_by.as_deref() == Some("alive-2-bb/out")));
    // What this instance's own workers hold is never taken over by itself.
    let again = db.jobs().claim_held("wa_out", "alive-2-bb/in", "alive-2-bb", 10, lease).await.unwrap();
    assert!(again.is_empty(), "{again:?}");
    // The dead holder's claim is void: it can't complete the job any more.
    assert!(!db.jobs().complete(taken[0].id, "dead-1-aa/out").await.unwrap());
    assert!(db.jobs().complete(taken[0].id, "alive-2-bb/out").await.unwrap());
}
