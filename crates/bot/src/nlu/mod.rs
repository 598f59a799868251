//! Offline Indonesian message understanding for the WhatsApp bot.
//!
//! [`understand`] maps one WhatsApp message to an [`Intent`], search [`Filters`] and [`Extras`], with a
//! confidence: at 0.6 or more the bot may answer from the rules alone; below that it should ask the LLM (or fall
//! back to these results when the LLM is unavailable). It is pure (no IO, no clock), allocation-light, never
//! panics, and reads at most the first 1000 characters of a message (longer messages get a confidence ≤ 0.4).
//!
//! The pipeline, each step documented in its module:
//! 1. `text`: phone numbers and plates out (on the original text), tokens, abbreviations, honorifics.
//! 2. `features` / `lexicon`: brand, model(s), transmission, fuel, body type; aliases and typos.
//! 3. `numbers`: stock number, DP, mileage, tenor, ordinal, price range, year range.
//! 4. `intent`: the intent, by ordered rules (the order is the policy for ambiguous messages).
//!
//! Rules for the ambiguous cases (see also `intent` and `numbers`):
//! - Filters hold everything the message names, whatever the intent ("avanza no 12 udah laku" from sales →
//!   `mark_sold` with brand, model and stock_no).
//! - A model sets its brand; twins/models of different brands are a list without brand. Body type is a filter only
//!   when the type itself is named ("cari SUV", "mobil keluarga" → MPV, "city car" → hatchback). "7 seater",
//!   "7 penumpang", "muat 7 orang" are `seats_min` 7, not a body type.
//! - "Innova Zenix" (also "zenix") is its own model, distinct from "Innova"; "Livina" and "Grand Livina" are distinct;
//!   "Brio Satya"/"Brio RS" are "Brio"; "pajero", "dakar", "exceed" are "Pajero Sport"; "Xpander Cross" is its own model.
//! - "yang no 2" / "yg nomor 2" is an ordinal (a position in the list the bot sent); "no 2", "nomor 2", "#2",
//!   "unit 2", "id 2" without "yang" is a stock number.
//! - "yang terakhir" is ordinal [`ORDINAL_LAST`] (`usize::MAX`).
//! - An amount with no cue is a ceiling (`"ertiga 150jt"` → price_max 150 jt); see `numbers` for all money rules.
//! - `Extras::budget` is the amount the customer named as their budget or ceiling (for "250an", 250 jt; for a range,
//!   its top); `Extras::payment_method` and `Extras::budget` are only read from customers.
//! - TDP is reported in `dp_amount` (the caller may label it "TDP"). Tenor in months becomes years, rounded.
//! - An exact year sets both `year_min` and `year_max`; several exact years ("2019 atau 2020") set the range.
//!   "tahun muda" (relative to today) sets nothing: the parser has no clock.
//! - Colour is not a filter key; the first colour named is in `Extras::color`. A colour after a negation is an
//!   exclusion (`filters.exclude.color`), like brands, models, transmissions, fuels and body types ("selain Toyota",
//!   "jangan yang manual", "bukan diesel", "asal jangan warna hitam"; see `exclude`).
//! - Amounts in words are numbers ("budget tiga ratus" = budget 300 = 300 jt; "seratusan" ≈ 100 jt ± 10 %).
//! - What leans on the last results (`followup`): relative refinements ("yang lebih murah") are `search` with
//!   `Extras::relative`; picks by attribute ("yang 2019 itu", "yang km-nya paling kecil", "balik ke yang
//!   sebelumnya") are `context_reference` with their filters, `Extras::superlative` or `Extras::previous`;
//!   `Extras::follow_up` says whether the last search's other filters still apply (the sticky-context rule).
//! - Not for us (`offtopic`): spam, motorbikes and unrelated requests are `unknown` (confident), with no filters.
//! - Open questions and long messages get a confidence below [`CONFIDENT`] (`route`).

mod exclude;
mod extras;
mod features;
mod followup;
mod intent;
mod lexicon;
mod numbers;
mod offtopic;
mod places;
mod route;
mod spoken;
mod staff;
pub mod staff_update;
mod text;
pub mod when;

pub use followup::{Relative, Superlative};
pub use offtopic::OffTopic;

pub use numbers::ORDINAL_LAST;

use serde::{Deserialize, Serialize};

/// Who wrote the message. Staff-only intents (`inventory`, `mark_sold`) need `Sales`.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    #[default]
    Customer,
    Sales,
}

/// A model filter: one model, or several ("hrv atau crv").
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(untagged)]
pub enum ModelFilter {
    One(String),
    Many(Vec<String>),
}

