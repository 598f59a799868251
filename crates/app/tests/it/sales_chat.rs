//! Sales by chat through the real engine (the simulator): price and status changes in plain
//! words, shown and saved only after "ya", through the dashboard's use cases and audit; adding a
//! car by chat (one line or guided) and publishing it; questions about leads, where the owner's
//! own salesperson entry sees every lead. The role comes from the staff registry only.

use std::time::Duration;

use garasi_domain::Role;
use garasi_store::tenant::NewLead;
use serde_json::{Value, json};

use crate::bot::{CUSTOMER, SALES_PHONE, Showroom, text};
use crate::cars::update_car;
use crate::sales::add_sales;
use crate::support::Fetch;

const OTHER_SALES: &str = "0812-3333-4444";

impl Showroom {
    async fn car_now(&self, stock_no: i64) -> garasi_domain::car::Car {
        let mut tx = self.app.runtime_db().tenant(self.tenant).begin().await.unwrap();
        let car = tx.cars().by_stock_no(stock_no).await.unwrap().unwrap();
        tx.commit().await.unwrap();
        car
    }

    async fn audit_actions(&self) -> Vec<(String, String)> {
        let log = self.app.runtime_db().platform().audit_log(Some(self.tenant), 100, 0).await.unwrap();
        log.into_iter().map(|r| (r.action, r.actor_kind)).collect()
    }

    /// Moves the sender's pending change or flow past its expiry, wherever the engine keeps
    /// memory (the database without Redis, the shared store with it).
    async fn expire_pending(&self, phone: &str) {
        let state = &self.app.running.as_ref().unwrap().state;
        let engine = state.bot.as_ref().unwrap();
        let past = json!("2020-01-01T00:00:00Z");
        if engine.memory_kind() == "database" {
            let mut tx = self.app.runtime_db().tenant(self.tenant).begin_write().await.unwrap();
            let mut m = tx.bot_memory().get(phone, garasi_store::now()).await.unwrap().expect("memory");
            m["pending"]["expires_at"] = past;
            tx.bot_memory().put(phone, &m, garasi_store::now() + chrono::Duration::hours(1)).await.unwrap();
            tx.commit().await.unwrap();
        } else {
            let key = format!("bot:mem:{}:{phone}", self.tenant.0);
            let raw = state.kv.get(&key).await.unwrap().expect("memory");
            let mut m: Value = serde_json::from_str(&raw).unwrap();
            m["pending"]["expires_at"] = past;
            state.kv.set(&key, &m.to_string(), Duration::from_secs(3600)).await.unwrap();
        }
    }
}

#[tokio::test]
async fn a_salesperson_changes_prices_in_plain_words_after_confirming() {
    let s = Showroom::open().await;

    // Relative: shown first, nothing saved yet.
    let r = s.say(SALES_PHONE, "harga no 4 turun 5 jt").await;
    assert_eq!(r["intent"], "change_proposed", "{r}");
    let t = text(&r);
    assert!(t.contains("Harga Rush 2018 (no 4): Rp 175.000.000 → *Rp 170.000.000*."), "{t}");
    assert!(t.contains("Balas *ya* untuk menyimpan, *batal* untuk membatalkan."), "{t}");
    assert_eq!(s.car_now(4).await.fields.price, 175_000_000, "not saved before ya");
    assert!(!s.audit_actions().await.iter().any(|(a, _)| a == "car.price"));

    let r = s.say(SALES_PHONE, "ya").await;
    assert_eq!(r["intent"], "change_applied");
    assert!(text(&r).contains("Harga Rush 2018 (no 4) sekarang *Rp 170.000.000*"), "{}", text(&r));
    assert_eq!(s.car_now(4).await.fields.price, 170_000_000);
    assert!(
        s.audit_actions().await.contains(&("car.price".to_owned(), "sales".to_owned())),
        "audited as the salesperson, like a dashboard change"
    );
    // A second "ya" confirms nothing more.
    let r = s.say(SALES_PHONE, "ya").await;
    assert_ne!(r["intent"], "change_applied");

    // Absolute, in juta, then cancelled.
    s.expect_reply(SALES_PHONE, "no 4 jadi 160", &["Rp 170.000.000 → *Rp 160.000.000*"]).await;
    let r = s.say(SALES_PHONE, "batal").await;
    assert_eq!(r["intent"], "change_cancelled");
    assert_eq!(s.car_now(4).await.fields.price, 170_000_000);

    // A change answered with something else is dropped, not saved by a later "ya".
    s.expect_reply(SALES_PHONE, "no 4 jadi 150", &["*Rp 150.000.000*"]).await;
    s.say(SALES_PHONE, "/stok").await;
    let r = s.say(SALES_PHONE, "ya").await;
    assert_ne!(r["intent"], "change_applied");
    assert_eq!(s.car_now(4).await.fields.price, 170_000_000);

    // The car rules are the dashboard's: below the floor price is refused before "ya".
    let r = s.say(SALES_PHONE, "harga no 1 jadi 150jt").await;
    assert_eq!(r["intent"], "change_refused", "{r}");
    assert!(text(&r).contains("Mobil no. 1 tidak diubah"), "{}", text(&r));
    assert_eq!(s.car_now(1).await.fields.price, 195_000_000);

    // A change confirmed after it expired is not saved.
    s.expect_reply(SALES_PHONE, "no 4 naik 10 jt", &["*Rp 180.000.000*"]).await;
    s.expire_pending(SALES_PHONE_E164).await;
    let r = s.say(SALES_PHONE, "ya").await;
    assert_eq!(r["intent"], "change_expired");
    assert_eq!(s.car_now(4).await.fields.price, 170_000_000);

    // A change made elsewhere in between wins: the chat's change is not saved over it.
    s.expect_reply(SALES_PHONE, "no 4 turun 5jt", &["*Rp 165.000.000*"]).await;
    let resp = update_car(&s.app, &s.host(), &s.token, s.car_id(4), &json!({ "price": 172_000_000 })).fetch().await;
    assert_eq!(resp.status(), 200);
    s.expect_reply(SALES_PHONE, "ya", &["sudah berubah", "*tidak* disimpan"]).await;
    assert_eq!(s.car_now(4).await.fields.price, 172_000_000);

    // An unknown car, and a customer writing the same words: nothing to change.
    s.expect_reply(SALES_PHONE, "no 99 laku", &["no. 99 tidak ada di stok"]).await;
    let r = s.say(CUSTOMER, "harga no 4 turun 5 jt").await;
    assert_eq!(r["role"], "customer");
    assert_ne!(r["intent"], "change_proposed");
    let r = s.say(CUSTOMER, "ya").await;
    assert_ne!(r["intent"], "change_applied");
    assert_eq!(s.car_now(4).await.fields.price, 172_000_000);
}

