//! The `garasi` binary's library half: settings, CLI commands and server wiring,
//! so integration tests can start the very server the binary runs.

pub mod backup;
pub mod bot_settings;
pub mod cli;
pub mod demo;
mod demo_cars;
pub mod domain_settings;
pub mod engine_sink;
pub mod file_modes;
pub mod healthcheck;
pub mod insights;
pub mod lead_timers;
pub mod limit_settings;
pub mod logging;
pub mod mail_settings;
pub mod reminders;
pub mod server;
pub mod settings;
pub mod storage;
pub mod sweep;
pub mod telemetry;
pub mod wa;

pub use server::{Running, start};

/// Installs ring as the process-wide rustls crypto provider. HTTPS clients (S3, the
/// LLM, the WhatsApp Cloud API) are built with reqwest's provider-less rustls, so
/// this must run before the first one is made; calling it again is harmless.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
pub use settings::Settings;
