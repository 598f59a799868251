//! The photo pipeline: sniff → header check → decode with limits → EXIF orientation → resize → re-encode.
//!
//! Re-encoding from raw pixels drops every piece of metadata (EXIF incl. GPS, XMP, ICC, comments) and any
//! bytes trailing the image (polyglot files).

use std::io::{Cursor, Read};
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use fast_image_resize as fir;
use fast_image_resize::pixels::U8x3;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits, RgbImage};
use tokio::sync::Semaphore;

use crate::sniff::{SourceFormat, sniff};
use crate::{MediaError, Variant};

/// Limits and encoder settings. `Default` gives the production values.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessOptions {
    /// Largest accepted input file, in bytes (15 MiB).
    pub max_input_bytes: u64,
    /// Largest accepted width or height, read from the header before decoding (12 000).
    pub max_side: u32,
    /// Largest accepted pixel count, read from the header before decoding (50 000 000).
    pub max_pixels: u64,
    /// Largest decoded buffer, in bytes (256 MiB): bounds memory for 16-bit or alpha inputs.
    pub max_decoded_bytes: u64,
    /// Lossy WebP quality, 0–100 (78).
    pub webp_quality: f32,
    /// JPEG quality, 1–100 (82).
    pub jpeg_quality: u8,
}

impl Default for ProcessOptions {
    fn default() -> Self {
        ProcessOptions {
            max_input_bytes: 15 * 1024 * 1024,
            max_side: 12_000,
            max_pixels: 50_000_000,
            max_decoded_bytes: 256 * 1024 * 1024,
            webp_quality: 78.0,
            jpeg_quality: 82,
        }
    }
}

/// One encoded output.
#[derive(Clone, PartialEq, Eq)]
pub struct EncodedVariant {
    pub variant: Variant,
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for EncodedVariant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncodedVariant")
            .field("variant", &self.variant)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// The result of [`process`]: every [`Variant`], in [`Variant::ALL`] order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessedPhoto {
    pub source_format: SourceFormat,
    /// Source width after applying the EXIF orientation.
    pub width: u32,
    /// Source height after applying the EXIF orientation.
    pub height: u32,
    pub variants: Vec<EncodedVariant>,
}

impl ProcessedPhoto {
    /// The output for `variant` (always present in a value returned by this crate).
    pub fn variant(&self, variant: Variant) -> Option<&EncodedVariant> {
        self.variants.iter().find(|v| v.variant == variant)
    }
}

/// Limits how many photos are decoded at once in this process (one per CPU), so peak memory is bounded
/// by `permits × per-photo peak` however many uploads arrive together.
fn workers() -> Arc<Semaphore> {
    static SEM: OnceLock<Arc<Semaphore>> = OnceLock::new();
    SEM.get_or_init(|| Arc::new(Semaphore::new(std::thread::available_parallelism().map_or(1, |n| n.get())))).clone()
}

/// Processes a staged upload on the blocking thread pool (at most one photo per CPU at a time).
/// Reads the file (refusing more than `max_input_bytes`), then runs [`process_bytes`].
pub async fn process(staged_path: impl AsRef<Path>, options: &ProcessOptions) -> Result<ProcessedPhoto, MediaError> {
    let path = staged_path.as_ref().to_path_buf();
    let options = options.clone();
    let permit = workers().acquire_owned().await.map_err(MediaError::processing)?;
    // The permit moves into the blocking task: if this future is dropped (client gone), the task still
    // runs to completion and keeps its slot until then.
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let file = std::fs::File::open(&path)?;
        let max = options.max_input_bytes;
        if file.metadata()?.len() > max {
            return Err(MediaError::TooLarge { max_bytes: max });
        }
        let mut bytes = Vec::new();
        file.take(max + 1).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > max {
            return Err(MediaError::TooLarge { max_bytes: max });
        }
        process_bytes(&bytes, &options)
    })
    .await
    .map_err(MediaError::processing)?
}

/// The synchronous pipeline (CPU-heavy: call it from `spawn_blocking`, a worker thread, or a CLI).
pub fn process_bytes(bytes: &[u8], options: &ProcessOptions) -> Result<ProcessedPhoto, MediaError> {
    let started = Instant::now();
    let result = run_pipeline(bytes, options);
    crate::record_stage("process", started, result.is_ok());
    result
}