const SALES_PHONE_E164: &str = crate::bot::SALES_E164;

#[tokio::test]
async fn a_salesperson_books_frees_and_sells_in_plain_words() {
    let s = Showroom::open().await;
    let steps: [(&str, &[&str], &str); 6] = [
        ("no 2 sudah DP, tahan dulu", &["Status Fortuner 2019 (no 2): Tersedia → *Booking*."], "change_proposed"),
        ("ya", &["ditandai *Booking*"], "change_applied"),
        ("no 2 batal booking", &["Booking → *Tersedia*"], "change_proposed"),
        ("ya", &["ditandai *Tersedia*"], "change_applied"),
        ("no 3 laku", &["Status Brio 2020 (no 3): Tersedia → *Terjual*."], "change_proposed"),
        ("iya", &["ditandai *Terjual*"], "change_applied"),
    ];
    for (msg, parts, intent) in steps {
        let r = s.say(SALES_PHONE, msg).await;
        assert_eq!(r["intent"], intent, "{msg}: {r}");
        let t = text(&r);
        for p in parts {
            assert!(t.contains(p), "{p:?} in the reply to {msg:?}: {t}");
        }
    }
    assert_eq!(s.car_now(2).await.fields.status.as_str(), "available");
    assert_eq!(s.car_now(3).await.fields.status.as_str(), "sold");
    let statuses = s.audit_actions().await.into_iter().filter(|(a, k)| a == "car.status" && k == "sales").count();
    assert_eq!(statuses, 3);
    // Already so: nothing to confirm.
    s.expect_reply(SALES_PHONE, "no 3 laku", &["memang sudah *Terjual*"]).await;
    let t = text(&s.say(CUSTOMER, "/list").await);
    assert!(!t.contains("Brio"), "a sold car is no longer offered: {t}");
}

