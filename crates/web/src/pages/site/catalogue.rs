//! `/mobil`: the catalogue. Every filter is a query parameter, so a filtered URL can
//! be shared and crawled. A direct load renders the whole page; an htmx request
//! (`HX-Request`) gets only the results, and `HX-Push-Url` puts the clean URL of the
//! search in the address bar.

use std::collections::{BTreeMap, HashSet};

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use garasi_domain::car::{BodyType, CarFilter, CarSort, Fuel, PlateParity, Transmission};
use http::{HeaderMap, HeaderValue};
use serde::Serialize;

use super::format::{json_ld, rupiah_words, thousands, url_encode};
use super::view::CarCard;
use super::{FOR_SALE, Meta, OgImage, begin, html, render, seo, ser};
use crate::api::cars::current_year;
use crate::auth::extract::SiteTenant;
use crate::car_query::{Audience, CarListParams, parse_car_params};
use crate::error::AppError;
use crate::state::AppState;

pub const PER_PAGE: i64 = 12;

/// Labels of the parameters, for messages about values that were ignored.
fn param_label(key: &str) -> &'static str {
    match key {
        "brand" => "Merek",
        "model" => "Model",
        "price_min" => "Harga minimal",
        "price_max" => "Harga maksimal",
        "year_min" => "Tahun minimal",
        "year_max" => "Tahun maksimal",
        "mileage_max" => "Kilometer maksimal",
        "transmission" => "Transmisi",
        "fuel" => "Bahan bakar",
        "body_type" => "Tipe bodi",
        "plate_parity" => "Plat ganjil/genap",
        "sort" => "Urutan",
        "page" => "Halaman",
        "q" => "Pencarian",
        _ => "Filter",
    }
}

/// Parses the query; values that do not parse are dropped and reported, never a 500.
pub(crate) fn parse_lenient(mut pairs: Vec<(String, String)>) -> (CarListParams, Vec<String>) {
    // `per_page` is fixed on the public site; `status` is not a public filter.
    pairs.retain(|(k, _)| k != "per_page" && k != "status" && k != "stock_no");
    let (mut params, notices) = match parse_car_params(&pairs, Audience::Public) {
        Ok(p) => (p, Vec::new()),
        Err(errors) => {
            let bad: HashSet<&str> = errors.iter().map(|(k, _)| k).collect();
            let notices = errors.iter().map(|(k, m)| format!("{}: {}", param_label(k), m)).collect();
            pairs.retain(|(k, _)| !bad.contains(k.as_str()));
            let params = parse_car_params(&pairs, Audience::Public).unwrap_or_else(|_| CarListParams {
                filter: CarFilter::for_sale(),
                page: 1,
                ..CarListParams::default()
            });
            (params, notices)
        }
    };
    params.per_page = PER_PAGE;
    (params, notices)
}

/// One active filter in canonical form: its key, its normalised value, and how it reads.
struct Active {
    key: &'static str,
    value: String,
    label: String,
}

fn juta(v: i64) -> String {
    rupiah_words(v)
}

fn active_filters(p: &CarListParams) -> Vec<Active> {
    let f = &p.filter;
    let mut out = Vec::new();
    let mut add = |key: &'static str, value: String, label: String| out.push(Active { key, value, label });
    if let Some(q) = &f.text {
        add("q", q.clone(), format!("“{q}”"));
    }
    if let Some(b) = &f.brand {
        add("brand", b.clone(), b.clone());
    }
    if !f.models.is_empty() {
        add("model", f.models.join(","), f.models.join(" / "));
    }
    if let Some(b) = f.body_type {
        add("body_type", b.as_str().to_owned(), b.label().to_owned());
    }
    if let Some(t) = f.transmission {
        add("transmission", t.as_str().to_owned(), t.label().to_owned());
    }
    if let Some(x) = f.fuel {
        add("fuel", x.as_str().to_owned(), x.label().to_owned());
    }
    if let Some(v) = f.price_min {
        add("price_min", v.to_string(), format!("Mulai {}", juta(v)));
    }
    if let Some(v) = f.price_max {
        add("price_max", v.to_string(), format!("Maks. {}", juta(v)));
    }
    if let Some(v) = f.year_min {
        add("year_min", v.to_string(), format!("Tahun {v} ke atas"));
    }
    if let Some(v) = f.year_max {
        add("year_max", v.to_string(), format!("Tahun {v} ke bawah"));
    }
    if let Some(v) = f.mileage_max {
        add("mileage_max", v.to_string(), format!("Maks. {} km", thousands(v)));
    }
    if let Some(pp) = f.plate_parity {
        add("plate_parity", pp.as_str().to_owned(), format!("Plat {}", pp.label().to_lowercase()));
    }
    if f.featured == Some(true) {
        add("featured", "1".into(), "Mobil pilihan".into());
    }
    out
}