/// Search filters. Prices are whole rupiah; an exact year sets both year bounds.
#[derive(Serialize, Deserialize, Default, Clone, Debug, PartialEq)]
#[serde(default)]
pub struct Filters {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<ModelFilter>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_min: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_max: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year_min: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year_max: Option<i64>,
    /// `AT` or `MT`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transmission: Option<String>,
    /// `bensin`, `diesel`, `hybrid` or `listrik`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fuel: Option<String>,
    /// `MPV`, `SUV`, `LCGC`, `sedan`, `hatchback`, `pickup` or `double_cabin`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_type: Option<String>,
    /// The showroom's car number ("detail no 12", "#12", "unit 12").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stock_no: Option<i64>,
    /// At least this many seats ("7 seater", "muat 7 orang").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seats_min: Option<i64>,
    /// What the customer does not want ("jangan yang manual", "selain Toyota", "asal jangan hitam").
    #[serde(skip_serializing_if = "Exclusions::is_empty")]
    pub exclude: Exclusions,
}

impl Filters {
    /// Whether no filter is set.
    pub fn is_empty(&self) -> bool {
        *self == Filters::default()
    }
}

/// Exclusion filters: values of the same vocabulary as [`Filters`], each a list ("selain Toyota dan Honda").
#[derive(Serialize, Deserialize, Default, Clone, Debug, PartialEq)]
#[serde(default)]
pub struct Exclusions {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub brand: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub model: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub transmission: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fuel: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub body_type: Vec<String>,
    /// Canonical Indonesian colour names, as in [`Extras::color`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub color: Vec<String>,
}

impl Exclusions {
    pub fn is_empty(&self) -> bool {
        self.brand.is_empty()
            && self.model.is_empty()
            && self.transmission.is_empty()
            && self.fuel.is_empty()
            && self.body_type.is_empty()
            && self.color.is_empty()
    }
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    Greeting,
    List,
    Search,
    Detail,
    Photos,
    Price,
    CreditSimulation,
    /// Wants to come, test drive, book, or be called.
    Visit,
    Location,
    /// Wants a human, a trade-in, or to sell their car.
    Handoff,
    /// Refers to a car shown earlier ("yang kedua", "yang tadi", "yang putih").
    ContextReference,
    /// Sales staff only.
    Inventory,
    /// Sales staff only.
    MarkSold,
    Unknown,
}

