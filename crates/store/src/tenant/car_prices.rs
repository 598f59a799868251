//! A car's price history (`car_price_changes`): written by `service::cars` in the
//! transaction of the change it records.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use garasi_domain::TenantId;
use garasi_domain::car::{PriceChange, PriceVia};
use sqlx::FromRow;
use uuid::Uuid;

use crate::args::{Arg, Args, bind_args};
use crate::db::Tx;
use crate::error::{StoreError, StoreResult};

/// A price to record: the car, its new and old price, who and how.
#[derive(Debug, Clone)]
pub struct NewPriceChange {
    pub car_id: Uuid,
    pub price: i64,
    pub previous_price: Option<i64>,
    pub actor_kind: &'static str,
    pub actor_id: Option<Uuid>,
    pub actor_name: String,
    pub via: PriceVia,
    pub at: DateTime<Utc>,
}

#[derive(FromRow)]
struct Row {
    id: Uuid,
    car_id: Uuid,
    price: i64,
    previous_price: Option<i64>,
    actor_kind: String,
    actor_id: Option<Uuid>,
    actor_name: String,
    via: String,
    changed_at: DateTime<Utc>,
}

impl Row {
    fn into_change(self) -> StoreResult<PriceChange> {
        let via = PriceVia::parse(&self.via)
            .ok_or_else(|| StoreError::Corrupt { column: "car_price_changes.via", value: self.via.clone() })?;
        Ok(PriceChange {
            id: self.id,
            car_id: self.car_id,
            price: self.price,
            previous_price: self.previous_price,
            actor_kind: self.actor_kind,
            actor_id: self.actor_id,
            actor_name: self.actor_name,
            via,
            at: self.changed_at,
        })
    }
}

const COLUMNS: &str = "id, car_id, price, previous_price, actor_kind, actor_id, actor_name, via, changed_at";

pub struct CarPrices<'a> {
    tx: &'a mut Tx,
    tenant: TenantId,
}

impl<'a> CarPrices<'a> {
    pub(crate) fn new(tx: &'a mut Tx, tenant: TenantId) -> Self {
        CarPrices { tx, tenant }
    }

    pub async fn record(&mut self, c: &NewPriceChange) -> StoreResult<Uuid> {
        let id = Uuid::now_v7();
        const SQL: &str = "INSERT INTO car_price_changes (tenant_id, id, car_id, price, previous_price, actor_kind, \
                           actor_id, actor_name, via, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
        tx_query!(
            self.tx,
            execute,
            SQL,
            self.tenant.0,
            id,
            c.car_id,
            c.price,
            c.previous_price,
            c.actor_kind,
            c.actor_id,
            &c.actor_name,
            c.via.as_str(),
            c.at
        )
        .map_err(StoreError::from_write)?;
        Ok(id)
    }

    /// A car's history, oldest first.
    pub async fn for_car(&mut self, car_id: Uuid) -> StoreResult<Vec<PriceChange>> {
        Ok(self.for_cars(&[car_id]).await?.remove(&car_id).unwrap_or_default())
    }

    /// The histories of several cars (oldest first each), in one query.
    pub async fn for_cars(&mut self, ids: &[Uuid]) -> StoreResult<HashMap<Uuid, Vec<PriceChange>>> {
        let mut out: HashMap<Uuid, Vec<PriceChange>> = HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let mut args = Args::default();
        let tenant = args.push(Arg::Uuid(self.tenant.0));
        let list = ids.iter().map(|id| args.push(Arg::Uuid(*id))).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT {COLUMNS} FROM car_price_changes WHERE tenant_id = {tenant} AND car_id IN ({list}) \
             ORDER BY changed_at, id"
        );
        let rows: Vec<Row> =
            with_tx!(&mut *self.tx, |c| bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), args).fetch_all(c).await)?;
        for row in rows {
            let change = row.into_change()?;
            out.entry(change.car_id).or_default().push(change);
        }
        Ok(out)
    }

    /// The latest change of each of these cars (for the price-drop badge).
    pub async fn latest_for(&mut self, ids: &[Uuid]) -> StoreResult<HashMap<Uuid, PriceChange>> {
        Ok(self
            .for_cars(ids)
            .await?
            .into_iter()
            .filter_map(|(car, mut history)| history.pop().map(|last| (car, last)))
            .collect())
    }
}
