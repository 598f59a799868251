//! Single-threaded pipeline benchmark on a 12 MP (4000×3000) JPEG generated in memory.
//!
//! `cargo run -p garasi-media --release --example bench_pipeline -- [iterations]`
//!
//! Prints min/median/max wall time of `process_bytes` (sniff, header check, decode, orientation, resize to
//! three sizes, 3× lossy WebP + 1× JPEG encode), a decode-only baseline, and peak RSS (VmHWM) reset after the
//! input was generated.

use std::time::{Duration, Instant};

use garasi_media::{ProcessOptions, demo_car_image, process_bytes};

fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A photo-like 12 MP JPEG: the demo car drawing plus sensor-like noise, so the entropy (and file size)
/// resembles a phone photo rather than a flat illustration.
fn make_input() -> Vec<u8> {
    let drawing = demo_car_image("Toyota Fortuner 2.8 VRZ", [40, 40, 45], 4000, 3000);
    let mut img = image::load_from_memory(&drawing).expect("demo decodes").into_rgb8();
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    for px in img.as_mut().iter_mut() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let noise = (state % 25) as i16 - 12;
        *px = (i16::from(*px) + noise).clamp(0, 255) as u8;
    }
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90).encode_image(&img).expect("encode");
    out
}

fn stats(mut times: Vec<Duration>) -> (Duration, Duration, Duration) {
    times.sort();
    (times[0], times[times.len() / 2], times[times.len() - 1])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let iterations: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(10).max(1);
    let input = make_input();
    println!("input: 4000×3000 JPEG, {:.2} MB, {iterations} iterations, 1 thread", input.len() as f64 / 1e6);

    // Reset the peak-RSS watermark so VmHWM reflects the pipeline, not the input generation.
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let rss_before = vm_hwm_kib();

    let options = ProcessOptions::default();
    let mut decode_times = Vec::new();
    for _ in 0..iterations.min(5) {
        let t = Instant::now();
        let img = image::load_from_memory_with_format(&input, image::ImageFormat::Jpeg).expect("decode");
        decode_times.push(t.elapsed());
        drop(img);
    }

    let mut times = Vec::with_capacity(iterations);
    let mut last = None;
    for _ in 0..iterations {
        let t = Instant::now();
        let photo = process_bytes(&input, &options).expect("pipeline");
        times.push(t.elapsed());
        last = Some(photo);
    }
    let (dmin, dmed, _) = stats(decode_times);
    let (min, med, max) = stats(times);
    println!("decode only     min {:7.1} ms  median {:7.1} ms", ms(dmin), ms(dmed));
    println!("full pipeline   min {:7.1} ms  median {:7.1} ms  max {:7.1} ms", ms(min), ms(med), ms(max));
    for v in &last.expect("at least one iteration").variants {
        println!("  {:<11} {:>4}×{:<4} {:>8} bytes", v.variant.name(), v.width, v.height, v.bytes.len());
    }
    match (vm_hwm_kib(), rss_before) {
        (Some(hwm), Some(before)) if reset => {
            println!(
                "peak RSS (VmHWM) {:.1} MiB (at start of measurement {:.1} MiB)",
                hwm as f64 / 1024.0,
                before as f64 / 1024.0
            )
        }
        (Some(hwm), _) => println!("peak RSS (VmHWM, includes input generation) {:.1} MiB", hwm as f64 / 1024.0),
        _ => println!("peak RSS: /proc/self/status not available"),
    }
}
