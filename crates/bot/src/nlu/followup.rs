//! Messages that lean on what the bot showed last.
//!
//! - **Relative refinements** ([`Relative`]): "yang lebih murah", "ada yang lebih baru?", "km-nya lebih rendah",
//!   "yang lebih irit". The engine turns them into filters relative to the cars last shown.
//! - **Superlatives** ([`Superlative`]): "yang km-nya paling kecil", "yang termurah", "yang paling baru" pick one of
//!   the cars last shown (or, with nothing shown, the catalogue's extreme).
//! - **Previous**: "balik ke yang sebelumnya" is the list (or car) before the last one.
//! - **Back references**: "yang 2019 itu", "yang avanza tadi": a named attribute plus "itu/tadi/barusan".
//! - **Follow-up or new search** (the sticky-context rule): a message narrows the last search (filters it does not
//!   name are kept) when it is relative, only excludes, refers back ("tadi", "itu", "juga", "aja", "kalau yang…"),
//!   or starts with "yang" and names one kind of attribute. A search verb ("cari", "butuh", "ada customer cari"),
//!   a brand or model, or several new kinds of attribute start a new search: an earlier brand is not kept.

use serde::{Deserialize, Serialize};

use super::features::Vehicle;
use super::numbers::Numbers;
use super::text::{Kind, Tok};

/// A direction relative to the cars last shown.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Relative {
    Cheaper,
    Pricier,
    Newer,
    Older,
    LowerKm,
    /// Smaller engine, or hybrid/electric.
    Thriftier,
}

/// An extreme among the cars last shown.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Superlative {
    Cheapest,
    Priciest,
    Newest,
    Oldest,
    LowestKm,
    Thriftiest,
}

#[derive(Default, Debug, Clone, PartialEq)]
pub(crate) struct FollowUp {
    pub relative: Option<Relative>,
    pub superlative: Option<Superlative>,
    pub previous: bool,
    /// "yang … itu/tadi": a reference to a car shown, by attribute.
    pub refers_back: bool,
    pub follow_up: bool,
}

fn w(toks: &[Tok], i: usize) -> &str {
    toks.get(i).map(|t| t.w.as_str()).unwrap_or("")
}

fn is_more(x: &str) -> bool {
    matches!(x, "lebih" | "lbh" | "lebi" | "more")
}

fn is_most(x: &str) -> bool {
    matches!(x, "paling" | "plg" | "palig" | "most")
}

fn is_km(x: &str) -> bool {
    matches!(x, "km" | "kilometer" | "odo" | "odometer" | "kmnya" | "pemakaian")
}

const LOW: &[&str] = &["rendah", "kecil", "sedikit", "dikit", "pendek", "minim", "low", "kecil2"];

fn kind_of(x: &str) -> Option<Kind2> {
    Some(match x {
        "murah" | "terjangkau" | "miring" | "ekonomis" | "cheaper" | "cheap" => Kind2::Cheap,
        "mahal" | "mewah" | "premium" => Kind2::Pricey,
        "baru" | "muda" | "gres" | "newer" | "new" => Kind2::New,
        "tua" | "lama" | "older" | "old" => Kind2::Old,
        "irit" | "hemat" | "efisien" => Kind2::Thrift,
        _ => return None,
    })
}

#[derive(Clone, Copy, PartialEq)]
enum Kind2 {
    Cheap,
    Pricey,
    New,
    Old,
    Thrift,
}

fn superlative_word(x: &str) -> Option<Kind2> {
    Some(match x {
        "termurah" | "cheapest" => Kind2::Cheap,
        "termahal" => Kind2::Pricey,
        "terbaru" | "termuda" | "newest" => Kind2::New,
        "tertua" | "terlama" | "oldest" => Kind2::Old,
        "teririt" | "terhemat" => Kind2::Thrift,
        _ => return None,
    })
}

/// Words that make a message a narrowing of the last search.
const NARROWING: &[&str] = &["aja", "saja", "doang", "juga", "tadi", "td", "itu", "tetap", "tetep", "barusan", "masih"];
const SEARCH_VERBS: &[&str] = &["cari", "butuh", "looking", "carikan", "nyari", "perlu", "pengin", "pengen"];

