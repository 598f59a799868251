//! Structured commands (`/list`, `/detail 12`, …): parsed exactly and run directly, with
//! no guessing and no LLM. Sales-only commands are refused for customers by the engine.

use garasi_domain::Rupiah;
use garasi_domain::credit::DownPayment;

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    List,
    /// Free text to search for.
    Search(String),
    Detail(Option<i64>),
    Photos(Option<i64>),
    Simulate {
        stock_no: Option<i64>,
        dp: Option<DownPayment>,
        tenor_years: Option<i64>,
    },
    Reset,
    Help,
    // Sales only.
    Stock,
    Sold(Option<i64>),
    Booking(Option<i64>),
    Available(Option<i64>),
    /// `/harga 12 195jt`; without a price it only shows the price (any role).
    Price {
        stock_no: Option<i64>,
        price: Option<i64>,
        /// A price was written but could not be read.
        bad_price: bool,
    },
    /// `/tambah avanza 2021 matic 195jt`: a new draft car (sales only).
    Add(String),
    /// `/tayang 12`: a draft or hidden car goes on sale (sales only).
    Publish(Option<i64>),
    /// `/libur`: the salesperson is off duty, no new leads (sales only).
    OffDuty,
    /// `/masuk`: back on duty (sales only).
    OnDuty,
    Unknown(String),
}

impl Command {
    /// Whether only the showroom's salespeople may run it.
    pub fn sales_only(&self) -> bool {
        matches!(
            self,
            Command::Stock
                | Command::Sold(_)
                | Command::Booking(_)
                | Command::Available(_)
                | Command::Price { price: Some(_), .. }
                | Command::Price { bad_price: true, .. }
                | Command::Add(_)
                | Command::Publish(_)
                | Command::OffDuty
                | Command::OnDuty
        )
    }

    /// The intent name stored with the message.
    pub fn name(&self) -> &'static str {
        match self {
            Command::List => "cmd_list",
            Command::Search(_) => "cmd_search",
            Command::Detail(_) => "cmd_detail",
            Command::Photos(_) => "cmd_photos",
            Command::Simulate { .. } => "cmd_simulate",
            Command::Reset => "cmd_reset",
            Command::Help => "cmd_help",
            Command::Stock => "cmd_stock",
            Command::Sold(_) => "cmd_sold",
            Command::Booking(_) => "cmd_booking",
            Command::Available(_) => "cmd_available",
            Command::Price { price: None, bad_price: false, .. } => "cmd_price",
            Command::Price { .. } => "cmd_set_price",
            Command::Add(_) => "cmd_add",
            Command::Publish(_) => "cmd_publish",
            Command::OffDuty => "cmd_off_duty",
            Command::OnDuty => "cmd_on_duty",
            Command::Unknown(_) => "cmd_unknown",
        }
    }
}

/// One documented command: what the bot's `/help` lists and the dashboard's user guide
/// (`/admin/bantuan`) shows, so the two can't drift apart from each other or from [`parse`].
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct CommandDoc {
    /// What to type, with a sample argument (`/detail 12`).
    pub example: &'static str,
    /// What it does, in Indonesian.
    pub what: &'static str,
    /// Other words [`parse`] takes for the same command.
    pub aliases: &'static [&'static str],
    /// Whether only the showroom's salespeople may run it.
    pub sales_only: bool,
    /// Whether it is listed for salespeople rather than customers (`/harga 12` runs for
    /// anyone but only shows a salesperson the net price, so it is a sales command).
    pub for_sales: bool,
}

const fn doc(
    example: &'static str,
    what: &'static str,
    aliases: &'static [&'static str],
    sales_only: bool,
) -> CommandDoc {
    CommandDoc { example, what, aliases, sales_only, for_sales: sales_only }
}

const fn sales_doc(example: &'static str, what: &'static str, aliases: &'static [&'static str]) -> CommandDoc {
    CommandDoc { example, what, aliases, sales_only: false, for_sales: true }
}

