//! Follow-ups with consent, on the customer's side of the chat: the offer after a car's
//! details, "ya"/"mau" to it, and "STOP"/"berhenti" (any time, at once). The rules and
//! the sending live in `garasi_service::followups`.

use garasi_store::StoreResult;

use crate::nlu::staff_update;
use crate::turn::Turn;

/// "stop", "STOP", "berhenti", "Stop." — the whole message.
pub(crate) fn is_stop(text: &str) -> bool {
    matches!(staff_update::words(text).as_slice(), [w] if w == "stop" || w == "berhenti" || w == "unsubscribe")
}

/// "ya", "mau", "boleh", "iya kak", "mau dong".
fn is_consent(text: &str) -> bool {
    if staff_update::is_yes(text) {
        return true;
    }
    matches!(staff_update::words(text).as_slice(),
        [w] | [w, _] if matches!(w.as_str(), "mau" | "boleh" | "bole" | "ya" | "iya" | "yoi" | "setuju"))
}

fn store(e: garasi_service::ServiceError) -> garasi_store::StoreError {
    match e {
        garasi_service::ServiceError::Store(e) => e,
        other => garasi_store::StoreError::Conflict(other.to_string()),
    }
}

/// Answers STOP, and the yes to an offer just made; `None` lets the message through.
pub(crate) async fn intercept(t: &mut Turn, text: &str) -> StoreResult<Option<(String, &'static str)>> {
    if t.is_sales() {
        return Ok(None);
    }
    let offered = t.memory.followup_offer.take();
    let tenant = t.db.tenant(t.tenant.id);
    if is_stop(text) {
        garasi_service::followups::opt_out(&t.services, &tenant, &t.sender).await.map_err(store)?;
        let reply = format!(
            "Baik kak, kakak tidak akan menerima kabar harga turun atau unit serupa lagi dari *{}* 🙏\nKalau ada yang mau ditanyakan, chat saja kapan pun.",
            t.tenant.name
        );
        return Ok(Some((reply, "followup_opt_out")));
    }
    let Some(stock_no) = offered else { return Ok(None) };
    if !is_consent(text) {
        return Ok(None);
    }
    let Some(car) = t.car(stock_no).await? else { return Ok(None) };
    let channel = t.channel.clone();
    let done =
        garasi_service::followups::opt_in(&t.services, &tenant, &t.sender, car.id, &channel).await.map_err(store)?;
    if !done {
        return Ok(None);
    }
    let reply = format!(
        "Siap kak! Saya kabari sekali kalau harga *{}* turun atau ada unit serupa 👍\nBalas *STOP* kapan saja kalau tidak mau menerima kabar ini.",
        car.title()
    );
    Ok(Some((reply, "followup_opt_in")))
}

/// After a car's details were shown to a customer: the offer line, once per car.
pub(crate) async fn offer_line(t: &mut Turn) -> StoreResult<Option<String>> {
    let Some(car) = t.followup_car.take() else { return Ok(None) };
    if t.is_sales() {
        return Ok(None);
    }
    let tenant = t.db.tenant(t.tenant.id);
    let channel = t.channel.clone();
    let offered =
        garasi_service::followups::offer(&t.services, &tenant, &t.sender, Some(t.conversation.id), &channel, &car)
            .await
            .map_err(store)?;
    if !offered {
        return Ok(None);
    }
    t.memory.followup_offer = Some(car.stock_no);
    Ok(Some(garasi_service::followups::OFFER_TEXT.to_owned()))
}
