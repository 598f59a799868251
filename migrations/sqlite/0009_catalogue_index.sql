-- PostgreSQL's 0009 adds a covering, partial per-tenant index for the public catalogue
-- (cars_catalogue_idx). SQLite's planner keeps choosing the narrower (tenant_id, year),
-- (tenant_id, status, price) and (tenant_id, brand, model) indexes for the same queries even
-- with that index and ANALYZE, and those queries take about 0.1 ms at 200 cars a showroom,
-- so here the version is kept in step (the two trees have the same file names) without
-- an index that would only cost writes.
SELECT 1;
