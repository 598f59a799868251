//! The NLU never panics and stays fast on any input.

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
