//! The public showroom website: home, catalogue, car pages, contact, sitemap and
//! robots.txt, in Indonesian, rendered on the server and enhanced with htmx.
//!
//! Everything a page shows about a car comes from `PublicCar`, so sales-only fields
//! (floor price, internal notes, the full plate) cannot reach HTML, JSON-LD or the
//! sitemap. Absolute URLs (canonical, og:url, og:image, JSON-LD, sitemap) are built
//! from the tenant's stored primary domain, never from the request.

mod car;
mod catalogue;
mod compare;
mod contact;
pub(crate) mod format;
mod fresh;
mod home;
mod seo;
mod view;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use garasi_domain::TenantSettings;
use garasi_domain::car::CarStatus;
use garasi_store::TenantTx;
use garasi_store::platform::Tenant;
use http::{HeaderValue, Method, StatusCode, header};
use minijinja::value::Value;
use minijinja::{AutoEscape, Environment};
use serde::Serialize;

use crate::error::AppError;
use crate::host::Site;
use crate::page_cache::Cacheable;
use crate::state::AppState;
use view::Showroom;

/// Statuses shown in the catalogue and offered in filters.
pub(crate) const FOR_SALE: [CarStatus; 2] = [CarStatus::Available, CarStatus::Booked];

/// Routes of the public site, behind the page cache.
pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/mobil", get(catalogue::catalogue))
        .route("/mobil/banding", get(compare::compare))
        .route("/mobil/{slug}", get(car::car_page))
        .route("/mobil/{slug}/kredit", get(car::credit))
        .route("/kontak", get(contact::contact))
        .route("/wa", get(car::wa_general))
        .route("/wa/{slug}", get(car::wa_car))
        .route("/sitemap.xml", get(seo::sitemap))
        .route("/robots.txt", get(seo::robots))
        // Inside the page cache: compresses only what the cache will not keep.
        .layer(fresh::layer())
        .layer(middleware::from_fn_with_state(state.clone(), crate::page_cache::middleware))
}

/// Static assets, on every site.
pub fn asset_routes() -> Router<AppState> {
    Router::new().route("/assets/{file}", get(crate::assets::serve)).route("/favicon.ico", get(crate::assets::favicon))
}

/// What every public page knows: the showroom, its settings and its public origin.
pub(crate) struct Ctx {
    pub settings: TenantSettings,
    pub showroom: Showroom,
    pub base: String,
}

/// Opens a read transaction in the tenant's scope and loads its settings.
pub(crate) async fn begin(state: &AppState, tenant: Arc<Tenant>) -> Result<(TenantTx, Ctx), AppError> {
    let mut tx = state.db.tenant(tenant.id).begin().await?;
    let settings = TenantSettings::from_json(&tx.settings().get().await?);
    let base = state.config.tenant_url(&tenant);
    let showroom = Showroom::new(&tenant, &settings, base.clone());
    Ok((tx, Ctx { settings, showroom, base }))
}

/// Marks the cards whose car's latest price change was a drop within the last
/// `PRICE_DROP_DAYS` ("Harga turun"), from the price history, read in `tx`. Pages with
/// these badges are cached like the others: a price change publishes the inventory event
/// that drops them, and the cache's TTL ends a badge that simply ages out.
pub(crate) async fn mark_price_drops(
    state: &AppState,
    tx: &mut TenantTx,
    cards: &mut [view::CarCard],
) -> Result<(), AppError> {
    let ids: Vec<uuid::Uuid> = cards.iter().map(|c| c.id).collect();
    let latest = tx.car_prices().latest_for(&ids).await?;
    let now = state.services.clock.now();
    for card in cards.iter_mut() {
        let change = latest.get(&card.id);
        if garasi_domain::car::shows_price_drop(change, card.price_value, now) {
            card.dropped_from = change.and_then(|c| c.previous_price).map(format::rupiah);
        }
    }
    Ok(())
}

/// An Open Graph image.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct OgImage {
    pub url: String,
    pub width: i64,
    pub height: i64,
    pub alt: String,
}

/// Head data of one page.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Meta {
    pub title: String,
    pub description: String,
    /// Absolute, from the stored domain.
    pub canonical: String,
    pub og_type: &'static str,
    pub og_image: Option<OgImage>,
    /// Pre-escaped JSON-LD documents (see `format::json_ld`).
    pub json_ld: Vec<String>,
    pub noindex: bool,
    /// Which main navigation entry is current.
    pub nav: &'static str,
    /// Whether the page loads htmx (pages with live forms only).
    pub htmx: bool,
}

impl Meta {
    pub fn new(title: String, description: String, canonical: String, nav: &'static str) -> Meta {
        Meta {
            title,
            description,
            canonical,
            og_type: "website",
            og_image: None,
            json_ld: Vec::new(),
            noindex: false,
            nav,
            htmx: false,
        }
    }
}

/// Any serialisable value as a template value.
pub(crate) fn ser<T: Serialize>(v: T) -> Value {
    Value::from(minijinja::value::Serde(v))
}

