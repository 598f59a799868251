//! The simulator channel: no WhatsApp at all. The admin's simulator page
//! (`/api/bot/simulate`) answers in its own HTTP response; this channel records what
//! would have been sent, for demos and tests.

use std::sync::Mutex;

use async_trait::async_trait;
use tokio::sync::watch;

use crate::channel::Channel;
use crate::types::{
    Capabilities, ChannelError, ChannelKind, ConnStatus, MediaRef, Outbound, Pairing, Peer, SendError, SentRef,
};

#[derive(Debug)]
pub struct SimulatorChannel {
    status: watch::Sender<ConnStatus>,
    pairing: watch::Sender<Option<Pairing>>,
    sent: Mutex<Vec<(Peer, Outbound)>>,
    /// Numbers answered "not on WhatsApp" (the fake answer of [`Channel::on_whatsapp`]).
    not_on_whatsapp: Mutex<Vec<String>>,
    /// How many times the channel was asked.
    asked: std::sync::atomic::AtomicU32,
}

impl Default for SimulatorChannel {
    fn default() -> Self {
        SimulatorChannel {
            status: watch::channel(ConnStatus::Stopped).0,
            pairing: watch::channel(None).0,
            sent: Mutex::default(),
            not_on_whatsapp: Mutex::default(),
            asked: std::sync::atomic::AtomicU32::new(0),
        }
    }
}

impl SimulatorChannel {
    /// What was "sent", oldest first.
    pub fn sent(&self) -> Vec<(Peer, Outbound)> {
        self.sent.lock().expect("sent lock").clone()
    }

    /// Makes [`Channel::on_whatsapp`] answer "no" for `phone` (every other number: "yes").
    pub fn set_not_on_whatsapp(&self, phone: &str) {
        self.not_on_whatsapp.lock().expect("answers lock").push(phone.to_owned());
    }

    /// How many "is on WhatsApp?" questions the channel answered.
    pub fn on_whatsapp_asked(&self) -> u32 {
        self.asked.load(std::sync::atomic::Ordering::Relaxed)
    }
}

#[async_trait]
impl Channel for SimulatorChannel {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Simulator
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            qr_pairing: false,
            pair_code: false,
            needs_template_outside_24h: false,
            typing: false,
            albums: true,
        }
    }

    async fn start(&self) -> Result<(), ChannelError> {
        let _ = self.status.send(ConnStatus::Connected);
        Ok(())
    }

    async fn stop(&self) {
        let _ = self.status.send(ConnStatus::Stopped);
    }

    async fn logout(&self) -> Result<(), ChannelError> {
        self.stop().await;
        Ok(())
    }

    fn status(&self) -> watch::Receiver<ConnStatus> {
        self.status.subscribe()
    }

    fn pairing(&self) -> watch::Receiver<Option<Pairing>> {
        self.pairing.subscribe()
    }

    async fn send(&self, to: &Peer, msg: &Outbound) -> Result<SentRef, SendError> {
        let mut sent = self.sent.lock().expect("sent lock");
        sent.push((to.clone(), msg.clone()));
        Ok(SentRef { id: format!("sim.{}", sent.len()) })
    }

    async fn on_whatsapp(&self, phone: &str) -> Result<Option<bool>, SendError> {
        self.asked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(Some(!self.not_on_whatsapp.lock().expect("answers lock").iter().any(|p| p == phone)))
    }

    async fn mark_read(&self, _chat: &Peer, _message_id: &str, _typing: bool) -> Result<(), SendError> {
        Ok(())
    }

    async fn typing(&self, _chat: &Peer, _on: bool) -> Result<(), SendError> {
        Ok(())
    }

    async fn fetch_media(&self, _media: &MediaRef) -> Result<Vec<u8>, SendError> {
        Err(SendError::Permanent("the simulator keeps no media".into()))
    }
}
