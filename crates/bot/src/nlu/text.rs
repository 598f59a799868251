//! Normalisation (domain.md §3.1): phone numbers and plates out, then tokens.
//!
//! Order matters:
//! 1. Truncate to [`MAX_CHARS`] characters (WhatsApp essays are left to the LLM; see `understand`).
//! 2. Remove Indonesian mobile numbers (kept for `Extras::phone`) and number plates, on the original text, because
//!    plates are recognised by their upper-case letters and must never be read as a year or a price.
//! 3. Tokenise: words, numbers (with their `.`/`,` separators) and a few meaningful symbols; emoji and other
//!    punctuation separate tokens. Glued tokens are split (`175jt`, `2021an`, `rp150jt`, `th2019`), vehicle codes
//!    are not (`xl7`, `l300`, `320i`); `foto2` (reduplication) becomes `foto`; letters repeated three or more times
//!    are squeezed (`otomatiiis` → `otomatis`); the suffix `-nya` is split off (`harganya` → `harga nya`).
//! 4. Mark engine sizes (`1.5 G`, `2.4 V`, `1500 cc`): a decimal below 10 followed by a trim letter is never money.
//! 5. Expand chat abbreviations (`yg` → `yang`, `brp` → `berapa`, `dibawah` → `di_bawah`, …) and drop honorifics
//!    (`kak`, `min`, `gan`, `om`, …). `min` followed by a number means "minimal"; a lower-case `g` after a word means
//!    "tidak" but after a number it is a trim.
//! 6. Read amounts written in words (`tiga ratus` → 300, `seratusan` → 100 + "an"; see `spoken`).
//! 7. Merge multi-word cues into one token (`di bawah`, `kurang dari`, `uang muka`, `s/d`, `a/t`, …).

use garasi_domain::PhoneNumber;

use super::lexicon;

/// Longest prefix of a message that is analysed.
pub(crate) const MAX_CHARS: usize = 1000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Word,
    Num,
    Sym,
}

#[derive(Clone, Debug)]
pub(crate) struct Tok {
    /// Normalised form: lower case word, the digits of a number, or the symbol.
    pub w: String,
    /// Spelling in the message (case kept), used for `AT`, `MT` and `M`.
    pub orig: String,
    pub kind: Kind,
    /// A number that is an engine size ("1.5" in "1.5 G").
    pub engine: bool,
}

impl Tok {
    fn new(w: impl Into<String>, orig: impl Into<String>, kind: Kind) -> Tok {
        Tok { w: w.into(), orig: orig.into(), kind, engine: false }
    }

    /// A number token made by a later pass (spoken numbers).
    pub(crate) fn number(w: impl Into<String>, orig: impl Into<String>) -> Tok {
        Tok::new(w, orig, Kind::Num)
    }

    pub(crate) fn word(w: impl Into<String>, orig: impl Into<String>) -> Tok {
        Tok::new(w, orig, Kind::Word)
    }

    pub(crate) fn is(&self, w: &str) -> bool {
        self.w == w
    }
}

pub(crate) struct Prepared {
    pub text: String,
    pub phone: Option<String>,
    pub truncated: bool,
}

/// Steps 1 and 2: truncate, take phone numbers and plates out of the original text.
pub(crate) fn prepare(raw: &str) -> Prepared {
    let truncated = raw.chars().nth(MAX_CHARS).is_some();
    let text: String = raw.chars().take(MAX_CHARS).collect();
    let (text, phone) = strip_phones(&text);
    let text = strip_plates(&text);
    Prepared { text, phone, truncated }
}

