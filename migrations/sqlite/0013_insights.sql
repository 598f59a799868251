-- Insights (issue #17, point 6).
--   insight_counts     - per showroom and Jakarta day, additive counters: car page views, WhatsApp-button
--                        clicks and search terms, per source (site, feed, whatsapp). Instances buffer counts
--                        in memory and add them with INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n,
--                        so several instances never overwrite each other.
--   insight_summaries  - the weekly WhatsApp summary sent to the owner: one row per showroom and ISO week,
--                        inserted before sending, so only one instance sends it.
CREATE TABLE insight_counts (
    tenant_id  BLOB   NOT NULL REFERENCES tenants (id),
    -- Jakarta calendar day, YYYY-MM-DD.
    day        TEXT   NOT NULL,
    kind       TEXT   NOT NULL CHECK (kind IN ('view', 'wa_click', 'search')),
    source     TEXT   NOT NULL CHECK (source IN ('site', 'feed', 'whatsapp')),
    -- The car id (view, wa_click) or the normalised search term.
    subject    TEXT   NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, day, kind, source, subject)
);
CREATE INDEX insight_counts_kind_idx ON insight_counts (tenant_id, kind, day);

CREATE TABLE insight_summaries (
    tenant_id BLOB        NOT NULL REFERENCES tenants (id),
    -- ISO week, e.g. 2026-W49.
    week      TEXT        NOT NULL,
    sent_at   TEXT        NOT NULL,
    PRIMARY KEY (tenant_id, week)
);
