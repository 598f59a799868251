//! Seeds a database for the public-site load benchmark (`bench/wrk-catalogue.sh`):
//! many showrooms with a full stock each, written through the store API with the same
//! validation as the JSON API.
//!
//! ```text
//! GARASI_DATA_DIR=/tmp/garasi-bench cargo run --release -p garasi-app --example seed_bench -- \
//!     [--tenants 50] [--cars 400] [--photos 12]
//! ```
//!
//! Showrooms are `bench1` … `benchN` (served at `benchN.<tenant domain>`). The newest
//! `--photos` cars of each showroom (the first catalogue page) get one real photo run
//! through the photo pipeline once and stored per car; the rest have none, which keeps
//! the data dir small (about 0.4 MB per photo). Settings come from the usual flags and
//! `GARASI_*` variables (data dir, database URL). Seeding again skips showrooms that exist.

use std::time::Instant;

use anyhow::Context;
use clap::Parser;
use garasi_app::settings::{SettingArgs, Settings};
use garasi_domain::car::CarFields;
use garasi_domain::{Email, Role, TenantSettings};
use garasi_media::{ProcessOptions, demo_car_image, process_bytes};
use garasi_store::platform::NewTenant;
use garasi_store::tenant::NewUser;
use serde_json::json;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    settings: SettingArgs,
    /// How many showrooms.
    #[arg(long, default_value_t = 50)]
    tenants: usize,
    /// Cars per showroom.
    #[arg(long, default_value_t = 400)]
    cars: usize,
    /// Cars per showroom (the newest) that get a photo.
    #[arg(long, default_value_t = 12)]
    photos: usize,
}

const MODELS: &[(&str, &str, &str, &str)] = &[
    ("Toyota", "Avanza", "1.5 G", "MPV"),
    ("Toyota", "Innova", "2.4 V", "MPV"),
    ("Toyota", "Fortuner", "2.4 VRZ", "SUV"),
    ("Toyota", "Calya", "1.2 G", "LCGC"),
    ("Honda", "Brio", "Satya E", "LCGC"),
    ("Honda", "HR-V", "1.5 E", "SUV"),
    ("Honda", "Jazz", "RS", "hatchback"),
    ("Mitsubishi", "Xpander", "Ultimate", "MPV"),
    ("Mitsubishi", "Pajero Sport", "Dakar", "SUV"),
    ("Suzuki", "Ertiga", "GX", "MPV"),
    ("Daihatsu", "Xenia", "1.3 R", "MPV"),
    ("Daihatsu", "Ayla", "1.2 R", "LCGC"),
    ("Nissan", "Livina", "VL", "MPV"),
    ("Wuling", "Almaz", "RS", "SUV"),
];
const COLORS: &[&str] = &["Putih", "Hitam", "Silver", "Abu-abu", "Merah", "Biru"];
const REGIONS: &[&str] = &["B", "D", "F", "L", "AB", "H"];

fn car_json(tenant: usize, i: usize) -> serde_json::Value {
    let (brand, model, variant, body) = MODELS[(i + tenant) % MODELS.len()];
    let year = 2014 + (i % 11) as i64;
    let price = 90_000_000 + ((i * 7_919 + tenant * 104_729) % 400) as i64 * 1_000_000;
    json!({
        "brand": brand, "model": model, "variant": variant, "year": year, "price": price,
        "credit_price": price - 5_000_000, "negotiable": !i.is_multiple_of(3), "floor_price": price - 8_000_000,
        "mileage_km": 5_000 + (i * 3_571 % 150_000), "transmission": if i.is_multiple_of(2) { "AT" } else { "MT" },
        "fuel": if body == "SUV" && i.is_multiple_of(3) { "diesel" } else { "bensin" }, "body_type": body,
        "color": COLORS[i % COLORS.len()], "engine_cc": 1200 + (i % 12) * 100, "seats": 7,
        "plate_number": format!("{} {} XYZ", REGIONS[i % REGIONS.len()], 1000 + i), "tax_paid_until": "2026-08",
        "stnk": true, "bpkb": true, "first_owner": i.is_multiple_of(4), "condition": "used",
        "description": "Unit terawat, servis rutin, surat lengkap. Bisa kredit dan tukar tambah.",
        "internal_notes": "bench", "status": if i % 25 == 24 { "booked" } else { "available" },
        "featured": false, "specs": { "Airbag": "2", "Kunci": "2 kunci" },
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = Settings::resolve(&cli.settings).context("settings")?;
    let db = garasi_app::server::open_database(&settings).await?;
    let (media, _) = garasi_app::server::open_media(&settings).await?;
    let started = Instant::now();
    let processed = tokio::task::spawn_blocking(|| {
        process_bytes(&demo_car_image("GARASI BENCH", [200, 200, 205], 1280, 800), &ProcessOptions::default())
    })
    .await??;
    let owner_hash = garasi_web::hash_password("Bench-Sekali-2026").await?;
    let platform = db.platform();
    let mut created = 0;
    for t in 1..=cli.tenants {
        let slug = format!("bench{t}");
        if platform.tenant_by_slug(&slug).await?.is_some() {
            continue;
        }
        let owner = NewUser {
            email: Email::parse(&format!("pemilik@{slug}.test"))?,
            name: format!("Pemilik {slug}"),
            role: Role::Owner,
            password_hash: owner_hash.clone(),
        };
        let new = NewTenant {
            slug: slug.clone(),
            name: format!("Showroom Bench {t}"),
            whatsapp_number: Some(format!("+62812{:08}", t)),
            domain: None,
        };
        let mut ts = TenantSettings::default();
        ts.profile.about = "Showroom mobil bekas untuk uji beban.".into();
        ts.profile.address = format!("Jl. Uji Beban No. {t}");
        ts.profile.city = "Jakarta".into();
        ts.profile.opening_hours = "Senin–Sabtu 08.00–17.00".into();
        let (tenant, _) = platform.create_tenant(&new, &owner, &ts.to_json()).await?;
        let mut tx = db.tenant(tenant.id).begin_write().await?;
        for i in 0..cli.cars {
            let input = car_json(t, i);
            let fields = CarFields::from_json(input.as_object().context("object")?, 2026)
                .map_err(|e| anyhow::anyhow!("bench car invalid: {e}"))?;
            let car = tx.cars().create(&fields).await?;
            if i + cli.photos >= cli.cars {
                garasi_app::demo::attach_photo(&mut tx, media.as_ref(), tenant.id, car.id, processed.clone()).await?;
            }
        }
        tx.commit().await?;
        created += 1;
        if t % 10 == 0 {
            eprintln!("{t} showrooms ({:.1} s)", started.elapsed().as_secs_f64());
        }
    }
    println!(
        "seeded {created} showrooms × {} cars in {:.1} s (data dir {})",
        cli.cars,
        started.elapsed().as_secs_f64(),
        settings.data_dir.display()
    );
    Ok(())
}
