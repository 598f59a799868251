//! A customer's trade-in ("tukar tambah"): the bot asks for their car step by step (brand, model,
//! year, kilometres, plate region, photos; each may be skipped, each answer is checked), then
//! opens a trade-in lead with those details for a salesperson and tells them, instead of only
//! handing the chat over. The answers so far live in the customer's bot memory.

use garasi_store::tenant::{Lead, NewLead};

use super::*;
use crate::flow::{Flow, Pending, TradeIn, TradeInStep};
use crate::nlu::staff_update;

/// `leads.source` of a trade-in lead.
pub(crate) const LEAD_SOURCE: &str = "trade_in";

/// Plate region codes in use (Korlantas), for checking an answer like "B" or "AB".
const REGIONS: &[&str] = &[
    "A", "B", "D", "E", "F", "G", "H", "K", "L", "M", "N", "P", "R", "S", "T", "W", "Z", "AA", "AB", "AD", "AE", "AG",
    "BA", "BB", "BD", "BE", "BG", "BH", "BK", "BL", "BM", "BN", "BP", "DA", "DB", "DC", "DD", "DE", "DG", "DH", "DK",
    "DL", "DM", "DN", "DR", "DS", "DT", "EA", "EB", "ED", "KB", "KH", "KT", "KU", "PA", "PB",
];

/// Cities people name instead of the code.
const CITIES: &[(&str, &str)] = &[
    ("jakarta", "B"),
    ("bekasi", "B"),
    ("depok", "B"),
    ("tangerang", "B"),
    ("bandung", "D"),
    ("bogor", "F"),
    ("sukabumi", "F"),
    ("cirebon", "E"),
    ("serang", "A"),
    ("banten", "A"),
    ("semarang", "H"),
    ("solo", "AD"),
    ("surakarta", "AD"),
    ("jogja", "AB"),
    ("yogya", "AB"),
    ("yogyakarta", "AB"),
    ("surabaya", "L"),
    ("malang", "N"),
    ("kediri", "AG"),
    ("madiun", "AE"),
    ("bali", "DK"),
    ("denpasar", "DK"),
    ("medan", "BK"),
    ("palembang", "BG"),
    ("padang", "BA"),
    ("pekanbaru", "BM"),
    ("lampung", "BE"),
    ("makassar", "DD"),
    ("manado", "DB"),
    ("balikpapan", "KT"),
    ("samarinda", "KT"),
    ("pontianak", "KB"),
    ("banjarmasin", "DA"),
];

/// "tukar tambah": the intake starts, with whatever the first message already said
/// ("mau tukar tambah avanza 2018").
pub(super) async fn start(t: &mut Turn) -> StoreResult<(String, &'static str)> {
    let u = nlu::understand(&t.text, t.role);
    let mut intake = TradeIn::default();
    take_vehicle(&mut intake, &u);
    if let (Some(a), Some(b)) = (u.filters.year_min, u.filters.year_max)
        && a == b
        && year_ok(a)
    {
        intake.year = Some(a);
    }
    intake.step = TradeInStep::Brand;
    let next = advance(&mut intake, false);
    let intro = "Bisa kak, kami terima tukar tambah 🙌 Saya catat dulu data mobil kakak ya, nanti sales kami kirim penawarannya.\nSetiap pertanyaan boleh dijawab *lewati*; ketik *batal* untuk berhenti.";
    t.memory.pending = Some(Pending::new(Flow::TradeIn(intake), garasi_store::now()));
    Ok((format!("{intro}\n\n{next}"), "trade_in"))
}

