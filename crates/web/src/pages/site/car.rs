//! `/mobil/{slug}`: one car, with its gallery, facts, WhatsApp inquiry, share links
//! and the credit simulation (`/mobil/{slug}/kredit` answers the widget's htmx
//! requests; without JavaScript the form reloads the car page with the result).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use garasi_domain::car::PublicCar;
use garasi_domain::credit::{CreditTerms, DownPayment, simulate};
use garasi_domain::money::Rupiah;
use http::HeaderMap;
use serde::Serialize;

use super::format::{json_ld, rupiah, rupiah_words, thousands, truncate, url_encode};
use super::view::{CarCard, CarDetail, credit_base};
use super::{Meta, OgImage, begin, html, not_found_page, render, seo, ser};
use crate::auth::extract::SiteTenant;
use crate::error::AppError;
use crate::insights::PageInsight;
use crate::state::AppState;

/// Inputs of the credit widget, as typed.
#[derive(Debug, Default, Clone)]
struct CreditInput {
    dp_percent: Option<String>,
    dp_amount: Option<String>,
    tenor: Option<String>,
}

impl CreditInput {
    fn from_pairs(pairs: &[(String, String)]) -> CreditInput {
        let get = |k: &str| {
            pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.trim().to_owned()).filter(|v| !v.is_empty())
        };
        CreditInput { dp_percent: get("dp"), dp_amount: get("dp_rp"), tenor: get("tenor") }
    }

    fn is_empty(&self) -> bool {
        self.dp_percent.is_none() && self.dp_amount.is_none() && self.tenor.is_none()
    }
}

#[derive(Serialize)]
struct Choice {
    value: i64,
    label: String,
    selected: bool,
}

#[derive(Serialize)]
struct TenorRow {
    years: i64,
    instalment: String,
    selected: bool,
}

#[derive(Serialize)]
struct SimView {
    price: String,
    dp: String,
    dp_percent: String,
    principal: String,
    rate: String,
    tenor_years: i64,
    months: i64,
    instalment: String,
    total_interest: String,
    admin_fee: String,
    insurance: String,
    tdp: String,
    upfront: bool,
    min_income: String,
}

#[derive(Serialize)]
struct CreditView {
    action: String,
    endpoint: String,
    price: String,
    uses_credit_price: bool,
    min_dp: i64,
    dp_options: Vec<Choice>,
    dp_amount: String,
    tenors: Vec<Choice>,
    result: Option<SimView>,
    table: Vec<TenorRow>,
    error: Option<String>,
}

