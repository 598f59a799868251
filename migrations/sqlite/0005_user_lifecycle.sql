-- Users per showroom and the password life cycle (issue #14, points 1-3).
--   users.must_change_password - set for a user invited with a temporary password (and after an
--                                owner hands one out); the dashboard asks for a new password first.
--   users.deleted_at           - a removed user. The row stays, so references (conversation
--                                take-overs, audit) keep a name; its sessions and tokens are gone.
--   sessions.ip, platform_sessions.ip - the client address at sign-in, for "active sessions".
--   user_tokens                - one-time links: an invitation (72 h) or a password reset (30 min).
--                                Only a hash of the secret is stored. used_at makes them single use.
--   user_sales_links           - a staff user's own salesperson entry (their WhatsApp number), so
--                                "prospek saya" shows their leads. A separate table, because SQLite
--                                cannot add a composite foreign key to an existing table.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN deleted_at TEXT NULL;
ALTER TABLE sessions ADD COLUMN ip TEXT NULL;
ALTER TABLE platform_sessions ADD COLUMN ip TEXT NULL;

CREATE TABLE user_tokens (
    tenant_id  BLOB NOT NULL REFERENCES tenants (id),
    id         BLOB NOT NULL,
    user_id    BLOB NOT NULL,
    purpose    TEXT NOT NULL CHECK (purpose IN ('invite', 'reset')),
    token_hash TEXT NOT NULL,
    -- The user or root who made it (NULL for a self-service reset); no FK, like the audit log.
    created_by BLOB NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX user_tokens_user_idx ON user_tokens (tenant_id, user_id);

CREATE TABLE user_sales_links (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    user_id   BLOB NOT NULL,
    sales_id  BLOB NOT NULL,
    PRIMARY KEY (tenant_id, user_id),
    UNIQUE (tenant_id, sales_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, sales_id) REFERENCES sales_staff (tenant_id, id) ON DELETE CASCADE
);
