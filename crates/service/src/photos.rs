//! Car photos: adding (dashboard upload or a salesperson's `/foto N` on WhatsApp),
//! reordering and deleting.
//!
//! Order of work for adding: check and re-encode each input (off the async runtime)
//! → write every size atomically to the blob store → only then insert the rows and
//! the audit entry in one transaction. A failure at any step removes the files
//! already written, so no half photo is ever visible.

use garasi_domain::car::Car;
use garasi_media::{
    MediaError, PhotoKey, ProcessOptions, StagedFile, StoredPhoto, process, process_bytes, store_photo,
};
use garasi_store::TenantDb;
use garasi_store::tenant::NewPhoto;
use serde_json::json;
use uuid::Uuid;

use crate::{Actor, ServiceError, ServiceResult, Services};

/// One photo as the adapter received it.
pub enum PhotoInput {
    /// An upload streamed to a staged file (the dashboard, the API); removed when dropped.
    Staged(StagedFile),
    /// Bytes already in memory (downloaded from WhatsApp).
    Bytes(Vec<u8>),
}

/// The car after the photos were added, and the new photos' ids in order.
#[derive(Debug, Clone)]
pub struct Added {
    pub car: Car,
    pub photo_ids: Vec<Uuid>,
}

/// Runs each input through the photo pipeline, stores its files and adds it to the car.
pub async fn add(
    services: &Services,
    actor: &Actor,
    tenant: &TenantDb,
    car_id: Uuid,
    inputs: Vec<PhotoInput>,
) -> ServiceResult<Added> {
    if inputs.is_empty() {
        return Err(ServiceError::field("files", "Pilih minimal satu foto."));
    }
    {
        let mut tx = tenant.begin().await?;
        tx.cars().get(car_id).await?.ok_or(ServiceError::NotFound)?;
        tx.commit().await?;
    }
    let mut stored: Vec<StoredPhoto> = Vec::new();
    let result = async {
        for input in inputs {
            let key = PhotoKey::new(tenant.tenant_id().0, car_id, Uuid::now_v7());
            stored.push(store_photo(services.media.as_ref(), key, run_pipeline(input).await?).await?);
        }
        let mut tx = tenant.begin_write().await?;
        for photo in &stored {
            let new = NewPhoto {
                id: photo.photo.photo_id,
                storage_key: photo.photo.prefix().path(),
                width: i64::from(photo.width),
                height: i64::from(photo.height),
                bytes: photo.variants.iter().map(|v| v.size as i64).sum(),
            };
            tx.cars().add_photo(car_id, &new).await?;
        }
        let car = tx.cars().get(car_id).await?.ok_or(ServiceError::NotFound)?;
        let photo_ids: Vec<Uuid> = stored.iter().map(|p| p.photo.photo_id).collect();
        tx.audit(&actor.audit(
            "photo.add",
            Some(("car", car_id.to_string())),
            json!({ "stock_no": car.stock_no, "photos": photo_ids }),
        ))
        .await?;
        tx.commit().await?;
        Ok::<_, ServiceError>(Added { car, photo_ids })
    }
    .await;
    match result {
        Ok(added) => {
            services.inventory_changed(tenant.tenant_id()).await;
            Ok(added)
        }
        Err(e) => {
            // Nothing points at these files: remove them so a failure leaves no trace.
            for photo in &stored {
                if let Err(cleanup) = services.media.delete_prefix(&photo.photo.prefix()).await {
                    tracing::warn!(error = %cleanup, "could not remove photo files after a failed upload");
                }
            }
            Err(e)
        }
    }
}

async fn run_pipeline(input: PhotoInput) -> Result<garasi_media::ProcessedPhoto, MediaError> {
    let options = ProcessOptions::default();
    match input {
        PhotoInput::Staged(staged) => process(staged.path(), &options).await,
        PhotoInput::Bytes(bytes) => tokio::task::spawn_blocking(move || process_bytes(&bytes, &options))
            .await
            .map_err(|e| MediaError::Processing { detail: e.to_string() })?,
    }
}

/// Puts the car's photos in the given order; `order` must name each photo exactly once.
pub async fn reorder(
    services: &Services,
    actor: &Actor,
    tenant: &TenantDb,
    car_id: Uuid,
    order: &[Uuid],
) -> ServiceResult<Car> {
    let mut tx = tenant.begin_write().await?;
    tx.cars().get(car_id).await?.ok_or(ServiceError::NotFound)?;
    if !tx.cars().reorder_photos(car_id, order).await? {
        return Err(ServiceError::field("order", "Urutan harus memuat setiap foto mobil ini tepat satu kali."));
    }
    let car = tx.cars().get(car_id).await?.ok_or(ServiceError::NotFound)?;
    tx.audit(&actor.audit(
        "photo.reorder",
        Some(("car", car_id.to_string())),
        json!({ "stock_no": car.stock_no, "order": order }),
    ))
    .await?;
    tx.commit().await?;
    services.inventory_changed(tenant.tenant_id()).await;
    Ok(car)
}

/// Removes one photo: the row (with its audit entry) first, then the files.
pub async fn delete(
    services: &Services,
    actor: &Actor,
    tenant: &TenantDb,
    car_id: Uuid,
    photo_id: Uuid,
) -> ServiceResult<()> {
    let mut tx = tenant.begin_write().await?;
    let car = tx.cars().get(car_id).await?.ok_or(ServiceError::NotFound)?;
    tx.cars().delete_photo(car_id, photo_id).await?.ok_or(ServiceError::NotFound)?;
    tx.audit(&actor.audit(
        "photo.delete",
        Some(("photo", photo_id.to_string())),
        json!({ "stock_no": car.stock_no, "car_id": car_id }),
    ))
    .await?;
    tx.commit().await?;
    // Files go after the row: a crash in between leaves only unreferenced files.
    let key = PhotoKey::new(tenant.tenant_id().0, car_id, photo_id);
    if let Err(e) = services.media.delete_prefix(&key.prefix()).await {
        tracing::warn!(error = %e, "photo row deleted but its files remain");
    }
    services.inventory_changed(tenant.tenant_id()).await;
    Ok(())
}
