//! The `garasi` binary's library half: settings, CLI commands and server wiring,
//! so integration tests can start the very server the binary runs.

pub mod cli;
pub mod demo;
mod demo_cars;
pub mod server;
pub mod settings;

pub use server::{Running, start};
pub use settings::Settings;
