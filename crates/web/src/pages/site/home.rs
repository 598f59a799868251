//! `/`: the showroom, its featured cars and quick ways into the catalogue.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Response;
use garasi_domain::car::{BodyType, CarFilter, CarSort};
use serde::Serialize;

use super::format::{json_ld, truncate};
use super::view::CarCard;
use super::{FOR_SALE, Meta, OgImage, begin, html, render, seo, ser};
use crate::auth::extract::SiteTenant;
use crate::error::AppError;
use crate::state::AppState;

/// How many cars the home page shows.
const FEATURED: i64 = 6;

#[derive(Serialize)]
pub(crate) struct Chip {
    pub label: String,
    pub href: String,
    pub count: Option<i64>,
}

/// Budget bands for the quick filters, in rupiah.
const PRICE_BANDS: [(&str, &str); 4] = [
    ("Di bawah Rp 150 Juta", "price_max=150000000"),
    ("Rp 150–250 Juta", "price_min=150000000&price_max=250000000"),
    ("Rp 250–400 Juta", "price_min=250000000&price_max=400000000"),
    ("Di atas Rp 400 Juta", "price_min=400000000"),
];

pub async fn home(State(state): State<AppState>, SiteTenant(tenant): SiteTenant) -> Result<Response, AppError> {
    let (mut tx, ctx) = begin(&state, tenant).await?;
    let featured_filter = CarFilter { featured: Some(true), ..CarFilter::for_sale() };
    let (mut cars, _) = tx.cars().list(&featured_filter, CarSort::Newest, FEATURED, 0).await?;
    let (newest, total) = tx.cars().list(&CarFilter::for_sale(), CarSort::Newest, FEATURED, 0).await?;
    for car in newest {
        if cars.len() as i64 >= FEATURED {
            break;
        }
        if !cars.iter().any(|c| c.id == car.id) {
            cars.push(car);
        }
    }
    let bodies = tx.cars().body_type_counts(&FOR_SALE).await?;
    let models = tx.cars().model_counts(&FOR_SALE).await?;
    let public: Vec<_> = cars.iter().filter_map(|c| c.public()).collect();
    let mut cards: Vec<CarCard> = public.iter().map(|c| CarCard::new(&ctx.base, c, &ctx.settings.credit)).collect();
    super::mark_price_drops(&state, &mut tx, &mut cards).await?;
    tx.commit().await?;
    let body_chips: Vec<Chip> = bodies
        .iter()
        .filter_map(|(b, n)| b.parse::<BodyType>().ok().map(|b| (b, *n)))
        .map(|(b, n)| Chip {
            label: b.label().to_owned(),
            href: format!("/mobil?body_type={}", b.as_str()),
            count: Some(n),
        })
        .collect();
    let mut brands: BTreeMap<String, i64> = BTreeMap::new();
    for (brand, _, n) in &models {
        *brands.entry(brand.clone()).or_default() += n;
    }
    let brand_chips: Vec<Chip> = brands
        .into_iter()
        .map(|(b, n)| Chip {
            href: format!("/mobil?brand={}", super::format::url_encode(&b)),
            label: b,
            count: Some(n),
        })
        .collect();
    let price_chips: Vec<Chip> = PRICE_BANDS
        .iter()
        .map(|(label, q)| Chip { label: (*label).to_owned(), href: format!("/mobil?{q}"), count: None })
        .collect();

    let s = &ctx.showroom;
    let place = if s.city.is_empty() { String::new() } else { format!(" di {}", s.city) };
    let title = format!("{} - Mobil Bekas Berkualitas{place}", s.name);
    let description = if s.about.is_empty() {
        format!(
            "{} menjual {total} mobil bekas pilihan{place}. Lihat foto, harga, dan simulasi kredit, lalu tanya lewat WhatsApp.",
            s.name
        )
    } else {
        truncate(&s.about, 155)
    };
    let mut meta = Meta::new(title, description, format!("{}/", ctx.base), "home");
    let cover = public.iter().find_map(|c| c.photos.first().map(|p| (c, p)));
    if let Some((car, photo)) = cover {
        let img = super::view::image(&ctx.base, car.id, photo);
        meta.og_image = Some(OgImage { url: img.jpeg, width: img.width, height: img.height, alt: car.title.clone() });
    }
    meta.json_ld.push(json_ld(&seo::auto_dealer(&ctx, meta.og_image.as_ref().map(|i| i.url.as_str()))));
    let wa_link = s.wa_link(&format!("Halo {}, saya ingin bertanya tentang mobil yang tersedia.", s.name));
    let body = render(
        &state,
        "site/home.html",
        &ctx,
        &meta,
        minijinja::context! {
            cars => ser(&cards),
            total => total,
            body_chips => ser(&body_chips),
            brand_chips => ser(&brand_chips),
            price_chips => ser(&price_chips),
            wa_link => wa_link,
            min_dp => ctx.settings.credit.min_dp_percent,
        },
    );
    Ok(html(body, true))
}
