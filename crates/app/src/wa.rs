//! WhatsApp: the `GARASI_WA_*` and `GARASI_SECRET_KEY` settings, and `garasi wa`
//! (pairing from a terminal, status).

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use garasi_channels::{
    ChannelSetup, Channels, ChannelsConfig, ConnStatus, InboundSink, Pairing, SecretBox, TranscriptSink,
};
use garasi_service::{Actor, Events, Services, whatsapp};
use serde::Deserialize;

use crate::settings::{SettingError, Settings};

/// Also the `[whatsapp]` table of the TOML file, whose keys drop the `wa_` prefix.
#[derive(Debug, Clone, Default, Args, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WaArgs {
    /// Key (32 bytes, base64 or hex) that encrypts stored channel credentials; generated once into
    /// <data dir>/secret.key when unset [default: the key file].
    #[arg(long, env = "GARASI_SECRET_KEY", global = true, value_name = "KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// WhatsApp Cloud API (Graph) base URL including the version [default: https://graph.facebook.com/v23.0].
    #[arg(long, env = "GARASI_WA_GRAPH_BASE_URL", global = true, value_name = "URL")]
    #[serde(rename = "graph_base_url")]
    pub wa_graph_base_url: Option<String>,
    /// Messages one number may send per day (Asia/Jakarta); 0 = no cap [default: 1000].
    #[arg(long, env = "GARASI_WA_DAILY_CAP", global = true, value_name = "N")]
    #[serde(rename = "daily_cap")]
    pub wa_daily_cap: Option<u32>,
    /// Numbers that never wrote to the showroom one number may message first per day
    /// (Asia/Jakarta); 0 = no cap [default: 50].
    #[arg(long, env = "GARASI_WA_NEW_CHATS_PER_DAY", global = true, value_name = "N")]
    #[serde(rename = "new_chats_per_day")]
    pub wa_new_chats_per_day: Option<u32>,
    /// Longest "typing…" pause before a text, in ms (scaled to its length); 0 = no pause [default: 4000].
    #[arg(long, env = "GARASI_WA_TYPING_MAX_MS", global = true, value_name = "MS")]
    #[serde(rename = "typing_max_ms")]
    pub wa_typing_max_ms: Option<u64>,
    /// Pause between photos to one chat, in ms, as MIN-MAX [default: 1500-3000].
    #[arg(long, env = "GARASI_WA_PHOTO_GAP_MS", global = true, value_name = "MIN-MAX")]
    #[serde(rename = "photo_gap_ms")]
    pub wa_photo_gap_ms: Option<String>,
    /// Slug of the showroom whose connected number sends "your number dropped" alerts to other
    /// showrooms' owners [default: none].
    #[arg(long, env = "GARASI_WA_ALERT_FROM", global = true, value_name = "SLUG")]
    #[serde(rename = "alert_from")]
    pub wa_alert_from: Option<String>,
}

#[derive(Clone)]
pub struct WaSettings {
    /// `GARASI_SECRET_KEY`, if given.
    pub secret_key: Option<String>,
    pub channels: ChannelsConfig,
    pub alert_from: Option<String>,
}

impl std::fmt::Debug for WaSettings {
    // The key never reaches a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaSettings")
            .field("secret_key", &self.secret_key.as_ref().map(|_| "***"))
            .field("channels", &self.channels)
            .field("alert_from", &self.alert_from)
            .finish()
    }
}

fn bad(name: &'static str, reason: impl Into<String>) -> SettingError {
    SettingError { name, reason: reason.into() }
}