/// Every command, customers' first, in the order `/help` lists them.
pub const REFERENCE: &[CommandDoc] = &[
    doc("/list", "mobil yang tersedia", &["/daftar", "/katalog"], false),
    doc("/search avanza matic 200jt", "cari mobil", &["/cari"], false),
    doc("/detail 12", "info lengkap mobil no. 12", &["/detil", "/info"], false),
    doc("/foto 12", "foto mobil", &["/photo"], false),
    doc("/simulasi 12 dp 30% tenor 4", "simulasi kredit", &["/kredit"], false),
    doc("/reset", "mulai dari awal", &["/ulang"], false),
    doc("/help", "daftar perintah ini", &["/bantuan", "/menu"], false),
    doc("/stok", "semua stok dan statusnya", &["/stock"], true),
    doc("/terjual 12", "tandai mobil no. 12 terjual", &["/sold", "/laku"], true),
    doc("/booking 12", "tandai booking", &["/book"], true),
    doc("/tersedia 12", "tersedia lagi", &["/ready"], true),
    sales_doc("/harga 12", "lihat harga (termasuk harga bawah)", &["/price"]),
    doc("/harga 12 185jt", "ubah harga", &[], true),
    doc(
        "/tambah avanza 1.5 g 2021 matic 195jt 38rb km putih",
        "tambah mobil baru (draf); tanpa data lengkap, bot menanyakannya",
        &["/add"],
        true,
    ),
    doc("/tayang 12", "tayangkan mobil no. 12 di katalog", &["/publish"], true),
    doc("/libur", "libur: prospek baru tidak dibagikan ke Anda", &["/cuti", "/off"], true),
    doc("/masuk", "bertugas lagi: ikut pembagian prospek", &["/on"], true),
];

/// Parses a message that starts with `/`; anything else is not a command.
pub fn parse(text: &str) -> Option<Command> {
    let text = text.trim();
    let rest = text.strip_prefix('/')?;
    let (word, args) = match rest.split_once(char::is_whitespace) {
        Some((w, a)) => (w, a.trim()),
        None => (rest, ""),
    };
    let word = word.to_lowercase();
    let first_number = || args.split_whitespace().next().and_then(stock_no);
    Some(match word.as_str() {
        "list" | "daftar" | "katalog" => Command::List,
        "search" | "cari" => Command::Search(args.to_owned()),
        "detail" | "detil" | "info" => Command::Detail(first_number()),
        "foto" | "photo" | "photos" | "fotos" => Command::Photos(first_number()),
        "simulasi" | "kredit" | "simulate" => parse_simulation(args),
        "reset" | "ulang" => Command::Reset,
        "help" | "bantuan" | "menu" | "start" => Command::Help,
        "stok" | "stock" | "inventory" => Command::Stock,
        "terjual" | "sold" | "laku" => Command::Sold(first_number()),
        "booking" | "book" => Command::Booking(first_number()),
        "tersedia" | "available" | "ready" => Command::Available(first_number()),
        "tambah" | "add" => Command::Add(args.to_owned()),
        "tayang" | "tayangkan" | "publish" => Command::Publish(first_number()),
        "libur" | "cuti" | "off" => Command::OffDuty,
        "masuk" | "on" => Command::OnDuty,
        "harga" | "price" => {
            let mut parts = args.splitn(2, char::is_whitespace);
            let stock_no = parts.next().and_then(stock_no);
            let price_text = parts.next().map(str::trim).filter(|p| !p.is_empty());
            let price = price_text.and_then(parse_price);
            Command::Price { stock_no, price, bad_price: price_text.is_some() && price.is_none() }
        }
        _ => Command::Unknown(word),
    })
}

/// "12", "#12", "no12" → 12.
fn stock_no(raw: &str) -> Option<i64> {
    let s = raw.trim().trim_start_matches('#');
    let s = s.strip_prefix("no").unwrap_or(s).trim_start_matches('.');
    s.parse::<i64>().ok().filter(|n| (1..=9_999_999).contains(n))
}

