//! The showroom dashboard (`/admin`): login and logout by form, redirects to the login
//! page, every page rendering, form validation messages, htmx actions, the same-origin
//! check, and that no page shows another showroom's data.

use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::{Value, json};

use crate::bot::{SALES_PHONE, Showroom};
use crate::cars::{avanza, create_car};
use crate::support::{Fetch, STRONG_PASSWORD, TestApp};

/// Every page of the dashboard that needs a session.
pub const PAGES: &[&str] = &[
    "/admin",
    "/admin/cars",
    "/admin/cars/new",
    "/admin/cars/import",
    "/admin/sales",
    "/admin/leads",
    "/admin/leads/board",
    "/admin/conversations",
    "/admin/analytics",
    "/admin/whatsapp",
    "/admin/bot",
    "/admin/settings",
    "/admin/bantuan",
];

/// `application/x-www-form-urlencoded`, as a browser submits a form.
pub trait FormBody {
    fn form_pairs(self, pairs: &[(&str, &str)]) -> Self;
}

impl FormBody for reqwest::RequestBuilder {
    fn form_pairs(self, pairs: &[(&str, &str)]) -> Self {
        fn enc(s: &str) -> String {
            s.bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => (b as char).to_string(),
                    b' ' => "+".to_owned(),
                    _ => format!("%{b:02X}"),
                })
                .collect()
        }
        let body = pairs.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&");
        self.header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(body)
    }
}

pub fn cookie(token: &str) -> String {
    format!("garasi_session={token}")
}

/// A page as a browser gets it with the session cookie.
pub async fn page(app: &TestApp, host: &str, token: &str, path: &str) -> (StatusCode, String) {
    let resp = app.get(host, path).header(COOKIE, cookie(token)).fetch().await;
    let status = resp.status();
    (status, resp.text().await.unwrap())
}

/// A form post as htmx sends it from one of our pages.
pub async fn hx_post(app: &TestApp, host: &str, token: &str, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    app.post(host, path)
        .header(COOKIE, cookie(token))
        .header("sec-fetch-site", "same-origin")
        .header("hx-request", "true")
        .form_pairs(form)
        .fetch()
        .await
}

/// The logout button of a dashboard (`path` differs between the two dashboards).
pub async fn logout_form(app: &TestApp, host: &str, path: &str, token: &str) -> reqwest::Response {
    app.post(host, path).header(COOKIE, cookie(token)).header("sec-fetch-site", "same-origin").fetch().await
}

