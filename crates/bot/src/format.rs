//! WhatsApp formatting: `*bold*`, `_italic_`, line breaks, rupiah as "Rp 195.000.000" or
//! "195 jt", short car cards, a length cap, and links only to the showroom's own site.
//!
//! Customer-facing texts are built from [`PublicCar`], which has no sales-only fields;
//! the staff additions take a [`Car`] and are only called for sales.

use garasi_domain::Rupiah;
use garasi_domain::car::{Car, CarFilter, CarStatus, PublicCar, Transmission};

/// Longest reply text; longer ones are cut at a line break.
pub const MAX_REPLY_CHARS: usize = 3500;
/// Cars per list message.
pub const MAX_CARDS: usize = 5;
/// Photos per message.
pub const MAX_PHOTOS: usize = 5;

/// "Rp 195.000.000".
pub fn rp(v: i64) -> String {
    Rupiah::new(v).map(|r| r.format_full()).unwrap_or_else(|_| "Rp 0".into())
}

/// "195 jt".
pub fn short(v: i64) -> String {
    Rupiah::new(v).map(|r| r.format_short()).unwrap_or_else(|_| "0".into())
}

/// 45000 → "45.000".
pub use garasi_domain::money::group_thousands as thousands;

/// "+6281234567890" → "0812-3456-7890"; other countries stay in E.164.
pub use garasi_domain::phone::display_e164 as phone_local;

pub fn transmission(t: Transmission) -> &'static str {
    match t {
        Transmission::At => "Matic",
        Transmission::Mt => "Manual",
    }
}

pub fn status_label(s: CarStatus) -> &'static str {
    match s {
        CarStatus::Draft => "Draf",
        CarStatus::Available => "Tersedia",
        CarStatus::Booked => "Booking",
        CarStatus::Sold => "Terjual",
        CarStatus::Hidden => "Disembunyikan",
    }
}

pub fn car_url(base_url: &str, slug: &str) -> String {
    format!("{base_url}/mobil/{slug}")
}

/// One line of facts: "195 jt · Matic · 45.000 km · Putih".
fn facts(price: i64, t: Transmission, km: i64, color: &str) -> String {
    let mut parts = vec![short(price), transmission(t).to_owned(), format!("{} km", thousands(km))];
    if !color.trim().is_empty() {
        parts.push(color.trim().to_owned());
    }
    parts.join(" · ")
}

/// A short card for a list: position, title, stock number and the main facts.
pub fn card(pos: usize, p: &PublicCar) -> String {
    let mut s = format!(
        "{pos}. *{}* (no. {})\n    {}",
        p.title,
        p.stock_no,
        facts(p.price, p.transmission, p.mileage_km, &p.color)
    );
    match p.status {
        CarStatus::Booked => s.push_str(" · _sedang dibooking_"),
        CarStatus::Sold => s.push_str(" · _terjual_"),
        _ => {}
    }
    s
}

/// The staff card: status and the floor price too.
pub fn staff_card(pos: usize, car: &Car) -> String {
    let f = &car.fields;
    let mut s = format!(
        "{pos}. *{}* (no. {}) — {}\n    {}",
        car.title(),
        car.stock_no,
        status_label(f.status),
        facts(f.price, f.transmission, f.mileage_km, &f.color)
    );
    if let Some(floor) = f.floor_price {
        s.push_str(&format!(" · bawah {}", short(floor)));
    }
    s
}

/// The hint under every list.
pub fn list_hint(first_stock_no: Option<i64>) -> String {
    match first_stock_no {
        Some(n) => {
            format!("Ketik */detail {n}* (ganti dengan no. mobilnya) atau balas _yang kedua_ untuk info lengkap.")
        }
        None => "Ketik */detail N* untuk info lengkap.".into(),
    }
}

