//! `/kontak`: where the showroom is, when it is open, and how to reach it.

use axum::extract::State;
use axum::response::Response;

use super::format::json_ld;
use garasi_domain::car::{CarFilter, CarSort};

use super::{Meta, OgImage, begin, html, render, seo};
use crate::auth::extract::SiteTenant;
use crate::error::AppError;
use crate::state::AppState;

pub async fn contact(State(state): State<AppState>, SiteTenant(tenant): SiteTenant) -> Result<Response, AppError> {
    let (mut tx, ctx) = begin(&state, tenant).await?;
    // A photo of a car on offer makes a shared contact link look like the showroom.
    let (newest, _) = tx.cars().list(&CarFilter::for_sale(), CarSort::Newest, 1, 0).await?;
    tx.commit().await?;
    let s = &ctx.showroom;
    let mut description = format!("Alamat, jam buka, dan kontak WhatsApp {}", s.name);
    if !s.full_address.is_empty() {
        description.push_str(&format!(" di {}", s.full_address));
    }
    description.push('.');
    let mut meta =
        Meta::new(format!("Kontak & Lokasi | {}", s.name), description, format!("{}/kontak", ctx.base), "kontak");
    if let Some(car) = newest.first().and_then(|c| c.public())
        && let Some(photo) = car.photos.first()
    {
        let img = super::view::image(&ctx.base, car.id, photo);
        meta.og_image = Some(OgImage { url: img.jpeg, width: img.width, height: img.height, alt: s.name.clone() });
    }
    meta.json_ld.push(json_ld(&seo::auto_dealer(&ctx, meta.og_image.as_ref().map(|i| i.url.as_str()))));
    meta.json_ld.push(json_ld(&seo::breadcrumbs(&[
        ("Beranda".into(), format!("{}/", ctx.base)),
        ("Kontak".into(), format!("{}/kontak", ctx.base)),
    ])));
    let wa_link = s.wa_link(&format!("Halo {}, saya ingin bertanya.", s.name));
    let body = render(&state, "site/contact.html", &ctx, &meta, minijinja::context! { wa_link => wa_link });
    Ok(html(body, true))
}
