//! Amounts written in words: "tiga ratus" → 300, "dua ratus lima puluh" → 250, "seratusan" → 100 + "an",
//! "2 ratus" → 200, "3 ratusan" → 300 + "an", "tujuh penumpang" → 7 penumpang.
//!
//! Runs on the tokens after abbreviations are expanded. A run of number words (and a leading digit before
//! `ratus`/`puluh`/`belas`) becomes one number token, so every later rule (price cues, "-an" = around, seats) reads
//! it like a written number. `ribu`, `juta` and `miliar` stay units: "dua ratus juta" → "200 juta".
//! `setengah` is left alone ("setengah M" is read by `numbers`), and so are the ordinals (`kedua`).

use super::text::{Kind, Tok};

fn unit(w: &str) -> Option<i64> {
    Some(match w {
        "satu" => 1,
        "dua" => 2,
        "tiga" => 3,
        "empat" | "empet" => 4,
        "lima" => 5,
        "enam" => 6,
        "tujuh" => 7,
        "delapan" | "lapan" => 8,
        "sembilan" => 9,
        _ => return None,
    })
}

/// Words that stand for a whole number by themselves, and whether they end in "-an" (around).
fn whole(w: &str) -> Option<(i64, bool)> {
    Some(match w {
        "sepuluh" => (10, false),
        "sebelas" => (11, false),
        "seratus" => (100, false),
        "seratusan" => (100, true),
        "sepuluhan" => (10, true),
        _ => return None,
    })
}

/// `ratus`, `puluh`, `belas` (and their "-an" forms): multiplier, whether it adds ten (belas), around.
fn scale(w: &str) -> Option<(i64, bool, bool)> {
    Some(match w {
        "ratus" => (100, false, false),
        "ratusan" => (100, false, true),
        "puluh" => (10, false, false),
        "puluhan" => (10, false, true),
        "belas" => (1, true, false),
        "belasan" => (1, true, true),
        _ => return None,
    })
}

fn small_int(t: &Tok) -> Option<i64> {
    if t.kind != Kind::Num || t.engine || !t.w.chars().all(|c| c.is_ascii_digit()) || t.w.len() > 3 {
        return None;
    }
    t.w.parse().ok()
}

/// Replaces runs of number words by number tokens.
pub(crate) fn numbers(toks: Vec<Tok>) -> Vec<Tok> {
    if !toks
        .iter()
        .any(|t| t.kind == Kind::Word && (unit(&t.w).is_some() || whole(&t.w).is_some() || scale(&t.w).is_some()))
    {
        return toks;
    }
    let mut out = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        match read(&toks, i) {
            Some((value, around, end)) => {
                let orig: Vec<&str> = toks[i..end].iter().map(|t| t.orig.as_str()).collect();
                out.push(Tok::number(value.to_string(), orig.join(" ")));
                if around {
                    out.push(Tok::word("an", "an"));
                }
                i = end;
            }
            None => {
                out.push(toks[i].clone());
                i += 1;
            }
        }
    }
    out
}

/// Reads one spoken number at `i`: its value, whether it ends in "-an", and the index after it.
fn read(toks: &[Tok], i: usize) -> Option<(i64, bool, usize)> {
    let mut total = 0i64;
    let mut pending: Option<i64> = None;
    let mut around = false;
    let mut j = i;
    let mut words = 0;
    while let Some(t) = toks.get(j) {
        if around {
            break;
        }
        if t.kind == Kind::Word
            && let Some((v, a)) = whole(&t.w)
        {
            if pending.is_some() {
                break;
            }
            total += v;
            around = a;
        } else if t.kind == Kind::Word
            && let Some((m, teen, a)) = scale(&t.w)
        {
            let Some(p) = pending.take() else { break };
            total += if teen { 10 + p } else { p * m };
            around = a;
        } else if t.kind == Kind::Word
            && let Some(v) = unit(&t.w)
        {
            if pending.is_some() {
                break;
            }
            pending = Some(v);
        } else if words == 0
            && let Some(v) = small_int(t)
            && toks.get(j + 1).is_some_and(|n| n.kind == Kind::Word && scale(&n.w).is_some())
        {
            // "2 ratus", "3 ratusan".
            pending = Some(v);
        } else {
            break;
        }
        words += 1;
        j += 1;
    }
    if words == 0 {
        return None;
    }
    // A lone digit written as a word ("dua") is a number too; a lone digit token stays as it was.
    if words == 1 && toks[i].kind == Kind::Num {
        return None;
    }
    total += pending.unwrap_or(0);
    (total > 0).then_some((total, around, j))
}

#[cfg(test)]
mod tests {
    use crate::nlu::text::{prepare, tokenize};

    fn words(text: &str) -> Vec<String> {
        tokenize(&prepare(text).text).into_iter().map(|t| t.w).collect()
    }

    #[test]
    fn spoken_numbers() {
        assert_eq!(words("budget tiga ratus"), ["budget", "300"]);
        assert_eq!(words("maks dua ratus lima puluh"), ["maks", "250"]);
        assert_eq!(words("seratusan"), ["100", "an"]);
        assert_eq!(words("di bawah 2 ratus"), ["di_bawah", "200"]);
        assert_eq!(words("sekitar 3 ratusan"), ["sekitar", "300", "an"]);
        assert_eq!(words("dua ratus juta"), ["200", "juta"]);
        assert_eq!(words("tujuh penumpang"), ["7", "penumpang"]);
        assert_eq!(words("seratus tujuh puluh lima"), ["175"]);
        assert_eq!(words("lima belas"), ["15"]);
        assert_eq!(words("yang kedua"), ["yang", "kedua"]);
        assert_eq!(words("ratus"), ["ratus"]);
    }
}
