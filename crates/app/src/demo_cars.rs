//! A believable used-car stock for the demo showrooms: popular Indonesian models
//! with prices, years and mileage in the ranges the market shows.

use serde_json::{Value, json};

/// brand, model, variant, year, price (Rp), km, transmission, fuel, body, colour, cc, seats, plate
type DemoCar = (
    &'static str,
    &'static str,
    &'static str,
    i64,
    i64,
    i64,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    i64,
    &'static str,
);

pub const STOCK: &[DemoCar] = &[
    ("Toyota", "Avanza", "1.5 G", 2021, 195_000_000, 38_000, "AT", "bensin", "MPV", "Putih", 1496, 7, "B 1234 KJT"),
    (
        "Mitsubishi",
        "Xpander",
        "Ultimate",
        2022,
        255_000_000,
        21_000,
        "AT",
        "bensin",
        "MPV",
        "Hitam",
        1499,
        7,
        "B 2271 SFA",
    ),
    ("Honda", "Brio", "Satya E", 2020, 138_000_000, 42_000, "MT", "bensin", "LCGC", "Merah", 1199, 5, "D 1827 ADX"),
    ("Toyota", "Fortuner", "2.4 VRZ", 2019, 435_000_000, 67_000, "AT", "diesel", "SUV", "Hitam", 2393, 7, "B 1001 RFS"),
    ("Honda", "HR-V", "1.5 E", 2020, 289_000_000, 35_000, "AT", "bensin", "SUV", "Abu-abu", 1497, 5, "B 1558 PQR"),
    (
        "Toyota",
        "Innova",
        "2.4 V Reborn",
        2018,
        335_000_000,
        88_000,
        "AT",
        "diesel",
        "MPV",
        "Silver",
        2393,
        7,
        "B 1990 TOR",
    ),
    ("Suzuki", "Ertiga", "GX", 2021, 189_000_000, 30_000, "MT", "bensin", "MPV", "Putih", 1462, 7, "F 1456 GH"),
    ("Daihatsu", "Xenia", "1.3 R", 2019, 152_000_000, 61_000, "MT", "bensin", "MPV", "Silver", 1329, 7, "B 2732 KLM"),
    ("Honda", "Jazz", "RS", 2017, 189_000_000, 74_000, "AT", "bensin", "hatchback", "Oranye", 1497, 5, "B 1777 JZZ"),
    ("Toyota", "Rush", "1.5 S TRD", 2021, 239_000_000, 27_000, "AT", "bensin", "SUV", "Putih", 1496, 7, "L 1310 AB"),
    (
        "Mitsubishi",
        "Pajero Sport",
        "Dakar 4x2",
        2020,
        495_000_000,
        52_000,
        "AT",
        "diesel",
        "SUV",
        "Putih",
        2442,
        7,
        "B 1 DKR",
    ),
    ("Daihatsu", "Ayla", "1.2 R", 2022, 129_000_000, 15_000, "AT", "bensin", "LCGC", "Kuning", 1198, 5, "AB 1602 XY"),
    ("Toyota", "Calya", "1.2 G", 2020, 128_000_000, 47_000, "MT", "bensin", "LCGC", "Merah", 1197, 7, "B 2901 CLY"),
    (
        "Honda",
        "CR-V",
        "1.5 Turbo Prestige",
        2019,
        415_000_000,
        58_000,
        "AT",
        "bensin",
        "SUV",
        "Hitam",
        1498,
        7,
        "B 1818 CRV",
    ),
    ("Suzuki", "XL7", "Alpha", 2022, 235_000_000, 19_000, "AT", "bensin", "SUV", "Biru", 1462, 7, "D 1077 XL"),
    ("Toyota", "Vios", "1.5 G", 2018, 185_000_000, 69_000, "AT", "bensin", "sedan", "Silver", 1496, 5, "B 1313 VIO"),
    (
        "Wuling",
        "Air ev",
        "Long Range",
        2023,
        215_000_000,
        8_000,
        "AT",
        "listrik",
        "hatchback",
        "Putih",
        0,
        4,
        "B 1924 EVA",
    ),
    (
        "Toyota",
        "Hilux",
        "2.4 E Double Cabin",
        2021,
        385_000_000,
        44_000,
        "MT",
        "diesel",
        "double_cabin",
        "Putih",
        2393,
        5,
        "B 9120 HLX",
    ),
    (
        "Daihatsu",
        "Gran Max",
        "Pick Up 1.5",
        2020,
        142_000_000,
        81_000,
        "MT",
        "bensin",
        "pickup",
        "Hitam",
        1495,
        2,
        "B 9344 GMX",
    ),
    (
        "Toyota",
        "Innova Zenix",
        "2.0 Q Hybrid",
        2023,
        565_000_000,
        12_000,
        "AT",
        "hybrid",
        "MPV",
        "Hitam",
        1987,
        7,
        "B 1 ZNX",
    ),
];

