-- Running Garasi instances and their heartbeat (issue #13, crash safety). Platform table,
-- no tenant_id: every instance reads every row.
--   holder        - the instance's lease holder id (`<host>-<pid>-<random>`): what it writes in
--                   `wa_leases.holder` and, with `/<role>`, in `jobs.locked_by`.
--   instance_id   - the stable identity (GARASI_INSTANCE_ID, default the host name): a new process
--                   with the same identity recognises its dead predecessor and takes over at once.
--   host, pid,
--   pid_ns        - where the process runs (`pid_ns` is Linux's /proc/self/ns/pid, '' when unknown),
--                   so a successor on the same host can tell whether the pid still runs.
--   heartbeat_at  - renewed with the WhatsApp leases; a row not renewed for the lease TTL is a dead
--                   instance, whose claimed jobs and leases any other instance takes over.
CREATE TABLE instances (
    holder       TEXT    NOT NULL PRIMARY KEY,
    instance_id  TEXT    NOT NULL,
    host         TEXT    NOT NULL,
    pid          INTEGER NOT NULL,
    pid_ns       TEXT    NOT NULL,
    started_at   TEXT    NOT NULL,
    heartbeat_at TEXT    NOT NULL
);
CREATE INDEX instances_instance_id_idx ON instances (instance_id);
