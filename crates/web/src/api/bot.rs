//! The bot simulator: `POST /api/bot/simulate` on a showroom's host, for owners and
//! admins. It runs exactly the WhatsApp pipeline (a stored conversation on channel
//! `simulator`, the role from the sales registry, leads, memory, the outbox) and answers
//! with the replies in its response: `{"from": "+62812…", "text": "…", "name": "…"}` →
//! `{"replies": [{"text": "…", "images": ["<absolute url>", …]}], …}`. A salesperson's
//! number gets the sales behaviour. The provider message id is made here unless
//! `message_id` is given (to test deduplication).

use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use garasi_bot::{BotError, Inbound, TenantRef};
use garasi_domain::{FieldErrors, PhoneNumber, check};

use super::dto::ApiError;
use super::dto::bot::{SimulateInput, SimulateResult};
use super::{ApiJson, InvalidInput, NotAdmin, StaffCtx};
use crate::error::AppError;
use crate::state::AppState;

/// The channel name simulated conversations are stored under.
pub const SIMULATOR_CHANNEL: &str = "simulator";

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/bot/simulate", post(simulate))
}

fn bot_error(e: BotError) -> AppError {
    match e {
        BotError::Store(e) => e.into(),
        BotError::Sender(e) => AppError::field("from", e.to_string()),
        BotError::Setup(e) => AppError::Unavailable(e),
    }
}

#[utoipa::path(post, path = "/api/bot/simulate", tag = "bot",
    summary = "Simulasi percakapan WhatsApp dengan bot (pemilik/admin); balasan ada di jawaban",
    request_body = SimulateInput,
    responses((status = 200, description = "Balasan bot", body = SimulateResult),
        NotAdmin, InvalidInput,
        (status = 429, description = "Terlalu banyak pesan simulasi dari pengguna ini; lihat Retry-After.", body = ApiError),
        (status = 503, description = "Bot tidak aktif di server ini.", body = ApiError)))]
async fn simulate(s: StaffCtx, ApiJson(body): ApiJson<SimulateInput>) -> Result<Response, AppError> {
    // Checked here, after the body: a bad body has always answered 400 first.
    let StaffCtx { state, auth, .. } = s;
    auth.require_admin()?;
    crate::rate_limit::check_simulator(&state, auth.user.id).await?;
    let Some(engine) = state.bot.clone() else {
        return Err(AppError::Unavailable("Bot belum aktif di server ini.".into()));
    };
    let mut errors = FieldErrors::new();
    let from = check(&mut errors, "from", PhoneNumber::parse(&body.from));
    let text = body.text.trim();
    if text.is_empty() {
        errors.add("text", "Pesan wajib diisi.");
    } else if text.chars().count() > 4096 {
        errors.add("text", "Pesan maksimal 4096 karakter.");
    }
    if body.name.trim().chars().count() > 80 {
        errors.add("name", "Nama maksimal 80 karakter.");
    }
    let message_id = match body.message_id.as_deref().map(str::trim) {
        None => format!("sim-{}", uuid::Uuid::now_v7()),
        Some(id) if id.is_empty() || id.chars().count() > 128 => {
            errors.add("message_id", "ID pesan harus 1 sampai 128 karakter.");
            String::new()
        }
        Some(id) => format!("sim-{id}"),
    };
    let Some(from) = from.filter(|_| errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let inbound = Inbound {
        tenant: TenantRef {
            id: auth.tenant.id,
            name: auth.tenant.name.clone(),
            base_url: state.config.tenant_url(&auth.tenant),
        },
        channel: SIMULATOR_CHANNEL.to_owned(),
        from: from.as_str().to_owned(),
        name: body.name.trim().to_owned(),
        text: text.to_owned(),
        provider_message_id: message_id,
    };
    let out = engine.handle(inbound).await.map_err(bot_error)?;
    // The simulator is the channel: what it answers here is delivered.
    engine.mark_delivered(auth.tenant.id, &out.job_ids, SIMULATOR_CHANNEL).await.map_err(bot_error)?;
    Ok(axum::Json(SimulateResult {
        replies: out.replies.into_iter().map(Into::into).collect(),
        notifications: out.notifications.into_iter().map(Into::into).collect(),
        status: out.status,
        role: out.role,
        handled_by: out.handled_by,
        intent: out.intent,
        conversation_id: out.conversation_id,
    })
    .into_response())
}
