//! The bot's settings: the optional LLM (`GARASI_LLM_*`), the memory TTL and the reply budget.

use std::time::Duration;

use clap::Args;
use garasi_bot::{BotConfig, LlmConfig};
use serde::Deserialize;

use crate::settings::SettingError;

/// Also the `[bot]` table of the TOML file (`memory_ttl_hours` there).
#[derive(Debug, Clone, Default, Args, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BotArgs {
    /// OpenAI-compatible chat-completions base URL including the version, e.g.
    /// https://api.openai.com/v1 or http://127.0.0.1:11434/v1 (Ollama). Unset: the bot runs offline only.
    #[arg(long, env = "GARASI_LLM_BASE_URL", global = true, value_name = "URL")]
    pub llm_base_url: Option<String>,
    /// API key sent as a bearer token [default: none].
    #[arg(long, env = "GARASI_LLM_API_KEY", global = true, value_name = "KEY", hide_env_values = true)]
    pub llm_api_key: Option<String>,
    /// Model name [default: gpt-4o-mini].
    #[arg(long, env = "GARASI_LLM_MODEL", global = true, value_name = "NAME")]
    pub llm_model: Option<String>,
    /// Per-request LLM timeout in milliseconds [default: 6000].
    #[arg(long, env = "GARASI_LLM_TIMEOUT_MS", global = true, value_name = "MS")]
    pub llm_timeout_ms: Option<u64>,
    /// How long the bot remembers a contact's last cars and filters, in hours [default: 24].
    #[arg(long, env = "GARASI_BOT_MEMORY_TTL_HOURS", global = true, value_name = "HOURS")]
    #[serde(rename = "memory_ttl_hours")]
    pub bot_memory_ttl_hours: Option<u64>,
    /// One budget per reply, end to end, in milliseconds: the LLM gets what is left of it and the offline
    /// answer goes out in time [default: 5000].
    #[arg(long, env = "GARASI_BOT_REPLY_BUDGET_MS", global = true, value_name = "MS")]
    #[serde(rename = "reply_budget_ms")]
    pub bot_reply_budget_ms: Option<u64>,
}

fn bad(name: &'static str, reason: impl Into<String>) -> SettingError {
    SettingError { name, reason: reason.into() }
}

pub fn resolve(args: &BotArgs, file: Option<&BotArgs>) -> Result<BotConfig, SettingError> {
    let file = file.cloned().unwrap_or_default();
    let text =
        |a: &Option<String>, f: Option<String>| a.clone().or(f).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let mut config = BotConfig::default();
    if let Some(url) = text(&args.llm_base_url, file.llm_base_url) {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(bad("GARASI_LLM_BASE_URL", "must start with http:// or https://"));
        }
        let mut llm = LlmConfig::new(url.trim_end_matches('/'));
        llm.api_key = text(&args.llm_api_key, file.llm_api_key);
        if let Some(model) = text(&args.llm_model, file.llm_model) {
            llm.model = model;
        }
        if let Some(ms) = args.llm_timeout_ms.or(file.llm_timeout_ms) {
            if !(100..=60_000).contains(&ms) {
                return Err(bad("GARASI_LLM_TIMEOUT_MS", "must be between 100 and 60000"));
            }
            llm.timeout = Duration::from_millis(ms);
        }
        config.llm = Some(llm);
    }
    if let Some(h) = args.bot_memory_ttl_hours.or(file.bot_memory_ttl_hours) {
        if !(1..=24 * 30).contains(&h) {
            return Err(bad("GARASI_BOT_MEMORY_TTL_HOURS", "must be between 1 and 720"));
        }
        config.memory_ttl = Duration::from_secs(h * 3600);
    }
    if let Some(ms) = args.bot_reply_budget_ms.or(file.bot_reply_budget_ms) {
        if !(500..=60_000).contains(&ms) {
            return Err(bad("GARASI_BOT_REPLY_BUDGET_MS", "must be between 500 and 60000"));
        }
        config.reply_budget = Duration::from_millis(ms);
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offline_by_default_and_bad_values_name_the_setting() {
        let c = resolve(&BotArgs::default(), None).unwrap();
        assert!(c.llm.is_none());
        assert_eq!(c.memory_ttl, Duration::from_secs(24 * 3600));
        let args = BotArgs {
            llm_base_url: Some("http://127.0.0.1:9/v1/".into()),
            llm_api_key: Some("sk-secret".into()),
            ..Default::default()
        };
        let c = resolve(&args, None).unwrap();
        let llm = c.llm.unwrap();
        assert_eq!(llm.base_url, "http://127.0.0.1:9/v1");
        assert!(!format!("{llm:?}").contains("sk-secret"), "the key never reaches logs");
        let args = BotArgs { llm_base_url: Some("api.openai.com".into()), ..Default::default() };
        assert_eq!(resolve(&args, None).unwrap_err().name, "GARASI_LLM_BASE_URL");
        let args = BotArgs { bot_memory_ttl_hours: Some(0), ..Default::default() };
        assert_eq!(resolve(&args, None).unwrap_err().name, "GARASI_BOT_MEMORY_TTL_HOURS");
    }

    #[test]
    fn the_reply_budget_defaults_to_five_seconds_and_is_configurable() {
        assert_eq!(resolve(&BotArgs::default(), None).unwrap().reply_budget, Duration::from_secs(5));
        let file = BotArgs { bot_reply_budget_ms: Some(3000), ..Default::default() };
        assert_eq!(resolve(&BotArgs::default(), Some(&file)).unwrap().reply_budget, Duration::from_secs(3));
        let args = BotArgs { bot_reply_budget_ms: Some(2500), ..Default::default() };
        assert_eq!(resolve(&args, Some(&file)).unwrap().reply_budget, Duration::from_millis(2500));
        let args = BotArgs { bot_reply_budget_ms: Some(10), ..Default::default() };
        assert_eq!(resolve(&args, None).unwrap_err().name, "GARASI_BOT_REPLY_BUDGET_MS");
    }
}
