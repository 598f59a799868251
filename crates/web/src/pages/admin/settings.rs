//! `/admin/settings`: the showroom's profile (what the site and the bot tell buyers),
//! the credit simulation's rates, and the bot (persona, greeting, LLM and its daily
//! budget, how long it stays quiet after a hand-off). Owners and admins only.
//!
//! Settings live in one JSON document per tenant; only the sections edited here are
//! replaced, so keys other features keep there stay untouched.

use axum::extract::{Query, State};
use axum::response::Response;
use garasi_domain::money::Rupiah;
use garasi_domain::tenant_settings::MAX_LLM_TOKEN_CEILING;
use garasi_domain::{FieldErrors, PhoneNumber, TenantSettings};
use http::{HeaderMap, StatusCode};
use serde::Serialize;
use serde_json::Value;

use super::dashboard::NoticeQuery;
use super::ui::{self, FormData, FormField, Toast, html, html_status, money_value, toast_oob};
use super::{Shell, Staff, render, ser};
use crate::auth::TenantAuth;
use crate::error::AppError;
use crate::state::AppState;

#[derive(Serialize)]
struct Section {
    title: &'static str,
    intro: &'static str,
    fields: Vec<FormField>,
}

/// Basis points as the form shows a percentage: 650 → "6,5".
fn percent(bps: i64) -> String {
    garasi_domain::money::two_decimals(bps)
}

/// "6,5" or "6.5" → 650 basis points, within `0..=max` percent.
fn parse_percent(errors: &mut FieldErrors, field: &str, raw: &str, max: i64) -> Option<i64> {
    let cleaned = raw.trim().trim_end_matches('%').trim().replace(',', ".");
    match cleaned.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 && v <= max as f64 => Some((v * 100.0).round() as i64),
        Ok(_) => {
            errors.add(field, format!("Isi antara 0 dan {max} persen."));
            None
        }
        Err(_) => {
            errors.add(field, "Isi dengan angka persen, contoh: 6,5.");
            None
        }
    }
}

fn parse_int(errors: &mut FieldErrors, field: &str, raw: &str, min: i64, max: i64, what: &str) -> Option<i64> {
    let digits: String = raw.trim().chars().filter(|c| *c != '.' && *c != ' ').collect();
    match digits.parse::<i64>() {
        Ok(v) if (min..=max).contains(&v) => Some(v),
        _ => {
            errors.add(
                field,
                format!(
                    "{what} harus angka antara {} dan {}.",
                    crate::pages::site::format::thousands(min),
                    crate::pages::site::format::thousands(max)
                ),
            );
            None
        }
    }
}

fn text(errors: &mut FieldErrors, field: &str, raw: &str, max: usize, label: &str) -> String {
    let v = raw.trim();
    if v.chars().count() > max {
        errors.add(field, format!("{label} maksimal {max} karakter."));
    } else if v.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        errors.add(field, format!("{label} berisi karakter yang tidak diizinkan."));
    }
    v.to_owned()
}