/// Everything a buyer may know about one car.
pub fn detail(p: &PublicCar, base_url: &str) -> String {
    let mut lines = vec![format!("*{}* (no. {})", p.title, p.stock_no)];
    match p.status {
        CarStatus::Sold => lines.push("⚠️ Mobil ini sudah *terjual*.".into()),
        CarStatus::Booked => lines.push("⏳ Sedang *dibooking* pembeli lain, tanya sales untuk antreannya.".into()),
        _ => {}
    }
    let nego = if p.negotiable { " (bisa nego)" } else { " (harga pas)" };
    lines.push(format!("💰 Harga: *{}*{nego}", rp(p.price)));
    if let Some(cp) = p.credit_price.filter(|cp| *cp != p.price) {
        lines.push(format!("💳 Harga kredit: {}", rp(cp)));
    }
    lines.push(format!("📅 Tahun {} · {} km", p.year, thousands(p.mileage_km)));
    let mut tech =
        vec![transmission(p.transmission).to_owned(), p.fuel.label().to_owned(), p.body_type.label().to_owned()];
    if let Some(cc) = p.engine_cc {
        tech.push(format!("{} cc", thousands(cc)));
    }
    if let Some(seats) = p.seats {
        tech.push(format!("{seats} kursi"));
    }
    lines.push(format!("⚙️ {}", tech.join(" · ")));
    if !p.color.trim().is_empty() {
        lines.push(format!("🎨 {}", p.color.trim()));
    }
    let mut papers =
        vec![format!("STNK {}", if p.stnk { "✓" } else { "✗" }), format!("BPKB {}", if p.bpkb { "✓" } else { "✗" })];
    if let Some(t) = p.tax_paid_until {
        papers.push(format!("pajak s/d {:02}-{}", t.month, t.year));
    }
    if let Some(region) = &p.plate_region {
        match p.plate_parity {
            Some(parity) => papers.push(format!("plat {region} ({})", parity.label().to_lowercase())),
            None => papers.push(format!("plat {region}")),
        }
    }
    if p.first_owner {
        papers.push("tangan pertama".into());
    }
    lines.push(format!("📄 {}", papers.join(" · ")));
    let desc = p.description.trim();
    if !desc.is_empty() {
        lines.push(String::new());
        lines.push(truncate(desc, 400));
    }
    lines.push(String::new());
    lines.push(format!("📷 Foto: */foto {n}* · 🧮 Kredit: */simulasi {n} dp 30% tenor 4*", n = p.stock_no));
    lines.push(format!("🔗 {}", car_url(base_url, &p.slug)));
    lines.join("\n")
}

/// What only sales see of a car, appended to [`detail`].
pub fn staff_extras(car: &Car) -> String {
    let f = &car.fields;
    let mut lines = vec![String::new(), "🔒 *Info internal (khusus sales)*".to_owned()];
    lines.push(format!("Status: {}", status_label(f.status)));
    match f.floor_price {
        Some(floor) => lines.push(format!("Harga bawah: *{}*", rp(floor))),
        None => lines.push("Harga bawah: belum diisi".into()),
    }
    if let Some(plate) = f.plate_number.as_deref().filter(|p| !p.is_empty()) {
        lines.push(format!("Plat: {plate}"));
    }
    if !f.internal_notes.trim().is_empty() {
        lines.push(format!("Catatan: {}", truncate(f.internal_notes.trim(), 300)));
    }
    lines.join("\n")
}

/// The price of one car, for a buyer.
pub fn price_line(p: &PublicCar) -> String {
    let mut s = format!("*{}* (no. {}): *{}*", p.title, p.stock_no, rp(p.price));
    s.push_str(if p.negotiable { ", masih bisa nego" } else { ", harga pas" });
    if let Some(cp) = p.credit_price.filter(|cp| *cp != p.price) {
        s.push_str(&format!(". Harga kredit {}", short(cp)));
    }
    if p.status == CarStatus::Sold {
        s.push_str(" (sudah terjual)");
    }
    s
}

/// The price of one car, for sales: cash, credit, floor and status.
pub fn staff_price_line(car: &Car) -> String {
    let f = &car.fields;
    let mut s =
        format!("*{}* (no. {}) — {}\n    Jual {}", car.title(), car.stock_no, status_label(f.status), rp(f.price));
    if let Some(cp) = f.credit_price {
        s.push_str(&format!(" · kredit {}", short(cp)));
    }
    match f.floor_price {
        Some(floor) => s.push_str(&format!(" · *bawah {}*", rp(floor))),
        None => s.push_str(" · bawah: belum diisi"),
    }
    s
}

/// "Toyota · Avanza · matic · di bawah 200 jt · 2019 ke atas".
pub fn describe_filter(f: &CarFilter) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(b) = &f.brand {
        parts.push(b.clone());
    }
    if !f.models.is_empty() {
        parts.push(f.models.join("/"));
    }
    if let Some(t) = f.transmission {
        parts.push(transmission(t).to_lowercase());
    }
    if let Some(fuel) = f.fuel {
        parts.push(fuel.label().to_lowercase());
    }
    if let Some(b) = f.body_type {
        parts.push(b.label().to_owned());
    }
    match (f.price_min, f.price_max) {
        (Some(a), Some(b)) => parts.push(format!("{}–{}", short(a), short(b))),
        (None, Some(b)) => parts.push(format!("di bawah {}", short(b))),
        (Some(a), None) => parts.push(format!("di atas {}", short(a))),
        _ => {}
    }
    match (f.year_min, f.year_max) {
        (Some(a), Some(b)) if a == b => parts.push(format!("tahun {a}")),
        (Some(a), Some(b)) => parts.push(format!("tahun {a}–{b}")),
        (Some(a), None) => parts.push(format!("{a} ke atas")),
        (None, Some(b)) => parts.push(format!("tahun {b} ke bawah")),
        _ => {}
    }
    if let Some(km) = f.mileage_max {
        parts.push(format!("km di bawah {}", thousands(km)));
    }
    if let Some(n) = f.seats_min {
        parts.push(format!("{n} kursi atau lebih"));
    }
    let mut not: Vec<String> = Vec::new();
    not.extend(f.exclude_brands.iter().cloned());
    not.extend(f.exclude_models.iter().cloned());
    not.extend(f.exclude_transmissions.iter().map(|t| transmission(*t).to_lowercase()));
    not.extend(f.exclude_fuels.iter().map(|x| x.label().to_lowercase()));
    not.extend(f.exclude_body_types.iter().map(|b| b.label().to_owned()));
    // Colours arrive widened to their stored spellings ("hitam", "black"): name the first of each.
    for c in &f.exclude_colors {
        if !matches!(
            c.as_str(),
            "white" | "black" | "grey" | "gray" | "perak" | "red" | "maroon" | "marun" | "blue" | "brown" | "coklat"
        ) {
            not.push(format!("warna {c}"));
        }
    }
    if !not.is_empty() {
        parts.push(format!("selain {}", not.join("/")));
    }
    if let Some(t) = &f.text {
        parts.push(format!("\"{}\"", truncate(t, 40)));
    }
    parts.join(" · ")
}

