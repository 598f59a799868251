mod common;

use common::*;
use garasi_media::{MediaError, ProcessOptions, ProcessedPhoto, SourceFormat, Variant, process, process_bytes};

fn opts() -> ProcessOptions {
    ProcessOptions::default()
}

fn assert_all_variants(photo: &ProcessedPhoto) {
    let names: Vec<_> = photo.variants.iter().map(|v| v.variant).collect();
    assert_eq!(names, Variant::ALL);
    for v in &photo.variants {
        let decoded = decode(&v.bytes);
        assert_eq!(decoded.dimensions(), (v.width, v.height), "{}", v.variant);
        let expected_magic: &[u8] = if v.variant == Variant::LargeJpeg { b"\xFF\xD8\xFF" } else { b"RIFF" };
        assert!(v.bytes.starts_with(expected_magic), "{}", v.variant);
        if v.variant != Variant::LargeJpeg {
            assert_eq!(&v.bytes[8..12], b"WEBP");
            // Lossy ("VP8 "), not lossless ("VP8L"), and no VP8X extended header (which carries metadata).
            assert_eq!(&v.bytes[12..16], b"VP8 ", "{}", v.variant);
        }
    }
}

fn size(photo: &ProcessedPhoto, v: Variant) -> (u32, u32) {
    let v = photo.variant(v).unwrap();
    (v.width, v.height)
}

#[test]
fn jpeg_with_exif_orientation_and_gps_is_rotated_and_stripped() {
    let original = jpeg(&two_tone(800, 400));
    let input = insert_after_soi(&original, &exif_app1(6));
    // Sanity: the fixture really carries the metadata, and the image crate reads the orientation.
    assert!(contains(&input, b"Exif\0\0") && contains(&input, GPS_MARKER) && contains(&input, &GPS_LATITUDE));
    {
        use image::ImageDecoder;
        let mut dec = image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(&input)).unwrap();
        assert_eq!(dec.orientation().unwrap(), image::metadata::Orientation::Rotate90);
    }

    let photo = process_bytes(&input, &opts()).unwrap();
    assert_eq!(photo.source_format, SourceFormat::Jpeg);
    // Orientation 6 = rotate 90° clockwise: 800×400 is displayed as 400×800.
    assert_eq!((photo.width, photo.height), (400, 800));
    assert_eq!(size(&photo, Variant::Large), (400, 800));
    assert_eq!(size(&photo, Variant::LargeJpeg), (400, 800));
    assert_eq!(size(&photo, Variant::Card), (400, 800));
    assert_eq!(size(&photo, Variant::Thumb), (320, 640));
    assert_all_variants(&photo);

    // The source's left (red) half is on top after the rotation, the right (blue) half at the bottom.
    for v in &photo.variants {
        let img = decode(&v.bytes);
        let (w, h) = img.dimensions();
        assert!(is_reddish(img.get_pixel(w / 2, h / 8).0), "{}: top is {:?}", v.variant, img.get_pixel(w / 2, h / 8));
        assert!(is_bluish(img.get_pixel(w / 2, h * 7 / 8).0), "{}: bottom", v.variant);
    }

    for v in &photo.variants {
        assert!(!contains(&v.bytes, b"Exif"), "{} contains Exif", v.variant);
        assert!(!contains(&v.bytes, GPS_MARKER), "{} contains the GPS datum", v.variant);
        assert!(!contains(&v.bytes, &GPS_LATITUDE), "{} contains the GPS latitude", v.variant);
        assert!(!contains(&v.bytes, b"XMP") && !contains(&v.bytes, b"ICCP"), "{}", v.variant);
    }
}

#[test]
fn every_exif_orientation_gives_upright_dimensions() {
    let original = jpeg(&two_tone(64, 32));
    for (tag, rotated) in [(1, false), (2, false), (3, false), (4, false), (5, true), (6, true), (7, true), (8, true)] {
        let photo = process_bytes(&insert_after_soi(&original, &exif_app1(tag)), &opts()).unwrap();
        let expected = if rotated { (32, 64) } else { (64, 32) };
        assert_eq!((photo.width, photo.height), expected, "orientation {tag}");
        assert_eq!(size(&photo, Variant::Large), expected, "orientation {tag}");
    }
}

