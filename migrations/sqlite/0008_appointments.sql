-- Visits and test drives (issue #15, section 4) and the hand-off pause (section 5).
--   appointments      - a customer's visit or test drive: when (starts_at, UTC), for which lead, car and
--                       salesperson, its status. Reminders are jobs in the `appointment_reminder` queue.
--   wa_sent_messages  - provider ids of the WhatsApp messages Garasi sent from a showroom's number, so a
--                       message from that number which Garasi did not send is known to be a person's reply.
CREATE TABLE appointments (
    tenant_id       BLOB        NOT NULL REFERENCES tenants (id),
    id              BLOB        NOT NULL,
    lead_id         BLOB        NULL,
    conversation_id BLOB        NULL,
    car_id          BLOB        NULL,
    sales_id        BLOB        NULL,
    -- E.164 of the customer.
    phone           TEXT        NOT NULL,
    name            TEXT        NOT NULL DEFAULT '',
    kind            TEXT        NOT NULL CHECK (kind IN ('visit', 'test_drive')),
    status          TEXT        NOT NULL DEFAULT 'scheduled'
                                CHECK (status IN ('scheduled', 'came', 'no_show', 'cancelled')),
    starts_at       TEXT        NOT NULL,
    note            TEXT        NOT NULL DEFAULT '',
    -- Free text ('bot', a user's name), like lead_events.actor.
    created_by      TEXT        NOT NULL DEFAULT '',
    created_at      TEXT        NOT NULL,
    updated_at      TEXT        NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, lead_id) REFERENCES leads (tenant_id, id),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id),
    FOREIGN KEY (tenant_id, car_id) REFERENCES cars (tenant_id, id),
    FOREIGN KEY (tenant_id, sales_id) REFERENCES sales_staff (tenant_id, id)
);
CREATE INDEX appointments_starts_idx ON appointments (tenant_id, starts_at);
CREATE INDEX appointments_phone_idx ON appointments (tenant_id, phone, status);
CREATE INDEX appointments_lead_idx ON appointments (tenant_id, lead_id);

CREATE TABLE wa_sent_messages (
    tenant_id           BLOB        NOT NULL REFERENCES tenants (id),
    provider_message_id TEXT        NOT NULL,
    sent_at             TEXT        NOT NULL,
    PRIMARY KEY (tenant_id, provider_message_id)
);
CREATE INDEX wa_sent_messages_sent_idx ON wa_sent_messages (tenant_id, sent_at);

