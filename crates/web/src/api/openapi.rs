//! The OpenAPI 3.1 description of the JSON API, served at `/api/openapi.json`. It is
//! generated from the handlers' `#[utoipa::path]` annotations and the request and
//! response types in `api::dto`, which are the types the handlers answer with.
//! A unit test reads the route definitions in this crate's source and fails when
//! a route is missing here or a documented one no longer exists.

use axum::response::{IntoResponse, Response};
use serde_json::Value;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as Document, Ref, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use super::dto::ApiError;
use super::{
    admin_tenants, appointments, bot, cars, cars_csv, feeds, leads, password_reset, photos, sales, users, whatsapp,
};
use crate::auth::handlers as auth;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Garasi API",
        description = "API JSON Garasi. Rute showroom dipanggil di host showroom itu sendiri \
                       (mis. sinarjaya.localhost); rute /api/admin hanya di host admin platform. \
                       Semua data dibatasi pada showroom dari host; id milik showroom lain dijawab 404."
    ),
    paths(
        auth::login, auth::logout, auth::me,
        auth::login_second_factor,
        admin_tenants::list, admin_tenants::create, admin_tenants::show, admin_tenants::update, admin_tenants::remove,
        admin_tenants::show_llm_ceiling, admin_tenants::set_llm_ceiling,
        cars::list, cars::create, cars::show, cars::update, cars::remove,
        cars_csv::export, cars_csv::import,
        photos::upload, photos::reorder, photos::remove,
        sales::list, sales::create, sales::remove, sales::duty, sales::routing,
        leads::list, leads::export_csv, leads::show, leads::set_status, leads::add_note,
        bot::simulate,
        appointments::list, appointments::create, appointments::set_status, appointments::reschedule,
        appointments::export_ics,
        whatsapp::configure, whatsapp::status, whatsapp::pair, whatsapp::events, whatsapp::disconnect,
        whatsapp::logout, whatsapp::dead_letters, whatsapp::retry_dead,
        password_reset::reset_link,
        users::list, users::invite, users::update, users::remove, users::reissue_link, users::temporary_password,
        users::change_password, users::sessions, users::end_session, users::end_others,
        feeds::show, feeds::rotate,
        crate::feeds::meta, crate::feeds::google, crate::feeds::json,
        serve,
    ),
    components(schemas(ApiError)),
    modifiers(&Shared),
    security(("bearer" = []), ("cookie" = [])),
)]
struct ApiDoc;

/// What every operation shares, added once here instead of on every handler: the
/// security schemes, the 401 and 404 answers of authenticated routes, and no
/// authentication for logging in and for this document.
struct Shared;

impl Modify for Shared {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components
            .add_security_scheme("cookie", SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("garasi_session"))));
        for (path, item) in doc.paths.paths.iter_mut() {
            // A feed's token is in its URL: no session, and a wrong token is a 404, not a 401.
            let feed = path.starts_with("/feed/");
            let open = feed
                || path == "/api/auth/login"
                || path == "/api/auth/login/second-factor"
                || path == "/api/openapi.json";
            for op in
                [&mut item.get, &mut item.post, &mut item.put, &mut item.delete, &mut item.patch].into_iter().flatten()
            {
                if open {
                    op.security = Some(Vec::new());
                }
                if path != "/api/openapi.json" && !feed {
                    add_error(op, "401", "Belum masuk atau sesi habis.");
                    add_error(op, "404", "Tidak ditemukan, termasuk data milik showroom lain.");
                }
            }
        }
    }
}

/// An error answer with the shared error body, unless the operation documents that
/// status itself.
pub(crate) fn add_error(op: &mut Operation, status: &str, description: &str) {
    let body = ContentBuilder::new().schema(Some(Ref::from_schema_name("ApiError"))).build();
    let response = ResponseBuilder::new().description(description).content("application/json", body).build();
    op.responses.responses.entry(status.to_owned()).or_insert_with(|| response.into());
}

/// The whole document.
pub fn document() -> Value {
    serde_json::to_value(ApiDoc::openapi()).unwrap_or_default()
}

#[utoipa::path(get, path = "/api/openapi.json", tag = "meta", summary = "Dokumen ini",
    responses((status = 200, description = "OpenAPI 3.1")))]
pub async fn serve() -> Response {
    axum::Json(document()).into_response()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    /// (method, path) of every `.route("/api/…", method(handler)…)` and `.route("/feed/…", …)`
    /// in this crate's source.
    fn routes_in_source() -> BTreeSet<(String, String)> {
        fn walk(dir: &Path, out: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    out.push(std::fs::read_to_string(&p).unwrap());
                }
            }
        }
        let mut sources = Vec::new();
        walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut sources);
        let mut found = BTreeSet::new();
        for src in sources {
            let starts = src.match_indices(".route(\"/api/").chain(src.match_indices(".route(\"/feed/"));
            for (i, _) in starts {
                let rest = &src[i + 8..];
                let Some(end) = rest.find('"') else { continue };
                let path = &rest[..end];
                // The route's methods are the method-router calls before the closing of `.route(`.
                let tail = &rest[end..];
                let mut depth = 1;
                let mut stop = tail.len();
                for (j, c) in tail.char_indices() {
                    match c {
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                stop = j;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let call = &tail[..stop];
                for m in ["get", "post", "put", "delete", "patch"] {
                    let direct = format!(", {m}(");
                    let chained = format!(".{m}(");
                    if call.contains(&direct) || call.contains(&chained) || call.starts_with(&format!("\", {m}(")) {
                        found.insert((m.to_owned(), path.to_owned()));
                    }
                }
            }
        }
        found
    }

    fn routes_in_document() -> BTreeSet<(String, String)> {
        let doc = super::document();
        let mut out = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                out.insert((method.clone(), path.clone()));
            }
        }
        out
    }

    #[test]
    fn every_api_route_is_documented_and_every_documented_route_exists() {
        let source = routes_in_source();
        let doc = routes_in_document();
        assert!(source.len() > 15, "route scan found too little: {source:?}");
        let undocumented: Vec<_> = source.difference(&doc).collect();
        let stale: Vec<_> = doc.difference(&source).collect();
        assert!(undocumented.is_empty(), "routes missing from openapi.json: {undocumented:?}");
        assert!(stale.is_empty(), "documented routes that do not exist: {stale:?}");
    }

    #[test]
    fn every_reference_resolves() {
        let doc = super::document();
        let text = doc.to_string();
        for (i, _) in text.match_indices("#/components/schemas/") {
            let name: String = text[i + 21..].chars().take_while(|c| c.is_alphanumeric()).collect();
            assert!(doc["components"]["schemas"].get(&name).is_some(), "missing schema {name}");
        }
    }
}