/// Reads and checks the form; every problem gets its own message.
fn parse(form: &FormData, current: &TenantSettings) -> Result<(String, TenantSettings), FieldErrors> {
    let mut e = FieldErrors::new();
    let mut s = current.clone();
    let name = garasi_service::tenants::check_name(&mut e, &form.text("name")).unwrap_or_default();
    let p = &mut s.profile;
    p.about = text(&mut e, "about", &form.text("about"), 1000, "Tentang showroom");
    p.address = text(&mut e, "address", &form.text("address"), 200, "Alamat");
    p.city = text(&mut e, "city", &form.text("city"), 80, "Kota");
    p.province = text(&mut e, "province", &form.text("province"), 80, "Provinsi");
    p.google_store_code = text(&mut e, "google_store_code", &form.text("google_store_code"), 64, "Kode toko Google");
    p.opening_hours = text(&mut e, "opening_hours", &form.text("opening_hours"), 200, "Jam buka");
    let maps = form.text("maps_url");
    let maps_ok = maps.starts_with("https://") && maps.len() <= 500 && !maps.contains(char::is_whitespace);
    if !maps.is_empty() && !maps_ok {
        e.add("maps_url", "Tautan peta harus diawali https:// (salin dari Google Maps).");
    }
    p.maps_url = maps;
    p.show_vin = form.checked("show_vin");
    let phone = form.text("phone");
    p.phone = if phone.is_empty() {
        String::new()
    } else {
        match PhoneNumber::parse(&phone) {
            Ok(n) => n.as_str().to_owned(),
            Err(err) => {
                e.add("phone", err.to_string());
                phone
            }
        }
    };
    for (i, rate) in s.credit.flat_rate_bps.iter_mut().enumerate() {
        let field = format!("rate_{}", i + 1);
        if let Some(bps) = parse_percent(&mut e, &field, &form.text(&field), 50) {
            *rate = bps;
        }
    }
    let admin_fee = form.text("admin_fee");
    if admin_fee.is_empty() {
        s.credit.admin_fee = 0;
    } else {
        match Rupiah::parse(&admin_fee) {
            Ok(r) => s.credit.admin_fee = r.value(),
            Err(err) => e.add("admin_fee", format!("Biaya admin: {err}.")),
        }
    }
    if let Some(bps) = parse_percent(&mut e, "insurance", &form.text("insurance"), 20) {
        s.credit.insurance_bps = bps;
    }
    if let Some(v) = parse_int(&mut e, "min_dp_percent", &form.text("min_dp_percent"), 0, 90, "DP minimal") {
        s.credit.min_dp_percent = v;
    }
    s.credit.first_instalment_upfront = form.checked("first_instalment_upfront");
    let b = &mut s.bot;
    let persona = form.text("persona_name");
    if persona.is_empty() {
        e.add("persona_name", "Nama asisten wajib diisi.");
    }
    b.persona_name = text(&mut e, "persona_name", &persona, 40, "Nama asisten");
    b.greeting = text(&mut e, "greeting", &form.text("greeting"), 500, "Salam pembuka");
    b.llm_enabled = form.checked("llm_enabled");
    if let Some(v) =
        // The real ceiling (the platform's, or root's for this showroom) is the use case's rule.
        parse_int(
            &mut e,
            "llm_daily_token_budget",
            &form.text("llm_daily_token_budget"),
            0,
            MAX_LLM_TOKEN_CEILING,
            "Batas token",
        )
    {
        b.llm_daily_token_budget = v;
    }
    if let Some(v) =
        parse_int(&mut e, "handoff_pause_minutes", &form.text("handoff_pause_minutes"), 5, 10_080, "Jeda bot")
    {
        b.handoff_pause_minutes = v;
    }
    // Forms from before this section existed leave it as stored.
    if form.get("response_minutes").is_some()
        && let Some(v) =
            parse_int(&mut e, "response_minutes", &form.text("response_minutes"), 1, 1440, "Batas waktu respons")
    {
        s.routing.response_minutes = v;
    }
    let owner = form.get("owner_phone").map(str::to_owned).unwrap_or_else(|| s.routing.owner_phone.clone());
    s.routing.owner_phone = if owner.trim().is_empty() {
        String::new()
    } else {
        match garasi_domain::PhoneNumber::parse(&owner) {
            Ok(p) => p.as_str().to_owned(),
            Err(err) => {
                e.add("owner_phone", err.to_string());
                owner
            }
        }
    };
    // Follow-ups: only when the form has the section (older forms leave it as stored).
    if form.get("followups_daily_cap").is_some() {
        s.followups.enabled = form.checked("followups_enabled");
        if let Some(v) =
            parse_int(&mut e, "followups_daily_cap", &form.text("followups_daily_cap"), 0, 10_000, "Batas harian")
        {
            s.followups.daily_cap = v;
        }
        let template = form.text("followups_template");
        let valid = template.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if template.chars().count() > 512 || !valid {
            e.add("followups_template", "Nama template hanya huruf kecil, angka dan garis bawah (seperti di Meta).");
        }
        s.followups.cloud_template = template;
        let language = form.text("followups_language");
        s.followups.template_language = if language.is_empty() { "id".into() } else { language };
        if s.followups.template_language.chars().count() > 10 {
            e.add("followups_language", "Kode bahasa maksimal 10 karakter, misalnya id atau en_US.");
        }
    }
    // Insights: only when the form has the section (older forms leave it as stored).
    if form.get("insights_weekly_summary").is_some() {
        s.insights.weekly_summary = form.checked("insights_weekly_summary");
    }
    e.into_result().map(|()| (name, s))
}

