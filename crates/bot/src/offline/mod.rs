//! Answers without an LLM: structured commands, and the offline understanding's intents.
//! Costs nothing, answers in milliseconds, and is what the bot falls back to whenever the
//! LLM is off, slow, failing or over budget. Never silent: what it cannot understand gets
//! what the bot can do plus a salesperson's WhatsApp number.

use garasi_domain::car::{Car, CarFilter, CarSort, CarStatus};
use garasi_domain::credit::{self, CreditError, DownPayment};
use garasi_store::StoreResult;

use crate::commands::{self, Command};
use crate::format::{self, MAX_CARDS};
use crate::memory::Memory;
use crate::nlu::{self, Extras, Filters, Intent, ModelFilter, ORDINAL_LAST, Understanding};
use crate::turn::{CarChange, Turn};

mod add_car;
mod catalogue;
pub(crate) mod followups;
mod refine;
mod sales;
mod sales_chat;
mod target;
mod trade_in;
pub mod visits;

use self::catalogue::*;
use self::sales::*;
use self::target::*;

pub(crate) use self::sales_chat::intercept;

/// The understanding's filters as a catalogue filter.
pub(crate) fn car_filter(f: &Filters, e: &Extras) -> CarFilter {
    let mut filter = CarFilter {
        brand: f.brand.clone(),
        models: match &f.model {
            Some(ModelFilter::One(m)) => vec![m.clone()],
            Some(ModelFilter::Many(ms)) => ms.clone(),
            None => Vec::new(),
        },
        price_min: f.price_min,
        price_max: f.price_max,
        year_min: f.year_min,
        year_max: f.year_max,
        mileage_max: e.mileage_max_km,
        transmission: f.transmission.as_deref().and_then(|t| t.parse().ok()),
        fuel: f.fuel.as_deref().and_then(|t| t.parse().ok()),
        body_type: f.body_type.as_deref().and_then(|t| t.parse().ok()),
        seats_min: f.seats_min,
        ..CarFilter::default()
    };
    refine::apply_exclusions(&f.exclude, &mut filter);
    filter
}

fn has_vehicle(f: &Filters) -> bool {
    f.brand.is_some() || f.model.is_some()
}

fn cards(t: &Turn, cars: &[Car]) -> String {
    cars.iter()
        .take(MAX_CARDS)
        .enumerate()
        .map(|(i, c)| if t.is_sales() { format::staff_card(i + 1, c) } else { format::card(i + 1, &c.public_view()) })
        .collect::<Vec<_>>()
        .join("\n")
}

fn shown_list(m: &Memory) -> String {
    m.shown
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{}. *{}* (no. {})", i + 1, s.title, s.stock_no))
        .collect::<Vec<_>>()
        .join("\n")
}

fn contact_line(s: &garasi_store::tenant::SalesPerson) -> String {
    format!("*{}* ({})", s.name, format::phone_local(&s.phone))
}

async fn contact_or_showroom(t: &Turn) -> StoreResult<String> {
    Ok(match t.contact_sales().await? {
        Some(s) => format!("Chat sales kami {} ya 🙏", contact_line(&s)),
        None if !t.settings.profile.phone.trim().is_empty() => {
            format!("Hubungi showroom di {} ya 🙏", t.settings.profile.phone.trim())
        }
        None => "Sales kami akan membalas secepatnya 🙏".to_owned(),
    })
}