/// Removes Indonesian mobile numbers (`(+62|62|0)8` followed by 8–11 digits, with optional spaces, dashes or dots
/// between digit groups). Returns the text with each number replaced by a space, and the first number in E.164.
pub(crate) fn strip_phones(text: &str) -> (String, Option<String>) {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    let mut out = String::with_capacity(text.len());
    let mut phone = None;
    let mut i = 0;
    while i < n {
        let at_start = i == 0 || !chars[i - 1].is_alphanumeric();
        if at_start && let Some((end, number)) = scan_phone(&chars, i) {
            if phone.is_none() {
                phone = Some(number);
            }
            out.push(' ');
            i = end;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    (out, phone)
}

fn scan_phone(chars: &[char], start: usize) -> Option<(usize, String)> {
    let n = chars.len();
    let at = |k: usize| chars.get(k).copied().unwrap_or('\0');
    let mut j = start;
    let mut raw = String::new();
    // How many digits the prefix takes and the digit budget for the whole number.
    let (min_digits, max_digits) = if at(j) == '+' && at(j + 1) == '6' && at(j + 2) == '2' {
        raw.push('+');
        j += 1;
        (11, 14)
    } else if at(j) == '6' && at(j + 1) == '2' && at(j + 2) == '8' {
        (11, 14)
    } else if at(j) == '0' && at(j + 1) == '8' {
        (10, 13)
    } else {
        return None;
    };
    let mut digits = 0usize;
    let mut end = j;
    let mut k = j;
    loop {
        let group_start = k;
        while k < n && chars[k].is_ascii_digit() {
            k += 1;
        }
        let len = k - group_start;
        if len == 0 || digits + len > max_digits {
            break;
        }
        digits += len;
        raw.extend(&chars[group_start..k]);
        end = k;
        if k + 1 < n && matches!(chars[k], ' ' | '-' | '.') && chars[k + 1].is_ascii_digit() {
            k += 1;
            continue;
        }
        break;
    }
    if digits < min_digits || (end < n && chars[end].is_alphanumeric()) {
        return None;
    }
    // For "+62 8…" the separator may come right after the country code; the digit check above already
    // required the digits, so let the domain parser decide.
    let parsed = PhoneNumber::parse(&raw).ok()?;
    if !parsed.is_indonesian_mobile() {
        return None;
    }
    Some((end, parsed.into_inner()))
}

/// Indonesian plate region codes (TNKB).
const REGIONS: &[&str] = &[
    "A", "B", "D", "E", "F", "G", "H", "K", "L", "M", "N", "P", "R", "S", "T", "W", "Z", "AA", "AB", "AD", "AE", "AG",
    "BA", "BB", "BD", "BE", "BG", "BH", "BK", "BL", "BM", "BN", "BP", "DA", "DB", "DC", "DD", "DE", "DG", "DH", "DK",
    "DL", "DM", "DN", "DR", "DS", "DT", "EA", "EB", "ED", "KB", "KH", "KT", "KU", "PA", "PB",
];

/// Upper-case words after a number that are units or gearboxes, not plate suffixes ("E 2019 AT", "B 150 JT").
const NOT_PLATE_SUFFIX: &[&str] = &["AT", "MT", "CVT", "JT", "RB", "KM", "CC", "M", "K", "HP", "WA", "DP", "TDP", "AN"];

/// Removes number plates: case-sensitive `[A-Z]{1,2} ?\d{1,4} ?[A-Z]{1,3}` at word boundaries, where the prefix is a
/// region code, the suffix is not a unit or gearbox, and the letters+digits are not a model code (`L300`).
pub(crate) fn strip_plates(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < n {
        let at_start = i == 0 || !chars[i - 1].is_alphanumeric();
        if at_start && let Some(end) = scan_plate(&chars, i) {
            out.push(' ');
            i = end;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

fn scan_plate(chars: &[char], start: usize) -> Option<usize> {
    let n = chars.len();
    let run = |from: usize, pred: fn(&char) -> bool| {
        let mut k = from;
        while k < n && pred(&chars[k]) {
            k += 1;
        }
        k
    };
    let p_end = run(start, char::is_ascii_uppercase);
    let prefix: String = chars[start..p_end].iter().collect();
    if !(1..=2).contains(&prefix.len()) || !REGIONS.contains(&prefix.as_str()) {
        return None;
    }
    let mut k = p_end;
    if k < n && chars[k] == ' ' {
        k += 1;
    }
    let d_end = run(k, char::is_ascii_digit);
    let digits: String = chars[k..d_end].iter().collect();
    if !(1..=4).contains(&digits.len()) {
        return None;
    }
    let mut k = d_end;
    if k < n && chars[k] == ' ' {
        k += 1;
    }
    let s_end = run(k, char::is_ascii_uppercase);
    let suffix: String = chars[k..s_end].iter().collect();
    if !(1..=3).contains(&suffix.len()) || NOT_PLATE_SUFFIX.contains(&suffix.as_str()) {
        return None;
    }
    if s_end < n && chars[s_end].is_alphanumeric() {
        return None;
    }
    let code = format!("{}{}", prefix.to_lowercase(), digits);
    if lexicon::is_code_token(&code) {
        return None;
    }
    Some(s_end)
}

/// Steps 3–6: tokens of a prepared text.
pub(crate) fn tokenize(text: &str) -> Vec<Tok> {
    let mut toks = raw_tokens(text);
    mark_engines(&mut toks);
    let toks = expand(toks);
    let toks = super::spoken::numbers(toks);
    merge_phrases(toks)
}

fn raw_tokens(text: &str) -> Vec<Tok> {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < n {
        let c = chars[i];
        if c.is_alphanumeric() && c != '½' {
            let mut run = String::new();
            let mut j = i;
            while j < n {
                let cj = chars[j];
                let prev_digit = j > i && chars[j - 1].is_ascii_digit();
                let next = chars.get(j + 1).copied().unwrap_or(' ');
                let in_word = cj.is_alphanumeric() && cj != '½';
                let in_number = matches!(cj, '.' | ',') && prev_digit && next.is_ascii_digit();
                if in_word || in_number {
                    run.push(cj);
                } else if matches!(cj, '\'' | '’') && j > i && chars[j - 1].is_alphabetic() && next.is_alphabetic() {
                    // "assalamu'alaikum": the apostrophe is dropped.
                } else {
                    break;
                }
                j += 1;
            }
            split_run(&run, &mut toks);
            i = j;
            continue;
        }
        match c {
            '½' => toks.push(Tok::new("setengah", "½", Kind::Word)),
            '\'' | '’' if chars.get(i + 1).is_some_and(char::is_ascii_digit) => {
                toks.push(Tok::new("'", "'", Kind::Sym))
            }
            '-' | '–' | '—' => toks.push(Tok::new("-", c.to_string(), Kind::Sym)),
            '/' | '<' | '>' | '+' | '%' | '#' | '~' | '±' | '?' | '!' => {
                toks.push(Tok::new(c.to_string(), c.to_string(), Kind::Sym))
            }
            _ => {}
        }
        i += 1;
    }
    toks
}

/// Words that may be glued in front of a number ("rp150jt", "th2019", "no12", "dp30%").
const GLUED_PREFIXES: &[&str] = &[
    "rp", "idr", "dp", "tdp", "th", "thn", "tahun", "taun", "no", "nmr", "nomor", "nomer", "km", "id", "unit", "tenor",
    "ke", "max", "maks", "min", "budget", "harga", "hrg", "dana", "dibawah", "diatas", "under", "cicilan", "angsuran",
    "kode", "x", "jam",
];

/// Units and suffixes that may be glued after a number ("175jt", "2021an", "36x", "1500cc").
const GLUED_SUFFIXES: &[&str] = &[
    "jt", "juta", "jeti", "jete", "jta", "jtan", "jutaan", "rb", "ribu", "rebu", "rbu", "rban", "ribuan", "k", "m",
    "em", "an", "km", "kmnya", "cc", "x", "kali", "th", "thn", "tahun", "taun", "bln", "bulan", "l", "lt", "liter",
    "persen", "unit", "up", "seater", "nya", "keatas", "kebawah", "mio", "million", "jtnya", "jutanya", "rbnya",
    "ribunya", "s", "an", "jtn", "mil", "milyar", "miliar", "jam", "bulanan", "tahunan", "x4", "wd",
];

fn is_digitish(c: char) -> bool {
    c.is_ascii_digit() || c == '.' || c == ','
}

fn split_run(run: &str, out: &mut Vec<Tok>) {
    let lower = squeeze(&run.to_lowercase());
    if lower.is_empty() {
        return;
    }
    if lexicon::is_code_token(&lower) {
        out.push(Tok::new(lower, run, Kind::Word));
        return;
    }
    // Segment boundaries between digits and letters.
    let chars: Vec<char> = lower.chars().collect();
    let first_digit = is_digitish(chars[0]);
    let seg_end = chars.iter().position(|&c| is_digitish(c) != first_digit).unwrap_or(chars.len());
    if seg_end == chars.len() {
        let kind = if first_digit { Kind::Num } else { Kind::Word };
        push_word(lower, run, kind, out);
        return;
    }
    let head: String = chars[..seg_end].iter().collect();
    let tail: String = chars[seg_end..].iter().collect();
    let orig_chars: Vec<char> = run.chars().collect();
    let (orig_head, orig_tail) = if orig_chars.len() == chars.len() {
        (orig_chars[..seg_end].iter().collect::<String>(), orig_chars[seg_end..].iter().collect::<String>())
    } else {
        (head.clone(), tail.clone())
    };
    if first_digit {
        // "175jt", "2021an", "60rban": split when the letters are a known suffix.
        let tail_letters: String = tail.chars().take_while(|c| !is_digitish(*c)).collect();
        if GLUED_SUFFIXES.contains(&tail_letters.as_str()) || GLUED_SUFFIXES.contains(&tail.as_str()) {
            out.push(Tok::new(head, orig_head, Kind::Num));
            split_run(&orig_tail, out);
        } else {
            out.push(Tok::new(lower, run, Kind::Word));
        }
    } else if tail == "2" && head.chars().count() >= 3 {
        // Reduplication: "foto2" = "foto-foto".
        push_word(head, &orig_head, Kind::Word, out);
    } else if GLUED_PREFIXES.contains(&head.as_str()) {
        push_word(head, &orig_head, Kind::Word, out);
        split_run(&orig_tail, out);
    } else {
        out.push(Tok::new(lower, run, Kind::Word));
    }
}

/// Words that end in "nya" but are not "<stem> + nya".
const NYA_WORDS: &[&str] = &["punya", "tanya", "nanya", "bertanya", "hanya", "menanya", "sanya", "kenya", "lainnya"];

fn push_word(w: String, orig: &str, kind: Kind, out: &mut Vec<Tok>) {
    if kind == Kind::Word
        && let Some(stem) = w.strip_suffix("nya")
        && stem.chars().count() >= 2
        && !NYA_WORDS.contains(&w.as_str())
    {
        let stem_orig: String = orig.chars().take(stem.chars().count()).collect();
        out.push(Tok::new(stem, stem_orig, kind));
        out.push(Tok::new("nya", "nya", kind));
        return;
    }
    out.push(Tok::new(w, orig, kind));
}

/// Collapses a letter repeated three or more times to one ("halooo" → "halo", "otomatiiis" → "otomatis").
/// Doubles are kept: "innova", "jazz", "carry".
pub(crate) fn squeeze(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let mut j = i;
        while j < chars.len() && chars[j] == c {
            j += 1;
        }
        let count = j - i;
        if c.is_alphabetic() && count >= 3 {
            out.push(c);
        } else {
            out.extend(std::iter::repeat_n(c, count));
        }
        i = j;
    }
    out
}

/// Trim words and units after a decimal that make it an engine size ("1.5 G", "2.4 VRZ", "1.0 turbo").
const TRIMS: &[&str] = &[
    "g", "e", "v", "q", "s", "x", "l", "lt", "liter", "vrz", "gr", "rs", "trd", "cc", "turbo", "at", "mt", "cvt",
    "matic", "manual", "ultimate", "exceed", "dakar", "sportivo", "prime", "satya", "gx", "gl", "glx", "sport",
    "luxury", "limited", "hybrid", "dsl", "diesel", "bensin", "vnt", "gs", "sx", "zx", "z", "ex", "dohc", "vvti",
    "vvt", "i", "vtec", "mivec", "e-cvt",
];

fn mark_engines(toks: &mut [Tok]) {
    for i in 0..toks.len() {
        if toks[i].kind != Kind::Num {
            continue;
        }
        let next = toks.get(i + 1).map(|t| t.w.as_str()).unwrap_or("");
        let w = &toks[i].w;
        let decimal = w.matches(['.', ',']).count() == 1
            && w.replace(',', ".").parse::<f64>().is_ok_and(|v| v > 0.0 && v < 10.0)
            && !w.ends_with(['.', ',']);
        let cc = next == "cc" && w.parse::<u32>().is_ok_and(|v| (600..=7000).contains(&v));
        if (decimal && TRIMS.contains(&next)) || cc {
            toks[i].engine = true;
        }
    }
}

/// Honorifics and fillers dropped everywhere (domain.md §3.1).
const HONORIFICS: &[&str] = &[
    "kak", "ka", "kk", "kakak", "min", "mimin", "gan", "agan", "om", "bang", "pak", "bu", "sis", "bos", "boss", "mas",
    "mbak", "mba", "bro", "sob", "juragan", "ce", "ko", "cici", "koh", "bund", "bunda", "sist", "bosku", "kaka",
];

/// Chat abbreviations and spelling variants. A replacement may be several words.
fn expansion(w: &str) -> Option<&'static [&'static str]> {
    Some(match w {
        "yg" | "yng" | "yang" => &["yang"],
        "dgn" | "dg" | "dngn" => &["dengan"],
        "brp" | "brapa" | "berapa" | "brpa" | "brapa2" | "berapaan" | "brpan" => &["berapa"],
        "ga" | "gak" | "nggak" | "ngga" | "enggak" | "engga" | "gk" | "tdk" | "nda" | "ndak" | "gax" | "kagak"
        | "tak" => &["tidak"],
        "udh" | "sdh" | "udah" | "dah" | "uda" | "sudah" | "sdah" => &["sudah"],
        "blm" | "blom" | "belom" => &["belum"],
        "dmn" | "dimana" | "dmana" | "dimn" => &["di", "mana"],
        "tlg" | "tolong" => &["tolong"],
        "bs" | "bsa" | "bisa" => &["bisa"],
        "sy" | "aq" | "aku" | "gw" | "gue" | "gua" | "sya" | "ak" => &["saya"],
        "kl" | "klo" | "kalo" | "kalau" | "kalu" => &["kalau"],
        "utk" | "buat" | "untk" | "untuk" => &["untuk"],
        "thn" | "th" | "taun" | "thun" | "tahun" | "tahunnya" => &["tahun"],
        "ato" | "atw" | "atau" | "or" => &["atau"],
        "tp" | "tpi" => &["tapi"],
        "jd" | "jdi" => &["jadi"],
        "sm" | "ama" | "sama" => &["sama"],
        "dr" | "dri" => &["dari"],
        "aja" | "aj" | "ajah" | "ajaa" => &["saja"],
        "mbl" | "mobl" | "mobil" | "oto" => &["mobil"],
        "hrg" | "harga" | "hrga" => &["harga"],
        "dibawah" | "dbawah" | "dibwh" | "dbwh" | "dbawa" | "dibawa" | "under" | "below" | "<" => &["di_bawah"],
        "kebawah" | "kbawah" | "kbwh" => &["ke_bawah"],
        "diatas" | "datas" | "diats" | "above" | "over" | ">" => &["di_atas"],
        "keatas" | "katas" | "keats" => &["ke_atas"],
        "skrg" | "skrang" | "sekarang" => &["sekarang"],
        "msh" | "masi" | "masih" => &["masih"],
        "pgn" | "pengen" | "pingin" | "pengin" => &["ingin"],
        "nyari" | "cari" | "nyariin" | "carikan" | "cariin" => &["cari"],
        "liat" | "lht" | "lihat" | "ngeliat" | "melihat" => &["lihat"],
        "tks" | "thx" | "thanks" | "makasih" | "makasi" | "mksh" | "trims" | "trimakasih" | "terimakasih" | "tq"
        | "ty" => &["terima", "kasih"],
        "dpt" | "dapet" | "dapat" => &["dapat"],
        "sampe" | "smp" | "sampai" | "nyampe" | "sampai2" | "hingga" | "sd" => &["sampai"],
        "jg" | "juga" => &["juga"],
        "org" | "orang" => &["orang"],
        "tlp" | "telp" | "tlpn" | "telfon" | "telpon" | "nelpon" | "telepon" | "tilpon" | "call" | "phone"
        | "ditelpon" => &["telepon"],
        "whatsapp" | "wasap" | "wa" | "whatsap" => &["wa"],
        "ok" | "oke" | "okey" | "okay" | "okee" | "okeh" | "oce" => &["ok"],
        "donk" | "dunk" | "dong" => &["dong"],
        "y" | "yah" | "ya" | "yaa" => &["ya"],
        "bln" | "bulan" => &["bulan"],
        "nmr" | "nomer" | "nomor" | "number" => &["nomor"],
        "gmn" | "gmna" | "gimana" | "bagaimana" => &["bagaimana"],
        "mau" | "mo" | "mw" => &["mau"],
        "dateng" | "datang" | "dtg" => &["datang"],
        "photo" | "photos" | "poto" | "foto" | "fto" | "pics" | "pict" | "pic" | "picture" | "pictures" => &["foto"],
        "vidio" | "video" | "vid" | "videos" => &["video"],
        "tukeran" => &["tukar"],
        "dp" | "depe" => &["dp"],
        "perbulan" | "sebulan" | "bulanan" | "perbulannya" | "monthly" => &["per_bulan"],
        "nego" | "negosiasi" | "nega" => &["nego"],
        "sy'" => &["saya"],
        "kmn" | "kemana" => &["ke", "mana"],
        "gan2" => &[],
        _ => return None,
    })
}

fn expand(toks: Vec<Tok>) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::with_capacity(toks.len());
    for i in 0..toks.len() {
        let t = &toks[i];
        if t.kind != Kind::Word {
            let mut t = t.clone();
            if t.kind == Kind::Sym
                && let Some(rep) = expansion(&t.w)
            {
                t.w = rep[0].to_string();
                t.kind = Kind::Word;
            }
            out.push(t);
            continue;
        }
        let next_is_num = toks.get(i + 1).is_some_and(|n| n.kind == Kind::Num)
            || (toks.get(i + 1).is_some_and(|n| matches!(n.w.as_str(), "thn" | "th" | "tahun"))
                && toks.get(i + 2).is_some_and(|n| n.kind == Kind::Num));
        let prev_is_num = i > 0 && toks[i - 1].kind == Kind::Num;
        match t.w.as_str() {
            // "2019 up" is "2019 ke atas"; "pick up" is not.
            "up" if prev_is_num => {
                out.push(Tok::new("ke_atas", &t.orig, Kind::Word));
                continue;
            }
            "min" | "minim" | "mininal" if next_is_num => {
                out.push(Tok::new("minimal", &t.orig, Kind::Word));
                continue;
            }
            // A lower-case "g" after a word is "gak"; after a number it is a trim ("1.5 G").
            "g" if t.orig == "g" && !prev_is_num && i > 0 => {
                out.push(Tok::new("tidak", &t.orig, Kind::Word));
                continue;
            }
            w if HONORIFICS.contains(&w) => continue,
            _ => {}
        }
        match expansion(&t.w) {
            Some(rep) => {
                for r in rep {
                    out.push(Tok::new(*r, &t.orig, Kind::Word));
                }
            }
            None => out.push(t.clone()),
        }
    }
    out
}

/// Multi-word cues merged into one token, longest first.
const PHRASES: &[(&[&str], &str)] = &[
    (&["tidak", "lebih", "dari"], "di_bawah"),
    (&["+", "/", "-"], "sekitar"),
    (&["s", "/", "d"], "sampai"),
    (&["a", "/", "t"], "matic"),
    (&["m", "/", "t"], "manual"),
    (&["di", "bawah"], "di_bawah"),
    (&["ke", "bawah"], "ke_bawah"),
    (&["di", "atas"], "di_atas"),
    (&["ke", "atas"], "ke_atas"),
    (&["kurang", "dari"], "di_bawah"),
    (&["lebih", "dari"], "di_atas"),
    (&["kurang", "lebih"], "sekitar"),
    (&["tidak", "sampai"], "di_bawah"),
    (&["less", "than"], "di_bawah"),
    (&["more", "than"], "di_atas"),
    (&["up", "to"], "max"),
    (&["uang", "muka"], "dp"),
    (&["down", "payment"], "dp"),
    (&["per", "bulan"], "per_bulan"),
    (&["per", "month"], "per_bulan"),
    (&["/", "bulan"], "per_bulan"),
    (&["+", "-"], "sekitar"),
    (&["s", "d"], "sampai"),
    (&["kira", "kira"], "sekitar"),
    (&["kira", "-", "kira"], "sekitar"),
    (&["paling", "mahal"], "max"),
    (&["ke_atas", "atas"], "ke_atas"),
    (&["price", "list"], "pricelist"),
    (&["daftar", "harga"], "pricelist"),
];

fn merge_phrases(toks: Vec<Tok>) -> Vec<Tok> {
    let mut out = Vec::with_capacity(toks.len());
    let mut i = 0;
    'outer: while i < toks.len() {
        for (seq, rep) in PHRASES {
            if i + seq.len() <= toks.len() && seq.iter().enumerate().all(|(k, w)| toks[i + k].w == *w) {
                let orig: Vec<&str> = toks[i..i + seq.len()].iter().map(|t| t.orig.as_str()).collect();
                out.push(Tok::new(*rep, orig.join(" "), Kind::Word));
                i += seq.len();
                continue 'outer;
            }
        }
        out.push(toks[i].clone());
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        tokenize(&prepare(text).text).into_iter().map(|t| t.w).collect()
    }

    #[test]
    fn plates_are_stripped() {
        assert_eq!(
            strip_plates("innova B 2019 KZT masih ada").split_whitespace().collect::<Vec<_>>(),
            ["innova", "masih", "ada"]
        );
        assert!(!strip_plates("avanza B 1234 XYZ 2017").contains("1234"));
        assert!(!strip_plates("D 4821 ABC").contains("4821"));
        assert!(!strip_plates("B1234XYZ").contains("1234"));
        assert!(!strip_plates("plat AB 1234 CD").contains("1234"));
    }

    #[test]
    fn non_plates_are_kept() {
        // Gearbox, units, model codes and lower case are not plates.
        assert_eq!(strip_plates("fortuner E 2019 AT"), "fortuner E 2019 AT");
        assert_eq!(strip_plates("L300 PU 2018"), "L300 PU 2018");
        assert_eq!(strip_plates("XL7 2020"), "XL7 2020");
        assert_eq!(strip_plates("b 1234 xyz"), "b 1234 xyz");
        assert_eq!(strip_plates("RP 150 JT"), "RP 150 JT");
        assert_eq!(strip_plates("B 150 JT"), "B 150 JT");
        assert_eq!(strip_plates("BR-V 2019"), "BR-V 2019");
    }

    #[test]
    fn phones_are_extracted() {
        let (t, p) = strip_phones("tolong hubungi saya di 0812-3456-7890 ya");
        assert_eq!(p.as_deref(), Some("+6281234567890"));
        assert!(!t.contains("7890"));
        let (_, p) = strip_phones("wa +62 812 3456 7890");
        assert_eq!(p.as_deref(), Some("+6281234567890"));
        let (_, p) = strip_phones("no 6281298765432");
        assert_eq!(p.as_deref(), Some("+6281298765432"));
        // A year after the number is not swallowed.
        let (t, p) = strip_phones("0812 3456 7890 2019");
        assert_eq!(p.as_deref(), Some("+6281234567890"));
        assert!(t.contains("2019"));
        // Prices and short numbers are not phones.
        assert_eq!(strip_phones("150.000.000").1, None);
        assert_eq!(strip_phones("0812").1, None);
    }

    #[test]
    fn glued_tokens_are_split() {
        assert_eq!(words("175jt"), ["175", "jt"]);
        assert_eq!(words("2021an"), ["2021", "an"]);
        assert_eq!(words("rp150jt"), ["rp", "150", "jt"]);
        assert_eq!(words("th2019"), ["tahun", "2019"]);
        assert_eq!(words("dp30%"), ["dp", "30", "%"]);
        assert_eq!(words("60rban"), ["60", "rban"]);
        assert_eq!(words("1.450.000.000"), ["1.450.000.000"]);
        assert_eq!(words("2,5M"), ["2,5", "m"]);
    }

    #[test]
    fn codes_are_not_split() {
        assert_eq!(words("xl7"), ["xl7"]);
        assert_eq!(words("L300"), ["l300"]);
        assert_eq!(words("bmw 320i"), ["bmw", "320i"]);
        assert_eq!(words("4x4"), ["4x4"]);
    }

    #[test]
    fn normalisation() {
        assert_eq!(words("halooo kak, yg matiiic brp?"), ["halo", "yang", "matic", "berapa", "?"]);
        assert_eq!(words("dibawah 200jt"), ["di_bawah", "200", "jt"]);
        assert_eq!(words("2018 keatas"), ["2018", "ke_atas"]);
        assert_eq!(words("2018 ke atas"), ["2018", "ke_atas"]);
        assert_eq!(words("harganya"), ["harga", "nya"]);
        assert_eq!(words("foto2 dong"), ["foto", "dong"]);
        assert_eq!(words("min 2019"), ["minimal", "2019"]);
        assert_eq!(words("halo min"), ["halo"]);
        assert_eq!(words("ga sampe 130"), ["di_bawah", "130"]);
        assert_eq!(words("uang muka"), ["dp"]);
        assert_eq!(words("avanza A/T"), ["avanza", "matic"]);
        assert_eq!(words("assalamu'alaikum"), ["assalamualaikum"]);
        assert_eq!(words("🚗🚗 avanza!!"), ["avanza", "!", "!"]);
    }

    #[test]
    fn engine_sizes_are_marked() {
        let toks = tokenize("avanza 1.5 G 2019");
        assert!(toks[1].engine);
        assert_eq!(toks[2].w, "g");
        assert!(!toks[3].engine);
        let toks = tokenize("1500 cc");
        assert!(toks[0].engine);
        let toks = tokenize("1,5 M");
        assert!(!toks[0].engine);
    }
}
