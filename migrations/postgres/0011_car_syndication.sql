-- Car data for syndication (issue #17, points 1 and 2).
--   cars.vin           - the vehicle identification number (nomor rangka), optional, stored normalised
--                        (17 characters, upper case, no I/O/Q); shown to buyers only when the showroom's
--                        settings say so (`profile.show_vin`).
--   car_price_changes  - every price a car was given: its first price at creation and each change, with who
--                        (actor kind, id and the name shown then), when and through which path (dashboard, api,
--                        chat, import), written in the change's own transaction by `service::cars`.
--   feed_tokens        - the secret in a showroom's marketplace feed URLs (`/feed/{token}/…`), one per
--                        showroom; rotating it replaces the row, so the old URLs stop working at once.
ALTER TABLE cars ADD COLUMN vin TEXT NULL;

CREATE TABLE car_price_changes (
    tenant_id      UUID    NOT NULL REFERENCES tenants (id),
    id             UUID    NOT NULL,
    car_id         UUID    NOT NULL,
    price          BIGINT  NOT NULL CHECK (price >= 0),
    -- NULL for the first price (the car's creation).
    previous_price BIGINT  NULL CHECK (previous_price >= 0),
    actor_kind     TEXT    NOT NULL CHECK (actor_kind IN ('user', 'sales', 'root', 'system')),
    actor_id       UUID    NULL,
    -- The actor's name when the change was made ('' when unknown), so the history reads the same after a
    -- user or salesperson is renamed or removed.
    actor_name     TEXT    NOT NULL DEFAULT '',
    via            TEXT    NOT NULL CHECK (via IN ('dashboard', 'api', 'chat', 'import', 'system')),
    changed_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, car_id) REFERENCES cars (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX car_price_changes_car_idx ON car_price_changes (tenant_id, car_id, changed_at);

CREATE TABLE feed_tokens (
    tenant_id  UUID NOT NULL REFERENCES tenants (id),
    id         UUID NOT NULL,
    token      TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id)
);

ALTER TABLE car_price_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE car_price_changes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON car_price_changes
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE feed_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE feed_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON feed_tokens
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
