//! The showroom and its people: visits, the address, hand-off to a salesperson, and the
//! salespeople's own commands (inventory, car status, passing on a buyer).

use super::*;

pub(super) async fn visit(t: &mut Turn, u: &Understanding) -> StoreResult<String> {
    if let Target::One(car) = target(t, u).await? {
        t.focus(&car);
    }
    let outcome = t.open_lead("Ingin lihat langsung / test drive", true).await?;
    if let Some(s) = &outcome.sales {
        let text =
            t.lead_notice("Pelanggan mau lihat langsung", &outcome.lead, "Ingin lihat unit / test drive", None).await?;
        t.notify(s, text);
    }
    let mut lines = vec!["Siap kak, kami tunggu kedatangannya! 🙌".to_owned()];
    if let Some(n) = t.memory.focus
        && let Some(car) = t.car(n).await?
    {
        lines.push(format!("Unit: *{}* (no. {n})", car.title()));
    }
    lines.push(String::new());
    lines.push(address_block(t));
    lines.push(String::new());
    match &outcome.sales {
        Some(s) => lines.push(format!(
            "Sales kami {} akan bantu menyiapkan unitnya. Kabari mau datang hari & jam berapa ya.",
            contact_line(s)
        )),
        None => lines.push(contact_or_showroom(t).await?),
    }
    Ok(lines.join("\n"))
}

pub(super) fn address_block(t: &Turn) -> String {
    let p = &t.settings.profile;
    let mut lines = vec![format!("📍 *{}*", t.tenant.name)];
    let address =
        [p.address.trim(), p.city.trim()].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join(", ");
    if address.is_empty() {
        lines.push("Alamat lengkap akan dikirim sales kami.".into());
    } else {
        lines.push(address);
    }
    if !p.opening_hours.trim().is_empty() {
        lines.push(format!("🕘 {}", p.opening_hours.trim()));
    }
    if !p.maps_url.trim().is_empty() {
        lines.push(format!("🗺️ {}", p.maps_url.trim()));
    }
    if !p.phone.trim().is_empty() {
        lines.push(format!("☎️ {}", p.phone.trim()));
    }
    lines.join("\n")
}

pub(super) fn location(t: &Turn) -> String {
    format!("{}\n\nMau janjian lihat unit? Balas _mau lihat langsung_ ya.", address_block(t))
}

pub(super) async fn handoff(t: &mut Turn, reason: &str) -> StoreResult<String> {
    if t.is_sales() {
        return Ok(format!("Nomor ini terdaftar sebagai sales 🙂\n\n{}", sales_help()));
    }
    match t.hand_off(reason).await? {
        Some(s) => Ok(format!(
            "Baik kak, saya sambungkan dengan sales kami {} 🙏\nBeliau akan membalas di chat ini sebentar lagi.",
            contact_line(&s)
        )),
        None => {
            let phone = t.settings.profile.phone.trim();
            Ok(if phone.is_empty() {
                "Maaf kak, sales kami sedang tidak bisa dihubungi lewat chat ini 🙏 Silakan tinggalkan pesan, kami balas secepatnya.".into()
            } else {
                format!(
                    "Maaf kak, sales kami sedang tidak bisa dihubungi lewat chat ini 🙏 Silakan telepon showroom di {phone}."
                )
            })
        }
    }
}

pub(super) async fn inventory_text(t: &mut Turn) -> StoreResult<String> {
    const LIMIT: i64 = 40;
    let (counts, cars, total) = t.inventory(LIMIT).await?;
    let all: i64 = counts.by_status.values().sum();
    let order = [CarStatus::Available, CarStatus::Booked, CarStatus::Draft, CarStatus::Hidden, CarStatus::Sold];
    let summary: Vec<String> = order
        .iter()
        .filter_map(|s| counts.by_status.get(s.as_str()).map(|n| format!("{} {n}", format::status_label(*s))))
        .collect();
    let mut lines = vec![format!("📦 *Stok {}*: {all} unit", t.tenant.name)];
    if !summary.is_empty() {
        lines.push(summary.join(" · "));
    }
    lines.push(String::new());
    for (i, c) in cars.iter().enumerate() {
        lines.push(format::staff_card(i + 1, c));
    }
    if total > cars.len() as i64 {
        lines.push(format!("…dan {} lainnya (lihat dashboard).", total - cars.len() as i64));
    }
    if cars.is_empty() {
        lines.push("Belum ada mobil yang dijual.".into());
    }
    t.remember_list(&cars);
    Ok(lines.join("\n"))
}

