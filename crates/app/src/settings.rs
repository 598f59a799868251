//! Settings, from flags, then environment variables (both through clap), then an
//! optional TOML file, then defaults that boot with nothing set. A bad value stops
//! start-up with a message naming the setting.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use garasi_domain::normalize_host;
use garasi_web::{Scheme, WebConfig};
use ipnet::IpNet;
use serde::Deserialize;

/// Every setting, as flags and environment variables, shared by all commands; and the
/// same keys in the optional TOML file (the groups as `[s3]`, `[bot]`, `[whatsapp]`,
/// `[domains]`, `[backup]`, `[limits]` and `[mail]` tables). One declaration for both, so a new setting can't miss
/// the file.
#[derive(Debug, Clone, Default, Args, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SettingArgs {
    #[command(flatten)]
    pub s3: crate::storage::S3Args,
    #[command(flatten)]
    pub bot: crate::bot_settings::BotArgs,
    #[command(flatten)]
    pub whatsapp: crate::wa::WaArgs,
    #[command(flatten)]
    pub domains: crate::domain_settings::DomainArgs,
    #[command(flatten)]
    pub backup: crate::backup::settings::BackupArgs,
    #[command(flatten)]
    pub mail: crate::mail_settings::MailArgs,
    #[command(flatten)]
    pub limits: crate::limit_settings::LimitArgs,
    /// TOML settings file; keys are the setting names below in snake_case (e.g. `bind`).
    #[arg(long, env = "GARASI_CONFIG", global = true, value_name = "FILE")]
    #[serde(skip)]
    pub config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:3000].
    #[arg(long, env = "GARASI_BIND", global = true, value_name = "ADDR")]
    pub bind: Option<String>,
    /// Loopback address for infrastructure endpoints (Caddy's TLS `ask` at /tls/allowed, probes);
    /// never expose it publicly [default: 127.0.0.1:9464].
    #[arg(long, env = "GARASI_INTERNAL_BIND", global = true, value_name = "ADDR")]
    pub internal_bind: Option<String>,
    /// Directory for the SQLite database and media [default: ./data].
    #[arg(long, env = "GARASI_DATA_DIR", global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL: sqlite://… or postgres://… [default: SQLite file in the data dir].
    #[arg(long, env = "GARASI_DATABASE_URL", global = true, value_name = "URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// PostgreSQL owner URL used only to run migrations; `serve` migrates itself when set.
    #[arg(long, env = "GARASI_MIGRATE_DATABASE_URL", global = true, value_name = "URL", hide_env_values = true)]
    pub migrate_database_url: Option<String>,
    /// Redis URL for shared rate limits, caches and cross-instance events [default: none, in-process].
    #[arg(long, env = "GARASI_REDIS_URL", global = true, value_name = "URL", hide_env_values = true)]
    pub redis_url: Option<String>,
    /// Prefix for every Redis key and channel, so deployments can share a Redis [default: garasi:].
    #[arg(long, env = "GARASI_REDIS_PREFIX", global = true, value_name = "PREFIX")]
    pub redis_prefix: Option<String>,
    /// Host name of the platform (root admin) site [default: admin.localhost].
    #[arg(long, env = "GARASI_ADMIN_HOST", global = true, value_name = "HOST")]
    pub admin_host: Option<String>,
    /// Showrooms are served at <slug>.<this domain> [default: localhost].
    #[arg(long, env = "GARASI_TENANT_DOMAIN", global = true, value_name = "DOMAIN")]
    pub tenant_domain: Option<String>,
    /// Scheme of public absolute URLs: http or https [default: http].
    #[arg(long, env = "GARASI_PUBLIC_SCHEME", global = true, value_name = "SCHEME")]
    pub public_scheme: Option<String>,
    /// Port of public absolute URLs; 0 leaves it out [default: the bind port].
    #[arg(long, env = "GARASI_PUBLIC_BASE_PORT", global = true, value_name = "PORT")]
    pub public_base_port: Option<u16>,
    /// Comma-separated proxy addresses or CIDRs whose forwarded headers are trusted [default: none].
    #[arg(long, env = "GARASI_TRUSTED_PROXIES", global = true, value_name = "LIST")]
    pub trusted_proxies: Option<String>,
    /// Login session lifetime in hours [default: 168].
    #[arg(long, env = "GARASI_SESSION_TTL_HOURS", global = true, value_name = "HOURS")]
    pub session_ttl_hours: Option<u64>,
    /// Failed logins allowed per account within 15 minutes [default: 5].
    #[arg(long, env = "GARASI_LOGIN_MAX_FAILURES", global = true, value_name = "N")]
    pub login_max_failures: Option<i64>,
    /// Log filter, e.g. info or garasi=debug [default: info].
    #[arg(long, env = "GARASI_LOG", global = true, value_name = "FILTER")]
    pub log: Option<String>,
    /// Log line format: text or json (one JSON object per line) [default: text].
    #[arg(long, env = "GARASI_LOG_FORMAT", global = true, value_name = "FORMAT")]
    pub log_format: Option<String>,
    /// Seconds in-flight requests and uploads get to finish after SIGTERM [default: 20].
    #[arg(long, env = "GARASI_SHUTDOWN_GRACE_S", global = true, value_name = "SECONDS")]
    pub shutdown_grace_s: Option<u64>,
    /// Stable name of this instance, unique among running ones and kept across restarts (e.g. the
    /// replica's name); a restart takes over its dead predecessor's claims at once [default: the host name].
    #[arg(long, env = "GARASI_INSTANCE_ID", global = true, value_name = "NAME")]
    pub instance_id: Option<String>,
    /// Memory the cache of rendered public pages may hold, in bytes; 0 caches nothing [default: 33554432].
    #[arg(long, env = "GARASI_PAGE_CACHE_MAX_BYTES", global = true, value_name = "BYTES")]
    pub page_cache_max_bytes: Option<u64>,
}

