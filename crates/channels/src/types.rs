//! The vocabulary every channel shares: kinds, connection status, pairing artefacts,
//! peers, inbound and outbound messages, and send errors.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use garasi_domain::TenantId;
use serde::{Deserialize, Serialize};

/// Which transport a showroom uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// WhatsApp Web (multi-device), paired by QR or phone code.
    #[serde(rename = "waweb")]
    WaWeb,
    /// The official WhatsApp Business Cloud API.
    CloudApi,
    /// No WhatsApp at all: the admin's simulator page.
    Simulator,
}

impl ChannelKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::WaWeb => "waweb",
            ChannelKind::CloudApi => "cloud_api",
            ChannelKind::Simulator => "simulator",
        }
    }

    /// Whether the channel needs a live connection held by one instance.
    pub fn needs_connection(self) -> bool {
        !matches!(self, ChannelKind::Simulator)
    }
}

impl fmt::Display for ChannelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ChannelKind {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "waweb" => Ok(ChannelKind::WaWeb),
            "cloud_api" => Ok(ChannelKind::CloudApi),
            "simulator" => Ok(ChannelKind::Simulator),
            _ => Err(()),
        }
    }
}

/// What a transport can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Capabilities {
    pub qr_pairing: bool,
    pub pair_code: bool,
    /// Free-form messages only inside the 24 h customer-service window.
    pub needs_template_outside_24h: bool,
    pub typing: bool,
    pub albums: bool,
}

/// Connection status, as stored in `whatsapp_channels.status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ConnStatus {
    Stopped,
    Connecting,
    AwaitingPairing,
    Connected,
    Reconnecting { attempt: u32 },
    LoggedOut { reason: String },
    Replaced,
    Banned { until: Option<DateTime<Utc>> },
    Failed { error: String },
}

impl ConnStatus {
    /// The stored status name.
    pub fn as_str(&self) -> &'static str {
        match self {
            ConnStatus::Stopped => "stopped",
            ConnStatus::Connecting => "connecting",
            ConnStatus::AwaitingPairing => "awaiting_pairing",
            ConnStatus::Connected => "connected",
            ConnStatus::Reconnecting { .. } => "reconnecting",
            ConnStatus::LoggedOut { .. } => "logged_out",
            ConnStatus::Replaced => "replaced",
            ConnStatus::Banned { .. } => "banned",
            ConnStatus::Failed { .. } => "failed",
        }
    }

    /// A status the connection never leaves by itself: no automatic restart.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            ConnStatus::LoggedOut { .. } | ConnStatus::Replaced | ConnStatus::Banned { .. } | ConnStatus::Failed { .. }
        )
    }

    /// The detail stored in `last_error`.
    pub fn detail(&self) -> Option<String> {
        match self {
            ConnStatus::LoggedOut { reason } => Some(reason.clone()),
            ConnStatus::Banned { until: Some(u) } => Some(format!("banned until {}", u.to_rfc3339())),
            ConnStatus::Failed { error } => Some(error.clone()),
            ConnStatus::Reconnecting { attempt } => Some(format!("reconnect attempt {attempt}")),
            _ => None,
        }
    }

    /// A short Indonesian description for the dashboard.
    pub fn label_id(&self) -> &'static str {
        self.state().label()
    }

    /// The typed state the dashboard, root pages and API show.
    pub fn state(&self) -> garasi_service::whatsapp::ConnState {
        garasi_service::whatsapp::ConnState::parse(self.as_str())
    }
}

/// Sending paused by WhatsApp's limits (a cool-down after 429 or 463): why and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SendPause {
    /// WhatsApp's code (`429`, `463`).
    pub code: String,
    pub until: DateTime<Utc>,
    /// The dashboard's explanation (Indonesian).
    pub label: String,
}

impl SendPause {
    /// What the dashboard and root's connections page show (stored as the channel's note).
    pub fn note(&self) -> String {
        let until = self.until.with_timezone(&garasi_domain::time::jakarta()).format("%d/%m %H:%M");
        format!("{} Dijeda sampai {until} WIB.", self.label)
    }
}