impl Intent {
    /// The wire name (`credit_simulation`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Intent::Greeting => "greeting",
            Intent::List => "list",
            Intent::Search => "search",
            Intent::Detail => "detail",
            Intent::Photos => "photos",
            Intent::Price => "price",
            Intent::CreditSimulation => "credit_simulation",
            Intent::Visit => "visit",
            Intent::Location => "location",
            Intent::Handoff => "handoff",
            Intent::ContextReference => "context_reference",
            Intent::Inventory => "inventory",
            Intent::MarkSold => "mark_sold",
            Intent::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for Intent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Details that are not search filters.
#[derive(Serialize, Deserialize, Default, Clone, Debug, PartialEq)]
#[serde(default)]
pub struct Extras {
    /// Position in a list shown earlier: "yang kedua" → 2, "yang pertama" → 1, "yang no 3" → 3,
    /// "yang terakhir" → [`ORDINAL_LAST`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ordinal: Option<usize>,
    /// A colour named in the message, in Indonesian ("putih", "hitam", "abu-abu", …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dp_percent: Option<f64>,
    /// DP (or TDP) amount in rupiah.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dp_amount: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenor_years: Option<i64>,
    /// "km 50rb" → 50000.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mileage_max_km: Option<i64>,
    /// An Indonesian mobile number in the text, E.164.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// "namanya Budi" → "Budi".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// "cash" or "credit", when the customer reveals it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<String>,
    /// The budget the customer revealed, in rupiah.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<i64>,
    /// Relative to the cars last shown: "yang lebih murah", "ada yang lebih baru?".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relative: Option<Relative>,
    /// One of the cars last shown picked by an extreme: "yang km-nya paling kecil", "yang termurah".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub superlative: Option<Superlative>,
    /// "balik ke yang sebelumnya": the list (or car) before the last one.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub previous: bool,
    /// The message narrows the last search ("yang matic aja", "jangan yang hitam") instead of starting a new one;
    /// filters it does not name are kept from the last search.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub follow_up: bool,
    /// Not something a car showroom answers (spam, motorbikes, unrelated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub off_topic: Option<OffTopic>,
    /// An open question (compare, why, which suits me): the LLM answers it better.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub open_question: bool,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Understanding {
    pub intent: Intent,
    pub filters: Filters,
    /// 0..1; at 0.6 or more the rules are confident enough to answer without an LLM.
    pub confidence: f32,
    pub extras: Extras,
}

/// Confidence at or above which the bot may answer without an LLM.
pub const CONFIDENT: f32 = 0.6;

/// Understands one WhatsApp message.
pub fn understand(text: &str, role: Role) -> Understanding {
    let prepared = text::prepare(text);
    let toks = text::tokenize(&prepared.text);
    let mut used = vec![false; toks.len()];
    let vehicle = features::extract(&toks, &mut used);
    let nums = numbers::extract(&toks, &mut used);
    let follow = followup::detect(&toks, &vehicle, &nums);
    let off_topic = offtopic::detect(&toks, &vehicle);

    let model = match vehicle.models.as_slice() {
        [] => None,
        [one] => Some(ModelFilter::One(one.0.to_string())),
        many => Some(ModelFilter::Many(many.iter().map(|m| m.0.to_string()).collect())),
    };
    let mut exclude = Exclusions::default();
    for f in &vehicle.excluded {
        let (list, value) = match *f {
            lexicon::Feature::Brand(b) => (&mut exclude.brand, b),
            lexicon::Feature::Model(m, _) => (&mut exclude.model, m),
            lexicon::Feature::Transmission(t) => (&mut exclude.transmission, t),
            lexicon::Feature::Fuel(x) => (&mut exclude.fuel, x),
            lexicon::Feature::Body(x) => (&mut exclude.body_type, x),
        };
        list.push(value.to_string());
    }
    exclude.color = vehicle.excluded_colors.iter().map(|c| c.to_string()).collect();
    let filters = if off_topic.is_some() {
        // Never a car search: "honda beat" names no car filter.
        Filters::default()
    } else {
        Filters {
            brand: vehicle.brand().map(str::to_string),
            model,
            price_min: nums.price_min,
            price_max: nums.price_max,
            year_min: nums.year_min,
            year_max: nums.year_max,
            transmission: vehicle.transmission.map(str::to_string),
            fuel: vehicle.fuel.map(str::to_string),
            body_type: vehicle.body.map(str::to_string),
            stock_no: nums.stock_no,
            seats_min: nums.seats_min,
            exclude,
        }
    };
    let customer = role == Role::Customer;
    let (intent, confidence) = intent::classify(&intent::Input {
        toks: &toks,
        used: &used,
        vehicle: &vehicle,
        nums: &nums,
        role,
        phone: prepared.phone.is_some(),
        truncated: prepared.truncated,
        follow: &follow,
        off_topic,
    });
    let extras = Extras {
        ordinal: nums.ordinal,
        color: vehicle.colors.first().map(|c| c.to_string()),
        dp_percent: nums.dp_percent,
        dp_amount: nums.dp_amount,
        tenor_years: nums.tenor_years,
        mileage_max_km: nums.mileage_km,
        phone: prepared.phone.clone(),
        name: extras::name(&prepared.text),
        payment_method: if customer { extras::payment_method(&toks) } else { None },
        budget: if customer && off_topic.is_none() { nums.budget } else { None },
        relative: follow.relative,
        superlative: follow.superlative,
        previous: follow.previous,
        follow_up: follow.follow_up,
        off_topic,
        open_question: route::open_question(&toks),
    };
    Understanding { intent, filters, confidence, extras }
}

#[derive(Serialize)]
struct JsonOut<'a> {
    intent: Intent,
    filters: &'a Filters,
    /// Two decimals; below [`CONFIDENT`] the engine asks the LLM when one is on.
    confidence: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// One line of the `garasi nlu` CLI: reads `{"text": "...", "role": "customer"|"sales"}` (role optional, default
/// customer) and returns one JSON line `{"intent": "...", "filters": {...}, "confidence": 0.85}`; exclusions are
/// `filters.exclude` (`{"brand": ["Toyota"]}`), seats `filters.seats_min`. A malformed line gives
/// `{"intent":"unknown","filters":{},"confidence":0.0,"error":"..."}`. Never panics.
pub fn understand_json_line(line: &str) -> String {
    let result = parse_line(line).map(|(text, role)| understand(&text, role));
    let out = match &result {
        Ok(u) => JsonOut {
            intent: u.intent,
            filters: &u.filters,
            confidence: (f64::from(u.confidence) * 100.0).round() / 100.0,
            error: None,
        },
        Err(e) => JsonOut { intent: Intent::Unknown, filters: &EMPTY_FILTERS, confidence: 0.0, error: Some(e.clone()) },
    };
    serde_json::to_string(&out)
        .unwrap_or_else(|_| r#"{"intent":"unknown","filters":{},"error":"gagal menulis JSON"}"#.to_string())
}

static EMPTY_FILTERS: Filters = Filters {
    brand: None,
    model: None,
    price_min: None,
    price_max: None,
    year_min: None,
    year_max: None,
    transmission: None,
    fuel: None,
    body_type: None,
    stock_no: None,
    seats_min: None,
    exclude: Exclusions {
        brand: Vec::new(),
        model: Vec::new(),
        transmission: Vec::new(),
        fuel: Vec::new(),
        body_type: Vec::new(),
        color: Vec::new(),
    },
};

fn parse_line(line: &str) -> Result<(String, Role), String> {
    let value: serde_json::Value =
        serde_json::from_str(line.trim()).map_err(|e| format!("baris bukan JSON yang valid: {e}"))?;
    let obj = value.as_object().ok_or_else(|| "baris harus berupa objek JSON".to_string())?;
    let text = match obj.get("text") {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(_) => return Err("kolom \"text\" harus berupa teks".to_string()),
        None => return Err("kolom \"text\" wajib diisi".to_string()),
    };
    let role = match obj.get("role") {
        None | Some(serde_json::Value::Null) => Role::Customer,
        Some(serde_json::Value::String(r)) => match r.trim().to_lowercase().as_str() {
            "customer" => Role::Customer,
            "sales" => Role::Sales,
            _ => return Err(format!("role \"{r}\" tidak dikenal: gunakan \"customer\" atau \"sales\"")),
        },
        Some(_) => return Err("kolom \"role\" harus berupa teks".to_string()),
    };
    Ok((text, role))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_line_ok() {
        let out = understand_json_line(r#"{"text": "hrv atau crv 2018 dibawah 300jt", "role": "customer"}"#);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["intent"], "search");
        assert_eq!(v["filters"]["model"], serde_json::json!(["HR-V", "CR-V"]));
        assert_eq!(v["filters"]["brand"], "Honda");
        assert_eq!(v["filters"]["price_max"], 300_000_000);
        assert!(v.get("error").is_none());
        assert!(!out.contains('\n'));
        // Keys appear in a stable order: intent, then filters.
        assert!(out.starts_with(r#"{"intent":"search","filters":{"brand":"Honda""#));
    }

    #[test]
    fn json_line_role_default_and_sales() {
        let v: serde_json::Value = serde_json::from_str(&understand_json_line(r#"{"text":"terjual no 5"}"#)).unwrap();
        assert_ne!(v["intent"], "mark_sold");
        let v: serde_json::Value =
            serde_json::from_str(&understand_json_line(r#"{"text":"terjual no 5","role":"sales"}"#)).unwrap();
        assert_eq!(v["intent"], "mark_sold");
        assert_eq!(v["filters"], serde_json::json!({"stock_no": 5}));
    }

    #[test]
    fn json_line_malformed() {
        for bad in ["", "not json", "[1,2]", r#"{"role":"sales"}"#, r#"{"text": 5}"#, r#"{"text":"x","role":"boss"}"#] {
            let out = understand_json_line(bad);
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            assert_eq!(v["intent"], "unknown", "{bad}");
            assert_eq!(v["filters"], serde_json::json!({}), "{bad}");
            assert!(v["error"].is_string(), "{bad}");
        }
    }

    #[test]
    fn serde_shapes() {
        assert_eq!(serde_json::to_string(&Role::Sales).unwrap(), r#""sales""#);
        assert_eq!(serde_json::to_string(&Intent::CreditSimulation).unwrap(), r#""credit_simulation""#);
        assert_eq!(serde_json::to_string(&Intent::ContextReference).unwrap(), r#""context_reference""#);
        assert_eq!(serde_json::to_string(&Filters::default()).unwrap(), "{}");
        let f: Filters = serde_json::from_str(r#"{"model":["HR-V","CR-V"],"stock_no":3}"#).unwrap();
        assert_eq!(f.model, Some(ModelFilter::Many(vec!["HR-V".into(), "CR-V".into()])));
        let f: Filters = serde_json::from_str(r#"{"model":"Avanza"}"#).unwrap();
        assert_eq!(f.model, Some(ModelFilter::One("Avanza".into())));
    }
}