pub fn location(resp: &reqwest::Response) -> String {
    resp.headers().get(LOCATION).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

async fn login_form(app: &TestApp, host: &str, email: &str, password: &str, next: &str) -> reqwest::Response {
    app.post(host, "/admin/login")
        .header("sec-fetch-site", "same-origin")
        .form_pairs(&[("email", email), ("password", password), ("next", next)])
        .fetch()
        .await
}

#[tokio::test]
async fn pages_without_a_session_go_to_the_login_page() {
    let (app, _root) = TestApp::with_tenants(&[("sinar", "Sinar Jaya")]).await;
    let host = TestApp::tenant_host("sinar");
    for path in PAGES.iter().chain(&["/admin/cars/0195f3b2-7c4e-7d0a-9f3e-123456789abc", "/admin/leads/x"]) {
        let resp = app.get(&host, path).fetch().await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{path}");
        let to = location(&resp);
        assert!(to.starts_with("/admin/login"), "{path} → {to}");
        if *path != "/admin" {
            assert!(to.contains("next=%2Fadmin"), "{path} remembers where to go: {to}");
        }
    }
    // htmx follows HX-Redirect instead of swapping a login page into a fragment.
    let resp = app.get(&host, "/admin/cars").header("hx-request", "true").fetch().await;
    assert_eq!(resp.headers()["hx-redirect"], "/admin/login");
    // A bad cookie is no session either.
    let resp = app.get(&host, "/admin").header(COOKIE, cookie("palsu")).fetch().await;
    assert_eq!(location(&resp), "/admin/login");
    // Actions too, without a `next`.
    let resp = app
        .post(&host, "/admin/cars")
        .header("sec-fetch-site", "same-origin")
        .form_pairs(&[("brand", "Toyota")])
        .fetch()
        .await;
    assert_eq!((resp.status(), location(&resp).as_str()), (StatusCode::SEE_OTHER, "/admin/login"));
    // The login page itself is public, in Indonesian, and never cached.
    let resp = app.get(&host, "/admin/login").fetch().await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let html = resp.text().await.unwrap();
    assert!(html.contains("<html lang=\"id\">") && html.contains("Sinar Jaya") && html.contains("Kata sandi"));
    assert!(html.contains("name=\"email\"") && html.contains("required"));
}

#[tokio::test]
async fn the_login_form_signs_in_and_out_with_the_api_session_and_throttle() {
    let (app, _root) = TestApp::with_tenants(&[("sinar", "Sinar Jaya")]).await;
    let host = TestApp::tenant_host("sinar");

    let wrong = login_form(&app, &host, "owner@sinar.test", "salah-sekali", "/admin").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.headers().get(SET_COOKIE).is_none());
    let html = wrong.text().await.unwrap();
    assert!(html.contains("Email atau kata sandi salah.") && html.contains("value=\"owner@sinar.test\""));

    let ok = login_form(&app, &host, "owner@sinar.test", STRONG_PASSWORD, "/admin/cars?status=available").await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&ok), "/admin/cars?status=available&notice=login");
    let set = ok.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(set.starts_with("garasi_session=") && set.contains("HttpOnly") && set.contains("SameSite=Lax"), "{set}");
    let token = set.trim_start_matches("garasi_session=").split(';').next().unwrap().to_owned();

    // The same session works for the JSON API (it is the API's session).
    let me = app.get(&host, "/api/auth/me").bearer_auth(&token).fetch().await;
    assert_eq!(me.status(), 200);
    let (status, html) = page(&app, &host, &token, "/admin?notice=login").await;
    assert_eq!(status, 200);
    assert!(html.contains("Selamat datang kembali.") && html.contains("Sinar Jaya"));
    // Logged in already: the login page goes to the dashboard.
    let resp = app.get(&host, "/admin/login").header(COOKIE, cookie(&token)).fetch().await;
    assert_eq!(location(&resp), "/admin");

    // `next` never leaves the dashboard.
    for evil in ["https://evil.test/admin", "//evil.test/admin", "/mobil"] {
        let resp = login_form(&app, &host, "owner@sinar.test", STRONG_PASSWORD, evil).await;
        assert_eq!(location(&resp), "/admin?notice=login", "{evil}");
    }

    let out = logout_form(&app, &host, "/admin/logout", &token).await;
    assert_eq!((out.status(), location(&out).as_str()), (StatusCode::SEE_OTHER, "/admin/login"));
    assert!(out.headers()[SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));
    let resp = app.get(&host, "/admin").header(COOKIE, cookie(&token)).fetch().await;
    assert_eq!(location(&resp), "/admin/login", "the session is gone on the server");

    // The API's throttle applies to the form too.
    let mut last = StatusCode::OK;
    for _ in 0..6 {
        last = login_form(&app, &host, "owner@sinar.test", "salah-lagi", "/admin").await.status();
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    let resp = login_form(&app, &host, "owner@sinar.test", STRONG_PASSWORD, "/admin").await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    assert!(resp.text().await.unwrap().contains("Terlalu banyak percobaan masuk"));
}

/// Seeds a lead through the bot and returns (lead id, conversation id).
async fn lead_from_bot(shop: &Showroom, phone: &str) -> (String, String) {
    shop.say(phone, "Ada Avanza matic budget 200 juta?").await;
    shop.say(phone, "mobil no 1 masih ada?").await;
    shop.say(phone, "Mau lihat langsung").await;
    let lead = shop.lead_of(phone).await.expect("the bot opened a lead");
    let conversation = lead.conversation_id.expect("lead has its chat").to_string();
    (lead.id.to_string(), conversation)
}

