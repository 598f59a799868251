//! Applying a spreadsheet's rows: a row with a known `stock_no` updates that car,
//! a row without one creates a car. Every row is checked first; the valid ones are
//! written together, with one audit entry, in one transaction.

use garasi_domain::FieldErrors;
use garasi_domain::car::{CarFields, PriceVia};
use garasi_store::TenantDb;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::{current_year, merged, price_changed};
use crate::{Actor, ServiceError, ServiceResult, Services};

/// One spreadsheet row, already mapped from columns to field names by the adapter.
#[derive(Debug, Clone)]
pub struct ImportRow {
    /// The line number as the spreadsheet shows it, for the error report.
    pub line: usize,
    pub stock_no: Option<i64>,
    pub input: Map<String, Value>,
}

/// What an import did (or, on a dry run, would do).
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub valid: usize,
    pub created: usize,
    pub updated: usize,
    /// The refused rows, in order.
    pub errors: Vec<RowError>,
}

/// A refused row: its line and one message per field.
#[derive(Debug, Clone)]
pub struct RowError {
    pub line: usize,
    pub fields: FieldErrors,
}

/// Checks every row and, unless `dry_run`, writes the valid ones. Only owners and
/// admins may import.
pub async fn import_rows(
    services: &Services,
    actor: &Actor,
    tenant: &TenantDb,
    rows: Vec<ImportRow>,
    dry_run: bool,
) -> ServiceResult<ImportReport> {
    if !actor.can_manage() {
        return Err(ServiceError::forbidden("Hanya pemilik atau admin showroom yang boleh melakukan ini."));
    }
    let year = current_year();
    let mut tx = tenant.begin_write().await?;
    let mut report = ImportReport::default();
    // Each valid row: the car it updates (its id and price before), and the new fields.
    let mut valid: Vec<(Option<(Uuid, i64)>, CarFields)> = Vec::new();
    for row in rows {
        // A known stock number updates that car: lay the row over what is stored.
        let existing = match row.stock_no {
            Some(n) => tx.cars().by_stock_no(n).await?,
            None => None,
        };
        if row.stock_no.is_some() && existing.is_none() {
            let fields =
                FieldErrors::single("stock_no", "Nomor stok ini tidak ada; kosongkan untuk menambah mobil baru.");
            report.errors.push(RowError { line: row.line, fields });
            continue;
        }
        let checked = match &existing {
            Some(car) => merged(&car.fields, &row.input),
            None => CarFields::from_json(&row.input, year).map_err(ServiceError::from),
        };
        match checked {
            Ok(fields) => valid.push((existing.map(|c| (c.id, c.fields.price)), fields)),
            Err(ServiceError::Validation(fields)) => report.errors.push(RowError { line: row.line, fields }),
            Err(other) => return Err(other),
        }
    }
    report.valid = valid.len();
    if dry_run {
        return Ok(report);
    }
    let mut stock_nos = Vec::new();
    for (existing, fields) in &valid {
        let car = match existing {
            Some((id, before)) => {
                report.updated += 1;
                crate::followups::before_car_change(services, &mut tx, *id, fields).await?;
                let car = tx.cars().update(*id, fields).await?;
                if car.fields.price != *before {
                    price_changed(&mut tx, services, actor, PriceVia::Import, &car, Some(*before)).await?;
                }
                car
            }
            None => {
                report.created += 1;
                let car = tx.cars().create(fields).await?;
                price_changed(&mut tx, services, actor, PriceVia::Import, &car, None).await?;
                crate::followups::car_created(services, &mut tx, &car).await?;
                car
            }
        };
        stock_nos.push(car.stock_no);
    }
    let changed = report.created + report.updated > 0;
    if changed {
        tx.audit(&actor.audit(
            "car.import",
            None,
            json!({
                "created": report.created,
                "updated": report.updated,
                "errors": report.errors.len(),
                "stock_nos": stock_nos,
            }),
        ))
        .await?;
    }
    tx.commit().await?;
    if changed {
        services.inventory_changed(tenant.tenant_id()).await;
    }
    Ok(report)
}
