//! A showroom's LLM token ceiling on its root page: the platform's ceiling, the owner's
//! budget, and root's override for this showroom (`garasi_service::limits`, audited).

use axum::extract::State;
use axum::response::Response;
use garasi_domain::tenant_settings::MAX_LLM_TOKEN_CEILING;
use garasi_domain::{FieldErrors, TenantId};
use http::{HeaderMap, StatusCode};
use serde::Serialize;

use super::{Root, shell};
use crate::api::PathId;
use crate::error::AppError;
use crate::pages::admin::render;
use crate::pages::admin::ui::{self, FormData, FormField, html_status, toast_oob};
use crate::state::AppState;

pub(crate) const FIELD: &str = "llm_token_ceiling";

/// What the card shows.
#[derive(Serialize)]
pub(crate) struct LlmCard {
    platform: i64,
    effective: i64,
    owner_budget: i64,
    daily: i64,
    field: FormField,
}

/// The card, with what root typed and its error after a refused save.
pub(crate) async fn card(
    state: &AppState,
    id: TenantId,
    form: Option<&FormData>,
    errors: &FieldErrors,
) -> Result<LlmCard, AppError> {
    let c = garasi_service::limits::llm_ceiling(&state.services, id).await?;
    let stored = c.overridden.map(|n| n.to_string()).unwrap_or_default();
    let value = form.and_then(|f| f.get(FIELD)).map(str::to_owned).unwrap_or(stored);
    let field = FormField::new(FIELD, "Batas token AI per hari untuk showroom ini", "number")
        .value(value)
        .range(0, MAX_LLM_TOKEN_CEILING)
        .help("Kosongkan untuk memakai batas platform.")
        .error_from(errors);
    Ok(LlmCard {
        platform: state.services.llm_token_ceiling,
        effective: c.effective,
        owner_budget: c.owner_budget,
        daily: c.owner_budget.min(c.effective),
        field,
    })
}

/// `POST /tenants/{id}/llm-ceiling`: empty clears root's override.
pub async fn save(
    State(state): State<AppState>,
    Root(auth): Root,
    headers: HeaderMap,
    PathId(id): PathId<TenantId>,
    form: FormData,
) -> Result<Response, AppError> {
    let raw: String = form.text(FIELD).chars().filter(|c| *c != '.' && !c.is_whitespace()).collect();
    let parsed = match raw.as_str() {
        "" => Ok(None),
        digits => digits.parse::<i64>().map(Some).map_err(|_| FieldErrors::single(FIELD, "Isi dengan angka token.")),
    };
    let saved = match parsed {
        Ok(ceiling) => garasi_service::limits::set_llm_ceiling(&state.services, &auth.actor(), id, ceiling)
            .await
            .map(|_| ())
            .map_err(|e| ui::field_errors(e.into())),
        Err(errors) => Err(Ok(errors)),
    };
    let errors = match saved {
        Ok(()) => return Ok(ui::redirect(&headers, &format!("/tenants/{id}"))),
        Err(errors) => errors?,
    };
    let t = state.db.platform().tenant(id).await?.ok_or(AppError::NotFound)?;
    let ctx = super::tenants::detail_ctx(&state, &t, Some(&form), &errors).await?;
    let body = render(&state, "root/tenant.html", &shell(&auth, "tenants", t.name.clone()), ctx);
    let toast = toast_oob(&state, ui::Toast::Error, "Periksa kembali isian yang ditandai.");
    Ok(html_status(StatusCode::UNPROCESSABLE_ENTITY, format!("{body}{toast}")))
}
