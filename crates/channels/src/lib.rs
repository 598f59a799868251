//! Garasi's WhatsApp channels.
//!
//! One [`Channel`] trait, three transports chosen per showroom:
//! - [`waweb`] (cargo feature `waweb`): WhatsApp Web multi-device on `whatsapp-rust`, paired
//!   by QR or phone code, its device store in the database (sealed), for whichever instance
//!   holds the lease;
//! - [`cloud`]: the WhatsApp Business Cloud API (Graph API client, signed webhooks);
//! - [`simulator`]: no WhatsApp; the admin's simulator page.
//!
//! [`Channels`] (the manager) holds the connections this instance leases, records their
//! status, and runs the inbox and outbox workers. Inbound messages are persisted before
//! they are acknowledged ([`Inbox`]) and handed to an [`InboundSink`] (the bot engine);
//! replies leave through the `whatsapp_out` queue with pacing, retries and dead letters.

pub mod channel;
pub mod cloud;
pub mod config;
pub mod inbox;
pub mod instance;
pub mod mail;
pub mod manager;
pub mod qr;
pub mod secret;
pub mod simulator;
pub mod types;
mod util;
#[cfg(feature = "waweb")]
pub mod waweb;

pub use channel::Channel;
pub use config::{ChannelsConfig, LeaseTimings, Pacing, WaWebTimings};
pub use garasi_service::whatsapp::{ChannelSetup, ConnState, StatusView};
pub use inbox::{InboundSink, Inbox, TranscriptSink};
pub use instance::Identity;
pub use manager::{CONN_KINDS, Channels, ShutdownReport, WebhookError, conn_statuses, parse_photo_ref};
pub use secret::SecretBox;
pub use types::{
    ChannelError, ChannelKind, ConnStatus, InboundBody, InboundMessage, MediaRef, Outbound, Pairing, Peer, SendError,
    SendPause,
};
pub use util::wipe_device_store;

/// Whether this build includes WhatsApp Web.
pub const WAWEB_BUILT_IN: bool = cfg!(feature = "waweb");
pub use async_trait::async_trait;
