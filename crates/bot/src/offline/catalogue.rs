//! Customer questions about stock: lists and searches, details, photos, prices and
//! credit simulations.

use super::*;
use garasi_domain::insights::{Kind, Source};

pub(super) async fn list(t: &mut Turn) -> StoreResult<String> {
    let (cars, total) = t.cars(CarFilter::default(), CarSort::Newest, MAX_CARDS as i64).await?;
    t.memory.filters = None;
    if cars.is_empty() {
        let contact = contact_or_showroom(t).await?;
        return Ok(format!("Maaf, stok kami sedang kosong 🙏 Unit baru segera masuk.\n{contact}"));
    }
    t.remember_list(&cars);
    let mut s = if total as usize > cars.len() {
        format!("Ada *{total} mobil* di {}. Ini {} yang terbaru:\n\n", t.tenant.name, cars.len())
    } else {
        format!("Ada *{total} mobil* di {}:\n\n", t.tenant.name)
    };
    s.push_str(&cards(t, &cars));
    s.push_str("\n\n");
    s.push_str(&format::list_hint(cars.first().map(|c| c.stock_no)));
    if !t.is_sales() {
        s.push_str(&format!(
            "\nCari yang spesifik? Sebut merek atau budget, misalnya _Toyota budget 200 juta_.\n🔗 Katalog lengkap: {}/mobil",
            t.tenant.base_url
        ));
    }
    Ok(s)
}

pub(super) async fn search(t: &mut Turn, u: &Understanding) -> StoreResult<String> {
    let mut filters = refine::merge_follow_up(&u.filters, t.memory.filters.as_ref(), u.extras.follow_up);
    filters.stock_no = None;
    let mut filter = car_filter(&filters, &u.extras);
    let sort = u.extras.relative.map(|rel| refine::apply_relative(t, rel, &mut filters, &mut filter));
    t.memory.filters = Some(filters);
    search_sorted(t, filter, u.extras.color.as_deref(), sort).await
}

pub(super) async fn search_with(t: &mut Turn, filter: CarFilter, colour: Option<&str>) -> StoreResult<String> {
    search_sorted(t, filter, colour, None).await
}

/// A search shown in `sort` order, or by price (under a ceiling, dearest first) or newest.
async fn search_sorted(
    t: &mut Turn,
    filter: CarFilter,
    colour: Option<&str>,
    sort: Option<CarSort>,
) -> StoreResult<String> {
    let sort = if let Some(sort) = sort {
        sort
    } else if filter.price_max.is_some() {
        CarSort::PriceDesc
    } else if filter.price_min.is_some() {
        CarSort::PriceAsc
    } else {
        CarSort::Newest
    };
    let desc = format::describe_filter(&filter);
    if !t.is_sales() {
        // Insights: what customers look for, as the filters the bot understood.
        let term = match colour {
            Some(c) => format!("{desc} {c}"),
            None => desc.clone(),
        };
        t.services.count_search(t.tenant.id, Source::Whatsapp, &term);
    }
    let (mut cars, mut total) = t.cars(filter.clone(), sort, 20).await?;
    if let Some(c) = colour {
        let coloured: Vec<Car> = cars.iter().filter(|car| colour_matches(&car.fields.color, c)).cloned().collect();
        if !coloured.is_empty() {
            total = coloured.len() as i64;
            cars = coloured;
        }
    }
    cars.truncate(MAX_CARDS);
    if !cars.is_empty() {
        t.remember_list(&cars);
        let mut s = format!("Ketemu *{total} mobil* {desc}:\n\n");
        s.push_str(&cards(t, &cars));
        if total as usize > cars.len() {
            s.push_str(&format!("\n…dan {} lainnya.", total as usize - cars.len()));
        }
        s.push_str("\n\n");
        s.push_str(&format::list_hint(cars.first().map(|c| c.stock_no)));
        return Ok(s);
    }
    // Nothing: loosen to the brand or model, then to anything for sale.
    let loose = CarFilter { brand: filter.brand.clone(), models: filter.models.clone(), ..CarFilter::default() };
    let (mut alt, _) =
        if loose != CarFilter::default() { t.cars(loose, CarSort::PriceAsc, 3).await? } else { (Vec::new(), 0) };
    let mut intro = "Tapi ada pilihan yang mirip:";
    if alt.is_empty() {
        alt = t.cars(CarFilter::default(), CarSort::Newest, 3).await?.0;
        intro = "Ini pilihan lain yang ready:";
    }
    let mut s = format!("Maaf, belum ada mobil {desc} saat ini 🙏");
    if alt.is_empty() {
        return Ok(s);
    }
    t.remember_list(&alt);
    s.push_str(&format!("\n{intro}\n\n{}\n\n{}", cards(t, &alt), format::list_hint(alt.first().map(|c| c.stock_no))));
    Ok(s)
}

