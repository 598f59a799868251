//! `/mobil/banding?ids=a,b,c`: up to three cars side by side, by their slugs (the car pages'
//! URLs). Works with links alone: a car page's "Bandingkan" opens this page with that car,
//! which offers similar cars to add and a link to drop each one; `site.js` adds a tray that
//! collects cars across pages. More than three is refused with a message (the first three
//! are shown). Drafts, hidden and unknown cars are left out with a note.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use garasi_domain::car::{Car, CarFilter, CarSort, PublicCar};
use serde::Serialize;

use super::format::{thousands, url_encode};
use super::view::{CarCard, plate_text, transmission_label};
use super::{Meta, begin, html, mark_price_drops, render, ser};
use crate::auth::extract::SiteTenant;
use crate::error::AppError;
use crate::state::AppState;

/// Most cars compared at once.
pub const MAX_COMPARE: usize = 3;

/// One row of the table: a label and one value per car; `differs` marks rows where the
/// cars are not alike.
#[derive(Debug, Serialize)]
struct Row {
    label: &'static str,
    values: Vec<String>,
    differs: bool,
}

/// One compared car: its card and the link that drops it.
#[derive(Debug, Serialize)]
struct Column {
    card: CarCard,
    remove_url: String,
}

/// A car to add: its card and the link with it added.
#[derive(Debug, Serialize)]
struct Suggestion {
    card: CarCard,
    add_url: String,
}

/// The slugs asked for, in order, without repeats: `ids=a,b` and `ids=a&ids=b` alike.
fn wanted(pairs: &[(String, String)]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (_, v) in pairs.iter().filter(|(k, _)| k == "ids") {
        for slug in v.split(',').map(str::trim).filter(|s| !s.is_empty() && s.len() <= 200) {
            if !out.iter().any(|s| s == slug) {
                out.push(slug.to_owned());
            }
        }
    }
    out
}

fn compare_url(slugs: &[&str]) -> String {
    if slugs.is_empty() {
        return "/mobil/banding".to_owned();
    }
    format!("/mobil/banding?ids={}", slugs.iter().map(|s| url_encode(s)).collect::<Vec<_>>().join(","))
}

fn rows(cars: &[PublicCar]) -> Vec<Row> {
    let row = |label: &'static str, f: &dyn Fn(&PublicCar) -> String| {
        let values: Vec<String> = cars.iter().map(f).collect();
        let differs = values.windows(2).any(|w| w[0] != w[1]);
        Row { label, values, differs }
    };
    let or_dash = |s: String| if s.trim().is_empty() { "–".to_owned() } else { s };
    vec![
        row("Harga", &|c| super::format::rupiah(c.price)),
        row("Tahun", &|c| c.year.to_string()),
        row("Kilometer", &|c| format!("{} km", thousands(c.mileage_km))),
        row("Transmisi", &|c| transmission_label(c.transmission).to_owned()),
        row("Bahan bakar", &|c| c.fuel.label().to_owned()),
        row("Tipe bodi", &|c| c.body_type.label().to_owned()),
        row("Warna", &|c| or_dash(c.color.clone())),
        row("Mesin", &|c| c.engine_cc.map(|cc| format!("{} cc", thousands(cc))).unwrap_or_else(|| "–".into())),
        row("Kursi", &|c| c.seats.map(|s| s.to_string()).unwrap_or_else(|| "–".into())),
        row("Plat", &|c| plate_text(c).unwrap_or_else(|| "–".into())),
        row("Pajak s.d.", &|c| c.tax_paid_until.map(super::format::month_year).unwrap_or_else(|| "–".into())),
        row("Tangan pertama", &|c| if c.first_owner { "Ya" } else { "Tidak" }.to_owned()),
        row("Kondisi", &|c| c.condition.label().to_owned()),
    ]
}

