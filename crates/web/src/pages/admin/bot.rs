//! `/admin/bot`: try the bot in a phone-like chat, as a customer or as one of the
//! showroom's salespeople, over `POST /api/bot/simulate` (the real pipeline: stored
//! conversation, leads, memory). The page itself only lists who one can write as.

use axum::extract::State;
use axum::response::Response;

use super::ui::{html, phone_display};
use super::{Shell, Staff, render, ser};
use crate::error::AppError;
use crate::state::AppState;

pub async fn page(State(state): State<AppState>, Staff(auth): Staff) -> Result<Response, AppError> {
    let mut tx = state.db.tenant(auth.tenant.id).begin().await?;
    let people = tx.sales().list(500, 0).await?;
    tx.commit().await?;
    // `(E.164 phone, label)`: the simulator sends as that number, so the bot sees a salesperson.
    let sales: Vec<(String, String)> =
        people.iter().map(|s| (s.phone.clone(), format!("{} ({})", s.name, phone_display(&s.phone)))).collect();
    let shell = Shell::new(&state, &auth, "bot", "Coba bot");
    Ok(html(render(
        &state,
        "admin/bot.html",
        &shell,
        minijinja::context! { sales => ser(&sales), enabled => state.bot.is_some() },
    )))
}
