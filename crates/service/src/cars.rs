//! Cars: every change to a car, whoever makes it (dashboard, API, spreadsheet, a
//! salesperson on WhatsApp), goes through here, so the same rules and the same audit
//! trail apply to all of them.

mod import;

pub use import::{ImportReport, ImportRow, RowError, import_rows};

use garasi_domain::car::{Car, CarFields, CarStatus, PriceVia};
use garasi_store::tenant::NewPriceChange;
use garasi_store::{TenantDb, TenantTx};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::{Actor, ServiceError, ServiceResult, Services};

/// The current year in Jakarta, for "a car may be at most next year's model".
pub fn current_year() -> i64 {
    i64::from(garasi_domain::time::current_year())
}

/// How an edit's input relates to the stored car.
#[derive(Debug, Clone, Copy)]
pub enum Edit<'a> {
    /// Only the given fields change; they are laid over the stored car (the API's PUT).
    Patch(&'a Map<String, Value>),
    /// The input is the whole car (the dashboard form): absent fields take their defaults.
    Replace(&'a Map<String, Value>),
}

/// The stored fields with `input` laid over them, validated whole.
fn merged(current: &CarFields, input: &Map<String, Value>) -> ServiceResult<CarFields> {
    let mut m = current.to_json();
    for (k, v) in input {
        m.insert(k.clone(), v.clone());
    }
    Ok(CarFields::from_json(&m, current_year())?)
}

/// Names of the fields whose values differ, for the audit entry.
fn changed_fields(before: &CarFields, after: &CarFields) -> Vec<String> {
    let (a, b) = (before.to_json(), after.to_json());
    b.iter().filter(|(k, v)| a.get(*k) != Some(*v)).map(|(k, _)| k.clone()).collect()
}

/// Adds a car from JSON-shaped input (API body, dashboard form).
pub async fn create(
    services: &Services,
    actor: &Actor,
    via: PriceVia,
    tenant: &TenantDb,
    input: &Map<String, Value>,
) -> ServiceResult<Car> {
    let fields = CarFields::from_json(input, current_year())?;
    let mut tx = tenant.begin_write().await?;
    let car = tx.cars().create(&fields).await?;
    price_changed(&mut tx, services, actor, via, &car, None).await?;
    crate::followups::car_created(services, &mut tx, &car).await?;
    tx.audit(&actor.audit(
        "car.create",
        Some(("car", car.id.to_string())),
        json!({ "stock_no": car.stock_no, "title": car.title() }),
    ))
    .await?;
    tx.commit().await?;
    services.inventory_changed(tenant.tenant_id()).await;
    Ok(car)
}

/// Changes a car's fields; the result is validated whole. Nothing is written (and
/// nothing audited or published) when the values do not change.
pub async fn update(
    services: &Services,
    actor: &Actor,
    via: PriceVia,
    tenant: &TenantDb,
    id: Uuid,
    edit: Edit<'_>,
) -> ServiceResult<Car> {
    let mut tx = tenant.begin_write().await?;
    let current = tx.cars().get(id).await?.ok_or(ServiceError::NotFound)?;
    let fields = match edit {
        Edit::Patch(input) => merged(&current.fields, input)?,
        Edit::Replace(input) => CarFields::from_json(input, current_year())?,
    };
    let changed = changed_fields(&current.fields, &fields);
    if changed.is_empty() {
        tx.commit().await?;
        return Ok(current);
    }
    let change = Change { services, actor, via, tenant, id, action: "car.update" };
    change
        .write(
            tx,
            &current,
            &fields,
            |car| json!({ "stock_no": car.stock_no, "title": car.title(), "fields": changed }),
        )
        .await
}

/// Changes only the status (a salesperson marking a car sold or booked). Returns the
/// car and its status before; the same status again changes nothing.
pub async fn set_status(
    services: &Services,
    actor: &Actor,
    via: PriceVia,
    tenant: &TenantDb,
    id: Uuid,
    status: CarStatus,
) -> ServiceResult<(Car, CarStatus)> {
    let mut tx = tenant.begin_write().await?;
    let current = tx.cars().get(id).await?.ok_or(ServiceError::NotFound)?;
    let before = current.fields.status;
    let fields = merged(&current.fields, &single("status", json!(status.as_str())))?;
    if before == status {
        tx.commit().await?;
        return Ok((current, before));
    }
    let change = Change { services, actor, via, tenant, id, action: "car.status" };
    let car = change
        .write(
            tx,
            &current,
            &fields,
            |car| json!({ "stock_no": car.stock_no, "from": before.as_str(), "to": status.as_str() }),
        )
        .await?;
    Ok((car, before))
}

/// Changes only the cash price, under the same rules as the API (a price the API
/// refuses is refused here too). Returns the car and its price before.
pub async fn set_price(
    services: &Services,
    actor: &Actor,
    via: PriceVia,
    tenant: &TenantDb,
    id: Uuid,
    price: i64,
) -> ServiceResult<(Car, i64)> {
    let mut tx = tenant.begin_write().await?;
    let current = tx.cars().get(id).await?.ok_or(ServiceError::NotFound)?;
    let before = current.fields.price;
    let fields = merged(&current.fields, &single("price", json!(price)))?;
    if before == fields.price {
        tx.commit().await?;
        return Ok((current, before));
    }
    let change = Change { services, actor, via, tenant, id, action: "car.price" };
    let car = change
        .write(tx, &current, &fields, |car| json!({ "stock_no": car.stock_no, "from": before, "to": car.fields.price }))
        .await?;
    Ok((car, before))
}

/// The tail every field change shares: write the new fields, record a new price in the
/// price history, audit them in the same transaction, commit, then tell every instance.
struct Change<'a> {
    services: &'a Services,
    actor: &'a Actor,
    via: PriceVia,
    tenant: &'a TenantDb,
    id: Uuid,
    action: &'static str,
}

