//! Answers without an LLM: structured commands, and the offline understanding's intents.
//! Costs nothing, answers in milliseconds, and is what the bot falls back to whenever the
//! LLM is off, slow, failing or over budget. Never silent: what it cannot understand gets
//! what the bot can do plus a salesperson's WhatsApp number.

use garasi_domain::car::{Car, CarFilter, CarSort, CarStatus};
use garasi_domain::credit::{self, CreditError, DownPayment};
use garasi_store::StoreResult;

use crate::commands::Command;
use crate::format::{self, MAX_CARDS};
use crate::memory::Memory;
use crate::nlu::{self, Extras, Filters, Intent, ModelFilter, ORDINAL_LAST, Understanding};
use crate::turn::{CarChange, Turn};

/// What a question about "a car" refers to.
enum Target {
    One(Box<Car>),
    Many(Vec<Car>),
    /// A stock number that is not (visible) in this showroom.
    NotFound(i64),
    /// A model or filter that matches nothing.
    NoMatch(String),
    Nothing,
}

/// The understanding's filters as a catalogue filter.
pub(crate) fn car_filter(f: &Filters, e: &Extras) -> CarFilter {
    CarFilter {
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
        ..CarFilter::default()
    }
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

/// Resolves which car a message is about: a stock number, a position or colour in the
/// last list, a model named, else the car in focus.
async fn target(t: &mut Turn, u: &Understanding) -> StoreResult<Target> {
    if let Some(n) = u.filters.stock_no {
        return Ok(match t.car(n).await? {
            Some(c) => Target::One(Box::new(c)),
            None => Target::NotFound(n),
        });
    }
    if let Some(ord) = u.extras.ordinal {
        let shown = &t.memory.shown;
        let pick = if ord == ORDINAL_LAST { shown.last() } else { ord.checked_sub(1).and_then(|i| shown.get(i)) };
        if let Some(n) = pick.map(|s| s.stock_no)
            && let Some(c) = t.car(n).await?
        {
            return Ok(Target::One(Box::new(c)));
        }
    }
    if let Some(color) = &u.extras.color {
        let picks: Vec<i64> =
            t.memory.shown.iter().filter(|s| colour_matches(&s.color, color)).map(|s| s.stock_no).collect();
        if !picks.is_empty() {
            let mut cars = Vec::new();
            for n in picks {
                if let Some(c) = t.car(n).await? {
                    cars.push(c);
                }
            }
            return Ok(match cars.len() {
                0 => Target::Nothing,
                1 => Target::One(Box::new(cars.remove(0))),
                _ => Target::Many(cars),
            });
        }
    }
    if has_vehicle(&u.filters) {
        let filter = car_filter(&u.filters, &u.extras);
        let key = filter.models.first().map(|m| garasi_domain::car::model_key(m));
        if let Some(key) = key {
            let in_list: Vec<i64> = t
                .memory
                .shown
                .iter()
                .filter(|s| garasi_domain::car::model_key(&s.model) == key)
                .map(|s| s.stock_no)
                .collect();
            if in_list.len() == 1
                && let Some(c) = t.car(in_list[0]).await?
            {
                return Ok(Target::One(Box::new(c)));
            }
        }
        let (mut cars, _) = t.cars(filter.clone(), CarSort::Newest, 6).await?;
        return Ok(match cars.len() {
            0 => Target::NoMatch(format::describe_filter(&filter)),
            1 => Target::One(Box::new(cars.remove(0))),
            _ => Target::Many(cars),
        });
    }
    if let Some(n) = t.memory.focus
        && let Some(c) = t.car(n).await?
    {
        return Ok(Target::One(Box::new(c)));
    }
    if t.memory.shown.len() == 1
        && let Some(c) = t.car(t.memory.shown[0].stock_no).await?
    {
        return Ok(Target::One(Box::new(c)));
    }
    Ok(Target::Nothing)
}

fn colour_matches(car_colour: &str, wanted: &str) -> bool {
    let c = car_colour.to_lowercase();
    let aliases: &[&str] = match wanted {
        "putih" => &["putih", "white"],
        "hitam" => &["hitam", "black"],
        "abu-abu" => &["abu", "grey", "gray"],
        "silver" => &["silver", "perak"],
        "merah" => &["merah", "red", "maroon", "marun"],
        "biru" => &["biru", "blue"],
        "cokelat" => &["coklat", "cokelat", "brown"],
        other => return c.contains(other),
    };
    aliases.iter().any(|a| c.contains(a))
}

/// Answers an understood message.
pub(crate) async fn respond(t: &mut Turn, u: &Understanding) -> StoreResult<String> {
    if t.is_sales()
        && u.intent != Intent::MarkSold
        && let Some(phone) = u.extras.phone.as_deref()
    {
        return sales_lead(t, u, phone).await;
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
        Command::Unknown(word) => Ok(format!("Perintah */{word}* tidak dikenal.\n\n{}", help(t))),
    }
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

fn acknowledge(t: &Turn) -> String {
    if t.is_sales() {
        "Siap 👍".into()
    } else {
        "Sama-sama kak 😊 Kabari saja kalau ada yang mau ditanyakan.".into()
    }
}

fn sales_help() -> String {
    "Perintah sales:\n• */stok*: semua stok dan statusnya\n• */terjual 12*: tandai mobil no. 12 terjual\n• */booking 12*: tandai booking\n• */tersedia 12*: tersedia lagi\n• */harga 12*: lihat harga (termasuk harga bawah)\n• */harga 12 185jt*: ubah harga\n• Catat prospek: _ada yang mau beli avanza, namanya Budi 0813…_\n\nPerintah umum juga bisa: */list*, */detail 12*, */foto 12*, */simulasi 12 dp 30% tenor 4*."
        .into()
}

fn help(t: &Turn) -> String {
    if t.is_sales() {
        return sales_help();
    }
    "Yang bisa saya bantu:\n• */list*: mobil yang tersedia\n• */search avanza matic 200jt*: cari mobil\n• */detail 12*: info lengkap mobil no. 12\n• */foto 12*: foto mobil\n• */simulasi 12 dp 30% tenor 4*: simulasi kredit\n• */reset*: mulai dari awal\n\nBisa juga tanya biasa, misalnya _Toyota budget 200 juta_ atau _mau lihat langsung_."
        .into()
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

async fn list(t: &mut Turn) -> StoreResult<String> {
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

/// "yang matic aja", "kalau yang 2020?": a refinement of the last search.
fn is_refinement(u: &Understanding, text: &str) -> bool {
    if has_vehicle(&u.filters) {
        return false;
    }
    let lower = text.to_lowercase();
    ["yang", "yg", "aja", "saja", "kalau", "kalo", "klo"].iter().any(|w| lower.split_whitespace().any(|x| x == *w))
}

async fn search(t: &mut Turn, u: &Understanding) -> StoreResult<String> {
    let mut filters = u.filters.clone();
    if is_refinement(u, &t.text)
        && let Some(prev) = &t.memory.filters
    {
        filters.brand = filters.brand.or(prev.brand.clone());
        filters.model = filters.model.or(prev.model.clone());
        filters.price_min = filters.price_min.or(prev.price_min);
        filters.price_max = filters.price_max.or(prev.price_max);
        filters.year_min = filters.year_min.or(prev.year_min);
        filters.year_max = filters.year_max.or(prev.year_max);
        filters.transmission = filters.transmission.or(prev.transmission.clone());
        filters.fuel = filters.fuel.or(prev.fuel.clone());
        filters.body_type = filters.body_type.or(prev.body_type.clone());
    }
    filters.stock_no = None;
    let filter = car_filter(&filters, &u.extras);
    t.memory.filters = Some(filters);
    search_with(t, filter, u.extras.color.as_deref()).await
}

async fn search_with(t: &mut Turn, filter: CarFilter, colour: Option<&str>) -> StoreResult<String> {
    let sort = if filter.price_max.is_some() {
        CarSort::PriceDesc
    } else if filter.price_min.is_some() {
        CarSort::PriceAsc
    } else {
        CarSort::Newest
    };
    let desc = format::describe_filter(&filter);
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

fn show_detail(t: &mut Turn, car: &Car) -> String {
    t.focus(car);
    let mut s = format::detail(&car.public_view(), &t.tenant.base_url);
    if t.is_sales() {
        s.push_str(&format::staff_extras(car));
    }
    s
}

fn ask_which(t: &mut Turn, target: Target, question: &str, command: &str) -> String {
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

async fn detail(t: &mut Turn, u: &Understanding) -> StoreResult<String> {
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

async fn send_photos(t: &mut Turn, n: i64) -> StoreResult<String> {
    match t.car(n).await? {
        Some(car) => Ok(photos_of(t, &car)),
        None => Ok(not_found(n)),
    }
}

fn photos_of(t: &mut Turn, car: &Car) -> String {
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

async fn photos(t: &mut Turn, u: &Understanding) -> StoreResult<String> {
    match target(t, u).await? {
        Target::One(car) => Ok(photos_of(t, &car)),
        other => Ok(ask_which(t, other, "Foto mobil yang mana?", "foto")),
    }
}

fn price_of(t: &Turn, car: &Car) -> String {
    if t.is_sales() {
        return format::staff_price_line(car);
    }
    format!(
        "Harga {}.\n\nMau hitung cicilan? Ketik */simulasi {} dp 30% tenor 4*",
        format::price_line(&car.public_view()),
        car.stock_no
    )
}

fn wants_discount(text: &str) -> bool {
    let lower = text.to_lowercase();
    ["nego", "kurang", "diskon", "potongan", "net", "nett", "pas", "deal", "turun"]
        .iter()
        .any(|w| lower.split(|c: char| !c.is_alphanumeric()).any(|x| x == *w))
}

async fn price(t: &mut Turn, u: &Understanding) -> StoreResult<String> {
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

async fn visit(t: &mut Turn, u: &Understanding) -> StoreResult<String> {
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

fn address_block(t: &Turn) -> String {
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

fn location(t: &Turn) -> String {
    format!("{}\n\nMau janjian lihat unit? Balas _mau lihat langsung_ ya.", address_block(t))
}

async fn handoff(t: &mut Turn, reason: &str) -> StoreResult<String> {
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

async fn inventory_text(t: &mut Turn) -> StoreResult<String> {
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

async fn inventory(t: &mut Turn, u: &Understanding) -> StoreResult<String> {
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

async fn status_command(t: &mut Turn, n: Option<i64>, status: CarStatus) -> StoreResult<String> {
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

async fn mark_sold(t: &mut Turn, u: &Understanding) -> StoreResult<String> {
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
async fn sales_lead(t: &mut Turn, u: &Understanding, phone: &str) -> StoreResult<String> {
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
