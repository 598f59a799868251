//! The showroom's salespeople (`sales_staff`): who the bot treats as sales, and who
//! leads are handed to.

use chrono::{DateTime, Utc};
use garasi_domain::{PhoneNumber, TenantId};
use sqlx::FromRow;
use uuid::Uuid;

use crate::db::Tx;
use crate::error::{StoreError, StoreResult};
use crate::time::now;

/// One salesperson of one tenant. `phone` is E.164.
#[derive(Debug, Clone, FromRow)]
pub struct SalesPerson {
    pub id: Uuid,
    pub name: String,
    pub phone: String,
    pub active: bool,
    /// Off duty ("/libur") gets no new leads; the bot still knows them as sales.
    pub on_duty: bool,
    /// Leads per turn of the weighted round robin; 0 gets none.
    pub weight: i64,
    /// Working hours as JSON ([`garasi_domain::routing::WeekHours`]); `None` follows the
    /// showroom's opening hours.
    pub work_hours: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

pub struct NewSalesPerson {
    pub name: String,
    pub phone: PhoneNumber,
}

/// `SELECT <sales columns> FROM sales_staff s <rest>`: one column list for every query.
macro_rules! select_sales {
    ($rest:literal) => {
        concat!(
            "SELECT s.id, s.name, s.phone, s.active, s.on_duty, s.weight, s.work_hours, s.created_at, s.updated_at, s.deleted_at FROM sales_staff s ",
            $rest
        )
    };
}

pub struct Sales<'a> {
    tx: &'a mut Tx,
    tenant: TenantId,
}

impl<'a> Sales<'a> {
    pub(crate) fn new(tx: &'a mut Tx, tenant: TenantId) -> Self {
        Sales { tx, tenant }
    }

    /// Adds a salesperson. A phone that belonged to a deleted salesperson brings that
    /// row back (same id, so old leads stay linked) with the new name: the
    /// `UNIQUE (tenant_id, phone)` constraint covers deleted rows too. A phone of a
    /// salesperson who is not deleted is a [`StoreError::Conflict`] naming `phone`.
    pub async fn create(&mut self, new: &NewSalesPerson) -> StoreResult<SalesPerson> {
        let at = now();
        const RESTORE: &str = "UPDATE sales_staff SET name = $3, active = $4, deleted_at = NULL, updated_at = $5 \
                               WHERE tenant_id = $1 AND phone = $2 AND deleted_at IS NOT NULL RETURNING id";
        let restored: Option<Uuid> =
            tx_query!(self.tx, scalar_optional, RESTORE, self.tenant.0, new.phone.as_str(), &new.name, true, at)?;
        if let Some(id) = restored {
            return self.get(id).await?.ok_or(StoreError::NotFound);
        }
        let id = Uuid::now_v7();
        const INSERT: &str = "INSERT INTO sales_staff (tenant_id, id, name, phone, active, created_at, updated_at) \
                              VALUES ($1, $2, $3, $4, $5, $6, $6)";
        tx_query!(self.tx, execute, INSERT, self.tenant.0, id, &new.name, new.phone.as_str(), true, at).map_err(
            |e| match StoreError::from_write(e) {
                // The backends name the clash differently; make it say `phone` on both.
                StoreError::Conflict(_) => StoreError::Conflict("sales_staff.phone".into()),
                other => other,
            },
        )?;
        self.get(id).await?.ok_or(StoreError::NotFound)
    }

    /// A salesperson by id, deleted or not (lead histories still name deleted ones).
    pub async fn get(&mut self, id: Uuid) -> StoreResult<Option<SalesPerson>> {
        const SQL: &str = select_sales!("WHERE s.tenant_id = $1 AND s.id = $2");
        Ok(tx_query!(self.tx, fetch_optional, SQL, self.tenant.0, id)?)
    }

    /// The active, not deleted salesperson with this number: the bot uses it to decide
    /// that a sender is sales rather than a customer.
    pub async fn find_active_by_phone(&mut self, phone: &PhoneNumber) -> StoreResult<Option<SalesPerson>> {
        const SQL: &str =
            select_sales!("WHERE s.tenant_id = $1 AND s.phone = $2 AND s.active = $3 AND s.deleted_at IS NULL");
        Ok(tx_query!(self.tx, fetch_optional, SQL, self.tenant.0, phone.as_str(), true)?)
    }

    /// Salespeople that are not deleted, by name (case-insensitive for ASCII), then id.
    /// Alphabetical because the list mostly feeds pickers.
    pub async fn list(&mut self, limit: i64, offset: i64) -> StoreResult<Vec<SalesPerson>> {
        const SQL: &str = select_sales!(
            "WHERE s.tenant_id = $1 AND s.deleted_at IS NULL ORDER BY lower(s.name), s.id LIMIT $2 OFFSET $3"
        );
        Ok(tx_query!(self.tx, fetch_all, SQL, self.tenant.0, limit, offset)?)
    }

    /// How many salespeople are not deleted.
    pub async fn count(&mut self) -> StoreResult<i64> {
        const SQL: &str = "SELECT count(*) FROM sales_staff WHERE tenant_id = $1 AND deleted_at IS NULL";
        Ok(tx_query!(self.tx, scalar_one, SQL, self.tenant.0)?)
    }

    /// Soft delete: the row stays (leads and conversations still point at it), marked
    /// deleted and inactive. Returns whether a salesperson that was not deleted was found.
    pub async fn delete(&mut self, id: Uuid) -> StoreResult<bool> {
        const SQL: &str = "UPDATE sales_staff SET deleted_at = $3, active = $4, updated_at = $3 \
                           WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL";
        let done = tx_query!(self.tx, execute, SQL, self.tenant.0, id, now(), false)?;
        Ok(done > 0)
    }

    /// Puts a salesperson on or off duty. `false` when there is no such salesperson.
    pub async fn set_on_duty(&mut self, id: Uuid, on_duty: bool) -> StoreResult<bool> {
        const SQL: &str = "UPDATE sales_staff SET on_duty = $3, updated_at = $4 \
                           WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL";
        Ok(tx_query!(self.tx, execute, SQL, self.tenant.0, id, on_duty, now())? > 0)
    }

    /// Sets a salesperson's weight and working hours (JSON, `None`: the showroom's hours).
    pub async fn set_routing(&mut self, id: Uuid, weight: i64, work_hours: Option<&str>) -> StoreResult<bool> {
        const SQL: &str = "UPDATE sales_staff SET weight = $3, work_hours = $4, updated_at = $5 \
                           WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL";
        Ok(tx_query!(self.tx, execute, SQL, self.tenant.0, id, weight, work_hours, now())? > 0)
    }

    /// Every active salesperson who is not deleted, by id: the routing's candidates
    /// before their duty, hours and weight are looked at.
    pub async fn routable(&mut self) -> StoreResult<Vec<SalesPerson>> {
        const SQL: &str =
            select_sales!("WHERE s.tenant_id = $1 AND s.active = $2 AND s.deleted_at IS NULL ORDER BY s.id");
        Ok(tx_query!(self.tx, fetch_all, SQL, self.tenant.0, true)?)
    }
}
