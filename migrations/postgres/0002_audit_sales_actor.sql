-- A salesperson changing stock over WhatsApp is an actor of its own in the audit log
-- (`actor_kind = 'sales'`, `actor_id` = the sales_staff row).
ALTER TABLE audit_log DROP CONSTRAINT audit_log_actor_kind_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_actor_kind_check
    CHECK (actor_kind IN ('root', 'user', 'system', 'bot', 'sales'));