fn run_pipeline(bytes: &[u8], options: &ProcessOptions) -> Result<ProcessedPhoto, MediaError> {
    let started = Instant::now();
    if bytes.len() as u64 > options.max_input_bytes {
        return Err(MediaError::TooLarge { max_bytes: options.max_input_bytes });
    }
    let format = sniff(bytes)?;

    // First pass: header only, without dimension limits, so the refusal below can name the dimensions.
    let mut header_limits = Limits::default();
    header_limits.max_alloc = Some(options.max_decoded_bytes);
    let mut reader = ImageReader::new(Cursor::new(bytes));
    reader.set_format(format.image_format());
    reader.limits(header_limits);
    // `into_decoder` parses the header only; no pixel buffer exists yet.
    let mut decoder = reader.into_decoder().map_err(|e| classify(e, options))?;

    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(MediaError::corrupt("zero dimension"));
    }
    if width > options.max_side
        || height > options.max_side
        || u64::from(width) * u64::from(height) > options.max_pixels
        || decoder.total_bytes() > options.max_decoded_bytes
    {
        return Err(MediaError::DimensionsTooLarge {
            width,
            height,
            max_side: options.max_side,
            max_pixels: options.max_pixels,
        });
    }
    // Then the strict limits for decoding itself (width/height strict, allocation best-effort).
    let mut limits = Limits::default();
    limits.max_image_width = Some(options.max_side);
    limits.max_image_height = Some(options.max_side);
    limits.max_alloc = Some(options.max_decoded_bytes);
    decoder.set_limits(limits).map_err(|e| classify(e, options))?;

    // A broken EXIF block is not worth rejecting the photo for.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let decoded = DynamicImage::from_decoder(decoder).map_err(|e| classify(e, options))?;
    let decoded_at = started.elapsed();
    let rgb = flatten_to_rgb(decoded);

    let swaps = matches!(
        orientation,
        Orientation::Rotate90 | Orientation::Rotate270 | Orientation::Rotate90FlipH | Orientation::Rotate270FlipH
    );
    let (out_w, out_h) = if swaps { (height, width) } else { (width, height) };

    // Resize before orienting (cheaper: rotation then touches 1.2 MP, not 12 MP). Resizing and the
    // 90°-step rotations/flips commute, so the result is the same.
    let mut resizer = fir::Resizer::new();
    let resize_opts = fir::ResizeOptions::new().resize_alg(fir::ResizeAlg::Convolution(fir::FilterType::Lanczos3));
    let mut resize = |src: &RgbImage, (w, h): (u32, u32)| -> Result<RgbImage, MediaError> {
        if (w, h) == src.dimensions() {
            return Ok(src.clone());
        }
        // `resize_typed` with the one pixel type we use: the generic `resize` would instantiate every
        // pixel type × SIMD path in this crate and triple its compile time.
        let src_view = fir::images::TypedImageRef::<U8x3>::from_buffer(src.width(), src.height(), src.as_raw())
            .map_err(MediaError::processing)?;
        let mut out = vec![0u8; w as usize * h as usize * 3];
        let mut dst_view =
            fir::images::TypedImage::<U8x3>::from_buffer(w, h, &mut out).map_err(MediaError::processing)?;
        resizer.resize_typed(&src_view, &mut dst_view, &resize_opts).map_err(MediaError::processing)?;
        Ok(RgbImage::from_raw(w, h, out).expect("buffer has w*h*3 bytes"))
    };
    let unoriented = |(w, h): (u32, u32)| if swaps { (h, w) } else { (w, h) };

    let large_size = fit(out_w, out_h, Variant::Large.max_size());
    let card_size = fit(out_w, out_h, Variant::Card.max_size());
    let thumb_size = fit(out_w, out_h, Variant::Thumb.max_size());

    let large = if unoriented(large_size) == rgb.dimensions() { rgb } else { resize(&rgb, unoriented(large_size))? };
    let card = resize(&large, unoriented(card_size))?;
    let thumb = resize(&card, unoriented(thumb_size))?;
    let [large, card, thumb] = [large, card, thumb].map(|img| orient(img, orientation));
    let resized_at = started.elapsed();

    let webp = |img: &RgbImage| encode_webp(img, options.webp_quality);
    let variants = vec![
        EncodedVariant { variant: Variant::Thumb, width: thumb.width(), height: thumb.height(), bytes: webp(&thumb)? },
        EncodedVariant { variant: Variant::Card, width: card.width(), height: card.height(), bytes: webp(&card)? },
        EncodedVariant { variant: Variant::Large, width: large.width(), height: large.height(), bytes: webp(&large)? },
        EncodedVariant {
            variant: Variant::LargeJpeg,
            width: large.width(),
            height: large.height(),
            bytes: encode_jpeg(&large, options.jpeg_quality)?,
        },
    ];
    tracing::debug!(
        format = format.as_str(),
        width,
        height,
        ?orientation,
        decode_ms = decoded_at.as_millis(),
        resize_ms = (resized_at - decoded_at).as_millis(),
        encode_ms = (started.elapsed() - resized_at).as_millis(),
        "photo processed"
    );
    Ok(ProcessedPhoto { source_format: format, width: out_w, height: out_h, variants })
}

