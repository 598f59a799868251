//! Demo data for trying Garasi on a fresh machine: a root user and two showrooms
//! with their owners. Passwords are random per install, shown once and kept in
//! `<data dir>/demo-logins.txt` (mode 0600) for the developer who lost the output.
//! Seeding again finds the demo showrooms and changes nothing.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use garasi_domain::car::{CarFields, CarFilter, CarSort};
use garasi_domain::money::Rupiah;
use garasi_domain::{Email, PhoneNumber, Role, TenantId, TenantSettings};
use garasi_media::{BlobStore, PhotoKey, ProcessOptions, ProcessedPhoto, demo_car_image, process_bytes, store_photo};
use garasi_store::platform::{AuditEntry, NewTenant};
use garasi_store::tenant::NewUser;
use garasi_store::tenant::{LeadStatus, NewLead, NewPhoto, NewSalesPerson, PaymentMethod};
use garasi_store::{Db, TenantTx};
use garasi_web::hash_password;
use rand::Rng;
use rand::distr::Alphanumeric;
use serde_json::json;

use crate::demo_cars;
use crate::settings::Settings;

pub struct DemoShowroom {
    pub slug: &'static str,
    pub name: &'static str,
    pub owner_email: &'static str,
    pub whatsapp: &'static str,
    pub about: &'static str,
    pub address: &'static str,
    pub city: &'static str,
}

pub const ROOT_EMAIL: &str = "root@garasi.test";

pub const SHOWROOMS: [DemoShowroom; 2] = [
    DemoShowroom {
        slug: "sinarjaya",
        name: "Sinar Jaya Motor",
        owner_email: "pemilik@sinarjaya.test",
        whatsapp: "+6281200000001",
        about: "Showroom mobil bekas pilihan sejak 2009. Semua unit sudah diinspeksi 150 titik, surat lengkap, \
                bisa tukar tambah dan kredit dengan DP ringan.",
        address: "Jl. Raya Pasar Minggu No. 88, Pancoran",
        city: "Jakarta Selatan",
    },
    DemoShowroom {
        slug: "berkahmobil",
        name: "Berkah Mobil Bekasi",
        owner_email: "pemilik@berkahmobil.test",
        whatsapp: "+6281200000002",
        about: "Mobil keluarga berkualitas di Bekasi. Harga jujur, unit bebas banjir, garansi mesin 1 bulan.",
        address: "Jl. Ahmad Yani No. 12, Bekasi Selatan",
        city: "Bekasi",
    },
];

pub struct DemoOutcome {
    /// The logins text when this run created the data; `None` when it already existed.
    pub created: Option<String>,
    pub logins_file: PathBuf,
}

fn random_password() -> String {
    rand::rng().sample_iter(&Alphanumeric).take(16).map(char::from).collect()
}