pub(super) fn show_detail(t: &mut Turn, car: &Car) -> String {
    t.focus(car);
    let mut s = format::detail(&car.public_view(), &t.tenant.base_url);
    if t.is_sales() {
        s.push_str(&format::staff_extras(car));
    } else {
        // The follow-up offer is added after the reply (once per car, when on).
        t.followup_car = Some(car.clone());
        // Insights: on WhatsApp a car's details sent to a customer are its "view".
        t.services.count_car(t.tenant.id, Kind::View, Source::Whatsapp, car.id);
    }
    s
}

pub(super) fn ask_which(t: &mut Turn, target: Target, question: &str, command: &str) -> String {
    match target {
        Target::NotFound(n) => not_found(n),
        Target::NoMatch(desc) => {
            format!("Maaf, belum ada mobil {desc} di stok kami 🙏 Ketik */list* untuk melihat stok.")
        }
        Target::Many(cars) => {
            t.remember_list(&cars);
            let first = cars.first().map(|c| c.stock_no).unwrap_or(1);
            format!("{question}\n\n{}\n\nBalas _yang pertama_ atau ketik */{command} {first}*.", cards(t, &cars))
        }
        Target::One(car) => show_detail(t, &car),
        Target::Nothing if !t.memory.shown.is_empty() => {
            format!("{question}\n\n{}\n\nBalas _yang pertama_, _yang kedua_, dst.", shown_list(&t.memory))
        }
        Target::Nothing => format!(
            "{question} Sebutkan no. mobilnya (misalnya */{command} 12*), atau ketik _ada mobil apa?_ untuk melihat stok."
        ),
    }
}

pub(super) async fn detail(t: &mut Turn, u: &Understanding) -> StoreResult<String> {
    match target(t, u).await? {
        Target::One(car) => Ok(show_detail(t, &car)),
        Target::Nothing if u.intent == Intent::ContextReference && !t.memory.shown.is_empty() => Ok(format!(
            "Ini mobil yang tadi saya kirim:\n\n{}\n\nBalas _yang pertama_, _yang kedua_, dst. untuk detailnya.",
            shown_list(&t.memory)
        )),
        Target::Nothing if u.intent == Intent::ContextReference => {
            Ok("Maaf, belum ada mobil yang saya tunjukkan 🙏 Ketik _ada mobil apa?_ untuk melihat stok.".into())
        }
        other => Ok(ask_which(t, other, "Mobil yang mana?", "detail")),
    }
}

pub(super) async fn send_photos(t: &mut Turn, n: i64) -> StoreResult<String> {
    match t.car(n).await? {
        Some(car) => Ok(photos_of(t, &car)),
        None => Ok(not_found(n)),
    }
}

pub(super) fn photos_of(t: &mut Turn, car: &Car) -> String {
    t.focus(car);
    let urls = t.photo_urls(car);
    let url = format::car_url(&t.tenant.base_url, &car.slug);
    if urls.is_empty() {
        return format!("Maaf, foto *{}* belum tersedia 🙏\nDetailnya: {url}", car.title());
    }
    let n = urls.len();
    let total = car.photos.len();
    t.attach_images(urls);
    let more = if total > n { format!(" dari {total}") } else { String::new() };
    format!("📷 Foto *{}* (no. {}), {n}{more} foto.\nLihat semua: {url}", car.title(), car.stock_no)
}

pub(super) async fn photos(t: &mut Turn, u: &Understanding) -> StoreResult<String> {
    match target(t, u).await? {
        Target::One(car) => Ok(photos_of(t, &car)),
        other => Ok(ask_which(t, other, "Foto mobil yang mana?", "foto")),
    }
}

pub(super) fn price_of(t: &Turn, car: &Car) -> String {
    if t.is_sales() {
        return format::staff_price_line(car);
    }
    format!(
        "Harga {}.\n\nMau hitung cicilan? Ketik */simulasi {} dp 30% tenor 4*",
        format::price_line(&car.public_view()),
        car.stock_no
    )
}

