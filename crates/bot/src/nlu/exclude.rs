//! Exclusions: "jangan yang manual", "selain Toyota", "bukan diesel", "asal jangan warna hitam", "ga mau yang
//! matic".
//!
//! `features` walks the tokens once; this state machine tells it whether the feature or colour at hand is negated:
//! - a cue (`jangan`, `selain`, `bukan`, `kecuali`, `tanpa`, `non`, `anti`, `ogah`, `hindari`, or `tidak` followed by
//!   `mau`/`suka`/`usah`/`pakai`/`perlu`/`minat`) starts a negation;
//! - fillers (`yang`, `warna`, `merk`, `mobil`, `transmisi`, …) keep it;
//! - the first feature after the cue is negated; a second one only after a conjunction (`atau`, `dan`, `/`,
//!   `maupun`), so "selain toyota dan honda" excludes both while "jangan manual, matic aja" keeps the matic;
//! - any other word, number or punctuation ends it.

use super::text::{Kind, Tok};

const CUES: &[&str] =
    &["jangan", "jgn", "selain", "bukan", "kecuali", "tanpa", "non", "anti", "ogah", "hindari", "emoh", "except"];
/// Second word after "tidak": "tidak mau yang manual".
const AFTER_TIDAK: &[&str] = &["mau", "suka", "usah", "pakai", "pake", "perlu", "minat", "tertarik", "doyan"];
const FILLERS: &[&str] = &[
    "yang",
    "warna",
    "warnanya",
    "merk",
    "merek",
    "brand",
    "mobil",
    "tipe",
    "type",
    "jenis",
    "model",
    "transmisi",
    "mesin",
    "pakai",
    "pake",
    "bahan",
    "bakar",
    "bodi",
    "body",
    "nya",
    "juga",
    "lagi",
    "the",
    "sampai",
];
const CONJUNCTIONS: &[&str] = &["atau", "dan", "/", "maupun", "&", "sama", "-", "or", "and", "ataupun"];

#[derive(Default, Debug)]
pub(crate) struct Negation {
    active: bool,
    /// A negated value was taken: the next one is negated only after a conjunction.
    need_conjunction: bool,
}

impl Negation {
    /// Whether the feature at hand is excluded.
    pub(crate) fn active(&self) -> bool {
        self.active && !self.need_conjunction
    }

    /// Starts a negation when token `i` is a cue; returns whether it was one.
    pub(crate) fn cue(&mut self, toks: &[Tok], i: usize) -> bool {
        let w = toks[i].w.as_str();
        let cue = CUES.contains(&w) || (AFTER_TIDAK.contains(&w) && i > 0 && toks[i - 1].w == "tidak");
        if cue {
            self.active = true;
            self.need_conjunction = false;
        }
        cue
    }

    /// A negated value was taken.
    pub(crate) fn took(&mut self) {
        if self.active {
            self.need_conjunction = true;
        }
    }

    /// A token that is neither a cue nor a feature.
    pub(crate) fn other(&mut self, t: &Tok) {
        if !self.active {
            return;
        }
        let w = t.w.as_str();
        if CONJUNCTIONS.contains(&w) {
            self.need_conjunction = false;
        } else if !(t.kind == Kind::Word && FILLERS.contains(&w)) {
            self.active = false;
            self.need_conjunction = false;
        }
    }
}
