//! Numbers in a message (domain.md §3.2–3.3): prices, years, stock numbers, DP, tenor, mileage, ordinals.
//!
//! Passes run in a fixed order and mark the tokens they read, so a number is read once:
//! stock numbers (`no 12`, `#12`, `unit 12`; `yang no 2` is an ordinal) → DP (`dp 30%`, `dp 50jt`) → mileage
//! (`km 50rb`) → tenor (`tenor 4 thn`) → percentages, durations, times and counts → amounts that are instalments or
//! price changes (`cicilan 3jt`, `turun 5jt`) → word ordinals (`kedua`, `ke-2`) → prices and years.
//!
//! Prices and years:
//! - A number with a money unit, with thousands separators, or ≥ 1,000,000 is money. `M`/`m`/`miliar`/`em` is
//!   10⁹ (never million), `jt`/`juta` 10⁶, `rb`/`ribu`/`k` 10³, `setengah M` 5×10⁸.
//! - A bare 4-digit number 1990–2030 is a year unless a price cue (`harga`, `budget`, `dana`, `rp`) is right in
//!   front of it. After a year cue (`tahun`/`thn`/`th`, `'`, `keluaran`, `rakitan`, `registrasi`) a 2-digit number is a
//!   year too (`thn 18` → 2018, `'98` → 1998).
//! - A bare number 10–2000 after a price cue (`max`, `di bawah`, `budget`, `harga`, `sekitar`, …) or with the
//!   suffix `-an` is in juta (`maks 325`, `150an`). Other bare numbers are ignored (`kalau 185 deal?`).
//! - Direction: max cues and budget cues → `price_max`; min cues → `price_min`; `X - Y` → both; an approximate
//!   amount (`sekitar`, `kisaran`, `±`, `-an`) → ±10 % (`harga 200an` → 180–220 jt), except with a budget or max cue,
//!   where it is a ceiling of +10 % (`budget 250an` → max 275 jt); an amount with no cue at all → `price_max`.
//! - `ke atas`/`up`/`+` after, or `min`/`di atas` before, a year sets `year_min`, a price `price_min`; the magnitude
//!   decides which. Several exact years give a range (`2019 atau 2020`).
//! - Plausibility: a price below 10 jt or above 100 M is not a price filter (it is a DP, an instalment, mileage or a
//!   typo).

use super::text::{Kind, Tok};

const JUTA: f64 = 1e6;
const MIN_PRICE: i64 = 10_000_000;
const MAX_PRICE: i64 = 100_000_000_000;
/// Bare numbers in this range after a price cue are juta.
const BARE_JUTA: std::ops::RangeInclusive<f64> = 10.0..=2000.0;

/// What the number passes found.
#[derive(Default, Debug, Clone, PartialEq)]
pub(crate) struct Numbers {
    pub price_min: Option<i64>,
    pub price_max: Option<i64>,
    pub year_min: Option<i64>,
    pub year_max: Option<i64>,
    pub stock_no: Option<i64>,
    pub dp_percent: Option<f64>,
    pub dp_amount: Option<i64>,
    pub tenor_years: Option<i64>,
    pub mileage_km: Option<i64>,
    pub ordinal: Option<usize>,
    pub budget: Option<i64>,
    /// "7 seater", "7 penumpang", "muat 8 orang", "kapasitas 7".
    pub seats_min: Option<i64>,
    /// Indices of words that introduced a price or year filter ("harga" in "harga 150an"): intent detection must not
    /// read them as a question about the price.
    pub cue_tokens: Vec<usize>,
}

/// Ordinal used for "yang terakhir" (the last one).
pub const ORDINAL_LAST: usize = usize::MAX;

/// A number literal: `150`, `1.450.000.000`, `2,5`, `1.8`, `150,000,000`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Literal {
    pub value: f64,
    /// Written with thousands separators.
    pub grouped: bool,
    /// Has a decimal part.
    pub decimal: bool,
    /// Digits before the decimal point (separators excluded).
    pub int_digits: usize,
}

/// Parses a number literal. A comma is a decimal point; a dot is a thousands separator when every group after it has
/// exactly three digits (`275.000.000`), otherwise a decimal point (`1.8`). `150,000,000` (several 3-digit groups
/// after commas) is read as thousands too.
pub(crate) fn parse_literal(s: &str) -> Option<Literal> {
    if s.is_empty() || !s.starts_with(|c: char| c.is_ascii_digit()) || s.len() > 40 {
        return None;
    }
    let groups_ok = |parts: &[&str]| {
        !parts.is_empty()
            && (1..=3).contains(&parts[0].len())
            && parts[1..].iter().all(|p| p.len() == 3 && p.chars().all(|c| c.is_ascii_digit()))
    };
    let digits_only = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit());
    let int = |p: &str| -> Option<Literal> {
        let v: f64 = p.parse().ok()?;
        Some(Literal { value: v, grouped: false, decimal: false, int_digits: p.len() })
    };
    let dots = s.matches('.').count();
    let commas = s.matches(',').count();
    match (dots, commas) {
        (0, 0) => int(s),
        (_, 0) | (0, _) => {
            let sep = if commas == 0 { '.' } else { ',' };
            let parts: Vec<&str> = s.split(sep).collect();
            let min_groups = if sep == '.' { 2 } else { 3 };
            if parts.len() >= min_groups && groups_ok(&parts) {
                let joined: String = parts.concat();
                let v: f64 = joined.parse().ok()?;
                Some(Literal { value: v, grouped: true, decimal: false, int_digits: joined.len() })
            } else if parts.len() == 2 && digits_only(parts[0]) && digits_only(parts[1]) {
                let v: f64 = format!("{}.{}", parts[0], parts[1]).parse().ok()?;
                Some(Literal { value: v, grouped: false, decimal: true, int_digits: parts[0].len() })
            } else {
                None
            }
        }
        _ => {
            // Both: the last separator is the decimal point, the other one groups thousands.
            let last = s.rfind(['.', ','])?;
            let (int_part, frac) = (&s[..last], &s[last + 1..]);
            let group_sep = if s[last..].starts_with(',') { '.' } else { ',' };
            let parts: Vec<&str> = int_part.split(group_sep).collect();
            if !groups_ok(&parts) || !digits_only(frac) {
                return None;
            }
            let joined: String = parts.concat();
            let v: f64 = format!("{joined}.{frac}").parse().ok()?;
            Some(Literal { value: v, grouped: true, decimal: true, int_digits: joined.len() })
        }
    }
}