pub async fn seed(db: &Db, settings: &Settings) -> anyhow::Result<DemoOutcome> {
    let logins_file = settings.data_dir.join("demo-logins.txt");
    let platform = db.platform();
    if platform.tenant_by_slug(SHOWROOMS[0].slug).await?.is_some() {
        return Ok(DemoOutcome { created: None, logins_file });
    }
    let web = &settings.web;
    let (media, _) = crate::server::open_media(settings).await?;
    // Nothing listens to the demo's events: it runs before any server.
    let services = garasi_service::Services::new(db.clone(), garasi_service::Events::in_process(), media.clone());
    let mut text = String::from("Garasi demo logins (random for this install)\n\n");
    let root_password = random_password();
    if platform.root_user_by_email(ROOT_EMAIL).await?.is_none() {
        let hash = hash_password(&root_password).await?;
        platform.upsert_root_user(ROOT_EMAIL, "Root demo", &hash).await?;
        text.push_str(&format!(
            "Root admin   {}\n  email:    {ROOT_EMAIL}\n  password: {root_password}\n\n",
            web.admin_url()
        ));
    }
    for (index, s) in SHOWROOMS.iter().enumerate() {
        let password = random_password();
        let owner = NewUser {
            email: Email::parse(s.owner_email).context("demo e-mail")?,
            name: format!("Pemilik {}", s.name),
            role: Role::Owner,
            password_hash: hash_password(&password).await?,
        };
        let new = NewTenant {
            slug: s.slug.into(),
            name: s.name.into(),
            whatsapp_number: Some(s.whatsapp.into()),
            domain: None,
        };
        let mut settings = TenantSettings::default();
        settings.profile.about = s.about.into();
        settings.profile.address = s.address.into();
        settings.profile.city = s.city.into();
        settings.profile.maps_url =
            format!("https://www.google.com/maps/search/?api=1&query={}", s.address.replace(' ', "+"));
        settings.profile.opening_hours = "Senin–Sabtu 08.30–17.30, Minggu 10.00–15.00".into();
        settings.bot.persona_name = format!("Asisten {}", s.name);
        let (tenant, _) = platform.create_tenant(&new, &owner, &settings.to_json()).await?;
        seed_stock(db, media.as_ref(), tenant.id, index).await?;
        seed_conversations(&services, &tenant, &web.tenant_url(&tenant), index).await?;
        platform
            .audit(&AuditEntry {
                tenant_id: Some(tenant.id),
                actor_kind: "system",
                actor_id: None,
                action: "tenant.create".into(),
                target_kind: Some("tenant".into()),
                target_id: Some(tenant.id.to_string()),
                details: json!({ "slug": tenant.slug, "demo": true }),
                ip: None,
            })
            .await?;
        text.push_str(&format!(
            "{}   {}\n  email:    {}\n  password: {password}\n\n",
            s.name,
            web.tenant_url(&tenant),
            s.owner_email
        ));
    }
    write_private(&logins_file, &text)?;
    Ok(DemoOutcome { created: Some(text), logins_file })
}

/// Stores a processed photo's files and gives it to the car (seed data only: a person's
/// upload goes through `garasi_service::photos::add`, with its audit entry).
pub async fn attach_photo(
    tx: &mut TenantTx,
    media: &dyn BlobStore,
    tenant: TenantId,
    car_id: uuid::Uuid,
    processed: ProcessedPhoto,
) -> anyhow::Result<()> {
    let key = PhotoKey::new(tenant.0, car_id, uuid::Uuid::now_v7());
    let stored = store_photo(media, key, processed).await?;
    let photo = NewPhoto {
        id: key.photo_id,
        storage_key: key.prefix().path(),
        width: i64::from(stored.width),
        height: i64::from(stored.height),
        bytes: stored.variants.iter().map(|v| v.size as i64).sum(),
    };
    tx.cars().add_photo(car_id, &photo).await?;
    Ok(())
}

/// Puts the demo stock into one showroom, through the same validation as the API,
/// with a photo drawn for each car and run through the real photo pipeline.
async fn seed_stock(db: &Db, media: &dyn BlobStore, tenant: TenantId, index: usize) -> anyhow::Result<()> {
    let mut tx = db.tenant(tenant).begin_write().await?;
    for input in demo_cars::stock_for(index) {
        let fields = CarFields::from_json(input.as_object().context("demo car is an object")?, 2026)
            .map_err(|e| anyhow::anyhow!("demo car invalid: {e}"))?;
        let car = tx.cars().create(&fields).await?;
        let label = format!("{} {}", fields.brand, fields.model).to_uppercase();
        let paint = demo_cars::paint(&fields.color);
        let processed = tokio::task::spawn_blocking(move || {
            let jpeg = demo_car_image(&label, paint, 1280, 800);
            process_bytes(&jpeg, &ProcessOptions::default())
        })
        .await??;
        attach_photo(&mut tx, media, tenant, car.id, processed).await?;
    }
    seed_people(&mut tx, index).await?;
    tx.commit().await?;
    Ok(())
}

