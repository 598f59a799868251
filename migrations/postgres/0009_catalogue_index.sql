-- The public catalogue (`Cars::list` with the for-sale statuses, its count, and the menus'
-- `model_counts`): every query names the tenant, the statuses and `deleted_at IS NULL`, and
-- filters or sorts on the columns below. With all of them in one per-tenant index, the
-- count and the menu counts read the index alone (PostgreSQL: index-only scans, measured
-- 0.48 → 0.13 ms and 1.0 → 0.21 ms at 200 cars a showroom, whose rows lie on 200
-- different heap pages once showrooms add cars interleaved), and the list reads only the
-- rows that match. Partial: deleted cars are never shown.
CREATE INDEX cars_catalogue_idx ON cars (tenant_id, status, brand, model, price, year, mileage_km, transmission,
                                         body_type, fuel, plate_parity, featured, created_at, id)
    WHERE deleted_at IS NULL;
