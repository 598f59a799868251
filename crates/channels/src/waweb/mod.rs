//! WhatsApp Web (multi-device) on `whatsapp-rust` 0.7: one linked device per showroom,
//! its keys in the database (`wa_device_keys`, sealed with the platform secret key; see
//! [`store`]), so whichever instance holds the lease resumes the session. A
//! `<data>/whatsapp/<tenant_id>/device.db` left by an older Garasi is moved in on the
//! first start ([`legacy`]).
//!
//! A supervisor task owns the client. It maps library events to [`ConnStatus`] and
//! [`Pairing`], polls `is_connected()` (a connect that never opens raises no event),
//! and when the client stops for a reason that is not final it shuts the old client
//! down *before* building a new one (never two clients on one store), with jittered
//! exponential backoff. Logged out, replaced by another session, banned or refused:
//! it stops and waits for the owner. When the QR codes run out it stops pairing
//! instead of looping.
//!
//! Inbound messages are persisted through the library's durability hook, so WhatsApp
//! is acknowledged only once the message is in the inbox queue.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use garasi_domain::{PhoneNumber, TenantId};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use whatsapp_rust::buffa::Message as _;
use whatsapp_rust::pair_code::PairCodeOptions;
use whatsapp_rust::prelude::*;
use whatsapp_rust::transport::TokioWebSocketTransportFactory;
use whatsapp_rust::upload::UploadOptions;
use whatsapp_rust::wacore_binary::JidExt as _;
use whatsapp_rust::{ChatStateType, InboundDurabilityHook};

use crate::channel::Channel;
use crate::config::WaWebTimings;
use crate::inbox::Inbox;
use crate::types::{
    Capabilities, ChannelError, ChannelKind, ConnStatus, InboundBody, InboundMessage, MediaRef, Outbound, Pairing,
    Peer, SendError, SendPause, SentRef,
};
use crate::util::backoff;

pub mod legacy;
pub mod reasons;
pub mod store;

pub use store::DbStore;
/// The library, for callers that drive the device store's traits (tests, tools).
pub use whatsapp_rust as lib;

/// The old device store file inside a tenant's directory (moved into the database on
/// the first start).
pub const STORE_FILE: &str = "device.db";