#[derive(Debug, thiserror::Error)]
#[error("invalid setting {name}: {reason}")]
pub struct SettingError {
    pub name: &'static str,
    pub reason: String,
}

fn bad(name: &'static str, reason: impl Into<String>) -> SettingError {
    SettingError { name, reason: reason.into() }
}

/// Resolved, validated settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// An S3-compatible bucket for photos, or `None` for the data dir.
    pub s3: Option<crate::storage::S3Settings>,
    /// The bot: the optional LLM, memory TTL, rate limits.
    pub bot: garasi_bot::BotConfig,
    /// WhatsApp channels: credential key, Cloud API base URL, pacing.
    pub whatsapp: crate::wa::WaSettings,
    /// Backup passphrase and schedule.
    pub backup: crate::backup::settings::BackupSettings,
    pub bind: SocketAddr,
    /// The internal listener (see `garasi_web::internal_router`).
    pub internal_bind: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub migrate_database_url: Option<String>,
    pub redis_url: Option<String>,
    pub redis_prefix: String,
    pub web: WebConfig,
    pub log: String,
    pub log_format: crate::logging::LogFormat,
    /// GARASI_SHUTDOWN_GRACE_S: how long a SIGTERM waits for in-flight requests.
    pub shutdown_grace: Duration,
    /// Password reset e-mails (GARASI_SMTP_URL, GARASI_SMTP_FROM).
    pub mail: crate::mail_settings::MailSettings,
    /// GARASI_LLM_TOKEN_CEILING: the most LLM tokens a day a showroom may budget, unless
    /// root sets another for it.
    pub llm_token_ceiling: i64,
    /// The clock and reminder tick of visits and test drives.
    pub appointments: crate::reminders::AppointmentSettings,
}

