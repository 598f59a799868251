//! `/admin/bantuan` ("Panduan"): the showroom user guide, in Indonesian, for every signed-in
//! user. The text lives in `admin/guide.html`; the pictures are the dashboard itself, taken
//! by `browser/guide-screenshots.mjs` and embedded as `guide-*.png` assets; the bot's
//! commands come from `garasi_bot::commands::REFERENCE`, the same list `/help` answers with.

use axum::extract::State;
use axum::response::Response;
use garasi_bot::commands::{CommandDoc, REFERENCE};

use serde::Serialize;

use super::ui::html;
use super::{Shell, Staff, render, ser};
use crate::error::AppError;
use crate::state::AppState;

/// One picture of the guide: its immutable URL and its size, so the page doesn't jump
/// while pictures load.
#[derive(Serialize)]
struct Picture {
    url: String,
    width: u32,
    height: u32,
}

/// `guide-<name>.png` for each name the template asks for (`shots.dashboard`, …).
fn pictures() -> std::collections::BTreeMap<&'static str, Picture> {
    crate::assets::urls()
        .into_keys()
        .filter_map(|name| {
            let short = name.strip_prefix("guide-")?.strip_suffix(".png")?;
            let asset = crate::assets::get(name)?;
            let (width, height) = crate::assets::png_size(asset.bytes)?;
            Some((short, Picture { url: asset.url(), width, height }))
        })
        .collect()
}

pub async fn page(State(state): State<AppState>, Staff(auth): Staff) -> Result<Response, AppError> {
    let (sales, customers): (Vec<&CommandDoc>, Vec<&CommandDoc>) = REFERENCE.iter().partition(|d| d.for_sales);
    let shell = Shell::new(&state, &auth, "help", "Panduan");
    Ok(html(render(
        &state,
        "admin/guide.html",
        &shell,
        minijinja::context! {
            shots => ser(pictures()),
            customer_commands => ser(&customers),
            sales_commands => ser(&sales),
            site_url => state.config.tenant_url(&auth.tenant),
            slug_host => garasi_service::domains::platform_host(&state.config.platform_hosts(), &auth.tenant.slug),
        },
    )))
}