#[tokio::test]
async fn every_page_renders_with_data_and_empty() {
    let (app, empty_token) = TestApp::with_showroom("kosong", "Showroom Kosong").await;
    let empty_host = TestApp::tenant_host("kosong");
    // Empty states: every list says what to do next.
    for path in PAGES {
        let (status, html) = page(&app, &empty_host, &empty_token, path).await;
        assert_eq!(status, 200, "{path}: {html}");
        assert!(html.contains("<main id=\"isi\""), "{path} has the layout");
    }
    let (_, cars) = page(&app, &empty_host, &empty_token, "/admin/cars").await;
    assert!(cars.contains("Belum ada mobil"));
    let (_, leads) = page(&app, &empty_host, &empty_token, "/admin/leads").await;
    assert!(leads.contains("Belum ada prospek"));
    let (_, chats) = page(&app, &empty_host, &empty_token, "/admin/conversations").await;
    assert!(chats.contains("Belum ada percakapan"));

    let shop = Showroom::on(app, "sinar").await;
    let app = &shop.app;
    let host = shop.host();
    let (lead, conversation) = lead_from_bot(&shop, "+6281311112222").await;
    let sales_id = {
        let mut tx = app.runtime_db().tenant(shop.tenant).begin().await.unwrap();
        let s = tx.sales().list(10, 0).await.unwrap();
        tx.commit().await.unwrap();
        s[0].id.to_string()
    };
    let detail_pages = [
        format!("/admin/cars/{}", shop.car_id(1)),
        format!("/admin/cars/{}/photos", shop.car_id(1)),
        format!("/admin/leads/{lead}"),
        format!("/admin/conversations/{conversation}"),
        format!("/admin/sales/{sales_id}"),
    ];
    for path in PAGES.iter().map(|p| p.to_string()).chain(detail_pages) {
        let (status, html) = page(app, &host, &shop.token, &path).await;
        assert_eq!(status, 200, "{path}");
        assert!(!html.contains("Terjadi kesalahan"), "{path}");
    }
    let (_, cars) = page(app, &host, &shop.token, "/admin/cars?q=avanza&status=available&sort=price_asc").await;
    assert!(cars.contains("Toyota Avanza"));
    assert!(!cars.contains("Honda Brio"), "search filters the table");
    // htmx asks for the results only.
    let resp = app
        .get(&host, "/admin/cars?q=brio")
        .header(COOKIE, cookie(&shop.token))
        .header("hx-request", "true")
        .header("hx-target", "results")
        .fetch()
        .await;
    let fragment = resp.text().await.unwrap();
    assert!(fragment.contains("Honda Brio") && !fragment.contains("<html"), "{fragment}");

    let (_, dash) = page(app, &host, &shop.token, "/admin").await;
    assert!(dash.contains("Prospek terbaru") && dash.contains("Andi"), "recent leads");
    let (_, chat) = page(app, &host, &shop.token, &format!("/admin/conversations/{conversation}")).await;
    assert!(chat.contains("budget 200 juta?") && chat.contains("bubble-out"), "the thread with the bot's replies");
    let (_, analytics) = page(app, &host, &shop.token, "/admin/analytics?days=7").await;
    assert!(analytics.contains("<svg class=\"chart\"") && analytics.contains("Prospek baru per hari"));
    let (_, board) = page(app, &host, &shop.token, "/admin/leads/board").await;
    assert!(board.contains("Andi") && board.contains("Tandai sudah dihubungi"));
    let (_, bot) = page(app, &host, &shop.token, "/admin/bot").await;
    assert!(bot.contains("data-bot-sim=\"/api/bot/simulate\"") && bot.contains("Sales: Rina"));
    // Unknown ids are plain 404s.
    let (status, _) = page(app, &host, &shop.token, "/admin/leads/0195f3b2-7c4e-7d0a-9f3e-123456789abc").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn no_page_shows_another_showrooms_data() {
    let shop = Showroom::on(TestApp::spawn().await, "sinar").await;
    let app = &shop.app;
    let (lead, conversation) = lead_from_bot(&shop, "+6281399998888").await;
    // A second showroom with its own owner; nothing of Sinar's may appear on its pages.
    let other = app.add_showroom("berkah", "Berkah Mobil").await;
    let other_host = TestApp::tenant_host("berkah");
    let sales_id = {
        let mut tx = app.runtime_db().tenant(shop.tenant).begin().await.unwrap();
        let s = tx.sales().list(10, 0).await.unwrap();
        tx.commit().await.unwrap();
        s[0].id.to_string()
    };
    let markers = ["Brio", "Fortuner", "Xenia", "Andi", "Rina", "0813-9999-8888", "Showroom sinar"];
    for path in PAGES {
        let (status, html) = page(app, &other_host, &other, path).await;
        assert_eq!(status, 200, "{path}");
        for m in markers {
            assert!(!html.contains(m), "{path} on Berkah shows {m}");
        }
    }
    for path in [
        format!("/admin/cars/{}", shop.car_id(1)),
        format!("/admin/cars/{}/photos", shop.car_id(1)),
        format!("/admin/leads/{lead}"),
        format!("/admin/conversations/{conversation}"),
        format!("/admin/sales/{sales_id}"),
    ] {
        let (status, html) = page(app, &other_host, &other, &path).await;
        assert_eq!(status, 404, "{path} on Berkah");
        assert!(!html.contains("Avanza") && !html.contains("Andi"));
    }
    // Nor may Berkah change Sinar's rows through Berkah's host.
    let car = shop.car_id(1).to_owned();
    for (path, form) in [
        (format!("/admin/cars/{car}/status"), vec![("status", "sold")]),
        (format!("/admin/cars/{car}/delete"), vec![]),
        (format!("/admin/leads/{lead}/status"), vec![("status", "lost")]),
        (format!("/admin/leads/{lead}/notes"), vec![("note", "curang")]),
        (format!("/admin/conversations/{conversation}/takeover"), vec![]),
        (format!("/admin/sales/{sales_id}/delete"), vec![]),
    ] {
        let resp = hx_post(app, &other_host, &other, &path, &form).await;
        assert_eq!(resp.status(), 404, "{path}");
    }
    let lead_now = shop.leads().await.into_iter().find(|l| l.id.to_string() == lead).unwrap();
    assert_ne!(lead_now.status.as_str(), "lost");
    // Sinar's session is nothing on Berkah's host.
    let resp = app.get(&other_host, "/admin").header(COOKIE, cookie(&shop.token)).fetch().await;
    assert_eq!(location(&resp), "/admin/login");
}

#[tokio::test]
async fn the_car_form_shows_the_servers_messages_next_to_each_field() {
    let (app, token) = TestApp::with_showroom("sinar", "Sinar").await;
    let host = TestApp::tenant_host("sinar");

    // The browser checks first: required fields and ranges are on the inputs.
    let (_, form) = page(&app, &host, &token, "/admin/cars/new").await;
    for attr in ["name=\"brand\"", "min=\"1950\"", "max=\"2000000\"", "required", "data-rupiah", "name=\"spec_key\""] {
        assert!(form.contains(attr), "{attr}");
    }
    // The server checks again, with `CarFields::from_json`'s own messages.
    let resp = hx_post(
        &app,
        &host,
        &token,
        "/admin/cars",
        &[
            ("brand", ""),
            ("model", "Avanza"),
            ("year", "1800"),
            ("price", "murah"),
            ("transmission", "AT"),
            ("fuel", "bensin"),
            ("body_type", "MPV"),
            ("spec_key", ""),
            ("spec_value", "2"),
        ],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Merek wajib diisi."), "{html}");
    assert!(html.contains("Tahun harus antara 1950 dan"));
    assert!(html.contains("Harga:"));
    assert!(html.contains("Nama spesifikasi harus 1 sampai 60 karakter."));
    assert!(html.contains("aria-invalid=\"true\"") && html.contains("id=\"err-brand\""));
    assert!(html.contains("value=\"Avanza\""), "what was typed stays");
    assert!(html.contains("hx-swap-oob=\"beforeend:#toasts\""), "a toast says so");

    let resp = hx_post(
        &app,
        &host,
        &token,
        "/admin/cars",
        &[
            ("brand", "Toyota"),
            ("model", "Avanza"),
            ("variant", "1.5 G"),
            ("year", "2021"),
            ("price", "195.000.000"),
            ("transmission", "AT"),
            ("fuel", "bensin"),
            ("body_type", "MPV"),
            ("negotiable", "0"),
            ("stnk", "0"),
            ("stnk", "1"),
            ("status", "available"),
            ("spec_key", "Airbag"),
            ("spec_value", "2"),
            ("spec_key", ""),
            ("spec_value", ""),
        ],
    )
    .await;
    assert_eq!(resp.status(), 200);
    let to = resp.headers()["hx-redirect"].to_str().unwrap().to_owned();
    assert!(to.starts_with("/admin/cars/") && to.ends_with("?notice=car_created"), "{to}");
    let id = to.trim_start_matches("/admin/cars/").trim_end_matches("?notice=car_created").to_owned();
    let car: Value = app.get(&host, &format!("/api/cars/{id}")).bearer_auth(&token).fetch_json().await;
    assert_eq!(car["price"], 195_000_000);
    assert_eq!(car["negotiable"], false, "an unticked box is a no");
    assert_eq!(car["stnk"], true);
    assert_eq!(car["specs"], json!({ "Airbag": "2" }));
    let (_, edit) = page(&app, &host, &token, &to).await;
    assert!(edit.contains("Mobil berhasil ditambahkan") && edit.contains("value=\"195.000.000\""));

    // Editing answers with the form and a success toast; the status changes inline.
    let resp = hx_post(
        &app,
        &host,
        &token,
        &format!("/admin/cars/{id}"),
        &[
            ("brand", "Toyota"),
            ("model", "Avanza"),
            ("year", "2021"),
            ("price", "189.000.000"),
            ("transmission", "AT"),
            ("fuel", "bensin"),
            ("body_type", "MPV"),
            ("status", "available"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("toast-success"));
    let resp = hx_post(&app, &host, &token, &format!("/admin/cars/{id}/status"), &[("status", "booked")]).await;
    assert_eq!(resp.status(), 200);
    let row = resp.text().await.unwrap();
    assert!(row.starts_with("\n<tr id=\"car-") || row.contains("<tr id=\"car-"), "{row}");
    assert!(row.contains("value=\"booked\" selected") && row.contains("sekarang dipesan"));
    let resp = hx_post(&app, &host, &token, &format!("/admin/cars/{id}/status"), &[("status", "rusak")]).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(resp.headers()["hx-retarget"], "#toasts", "errors become toasts");
    // Deleting goes back to the list.
    let resp = hx_post(&app, &host, &token, &format!("/admin/cars/{id}/delete"), &[]).await;
    assert_eq!(resp.headers()["hx-redirect"], "/admin/cars?notice=car_deleted");
    let (_, list) = page(&app, &host, &token, "/admin/cars?notice=car_deleted").await;
    assert!(list.contains("Mobil sudah dihapus.") && list.contains("Belum ada mobil"));
    // Another car through the API shows in the table with its price.
    create_car(&app, &host, &token, &avanza()).await;
    let (_, list) = page(&app, &host, &token, "/admin/cars").await;
    assert!(list.contains("Rp 195.000.000"));
}

#[tokio::test]
async fn sales_and_settings_forms_validate_and_need_an_admin() {
    let shop = Showroom::on(TestApp::spawn().await, "sinar").await;
    let app = &shop.app;
    let host = shop.host();

    let resp = hx_post(app, &host, &shop.token, "/admin/sales", &[("name", "A"), ("phone", "12")]).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Nama sales minimal 2 karakter.") && html.contains("id=\"err-phone\""), "{html}");
    let resp = hx_post(app, &host, &shop.token, "/admin/sales", &[("name", "Rudi"), ("phone", SALES_PHONE)]).await;
    assert!(resp.text().await.unwrap().contains("Nomor ini sudah terdaftar sebagai sales."));
    let resp =
        hx_post(app, &host, &shop.token, "/admin/sales", &[("name", "Budi Santoso"), ("phone", "0813-1111-2222")])
            .await;
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Budi Santoso ditambahkan") && html.contains("0813-1111-2222"));

    // Settings: a bad rate is named, nothing is saved; a good form is saved and shown on the site.
    let mut form: Vec<(&str, &str)> = vec![
        ("name", "Sinar Jaya Motor"),
        ("about", "Showroom mobil bekas berkualitas."),
        ("address", "Jl. Raya Bogor No. 17"),
        ("city", "Jakarta Timur"),
        ("opening_hours", "Senin–Sabtu 08.00–17.00"),
        ("maps_url", "https://maps.app.goo.gl/sinar"),
        ("phone", "021-555-1234"),
        ("rate_1", "5,5"),
        ("rate_2", "6"),
        ("rate_3", "6,5"),
        ("rate_4", "7"),
        ("rate_5", "enam"),
        ("admin_fee", "3.000.000"),
        ("insurance", "2,5"),
        ("min_dp_percent", "20"),
        ("first_instalment_upfront", "0"),
        ("persona_name", "Sinta"),
        ("greeting", ""),
        ("llm_enabled", "0"),
        ("llm_daily_token_budget", "50000"),
        ("handoff_pause_minutes", "60"),
    ];
    let resp = hx_post(app, &host, &shop.token, "/admin/settings", &form).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Isi dengan angka persen, contoh: 6,5.") && html.contains("value=\"enam\""));
    form.retain(|(k, _)| *k != "rate_5");
    form.push(("rate_5", "7,5"));
    let resp = hx_post(app, &host, &shop.token, "/admin/settings", &form).await;
    assert_eq!(resp.headers()["hx-redirect"], "/admin/settings?notice=settings_saved");
    let mut tx = app.runtime_db().tenant(shop.tenant).begin().await.unwrap();
    let saved = tx.settings().get().await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(saved["credit"]["flat_rate_bps"], json!([550, 600, 650, 700, 750]));
    assert_eq!(saved["bot"]["persona_name"], "Sinta");
    assert_eq!(saved["bot"]["llm_enabled"], false);
    assert_eq!(saved["profile"]["phone"], "+62215551234");
    let home = app.get(&host, "/").fetch_text().await;
    assert!(home.contains("Sinar Jaya Motor"), "the new name is on the site at once");

    // Staff see the dashboard but may not manage the team or the settings.
    let staff = crate::sales::staff_token(app, "sinar", shop.tenant).await;
    let (status, _) = page(app, &host, &staff, "/admin/cars").await;
    assert_eq!(status, 200);
    let (status, _) = page(app, &host, &staff, "/admin/settings").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let resp = hx_post(app, &host, &staff, "/admin/sales", &[("name", "Diam Diam"), ("phone", "0813-5555-6666")]).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(resp.text().await.unwrap().contains("Hanya pemilik atau admin"));
}

