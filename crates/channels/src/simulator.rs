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
}

impl Default for SimulatorChannel {
    fn default() -> Self {
        SimulatorChannel {
            status: watch::channel(ConnStatus::Stopped).0,
            pairing: watch::channel(None).0,
            sent: Mutex::default(),
        }
    }
}

impl SimulatorChannel {
    /// What was "sent", oldest first.
    pub fn sent(&self) -> Vec<(Peer, Outbound)> {
        self.sent.lock().expect("sent lock").clone()
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