fn percent(v: f64) -> String {
    let rounded = (v * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 { format!("{rounded:.0}%") } else { format!("{rounded:.1}%").replace('.', ",") }
}

fn credit_view(car: &PublicCar, terms: &CreditTerms, input: &CreditInput) -> CreditView {
    let price = credit_base(car);
    let min_dp = terms.min_dp_percent.clamp(0, 90);
    let default_dp = if min_dp <= 30 { 30 } else { min_dp };
    let mut error = None;
    let tenor = match input.tenor.as_deref().map(str::parse::<i64>) {
        None => 3,
        Some(Ok(t)) if (1..=5).contains(&t) => t,
        Some(_) => {
            error = Some("Tenor harus 1 sampai 5 tahun.".to_owned());
            3
        }
    };
    let dp_percent = match input.dp_percent.as_deref().map(|s| s.trim_end_matches('%').trim().parse::<i64>()) {
        None => default_dp,
        Some(Ok(p)) if (0..100).contains(&p) => p,
        Some(_) => {
            error = Some("Pilih persentase DP dari daftar.".to_owned());
            default_dp
        }
    };
    let dp = match input.dp_amount.as_deref() {
        Some(raw) => match Rupiah::parse(raw) {
            Ok(r) => DownPayment::Amount(r.value()),
            Err(e) => {
                error = Some(format!("DP: {e}."));
                DownPayment::Percent(dp_percent as f64)
            }
        },
        None => DownPayment::Percent(dp_percent as f64),
    };
    let mut steps: Vec<i64> = vec![min_dp, 20, 25, 30, 35, 40, 50, 60];
    steps.retain(|p| *p >= min_dp && *p < 100);
    steps.sort();
    steps.dedup();
    if !steps.contains(&dp_percent) {
        steps.push(dp_percent);
        steps.sort();
    }
    let dp_options =
        steps.into_iter().map(|p| Choice { value: p, label: format!("{p}%"), selected: p == dp_percent }).collect();
    let tenors = (1..=5)
        .map(|y| Choice { value: y, label: format!("{y} tahun ({} bulan)", y * 12), selected: y == tenor })
        .collect();
    let mut result = None;
    let mut table = Vec::new();
    if error.is_none() {
        match simulate(price, dp, tenor, terms) {
            Ok(s) => {
                result = Some(SimView {
                    price: rupiah(s.price),
                    dp: rupiah(s.dp),
                    dp_percent: percent(s.dp_percent),
                    principal: rupiah(s.principal),
                    rate: percent(s.flat_rate_percent),
                    tenor_years: s.tenor_years,
                    months: s.tenor_years * 12,
                    instalment: rupiah(s.instalment),
                    total_interest: rupiah(s.total_interest),
                    admin_fee: rupiah(s.admin_fee),
                    insurance: rupiah(s.insurance),
                    tdp: rupiah(s.tdp),
                    upfront: s.first_instalment_upfront,
                    min_income: rupiah(s.min_monthly_income),
                });
                table = (1..=5)
                    .filter_map(|y| simulate(price, dp, y, terms).ok())
                    .map(|t| TenorRow {
                        years: t.tenor_years,
                        instalment: rupiah(t.instalment),
                        selected: t.tenor_years == tenor,
                    })
                    .collect();
            }
            Err(e) => error = Some(e.to_string()),
        }
    }
    CreditView {
        action: format!("/mobil/{}", car.slug),
        endpoint: format!("/mobil/{}/kredit", car.slug),
        price: rupiah(price),
        uses_credit_price: car.credit_price.is_some_and(|c| c != car.price),
        min_dp,
        dp_options,
        dp_amount: input.dp_amount.clone().unwrap_or_default(),
        tenors,
        result,
        table,
        error,
    }
}

/// "Toyota Avanza 1.5 G 2021, otomatis, bensin, 38.000 km, plat B genap, pajak s.d. Mei 2026."
fn meta_description(car: &PublicCar, showroom: &str, city: &str) -> String {
    let mut parts = vec![
        format!("Dijual {}", car.title),
        car.transmission.label().to_lowercase(),
        car.fuel.label().to_lowercase(),
        format!("{} km", thousands(car.mileage_km)),
    ];
    match (&car.plate_region, car.plate_parity) {
        (Some(r), Some(p)) => parts.push(format!("plat {r} {}", p.label().to_lowercase())),
        (Some(r), None) => parts.push(format!("plat {r}")),
        (None, Some(p)) => parts.push(format!("plat {}", p.label().to_lowercase())),
        (None, None) => {}
    }
    if let Some(t) = car.tax_paid_until {
        parts.push(format!("pajak s.d. {}", super::format::month_year(t)));
    }
    let place = if city.is_empty() { String::new() } else { format!(", {city}") };
    truncate(&format!("{}. Harga {} di {showroom}{place}.", parts.join(", "), rupiah(car.price)), 200)
}

pub async fn car_page(
    State(state): State<AppState>,
    SiteTenant(tenant): SiteTenant,
    Path(slug): Path<String>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, AppError> {
    let pairs = query.map(|Query(q)| q).unwrap_or_default();
    let input = CreditInput::from_pairs(&pairs);
    let (mut tx, ctx) = begin(&state, tenant).await?;
    // Drafts and hidden cars do not exist for the public.
    let stored = tx.cars().by_slug(&slug).await?;
    let Some((stored, car)) = stored.and_then(|c| c.public().map(|p| (c, p))) else {
        tx.commit().await?;
        return Ok(not_found_page(&state, &ctx));
    };
    let similar = tx.cars().similar(&stored, 3).await?;
    let terms = &ctx.settings.credit;
    let mut detail = CarDetail::new(&ctx.base, &car, terms);
    let mut similar: Vec<CarCard> =
        similar.iter().filter_map(|c| c.public()).map(|c| CarCard::new(&ctx.base, &c, terms)).collect();
    super::mark_price_drops(&state, &mut tx, std::slice::from_mut(&mut detail.card)).await?;
    super::mark_price_drops(&state, &mut tx, &mut similar).await?;
    tx.commit().await?;
    // The VIN only where the showroom shows VINs (a setting for all its cars).
    if let Some(vin) = stored.fields.vin.as_ref().filter(|_| ctx.settings.profile.show_vin) {
        detail.documents.push(super::view::Fact { label: "Nomor rangka (VIN)", value: vin.as_str().to_owned() });
    }
    let s = &ctx.showroom;
    let url = format!("{}/mobil/{}", ctx.base, car.slug);
    let title = if detail.sold {
        format!("{} - Terjual | {}", car.title, s.name)
    } else {
        format!("{} - {} | {}", car.title, rupiah_words(car.price), s.name)
    };
    let mut meta = Meta::new(title, meta_description(&car, &s.name, &s.city), url.clone(), "mobil");
    meta.og_type = "product";
    meta.htmx = detail.for_sale;
    if let Some(first) = detail.photos.first() {
        meta.og_image =
            Some(OgImage { url: first.jpeg.clone(), width: first.width, height: first.height, alt: car.title.clone() });
    }
    meta.json_ld.push(json_ld(&seo::car(&ctx, &car, &detail)));
    meta.json_ld.push(json_ld(&seo::breadcrumbs(&[
        ("Beranda".into(), format!("{}/", ctx.base)),
        ("Mobil".into(), format!("{}/mobil", ctx.base)),
        (car.brand.clone(), format!("{}/mobil?brand={}", ctx.base, url_encode(&car.brand))),
        (car.title.clone(), url.clone()),
    ])));
    let share_text = format!("{} - {} {url}", car.title, rupiah_words(car.price));
    let credit = detail.for_sale.then(|| credit_view(&car, terms, &input));
    let body = render(
        &state,
        "site/car.html",
        &ctx,
        &meta,
        minijinja::context! {
            car => ser(&detail),
            similar => ser(&similar),
            credit => ser(&credit),
            wa_inquiry => s.wa_url.as_ref().map(|_| {
                // The WhatsApp button goes through the counting redirect; a visitor from a
                // marketplace feed keeps that source on the click.
                let feed = pairs.iter().any(|(k, v)| k == "src" && v == "feed");
                format!("/wa/{}{}", car.slug, if feed { "?src=feed" } else { "" })
            }),
            share_wa => format!("https://wa.me/?text={}", url_encode(&share_text)),
            share_fb => format!("https://www.facebook.com/sharer/sharer.php?u={}", url_encode(&url)),
            share_url => url,
            brand_url => format!("/mobil?brand={}", url_encode(&car.brand)),
        },
    );
    // The plain page is shared by everyone; a page with a simulation typed in is not.
    let mut resp = html(body, input.is_empty());
    resp.extensions_mut().insert(PageInsight::CarView(stored.id));
    Ok(resp)
}

/// The message a buyer's WhatsApp opens with, for a car.
fn inquiry_text(showroom: &str, car: &PublicCar, sold: bool, url: &str) -> String {
    if sold {
        format!("Halo {showroom}, {} sudah terjual. Apakah ada mobil serupa? {url}", car.title)
    } else {
        format!(
            "Halo {showroom}, saya tertarik dengan {} ({}). Apakah masih tersedia? {url}",
            car.title,
            rupiah(car.price)
        )
    }
}

/// `/wa/{slug}`: the car page's WhatsApp button. Counts the click (people only; `src=feed`
/// for visitors from a marketplace feed) and sends the browser on to `wa.me` with the
/// inquiry about the car. `/wa` alone is the showroom's general WhatsApp link.
pub async fn wa_car(
    State(state): State<AppState>,
    tenant: SiteTenant,
    Path(slug): Path<String>,
    uri: http::Uri,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    wa_redirect(state, tenant, Some(slug), uri, headers).await
}

/// `/wa`: the showroom's general WhatsApp link, counted like a car's.
pub async fn wa_general(
    State(state): State<AppState>,
    tenant: SiteTenant,
    uri: http::Uri,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    wa_redirect(state, tenant, None, uri, headers).await
}

async fn wa_redirect(
    state: AppState,
    SiteTenant(tenant): SiteTenant,
    slug: Option<String>,
    uri: http::Uri,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let tenant_id = tenant.id;
    let (mut tx, ctx) = begin(&state, tenant).await?;
    let s = &ctx.showroom;
    let Some(wa) = s.wa_url.clone() else {
        tx.commit().await?;
        return Ok(not_found_page(&state, &ctx));
    };
    let car = match &slug {
        Some(slug) => match tx.cars().by_slug(slug).await?.and_then(|c| c.public().map(|p| (c.id, p))) {
            Some(found) => Some(found),
            None => {
                tx.commit().await?;
                return Ok(not_found_page(&state, &ctx));
            }
        },
        None => None,
    };
    tx.commit().await?;
    let source = garasi_domain::insights::Source::from_query(uri.query());
    let target = match &car {
        Some((id, car)) => {
            if crate::insights::from_person(&headers) {
                state.services.count_car(tenant_id, garasi_domain::insights::Kind::WaClick, source, *id);
            }
            let url = format!("{}/mobil/{}", ctx.base, car.slug);
            let sold = car.status == garasi_domain::car::CarStatus::Sold;
            format!("{wa}?text={}", url_encode(&inquiry_text(&s.name, car, sold, &url)))
        }
        None => {
            if crate::insights::from_person(&headers) {
                state.services.insights.record(
                    tenant_id,
                    state.services.clock.now(),
                    garasi_domain::insights::Kind::WaClick,
                    source,
                    "",
                );
            }
            wa
        }
    };
    let location = http::HeaderValue::try_from(target).map_err(|_| AppError::NotFound)?;
    let cache = http::HeaderValue::from_static("no-store");
    Ok((http::StatusCode::FOUND, [(http::header::LOCATION, location), (http::header::CACHE_CONTROL, cache)])
        .into_response())
}

/// The credit widget's htmx endpoint. Without htmx it sends the browser to the car
/// page with the same inputs, where the result is rendered in place.
pub async fn credit(
    State(state): State<AppState>,
    SiteTenant(tenant): SiteTenant,
    Path(slug): Path<String>,
    headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, AppError> {
    let pairs = query.map(|Query(q)| q).unwrap_or_default();
    let input = CreditInput::from_pairs(&pairs);
    if !headers.contains_key("hx-request") {
        let mut q: Vec<String> = Vec::new();
        for (k, v) in [("dp", &input.dp_percent), ("dp_rp", &input.dp_amount), ("tenor", &input.tenor)] {
            if let Some(v) = v {
                q.push(format!("{k}={}", url_encode(v)));
            }
        }
        let qs = if q.is_empty() { String::new() } else { format!("?{}", q.join("&")) };
        return Ok(Redirect::to(&format!("/mobil/{}{qs}#kredit", url_encode(&slug))).into_response());
    }
    let (mut tx, ctx) = begin(&state, tenant).await?;
    let car = tx.cars().by_slug(&slug).await?.and_then(|c| c.public()).ok_or(AppError::NotFound)?;
    tx.commit().await?;
    if !car.status.is_for_sale() {
        return Err(AppError::NotFound);
    }
    let view = credit_view(&car, &ctx.settings.credit, &input);
    let body =
        state.templates.render("site/_credit.html", minijinja::context! { credit => ser(&view), result_only => true });
    Ok(html(body, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_read_indonesian() {
        assert_eq!(percent(25.0), "25%");
        assert_eq!(percent(6.5), "6,5%");
        assert_eq!(percent(27.777), "27,8%");
    }
}
