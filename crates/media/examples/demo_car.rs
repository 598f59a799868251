//! Writes a demo car photo and its processed variants to a directory, to look at them.
//!
//! `cargo run -p garasi-media --example demo_car -- /tmp/demo "Toyota Avanza 1.5 G" c0392b`

use garasi_media::{ProcessOptions, demo_car_image, process_bytes};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| "demo-photos".into()));
    let label = args.next().unwrap_or_else(|| "Toyota Avanza 1.5 G".into());
    let hex = args.next().unwrap_or_else(|| "c0392b".into());
    let rgb = u32::from_str_radix(hex.trim_start_matches('#'), 16)?;
    let color = [(rgb >> 16) as u8, (rgb >> 8) as u8, rgb as u8];

    std::fs::create_dir_all(&dir)?;
    let original = demo_car_image(&label, color, 1600, 1200);
    std::fs::write(dir.join("original.jpg"), &original)?;
    let photo = process_bytes(&original, &ProcessOptions::default())?;
    for v in &photo.variants {
        std::fs::write(dir.join(v.variant.file_name()), &v.bytes)?;
        println!("{:<11} {:>4}×{:<4} {:>7} bytes", v.variant.name(), v.width, v.height, v.bytes.len());
    }
    // A PNG preview of the WebP output (decoded again), viewable anywhere.
    let large = photo.variant(garasi_media::Variant::Large).expect("large variant");
    image::load_from_memory(&large.bytes)?.save(dir.join("large-preview.png"))?;
    println!("original    1600×1200 {:>7} bytes -> {}", original.len(), dir.display());
    Ok(())
}
