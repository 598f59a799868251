//! Running instances and their heartbeat (`instances`, a platform table without RLS).
//!
//! Every instance writes its row when it starts and renews `heartbeat_at` together with
//! its WhatsApp leases. A row that was not renewed for the lease TTL belongs to a dead
//! instance (or one cut off from the database, which has stopped its connections by
//! then); any other instance takes over what it held ([`Instances::take_over`]): its
//! claimed jobs become claimable at once and its leases free, instead of waiting out
//! the jobs' own leases (minutes) and the lease's grace. A restarted process that
//! recognises its own dead predecessor does the same at once, without waiting for the TTL.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::time::now;

/// One `instances` row.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct Instance {
    /// The lease holder id; `jobs.locked_by` is `<holder>/<role>`.
    pub holder: String,
    /// The stable identity (GARASI_INSTANCE_ID, default the host name).
    pub instance_id: String,
    pub host: String,
    pub pid: i64,
    /// Linux's pid namespace (`pid:[…]`), `''` when unknown.
    pub pid_ns: String,
    pub started_at: DateTime<Utc>,
    pub heartbeat_at: DateTime<Utc>,
}

/// What [`Instances::take_over`] freed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TakenOver {
    /// Running jobs put back in their queue.
    pub jobs: u64,
    /// WhatsApp leases freed.
    pub leases: u64,
}

/// The platform's view of running instances.
#[derive(Clone, Debug)]
pub struct Instances {
    db: Db,
}

impl Db {
    /// Instance heartbeats and the take-over of dead instances' claims.
    pub fn instances(&self) -> Instances {
        Instances { db: self.clone() }
    }
}

const COLUMNS: &str = "holder, instance_id, host, pid, pid_ns, started_at, heartbeat_at";

/// Running jobs claimed by any worker of `$1` (`<holder>/<role>`).
pub(crate) const HELD_BY: &str = "status = 'running' AND substr(locked_by, 1, length($1) + 1) = ($1 || '/')";

impl Instances {
    /// Writes `me` (its `heartbeat_at` is now): inserts the row, or renews it.
    pub async fn heartbeat(&self, me: &Instance) -> StoreResult<()> {
        let sql = format!(
            "INSERT INTO instances ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (holder) DO UPDATE SET heartbeat_at = excluded.heartbeat_at"
        );
        let at = now();
        db_write!(
            &self.db,
            execute,
            sqlx::AssertSqlSafe(sql),
            &me.holder,
            &me.instance_id,
            &me.host,
            me.pid,
            &me.pid_ns,
            me.started_at,
            at
        )
        .map_err(StoreError::from_write)?;
        Ok(())
    }

    /// Every registered instance, oldest heartbeat first.
    pub async fn list(&self) -> StoreResult<Vec<Instance>> {
        let sql = format!("SELECT {COLUMNS} FROM instances ORDER BY heartbeat_at, holder");
        Ok(db_query!(&self.db, fetch_all, sqlx::AssertSqlSafe(sql))?)
    }

    /// Takes over everything the instance `holder` held, in one transaction: its running
    /// jobs go back to their queue, due now (the attempt counts: it may have done its
    /// work, so delivery stays at-least-once, and a job that kills its worker every time
    /// still ends in the dead letters); its WhatsApp leases become free; its row goes.
    pub async fn take_over(&self, holder: &str) -> StoreResult<TakenOver> {
        let at = now();
        let mut tx = self.db.begin_write().await?;
        let requeue = format!(
            "UPDATE jobs SET status = 'queued', run_at = $2, locked_until = NULL, locked_by = NULL, \
             last_error = 'taken over from a dead instance', updated_at = $2 WHERE {HELD_BY}"
        );
        let jobs = tx_query!(&mut tx, execute, sqlx::AssertSqlSafe(requeue), holder, at)?;
        const FREE: &str = "UPDATE wa_leases SET holder = '', expires_at = $2, updated_at = $3 WHERE holder = $1";
        let leases = tx_query!(&mut tx, execute, FREE, holder, DateTime::<Utc>::UNIX_EPOCH, at)?;
        tx_query!(&mut tx, execute, "DELETE FROM instances WHERE holder = $1", holder)?;
        tx.commit().await?;
        Ok(TakenOver { jobs, leases })
    }

    /// Removes `holder`'s row (a clean stop, after it gave everything back).
    pub async fn leave(&self, holder: &str) -> StoreResult<()> {
        db_write!(&self.db, execute, "DELETE FROM instances WHERE holder = $1", holder)?;
        Ok(())
    }
}
