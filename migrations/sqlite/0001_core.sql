-- Garasi core schema (SQLite). Mirror: migrations/postgres/0001_core.sql (same tables, order and columns).
--
-- Type mapping relied on by the Rust code (sqlx): ids BLOB (16-byte Uuid), timestamps TEXT (chrono),
-- integers INTEGER (i64), booleans INTEGER 0/1, json TEXT. Ids and timestamps come from Rust (UUIDv7,
-- Utc::now()), so no SQL defaults.
--
-- SQLite has no RLS: the same composite (tenant_id, id) keys, per-tenant uniques and composite FKs are kept,
-- and tenant scoping is enforced by the app's tenant-bound repository. PRIMARY KEY columns are declared
-- NOT NULL explicitly because SQLite otherwise allows NULL in non-INTEGER primary keys.
-- FKs need PRAGMA foreign_keys=ON (sqlx sets it by default).

-- ---------------------------------------------------------------------------------------------------------
-- Platform tables
-- ---------------------------------------------------------------------------------------------------------

CREATE TABLE tenants (
    id              BLOB        NOT NULL PRIMARY KEY,
    slug            TEXT        NOT NULL UNIQUE,
    name            TEXT        NOT NULL,
    status          TEXT        NOT NULL DEFAULT 'active'
                                CHECK (status IN ('active', 'suspended', 'deleted')),
    whatsapp_number TEXT        NULL,
    -- A verified custom domain; NULL means `<slug>.<tenant domain>`. Absolute URLs are built from this,
    -- never from the request's Host.
    primary_domain  TEXT        NULL,
    created_at      TEXT        NOT NULL,
    updated_at      TEXT        NOT NULL,
    deleted_at      TEXT        NULL
);

CREATE TABLE tenant_domains (
    -- Globally unique by decision: one host maps to exactly one tenant.
    domain      TEXT        NOT NULL PRIMARY KEY,
    tenant_id   BLOB        NOT NULL REFERENCES tenants (id),
    -- NULL until DNS TXT verification; unverified domains must not route.
    verified_at TEXT        NULL,
    created_at  TEXT        NOT NULL
);
CREATE INDEX tenant_domains_tenant_idx ON tenant_domains (tenant_id);

CREATE TABLE channel_routes (
    kind        TEXT NOT NULL CHECK (kind IN ('simulator', 'waweb', 'cloud_api')),
    -- Cloud API phone_number_id, or the WhatsApp Web number.
    external_id TEXT NOT NULL,
    tenant_id   BLOB NOT NULL REFERENCES tenants (id),
    PRIMARY KEY (kind, external_id)
);
CREATE INDEX channel_routes_tenant_idx ON channel_routes (tenant_id);

CREATE TABLE platform_users (
    id            BLOB        NOT NULL PRIMARY KEY,
    email         TEXT        NOT NULL UNIQUE,
    password_hash TEXT        NOT NULL,
    name          TEXT        NOT NULL DEFAULT '',
    created_at    TEXT        NOT NULL,
    updated_at    TEXT        NOT NULL,
    disabled_at   TEXT        NULL
);

CREATE TABLE platform_sessions (
    id           BLOB        NOT NULL PRIMARY KEY,
    -- Only a hash is stored, so a leaked table does not yield usable cookies.
    token_hash   TEXT        NOT NULL UNIQUE,
    user_id      BLOB        NOT NULL REFERENCES platform_users (id) ON DELETE CASCADE,
    created_at   TEXT        NOT NULL,
    last_seen_at TEXT        NOT NULL,
    expires_at   TEXT        NOT NULL,
    user_agent   TEXT        NULL
);
CREATE INDEX platform_sessions_user_idx ON platform_sessions (user_id);