fn sections(
    name: &str,
    s: &TenantSettings,
    llm_ceiling: i64,
    form: Option<&FormData>,
    errors: &FieldErrors,
) -> Vec<Section> {
    // After a failed save the form shows what was typed, not what is stored.
    let v = |field: &str, stored: String| form.map(|f| f.text(field)).unwrap_or(stored);
    let on = |field: &str, stored: bool| form.map(|f| f.checked(field)).unwrap_or(stored);
    let f = |field: FormField| field.error_from(errors);
    let mut credit = Vec::new();
    for (i, bps) in s.credit.flat_rate_bps.iter().enumerate() {
        let field = format!("rate_{}", i + 1);
        credit.push(f(FormField::new(&field, &format!("Bunga tenor {} tahun (%)", i + 1), "text")
            .value(v(&field, percent(*bps)))
            .required()
            .inputmode("decimal")
            .pattern("[0-9]{1,2}([.,][0-9]{1,2})?")
            .placeholder("6,5")));
    }
    credit.extend([
        f(FormField::new("admin_fee", "Biaya admin leasing", "text")
            .value(v("admin_fee", money_value(Some(s.credit.admin_fee))))
            .rupiah()),
        f(FormField::new("insurance", "Asuransi (% dari harga)", "text")
            .value(v("insurance", percent(s.credit.insurance_bps)))
            .required()
            .inputmode("decimal")
            .pattern("[0-9]{1,2}([.,][0-9]{1,2})?")),
        f(FormField::new("min_dp_percent", "DP minimal (%)", "number")
            .value(v("min_dp_percent", s.credit.min_dp_percent.to_string()))
            .required()
            .range(0, 90)),
        f(FormField::new("first_instalment_upfront", "Angsuran pertama dibayar di muka (ADDM)", "checkbox")
            .checked(on("first_instalment_upfront", s.credit.first_instalment_upfront))),
    ]);
    vec![
        Section {
            title: "Profil showroom",
            intro: "Tampil di situs dan dipakai bot saat menjawab pembeli.",
            fields: vec![
                f(FormField::new("name", "Nama showroom", "text")
                    .value(v("name", name.to_owned()))
                    .required()
                    .maxlength(100)),
                f(FormField::new("phone", "Telepon showroom", "tel")
                    .value(v("phone", s.profile.phone.clone()))
                    .maxlength(20)
                    .inputmode("tel")
                    .placeholder("021-555-1234")),
                f(FormField::new("about", "Tentang showroom", "textarea")
                    .value(v("about", s.profile.about.clone()))
                    .maxlength(1000)
                    .wide()),
                f(FormField::new("address", "Alamat", "text")
                    .value(v("address", s.profile.address.clone()))
                    .maxlength(200)
                    .wide()),
                f(FormField::new("city", "Kota", "text").value(v("city", s.profile.city.clone())).maxlength(80)),
                f(FormField::new("province", "Provinsi", "text")
                    .value(v("province", s.profile.province.clone()))
                    .maxlength(80)
                    .placeholder("DKI Jakarta")
                    .help("Dipakai alamat di feed marketplace.")),
                f(FormField::new("opening_hours", "Jam buka", "text")
                    .value(v("opening_hours", s.profile.opening_hours.clone()))
                    .maxlength(200)
                    .placeholder("Senin–Sabtu 08.00–17.00")),
                f(FormField::new("maps_url", "Tautan Google Maps", "url")
                    .value(v("maps_url", s.profile.maps_url.clone()))
                    .maxlength(500)
                    .wide()
                    .placeholder("https://maps.app.goo.gl/…")),
                f(FormField::new(
                    "show_vin",
                    "Tampilkan nomor rangka (VIN) di halaman mobil dan feed marketplace",
                    "checkbox",
                )
                .checked(on("show_vin", s.profile.show_vin))
                .help("Berlaku untuk semua mobil. Nomor rangka membantu pembeli mengecek riwayat mobil.")),
                f(FormField::new("google_store_code", "Kode toko Google (store code)", "text")
                    .value(v("google_store_code", s.profile.google_store_code.clone()))
                    .maxlength(64)
                    .help(
                        "Kode toko di Google Business Profile, untuk feed Google. Kosongkan untuk memakai nama situs.",
                    )),
            ],
        },
        Section {
            title: "Simulasi kredit",
            intro: "Dipakai kalkulator kredit di situs dan oleh bot. Bunga flat per tahun, seperti hitungan leasing.",
            fields: credit,
        },
        Section {
            title: "Bot WhatsApp",
            intro: "Bagaimana bot memperkenalkan diri dan kapan memakai AI.",
            fields: vec![
                f(FormField::new("persona_name", "Nama asisten", "text")
                    .value(v("persona_name", s.bot.persona_name.clone()))
                    .required()
                    .maxlength(40)),
                f(FormField::new("handoff_pause_minutes", "Jeda bot setelah diserahkan ke sales (menit)", "number")
                    .value(v("handoff_pause_minutes", s.bot.handoff_pause_minutes.to_string()))
                    .required()
                    .range(5, 10_080)
                    .help("Selama jeda ini bot tidak membalas chat tersebut.")),
                f(FormField::new("greeting", "Salam pembuka", "textarea")
                    .value(v("greeting", s.bot.greeting.clone()))
                    .maxlength(500)
                    .wide()
                    .help("Kosongkan untuk memakai salam bawaan.")),
                f(FormField::new("llm_enabled", "Pakai AI (LLM) untuk pertanyaan yang sulit", "checkbox")
                    .checked(on("llm_enabled", s.bot.llm_enabled))),
                f(FormField::new("llm_daily_token_budget", "Batas token AI per hari", "number")
                    // A budget stored above the ceiling shows (and saves) as what applies.
                    .value(v("llm_daily_token_budget", s.bot.llm_daily_token_budget.min(llm_ceiling).to_string()))
                    .required()
                    .range(0, llm_ceiling)
                    .help(format!(
                        "Setelah batas tercapai, bot menjawab tanpa AI sampai besok. Maksimal {} token.",
                        crate::pages::site::format::thousands(llm_ceiling)
                    ))),
            ],
        },
        Section {
            title: "Pembagian prospek",
            intro: "Prospek baru dibagikan bergiliran ke sales yang bertugas. Yang belum dihubungi tepat waktu dialihkan ke sales berikutnya.",
            fields: vec![
                f(FormField::new("response_minutes", "Batas waktu respons (menit jam buka)", "number")
                    .value(v("response_minutes", s.routing.response_minutes.to_string()))
                    .required()
                    .range(1, 1440)
                    .help("Dihitung hanya selama jam buka showroom (jam kunjungan).")),
                f(FormField::new("owner_phone", "WhatsApp pemilik untuk peringatan", "tel")
                    .value(v("owner_phone", s.routing.owner_phone.clone()))
                    .maxlength(20)
                    .inputmode("tel")
                    .placeholder("0812-3456-7890")
                    .help("Kosongkan untuk memakai nomor sales yang tertaut ke akun pemilik.")),
            ],
        },
        Section {
            title: "Kabar harga turun & unit serupa",
            intro: "Bot menawarkan kabar ke pelanggan yang menanyakan mobil; hanya yang setuju yang dikirimi, sekali per kejadian. Balasan STOP menghentikannya.",
            fields: vec![
                f(FormField::new("followups_enabled", "Aktifkan penawaran dan pengiriman kabar", "checkbox")
                    .checked(on("followups_enabled", s.followups.enabled))),
                f(FormField::new("followups_daily_cap", "Batas kabar per hari", "number")
                    .value(v("followups_daily_cap", s.followups.daily_cap.to_string()))
                    .required()
                    .range(0, 10_000)
                    .help("Sisanya dikirim besok. Pesan tetap dikirim bertahap seperti pesan lain.")),
                f(FormField::new("followups_template", "Template WhatsApp Cloud API (di luar 24 jam)", "text")
                    .value(v("followups_template", s.followups.cloud_template.clone()))
                    .maxlength(512)
                    .placeholder("kabar_harga")
                    .help("Nama template yang sudah disetujui Meta, dengan 2 variabel: {{1}} nama mobil, {{2}} harga. Kosong: pelanggan di luar 24 jam tidak dikirimi.")),
                f(FormField::new("followups_language", "Bahasa template", "text")
                    .value(v("followups_language", s.followups.template_language.clone()))
                    .maxlength(10)
                    .placeholder("id")),
            ],
        },
        Section {
            title: "Ringkasan mingguan",
            intro: "Setiap Senin pagi pemilik menerima ringkasan minggu lalu lewat WhatsApp: mobil dilihat, klik WhatsApp, prospek, kunjungan, terjual dan pencarian teratas.",
            fields: vec![
                f(FormField::new("insights_weekly_summary", "Kirim ringkasan mingguan ke WhatsApp pemilik", "checkbox")
                    .checked(on("insights_weekly_summary", s.insights.weekly_summary))
                    .help("Dikirim ke nomor WhatsApp pemilik di bagian Pembagian prospek.")),
            ],
        },
    ]
}

