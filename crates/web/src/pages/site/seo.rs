//! Crawlers' view: sitemap.xml, robots.txt and the JSON-LD documents pages embed.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use garasi_domain::car::{CarStatus, Fuel, PublicCar, Transmission};
use http::{HeaderValue, header};
use serde_json::{Value, json};

use super::view::{CarDetail, Showroom};
use super::{Ctx, begin};
use crate::auth::extract::SiteTenant;
use crate::error::AppError;
use crate::page_cache::Cacheable;
use crate::state::AppState;

/// The sitemaps.org limit for one file.
const MAX_URLS: i64 = 50_000;

// XML needs the same five escapes as HTML.
use crate::html::escape as xml_escape;

/// W3C datetime in UTC, to the second: `2026-05-01T08:30:00+00:00`.
fn w3c(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, false)
}

fn text_response(body: String, content_type: &'static str) -> Response {
    let mut resp = body.into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    resp.extensions_mut().insert(Cacheable);
    resp
}

/// `/sitemap.xml`: the site's pages and every public car (available, booked, sold).
/// Drafts and hidden cars are not listed.
pub async fn sitemap(State(state): State<AppState>, SiteTenant(tenant): SiteTenant) -> Result<Response, AppError> {
    let (mut tx, ctx) = begin(&state, tenant).await?;
    let cars = tx.cars().public_slugs(MAX_URLS - 3).await?;
    tx.commit().await?;
    let newest = cars.iter().map(|(_, at)| *at).max();
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut url = |loc: String, lastmod: Option<DateTime<Utc>>| {
        xml.push_str("  <url><loc>");
        xml.push_str(&xml_escape(&loc));
        xml.push_str("</loc>");
        if let Some(at) = lastmod {
            xml.push_str("<lastmod>");
            xml.push_str(&w3c(at));
            xml.push_str("</lastmod>");
        }
        xml.push_str("</url>\n");
    };
    url(format!("{}/", ctx.base), newest);
    url(format!("{}/mobil", ctx.base), newest);
    url(format!("{}/kontak", ctx.base), None);
    for (slug, updated_at) in &cars {
        url(format!("{}/mobil/{}", ctx.base, slug), Some(*updated_at));
    }
    xml.push_str("</urlset>\n");
    Ok(text_response(xml, "application/xml; charset=utf-8"))
}

/// `/robots.txt`: everything public may be crawled; the API and the credit widget's
/// fragment may not. Points at the sitemap by its absolute URL.
pub async fn robots(State(state): State<AppState>, SiteTenant(tenant): SiteTenant) -> Response {
    let base = state.config.tenant_url(&tenant);
    let body = format!(
        "User-agent: *\nAllow: /\nDisallow: /api/\nDisallow: /mobil/*/kredit\nDisallow: /wa\n\nSitemap: {base}/sitemap.xml\n"
    );
    text_response(body, "text/plain; charset=utf-8")
}

/// `AutoDealer` for the home and contact pages.
pub fn auto_dealer(ctx: &Ctx, image: Option<&str>) -> Value {
    let s: &Showroom = &ctx.showroom;
    let mut v = json!({
        "@context": "https://schema.org",
        "@type": "AutoDealer",
        "@id": format!("{}/#showroom", ctx.base),
        "name": s.name,
        "url": format!("{}/", ctx.base),
    });
    if !s.about.is_empty() {
        v["description"] = json!(s.about);
    }
    if let Some(phone) = &s.phone_href {
        v["telephone"] = json!(phone.trim_start_matches("tel:"));
    }
    if !s.address.is_empty() || !s.city.is_empty() {
        let mut address = json!({ "@type": "PostalAddress", "addressCountry": "ID" });
        if !s.address.is_empty() {
            address["streetAddress"] = json!(s.address);
        }
        if !s.city.is_empty() {
            address["addressLocality"] = json!(s.city);
        }
        v["address"] = address;
    }
    if !s.opening_hours.is_empty() {
        v["openingHours"] = json!(s.opening_hours);
    }
    if !s.maps_url.is_empty() {
        v["hasMap"] = json!(s.maps_url);
    }
    if let Some(image) = image {
        v["image"] = json!(image);
    }
    v
}

