//! The `garasi` binary itself: help, settings errors, `root create`, `demo` twice.

use std::io::Write;
use std::process::{Command, Stdio};

use garasi_store::tenant::ContactRole;

use crate::support::{STRONG_PASSWORD, TestDatabase};

pub(crate) fn garasi(db: &TestDatabase) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_garasi"));
    cmd.env_clear()
        .env("GARASI_DATA_DIR", &db.data_dir)
        .env("GARASI_DATABASE_URL", &db.runtime_url)
        .env("GARASI_LOG", "warn");
    cmd
}

#[test]
fn help_documents_every_command_and_setting() {
    let out = Command::new(env!("CARGO_BIN_EXE_garasi")).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for word in ["serve", "migrate", "root", "demo"] {
        assert!(help.contains(word), "{word}");
    }
    for env in [
        "GARASI_BIND",
        "GARASI_DATA_DIR",
        "GARASI_DATABASE_URL",
        "GARASI_MIGRATE_DATABASE_URL",
        "GARASI_REDIS_URL",
        "GARASI_ADMIN_HOST",
        "GARASI_TENANT_DOMAIN",
        "GARASI_PUBLIC_BASE_PORT",
        "GARASI_TRUSTED_PROXIES",
        "GARASI_CONFIG",
        "GARASI_SHUTDOWN_GRACE_S",
        "GARASI_INSTANCE_ID",
    ] {
        assert!(help.contains(env), "{env} missing from --help");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_garasi")).args(["migrate", "--help"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("--grant-to"));
}

#[test]
fn a_bad_setting_stops_start_up_and_names_the_setting() {
    let out = Command::new(env!("CARGO_BIN_EXE_garasi"))
        .env_clear()
        .env("GARASI_BIND", "di-sini")
        .arg("serve")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("GARASI_BIND"));
}

#[tokio::test]
async fn root_create_reads_the_password_from_env_or_stdin() {
    let db = TestDatabase::create(true).await;
    let out = garasi(&db)
        .args(["root", "create", "--email", "Ops@Garasi.Test"])
        .env("GARASI_ROOT_PASSWORD", STRONG_PASSWORD)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let owner = db.owner_db().await;
    assert!(owner.platform().root_user_by_email("ops@garasi.test").await.unwrap().is_some());

    let mut child = garasi(&db)
        .args(["root", "create", "--email", "kedua@garasi.test"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(format!("{STRONG_PASSWORD}\n").as_bytes()).unwrap();
    assert!(child.wait_with_output().unwrap().status.success());
    assert!(owner.platform().root_user_by_email("kedua@garasi.test").await.unwrap().is_some());

    let weak = garasi(&db)
        .args(["root", "create", "--email", "lemah@garasi.test"])
        .env("GARASI_ROOT_PASSWORD", "123")
        .output()
        .unwrap();
    assert!(!weak.status.success());
}

#[tokio::test]
async fn demo_seeds_once_with_random_passwords() {
    let db = TestDatabase::create(true).await;
    let first = garasi(&db).arg("demo").output().unwrap();
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let text = String::from_utf8_lossy(&first.stdout).into_owned();
    assert!(text.contains("root@garasi.test") && text.contains("sinarjaya.localhost"), "{text}");
    let second = garasi(&db).arg("demo").output().unwrap();
    assert!(second.status.success());
    assert!(String::from_utf8_lossy(&second.stdout).contains("already present"));

    let owner = db.owner_db().await;
    assert_eq!(owner.platform().count_tenants(true).await.unwrap(), 2, "no duplicates");
    // Demo chats went through the real bot: two customers and a salesperson wrote to
    // each showroom, and the customer who asked for a visit was handed to a salesperson,
    // who got a notice in a chat of their own. Every chat holds the bot's words.
    let tenant = owner.platform().tenant_by_slug("sinarjaya").await.unwrap().unwrap();
    let mut tx = owner.tenant(tenant.id).begin().await.unwrap();
    let chats = tx.conversations().list(50, 0).await.unwrap();
    let customers = chats.iter().filter(|c| c.contact_role == ContactRole::Customer).count();
    let sales = chats.iter().filter(|c| c.contact_role == ContactRole::Sales).count();
    // The visit's salesperson is the round robin's pick: the one who chats (Budi) or the other.
    assert_eq!(customers, 2, "{chats:?}");
    assert!((1..=2).contains(&sales), "{chats:?}");
    let mut noticed = false;
    for chat in &chats {
        let thread = tx.messages().recent(chat.id, 50).await.unwrap();
        assert!(thread.iter().any(|m| m.direction == "out" && !m.body.is_empty()), "the bot answered: {thread:?}");
        noticed |=
            chat.contact_role == ContactRole::Sales && thread.iter().any(|m| m.body.contains("Jadwal kunjungan"));
    }
    assert!(noticed, "the visit's salesperson got a notice");
    drop(tx);
    // Passwords differ per install: a second fresh install prints others.
    let other = TestDatabase::create(true).await;
    let third = String::from_utf8_lossy(&garasi(&other).arg("demo").output().unwrap().stdout).into_owned();
    let pw = |t: &str| t.lines().find(|l| l.contains("password:")).map(str::to_owned);
    assert_ne!(pw(&text), pw(&third));
    let logins = std::fs::read_to_string(db.data_dir.join("demo-logins.txt")).unwrap();
    assert_eq!(Some(logins.contains(&pw(&text).unwrap())), Some(true));
}

#[test]
fn nlu_reads_json_lines_and_answers_one_line_each_without_a_database() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_garasi"))
        .env_clear()
        .env("GARASI_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .arg("nlu")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let input = concat!(
        "{\"text\": \"ada avanza matic dibawah 200jt gan?\", \"role\": \"customer\"}\n",
        "bukan json\n",
        "{\"text\": \"list semua inventory\", \"role\": \"sales\"}\n",
        "{\"text\": \"halo kak\"}\n",
    );
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["intent"], "search");
    assert_eq!(lines[0]["filters"]["model"], "Avanza");
    assert_eq!(lines[0]["filters"]["price_max"], 200_000_000);
    assert_eq!(lines[0]["filters"]["transmission"], "AT");
    assert_eq!(lines[1]["intent"], "unknown");
    assert_eq!(lines[2]["intent"], "inventory");
    assert_eq!(lines[3]["intent"], "greeting");
}
