//! The restore drill: seed the demo, take a backup with the `garasi` binary while bot
//! messages and car edits keep writing, restore it into a fresh data dir or database,
//! start Garasi on it and compare what it serves with the source. Plus the refusals:
//! a tampered archive, a wrong passphrase, no passphrase, a non-empty target.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use garasi_app::backup::manifest::Manifest;
use garasi_store::Db;
use garasi_store::tenant::ContactRole;
use serde_json::{Value, json};

use crate::support::{Fetch, TestApp, TestDatabase, test_settings};

const PASSPHRASE: &str = "kunci-cadangan-garasi-2026";

/// The binary, pointed at `db` (the owner URL for backups and restores on PostgreSQL).
/// A low scrypt cost keeps the debug build quick; production uses the default.
fn garasi(db: &TestDatabase) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_garasi"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("GARASI_DATA_DIR", &db.data_dir)
        .env("GARASI_DATABASE_URL", &db.runtime_url)
        .env("GARASI_BACKUP_PASSPHRASE", PASSPHRASE)
        .env("GARASI_BACKUP_WORK_FACTOR", "12")
        .env("GARASI_LOG", "warn");
    if let Some(owner) = &db.owner_url {
        cmd.env("GARASI_MIGRATE_DATABASE_URL", owner);
    }
    cmd
}

/// Runs the binary off the runtime, so the servers and the load keep going meanwhile.
async fn run(cmd: &mut std::process::Command) -> Output {
    let mut owned = std::mem::replace(cmd, std::process::Command::new("true"));
    tokio::task::spawn_blocking(move || owned.output()).await.unwrap().expect("run garasi")
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn archive_path(tag: &str) -> PathBuf {
    std::env::temp_dir().join(format!("garasi-backup-test-{tag}-{}.tar.age", uuid::Uuid::now_v7().simple()))
}

/// The password the demo printed for `email`.
fn demo_password(logins: &str, email: &str) -> String {
    let mut lines = logins.lines().skip_while(|l| !l.contains(email));
    lines.next();
    lines.next().and_then(|l| l.split("password:").nth(1)).expect("demo password").trim().to_owned()
}

/// The path of an absolute URL (the restored server has another port).
fn url_path(url: &str) -> String {
    let after_scheme = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    after_scheme.find('/').map(|i| after_scheme[i..].to_owned()).unwrap_or_default()
}

async fn login_token(app: &TestApp, host: &str, email: &str, password: &str) -> String {
    let resp = app.login(host, email, password).await;
    assert_eq!(resp.status(), 200, "login {email} on {host}");
    resp.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
}

async fn cars(app: &TestApp, host: &str, token: &str) -> BTreeMap<String, Value> {
    let list: Value = app.get(host, "/api/cars?per_page=100").bearer_auth(token).fetch_json().await;
    list["items"].as_array().expect("cars").iter().map(|c| (c["id"].as_str().unwrap().to_owned(), c.clone())).collect()
}

async fn lead_ids(app: &TestApp, host: &str, token: &str) -> BTreeSet<String> {
    let list: Value = app.get(host, "/api/leads?per_page=100").bearer_auth(token).fetch_json().await;
    list["items"].as_array().expect("leads").iter().map(|l| l["id"].as_str().unwrap().to_owned()).collect()
}

/// Every conversation of the showroom, with its messages' ids.
async fn conversations(db: &Db, slug: &str) -> BTreeMap<uuid::Uuid, (ContactRole, BTreeSet<uuid::Uuid>)> {
    let tenant = db.platform().tenant_by_slug(slug).await.unwrap().unwrap();
    let mut tx = db.tenant(tenant.id).begin().await.unwrap();
    let mut out = BTreeMap::new();
    for chat in tx.conversations().list(500, 0).await.unwrap() {
        let messages = tx.messages().recent(chat.id, 500).await.unwrap().into_iter().map(|m| m.id).collect();
        out.insert(chat.id, (chat.contact_role, messages));
    }
    out
}

/// The photo bytes of every car, by URL path. Staff's token: drafts and hidden cars'
/// photos are served only to staff.
async fn photo_bytes(
    app: &TestApp,
    host: &str,
    token: &str,
    cars: &BTreeMap<String, Value>,
) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for car in cars.values() {
        for photo in car["photos"].as_array().unwrap() {
            for (_, url) in photo["urls"].as_object().unwrap() {
                let path = url_path(url.as_str().unwrap());
                let resp = app.get(host, &path).bearer_auth(token).fetch().await;
                assert_eq!(resp.status(), 200, "{path}");
                out.insert(path, resp.bytes().await.unwrap().to_vec());
            }
        }
    }
    out
}