#[tokio::test]
async fn leads_move_on_the_board_with_history_and_chats_can_be_taken_over() {
    let shop = Showroom::on(TestApp::spawn().await, "sinar").await;
    let app = &shop.app;
    let host = shop.host();
    let (lead, conversation) = lead_from_bot(&shop, "+6281322223333").await;

    let resp = hx_post(
        app,
        &host,
        &shop.token,
        &format!("/admin/leads/{lead}/status"),
        &[("status", "contacted"), ("view", "board")],
    )
    .await;
    assert_eq!(resp.status(), 200);
    let board = resp.text().await.unwrap();
    assert!(board.contains("id=\"board\"") && board.contains("sekarang &quot;Sudah dihubungi&quot;"));
    let contacted = board.split("id=\"col-contacted\"").nth(1).unwrap().split("</section>").next().unwrap();
    assert!(contacted.contains("Andi"), "the card is in the contacted column");
    // The same status again is refused with the API's message.
    let resp =
        hx_post(app, &host, &shop.token, &format!("/admin/leads/{lead}/status"), &[("status", "contacted")]).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // From the detail page: status with a note, then a note alone; both in the history.
    let resp = hx_post(
        app,
        &host,
        &shop.token,
        &format!("/admin/leads/{lead}/status"),
        &[("status", "qualified"), ("note", "Minta test drive Sabtu")],
    )
    .await;
    let html = resp.text().await.unwrap();
    assert!(html.contains("id=\"lead-status\"") && html.contains("hx-swap-oob=\"true\""));
    assert!(html.contains("Minta test drive Sabtu"));
    let resp = hx_post(app, &host, &shop.token, &format!("/admin/leads/{lead}/notes"), &[("note", "  ")]).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let resp =
        hx_post(app, &host, &shop.token, &format!("/admin/leads/{lead}/notes"), &[("note", "Sudah transfer DP")]).await;
    assert!(resp.text().await.unwrap().contains("Sudah transfer DP"));
    let (_, detail) = page(app, &host, &shop.token, &format!("/admin/leads/{lead}")).await;
    assert!(
        detail.contains("Status: Sudah dihubungi → Berminat serius")
            && detail.contains("Status: Baru → Sudah dihubungi")
    );
    // The list filters by status and offers the export with the same filter.
    let (_, list) = page(app, &host, &shop.token, "/admin/leads?status=qualified").await;
    assert!(list.contains("Andi") && list.contains("export.csv?status=qualified"));
    let (_, list) = page(app, &host, &shop.token, "/admin/leads?status=lost").await;
    assert!(!list.contains("Andi"));
    let (_, list) = page(app, &host, &shop.token, "/admin/leads?from=kemarin").await;
    assert!(list.contains("Tanggal harus berformat YYYY-MM-DD"));

    // Taking a chat over pauses the bot; handing it back resumes it.
    let resp = hx_post(app, &host, &shop.token, &format!("/admin/conversations/{conversation}/takeover"), &[]).await;
    assert!(resp.text().await.unwrap().contains("Bot dijeda"));
    let answer = shop.say("+6281322223333", "halo?").await;
    assert_eq!(answer["status"], "paused", "{answer}");
    let resp = hx_post(app, &host, &shop.token, &format!("/admin/conversations/{conversation}/handback"), &[]).await;
    assert!(resp.text().await.unwrap().contains("Bot aktif"));
    let answer = shop.say("+6281322223333", "halo lagi").await;
    assert_eq!(answer["status"], "replied");
    // Conversations are found by phone.
    let (_, found) = page(app, &host, &shop.token, "/admin/conversations?q=0813-2222").await;
    assert!(found.contains("Andi"));
    let (_, none) = page(app, &host, &shop.token, "/admin/conversations?q=0899").await;
    assert!(none.contains("Tidak ada percakapan yang cocok"));
}

