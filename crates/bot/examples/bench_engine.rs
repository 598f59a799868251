//! Latency of the offline bot, from an inbound message to its reply persisted (inbox row,
//! role lookup, conversation, rate limit, memory, understanding, car queries, reply row,
//! outbox job, lead writes): p50 and p99 over 1,000 simulated messages, with 1 sender at a
//! time and with several senders at once (`--concurrency 1,8,32`: that many tasks, each a
//! set of senders of its own talking in turn, so one sender's messages stay in order).
//!
//! ```sh
//! cargo run -p garasi-bot --release --example bench_engine            # SQLite file in a temp dir
//! GARASI_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1/garasi_bench \
//!   cargo run -p garasi-bot --release --example bench_engine          # an empty PostgreSQL database
//! ```
//! With `GARASI_BENCH_RUNTIME_URL=postgres://<runtime role>@…/garasi_bench` as well, the owner URL
//! migrates and grants and the bot runs as that NOSUPERUSER NOBYPASSRLS role, with RLS enforced.
//! Options: `--messages N` per run (default 1000), `--senders N` (default 100), `--cars N` (default 40),
//! `--concurrency LIST` (default `1,8,32`; also `GARASI_BENCH_CONCURRENCY`). Each run has senders of its own.

use std::sync::Arc;
use std::time::{Duration, Instant};

use garasi_bot::ContactBudget;
use garasi_bot::memory::DbMemory;
use garasi_bot::{BotConfig, Engine, Inbound, TenantRef};
use garasi_domain::car::CarFields;
use garasi_domain::{Email, PhoneNumber, Role};
use garasi_service::kv::MemoryKv;
use garasi_store::platform::NewTenant;
use garasi_store::tenant::{NewSalesPerson, NewUser};
use garasi_store::{Db, DbOptions};
use serde_json::json;

