//! Vehicle features in the tokens: brand, model(s), transmission, fuel, body type.
//!
//! At each position the longest phrase of up to four tokens (hyphens skipped, so "hr-v", "hr v" and "hrv" are one
//! key) is looked up in the lexicon; failing that, a single long word may match by one typo. Rules:
//! - A model implies its brand. Several models of one brand keep the brand ("hrv atau crv" → Honda); models of
//!   different brands drop it ("avanza atau xenia" → no brand). Several different brands and no model → no brand.
//! - A transmission, fuel or body type named twice with different values ("matic atau manual") is dropped.
//! - Body type is only a filter when the customer names the type, never derived from the model.
//! - Upper-case `AT` is automatic; lower-case `at` is the English word, except right after a model or a number
//!   ("brio at 2019").
//! - After a negation cue ("jangan", "selain", "bukan", "kecuali", "tanpa", "tidak mau") the features and colours
//!   that follow, joined by fillers ("yang", "warna", "merk") and conjunctions ("atau", "dan", "/"), are
//!   exclusions, not filters; any other word ends the negation (see `exclude`).

use super::exclude;
use super::lexicon::{self, Feature};
use super::text::{Kind, Tok};

#[derive(Default, Debug, Clone, PartialEq)]
pub(crate) struct Vehicle {
    pub brands: Vec<&'static str>,
    pub models: Vec<(&'static str, &'static str)>,
    pub transmission: Option<&'static str>,
    pub fuel: Option<&'static str>,
    pub body: Option<&'static str>,
    /// Features named after a negation cue.
    pub excluded: Vec<Feature>,
    /// Colours named (canonical), and those excluded.
    pub colors: Vec<&'static str>,
    pub excluded_colors: Vec<&'static str>,
    conflict_transmission: bool,
    conflict_fuel: bool,
    conflict_body: bool,
}

impl Vehicle {
    /// Brand filter per the rules above.
    pub(crate) fn brand(&self) -> Option<&'static str> {
        if !self.models.is_empty() {
            let first = self.models[0].1;
            return self.models.iter().all(|m| m.1 == first).then_some(first);
        }
        let first = *self.brands.first()?;
        self.brands.iter().all(|b| *b == first).then_some(first)
    }

    fn set(slot: &mut Option<&'static str>, conflict: &mut bool, v: &'static str) {
        match slot {
            Some(prev) if *prev != v => *conflict = true,
            _ => *slot = Some(v),
        }
    }

    fn add(&mut self, f: Feature) {
        match f {
            Feature::Brand(b) => {
                if !self.brands.contains(&b) {
                    self.brands.push(b);
                }
            }
            Feature::Model(m, b) => {
                if !self.models.iter().any(|x| x.0 == m) {
                    self.models.push((m, b));
                }
            }
            Feature::Transmission(t) => Self::set(&mut self.transmission, &mut self.conflict_transmission, t),
            Feature::Fuel(x) => Self::set(&mut self.fuel, &mut self.conflict_fuel, x),
            Feature::Body(x) => Self::set(&mut self.body, &mut self.conflict_body, x),
        }
    }

    fn finish(mut self) -> Vehicle {
        if self.conflict_transmission {
            self.transmission = None;
        }
        if self.conflict_fuel {
            self.fuel = None;
        }
        if self.conflict_body {
            self.body = None;
        }
        self
    }
}

impl Vehicle {
    fn take(&mut self, f: Feature, negated: bool) {
        if negated {
            if !self.excluded.contains(&f) {
                self.excluded.push(f);
            }
        } else {
            self.add(f);
        }
    }
}

/// Finds vehicle features and marks their tokens in `used`.
pub(crate) fn extract(toks: &[Tok], used: &mut [bool]) -> Vehicle {
    let mut v = Vehicle::default();
    let n = toks.len();
    let mut neg = exclude::Negation::default();
    let mut i = 0;
    while i < n {
        if let Some(c) = super::extras::colour_of(&toks[i].w) {
            if neg.active() {
                if !v.excluded_colors.contains(&c) {
                    v.excluded_colors.push(c);
                }
                neg.took();
            } else {
                if !v.colors.contains(&c) {
                    v.colors.push(c);
                }
                neg.other(&toks[i]);
            }
            i += 1;
            continue;
        }
        if used[i] || toks[i].engine {
            neg.other(&toks[i]);
            i += 1;
            continue;
        }
        if toks[i].kind == Kind::Sym {
            neg.other(&toks[i]);
            i += 1;
            continue;
        }
        if neg.cue(toks, i) {
            i += 1;
            continue;
        }
        let negated = neg.active();
        let mut matched = false;
        for len in (1..=4).rev() {
            let Some(idx) = span(toks, used, i, len) else { continue };
            let joined: String = idx.iter().map(|&k| toks[k].w.as_str()).collect();
            let Some(f) = lexicon::lookup(&joined) else { continue };
            // Lower-case "at" is English; only "AT" (or "A/T", already merged) is automatic, or "at" right after a
            // model or a number ("brio at", "2019 at").
            if joined == "at" && toks[i].orig != "AT" && !(i > 0 && (used[i - 1] || toks[i - 1].kind == Kind::Num)) {
                continue;
            }
            // A lone number is never a feature.
            if len == 1 && toks[i].kind == Kind::Num {
                continue;
            }
            v.take(f, negated);
            if negated {
                neg.took();
            } else {
                neg.other(&toks[i]);
            }
            let last = *idx.last().unwrap_or(&i);
            for u in used.iter_mut().take(last + 1).skip(i) {
                *u = true;
            }
            i = last + 1;
            matched = true;
            break;
        }
        if matched {
            continue;
        }
        if toks[i].kind == Kind::Word
            && let Some(f) = lexicon::fuzzy(&toks[i].w)
        {
            v.take(f, negated);
            if negated {
                neg.took();
            } else {
                neg.other(&toks[i]);
            }
            used[i] = true;
        } else {
            neg.other(&toks[i]);
        }
        i += 1;
    }
    v.finish()
}

