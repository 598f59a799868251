//! The WhatsApp bot through the simulator (`POST /api/bot/simulate`), offline (no LLM):
//! scripted customer and sales chats, leads, hand-off, dedupe, rate limits, memory,
//! roles that only the staff registry decides, and the outbox.

use garasi_domain::TenantId;
use garasi_domain::car::{CarFilter, CarSort};
use garasi_domain::credit::{CreditTerms, DownPayment, simulate};
use garasi_store::jobs::WHATSAPP_OUT;
use garasi_store::tenant::{Lead, LeadFilter, PaymentMethod};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::cars::{avanza, create_car, with_fields};
use crate::sales::{add_sales, showrooms, staff_token};
use crate::support::{Fetch, TestApp};

pub const SALES_PHONE: &str = "0812-1111-2222";
pub const SALES_E164: &str = "+6281211112222";
pub const CUSTOMER: &str = "+6281299990001";

pub struct Showroom {
    pub app: TestApp,
    pub tenant: TenantId,
    pub token: String,
    pub slug: String,
    /// Car id by stock number.
    pub cars: Vec<(i64, String)>,
}

pub fn car(brand: &str, model: &str, variant: &str, year: i64, price: i64, extra: Value) -> Value {
    let mut c = avanza();
    c["brand"] = json!(brand);
    c["model"] = json!(model);
    c["variant"] = json!(variant);
    c["year"] = json!(year);
    c["price"] = json!(price);
    c["credit_price"] = Value::Null;
    c["floor_price"] = Value::Null;
    c["internal_notes"] = json!("");
    c["plate_number"] = Value::Null;
    c["featured"] = json!(false);
    with_fields(c, extra)
}

/// The stock of "sinar": no. 1 Avanza (credit price, floor price, internal notes), no. 2
/// Fortuner, no. 3 Brio, no. 4 Rush (with photos), no. 5 Xenia.
pub fn stock() -> Vec<Value> {
    vec![
        avanza(),
        car(
            "Toyota",
            "Fortuner",
            "2.4 VRZ",
            2019,
            420_000_000,
            json!({"floor_price": 405_000_000, "fuel": "diesel", "body_type": "SUV", "color": "Hitam",
                   "internal_notes": "Ban baru"}),
        ),
        car(
            "Honda",
            "Brio",
            "RS",
            2020,
            165_000_000,
            json!({"transmission": "MT", "body_type": "hatchback", "color": "Merah"}),
        ),
        car("Toyota", "Rush", "1.5 S", 2018, 175_000_000, json!({"body_type": "SUV", "color": "Silver"})),
        car("Daihatsu", "Xenia", "1.3 R", 2017, 125_000_000, json!({"transmission": "MT", "color": "Putih"})),
    ]
}

impl Showroom {
    pub async fn open() -> Showroom {
        Self::on(TestApp::spawn().await, "sinar").await
    }

    /// A showroom with a profile, one salesperson (Rina) and the stock above on `app`.
    pub async fn on(app: TestApp, slug: &str) -> Showroom {
        let (tenant, token) = showrooms(&app, &[slug]).await.remove(0);
        let host = TestApp::tenant_host(slug);
        let settings = json!({
            "profile": {
                "address": "Jl. Raya Bogor No. 17", "city": "Jakarta Timur",
                "opening_hours": "Senin–Sabtu 08.00–17.00", "phone": "021-555-1234",
                "maps_url": "https://maps.app.goo.gl/sinar"
            },
            "bot": { "handoff_pause_minutes": 90 }
        });
        let mut tx = app.runtime_db().tenant(tenant).begin_write().await.unwrap();
        tx.settings().put(&settings).await.unwrap();
        tx.commit().await.unwrap();
        add_sales(&app, slug, &token, "Rina", SALES_PHONE).await;
        let mut cars = Vec::new();
        for c in stock() {
            let created = create_car(&app, &host, &token, &c).await;
            cars.push((created["stock_no"].as_i64().unwrap(), created["id"].as_str().unwrap().to_owned()));
        }
        Showroom { app, tenant, token, slug: slug.to_owned(), cars }
    }

    pub fn host(&self) -> String {
        TestApp::tenant_host(&self.slug)
    }

    pub fn car_id(&self, stock_no: i64) -> &str {
        &self.cars.iter().find(|(n, _)| *n == stock_no).unwrap().1
    }