impl Change<'_> {
    async fn write(
        self,
        mut tx: TenantTx,
        current: &Car,
        fields: &CarFields,
        details: impl FnOnce(&Car) -> Value,
    ) -> ServiceResult<Car> {
        crate::followups::before_car_change(self.services, &mut tx, self.id, fields).await?;
        let car = tx.cars().update(self.id, fields).await?;
        if car.fields.price != current.fields.price {
            price_changed(&mut tx, self.services, self.actor, self.via, &car, Some(current.fields.price)).await?;
        }
        tx.audit(&self.actor.audit(self.action, Some(("car", self.id.to_string())), details(&car))).await?;
        tx.commit().await?;
        self.services.inventory_changed(self.tenant.tenant_id()).await;
        Ok(car)
    }
}

/// **The one place a car's price change is recorded**, inside the transaction of the
/// change (a car's creation counts, with no price before). Every path that sets a price
/// (`create`, `update`, `set_price`, `set_status` through `Change`, and the spreadsheet
/// import) comes through here, so whatever must follow a new price (the price history
/// today; price-drop alerts) belongs here, once. `car` is the car as just written.
pub(crate) async fn price_changed(
    tx: &mut TenantTx,
    services: &Services,
    actor: &Actor,
    via: PriceVia,
    car: &Car,
    before: Option<i64>,
) -> ServiceResult<()> {
    let actor_name = actor_name(tx, actor).await?;
    let change = NewPriceChange {
        car_id: car.id,
        price: car.fields.price,
        previous_price: before,
        actor_kind: actor.kind(),
        actor_id: actor.id(),
        actor_name,
        via,
        at: services.clock.now(),
    };
    tx.car_prices().record(&change).await?;
    Ok(())
}

/// The name the price history shows for an actor, as it is now.
async fn actor_name(tx: &mut TenantTx, actor: &Actor) -> ServiceResult<String> {
    Ok(match actor {
        Actor::Staff { user_id, .. } => tx.users().get(*user_id).await?.map(|u| u.name).unwrap_or_default(),
        Actor::Sales { sales_id, .. } => tx.sales().get(*sales_id).await?.map(|s| s.name).unwrap_or_default(),
        Actor::Root { .. } => "Admin platform".to_owned(),
        Actor::System => "Garasi".to_owned(),
    })
}

fn single(field: &str, value: Value) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(field.to_owned(), value);
    m
}

/// Deletes a car and its photo rows. Only owners and admins may delete.
pub async fn delete(services: &Services, actor: &Actor, tenant: &TenantDb, id: Uuid) -> ServiceResult<()> {
    if !actor.can_manage() {
        return Err(ServiceError::forbidden("Hanya pemilik atau admin yang dapat menghapus mobil."));
    }
    let mut tx = tenant.begin_write().await?;
    let car = tx.cars().get(id).await?.ok_or(ServiceError::NotFound)?;
    if !tx.cars().delete(id).await? {
        return Err(ServiceError::NotFound);
    }
    tx.audit(&actor.audit(
        "car.delete",
        Some(("car", id.to_string())),
        json!({ "stock_no": car.stock_no, "title": car.title() }),
    ))
    .await?;
    tx.commit().await?;
    services.inventory_changed(tenant.tenant_id()).await;
    Ok(())
}