pub(super) fn wants_discount(text: &str) -> bool {
    let lower = text.to_lowercase();
    ["nego", "kurang", "diskon", "potongan", "net", "nett", "pas", "deal", "turun"]
        .iter()
        .any(|w| lower.split(|c: char| !c.is_alphanumeric()).any(|x| x == *w))
}

pub(super) async fn price(t: &mut Turn, u: &Understanding) -> StoreResult<String> {
    match target(t, u).await? {
        Target::One(car) => {
            t.focus(&car);
            let mut s = price_of(t, &car);
            if !t.is_sales() && wants_discount(&t.text) {
                let contact = contact_or_showroom(t).await?;
                s.push_str(&format!("\n\nSoal nego harga, langsung dengan sales kami ya. {contact}"));
            }
            Ok(s)
        }
        Target::Many(cars) => {
            t.remember_list(&cars);
            let lines: Vec<String> = cars
                .iter()
                .take(MAX_CARDS)
                .enumerate()
                .map(|(i, c)| {
                    if t.is_sales() {
                        format!("{}. {}", i + 1, format::staff_price_line(c))
                    } else {
                        format!("{}. {}", i + 1, format::price_line(&c.public_view()))
                    }
                })
                .collect();
            Ok(format!("Harga yang ada:\n\n{}", lines.join("\n")))
        }
        other => Ok(ask_which(t, other, "Harga mobil yang mana?", "harga")),
    }
}

/// The instalments of a car for a DP and one tenor (or three tenors).
pub(crate) fn simulation(t: &mut Turn, car: &Car, dp: Option<DownPayment>, tenor: Option<i64>) -> String {
    t.focus(car);
    if !t.is_sales() {
        t.memory.revealed.payment_method = Some("credit".into());
    }
    let terms = &t.settings.credit;
    let price = car.fields.credit_price.unwrap_or(car.fields.price);
    let dp = dp.unwrap_or(DownPayment::Percent(terms.min_dp_percent.max(30) as f64));
    let tenors: Vec<i64> = match tenor {
        Some(y) => vec![y],
        None => vec![3, 4, 5],
    };
    let mut results = Vec::new();
    for y in &tenors {
        match credit::simulate(price, dp, *y, terms) {
            Ok(s) => results.push(s),
            Err(CreditError::Tenor) => {
                return "Tenor kredit bisa 1 sampai 5 tahun ya kak. Contoh: */simulasi 12 dp 30% tenor 4*".into();
            }
            Err(CreditError::DpTooLow(min)) => {
                return format!(
                    "DP minimal *{min}%* dari harga ya kak (untuk mobil ini minimal {}).",
                    format::rp(price * min / 100)
                );
            }
            Err(CreditError::DpTooHigh) => {
                return format!(
                    "DP-nya sudah sebesar harga mobil 😄 Kalau bayar penuh, harga cash *{}*.",
                    format::rp(car.fields.price)
                );
            }
            Err(CreditError::Price) => return "Maaf, harga mobil ini belum bisa disimulasikan 🙏".into(),
        }
    }
    let first = &results[0];
    let price_label = if car.fields.credit_price.is_some() { "Harga kredit" } else { "Harga" };
    let mut lines = vec![
        format!("🧮 *Simulasi kredit {}* (no. {})", car.title(), car.stock_no),
        format!("{price_label}: {}", format::rp(price)),
        format!("DP {}%: *{}*", first.dp_percent.round() as i64, format::rp(first.dp)),
        String::new(),
    ];
    let when = if terms.first_instalment_upfront {
        "DP + admin + asuransi + angsuran pertama"
    } else {
        "DP + admin + asuransi"
    };
    for s in &results {
        lines.push(format!(
            "• Tenor *{} tahun* ({}x): *{}*/bulan\n   TDP {} ({when})",
            s.tenor_years,
            s.tenor_years * 12,
            format::rp(s.instalment),
            format::rp(s.tdp)
        ));
    }
    lines.push(String::new());
    let rates: Vec<String> =
        results.iter().map(|s| format!("{}% ({} th)", s.flat_rate_percent, s.tenor_years)).collect();
    lines.push(format!(
        "_Bunga flat per tahun: {}. Ini simulasi, keputusan akhir dari pihak leasing._",
        rates.join(", ")
    ));
    lines.push(format!("Penghasilan yang disarankan minimal ±{}/bulan.", format::rp(first.min_monthly_income)));
    lines.join("\n")
}
