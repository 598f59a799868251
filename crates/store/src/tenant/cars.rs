//! Cars, their specs and photos, for one tenant.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use garasi_domain::TenantId;
use garasi_domain::car::{
    BodyType, Car, CarFields, CarFilter, CarPhoto, CarSort, CarStatus, Condition, Fuel, Transmission, Vin, YearMonth,
    model_key,
};
use garasi_domain::slug::Slug;
use sqlx::FromRow;
use uuid::Uuid;

use crate::args::{Arg, Args, bind_args};
use crate::db::Tx;
use crate::error::{StoreError, StoreResult};
use crate::time::now;

/// Binds the stored columns of a car's fields, from `brand` to `featured`, then the
/// change time, the publish and sale dates and the VIN, in the order both the INSERT and the
/// UPDATE list them: one list for both statements.
macro_rules! bind_fields {
    ($query:expr, $f:expr, $at:expr, $published_at:expr, $sold_at:expr) => {{
        let f: &CarFields = $f;
        $query
            .bind(&f.brand)
            .bind(&f.model)
            .bind(&f.variant)
            .bind(f.year)
            .bind(f.price)
            .bind(f.credit_price)
            .bind(f.negotiable)
            .bind(f.floor_price)
            .bind(f.mileage_km)
            .bind(f.transmission.as_str())
            .bind(f.fuel.as_str())
            .bind(f.body_type.as_str())
            .bind(&f.color)
            .bind(f.engine_cc)
            .bind(f.seats)
            .bind(&f.plate_number)
            .bind(f.plate_region())
            .bind(f.plate_parity().map(|p| p.as_str()))
            .bind(f.tax_paid_until.map(|t| t.to_string()))
            .bind(f.stnk)
            .bind(f.bpkb)
            .bind(f.first_owner)
            .bind(f.condition.as_str())
            .bind(&f.description)
            .bind(&f.internal_notes)
            .bind(f.status.as_str())
            .bind(f.featured)
            .bind($at)
            .bind($published_at)
            .bind($sold_at)
            .bind(f.vin.as_ref().map(|v| v.as_str()))
    }};
}

#[derive(FromRow)]
struct CarRow {
    id: Uuid,
    stock_no: i64,
    slug: String,
    brand: String,
    model: String,
    variant: String,
    year: i64,
    price: i64,
    credit_price: Option<i64>,
    negotiable: bool,
    floor_price: Option<i64>,
    mileage_km: i64,
    transmission: String,
    fuel: String,
    body_type: String,
    color: String,
    engine_cc: Option<i64>,
    seats: Option<i64>,
    plate_number: Option<String>,
    vin: Option<String>,
    tax_paid_until: Option<String>,
    stnk: bool,
    bpkb: bool,
    first_owner: bool,
    condition: String,
    description: String,
    internal_notes: String,
    status: String,
    featured: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    published_at: Option<DateTime<Utc>>,
    sold_at: Option<DateTime<Utc>>,
}

/// A car row with the number of rows its query matched (`count(*) OVER ()`).
#[derive(FromRow)]
struct CountedCarRow {
    #[sqlx(flatten)]
    car: CarRow,
    total: i64,
}

const CAR_COLUMNS: &str = "c.id, c.stock_no, c.slug, c.brand, c.model, c.variant, c.year, c.price, c.credit_price, \
     c.negotiable, c.floor_price, c.mileage_km, c.transmission, c.fuel, c.body_type, c.color, c.engine_cc, c.seats, \
     c.plate_number, c.tax_paid_until, c.stnk, c.bpkb, c.first_owner, c.condition, c.description, c.internal_notes, \
     c.status, c.featured, c.created_at, c.updated_at, c.published_at, c.sold_at, c.vin";

fn corrupt(column: &'static str, value: &str) -> StoreError {
    StoreError::Corrupt { column, value: value.to_owned() }
}