/// A money unit word: multiplier and whether it also says "approximately" (`jtan`, `rban`).
pub(crate) fn money_unit(w: &str) -> Option<(f64, bool)> {
    Some(match w {
        "jt" | "juta" | "jeti" | "jete" | "jta" | "jtn" | "million" | "mio" | "jtnya" | "jutanya" | "jt." => {
            (JUTA, false)
        }
        "jtan" | "jutaan" => (JUTA, true),
        "rb" | "ribu" | "rebu" | "rbu" | "k" | "rbnya" | "ribunya" | "thousand" => (1e3, false),
        "rban" | "ribuan" => (1e3, true),
        "m" | "em" | "miliar" | "milyar" | "milliar" | "billion" | "mil" | "m." => (1e9, false),
        _ => return None,
    })
}

/// An amount: a literal with an optional unit and approximation marker.
#[derive(Clone, Copy, Debug)]
struct Amount {
    /// Index after the last token read.
    end: usize,
    lit: Literal,
    unit: Option<f64>,
    approx: bool,
}

impl Amount {
    fn has_money_form(&self) -> bool {
        self.unit.is_some() || self.lit.grouped || self.lit.value >= JUTA
    }

    fn is_bare_int(&self) -> bool {
        self.unit.is_none() && !self.lit.grouped && !self.lit.decimal
    }

    /// Rupiah value when read as money; `other_unit` is the unit of the other end of a range.
    fn rupiah(&self, other_unit: Option<f64>, price_context: bool) -> Option<i64> {
        let v = if let Some(u) = self.unit {
            self.lit.value * u
        } else if self.lit.grouped || self.lit.value >= JUTA {
            self.lit.value
        } else if let Some(u) = other_unit {
            self.lit.value * u
        } else if (price_context || self.approx) && BARE_JUTA.contains(&self.lit.value) {
            self.lit.value * JUTA
        } else {
            return None;
        };
        to_i64(v)
    }

    /// Year when read as one; `two_digit_ok` after a year cue.
    fn year(&self, two_digit_ok: bool) -> Option<i64> {
        if !self.is_bare_int() {
            return None;
        }
        let v = self.lit.value as i64;
        match self.lit.int_digits {
            4 if (1980..=2035).contains(&v) => Some(v),
            1 | 2 if two_digit_ok => Some(if v <= 35 {
                2000 + v
            } else if v >= 80 {
                1900 + v
            } else {
                return None;
            }),
            _ => None,
        }
    }
}

fn to_i64(v: f64) -> Option<i64> {
    (0.0..1e17).contains(&v).then(|| v.round() as i64)
}

fn plausible_price(v: i64) -> bool {
    (MIN_PRICE..=MAX_PRICE).contains(&v)
}

fn read_amount(toks: &[Tok], i: usize) -> Option<Amount> {
    let t = toks.get(i)?;
    if t.kind != Kind::Num || t.engine {
        return None;
    }
    let lit = parse_literal(&t.w)?;
    let mut j = i + 1;
    let mut unit = None;
    let mut approx = false;
    if let Some(u) = toks.get(j).filter(|t| t.kind == Kind::Word).and_then(|t| money_unit(&t.w)) {
        unit = Some(u.0);
        approx = u.1;
        j += 1;
    }
    if toks.get(j).is_some_and(|t| t.is("an")) {
        approx = true;
        j += 1;
    } else if toks.get(j).is_some_and(|t| t.is("-")) && toks.get(j + 1).is_some_and(|t| t.is("an")) {
        approx = true;
        j += 2;
    }
    Some(Amount { end: j, lit, unit, approx })
}

/// "setengah M" / "½ M": half a miliar.
fn read_half(toks: &[Tok], i: usize) -> Option<Amount> {
    if !toks.get(i)?.is("setengah") {
        return None;
    }
    let (unit, _) = money_unit(&toks.get(i + 1)?.w)?;
    Some(Amount {
        end: i + 2,
        lit: Literal { value: 0.5, grouped: false, decimal: true, int_digits: 1 },
        unit: Some(unit),
        approx: false,
    })
}

/// Cues found just before a number.
#[derive(Default, Clone, Copy, Debug)]
struct Back {
    max: bool,
    min: bool,
    budget: bool,
    approx: bool,
    neutral: bool,
    year: bool,
    /// Time, instalment, price change or other non-filter context.
    ignore: bool,
    /// The nearest non-filler word is a strong price cue ("harga 2019" is a price).
    price_adjacent: bool,
    /// The nearest non-filler word is a year cue.
    year_adjacent: bool,
}

const FILLERS: &[&str] =
    &["nya", "yang", "di", "rp", "idr", ":", "=", "saya", "cuma", "hanya", "sih", "kira", "an", "ada", "sekitar"];