/// Answers an understood message.
pub(crate) async fn respond(t: &mut Turn, u: &Understanding) -> StoreResult<String> {
    if t.is_sales()
        && u.intent != Intent::MarkSold
        && let Some(phone) = u.extras.phone.as_deref()
    {
        return sales_lead(t, u, phone).await;
    }
    if let Some(kind) = u.extras.off_topic {
        return Ok(off_topic(t, kind));
    }
    match u.intent {
        Intent::Greeting => Ok(greeting(t)),
        Intent::List => list(t).await,
        Intent::Search => search(t, u).await,
        Intent::Detail | Intent::ContextReference => detail(t, u).await,
        Intent::Photos => photos(t, u).await,
        Intent::Price => price(t, u).await,
        Intent::CreditSimulation => {
            let dp = u.extras.dp_percent.map(DownPayment::Percent).or(u.extras.dp_amount.map(DownPayment::Amount));
            match target(t, u).await? {
                Target::One(car) => Ok(simulation(t, &car, dp, u.extras.tenor_years)),
                other => Ok(ask_which(t, other, "Simulasi kredit untuk mobil yang mana?", "simulasi")),
            }
        }
        Intent::Visit => visit(t, u).await,
        Intent::Location => Ok(location(t)),
        Intent::Handoff => handoff(t, "Pelanggan minta bicara dengan sales").await,
        Intent::Inventory if t.is_sales() => inventory(t, u).await,
        Intent::MarkSold if t.is_sales() => mark_sold(t, u).await,
        Intent::Unknown if u.confidence >= nlu::CONFIDENT => Ok(acknowledge(t)),
        _ => unknown(t).await,
    }
}

/// Runs a structured command.
pub(crate) async fn command(t: &mut Turn, cmd: Command) -> StoreResult<String> {
    if cmd.sales_only() && !t.is_sales() {
        return Ok(format!(
            "Maaf, perintah itu khusus untuk sales {} 🙏\nKetik */help* untuk melihat yang bisa saya bantu.",
            t.tenant.name
        ));
    }
    match cmd {
        Command::List => list(t).await,
        Command::Search(text) if text.trim().is_empty() => {
            Ok("Ketik */search* lalu yang dicari, misalnya: */search avanza matic 200jt*".into())
        }
        Command::Search(text) => {
            let u = nlu::understand(&text, t.role);
            if u.filters.is_empty() || u.filters.stock_no.is_some() && !has_vehicle(&u.filters) {
                let filter = CarFilter { text: Some(text.trim().to_owned()), ..CarFilter::default() };
                search_with(t, filter, None).await
            } else {
                search(t, &u).await
            }
        }
        Command::Detail(None) => Ok("Ketik */detail* dan no. mobilnya, misalnya */detail 12*.".into()),
        Command::Detail(Some(n)) => match t.car(n).await? {
            Some(car) => Ok(show_detail(t, &car)),
            None => Ok(not_found(n)),
        },
        Command::Photos(None) => match t.memory.focus {
            Some(n) => send_photos(t, n).await,
            None => Ok("Ketik */foto* dan no. mobilnya, misalnya */foto 12*.".into()),
        },
        Command::Photos(Some(n)) => send_photos(t, n).await,
        Command::Simulate { stock_no, dp, tenor_years } => match stock_no.or(t.memory.focus) {
            None => Ok("Ketik misalnya */simulasi 12 dp 30% tenor 4* (no. mobil, DP, tenor tahun).".into()),
            Some(n) => match t.car(n).await? {
                Some(car) => Ok(simulation(t, &car, dp, tenor_years)),
                None => Ok(not_found(n)),
            },
        },
        Command::Reset => {
            t.memory = Memory::default();
            t.reset = true;
            Ok("Oke, percakapan sudah saya mulai dari awal ✨\nAda yang bisa saya bantu?".into())
        }
        Command::Help => Ok(help(t)),
        Command::Stock => inventory_text(t).await,
        Command::Sold(n) => status_command(t, n, CarStatus::Sold).await,
        Command::Booking(n) => status_command(t, n, CarStatus::Booked).await,
        Command::Available(n) => status_command(t, n, CarStatus::Available).await,
        Command::Price { stock_no: None, .. } => Ok(if t.is_sales() {
            "Ketik */harga 12* untuk melihat harga, atau */harga 12 185jt* untuk mengubahnya.".into()
        } else {
            "Ketik */harga* dan no. mobilnya, misalnya */harga 12*.".into()
        }),
        Command::Price { bad_price: true, .. } => {
            Ok("Harganya tidak terbaca 🙏 Contoh: */harga 12 185jt* atau */harga 12 185.000.000*".into())
        }
        Command::Price { stock_no: Some(n), price: None, .. } => match t.car(n).await? {
            Some(car) => {
                t.focus(&car);
                Ok(price_of(t, &car))
            }
            None => Ok(not_found(n)),
        },
        Command::Price { stock_no: Some(n), price: Some(p), .. } => match t.set_price(n, p).await? {
            CarChange::Done(car, before) => Ok(format!(
                "✅ Harga *{}* (no. {n}) diubah dari {} menjadi *{}*.",
                car.title(),
                format::rp(before),
                format::rp(car.fields.price)
            )),
            CarChange::NotFound => Ok(not_found(n)),
            CarChange::Refused(why) => Ok(refused(n, &why)),
        },
        Command::Add(args) => add_car::start(t, &args).await,
        Command::Publish(n) => add_car::publish(t, n).await,
        Command::OffDuty => duty(t, false).await,
        Command::OnDuty => duty(t, true).await,
        Command::Unknown(word) => Ok(format!("Perintah */{word}* tidak dikenal.\n\n{}", help(t))),
    }
}