/// The feed card: the URLs (once a token exists) and what the feeds still miss.
#[derive(Serialize)]
struct FeedCard {
    links: Option<Vec<(&'static str, &'static str, String)>>,
    since: Option<String>,
    missing: Vec<&'static str>,
}

async fn feed_card(state: &AppState, auth: &TenantAuth, settings: &TenantSettings) -> Result<FeedCard, AppError> {
    let mut tx = state.db.tenant(auth.tenant.id).begin().await?;
    let current = tx.feed_tokens().current().await?;
    tx.commit().await?;
    let base = state.config.tenant_url(&auth.tenant);
    let links = current.as_ref().map(|(token, _)| {
        use crate::feeds::{Kind, feed_url};
        vec![
            ("Meta (Facebook & Instagram) – katalog otomotif", "CSV", feed_url(&base, token, Kind::Meta)),
            ("Google Merchant Center – iklan kendaraan", "XML", feed_url(&base, token, Kind::Google)),
            ("JSON untuk mitra lain", "JSON", feed_url(&base, token, Kind::Json)),
        ]
    });
    let p = &settings.profile;
    let mut missing = Vec::new();
    if p.address.trim().is_empty() {
        missing.push("alamat");
    }
    if p.city.trim().is_empty() {
        missing.push("kota");
    }
    if p.province.trim().is_empty() {
        missing.push("provinsi");
    }
    if !p.show_vin {
        missing.push("nomor rangka ditampilkan (wajib untuk Google)");
    }
    Ok(FeedCard { links, since: current.map(|(_, at)| ui::wib(at)), missing })
}