/// Cues before token `i`. Words that belong to a vehicle name (`vehicle[k]`) are never cues: "max" in "Gran Max".
fn back_cues(toks: &[Tok], vehicle: &[bool], i: usize) -> (Back, Vec<usize>) {
    let mut b = Back::default();
    let mut cue_idx = Vec::new();
    let mut k = i;
    let mut seen = 0;
    let mut first = true;
    while k > 0 && seen < 3 {
        k -= 1;
        let t = &toks[k];
        if t.kind == Kind::Num || t.is("?") || t.is("!") {
            break;
        }
        let w = if vehicle.get(k).copied().unwrap_or(false) { "" } else { t.w.as_str() };
        let mut price_cue = true;
        match w {
            "di_bawah" | "max" | "maks" | "maksimal" | "maximal" | "maksimum" | "mentok" | "sampai" | "maxs" => {
                b.max = true
            }
            "di_atas" | "minimal" | "minimum" | "mulai" | "from" => b.min = true,
            "budget" | "bujet" | "budjet" | "dana" | "duit" | "uang" | "modal" => b.budget = true,
            "sekitar" | "kisaran" | "kurleb" | "±" | "around" | "approx" | "range" | "~" => b.approx = true,
            "harga" | "price" | "rp" | "idr" | "seharga" | "senilai" | "antara" | "dari" | "between" => {
                b.neutral = true
            }
            "tahun" | "keluaran" | "rakitan" | "registrasi" | "regis" | "reg" | "'" | "year" | "taun" => {
                b.year = true;
                price_cue = false;
            }
            "jam" | "pukul" | "tanggal" | "tgl" | "menit" | "detik" | "cicilan" | "angsuran" | "cicil" | "nyicil"
            | "bayar" | "bunga" | "admin" | "biaya" | "asuransi" | "turun" | "naik" | "potong" | "potongan"
            | "diskon" | "discount" | "kurang" | "dp" | "tdp" | "tenor" | "booking" | "tanda_jadi" | "komisi"
            | "gaji" | "penghasilan" => {
                b.ignore = true;
                price_cue = false;
            }
            _ => price_cue = false,
        }
        if price_cue && w != "rp" && w != "idr" {
            cue_idx.push(k);
        }
        let filler = FILLERS.contains(&w);
        if first && !filler {
            b.price_adjacent =
                matches!(w, "harga" | "price" | "budget" | "bujet" | "budjet" | "dana" | "duit" | "uang");
            b.year_adjacent = b.year;
            first = false;
        }
        if matches!(w, "rp" | "idr") && first {
            b.price_adjacent = true;
        }
        if !filler {
            seen += 1;
        }
    }
    (b, cue_idx)
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum After {
    None,
    Min,
    Max,
    Km,
    Monthly,
}

fn after_cue(toks: &[Tok], used: &[bool], end: usize) -> (After, usize) {
    if used.get(end).copied().unwrap_or(true) {
        return (After::None, 0);
    }
    let w = toks.get(end).map(|t| t.w.as_str()).unwrap_or("");
    match w {
        "ke_atas" | "+" | "keatas" => (After::Min, 1),
        "ke_bawah" => (After::Max, 1),
        "km" | "kilometer" => (After::Km, 1),
        "per_bulan" => (After::Monthly, 1),
        _ => (After::None, 0),
    }
}

fn is_joiner(t: &Tok) -> bool {
    matches!(t.w.as_str(), "-" | "sampai" | "~" | "to" | "s/d")
}

/// Whether the message talks about credit (so "4 tahun" is a tenor and "30%" a DP).
fn credit_context(toks: &[Tok]) -> bool {
    toks.iter().any(|t| {
        matches!(
            t.w.as_str(),
            "dp" | "tdp"
                | "kredit"
                | "credit"
                | "cicilan"
                | "cicil"
                | "nyicil"
                | "angsuran"
                | "tenor"
                | "leasing"
                | "per_bulan"
                | "simulasi"
                | "installment"
                | "loan"
        )
    })
}

struct Pass<'a> {
    toks: &'a [Tok],
    /// Tokens that are part of a vehicle name.
    vehicle: Vec<bool>,
    used: Vec<bool>,
    out: Numbers,
    exact_years: Vec<i64>,
}