/// The manifest, read back through the library (the CLI printed only a summary).
async fn read_manifest(path: &Path) -> Manifest {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || garasi_app::backup::archive::read(&path, PASSPHRASE, |_, _| Ok(())))
        .await
        .unwrap()
        .unwrap()
        .manifest
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_drill_under_load_serves_the_same_showrooms() {
    // 1. The demo, seeded as `garasi demo` does, then served.
    let source_db = TestDatabase::create(true).await;
    let mut settings = test_settings(&source_db);
    // The owner's simulator is this test's load generator, not a person: no per-user limit.
    settings.web.rate_limits.simulator = 0;
    let seed_db = garasi_app::server::open_database(&settings).await.unwrap();
    let outcome = garasi_app::demo::seed(&seed_db, &settings).await.unwrap();
    seed_db.close().await;
    let logins = outcome.created.expect("fresh demo");
    let owner_email = garasi_app::demo::SHOWROOMS[0].owner_email;
    let owner_password = demo_password(&logins, owner_email);
    let root_password = demo_password(&logins, garasi_app::demo::ROOT_EMAIL);
    let source = TestApp::spawn_on(source_db, settings).await;
    let host = TestApp::tenant_host("sinarjaya");
    let token = login_token(&source, &host, owner_email, &owner_password).await;
    let before_cars = cars(&source, &host, &token).await;
    let before_leads = lead_ids(&source, &host, &token).await;
    let source_store = source.db.owner_db().await;
    let before_chats = conversations(&source_store, "sinarjaya").await;
    assert!(!before_cars.is_empty() && !before_leads.is_empty() && !before_chats.is_empty());
    let edited = before_cars.keys().next().unwrap().clone();

    // 2. A write load: customers write to the bot, the owner edits a price.
    let stop = Arc::new(AtomicBool::new(false));
    let writes = Arc::new(AtomicUsize::new(0));
    let load = {
        let (client, base, host, token, edited) =
            (source.client.clone(), source.url(""), host.clone(), token.clone(), edited.clone());
        let (stop, writes) = (stop.clone(), writes.clone());
        tokio::spawn(async move {
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) || i < 4 {
                i += 1;
                let from = format!("+6281300{:06}", i % 50);
                let resp = client
                    .post(format!("{base}/api/bot/simulate"))
                    .header("host", &host)
                    .bearer_auth(&token)
                    .json(&json!({ "from": from, "text": format!("ada avanza matic dibawah {}jt?", 150 + i) }))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(resp.status(), 200, "simulate");
                let resp = client
                    .put(format!("{base}/api/cars/{edited}"))
                    .header("host", &host)
                    .bearer_auth(&token)
                    .json(&json!({ "description": format!("Unit diedit ke-{i}.") }))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(resp.status(), 200, "car edit");
                writes.fetch_add(2, Ordering::Relaxed);
            }
        })
    };
    // Some writes land before, during and after the backup.
    while writes.load(Ordering::Relaxed) < 4 && !load.is_finished() {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let archive = archive_path("drill");
    let out = run(garasi(&source.db).arg("backup").arg("--out").arg(&archive)).await;
    assert!(out.status.success(), "backup: {}", text(&out));
    let during = writes.load(Ordering::Relaxed);
    stop.store(true, Ordering::Relaxed);
    load.await.unwrap();
    assert!(writes.load(Ordering::Relaxed) > during || during > 4, "the load ran during the backup");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&archive).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let out = run(garasi(&source.db).args(["backup", "verify"]).arg(&archive)).await;
    assert!(out.status.success(), "verify: {}", text(&out));
    assert!(text(&out).contains("OK:"), "{}", text(&out));
    let manifest = read_manifest(&archive).await;
    assert!(manifest.row_counts["cars"] >= before_cars.len() as i64);
    assert!(manifest.media_files > 0);

    // 3. A fresh target: restore, then start Garasi on it.
    let target_db = TestDatabase::create(true).await;
    let out = run(garasi(&target_db).arg("restore").arg(&archive)).await;
    assert!(out.status.success(), "restore: {}", text(&out));
    assert!(text(&out).contains("matches the manifest"), "{}", text(&out));
    // Every row the manifest counted is there, no more and no fewer.
    let target_store = target_db.owner_db().await;
    let restored_counts = target_store.row_counts().await.unwrap();
    for (table, n) in &manifest.row_counts {
        assert_eq!(restored_counts.get(table), Some(n), "rows of {table}");
    }
    let target_settings = test_settings(&target_db);
    let restored = TestApp::spawn_on(target_db, target_settings).await;

    // 4. It serves the same showrooms: logins, cars, photos, leads, conversations.
    let restored_token = login_token(&restored, &host, owner_email, &owner_password).await;
    login_token(&restored, &restored.admin_host(), garasi_app::demo::ROOT_EMAIL, &root_password).await;
    let restored_cars = cars(&restored, &host, &restored_token).await;
    assert_eq!(restored_cars.keys().collect::<Vec<_>>(), before_cars.keys().collect::<Vec<_>>());
    for (id, car) in &restored_cars {
        let mut car = car.clone();
        let mut original = before_cars[id].clone();
        if *id == edited {
            // Whatever description the snapshot caught: one the load wrote, or the first one.
            let text = car["description"].as_str().unwrap().to_owned();
            assert!(text == original["description"].as_str().unwrap() || text.starts_with("Unit diedit ke-"), "{text}");
            for field in ["description", "updated_at"] {
                car[field] = Value::Null;
                original[field] = Value::Null;
            }
        }
        // URLs carry each server's own port; compare their paths.
        for c in [&mut car, &mut original] {
            c["url"] = json!(url_path(c["url"].as_str().unwrap()));
            for photo in c["photos"].as_array_mut().unwrap() {
                for (_, url) in photo["urls"].as_object_mut().unwrap() {
                    *url = json!(url_path(url.as_str().unwrap()));
                }
            }
        }
        assert_eq!(car, original, "car {id}");
    }
    let source_photos = photo_bytes(&source, &host, &token, &before_cars).await;
    let restored_photos = photo_bytes(&restored, &host, &restored_token, &restored_cars).await;
    assert!(!source_photos.is_empty());
    assert_eq!(source_photos.len(), restored_photos.len());
    for (path, bytes) in &source_photos {
        assert!(restored_photos[path] == *bytes, "photo {path} is byte-identical");
    }
    let restored_leads = lead_ids(&restored, &host, &restored_token).await;
    let after_leads = lead_ids(&source, &host, &token).await;
    assert!(before_leads.is_subset(&restored_leads) && restored_leads.is_subset(&after_leads));
    let restored_chats = conversations(&restored.db.owner_db().await, "sinarjaya").await;
    let after_chats = conversations(&source_store, "sinarjaya").await;
    for (id, (role, messages)) in &before_chats {
        let (r_role, r_messages) = &restored_chats[id];
        assert_eq!(role, r_role);
        assert!(messages.is_subset(r_messages), "conversation {id} kept its messages");
    }
    for (id, (_, messages)) in &restored_chats {
        assert!(messages.is_subset(&after_chats[id].1), "conversation {id} holds only real messages");
    }
    let page = restored.get(&host, "/").fetch().await;
    assert_eq!(page.status(), 200);

    // 5. The target holds data now: a second restore refuses without --force.
    let target_db_ref = &restored.db;
    let refused = run(garasi(target_db_ref).arg("restore").arg(&archive)).await;
    assert!(!refused.status.success());
    assert!(text(&refused).contains("--force") && text(&refused).contains("rows"), "{}", text(&refused));
    restored.stop().await;
    source.stop().await;
    let _ = std::fs::remove_file(&archive);
}

