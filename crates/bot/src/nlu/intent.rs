//! Intent rules (domain.md §3.8). The first rule that applies wins; the order is the policy for ambiguous
//! messages:
//!
//! 1. Sales staff only: `mark_sold` (laku, terjual, sold, closing; not "belum laku"), then `inventory` (stok,
//!    inventory, rekap, harga modal, belum laku, unit masuk, any listing request, and stock updates that are not a
//!    sale: booking, sudah DP, turun/naik harga, foto baru). A customer's "terjual?" is an availability question:
//!    `detail`.
//! 2. `handoff`: wants a human (sales, admin asli, orang, CS, "ini bot?", asks for the WA number), trade-in (tukar
//!    tambah, TT, trade in), selling or consigning their car (jual mobil, titip jual).
//! 3. `credit_simulation`: kredit, DP/TDP, cicilan, angsuran, tenor, leasing, bunga, per bulan.
//! 4. `location`: alamat, lokasi, di mana, sharelok, maps, jam buka/tutup. An address question wins over a visit
//!    ("besok ke sana, alamatnya di mana?" → location: that is what must be answered).
//! 5. `visit`: lihat/cek langsung, cek unit, test drive, booking, tanda jadi, datang, mampir, ke showroom, survey,
//!    "hubungi/telepon saya", "call me".
//! 6. `photos`: foto (pic, photo), video, gambar, interior.
//! 7. `price` when the price is asked (harga not followed by an amount, nego, net, OTR, diskon, deal, "bisa
//!    kurang", "how much"); an amount after "harga" is a filter, not a question ("harga 150an ada?" → search).
//! 8. `detail` on a question about one car: detail, spek, info, kondisi, pajak, STNK/BPKB, plat, banjir, tabrak,
//!    km (without a number), tangan pertama.
//! 9. `price` on a bare "berapa"/"brp" ("yg tadi brp" → price; "km nya brp" was caught by 8).
//! 10. `detail` when a stock number is named ("no 12", "#12", "unit 12").
//! 11. `context_reference`: only a reference to an earlier car: yang tadi/itu/ini, an ordinal (yang kedua, ke-2,
//!     yang no 2, yang terakhir), "yang putih". With an action the action wins ("detail yang kedua" → detail,
//!     "yang putih ada fotonya?" → photos) and the ordinal/colour stay in `Extras`.
//! 12. `list`: ada mobil apa, apa saja, price list, katalog, semua, `/list`, without filters. With filters it is a
//!     search ("toyota apa aja yang 2020 keatas" → search).
//! 13. `search`: any filter (brand, model, price, year, transmission, fuel, body type, mileage), or cari/butuh/looking
//!     for with none.
//! 14. `detail` for a bare availability question without filters ("masih ada?", "ready?").
//! 15. `greeting` (halo, P, assalamualaikum, selamat pagi, permisi) when nothing else applies.
//! 16. `unknown`.

use super::Role;
use super::features::Vehicle;
use super::followup::FollowUp;
use super::numbers::Numbers;
use super::offtopic::OffTopic;
use super::text::{Kind, Tok};
use super::{Intent, extras};
use super::{places, route, staff};

pub(crate) struct Input<'a> {
    pub toks: &'a [Tok],
    pub used: &'a [bool],
    pub vehicle: &'a Vehicle,
    pub nums: &'a Numbers,
    pub role: Role,
    pub phone: bool,
    pub truncated: bool,
    pub follow: &'a FollowUp,
    pub off_topic: Option<OffTopic>,
}

struct Ctx<'a> {
    toks: &'a [Tok],
    used: &'a [bool],
    cue: Vec<bool>,
}