CREATE TABLE jobs (
    id           BLOB        NOT NULL PRIMARY KEY,
    -- NULL for platform-wide jobs; otherwise the worker scopes its transaction to this tenant.
    tenant_id    BLOB        NULL REFERENCES tenants (id),
    queue        TEXT        NOT NULL,
    kind         TEXT        NOT NULL,
    payload      TEXT        NOT NULL,
    status       TEXT        NOT NULL DEFAULT 'queued'
                             CHECK (status IN ('queued', 'running', 'done', 'failed', 'dead')),
    attempts     INTEGER     NOT NULL DEFAULT 0,
    max_attempts INTEGER     NOT NULL DEFAULT 8,
    run_at       TEXT        NOT NULL,
    locked_until TEXT        NULL,
    locked_by    TEXT        NULL,
    last_error   TEXT        NULL,
    -- At-least-once delivery: a repeated enqueue with the same key is a no-op. NULLs never collide.
    dedupe_key   TEXT        NULL UNIQUE,
    -- Jobs sharing an ordering key run in creation order (e.g. one conversation's outbound messages).
    ordering_key TEXT        NULL,
    created_at   TEXT        NOT NULL,
    updated_at   TEXT        NOT NULL
);
CREATE INDEX jobs_status_run_at_idx ON jobs (status, run_at);
CREATE INDEX jobs_ordering_idx ON jobs (ordering_key, created_at);

CREATE TABLE wa_leases (
    tenant_id  BLOB        NOT NULL PRIMARY KEY REFERENCES tenants (id),
    holder     TEXT        NOT NULL,
    expires_at TEXT        NOT NULL,
    updated_at TEXT        NOT NULL
);

CREATE TABLE audit_log (
    id          BLOB        NOT NULL PRIMARY KEY,
    -- NULL for platform-level actions.
    tenant_id   BLOB        NULL REFERENCES tenants (id),
    actor_kind  TEXT        NOT NULL CHECK (actor_kind IN ('root', 'user', 'system', 'bot')),
    -- No FK: the actor may be a platform user or a tenant user, and the log must outlive both.
    actor_id    BLOB        NULL,
    action      TEXT        NOT NULL,
    target_kind TEXT        NULL,
    target_id   TEXT        NULL,
    details     TEXT        NOT NULL DEFAULT '{}',
    ip          TEXT        NULL,
    created_at  TEXT        NOT NULL
);
CREATE INDEX audit_log_tenant_created_idx ON audit_log (tenant_id, created_at);
CREATE INDEX audit_log_created_idx ON audit_log (created_at);

-- ---------------------------------------------------------------------------------------------------------
-- Tenant tables (no RLS in SQLite; see header)
-- ---------------------------------------------------------------------------------------------------------

CREATE TABLE users (
    tenant_id     BLOB        NOT NULL REFERENCES tenants (id),
    id            BLOB        NOT NULL,
    -- Stored normalised (lower-case) by the app; unique per tenant only, so one e-mail can staff two showrooms.
    email         TEXT        NOT NULL,
    password_hash TEXT        NOT NULL,
    name          TEXT        NOT NULL DEFAULT '',
    role          TEXT        NOT NULL CHECK (role IN ('owner', 'admin', 'staff')),
    created_at    TEXT        NOT NULL,
    updated_at    TEXT        NOT NULL,
    -- Users are disabled rather than deleted, so references (e.g. conversations.taken_over_by) stay valid.
    disabled_at   TEXT        NULL,
    last_login_at TEXT        NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, email)
);

CREATE TABLE sessions (
    tenant_id    BLOB        NOT NULL REFERENCES tenants (id),
    id           BLOB        NOT NULL,
    token_hash   TEXT        NOT NULL,
    user_id      BLOB        NOT NULL,
    created_at   TEXT        NOT NULL,
    last_seen_at TEXT        NOT NULL,
    expires_at   TEXT        NOT NULL,
    user_agent   TEXT        NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
-- "Log out everywhere" and the cascade from users.
CREATE INDEX sessions_user_idx ON sessions (tenant_id, user_id);

CREATE TABLE api_tokens (
    tenant_id    BLOB        NOT NULL REFERENCES tenants (id),
    id           BLOB        NOT NULL,
    user_id      BLOB        NOT NULL,
    name         TEXT        NOT NULL,
    token_hash   TEXT        NOT NULL,
    created_at   TEXT        NOT NULL,
    last_used_at TEXT        NULL,
    expires_at   TEXT        NULL,
    revoked_at   TEXT        NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX api_tokens_user_idx ON api_tokens (tenant_id, user_id);

CREATE TABLE tenant_settings (
    tenant_id  BLOB        NOT NULL PRIMARY KEY REFERENCES tenants (id),
    -- Profile, credit rates, bot persona etc.: JSON so new settings need no migration.
    settings   TEXT        NOT NULL DEFAULT '{}',
    updated_at TEXT        NOT NULL
);

CREATE TABLE tenant_counters (
    tenant_id BLOB    NOT NULL REFERENCES tenants (id),
    -- Per-tenant sequences (e.g. 'car_stock_no'); a global SEQUENCE would leak other tenants' volume.
    name      TEXT    NOT NULL,
    value     INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, name)
);

CREATE TABLE sales_staff (
    tenant_id  BLOB        NOT NULL REFERENCES tenants (id),
    id         BLOB        NOT NULL,
    name       TEXT        NOT NULL,
    -- E.164; the bot derives the sender's role from this.
    phone      TEXT        NOT NULL,
    active     INTEGER     NOT NULL DEFAULT 1,
    created_at TEXT        NOT NULL,
    updated_at TEXT        NOT NULL,
    deleted_at TEXT        NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, phone)
);