pub async fn compare(
    State(state): State<AppState>,
    SiteTenant(tenant): SiteTenant,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, AppError> {
    let pairs = query.map(|Query(q)| q).unwrap_or_default();
    let asked = wanted(&pairs);
    let too_many = asked.len() > MAX_COMPARE;
    let (mut tx, ctx) = begin(&state, tenant).await?;
    let mut stored: Vec<Car> = Vec::new();
    let mut missing = 0;
    for slug in asked.iter().take(MAX_COMPARE) {
        match tx.cars().by_slug(slug).await?.filter(|c| c.fields.status.is_public()) {
            Some(car) => stored.push(car),
            None => missing += 1,
        }
    }
    let public: Vec<PublicCar> = stored.iter().filter_map(|c| c.public()).collect();
    let terms = &ctx.settings.credit;
    let mut cards: Vec<CarCard> = public.iter().map(|c| CarCard::new(&ctx.base, c, terms)).collect();
    mark_price_drops(&state, &mut tx, &mut cards).await?;
    // Cars to add: like the first one, else the newest on sale.
    let mut suggestions = Vec::new();
    if stored.len() < MAX_COMPARE {
        // Like the first car first, then the newest on sale.
        let mut others = match stored.first() {
            Some(first) => tx.cars().similar(first, 6).await?,
            None => Vec::new(),
        };
        others.extend(tx.cars().list(&CarFilter::for_sale(), CarSort::Newest, 9, 0).await?.0);
        let mut seen = std::collections::HashSet::new();
        others.retain(|c| seen.insert(c.id));
        let slugs: Vec<&str> = stored.iter().map(|c| c.slug.as_str()).collect();
        let mut add: Vec<CarCard> = others
            .iter()
            .filter(|c| !slugs.contains(&c.slug.as_str()))
            .filter_map(|c| c.public())
            .take(3)
            .map(|c| CarCard::new(&ctx.base, &c, terms))
            .collect();
        mark_price_drops(&state, &mut tx, &mut add).await?;
        suggestions = add
            .into_iter()
            .map(|card| {
                let mut with: Vec<&str> = slugs.clone();
                with.push(&card.slug);
                let add_url = compare_url(&with);
                Suggestion { card, add_url }
            })
            .collect();
    }
    tx.commit().await?;

    let slugs: Vec<&str> = public.iter().map(|c| c.slug.as_str()).collect();
    let table = rows(&public);
    let columns: Vec<Column> = cards
        .into_iter()
        .map(|card| {
            let rest: Vec<&str> = slugs.iter().copied().filter(|s| *s != card.slug).collect();
            Column { remove_url: compare_url(&rest), card }
        })
        .collect();
    let titles: Vec<&str> = public.iter().map(|c| c.title.as_str()).collect();
    let title = if titles.is_empty() {
        format!("Bandingkan mobil | {}", ctx.showroom.name)
    } else {
        format!("Bandingkan {} | {}", titles.join(" vs "), ctx.showroom.name)
    };
    let meta = Meta {
        // Any set of cars makes a URL: none of them is a page for search engines.
        noindex: true,
        ..Meta::new(
            title,
            format!("Bandingkan hingga {MAX_COMPARE} mobil dari {} berdampingan.", ctx.showroom.name),
            format!("{}/mobil/banding", ctx.base),
            "mobil",
        )
    };
    let body = render(
        &state,
        "site/compare.html",
        &ctx,
        &meta,
        minijinja::context! {
            columns => ser(&columns),
            rows => ser(&table),
            suggestions => ser(&suggestions),
            too_many,
            asked => asked.len(),
            missing,
            max => MAX_COMPARE,
        },
    );
    Ok(html(body, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn slugs_come_from_a_list_or_repeated_parameters_without_repeats() {
        assert_eq!(wanted(&pairs(&[("ids", "a-1, b-2,,a-1")])), vec!["a-1", "b-2"]);
        assert_eq!(wanted(&pairs(&[("ids", "a-1"), ("x", "z"), ("ids", "c-3")])), vec!["a-1", "c-3"]);
        assert!(wanted(&pairs(&[])).is_empty());
        assert_eq!(compare_url(&["a-1", "b 2"]), "/mobil/banding?ids=a-1,b%202");
        assert_eq!(compare_url(&[]), "/mobil/banding");
    }
}