impl CarRow {
    fn into_car(self, specs: BTreeMap<String, String>, photos: Vec<CarPhoto>) -> StoreResult<Car> {
        let fields = CarFields {
            transmission: self
                .transmission
                .parse::<Transmission>()
                .map_err(|_| corrupt("cars.transmission", &self.transmission))?,
            fuel: self.fuel.parse::<Fuel>().map_err(|_| corrupt("cars.fuel", &self.fuel))?,
            body_type: self.body_type.parse::<BodyType>().map_err(|_| corrupt("cars.body_type", &self.body_type))?,
            condition: self.condition.parse::<Condition>().map_err(|_| corrupt("cars.condition", &self.condition))?,
            status: self.status.parse::<CarStatus>().map_err(|_| corrupt("cars.status", &self.status))?,
            vin: match &self.vin {
                Some(v) => Some(Vin::parse(v).map_err(|_| corrupt("cars.vin", v))?),
                None => None,
            },
            tax_paid_until: match &self.tax_paid_until {
                Some(t) => Some(YearMonth::parse(t).map_err(|_| corrupt("cars.tax_paid_until", t))?),
                None => None,
            },
            brand: self.brand,
            model: self.model,
            variant: self.variant,
            year: self.year,
            price: self.price,
            credit_price: self.credit_price,
            negotiable: self.negotiable,
            floor_price: self.floor_price,
            mileage_km: self.mileage_km,
            color: self.color,
            engine_cc: self.engine_cc,
            seats: self.seats,
            plate_number: self.plate_number,
            stnk: self.stnk,
            bpkb: self.bpkb,
            first_owner: self.first_owner,
            description: self.description,
            internal_notes: self.internal_notes,
            featured: self.featured,
            specs,
        };
        Ok(Car {
            id: self.id,
            stock_no: self.stock_no,
            slug: self.slug,
            fields,
            photos,
            created_at: self.created_at,
            updated_at: self.updated_at,
            published_at: self.published_at,
            sold_at: self.sold_at,
        })
    }
}

/// A photo row as the photo pipeline writes it.
pub struct NewPhoto {
    pub id: Uuid,
    pub storage_key: String,
    pub width: i64,
    pub height: i64,
    pub bytes: i64,
}

/// Aggregates for dashboards and the sales bot's `/stok`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StockCounts {
    pub by_status: BTreeMap<String, i64>,
}

pub struct Cars<'a> {
    tx: &'a mut Tx,
    tenant: TenantId,
}

impl<'a> Cars<'a> {
    pub(crate) fn new(tx: &'a mut Tx, tenant: TenantId) -> Self {
        Cars { tx, tenant }
    }

    /// Draws the next stock number from the tenant's counter; the row lock of the
    /// upsert serialises concurrent creations.
    async fn next_stock_no(&mut self) -> StoreResult<i64> {
        const SQL: &str = "INSERT INTO tenant_counters (tenant_id, name, value) VALUES ($1, 'car_stock_no', 1) \
                           ON CONFLICT (tenant_id, name) DO UPDATE SET value = tenant_counters.value + 1 \
                           RETURNING value";
        Ok(tx_query!(self.tx, scalar_one, SQL, self.tenant.0)?)
    }

    pub async fn create(&mut self, f: &CarFields) -> StoreResult<Car> {
        let id = Uuid::now_v7();
        let at = now();
        let stock_no = self.next_stock_no().await?;
        let mut slug = Slug::slugify(&f.title());
        if slug.is_empty() {
            slug = "mobil".into();
        }
        let slug = format!("{slug}-{stock_no}");
        let published_at = f.status.is_public().then_some(at);
        let sold_at = (f.status == CarStatus::Sold).then_some(at);
        const SQL: &str = "INSERT INTO cars (tenant_id, id, stock_no, slug, brand, model, variant, year, price, \
             credit_price, negotiable, floor_price, mileage_km, transmission, fuel, body_type, color, engine_cc, seats, \
             plate_number, plate_region, plate_parity, tax_paid_until, stnk, bpkb, first_owner, condition, description, \
             internal_notes, status, featured, created_at, updated_at, published_at, sold_at, vin) VALUES ($1, $2, $3, \
             $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, \
             $26, $27, $28, $29, $30, $31, $32, $32, $33, $34, $35)";
        with_tx!(self.tx, |c| {
            let head = sqlx::query(SQL).bind(self.tenant.0).bind(id).bind(stock_no).bind(&slug);
            bind_fields!(head, f, at, published_at, sold_at).execute(c).await.map(|r| r.rows_affected())
        })
        .map_err(StoreError::from_write)?;
        self.write_specs(id, &f.specs).await?;
        self.get(id).await?.ok_or(StoreError::NotFound)
    }