#[tokio::test]
async fn unsafe_requests_must_come_from_our_own_pages() {
    let (app, token) = TestApp::with_showroom("sinar", "Sinar").await;
    let host = TestApp::tenant_host("sinar");
    let form = [("name", "Budi"), ("phone", "0813-1111-2222")];
    let cases: [(&[(&str, &str)], StatusCode); 4] = [
        // A cookie with neither Sec-Fetch-Site nor Origin: refused.
        (&[], StatusCode::FORBIDDEN),
        // From another site: refused.
        (&[("sec-fetch-site", "cross-site")], StatusCode::FORBIDDEN),
        (&[("origin", "http://berkah.localhost")], StatusCode::FORBIDDEN),
        // From our own page (what a browser sends): accepted.
        (&[("origin", "http://sinar.localhost")], StatusCode::SEE_OTHER),
    ];
    for (headers, expected) in cases {
        let mut req = app.post(&host, "/admin/sales").header(COOKIE, cookie(&token));
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        assert_eq!(req.form_pairs(&form).fetch().await.status(), expected, "{headers:?}");
    }
    let tenant = app.runtime_db().platform().tenant_by_slug("sinar").await.unwrap().unwrap();
    let mut tx = app.runtime_db().tenant(tenant.id).begin().await.unwrap();
    assert_eq!(tx.sales().count().await.unwrap(), 1, "only the same-origin request added someone");
    tx.commit().await.unwrap();
}