/// Whether the page goes into the page cache. Pages the site links to (the menus, the
/// chips and the pager: at most two filters, each value one the menus offer, no search
/// words) are asked for again and again. Anything else (a typed price, a search, a long
/// combination) is most likely asked for once: storing it would cost its Brotli and
/// gzip encodings and push a page that is asked for again out of the cache, so it is
/// answered fresh (see `fresh`).
fn worth_caching(p: &CarListParams, active: &[Active], notices: &[String]) -> bool {
    let f = &p.filter;
    let in_menu = |v: Option<i64>, menu: &[i64]| v.is_none_or(|v| menu.contains(&v));
    let prices: Vec<i64> = PRICE_STEPS.iter().map(|j| j * 1_000_000).collect();
    let year_now = current_year();
    let year_ok = |y: Option<i64>| y.is_none_or(|y| (year_now - 25..=year_now).contains(&y));
    notices.is_empty()
        && f.text.is_none()
        && active.len() <= MAX_CACHED_FILTERS
        && in_menu(f.price_min, &prices)
        && in_menu(f.price_max, &prices)
        && in_menu(f.mileage_max, &MILEAGE_STEPS)
        && year_ok(f.year_min)
        && year_ok(f.year_max)
}

/// Filters a cached catalogue page may combine (see [`worth_caching`]).
const MAX_CACHED_FILTERS: usize = 2;

/// `/mobil?…` with the given filters in a fixed order, the sort, and the page.
fn url_for(active: &[Active], skip: Option<&str>, sort: CarSort, page: i64) -> String {
    let mut parts: Vec<String> =
        active.iter().filter(|a| Some(a.key) != skip).map(|a| format!("{}={}", a.key, url_encode(&a.value))).collect();
    if sort != CarSort::Newest {
        parts.push(format!("sort={}", sort.as_str()));
    }
    if page > 1 {
        parts.push(format!("page={page}"));
    }
    if parts.is_empty() { "/mobil".to_owned() } else { format!("/mobil?{}", parts.join("&")) }
}

/// "Toyota Avanza MPV Otomatis" from the filters that name a kind of car.
fn descriptor(p: &CarListParams) -> String {
    let f = &p.filter;
    let mut words: Vec<String> = Vec::new();
    if let Some(b) = &f.brand {
        words.push(b.clone());
    }
    if !f.models.is_empty() {
        words.push(f.models.join("/"));
    }
    if let Some(b) = f.body_type {
        words.push(b.label().to_owned());
    }
    if let Some(t) = f.transmission {
        words.push(t.label().to_owned());
    }
    if let Some(x) = f.fuel {
        words.push(x.label().to_owned());
    }
    match (f.price_min, f.price_max) {
        (Some(a), Some(b)) => words.push(format!("{} – {}", juta(a), juta(b).trim_start_matches("Rp "))),
        (None, Some(b)) => words.push(format!("di bawah {}", juta(b))),
        (Some(a), None) => words.push(format!("di atas {}", juta(a))),
        (None, None) => {}
    }
    match (f.year_min, f.year_max) {
        (Some(a), Some(b)) if a == b => words.push(format!("tahun {a}")),
        (Some(a), Some(b)) => words.push(format!("tahun {a}–{b}")),
        (Some(a), None) => words.push(format!("tahun {a} ke atas")),
        (None, Some(b)) => words.push(format!("tahun {b} ke bawah")),
        (None, None) => {}
    }
    if let Some(pp) = f.plate_parity {
        words.push(format!("plat {}", pp.label().to_lowercase()));
    }
    words.join(" ")
}

