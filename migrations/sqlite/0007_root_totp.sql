-- A second factor for root users (issue #14, point 4). Platform tables: root users belong to
-- no tenant, so there is no tenant_id and no row-level security (see docs/ARCHITECTURE.md).
--   platform_user_totp.secret_sealed - the TOTP secret encrypted with the instance's secret key
--                                      (AES-256-GCM, bound to the user id).
--   platform_user_totp.enabled_at    - NULL while the enrolment waits for its first code.
--   platform_user_totp.last_step     - the last accepted 30 s time step: a code is accepted only
--                                      for a later step, so one code cannot be used twice.
--   platform_recovery_codes          - ten one-time codes per enrolment; only a hash is stored.
CREATE TABLE platform_user_totp (
    user_id       BLOB    NOT NULL PRIMARY KEY REFERENCES platform_users (id) ON DELETE CASCADE,
    secret_sealed TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    enabled_at    TEXT    NULL,
    last_step     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE platform_recovery_codes (
    id         BLOB NOT NULL PRIMARY KEY,
    user_id    BLOB NOT NULL REFERENCES platform_users (id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    used_at    TEXT NULL,
    UNIQUE (user_id, code_hash)
);
