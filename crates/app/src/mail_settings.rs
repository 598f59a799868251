//! Outgoing e-mail: `GARASI_SMTP_URL` and `GARASI_SMTP_FROM` (also the `[mail]` table of
//! the TOML file). Without a URL no e-mail is sent: password reset links then go by
//! WhatsApp, or the owner makes them in the dashboard.

use std::sync::Arc;

use clap::Args;
use garasi_service::mail::Mailer;
use serde::Deserialize;

use crate::settings::SettingError;

#[derive(Debug, Clone, Default, Args, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailArgs {
    /// SMTP server for password reset e-mails: smtp://host:25, smtp://user:pass@host:587?tls=required
    /// (STARTTLS) or smtps://user:pass@host:465 [default: none, no e-mail].
    #[arg(long, env = "GARASI_SMTP_URL", global = true, value_name = "URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Sender of those e-mails, e.g. "Garasi <no-reply@example.com>" [default: no-reply@<tenant domain>].
    #[arg(long, env = "GARASI_SMTP_FROM", global = true, value_name = "ADDRESS")]
    pub smtp_from: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct MailSettings {
    /// `None`: no e-mail.
    pub smtp_url: Option<String>,
    pub from: String,
}

impl MailSettings {
    /// The mailer for these settings, or `None` without an SMTP URL.
    pub fn mailer(&self) -> anyhow::Result<Option<Arc<dyn Mailer>>> {
        Ok(match &self.smtp_url {
            Some(url) => Some(Arc::new(garasi_channels::mail::SmtpMailer::new(url, &self.from)?)),
            None => None,
        })
    }
}

pub fn resolve(args: &MailArgs, file: Option<&MailArgs>, tenant_domain: &str) -> Result<MailSettings, SettingError> {
    let file = file.cloned().unwrap_or_default();
    let smtp_url = args.smtp_url.clone().or(file.smtp_url).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let from = args
        .smtp_from
        .clone()
        .or(file.smtp_from)
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| format!("Garasi <no-reply@{tenant_domain}>"));
    let settings = MailSettings { smtp_url, from };
    // Built once here so a bad URL or sender stops start-up naming the setting.
    if let Some(url) = &settings.smtp_url {
        garasi_channels::mail::parse_sender(&settings.from)
            .map_err(|e| SettingError { name: "GARASI_SMTP_FROM", reason: format!("{e:#}") })?;
        if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
            return Err(SettingError { name: "GARASI_SMTP_URL", reason: "must start with smtp:// or smtps://".into() });
        }
        garasi_channels::mail::SmtpMailer::new(url, &settings.from)
            .map_err(|e| SettingError { name: "GARASI_SMTP_URL", reason: format!("{e:#}") })?;
    }
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(url: &str, from: Option<&str>) -> MailArgs {
        MailArgs { smtp_url: Some(url.into()), smtp_from: from.map(str::to_owned) }
    }

    #[test]
    fn urls_and_senders_are_checked_at_start() {
        crate::install_tls_provider();
        let none = resolve(&MailArgs::default(), None, "example.com").unwrap();
        assert!(none.smtp_url.is_none() && none.mailer().unwrap().is_none());
        assert_eq!(none.from, "Garasi <no-reply@example.com>");
        for ok in
            ["smtp://127.0.0.1:2525", "smtp://u:p%40ss@mail.example.com:587?tls=required", "smtps://mail.example.com"]
        {
            let s = resolve(&args(ok, Some("Showroom <halo@example.com>")), None, "example.com").unwrap();
            assert!(s.mailer().unwrap().is_some(), "{ok}");
        }
        for bad in ["http://mail.example.com", "smtp://mail.example.com?tls=kadang"] {
            assert_eq!(resolve(&args(bad, None), None, "example.com").unwrap_err().name, "GARASI_SMTP_URL", "{bad}");
        }
        assert_eq!(
            resolve(&args("smtp://127.0.0.1:25", Some("bukan alamat")), None, "example.com").unwrap_err().name,
            "GARASI_SMTP_FROM"
        );
    }
}