/// `/simulasi 12 dp 30% tenor 4` (also `dp 50jt`, `tenor 48` months, in any order).
fn parse_simulation(args: &str) -> Command {
    let words: Vec<String> = args.split_whitespace().map(str::to_lowercase).collect();
    let mut stock = None;
    let mut dp = None;
    let mut tenor = None;
    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_str();
        match w {
            "dp" | "tdp" | "uang-muka" => {
                // "dp 30 %" or "dp 30%" or "dp 50 jt".
                let mut value = words.get(i + 1).cloned().unwrap_or_default();
                let mut used = 1;
                if let Some(next) = words.get(i + 2)
                    && matches!(next.as_str(), "%" | "persen" | "jt" | "juta" | "rb" | "ribu" | "m" | "miliar")
                {
                    value.push_str(next);
                    used = 2;
                }
                dp = parse_dp(&value);
                i += used;
            }
            "tenor" | "selama" => {
                let raw = words.get(i + 1).map(|s| s.trim_end_matches(['x', 'X'])).unwrap_or("");
                let unit = words.get(i + 2).map(String::as_str).unwrap_or("");
                if let Ok(n) = raw.trim_end_matches("thn").trim_end_matches("tahun").parse::<i64>() {
                    tenor = Some(if unit.starts_with("bulan") || n > 10 { (n + 6) / 12 } else { n });
                }
                i += 1;
            }
            _ if stock.is_none() && dp.is_none() && tenor.is_none() => stock = stock_no(w),
            _ => {}
        }
        i += 1;
    }
    Command::Simulate { stock_no: stock, dp, tenor_years: tenor }
}

/// "30%", "30", "30persen" → 30 %; "50jt", "50.000.000" → an amount.
pub fn parse_dp(raw: &str) -> Option<DownPayment> {
    let s = raw.trim().to_lowercase();
    if let Some(p) = s.strip_suffix('%').or_else(|| s.strip_suffix("persen")) {
        let v: f64 = p.trim().replace(',', ".").parse().ok()?;
        return (v > 0.0 && v < 100.0).then_some(DownPayment::Percent(v));
    }
    if let Ok(v) = s.replace(',', ".").parse::<f64>()
        && v > 0.0
        && v < 100.0
    {
        return Some(DownPayment::Percent(v));
    }
    parse_price_any(&s).map(DownPayment::Amount)
}

/// A car price typed by a salesperson: "195jt", "195 juta", "1,2M", "195.000.000",
/// "Rp 195.000.000", "195000000"; a bare 10–2000 is juta. At least Rp 1 juta.
pub fn parse_price(raw: &str) -> Option<i64> {
    parse_price_any(raw).filter(|v| *v >= 1_000_000)
}

