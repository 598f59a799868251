//! Static files compiled into the binary (CSS, the vendored htmx, the favicon).
//!
//! Each file is served twice: under a name carrying a hash of its bytes
//! (`/assets/site.1a2b3c4d5e.css`, cached for a year as immutable, so a new release
//! changes the URL) and under its plain name (`/assets/app.css`, cached briefly, for
//! links that cannot know the hash). Both answer `If-None-Match` with 304.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use sha2::{Digest, Sha256};

struct Source {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

/// An asset's name, type and bytes; the path is relative to `assets/`.
macro_rules! source {
    ($name:literal, $type:expr, $path:literal) => {
        Source { name: $name, content_type: $type, bytes: include_bytes!(concat!("../assets/", $path)) }
    };
}

const CSS: &str = "text/css; charset=utf-8";
const PNG: &str = "image/png";
const JS: &str = "text/javascript; charset=utf-8";

const SOURCES: &[Source] = &[
    source!("app.css", CSS, "app.css"),
    source!("site.css", CSS, "site.css"),
    source!("site.js", JS, "site.js"),
    source!("htmx.js", JS, "vendor/htmx.min.js"),
    source!("favicon.svg", "image/svg+xml", "favicon.svg"),
    source!("admin.css", CSS, "admin.css"),
    source!("admin.js", JS, "admin.js"),
    // The user guide's pictures (`/admin/bantuan`), made by `browser/guide-screenshots.mjs`.
    source!("guide-dashboard.png", PNG, "guide/dashboard.png"),
    source!("guide-whatsapp.png", PNG, "guide/whatsapp.png"),
    source!("guide-cars.png", PNG, "guide/cars.png"),
    source!("guide-car-new.png", PNG, "guide/car-new.png"),
    source!("guide-car-photos.png", PNG, "guide/car-photos.png"),
    source!("guide-import.png", PNG, "guide/import.png"),
    source!("guide-sales.png", PNG, "guide/sales.png"),
    source!("guide-leads.png", PNG, "guide/leads.png"),
    source!("guide-board.png", PNG, "guide/board.png"),
    source!("guide-conversation.png", PNG, "guide/conversation.png"),
    source!("guide-bot.png", PNG, "guide/bot.png"),
    source!("guide-domain.png", PNG, "guide/domain.png"),
];

pub struct Asset {
    pub name: &'static str,
    /// `site.1a2b3c4d5e.css`: the name with the first 10 hex digits of the SHA-256 of the bytes.
    pub hashed_name: String,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
    etag: HeaderValue,
}

impl Asset {
    /// The URL pages should link to: the hashed, immutable one.
    pub fn url(&self) -> String {
        format!("/assets/{}", self.hashed_name)
    }
}

static ASSETS: LazyLock<Vec<Asset>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .map(|s| {
            let digest = Sha256::digest(s.bytes);
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            let hashed_name = match s.name.rsplit_once('.') {
                Some((stem, ext)) => format!("{stem}.{}.{ext}", &hex[..10]),
                None => format!("{}.{}", s.name, &hex[..10]),
            };
            let etag = HeaderValue::from_str(&format!("\"{}\"", &hex[..32])).expect("hex is a valid header value");
            Asset { name: s.name, hashed_name, content_type: s.content_type, bytes: s.bytes, etag }
        })
        .collect()
});

/// An asset by its plain name.
pub fn get(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name)
}

/// A PNG's width and height from its header (`IHDR` is always the first chunk).
pub fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.len() < 24 || &bytes[..8] != b"\x89PNG\r\n\x1a\n" || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let be = |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    Some((be(16), be(20)))
}

/// Every asset by plain name → hashed URL, for templates (`assets["site.css"]`).
pub fn urls() -> BTreeMap<&'static str, String> {
    ASSETS.iter().map(|a| (a.name, a.url())).collect()
}

/// Whether an `If-None-Match` header matches `etag` (weak comparison, RFC 9110 §13.1.2).
pub fn etag_matches(headers: &HeaderMap, etag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let want = bare(etag);
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || bare(t) == want)
}

fn respond(asset: &Asset, immutable: bool, headers: &HeaderMap) -> Response {
    let cache = if immutable { "public, max-age=31536000, immutable" } else { "public, max-age=300" };
    let etag = asset.etag.to_str().unwrap_or_default();
    let mut resp = if etag_matches(headers, etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = asset.bytes.into_response();
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
        r
    };
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(header::ETAG, asset.etag.clone());
    resp
}

/// `GET /assets/{file}`: a hashed name (immutable) or a plain name (short cache).
pub async fn serve(Path(file): Path<String>, headers: HeaderMap) -> Response {
    if let Some(a) = ASSETS.iter().find(|a| a.hashed_name == file) {
        return respond(a, true, &headers);
    }
    if let Some(a) = ASSETS.iter().find(|a| a.name == file) {
        return respond(a, false, &headers);
    }
    StatusCode::NOT_FOUND.into_response()
}

/// `GET /favicon.ico`, for clients that ask before reading the page's icon link.
pub async fn favicon(headers: HeaderMap) -> Response {
    match ASSETS.iter().find(|a| a.name == "favicon.svg") {
        Some(a) => respond(a, false, &headers),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_keep_the_extension() {
        let css = urls()["site.css"].clone();
        assert!(css.starts_with("/assets/site.") && css.ends_with(".css"), "{css}");
        assert_eq!(css.len(), "/assets/site.".len() + 10 + ".css".len());
        assert!(urls().contains_key("htmx.js"));
    }

    #[test]
    fn every_guide_picture_is_a_png_of_sensible_size() {
        let guide: Vec<_> = ASSETS.iter().filter(|a| a.name.starts_with("guide-")).collect();
        assert!(guide.len() >= 10);
        for a in guide {
            let (w, h) = png_size(a.bytes).unwrap_or_else(|| panic!("{} is not a PNG", a.name));
            assert!((200..=1280).contains(&w) && (100..=2000).contains(&h), "{}: {w}×{h}", a.name);
        }
        assert_eq!(png_size(b"GIF89a not a png at all"), None);
    }

    #[test]
    fn if_none_match_compares_weakly() {
        let mut h = HeaderMap::new();
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"x\", W/\"abc\""));
        assert!(etag_matches(&h, "\"abc\""));
        assert!(etag_matches(&h, "W/\"x\""));
        assert!(!etag_matches(&h, "\"abd\""));
        assert!(!etag_matches(&HeaderMap::new(), "\"abc\""));
    }
}