pub(crate) fn detect(toks: &[Tok], v: &Vehicle, n: &Numbers) -> FollowUp {
    let mut f = FollowUp::default();
    let len = toks.len();
    for i in 0..len {
        let x = w(toks, i);
        // "lebih murah", "lbh baru", "km lebih rendah", "lebih rendah km-nya".
        if is_more(x) {
            let next = w(toks, i + 1);
            let next = if next == "nya" { w(toks, i + 2) } else { next };
            if let Some(k) = kind_of(next) {
                // "harga lebih hemat" is cheaper; "bbm lebih irit" thriftier.
                let price_word = (i.saturating_sub(2)..i).any(|k| w(toks, k) == "harga");
                f.relative.get_or_insert(match k {
                    Kind2::Cheap => Relative::Cheaper,
                    Kind2::Thrift if price_word => Relative::Cheaper,
                    Kind2::Pricey => Relative::Pricier,
                    Kind2::New => Relative::Newer,
                    Kind2::Old => Relative::Older,
                    Kind2::Thrift => Relative::Thriftier,
                });
            } else if LOW.contains(&next) {
                let near_km = (i.saturating_sub(3)..(i + 4).min(len)).any(|k| is_km(w(toks, k)));
                if near_km {
                    f.relative.get_or_insert(Relative::LowerKm);
                }
            }
        }
        if x == "di_bawah" && matches!(w(toks, i + 1), "nya" | "itu" | "ini") && n.price_max.is_none() {
            f.relative.get_or_insert(Relative::Cheaper);
        }
        // "paling murah", "termurah", "km paling kecil", "km terendah".
        let sup = if is_most(x) {
            let next = w(toks, i + 1);
            match kind_of(next) {
                Some(k) => Some(k),
                None if LOW.contains(&next) && (i.saturating_sub(3)..(i + 4).min(len)).any(|k| is_km(w(toks, k))) => {
                    f.superlative.get_or_insert(Superlative::LowestKm);
                    None
                }
                None => None,
            }
        } else if matches!(x, "terendah" | "terkecil" | "tersedikit" | "terdikit")
            && (i.saturating_sub(3)..i).any(|k| is_km(w(toks, k)))
        {
            f.superlative.get_or_insert(Superlative::LowestKm);
            None
        } else if x == "max"
            && toks[i].orig.to_lowercase().starts_with("paling")
            && toks.get(i + 1).is_none_or(|t| t.kind != Kind::Num)
        {
            // "paling mahal" was merged into a price cue; without an amount it is the priciest.
            Some(Kind2::Pricey)
        } else {
            superlative_word(x)
        };
        if let Some(k) = sup {
            f.superlative.get_or_insert(match k {
                Kind2::Cheap => Superlative::Cheapest,
                Kind2::Pricey => Superlative::Priciest,
                Kind2::New => Superlative::Newest,
                Kind2::Old => Superlative::Oldest,
                Kind2::Thrift => Superlative::Thriftiest,
            });
        }
        if x == "sebelumnya" || (x == "sebelum" && matches!(w(toks, i + 1), "ini" | "itu" | "nya")) {
            let back = toks.iter().any(|t| {
                matches!(t.w.as_str(), "balik" | "kembali" | "yang" | "list" | "pilihan" | "daftar" | "opsi" | "lagi")
            });
            if back {
                f.previous = true;
            }
        }
        // "yang 2019 itu", "yang matic tadi": within three tokens after "yang".
        if x == "yang" {
            f.refers_back |= (i + 2..(i + 5).min(len)).any(|k| matches!(w(toks, k), "itu" | "tadi" | "td" | "barusan"));
        }
    }

    let excluding = !v.excluded.is_empty() || !v.excluded_colors.is_empty();
    let positive_vehicle = !v.models.is_empty() || !v.brands.is_empty();
    let search_verb = toks.iter().any(|t| SEARCH_VERBS.contains(&t.w.as_str()))
        || toks.windows(2).any(|p| p[0].w == "mau" && p[1].w == "beli");
    let kinds = [
        v.transmission.is_some(),
        v.fuel.is_some(),
        v.body.is_some(),
        n.price_min.is_some() || n.price_max.is_some(),
        n.year_min.is_some() || n.year_max.is_some(),
        n.mileage_km.is_some(),
        n.seats_min.is_some(),
        !v.colors.is_empty(),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    let narrowing = toks.iter().any(|t| NARROWING.contains(&t.w.as_str()))
        || toks.windows(2).any(|p| matches!(p[0].w.as_str(), "kalau" | "gimana" | "bagaimana") && p[1].w == "yang");
    let starts_with_yang = toks.iter().find(|t| t.kind == Kind::Word).is_some_and(|t| t.w == "yang");
    f.follow_up = f.relative.is_some()
        || (excluding && !positive_vehicle && !search_verb)
        || (!positive_vehicle && !search_verb && kinds >= 1 && (narrowing || (starts_with_yang && kinds == 1)));
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nlu::text::{prepare, tokenize};

    fn fu(text: &str) -> FollowUp {
        let toks = tokenize(&prepare(text).text);
        let mut used = vec![false; toks.len()];
        let v = crate::nlu::features::extract(&toks, &mut used);
        let n = crate::nlu::numbers::extract(&toks, &mut used);
        detect(&toks, &v, &n)
    }

    #[test]
    fn relatives() {
        assert_eq!(fu("yang lebih murah ada?").relative, Some(Relative::Cheaper));
        assert_eq!(fu("ada yg lbh baru ga").relative, Some(Relative::Newer));
        assert_eq!(fu("yang km-nya lebih rendah").relative, Some(Relative::LowerKm));
        assert_eq!(fu("ada yang lebih irit bensinnya?").relative, Some(Relative::Thriftier));
        assert_eq!(fu("yang harganya lebih hemat").relative, Some(Relative::Cheaper));
        assert_eq!(fu("avanza matic").relative, None);
        assert!(fu("yang lebih murah").follow_up);
    }

    #[test]
    fn superlatives_and_previous() {
        assert_eq!(fu("yang km-nya paling kecil").superlative, Some(Superlative::LowestKm));
        assert_eq!(fu("yg termurah yg mana").superlative, Some(Superlative::Cheapest));
        assert_eq!(fu("yang paling mahal").superlative, Some(Superlative::Priciest));
        assert_eq!(fu("paling mahal 200jt").superlative, None);
        assert!(fu("balik ke yang sebelumnya").previous);
        assert!(fu("yang 2019 itu").refers_back);
    }

    #[test]
    fn follow_up_or_new_search() {
        assert!(fu("yang matic aja").follow_up);
        assert!(fu("kalau yang 2020?").follow_up);
        assert!(fu("jangan yang hitam").follow_up);
        assert!(fu("yang diesel?").follow_up);
        assert!(!fu("cari yang diesel 7 seater").follow_up);
        assert!(!fu("kalau honda ada?").follow_up);
        assert!(!fu("suv diesel 2019 keatas").follow_up);
    }
}
