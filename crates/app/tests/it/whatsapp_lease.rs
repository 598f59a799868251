//! Several Garasi instances on one database: exactly one holds each showroom's WhatsApp
//! connection (a `wa_leases` row it renews), sends its messages, and another instance
//! takes over when the holder stops or its lease lapses, never both at once.

use std::time::{Duration, Instant};

use garasi_channels::Channels;
use garasi_domain::TenantId;
use garasi_store::jobs::WhatsappOut;

use crate::whatsapp::{CUSTOMER, Wa, graph_ok};

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
    let mut wa = Wa::cloud().await;
    graph_ok(&wa.graph).await;
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
    let wa = Wa::cloud().await;
    graph_ok(&wa.graph).await;
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
