//! Confidence calibration (issue #15, section 2): open questions and long messages fall below `CONFIDENT` so an LLM
//! answers them when one is on; clear requests, and messages that are not for a car showroom, stay above it.

use garasi_bot::nlu::{CONFIDENT, Intent, OffTopic, Role, understand, understand_json_line};

#[test]
fn open_questions_and_long_messages_go_to_the_llm() {
    for t in [
        "tolong bandingkan kenyamanan kabin dua mobil keluarga",
        "kenapa diesel lebih awet?",
        "mana yang lebih cocok untuk keluarga kecil, brio atau agya?",
        "bagusan mana xpander atau ertiga",
        "kak mau tanya nih, saya tinggal di depok kerja di sudirman, tiap hari naik krl tapi mau beli mobil buat \
         weekend sama keluarga, anak dua masih sd, budget sekitar dua ratus, kira kira cocoknya yang gimana ya",
    ] {
        let u = understand(t, Role::Customer);
        assert!(u.confidence < CONFIDENT, "{t}: {}", u.confidence);
    }
    // An open question never turns into a photo or detail request because of a word in it.
    let u = understand("tolong bandingkan kenyamanan kabin dua mobil keluarga", Role::Customer);
    assert_eq!(u.intent, Intent::Search);
    assert!(u.extras.open_question);
    assert_eq!(understand("kenapa diesel lebih awet?", Role::Customer).intent, Intent::Unknown);
}

#[test]
fn clear_requests_and_not_for_us_stay_offline() {
    for t in [
        "avanza matic 150an",
        "yang lebih murah ada?",
        "jangan yang manual",
        "selain toyota ada apa",
        "lokasine ning endi",
        "foto no 4",
        "yang 2019 itu",
        "budget tiga ratus",
        "nmax ada?",
        "selamat anda menang undian, klik link ini",
    ] {
        let u = understand(t, Role::Customer);
        assert!(u.confidence >= CONFIDENT, "{t}: {}", u.confidence);
    }
    let u = understand("nmax ada?", Role::Customer);
    assert_eq!((u.intent, u.extras.off_topic), (Intent::Unknown, Some(OffTopic::Motorbike)));
    assert!(u.filters.is_empty());
}

#[test]
fn the_cli_line_prints_confidence_and_exclusions() {
    let v: serde_json::Value =
        serde_json::from_str(&understand_json_line(r#"{"text": "mpv selain toyota dan honda, 7 seater"}"#)).unwrap();
    assert_eq!(v["intent"], "search");
    assert_eq!(v["filters"]["exclude"]["brand"], serde_json::json!(["Toyota", "Honda"]));
    assert_eq!(v["filters"]["seats_min"], 7);
    assert_eq!(v["filters"]["body_type"], "MPV");
    assert!(v["confidence"].as_f64().is_some_and(|c| c >= 0.6), "{v}");
}