impl Settings {
    pub fn resolve(args: &SettingArgs) -> Result<Settings, SettingError> {
        let file = match &args.config {
            Some(path) => load_file(path)?,
            None => SettingArgs::default(),
        };
        macro_rules! pick {
            ($field:ident) => {
                args.$field.clone().or(file.$field.clone())
            };
        }
        let bind_raw = pick!(bind).unwrap_or_else(|| "127.0.0.1:3000".into());
        let bind: SocketAddr = bind_raw
            .parse()
            .map_err(|_| bad("GARASI_BIND", format!("{bind_raw:?} is not an address like 127.0.0.1:3000")))?;
        let internal_raw = pick!(internal_bind).unwrap_or_else(|| "127.0.0.1:9464".into());
        let internal_bind: SocketAddr = internal_raw.parse().map_err(|_| {
            bad("GARASI_INTERNAL_BIND", format!("{internal_raw:?} is not an address like 127.0.0.1:9464"))
        })?;
        let data_dir = pick!(data_dir).unwrap_or_else(|| PathBuf::from("./data"));
        let database_url = pick!(database_url)
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| garasi_store::Db::sqlite_url_for_dir(&data_dir));
        check_db_url("GARASI_DATABASE_URL", &database_url)?;
        let migrate_database_url = pick!(migrate_database_url).filter(|s| !s.trim().is_empty());
        if let Some(url) = &migrate_database_url {
            check_db_url("GARASI_MIGRATE_DATABASE_URL", url)?;
        }
        let redis_url = pick!(redis_url).filter(|s| !s.trim().is_empty());
        if let Some(url) = &redis_url
            && !(url.starts_with("redis://") || url.starts_with("rediss://") || url.starts_with("unix://"))
        {
            return Err(bad("GARASI_REDIS_URL", "must start with redis://, rediss:// or unix://"));
        }
        let admin_host_raw = pick!(admin_host).unwrap_or_else(|| "admin.localhost".into());
        let admin_host = normalize_host(&admin_host_raw)
            .map_err(|e| bad("GARASI_ADMIN_HOST", format!("{admin_host_raw:?}: {e}")))?;
        let tenant_domain_raw = pick!(tenant_domain).unwrap_or_else(|| "localhost".into());
        let tenant_domain = normalize_host(&tenant_domain_raw)
            .map_err(|e| bad("GARASI_TENANT_DOMAIN", format!("{tenant_domain_raw:?}: {e}")))?;
        let public_scheme = match pick!(public_scheme).as_deref().unwrap_or("http") {
            "http" => Scheme::Http,
            "https" => Scheme::Https,
            other => return Err(bad("GARASI_PUBLIC_SCHEME", format!("{other:?} must be http or https"))),
        };
        let public_port = match pick!(public_base_port) {
            Some(0) => None,
            Some(p) => Some(p),
            None => Some(bind.port()),
        };
        let trusted_proxies = parse_proxies(pick!(trusted_proxies).as_deref().unwrap_or(""))?;
        let ttl_hours = pick!(session_ttl_hours).unwrap_or(168);
        if !(1..=24 * 90).contains(&ttl_hours) {
            return Err(bad("GARASI_SESSION_TTL_HOURS", "must be between 1 and 2160"));
        }
        let login_max_failures = pick!(login_max_failures).unwrap_or(5);
        if !(1..=1000).contains(&login_max_failures) {
            return Err(bad("GARASI_LOGIN_MAX_FAILURES", "must be between 1 and 1000"));
        }
        let page_cache_max_bytes =
            pick!(page_cache_max_bytes).unwrap_or(garasi_web::PAGE_CACHE_DEFAULT_MAX_BYTES as u64);
        if page_cache_max_bytes > 1 << 34 {
            return Err(bad("GARASI_PAGE_CACHE_MAX_BYTES", "must be at most 17179869184 (16 GiB)"));
        }
        let grace = pick!(shutdown_grace_s).unwrap_or(20);
        if grace > 3600 {
            return Err(bad("GARASI_SHUTDOWN_GRACE_S", "must be at most 3600"));
        }
        let instance_id = pick!(instance_id).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        if let Some(id) = &instance_id
            && (id.len() > 100 || id.chars().any(char::is_control))
        {
            return Err(bad("GARASI_INSTANCE_ID", "must be at most 100 characters, without control characters"));
        }
        let mail = crate::mail_settings::resolve(&args.mail, Some(&file.mail), &tenant_domain)?;
        let mut whatsapp = crate::wa::resolve(&args.whatsapp, Some(&file.whatsapp), &data_dir)?;
        whatsapp.channels.identity = garasi_channels::Identity::current(instance_id.as_deref());
        let limits =
            crate::limit_settings::resolve(&args.limits, Some(&file.limits), whatsapp.channels.pacing.daily_cap)?;
        let mut bot = crate::bot_settings::resolve(&args.bot, Some(&file.bot))?;
        bot.contact_budget = limits.contact;
        Ok(Settings {
            s3: crate::storage::resolve(&args.s3, Some(&file.s3))?,
            bot,
            whatsapp,
            backup: crate::backup::settings::resolve(&args.backup, Some(&file.backup), &data_dir)?,
            bind,
            internal_bind,
            data_dir,
            database_url,
            migrate_database_url,
            redis_url,
            redis_prefix: pick!(redis_prefix).unwrap_or_else(|| "garasi:".into()),
            web: WebConfig {
                admin_host,
                tenant_domain,
                public_scheme,
                public_port,
                trusted_proxies,
                session_ttl: Duration::from_secs(ttl_hours * 3600),
                login_max_failures,
                login_window: Duration::from_secs(15 * 60),
                domains: crate::domain_settings::resolve(&args.domains, Some(&file.domains))?,
                rate_limits: limits.rate,
                page_cache_max_bytes: usize::try_from(page_cache_max_bytes).unwrap_or(usize::MAX),
            },
            log: pick!(log).unwrap_or_else(|| "info".into()),
            log_format: pick!(log_format)
                .map(|f| f.parse().map_err(|e: String| bad("GARASI_LOG_FORMAT", e)))
                .transpose()?
                .unwrap_or_default(),
            shutdown_grace: Duration::from_secs(grace),
            mail,
            llm_token_ceiling: limits.llm_token_ceiling,
            appointments: crate::reminders::AppointmentSettings::default(),
        })
    }

    pub fn is_postgres(&self) -> bool {
        self.database_url.starts_with("postgres")
    }
}