/// Two salespeople and a handful of leads in different stages, so the dashboards
/// and the bot's hand-off have someone to work with.
async fn seed_people(tx: &mut garasi_store::TenantTx, index: usize) -> anyhow::Result<()> {
    let staff = [("Budi Santoso", "0812-1000-0001"), ("Sari Wulandari", "0813-1000-0002")];
    let mut sales_ids = Vec::new();
    for (name, phone) in staff {
        // Each showroom has its own people: vary the number per showroom.
        let phone = PhoneNumber::parse(&format!("{}{}", &phone[..phone.len() - 1], index + 1))?;
        sales_ids.push(tx.sales().create(&NewSalesPerson { name: name.into(), phone }).await?.id);
    }
    let (cars, _) = tx.cars().list(&CarFilter::for_sale(), CarSort::Newest, 5, 0).await?;
    let leads = [
        ("Andi Pratama", "0857-2000-1001", Some(200_000_000), Some(PaymentMethod::Credit), LeadStatus::New),
        ("Rina Marlina", "0857-2000-1002", Some(150_000_000), Some(PaymentMethod::Cash), LeadStatus::Contacted),
        ("Dewi Lestari", "0857-2000-1003", None, None, LeadStatus::Qualified),
        ("Hendra Gunawan", "0857-2000-1004", Some(450_000_000), Some(PaymentMethod::Credit), LeadStatus::Converted),
        ("Yoga Saputra", "0857-2000-1005", Some(120_000_000), Some(PaymentMethod::Cash), LeadStatus::Lost),
    ];
    for (i, (name, phone, budget, payment, status)) in leads.into_iter().enumerate() {
        let new = NewLead {
            name: name.into(),
            car_id: cars.get(i % cars.len().max(1)).map(|c| c.id),
            assigned_sales_id: Some(sales_ids[i % sales_ids.len()]),
            budget: budget.map(Rupiah::new).transpose()?,
            payment_method: payment,
            notes: "Data demo.".into(),
            source: "whatsapp".into(),
            ..NewLead::new(PhoneNumber::parse(phone)?)
        };
        let lead = tx.leads().create(&new, "demo").await?;
        if status != LeadStatus::New {
            tx.leads().set_status(lead.id, status, "demo", "").await?;
        }
    }
    Ok(())
}

/// A few WhatsApp chats, played through the real bot engine (offline, no LLM) on the
/// simulator channel, so the conversation pages, the analytics and the leads they
/// create show real bot answers from this showroom's stock.
async fn seed_conversations(
    services: &garasi_service::Services,
    tenant: &garasi_store::platform::Tenant,
    base_url: &str,
    index: usize,
) -> anyhow::Result<()> {
    let engine = garasi_bot::Engine::open(
        services.clone(),
        garasi_bot::BotConfig::default(),
        Arc::new(garasi_service::kv::MemoryKv::new()),
    )?;
    // (sender, push name, messages in order). The salesperson's number is the first
    // demo salesperson's, so the bot treats it with the sales role.
    let chats: [(String, &str, &[&str]); 3] = [
        (
            "0857-3000-1001".into(),
            "Rudi",
            &["halo, ada mobil matic di bawah 250 juta?", "yang pertama dong detailnya", "/reset"],
        ),
        (
            "0857-3000-1002".into(),
            "Maya",
            &["cari SUV diesel bisa kredit?", "nama saya Maya, mau lihat unitnya besok jam 10"],
        ),
        (format!("0812-1000-000{}", index + 1), "Budi Santoso", &["/stok"]),
    ];
    for (n, (from, name, texts)) in chats.iter().enumerate() {
        for (m, text) in texts.iter().enumerate() {
            let inbound = garasi_bot::Inbound {
                tenant: garasi_bot::TenantRef { id: tenant.id, name: tenant.name.clone(), base_url: base_url.into() },
                channel: "simulator".into(),
                from: PhoneNumber::parse(from)?.as_str().to_owned(),
                name: (*name).into(),
                text: (*text).into(),
                provider_message_id: format!("demo-{}-{n}-{m}", tenant.slug),
            };
            let out = engine.handle(inbound).await?;
            // The simulator is the channel: its replies count as delivered.
            engine.mark_delivered(tenant.id, &out.job_ids, "simulator").await?;
        }
    }
    Ok(())
}

fn write_private(path: &PathBuf, text: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path).with_context(|| format!("cannot write {}", path.display()))?;
    f.write_all(text.as_bytes())?;
    Ok(())
}