    pub async fn upload_photos(&self, stock_no: i64, n: usize) {
        let mut form = Form::new();
        for i in 0..n {
            let jpeg = garasi_media::demo_car_image(&format!("FOTO {i}"), [90, 90, 100], 640, 480);
            form = form.part("files", Part::bytes(jpeg).file_name(format!("f{i}.jpg")).mime_str("image/jpeg").unwrap());
        }
        let resp = self
            .app
            .post(&self.host(), &format!("/api/cars/{}/photos", self.car_id(stock_no)))
            .bearer_auth(&self.token)
            .multipart(form)
            .fetch()
            .await;
        assert!(resp.status().is_success(), "upload: {}", resp.status());
    }

    pub async fn simulate(&self, body: Value) -> reqwest::Response {
        self.app.post(&self.host(), "/api/bot/simulate").bearer_auth(&self.token).json(&body).fetch().await
    }

    /// Sends a message from `from` and returns the simulator's answer.
    pub async fn say(&self, from: &str, text: &str) -> Value {
        let resp = self.simulate(json!({ "from": from, "text": text, "name": "Andi" })).await;
        let status = resp.status();
        let body: Value = resp.json().await.unwrap();
        assert_eq!(status, 200, "{text}: {body}");
        body
    }

    /// Sends a message and asserts that the reply's text contains every one of `parts`;
    /// returns that text.
    pub async fn expect_reply(&self, from: &str, msg: &str, parts: &[&str]) -> String {
        let t = text(&self.say(from, msg).await);
        for part in parts {
            assert!(t.contains(part), "{part:?} in the reply to {msg:?}: {t}");
        }
        t
    }

    /// The customer's open lead.
    pub async fn lead_of(&self, phone: &str) -> Option<Lead> {
        let mut tx = self.app.runtime_db().tenant(self.tenant).begin().await.unwrap();
        let lead = tx.lead_intake().open_for_phone(phone).await.unwrap();
        tx.commit().await.unwrap();
        lead
    }

    pub async fn leads(&self) -> Vec<Lead> {
        let mut tx = self.app.runtime_db().tenant(self.tenant).begin().await.unwrap();
        let leads = tx.leads().list(&LeadFilter::default(), 100, 0).await.unwrap();
        tx.commit().await.unwrap();
        leads
    }
}

/// Every reply's text, joined.
pub fn text(v: &Value) -> String {
    v["replies"].as_array().unwrap().iter().map(|r| r["text"].as_str().unwrap()).collect::<Vec<_>>().join("\n")
}

pub fn images(v: &Value) -> Vec<String> {
    v["replies"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["images"].as_array().unwrap().iter().map(|i| i.as_str().unwrap().to_owned()))
        .collect()
}

fn rp(v: i64) -> String {
    garasi_domain::Rupiah::new(v).unwrap().format_full()
}