impl<'a> Pass<'a> {
    fn num_at(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| t.kind == Kind::Num && !t.engine) && !self.used[i]
    }

    fn w(&self, i: usize) -> &str {
        self.toks.get(i).map(|t| t.w.as_str()).unwrap_or("")
    }

    fn mark(&mut self, from: usize, to: usize) {
        for u in self.used.iter_mut().take(to.min(self.toks.len())).skip(from) {
            *u = true;
        }
    }

    /// First unused number at or after `from`, skipping only `fillers`, at most `max_steps` tokens away.
    fn find_num(&self, from: usize, fillers: &[&str], max_steps: usize) -> Option<usize> {
        let mut j = from;
        let mut steps = 0;
        while j < self.toks.len() && steps <= max_steps {
            if self.num_at(j) {
                return Some(j);
            }
            if self.used[j] || !fillers.contains(&self.w(j)) {
                return None;
            }
            j += 1;
            steps += 1;
        }
        None
    }

    fn integer_at(&self, i: usize) -> Option<i64> {
        let lit = parse_literal(self.w(i))?;
        (!lit.decimal && !lit.grouped && lit.int_digits <= 6).then_some(lit.value as i64)
    }

    fn stock_numbers(&mut self) {
        for i in 0..self.toks.len() {
            if self.used[i]
                || !matches!(self.w(i), "no" | "nomor" | "#" | "unit" | "id" | "kode" | "stok_no" | "stok" | "stock")
            {
                continue;
            }
            let j = i + 1;
            if !self.num_at(j) {
                continue;
            }
            let Some(n) = self.integer_at(j) else { continue };
            let next = self.w(j + 1);
            if !(1..=99_999).contains(&n)
                || money_unit(next).is_some()
                || matches!(next, "km" | "tahun" | "%" | "persen" | "bulan" | "x" | "unit")
            {
                continue;
            }
            let yang = i > 0 && self.w(i - 1) == "yang";
            if yang {
                self.out.ordinal.get_or_insert(n as usize);
            } else {
                self.out.stock_no.get_or_insert(n);
            }
            self.mark(i, j + 1);
        }
    }

    fn down_payment(&mut self) {
        const DP_FILLERS: &[&str] = &[
            "nya", "sebesar", "cuma", "hanya", "sekitar", "minimal", "maksimal", "max", "maks", "minim", "di", "kalau",
            "saya", "mau", "rp", "idr", "-", ":", "=", "ada", "siap", "punya", "di_bawah", "kisaran", "awal",
        ];
        for i in 0..self.toks.len() {
            if self.used[i] || !matches!(self.w(i), "dp" | "tdp") {
                continue;
            }
            let Some(j) = self.find_num(i + 1, DP_FILLERS, 4) else { continue };
            let Some(a) = read_amount(self.toks, j) else { continue };
            if matches!(self.w(a.end), "%" | "persen") {
                if a.lit.value > 0.0 && a.lit.value <= 100.0 {
                    self.out.dp_percent.get_or_insert(a.lit.value);
                }
                self.mark(i, a.end + 1);
                continue;
            }
            let v = if let Some(u) = a.unit {
                to_i64(a.lit.value * u)
            } else if a.lit.grouped || a.lit.value >= 100_000.0 {
                to_i64(a.lit.value)
            } else if a.lit.value >= 1.0 && a.lit.value <= 2000.0 {
                to_i64(a.lit.value * JUTA)
            } else {
                None
            };
            if let Some(v) = v.filter(|v| (100_000..=MAX_PRICE).contains(v)) {
                self.out.dp_amount.get_or_insert(v);
            }
            self.mark(i, a.end);
        }
    }

    fn mileage(&mut self) {
        const KM_FILLERS: &[&str] = &[
            "nya", "di_bawah", "max", "maks", "maksimal", "cuma", "hanya", "baru", "masih", "sekitar", "di", ":", "=",
            "kisaran", "kurang", "ke_bawah", "tempuh", "jarak",
        ];
        for i in 0..self.toks.len() {
            if self.used[i] || !matches!(self.w(i), "km" | "kilometer" | "odo" | "odometer") {
                continue;
            }
            let Some(j) = self.find_num(i + 1, KM_FILLERS, 4) else { continue };
            let Some(a) = read_amount(self.toks, j) else { continue };
            let mut end = a.end;
            if self.w(end) == "ke_bawah" {
                end += 1;
            }
            self.record_mileage(&a);
            self.mark(i, end);
        }
    }

    fn record_mileage(&mut self, a: &Amount) {
        let km = match a.unit {
            Some(u) => a.lit.value * u,
            None if a.lit.value >= 1000.0 => a.lit.value,
            None => a.lit.value * 1000.0,
        };
        if let Some(km) = to_i64(km).filter(|k| (1..=2_000_000).contains(k)) {
            self.out.mileage_km.get_or_insert(km);
        }
    }

    fn tenor(&mut self) {
        const TENOR_FILLERS: &[&str] = &["nya", "waktu", "-", ":", "maksimal", "max", "mau", "ambil", "selama", "="];
        for i in 0..self.toks.len() {
            if self.used[i] || !matches!(self.w(i), "tenor" | "jangka") {
                continue;
            }
            let Some(j) = self.find_num(i + 1, TENOR_FILLERS, 3) else { continue };
            let Some(n) = self.integer_at(j) else { continue };
            let unit = self.w(j + 1).to_string();
            let years = match unit.as_str() {
                "tahun" => Some(n),
                "bulan" | "x" | "kali" => months_to_years(n),
                _ if n <= 10 => Some(n),
                _ => months_to_years(n),
            };
            if let Some(y) = years.filter(|y| (1..=10).contains(y)) {
                self.out.tenor_years.get_or_insert(y);
            }
            let end = if matches!(unit.as_str(), "tahun" | "bulan" | "x" | "kali") { j + 2 } else { j + 1 };
            self.mark(i, end);
        }
    }

    /// Seats: "7 seater", "7 penumpang", "8 kursi", "muat 7 orang", "kapasitas 7". A count, never a price.
    fn seats(&mut self) {
        let toks = self.toks;
        let w = |k: usize| toks.get(k).map(|t| t.w.as_str()).unwrap_or("");
        for i in 0..toks.len() {
            if !self.num_at(i) {
                continue;
            }
            let Some(n) = self.integer_at(i) else { continue };
            let (prev, next) = (if i > 0 { w(i - 1) } else { "" }, w(i + 1));
            let seat_word = matches!(next, "seater" | "penumpang" | "seat" | "seats" | "kursi" | "seaters")
                || (next == "tempat" && w(i + 2) == "duduk");
            let capacity = matches!(prev, "muat" | "kapasitas" | "buat" | "untuk")
                && matches!(next, "orang" | "penumpang" | "seat" | "kursi" | "org" | "");
            if !(seat_word || (capacity && (!matches!(prev, "buat" | "untuk") || next == "orang")))
                || !(2..=60).contains(&n)
            {
                continue;
            }
            self.out.seats_min.get_or_insert(n);
            let end = if next.is_empty() { i + 1 } else { i + 2 };
            self.mark(i, end);
        }
    }

    /// Percentages, durations ("4 tahun", "36x"), times ("jam 10") and counts ("2 unit").
    fn small_quantities(&mut self) {
        let credit = credit_context(self.toks);
        for i in 0..self.toks.len() {
            if !self.num_at(i) {
                continue;
            }
            let prev = if i > 0 { self.w(i - 1) } else { "" };
            if matches!(prev, "jam" | "pukul" | "tanggal" | "tgl") {
                self.mark(i, i + 1);
                continue;
            }
            let next = self.w(i + 1).to_string();
            let Some(lit) = parse_literal(self.w(i)) else { continue };
            match next.as_str() {
                "%" | "persen" => {
                    let bunga = (i.saturating_sub(3)..i).any(|k| self.w(k) == "bunga");
                    if credit && !bunga && lit.value > 0.0 && lit.value <= 100.0 {
                        self.out.dp_percent.get_or_insert(lit.value);
                    }
                    self.mark(i, i + 2);
                }
                "tahun" if !lit.decimal && lit.value >= 1.0 && lit.value <= 10.0 => {
                    if credit {
                        self.out.tenor_years.get_or_insert(lit.value as i64);
                    }
                    self.mark(i, i + 2);
                }
                "bulan" | "x" | "kali" if !lit.decimal && lit.value >= 1.0 && lit.value <= 96.0 => {
                    let n = lit.value as i64;
                    if (credit || n >= 12)
                        && n >= 6
                        && let Some(y) = months_to_years(n)
                    {
                        self.out.tenor_years.get_or_insert(y);
                    }
                    self.mark(i, i + 2);
                }
                "unit" | "orang" | "penumpang" | "menit" | "jam" | "hari" | "minggu" | "seat" | "pintu" | "kursi" => {
                    self.mark(i, i + 2);
                }
                _ => {}
            }
        }
    }

    /// Amounts that are instalments or price changes, not price filters.
    fn non_filter_amounts(&mut self) {
        const CUES: &[&str] = &[
            "cicilan",
            "angsuran",
            "cicil",
            "nyicil",
            "bayar",
            "turun",
            "naik",
            "potong",
            "potongan",
            "diskon",
            "discount",
            "kurang",
            "bunga",
            "admin",
            "biaya",
            "asuransi",
            "booking",
            "tanda_jadi",
            "komisi",
            "gaji",
            "penghasilan",
            "installment",
        ];
        const FILLERS2: &[&str] = &[
            "nya",
            "sekitar",
            "cuma",
            "hanya",
            "di",
            "maks",
            "max",
            "di_bawah",
            "rp",
            "idr",
            "-",
            ":",
            "=",
            "sebesar",
            "saya",
            "mau",
            "sampai",
            "per_bulan",
            "kisaran",
            "fee",
        ];
        for i in 0..self.toks.len() {
            if self.used[i] || !CUES.contains(&self.w(i)) {
                continue;
            }
            let Some(j) = self.find_num(i + 1, FILLERS2, 3) else { continue };
            let Some(a) = read_amount(self.toks, j) else { continue };
            let mut end = a.end;
            if self.w(end) == "-"
                && self.num_at(end + 1)
                && let Some(b) = read_amount(self.toks, end + 1)
            {
                end = b.end;
            }
            if self.w(end) == "per_bulan" {
                end += 1;
            }
            self.mark(i, end);
        }
    }

    fn word_ordinals(&mut self) {
        for i in 0..self.toks.len() {
            if self.used[i] {
                continue;
            }
            let w = self.w(i);
            let n = match w {
                "pertama" | "first" => {
                    let prev = if i > 0 { self.w(i - 1) } else { "" };
                    if matches!(prev, "tangan" | "pemilik") || self.w(i + 1) == "kali" {
                        continue;
                    }
                    1
                }
                "kedua" | "second" => 2,
                "ketiga" | "third" => 3,
                "keempat" => 4,
                "kelima" => 5,
                "keenam" => 6,
                "ketujuh" => 7,
                "kedelapan" => 8,
                "kesembilan" => 9,
                "kesepuluh" => 10,
                "terakhir" | "last" | "paling_bawah" => ORDINAL_LAST,
                "ke" => {
                    let j = if self.w(i + 1) == "-" { i + 2 } else { i + 1 };
                    if !self.num_at(j) {
                        continue;
                    }
                    let Some(n) = self.integer_at(j) else { continue };
                    if !(1..=20).contains(&n) || money_unit(self.w(j + 1)).is_some() {
                        continue;
                    }
                    self.out.ordinal.get_or_insert(n as usize);
                    self.mark(i, j + 1);
                    continue;
                }
                _ => continue,
            };
            self.out.ordinal.get_or_insert(n);
            self.mark(i, i + 1);
        }
    }

    fn prices_and_years(&mut self) {
        let n = self.toks.len();
        let mut i = 0;
        while i < n {
            if self.used[i] {
                i += 1;
                continue;
            }
            let a = if self.num_at(i) { read_amount(self.toks, i) } else { read_half(self.toks, i) };
            let Some(a) = a else {
                i += 1;
                continue;
            };
            // A range "X - Y", "X sampai Y", "X s/d Y", or for years "X atau Y" / "X/Y".
            let mut b = None;
            if a.end < n && !self.used[a.end] && self.num_at(a.end + 1) {
                let joiner = &self.toks[a.end];
                let year_joiner = matches!(joiner.w.as_str(), "atau" | "/");
                if (is_joiner(joiner) || year_joiner)
                    && let Some(bb) = read_amount(self.toks, a.end + 1)
                {
                    let both_years = a.year(false).is_some() && bb.year(false).is_some();
                    if !year_joiner || both_years {
                        b = Some(bb);
                    }
                }
            }
            let end = b.map(|b| b.end).unwrap_or(a.end);
            let (back, cue_idx) = back_cues(self.toks, &self.vehicle, i);
            let (after, after_len) = after_cue(self.toks, &self.used, end);
            let consumed_end = end + after_len;
            self.mark(i, consumed_end);
            i = consumed_end;

            if back.ignore || after == After::Monthly {
                continue;
            }
            if after == After::Km {
                self.record_mileage(&a);
                continue;
            }
            // Years.
            let money_form = a.has_money_form() || b.is_some_and(|b| b.has_money_form());
            if !money_form {
                let two_digit = back.year;
                let ya = if back.price_adjacent && !back.year_adjacent { None } else { a.year(two_digit) };
                let yb = b.map(|b| b.year(two_digit));
                let bare_year_ok = |y: i64| back.year || (1990..=2030).contains(&y);
                if let Some(ya) = ya.filter(|y| bare_year_ok(*y)) {
                    match yb {
                        Some(Some(yb)) => {
                            self.out.year_min = Some(ya.min(yb));
                            self.out.year_max = Some(ya.max(yb));
                        }
                        Some(None) => {}
                        None if after == After::Min || back.min => self.out.year_min = Some(ya),
                        None if after == After::Max || back.max => self.out.year_max = Some(ya),
                        None => self.exact_years.push(ya),
                    }
                    self.out.cue_tokens.extend(cue_idx);
                    continue;
                }
            }
            // Money.
            // "250 kebawah", "150 keatas": a bare 50–999 before a direction is juta too.
            let directed =
                matches!(after, After::Max | After::Min) && a.is_bare_int() && (50.0..=999.0).contains(&a.lit.value);
            let price_context = back.max || back.min || back.budget || back.approx || back.neutral || directed;
            if let Some(b) = b {
                let (Some(va), Some(vb)) =
                    (a.rupiah(b.unit, price_context || b.unit.is_some()), b.rupiah(a.unit, price_context))
                else {
                    continue;
                };
                let (lo, hi) = (va.min(vb), va.max(vb));
                if plausible_price(lo) && plausible_price(hi) {
                    self.out.price_min = Some(lo);
                    self.out.price_max = Some(hi);
                    self.out.budget = Some(hi);
                    self.out.cue_tokens.extend(cue_idx);
                }
                continue;
            }
            let Some(v) = a.rupiah(None, price_context) else { continue };
            if !plausible_price(v) {
                continue;
            }
            let approx = a.approx || back.approx;
            if back.budget || back.max || after == After::Max {
                self.out.price_max = Some(if approx { v / 10 * 11 } else { v });
                self.out.budget = Some(v);
            } else if back.min || after == After::Min {
                self.out.price_min = Some(v);
            } else if approx {
                self.out.price_min = Some(v / 10 * 9);
                self.out.price_max = Some(v / 10 * 11);
                self.out.budget = Some(v);
            } else {
                self.out.price_max = Some(v);
                self.out.budget = Some(v);
            }
            self.out.cue_tokens.extend(cue_idx);
        }
        if !self.exact_years.is_empty() {
            let lo = *self.exact_years.iter().min().unwrap_or(&0);
            let hi = *self.exact_years.iter().max().unwrap_or(&0);
            self.out.year_min = Some(self.out.year_min.map_or(lo, |m| m.min(lo)));
            self.out.year_max = Some(self.out.year_max.map_or(hi, |m| m.max(hi)));
        }
    }
}