/// The first `max` characters, with "…" when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Caps a reply at [`MAX_REPLY_CHARS`], cutting at a line break when one is near.
pub fn cap(text: &str) -> String {
    if text.chars().count() <= MAX_REPLY_CHARS {
        return text.to_owned();
    }
    let cut: String = text.chars().take(MAX_REPLY_CHARS - 2).collect();
    let at = cut.rfind('\n').filter(|i| *i > MAX_REPLY_CHARS / 2).unwrap_or(cut.len());
    format!("{}\n…", &cut[..at])
}

/// Hosts a reply may link to besides the showroom's own: maps the showroom configured.
const ALLOWED_HOSTS: &[&str] = &["maps.google.com", "www.google.com", "google.com", "maps.app.goo.gl", "goo.gl"];

/// Removes links to anywhere but `own_host` (the showroom's site) and a short allowlist of
/// map services: a model talked into it must not send buyers elsewhere.
pub fn only_own_links(text: &str, own_host: &str) -> String {
    let own_host = own_host.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let lower = rest.to_ascii_lowercase();
        let found = ["https://", "http://", "www."].iter().filter_map(|p| lower.find(p)).min();
        let Some(start) = found else {
            out.push_str(rest);
            break;
        };
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, ')' | ']' | '>' | '"' | '\'' | '*' | '_'))
            .unwrap_or(tail.len());
        let url = &tail[..end];
        let without_scheme = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
        let host = without_scheme
            .split(['/', '?', '#'])
            .next()
            .unwrap_or("")
            .rsplit('@')
            .next()
            .unwrap_or("")
            .split(':')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let host = host.trim_end_matches('.');
        let own = own_host.split(':').next().unwrap_or("");
        if !host.is_empty() && (host == own || ALLOWED_HOSTS.contains(&host)) {
            out.push_str(url);
        } else {
            out.push_str("[tautan dihapus]");
        }
        rest = &tail[end..];
    }
    out
}

/// The host of a base URL ("http://sinar.localhost:3000" → "sinar.localhost").
pub fn host_of(base_url: &str) -> String {
    let rest = base_url.split_once("://").map(|(_, r)| r).unwrap_or(base_url);
    rest.split(['/', ':']).next().unwrap_or("").to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_phones() {
        assert_eq!(rp(195_000_000), "Rp 195.000.000");
        assert_eq!(short(195_000_000), "195 jt");
        assert_eq!(thousands(45_000), "45.000");
        assert_eq!(phone_local("+6281234567890"), "0812-3456-7890");
        assert_eq!(phone_local("+4915112345678"), "+4915112345678");
    }

    #[test]
    fn links_only_to_the_showroom() {
        let host = host_of("http://sinar.localhost:3000");
        assert_eq!(host, "sinar.localhost");
        let t = only_own_links(
            "Lihat http://sinar.localhost:3000/mobil/a-1 atau https://evil.example/x?y=1, www.evil.example, \
             https://maps.app.goo.gl/abc dan https://sinar.localhost.evil.example/",
            &host,
        );
        assert!(t.contains("http://sinar.localhost:3000/mobil/a-1"));
        assert!(t.contains("https://maps.app.goo.gl/abc"));
        assert!(!t.contains("evil"), "{t}");
        assert_eq!(t.matches("[tautan dihapus]").count(), 3);
    }

    #[test]
    fn cap_cuts_long_texts() {
        let long = "baris panjang sekali\n".repeat(400);
        let c = cap(&long);
        assert!(c.chars().count() <= MAX_REPLY_CHARS);
        assert!(c.ends_with('…'));
    }
}