#[tokio::test]
async fn archives_refuse_tampering_wrong_passphrases_and_non_empty_targets() {
    let (app, token) = TestApp::with_showroom("sinar", "Sinar").await;
    let host = TestApp::tenant_host("sinar");
    let car = crate::cars::create_car(&app, &host, &token, &crate::cars::avanza()).await;
    assert!(car["id"].is_string());
    let archive = archive_path("refusals");

    // No passphrase, no archive.
    let out =
        run(garasi(&app.db).env_remove("GARASI_BACKUP_PASSPHRASE").arg("backup").arg("--out").arg(&archive)).await;
    assert!(!out.status.success());
    assert!(text(&out).contains("GARASI_BACKUP_PASSPHRASE"), "{}", text(&out));
    assert!(!archive.exists());

    let out = run(garasi(&app.db).arg("backup").arg("--out").arg(&archive)).await;
    assert!(out.status.success(), "backup: {}", text(&out));
    // Never overwrites an existing file.
    let again = run(garasi(&app.db).arg("backup").arg("--out").arg(&archive)).await;
    assert!(!again.status.success());

    // A wrong passphrase says so.
    let out = run(garasi(&app.db)
        .env("GARASI_BACKUP_PASSPHRASE", "bukan-kunci-yang-benar")
        .args(["backup", "verify"])
        .arg(&archive))
    .await;
    assert!(!out.status.success());
    assert!(text(&out).contains("wrong passphrase"), "{}", text(&out));

    // One flipped byte in the middle: verify fails and names the damage.
    let mut bytes = std::fs::read(&archive).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    let tampered = archive_path("tampered");
    std::fs::write(&tampered, &bytes).unwrap();
    let out = run(garasi(&app.db).args(["backup", "verify"]).arg(&tampered)).await;
    assert!(!out.status.success());
    assert!(text(&out).contains("damaged or was tampered"), "{}", text(&out));

    // Restoring over the live source itself is refused: it holds rows (and a photo-less car).
    let out = run(garasi(&app.db).arg("restore").arg(&archive)).await;
    assert!(!out.status.success());
    assert!(text(&out).contains("refusing to restore") && text(&out).contains("--force"), "{}", text(&out));
    // The tampered archive never reaches an empty target either.
    let empty = TestDatabase::create(true).await;
    let out = run(garasi(&empty).arg("restore").arg(&tampered)).await;
    assert!(!out.status.success());
    assert!(text(&out).contains("damaged or was tampered"), "{}", text(&out));
    let owner = empty.owner_db().await;
    assert_eq!(owner.first_table_with_rows().await.unwrap(), None, "nothing was restored");
    owner.close().await;
    // The good one restores; then, with --force, restores again over itself.
    let out = run(garasi(&empty).arg("restore").arg(&archive)).await;
    assert!(out.status.success(), "restore: {}", text(&out));
    let out = run(garasi(&empty).arg("restore").arg(&archive)).await;
    assert!(!out.status.success(), "now it holds data");
    let out = run(garasi(&empty).arg("restore").arg("--force").arg(&archive)).await;
    assert!(out.status.success(), "restore --force: {}", text(&out));
    let owner = empty.owner_db().await;
    let sinar = owner.platform().tenant_by_slug("sinar").await.unwrap().unwrap();
    assert_eq!(sinar.slug, "sinar");
    owner.close().await;
    app.stop().await;
    for f in [&archive, &tampered] {
        let _ = std::fs::remove_file(f);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_take_one_scheduled_backup_per_period() {
    let dir = std::env::temp_dir().join(format!("garasi-scheduled-{}", uuid::Uuid::now_v7().simple()));
    let test_db = TestDatabase::create(true).await;
    let mut s = test_settings(&test_db);
    // A day's period began at midnight: its job is due at once.
    s.backup.every = Some(std::time::Duration::from_secs(86_400));
    s.backup.dir = dir.clone();
    s.backup.passphrase = Some(PASSPHRASE.into());
    s.backup.work_factor = 12;
    // PostgreSQL: backups run as the owner role.
    s.migrate_database_url = test_db.owner_url.clone();
    let app = TestApp::spawn_on(test_db, s).await;
    let (_, sibling) = app.spawn_sibling().await;
    let archives = || -> Vec<PathBuf> {
        std::fs::read_dir(&dir).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default()
    };
    let db = app.runtime_db();
    let jobs = || async {
        let sql = "SELECT status FROM jobs WHERE queue = 'backup'";
        garasi_store::with_db!(&db, |p| sqlx::query_scalar::<_, String>(sql).fetch_all(p).await).unwrap()
    };
    // Both instances tick within seconds of starting; wait for the backup to be done.
    for _ in 0..600 {
        if jobs().await == ["done"] {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(jobs().await, ["done"], "one job for the period, done");
    // Both have ticked (the first tick comes 1 to 5 s after start) and still one archive.
    tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    assert_eq!(jobs().await, ["done"]);
    let found = archives();
    assert_eq!(found.len(), 1, "{found:?}");
    let name = found[0].file_name().unwrap().to_str().unwrap().to_owned();
    assert!(name.starts_with("garasi-backup-") && name.ends_with(".tar.age"), "{name}");
    let settings = app.settings.clone();
    let report = garasi_app::backup::verify(&settings, &found[0]).await.unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    // What every instance's backup-age gauge reads, whichever of them took the backup.
    let last = db.jobs().last_done_at("backup").await.unwrap().expect("a finished backup job");
    assert!((garasi_store::now() - last).num_seconds() < 60, "{last}");
    assert_eq!(db.jobs().last_done_at("whatsapp_out").await.unwrap(), None);
    sibling.stop().await.unwrap();
    app.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}