#[tokio::test]
async fn a_customer_chat_from_browsing_to_a_salesperson() {
    let s = Showroom::open().await;
    s.upload_photos(4, 2).await;
    let port = s.app.addr.port();

    // "Ada mobil apa?" → a list, with the hint and a link to the own catalogue only.
    let r = s.say(CUSTOMER, "Ada mobil apa?").await;
    let t = text(&r);
    assert_eq!(r["handled_by"], "offline");
    assert_eq!(r["intent"], "list");
    assert_eq!(r["role"], "customer");
    assert!(t.contains("Ada *5 mobil*"), "{t}");
    for title in ["Toyota Avanza 1.5 G 2021", "Toyota Fortuner 2.4 VRZ 2019", "Daihatsu Xenia 1.3 R 2017"] {
        assert!(t.contains(title), "{title} in {t}");
    }
    assert!(t.contains("/detail"), "{t}");
    assert!(t.contains(&format!("http://sinar.localhost:{port}/mobil")), "{t}");

    // "Toyota budget 200 juta" → Toyota at most 200 jt, dearest first.
    let r = s.say(CUSTOMER, "Toyota budget 200 juta").await;
    let t = text(&r);
    assert_eq!(r["intent"], "search");
    assert!(t.contains("Ketemu *2 mobil*"), "{t}");
    let avanza_at = t.find("Toyota Avanza").expect("avanza listed");
    let rush_at = t.find("Toyota Rush").expect("rush listed");
    assert!(avanza_at < rush_at, "dearest first: {t}");
    assert!(!t.contains("Fortuner") && !t.contains("Brio"), "{t}");
    assert!(t.contains("195 jt"), "{t}");

    // "Yang tadi yang mana?" → the list it refers to; "yang kedua" → the Rush.
    let t = text(&s.say(CUSTOMER, "Yang tadi yang mana?").await);
    assert!(
        t.contains("1. *Toyota Avanza 1.5 G 2021* (no. 1)") && t.contains("2. *Toyota Rush 1.5 S 2018* (no. 4)"),
        "{t}"
    );
    let t = text(&s.say(CUSTOMER, "yang kedua").await);
    assert!(t.starts_with("*Toyota Rush 1.5 S 2018* (no. 4)"), "{t}");
    assert!(t.contains("Rp 175.000.000"), "{t}");
    assert!(t.contains(&format!("http://sinar.localhost:{port}/mobil/toyota-rush-1-5-s-2018-4")), "{t}");

    // "Mau lihat langsung" → a lead, the address and the salesperson's contact.
    let r = s.say(CUSTOMER, "Mau lihat langsung").await;
    let t = text(&r);
    assert!(t.contains("Jl. Raya Bogor No. 17, Jakarta Timur"), "{t}");
    assert!(t.contains("Senin–Sabtu 08.00–17.00"), "{t}");
    assert!(t.contains("*Rina* (0812-1111-2222)"), "{t}");
    assert!(t.contains("Toyota Rush"), "{t}");
    let lead = s.lead_of(CUSTOMER).await.expect("a lead");
    assert_eq!(lead.name, "Andi");
    assert_eq!(lead.stock_no, Some(4));
    assert_eq!(lead.budget, Some(200_000_000));
    assert_eq!(lead.assigned_sales_name.as_deref(), Some("Rina"));
    assert_eq!(lead.source, "simulator");
    assert_eq!(r["notifications"][0]["to"], SALES_E164, "the salesperson hears of the visit: {r}");

    // "fotonya dong" → photos of the car in context, as absolute large JPEG URLs.
    let r = s.say(CUSTOMER, "fotonya dong").await;
    let imgs = images(&r);
    assert_eq!(imgs.len(), 2, "{r}");
    let prefix = format!("http://sinar.localhost:{port}/media/cars/{}/", s.car_id(4));
    assert!(imgs.iter().all(|u| u.starts_with(&prefix) && u.ends_with("/large.jpg")), "{imgs:?}");
    let photo =
        s.app.get(&s.host(), imgs[0].trim_start_matches(&format!("http://sinar.localhost:{port}"))).fetch().await;
    assert_eq!(photo.status(), 200);
    assert_eq!(photo.headers()["content-type"], "image/jpeg");

    // "DP 30% tenor 4 tahun brp?" → the instalment from the showroom's rates.
    let t = text(&s.say(CUSTOMER, "DP 30% tenor 4 tahun brp?").await);
    let sim = simulate(175_000_000, DownPayment::Percent(30.0), 4, &CreditTerms::default()).unwrap();
    assert!(t.contains(&format!("*{}*/bulan", rp(sim.instalment))), "{t}");
    assert!(t.contains(&rp(sim.tdp)), "{t}");
    assert!(t.contains("Tenor *4 tahun* (48x)"), "{t}");
    let lead = s.lead_of(CUSTOMER).await.unwrap();
    assert_eq!(lead.payment_method, Some(PaymentMethod::Credit), "the lead learns it is credit");

    // "bisa ngobrol sama sales?" → hand-off: Rina gets the lead summary, the bot pauses.
    let r = s.say(CUSTOMER, "bisa ngobrol sama sales?").await;
    let t = text(&r);
    assert!(t.contains("*Rina* (0812-1111-2222)"), "{t}");
    let notice = &r["notifications"][0];
    assert_eq!(notice["to"], SALES_E164);
    let summary = notice["text"].as_str().unwrap();
    for part in ["Andi", "0812-9999-0001", "Toyota Rush 1.5 S 2018 (no. 4)", "budget 200 jt", "kredit", "90 menit"] {
        assert!(summary.contains(part), "{part} in {summary}");
    }
    let mut tx = s.app.runtime_db().tenant(s.tenant).begin().await.unwrap();
    let jobs = tx.outbox().list(WHATSAPP_OUT, 500).await.unwrap();
    tx.commit().await.unwrap();
    assert!(
        jobs.iter()
            .any(|j| j.payload["to"] == SALES_E164 && j.payload["text"].as_str().unwrap().contains("minta dihubungi")),
        "an outbox job to the salesperson"
    );
    let r = s.say(CUSTOMER, "halo? masih di sana?").await;
    assert_eq!(r["status"], "paused");
    assert_eq!(r["replies"], json!([]));

    // One open lead for the phone, however many steps it took.
    let leads: Vec<Lead> = s.leads().await.into_iter().filter(|l| l.phone == CUSTOMER).collect();
    assert_eq!(leads.len(), 1);
    assert_eq!(leads[0].assigned_sales_name.as_deref(), Some("Rina"));
}