pub(super) async fn inventory(t: &mut Turn, u: &Understanding) -> StoreResult<String> {
    let lower = t.text.to_lowercase();
    if let Some(n) = u.filters.stock_no
        && (lower.contains("booking") || lower.contains("dp") || lower.contains("tanda jadi"))
    {
        return status_command(t, Some(n), CarStatus::Booked).await;
    }
    if has_vehicle(&u.filters) && (lower.contains("harga") || lower.contains("modal")) {
        return price(t, u).await;
    }
    inventory_text(t).await
}

pub(super) async fn status_command(t: &mut Turn, n: Option<i64>, status: CarStatus) -> StoreResult<String> {
    let verb = match status {
        CarStatus::Sold => "terjual",
        CarStatus::Booked => "booking",
        _ => "tersedia",
    };
    let Some(n) = n else {
        return Ok(format!("Ketik */{verb}* dan no. mobilnya, misalnya */{verb} 12*."));
    };
    match t.set_status(n, status).await? {
        CarChange::NotFound => Ok(not_found(n)),
        CarChange::Refused(why) => Ok(refused(n, &why)),
        CarChange::Done(car, before) if before == status => {
            Ok(format!("Mobil no. {n} *{}* memang sudah berstatus *{}*.", car.title(), format::status_label(status)))
        }
        CarChange::Done(car, before) => {
            let mut s = format!(
                "✅ Mobil no. {n} *{}* ditandai *{}* (sebelumnya {}).",
                car.title(),
                format::status_label(status),
                format::status_label(before)
            );
            if status == CarStatus::Sold {
                s.push_str("\nMobil ini tidak lagi ditawarkan di katalog dan ke pelanggan.");
            }
            Ok(s)
        }
    }
}

pub(super) async fn mark_sold(t: &mut Turn, u: &Understanding) -> StoreResult<String> {
    if u.filters.stock_no.is_some() {
        return status_command(t, u.filters.stock_no, CarStatus::Sold).await;
    }
    match target(t, u).await? {
        Target::One(car) => Ok(format!(
            "Yang terjual *{}* (no. {n})? Untuk memastikan, ketik */terjual {n}*.",
            car.title(),
            n = car.stock_no
        )),
        other => Ok(ask_which(t, other, "Mobil mana yang terjual?", "terjual")),
    }
}

/// A salesperson passes on a buyer: "ada yang mau beli Avanza, namanya Budi 0813…".
pub(super) async fn sales_lead(t: &mut Turn, u: &Understanding, phone: &str) -> StoreResult<String> {
    let Ok(phone) = garasi_domain::PhoneNumber::parse(phone) else {
        return Ok("Nomor pembelinya tidak terbaca 🙏 Tulis misalnya 0813-1234-5678.".into());
    };
    let car = match target(t, u).await? {
        Target::One(car) if has_vehicle(&u.filters) || u.filters.stock_no.is_some() => Some(*car),
        _ => None,
    };
    let mut note = format!("Dari sales lewat WhatsApp: \"{}\"", format::truncate(t.text.trim(), 300));
    if car.is_none() && has_vehicle(&u.filters) {
        let f = car_filter(&u.filters, &u.extras);
        note.push_str(&format!(" (minat: {})", format::describe_filter(&f)));
    }
    let outcome = t.record_sales_lead(&phone, u.extras.name.clone(), car.as_ref(), &note).await?;
    let lead = &outcome.lead;
    let mut lines =
        vec![if outcome.created { "✅ Prospek dicatat".to_owned() } else { "✅ Prospek diperbarui".to_owned() }];
    lines.push(format!(
        "👤 {} · {}",
        if lead.name.is_empty() { "(tanpa nama)" } else { &lead.name },
        format::phone_local(&lead.phone)
    ));
    match &car {
        Some(c) => lines.push(format!("🚗 Minat: {} (no. {})", c.title(), c.stock_no)),
        None if has_vehicle(&u.filters) => {
            lines.push(format!("🚗 Minat: {}", format::describe_filter(&car_filter(&u.filters, &u.extras))))
        }
        None => {}
    }
    if let Some(s) = &outcome.sales {
        lines.push(format!("Ditangani: {}", s.name));
    }
    Ok(lines.join("\n"))
}
