//! Extras that are not filters: colour, the customer's name, how they intend to pay.

use super::text::{Kind, Tok};

/// Colour words → canonical Indonesian colour. Colour is not a filter key; it is kept for "yang putih".
#[cfg(test)]
pub(crate) fn color(toks: &[Tok]) -> Option<String> {
    toks.iter().find_map(|t| colour_of(&t.w).map(str::to_string))
}

/// The canonical Indonesian colour a word names.
pub(crate) fn colour_of(w: &str) -> Option<&'static str> {
    {
        let c = match w {
            "putih" | "white" => "putih",
            "hitam" | "black" | "item" => "hitam",
            "silver" => "silver",
            "abu" | "grey" | "gray" | "abu-abu" => "abu-abu",
            "merah" | "red" => "merah",
            "biru" | "blue" => "biru",
            "hijau" | "green" => "hijau",
            "kuning" | "yellow" => "kuning",
            "orange" | "oranye" | "jingga" => "oranye",
            "coklat" | "cokelat" | "brown" => "cokelat",
            "maroon" | "marun" => "marun",
            "emas" | "gold" => "emas",
            "ungu" | "purple" => "ungu",
            "krem" | "cream" | "beige" => "krem",
            _ => return None,
        };
        Some(c)
    }
}

/// "cash" when the customer says they pay in full, "credit" when they mention credit; `None` when both or neither
/// ("cash atau kredit?" reveals nothing).
pub(crate) fn payment_method(toks: &[Tok]) -> Option<String> {
    let has = |ws: &[&str]| toks.iter().any(|t| ws.contains(&t.w.as_str()));
    let cash = has(&["cash", "tunai", "cashkeras", "kes", "lunas"])
        && !toks.windows(2).any(|w| w[0].w == "belum" && w[1].w == "lunas");
    let credit = has(&[
        "kredit",
        "credit",
        "nyicil",
        "cicil",
        "cicilan",
        "angsuran",
        "leasing",
        "dp",
        "tdp",
        "tenor",
        "installment",
        "kpm",
    ]);
    match (cash, credit) {
        (true, false) => Some("cash".into()),
        (false, true) => Some("credit".into()),
        _ => None,
    }
}

/// Words that end a name.
const NAME_STOP: &[&str] = &[
    "saya", "mau", "ya", "kak", "min", "dari", "di", "dan", "no", "nomor", "hp", "wa", "tolong", "bisa", "ingin",
    "yang", "yg", "pak", "bu", "mas", "mbak", "tinggal", "asal", "alamat", "ok", "apa", "siapa", "nih", "ini", "itu",
    "dong", "gan", "om", "sis", "tadi", "aja", "saja", "kalau", "klo", "mo", "mw", "pengen", "lagi", "lg", "sudah",
    "udah", "untuk", "buat", "nanti", "hubungi", "telpon", "telepon", "call", "and", "from", "here", "please",
];