/// What customers typically send, in order: each sender runs through it.
const SCRIPT: &[&str] = &[
    "halo",
    "Ada mobil apa?",
    "Toyota budget 200 juta",
    "yang kedua",
    "fotonya dong",
    "DP 30% tenor 4 tahun brp?",
    "avanza matic 2019 keatas dibawah 220jt",
    "yang putih",
    "/detail 3",
    "Mau lihat langsung",
];

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// `--concurrency 1,8,32` (or `GARASI_BENCH_CONCURRENCY`): how many senders talk at once, per run.
fn concurrency_levels() -> Vec<usize> {
    let args: Vec<String> = std::env::args().collect();
    let raw = args
        .iter()
        .position(|a| a == "--concurrency")
        .and_then(|i| args.get(i + 1).cloned())
        .or_else(|| std::env::var("GARASI_BENCH_CONCURRENCY").ok())
        .unwrap_or_else(|| "1,8,32".into());
    let levels: Vec<usize> = raw.split(',').filter_map(|v| v.trim().parse().ok()).filter(|&n| n > 0).collect();
    if levels.is_empty() { vec![1] } else { levels }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let messages = arg("--messages", 1000);
    let senders = arg("--senders", 100).max(1);
    let cars = arg("--cars", 40);
    let dir = std::env::temp_dir().join(format!("garasi-bench-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = std::env::var("GARASI_BENCH_DATABASE_URL").unwrap_or_else(|_| Db::sqlite_url_for_dir(&dir));
    let db = Db::connect(&url, &DbOptions::default()).await.expect("database");
    db.migrate().await.expect("migrate");
    // PostgreSQL as production runs it: a NOSUPERUSER NOBYPASSRLS runtime role, so
    // row-level security is on. The owner URL above migrates and grants.
    let db = match std::env::var("GARASI_BENCH_RUNTIME_URL") {
        Ok(runtime_url) => {
            let runtime = Db::connect(&runtime_url, &DbOptions::default()).await.expect("runtime database");
            let check = runtime.runtime_role_check().await.expect("role check").expect("a PostgreSQL role");
            assert!(check.is_safe(), "the runtime role bypasses RLS: {check:?}");
            db.grant_runtime_role(&check.role).await.expect("grant");
            db.close().await;
            runtime
        }
        Err(_) => db,
    };

    let slug = format!("bench{}", &uuid::Uuid::now_v7().simple().to_string()[24..]);
    let (tenant, _) = db
        .platform()
        .create_tenant(
            &NewTenant { slug: slug.clone(), name: "Showroom Bench".into(), whatsapp_number: None, domain: None },
            &NewUser {
                email: Email::parse(&format!("owner@{slug}.test")).unwrap(),
                name: String::new(),
                role: Role::Owner,
                password_hash: "x".into(),
            },
            &json!({"profile": {"address": "Jl. Bench 1", "city": "Jakarta"}}),
        )
        .await
        .expect("tenant");
    let models = [
        ("Toyota", "Avanza", "MPV", 195),
        ("Toyota", "Rush", "SUV", 175),
        ("Toyota", "Fortuner", "SUV", 420),
        ("Honda", "Brio", "hatchback", 165),
        ("Daihatsu", "Xenia", "MPV", 125),
        ("Mitsubishi", "Xpander", "MPV", 230),
        ("Suzuki", "Ertiga", "MPV", 180),
        ("Honda", "HR-V", "SUV", 310),
    ];
    let colors = ["Putih", "Hitam", "Silver", "Merah", "Abu-abu"];
    let mut tx = db.tenant(tenant.id).begin_write().await.unwrap();
    for i in 0..cars {
        let (brand, model, body, price) = models[i % models.len()];
        let input = json!({
            "brand": brand, "model": model, "variant": "1.5 G", "year": 2016 + (i % 8) as i64,
            "price": (price as i64 + (i as i64 % 7) * 5) * 1_000_000, "transmission": if i % 3 == 0 { "MT" } else { "AT" },
            "fuel": "bensin", "body_type": body, "color": colors[i % colors.len()], "mileage_km": 30_000 + i * 1000,
            "status": "available", "description": "Mulus, servis resmi.", "floor_price": (price as i64 - 10) * 1_000_000,
        });
        let fields = CarFields::from_json(input.as_object().unwrap(), 2026).expect("car");
        tx.cars().create(&fields).await.unwrap();
    }
    tx.sales()
        .create(&NewSalesPerson { name: "Rina".into(), phone: PhoneNumber::parse("0812-1111-2222").unwrap() })
        .await
        .unwrap();
    tx.commit().await.unwrap();

    // The engine, not the budgets: no per-sender or per-contact limits get in the way.
    let budget = ContactBudget {
        daily_messages: 1_000_000,
        photos_per_hour: 1_000_000,
        number_daily_cap: 1_000_000,
        new_contact_reserve_percent: 0,
    };
    let config = BotConfig { customer_rate_per_minute: 1_000_000, contact_budget: budget, ..BotConfig::default() };
    let media = garasi_media::LocalBlobStore::new(&dir).await.expect("media dir");
    let services = garasi_service::Services::new(db.clone(), garasi_service::Events::in_process(), Arc::new(media));
    let engine =
        Arc::new(Engine::new(services, config, Arc::new(MemoryKv::new()), Arc::new(DbMemory::new(db.clone())), None));
    let tenant_ref =
        TenantRef { id: tenant.id, name: tenant.name.clone(), base_url: format!("http://{slug}.localhost:3000") };

    // Warm-up: connections, statement caches.
    for i in 0..20 {
        let m = inbound(&tenant_ref, 9_999_999, &format!("warm-{i}"), SCRIPT[i % SCRIPT.len()]);
        engine.handle(m).await.unwrap();
    }

    let backend = if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    for (run, concurrency) in concurrency_levels().into_iter().enumerate() {
        let concurrency = concurrency.min(senders);
        let started = Instant::now();
        // Task k speaks for senders k, k + C, k + 2C, …, in turn: each sender's messages in order.
        let tasks: Vec<_> = (0..concurrency)
            .map(|k| {
                let (engine, tenant_ref) = (engine.clone(), tenant_ref.clone());
                tokio::spawn(async move {
                    let mut times = Vec::new();
                    for i in (0..messages).filter(|i| (i % senders) % concurrency == k) {
                        let sender = run * 100_000 + i % senders;
                        let step = (i / senders) % SCRIPT.len();
                        let m = inbound(&tenant_ref, sender, &format!("r{run}-m-{i}"), SCRIPT[step]);
                        let t = Instant::now();
                        let out = engine.handle(m).await.unwrap();
                        times.push(t.elapsed());
                        assert!(!out.replies.is_empty(), "every message is answered");
                    }
                    times
                })
            })
            .collect();
        let mut times = Vec::with_capacity(messages);
        for task in tasks {
            times.extend(task.await.unwrap());
        }
        let wall = started.elapsed();
        times.sort();
        let mean = times.iter().sum::<Duration>() / times.len().max(1) as u32;
        println!(
            "backend {backend}, {concurrency} at once, {messages} messages from {senders} senders over {cars} cars \
             (offline path, reply persisted)"
        );
        println!(
            "  p50 {:.2} ms · p90 {:.2} ms · p99 {:.2} ms · max {:.2} ms · mean {:.2} ms · {:.0} msg/s",
            ms(percentile(&times, 0.50)),
            ms(percentile(&times, 0.90)),
            ms(percentile(&times, 0.99)),
            ms(*times.last().unwrap()),
            ms(mean),
            messages as f64 / wall.as_secs_f64()
        );
    }
    db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn inbound(tenant: &TenantRef, sender: usize, id: &str, text: &str) -> Inbound {
    Inbound {
        tenant: tenant.clone(),
        channel: "simulator".into(),
        from: format!("+62813{:08}", sender),
        name: format!("Pelanggan {sender}"),
        text: text.into(),
        provider_message_id: id.into(),
    }
}
