//! Integration tests: the real server on 127.0.0.1:0, one fresh database per test.

mod admin;
mod admin_root;
mod appointments;
mod audit_tx;
mod auth;
mod backup;
mod bot;
mod bot_families;
mod bot_llm;
mod bot_routing;
mod bot_store;
mod cars;
mod cars_csv;
mod cli;
mod compare;
mod crash;
mod deploy;
mod domains;
mod errors;
mod feeds;
mod followups;
// The bot crate's fake LLM server, so that both crates script the model the same way.
#[path = "../../../bot/tests/common/fake_llm.rs"]
mod fake_llm;
mod guide;
mod host_cache;
mod hosts;
mod insights;
mod instances;
mod isolation;
mod lead_routing;
mod leads;
mod llm_ceiling;
mod login_flood;
mod metrics;
mod outbound_budget;
mod password_reset;
mod photos;
// The media crate's PNG chunk writer, for the pixel flood upload.
#[path = "../../../media/tests/common/png.rs"]
mod png_chunks;
mod postgres;
mod price_history;
mod rate_limits;
mod root_2fa;
mod root_api;
mod sales;
mod sales_chat;
mod serve_process;
mod service_audit;
mod shutdown;
mod site;
mod smtp_sink;
mod support;
mod trade_in;
mod users;
#[cfg(feature = "waweb")]
mod wa_device_store;
#[cfg(feature = "waweb")]
mod wa_disconnect;
mod wa_first_contact;
mod whatsapp;
mod whatsapp_audit;
mod whatsapp_lease;