/// What the admin page shows while a number is being linked. Only the newest one is
/// ever shown: every rotation replaces the previous value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pairing {
    /// A QR payload to render; valid until `expires_at`.
    Qr { payload: String, expires_at: DateTime<Utc>, seq: u32 },
    /// An 8-character code to type on the phone (Linked devices → Link with phone number).
    Code { code: String, expires_at: DateTime<Utc> },
    /// The codes ran out before anyone scanned one: pairing stopped.
    Exhausted,
}

/// A WhatsApp user: a phone number when known, and the platform's own id (JID, LID or
/// BSUID). Both are kept because the platform may address one person either way.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Peer {
    /// E.164 (`+62…`).
    pub phone: Option<String>,
    /// WhatsApp Web: the LID user (`1234@lid`); Cloud API: the BSUID (`user_id`).
    pub platform_id: Option<String>,
}

impl Peer {
    pub fn phone(phone: impl Into<String>) -> Peer {
        Peer { phone: Some(phone.into()), platform_id: None }
    }
}

/// A media attachment as the provider describes it, fetched on demand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaRef {
    /// Cloud API: the media id. WhatsApp Web: the message id of the image.
    pub id: String,
    pub mime_type: Option<String>,
    /// WhatsApp Web: the serialized `wa::Message` holding the image (to download it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
}

/// What an inbound message carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum InboundBody {
    Text {
        text: String,
    },
    Image {
        caption: Option<String>,
        media: MediaRef,
    },
    /// A kind the bot does not handle (audio, sticker, location…).
    Unsupported {
        kind: String,
    },
}

/// One message received by a showroom's number, as persisted in the inbox queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboundMessage {
    pub tenant_id: TenantId,
    pub channel: ChannelKind,
    /// The provider's message id (wamid / WhatsApp Web id): the dedupe key.
    pub id: String,
    pub sender: Peer,
    pub sender_name: Option<String>,
    pub at: DateTime<Utc>,
    pub body: InboundBody,
    /// Sent from the showroom's own number by a person (WhatsApp Web shows the phone's
    /// own messages to the linked device); `sender` is then the customer written to.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub from_me: bool,
}

impl InboundMessage {
    /// The text or image caption.
    pub fn text(&self) -> Option<&str> {
        match &self.body {
            InboundBody::Text { text } => Some(text),
            InboundBody::Image { caption, .. } => caption.as_deref(),
            InboundBody::Unsupported { .. } => None,
        }
    }
}

/// A message to send.
#[derive(Debug, Clone, PartialEq)]
pub enum Outbound {
    Text {
        body: String,
    },
    Image {
        bytes: Vec<u8>,
        mime: String,
        caption: Option<String>,
    },
    /// An approved message template (Cloud API only): what may be sent outside the
    /// 24-hour customer-service window. `params` fill the body's `{{1}}`, `{{2}}`, …
    Template {
        name: String,
        language: String,
        params: Vec<String>,
    },
}

/// What the provider answered to a send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentRef {
    pub id: String,
}

/// Why a send failed, and what the outbox should do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The provider asked us to slow down (HTTP 429, Cloud API 130429/131056/80007).
    /// Retried after `retry_after` without counting an attempt.
    #[error("rate limited: {message}")]
    RateLimited { retry_after: Option<Duration>, message: String },
    /// The number is not connected (yet): retried later.
    #[error("channel not connected")]
    NotConnected,
    /// Worth retrying with backoff (5xx, timeouts, connection errors).
    #[error("temporary failure: {0}")]
    Temporary(String),
    /// Will never succeed as it is (bad recipient, bad credentials, outside the 24 h window).
    #[error("permanent failure: {0}")]
    Permanent(String),
}

/// Errors of channel control (start, pairing, logout).
#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    #[error("not supported by this channel")]
    Unsupported,
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] garasi_store::StoreError),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}