CREATE TABLE cars (
    tenant_id      BLOB        NOT NULL REFERENCES tenants (id),
    id             BLOB        NOT NULL,
    -- Human stock number, from tenant_counters.
    stock_no       INTEGER     NOT NULL,
    slug           TEXT        NOT NULL,
    brand          TEXT        NOT NULL,
    model          TEXT        NOT NULL,
    variant        TEXT        NOT NULL DEFAULT '',
    year           INTEGER     NOT NULL,
    -- Money in whole rupiah. price is the cash price; credit_price is the (often lower) advertised credit price.
    price          INTEGER     NOT NULL CHECK (price >= 0),
    credit_price   INTEGER     NULL CHECK (credit_price >= 0),
    negotiable     INTEGER     NOT NULL DEFAULT 1,
    -- Sales-only: never in public DTOs or bot answers to customers.
    floor_price    INTEGER     NULL CHECK (floor_price >= 0),
    mileage_km     INTEGER     NOT NULL DEFAULT 0 CHECK (mileage_km >= 0),
    transmission   TEXT        NOT NULL CHECK (transmission IN ('AT', 'MT')),
    fuel           TEXT        NOT NULL CHECK (fuel IN ('bensin', 'diesel', 'hybrid', 'listrik')),
    body_type      TEXT        NOT NULL
                               CHECK (body_type IN ('MPV', 'SUV', 'LCGC', 'sedan', 'hatchback', 'pickup',
                                                    'double_cabin')),
    color          TEXT        NOT NULL DEFAULT '',
    engine_cc      INTEGER     NULL,
    seats          INTEGER     NULL,
    -- Private: public pages show only region and parity, which are stored separately so they can be filtered.
    plate_number   TEXT        NULL,
    plate_region   TEXT        NULL,
    plate_parity   TEXT        NULL CHECK (plate_parity IN ('ganjil', 'genap')),
    -- 'YYYY-MM' (month the annual road tax is paid until).
    tax_paid_until TEXT        NULL,
    stnk           INTEGER     NOT NULL DEFAULT 1,
    bpkb           INTEGER     NOT NULL DEFAULT 1,
    first_owner    INTEGER     NOT NULL DEFAULT 0,
    condition      TEXT        NOT NULL DEFAULT 'used' CHECK (condition IN ('new', 'used')),
    description    TEXT        NOT NULL DEFAULT '',
    -- Staff-only.
    internal_notes TEXT        NOT NULL DEFAULT '',
    status         TEXT        NOT NULL DEFAULT 'draft'
                               CHECK (status IN ('draft', 'available', 'booked', 'sold', 'hidden')),
    featured       INTEGER     NOT NULL DEFAULT 0,
    created_at     TEXT        NOT NULL,
    updated_at     TEXT        NOT NULL,
    published_at   TEXT        NULL,
    sold_at        TEXT        NULL,
    deleted_at     TEXT        NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, stock_no),
    UNIQUE (tenant_id, slug)
);
-- Catalogue filters: status + price range, make/model, year range.
CREATE INDEX cars_status_price_idx ON cars (tenant_id, status, price);
CREATE INDEX cars_brand_model_idx ON cars (tenant_id, brand, model);
CREATE INDEX cars_year_idx ON cars (tenant_id, year);