/// `BreadcrumbList` from (name, absolute URL) pairs.
pub fn breadcrumbs(items: &[(String, String)]) -> Value {
    let list: Vec<Value> = items
        .iter()
        .enumerate()
        .map(|(i, (name, url))| json!({ "@type": "ListItem", "position": i + 1, "name": name, "item": url }))
        .collect();
    json!({ "@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": list })
}

fn availability(status: CarStatus) -> &'static str {
    match status {
        CarStatus::Available => "https://schema.org/InStock",
        CarStatus::Booked => "https://schema.org/Reserved",
        _ => "https://schema.org/SoldOut",
    }
}

/// A schema.org `Car` with its `Offer`, from the public view only.
pub fn car(ctx: &Ctx, car: &PublicCar, detail: &CarDetail) -> Value {
    let url = format!("{}/mobil/{}", ctx.base, car.slug);
    let condition = match car.condition {
        garasi_domain::car::Condition::New => "https://schema.org/NewCondition",
        garasi_domain::car::Condition::Used => "https://schema.org/UsedCondition",
    };
    let mut v = json!({
        "@context": "https://schema.org",
        "@type": "Car",
        "name": car.title,
        "url": url,
        "sku": format!("{}", car.stock_no),
        "brand": { "@type": "Brand", "name": car.brand },
        "model": car.model,
        "vehicleModelDate": car.year.to_string(),
        "mileageFromOdometer": { "@type": "QuantitativeValue", "value": car.mileage_km, "unitCode": "KMT" },
        "vehicleTransmission": match car.transmission { Transmission::At => "Automatic", Transmission::Mt => "Manual" },
        "fuelType": match car.fuel {
            Fuel::Bensin => "Gasoline",
            Fuel::Diesel => "Diesel",
            Fuel::Hybrid => "Hybrid",
            Fuel::Listrik => "Electric",
        },
        "bodyType": car.body_type.label(),
        "itemCondition": condition,
        "offers": {
            "@type": "Offer",
            "url": url,
            "price": car.price,
            "priceCurrency": "IDR",
            "availability": availability(car.status),
            "itemCondition": condition,
            "seller": { "@type": "AutoDealer", "name": ctx.showroom.name, "url": format!("{}/", ctx.base) },
        },
    });
    if !car.variant.is_empty() {
        v["vehicleConfiguration"] = json!(car.variant);
    }
    if !car.color.is_empty() {
        v["color"] = json!(car.color);
    }
    if let Some(cc) = car.engine_cc {
        v["vehicleEngine"] = json!({
            "@type": "EngineSpecification",
            "engineDisplacement": { "@type": "QuantitativeValue", "value": cc, "unitCode": "CMQ" },
        });
    }
    if let Some(seats) = car.seats {
        v["seatingCapacity"] = json!(seats);
    }
    if car.first_owner {
        v["numberOfPreviousOwners"] = json!(1);
    }
    if !car.description.trim().is_empty() {
        v["description"] = json!(super::format::truncate(&car.description, 5000));
    }
    let images: Vec<&str> = detail.photos.iter().map(|p| p.jpeg.as_str()).collect();
    if !images.is_empty() {
        v["image"] = json!(images);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lastmod_is_a_w3c_datetime() {
        let at = DateTime::parse_from_rfc3339("2026-05-01T08:30:00.123456Z").unwrap().with_timezone(&Utc);
        assert_eq!(w3c(at), "2026-05-01T08:30:00+00:00");
        assert_eq!(xml_escape("a&b<c>"), "a&amp;b&lt;c&gt;");
    }
}