#[tokio::test]
async fn a_salesperson_adds_a_car_by_chat_and_publishes_it() {
    let s = Showroom::open().await;

    // One line: a draft, not offered to customers.
    let r = s.say(SALES_PHONE, "/tambah avanza 1.5 g 2021 matic 195jt 38rb km putih").await;
    assert_eq!(r["intent"], "cmd_add");
    let t = text(&r);
    assert!(t.contains("Draf mobil *no. 6* dibuat: Toyota Avanza 1.5 G 2021 · Rp 195.000.000 · 38.000 km"), "{t}");
    assert!(t.contains("*/foto 6*") && t.contains("*/tayang 6*"), "{t}");
    let car = s.car_now(6).await;
    assert_eq!(car.fields.status.as_str(), "draft");
    assert_eq!((car.fields.mileage_km, car.fields.color.as_str()), (38_000, "Putih"));
    assert_eq!(car.fields.body_type.as_str(), "MPV");
    assert!(s.audit_actions().await.contains(&("car.create".to_owned(), "sales".to_owned())));
    s.expect_reply(CUSTOMER, "/detail 6", &["tidak ada di stok"]).await;

    // Published: on sale, with its link.
    s.expect_reply(SALES_PHONE, "/tayang 6", &["sekarang tayang di katalog", "/mobil/"]).await;
    assert_eq!(s.car_now(6).await.fields.status.as_str(), "available");
    s.expect_reply(CUSTOMER, "/detail 6", &["Avanza"]).await;
    s.expect_reply(SALES_PHONE, "/tayang 6", &["sudah tayang"]).await;

    // Guided: the missing fields are asked one by one; a bad answer is asked again.
    s.expect_reply(SALES_PHONE, "/tambah fortuner vrz", &["Tahun berapa?"]).await;
    s.expect_reply(SALES_PHONE, "gak tau", &["Belum terbaca", "Tahun berapa?"]).await;
    s.expect_reply(SALES_PHONE, "2020", &["Harga jualnya berapa?"]).await;
    s.expect_reply(SALES_PHONE, "455", &["*matic* atau *manual*"]).await;
    s.expect_reply(SALES_PHONE, "matic", &["Kilometernya berapa?"]).await;
    let t = s.expect_reply(SALES_PHONE, "60rb", &["Draf mobil *no. 7* dibuat"]).await;
    assert!(t.contains("Toyota Fortuner VRZ 2020 · Rp 455.000.000 · 60.000 km"), "{t}");
    let car = s.car_now(7).await;
    assert_eq!((car.fields.price, car.fields.year, car.fields.status.as_str()), (455_000_000, 2020, "draft"));

    // Cancelled half-way: nothing is created.
    s.expect_reply(SALES_PHONE, "/tambah", &["Merek dan modelnya apa?"]).await;
    s.expect_reply(SALES_PHONE, "brio 2019", &["Harga jualnya berapa?"]).await;
    s.expect_reply(SALES_PHONE, "batal", &["dibatalkan"]).await;
    let mut tx = s.app.runtime_db().tenant(s.tenant).begin().await.unwrap();
    assert!(tx.cars().by_stock_no(8).await.unwrap().is_none());
    tx.commit().await.unwrap();

    // A value the car rules refuse is explained in Indonesian.
    s.expect_reply(
        SALES_PHONE,
        "/tambah jazz rs 2099 matic 250jt 10rb km",
        &["belum bisa disimpan", "Tahun harus antara"],
    )
    .await;

    // Customers may not add or publish.
    s.expect_reply(CUSTOMER, "/tambah avanza 2021 matic 195jt", &["khusus untuk sales"]).await;
    s.expect_reply(CUSTOMER, "/tayang 7", &["khusus untuk sales"]).await;
    assert_eq!(s.car_now(7).await.fields.status.as_str(), "draft");
}

#[tokio::test]
async fn leads_by_chat_are_the_salespersons_own_and_the_owner_sees_all() {
    let s = Showroom::open().await;
    add_sales(&s.app, &s.slug, &s.token, "Agus", OTHER_SALES).await;
    let (rina, agus) = {
        let mut tx = s.app.runtime_db().tenant(s.tenant).begin().await.unwrap();
        let list = tx.sales().list(100, 0).await.unwrap();
        tx.commit().await.unwrap();
        let id = |name: &str| list.iter().find(|p| p.name == name).unwrap().id;
        (id("Rina"), id("Agus"))
    };
    let fortuner = s.car_id(2).parse().unwrap();
    let brio = s.car_id(3).parse().unwrap();
    let leads = [
        ("Budi", "+6281355550001", Some(fortuner), rina),
        ("Citra", "+6281355550002", Some(brio), rina),
        ("Dedi", "+6281355550003", Some(fortuner), agus),
    ];
    let mut tx = s.app.runtime_db().tenant(s.tenant).begin_write().await.unwrap();
    for (name, phone, car, sales) in leads {
        let new = NewLead {
            name: name.into(),
            car_id: car,
            assigned_sales_id: Some(sales),
            ..NewLead::new(garasi_domain::PhoneNumber::parse(phone).unwrap())
        };
        tx.leads().create(&new, "test").await.unwrap();
    }
    tx.commit().await.unwrap();

    let t = s.expect_reply(SALES_PHONE, "prospek saya", &["*Prospek Anda*: 2", "Budi", "Citra"]).await;
    assert!(!t.contains("Dedi"), "another salesperson's lead: {t}");
    let t = s.expect_reply(SALES_PHONE, "leads hari ini", &["hari ini: 2"]).await;
    assert!(t.contains("Fortuner") && t.contains("Brio"), "{t}");
    let t = s.expect_reply(SALES_PHONE, "siapa yang tanya fortuner?", &["_fortuner_: 1", "Budi"]).await;
    assert!(!t.contains("Citra") && !t.contains("Dedi"), "{t}");
    s.expect_reply(OTHER_SALES, "siapa yang tanya brio?", &["belum ada"]).await;

    // Agus's entry is the owner's own: the owner sees every lead, with who handles it.
    let mut tx = s.app.runtime_db().tenant(s.tenant).begin_write().await.unwrap();
    let owner = tx.users().list().await.unwrap().into_iter().find(|u| u.role == Role::Owner).unwrap();
    tx.user_sales_links().link(owner.id, agus).await.unwrap();
    tx.commit().await.unwrap();
    let t = s.expect_reply(OTHER_SALES, "siapa yang tanya fortuner?", &["*Semua prospek*", "_fortuner_: 2"]).await;
    assert!(t.contains("Budi") && t.contains("Dedi") && t.contains("Rina"), "{t}");
    s.expect_reply(OTHER_SALES, "prospek saya", &["*Semua prospek*: 3"]).await;

    // A customer asking the same gets no lead data.
    let r = s.say(CUSTOMER, "prospek saya").await;
    assert_ne!(r["intent"], "sales_leads");
    assert!(!text(&r).contains("Budi"));
}