    /// Replaces every field. Publishing and selling stamp their dates once.
    pub async fn update(&mut self, id: Uuid, f: &CarFields) -> StoreResult<Car> {
        let current = self.get(id).await?.ok_or(StoreError::NotFound)?;
        let at = now();
        let published_at = current.published_at.or(f.status.is_public().then_some(at));
        let sold_at = match f.status {
            CarStatus::Sold => current.sold_at.or(Some(at)),
            _ => None,
        };
        const SQL: &str = "UPDATE cars SET brand = $3, model = $4, variant = $5, year = $6, price = $7, \
             credit_price = $8, negotiable = $9, floor_price = $10, mileage_km = $11, transmission = $12, fuel = $13, \
             body_type = $14, color = $15, engine_cc = $16, seats = $17, plate_number = $18, plate_region = $19, \
             plate_parity = $20, tax_paid_until = $21, stnk = $22, bpkb = $23, first_owner = $24, condition = $25, \
             description = $26, internal_notes = $27, status = $28, featured = $29, updated_at = $30, \
             published_at = $31, sold_at = $32, vin = $33 WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL";
        let n = with_tx!(self.tx, |c| {
            let head = sqlx::query(SQL).bind(self.tenant.0).bind(id);
            bind_fields!(head, f, at, published_at, sold_at).execute(c).await.map(|r| r.rows_affected())
        })
        .map_err(StoreError::from_write)?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        self.write_specs(id, &f.specs).await?;
        self.get(id).await?.ok_or(StoreError::NotFound)
    }

    /// Changes only the status (sales marking a car sold or booked).
    pub async fn set_status(&mut self, id: Uuid, status: CarStatus) -> StoreResult<Car> {
        let mut car = self.get(id).await?.ok_or(StoreError::NotFound)?;
        car.fields.status = status;
        self.update(id, &car.fields).await
    }

    /// Soft delete: the row stays for leads and history, but no query returns it.
    pub async fn delete(&mut self, id: Uuid) -> StoreResult<bool> {
        const SQL: &str = "UPDATE cars SET deleted_at = $3, updated_at = $3 \
                           WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL";
        let n = tx_query!(self.tx, execute, SQL, self.tenant.0, id, now())?;
        Ok(n > 0)
    }

    async fn write_specs(&mut self, car_id: Uuid, specs: &BTreeMap<String, String>) -> StoreResult<()> {
        const DELETE: &str = "DELETE FROM car_specs WHERE tenant_id = $1 AND car_id = $2";
        tx_query!(self.tx, execute, DELETE, self.tenant.0, car_id)?;
        const INSERT: &str =
            "INSERT INTO car_specs (tenant_id, car_id, key, value, position) VALUES ($1, $2, $3, $4, $5)";
        for (position, (key, value)) in specs.iter().enumerate() {
            tx_query!(self.tx, execute, INSERT, self.tenant.0, car_id, key, value, position as i64)?;
        }
        Ok(())
    }

    pub async fn get(&mut self, id: Uuid) -> StoreResult<Option<Car>> {
        self.one("c.id = $2", Arg::Uuid(id)).await
    }

    pub async fn by_stock_no(&mut self, stock_no: i64) -> StoreResult<Option<Car>> {
        self.one("c.stock_no = $2", Arg::I64(stock_no)).await
    }

    pub async fn by_slug(&mut self, slug: &str) -> StoreResult<Option<Car>> {
        self.one("c.slug = $2", Arg::Text(slug.to_owned())).await
    }