#[derive(Serialize)]
struct Opt {
    value: String,
    label: String,
    selected: bool,
}

fn opt(value: impl Into<String>, label: impl Into<String>, current: Option<&str>) -> Opt {
    let value = value.into();
    let selected = current == Some(value.as_str());
    Opt { value, label: label.into(), selected }
}

#[derive(Serialize)]
struct ModelGroup {
    brand: String,
    models: Vec<Opt>,
}

#[derive(Serialize)]
struct PageLink {
    number: i64,
    url: String,
    current: bool,
}

/// Price steps of the budget menus, in juta.
const PRICE_STEPS: [i64; 12] = [50, 75, 100, 125, 150, 200, 250, 300, 400, 500, 750, 1000];
const MILEAGE_STEPS: [i64; 7] = [10_000, 20_000, 30_000, 50_000, 75_000, 100_000, 150_000];

fn price_options(current: Option<i64>) -> Vec<Opt> {
    let cur = current.map(|v| v.to_string());
    let mut values: Vec<i64> = PRICE_STEPS.iter().map(|j| j * 1_000_000).collect();
    if let Some(v) = current
        && !values.contains(&v)
    {
        values.push(v);
        values.sort();
    }
    values.into_iter().map(|v| opt(v.to_string(), juta(v), cur.as_deref())).collect()
}