fn form_page(
    state: &AppState,
    auth: &TenantAuth,
    settings: &TenantSettings,
    form: Option<&FormData>,
    errors: &FieldErrors,
) -> minijinja::Value {
    minijinja::context! {
        sections => ser(sections(
            &auth.tenant.name,
            settings,
            settings.llm_token_ceiling(state.services.llm_token_ceiling),
            form,
            errors
        )),
        has_errors => !errors.is_empty(),
        site_url => state.config.tenant_url(&auth.tenant),
    }
}

async fn load(state: &AppState, auth: &TenantAuth) -> Result<(Value, TenantSettings), AppError> {
    let mut tx = state.db.tenant(auth.tenant.id).begin().await?;
    let raw = tx.settings().get().await?;
    tx.commit().await?;
    let typed = TenantSettings::from_json(&raw);
    Ok((raw, typed))
}

pub async fn page(
    State(state): State<AppState>,
    Staff(auth): Staff,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    auth.require_admin()?;
    let (_, settings) = load(&state, &auth).await?;
    let shell = Shell::new(&state, &auth, "settings", "Pengaturan").with_notice(q.notice.as_deref());
    let feeds = feed_card(&state, &auth, &settings).await?;
    let page = form_page(&state, &auth, &settings, None, &FieldErrors::new());
    Ok(html(render(&state, "admin/settings.html", &shell, minijinja::context! { feeds => ser(&feeds), ..page })))
}

/// Makes the feed token, or replaces it: the old feed URLs answer 404 from now on.
pub async fn rotate_feed_token(
    State(state): State<AppState>,
    Staff(auth): Staff,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    auth.require_admin()?;
    garasi_service::feeds::rotate_token(&state.services, &auth.actor(), &auth.tenant_db(&state)).await?;
    Ok(ui::redirect(&headers, "/admin/settings?notice=feed_token_rotated#feed"))
}

pub async fn save(
    State(state): State<AppState>,
    Staff(auth): Staff,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response, AppError> {
    auth.require_admin()?;
    let (_, current) = load(&state, &auth).await?;
    let shell = Shell::new(&state, &auth, "settings", "Pengaturan");
    let invalid = |errors: FieldErrors| {
        let body =
            render(&state, "admin/settings.html", &shell, form_page(&state, &auth, &current, Some(&form), &errors));
        let toast = toast_oob(&state, Toast::Error, "Periksa kembali isian yang ditandai.");
        html_status(StatusCode::UNPROCESSABLE_ENTITY, format!("{body}{toast}"))
    };
    let (name, updated) = match parse(&form, &current) {
        Ok(v) => v,
        Err(errors) => return Ok(invalid(errors)),
    };
    let saved =
        garasi_service::settings::update(&state.services, &auth.actor(), &auth.tenant_db(&state), &name, &updated)
            .await;
    if let Err(e) = saved {
        // The use case's own rules (the name, the LLM token ceiling) show on the form too.
        return Ok(invalid(ui::field_errors(e.into())?));
    }
    // This instance's host cache forgets the old name at once; others hear the event.
    state.hosts.forget_tenant(auth.tenant.id);
    Ok(ui::redirect(&headers, "/admin/settings?notice=settings_saved"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_trip() {
        assert_eq!(percent(650), "6,5");
        assert_eq!(percent(600), "6");
        assert_eq!(percent(625), "6,25");
        let mut e = FieldErrors::new();
        assert_eq!(parse_percent(&mut e, "r", "6,5", 50), Some(650));
        assert_eq!(parse_percent(&mut e, "r", "6.25%", 50), Some(625));
        assert_eq!(parse_percent(&mut e, "r", "enam", 50), None);
        assert_eq!(parse_percent(&mut e, "s", "70", 50), None);
        assert!(e.get("r").is_some() && e.get("s").is_some());
    }
}