impl Ctx<'_> {
    fn has(&self, w: &str) -> bool {
        self.toks.iter().any(|t| t.w == w)
    }

    fn any(&self, ws: &[&str]) -> bool {
        self.toks.iter().any(|t| ws.contains(&t.w.as_str()))
    }

    /// A word that is not part of a number expression (not "harga" in "harga 150an", not "km" in "km 50rb").
    fn free(&self, w: &str) -> bool {
        self.toks.iter().enumerate().any(|(i, t)| t.w == w && !self.cue[i] && !self.used[i])
    }

    fn seq(&self, phrase: &str) -> bool {
        let p: Vec<&str> = phrase.split(' ').collect();
        self.toks.windows(p.len()).any(|w| w.iter().zip(&p).all(|(t, x)| t.w == *x))
    }

    fn any_seq(&self, phrases: &[&str]) -> bool {
        phrases.iter().any(|p| self.seq(p))
    }

    /// Some word of `a` followed within `dist` tokens by some word of `b`.
    fn then(&self, a: &[&str], b: &[&str], dist: usize) -> bool {
        self.toks.iter().enumerate().any(|(i, t)| {
            a.contains(&t.w.as_str()) && self.toks[i + 1..].iter().take(dist).any(|u| b.contains(&u.w.as_str()))
        })
    }
}

const SOLD: &[&str] = &["laku", "terjual", "sold", "soldout", "kejual", "closing", "terbeli"];