CREATE TABLE car_specs (
    tenant_id BLOB    NOT NULL REFERENCES tenants (id),
    car_id    BLOB    NOT NULL,
    key       TEXT    NOT NULL,
    value     TEXT    NOT NULL,
    position  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, car_id, key),
    FOREIGN KEY (tenant_id, car_id) REFERENCES cars (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE car_photos (
    tenant_id   BLOB        NOT NULL REFERENCES tenants (id),
    id          BLOB        NOT NULL,
    car_id      BLOB        NOT NULL,
    -- Not unique, so photos can be reordered without a deferred constraint; position 0 is the main photo.
    position    INTEGER     NOT NULL,
    storage_key TEXT        NOT NULL,
    width       INTEGER     NOT NULL,
    height      INTEGER     NOT NULL,
    bytes       INTEGER     NOT NULL,
    created_at  TEXT        NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, car_id) REFERENCES cars (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX car_photos_car_position_idx ON car_photos (tenant_id, car_id, position);

CREATE TABLE conversations (
    tenant_id         BLOB        NOT NULL REFERENCES tenants (id),
    id                BLOB        NOT NULL,
    -- e.g. 'simulator', 'waweb', 'cloud_api'.
    channel           TEXT        NOT NULL,
    -- E.164.
    contact_phone     TEXT        NOT NULL,
    -- WhatsApp may address a sender by LID instead of phone number, so both are kept.
    contact_lid       TEXT        NULL,
    contact_name      TEXT        NOT NULL DEFAULT '',
    contact_role      TEXT        NOT NULL CHECK (contact_role IN ('customer', 'sales')),
    -- Set when the contact is one of the showroom's salespeople.
    sales_staff_id    BLOB        NULL,
    assigned_sales_id BLOB        NULL,
    -- Bot stays silent until then (human handoff).
    handoff_until     TEXT        NULL,
    -- Admin user who took over the conversation.
    taken_over_by     BLOB        NULL,
    last_message_at   TEXT        NULL,
    created_at        TEXT        NOT NULL,
    updated_at        TEXT        NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, channel, contact_phone),
    FOREIGN KEY (tenant_id, sales_staff_id) REFERENCES sales_staff (tenant_id, id),
    FOREIGN KEY (tenant_id, assigned_sales_id) REFERENCES sales_staff (tenant_id, id),
    FOREIGN KEY (tenant_id, taken_over_by) REFERENCES users (tenant_id, id)
);
-- Inbox ordering.
CREATE INDEX conversations_last_message_idx ON conversations (tenant_id, last_message_at);
-- Finding the contact when a message arrives addressed by LID only.
CREATE INDEX conversations_lid_idx ON conversations (tenant_id, contact_lid);

CREATE TABLE messages (
    tenant_id           BLOB        NOT NULL REFERENCES tenants (id),
    id                  BLOB        NOT NULL,
    conversation_id     BLOB        NOT NULL,
    direction           TEXT        NOT NULL CHECK (direction IN ('in', 'out')),
    sender              TEXT        NOT NULL CHECK (sender IN ('customer', 'sales', 'bot', 'admin', 'system')),
    -- Provider id (e.g. wamid); unique per tenant to drop webhook redeliveries. NULL for local messages.
    provider_message_id TEXT        NULL,
    body                TEXT        NOT NULL DEFAULT '',
    media               TEXT        NOT NULL DEFAULT '[]',
    handled_by          TEXT        NULL CHECK (handled_by IN ('command', 'offline', 'llm', 'fallback')),
    intent              TEXT        NULL,
    llm_tokens          INTEGER     NOT NULL DEFAULT 0,
    created_at          TEXT        NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, provider_message_id),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX messages_conversation_created_idx ON messages (tenant_id, conversation_id, created_at);

CREATE TABLE leads (
    tenant_id         BLOB        NOT NULL REFERENCES tenants (id),
    id                BLOB        NOT NULL,
    conversation_id   BLOB        NULL,
    phone             TEXT        NOT NULL,
    name              TEXT        NOT NULL DEFAULT '',
    status            TEXT        NOT NULL DEFAULT 'new'
                                  CHECK (status IN ('new', 'contacted', 'qualified', 'converted', 'lost')),
    car_id            BLOB        NULL,
    assigned_sales_id BLOB        NULL,
    -- Whole rupiah.
    budget            INTEGER     NULL,
    payment_method    TEXT        NULL CHECK (payment_method IN ('cash', 'credit')),
    notes             TEXT        NOT NULL DEFAULT '',
    source            TEXT        NOT NULL DEFAULT 'whatsapp',
    created_at        TEXT        NOT NULL,
    updated_at        TEXT        NOT NULL,
    PRIMARY KEY (tenant_id, id),
    -- NO ACTION: a lead is a business record and must not vanish with its conversation, car or salesperson.
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id),
    FOREIGN KEY (tenant_id, car_id) REFERENCES cars (tenant_id, id),
    FOREIGN KEY (tenant_id, assigned_sales_id) REFERENCES sales_staff (tenant_id, id)
);
CREATE INDEX leads_status_created_idx ON leads (tenant_id, status, created_at);
CREATE INDEX leads_assigned_sales_idx ON leads (tenant_id, assigned_sales_id);
CREATE INDEX leads_phone_idx ON leads (tenant_id, phone);
-- The bot finds the lead of a conversation; the car page lists its leads.
CREATE INDEX leads_conversation_idx ON leads (tenant_id, conversation_id);
CREATE INDEX leads_car_idx ON leads (tenant_id, car_id);