/// Indices of `len` content tokens from `start`, allowing hyphens between them.
fn span(toks: &[Tok], used: &[bool], start: usize, len: usize) -> Option<Vec<usize>> {
    let mut idx = Vec::with_capacity(len);
    let mut k = start;
    while idx.len() < len {
        let t = toks.get(k)?;
        if used[k] || t.engine {
            return None;
        }
        match t.kind {
            Kind::Sym if t.w == "-" && !idx.is_empty() => {}
            Kind::Sym => return None,
            _ => idx.push(k),
        }
        k += 1;
    }
    Some(idx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nlu::text::{prepare, tokenize};

    fn veh(text: &str) -> Vehicle {
        let toks = tokenize(&prepare(text).text);
        let mut used = vec![false; toks.len()];
        extract(&toks, &mut used)
    }

    fn models(text: &str) -> Vec<&'static str> {
        veh(text).models.iter().map(|m| m.0).collect()
    }

    #[test]
    fn aliases_and_spellings() {
        assert_eq!(models("hrv"), ["HR-V"]);
        assert_eq!(models("hr-v"), ["HR-V"]);
        assert_eq!(models("hr v"), ["HR-V"]);
        assert_eq!(models("HR-V 2018"), ["HR-V"]);
        assert_eq!(models("inova reborn"), ["Innova"]);
        assert_eq!(models("xpandr"), ["Xpander"]);
        assert_eq!(models("fortunerr"), ["Fortuner"]);
        assert_eq!(models("fortuna"), ["Fortuner"]);
        assert_eq!(models("pajero dakar"), ["Pajero Sport"]);
        assert_eq!(models("avanza veloz"), ["Veloz"]);
        assert_eq!(models("karimun wagon r"), ["Karimun Wagon R"]);
        assert_eq!(models("mazda 2"), ["Mazda2"]);
        assert_eq!(models("xl 7"), ["XL7"]);
        assert_eq!(models("L300"), ["L300"]);
        assert_eq!(models("avanzanya"), ["Avanza"]);
        assert_eq!(models("wuling air ev"), ["Air ev"]);
    }

    #[test]
    fn exclusions() {
        let v = veh("selain toyota dan honda, yang matic");
        assert_eq!(v.excluded, [Feature::Brand("Toyota"), Feature::Brand("Honda")]);
        assert_eq!(v.transmission, Some("AT"));
        let v = veh("jangan yang manual");
        assert_eq!((v.excluded.as_slice(), v.transmission), ([Feature::Transmission("MT")].as_slice(), None));
        let v = veh("asal jangan warna hitam ya, putih boleh");
        assert_eq!((v.excluded_colors.as_slice(), v.colors.as_slice()), (["hitam"].as_slice(), ["putih"].as_slice()));
        let v = veh("ga mau yang diesel");
        assert_eq!(v.excluded, [Feature::Fuel("diesel")]);
        let v = veh("bukan avanza");
        assert_eq!((v.excluded.len(), v.models.len()), (1, 0));
        // A negation that names nothing excludes nothing.
        assert!(veh("selain itu avanza ada?").excluded.is_empty());
    }

    #[test]
    fn brands() {
        assert_eq!(veh("avanza").brand(), Some("Toyota"));
        assert_eq!(veh("hrv atau crv").brand(), Some("Honda"));
        assert_eq!(veh("avanza atau xenia").brand(), None);
        assert_eq!(veh("toyta").brand(), Some("Toyota"));
        assert_eq!(veh("toyota atau honda").brand(), None);
    }

    #[test]
    fn transmission_fuel_body() {
        assert_eq!(veh("matic").transmission, Some("AT"));
        assert_eq!(veh("otomatiiis").transmission, Some("AT"));
        assert_eq!(veh("2.4 AT").transmission, Some("AT"));
        assert_eq!(veh("A/T").transmission, Some("AT"));
        assert_eq!(veh("look at this").transmission, None);
        assert_eq!(veh("M/T").transmission, Some("MT"));
        assert_eq!(veh("matic atau manual").transmission, None);
        assert_eq!(veh("solar").fuel, Some("diesel"));
        assert_eq!(veh("D-4D").fuel, Some("diesel"));
        assert_eq!(veh("city car").body, Some("hatchback"));
        assert_eq!(veh("honda city").body, None);
        assert_eq!(veh("mobil keluarga").body, Some("MPV"));
        // Seats are a number, not a body type.
        assert_eq!(veh("7 seater").body, None);
        assert_eq!(veh("brio at 2019").transmission, Some("AT"));
        assert_eq!(veh("cvt").transmission, Some("AT"));
        assert_eq!(veh("triptonik").transmission, Some("AT"));
        assert_eq!(veh("dcab").body, Some("double_cabin"));
        assert_eq!(veh("pick up").body, Some("pickup"));
        // Body type is not derived from a model.
        assert_eq!(veh("fortuner").body, None);
    }
}