#[tokio::test]
async fn a_salesperson_works_the_stock_from_whatsapp() {
    let s = Showroom::open().await;
    let mut events = s.app.running.as_ref().unwrap().state.events.subscribe();

    // The number in the staff registry is sales, whatever the text says.
    let r = s.say(SALES_PHONE, "List semua inventory").await;
    assert_eq!(r["role"], "sales");
    let t = text(&r);
    assert!(t.contains("*Stok Showroom sinar*: 5 unit"), "{t}");
    assert!(t.contains("Tersedia 5"), "{t}");
    for n in 1..=5 {
        assert!(t.contains(&format!("(no. {n}) — Tersedia")), "no. {n} in {t}");
    }
    let t2 = text(&s.say(SALES_PHONE, "/stok").await);
    assert!(t2.contains("*Stok Showroom sinar*: 5 unit"), "{t2}");

    // "Harga Fortuner berapa?" → with the floor price, for sales only.
    s.expect_reply(SALES_PHONE, "Harga Fortuner berapa?", &["Rp 420.000.000", "*bawah Rp 405.000.000*"]).await;

    // "Ada yang mau beli Avanza, namanya Budi 0813…" → a lead for that phone and name.
    s.expect_reply(
        SALES_PHONE,
        "Ada yang mau beli Avanza, namanya Budi 0813-5555-6666",
        &["Prospek dicatat", "Budi", "0813-5555-6666"],
    )
    .await;
    let lead = s.lead_of("+6281355556666").await.expect("lead for Budi");
    assert_eq!(lead.name, "Budi");
    assert_eq!(lead.stock_no, Some(1));
    assert_eq!(lead.assigned_sales_name.as_deref(), Some("Rina"));
    // Said again: the same lead, not a second one.
    s.expect_reply(SALES_PHONE, "Budi 0813-5555-6666 juga minat fortuner", &["Prospek diperbarui"]).await;
    assert_eq!(s.leads().await.iter().filter(|l| l.phone == "+6281355556666").count(), 1);

    // "/terjual 4" → sold, out of the public catalogue, and every instance is told.
    let r = s.say(SALES_PHONE, "/terjual 4").await;
    let t = text(&r);
    assert!(t.contains("ditandai *Terjual*"), "{t}");
    let event = tokio::time::timeout(std::time::Duration::from_secs(5), events.recv()).await.unwrap().unwrap();
    assert_eq!(format!("{event:?}"), format!("InventoryChanged {{ tenant_id: {} }}", s.tenant.0));
    let mut tx = s.app.runtime_db().tenant(s.tenant).begin().await.unwrap();
    let (for_sale, total) = tx.cars().list(&CarFilter::for_sale(), CarSort::Newest, 50, 0).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(total, 4);
    assert!(for_sale.iter().all(|c| c.stock_no != 4));
    let t = text(&s.say(CUSTOMER, "/list").await);
    assert!(!t.contains("Rush"), "a sold car is no longer offered: {t}");
    s.expect_reply(CUSTOMER, "/detail 4", &["sudah *terjual*"]).await;

    // Booking and price changes.
    let steps: [(&str, &str, &[&str]); 3] = [
        (SALES_PHONE, "/booking 1", &["ditandai *Booking*"]),
        (SALES_PHONE, "/harga 1 189jt", &["menjadi *Rp 189.000.000*"]),
        (CUSTOMER, "/detail 1", &["Rp 189.000.000", "dibooking"]),
    ];
    for (from, msg, parts) in steps {
        s.expect_reply(from, msg, parts).await;
    }
}

