//! The command line: `serve`, `migrate`, `root create`, `demo`, `nlu`, `wa`, `healthcheck`,
//! `backup` and `restore`.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use garasi_domain::{Email, check_password_policy};
use garasi_service::root_2fa::RootReset;
use garasi_store::{Db, DbOptions, redact_url};

use crate::demo;
use crate::server::{open_database, start};
use crate::settings::{SettingArgs, Settings};

#[derive(Debug, Parser)]
#[command(
    name = "garasi",
    version,
    about = "Garasi: websites, WhatsApp bots and dashboards for Indonesian car showrooms.",
    long_about = "Garasi: websites, WhatsApp bots and dashboards for Indonesian car showrooms.\n\n\
                  Every setting can be given as a flag, as the GARASI_* environment variable shown, or in a \
                  TOML file (--config); flags win over the environment, which wins over the file. With nothing \
                  set, Garasi runs on SQLite in ./data at http://127.0.0.1:3000."
)]
pub struct Cli {
    #[command(flatten)]
    pub settings: SettingArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (public sites, dashboards, API).
    Serve {
        /// Create the demo root user and showrooms first (once; later runs change nothing).
        #[arg(long)]
        demo: bool,
        /// Serve plain-http public URLs on a non-loopback address anyway. Without it, `serve`
        /// refuses: login cookies would cross the network in clear text. Put a TLS proxy in
        /// front and set GARASI_PUBLIC_SCHEME=https instead.
        #[arg(long, env = "GARASI_ALLOW_INSECURE_HTTP")]
        allow_insecure_http: bool,
    },
    /// Apply database migrations (as GARASI_MIGRATE_DATABASE_URL when set).
    Migrate {
        /// PostgreSQL: grant this existing NOSUPERUSER NOBYPASSRLS role exactly what `serve` needs.
        #[arg(long, value_name = "ROLE")]
        grant_to: Option<String>,
    },
    /// Manage platform (root) users.
    Root {
        #[command(subcommand)]
        command: RootCommand,
    },
    /// Create the demo root user and showrooms, print their logins, and exit.
    Demo,
    /// WhatsApp: pair a showroom's number from this terminal, or show its status.
    Wa {
        #[command(subcommand)]
        command: crate::wa::WaCommand,
    },
    /// Offline message understanding: reads JSON lines `{"text": "...", "role": "customer"|"sales"}`
    /// on stdin and writes one `{"intent": "...", "filters": {...}}` line per input line. Needs no
    /// server and no database.
    Nlu,
    /// Write an encrypted backup archive (database, photos, WhatsApp device stores, secret
    /// key, manifest) while Garasi serves; or `backup verify FILE`. Needs GARASI_BACKUP_PASSPHRASE;
    /// on PostgreSQL, pg_dump on the PATH and an owner role with BYPASSRLS.
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Backup {
        /// The archive to write (it must not exist).
        #[arg(long, value_name = "FILE", required = true)]
        out: Option<std::path::PathBuf>,
        #[command(subcommand)]
        command: Option<BackupCommand>,
    },
    /// Restore a backup archive into an empty data dir and database (Garasi stopped), then
    /// check every table's row count against the manifest. On PostgreSQL it runs pg_restore
    /// as the owner role and grants the runtime role again.
    Restore {
        /// The archive written by `garasi backup`.
        #[arg(value_name = "FILE")]
        file: std::path::PathBuf,
        /// Overwrite a target that already holds rows, photos or device stores.
        #[arg(long)]
        force: bool,
        /// PostgreSQL: the runtime role to grant [default: the GARASI_DATABASE_URL user when
        /// GARASI_MIGRATE_DATABASE_URL names another].
        #[arg(long, value_name = "ROLE")]
        grant_to: Option<String>,
    },
    /// Ask a running server's /readyz (the bind address, or --addr) and exit 0 only when it
    /// answers 200. The container image's HEALTHCHECK runs this: the image has no curl.
    Healthcheck {
        /// Address to probe [default: the bind address, with 0.0.0.0 probed on 127.0.0.1].
        #[arg(long, value_name = "ADDR")]
        addr: Option<std::net::SocketAddr>,
    },
}

