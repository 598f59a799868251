-- A salesperson changing stock over WhatsApp is an actor of its own in the audit log
-- (`actor_kind = 'sales'`, `actor_id` = the sales_staff row). SQLite cannot change a
-- CHECK constraint in place: the table is rebuilt with its rows and indexes.
CREATE TABLE audit_log_new (
    id          BLOB        NOT NULL PRIMARY KEY,
    -- NULL for platform-level actions.
    tenant_id   BLOB        NULL REFERENCES tenants (id),
    actor_kind  TEXT        NOT NULL CHECK (actor_kind IN ('root', 'user', 'system', 'bot', 'sales')),
    -- No FK: the actor may be a platform user, a tenant user or a salesperson, and the log must outlive them.
    actor_id    BLOB        NULL,
    action      TEXT        NOT NULL,
    target_kind TEXT        NULL,
    target_id   TEXT        NULL,
    details     TEXT        NOT NULL DEFAULT '{}',
    ip          TEXT        NULL,
    created_at  TEXT        NOT NULL
);
INSERT INTO audit_log_new (id, tenant_id, actor_kind, actor_id, action, target_kind, target_id, details, ip, created_at)
    SELECT id, tenant_id, actor_kind, actor_id, action, target_kind, target_id, details, ip, created_at FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;
CREATE INDEX audit_log_tenant_created_idx ON audit_log (tenant_id, created_at);
CREATE INDEX audit_log_created_idx ON audit_log (created_at);