pub fn resolve(args: &WaArgs, file: Option<&WaArgs>, data_dir: &Path) -> Result<WaSettings, SettingError> {
    let file = file.cloned().unwrap_or_default();
    let text =
        |a: &Option<String>, f: Option<String>| a.clone().or(f).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let secret_key = text(&args.secret_key, file.secret_key);
    if let Some(k) = &secret_key {
        SecretBox::from_setting(k).map_err(|e| bad("GARASI_SECRET_KEY", e.to_string()))?;
    }
    let mut c = ChannelsConfig::new(data_dir.to_path_buf());
    if let Some(url) = text(&args.wa_graph_base_url, file.wa_graph_base_url) {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(bad("GARASI_WA_GRAPH_BASE_URL", "must start with http:// or https://"));
        }
        c.graph_base_url = url.trim_end_matches('/').to_owned();
    }
    if let Some(cap) = args.wa_new_chats_per_day.or(file.wa_new_chats_per_day) {
        c.pacing.new_chats_per_day = cap;
    }
    if let Some(cap) = args.wa_daily_cap.or(file.wa_daily_cap) {
        c.pacing.daily_cap = cap;
    }
    if let Some(ms) = args.wa_typing_max_ms.or(file.wa_typing_max_ms) {
        if ms > 30_000 {
            return Err(bad("GARASI_WA_TYPING_MAX_MS", "must be at most 30000"));
        }
        c.pacing.typing_max = Duration::from_millis(ms);
        if ms == 0 {
            c.pacing.typing_base = Duration::ZERO;
            c.pacing.typing_per_char = Duration::ZERO;
        }
    }
    if let Some(gap) = text(&args.wa_photo_gap_ms, file.wa_photo_gap_ms) {
        let (lo, hi) = gap.split_once('-').unwrap_or((gap.as_str(), gap.as_str()));
        let (Ok(lo), Ok(hi)) = (lo.trim().parse::<u64>(), hi.trim().parse::<u64>()) else {
            return Err(bad("GARASI_WA_PHOTO_GAP_MS", "must be MIN-MAX in milliseconds, e.g. 1500-3000"));
        };
        if lo > hi || hi > 60_000 {
            return Err(bad("GARASI_WA_PHOTO_GAP_MS", "MIN must not exceed MAX, and MAX at most 60000"));
        }
        c.pacing.photo_gap_min = Duration::from_millis(lo);
        c.pacing.photo_gap_max = Duration::from_millis(hi);
    }
    Ok(WaSettings { secret_key, channels: c, alert_from: text(&args.wa_alert_from, file.wa_alert_from) })
}

/// The channel layer of this process, opened from the settings. Inbound messages go
/// to `sink` (the bot engine when serving; filed only for `garasi wa`).
pub fn open(settings: &Settings, services: Services, sink: Arc<dyn InboundSink>) -> anyhow::Result<Channels> {
    let wa = &settings.whatsapp;
    let secrets = secret_box(settings)?;
    let mut config = wa.channels.clone();
    config.data_dir = settings.data_dir.clone();
    Channels::new(services, config, secrets, sink, wa.alert_from.clone())
}

/// The instance's secret key (`GARASI_SECRET_KEY` or `<data dir>/secret.key`), which seals
/// WhatsApp credentials and root users' TOTP secrets.
pub fn secret_box(settings: &Settings) -> anyhow::Result<SecretBox> {
    SecretBox::load_or_create(settings.whatsapp.secret_key.as_deref(), &settings.data_dir)
        .context("cannot load the secret key for stored credentials")
}

#[derive(Debug, Subcommand)]
pub enum WaCommand {
    /// Link a showroom's number to WhatsApp Web from this terminal: prints each QR code (or the
    /// phone code with --phone) until the phone scans it. A running server hands the connection
    /// over and takes it back afterwards. Manual smoke test: needs a phone and the internet.
    Pair {
        /// The showroom's slug.
        #[arg(long)]
        tenant: String,
        /// Pair with an 8-character code typed on this phone number instead of a QR code.
        #[arg(long)]
        phone: Option<String>,
    },
    /// Show a showroom's WhatsApp status.
    Status {
        #[arg(long)]
        tenant: String,
    },
}

pub async fn run(settings: Settings, command: WaCommand) -> anyhow::Result<()> {
    let db = crate::server::open_database(&settings).await?;
    let (media, _staging) = crate::server::open_media(&settings).await?;
    let slug = match &command {
        WaCommand::Pair { tenant, .. } | WaCommand::Status { tenant } => tenant.clone(),
    };
    let Some(tenant) = db.platform().tenant_by_slug(&slug).await? else { bail!("no showroom with slug {slug:?}") };
    let mut s = settings.clone();
    s.whatsapp.channels.only_tenant = Some(tenant.id);
    let services = Services::new(db.clone(), Events::in_process(), media);
    let sink = Arc::new(TranscriptSink::new(db.clone()));
    let channels = open(&s, services.clone(), sink)?;
    let result = match command {
        WaCommand::Status { .. } => {
            println!("{}", serde_json::to_string_pretty(&channels.status(tenant.id).await?)?);
            Ok(())
        }
        WaCommand::Pair { phone, .. } => pair(&services, &channels, &tenant, phone.as_deref()).await,
    };
    channels.shutdown().await;
    db.close().await;
    result
}

