-- Garasi core schema (PostgreSQL). Mirror: migrations/sqlite/0001_core.sql (same tables, order and columns).
--
-- Type mapping relied on by the Rust code: ids UUID, timestamps TIMESTAMPTZ, integers BIGINT (i64),
-- booleans BOOLEAN, json JSONB. Ids and timestamps come from Rust (UUIDv7, Utc::now()), so no SQL defaults.
--
-- Platform tables: no tenant RLS, deliberately.
--   tenants           - the registry itself, read to resolve hosts and by the root admin.
--   tenant_domains    - scanned by host lookup before any tenant is known.
--   channel_routes    - maps an inbound channel address (phone_number_id, WhatsApp Web number) to its tenant
--                       before any tenant is known.
--   platform_users    - root admins, who belong to no tenant.
--   platform_sessions - root admin sessions, who belong to no tenant.
--   jobs              - the outbox/queue, claimed across tenants by workers; the worker then opens a
--                       transaction scoped to the job's tenant.
--   wa_leases         - which instance holds each tenant's WhatsApp connection; scanned by every instance.
--   audit_log         - written by platform and tenant actions alike, read by the root admin across tenants.
--
-- Every other table carries tenant_id and gets ENABLE + FORCE ROW LEVEL SECURITY with the tenant_isolation
-- policy. Composite (tenant_id, id) keys and FKs stop cross-tenant references, which FK checks would not
-- (they bypass RLS). Policies apply to PUBLIC (role names are the operator's); grants are made by
-- `garasi migrate --grant-to`, not here.

-- ---------------------------------------------------------------------------------------------------------
-- Platform tables
-- ---------------------------------------------------------------------------------------------------------

CREATE TABLE tenants (
    id              UUID        NOT NULL PRIMARY KEY,
    slug            TEXT        NOT NULL UNIQUE,
    name            TEXT        NOT NULL,
    status          TEXT        NOT NULL DEFAULT 'active'
                                CHECK (status IN ('active', 'suspended', 'deleted')),
    whatsapp_number TEXT        NULL,
    -- A verified custom domain; NULL means `<slug>.<tenant domain>`. Absolute URLs are built from this,
    -- never from the request's Host.
    primary_domain  TEXT        NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    deleted_at      TIMESTAMPTZ NULL
);

CREATE TABLE tenant_domains (
    -- Globally unique by decision: one host maps to exactly one tenant.
    domain      TEXT        NOT NULL PRIMARY KEY,
    tenant_id   UUID        NOT NULL REFERENCES tenants (id),
    -- NULL until DNS TXT verification; unverified domains must not route.
    verified_at TIMESTAMPTZ NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX tenant_domains_tenant_idx ON tenant_domains (tenant_id);

CREATE TABLE channel_routes (
    kind        TEXT NOT NULL CHECK (kind IN ('simulator', 'waweb', 'cloud_api')),
    -- Cloud API phone_number_id, or the WhatsApp Web number.
    external_id TEXT NOT NULL,
    tenant_id   UUID NOT NULL REFERENCES tenants (id),
    PRIMARY KEY (kind, external_id)
);
CREATE INDEX channel_routes_tenant_idx ON channel_routes (tenant_id);

CREATE TABLE platform_users (
    id            UUID        NOT NULL PRIMARY KEY,
    email         TEXT        NOT NULL UNIQUE,
    password_hash TEXT        NOT NULL,
    name          TEXT        NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    disabled_at   TIMESTAMPTZ NULL
);

CREATE TABLE platform_sessions (
    id           UUID        NOT NULL PRIMARY KEY,
    -- Only a hash is stored, so a leaked table does not yield usable cookies.
    token_hash   TEXT        NOT NULL UNIQUE,
    user_id      UUID        NOT NULL REFERENCES platform_users (id) ON DELETE CASCADE,
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    user_agent   TEXT        NULL
);
CREATE INDEX platform_sessions_user_idx ON platform_sessions (user_id);

CREATE TABLE jobs (
    id           UUID        NOT NULL PRIMARY KEY,
    -- NULL for platform-wide jobs; otherwise the worker scopes its transaction to this tenant.
    tenant_id    UUID        NULL REFERENCES tenants (id),
    queue        TEXT        NOT NULL,
    kind         TEXT        NOT NULL,
    payload      JSONB       NOT NULL,
    status       TEXT        NOT NULL DEFAULT 'queued'
                             CHECK (status IN ('queued', 'running', 'done', 'failed', 'dead')),
    attempts     BIGINT      NOT NULL DEFAULT 0,
    max_attempts BIGINT      NOT NULL DEFAULT 8,
    run_at       TIMESTAMPTZ NOT NULL,
    locked_until TIMESTAMPTZ NULL,
    locked_by    TEXT        NULL,
    last_error   TEXT        NULL,
    -- At-least-once delivery: a repeated enqueue with the same key is a no-op. NULLs never collide.
    dedupe_key   TEXT        NULL UNIQUE,
    -- Jobs sharing an ordering key run in creation order (e.g. one conversation's outbound messages).
    ordering_key TEXT        NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX jobs_status_run_at_idx ON jobs (status, run_at);
CREATE INDEX jobs_ordering_idx ON jobs (ordering_key, created_at);

CREATE TABLE wa_leases (
    tenant_id  UUID        NOT NULL PRIMARY KEY REFERENCES tenants (id),
    holder     TEXT        NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE audit_log (
    id          UUID        NOT NULL PRIMARY KEY,
    -- NULL for platform-level actions.
    tenant_id   UUID        NULL REFERENCES tenants (id),
    actor_kind  TEXT        NOT NULL CHECK (actor_kind IN ('root', 'user', 'system', 'bot')),
    -- No FK: the actor may be a platform user or a tenant user, and the log must outlive both.
    actor_id    UUID        NULL,
    action      TEXT        NOT NULL,
    target_kind TEXT        NULL,
    target_id   TEXT        NULL,
    details     JSONB       NOT NULL DEFAULT '{}',
    ip          TEXT        NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX audit_log_tenant_created_idx ON audit_log (tenant_id, created_at);
CREATE INDEX audit_log_created_idx ON audit_log (created_at);

-- ---------------------------------------------------------------------------------------------------------
-- Tenant tables (RLS)
-- ---------------------------------------------------------------------------------------------------------

CREATE TABLE users (
    tenant_id     UUID        NOT NULL REFERENCES tenants (id),
    id            UUID        NOT NULL,
    -- Stored normalised (lower-case) by the app; unique per tenant only, so one e-mail can staff two showrooms.
    email         TEXT        NOT NULL,
    password_hash TEXT        NOT NULL,
    name          TEXT        NOT NULL DEFAULT '',
    role          TEXT        NOT NULL CHECK (role IN ('owner', 'admin', 'staff')),
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    -- Users are disabled rather than deleted, so references (e.g. conversations.taken_over_by) stay valid.
    disabled_at   TIMESTAMPTZ NULL,
    last_login_at TIMESTAMPTZ NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, email)
);

CREATE TABLE sessions (
    tenant_id    UUID        NOT NULL REFERENCES tenants (id),
    id           UUID        NOT NULL,
    token_hash   TEXT        NOT NULL,
    user_id      UUID        NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    user_agent   TEXT        NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
-- "Log out everywhere" and the cascade from users.
CREATE INDEX sessions_user_idx ON sessions (tenant_id, user_id);

CREATE TABLE api_tokens (
    tenant_id    UUID        NOT NULL REFERENCES tenants (id),
    id           UUID        NOT NULL,
    user_id      UUID        NOT NULL,
    name         TEXT        NOT NULL,
    token_hash   TEXT        NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ NULL,
    expires_at   TIMESTAMPTZ NULL,
    revoked_at   TIMESTAMPTZ NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX api_tokens_user_idx ON api_tokens (tenant_id, user_id);

CREATE TABLE tenant_settings (
    tenant_id  UUID        NOT NULL PRIMARY KEY REFERENCES tenants (id),
    -- Profile, credit rates, bot persona etc.: JSON so new settings need no migration.
    settings   JSONB       NOT NULL DEFAULT '{}',
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE tenant_counters (
    tenant_id UUID    NOT NULL REFERENCES tenants (id),
    -- Per-tenant sequences (e.g. 'car_stock_no'); a global SEQUENCE would leak other tenants' volume.
    name      TEXT    NOT NULL,
    value     BIGINT  NOT NULL,
    PRIMARY KEY (tenant_id, name)
);

CREATE TABLE sales_staff (
    tenant_id  UUID        NOT NULL REFERENCES tenants (id),
    id         UUID        NOT NULL,
    name       TEXT        NOT NULL,
    -- E.164; the bot derives the sender's role from this.
    phone      TEXT        NOT NULL,
    active     BOOLEAN     NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    deleted_at TIMESTAMPTZ NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, phone)
);

CREATE TABLE cars (
    tenant_id      UUID        NOT NULL REFERENCES tenants (id),
    id             UUID        NOT NULL,
    -- Human stock number, from tenant_counters.
    stock_no       BIGINT      NOT NULL,
    slug           TEXT        NOT NULL,
    brand          TEXT        NOT NULL,
    model          TEXT        NOT NULL,
    variant        TEXT        NOT NULL DEFAULT '',
    year           BIGINT      NOT NULL,
    -- Money in whole rupiah. price is the cash price; credit_price is the (often lower) advertised credit price.
    price          BIGINT      NOT NULL CHECK (price >= 0),
    credit_price   BIGINT      NULL CHECK (credit_price >= 0),
    negotiable     BOOLEAN     NOT NULL DEFAULT TRUE,
    -- Sales-only: never in public DTOs or bot answers to customers.
    floor_price    BIGINT      NULL CHECK (floor_price >= 0),
    mileage_km     BIGINT      NOT NULL DEFAULT 0 CHECK (mileage_km >= 0),
    transmission   TEXT        NOT NULL CHECK (transmission IN ('AT', 'MT')),
    fuel           TEXT        NOT NULL CHECK (fuel IN ('bensin', 'diesel', 'hybrid', 'listrik')),
    body_type      TEXT        NOT NULL
                               CHECK (body_type IN ('MPV', 'SUV', 'LCGC', 'sedan', 'hatchback', 'pickup',
                                                    'double_cabin')),
    color          TEXT        NOT NULL DEFAULT '',
    engine_cc      BIGINT      NULL,
    seats          BIGINT      NULL,
    -- Private: public pages show only region and parity, which are stored separately so they can be filtered.
    plate_number   TEXT        NULL,
    plate_region   TEXT        NULL,
    plate_parity   TEXT        NULL CHECK (plate_parity IN ('ganjil', 'genap')),
    -- 'YYYY-MM' (month the annual road tax is paid until).
    tax_paid_until TEXT        NULL,
    stnk           BOOLEAN     NOT NULL DEFAULT TRUE,
    bpkb           BOOLEAN     NOT NULL DEFAULT TRUE,
    first_owner    BOOLEAN     NOT NULL DEFAULT FALSE,
    condition      TEXT        NOT NULL DEFAULT 'used' CHECK (condition IN ('new', 'used')),
    description    TEXT        NOT NULL DEFAULT '',
    -- Staff-only.
    internal_notes TEXT        NOT NULL DEFAULT '',
    status         TEXT        NOT NULL DEFAULT 'draft'
                               CHECK (status IN ('draft', 'available', 'booked', 'sold', 'hidden')),
    featured       BOOLEAN     NOT NULL DEFAULT FALSE,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    published_at   TIMESTAMPTZ NULL,
    sold_at        TIMESTAMPTZ NULL,
    deleted_at     TIMESTAMPTZ NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, stock_no),
    UNIQUE (tenant_id, slug)
);
-- Catalogue filters: status + price range, make/model, year range.
CREATE INDEX cars_status_price_idx ON cars (tenant_id, status, price);
CREATE INDEX cars_brand_model_idx ON cars (tenant_id, brand, model);
CREATE INDEX cars_year_idx ON cars (tenant_id, year);

CREATE TABLE car_specs (
    tenant_id UUID    NOT NULL REFERENCES tenants (id),
    car_id    UUID    NOT NULL,
    key       TEXT    NOT NULL,
    value     TEXT    NOT NULL,
    position  BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, car_id, key),
    FOREIGN KEY (tenant_id, car_id) REFERENCES cars (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE car_photos (
    tenant_id   UUID        NOT NULL REFERENCES tenants (id),
    id          UUID        NOT NULL,
    car_id      UUID        NOT NULL,
    -- Not unique, so photos can be reordered without a deferred constraint; position 0 is the main photo.
    position    BIGINT      NOT NULL,
    storage_key TEXT        NOT NULL,
    width       BIGINT      NOT NULL,
    height      BIGINT      NOT NULL,
    bytes       BIGINT      NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, car_id) REFERENCES cars (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX car_photos_car_position_idx ON car_photos (tenant_id, car_id, position);

CREATE TABLE conversations (
    tenant_id         UUID        NOT NULL REFERENCES tenants (id),
    id                UUID        NOT NULL,
    -- e.g. 'simulator', 'waweb', 'cloud_api'.
    channel           TEXT        NOT NULL,
    -- E.164.
    contact_phone     TEXT        NOT NULL,
    -- WhatsApp may address a sender by LID instead of phone number, so both are kept.
    contact_lid       TEXT        NULL,
    contact_name      TEXT        NOT NULL DEFAULT '',
    contact_role      TEXT        NOT NULL CHECK (contact_role IN ('customer', 'sales')),
    -- Set when the contact is one of the showroom's salespeople.
    sales_staff_id    UUID        NULL,
    assigned_sales_id UUID        NULL,
    -- Bot stays silent until then (human handoff).
    handoff_until     TIMESTAMPTZ NULL,
    -- Admin user who took over the conversation.
    taken_over_by     UUID        NULL,
    last_message_at   TIMESTAMPTZ NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
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
    tenant_id           UUID        NOT NULL REFERENCES tenants (id),
    id                  UUID        NOT NULL,
    conversation_id     UUID        NOT NULL,
    direction           TEXT        NOT NULL CHECK (direction IN ('in', 'out')),
    sender              TEXT        NOT NULL CHECK (sender IN ('customer', 'sales', 'bot', 'admin', 'system')),
    -- Provider id (e.g. wamid); unique per tenant to drop webhook redeliveries. NULL for local messages.
    provider_message_id TEXT        NULL,
    body                TEXT        NOT NULL DEFAULT '',
    media               JSONB       NOT NULL DEFAULT '[]',
    handled_by          TEXT        NULL CHECK (handled_by IN ('command', 'offline', 'llm', 'fallback')),
    intent              TEXT        NULL,
    llm_tokens          BIGINT      NOT NULL DEFAULT 0,
    created_at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, provider_message_id),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX messages_conversation_created_idx ON messages (tenant_id, conversation_id, created_at);

CREATE TABLE leads (
    tenant_id         UUID        NOT NULL REFERENCES tenants (id),
    id                UUID        NOT NULL,
    conversation_id   UUID        NULL,
    phone             TEXT        NOT NULL,
    name              TEXT        NOT NULL DEFAULT '',
    status            TEXT        NOT NULL DEFAULT 'new'
                                  CHECK (status IN ('new', 'contacted', 'qualified', 'converted', 'lost')),
    car_id            UUID        NULL,
    assigned_sales_id UUID        NULL,
    -- Whole rupiah.
    budget            BIGINT      NULL,
    payment_method    TEXT        NULL CHECK (payment_method IN ('cash', 'credit')),
    notes             TEXT        NOT NULL DEFAULT '',
    source            TEXT        NOT NULL DEFAULT 'whatsapp',
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
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
    tenant_id   UUID        NOT NULL REFERENCES tenants (id),
    id          UUID        NOT NULL,
    lead_id     UUID        NOT NULL,
    -- e.g. 'created', 'status', 'note', 'assigned'.
    kind        TEXT        NOT NULL,
    from_status TEXT        NULL,
    to_status   TEXT        NULL,
    note        TEXT        NOT NULL DEFAULT '',
    -- Free text (user name, 'bot', 'system') so history survives user changes.
    actor       TEXT        NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, lead_id) REFERENCES leads (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX lead_events_lead_created_idx ON lead_events (tenant_id, lead_id, created_at);

CREATE TABLE whatsapp_channels (
    tenant_id             UUID        NOT NULL PRIMARY KEY REFERENCES tenants (id),
    kind                  TEXT        NOT NULL DEFAULT 'simulator'
                                      CHECK (kind IN ('simulator', 'waweb', 'cloud_api')),
    status                TEXT        NOT NULL DEFAULT 'stopped'
                                      CHECK (status IN ('stopped', 'connecting', 'awaiting_pairing', 'connected',
                                                        'reconnecting', 'logged_out', 'replaced', 'banned',
                                                        'failed')),
    phone                 TEXT        NULL,
    -- Routing of inbound webhooks uses channel_routes (no RLS); this copy is the tenant's own view.
    cloud_phone_number_id TEXT        NULL,
    -- Encrypted at rest by the app; never plaintext tokens in the DB.
    credentials_encrypted TEXT        NULL,
    status_changed_at     TIMESTAMPTZ NULL,
    last_inbound_at       TIMESTAMPTZ NULL,
    last_outbound_at      TIMESTAMPTZ NULL,
    last_error            TEXT        NULL,
    updated_at            TIMESTAMPTZ NOT NULL
);
-- Not globally unique: that would be a cross-tenant covert channel; global routing is channel_routes' job.
CREATE INDEX whatsapp_channels_cloud_pnid_idx ON whatsapp_channels (tenant_id, cloud_phone_number_id);

CREATE TABLE llm_usage (
    tenant_id         UUID    NOT NULL REFERENCES tenants (id),
    -- 'YYYY-MM-DD', one row per tenant and day for quotas and billing.
    day               TEXT    NOT NULL,
    prompt_tokens     BIGINT  NOT NULL DEFAULT 0,
    completion_tokens BIGINT  NOT NULL DEFAULT 0,
    calls             BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, day)
);

CREATE TABLE bot_memory (
    -- DB fallback for bot session memory when Redis is absent.
    tenant_id     UUID        NOT NULL REFERENCES tenants (id),
    contact_phone TEXT        NOT NULL,
    data          JSONB       NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, contact_phone)
);

-- ---------------------------------------------------------------------------------------------------------
-- Row-level security on every tenant table.
-- FORCE so the owner role is also filtered. NULLIF makes an unset or stale-empty app.tenant_id match nothing
-- (fail closed) instead of raising 22P02.
-- ---------------------------------------------------------------------------------------------------------

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON users
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sessions
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE api_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_tokens
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE tenant_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_settings
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE tenant_counters ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_counters FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_counters
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE sales_staff ENABLE ROW LEVEL SECURITY;
ALTER TABLE sales_staff FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sales_staff
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE cars ENABLE ROW LEVEL SECURITY;
ALTER TABLE cars FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON cars
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE car_specs ENABLE ROW LEVEL SECURITY;
ALTER TABLE car_specs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON car_specs
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE car_photos ENABLE ROW LEVEL SECURITY;
ALTER TABLE car_photos FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON car_photos
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE conversations ENABLE ROW LEVEL SECURITY;
ALTER TABLE conversations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON conversations
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE messages FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON messages
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE leads ENABLE ROW LEVEL SECURITY;
ALTER TABLE leads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON leads
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE lead_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE lead_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON lead_events
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE whatsapp_channels ENABLE ROW LEVEL SECURITY;
ALTER TABLE whatsapp_channels FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON whatsapp_channels
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE llm_usage ENABLE ROW LEVEL SECURITY;
ALTER TABLE llm_usage FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON llm_usage
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE bot_memory ENABLE ROW LEVEL SECURITY;
ALTER TABLE bot_memory FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON bot_memory
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