#[test]
fn large_jpeg_is_downscaled_to_the_variant_widths() {
    let photo = process_bytes(&jpeg(&two_tone(1440, 1080)), &opts()).unwrap();
    assert_eq!(size(&photo, Variant::Large), (1280, 960));
    assert_eq!(size(&photo, Variant::LargeJpeg), (1280, 960));
    assert_eq!(size(&photo, Variant::Card), (640, 480));
    assert_eq!(size(&photo, Variant::Thumb), (320, 240));
    assert_all_variants(&photo);
}

#[test]
fn small_images_are_never_upscaled() {
    let photo = process_bytes(&jpeg(&two_tone(200, 150)), &opts()).unwrap();
    for v in &photo.variants {
        assert_eq!((v.width, v.height), (200, 150), "{}", v.variant);
    }
}

#[test]
fn png_input_with_alpha_is_flattened_on_white() {
    let img = image::RgbaImage::from_fn(900, 600, |x, _| {
        if x < 450 { image::Rgba([200, 30, 30, 255]) } else { image::Rgba([0, 0, 0, 0]) }
    });
    let photo = process_bytes(&png_rgba(&img), &opts()).unwrap();
    assert_eq!(photo.source_format, SourceFormat::Png);
    assert_eq!((photo.width, photo.height), (900, 600));
    assert_eq!(size(&photo, Variant::Card), (640, 427));
    assert_eq!(size(&photo, Variant::Thumb), (320, 213));
    assert_all_variants(&photo);
    let large = decode(&photo.variant(Variant::LargeJpeg).unwrap().bytes);
    assert!(is_reddish(large.get_pixel(100, 300).0));
    let right = large.get_pixel(800, 300).0;
    assert!(right.iter().all(|&c| c > 240), "transparent area should be white, got {right:?}");
}

#[test]
fn webp_input_is_processed() {
    let photo = process_bytes(&webp(&two_tone(1440, 810)), &opts()).unwrap();
    assert_eq!(photo.source_format, SourceFormat::WebP);
    assert_eq!(size(&photo, Variant::Large), (1280, 720));
    assert_eq!(size(&photo, Variant::Thumb), (320, 180));
    assert_all_variants(&photo);
}

#[test]
fn grayscale_png_is_accepted() {
    let gray = image::GrayImage::from_fn(300, 200, |x, _| image::Luma([(x % 256) as u8]));
    let mut bytes = Vec::new();
    image::DynamicImage::ImageLuma8(gray)
        .write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png)
        .unwrap();
    let photo = process_bytes(&bytes, &opts()).unwrap();
    assert_all_variants(&photo);
}

#[test]
fn trailing_polyglot_bytes_are_dropped() {
    let mut input = jpeg(&two_tone(400, 300));
    input.extend_from_slice(b"<?php system($_GET['c']); ?><script>alert(1)</script>");
    let photo = process_bytes(&input, &opts()).unwrap();
    for v in &photo.variants {
        assert!(!contains(&v.bytes, b"<?php") && !contains(&v.bytes, b"<script"), "{}", v.variant);
    }
}