/// "/libur" and "/masuk": the sender (a salesperson by the staff list) goes off or on duty.
async fn duty(t: &mut Turn, on: bool) -> StoreResult<String> {
    let Some(me) = t.set_duty(on).await? else {
        return Ok("Maaf, status bertugas tidak bisa diubah dari nomor ini 🙏".into());
    };
    Ok(if on {
        let hours = garasi_service::routing::hours_of(&me, &t.settings);
        let weight = if me.weight == 0 {
            "\nCatatan: bobot Anda 0, jadi belum ikut pembagian otomatis. Minta pemilik mengubahnya di dasbor."
        } else {
            ""
        };
        format!(
            "✅ Selamat bekerja, {}! Status Anda: *bertugas*. Prospek baru dibagikan ke Anda pada jam kerja ({}).{weight}\nKetik */libur* kalau sedang tidak bisa melayani.",
            me.name,
            hours.summary()
        )
    } else {
        format!(
            "✅ Status Anda: *libur*, {}. Prospek baru tidak dibagikan ke Anda sampai Anda kirim */masuk*. Prospek yang sudah Anda pegang tetap milik Anda.",
            me.name
        )
    })
}

/// A change the car's rules refuse: nothing was changed.
fn refused(n: i64, why: &str) -> String {
    format!("Mobil no. {n} tidak diubah: {why}")
}

fn not_found(n: i64) -> String {
    format!("Mobil no. {n} tidak ada di stok kami 🙏 Ketik */list* untuk melihat mobil yang tersedia.")
}

fn greeting(t: &Turn) -> String {
    if t.is_sales() {
        let name = t.me.as_ref().map(|s| s.name.as_str()).unwrap_or("");
        return format!("Halo {name} 👋 Nomor ini terdaftar sebagai *sales* {}.\n\n{}", t.tenant.name, sales_help());
    }
    let custom = t.settings.bot.greeting.trim();
    if !custom.is_empty() {
        return custom.to_owned();
    }
    let persona = t.settings.bot.persona_name.trim();
    let persona = if persona.is_empty() { "Asisten" } else { persona };
    let hello = if t.sender_name.trim().is_empty() {
        "Halo kak! 👋".to_owned()
    } else {
        format!("Halo kak {}! 👋", t.sender_name.trim())
    };
    format!(
        "{hello} Saya *{persona}*, asisten virtual *{}*.\nMau cari mobil apa? Contoh:\n• _ada mobil apa?_\n• _avanza matic di bawah 200 juta_\n• _mau lihat langsung_\n\nKetik */help* untuk semua perintah.",
        t.tenant.name
    )
}

