//! The sales team: who the bot treats as a salesperson and hands chats to. Only
//! owners and admins change it; removing is a soft delete, and adding the number of a
//! removed salesperson brings that person back.

use garasi_domain::{FieldErrors, PhoneNumber, check};
use garasi_store::tenant::{NewSalesPerson, SalesPerson};
use garasi_store::{StoreError, TenantDb};
use serde_json::json;
use uuid::Uuid;

use crate::{Actor, ServiceError, ServiceResult, Services};

const FORBIDDEN: &str = "Hanya pemilik atau admin showroom yang boleh melakukan ini.";

fn check_name(errors: &mut FieldErrors, name: &str) -> Option<String> {
    let name = name.trim();
    let len = name.chars().count();
    if len < 2 {
        errors.add("name", "Nama sales minimal 2 karakter.");
        None
    } else if len > 80 {
        errors.add("name", "Nama sales maksimal 80 karakter.");
        None
    } else {
        Some(name.to_owned())
    }
}

/// Adds a salesperson by name and WhatsApp number.
pub async fn add(
    _services: &Services,
    actor: &Actor,
    tenant: &TenantDb,
    name: &str,
    phone: &str,
) -> ServiceResult<SalesPerson> {
    if !actor.can_manage() {
        return Err(ServiceError::forbidden(FORBIDDEN));
    }
    let mut errors = FieldErrors::new();
    let name = check_name(&mut errors, name);
    let phone = check(&mut errors, "phone", PhoneNumber::parse(phone));
    let (Some(name), Some(phone)) = (name, phone) else {
        return Err(ServiceError::Validation(errors));
    };
    let mut tx = tenant.begin_write().await?;
    let person = tx.sales().create(&NewSalesPerson { name, phone }).await.map_err(|e| match e {
        StoreError::Conflict(_) => ServiceError::field("phone", "Nomor ini sudah terdaftar sebagai sales."),
        other => other.into(),
    })?;
    tx.audit(&actor.audit(
        "sales.create",
        Some(("sales_staff", person.id.to_string())),
        json!({ "name": person.name, "phone": person.phone }),
    ))
    .await?;
    tx.commit().await?;
    Ok(person)
}

/// Removes a salesperson (soft delete). `NotFound` for unknown ids, ids of other
/// showrooms and salespeople already removed.
pub async fn remove(_services: &Services, actor: &Actor, tenant: &TenantDb, id: Uuid) -> ServiceResult<()> {
    if !actor.can_manage() {
        return Err(ServiceError::forbidden(FORBIDDEN));
    }
    let mut tx = tenant.begin_write().await?;
    if !tx.sales().delete(id).await? {
        return Err(ServiceError::NotFound);
    }
    tx.audit(&actor.audit("sales.delete", Some(("sales_staff", id.to_string())), json!({}))).await?;
    tx.commit().await?;
    Ok(())
}