    async fn one(&mut self, condition: &str, arg: Arg) -> StoreResult<Option<Car>> {
        let mut args = Args::default();
        args.push(Arg::Uuid(self.tenant.0));
        args.push(arg);
        let sql =
            format!("SELECT {CAR_COLUMNS} FROM cars c WHERE c.tenant_id = $1 AND c.deleted_at IS NULL AND {condition}");
        let rows: Vec<CarRow> =
            with_tx!(&mut *self.tx, |c| bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), args).fetch_all(c).await)?;
        Ok(self.assemble(rows).await?.into_iter().next())
    }

    /// One page of cars matching `filter`, and how many match in all. The count rides
    /// along with the page (`count(*) OVER ()`, computed before LIMIT): one query, one
    /// pass over the matching rows, instead of a second query. Only a page past the end,
    /// which has no row to carry it, asks for the count by itself.
    pub async fn list(
        &mut self,
        filter: &CarFilter,
        sort: CarSort,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<Car>, i64)> {
        let mut args = Args::default();
        let where_sql = self.where_clause(filter, &mut args);
        let order = match sort {
            CarSort::Newest => "c.featured DESC, c.created_at DESC, c.id DESC",
            CarSort::PriceAsc => "c.price ASC, c.id DESC",
            CarSort::PriceDesc => "c.price DESC, c.id DESC",
            CarSort::YearDesc => "c.year DESC, c.id DESC",
            CarSort::YearAsc => "c.year ASC, c.id DESC",
            CarSort::MileageAsc => "c.mileage_km ASC, c.id DESC",
        };
        let count_args = args.clone();
        let limit_ph = args.push(Arg::I64(limit));
        let offset_ph = args.push(Arg::I64(offset));
        let sql = format!(
            "SELECT {CAR_COLUMNS}, count(*) OVER () AS total FROM cars c WHERE {where_sql} ORDER BY {order} \
             LIMIT {limit_ph} OFFSET {offset_ph}"
        );
        let rows: Vec<CountedCarRow> =
            with_tx!(&mut *self.tx, |c| bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), args).fetch_all(c).await)?;
        let total = match rows.first() {
            Some(r) => r.total,
            None if offset <= 0 => 0,
            None => {
                let count_sql = format!("SELECT count(*) FROM cars c WHERE {where_sql}");
                with_tx!(&mut *self.tx, |c| bind_args!(sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql)), count_args)
                    .fetch_one(c)
                    .await)?
            }
        };
        let rows = rows.into_iter().map(|r| r.car).collect();
        Ok((self.assemble(rows).await?, total))
    }

    fn where_clause(&self, f: &CarFilter, args: &mut Args) -> String {
        let tenant = args.push(Arg::Uuid(self.tenant.0));
        let mut parts = vec![format!("c.tenant_id = {tenant}"), "c.deleted_at IS NULL".to_owned()];
        if let Some(brand) = &f.brand {
            parts.push(format!("lower(c.brand) = {}", args.push(Arg::Text(brand.trim().to_lowercase()))));
        }
        if !f.models.is_empty() {
            let phs: Vec<String> = f.models.iter().map(|m| args.push(Arg::Text(model_key(m)))).collect();
            // Same normalisation as `model_key`, for the usual spellings.
            parts.push(format!(
                "replace(replace(replace(lower(c.model), '-', ''), ' ', ''), '.', '') IN ({})",
                phs.join(", ")
            ));
        }
        let mut range = |column: &str, op: &str, v: Option<i64>| {
            if let Some(v) = v {
                parts.push(format!("{column} {op} {}", args.push(Arg::I64(v))));
            }
        };
        range("c.price", ">=", f.price_min);
        range("c.price", "<=", f.price_max);
        range("c.year", ">=", f.year_min);
        range("c.year", "<=", f.year_max);
        range("c.mileage_km", "<=", f.mileage_max);
        range("c.stock_no", "=", f.stock_no);
        let mut word = |column: &str, v: Option<&str>| {
            if let Some(v) = v {
                parts.push(format!("{column} = {}", args.push(Arg::Text(v.to_owned()))));
            }
        };
        word("c.transmission", f.transmission.map(|t| t.as_str()));
        word("c.fuel", f.fuel.map(|t| t.as_str()));
        word("c.body_type", f.body_type.map(|t| t.as_str()));
        word("c.plate_parity", f.plate_parity.map(|t| t.as_str()));
        if let Some(seats) = f.seats_min {
            let ph = args.push(Arg::I64(seats));
            parts.push(format!("(c.seats >= {ph} OR (c.seats IS NULL AND c.body_type = 'MPV'))"));
        }
        if let Some(cc) = f.engine_cc_max {
            parts.push(format!("c.engine_cc <= {}", args.push(Arg::I64(cc))));
        }
        let mut not_in = |column: &str, values: Vec<String>| {
            if !values.is_empty() {
                let phs: Vec<String> = values.into_iter().map(|v| args.push(Arg::Text(v))).collect();
                parts.push(format!("{column} NOT IN ({})", phs.join(", ")));
            }
        };
        not_in("lower(c.brand)", f.exclude_brands.iter().map(|b| b.trim().to_lowercase()).collect());
        not_in(
            "replace(replace(replace(lower(c.model), '-', ''), ' ', ''), '.', '')",
            f.exclude_models.iter().map(|m| model_key(m)).collect(),
        );
        not_in("c.transmission", f.exclude_transmissions.iter().map(|t| t.as_str().to_owned()).collect());
        not_in("c.fuel", f.exclude_fuels.iter().map(|t| t.as_str().to_owned()).collect());
        not_in("c.body_type", f.exclude_body_types.iter().map(|t| t.as_str().to_owned()).collect());
        for colour in &f.exclude_colors {
            let pattern =
                format!("%{}%", colour.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
            parts.push(format!("lower(c.color) NOT LIKE {} ESCAPE '\\'", args.push(Arg::Text(pattern))));
        }
        if !f.statuses.is_empty() {
            let phs: Vec<String> = f.statuses.iter().map(|s| args.push(Arg::Text(s.as_str().to_owned()))).collect();
            parts.push(format!("c.status IN ({})", phs.join(", ")));
        }
        if let Some(featured) = f.featured {
            parts.push(if featured { "c.featured = TRUE" } else { "c.featured = FALSE" }.to_owned());
        }
        if let Some(text) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let pattern =
                format!("%{}%", text.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
            parts.push(format!(
                "lower(c.brand || ' ' || c.model || ' ' || c.variant) LIKE {} ESCAPE '\\'",
                args.push(Arg::Text(pattern))
            ));
        }
        parts.join(" AND ")
    }

    /// Loads specs and photos for rows in two queries, not one per car.
    async fn assemble(&mut self, rows: Vec<CarRow>) -> StoreResult<Vec<Car>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let mut specs = self.specs_for(&ids).await?;
        let mut photos = self.photos_for(&ids).await?;
        rows.into_iter()
            .map(|r| {
                let id = r.id;
                r.into_car(specs.remove(&id).unwrap_or_default(), photos.remove(&id).unwrap_or_default())
            })
            .collect()
    }

    fn in_list(&self, ids: &[Uuid], args: &mut Args) -> String {
        ids.iter().map(|id| args.push(Arg::Uuid(*id))).collect::<Vec<_>>().join(", ")
    }

    async fn specs_for(&mut self, ids: &[Uuid]) -> StoreResult<HashMap<Uuid, BTreeMap<String, String>>> {
        let mut args = Args::default();
        let tenant = args.push(Arg::Uuid(self.tenant.0));
        let list = self.in_list(ids, &mut args);
        let sql = format!(
            "SELECT car_id, key, value FROM car_specs WHERE tenant_id = {tenant} AND car_id IN ({list}) \
             ORDER BY position"
        );
        let rows: Vec<(Uuid, String, String)> =
            with_tx!(&mut *self.tx, |c| bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), args).fetch_all(c).await)?;
        let mut out: HashMap<Uuid, BTreeMap<String, String>> = HashMap::new();
        for (car, k, v) in rows {
            out.entry(car).or_default().insert(k, v);
        }
        Ok(out)
    }

    async fn photos_for(&mut self, ids: &[Uuid]) -> StoreResult<HashMap<Uuid, Vec<CarPhoto>>> {
        let mut args = Args::default();
        let tenant = args.push(Arg::Uuid(self.tenant.0));
        let list = self.in_list(ids, &mut args);
        let sql = format!(
            "SELECT car_id, id, position, width, height FROM car_photos WHERE tenant_id = {tenant} \
             AND car_id IN ({list}) ORDER BY position, id"
        );
        let rows: Vec<(Uuid, Uuid, i64, i64, i64)> =
            with_tx!(&mut *self.tx, |c| bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), args).fetch_all(c).await)?;
        let mut out: HashMap<Uuid, Vec<CarPhoto>> = HashMap::new();
        for (car, id, position, width, height) in rows {
            out.entry(car).or_default().push(CarPhoto { id, position, width, height });
        }
        Ok(out)
    }

    /// Adds a photo after the existing ones. The files must already be stored.
    pub async fn add_photo(&mut self, car_id: Uuid, photo: &NewPhoto) -> StoreResult<CarPhoto> {
        const NEXT: &str =
            "SELECT COALESCE(MAX(position), -1) + 1 FROM car_photos WHERE tenant_id = $1 AND car_id = $2";
        let position: i64 = tx_query!(self.tx, scalar_one, NEXT, self.tenant.0, car_id)?;
        const SQL: &str = "INSERT INTO car_photos (tenant_id, id, car_id, position, storage_key, width, height, bytes, \
                           created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
        tx_query!(
            self.tx,
            execute,
            SQL,
            self.tenant.0,
            photo.id,
            car_id,
            position,
            &photo.storage_key,
            photo.width,
            photo.height,
            photo.bytes,
            now()
        )
        .map_err(StoreError::from_write)?;
        self.touch(car_id).await?;
        Ok(CarPhoto { id: photo.id, position, width: photo.width, height: photo.height })
    }

    /// The storage key of one photo of one car, if both belong to this tenant.
    pub async fn photo_storage_key(&mut self, car_id: Uuid, photo_id: Uuid) -> StoreResult<Option<String>> {
        const SQL: &str = "SELECT storage_key FROM car_photos WHERE tenant_id = $1 AND car_id = $2 AND id = $3";
        Ok(tx_query!(self.tx, scalar_optional, SQL, self.tenant.0, car_id, photo_id)?)
    }

    /// Sets the order of a car's photos. `order` must name each photo exactly once.
    pub async fn reorder_photos(&mut self, car_id: Uuid, order: &[Uuid]) -> StoreResult<bool> {
        let current = self.photos_for(&[car_id]).await?.remove(&car_id).unwrap_or_default();
        let mut want: Vec<Uuid> = order.to_vec();
        let mut have: Vec<Uuid> = current.iter().map(|p| p.id).collect();
        want.sort();
        have.sort();
        if want != have {
            return Ok(false);
        }
        const SQL: &str = "UPDATE car_photos SET position = $4 WHERE tenant_id = $1 AND car_id = $2 AND id = $3";
        for (position, id) in order.iter().enumerate() {
            tx_query!(self.tx, execute, SQL, self.tenant.0, car_id, *id, position as i64)?;
        }
        self.touch(car_id).await?;
        Ok(true)
    }

    /// Removes a photo row and returns its storage key, for the caller to delete the files.
    pub async fn delete_photo(&mut self, car_id: Uuid, photo_id: Uuid) -> StoreResult<Option<String>> {
        let Some(key) = self.photo_storage_key(car_id, photo_id).await? else { return Ok(None) };
        const SQL: &str = "DELETE FROM car_photos WHERE tenant_id = $1 AND car_id = $2 AND id = $3";
        tx_query!(self.tx, execute, SQL, self.tenant.0, car_id, photo_id)?;
        self.touch(car_id).await?;
        Ok(Some(key))
    }

    /// Bumps `updated_at`, which feeds the sitemap's lastmod and page caches.
    async fn touch(&mut self, car_id: Uuid) -> StoreResult<()> {
        const SQL: &str = "UPDATE cars SET updated_at = $3 WHERE tenant_id = $1 AND id = $2";
        tx_query!(self.tx, execute, SQL, self.tenant.0, car_id, now())?;
        Ok(())
    }

    pub async fn counts(&mut self) -> StoreResult<StockCounts> {
        const SQL: &str =
            "SELECT status, count(*) FROM cars WHERE tenant_id = $1 AND deleted_at IS NULL GROUP BY status";
        let rows: Vec<(String, i64)> = tx_query!(self.tx, fetch_all, SQL, self.tenant.0)?;
        Ok(StockCounts { by_status: rows.into_iter().collect() })
    }

    /// Distinct brands of cars on offer, for filter menus.
    pub async fn brands(&mut self, statuses: &[CarStatus]) -> StoreResult<Vec<String>> {
        let mut args = Args::default();
        let tenant = args.push(Arg::Uuid(self.tenant.0));
        let phs: Vec<String> = statuses.iter().map(|s| args.push(Arg::Text(s.as_str().to_owned()))).collect();
        let status_sql = if phs.is_empty() { String::new() } else { format!(" AND status IN ({})", phs.join(", ")) };
        let sql = format!(
            "SELECT DISTINCT brand FROM cars WHERE tenant_id = {tenant} AND deleted_at IS NULL{status_sql} ORDER BY brand"
        );
        Ok(with_tx!(&mut *self.tx, |c| bind_args!(sqlx::query_scalar(sqlx::AssertSqlSafe(sql)), args)
            .fetch_all(c)
            .await)?)
    }
}

