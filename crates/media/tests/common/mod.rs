//! Fixtures built at test time (no binary files in the repo).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use image::{RgbImage, RgbaImage};

mod png;
use png::png_chunk;

/// A unique temporary directory, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("garasi-media-test-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Left half red, right half blue: makes rotations visible.
pub fn two_tone(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, _| if x < w / 2 { image::Rgb([220, 20, 20]) } else { image::Rgb([20, 20, 220]) })
}

pub fn jpeg(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90).encode_image(img).unwrap();
    out
}

// `write_with_encoder` passes the buffer's own size and colour type to the encoder.
pub fn png_rgba(img: &RgbaImage) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_with_encoder(image::codecs::png::PngEncoder::new(&mut out)).unwrap();
    out
}

pub fn png_rgb(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_with_encoder(image::codecs::png::PngEncoder::new(&mut out)).unwrap();
    out
}

/// Lossless WebP made by the image crate's own encoder.
pub fn webp(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_with_encoder(image::codecs::webp::WebPEncoder::new_lossless(&mut out)).unwrap();
    out
}

/// An ASCII marker stored in the GPS IFD (GPSMapDatum); must never appear in an output.
pub const GPS_MARKER: &[u8] = b"GARASI-GPS-MARKER-6.2088S";
/// The raw GPSLatitude rationals (6/1, 12/1, 3171/100) as stored, little-endian.
pub const GPS_LATITUDE: [u8; 24] = [6, 0, 0, 0, 1, 0, 0, 0, 12, 0, 0, 0, 1, 0, 0, 0, 0x63, 0x0C, 0, 0, 100, 0, 0, 0];

/// A minimal APP1 EXIF segment: IFD0 with Orientation and a GPS IFD pointer; the GPS IFD has
/// GPSLatitudeRef, GPSLatitude and GPSMapDatum.
pub fn exif_app1(orientation: u16) -> Vec<u8> {
    fn entry(t: &mut Vec<u8>, tag: u16, typ: u16, count: u32, value: [u8; 4]) {
        t.extend_from_slice(&tag.to_le_bytes());
        t.extend_from_slice(&typ.to_le_bytes());
        t.extend_from_slice(&count.to_le_bytes());
        t.extend_from_slice(&value);
    }
    const IFD0: u32 = 8;
    const GPS_IFD: u32 = IFD0 + 2 + 2 * 12 + 4; // 38
    const GPS_DATA: u32 = GPS_IFD + 2 + 3 * 12 + 4; // 80
    let datum_len = GPS_MARKER.len() as u32 + 1;

    let mut t = Vec::new();
    t.extend_from_slice(b"II");
    t.extend_from_slice(&42u16.to_le_bytes());
    t.extend_from_slice(&IFD0.to_le_bytes());
    // IFD0
    t.extend_from_slice(&2u16.to_le_bytes());
    let o = orientation.to_le_bytes();
    entry(&mut t, 0x0112, 3, 1, [o[0], o[1], 0, 0]); // Orientation, SHORT
    entry(&mut t, 0x8825, 4, 1, GPS_IFD.to_le_bytes()); // GPSInfo IFD pointer, LONG
    t.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(t.len() as u32, GPS_IFD);
    // GPS IFD
    t.extend_from_slice(&3u16.to_le_bytes());
    entry(&mut t, 0x0001, 2, 2, [b'S', 0, 0, 0]); // GPSLatitudeRef, ASCII
    entry(&mut t, 0x0002, 5, 3, GPS_DATA.to_le_bytes()); // GPSLatitude, 3 RATIONAL
    entry(&mut t, 0x0012, 2, datum_len, (GPS_DATA + 24).to_le_bytes()); // GPSMapDatum, ASCII
    t.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(t.len() as u32, GPS_DATA);
    t.extend_from_slice(&GPS_LATITUDE);
    t.extend_from_slice(GPS_MARKER);
    t.push(0);

    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(&t);
    let mut seg = vec![0xFF, 0xE1];
    seg.extend_from_slice(&(payload.len() as u16 + 2).to_be_bytes());
    seg.extend_from_slice(&payload);
    seg
}

/// Inserts `segment` right after SOI.
pub fn insert_after_soi(jpeg: &[u8], segment: &[u8]) -> Vec<u8> {
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(segment);
    out.extend_from_slice(&jpeg[2..]);
    out
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A tiny, well-formed PNG header declaring `w`×`h` RGBA8 pixels, followed by a small IDAT and IEND:
/// the classic pixel flood (a few dozen bytes claiming gigabytes once decoded).
pub fn png_flood(w: u32, h: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]); // 8-bit RGBA, deflate, adaptive filter, no interlace
    png_chunk(&mut out, b"IHDR", &ihdr);
    png_chunk(&mut out, b"IDAT", &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    png_chunk(&mut out, b"IEND", &[]);
    out
}

/// A real small JPEG whose SOF0 header is patched to declare `w`×`h` (each ≤ 65535).
pub fn jpeg_flood(w: u16, h: u16) -> Vec<u8> {
    let mut bytes = jpeg(&two_tone(16, 16));
    let sof = bytes.windows(2).position(|m| m == [0xFF, 0xC0]).expect("baseline JPEG has SOF0");
    // FF C0, length (2), precision (1), height (2), width (2)
    bytes[sof + 5..sof + 7].copy_from_slice(&h.to_be_bytes());
    bytes[sof + 7..sof + 9].copy_from_slice(&w.to_be_bytes());
    bytes
}

/// A real small lossless WebP whose VP8L header is patched to declare `w`×`h` (each ≤ 16384).
pub fn webp_flood(w: u32, h: u32) -> Vec<u8> {
    let mut bytes = webp(&two_tone(16, 16));
    assert_eq!(&bytes[12..16], b"VP8L");
    assert_eq!(bytes[20], 0x2F, "VP8L signature");
    let old = u32::from_le_bytes(bytes[21..25].try_into().unwrap());
    // 14 bits width-1, 14 bits height-1, then alpha and version bits (kept).
    let bits = (old & !0x0FFF_FFFF) | ((h - 1) << 14) | (w - 1);
    bytes[21..25].copy_from_slice(&bits.to_le_bytes());
    bytes
}

pub fn decode(bytes: &[u8]) -> RgbImage {
    image::load_from_memory(bytes).unwrap().into_rgb8()
}

pub fn is_reddish(p: [u8; 3]) -> bool {
    p[0] > 150 && p[2] < 100
}

pub fn is_bluish(p: [u8; 3]) -> bool {
    p[2] > 150 && p[0] < 100
}
