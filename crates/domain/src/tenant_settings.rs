//! A showroom's settings, typed. Stored as one JSON document per tenant, so a
//! missing key falls back to its default and a new setting needs no migration.

use serde::{Deserialize, Serialize};

use crate::credit::CreditTerms;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TenantSettings {
    pub profile: Profile,
    pub credit: CreditTerms,
    pub bot: BotSettings,
    /// What the platform (root) decides for this showroom; the owner's settings form
    /// never writes this section.
    pub limits: PlatformLimits,
    /// When visits and test drives may be booked.
    pub visits: crate::visit::VisitHours,
    /// Who gets new leads and how soon they must answer (issue #17, point 3).
    pub routing: RoutingSettings,
    /// Price-drop and similar-car messages to customers who asked for them (point 4).
    pub followups: FollowupSettings,
    /// Insights: the owner's weekly WhatsApp summary (point 6).
    pub insights: InsightSettings,
}

/// Lead routing: the response deadline and whom to alert when it passes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RoutingSettings {
    /// Minutes of opening hours a salesperson has to contact a new lead before it goes
    /// to the next available salesperson.
    pub response_minutes: i64,
    /// The owner's WhatsApp number (E.164) for alerts; empty uses the salesperson entry
    /// linked to an owner account, if any.
    pub owner_phone: String,
}

impl Default for RoutingSettings {
    fn default() -> Self {
        RoutingSettings { response_minutes: 15, owner_phone: String::new() }
    }
}

/// Insights.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InsightSettings {
    /// Opt-in: every Monday the owner gets last week's figures by WhatsApp.
    pub weekly_summary: bool,
}

/// Follow-ups with consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FollowupSettings {
    /// Off: the bot offers nothing and nothing is sent.
    pub enabled: bool,
    /// Follow-up messages per day (Asia/Jakarta) for the whole showroom.
    pub daily_cap: i64,
    /// Name of the approved WhatsApp template used on the Cloud API outside the 24-hour
    /// window; empty: no follow-up is sent to such a customer.
    pub cloud_template: String,
    /// The template's language code.
    pub template_language: String,
}

impl Default for FollowupSettings {
    fn default() -> Self {
        FollowupSettings { enabled: true, daily_cap: 50, cloud_template: String::new(), template_language: "id".into() }
    }
}

/// The platform's default ceiling on a showroom's daily LLM tokens (`GARASI_LLM_TOKEN_CEILING`).
pub const DEFAULT_LLM_TOKEN_CEILING: i64 = 200_000;
/// The highest ceiling root may set for one showroom.
pub const MAX_LLM_TOKEN_CEILING: i64 = 100_000_000;

/// Root's overrides of platform limits for one showroom.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlatformLimits {
    /// Replaces the platform's LLM token ceiling for this showroom; `None` keeps it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub llm_token_ceiling: Option<i64>,
}

/// What the public site and the bot tell buyers about the showroom.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Profile {
    pub about: String,
    pub address: String,
    pub city: String,
    /// The province ("DKI Jakarta", "Jawa Barat"): the region marketplace feeds ask for.
    pub province: String,
    pub maps_url: String,
    /// Free text such as "Senin–Sabtu 08.00–17.00, Minggu 09.00–15.00".
    pub opening_hours: String,
    pub phone: String,
    /// Whether car pages and marketplace feeds show each car's VIN (nomor rangka). A
    /// showroom-wide choice: it is a policy (buyers' trust against brokers copying
    /// listings), not something a dealer decides car by car.
    pub show_vin: bool,
    /// The store code of the showroom's Google Business Profile, for the Google vehicle
    /// feed; empty means the showroom's slug.
    pub google_store_code: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BotSettings {
    /// How the bot introduces itself.
    pub persona_name: String,
    /// First message to a new customer; empty means the built-in greeting.
    pub greeting: String,
    /// The LLM is used when the platform configures one, unless the showroom turns it off.
    pub llm_enabled: bool,
    pub llm_daily_token_budget: i64,
    /// How long the bot stays quiet in a chat after handing it to a salesperson.
    pub handoff_pause_minutes: i64,
}

impl Default for BotSettings {
    fn default() -> Self {
        BotSettings {
            persona_name: "Asisten".into(),
            greeting: String::new(),
            llm_enabled: true,
            llm_daily_token_budget: 200_000,
            handoff_pause_minutes: 120,
        }
    }
}

impl TenantSettings {
    /// Reads the stored document; anything unreadable falls back to defaults rather
    /// than taking a showroom offline.
    pub fn from_json(value: &serde_json::Value) -> TenantSettings {
        serde_json::from_value(value.clone()).unwrap_or_default()
    }

    /// The most LLM tokens a day this showroom may be given: root's override, else the
    /// platform's ceiling.
    pub fn llm_token_ceiling(&self, platform_ceiling: i64) -> i64 {
        self.limits.llm_token_ceiling.unwrap_or(platform_ceiling).max(0)
    }

    /// The tokens the bot may spend today: the owner's budget, never above the ceiling,
    /// even when a larger budget was stored before the ceiling existed or was lowered.
    pub fn llm_token_budget(&self, platform_ceiling: i64) -> i64 {
        self.bot.llm_daily_token_budget.min(self.llm_token_ceiling(platform_ceiling))
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_keys_take_defaults() {
        let s = TenantSettings::from_json(&serde_json::json!({ "profile": { "address": "Jl. Raya 1" } }));
        assert_eq!(s.profile.address, "Jl. Raya 1");
        assert_eq!(s.credit, CreditTerms::default());
        assert_eq!(s.bot.handoff_pause_minutes, 120);
        assert_eq!(TenantSettings::from_json(&serde_json::json!("rusak")), TenantSettings::default());
    }

    #[test]
    fn the_llm_budget_never_exceeds_the_ceiling() {
        let mut s = TenantSettings::default();
        s.bot.llm_daily_token_budget = 10_000_000;
        assert_eq!(s.llm_token_budget(DEFAULT_LLM_TOKEN_CEILING), DEFAULT_LLM_TOKEN_CEILING);
        s.limits.llm_token_ceiling = Some(20_000_000);
        assert_eq!(s.llm_token_budget(DEFAULT_LLM_TOKEN_CEILING), 10_000_000);
        s.limits.llm_token_ceiling = Some(500);
        assert_eq!(s.llm_token_budget(DEFAULT_LLM_TOKEN_CEILING), 500);
        let stored =
            serde_json::json!({ "bot": { "llm_daily_token_budget": 9 }, "limits": { "llm_token_ceiling": 5 } });
        assert_eq!(TenantSettings::from_json(&stored).llm_token_budget(100), 5);
    }

    #[test]
    fn round_trips() {
        let s = TenantSettings::default();
        assert_eq!(TenantSettings::from_json(&s.to_json()), s);
    }
}
