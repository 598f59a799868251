//! Throughput of the offline understanding, on the labelled training messages.
//! Run: `cargo run -p garasi-bot --release --example bench_nlu`

use std::time::Instant;

use garasi_bot::nlu::{Role, understand};

fn main() {
    let data = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/nlu_train.jsonl"))
        .expect("training data");
    let texts: Vec<String> = data
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["text"].as_str().map(str::to_string))
        .collect();
    understand("halo", Role::Customer);
    let rounds = 200;
    let start = Instant::now();
    for _ in 0..rounds {
        for t in &texts {
            std::hint::black_box(understand(t, Role::Customer));
        }
    }
    let per_msg = start.elapsed() / (rounds * texts.len()) as u32;
    println!("{} messages x {rounds}: {per_msg:?} per message", texts.len());
    let long = "avanza 2019 dibawah 200jt hubungi 081234567890 ".repeat(250);
    let start = Instant::now();
    std::hint::black_box(understand(&long, Role::Customer));
    println!("one 10 kB message: {:?}", start.elapsed());
}