pub async fn catalogue(
    State(state): State<AppState>,
    SiteTenant(tenant): SiteTenant,
    headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, AppError> {
    let pairs = query.map(|Query(q)| q).unwrap_or_default();
    let (params, notices) = parse_lenient(pairs);
    let fragment = headers.contains_key("hx-request") && !headers.contains_key("hx-history-restore-request");

    let (mut tx, ctx) = begin(&state, tenant).await?;
    let offset = (params.page - 1).saturating_mul(params.per_page);
    let (cars, total) = tx.cars().list(&params.filter, params.sort, params.per_page, offset).await?;
    let models = tx.cars().model_counts(&FOR_SALE).await?;
    let public: Vec<_> = cars.iter().filter_map(|c| c.public()).collect();
    let mut cards: Vec<CarCard> = public.iter().map(|c| CarCard::new(&ctx.base, c, &ctx.settings.credit)).collect();
    super::mark_price_drops(&state, &mut tx, &mut cards).await?;
    tx.commit().await?;
    let active = active_filters(&params);
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let page = params.page;
    let url = url_for(&active, None, params.sort, page);
    let page_url = |n: i64| url_for(&active, None, params.sort, n);
    let window = (page - 2).max(1)..=(page + 2).min(pages);
    let page_links: Vec<PageLink> =
        window.map(|n| PageLink { number: n, url: page_url(n), current: n == page }).collect();
    let chips: Vec<(String, String)> =
        active.iter().map(|a| (a.label.clone(), url_for(&active, Some(a.key), params.sort, 1))).collect();

    // Menus: what is in stock, plus whatever the URL asks for.
    let f = &params.filter;
    let mut brands: BTreeMap<String, i64> = BTreeMap::new();
    let mut groups: BTreeMap<String, Vec<(String, i64)>> = BTreeMap::new();
    for (brand, model, n) in &models {
        *brands.entry(brand.clone()).or_default() += n;
        groups.entry(brand.clone()).or_default().push((model.clone(), *n));
    }
    let brand_sel = f.brand.as_ref().and_then(|b| brands.keys().find(|k| k.eq_ignore_ascii_case(b)).cloned());
    let model_sel = f.models.first().cloned();
    let model_groups: Vec<ModelGroup> = groups
        .into_iter()
        .filter(|(b, _)| brand_sel.as_ref().is_none_or(|s| s == b))
        .map(|(brand, models)| ModelGroup {
            models: models
                .into_iter()
                .map(|(m, n)| {
                    let selected = model_sel
                        .as_deref()
                        .is_some_and(|s| garasi_domain::car::model_key(s) == garasi_domain::car::model_key(&m));
                    Opt { label: format!("{m} ({n})"), value: m, selected }
                })
                .collect(),
            brand,
        })
        .collect();
    let brand_opts: Vec<Opt> =
        brands.iter().map(|(b, n)| opt(b.clone(), format!("{b} ({n})"), brand_sel.as_deref())).collect();
    let year_now = current_year();
    let years: Vec<i64> = (year_now - 25..=year_now).rev().collect();
    let year_opts = |cur: Option<i64>| -> Vec<Opt> {
        let cur = cur.map(|v| v.to_string());
        years.iter().map(|y| opt(y.to_string(), y.to_string(), cur.as_deref())).collect()
    };
    let trans_opts: Vec<Opt> =
        Transmission::ALL.iter().map(|t| opt(t.as_str(), t.label(), f.transmission.map(|t| t.as_str()))).collect();
    let fuel_opts: Vec<Opt> =
        Fuel::ALL.iter().map(|x| opt(x.as_str(), x.label(), f.fuel.map(|x| x.as_str()))).collect();
    let body_opts: Vec<Opt> =
        BodyType::ALL.iter().map(|b| opt(b.as_str(), b.label(), f.body_type.map(|b| b.as_str()))).collect();
    let parity_opts: Vec<Opt> = PlateParity::ALL
        .iter()
        .map(|p| opt(p.as_str(), format!("Plat {}", p.label().to_lowercase()), f.plate_parity.map(|p| p.as_str())))
        .collect();
    let mileage_cur = f.mileage_max.map(|v| v.to_string());
    let mut mileage_values: Vec<i64> = MILEAGE_STEPS.to_vec();
    if let Some(v) = f.mileage_max
        && !mileage_values.contains(&v)
    {
        mileage_values.push(v);
        mileage_values.sort();
    }
    let mileage_opts: Vec<Opt> = mileage_values
        .into_iter()
        .map(|v| opt(v.to_string(), format!("Maks. {} km", thousands(v)), mileage_cur.as_deref()))
        .collect();
    let sort_opts: Vec<Opt> =
        CarSort::ALL.iter().map(|s| opt(s.as_str(), s.label(), Some(params.sort.as_str()))).collect();

    let s = &ctx.showroom;
    let what = descriptor(&params);
    let heading = if what.is_empty() { "Mobil bekas dijual".to_owned() } else { format!("Mobil bekas {what}") };
    let mut title = if what.is_empty() { "Mobil Bekas Dijual".to_owned() } else { format!("Mobil Bekas {what}") };
    if page > 1 {
        title.push_str(&format!(" - Halaman {page}"));
    }
    title.push_str(&format!(" | {}", s.name));
    let place = if s.city.is_empty() { String::new() } else { format!(", {}", s.city) };
    let description = format!(
        "{total} mobil bekas{} dijual di {}{place}. Lihat foto, harga, pajak, dan simulasi kredit, lalu tanya lewat WhatsApp.",
        if what.is_empty() { String::new() } else { format!(" {what}") },
        s.name
    );
    let mut meta = Meta::new(title, description, format!("{}{url}", ctx.base), "mobil");
    meta.htmx = true;
    meta.noindex = !notices.is_empty() || (total > 0 && page > pages);
    if let Some((car, photo)) = public.iter().find_map(|c| c.photos.first().map(|p| (c, p))) {
        let img = super::view::image(&ctx.base, car.id, photo);
        meta.og_image = Some(OgImage { url: img.jpeg, width: img.width, height: img.height, alt: car.title.clone() });
    }
    meta.json_ld.push(json_ld(&seo::breadcrumbs(&[
        ("Beranda".into(), format!("{}/", ctx.base)),
        ("Mobil".into(), format!("{}/mobil", ctx.base)),
    ])));
    let wa_search = s.wa_link(&if what.is_empty() {
        format!("Halo {}, saya sedang mencari mobil. Bisa dibantu?", s.name)
    } else {
        format!("Halo {}, saya mencari mobil {what}. Apakah ada stoknya?", s.name)
    });

    let page_ctx = minijinja::context! {
        fragment => fragment,
        heading => heading,
        cars => ser(&cards),
        total => total,
        page => page,
        pages => pages,
        prev_url => (page > 1).then(|| page_url(page - 1)),
        next_url => (page < pages).then(|| page_url(page + 1)),
        page_links => ser(&page_links),
        chips => ser(&chips),
        notices => ser(&notices),
        wa_search => wa_search,
        out_of_range => total > 0 && page > pages,
        first_url => page_url(1),
        q => f.text.clone().unwrap_or_default(),
        brand_opts => ser(&brand_opts),
        model_groups => ser(&model_groups),
        price_min_opts => ser(price_options(f.price_min)),
        price_max_opts => ser(price_options(f.price_max)),
        year_min_opts => ser(year_opts(f.year_min)),
        year_max_opts => ser(year_opts(f.year_max)),
        trans_opts => ser(&trans_opts),
        fuel_opts => ser(&fuel_opts),
        body_opts => ser(&body_opts),
        parity_opts => ser(&parity_opts),
        mileage_opts => ser(&mileage_opts),
        sort_opts => ser(&sort_opts),
        extra_filters => active.iter().filter(|a| !matches!(a.key, "q" | "brand" | "model" | "sort")).count(),
    };
    let template = if fragment { "site/_results.html" } else { "site/catalogue.html" };
    let body = render(&state, template, &ctx, &meta, page_ctx);
    let mut resp = html(body, worth_caching(&params, &active, &notices));
    if let Some(text) = params.filter.text.as_deref().filter(|t| !t.trim().is_empty()) {
        resp.extensions_mut().insert(crate::insights::PageInsight::Search(text.to_owned()));
    }
    let h = resp.headers_mut();
    h.insert(http::header::VARY, HeaderValue::from_static("HX-Request, HX-History-Restore-Request"));
    if fragment && let Ok(v) = HeaderValue::from_str(&url) {
        h.insert("hx-push-url", v);
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &[(&str, &str)]) -> Vec<(String, String)> {
        q.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn bad_values_are_dropped_and_reported() {
        let (p, notices) = parse_lenient(pairs(&[("fuel", "air"), ("brand", "Toyota"), ("price_max", "murah")]));
        assert_eq!(p.filter.brand.as_deref(), Some("Toyota"));
        assert!(p.filter.fuel.is_none());
        assert_eq!(notices.len(), 2, "{notices:?}");
        assert_eq!(p.per_page, PER_PAGE);
    }

    #[test]
    fn only_pages_the_site_links_to_are_cached() {
        let cached = |q: &[(&str, &str)]| {
            let (p, notices) = parse_lenient(pairs(q));
            worth_caching(&p, &active_filters(&p), &notices)
        };
        assert!(cached(&[]));
        assert!(cached(&[("brand", "Toyota"), ("price_max", "200000000"), ("sort", "price_asc"), ("page", "3")]));
        assert!(!cached(&[("price_max", "187654000")]), "a price the menus do not offer");
        assert!(!cached(&[("q", "avanza")]), "a search");
        assert!(!cached(&[("brand", "Toyota"), ("transmission", "AT"), ("fuel", "diesel")]), "three filters");
        assert!(!cached(&[("year_min", "1950")]), "a year the menus do not offer");
        assert!(!cached(&[("fuel", "air")]), "an ignored value");
    }

    #[test]
    fn urls_are_canonical() {
        let (p, _) = parse_lenient(pairs(&[
            ("transmission", "matic"),
            ("brand", "Toyota"),
            ("utm_source", "wa"),
            ("price_max", "200.000.000"),
            ("sort", "price_asc"),
            ("page", "2"),
        ]));
        let active = active_filters(&p);
        assert_eq!(
            url_for(&active, None, p.sort, p.page),
            "/mobil?brand=Toyota&transmission=AT&price_max=200000000&sort=price_asc&page=2"
        );
        assert_eq!(
            url_for(&active, Some("brand"), p.sort, 1),
            "/mobil?transmission=AT&price_max=200000000&sort=price_asc"
        );
        assert_eq!(descriptor(&p), "Toyota Otomatis di bawah Rp 200 Juta");
    }
}