#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// Decrypt an archive, check every file's SHA-256 against the manifest and print a
    /// summary; exits non-zero on any mismatch.
    Verify {
        #[arg(value_name = "FILE")]
        file: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum RootCommand {
    /// Create a root user, or reset the password of an existing one (ending all its
    /// sessions). The password is read from GARASI_ROOT_PASSWORD, else from the first line
    /// of standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "")]
        name: String,
        /// For an existing root: also remove its second factor (TOTP) and recovery codes.
        #[arg(long)]
        reset_2fa: bool,
    },
}

pub async fn run() -> ExitCode {
    crate::install_tls_provider();
    let cli = Cli::parse();
    // `nlu` is a pure filter: it must work with no data dir, database or settings.
    if matches!(cli.command, Command::Nlu) {
        return match nlu() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("garasi: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let settings = match Settings::resolve(&cli.settings) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("garasi: {e}");
            return ExitCode::from(2);
        }
    };
    crate::logging::init(&settings.log, settings.log_format);
    match execute(cli.command, settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("garasi: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn execute(command: Command, settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Serve { demo, allow_insecure_http } => {
            refuse_insecure_http(&settings, allow_insecure_http)?;
            serve(settings, demo).await
        }
        Command::Migrate { grant_to } => migrate(settings, grant_to).await,
        Command::Root { command: RootCommand::Create { email, name, reset_2fa } } => {
            create_root(settings, &email, &name, reset_2fa).await
        }
        Command::Nlu => nlu(),
        Command::Healthcheck { addr } => {
            let addr = addr.unwrap_or_else(|| crate::healthcheck::probe_addr(settings.bind));
            let body = crate::healthcheck::check(addr).await?;
            println!("{body}");
            Ok(())
        }
        Command::Wa { command } => crate::wa::run(settings, command).await,
        Command::Backup { command: Some(BackupCommand::Verify { file }), .. } => backup_verify(&settings, &file).await,
        Command::Backup { out, command: None } => {
            let out = out.context("--out FILE is required")?;
            let report = crate::backup::create(&settings, &out).await?;
            print!("{}", crate::backup::describe(&report.manifest));
            println!(
                "wrote {} ({} bytes) in {:.1} s",
                report.path.display(),
                report.bytes,
                report.elapsed.as_secs_f64()
            );
            Ok(())
        }
        Command::Restore { file, force, grant_to } => {
            let report = crate::backup::restore(&settings, &file, force, grant_to).await?;
            print!("{}", crate::backup::describe(&report.manifest));
            if let Some(role) = &report.granted_to {
                println!("granted the runtime privileges to role {role:?}");
            }
            if report.manifest.secret_key == crate::backup::manifest::SecretKeySource::Setting {
                println!("the secret key came from GARASI_SECRET_KEY: set the same value on this server");
            }
            println!(
                "restored {} rows and {} photo files in {:.1} s; every table's row count matches the manifest",
                report.restored_counts.values().sum::<i64>(),
                report.media_files,
                report.elapsed.as_secs_f64()
            );
            Ok(())
        }
        Command::Demo => {
            let db = open_database(&settings).await?;
            print_demo(&demo::seed(&db, &settings).await?);
            db.close().await;
            Ok(())
        }
    }
}

async fn backup_verify(settings: &Settings, file: &std::path::Path) -> anyhow::Result<()> {
    let report = crate::backup::verify(settings, file).await?;
    print!("{}", crate::backup::describe(&report.manifest));
    if report.problems.is_empty() {
        println!("OK: {} files match their SHA-256 in the manifest", report.found.len());
        Ok(())
    } else {
        for problem in &report.problems {
            println!("MISMATCH {problem}");
        }
        bail!("{} problems: the archive does not match its manifest", report.problems.len())
    }
}