/// Stock for demo showroom `index`: each showroom gets a different slice and mix
/// of statuses, so the two sites do not look alike.
pub fn stock_for(index: usize) -> Vec<Value> {
    let statuses = ["available", "available", "available", "booked", "available", "sold", "available", "draft"];
    STOCK
        .iter()
        .enumerate()
        .filter(|(i, _)| index == 0 || i % 5 != 4)
        .map(|(i, &(brand, model, variant, year, price, km, tr, fuel, body, color, cc, seats, plate))| {
            // The second showroom prices a little differently.
            let price = if index == 0 { price } else { price + ((i as i64 % 3) - 1) * 5_000_000 };
            let status = statuses[(i + index) % statuses.len()];
            json!({
                "brand": brand, "model": model, "variant": variant, "year": year, "price": price,
                "credit_price": if i % 3 == 0 { Some(price - 10_000_000) } else { None },
                "negotiable": i % 4 != 0, "floor_price": price - price / 20, "mileage_km": km,
                "transmission": tr, "fuel": fuel, "body_type": body, "color": color,
                "engine_cc": if cc > 0 { Some(cc) } else { None }, "seats": seats, "plate_number": plate,
                "tax_paid_until": format!("{}-{:02}", 2026 + (i as i64 % 2), 1 + i % 12),
                "stnk": true, "bpkb": i % 7 != 3, "first_owner": i % 2 == 0, "condition": "used",
                "description": format!(
                    "{brand} {model} {variant} tahun {year}, warna {}. Kondisi terawat, servis rutin, kilometer {} km. \
                     Surat lengkap, siap pakai. Bisa kredit dengan DP ringan.",
                    color.to_lowercase(), km
                ),
                "internal_notes": format!("Titipan, harga net {} jt.", (price - price / 20) / 1_000_000),
                "status": status, "featured": i % 6 == 0,
                "specs": { "Airbag": if price > 250_000_000 { "6" } else { "2" }, "Kunci": "2 kunci lengkap" },
            })
        })
        .collect()
}

/// A body colour for the generated photo, by colour name.
pub fn paint(color: &str) -> [u8; 3] {
    match color {
        "Putih" => [235, 236, 238],
        "Hitam" => [30, 32, 36],
        "Merah" => [180, 30, 35],
        "Silver" => [170, 175, 180],
        "Abu-abu" => [110, 115, 120],
        "Oranye" => [230, 120, 30],
        "Kuning" => [235, 200, 40],
        "Biru" => [30, 80, 170],
        _ => [90, 120, 150],
    }
}

#[cfg(test)]
mod tests {
    use garasi_domain::car::CarFields;

    #[test]
    fn every_demo_car_is_valid() {
        for index in 0..2 {
            let stock = super::stock_for(index);
            assert!(stock.len() >= 15);
            for car in stock {
                CarFields::from_json(car.as_object().unwrap(), 2026).unwrap_or_else(|e| panic!("{car}: {e}"));
            }
        }
    }
}