/// Size that fits `(w, h)` into `(max_w, max_h)` keeping the aspect ratio; never upscales.
fn fit(w: u32, h: u32, (max_w, max_h): (u32, u32)) -> (u32, u32) {
    if w <= max_w && h <= max_h {
        return (w, h);
    }
    let scale = f64::min(f64::from(max_w) / f64::from(w), f64::from(max_h) / f64::from(h));
    let nw = (f64::from(w) * scale).round().clamp(1.0, f64::from(max_w)) as u32;
    let nh = (f64::from(h) * scale).round().clamp(1.0, f64::from(max_h)) as u32;
    (nw, nh)
}

fn orient(img: RgbImage, orientation: Orientation) -> RgbImage {
    if orientation == Orientation::NoTransforms {
        return img;
    }
    let mut dynamic = DynamicImage::ImageRgb8(img);
    dynamic.apply_orientation(orientation);
    dynamic.into_rgb8()
}

/// Converts any decoded colour type to 8-bit RGB; transparent pixels are composited onto white (JPEG has
/// no alpha, and a car on a white card looks right on every page).
fn flatten_to_rgb(img: DynamicImage) -> RgbImage {
    if !img.color().has_alpha() {
        return img.into_rgb8();
    }
    let rgba = img.into_rgba8();
    let (w, h) = rgba.dimensions();
    let mut out = Vec::with_capacity(w as usize * h as usize * 3);
    for px in rgba.as_raw().chunks_exact(4) {
        let a = u32::from(px[3]);
        for &c in &px[..3] {
            out.push(((u32::from(c) * a + 255 * (255 - a) + 127) / 255) as u8);
        }
    }
    RgbImage::from_raw(w, h, out).expect("buffer has w*h*3 bytes")
}

fn encode_webp(img: &RgbImage, quality: f32) -> Result<Vec<u8>, MediaError> {
    let encoder = webp::Encoder::from_rgb(img.as_raw(), img.width(), img.height());
    let memory = encoder
        .encode_simple(false, quality.clamp(0.0, 100.0))
        .map_err(|e| MediaError::processing(format!("webp: {e:?}")))?;
    Ok(memory.to_vec())
}

fn encode_jpeg(img: &RgbImage, quality: u8) -> Result<Vec<u8>, MediaError> {
    let mut out = Vec::with_capacity(img.as_raw().len() / 8);
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality.clamp(1, 100))
        .encode_image(img)
        .map_err(MediaError::processing)?;
    Ok(out)
}

/// Maps decoder errors: limit violations become `DimensionsTooLarge` when the header was readable,
/// everything else is a corrupt file.
fn classify(err: image::ImageError, options: &ProcessOptions) -> MediaError {
    match err {
        image::ImageError::Limits(_) => MediaError::DimensionsTooLarge {
            width: 0,
            height: 0,
            max_side: options.max_side,
            max_pixels: options.max_pixels,
        },
        other => MediaError::corrupt(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_never_upscales_and_keeps_aspect() {
        assert_eq!(fit(4000, 3000, (1280, 2560)), (1280, 960));
        assert_eq!(fit(800, 600, (1280, 2560)), (800, 600));
        assert_eq!(fit(3000, 4000, (320, 640)), (320, 427));
        assert_eq!(fit(500, 12000, (320, 640)), (27, 640));
        assert_eq!(fit(12000, 10, (320, 640)), (320, 1));
    }

    #[test]
    fn alpha_is_composited_on_white() {
        let mut img = image::RgbaImage::new(2, 1);
        img.put_pixel(0, 0, image::Rgba([0, 0, 0, 0]));
        img.put_pixel(1, 0, image::Rgba([10, 20, 30, 255]));
        let rgb = flatten_to_rgb(DynamicImage::ImageRgba8(img));
        assert_eq!(rgb.get_pixel(0, 0).0, [255, 255, 255]);
        assert_eq!(rgb.get_pixel(1, 0).0, [10, 20, 30]);
    }
}