// ----------------------------------------------------------------------------------------
// Queries of the public site and the dashboards (menus, sitemap, similar cars, charts).
// ----------------------------------------------------------------------------------------

impl Cars<'_> {
    /// `status IN (…)` for a status list (nothing when empty), with its placeholders.
    fn status_sql(statuses: &[CarStatus], args: &mut Args) -> String {
        let phs: Vec<String> = statuses.iter().map(|s| args.push(Arg::Text(s.as_str().to_owned()))).collect();
        if phs.is_empty() { String::new() } else { format!(" AND status IN ({})", phs.join(", ")) }
    }

    /// Cars per body type (`mpv`, `suv`, …) among these statuses, most first.
    pub async fn body_type_counts(&mut self, statuses: &[CarStatus]) -> StoreResult<Vec<(String, i64)>> {
        let mut args = Args::default();
        let tenant = args.push(Arg::Uuid(self.tenant.0));
        let status_sql = Self::status_sql(statuses, &mut args);
        let sql = format!(
            "SELECT body_type, count(*) AS n FROM cars WHERE tenant_id = {tenant} AND deleted_at IS NULL{status_sql} \
             GROUP BY body_type ORDER BY n DESC, body_type"
        );
        Ok(with_tx!(&mut *self.tx, |c| bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), args).fetch_all(c).await)?)
    }

    /// Cars per (brand, model) among these statuses, by brand then model.
    pub async fn model_counts(&mut self, statuses: &[CarStatus]) -> StoreResult<Vec<(String, String, i64)>> {
        let mut args = Args::default();
        let tenant = args.push(Arg::Uuid(self.tenant.0));
        let status_sql = Self::status_sql(statuses, &mut args);
        let sql = format!(
            "SELECT brand, model, count(*) FROM cars WHERE tenant_id = {tenant} AND deleted_at IS NULL{status_sql} \
             GROUP BY brand, model ORDER BY brand, model"
        );
        Ok(with_tx!(&mut *self.tx, |c| bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), args).fetch_all(c).await)?)
    }

    /// Slugs and last changes of the public cars (available, booked or sold: every car
    /// with a page), newest first: the sitemap. Drafts and hidden cars are not listed.
    pub async fn public_slugs(&mut self, limit: i64) -> StoreResult<Vec<(String, DateTime<Utc>)>> {
        const SQL: &str = "SELECT slug, updated_at FROM cars WHERE tenant_id = $1 AND deleted_at IS NULL \
                           AND status IN ('available', 'booked', 'sold') ORDER BY updated_at DESC, id DESC LIMIT $2";
        Ok(tx_query!(self.tx, fetch_all, SQL, self.tenant.0, limit)?)
    }

    /// Other cars on offer like `car` ("Mobil serupa"): the same brand and model first, then
    /// the same body type within a quarter of its price either way; closest price first.
    /// Never the car itself, never a draft, hidden or sold car.
    pub async fn similar(&mut self, car: &Car, limit: i64) -> StoreResult<Vec<Car>> {
        let f = &car.fields;
        let mut args = Args::default();
        let tenant = args.push(Arg::Uuid(self.tenant.0));
        let id = args.push(Arg::Uuid(car.id));
        let brand = args.push(Arg::Text(f.brand.trim().to_lowercase()));
        let model = args.push(Arg::Text(model_key(&f.model)));
        let body = args.push(Arg::Text(f.body_type.as_str().to_owned()));
        let low = args.push(Arg::I64(f.price - f.price / 4));
        let high = args.push(Arg::I64(f.price + f.price / 4));
        let price = args.push(Arg::I64(f.price));
        let limit = args.push(Arg::I64(limit));
        let same_model = format!(
            "(lower(c.brand) = {brand} AND replace(replace(replace(lower(c.model), '-', ''), ' ', ''), '.', '') = {model})"
        );
        let sql = format!(
            "SELECT {CAR_COLUMNS} FROM cars c WHERE c.tenant_id = {tenant} AND c.deleted_at IS NULL \
             AND c.status IN ('available', 'booked') AND c.id <> {id} \
             AND ({same_model} OR (c.body_type = {body} AND c.price BETWEEN {low} AND {high})) \
             ORDER BY CASE WHEN {same_model} THEN 0 ELSE 1 END, abs(c.price - {price}), c.id DESC \
             LIMIT {limit}"
        );
        let rows: Vec<CarRow> =
            with_tx!(&mut *self.tx, |c| bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), args).fetch_all(c).await)?;
        self.assemble(rows).await
    }
}
