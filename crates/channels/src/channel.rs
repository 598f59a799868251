//! The `Channel` trait: one transport for one showroom number.

use async_trait::async_trait;
use tokio::sync::watch;

use crate::types::{
    Capabilities, ChannelError, ChannelKind, ConnStatus, MediaRef, Outbound, Pairing, Peer, SendError, SendPause,
    SentRef,
};

/// A showroom's WhatsApp transport. The [`crate::Manager`] holds one per tenant whose
/// lease this instance holds; inbound messages go to the [`crate::Inbox`] the channel
/// was built with.
#[async_trait]
pub trait Channel: Send + Sync {
    fn kind(&self) -> ChannelKind;

    fn capabilities(&self) -> Capabilities;

    /// The number the channel sends from (E.164), once known.
    fn phone(&self) -> Option<String> {
        None
    }

    /// Connects (or begins pairing). Returns once the connection runs in the background.
    async fn start(&self) -> Result<(), ChannelError>;

    /// Disconnects gracefully (flushing state); idempotent. Keeps the credentials.
    async fn stop(&self);

    /// Unlinks the number and wipes its credentials.
    async fn logout(&self) -> Result<(), ChannelError>;

    /// Connection status; every change is published here.
    fn status(&self) -> watch::Receiver<ConnStatus>;

    /// The current pairing artefact (QR or phone code), `None` when not pairing.
    fn pairing(&self) -> watch::Receiver<Option<Pairing>>;

    /// A cool-down WhatsApp imposed on sending (429, 463), for transports that have one.
    fn send_pause(&self) -> Option<watch::Receiver<Option<SendPause>>> {
        None
    }

    /// Asks for a phone pairing code for `phone` (digits with country code) instead of a QR.
    async fn pair_with_code(&self, _phone: &str) -> Result<(), ChannelError> {
        Err(ChannelError::Unsupported)
    }

    async fn send(&self, to: &Peer, msg: &Outbound) -> Result<SentRef, SendError>;

    /// Whether `phone` (E.164) has WhatsApp, asked before the first message to a number
    /// that never wrote to the showroom. `Ok(None)`: this transport cannot or need not tell
    /// (the Cloud API reports an undeliverable number on the send itself).
    async fn on_whatsapp(&self, _phone: &str) -> Result<Option<bool>, SendError> {
        Ok(None)
    }

    /// Marks a received message read; with `typing`, also shows "typing…" to the sender.
    async fn mark_read(&self, chat: &Peer, message_id: &str, typing: bool) -> Result<(), SendError>;

    async fn typing(&self, chat: &Peer, on: bool) -> Result<(), SendError>;

    /// Downloads a received media file.
    async fn fetch_media(&self, media: &MediaRef) -> Result<Vec<u8>, SendError>;
}
