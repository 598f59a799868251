//! Worked examples from domain.md §3 and the issue, checked field by field (filters and extras).

use garasi_bot::nlu::{Filters, Intent, ModelFilter, ORDINAL_LAST, Role, understand};

const JT: i64 = 1_000_000;

fn one(m: &str) -> Option<ModelFilter> {
    Some(ModelFilter::One(m.to_string()))
}

#[test]
fn domain_worked_examples() {
    let u = understand("ada xenia matic thn 18 ke atas maks 140?", Role::Customer);
    assert_eq!(u.intent, Intent::Search);
    assert_eq!(
        u.filters,
        Filters {
            brand: Some("Daihatsu".into()),
            model: one("Xenia"),
            transmission: Some("AT".into()),
            year_min: Some(2018),
            price_max: Some(140 * JT),
            ..Filters::default()
        }
    );
    assert_eq!(u.extras.budget, Some(140 * JT));

    let u = understand("mobilio 1.5 E rakitan 2017 km 70rban harga net 135", Role::Customer);
    assert_eq!(u.filters.model, one("Mobilio"));
    assert_eq!(u.filters.brand.as_deref(), Some("Honda"));
    assert_eq!((u.filters.year_min, u.filters.year_max), (Some(2017), Some(2017)));
    assert_eq!(u.filters.price_max, Some(135 * JT));
    assert_eq!(u.extras.mileage_max_km, Some(70_000));

    let u = understand("vellfire 2019 dana 1,3 M", Role::Customer);
    assert_eq!(u.filters.model, one("Vellfire"));
    assert_eq!(u.filters.price_max, Some(1_300 * JT));
    assert_eq!((u.filters.year_min, u.filters.year_max), (Some(2019), Some(2019)));

    let u = understand("BR-V sm XL7 kisaran 210an, dp brp?", Role::Customer);
    assert_eq!(u.intent, Intent::CreditSimulation);
    assert_eq!(u.filters.model, Some(ModelFilter::Many(vec!["BR-V".into(), "XL7".into()])));
    assert_eq!(u.filters.brand, None, "models of two brands");
    assert_eq!((u.filters.price_min, u.filters.price_max), (Some(189 * JT), Some(231 * JT)));
}

#[test]
fn traps() {
    // M is miliar.
    assert_eq!(understand("budget 2,5 M", Role::Customer).filters.price_max, Some(2_500 * JT));
    assert_eq!(understand("dibawah setengah M", Role::Customer).filters.price_max, Some(500 * JT));
    // Thousands separators.
    assert_eq!(understand("harga 150.000.000", Role::Customer).filters.price_max, Some(150 * JT));
    // Engine size is not money, trims are not models.
    let u = understand("avanza 1.5 G 2019", Role::Customer);
    assert_eq!((u.filters.price_min, u.filters.price_max), (None, None));
    assert_eq!(u.filters.model, one("Avanza"));
    // Plates are neither years nor prices.
    let u = understand("avanza B 2019 KZT", Role::Customer);
    assert_eq!((u.filters.year_min, u.filters.price_max), (None, None));
    // A word inside a model name is not a cue: "max" in "Gran Max".
    let u = understand("gran max pu 2019", Role::Customer);
    assert_eq!((u.filters.year_min, u.filters.year_max), (Some(2019), Some(2019)));
    assert_eq!(u.filters.model, one("Gran Max"));
    // km 150rb is mileage.
    let u = understand("km 150rb", Role::Customer);
    assert_eq!(u.filters.price_max, None);
    assert_eq!(u.extras.mileage_max_km, Some(150_000));
}

#[test]
fn stock_numbers() {
    for (text, n) in [("detail no 12", 12), ("mobil nomor 7", 7), ("#12", 12), ("unit 12", 12)] {
        let u = understand(text, Role::Customer);
        assert_eq!(u.filters.stock_no, Some(n), "{text}");
        assert_eq!(u.intent, Intent::Detail, "{text}");
    }
}

#[test]
fn roles() {
    assert_eq!(understand("list semua stok", Role::Customer).intent, Intent::List);
    assert_eq!(understand("list semua stok", Role::Sales).intent, Intent::Inventory);
    assert_ne!(understand("terjual", Role::Customer).intent, Intent::MarkSold);
    assert_eq!(understand("terjual no 5", Role::Sales).intent, Intent::MarkSold);
    assert_eq!(understand("harga fortuner berapa", Role::Sales).intent, Intent::Price);
    // "sudah DP" is booked, not sold.
    assert_eq!(understand("no 3 sudah dp", Role::Sales).intent, Intent::Inventory);
}

#[test]
fn context_references() {
    let u = understand("yang kedua", Role::Customer);
    assert_eq!((u.intent, u.extras.ordinal), (Intent::ContextReference, Some(2)));
    let u = understand("detail yang kedua", Role::Customer);
    assert_eq!((u.intent, u.extras.ordinal), (Intent::Detail, Some(2)));
    let u = understand("yang putih ada fotonya?", Role::Customer);
    assert_eq!((u.intent, u.extras.color.as_deref()), (Intent::Photos, Some("putih")));
    let u = understand("fotonya dong", Role::Customer);
    assert_eq!(u.intent, Intent::Photos);
    let u = understand("yg terakhir", Role::Customer);
    assert_eq!(u.extras.ordinal, Some(ORDINAL_LAST));
    let u = understand("yg tadi brp", Role::Customer);
    assert_eq!(u.intent, Intent::Price);
}

#[test]
fn extras() {
    let u = understand("dp 30% tenor 4 thn brp", Role::Customer);
    assert_eq!(u.intent, Intent::CreditSimulation);
    assert_eq!((u.extras.dp_percent, u.extras.tenor_years), (Some(30.0), Some(4)));
    assert_eq!(u.extras.payment_method.as_deref(), Some("credit"));

    let u = understand("cicilan brp kalo dp 50jt", Role::Customer);
    assert_eq!(u.extras.dp_amount, Some(50 * JT));
    assert_eq!(u.filters.price_max, None);

    let u = understand("namanya Budi, tolong hubungi ke 0857 1234 5678", Role::Customer);
    assert_eq!(u.intent, Intent::Visit);
    assert_eq!(u.extras.name.as_deref(), Some("Budi"));
    assert_eq!(u.extras.phone.as_deref(), Some("+6285712345678"));

    let u = understand("harga cash berapa", Role::Customer);
    assert_eq!(u.extras.payment_method.as_deref(), Some("cash"));

    let u = understand("budget 250an cari xpander", Role::Customer);
    assert_eq!(u.extras.budget, Some(250 * JT));
    assert_eq!(u.filters.price_max, Some(275 * JT));

    // Staff messages do not reveal a customer's budget or payment method.
    let u = understand("harga cash avanza no 12 150jt", Role::Sales);
    assert_eq!((u.extras.budget, u.extras.payment_method), (None, None));
}

#[test]
fn confidence() {
    let conf = |t: &str| understand(t, Role::Customer).confidence;
    assert!(conf("halo kak") >= 0.9);
    assert!(conf("cari avanza 2019 dibawah 200jt") >= 0.8);
    assert!(conf("dp 30% tenor 4 thn brp") >= 0.8);
    assert!(conf("asdfgh qwerty") < 0.6);
    assert!(conf(&"avanza ".repeat(500)) <= 0.4, "truncated input");
    for t in ["", "ok", "avanza", "yang kedua", "?"] {
        let c = conf(t);
        assert!((0.0..=1.0).contains(&c), "{t}: {c}");
    }
}