/// Spam, motorbikes, unrelated requests: a polite word on what the showroom does, never a car search.
fn off_topic(t: &Turn, kind: nlu::OffTopic) -> String {
    let name = &t.tenant.name;
    match kind {
        nlu::OffTopic::Spam => format!(
            "Maaf, pesan ini sepertinya bukan tentang mobil 🙏 Ini nomor *{name}*, showroom mobil. Kalau sedang cari mobil, ketik _ada mobil apa?_"
        ),
        nlu::OffTopic::Motorbike => format!(
            "Maaf kak, *{name}* hanya menjual *mobil*, belum ada motor 🙏\nKalau tertarik mobil, sebut saja merek atau budget-nya, misalnya _avanza di bawah 200 juta_."
        ),
        nlu::OffTopic::Unrelated => format!(
            "Maaf kak, saya asisten showroom mobil *{name}*, jadi hanya bisa bantu soal mobil 🙏\nMau lihat stok? Ketik _ada mobil apa?_"
        ),
    }
}

fn acknowledge(t: &Turn) -> String {
    if t.is_sales() {
        "Siap 👍".into()
    } else {
        "Sama-sama kak 😊 Kabari saja kalau ada yang mau ditanyakan.".into()
    }
}

fn sales_help() -> String {
    let sales: String = commands::REFERENCE
        .iter()
        .filter(|d| d.for_sales)
        .map(|d| format!("• *{}*: {}\n", d.example, d.what))
        .collect();
    format!(
        "Perintah sales:\n{sales}• Catat prospek: _ada yang mau beli avanza, namanya Budi 0813…_\n• Ubah harga/status dengan kata biasa: _harga no 4 turun 5 jt_, _no 4 jadi 190_, _no 12 sudah DP_, _no 7 batal booking_, _no 9 laku_ (lalu balas *ya*)\n• Prospek: _prospek saya_, _leads hari ini_, _siapa yang tanya fortuner?_\n\nPerintah umum juga bisa: */list*, */detail 12*, */foto 12*, */simulasi 12 dp 30% tenor 4*."
    )
}

fn help(t: &Turn) -> String {
    if t.is_sales() {
        return sales_help();
    }
    let listed: String = commands::REFERENCE
        .iter()
        .filter(|d| !d.for_sales && d.example != "/help")
        .map(|d| format!("• *{}*: {}\n", d.example, d.what))
        .collect();
    format!(
        "Yang bisa saya bantu:\n{listed}\nBisa juga tanya biasa, misalnya _Toyota budget 200 juta_ atau _mau lihat langsung_."
    )
}

async fn unknown(t: &Turn) -> StoreResult<String> {
    if t.is_sales() {
        return Ok(format!("Maaf, saya belum paham 🙏\n\n{}", sales_help()));
    }
    let contact = contact_or_showroom(t).await?;
    Ok(format!(
        "Maaf kak, saya belum paham maksudnya 🙏\n\nSaya bisa bantu:\n• lihat stok: _ada mobil apa?_\n• cari mobil: _avanza matic di bawah 200 juta_\n• detail & foto: */detail 12*, */foto 12*\n• simulasi kredit: */simulasi 12 dp 30% tenor 4*\n• janji lihat unit: _mau lihat langsung_\n\nAtau langsung ngobrol dengan orang: {contact}"
    ))
}

#[cfg(test)]
mod tests {
    use garasi_domain::car::Transmission;

    use super::*;

    #[test]
    fn colours_match_loosely() {
        assert!(colour_matches("Putih Mutiara", "putih"));
        assert!(colour_matches("Abu-abu Metalik", "abu-abu"));
        assert!(colour_matches("Grey", "abu-abu"));
        assert!(!colour_matches("Hitam", "putih"));
    }

    #[test]
    fn filters_map_to_the_catalogue() {
        let u = nlu::understand("avanza matic dibawah 200jt 2019 keatas", nlu::Role::Customer);
        let f = car_filter(&u.filters, &u.extras);
        assert_eq!(f.models, vec!["Avanza".to_string()]);
        assert_eq!(f.transmission, Some(Transmission::At));
        assert_eq!(f.price_max, Some(200_000_000));
        assert_eq!(f.year_min, Some(2019));
    }
}
