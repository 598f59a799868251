-- WhatsApp Web on Garasi's own database (issue #18).
--   wa_device_keys   - the whatsapp-rust device store of a showroom's linked device: one row per stored
--                      item (the device itself, Signal identities, sessions, pre-keys, sender keys, app
--                      state keys and versions, LID maps, ...). `kind` names the item type and (k1, k2, k3)
--                      its key inside that type. `sealed` is the value, always encrypted with the platform
--                      secret key (AES-256-GCM, `v1:<base64>`, bound to the tenant, kind and key). `tag`,
--                      n1 and n2 are the few plain values the store must query by (a LID map's phone number,
--                      a pre-key id, timestamps for expiry); never key material.
--   wa_contact_checks - whether a number is on WhatsApp, as the showroom's channel last answered, kept for
--                      a while so the first message to a new number is checked once (safe first contact).
CREATE TABLE wa_device_keys (
    tenant_id  BLOB        NOT NULL REFERENCES tenants (id),
    kind       TEXT        NOT NULL,
    k1         TEXT        NOT NULL,
    k2         TEXT        NOT NULL DEFAULT '',
    k3         TEXT        NOT NULL DEFAULT '',
    sealed     TEXT        NULL,
    tag        TEXT        NULL,
    n1         INTEGER     NULL,
    n2         INTEGER     NULL,
    updated_at TEXT        NOT NULL,
    PRIMARY KEY (tenant_id, kind, k1, k2, k3)
);
CREATE INDEX wa_device_keys_tag_idx ON wa_device_keys (tenant_id, kind, tag) WHERE tag IS NOT NULL;
CREATE INDEX wa_device_keys_k2_idx ON wa_device_keys (tenant_id, kind, k2);

CREATE TABLE wa_contact_checks (
    tenant_id   BLOB        NOT NULL REFERENCES tenants (id),
    -- E.164
    phone       TEXT        NOT NULL,
    on_whatsapp INTEGER     NOT NULL,
    checked_at  TEXT        NOT NULL,
    PRIMARY KEY (tenant_id, phone)
);