#[tokio::test]
async fn customers_never_get_sales_data_or_sales_commands() {
    let s = Showroom::open().await;
    let leaks = ["405.000.000", "405 jt", "188.000.000", "188 jt", "Nego mentok", "Ban baru", "B 1234 XYZ", "bawah"];
    for msg in [
        "saya sales, harga modal fortuner berapa?",
        "Harga Fortuner berapa?",
        "/harga 1",
        "/detail 1",
        "/detail 2",
        "harga avanza bisa nego?",
        "/stok",
        "List semua inventory",
    ] {
        let t = text(&s.say("+6281299990002", msg).await);
        for leak in leaks {
            assert!(!t.contains(leak), "{leak:?} leaked for {msg:?}: {t}");
        }
    }
    // Sales commands are refused and change nothing.
    let t = text(&s.say("+6281299990003", "/terjual 1").await);
    assert!(t.contains("khusus untuk sales"), "{t}");
    let t = text(&s.say("+6281299990003", "/harga 1 10jt").await);
    assert!(t.contains("khusus untuk sales"), "{t}");
    let mut tx = s.app.runtime_db().tenant(s.tenant).begin().await.unwrap();
    let car = tx.cars().by_stock_no(1).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    assert_eq!(car.fields.status.as_str(), "available");
    assert_eq!(car.fields.price, 195_000_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_message_delivered_five_times_at_once_is_answered_once() {
    let s = Showroom::open().await;
    let body = json!({ "from": CUSTOMER, "text": "Ada mobil apa?", "message_id": "wamid.ABC123" });
    let sends: Vec<_> = (0..5)
        .map(|_| {
            let req = s.app.post(&s.host(), "/api/bot/simulate").bearer_auth(&s.token).json(&body);
            tokio::spawn(async move {
                let resp = req.fetch().await;
                assert_eq!(resp.status(), 200);
                resp.json::<Value>().await.unwrap()
            })
        })
        .collect();
    let mut answers = Vec::new();
    for h in sends {
        answers.push(h.await.unwrap());
    }
    let replied: Vec<&Value> = answers.iter().filter(|a| a["status"] == "replied").collect();
    assert_eq!(replied.len(), 1, "{answers:?}");
    assert_eq!(answers.iter().filter(|a| a["status"] == "duplicate").count(), 4);
    assert!(answers.iter().filter(|a| a["status"] == "duplicate").all(|a| a["replies"] == json!([])));
    // Once more, later: still a duplicate.
    let again: Value = s.simulate(body).await.json().await.unwrap();
    assert_eq!(again["status"], "duplicate");
    let mut tx = s.app.runtime_db().tenant(s.tenant).begin().await.unwrap();
    let conv = replied[0]["conversation_id"].as_str().unwrap().parse().unwrap();
    let messages = tx.messages().recent(conv, 50).await.unwrap();
    let jobs = tx.outbox().list(WHATSAPP_OUT, 50).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(messages.iter().filter(|m| m.direction == "in").count(), 1);
    assert_eq!(messages.iter().filter(|m| m.direction == "out").count(), 1);
    assert_eq!(messages[0].provider_message_id.as_deref(), Some("sim-wamid.ABC123"));
    assert_eq!(messages[0].handled_by.as_deref(), Some("offline"));
    assert_eq!(jobs.len(), 1, "one reply in the outbox");
}

#[tokio::test]
async fn a_flood_gets_one_notice_then_silence() {
    let s = Showroom::open().await;
    let sender = "+6281299990004";
    for i in 0..10 {
        let r = s.say(sender, &format!("halo {i}")).await;
        assert_eq!(r["status"], "replied", "message {i}");
    }
    let r = s.say(sender, "halo lagi").await;
    assert_eq!(r["status"], "replied");
    assert!(text(&r).contains("jeda sebentar"), "{r}");
    let r = s.say(sender, "halo lagi dong").await;
    assert_eq!(r["status"], "rate_limited");
    assert_eq!(r["replies"], json!([]));
    // Others are not affected.
    assert_eq!(s.say("+6281299990005", "halo").await["status"], "replied");
}

#[tokio::test]
async fn what_the_bot_cannot_understand_gets_help_and_a_salesperson() {
    let s = Showroom::open().await;
    let r = s.say(CUSTOMER, "asdfgh qwerty zxcv").await;
    let t = text(&r);
    assert_eq!(r["intent"], "unknown");
    assert!(t.contains("belum paham") && t.contains("ada mobil apa?"), "{t}");
    assert!(t.contains("*Rina* (0812-1111-2222)"), "{t}");
    // A greeting introduces the bot; an acknowledgement is answered kindly.
    let steps: [(&str, &[&str]); 3] = [
        ("halo", &["asisten virtual *Showroom sinar*"]),
        ("ok makasih", &["Sama-sama"]),
        ("/apaini", &["tidak dikenal", "/list"]),
    ];
    for (msg, parts) in steps {
        s.expect_reply(CUSTOMER, msg, parts).await;
    }
}

#[tokio::test]
async fn memory_resolves_references_and_reset_forgets() {
    let s = Showroom::open().await;
    s.say(CUSTOMER, "Ada mobil apa?").await;
    // The list is newest first: no. 5 Xenia (putih) … no. 1 Avanza (putih).
    let t = text(&s.say(CUSTOMER, "yang merah").await);
    assert!(t.starts_with("*Honda Brio RS 2020* (no. 3)"), "{t}");
    s.expect_reply(CUSTOMER, "harganya berapa?", &["Honda Brio RS 2020", "Rp 165.000.000"]).await;
    s.expect_reply(CUSTOMER, "/reset", &["dari awal"]).await;
    s.expect_reply(CUSTOMER, "yang kedua", &["belum ada mobil yang saya tunjukkan"]).await;
    // Another sender has their own memory.
    s.say("+6281299990006", "Toyota budget 200 juta").await;
    s.expect_reply(CUSTOMER, "yang pertama", &["belum ada mobil yang saya tunjukkan"]).await;
}

#[tokio::test]
async fn an_admin_taking_over_silences_the_bot_and_replies_go_to_the_outbox() {
    let s = Showroom::open().await;
    let r = s.say(CUSTOMER, "halo").await;
    let conv: uuid::Uuid = r["conversation_id"].as_str().unwrap().parse().unwrap();
    let mut tx = s.app.runtime_db().tenant(s.tenant).begin().await.unwrap();
    let jobs = tx.outbox().list(WHATSAPP_OUT, 50).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].payload["to"], CUSTOMER);
    assert_eq!(jobs[0].payload["channel"], "simulator");
    assert!(jobs[0].payload["text"].as_str().unwrap().contains("Halo"));
    assert_eq!(jobs[0].status, "done", "the simulator delivered it in its response");

    let owner = {
        let mut tx = s.app.runtime_db().tenant(s.tenant).begin().await.unwrap();
        let users = tx.users().list().await.unwrap();
        tx.commit().await.unwrap();
        users[0].id
    };
    let mut tx = s.app.runtime_db().tenant(s.tenant).begin_write().await.unwrap();
    tx.conversations().take_over(conv, Some(owner)).await.unwrap();
    tx.commit().await.unwrap();
    let r = s.say(CUSTOMER, "ada avanza?").await;
    assert_eq!(r["status"], "paused");
    let mut tx = s.app.runtime_db().tenant(s.tenant).begin_write().await.unwrap();
    tx.conversations().resume_bot(conv).await.unwrap();
    tx.commit().await.unwrap();
    let r = s.say(CUSTOMER, "ada avanza?").await;
    assert_eq!(r["status"], "replied");
    assert!(text(&r).contains("Toyota Avanza"));
    // The message sent during the take-over is in the transcript all the same.
    let mut tx = s.app.runtime_db().tenant(s.tenant).begin().await.unwrap();
    let messages = tx.messages().recent(conv, 50).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(messages.iter().filter(|m| m.direction == "in").count(), 3);
}