fn parse_price_any(raw: &str) -> Option<i64> {
    let s = raw.trim().to_lowercase();
    if let Ok(r) = Rupiah::parse(&s) {
        let v = r.value();
        return Some(if (10..=2000).contains(&v) { v * 1_000_000 } else { v });
    }
    let s = s.strip_prefix("rp").unwrap_or(&s).trim_start_matches('.').trim();
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',')).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let unit = unit.trim();
    let multiplier = match unit {
        "jt" | "juta" | "jeti" => 1e6,
        "rb" | "ribu" | "k" => 1e3,
        "m" | "miliar" | "milyar" | "em" => 1e9,
        "" => 1.0,
        _ => return None,
    };
    if num.is_empty() {
        return None;
    }
    // A comma is a decimal point; a dot too unless it groups thousands.
    let grouped = num.split('.').skip(1).all(|g| g.len() == 3) && num.contains('.');
    let normalised = if grouped { num.replace('.', "") } else { num.replace(',', ".") };
    let v: f64 = normalised.parse().ok()?;
    let v = if multiplier == 1.0 && (10.0..=2000.0).contains(&v) { v * 1e6 } else { v * multiplier };
    (1.0..=1e11).contains(&v).then(|| v.round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_command_parses_with_its_documented_role() {
        for d in REFERENCE {
            let cmd = parse(d.example).unwrap_or_else(|| panic!("{} must parse", d.example));
            assert!(!matches!(cmd, Command::Unknown(_)), "{} is unknown", d.example);
            assert_eq!(cmd.sales_only(), d.sales_only, "{}", d.example);
            assert!(d.for_sales || !d.sales_only, "{} is for sales only but listed for customers", d.example);
            for alias in d.aliases {
                let args = d.example.split_once(' ').map(|(_, a)| a).unwrap_or("");
                let via_alias = parse(&format!("{alias} {args}")).unwrap();
                assert_eq!(via_alias.name(), cmd.name(), "{alias} means {}", d.example);
            }
        }
    }

    #[test]
    fn commands() {
        assert_eq!(parse("halo"), None);
        assert_eq!(parse("/list"), Some(Command::List));
        assert_eq!(parse("/LIST"), Some(Command::List));
        assert_eq!(parse("/detail 12"), Some(Command::Detail(Some(12))));
        assert_eq!(parse("/detail #12"), Some(Command::Detail(Some(12))));
        assert_eq!(parse("/detail"), Some(Command::Detail(None)));
        assert_eq!(parse("/foto 3"), Some(Command::Photos(Some(3))));
        assert_eq!(parse("/search avanza matic 200jt"), Some(Command::Search("avanza matic 200jt".into())));
        assert_eq!(parse("/terjual 12"), Some(Command::Sold(Some(12))));
        assert_eq!(parse("/stok"), Some(Command::Stock));
        assert_eq!(
            parse("/harga 12 185jt"),
            Some(Command::Price { stock_no: Some(12), price: Some(185_000_000), bad_price: false })
        );
        assert_eq!(parse("/harga 12"), Some(Command::Price { stock_no: Some(12), price: None, bad_price: false }));
        assert!(matches!(parse("/harga 12 murah"), Some(Command::Price { bad_price: true, .. })));
        assert!(!parse("/harga 12").unwrap().sales_only());
        assert!(parse("/harga 12 185jt").unwrap().sales_only());
        assert_eq!(parse("/apaini"), Some(Command::Unknown("apaini".into())));
        assert_eq!(parse("/libur"), Some(Command::OffDuty));
        assert_eq!(parse("/Masuk"), Some(Command::OnDuty));
        assert!(Command::OffDuty.sales_only() && Command::OnDuty.sales_only());
    }

    #[test]
    fn simulation_arguments() {
        assert_eq!(
            parse("/simulasi 12 dp 30% tenor 4"),
            Some(Command::Simulate { stock_no: Some(12), dp: Some(DownPayment::Percent(30.0)), tenor_years: Some(4) })
        );
        assert_eq!(
            parse("/simulasi 7 dp 50jt tenor 36 bulan"),
            Some(Command::Simulate {
                stock_no: Some(7),
                dp: Some(DownPayment::Amount(50_000_000)),
                tenor_years: Some(3)
            })
        );
        assert_eq!(parse("/simulasi 7"), Some(Command::Simulate { stock_no: Some(7), dp: None, tenor_years: None }));
    }

    #[test]
    fn prices() {
        assert_eq!(parse_price("195jt"), Some(195_000_000));
        assert_eq!(parse_price("195 juta"), Some(195_000_000));
        assert_eq!(parse_price("1,2M"), Some(1_200_000_000));
        assert_eq!(parse_price("Rp 195.000.000"), Some(195_000_000));
        assert_eq!(parse_price("195000000"), Some(195_000_000));
        assert_eq!(parse_price("195"), Some(195_000_000));
        assert_eq!(parse_price("murah"), None);
        assert_eq!(parse_price("5"), None);
    }
}
