//! Instance heartbeats: the claims and leases of an instance whose heartbeat went stale
//! are taken over by another instance at once, not after the jobs' own leases.

use std::time::Duration;

use chrono::Utc;
use garasi_store::instances::{Instance, TakenOver};
use garasi_store::jobs::{NewJob, WHATSAPP_OUT};

use crate::shutdown::{burst, out_jobs, sent_texts};
use crate::support::exec_sql;
use crate::whatsapp::Wa;

fn instance(holder: &str, heartbeat_secs_ago: i64) -> Instance {
    Instance {
        holder: holder.into(),
        instance_id: holder.split('-').next().unwrap().into(),
        host: "elsewhere".into(),
        pid: 4242,
        pid_ns: "pid:[1]".into(),
        started_at: Utc::now() - chrono::Duration::hours(1),
        heartbeat_at: Utc::now() - chrono::Duration::seconds(heartbeat_secs_ago),
    }
}

#[tokio::test]
async fn taking_over_a_dead_instance_frees_its_jobs_and_leases_and_a_clean_stop_releases_its_own() {
    let (_test_db, db, [t]) = crate::support::store_with_tenants(["sinar"]).await;
    let instances = db.instances();
    instances.heartbeat(&instance("dead-1-aa", 0)).await.unwrap();
    instances.heartbeat(&instance("alive-2-bb", 0)).await.unwrap();
    assert_eq!(instances.list().await.unwrap().len(), 2);
    let wa = db.whatsapp();
    wa.want_lease(t).await.unwrap();
    assert!(wa.acquire(t, "dead-1-aa", Duration::from_secs(3600), Duration::ZERO).await.unwrap());
    let mut tx = db.tenant(t).begin_write().await.unwrap();
    for n in 0..3 {
        tx.outbox().enqueue(&NewJob::new("wa_out", "text", serde_json::json!({ "n": n }))).await.unwrap();
    }
    tx.commit().await.unwrap();
    let lease = Duration::from_secs(120);
    let claimed = db.jobs().claim_held("wa_out", "dead-1-aa/out", "dead-1-aa", 2, lease).await.unwrap();
    assert_eq!(claimed.len(), 2);

    // The dead instance's two claims go back to the queue and its lease is free at once,
    // though the lease still had an hour and the jobs two minutes to run.
    assert_eq!(instances.take_over("dead-1-aa").await.unwrap(), TakenOver { jobs: 2, leases: 1 });
    assert_eq!(wa.lease(t).await.unwrap().unwrap().holder, "");
    assert!(wa.acquire(t, "alive-2-bb", Duration::from_secs(30), Duration::from_secs(15)).await.unwrap());
    let taken = db.jobs().claim_held("wa_out", "alive-2-bb/out", "alive-2-bb", 10, lease).await.unwrap();
    assert_eq!(taken.len(), 3, "the two taken over and the one never claimed");
    assert!(taken.iter().filter(|j| claimed.iter().any(|c| c.id == j.id)).all(|j| j.attempts == 2));
    assert!(!db.jobs().complete(claimed[0].id, "dead-1-aa/out").await.unwrap(), "the dead claim is void");
    let holders: Vec<String> = instances.list().await.unwrap().into_iter().map(|i| i.holder).collect();
    assert_eq!(holders, ["alive-2-bb"]);

    // A clean stop puts back what its workers still hold, due now, for anyone to claim.
    assert!(db.jobs().complete(taken[0].id, "alive-2-bb/out").await.unwrap());
    assert_eq!(db.jobs().release_claims("alive-2-bb").await.unwrap(), 2);
    let again = db.jobs().claim("wa_out", "next-3-cc/out", 10, lease).await.unwrap();
    assert_eq!(again.len(), 2);
    instances.leave("alive-2-bb").await.unwrap();
    assert!(instances.list().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_holder_whose_heartbeat_went_stale_is_taken_over_by_a_running_instance() {
    let wa = Wa::cloud_ok().await;
    let db = wa.app.runtime_db();
    // Another instance held the number with a lease good for an hour and claimed a reply,
    // then stopped beating (a crash on another host): its heartbeat is older than the TTL.
    db.instances().heartbeat(&instance("ghost-1-aa", 3600)).await.unwrap();
    let sql = "UPDATE wa_leases SET holder = $2, expires_at = $3 WHERE tenant_id = $1";
    exec_sql!(&db, sql, wa.tenant.0, "ghost-1-aa", Utc::now() + chrono::Duration::hours(1));
    let stale = "UPDATE instances SET heartbeat_at = $2 WHERE holder = $1";
    exec_sql!(&db, stale, "ghost-1-aa", Utc::now() - chrono::Duration::hours(1));
    wa.enqueue(&burst(1, "tertahan")).await;
    let jobs = db.jobs();
    let claimed = jobs.claim_held(WHATSAPP_OUT, "ghost-1-aa/out", "ghost-1-aa", 10, Duration::from_secs(120));
    assert_eq!(claimed.await.unwrap().len(), 1);

    // The running instance notices at its next renewal, takes the lease and sends the reply.
    wa.drain_outbox().await;
    assert_eq!(sent_texts(&wa.graph).await.len(), 1);
    assert!(out_jobs(&db, wa.tenant).await.iter().all(|j| j.status == "done"));
    assert!(db.instances().list().await.unwrap().iter().all(|i| i.holder != "ghost-1-aa"));
    wa.app.stop().await;
}
