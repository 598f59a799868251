//! Garasi photo pipeline and blob storage.
//!
//! Upload flow (see `security.md` §3):
//! 1. [`Staging::receive`] / [`Staging::begin`] stream the request body to `<data>/incoming/<uuid>.part`,
//!    counting bytes ([`MediaError::TooLarge`] early).
//! 2. [`process`] (on the blocking pool) checks the magic bytes, reads the header dimensions before decoding,
//!    decodes with `image::Limits`, applies the EXIF orientation and re-encodes every [`Variant`] (which strips
//!    EXIF/GPS/XMP and trailing bytes).
//! 3. [`store_photo`] writes each variant atomically to a [`BlobStore`]; only then insert the database row.
//! 4. At start-up, [`Staging::sweep`] and [`BlobStore::sweep_temp`] remove leftovers of interrupted work.

mod blob;
mod demo;
mod error;
mod fsutil;
mod local;
#[cfg(feature = "s3")]
mod object;
mod pipeline;
mod sniff;
mod staging;
mod variant;

pub use blob::{
    Blob, BlobBody, BlobKey, BlobPrefix, BlobStore, BoxFuture, PhotoKey, StoredPhoto, StoredVariant, store_photo,
};
pub use demo::demo_car_image;
pub use error::MediaError;
pub use local::{LocalBlobStore, MEDIA_DIR};
#[cfg(feature = "s3")]
pub use object::{ObjectBlobStore, S3Config};
pub use pipeline::{EncodedVariant, ProcessOptions, ProcessedPhoto, process, process_bytes};
pub use sniff::{SourceFormat, sniff};
pub use staging::{INCOMING_DIR, PART_SUFFIX, StagedFile, StagedUpload, Staging, write_limited};
pub use variant::Variant;

/// Records how long one photo's stage took (`process`: check, decode, resize and encode
/// every size; `store`: write the files) and whether it worked, for `/metrics`.
fn record_stage(stage: &'static str, started: std::time::Instant, ok: bool) {
    let outcome = if ok { "ok" } else { "error" };
    metrics::histogram!("garasi_photo_pipeline_duration_seconds", "stage" => stage, "outcome" => outcome)
        .record(started.elapsed().as_secs_f64());
}
