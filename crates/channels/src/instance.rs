//! Who this process is: a stable instance identity (`GARASI_INSTANCE_ID`, default the host
//! name) plus where it runs (host, pid namespace, pid). A restarted process uses it to
//! recognise its own dead predecessor in the `instances` table and take over its claims at
//! once; staged upload files carry it so a restart can remove what a killed process left.

use garasi_store::instances::Instance;

/// This process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Stable across restarts: GARASI_INSTANCE_ID, or the host name.
    pub instance_id: String,
    /// Whether the operator set `instance_id` (and so promised that one process at a time uses it).
    pub explicit: bool,
    pub host: String,
    /// Linux's pid namespace of this process (`pid:[4026531836]`), `""` elsewhere.
    pub pid_ns: String,
    pub pid: u32,
}

impl Identity {
    /// This process, with `instance_id` as set by the operator (blank means the host name).
    pub fn current(instance_id: Option<&str>) -> Identity {
        let host = host_name();
        let set = instance_id.map(str::trim).filter(|s| !s.is_empty());
        Identity {
            instance_id: set.map(str::to_owned).unwrap_or_else(|| host.clone()),
            explicit: set.is_some(),
            host,
            pid_ns: pid_namespace(),
            pid: std::process::id(),
        }
    }

    /// A tag naming this process in file names: `<host>.<pid namespace inode>.<pid>`, in
    /// `[A-Za-z0-9.-]` only.
    pub fn file_tag(&self) -> String {
        let host: String = self.host.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(63).collect();
        let ns: String = self.pid_ns.chars().filter(char::is_ascii_digit).collect();
        format!("{host}.{}.{}", if ns.is_empty() { "0" } else { &ns }, self.pid)
    }

    /// Whether a file tagged with `tag` (see [`Identity::file_tag`]) was written by a process
    /// that is certainly gone: same host and pid namespace, and its pid no longer runs. Any
    /// other tag (another host sharing the data dir, a process still alive) is left alone.
    pub fn wrote_dead(&self, tag: &str) -> bool {
        let mut parts = tag.rsplitn(3, '.');
        let (Some(pid), Some(ns), Some(host)) = (parts.next(), parts.next(), parts.next()) else { return false };
        let Ok(pid) = pid.parse::<u32>() else { return false };
        let me = self.file_tag();
        let mut mine = me.rsplitn(3, '.');
        let (_, my_ns, my_host) = (mine.next(), mine.next(), mine.next());
        Some(host) == my_host && Some(ns) == my_ns && ns != "0" && pid != self.pid && pid_alive(pid) == Some(false)
    }

    /// Whether `row` is this instance's own predecessor, dead: the same identity and host,
    /// and either its pid no longer runs in our pid namespace, or (with an identity the
    /// operator set, which only one process uses at a time) it ran in another pid namespace,
    /// as a restarted container does. A live process is never taken for dead here; one we
    /// can't check (another host) is judged by its heartbeat instead.
    pub fn is_dead_predecessor(&self, row: &Instance) -> bool {
        if row.instance_id != self.instance_id || row.host != self.host || self.pid_ns.is_empty() {
            return false;
        }
        if row.pid_ns != self.pid_ns {
            return self.explicit;
        }
        row.pid != i64::from(self.pid) && u32::try_from(row.pid).ok().and_then(pid_alive) == Some(false)
    }
}

/// The host name: `HOSTNAME`, else the kernel's, else `garasi`.
pub fn host_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "garasi".into())
}

fn pid_namespace() -> String {
    std::fs::read_link("/proc/self/ns/pid").map(|p| p.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Whether `pid` runs in this pid namespace; `None` where that can't be told (no `/proc`).
pub fn pid_alive(pid: u32) -> Option<bool> {
    if !std::path::Path::new("/proc/self").exists() {
        return None;
    }
    Some(std::path::Path::new(&format!("/proc/{pid}")).exists())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(me: &Identity, pid: i64, pid_ns: &str) -> Instance {
        Instance {
            holder: format!("{}-{pid}-abc", me.host),
            instance_id: me.instance_id.clone(),
            host: me.host.clone(),
            pid,
            pid_ns: pid_ns.into(),
            started_at: chrono::Utc::now(),
            heartbeat_at: chrono::Utc::now(),
        }
    }

    /// A pid that ran and is gone: a child that exited and was reaped.
    fn dead_pid() -> u32 {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        pid
    }

    #[test]
    fn a_dead_predecessor_is_recognised_and_a_live_sibling_is_not() {
        let me = Identity::current(None);
        if me.pid_ns.is_empty() {
            return; // no /proc: only heartbeats apply
        }
        assert!(me.is_dead_predecessor(&row(&me, i64::from(dead_pid()), &me.pid_ns)));
        // Alive (this very process, as another instance in one test process would be).
        assert!(!me.is_dead_predecessor(&row(&me, i64::from(me.pid), &me.pid_ns)));
        // Another identity, or another namespace with the default identity: not ours to judge.
        let mut other = row(&me, i64::from(dead_pid()), &me.pid_ns);
        other.instance_id = "lain".into();
        assert!(!me.is_dead_predecessor(&other));
        assert!(!me.is_dead_predecessor(&row(&me, 1, "pid:[1]")));
        // With an identity the operator set, a process of another namespace is a past incarnation.
        let set = Identity::current(Some("garasi-1"));
        let mut earlier = row(&set, 1, "pid:[1]");
        earlier.instance_id = "garasi-1".into();
        assert!(set.is_dead_predecessor(&earlier));
    }

    #[test]
    fn file_tags_name_the_process_and_only_dead_writers_count() {
        let me = Identity::current(None);
        if me.pid_ns.is_empty() {
            return;
        }
        let mine = me.file_tag();
        assert!(mine.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'), "{mine}");
        assert!(!me.wrote_dead(&mine));
        let dead = Identity { pid: dead_pid(), ..me.clone() };
        assert!(me.wrote_dead(&dead.file_tag()));
        let elsewhere = Identity { host: "lain".into(), ..dead.clone() };
        assert!(!me.wrote_dead(&elsewhere.file_tag()));
        assert!(!me.wrote_dead("rubbish"));
    }
}
