//! Issue #15, section 2: when the bot asks the LLM, and the reply budget. A scripted fake model (a local
//! OpenAI-compatible server, wiremock) answers every request; a mixed set of messages shows which are answered
//! offline and which by the model. Then a model that hangs and one that answers after 3 s: the reply that goes out
//! is the offline one and the model's one respectively (which answer was sent, not how long it took).

use std::time::Duration;

use garasi_bot::LlmConfig;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer};

use crate::bot::{Showroom, text};
use crate::bot_llm::answer;
use crate::support::TestApp;

const FROM_MODEL: &str = "Jawaban dari model.";

async fn showroom(server: &MockServer, reply_budget: Option<Duration>) -> Showroom {
    let base_url = format!("{}/v1", server.uri());
    let app = TestApp::spawn_with(|s| {
        s.bot.llm = Some(LlmConfig {
            base_url,
            api_key: None,
            model: "fake".into(),
            timeout: Duration::from_secs(10),
            max_tokens: 200,
        });
        s.web.rate_limits.simulator = 0;
        if let Some(b) = reply_budget {
            s.bot.reply_budget = b;
        }
    })
    .await;
    Showroom::on(app, "sinar").await
}

/// Ordinary traffic: requests the rules answer.
const ORDINARY: &[&str] = &[
    "halo kak",
    "ada mobil apa aja?",
    "avanza matic dibawah 200",
    "budget dua ratus ada apa",
    "yang pertama",
    "fotonya dong",
    "harganya berapa?",
    "bisa kredit? dp 30% tenor 4 thn",
    "alamatnya di mana?",
    "lokasine ning endi",
    "mau lihat langsung besok",
    "yang lebih murah ada?",
    "jangan yang manual",
    "brio atau xenia",
    "detail no 4",
    "foto no 2",
    "toyota 2019 keatas",
    "ok makasih kak",
    "selain toyota ada?",
    "suv diesel",
    "ada yang 150an?",
    "yang 2018 itu",
    "xenia MT",
    "nmax ada?",
    "masih ada?",
    "rush silver ready?",
    "mobil 7 seater",
    "keluar tol mana ya",
    "cicilan fortuner berapa per bulan",
    "p",
];

/// Open questions and long messages: the LLM's.
const OPEN: &[&str] = &[
    "tolong bandingkan kenyamanan kabin dua mobil keluarga",
    "kenapa diesel lebih awet?",
    "mana yang lebih cocok untuk keluarga kecil, brio atau xenia?",
    "bagusan mana rush sama fortuner buat luar kota",
    "apa bedanya avanza sama xenia",
    "rekomendasi mobil buat usaha laundry kiloan apa ya kak",
    "kak saya lagi bingung nih, kerja tiap hari lewat tol dalam kota, istri mau yang nyaman buat anak dua, \
     saya maunya yang irit, tapi sering juga ke kampung bawa barang banyak, enaknya ambil yang mana ya",
];

#[tokio::test]
async fn ordinary_traffic_stays_offline_and_open_questions_go_to_the_llm() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(answer(FROM_MODEL)).mount(&server).await;
    let s = showroom(&server, None).await;

    let mut offline = 0;
    for (i, msg) in ORDINARY.iter().enumerate() {
        // A new customer every 8 messages: under the per-sender limit of 10 a minute.
        let r = s.say(&format!("+628129999011{}", i / 8), msg).await;
        match r["handled_by"].as_str() {
            Some("offline") => offline += 1,
            _ => println!("to the LLM: {msg:?}"),
        }
    }
    let mut by_llm = 0;
    for (i, msg) in OPEN.iter().enumerate() {
        let r = s.say(&format!("+62812999902{i:02}"), msg).await;
        if r["handled_by"] == "llm" && text(&r) == FROM_MODEL {
            by_llm += 1;
        } else {
            println!("answered offline: {msg:?}");
        }
    }
    let total = ORDINARY.len() + OPEN.len();
    println!(
        "ordinary: {offline}/{} offline ({:.0} %); open questions and long messages: {by_llm}/{} by the LLM; \
         the whole mix: {:.0} % offline",
        ORDINARY.len(),
        100.0 * offline as f64 / ORDINARY.len() as f64,
        OPEN.len(),
        100.0 * (offline + OPEN.len() - by_llm) as f64 / total as f64
    );
    assert!(offline * 100 >= ORDINARY.len() * 90, "ordinary traffic answered offline: {offline}/{}", ORDINARY.len());
    assert_eq!(by_llm, OPEN.len(), "every open question and long message reaches the LLM");
    let requests = server.received_requests().await.unwrap().len();
    assert_eq!(requests, ORDINARY.len() - offline + by_llm, "no other message cost a request");
}

#[tokio::test]
async fn a_model_that_hangs_gets_the_offline_answer_out_within_the_budget() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(answer("terlambat").set_delay(Duration::from_secs(120)))
        .mount(&server)
        .await;
    let s = showroom(&server, Some(Duration::from_millis(1500))).await;
    let r = s.say("+6281299990301", "kenapa diesel lebih awet?").await;
    assert_eq!(r["handled_by"], "fallback", "{r}");
    let t = text(&r);
    assert!(!t.contains("terlambat") && t.contains("belum paham"), "the offline answer: {t}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1, "the model was asked");
}

#[tokio::test]
async fn a_model_that_answers_after_three_seconds_is_within_the_default_budget() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(answer("Diesel torsinya besar, cocok untuk beban berat.").set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let s = showroom(&server, None).await;
    assert_eq!(s.app.settings.bot.reply_budget, Duration::from_secs(5), "the default budget");
    let r = s.say("+6281299990302", "kenapa diesel lebih awet?").await;
    assert_eq!(r["handled_by"], "llm", "{r}");
    assert_eq!(text(&r), "Diesel torsinya besar, cocok untuk beban berat.");
}