/// The customer's answer to the step asked.
pub(super) async fn answer(t: &mut Turn, mut intake: TradeIn, text: &str) -> StoreResult<(String, &'static str)> {
    if staff_update::is_cancel(text) {
        return Ok((
            "Oke kak, tukar tambahnya tidak jadi saya catat 👍 Ada lagi yang bisa dibantu?".into(),
            "trade_in_cancelled",
        ));
    }
    let skip = staff_update::is_skip(text);
    let step = intake.step;
    if step == TradeInStep::Photos {
        if text.trim().is_empty() {
            // A picture (its text is empty): it stays in the chat, where the salesperson sees it.
            intake.photos = intake.photos.saturating_add(1);
            let reply = format!("Foto ke-{} diterima 👍 Kirim lagi, atau balas *selesai*.", intake.photos);
            t.memory.pending = Some(Pending::new(Flow::TradeIn(intake), garasi_store::now()));
            return Ok((reply, "trade_in"));
        }
        if skip || staff_update::is_done(text) {
            return finish(t, intake).await;
        }
        t.memory.pending = Some(Pending::new(Flow::TradeIn(intake), garasi_store::now()));
        return Ok((
            "Kirim foto mobilnya di chat ini ya kak, lalu balas *selesai* (atau *lewati* bila tidak ada foto).".into(),
            "trade_in",
        ));
    }
    if !skip && let Err(again) = take_answer(&mut intake, step, text) {
        t.memory.pending = Some(Pending::new(Flow::TradeIn(intake), garasi_store::now()));
        return Ok((format!("{again}\n(Balas *lewati* bila tidak tahu, *batal* untuk berhenti.)"), "trade_in"));
    }
    let next = advance(&mut intake, true);
    t.memory.pending = Some(Pending::new(Flow::TradeIn(intake), garasi_store::now()));
    Ok((next, "trade_in"))
}

/// Checks and keeps one answer; `Err` is the question asked again, with why.
fn take_answer(intake: &mut TradeIn, step: TradeInStep, text: &str) -> Result<(), String> {
    let u = nlu::understand(text, nlu::Role::Customer);
    match step {
        TradeInStep::Brand => {
            if take_vehicle(intake, &u) {
                return Ok(());
            }
            match free_name(text, 30) {
                Some(brand) => {
                    intake.brand = Some(brand);
                    Ok(())
                }
                None => {
                    Err("Mereknya belum terbaca kak 🙏 Tulis mereknya saja, misalnya *Toyota* atau *Honda*.".into())
                }
            }
        }
        TradeInStep::Model => {
            if let Some(ModelFilter::One(m)) = &u.filters.model {
                intake.model = Some(m.clone());
                return Ok(());
            }
            match free_name(text, 40) {
                Some(model) => {
                    intake.model = Some(model);
                    Ok(())
                }
                None => Err("Modelnya belum terbaca kak 🙏 Misalnya *Avanza 1.3 G* atau *Jazz RS*.".into()),
            }
        }
        TradeInStep::Year => match first_number(text).filter(|y| year_ok(*y)) {
            Some(y) => {
                intake.year = Some(y);
                Ok(())
            }
            None => Err(format!(
                "Tahunnya belum pas kak 🙏 Tulis 4 angka antara 1980 dan {}, misalnya *2018*.",
                garasi_service::cars::current_year() + 1
            )),
        },
        TradeInStep::Mileage => match mileage(text) {
            Some(km) => {
                intake.mileage_km = Some(km);
                Ok(())
            }
            None => Err("Kilometernya belum terbaca kak 🙏 Misalnya *85rb* atau *85.000 km*.".into()),
        },
        TradeInStep::Plate => match plate_region(text) {
            Some(r) => {
                intake.plate_region = Some(r);
                Ok(())
            }
            None => {
                Err("Plat nomornya belum terbaca kak 🙏 Tulis kode wilayahnya (misalnya *B* atau *AB*) atau kotanya."
                    .into())
            }
        },
        TradeInStep::Photos => Ok(()),
    }
}

/// Brand and model from the understanding ("avanza" gives both). Whether anything was found.
fn take_vehicle(intake: &mut TradeIn, u: &Understanding) -> bool {
    let mut found = false;
    if let Some(ModelFilter::One(m)) = &u.filters.model {
        intake.model = Some(m.clone());
        found = true;
    }
    if let Some(b) = &u.filters.brand {
        intake.brand = Some(b.clone());
        found = true;
    }
    found
}

/// Moves to the next step that has no answer yet (after the current one when `past_current`)
/// and returns its question.
fn advance(intake: &mut TradeIn, past_current: bool) -> String {
    use TradeInStep::*;
    const ORDER: [TradeInStep; 6] = [Brand, Model, Year, Mileage, Plate, Photos];
    let from = ORDER.iter().position(|s| *s == intake.step).unwrap_or(0) + usize::from(past_current);
    let answered = |s: TradeInStep, i: &TradeIn| match s {
        Brand => i.brand.is_some(),
        Model => i.model.is_some(),
        Year => i.year.is_some(),
        Mileage => i.mileage_km.is_some(),
        Plate => i.plate_region.is_some(),
        Photos => false,
    };
    let step = ORDER[from.min(ORDER.len() - 1)..].iter().copied().find(|s| !answered(*s, intake)).unwrap_or(Photos);
    intake.step = step;
    match step {
        Brand => "1/6 Merek mobilnya apa kak? (misalnya Toyota, Honda)".into(),
        Model => "2/6 Model dan tipenya apa? (misalnya Avanza 1.3 G)".into(),
        Year => "3/6 Tahun berapa?".into(),
        Mileage => "4/6 Kilometernya berapa? (misalnya 85rb)".into(),
        Plate => "5/6 Plat nomor wilayah mana? (misalnya B, D, AB, atau nama kotanya)".into(),
        Photos => "6/6 Kirim beberapa foto mobilnya di chat ini (depan, samping, interior), lalu balas *selesai*. Boleh *lewati*.".into(),
    }
}