#[test]
fn non_images_are_rejected_by_signature() {
    let cases: &[(&str, &[u8])] = &[
        ("text renamed .jpg", b"Harga nego, hubungi 0812-xxxx. This is not a JPEG."),
        ("svg", b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"),
        ("gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,"),
        ("heic", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic\x00\x00\x00\x00"),
        ("html", b"<!DOCTYPE html><html><body>hi</body></html>"),
    ];
    for (name, bytes) in cases {
        let err = process_bytes(bytes, &opts()).unwrap_err();
        assert!(matches!(err, MediaError::UnsupportedFormat), "{name}: {err:?}");
        assert_eq!(err.status_code(), 415);
    }
    assert!(matches!(process_bytes(b"", &opts()), Err(MediaError::Empty)));
}

#[test]
fn valid_signature_with_garbage_is_corrupt() {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.extend_from_slice(&[0x42; 200]);
    assert!(matches!(process_bytes(&bytes, &opts()), Err(MediaError::Corrupt { .. })));

    // A truncated real JPEG: header fine, scan data cut short.
    let full = jpeg(&two_tone(400, 300));
    let truncated = &full[..full.len() / 3];
    match process_bytes(truncated, &opts()) {
        // zune-jpeg is lenient with truncated scans (fills the rest); either outcome is safe.
        Ok(photo) => assert_all_variants(&photo),
        Err(e) => assert!(matches!(e, MediaError::Corrupt { .. }), "{e:?}"),
    }

    let mut png = png_rgb(&two_tone(50, 50));
    let len = png.len();
    png[len / 2..].fill(0);
    assert!(matches!(process_bytes(&png, &opts()), Err(MediaError::Corrupt { .. })));
}

#[test]
fn too_many_pixels_is_refused_before_decoding() {
    // Each side within 12 000, but 10 000 × 6 000 = 60 MP > 50 MP.
    let err = process_bytes(&png_flood(10_000, 6_000), &opts()).unwrap_err();
    assert!(matches!(err, MediaError::DimensionsTooLarge { width: 10_000, height: 6_000, .. }), "{err:?}");
    let err = process_bytes(&png_flood(60_000, 60_000), &opts()).unwrap_err();
    assert!(matches!(err, MediaError::DimensionsTooLarge { width: 60_000, height: 60_000, .. }), "{err:?}");
    assert!(err.to_string().contains("60.000 × 60.000"), "{err}");
    let err = process_bytes(&png_flood(12_001, 10), &opts()).unwrap_err();
    assert!(matches!(err, MediaError::DimensionsTooLarge { .. }), "{err:?}");
    let err = process_bytes(&jpeg_flood(40_000, 40_000), &opts()).unwrap_err();
    assert!(matches!(err, MediaError::DimensionsTooLarge { width: 40_000, height: 40_000, .. }), "{err:?}");
}

#[tokio::test]
async fn process_reads_a_staged_file_off_the_runtime() {
    let dir = TempDir::new();
    let path = dir.path().join("upload.part");
    std::fs::write(&path, insert_after_soi(&jpeg(&two_tone(1000, 500)), &exif_app1(8))).unwrap();
    let photo = process(&path, &opts()).await.unwrap();
    assert_eq!((photo.width, photo.height), (500, 1000));
    assert_all_variants(&photo);
}

#[tokio::test]
async fn text_file_named_jpg_is_rejected() {
    let dir = TempDir::new();
    let path = dir.path().join("mobil.jpg");
    std::fs::write(&path, "bukan foto, cuma teks").unwrap();
    assert!(matches!(process(&path, &opts()).await, Err(MediaError::UnsupportedFormat)));
    let path = dir.path().join("logo.jpg");
    std::fs::write(&path, "<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>").unwrap();
    assert!(matches!(process(&path, &opts()).await, Err(MediaError::UnsupportedFormat)));
}

#[tokio::test]
async fn staged_file_over_the_byte_limit_is_too_large() {
    let dir = TempDir::new();
    let path = dir.path().join("big.part");
    std::fs::write(&path, jpeg(&two_tone(400, 300))).unwrap();
    let small = ProcessOptions { max_input_bytes: 1000, ..opts() };
    let err = process(&path, &small).await.unwrap_err();
    assert!(matches!(err, MediaError::TooLarge { max_bytes: 1000 }), "{err:?}");
    assert_eq!(err.status_code(), 413);
    assert!(matches!(process_bytes(&vec![0xFF; 1001], &small), Err(MediaError::TooLarge { .. })));
}

#[test]
fn demo_images_go_through_the_pipeline() {
    let bytes = garasi_media::demo_car_image("Honda Brio RS 2022", [30, 90, 200], 800, 600);
    let photo = process_bytes(&bytes, &opts()).unwrap();
    assert_eq!(size(&photo, Variant::Large), (800, 600));
    assert_eq!(size(&photo, Variant::Card), (640, 480));
    assert_all_variants(&photo);
}

#[test]
fn futures_are_send_so_axum_handlers_can_await_them() {
    fn assert_send<T: Send>(_: &T) {}
    let options = opts();
    let fut = process(std::path::PathBuf::from("/nonexistent"), &options);
    assert_send(&fut);
}
