//! Abuse limits: per-address request limits (`GARASI_RATE_LIMIT_*`), the bot
//! simulator's per-user limit, the platform's LLM token ceiling and the WhatsApp
//! outbound budget per contact (`GARASI_WA_CONTACT_*`).

use clap::Args;
use garasi_bot::ContactBudget;
use garasi_domain::tenant_settings::{DEFAULT_LLM_TOKEN_CEILING, MAX_LLM_TOKEN_CEILING};
use garasi_web::RateLimits;
use serde::Deserialize;

use crate::settings::SettingError;

/// Also the `[limits]` table of the TOML file (same names in snake_case).
#[derive(Debug, Clone, Default, Args, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitArgs {
    /// Public (and dashboard) page requests per client address per minute; 0 = no limit [default: 600].
    #[arg(long, env = "GARASI_RATE_LIMIT_PAGES", global = true, value_name = "N")]
    pub rate_limit_pages: Option<u32>,
    /// JSON API requests per client address per minute; 0 = no limit [default: 1200].
    #[arg(long, env = "GARASI_RATE_LIMIT_API", global = true, value_name = "N")]
    pub rate_limit_api: Option<u32>,
    /// Webhook requests per sender address per minute (Meta sends from few addresses); 0 = no limit
    /// [default: 6000].
    #[arg(long, env = "GARASI_RATE_LIMIT_WEBHOOKS", global = true, value_name = "N")]
    pub rate_limit_webhooks: Option<u32>,
    /// Uploads (photos, spreadsheet imports) per client address per minute; 0 = no limit [default: 120].
    #[arg(long, env = "GARASI_RATE_LIMIT_UPLOADS", global = true, value_name = "N")]
    pub rate_limit_uploads: Option<u32>,
    /// Bot simulator messages per dashboard user per minute; 0 = no limit [default: 30].
    #[arg(long, env = "GARASI_RATE_LIMIT_SIMULATOR", global = true, value_name = "N")]
    pub rate_limit_simulator: Option<u32>,
    /// Most LLM tokens per day a showroom may budget, unless root sets another for it [default: 200000].
    #[arg(long, env = "GARASI_LLM_TOKEN_CEILING", global = true, value_name = "TOKENS")]
    pub llm_token_ceiling: Option<i64>,
    /// Messages (texts and photos) the bot sends one customer per day; 0 = no limit [default: 60].
    #[arg(long, env = "GARASI_WA_CONTACT_DAILY_MESSAGES", global = true, value_name = "N")]
    pub wa_contact_daily_messages: Option<u32>,
    /// Photos the bot sends one customer per hour; 0 = no limit [default: 20].
    #[arg(long, env = "GARASI_WA_CONTACT_PHOTOS_PER_HOUR", global = true, value_name = "N")]
    pub wa_contact_photos_per_hour: Option<u32>,
    /// Percent of a number's daily cap kept for customers not answered yet that day; 0 = none [default: 20].
    #[arg(long, env = "GARASI_WA_NEW_CONTACT_RESERVE_PERCENT", global = true, value_name = "PERCENT")]
    pub wa_new_contact_reserve_percent: Option<u32>,
}

/// The resolved limits, handed to the web layer, the services and the bot.
#[derive(Debug, Clone)]
pub struct Limits {
    pub rate: RateLimits,
    pub llm_token_ceiling: i64,
    /// Without the number's daily cap, which comes from `GARASI_WA_DAILY_CAP`.
    pub contact: ContactBudget,
}

fn bad(name: &'static str, reason: impl Into<String>) -> SettingError {
    SettingError { name, reason: reason.into() }
}

pub fn resolve(args: &LimitArgs, file: Option<&LimitArgs>, number_daily_cap: u32) -> Result<Limits, SettingError> {
    let file = file.cloned().unwrap_or_default();
    macro_rules! pick {
        ($field:ident) => {
            args.$field.or(file.$field)
        };
    }
    let mut rate = RateLimits::default();
    for (value, slot) in [
        (pick!(rate_limit_pages), &mut rate.pages),
        (pick!(rate_limit_api), &mut rate.api),
        (pick!(rate_limit_webhooks), &mut rate.webhooks),
        (pick!(rate_limit_uploads), &mut rate.uploads),
        (pick!(rate_limit_simulator), &mut rate.simulator),
    ] {
        if let Some(v) = value {
            *slot = v;
        }
    }
    let llm_token_ceiling = pick!(llm_token_ceiling).unwrap_or(DEFAULT_LLM_TOKEN_CEILING);
    if !(0..=MAX_LLM_TOKEN_CEILING).contains(&llm_token_ceiling) {
        return Err(bad("GARASI_LLM_TOKEN_CEILING", format!("must be between 0 and {MAX_LLM_TOKEN_CEILING}")));
    }
    let mut contact = ContactBudget { number_daily_cap, ..ContactBudget::default() };
    if let Some(v) = pick!(wa_contact_daily_messages) {
        contact.daily_messages = v;
    }
    if let Some(v) = pick!(wa_contact_photos_per_hour) {
        contact.photos_per_hour = v;
    }
    if let Some(v) = pick!(wa_new_contact_reserve_percent) {
        if v > 90 {
            return Err(bad("GARASI_WA_NEW_CONTACT_RESERVE_PERCENT", "must be between 0 and 90"));
        }
        contact.new_contact_reserve_percent = v;
    }
    Ok(Limits { rate, llm_token_ceiling, contact })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_bad_values() {
        let l = resolve(&LimitArgs::default(), None, 1000).unwrap();
        assert_eq!(l.rate, RateLimits::default());
        assert_eq!(l.llm_token_ceiling, 200_000);
        assert_eq!(l.contact.number_daily_cap, 1000);
        let args = LimitArgs { rate_limit_api: Some(0), wa_contact_daily_messages: Some(5), ..Default::default() };
        let file = LimitArgs { rate_limit_api: Some(7), rate_limit_pages: Some(9), ..Default::default() };
        let l = resolve(&args, Some(&file), 10).unwrap();
        assert_eq!((l.rate.api, l.rate.pages, l.contact.daily_messages), (0, 9, 5));
        let args = LimitArgs { llm_token_ceiling: Some(-1), ..Default::default() };
        assert_eq!(resolve(&args, None, 1).unwrap_err().name, "GARASI_LLM_TOKEN_CEILING");
        let args = LimitArgs { wa_new_contact_reserve_percent: Some(95), ..Default::default() };
        assert_eq!(resolve(&args, None, 1).unwrap_err().name, "GARASI_WA_NEW_CONTACT_RESERVE_PERCENT");
    }
}