async fn pair(
    services: &Services,
    channels: &Channels,
    tenant: &garasi_store::platform::Tenant,
    phone: Option<&str>,
) -> anyhow::Result<()> {
    // The terminal acts as Garasi itself: the audit log says `system`.
    let actor = Actor::System;
    let scoped = services.db.tenant(tenant.id);
    let status = channels.status(tenant.id).await?;
    if status.kind != "waweb" {
        println!("Setting {}'s channel to WhatsApp Web (was {}).", tenant.slug, status.kind);
        whatsapp::configure(services, &actor, &scoped, channels, ChannelSetup::WaWeb).await?;
    }
    channels.start_workers();
    println!("Asking for a pairing code for {} …", tenant.name);
    whatsapp::pair(services, &actor, &scoped, channels, phone).await?;
    let Some((mut st, mut pr)) = channels.watch(tenant.id) else { bail!("the connection did not start here") };
    let mut out = std::io::stdout();
    loop {
        let pairing = pr.borrow_and_update().clone();
        match pairing {
            Some(Pairing::Qr { payload, seq, expires_at }) => {
                let qr = garasi_channels::qr::terminal(&payload).unwrap_or_default();
                let secs = (expires_at - chrono::Utc::now()).num_seconds().max(0);
                // Clear the screen so only the newest code is on it.
                write!(
                    out,
                    "\x1b[2J\x1b[H{qr}\nQR #{seq}, valid {secs} s. WhatsApp → Linked devices → Link a device.\n"
                )?;
                out.flush()?;
            }
            Some(Pairing::Code { code, .. }) => {
                println!("Pairing code: {code}  (WhatsApp → Linked devices → Link with phone number)");
            }
            Some(Pairing::Exhausted) => bail!("the QR codes ran out before one was scanned; run the command again"),
            None => {}
        }
        let s = st.borrow_and_update().clone();
        match s {
            ConnStatus::Connected => {
                let view = channels.status(tenant.id).await?;
                println!("Connected as {}.", view.phone.unwrap_or_else(|| "?".into()));
                return Ok(());
            }
            s if s.is_terminal() => bail!("pairing failed: {}", s.label_id()),
            _ => {}
        }
        tokio::select! {
            r = st.changed() => { if r.is_err() { bail!("the connection stopped") } }
            r = pr.changed() => { if r.is_err() { bail!("the connection stopped") } }
            _ = tokio::signal::ctrl_c() => bail!("interrupted"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_checks_the_whatsapp_settings() {
        let dir = std::path::PathBuf::from("/tmp/x");
        let s = resolve(&WaArgs::default(), None, &dir).unwrap();
        assert_eq!(s.channels.graph_base_url, "https://graph.facebook.com/v23.0");
        assert_eq!(s.channels.pacing.daily_cap, 1000);
        let args = WaArgs {
            wa_graph_base_url: Some("http://127.0.0.1:9/v23.0/".into()),
            wa_photo_gap_ms: Some("0-0".into()),
            wa_typing_max_ms: Some(0),
            secret_key: Some("01".repeat(32)),
            ..Default::default()
        };
        let s = resolve(&args, None, &dir).unwrap();
        assert_eq!(s.channels.graph_base_url, "http://127.0.0.1:9/v23.0");
        assert!(s.channels.pacing.photo_gap_max.is_zero() && s.channels.pacing.typing_base.is_zero());
        assert!(!format!("{s:?}").contains(&"01".repeat(32)), "the key never reaches logs");
        for (args, name) in [
            (
                WaArgs { wa_graph_base_url: Some("graph.facebook.com".into()), ..Default::default() },
                "GARASI_WA_GRAPH_BASE_URL",
            ),
            (WaArgs { wa_photo_gap_ms: Some("3000-1500".into()), ..Default::default() }, "GARASI_WA_PHOTO_GAP_MS"),
            (WaArgs { secret_key: Some("short".into()), ..Default::default() }, "GARASI_SECRET_KEY"),
        ] {
            assert_eq!(resolve(&args, None, &dir).unwrap_err().name, name);
        }
    }
}