/// Plain http is for a laptop or a private network behind a proxy that terminates TLS
/// on the same host. Anything reachable from elsewhere must say https, or opt out loudly.
fn refuse_insecure_http(settings: &Settings, allowed: bool) -> anyhow::Result<()> {
    if settings.web.public_scheme == garasi_web::Scheme::Http && !settings.bind.ip().is_loopback() {
        if !allowed {
            bail!(
                "refusing to serve plain http on {}: set GARASI_PUBLIC_SCHEME=https behind a TLS proxy \
                 (see docs/DEPLOY.md), or pass --allow-insecure-http",
                settings.bind
            );
        }
        tracing::warn!(bind = %settings.bind, "serving plain http on a non-loopback address (--allow-insecure-http)");
    }
    Ok(())
}

async fn serve(settings: Settings, with_demo: bool) -> anyhow::Result<()> {
    // Before the demo seed, so its photos and transactions are counted too.
    crate::telemetry::install();
    let db = open_database(&settings).await?;
    let demo_outcome = if with_demo { Some(demo::seed(&db, &settings).await?) } else { None };
    let running = start(&settings, db).await?;
    let web = &settings.web;
    println!("Garasi is listening on http://{}", running.addr);
    println!("  internal:    http://{}", running.internal_addr);
    println!("  root admin:  {}", web.admin_url());
    for s in &demo::SHOWROOMS {
        if with_demo {
            println!("  showroom:    {}", web.origin_for(&format!("{}.{}", s.slug, web.tenant_domain)));
        }
    }
    if let Some(outcome) = &demo_outcome {
        print_demo(outcome);
    }
    running.wait().await
}

fn print_demo(outcome: &demo::DemoOutcome) {
    match &outcome.created {
        Some(text) => {
            println!("\n{text}These passwords are shown once; a copy is in {}.", outcome.logins_file.display());
        }
        None => println!("\nDemo data already present; the logins are in {}.", outcome.logins_file.display()),
    }
}

/// One output line per input line, in order, flushed as it goes so it can sit in a pipe.
fn nlu() -> anyhow::Result<()> {
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in stdin.lock().lines() {
        let line = line?;
        writeln!(out, "{}", garasi_bot::nlu::understand_json_line(&line))?;
        out.flush()?;
    }
    Ok(())
}

async fn migrate(settings: Settings, grant_to: Option<String>) -> anyhow::Result<()> {
    let url = settings.migrate_database_url.clone().unwrap_or_else(|| settings.database_url.clone());
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&settings.data_dir)?;
    }
    let db = Db::connect(&url, &DbOptions { max_connections: 2, ..DbOptions::default() })
        .await
        .with_context(|| format!("cannot connect to {}", redact_url(&url)))?;
    db.migrate().await.context("migration failed")?;
    let status = db.migration_status().await?;
    println!("migrations applied: {:?}", status.applied);
    if let Some(role) = grant_to {
        db.grant_runtime_role(&role).await?;
        println!("granted the runtime privileges to role {role:?}");
    }
    db.close().await;
    Ok(())
}

async fn create_root(settings: Settings, email: &str, name: &str, reset_2fa: bool) -> anyhow::Result<()> {
    let email = Email::parse(email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    let password = match std::env::var("GARASI_ROOT_PASSWORD") {
        Ok(p) if !p.is_empty() => p,
        _ => {
            if std::io::stdin().is_terminal() {
                eprintln!("Password for {email} (input is visible; or set GARASI_ROOT_PASSWORD):");
            }
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    if let Err(e) = check_password_policy(&password) {
        bail!("password refused: {e}");
    }
    let db = open_database(&settings).await?;
    let hash = garasi_web::hash_password(&password).await?;
    let (user, done) =
        garasi_service::root_2fa::create_or_reset_root(&db, email.as_str(), name, &hash, reset_2fa).await?;
    if let RootReset::PasswordReset { sessions_ended, factor_removed } = done {
        println!("root user {}: new password set, {sessions_ended} session(s) ended", user.email);
        if factor_removed {
            println!("root user {}: second factor and recovery codes removed", user.email);
        } else if reset_2fa {
            println!("root user {}: had no second factor", user.email);
        }
    }
    println!("root user {} is ready; log in at {}", user.email, settings.web.admin_url());
    db.close().await;
    Ok(())
}
