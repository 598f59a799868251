//! The NLU never panics and stays fast on any input.

use std::time::Instant;

use garasi_bot::nlu::{Role, understand, understand_json_line};

fn odd_inputs() -> Vec<String> {
    let mut v: Vec<String> = [
        "",
        " ",
        "\n\t\r",
        "\u{0}",
        "\u{feff}halo",
        "99999999999999999999999 jt",
        "99999999999999999999999",
        "dp 99999999999999999999999%",
        "km 99999999999999999999999 rb",
        "no 99999999999999999999999",
        "tenor 99999999999999999999999 bulan",
        "yang ke-99999999999999999999999",
        "1.2.3.4.5 jt",
        "1,,5 M",
        ",,,...---///",
        "- - - 2019 - - -",
        "2019-",
        "-2019",
        "harga -150jt",
        "0,0000000001 M",
        "½½½ M",
        "setengah",
        "setengah M setengah M",
        "ke-",
        "no",
        "#",
        "'",
        "'18'",
        "+62",
        "+62 8",
        "08",
        "0812-",
        "B 1234",
        "B",
        "AT",
        "M/T A/T",
        "السلام عليكم",
        "こんにちは 車",
        "İstanbul ǅ ß ﬁ",
        "🚗🚗🚗🔥🔥💯",
        "👨‍👩‍👧‍👦",
        "a\u{301}\u{301}\u{301}",
        "𝟙𝟘𝟘 jt",
        "١٥٠ جت",
        "²³ jt",
        "Ⅻ",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push("a".repeat(10_000));
    v.push("avanza 2019 dibawah 200jt ".repeat(400));
    v.push("9".repeat(10_000));
    v.push("1.".repeat(5_000));
    v.push("🚗".repeat(3_000));
    v.push("yang kedua ".repeat(1_000));
    v.push((0..2000).map(|i| char::from_u32(0x2000 + i).unwrap_or(' ')).collect());
    v
}

#[test]
fn never_panics() {
    for s in odd_inputs() {
        for role in [Role::Customer, Role::Sales] {
            let u = understand(&s, role);
            assert!((0.0..=1.0).contains(&u.confidence));
            if let Some(p) = u.filters.price_max {
                assert!(p > 0);
            }
        }
        let line = serde_json::json!({"text": s}).to_string();
        let out = understand_json_line(&line);
        assert!(serde_json::from_str::<serde_json::Value>(&out).is_ok());
        assert!(!out.contains('\n'));
        // The raw string as a (usually malformed) JSON line.
        let out = understand_json_line(&s);
        assert!(serde_json::from_str::<serde_json::Value>(&out).is_ok());
    }
}

#[test]
fn fast_enough() {
    let data = std::fs::read_to_string(format!("{}/tests/data/nlu_train.jsonl", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let texts: Vec<String> = data
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["text"].as_str().map(str::to_string))
        .collect();
    // Warm up the lazily built tables.
    understand("halo", Role::Customer);
    let start = Instant::now();
    let rounds = 5;
    for _ in 0..rounds {
        for t in &texts {
            std::hint::black_box(understand(t, Role::Customer));
        }
    }
    let per_msg = start.elapsed() / (rounds * texts.len()) as u32;
    let build = if cfg!(debug_assertions) { "debug" } else { "release" };
    println!("average per message: {per_msg:?} ({build} build)");
    // Generous for unoptimised test builds on a busy machine; release builds are far faster.
    assert!(per_msg.as_micros() < 2_000, "{per_msg:?} per message");

    let long = "avanza 2019 dibawah 200jt hubungi 081234567890 ".repeat(250);
    let start = Instant::now();
    std::hint::black_box(understand(&long, Role::Customer));
    let t = start.elapsed();
    println!("10 kB message: {t:?}");
    assert!(t.as_millis() < 100, "{t:?}");
}