/// Maps a decrypted message to the inbox type. `None` for what the bot never answers:
/// groups, status updates, newsletters. A message from the showroom's own number (sent
/// from the phone, or by Garasi itself) is kept with `from_me` and the chat's contact as
/// its sender: the inbox worker tells a person's reply (which pauses the bot) from
/// Garasi's own. `resolved_phone` is the phone the client's LID map gave for a LID-only
/// sender (for our own messages: the chat).
pub fn map_message(
    tenant: TenantId,
    message: &wa::Message,
    info: &MessageInfo,
    resolved_phone: Option<&str>,
) -> Option<InboundMessage> {
    let src = &info.source;
    if src.is_group || src.chat.is_group() || src.chat.is_status_broadcast() || src.chat.is_newsletter() {
        return None;
    }
    // Our own message: the person it went to is the chat, not the sender (us).
    let sender = if src.is_from_me { &src.chat } else { &src.sender };
    let alt = if src.is_from_me { None } else { src.sender_alt.as_ref() };
    let pn = |j: &Jid| PhoneNumber::parse(&format!("+{}", j.user)).ok().map(|p| p.as_str().to_owned());
    let (phone, platform_id) = if sender.is_lid() {
        let phone = alt
            .filter(|a| a.is_pn())
            .and_then(pn)
            .or_else(|| resolved_phone.and_then(|p| PhoneNumber::parse(p).ok()).map(|p| p.as_str().to_owned()));
        (phone, Some(format!("{}@lid", sender.user)))
    } else {
        let lid = alt.filter(|a| a.is_lid()).map(|a| format!("{}@lid", a.user));
        (pn(sender), lid)
    };
    let base = message.get_base_message();
    let body = if let Some(img) = base.image_message.as_option() {
        InboundBody::Image {
            caption: message.get_caption().map(str::to_owned),
            media: MediaRef {
                id: info.id.to_string(),
                mime_type: img.mimetype.clone(),
                raw: Some(STANDARD.encode(img.encode_to_vec())),
            },
        }
    } else if let Some(text) = message.text_content() {
        InboundBody::Text { text: text.to_owned() }
    } else {
        let kind = if info.media_type.is_empty() { info.r#type.clone() } else { info.media_type.clone() };
        InboundBody::Unsupported { kind }
    };
    Some(InboundMessage {
        tenant_id: tenant,
        channel: ChannelKind::WaWeb,
        id: info.id.to_string(),
        sender: Peer { phone, platform_id },
        // Our own push name is not the customer's.
        sender_name: Some(info.push_name.clone()).filter(|n| !n.trim().is_empty() && !src.is_from_me),
        at: info.timestamp,
        body,
        from_me: src.is_from_me,
    })
}

/// The stored device exists but cannot be read (wrong secret key, or damaged).
#[derive(Debug, thiserror::Error)]
#[error("the stored WhatsApp Web keys cannot be opened (is GARASI_SECRET_KEY the same on every instance?): {0}")]
struct KeysUnreadable(String);

/// What the supervisor learns from the library.
#[derive(Debug)]
enum Ev {
    Qr {
        code: String,
        timeout: Duration,
    },
    Code {
        code: String,
        timeout: Duration,
    },
    QrExhausted,
    Paired {
        phone: Option<String>,
    },
    Connected,
    /// A disconnect reason or stream error (see [`reasons`]).
    Signal(reasons::Signal),
}

fn map_event(ev: &Event) -> Option<Ev> {
    Some(match ev {
        Event::PairingQrCode(q) => Ev::Qr { code: q.code.clone(), timeout: q.timeout },
        Event::PairingCode(p) => Ev::Code { code: p.code.clone(), timeout: p.timeout },
        Event::PairingQrCodesExhausted(_) => Ev::QrExhausted,
        Event::PairSuccess(p) => {
            Ev::Paired { phone: PhoneNumber::parse(&format!("+{}", p.id.user)).ok().map(|p| p.as_str().to_owned()) }
        }
        Event::Connected(_) => Ev::Connected,
        other => Ev::Signal(reasons::signal_of(other)?),
    })
}

/// Persists inbound messages before the library acknowledges them.
struct Durable {
    tenant: TenantId,
    inbox: Inbox,
}

#[async_trait]
impl InboundDurabilityHook for Durable {
    async fn on_messages(
        &self,
        client: Arc<Client>,
        batch: &[whatsapp_rust::types::durability_hook::InboundMessage],
    ) -> anyhow::Result<()> {
        for m in batch {
            let src = &m.info.source;
            let resolved = if src.is_from_me && src.chat.is_lid() {
                client.get_lid_pn_entry(&src.chat).await.ok().flatten().map(|e| format!("+{}", e.phone_number))
            } else if src.sender.is_lid() && src.sender_alt.as_ref().is_none_or(|a| !a.is_pn()) {
                client.get_lid_pn_entry(&src.sender).await.ok().flatten().map(|e| format!("+{}", e.phone_number))
            } else {
                None
            };
            if let Some(msg) = map_message(self.tenant, &m.message, &m.info, resolved.as_deref()) {
                self.inbox.accept(&msg).await?;
            }
        }
        Ok(())
    }
}

struct Shared {
    tenant: TenantId,
    dir: PathBuf,
    store: DbStore,
    timings: WaWebTimings,
    inbox: Inbox,
    status: watch::Sender<ConnStatus>,
    pairing: watch::Sender<Option<Pairing>>,
    client: watch::Sender<Option<Arc<Client>>>,
    phone: Mutex<Option<String>>,
    /// Sending paused by WhatsApp (429, 463) until then.
    pause: watch::Sender<Option<SendPause>>,
    /// The running client's event queue, for [`WaWebChannel::inject`].
    events: Mutex<Option<mpsc::UnboundedSender<Ev>>>,
}

struct Running {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

/// One showroom's WhatsApp Web connection.
pub struct WaWebChannel {
    shared: Arc<Shared>,
    running: tokio::sync::Mutex<Option<Running>>,
}

impl WaWebChannel {
    /// `dir` is where an old `device.db` may wait to be moved into `store`.
    pub fn new(dir: PathBuf, store: DbStore, timings: WaWebTimings, inbox: Inbox) -> WaWebChannel {
        WaWebChannel {
            shared: Arc::new(Shared {
                tenant: store.tenant(),
                dir,
                store,
                timings,
                inbox,
                status: watch::channel(ConnStatus::Stopped).0,
                pairing: watch::channel(None).0,
                client: watch::channel(None).0,
                phone: Mutex::new(None),
                pause: watch::channel(None).0,
                events: Mutex::new(None),
            }),
            running: tokio::sync::Mutex::new(None),
        }
    }

    /// The connected client, waiting up to `wait` for one.
    async fn client(&self, wait: Duration) -> Option<Arc<Client>> {
        let mut rx = self.shared.client.subscribe();
        let c = tokio::time::timeout(wait, rx.wait_for(|c| c.as_ref().is_some_and(|c| c.is_connected()))).await;
        c.ok().and_then(|r| r.ok()).and_then(|c| c.clone())
    }

    /// Feeds a library event into the running client's event handling, exactly as the
    /// library would (the tests' way to play a disconnect reason without a phone).
    /// `false` when no client runs or the event is not one the connection handles.
    pub fn inject(&self, ev: &Event) -> bool {
        let Some(e) = map_event(ev) else { return false };
        self.shared.events.lock().expect("events lock").as_ref().is_some_and(|tx| tx.send(e).is_ok())
    }

    /// A cool-down WhatsApp asked for holds every message back (not counted as a try).
    fn paused(&self) -> Result<(), SendError> {
        let pause = self.shared.pause.borrow().clone();
        match pause.filter(|p| p.until > Utc::now()) {
            Some(p) => {
                let wait = (p.until - Utc::now()).to_std().unwrap_or_default();
                Err(SendError::RateLimited { retry_after: Some(wait), message: p.note() })
            }
            None => Ok(()),
        }
    }

    /// The memory the client reports (bytes), for measurements.
    pub async fn memory_report(&self) -> Option<String> {
        let c = self.shared.client.borrow().clone()?;
        Some(format!("{:?}", c.memory_report().await))
    }
}

fn jid_for(to: &Peer) -> Result<Jid, SendError> {
    if let Some(p) = &to.phone {
        return Ok(Jid::pn(p.trim_start_matches('+')));
    }
    if let Some(lid) = to.platform_id.as_deref().and_then(|l| l.strip_suffix("@lid")) {
        return Ok(Jid::lid(lid));
    }
    Err(SendError::Permanent("recipient has no phone number or LID".into()))
}

fn send_error(e: whatsapp_rust::SendError) -> SendError {
    match e {
        whatsapp_rust::SendError::NotLoggedIn => SendError::NotConnected,
        whatsapp_rust::SendError::InvalidRequest(m) => SendError::Permanent(m),
        other => SendError::Temporary(other.to_string()),
    }
}

impl Shared {
    fn set_status(&self, s: ConnStatus) {
        self.status.send_if_modified(|cur| {
            let changed = *cur != s;
            *cur = s;
            changed
        });
    }

    /// Deletes the keys (database rows and any old file).
    async fn wipe(&self) {
        if let Err(e) = self.store.wipe().await {
            tracing::error!(tenant = %self.tenant.0, error = %e, "could not wipe WhatsApp Web keys");
        }
        crate::util::wipe_device_store(&self.dir);
    }

    async fn build(self: &Arc<Self>, events: mpsc::UnboundedSender<Ev>) -> anyhow::Result<Bot> {
        legacy::migrate_file(&self.store, &self.dir.join(STORE_FILE)).await?;
        // Keys that are there but do not open (another GARASI_SECRET_KEY) must never be
        // replaced by a fresh device: that would unlink the number.
        if let Err(e) = whatsapp_rust::wacore::store::traits::DeviceStore::load(&self.store).await {
            return Err(KeysUnreadable(e.to_string()).into());
        }
        let mut transport = TokioWebSocketTransportFactory::new();
        if let Some(url) = &self.timings.ws_url {
            transport = transport.with_url(url.clone());
        }
        let props = whatsapp_rust::wacore::store::device::DevicePropsOverride::new().with_os("Garasi");
        let mut builder = Bot::builder()
            .with_backend(self.store.clone())
            .with_transport_factory(transport)
            .with_device_props(props)
            .skip_history_sync()
            .with_inbound_durability_hook(Durable { tenant: self.tenant, inbox: self.inbox.clone() })
            .on_event(move |ev: Arc<Event>, _client: Arc<Client>| {
                let events = events.clone();
                async move {
                    if let Some(e) = map_event(&ev) {
                        let _ = events.send(e);
                    }
                }
            });
        if let Some(v) = self.timings.version {
            builder = builder.with_version(v);
        }
        Ok(builder.build().await?)
    }

    /// Runs clients until told to stop or a final status.
    async fn supervise(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        let t = self.timings.clone();
        let mut attempt: u32 = 0;
        let mut qr_seq: u32 = 0;
        loop {
            if *stop.borrow() {
                break;
            }
            self.set_status(if attempt == 0 { ConnStatus::Connecting } else { ConnStatus::Reconnecting { attempt } });
            let (tx, mut rx) = mpsc::unbounded_channel();
            *self.events.lock().expect("events lock") = Some(tx.clone());
            let outcome = match self.build(tx).await {
                Err(e) if e.is::<KeysUnreadable>() => {
                    tracing::error!(tenant = %self.tenant.0, error = %e, "WhatsApp Web keys unreadable");
                    Outcome::Final(ConnStatus::Failed { error: e.to_string() }, false)
                }
                Err(e) => {
                    tracing::warn!(tenant = %self.tenant.0, error = %e, "building the WhatsApp Web client failed");
                    Outcome::Retry
                }
                Ok(bot) => {
                    let mut handle = bot.spawn();
                    let client = handle.client();
                    self.client.send_replace(Some(client.clone()));
                    let since = Instant::now();
                    let mut poll = tokio::time::interval(t.poll_every);
                    poll.tick().await;
                    let outcome = loop {
                        tokio::select! {
                            _ = stop.changed() => break Outcome::Stop,
                            _ = &mut handle => break Outcome::Retry,
                            ev = rx.recv() => match ev {
                                None => break Outcome::Retry,
                                Some(Ev::Qr { code, timeout }) => {
                                    qr_seq += 1;
                                    let expires_at = Utc::now() + chrono::Duration::from_std(timeout).unwrap_or_default();
                                    self.pairing.send_replace(Some(Pairing::Qr { payload: code, expires_at, seq: qr_seq }));
                                    self.set_status(ConnStatus::AwaitingPairing);
                                }
                                Some(Ev::Code { code, timeout }) => {
                                    let expires_at = Utc::now() + chrono::Duration::from_std(timeout).unwrap_or_default();
                                    self.pairing.send_replace(Some(Pairing::Code { code, expires_at }));
                                    self.set_status(ConnStatus::AwaitingPairing);
                                }
                                Some(Ev::QrExhausted) => break Outcome::Exhausted,
                                Some(Ev::Paired { phone }) => {
                                    *self.phone.lock().expect("phone lock") = phone;
                                    self.pairing.send_replace(None);
                                }
                                Some(Ev::Connected) => {
                                    attempt = 0;
                                    if let Some(pn) = client.pn() {
                                        let phone = PhoneNumber::parse(&format!("+{}", pn.user)).ok().map(|p| p.as_str().to_owned());
                                        *self.phone.lock().expect("phone lock") = phone;
                                    }
                                    self.pairing.send_replace(None);
                                    self.set_status(ConnStatus::Connected);
                                }
                                Some(Ev::Signal(sig)) => match reasons::react(&sig, Utc::now()) {
                                    reasons::Reaction::Reconnect => {
                                        tracing::info!(tenant = %self.tenant.0, signal = ?sig, "WhatsApp Web connection lost; reconnecting");
                                        if *self.status.borrow() == ConnStatus::Connected {
                                            self.set_status(ConnStatus::Reconnecting { attempt: attempt + 1 });
                                        }
                                    }
                                    reasons::Reaction::Stop { status, wipe } => {
                                        tracing::warn!(tenant = %self.tenant.0, signal = ?sig, status = status.as_str(), "WhatsApp Web stopped; the owner must act");
                                        break Outcome::Final(status, wipe);
                                    }
                                    reasons::Reaction::CoolDown { reason, until } => {
                                        tracing::warn!(tenant = %self.tenant.0, signal = ?sig, until = %until, "WhatsApp limits this number; sending paused");
                                        self.pause.send_replace(Some(SendPause { code: reason.code().into(), until, label: reason.label_id().into() }));
                                    }
                                },
                            },
                            _ = poll.tick() => {
                                let up = client.is_connected() && client.is_logged_in();
                                let cur = self.status.borrow().clone();
                                if up && cur != ConnStatus::Connected {
                                    self.set_status(ConnStatus::Connected);
                                } else if !up && cur == ConnStatus::Connected {
                                    self.set_status(ConnStatus::Reconnecting { attempt: attempt + 1 });
                                }
                                if !up && cur != ConnStatus::AwaitingPairing && since.elapsed() >= t.stuck_after {
                                    break Outcome::Retry;
                                }
                            }
                        }
                    };
                    // Never two clients on one store: this one is gone before anything else.
                    self.client.send_replace(None);
                    *self.events.lock().expect("events lock") = None;
                    if tokio::time::timeout(Duration::from_secs(10), handle.shutdown()).await.is_err() {
                        tracing::warn!(tenant = %self.tenant.0, "WhatsApp Web client did not shut down in time; aborted");
                    }
                    outcome
                }
            };
            match outcome {
                Outcome::Stop => {
                    self.pairing.send_replace(None);
                    self.set_status(ConnStatus::Stopped);
                    break;
                }
                Outcome::Exhausted => {
                    self.pairing.send_replace(Some(Pairing::Exhausted));
                    self.set_status(ConnStatus::Stopped);
                    break;
                }
                Outcome::Final(s, wipe) => {
                    if wipe {
                        self.wipe().await;
                        *self.phone.lock().expect("phone lock") = None;
                    }
                    self.pairing.send_replace(None);
                    self.set_status(s);
                    break;
                }
                Outcome::Retry => {
                    attempt += 1;
                    self.set_status(ConnStatus::Reconnecting { attempt });
                    let wait = backoff(t.backoff_min, attempt, t.backoff_max);
                    tracing::info!(tenant = %self.tenant.0, attempt, wait_ms = wait.as_millis() as u64, "rebuilding the WhatsApp Web client");
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = stop.changed() => {
                            self.set_status(ConnStatus::Stopped);
                            break;
                        }
                    }
                }
            }
        }
    }
}

enum Outcome {
    Stop,
    Retry,
    Exhausted,
    Final(ConnStatus, bool),
}

#[async_trait]
impl Channel for WaWebChannel {
    fn kind(&self) -> ChannelKind {
        ChannelKind::WaWeb
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            qr_pairing: true,
            pair_code: true,
            needs_template_outside_24h: false,
            typing: true,
            albums: false,
        }
    }

    fn phone(&self) -> Option<String> {
        self.shared.phone.lock().expect("phone lock").clone()
    }

    async fn start(&self) -> Result<(), ChannelError> {
        let mut running = self.running.lock().await;
        if let Some(r) = running.as_ref()
            && !r.task.is_finished()
        {
            return Ok(());
        }
        let (stop, stop_rx) = watch::channel(false);
        let shared = self.shared.clone();
        self.shared.pairing.send_replace(None);
        let task = tokio::spawn(shared.supervise(stop_rx));
        *running = Some(Running { stop, task });
        Ok(())
    }

    async fn stop(&self) {
        let running = self.running.lock().await.take();
        if let Some(r) = running {
            let _ = r.stop.send(true);
            if tokio::time::timeout(Duration::from_secs(15), r.task).await.is_err() {
                tracing::warn!(tenant = %self.shared.tenant.0, "WhatsApp Web supervisor did not stop in time");
            }
        }
        self.shared.set_status(ConnStatus::Stopped);
    }

    async fn logout(&self) -> Result<(), ChannelError> {
        if let Some(c) = self.client(Duration::from_secs(3)).await {
            c.logout().await;
        }
        self.stop().await;
        self.shared.wipe().await;
        *self.shared.phone.lock().expect("phone lock") = None;
        Ok(())
    }

    fn status(&self) -> watch::Receiver<ConnStatus> {
        self.shared.status.subscribe()
    }

    fn pairing(&self) -> watch::Receiver<Option<Pairing>> {
        self.shared.pairing.subscribe()
    }

    async fn pair_with_code(&self, phone: &str) -> Result<(), ChannelError> {
        let digits: String =
            PhoneNumber::parse(phone).map_err(|e| ChannelError::Invalid(e.to_string()))?.digits().to_owned();
        // The socket must be open (not logged in) before a code can be asked for.
        let mut rx = self.shared.client.subscribe();
        let client = tokio::time::timeout(Duration::from_secs(30), rx.wait_for(|c| c.is_some()))
            .await
            .ok()
            .and_then(|r| r.ok())
            .and_then(|c| c.clone())
            .ok_or_else(|| ChannelError::Invalid("WhatsApp belum siap; coba lagi.".into()))?;
        let opts = PairCodeOptions { phone_number: digits, ..PairCodeOptions::default() };
        let shared = self.shared.clone();
        tokio::spawn(async move {
            if let Err(e) = client.wait_for_socket(Duration::from_secs(30)).await {
                tracing::warn!(tenant = %shared.tenant.0, error = %e, "socket not ready for a pairing code");
                return;
            }
            // The code itself arrives as an event (and so on the page).
            if let Err(e) = client.pair_with_code(opts).await {
                tracing::warn!(tenant = %shared.tenant.0, error = %e, "pairing code request failed");
            }
        });
        Ok(())
    }

    fn send_pause(&self) -> Option<watch::Receiver<Option<SendPause>>> {
        Some(self.shared.pause.subscribe())
    }

    async fn send(&self, to: &Peer, msg: &Outbound) -> Result<SentRef, SendError> {
        self.paused()?;
        let jid = jid_for(to)?;
        let client = self.client(Duration::from_secs(5)).await.ok_or(SendError::NotConnected)?;
        let sent = match msg {
            Outbound::Text { body } => client.send_text(jid, body.clone()).await.map_err(send_error)?,
            Outbound::Template { .. } => {
                return Err(SendError::Permanent("message templates need the WhatsApp Cloud API".into()));
            }
            Outbound::Image { bytes, mime, caption } => {
                let up = client
                    .upload(bytes.clone(), whatsapp_rust::download::MediaType::Image, UploadOptions::new())
                    .await
                    .map_err(|e| SendError::Temporary(format!("upload failed: {e}")))?;
                let img = wa::Message {
                    image_message: MessageField::some(wa::message::ImageMessage {
                        url: Some(up.url),
                        direct_path: Some(up.direct_path),
                        media_key: Some(up.media_key.to_vec()),
                        file_sha256: Some(up.file_sha256.to_vec()),
                        file_enc_sha256: Some(up.file_enc_sha256.to_vec()),
                        file_length: Some(up.file_length),
                        mimetype: Some(mime.clone()),
                        caption: caption.clone(),
                        ..Default::default()
                    }),
                    ..Default::default()
                };
                client.send_message(jid, img).await.map_err(send_error)?
            }
        };
        Ok(SentRef { id: sent.message_id })
    }

    async fn on_whatsapp(&self, phone: &str) -> Result<Option<bool>, SendError> {
        self.paused()?;
        let digits = PhoneNumber::parse(phone).map_err(|e| SendError::Permanent(e.to_string()))?.digits().to_owned();
        let client = self.client(Duration::from_secs(5)).await.ok_or(SendError::NotConnected)?;
        let found = client
            .contacts()
            .is_on_whatsapp(&[Jid::pn(&digits)])
            .await
            .map_err(|e| SendError::Temporary(format!("is-on-WhatsApp query failed: {e}")))?;
        Ok(Some(found.iter().any(|r| r.is_registered)))
    }

    async fn mark_read(&self, chat: &Peer, message_id: &str, typing: bool) -> Result<(), SendError> {
        let jid = jid_for(chat)?;
        let client = self.client(Duration::from_secs(5)).await.ok_or(SendError::NotConnected)?;
        client.mark_as_read(&jid, None, &[message_id]).await.map_err(|e| SendError::Temporary(e.to_string()))?;
        if typing {
            let _ = client.chatstate().send(&jid, ChatStateType::Composing).await;
        }
        Ok(())
    }

    async fn typing(&self, chat: &Peer, on: bool) -> Result<(), SendError> {
        let jid = jid_for(chat)?;
        let client = self.client(Duration::from_secs(5)).await.ok_or(SendError::NotConnected)?;
        let state = if on { ChatStateType::Composing } else { ChatStateType::Paused };
        client.chatstate().send(&jid, state).await.map_err(|e| SendError::Temporary(e.to_string()))
    }

    async fn fetch_media(&self, media: &MediaRef) -> Result<Vec<u8>, SendError> {
        let raw = media.raw.as_deref().ok_or_else(|| SendError::Permanent("no media reference".into()))?;
        let bytes = STANDARD.decode(raw).map_err(|_| SendError::Permanent("bad media reference".into()))?;
        let img = wa::message::ImageMessage::decode_from_slice(&bytes)
            .map_err(|e| SendError::Permanent(format!("bad media reference: {e}")))?;
        let client = self.client(Duration::from_secs(10)).await.ok_or(SendError::NotConnected)?;
        client.download(&img).await.map_err(|e| SendError::Temporary(format!("download failed: {e}")))
    }
}

#[cfg(test)]
mod tests;