pub(crate) fn classify(inp: &Input) -> (Intent, f32) {
    let mut cue = vec![false; inp.toks.len()];
    for &i in &inp.nums.cue_tokens {
        if let Some(c) = cue.get_mut(i) {
            *c = true;
        }
    }
    let c = Ctx { toks: inp.toks, used: inp.used, cue };
    let v = inp.vehicle;
    let n = inp.nums;
    let customer = inp.role == Role::Customer;

    let has_filters = !v.models.is_empty()
        || !v.brands.is_empty()
        || v.transmission.is_some()
        || v.fuel.is_some()
        || v.body.is_some()
        || n.price_min.is_some()
        || n.price_max.is_some()
        || n.year_min.is_some()
        || n.year_max.is_some()
        || n.mileage_km.is_some()
        || n.seats_min.is_some()
        || !v.excluded.is_empty()
        || !v.excluded_colors.is_empty();
    let fu = inp.follow;

    // Sales-only cues.
    let sold_word = c.any(SOLD);
    let sold = sold_word && !c.then(&["belum", "tidak"], SOLD, 2);
    let inventory = c.any(&["inventory", "inventori", "rekap", "stok", "stock", "recap"])
        || c.any_seq(&[
            "harga modal",
            "belum laku",
            "tidak laku",
            "unit masuk",
            "total unit",
            "jumlah unit",
            "sisa unit",
        ]);
    let stock_update = c
        .any(&["booking", "booked", "hold", "keep", "turun", "naik", "ubah", "ganti", "update", "edit"])
        || c.any_seq(&["sudah dp", "dp masuk", "tanda jadi", "foto baru", "harga baru", "update harga", "ganti harga"]);

    // Customer cues.
    let wa_number = c.then(&["no", "nomor", "minta", "kontak"], &["wa", "telepon", "hp", "kontak"], 2);
    let call_me =
        c.then(&["telepon", "hubungi", "kontak", "call", "callback", "calling"], &["saya", "me", "balik", "ke"], 2)
            || (inp.phone && c.any(&["telepon", "hubungi", "kontak", "call"]));
    let handoff = (customer && c.any(&["sales", "marketing", "salesman", "sales nya"]))
        || c.any(&["manusia", "human", "operator", "agent", "bot", "robot", "cs", "komplain", "complain", "keluhan"])
        || c.then(
            &["admin"],
            &["asli", "hubungkan", "sambungkan", "bicara", "ngobrol", "ngomong", "chat", "telepon", "real"],
            3,
        )
        || c.then(
            &["hubungkan", "sambungkan", "bicara", "ngobrol", "ngomong", "chat"],
            &["admin", "orang", "pemilik", "owner"],
            3,
        )
        || c.then(&["sama", "dengan", "orang"], &["orang", "asli", "beneran"], 1)
        || c.any_seq(&[
            "tukar tambah",
            "tukar mobil",
            "trade in",
            "tradein",
            "titip jual",
            "jual mobil",
            "mau jual",
            "ingin jual",
            "beli mobil saya",
            "terima mobil",
            "talk to",
            "speak to",
            "real person",
            "konsinyasi",
        ])
        || c.has("tt")
        || ((wa_number || c.has("telepon")) && !call_me);

    let credit = c.any(&[
        "kredit",
        "credit",
        "dp",
        "tdp",
        "cicilan",
        "cicil",
        "nyicil",
        "angsuran",
        "angsur",
        "tenor",
        "leasing",
        "simulasi",
        "per_bulan",
        "bunga",
        "installment",
        "loan",
        "financing",
        "kpm",
        "leasingnya",
    ]);

    let location = c.any(&[
        "alamat",
        "sharelok",
        "shareloc",
        "maps",
        "gmaps",
        "map",
        "where",
        "address",
        "letak",
        "rute",
        "patokan",
        "operasional",
        "buka",
        "tutup",
    ]) || (c.has("lokasi") && !c.seq("ke lokasi"))
        || c.any_seq(&["di mana", "daerah mana", "share lok", "share loc", "share location", "jam kerja"])
        || c.then(&["showroom", "tempat", "kantor", "lokasi"], &["mana"], 3)
        || places::asks(inp.toks);

    let visit = c.any(&[
        "test_drive",
        "testdrive",
        "janjian",
        "ketemuan",
        "ketemu",
        "appointment",
        "visit",
        "survey",
        "survei",
        "booking",
        "book",
        "mampir",
        "datang",
        "berkunjung",
        "kunjungi",
        "kesana",
        "kesitu",
    ]) || c.any_seq(&[
        "lihat langsung",
        "cek langsung",
        "lihat unit",
        "cek unit",
        "test drive",
        "tes drive",
        "test drv",
        "coba mobil",
        "coba unit",
        "coba bawa",
        "tanda jadi",
        "ke showroom",
        "ke sana",
        "ke situ",
        "ke lokasi",
        "ke tempat",
        "main ke",
        "lihat mobil",
        "cek mobil",
    ]) || (c.has("lihat") && c.has("langsung"))
        || call_me;

    let photos = c.any(&[
        "foto",
        "video",
        "gambar",
        "interior",
        "eksterior",
        "dashboard",
        "kabin",
        "walkaround",
        "potret",
        "image",
        "images",
    ]) || c.seq("real pict");

    let price_strong = c.free("harga")
        || c.any(&[
            "price", "nego", "net", "nett", "otr", "diskon", "discount", "potongan", "deal", "mahal", "termurah",
        ])
        || c.any_seq(&["how much", "bisa kurang", "harga pas", "cash berapa", "berapa cash", "tunai berapa"])
        || (customer && c.any(&["kurang", "turun"]));
    let price_weak = c.any(&["berapa", "brp", "much"]);

    let detail_words = c.any(&[
        "detail",
        "detil",
        "details",
        "spek",
        "spec",
        "specs",
        "spesifikasi",
        "info",
        "informasi",
        "kondisi",
        "pajak",
        "stnk",
        "bpkb",
        "faktur",
        "plat",
        "pelat",
        "nopol",
        "ganjil",
        "genap",
        "banjir",
        "tabrak",
        "tabrakan",
        "servis",
        "service",
        "mesin",
        "surat",
        "fitur",
        "minus",
        "kekurangan",
        "riwayat",
        "pemakaian",
        "kilometer",
        "odometer",
        "odo",
        "lecet",
        "penyok",
        "kapasitas",
        "tangan",
        "pemilik",
        "garansi",
        "warranty",
        "velg",
        "taksi",
        "taxi",
        "1st",
        "inspeksi",
    ]) || (c.free("km")
        && !c.then(&["km"], &["rendah", "kecil", "sedikit", "dikit", "low", "minim"], 1))
        || (customer && sold_word);

    let context = c.any_seq(&[
        "yang tadi",
        "yang itu",
        "yang ini",
        "yang barusan",
        "yang sebelumnya",
        "yang atas",
        "yang td",
        "yang kemarin",
        "itu saja",
        "the one",
    ]) || (c.has("tadi") && !c.seq("dari tadi"))
        || n.ordinal.is_some()
        || fu.refers_back
        || (v.excluded_colors.is_empty()
            && c.then(
                &["yang"],
                &[
                    "putih", "hitam", "silver", "abu", "merah", "biru", "hijau", "kuning", "orange", "coklat",
                    "cokelat", "maroon", "emas", "gold", "white", "black", "grey", "gray",
                ],
                1,
            ));

    let list = c.any(&["pricelist", "katalog", "catalog", "list", "daftar", "koleksi", "semua", "all"])
        || c.any_seq(&[
            "apa saja",
            "ada apa",
            "price list",
            "what cars",
            "mobil apa",
            "unit apa",
            "stok apa",
            "apa aja",
        ]);

    let search_verb = c.any(&["cari", "butuh", "looking", "nyari", "carikan"])
        || c.any_seq(&["mau beli", "ingin beli", "do you have", "have any"]);

    let detail_weak =
        c.any_seq(&["masih ada", "ada stok", "ada tidak"]) || c.any(&["ready", "tersedia", "available", "ready?"]);

    let greeting = c.any(&[
        "halo",
        "hallo",
        "helo",
        "hello",
        "hai",
        "hi",
        "hey",
        "hei",
        "p",
        "ping",
        "assalamualaikum",
        "asalamualaikum",
        "assalamu",
        "salam",
        "permisi",
        "punten",
        "misi",
        "pagi",
        "siang",
        "sore",
        "malam",
        "selamat",
        "shalom",
        "morning",
        "afternoon",
        "evening",
        "askum",
        "samlekom",
        "hola",
        "halloo",
        "met",
    ]);

    // How many distinct intent families the message touches: more means less certainty.
    let families =
        [handoff, credit, location, visit, photos, price_strong, detail_words, list].iter().filter(|b| **b).count();

    let staff_intent = if customer {
        None
    } else {
        staff::for_customer(inp.toks, photos, has_filters, n.stock_no.is_some(), search_verb)
    };
    let (intent, base) = if inp.off_topic.is_some() {
        (Intent::Unknown, 0.9)
    } else if !customer && sold {
        let specific = n.stock_no.is_some() || !v.models.is_empty();
        (Intent::MarkSold, if specific { 0.9 } else { 0.65 })
    } else if let Some(staff_intent) = staff_intent {
        (staff_intent, 0.85)
    } else if !customer && (inventory || stock_update || list) {
        (Intent::Inventory, 0.85)
    } else if handoff {
        (Intent::Handoff, 0.9)
    } else if credit {
        (Intent::CreditSimulation, 0.9)
    } else if location {
        (Intent::Location, 0.9)
    } else if visit {
        (Intent::Visit, 0.85)
    } else if photos {
        (Intent::Photos, 0.9)
    } else if fu.relative.is_some() {
        (Intent::Search, 0.85)
    } else if fu.superlative.is_some() && !c.free("harga") && !price_weak && !list {
        (Intent::ContextReference, 0.8)
    } else if price_strong {
        (Intent::Price, 0.9)
    } else if fu.previous {
        (Intent::ContextReference, 0.8)
    } else if detail_words {
        (Intent::Detail, 0.85)
    } else if price_weak {
        (Intent::Price, 0.75)
    } else if n.stock_no.is_some() {
        (Intent::Detail, 0.8)
    } else if context {
        (Intent::ContextReference, 0.8)
    } else if list && !has_filters {
        (Intent::List, 0.9)
    } else if has_filters {
        (Intent::Search, 0.85)
    } else if search_verb {
        (Intent::Search, 0.65)
    } else if detail_weak {
        (Intent::Detail, 0.7)
    } else if greeting {
        (Intent::Greeting, 0.95)
    } else if extras::is_ack(inp.toks) && inp.toks.iter().any(|t| t.kind == Kind::Word) {
        (Intent::Unknown, 0.7)
    } else {
        (Intent::Unknown, 0.2)
    };

    let mut intent = intent;
    let mut conf: f32 = base;
    if families > 1 {
        conf -= 0.05 * (families - 1).min(4) as f32;
    }
    // Open questions and long messages are the LLM's (see `route`); the offline fallback of an open question is the
    // cars it names, else `unknown`.
    if inp.off_topic.is_none() && route::open_question(inp.toks) && !(customer && handoff) {
        let names_cars = !v.models.is_empty() || !v.brands.is_empty() || v.body.is_some();
        intent = if names_cars { Intent::Search } else { Intent::Unknown };
        conf = conf.min(route::OPEN_CONFIDENCE);
    }
    if route::words(inp.toks) > route::LONG_WORDS {
        conf = conf.min(route::LONG_CONFIDENCE);
    }
    if inp.truncated {
        conf = conf.min(0.4);
    }
    (intent, conf.clamp(0.0, 1.0))
}