/// Polls `f` until it has a value (the WhatsApp workers run in the background).
async fn eventually<T>(what: &str, mut f: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn pictures_sent_right_after_adding_a_car_by_whatsapp_are_its_photos() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, ResponseTemplate};

    use crate::whatsapp::{APP_SECRET, PNID, SALES_DIGITS, Wa, envelope, text_msg};

    let wa = Wa::cloud_ok().await;
    let jpeg = garasi_media::demo_car_image("FOTO", [90, 90, 100], 800, 600);
    for id in ["MEDIA-A", "MEDIA-B"] {
        Mock::given(method("GET"))
            .and(path(format!("/v23.0/{id}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "url": format!("{}/files/{id}", wa.graph.uri()), "mime_type": "image/jpeg", "id": id })))
            .mount(&wa.graph)
            .await;
        Mock::given(method("GET"))
            .and(path(format!("/files/{id}")))
            .respond_with(
                ResponseTemplate::new(200).set_body_bytes(jpeg.clone()).insert_header("content-type", "image/jpeg"),
            )
            .mount(&wa.graph)
            .await;
    }
    add_sales(&wa.app, &wa.slug, &wa.token, "Rina", crate::whatsapp::SALES_PHONE).await;
    let picture = |id: &str, media: &str| {
        json!([{ "from": SALES_DIGITS, "id": id, "timestamp": "1764000000", "type": "image",
            "image": { "mime_type": "image/jpeg", "id": media } }])
    };
    let texts = async || -> Vec<String> {
        crate::whatsapp::graph_sent(&wa.graph, "text")
            .await
            .iter()
            .filter_map(|m| m["text"]["body"].as_str().map(str::to_owned))
            .collect()
    };

    // A picture before any car was added by chat goes to the bot as an ordinary message.
    assert_eq!(wa.deliver(&envelope(PNID, picture("wamid.P0", "MEDIA-A")), Some(APP_SECRET)).await, 200);
    eventually("the bot's answer", async || texts().await.first().cloned()).await;

    let add = text_msg(SALES_DIGITS, "wamid.ADD", "/tambah brio rs 2020 manual 165jt 40rb km merah");
    assert_eq!(wa.deliver(&envelope(PNID, add), Some(APP_SECRET)).await, 200);
    eventually("the draft", async || texts().await.into_iter().find(|t| t.contains("Draf mobil *no. 1* dibuat"))).await;

    // Two pictures without a caption: both on car no. 1.
    for (id, media) in [("wamid.P1", "MEDIA-A"), ("wamid.P2", "MEDIA-B")] {
        assert_eq!(wa.deliver(&envelope(PNID, picture(id, media)), Some(APP_SECRET)).await, 200);
    }
    let car = eventually("two photos on the new car", async || {
        let mut tx = wa.app.runtime_db().tenant(wa.tenant).begin().await.unwrap();
        let car = tx.cars().by_stock_no(1).await.unwrap();
        tx.commit().await.unwrap();
        car.filter(|c| c.photos.len() == 2)
    })
    .await;
    assert_eq!(car.fields.status.as_str(), "draft");
    assert_eq!(car.fields.model, "Brio");
    eventually("the confirmations", async || {
        let n = texts().await.iter().filter(|t| t.contains("Foto ditambahkan ke mobil #1")).count();
        (n == 2).then_some(())
    })
    .await;
    wa.app.stop().await;
}
