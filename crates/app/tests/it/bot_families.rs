//! Issue #15, section 1: how people really write, through the real engine (the simulator), offline. One scripted
//! chat per family: spoken amounts, relative refinements, references by attribute, exclusions, several models and
//! transmission words, location in many forms, staff writing about a customer, not-for-us messages, and the
//! sticky-context rule with seat counts. The stock is `bot::stock()`; each test gives some cars distinct
//! mileage or seats where the family compares them.

use crate::bot::{CUSTOMER, SALES_PHONE, Showroom, images, text};

/// Changes one car's stored fields directly (the test's set-up, not the feature under test).
async fn set(s: &Showroom, stock_no: i64, change: impl FnOnce(&mut garasi_domain::car::CarFields)) {
    let id = s.car_id(stock_no).parse().unwrap();
    let mut tx = s.app.runtime_db().tenant(s.tenant).begin_write().await.unwrap();
    let mut fields = tx.cars().get(id).await.unwrap().unwrap().fields;
    change(&mut fields);
    tx.cars().update(id, &fields).await.unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn spoken_amounts_and_numbers_that_are_not_prices() {
    let s = Showroom::open().await;
    // "budget dua ratus" is at most 200 jt: everything but the Fortuner.
    let r = s.say(CUSTOMER, "budget dua ratus").await;
    let t = text(&r);
    assert_eq!(r["intent"], "search");
    assert!(t.contains("Ketemu *4 mobil*") && !t.contains("Fortuner"), "{t}");
    // "150an" is 135–165 jt: the Brio (165 jt) only.
    let t = text(&s.say("+6281299990002", "ada yang 150an?").await);
    assert!(t.contains("Ketemu *1 mobil*") && t.contains("Honda Brio"), "{t}");
    // "dana cuma 130": the Xenia.
    let t = text(&s.say("+6281299990003", "dana cuma 130").await);
    assert!(t.contains("Ketemu *1 mobil*") && t.contains("Daihatsu Xenia"), "{t}");
    // "1.2" is an engine size, never a price.
    let r = s.say("+6281299990004", "brio 1.2 ada?").await;
    assert_eq!(r["intent"], "search");
    assert!(text(&r).contains("Honda Brio RS 2020"), "{r}");
}

#[tokio::test]
async fn relative_refinements_filter_against_the_cars_last_shown() {
    let s = Showroom::open().await;
    set(&s, 4, |f| f.mileage_km = 30_000).await; // Rush
    set(&s, 1, |f| f.mileage_km = 60_000).await; // Avanza

    // Cheaper than the car in focus, keeping the rest of the search.
    let t = text(&s.say(CUSTOMER, "mobil dibawah 200").await);
    assert!(t.contains("Ketemu *4 mobil*"), "{t}");
    assert!(text(&s.say(CUSTOMER, "yang pertama").await).starts_with("*Toyota Avanza 1.5 G 2021*"));
    let r = s.say(CUSTOMER, "ada yang lebih murah?").await;
    let t = text(&r);
    assert_eq!(r["intent"], "search");
    assert!(t.contains("Ketemu *3 mobil*") && !t.contains("Avanza"), "{t}");

    // Newer than the one in focus, same brand.
    let c = "+6281299990011";
    s.say(c, "toyota").await;
    assert!(text(&s.say(c, "yang fortuner itu").await).starts_with("*Toyota Fortuner"));
    let t = text(&s.say(c, "ada yang lebih baru?").await);
    assert!(t.contains("Ketemu *1 mobil*") && t.contains("Toyota Avanza"), "{t}");

    // Lower mileage than the car in focus.
    let c = "+6281299990012";
    s.say(c, "toyota").await;
    assert!(text(&s.say(c, "yang pertama").await).starts_with("*Toyota Avanza"));
    let t = text(&s.say(c, "yang km-nya lebih rendah ada?").await);
    assert!(t.contains("Toyota Rush") && !t.contains("Toyota Avanza"), "{t}");
}

#[tokio::test]
async fn references_by_attribute_resolve_against_memory() {
    let s = Showroom::open().await;
    set(&s, 5, |f| f.mileage_km = 12_000).await; // Xenia
    s.say(CUSTOMER, "mobil dibawah 200").await;
    let r = s.say(CUSTOMER, "yang 2018 itu").await;
    assert_eq!(r["intent"], "context_reference");
    assert!(text(&r).starts_with("*Toyota Rush 1.5 S 2018* (no. 4)"), "{r}");
    let t = text(&s.say(CUSTOMER, "yang km-nya paling kecil").await);
    assert!(t.starts_with("*Daihatsu Xenia 1.3 R 2017* (no. 5)"), "{t}");

    // "balik ke yang sebelumnya": the list before the last one, which is current again.
    let c = "+6281299990021";
    s.say(c, "toyota").await;
    s.say(c, "brio").await;
    let t = text(&s.say(c, "balik ke yang sebelumnya").await);
    assert!(t.contains("Toyota Fortuner") && t.contains("Toyota Rush") && !t.contains("Brio"), "{t}");
    let t = text(&s.say(c, "yang kedua").await);
    assert!(t.starts_with("*Toyota "), "a car of the Toyota list again: {t}");
}

#[tokio::test]
async fn exclusions_are_applied_by_the_search() {
    let s = Showroom::open().await;
    let t = text(&s.say(CUSTOMER, "mobil dibawah 200").await);
    assert!(t.contains("Ketemu *4 mobil*"), "{t}");
    // A follow-up: the ceiling stays, the manuals (Brio, Xenia) go.
    let r = s.say(CUSTOMER, "jangan yang manual").await;
    let t = text(&r);
    assert_eq!(r["intent"], "search");
    assert!(t.contains("Ketemu *2 mobil*") && t.contains("Avanza") && t.contains("Rush"), "{t}");
    // And then not white either: the Rush.
    let t = text(&s.say(CUSTOMER, "asal jangan warna putih").await);
    assert!(t.contains("Ketemu *1 mobil*") && t.contains("Toyota Rush"), "{t}");

    let t = text(&s.say("+6281299990031", "selain toyota ada apa?").await);
    assert!(t.contains("Honda Brio") && t.contains("Daihatsu Xenia") && !t.contains("Toyota Avanza"), "{t}");
    let t = text(&s.say("+6281299990032", "ada SUV bukan diesel?").await);
    assert!(t.contains("Toyota Rush") && !t.contains("Fortuner"), "{t}");
}

#[tokio::test]
async fn several_models_and_transmission_words() {
    let s = Showroom::open().await;
    let t = text(&s.say(CUSTOMER, "brio atau xenia").await);
    assert!(t.contains("Ketemu *2 mobil*") && t.contains("Honda Brio") && t.contains("Daihatsu Xenia"), "{t}");
    let t = text(&s.say("+6281299990041", "avanza cvt").await);
    assert!(t.contains("Toyota Avanza"), "{t}");
    let t = text(&s.say("+6281299990042", "xenia MT").await);
    assert!(t.contains("Daihatsu Xenia"), "{t}");
    // The Brio is manual: a "triptonik" Brio is not in stock.
    let t = text(&s.say("+6281299990043", "brio triptonik").await);
    assert!(t.contains("belum ada mobil Honda · Brio"), "{t}");
}

#[tokio::test]
async fn location_in_many_forms() {
    let s = Showroom::open().await;
    for (i, msg) in ["lokasine ning endi mas", "alamatna dimana teh", "keluar tol mana ya", "ada cabang di bekasi?"]
        .into_iter()
        .enumerate()
    {
        let r = s.say(&format!("+628129999005{i}"), msg).await;
        assert_eq!(r["intent"], "location", "{msg}: {r}");
        assert!(text(&r).contains("Jl. Raya Bogor No. 17"), "{msg}: {r}");
    }
}

#[tokio::test]
async fn staff_writing_about_a_customer() {
    let s = Showroom::open().await;
    s.upload_photos(4, 2).await;
    let r = s.say(SALES_PHONE, "ada customer cari fortuner diesel, ada unit?").await;
    let t = text(&r);
    assert_eq!((r["role"].as_str(), r["intent"].as_str()), (Some("sales"), Some("search")), "{r}");
    assert!(t.contains("Toyota Fortuner 2.4 VRZ 2019") && !t.contains("📦"), "a search, not the stock summary: {t}");
    let r = s.say(SALES_PHONE, "kirim foto stok 4, cust minta lihat interior").await;
    assert_eq!(r["intent"], "photos", "{r}");
    assert_eq!(images(&r).len(), 2);
    assert!(text(&r).contains("Toyota Rush"), "{r}");
}

#[tokio::test]
async fn not_for_us_gets_a_polite_answer_and_never_a_search() {
    let s = Showroom::open().await;
    let r = s.say(CUSTOMER, "nmax ada?").await;
    let t = text(&r);
    assert_eq!(r["intent"], "unknown");
    assert!(t.contains("hanya menjual *mobil*") && !t.contains("Ketemu"), "{t}");
    let r = s.say("+6281299990061", "SELAMAT! Anda menang undian 100 juta, klik link ini").await;
    assert_eq!(r["intent"], "unknown");
    assert!(text(&r).contains("bukan tentang mobil"), "{r}");
    let r = s.say("+6281299990062", "jual rumah ga?").await;
    assert!(text(&r).contains("hanya bisa bantu soal mobil"), "{r}");
    // No lead for spam.
    assert!(s.lead_of("+6281299990061").await.is_none());
}

#[tokio::test]
async fn a_new_search_drops_the_old_brand_and_seven_seats_is_a_seat_count() {
    let s = Showroom::open().await;
    set(&s, 3, |f| f.seats = Some(5)).await; // Brio
    set(&s, 4, |f| f.seats = None).await; // Rush: unknown seats, an SUV
    let t = text(&s.say(CUSTOMER, "toyota matic").await);
    assert!(t.contains("Toyota Avanza") && !t.contains("Xenia"), "{t}");
    // A new search: the Toyota of before is not kept; 7 seats, not "MPV".
    let r = s.say(CUSTOMER, "cari yang 7 seater dibawah 200").await;
    let t = text(&r);
    assert!(t.contains("Daihatsu Xenia") && t.contains("Toyota Avanza"), "{t}");
    assert!(!t.contains("Honda Brio"), "5 seats: {t}");
    assert!(!t.contains("Toyota Rush"), "seats unknown and not an MPV: {t}");
    // A follow-up keeps the search it narrows.
    let t = text(&s.say(CUSTOMER, "yang matic aja").await);
    assert!(t.contains("Toyota Avanza") && !t.contains("Xenia"), "{t}");
}