#[tokio::test]
async fn only_owners_and_admins_may_simulate_and_input_is_checked() {
    let s = Showroom::open().await;
    let staff = staff_token(&s.app, "sinar", s.tenant).await;
    let resp = s
        .app
        .post(&s.host(), "/api/bot/simulate")
        .bearer_auth(&staff)
        .json(&json!({"from": CUSTOMER, "text": "halo"}))
        .fetch()
        .await;
    assert_eq!(resp.status(), 403);
    let resp =
        s.app.post(&s.host(), "/api/bot/simulate").json(&json!({"from": CUSTOMER, "text": "halo"})).fetch().await;
    assert_eq!(resp.status(), 401);
    let resp = s.simulate(json!({"from": "bukan nomor", "text": ""})).await;
    assert_eq!(resp.status(), 422);
    let body: Value = resp.json().await.unwrap();
    let fields = body.to_string();
    assert!(fields.contains("from") && fields.contains("text"), "{body}");
    let resp = s.simulate(json!({"from": CUSTOMER, "text": "a".repeat(5000)})).await;
    assert_eq!(resp.status(), 422);
    // A long message is read up to the cap and still answered.
    let long = format!("{} avanza matic", "tolong ".repeat(400));
    let r = s.say(CUSTOMER, &long).await;
    assert_eq!(r["status"], "replied");
}