fn months_to_years(months: i64) -> Option<i64> {
    (6..=120).contains(&months).then_some((months + 6) / 12)
}

/// Reads every number in the tokens. `used` marks tokens already taken (vehicle names); it is updated.
pub(crate) fn extract(toks: &[Tok], used: &mut [bool]) -> Numbers {
    let mut p =
        Pass { toks, vehicle: used.to_vec(), used: used.to_vec(), out: Numbers::default(), exact_years: Vec::new() };
    p.stock_numbers();
    p.down_payment();
    p.mileage();
    p.tenor();
    p.seats();
    p.small_quantities();
    p.non_filter_amounts();
    p.word_ordinals();
    p.prices_and_years();
    used.copy_from_slice(&p.used);
    p.out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nlu::text::{prepare, tokenize};

    fn nums(text: &str) -> Numbers {
        let toks = tokenize(&prepare(text).text);
        let mut used = vec![false; toks.len()];
        extract(&toks, &mut used)
    }

    fn price(text: &str) -> (Option<i64>, Option<i64>) {
        let n = nums(text);
        (n.price_min, n.price_max)
    }

    fn year(text: &str) -> (Option<i64>, Option<i64>) {
        let n = nums(text);
        (n.year_min, n.year_max)
    }

    const JT: i64 = 1_000_000;

    #[test]
    fn literals() {
        let v = |s: &str| parse_literal(s).map(|l| l.value);
        assert_eq!(v("150"), Some(150.0));
        assert_eq!(v("150.000.000"), Some(150_000_000.0));
        assert_eq!(v("1.450.000.000"), Some(1_450_000_000.0));
        assert_eq!(v("275.000.000"), Some(275_000_000.0));
        assert_eq!(v("2,5"), Some(2.5));
        assert_eq!(v("1.8"), Some(1.8));
        assert_eq!(v("2.5"), Some(2.5));
        assert_eq!(v("150,000,000"), Some(150_000_000.0));
        assert_eq!(v("1.450.000,50"), Some(1_450_000.5));
        assert_eq!(v("1.2.3"), None);
        assert_eq!(v(""), None);
        assert_eq!(v("99999999999999999999999").map(|x| x > 1e22), Some(true));
    }

    #[test]
    fn money_units() {
        assert_eq!(price("175jt"), (None, Some(175 * JT)));
        assert_eq!(price("175 juta"), (None, Some(175 * JT)));
        assert_eq!(price("200 jeti"), (None, Some(200 * JT)));
        assert_eq!(price("250000rb"), (None, Some(250 * JT)));
        assert_eq!(price("150000k"), (None, Some(150 * JT)));
        // M is miliar, never million.
        assert_eq!(price("1 M"), (None, Some(1_000 * JT)));
        assert_eq!(price("1m"), (None, Some(1_000 * JT)));
        assert_eq!(price("1 miliar"), (None, Some(1_000 * JT)));
        assert_eq!(price("1,2 milyar"), (None, Some(1_200 * JT)));
        assert_eq!(price("dana 1 em"), (None, Some(1_000 * JT)));
        assert_eq!(price("setengah M"), (None, Some(500 * JT)));
        assert_eq!(price("½ M"), (None, Some(500 * JT)));
        assert_eq!(price("350 million"), (None, Some(350 * JT)));
    }

    #[test]
    fn number_formats() {
        assert_eq!(price("2,5 M"), (None, Some(2_500 * JT)));
        assert_eq!(price("1.8 M"), (None, Some(1_800 * JT)));
        assert_eq!(price("150.000.000"), (None, Some(150 * JT)));
        assert_eq!(price("Rp 275.000.000"), (None, Some(275 * JT)));
        assert_eq!(price("Rp. 1.450.000.000"), (None, Some(1_450 * JT)));
        assert_eq!(price("IDR 150000000"), (None, Some(150 * JT)));
        assert_eq!(price("2.5jt"), (None, None)); // below 10 jt: not a price filter
    }

    #[test]
    fn bare_numbers_after_cues() {
        assert_eq!(price("maks 325"), (None, Some(325 * JT)));
        assert_eq!(price("budget 250"), (None, Some(250 * JT)));
        assert_eq!(price("di bawah 200"), (None, Some(200 * JT)));
        assert_eq!(price("dibawah 200jt"), (None, Some(200 * JT)));
        assert_eq!(price("diatas 300"), (Some(300 * JT), None));
        assert_eq!(price("under 300"), (None, Some(300 * JT)));
        assert_eq!(price("ga sampe 130"), (None, Some(130 * JT)));
        assert_eq!(price("mentok 180"), (None, Some(180 * JT)));
        assert_eq!(price("budget 2000"), (None, Some(2_000 * JT)));
        // Without a cue a bare number is nothing.
        assert_eq!(price("kalau 185 deal?"), (None, None));
        assert_eq!(price("ada 3"), (None, None));
    }

    #[test]
    fn ranges() {
        assert_eq!(price("150-200 juta"), (Some(150 * JT), Some(200 * JT)));
        assert_eq!(price("120-135 jt"), (Some(120 * JT), Some(135 * JT)));
        assert_eq!(price("antara 150 sampai 200"), (Some(150 * JT), Some(200 * JT)));
        assert_eq!(price("150jt s/d 200jt"), (Some(150 * JT), Some(200 * JT)));
        assert_eq!(price("1-1,5 M"), (Some(1_000 * JT), Some(1_500 * JT)));
        assert_eq!(price("budget 100-130"), (Some(100 * JT), Some(130 * JT)));
    }

    #[test]
    fn approximate() {
        assert_eq!(price("sekitar 200jt"), (Some(180 * JT), Some(220 * JT)));
        assert_eq!(price("kisaran 300an"), (Some(270 * JT), Some(330 * JT)));
        assert_eq!(price("harga 200an"), (Some(180 * JT), Some(220 * JT)));
        assert_eq!(price("200jt-an"), (Some(180 * JT), Some(220 * JT)));
        assert_eq!(price("150jtan"), (Some(135 * JT), Some(165 * JT)));
        assert_eq!(price("budget 250an"), (None, Some(275 * JT)));
        assert_eq!(price("dana 250-an"), (None, Some(275 * JT)));
        assert_eq!(nums("budget 250an").budget, Some(250 * JT));
    }

    #[test]
    fn engine_size_is_not_money() {
        assert_eq!(price("avanza 1.5 G"), (None, None));
        assert_eq!(price("harga 1.3 E"), (None, None));
        assert_eq!(price("fortuner 2.8 VRZ"), (None, None));
        assert_eq!(price("1500 cc"), (None, None));
    }

    #[test]
    fn plausibility() {
        // Small amounts are DPs, instalments or mileage.
        assert_eq!(price("5jt"), (None, None));
        assert_eq!(price("km 85rb"), (None, None));
        assert_eq!(nums("km 85rb").mileage_km, Some(85_000));
        assert_eq!(nums("km 60rban").mileage_km, Some(60_000));
        assert_eq!(nums("50rb km").mileage_km, Some(50_000));
        assert_eq!(nums("km dibawah 50.000").mileage_km, Some(50_000));
        assert_eq!(price("99999999999999999999999 jt"), (None, None));
        assert_eq!(price("cicilan 12jt"), (None, None));
        assert_eq!(price("turun 15jt"), (None, None));
    }

    #[test]
    fn years() {
        assert_eq!(year("avanza 2019"), (Some(2019), Some(2019)));
        assert_eq!(year("2019 ke atas"), (Some(2019), None));
        assert_eq!(year("2019 keatas"), (Some(2019), None));
        assert_eq!(year("2019 up"), (Some(2019), None));
        assert_eq!(year("2019+"), (Some(2019), None));
        assert_eq!(year("min 2019"), (Some(2019), None));
        assert_eq!(year("minimal 2019"), (Some(2019), None));
        assert_eq!(year("thn 2019 keatas"), (Some(2019), None));
        assert_eq!(year("2016-2018"), (Some(2016), Some(2018)));
        assert_eq!(year("2016 sampai 2018"), (Some(2016), Some(2018)));
        assert_eq!(year("thn 18"), (Some(2018), Some(2018)));
        assert_eq!(year("th '18"), (Some(2018), Some(2018)));
        assert_eq!(year("'98"), (Some(1998), Some(1998)));
        assert_eq!(year("keluaran 2017"), (Some(2017), Some(2017)));
        assert_eq!(year("rakitan 2017"), (Some(2017), Some(2017)));
        assert_eq!(year("dibawah 2015"), (None, Some(2015)));
        assert_eq!(year("2019 atau 2020"), (Some(2019), Some(2020)));
        assert_eq!(year("2021an"), (Some(2021), Some(2021)));
        assert_eq!(year("th2019"), (Some(2019), Some(2019)));
        // Not years.
        assert_eq!(year("B 2019 KZT"), (None, None));
        assert_eq!(year("harga 2019"), (None, None));
        assert_eq!(year("4 tahun"), (None, None));
        assert_eq!(year("no 2019"), (None, None));
    }

    #[test]
    fn year_and_price_together() {
        let n = nums("ada xenia matic thn 18 ke atas maks 140?");
        assert_eq!((n.year_min, n.year_max, n.price_max), (Some(2018), None, Some(140 * JT)));
        let n = nums("2018 ke atas dibawah 200jt");
        assert_eq!((n.year_min, n.price_max), (Some(2018), Some(200 * JT)));
        let n = nums("harga diatas 300 jt 2019 keatas");
        assert_eq!((n.year_min, n.price_min), (Some(2019), Some(300 * JT)));
        let n = nums("vellfire 2019 dana 1,3 M");
        assert_eq!((n.year_min, n.year_max, n.price_max), (Some(2019), Some(2019), Some(1_300 * JT)));
    }

    #[test]
    fn stock_numbers_and_ordinals() {
        assert_eq!(nums("detail no 12").stock_no, Some(12));
        assert_eq!(nums("mobil nomor 7").stock_no, Some(7));
        assert_eq!(nums("#12").stock_no, Some(12));
        assert_eq!(nums("unit 12").stock_no, Some(12));
        assert_eq!(nums("no. 14").stock_no, Some(14));
        assert_eq!(nums("yang no 2").stock_no, None);
        assert_eq!(nums("yang no 2").ordinal, Some(2));
        assert_eq!(nums("yang kedua").ordinal, Some(2));
        assert_eq!(nums("ke-3 aja").ordinal, Some(3));
        assert_eq!(nums("yang terakhir").ordinal, Some(ORDINAL_LAST));
        assert_eq!(nums("tangan pertama").ordinal, None);
    }

    #[test]
    fn seats_and_spoken_amounts() {
        assert_eq!(nums("7 seater").seats_min, Some(7));
        assert_eq!(nums("muat 8 orang").seats_min, Some(8));
        assert_eq!(nums("tujuh penumpang").seats_min, Some(7));
        assert_eq!(price("7 seater 200an"), (Some(180 * JT), Some(220 * JT)));
        assert_eq!(price("budget tiga ratus"), (None, Some(300 * JT)));
        assert_eq!(price("maks dua ratus lima puluh"), (None, Some(250 * JT)));
        assert_eq!(price("seratusan"), (Some(90 * JT), Some(110 * JT)));
        assert_eq!(price("di bawah 2 ratus"), (None, Some(200 * JT)));
        assert_eq!(price("250 kebawah"), (None, Some(250 * JT)));
        assert_eq!(price("dana cuma 180"), (None, Some(180 * JT)));
        assert_eq!(price("brio 1.2"), (None, None));
        assert_eq!(price("fortuner 4x4"), (None, None));
        assert_eq!(nums("kirim foto stok 45").stock_no, Some(45));
    }

    #[test]
    fn credit_numbers() {
        let n = nums("dp 30% tenor 4 thn brp");
        assert_eq!((n.dp_percent, n.tenor_years, n.price_max), (Some(30.0), Some(4), None));
        let n = nums("cicilan brp kalo dp 50jt");
        assert_eq!((n.dp_amount, n.price_max), (Some(50 * JT), None));
        let n = nums("tdp 20 juta tenor 36 bulan");
        assert_eq!((n.dp_amount, n.tenor_years), (Some(20 * JT), Some(3)));
        let n = nums("cicilan 36x berapa");
        assert_eq!(n.tenor_years, Some(3));
        let n = nums("dp 25 persen");
        assert_eq!(n.dp_percent, Some(25.0));
        let n = nums("uang muka 30jt");
        assert_eq!(n.dp_amount, Some(30 * JT));
        let n = nums("kalau nyicil 5 tahun");
        assert_eq!(n.tenor_years, Some(5));
    }
}
