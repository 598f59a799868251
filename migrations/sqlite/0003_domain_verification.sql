-- Self-service custom domains (issue #12, part 3). A showroom owner adds a domain; it
-- stays unverified (and does not route) until its DNS records check out. Verified
-- domains are re-checked once a day; a failing one is flagged, and keeps routing.
--   token          - the value the TXT record `_garasi.<domain>` must hold; NULL for a
--                    domain root vouched for without DNS (those are not re-checked).
--   check_status   - 'pending' (never verified), 'ok', or 'failing' (the last re-check failed).
--   last_error     - the last failed check's message, in Indonesian, as the owner sees it.
--   checked_at     - when DNS was last checked.
--   next_check_at  - when the daily re-check is due; claimed by moving it forward, so one
--                    instance checks each domain.
ALTER TABLE tenant_domains ADD COLUMN token TEXT NULL;
ALTER TABLE tenant_domains ADD COLUMN check_status TEXT NOT NULL DEFAULT 'ok'
    CHECK (check_status IN ('pending', 'ok', 'failing'));
ALTER TABLE tenant_domains ADD COLUMN last_error TEXT NULL;
ALTER TABLE tenant_domains ADD COLUMN checked_at TEXT NULL;
ALTER TABLE tenant_domains ADD COLUMN next_check_at TEXT NULL;
CREATE INDEX tenant_domains_next_check_idx ON tenant_domains (next_check_at);
