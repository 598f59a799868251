//! Sales by chat, read before the general understanding: a salesperson's price and status
//! changes in plain words (shown, then saved after "ya"), questions about their leads, and the
//! guided flows in progress (adding a car, a customer's trade-in). The role always comes from
//! the staff registry (`Turn::role`), never from the text.

use std::collections::HashMap;

use garasi_domain::Role as UserRole;
use garasi_domain::car::CarFields;
use garasi_store::tenant::{Lead, LeadFilter};
use uuid::Uuid;

use super::*;
use crate::flow::{CarUpdate, Flow, Pending};
use crate::nlu::staff_update::{self, LeadQuery, StaffUpdate, UpdateKind};

/// Leads listed in one reply; the dashboard has the rest.
const MAX_LEADS: usize = 15;

/// What [`intercept`] answered: the reply and the intent stored with the message.
pub(crate) type Handled = (String, &'static str);

/// Answers the message when it belongs to sales by chat or to a flow in progress; `None`
/// lets the commands and the general understanding answer it.
pub(crate) async fn intercept(t: &mut Turn, text: &str) -> StoreResult<Option<Handled>> {
    let now = garasi_store::now();
    let is_command = commands::parse(text).is_some();
    if let Some(pending) = t.memory.pending.take() {
        if pending.expired(now) {
            if !is_command && matches!(pending.flow, Flow::Confirm(_)) && staff_update::is_yes(text) {
                let reply = "Perubahan tadi sudah kedaluwarsa dan *tidak* disimpan 🙏 Kirim ulang perubahannya ya.";
                return Ok(Some((reply.into(), "change_expired")));
            }
        } else if is_command {
            // A command drops a change waiting for "ya" but leaves a guided flow waiting:
            // "/foto 12" in the middle of adding a car must not lose what was typed.
            if !matches!(pending.flow, Flow::Confirm(_)) {
                t.memory.pending = Some(pending);
            }
            return Ok(None);
        } else {
            match pending.flow {
                Flow::Confirm(change) if t.is_sales() => {
                    if staff_update::is_yes(text) {
                        return apply(t, change).await.map(|r| Some((r, "change_applied")));
                    }
                    if staff_update::is_cancel(text) {
                        return Ok(Some(("Oke, dibatalkan. Tidak ada yang diubah 👍".into(), "change_cancelled")));
                    }
                    // Anything else drops the change and is answered as usual.
                }
                Flow::AddCar(draft) if t.is_sales() => return super::add_car::answer(t, draft, text).await.map(Some),
                Flow::TradeIn(intake) if !t.is_sales() => {
                    return super::trade_in::answer(t, intake, text).await.map(Some);
                }
                _ => {}
            }
        }
    }
    if is_command {
        return Ok(None);
    }
    if t.is_sales() {
        if let Some(update) = staff_update::parse_update(text) {
            return propose(t, update).await.map(Some);
        }
        if let Some(q) = staff_update::parse_lead_query(text) {
            return leads(t, &q).await.map(|r| Some((r, "sales_leads")));
        }
    } else if staff_update::is_trade_in(text) {
        return super::trade_in::start(t).await.map(Some);
    }
    Ok(None)
}

/// "Avanza 2021 (no 4)": how a change names its car.
fn short_title(car: &Car) -> String {
    format!("{} {} (no {})", car.fields.model, car.fields.year, car.stock_no)
}

const CONFIRM_HINT: &str = "Balas *ya* untuk menyimpan, *batal* untuk membatalkan.";

/// Shows the change and keeps it until "ya"; a change the car rules refuse is explained now.
async fn propose(t: &mut Turn, update: StaffUpdate) -> StoreResult<Handled> {
    let n = update.stock_no;
    let Some(car) = t.car(n).await? else { return Ok((not_found(n), "change_unknown_car")) };
    let change = match update.change {
        UpdateKind::PriceBy(_) | UpdateKind::PriceTo(_) => {
            let from = car.fields.price;
            let to = match update.change {
                UpdateKind::PriceBy(by) => from.saturating_add(by),
                UpdateKind::PriceTo(to) => to,
                _ => from,
            };
            if to == from {
                return Ok((
                    format!("Harga {} memang sudah *{}*.", short_title(&car), format::rp(from)),
                    "change_same",
                ));
            }
            // The same rules the use case applies when saving, so a refusal is explained before "ya".
            if let Err(why) = price_allowed(&car, to) {
                return Ok((refused(n, &why), "change_refused"));
            }
            CarUpdate::Price { stock_no: n, from, to }
        }
        UpdateKind::Booked | UpdateKind::Available | UpdateKind::Sold => {
            let to = match update.change {
                UpdateKind::Booked => CarStatus::Booked,
                UpdateKind::Sold => CarStatus::Sold,
                _ => CarStatus::Available,
            };
            let from = car.fields.status;
            if from == to {
                let label = format::status_label(to);
                return Ok((format!("Status {} memang sudah *{label}*.", short_title(&car)), "change_same"));
            }
            CarUpdate::Status { stock_no: n, from: from.as_str().to_owned(), to: to.as_str().to_owned() }
        }
    };
    let text = describe(&car, &change);
    t.memory.pending = Some(Pending::new(Flow::Confirm(change), garasi_store::now()));
    Ok((format!("{text}\n{CONFIRM_HINT}"), "change_proposed"))
}

/// The car's rules for a new price (the use case checks them again when saving).
fn price_allowed(car: &Car, price: i64) -> Result<(), String> {
    let mut input = car.fields.to_json();
    input.insert("price".into(), serde_json::json!(price));
    CarFields::from_json(&input, garasi_service::cars::current_year())
        .map(|_| ())
        .map_err(|errors| errors.iter().map(|(_, m)| m.to_string()).collect::<Vec<_>>().join(" "))
}

fn describe(car: &Car, change: &CarUpdate) -> String {
    match change {
        CarUpdate::Price { from, to, .. } => {
            format!("Harga {}: {} → *{}*.", short_title(car), format::rp(*from), format::rp(*to))
        }
        CarUpdate::Status { from, to, .. } => {
            let label = |s: &str| s.parse().map(format::status_label).unwrap_or("?");
            format!("Status {}: {} → *{}*.", short_title(car), label(from), label(to))
        }
    }
}

/// Saves a confirmed change through the same use cases as the dashboard, unless the car
/// changed in between (then nothing is saved and the salesperson is told).
async fn apply(t: &mut Turn, change: CarUpdate) -> StoreResult<String> {
    match change {
        CarUpdate::Price { stock_no: n, from, to } => {
            let Some(car) = t.car(n).await? else { return Ok(not_found(n)) };
            if car.fields.price != from {
                return Ok(format!(
                    "Harga {} sudah berubah menjadi {} sejak tadi, jadi perubahan ini *tidak* disimpan. Kirim ulang bila masih perlu.",
                    short_title(&car),
                    format::rp(car.fields.price)
                ));
            }
            match t.set_price(n, to).await? {
                CarChange::Done(car, before) => Ok(format!(
                    "✅ Tersimpan. Harga {} sekarang *{}* (sebelumnya {}).",
                    short_title(&car),
                    format::rp(car.fields.price),
                    format::rp(before)
                )),
                CarChange::NotFound => Ok(not_found(n)),
                CarChange::Refused(why) => Ok(refused(n, &why)),
            }
        }
        CarUpdate::Status { stock_no: n, from, to } => {
            let Some(car) = t.car(n).await? else { return Ok(not_found(n)) };
            let Ok(to) = to.parse::<CarStatus>() else { return Ok(refused(n, "status tidak dikenal.")) };
            if car.fields.status.as_str() != from {
                return Ok(format!(
                    "Status {} sudah berubah menjadi {} sejak tadi, jadi perubahan ini *tidak* disimpan.",
                    short_title(&car),
                    format::status_label(car.fields.status)
                ));
            }
            status_command(t, Some(n), to).await
        }
    }
}

/// Whether the salesperson is linked to an owner's account (`user_sales_links`): the owner
/// sees every lead, a salesperson their own.
async fn linked_to_owner(t: &Turn, sales_id: Uuid) -> StoreResult<bool> {
    let mut tx = t.begin().await?;
    let mut owner = false;
    for (user_id, linked) in tx.user_sales_links().list().await? {
        if linked == sales_id
            && let Some(user) = tx.users().get(user_id).await?
            && user.role == UserRole::Owner
            && user.is_active()
        {
            owner = true;
        }
    }
    tx.commit().await?;
    Ok(owner)
}

/// "prospek saya", "leads hari ini", "siapa yang tanya fortuner?".
async fn leads(t: &mut Turn, q: &LeadQuery) -> StoreResult<String> {
    let Some(me) = t.me.clone() else { return Ok("Nomor ini tidak terdaftar sebagai sales.".into()) };
    let all = linked_to_owner(t, me.id).await?;
    let today = garasi_domain::time::jakarta_today();
    let filter = LeadFilter {
        assigned_sales_id: (!all).then_some(me.id),
        created_from: q.today.then_some(today),
        created_to: q.today.then_some(today),
        ..LeadFilter::default()
    };
    let mut tx = t.begin().await?;
    let found = tx.leads().list(&filter, 500, 0).await?;
    let mut titles: HashMap<Uuid, String> = HashMap::new();
    for lead in &found {
        if let Some(id) = lead.car_id
            && !titles.contains_key(&id)
            && let Some(car) = tx.cars().get(id).await?
        {
            titles.insert(id, format!("{} (no. {})", car.title(), car.stock_no));
        }
    }
    tx.commit().await?;
    let matching: Vec<&Lead> = match &q.about {
        None => found.iter().collect(),
        Some(about) => {
            let words = about_words(about);
            found
                .iter()
                .filter(|l| {
                    let car = l.car_id.and_then(|id| titles.get(&id)).map(String::as_str).unwrap_or("");
                    let hay = format!("{car} {}", l.notes).to_lowercase();
                    !words.is_empty() && words.iter().all(|w| hay.contains(w.as_str()))
                })
                .collect()
        }
    };
    let whose = if all { "Semua prospek" } else { "Prospek Anda" };
    let mut head = format!("📋 *{whose}*");
    if q.today {
        head.push_str(" hari ini");
    }
    if let Some(about) = &q.about {
        head.push_str(&format!(" yang menanyakan _{about}_"));
    }
    if matching.is_empty() {
        return Ok(format!("{head}: belum ada."));
    }
    let mut lines = vec![format!("{head}: {}", matching.len())];
    for (i, l) in matching.iter().take(MAX_LEADS).enumerate() {
        let name = if l.name.trim().is_empty() { "(tanpa nama)" } else { l.name.trim() };
        let mut line = format!("{}. *{name}* · {}", i + 1, format::phone_local(&l.phone));
        if let Some(car) = l.car_id.and_then(|id| titles.get(&id)) {
            line.push_str(&format!(" · {car}"));
        } else if l.source == super::trade_in::LEAD_SOURCE {
            line.push_str(" · tukar tambah");
        }
        let at = l.created_at.with_timezone(&garasi_domain::time::jakarta());
        line.push_str(&format!(" · {} · {}", l.status.label(), at.format("%d/%m %H:%M")));
        if all && let Some(s) = &l.assigned_sales_name {
            line.push_str(&format!(" · {s}"));
        }
        lines.push(line);
    }
    if matching.len() > MAX_LEADS {
        lines.push(format!("…dan {} lainnya (lihat dashboard).", matching.len() - MAX_LEADS));
    }
    Ok(lines.join("\n"))
}

/// The words a lead must match: the model's name as the catalogue spells it when the
/// understanding knows it ("fortuer" → "fortuner"), else the words as written.
fn about_words(about: &str) -> Vec<String> {
    let u = nlu::understand(about, nlu::Role::Sales);
    let known: Vec<String> = match &u.filters.model {
        Some(ModelFilter::One(m)) => vec![m.to_lowercase()],
        Some(ModelFilter::Many(ms)) => ms.first().map(|m| vec![m.to_lowercase()]).unwrap_or_default(),
        None => u.filters.brand.iter().map(|b| b.to_lowercase()).collect(),
    };
    if !known.is_empty() {
        return known;
    }
    about.split_whitespace().filter(|w| w.chars().count() >= 3).map(str::to_lowercase).collect()
}