/// Renders a template with the layout's context plus the page's own.
pub(crate) fn render(state: &AppState, template: &str, ctx: &Ctx, meta: &Meta, page: Value) -> String {
    let root = minijinja::context! {
        showroom => ser(&ctx.showroom),
        meta => ser(meta),
        ..page
    };
    state.templates.render(template, root)
}

/// A full HTML page. Cacheable pages are shared by every anonymous visitor.
pub(crate) fn html(body: String, cacheable: bool) -> Response {
    let mut resp = Html(body).into_response();
    // Browsers revalidate with the ETag the page cache adds; the answer is then a 304.
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if cacheable {
        resp.extensions_mut().insert(Cacheable);
    }
    resp
}

/// The site's own 404 page, with its navigation.
pub(crate) fn not_found_page(state: &AppState, ctx: &Ctx) -> Response {
    let meta = Meta {
        noindex: true,
        ..Meta::new(
            format!("Halaman tidak ditemukan | {}", ctx.showroom.name),
            "Halaman yang Anda cari tidak ada atau sudah dipindahkan.".into(),
            String::new(),
            "",
        )
    };
    let body = render(state, "site/not_found.html", ctx, &meta, minijinja::context! {});
    let mut resp = html(body, false);
    *resp.status_mut() = StatusCode::NOT_FOUND;
    resp
}

/// Unknown paths on a showroom host: the site's 404 page for people, the usual
/// JSON/toast 404 for the API, htmx and anything that is not a page view.
pub async fn fallback(State(state): State<AppState>, req: Request) -> Response {
    let path = req.uri().path();
    let tenant = match req.extensions().get::<Site>() {
        Some(Site::Tenant(t)) => t.clone(),
        _ => return AppError::NotFound.into_response(),
    };
    if !matches!(*req.method(), Method::GET | Method::HEAD)
        || path.starts_with("/api/")
        || path == "/api"
        || path.starts_with("/media/")
        || req.headers().contains_key("hx-request")
    {
        return AppError::NotFound.into_response();
    }
    match begin(&state, tenant).await {
        Ok((tx, ctx)) => {
            let _ = tx.commit().await;
            not_found_page(&state, &ctx)
        }
        Err(e) => e.into_response(),
    }
}

/// Escaping for the site's templates: like HTML auto-escaping, but `/` stays as it
/// is (it needs no escaping in text or quoted attributes), so URLs read normally.
const SITE_ESCAPE: &str = "site-html";

use crate::html::escape_into as escape_html;

/// Adds the public site's templates, the asset URLs and the site's escaping.
pub fn register_templates(env: &mut Environment<'static>) {
    env.add_global("assets", ser(crate::assets::urls()));
    env.set_auto_escape_callback(|name| {
        if name.starts_with("site/") {
            AutoEscape::Custom(SITE_ESCAPE.into())
        } else {
            minijinja::default_auto_escape_callback(name)
        }
    });
    env.set_formatter(|out, state, value| {
        if !matches!(state.auto_escape(), AutoEscape::Custom(name) if name == SITE_ESCAPE) {
            return minijinja::escape_formatter(out, state, value);
        }
        if value.is_safe() {
            return out.write_str(value.as_str().unwrap_or_default()).map_err(minijinja::Error::from);
        }
        let mut buf = String::new();
        match value.as_str() {
            Some(s) => escape_html(s, &mut buf),
            None if value.is_undefined() || value.is_none() => {}
            None => escape_html(&value.to_string(), &mut buf),
        }
        out.write_str(&buf).map_err(minijinja::Error::from)
    });
    // After the escaping is set: a template's escaping is fixed when it is added.
    macro_rules! site_templates {
        ($($name:literal),+ $(,)?) => {
            $( env
                .add_template(concat!("site/", $name), include_str!(concat!("../../../templates/site/", $name)))
                .expect(concat!("template site/", $name, " must compile")); )+
        };
    }
    site_templates!(
        "layout.html",
        "macros.html",
        "wa_icon.html",
        "home.html",
        "catalogue.html",
        "_results.html",
        "car.html",
        "compare.html",
        "_credit.html",
        "contact.html",
        "not_found.html",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_templates_escape_markup_but_not_slashes() {
        let mut env = Environment::new();
        register_templates(&mut env);
        env.add_template("site/t.html", "{{ x }}|{{ u }}|{{ y|safe }}|{{ n }}|{{ missing }}|{{ 12 }}").unwrap();
        let out = env
            .get_template("site/t.html")
            .unwrap()
            .render(minijinja::context! { x => "<script>\"'&", u => "/mobil/a-b", y => "<b>", n => () })
            .unwrap();
        assert_eq!(out, "&lt;script&gt;&quot;&#x27;&amp;|/mobil/a-b|<b>|||12");
        // Other templates keep minijinja's default HTML escaping.
        env.add_template("other.html", "{{ u }}").unwrap();
        let other = env.get_template("other.html").unwrap().render(minijinja::context! { u => "/a" }).unwrap();
        assert_eq!(other, "&#x2f;a");
    }
}
