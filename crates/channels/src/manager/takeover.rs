//! The instance heartbeat, and taking over what dead instances held: run from the lease
//! loop, before free leases are looked for, so a restart or a crash elsewhere hands the
//! claims over within one renewal (a dead predecessor on this host: at once).

use chrono::Utc;
use garasi_store::StoreError;
use garasi_store::instances::Instance;

use super::Channels;

impl Channels {
    /// This instance's `instances` row, as it is written at each heartbeat.
    fn me(&self) -> Instance {
        let id = &self.inner.config.identity;
        Instance {
            holder: self.inner.holder.clone(),
            instance_id: id.instance_id.clone(),
            host: id.host.clone(),
            pid: i64::from(id.pid),
            pid_ns: id.pid_ns.clone(),
            started_at: self.inner.started_at,
            heartbeat_at: Utc::now(),
        }
    }

    pub(super) async fn heartbeat(&self) -> Result<(), StoreError> {
        self.inner.db.instances().heartbeat(&self.me()).await
    }

    /// Takes over the claims and leases of every instance that is dead: our own
    /// predecessor (same identity, its process gone) at once, any other once its
    /// heartbeat is older than the lease TTL.
    pub(super) async fn take_over_dead(&self) {
        let instances = self.inner.db.instances();
        let rows = match instances.list().await {
            Ok(rows) => rows,
            Err(e) => {
                tracing::warn!(error = %e, "listing instances failed");
                return;
            }
        };
        let ttl = chrono::Duration::from_std(self.inner.config.lease.ttl).unwrap_or(chrono::Duration::seconds(20));
        let stale_before = Utc::now() - ttl;
        for row in rows.iter().filter(|r| r.holder != self.inner.holder) {
            let reason = if self.inner.config.identity.is_dead_predecessor(row) {
                "predecessor"
            } else if row.heartbeat_at < stale_before {
                "heartbeat"
            } else {
                continue;
            };
            let silent_ms = Utc::now().signed_duration_since(row.heartbeat_at).num_milliseconds();
            match instances.take_over(&row.holder).await {
                Ok(t) => tracing::info!(
                    dead = %row.holder,
                    reason,
                    silent_ms,
                    jobs = t.jobs,
                    leases = t.leases,
                    "took over the claims of a dead instance"
                ),
                Err(e) => tracing::warn!(dead = %row.holder, error = %e, "taking over a dead instance failed"),
            }
        }
    }
}