CREATE TABLE lead_events (
    tenant_id   BLOB        NOT NULL REFERENCES tenants (id),
    id          BLOB        NOT NULL,
    lead_id     BLOB        NOT NULL,
    -- e.g. 'created', 'status', 'note', 'assigned'.
    kind        TEXT        NOT NULL,
    from_status TEXT        NULL,
    to_status   TEXT        NULL,
    note        TEXT        NOT NULL DEFAULT '',
    -- Free text (user name, 'bot', 'system') so history survives user changes.
    actor       TEXT        NOT NULL DEFAULT '',
    created_at  TEXT        NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, lead_id) REFERENCES leads (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX lead_events_lead_created_idx ON lead_events (tenant_id, lead_id, created_at);

CREATE TABLE whatsapp_channels (
    tenant_id             BLOB        NOT NULL PRIMARY KEY REFERENCES tenants (id),
    kind                  TEXT        NOT NULL DEFAULT 'simulator'
                                      CHECK (kind IN ('simulator', 'waweb', 'cloud_api')),
    status                TEXT        NOT NULL DEFAULT 'stopped'
                                      CHECK (status IN ('stopped', 'connecting', 'awaiting_pairing', 'connected',
                                                        'reconnecting', 'logged_out', 'replaced', 'banned',
                                                        'failed')),
    phone                 TEXT        NULL,
    -- Routing of inbound webhooks uses channel_routes (a platform table); this copy is the tenant's own view.
    cloud_phone_number_id TEXT        NULL,
    -- Encrypted at rest by the app; never plaintext tokens in the DB.
    credentials_encrypted TEXT        NULL,
    status_changed_at     TEXT        NULL,
    last_inbound_at       TEXT        NULL,
    last_outbound_at      TEXT        NULL,
    last_error            TEXT        NULL,
    updated_at            TEXT        NOT NULL
);
-- Not globally unique: that would be a cross-tenant covert channel; global routing is channel_routes' job.
CREATE INDEX whatsapp_channels_cloud_pnid_idx ON whatsapp_channels (tenant_id, cloud_phone_number_id);

CREATE TABLE llm_usage (
    tenant_id         BLOB    NOT NULL REFERENCES tenants (id),
    -- 'YYYY-MM-DD', one row per tenant and day for quotas and billing.
    day               TEXT    NOT NULL,
    prompt_tokens     INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    calls             INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, day)
);

CREATE TABLE bot_memory (
    -- DB fallback for bot session memory when Redis is absent.
    tenant_id     BLOB        NOT NULL REFERENCES tenants (id),
    contact_phone TEXT        NOT NULL,
    data          TEXT        NOT NULL,
    expires_at    TEXT        NOT NULL,
    updated_at    TEXT        NOT NULL,
    PRIMARY KEY (tenant_id, contact_phone)
);
