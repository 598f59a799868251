//! Vehicle vocabulary: brands, models (with their aliases and typos), transmission, fuel and body type.
//!
//! Every phrase is stored under a *key*: lower case with spaces and hyphens removed, so "HR-V", "hr v" and "hrv" share
//! the key `hrv`. The matcher in `features` joins up to four adjacent tokens and looks the result up here; a single
//! word of five or more letters that is not a known Indonesian word may also match a key at Damerau–Levenshtein
//! distance 1 ("xpandr" → Xpander).

use std::collections::HashMap;
use std::sync::LazyLock;

/// What a phrase means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Feature {
    Brand(&'static str),
    /// Canonical model name and the brand it implies.
    Model(&'static str, &'static str),
    Transmission(&'static str),
    Fuel(&'static str),
    Body(&'static str),
}

const TOYOTA: &str = "Toyota";
const HONDA: &str = "Honda";
const MITSUBISHI: &str = "Mitsubishi";
const SUZUKI: &str = "Suzuki";
const DAIHATSU: &str = "Daihatsu";
const NISSAN: &str = "Nissan";
const HYUNDAI: &str = "Hyundai";
const WULING: &str = "Wuling";
const MAZDA: &str = "Mazda";
const KIA: &str = "Kia";
const BMW: &str = "BMW";
const MERCEDES: &str = "Mercedes-Benz";
const CHERY: &str = "Chery";
const ISUZU: &str = "Isuzu";

/// Brands and how people write them.
const BRANDS: &[(&str, &[&str])] = &[
    (TOYOTA, &["toyota", "toyta", "toyot", "tyota"]),
    (HONDA, &["honda"]),
    (MITSUBISHI, &["mitsubishi", "mitsubisi", "mitsubhisi", "mitsu", "mitshubishi"]),
    (SUZUKI, &["suzuki", "suzuky", "suzu"]),
    (DAIHATSU, &["daihatsu", "daihatzu", "daihatshu", "daihatsuu", "dahatsu"]),
    (NISSAN, &["nissan", "nisan"]),
    (HYUNDAI, &["hyundai", "hundai", "huyndai", "hyundae", "hyunday"]),
    (WULING, &["wuling", "wulin"]),
    (MAZDA, &["mazda"]),
    (KIA, &["kia"]),
    (BMW, &["bmw"]),
    (MERCEDES, &["mercedes benz", "mercedes", "mercy", "merci", "benz", "mercedez"]),
    (CHERY, &["chery", "cherry"]),
    (ISUZU, &["isuzu"]),
    ("Ford", &["ford"]),
    ("Chevrolet", &["chevrolet", "chevy"]),
    ("Volkswagen", &["volkswagen", "vw"]),
    ("Audi", &["audi"]),
    ("Lexus", &["lexus"]),
    ("Subaru", &["subaru"]),
    ("Peugeot", &["peugeot"]),
    ("Datsun", &["datsun"]),
    ("DFSK", &["dfsk"]),
    ("BYD", &["byd"]),
    ("Renault", &["renault"]),
    ("Jeep", &["jeep"]),
];

/// Models: canonical name, brand, aliases (the canonical spelling is always an alias too).
///
/// Trims are not models (G, E, V, Q, VRZ, GR, RS, TRD, Ultimate, Exceed, Dakar, Prime, Satya), except where a trim
/// is how people name the car: "dakar"/"exceed" alone mean a Pajero Sport, "reborn" an Innova.
/// "Zenix" is its own model, "Innova Zenix": it is a different car from the Innova (hybrid, new platform); a search
/// for "Innova" that should include it can match model names by prefix.
const MODELS: &[(&str, &str, &[&str])] = &[
    // Toyota
    ("Avanza", TOYOTA, &["avanza", "avansa", "avz", "avanza", "avanzah"]),
    ("Veloz", TOYOTA, &["veloz", "avanza veloz", "velos"]),
    (
        "Innova",
        TOYOTA,
        &["innova", "inova", "kijang innova", "kijang inova", "innova reborn", "inova reborn", "reborn"],
    ),
    ("Innova Zenix", TOYOTA, &["innova zenix", "inova zenix", "kijang innova zenix", "zenix"]),
    ("Fortuner", TOYOTA, &["fortuner", "fortuna", "fortunner", "fotuner", "fortuner vrz"]),
    ("Rush", TOYOTA, &["rush"]),
    ("Agya", TOYOTA, &["agya", "agia"]),
    ("Calya", TOYOTA, &["calya", "kalya", "calia"]),
    ("Raize", TOYOTA, &["raize", "raise", "rise"]),
    ("Yaris", TOYOTA, &["yaris", "yaris cross"]),
    ("Vios", TOYOTA, &["vios", "limo", "vios limo"]),
    ("Camry", TOYOTA, &["camry", "camri"]),
    ("Alphard", TOYOTA, &["alphard", "alpard", "alpart", "alphard"]),
    ("Vellfire", TOYOTA, &["vellfire", "velfire", "vellfire"]),
    ("Sienta", TOYOTA, &["sienta"]),
    ("Hilux", TOYOTA, &["hilux"]),
    ("Corolla Altis", TOYOTA, &["corolla altis", "altis"]),
    ("Corolla Cross", TOYOTA, &["corolla cross"]),
    ("C-HR", TOYOTA, &["c hr", "chr"]),
    ("Land Cruiser", TOYOTA, &["land cruiser", "landcruiser"]),
    ("Voxy", TOYOTA, &["voxy"]),
    ("Etios", TOYOTA, &["etios", "etios valco"]),
    // Daihatsu
    ("Xenia", DAIHATSU, &["xenia", "senia", "xenia"]),
    ("Terios", DAIHATSU, &["terios", "terius"]),
    ("Ayla", DAIHATSU, &["ayla", "aila"]),
    ("Sigra", DAIHATSU, &["sigra"]),
    ("Rocky", DAIHATSU, &["rocky", "roki", "rocki"]),
    ("Gran Max", DAIHATSU, &["gran max", "granmax", "grand max", "grandmax"]),
    ("Luxio", DAIHATSU, &["luxio"]),
    ("Sirion", DAIHATSU, &["sirion"]),
    // Honda
    ("Brio", HONDA, &["brio", "bryo", "brio satya", "brio rs"]),
    ("HR-V", HONDA, &["hr v", "hrv"]),
    ("CR-V", HONDA, &["cr v", "crv"]),
    ("BR-V", HONDA, &["br v", "brv"]),
    ("WR-V", HONDA, &["wr v", "wrv"]),
    ("Jazz", HONDA, &["jazz", "jaz", "jass"]),
    ("Civic", HONDA, &["civic", "sivik", "civic turbo"]),
    ("City", HONDA, &["city", "honda city"]),
    ("Mobilio", HONDA, &["mobilio", "mobilio"]),
    ("Accord", HONDA, &["accord"]),
    ("Odyssey", HONDA, &["odyssey", "odysey"]),
    // Mitsubishi
    ("Xpander", MITSUBISHI, &["xpander", "expander", "xpender", "ekspander", "x pander", "xpander ultimate"]),
    ("Xpander Cross", MITSUBISHI, &["xpander cross", "expander cross", "xpender cross", "ekspander cross"]),
    ("Pajero Sport", MITSUBISHI, &["pajero sport", "pajero", "pajsport", "pajero dakar", "ps", "dakar", "exceed"]),
    ("Triton", MITSUBISHI, &["triton"]),
    ("L300", MITSUBISHI, &["l300", "l 300"]),
    ("Outlander", MITSUBISHI, &["outlander", "outlander sport"]),
    ("Mirage", MITSUBISHI, &["mirage"]),
    ("Eclipse Cross", MITSUBISHI, &["eclipse cross"]),
    // Suzuki
    ("Ertiga", SUZUKI, &["ertiga", "ertga"]),
    ("XL7", SUZUKI, &["xl7", "xl 7"]),
    ("Karimun Wagon R", SUZUKI, &["karimun wagon r", "karimun", "wagon r", "wagonr", "karimun wagon"]),
    ("Ignis", SUZUKI, &["ignis"]),
    ("Baleno", SUZUKI, &["baleno"]),
    ("Swift", SUZUKI, &["swift"]),
    ("Carry", SUZUKI, &["carry", "carry pu", "futura"]),
    ("APV", SUZUKI, &["apv"]),
    ("S-Presso", SUZUKI, &["s presso", "spresso"]),
    ("Jimny", SUZUKI, &["jimny", "jimni"]),
    ("SX4", SUZUKI, &["sx4", "sx 4"]),
    // Nissan
    ("Livina", NISSAN, &["livina"]),
    ("Grand Livina", NISSAN, &["grand livina", "grandlivina"]),
    ("Serena", NISSAN, &["serena"]),
    ("X-Trail", NISSAN, &["x trail", "xtrail"]),
    ("Navara", NISSAN, &["navara"]),
    ("Juke", NISSAN, &["juke"]),
    ("Magnite", NISSAN, &["magnite"]),
    ("Kicks", NISSAN, &["kicks e power", "nissan kicks"]),
    ("March", NISSAN, &["nissan march"]),
    // Hyundai
    ("Creta", HYUNDAI, &["creta", "kreta"]),
    ("Stargazer", HYUNDAI, &["stargazer", "star gazer", "stargaser", "stargazer x"]),
    ("Ioniq 5", HYUNDAI, &["ioniq 5", "ioniq5", "ionic 5", "ionic", "ioniq"]),
    ("Santa Fe", HYUNDAI, &["santa fe", "santafe"]),
    ("Palisade", HYUNDAI, &["palisade"]),
    ("Tucson", HYUNDAI, &["tucson"]),
    // Wuling
    ("Almaz", WULING, &["almaz"]),
    ("Confero", WULING, &["confero"]),
    ("Cortez", WULING, &["cortez"]),
    ("Air ev", WULING, &["air ev", "airev", "wuling air", "wuling air ev"]),
    ("Binguo", WULING, &["binguo", "binguo ev"]),
    ("Formo", WULING, &["formo"]),
    // Mazda
    ("CX-5", MAZDA, &["cx 5", "cx5"]),
    ("CX-3", MAZDA, &["cx 3", "cx3"]),
    ("CX-30", MAZDA, &["cx 30", "cx30"]),
    ("Mazda2", MAZDA, &["mazda 2", "mazda2"]),
    ("Mazda3", MAZDA, &["mazda 3", "mazda3"]),
    ("Biante", MAZDA, &["biante"]),
    // Kia
    ("Sonet", KIA, &["sonet"]),
    ("Seltos", KIA, &["seltos"]),
    ("Carnival", KIA, &["carnival"]),
    ("Picanto", KIA, &["picanto"]),
    ("Carens", KIA, &["carens"]),
    // Chery
    ("Tiggo 7 Pro", CHERY, &["tiggo 7 pro", "tiggo 7"]),
    ("Tiggo 8 Pro", CHERY, &["tiggo 8 pro", "tiggo 8"]),
    ("Tiggo", CHERY, &["tiggo"]),
    ("Omoda 5", CHERY, &["omoda 5", "omoda"]),
    // Isuzu
    ("D-Max", ISUZU, &["d max", "dmax"]),
    ("Panther", ISUZU, &["panther"]),
    ("MU-X", ISUZU, &["mu x", "mux"]),
    // BMW / Mercedes-Benz: series codes are how people name them.
    ("320i", BMW, &["320i"]),
    ("520i", BMW, &["520i"]),
    ("X1", BMW, &["bmw x1"]),
    ("X3", BMW, &["bmw x3"]),
    ("C200", MERCEDES, &["c200", "c 200"]),
    ("C300", MERCEDES, &["c300", "c 300"]),
    ("E250", MERCEDES, &["e250", "e 250"]),
    ("E300", MERCEDES, &["e300", "e 300"]),
];

/// Automatic / manual. Upper-case "AT" is handled by the matcher from the original spelling; lower-case "at" is
/// English and ignored.
const TRANSMISSIONS: &[(&str, &[&str])] = &[
    (
        "AT",
        &[
            "matic",
            "matik",
            "metik",
            "metic",
            "otomatis",
            "otomatik",
            "automatic",
            "automatik",
            "auto",
            "cvt",
            "e cvt",
            "ecvt",
            "dct",
            "tiptronic",
            "triptonic",
            "triptonik",
            "tiptronik",
            "otomatic",
            "automatis",
            "steptronic",
            "at",
        ],
    ),
    ("MT", &["manual", "mt", "manuall"]),
];

const FUELS: &[(&str, &[&str])] = &[
    ("bensin", &["bensin", "petrol", "gasoline", "pertalite", "pertamax"]),
    ("diesel", &["diesel", "solar", "disel", "dsl", "vnt", "d 4d", "d4d", "dexlite", "turbo diesel"]),
    ("hybrid", &["hybrid", "hibrid", "hybird", "hev", "phev", "hibryd"]),
    ("listrik", &["listrik", "mobil listrik", "ev", "bev", "electric"]),
];

const BODIES: &[(&str, &[&str])] = &[
    // "7 seater" is a seat count (`numbers`), not a body type.
    ("MPV", &["mpv", "mobil keluarga", "family car", "minibus"]),
    ("SUV", &["suv"]),
    ("LCGC", &["lcgc"]),
    ("sedan", &["sedan"]),
    ("hatchback", &["hatchback", "hatchbek", "hetbek", "hatcback", "hb", "city car", "citycar"]),
    ("pickup", &["pickup", "pick up", "pikap", "pik ap", "bak", "bak terbuka", "pu", "pick-up"]),
    ("double_cabin", &["double cabin", "dobel kabin", "double kabin", "dobel cabin", "dcab", "d cab", "dc 4x4"]),
];

/// Joined lookup key of a phrase: lower case, spaces and hyphens removed.
pub(crate) fn key(phrase: &str) -> String {
    phrase.chars().filter(|c| !matches!(c, ' ' | '-')).flat_map(char::to_lowercase).collect()
}

static TABLE: LazyLock<HashMap<String, Feature>> = LazyLock::new(|| {
    let mut map = HashMap::new();
    // Insertion order matters only for duplicates: the first definition wins.
    let mut put = |phrase: &str, f: Feature| {
        map.entry(key(phrase)).or_insert(f);
    };
    for (canon, brand, aliases) in MODELS {
        put(canon, Feature::Model(canon, brand));
        for a in *aliases {
            put(a, Feature::Model(canon, brand));
        }
    }
    for (canon, aliases) in BRANDS {
        for a in *aliases {
            put(a, Feature::Brand(canon));
        }
    }
    for (value, aliases) in TRANSMISSIONS {
        for a in *aliases {
            put(a, Feature::Transmission(value));
        }
    }
    for (value, aliases) in FUELS {
        for a in *aliases {
            put(a, Feature::Fuel(value));
        }
    }
    for (value, aliases) in BODIES {
        for a in *aliases {
            put(a, Feature::Body(value));
        }
    }
    map
});

/// Keys that can be reached by fuzzy matching: model and brand keys of five or more letters.
static FUZZY_KEYS: LazyLock<Vec<(Vec<char>, Feature)>> = LazyLock::new(|| {
    let mut keys: Vec<(Vec<char>, Feature)> = TABLE
        .iter()
        .filter(|(k, f)| {
            k.chars().count() >= 5
                && k.chars().all(|c| c.is_ascii_alphabetic())
                && matches!(f, Feature::Model(..) | Feature::Brand(_) | Feature::Fuel(_) | Feature::Transmission(_))
        })
        .map(|(k, f)| (k.chars().collect(), *f))
        .collect();
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    keys
});

/// Exact lookup of a joined key.
pub(crate) fn lookup(joined: &str) -> Option<Feature> {
    TABLE.get(joined).copied()
}

/// Whether a glued letters+digits token is a vehicle code that must not be split ("xl7", "l300", "320i").
pub(crate) fn is_code_token(word: &str) -> bool {
    matches!(word, "4x4" | "4x2" | "d4d" | "2wd" | "4wd" | "gt3")
        || (word.chars().any(|c| c.is_ascii_digit()) && TABLE.contains_key(word))
}

/// Fuzzy lookup of one word: Damerau–Levenshtein (optimal string alignment) distance 1 to exactly one feature.
pub(crate) fn fuzzy(word: &str) -> Option<Feature> {
    let w: Vec<char> = word.chars().collect();
    if w.len() < 5 || !w.iter().all(|c| c.is_ascii_alphabetic()) || is_known_word(word) {
        return None;
    }
    let mut found: Option<Feature> = None;
    for (k, f) in FUZZY_KEYS.iter() {
        if k.len().abs_diff(w.len()) > 1 {
            continue;
        }
        if osa_distance_at_most_1(&w, k) {
            match found {
                None => found = Some(*f),
                Some(prev) if prev == *f => {}
                Some(_) => return None, // ambiguous
            }
        }
    }
    found
}

/// Optimal string alignment distance ≤ 1: equal, or one insertion, deletion, substitution or adjacent
/// transposition apart. Linear time, no allocation.
pub(crate) fn osa_distance_at_most_1(a: &[char], b: &[char]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let Some(i) = short.iter().zip(long).position(|(x, y)| x != y) else {
        return long.len() - short.len() <= 1;
    };
    match long.len() - short.len() {
        0 => {
            short[i + 1..] == long[i + 1..]
                || (i + 1 < short.len()
                    && short[i] == long[i + 1]
                    && short[i + 1] == long[i]
                    && short[i + 2..] == long[i + 2..])
        }
        1 => short[i..] == long[i + 1..],
        _ => false,
    }
}

/// Optimal string alignment distance (restricted Damerau–Levenshtein), to check the fast test above.
#[cfg(test)]
fn osa_distance(a: &[char], b: &[char]) -> usize {
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[n][m]
}

/// Ordinary words that sit one typo away from a vehicle name and must never be read as one.
const COMMON_WORDS: &[&str] = &[
    "garis",
    "harus",
    "sinta",
    "shift",
    "cerita",
    "kabar",
    "harga",
    "hargaa",
    "murah",
    "mahal",
    "masih",
    "mobil",
    "mobilnya",
    "sudah",
    "belum",
    "tidak",
    "bisa",
    "minta",
    "kredit",
    "credit",
    "cicil",
    "cicilan",
    "angsuran",
    "tenor",
    "simulasi",
    "leasing",
    "kirim",
    "lihat",
    "datang",
    "besok",
    "sabtu",
    "minggu",
    "senin",
    "selasa",
    "kamis",
    "jumat",
    "alamat",
    "lokasi",
    "showroom",
    "sales",
    "admin",
    "tukar",
    "tambah",
    "jual",
    "dijual",
    "terjual",
    "laku",
    "berapa",
    "detail",
    "spesifikasi",
    "kondisi",
    "pajak",
    "banjir",
    "tabrak",
    "tabrakan",
    "video",
    "foto",
    "gambar",
    "interior",
    "booking",
    "tanda",
    "survey",
    "survei",
    "cari",
    "nyari",
    "ready",
    "stok",
    "unit",
    "semua",
    "katalog",
    "daftar",
    "price",
    "photo",
    "photos",
    "where",
    "there",
    "these",
    "thank",
    "thanks",
    "halo",
    "hallo",
    "hello",
    "selamat",
    "pagi",
    "siang",
    "malam",
    "permisi",
    "punten",
    "terima",
    "kasih",
    "makasih",
    "tolong",
    "hubungi",
    "telepon",
    "nomor",
    "warna",
    "putih",
    "hitam",
    "merah",
    "silver",
    "hijau",
    "kuning",
    "coklat",
    "cokelat",
    "orange",
    "maroon",
    "biru",
    "kalau",
    "untuk",
    "dengan",
    "sama",
    "atau",
    "tahun",
    "bulan",
    "tanggal",
    "keluaran",
    "rakitan",
    "registrasi",
    "budget",
    "bujet",
    "dana",
    "sekitar",
    "kisaran",
    "maksimal",
    "minimal",
    "mentok",
    "under",
    "above",
    "below",
    "diesel",
    "bensin",
    "solar",
    "hybrid",
    "listrik",
    "manual",
    "matic",
    "matik",
    "otomatis",
    "sedan",
    "pickup",
    "pikap",
    "seater",
    "keluarga",
    "orang",
    "robot",
    "human",
    "agent",
    "nego",
    "diskon",
    "promo",
    "turun",
    "naik",
    "inventory",
    "inventori",
    "rekap",
    "modal",
    "masuk",
    "sold",
    "tandai",
    "terakhir",
    "pertama",
    "kedua",
    "ketiga",
    "keempat",
    "kelima",
    "bekas",
    "baru",
    "second",
    "seken",
    "lengkap",
    "surat",
    "mesin",
    "bodi",
    "body",
    "kaca",
    "ban",
    "velg",
    "jalan",
    "rumah",
    "kantor",
    "daerah",
    "kota",
    "raya",
    "sport",
    "cross",
    "turbo",
    "ultimate",
    "limited",
    "prime",
    "exceed",
    "dakar",
    "satya",
    "sportivo",
    "luxury",
    "ready",
    "readyy",
    "tersedia",
    "available",
    "dong",
    "donk",
    "gimana",
    "bagaimana",
    "kenapa",
    "kapan",
    "siapa",
    "mana",
    "sini",
    "sana",
    "situ",
    "deal",
    "oke",
    "okay",
    "siap",
    "makan",
    "hujan",
    "nanti",
    "kabari",
    "pikir",
    "dulu",
    "lagi",
    "juga",
    "saja",
    "banget",
    "sekali",
    "kakak",
    "agan",
    "juragan",
    "bapak",
    "mbak",
    "ibu",
    "boleh",
    "mohon",
    "tanya",
    "nanya",
    "bertanya",
    "tahu",
    "info",
    "informasi",
    "cash",
    "tunai",
    "lunas",
    "bayar",
    "uang",
    "duit",
    "persen",
    "bunga",
    "biaya",
    "asuransi",
    "rupiah",
    "juta",
    "ribu",
    "miliar",
    "milyar",
    "sampai",
    "sampe",
    "hingga",
    "antara",
    "lebih",
    "kurang",
    "paling",
    "pakai",
    "pake",
    "irit",
    "hemat",
    "cepat",
    "lambat",
    "warna",
    "stnk",
    "bpkb",
    "plat",
    "pelat",
    "ganjil",
    "genap",
    "tangan",
    "pemakaian",
    "service",
    "servis",
    "riwayat",
    "kilometer",
    "odometer",
    "cicilannya",
    "rocky",
    "range",
    "rover",
    "serius",
    "series",
    "close",
    "closing",
    "lagian",
    "saya",
    "kami",
    "kamu",
    "anda",
    "mereka",
    "dapat",
    "dapet",
    "punya",
    "hanya",
    "cuma",
    "sudahkah",
    "whatsapp",
    "nomer",
    "kontak",
    "call",
    "visit",
    "trade",
    "drive",
    "testdrive",
    "location",
    "address",
    "price",
    "kasi",
    "kasih",
    "kirimin",
    "liatin",
    "tunjukin",
    "model",
    "merek",
    "merk",
    "brand",
    "tipe",
    "varian",
    "mobile",
    "motor",
    "truk",
    "truck",
    "apakah",
    "sedang",
    "semoga",
    "silakan",
    "silahkan",
    "selamat",
    "assalamualaikum",
    "waalaikumsalam",
    "salam",
    "shalom",
    "sabar",
    "siapa",
    "mantap",
    "mantab",
    "keren",
    "bagus",
    "jelek",
];

/// Whether a word is a known ordinary word (and so never fuzzily matched to a vehicle name).
pub(crate) fn is_known_word(word: &str) -> bool {
    static SET: LazyLock<std::collections::HashSet<&'static str>> =
        LazyLock::new(|| COMMON_WORDS.iter().copied().collect());
    SET.contains(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_normalised() {
        assert_eq!(key("HR-V"), "hrv");
        assert_eq!(key("hr v"), "hrv");
        assert_eq!(key("Karimun Wagon R"), "karimunwagonr");
    }

    #[test]
    fn exact_aliases() {
        assert_eq!(lookup("hrv"), Some(Feature::Model("HR-V", HONDA)));
        assert_eq!(lookup("inova"), Some(Feature::Model("Innova", TOYOTA)));
        assert_eq!(lookup("zenix"), Some(Feature::Model("Innova Zenix", TOYOTA)));
        assert_eq!(lookup("avanzaveloz"), Some(Feature::Model("Veloz", TOYOTA)));
        assert_eq!(lookup("mitsubisi"), Some(Feature::Brand(MITSUBISHI)));
        assert_eq!(lookup("dcab"), Some(Feature::Body("double_cabin")));
        assert_eq!(lookup("citycar"), Some(Feature::Body("hatchback")));
        assert_eq!(lookup("xl7"), Some(Feature::Model("XL7", SUZUKI)));
    }

    #[test]
    fn fuzzy_typos() {
        assert_eq!(fuzzy("xpandr"), Some(Feature::Model("Xpander", MITSUBISHI)));
        assert_eq!(fuzzy("fortunerr"), Some(Feature::Model("Fortuner", TOYOTA)));
        assert_eq!(fuzzy("fortner"), Some(Feature::Model("Fortuner", TOYOTA)));
        assert_eq!(fuzzy("avnaza"), Some(Feature::Model("Avanza", TOYOTA)));
        assert_eq!(fuzzy("daihatsi"), Some(Feature::Brand(DAIHATSU)));
        // Short words are never fuzzy; known words are never fuzzy.
        assert_eq!(fuzzy("jaz"), None);
        assert_eq!(fuzzy("garis"), None);
        assert_eq!(fuzzy("masih"), None);
    }

    #[test]
    fn common_words_never_fuzzy_match() {
        // Words likely in chats that are not in COMMON_WORDS must not become cars either.
        for w in ["kemarin", "sekarang", "tersedia", "gimana", "langsung", "cicilan", "sebulan", "dibawah", "keatas"] {
            assert_eq!(fuzzy(w), None, "{w}");
        }
    }

    #[test]
    fn fast_check_agrees_with_full_distance() {
        // Every pair of strings over a small alphabet up to length 5.
        let mut words: Vec<Vec<char>> = vec![vec![]];
        let mut frontier: Vec<Vec<char>> = vec![vec![]];
        for _ in 0..5 {
            let mut next = Vec::new();
            for w in &frontier {
                for c in ['a', 'b', 'c'] {
                    let mut x = w.clone();
                    x.push(c);
                    next.push(x);
                }
            }
            words.extend(next.iter().cloned());
            frontier = next;
        }
        for a in &words {
            for b in &words {
                assert_eq!(osa_distance_at_most_1(a, b), osa_distance(a, b) <= 1, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn osa() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(osa_distance(&c("avanza"), &c("avnaza")), 1);
        assert_eq!(osa_distance(&c("kitten"), &c("sitting")), 3);
        assert_eq!(osa_distance(&c(""), &c("abc")), 3);
    }
}
