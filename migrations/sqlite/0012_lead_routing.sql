-- Lead routing and response times (issue #17, point 3) and follow-ups with consent (point 4).
--   sales_staff.on_duty     - "/libur" clears it, "/masuk" sets it; off duty gets no new leads.
--   sales_staff.weight      - leads per turn of the weighted round robin (0: none).
--   sales_staff.work_hours  - JSON `{"days": [{"open","close"} | null; 7]}` (Jakarta, Monday first);
--                             NULL follows the showroom's opening hours (settings `visits`).
--   leads.assigned_at       - when the current salesperson got the lead (the response clock starts).
--   leads.first_response_at - the first contact: a person's reply to the customer or a status change
--                             by a person; reassignment stops once it is set.
--   lead_routing            - the round robin's cursor per showroom, updated in the assignment's
--                             transaction (row lock), so several instances share one rotation.
--   followup_subscriptions  - one row per customer and car: offered, consented, opted out.
--   followup_sends          - the follow-up messages sent: once per subscription and kind.
ALTER TABLE sales_staff ADD COLUMN on_duty INTEGER NOT NULL DEFAULT 1;
ALTER TABLE sales_staff ADD COLUMN weight INTEGER NOT NULL DEFAULT 1 CHECK (weight >= 0);
ALTER TABLE sales_staff ADD COLUMN work_hours TEXT NULL;

ALTER TABLE leads ADD COLUMN assigned_at TEXT NULL;
ALTER TABLE leads ADD COLUMN first_response_at TEXT NULL;
CREATE INDEX leads_waiting_idx ON leads (tenant_id, first_response_at, status);

CREATE TABLE lead_routing (
    tenant_id       BLOB        NOT NULL REFERENCES tenants (id),
    cursor_sales_id BLOB        NULL,
    served          INTEGER      NOT NULL DEFAULT 0,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (tenant_id),
    FOREIGN KEY (tenant_id, cursor_sales_id) REFERENCES sales_staff (tenant_id, id)
);

CREATE TABLE followup_subscriptions (
    tenant_id       BLOB        NOT NULL REFERENCES tenants (id),
    id              BLOB        NOT NULL,
    -- E.164 of the customer.
    phone           TEXT        NOT NULL,
    conversation_id BLOB        NULL,
    car_id          BLOB        NOT NULL,
    model           TEXT        NOT NULL,
    body_type       TEXT        NULL,
    -- Price band: floor(price / 50 000 000), so "similar" means the same band.
    price_band      INTEGER      NOT NULL,
    -- The car's price when the customer asked: a drop is a price below it.
    price           INTEGER      NOT NULL,
    channel         TEXT        NOT NULL,
    offered_at      TEXT NOT NULL,
    consented_at    TEXT NULL,
    opted_out_at    TEXT NULL,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, phone, car_id),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id),
    FOREIGN KEY (tenant_id, car_id) REFERENCES cars (tenant_id, id)
);
CREATE INDEX followup_subscriptions_model_idx ON followup_subscriptions (tenant_id, model);

CREATE TABLE followup_sends (
    tenant_id       BLOB        NOT NULL REFERENCES tenants (id),
    id              BLOB        NOT NULL,
    subscription_id BLOB        NOT NULL,
    kind            TEXT        NOT NULL CHECK (kind IN ('price_drop', 'similar')),
    -- The car the message is about (the subscribed car, or the similar one).
    car_id          BLOB        NOT NULL,
    phone           TEXT        NOT NULL,
    sent_at         TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, subscription_id, kind),
    UNIQUE (tenant_id, phone, car_id),
    FOREIGN KEY (tenant_id, subscription_id) REFERENCES followup_subscriptions (tenant_id, id),
    FOREIGN KEY (tenant_id, car_id) REFERENCES cars (tenant_id, id)
);
CREATE INDEX followup_sends_day_idx ON followup_sends (tenant_id, sent_at);