/// The customer's name after "nama saya", "namaku", "namanya", "nama:", "atas nama", "my name is".
/// Up to three words, capitalised; stops at punctuation, digits and common words.
pub(crate) fn name(original: &str) -> Option<String> {
    let words: Vec<&str> = original.split_whitespace().collect();
    let lower: Vec<String> =
        words.iter().map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase()).collect();
    let mut start = None;
    for i in 0..lower.len() {
        let next = lower.get(i + 1).map(String::as_str).unwrap_or("");
        let w = lower[i].as_str();
        let after = match w {
            "namaku" | "namanya" => Some(i + 1),
            "nama" if matches!(next, "saya" | "sy" | "aku" | "gw" | "gue") => Some(i + 2),
            "nama" if words[i].ends_with(':') => Some(i + 1),
            "nama" if i > 0 && lower[i - 1] == "atas" => Some(i + 1),
            "name" if i >= 1 && lower[i - 1] == "my" && next == "is" => Some(i + 2),
            _ => None,
        };
        if let Some(a) = after {
            // "nama saya adalah Budi"
            let a = if lower.get(a).is_some_and(|w| w == "adalah") { a + 1 } else { a };
            start = Some(a);
            break;
        }
    }
    let start = start?;
    let mut parts = Vec::new();
    for raw in words.iter().skip(start).take(3) {
        let clean = raw.trim_matches(|c: char| !c.is_alphabetic());
        let low = clean.to_lowercase();
        if clean.is_empty()
            || NAME_STOP.contains(&low.as_str())
            || !clean.chars().all(|c| c.is_alphabetic() || c == '\'' || c == '.')
            || clean.chars().count() > 30
        {
            break;
        }
        let mut cs = clean.chars();
        let cap: String = cs.next().map(|f| f.to_uppercase().chain(cs.flat_map(char::to_lowercase)).collect())?;
        parts.push(cap);
        // Punctuation after a word ends the name ("Budi, tolong …").
        if raw.ends_with([',', '.', '!', '?', ';', ':']) {
            break;
        }
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// Whether the message is only acknowledgements, laughter or emoji ("ok", "makasih", "wkwk", "👍").
pub(crate) fn is_ack(toks: &[Tok]) -> bool {
    toks.iter().filter(|t| t.kind == Kind::Word).all(|t| {
        let w = t.w.as_str();
        matches!(
            w,
            "ok" | "sip"
                | "siap"
                | "iya"
                | "ya"
                | "baik"
                | "noted"
                | "terima"
                | "kasih"
                | "thank"
                | "you"
                | "mantap"
                | "mantab"
                | "oh"
                | "hmm"
                | "hm"
                | "nah"
                | "deh"
                | "dong"
                | "nih"
                | "ok."
                | "sippp"
                | "yoi"
                | "yup"
                | "yes"
                | "no"
                | "tidak"
                | "oalah"
                | "gitu"
                | "begitu"
                | "kabari"
                | "nanti"
                | "saya"
                | "dulu"
                | "pikir"
                | "pikirpikir"
                | "lagi"
                | "sudah"
                | "cukup"
                | "paham"
                | "mengerti"
                | "good"
                | "great"
                | "nice"
        ) || w.starts_with("wk")
            || w.starts_with("haha")
            || w.starts_with("hehe")
            || w.starts_with("hihi")
            || w.starts_with("xixi")
            || w.starts_with("awok")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nlu::text::{prepare, tokenize};

    fn toks(s: &str) -> Vec<Tok> {
        tokenize(&prepare(s).text)
    }

    #[test]
    fn names() {
        assert_eq!(name("namanya Budi, tolong hubungi ke 0857"), Some("Budi".into()));
        assert_eq!(name("nama saya budi santoso mau tanya"), Some("Budi Santoso".into()));
        assert_eq!(name("atas nama Siti Aminah"), Some("Siti Aminah".into()));
        assert_eq!(name("Nama: Andi"), Some("Andi".into()));
        assert_eq!(name("my name is John"), Some("John".into()));
        assert_eq!(name("namanya apa mobil ini"), None);
        assert_eq!(name("halo kak"), None);
    }

    #[test]
    fn colours() {
        assert_eq!(color(&toks("yang putih ada fotonya?")), Some("putih".into()));
        assert_eq!(color(&toks("rush abu2")), Some("abu-abu".into()));
        assert_eq!(color(&toks("avanza")), None);
    }

    #[test]
    fn payment() {
        assert_eq!(payment_method(&toks("harga cash berapa")), Some("cash".into()));
        assert_eq!(payment_method(&toks("mau nyicil")), Some("credit".into()));
        assert_eq!(payment_method(&toks("dp 30% tenor 4 thn")), Some("credit".into()));
        assert_eq!(payment_method(&toks("cash atau kredit?")), None);
        assert_eq!(payment_method(&toks("avanza 2019")), None);
    }

    #[test]
    fn acks() {
        assert!(is_ack(&toks("ok")));
        assert!(is_ack(&toks("wkwkwk")));
        assert!(is_ack(&toks("makasih ya kak")));
        assert!(is_ack(&toks("👍👍")));
        assert!(!is_ack(&toks("ok avanza")));
    }
}