/// The intake is complete: a trade-in lead for a salesperson, and a notice to them.
async fn finish(t: &mut Turn, intake: TradeIn) -> StoreResult<(String, &'static str)> {
    let details = summary(&intake);
    let (lead, sales) = open_trade_in_lead(t, &details).await?;
    if let Some(s) = &sales {
        let text = t.lead_notice("Pelanggan mau tukar tambah", &lead, &details, None).await?;
        t.notify(s, text);
    }
    let mut lines = vec!["Terima kasih kak, data mobil kakak sudah kami catat ✅".to_owned(), format!("🚗 {details}")];
    lines.push(String::new());
    lines.push(match &sales {
        Some(s) => format!("Sales kami {} akan menghubungi kakak dengan penawaran tukar tambahnya 🙏", contact_line(s)),
        None => contact_or_showroom(t).await?,
    });
    Ok((lines.join("\n"), "trade_in_done"))
}

/// "Tukar tambah: Toyota Avanza 2018 · 85.000 km · plat B · 2 foto di chat".
pub(crate) fn summary(i: &TradeIn) -> String {
    let mut car = Vec::new();
    if let Some(b) = &i.brand {
        car.push(b.clone());
    }
    if let Some(m) = &i.model {
        car.push(m.clone());
    }
    if let Some(y) = i.year {
        car.push(y.to_string());
    }
    let mut parts = vec![if car.is_empty() { "mobil (merek tidak disebut)".to_owned() } else { car.join(" ") }];
    if let Some(km) = i.mileage_km {
        parts.push(format!("{} km", garasi_domain::money::group_thousands(km)));
    }
    if let Some(r) = &i.plate_region {
        parts.push(format!("plat {r}"));
    }
    if i.photos > 0 {
        parts.push(format!("{} foto di chat", i.photos));
    }
    format!("Tukar tambah: {}", parts.join(" · "))
}

/// A new lead of source `trade_in` for this chat, assigned to the chat's salesperson or the
/// next one in the round robin.
async fn open_trade_in_lead(
    t: &mut Turn,
    details: &str,
) -> StoreResult<(Lead, Option<garasi_store::tenant::SalesPerson>)> {
    let name = t.customer_name();
    let mut tx = t.begin_write().await?;
    tx.conversations().lock(t.conversation.id).await?;
    let mut sales = None;
    if let Some(id) = t.conversation.assigned_sales_id {
        sales = tx.sales().get(id).await?.filter(|s| s.active && s.deleted_at.is_none());
    }
    let new = NewLead {
        name,
        conversation_id: Some(t.conversation.id),
        assigned_sales_id: sales.as_ref().map(|s| s.id),
        notes: details.to_owned(),
        source: LEAD_SOURCE.to_owned(),
        ..NewLead::new(t.sender.clone())
    };
    let mut lead = tx.leads().create(&new, "bot").await?;
    match &sales {
        Some(s) => {
            let settings = t.settings.clone();
            garasi_service::routing::start_clock_in(&t.services, &mut tx, &settings, lead.id, s.id).await?;
        }
        None => {
            if let Some((routed, s)) = garasi_service::routing::route_in(&t.services, &mut tx, lead.id, "bot").await? {
                lead = routed;
                sales = Some(s);
            }
        }
    }
    tx.commit().await?;
    Ok((lead, sales))
}

fn year_ok(y: i64) -> bool {
    (1980..=garasi_service::cars::current_year() + 1).contains(&y)
}

fn first_number(text: &str) -> Option<i64> {
    staff_update::words(text).iter().find_map(|w| w.parse::<i64>().ok())
}

