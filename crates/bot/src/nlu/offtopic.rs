//! Messages a car showroom does not answer: spam, motorbikes, and unrelated requests. They are `unknown` with a
//! confident rule (so no LLM tokens are spent on them) and a polite answer; they are never a car search.

use serde::{Deserialize, Serialize};

use super::features::Vehicle;
use super::text::Tok;

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OffTopic {
    /// Prizes, loans, investments, links: not a customer.
    Spam,
    /// A motorbike: the showroom sells cars.
    Motorbike,
    /// Something else entirely (houses, phones, jobs, recipes…).
    Unrelated,
}

/// Motorbike models and words. A car model named in the same message wins ("tukar motor dengan avanza").
const MOTORBIKES: &[&str] = &[
    "motor", "motornya", "nmax", "xmax", "pcx", "aerox", "vario", "beat", "scoopy", "mio", "ninja", "cbr", "r15",
    "r25", "klx", "crf", "vixion", "supra", "satria", "vespa", "lexi", "fazzio", "filano", "adv", "jupiter", "revo",
    "gsx", "fino", "sepeda", "mx", "nouvo", "genio", "stylo", "fz", "harley", "zx25r", "wr155", "fino125", "motormu",
];

/// Phrases of prize, loan and investment spam.
const SPAM: &[&[&str]] = &[
    &["menang", "undian"],
    &["anda", "menang"],
    &["selamat", "anda"],
    &["klik", "link"],
    &["klik", "tautan"],
    &["pinjaman", "online"],
    &["pinjol"],
    &["dana", "cepat"],
    &["investasi"],
    &["slot"],
    &["judi"],
    &["togel"],
    &["gacor"],
    &["hadiah", "langsung"],
    &["transfer", "biaya"],
    &["kode", "otp"],
    &["pulsa", "gratis"],
    &["bitcoin"],
    &["crypto"],
    &["trading"],
    &["saldo", "dana"],
    &["cair", "tanpa"],
    &["follow", "ig"],
    &["open", "reseller"],
    &["lowongan"],
    &["loker"],
];

/// Things people ask a showroom's number that are not about cars.
const UNRELATED: &[&[&str]] = &[
    &["rumah"],
    &["kontrakan"],
    &["kost"],
    &["kos"],
    &["tanah", "dijual"],
    &["jual", "tanah"],
    &["hp", "bekas"],
    &["iphone"],
    &["laptop"],
    &["resep"],
    &["cuaca"],
    &["pacar"],
    &["tiket", "pesawat"],
    &["ojek"],
    &["ojol"],
    &["sewa", "mobil"],
    &["rental"],
    &["rentcar"],
    &["servis", "ac", "rumah"],
    &["pinjam", "uang"],
];

fn has_phrase(toks: &[Tok], phrase: &[&str]) -> bool {
    toks.windows(phrase.len()).any(|w| w.iter().zip(phrase).all(|(t, p)| t.w == *p))
}

pub(crate) fn detect(toks: &[Tok], v: &Vehicle) -> Option<OffTopic> {
    if SPAM.iter().any(|p| has_phrase(toks, p)) && v.models.is_empty() {
        return Some(OffTopic::Spam);
    }
    if v.models.is_empty() && toks.iter().any(|t| MOTORBIKES.contains(&t.w.as_str())) {
        // "tukar tambah motor" is a trade-in question for a person, not off topic.
        let trade_in = has_phrase(toks, &["tukar", "tambah"]) || toks.iter().any(|t| t.w == "tt");
        if !trade_in {
            return Some(OffTopic::Motorbike);
        }
    }
    let car_words = !v.models.is_empty()
        || !v.brands.is_empty()
        || toks.iter().any(|t| matches!(t.w.as_str(), "mobil" | "unit" | "showroom" | "kredit" | "dp"));
    if !car_words && UNRELATED.iter().any(|p| has_phrase(toks, p)) {
        return Some(OffTopic::Unrelated);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nlu::text::{prepare, tokenize};

    fn off(text: &str) -> Option<OffTopic> {
        let toks = tokenize(&prepare(text).text);
        let mut used = vec![false; toks.len()];
        let v = crate::nlu::features::extract(&toks, &mut used);
        detect(&toks, &v)
    }

    #[test]
    fn not_for_us() {
        assert_eq!(off("nmax ada?"), Some(OffTopic::Motorbike));
        assert_eq!(off("honda beat 2020 berapa"), Some(OffTopic::Motorbike));
        assert_eq!(off("SELAMAT! Anda menang undian 100jt klik link ini"), Some(OffTopic::Spam));
        assert_eq!(off("jual rumah ga?"), Some(OffTopic::Unrelated));
        assert_eq!(off("avanza ada?"), None);
        assert_eq!(off("bisa tukar tambah motor?"), None);
        assert_eq!(off("rumah saya di bekasi, avanza ada?"), None);
    }
}