fn load_file(path: &Path) -> Result<SettingArgs, SettingError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| bad("GARASI_CONFIG", format!("cannot read {}: {e}", path.display())))?;
    toml::from_str(&text).map_err(|e| bad("GARASI_CONFIG", format!("{}: {e}", path.display())))
}

fn check_db_url(name: &'static str, url: &str) -> Result<(), SettingError> {
    if url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(())
    } else {
        Err(bad(name, "must start with sqlite:, postgres:// or postgresql://"))
    }
}

fn parse_proxies(raw: &str) -> Result<Vec<IpNet>, SettingError> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(IpNet::from))
                .map_err(|_| bad("GARASI_TRUSTED_PROXIES", format!("{s:?} is not an IP address or CIDR")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_boot_with_nothing_set() {
        let s = Settings::resolve(&SettingArgs::default()).unwrap();
        assert_eq!(s.bind.to_string(), "127.0.0.1:3000");
        assert_eq!(s.web.admin_host, "admin.localhost");
        assert_eq!(s.web.tenant_domain, "localhost");
        assert!(s.database_url.starts_with("sqlite://"));
        assert_eq!(s.web.origin_for("a.localhost"), "http://a.localhost:3000");
        assert_eq!(s.shutdown_grace, Duration::from_secs(20));
        assert_eq!(s.whatsapp.channels.identity.instance_id, garasi_channels::instance::host_name());
        let args = SettingArgs { instance_id: Some(" garasi-1 ".into()), ..Default::default() };
        let id = Settings::resolve(&args).unwrap().whatsapp.channels.identity;
        assert!(id.explicit && id.instance_id == "garasi-1");
    }

    #[test]
    fn bad_values_name_the_setting() {
        let args = SettingArgs { bind: Some("nope".into()), ..Default::default() };
        assert_eq!(Settings::resolve(&args).unwrap_err().name, "GARASI_BIND");
        let args = SettingArgs { trusted_proxies: Some("10.0.0.0/8, x".into()), ..Default::default() };
        assert_eq!(Settings::resolve(&args).unwrap_err().name, "GARASI_TRUSTED_PROXIES");
        let args = SettingArgs { database_url: Some("mysql://x".into()), ..Default::default() };
        assert_eq!(Settings::resolve(&args).unwrap_err().name, "GARASI_DATABASE_URL");
        let args = SettingArgs { public_scheme: Some("ftp".into()), ..Default::default() };
        assert_eq!(Settings::resolve(&args).unwrap_err().name, "GARASI_PUBLIC_SCHEME");
        let args = SettingArgs { shutdown_grace_s: Some(86_400), ..Default::default() };
        assert_eq!(Settings::resolve(&args).unwrap_err().name, "GARASI_SHUTDOWN_GRACE_S");
        let args = SettingArgs { instance_id: Some("a\nb".into()), ..Default::default() };
        assert_eq!(Settings::resolve(&args).unwrap_err().name, "GARASI_INSTANCE_ID");
    }

    #[test]
    fn file_fills_in_and_flags_win() {
        let dir = std::env::temp_dir().join(format!("garasi-settings-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("garasi.toml");
        std::fs::write(&path, "bind = \"127.0.0.1:4000\"\ntenant_domain = \"garasi.example\"\n").unwrap();
        let args =
            SettingArgs { config: Some(path.clone()), bind: Some("127.0.0.1:5000".into()), ..Default::default() };
        let s = Settings::resolve(&args).unwrap();
        assert_eq!(s.bind.port(), 5000);
        assert_eq!(s.web.tenant_domain, "garasi.example");
        std::fs::write(&path, "colour = \"red\"\n").unwrap();
        let err = Settings::resolve(&SettingArgs { config: Some(path), ..Default::default() }).unwrap_err();
        assert_eq!(err.name, "GARASI_CONFIG");
        let _ = std::fs::remove_dir_all(dir);
    }
}
