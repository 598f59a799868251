//! Confidence calibration: when the rules should hand a message to the LLM (if one is configured and allowed).
//!
//! The rules are good at requests ("avanza matic 150an", "foto no 4", "alamatnya di mana") and poor at questions that
//! need judgement or knowledge. Those get a confidence below [`CONFIDENT`](super::CONFIDENT), so the engine asks the
//! LLM and keeps the offline answer as the fallback:
//! - open questions: compare ("bandingkan", "vs", "bagusan mana", "apa bedanya"), why ("kenapa", "mengapa"), which
//!   suits ("mana yang lebih cocok untuk", "rekomendasi", "saran", "enaknya apa"), how good ("awet ga", "worth it");
//! - long messages (more than [`LONG_WORDS`] words): several requests and a story, which rules read partly.
//!
//! An open question's offline fallback is a search when it names cars (the cars to compare) and `unknown`
//! otherwise; it never becomes a photo or detail request because a word like "kabin" or "mesin" appears in it.

use super::text::{Kind, Tok};

/// Above this many words a message goes to the LLM.
pub(crate) const LONG_WORDS: usize = 25;
/// Confidence of an open question or a long message: below `CONFIDENT`.
pub(crate) const OPEN_CONFIDENCE: f32 = 0.45;
pub(crate) const LONG_CONFIDENCE: f32 = 0.5;

const OPEN_WORDS: &[&str] = &[
    "bandingkan",
    "banding",
    "bandingin",
    "dibandingkan",
    "perbandingan",
    "komparasi",
    "compare",
    "vs",
    "versus",
    "kenapa",
    "mengapa",
    "knp",
    "why",
    "rekomendasi",
    "rekomendasikan",
    "rekomen",
    "recommend",
    "saran",
    "sarannya",
    "sarankan",
    "bedanya",
    "perbedaan",
    "kelebihan",
    "keunggulan",
    "worth",
    "awet",
    "cocok",
    "cocoknya",
    "enaknya",
    "bagusan",
    "mendingan",
    "mending",
    "menurut",
    "pendapat",
];

const OPEN_PHRASES: &[&[&str]] = &[
    &["lebih", "bagus"],
    &["lebih", "baik"],
    &["lebih", "enak"],
    &["lebih", "nyaman"],
    &["lebih", "awet"],
    &["bagus", "mana"],
    &["apa", "beda"],
    &["plus", "minus"],
    &["untung", "rugi"],
    &["gimana", "kalau"],
    &["bagaimana", "kalau"],
    &["bagaimana", "dengan"],
    &["tips"],
];

/// Whether the message is an open question.
pub(crate) fn open_question(toks: &[Tok]) -> bool {
    toks.iter().any(|t| OPEN_WORDS.contains(&t.w.as_str()))
        || OPEN_PHRASES.iter().any(|p| toks.windows(p.len()).any(|w| w.iter().zip(*p).all(|(t, x)| t.w == *x)))
}

pub(crate) fn words(toks: &[Tok]) -> usize {
    toks.iter().filter(|t| t.kind == Kind::Word).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nlu::text::{prepare, tokenize};

    fn open(text: &str) -> bool {
        open_question(&tokenize(&prepare(text).text))
    }

    #[test]
    fn open_questions() {
        for yes in [
            "tolong bandingkan kenyamanan kabin dua mobil keluarga",
            "kenapa diesel lebih awet?",
            "mana yang lebih cocok untuk keluarga kecil, brio atau agya?",
            "xpander vs ertiga bagusan mana",
            "apa bedanya avanza sama veloz",
        ] {
            assert!(open(yes), "{yes}");
        }
        for no in ["avanza matic 150an", "foto no 4", "alamatnya dimana", "yang lebih murah ada?"] {
            assert!(!open(no), "{no}");
        }
    }
}
