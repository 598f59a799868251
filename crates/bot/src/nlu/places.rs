//! Location questions in the forms people really write: with suffixes and regional spellings ("alamatnya",
//! "alamatna", "alamate", "lokasine ning endi"), directions ("keluar tol mana", "patokannya apa", "deket mana"),
//! and branch questions ("ada cabang di Bekasi?", "showroomnya cuma satu?").

use super::text::Tok;

/// Stems of address words; a token starting with one (and at most four letters more) counts.
const STEMS: &[&str] = &["alamat", "lokasi", "posisi", "letak", "tempat"];
/// Regional "where": Javanese "endi"/"ngendi", Sundanese "mana wae" is caught by "mana".
const WHERE: &[&str] = &["endi", "ngendi", "dimana", "mana", "kemana", "manakah", "dmn"];

pub(crate) fn asks(toks: &[Tok]) -> bool {
    let words: Vec<&str> = toks.iter().map(|t| t.w.as_str()).collect();
    let has = |ws: &[&str]| words.iter().any(|w| ws.contains(w));
    let stem = words.iter().enumerate().any(|(i, w)| {
        STEMS.iter().any(|s| {
            w.starts_with(s)
                && w.len() <= s.len() + 4
                // "ke lokasi" is going there (a visit).
                && !(i > 0 && words[i - 1] == "ke")
                // "tempat" needs a "where" or it is "tempat duduk".
                && (*s != "tempat" || words[i + 1..].iter().take(3).any(|x| WHERE.contains(x)))
        })
    });
    let posisi_or_stem_where = stem
        && (has(WHERE)
            || has(&["share", "kirim", "kirimin", "bagi", "minta", "titik"])
            || words.iter().enumerate().any(|(i, w)| {
                (w.starts_with("alamat") || w.starts_with("lokasi")) && !(i > 0 && words[i - 1] == "ke")
            }));
    let toll =
        words.windows(2).any(|p| matches!(p[0], "keluar" | "exit" | "gerbang" | "gt" | "pintu") && p[1] == "tol")
            || words.windows(3).any(|p| p[0] == "keluar" && p[2] == "tol");
    let branch = has(&["cabang", "cabangnya", "branch", "outlet"]);
    let landmark = has(&["patokan", "ancer", "ancerancer", "ancer2", "dekat", "deket"]) && has(WHERE);
    let javanese =
        words.windows(2).any(|p| matches!(p[0], "ning" | "neng" | "nang" | "di") && matches!(p[1], "endi" | "ngendi"));
    posisi_or_stem_where || toll || branch || landmark || javanese
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nlu::text::{prepare, tokenize};

    fn loc(text: &str) -> bool {
        asks(&tokenize(&prepare(text).text))
    }

    #[test]
    fn where_is_the_showroom() {
        for yes in [
            "lokasine ning endi mas",
            "alamatna dimana a",
            "alamate neng endi",
            "keluar tol mana ya",
            "ada cabang di bekasi?",
            "posisi showroom dimana",
            "patokannya deket mana",
            "tempatnya di mana",
        ] {
            assert!(loc(yes), "{yes}");
        }
        for no in ["avanza 7 tempat duduk", "mana yang lebih irit", "ada avanza?"] {
            assert!(!loc(no), "{no}");
        }
    }
}
