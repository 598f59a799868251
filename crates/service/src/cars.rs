//! Cars: every change to a car, whoever makes it (dashboard, API, spreadsheet, a
//! salesperson on WhatsApp), goes through here, so the same rules and the same audit
//! trail apply to all of them.

use garasi_store::TenantDb;
use serde_json::json;
use uuid::Uuid;

use crate::{Actor, ServiceError, ServiceResult, Services};

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