/// "85rb", "85 ribu", "85.000 km", "85000", "1,2 jt"; a bare number below 1000 is thousands
/// ("km 85"). At most 2.000.000 km, like the car rules.
fn mileage(text: &str) -> Option<i64> {
    let words = staff_update::words(text);
    let i = words.iter().position(|w| w.starts_with(|c: char| c.is_ascii_digit()))?;
    let w = &words[i];
    let split = w.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',')).unwrap_or(w.len());
    let (num, glued) = w.split_at(split);
    let unit = if glued.is_empty() { words.get(i + 1).map(String::as_str).unwrap_or("") } else { glued };
    let grouped = num.contains('.') && num.split('.').skip(1).all(|g| g.len() == 3);
    let v: f64 = if grouped { num.replace('.', "") } else { num.replace(',', ".") }.parse().ok()?;
    let v = match unit {
        "rb" | "ribu" | "k" | "rbkm" | "kkm" => v * 1e3,
        "jt" | "juta" => v * 1e6,
        _ if v < 1000.0 => v * 1e3,
        _ => v,
    };
    let v = v.round();
    (0.0..=2_000_000.0).contains(&v).then_some(v as i64)
}

/// A plate's region: a full plate ("B 1234 XYZ"), a code ("B", "plat AB") or a city.
fn plate_region(text: &str) -> Option<String> {
    if let Ok(p) = garasi_domain::car::PlateNumber::parse(text) {
        return Some(p.region().to_owned());
    }
    let words = staff_update::words(text);
    for w in &words {
        if let Some((_, code)) = CITIES.iter().find(|(city, _)| city == w) {
            return Some((*code).to_owned());
        }
    }
    words
        .iter()
        .filter(|w| !matches!(w.as_str(), "plat" | "plate" | "nopol" | "wilayah" | "kode"))
        .map(|w| w.to_uppercase())
        .find(|w| REGIONS.contains(&w.as_str()))
}

/// A brand or model as typed, when it looks like one: letters (digits, spaces, dots and dashes
/// allowed after the first letter), no longer than `max`.
fn free_name(text: &str, max: usize) -> Option<String> {
    let t = text.trim();
    let ok = t.starts_with(|c: char| c.is_alphabetic())
        && t.chars().count() <= max
        && t.chars().all(|c| c.is_alphanumeric() || matches!(c, ' ' | '.' | '-'));
    ok.then(|| {
        t.split_whitespace()
            .map(|w| {
                let mut c = w.chars();
                c.next().map(|f| f.to_uppercase().chain(c).collect::<String>()).unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join(" ")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_checked() {
        assert_eq!(mileage("85rb"), Some(85_000));
        assert_eq!(mileage("85.000 km"), Some(85_000));
        assert_eq!(mileage("kira2 120 ribu"), Some(120_000));
        assert_eq!(mileage("85"), Some(85_000));
        assert_eq!(mileage("banyak"), None);
        assert_eq!(mileage("5 jt"), None, "over 2.000.000 km");
        assert_eq!(plate_region("B 1234 XYZ").as_deref(), Some("B"));
        assert_eq!(plate_region("plat AB").as_deref(), Some("AB"));
        assert_eq!(plate_region("bandung").as_deref(), Some("D"));
        assert_eq!(plate_region("XX"), None);
        assert_eq!(free_name("grand livina", 40).as_deref(), Some("Grand Livina"));
        assert_eq!(free_name("1234", 40), None);
        assert!(year_ok(2018) && !year_ok(1900) && !year_ok(3000));
    }

    #[test]
    fn steps_skip_what_is_known() {
        let mut i = TradeIn { brand: Some("Toyota".into()), model: Some("Avanza".into()), ..TradeIn::default() };
        let q = advance(&mut i, false);
        assert_eq!(i.step, TradeInStep::Year);
        assert!(q.starts_with("3/6"));
        advance(&mut i, true);
        assert_eq!(i.step, TradeInStep::Mileage);
    }

    #[test]
    fn the_summary_names_what_was_given() {
        let i = TradeIn {
            brand: Some("Toyota".into()),
            model: Some("Avanza".into()),
            year: Some(2018),
            mileage_km: Some(85_000),
            plate_region: Some("B".into()),
            photos: 2,
            ..TradeIn::default()
        };
        assert_eq!(summary(&i), "Tukar tambah: Toyota Avanza 2018 · 85.000 km · plat B · 2 foto di chat");
        assert_eq!(summary(&TradeIn::default()), "Tukar tambah: mobil (merek tidak disebut)");
    }
}
