//! The WhatsApp Business Cloud API: the Graph API client, webhook signature and payload
//! parsing, and the [`CloudChannel`].
//!
//! The Graph base URL includes the version (`https://graph.facebook.com/v23.0`); the client
//! appends `/{phone_number_id}/messages` and `/{phone_number_id}/media`, so tests point it
//! at a local fake.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use garasi_domain::{PhoneNumber, TenantId};
use hmac::{KeyInit, Mac};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::channel::Channel;
use crate::types::{
    Capabilities, ChannelError, ChannelKind, ConnStatus, InboundBody, InboundMessage, MediaRef, Outbound, Pairing,
    Peer, SendError, SentRef,
};

type HmacSha256 = hmac::Hmac<sha2_11::Sha256>;

pub use garasi_service::whatsapp::CloudCredentials;

/// Checks `X-Hub-Signature-256: sha256=<hex>` over the raw body, in constant time.
pub fn verify_signature(app_secret: &str, header: Option<&str>, body: &[u8]) -> bool {
    let Some(hex_sig) = header.and_then(|h| h.trim().strip_prefix("sha256=")) else {
        return false;
    };
    let Ok(sig) = hex::decode(hex_sig) else {
        return false;
    };
    let Ok(mut mac) = <HmacSha256 as KeyInit>::new_from_slice(app_secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&sig).is_ok()
}

/// The signature header value for a body (tests and fakes).
pub fn sign(app_secret: &str, body: &[u8]) -> String {
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(app_secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Compares two secrets without an early exit.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// One message of a webhook delivery, with the number it was sent to.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookMessage {
    pub phone_number_id: String,
    pub message: InboundMessage,
}

/// A delivery status (sent, delivered, read, failed) of one of our messages.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookStatus {
    pub phone_number_id: String,
    pub message_id: String,
    pub status: String,
    pub error: Option<String>,
}

#[derive(Debug, Default)]
pub struct WebhookPayload {
    pub messages: Vec<WebhookMessage>,
    pub statuses: Vec<WebhookStatus>,
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    entry: Vec<Entry>,
}
#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    changes: Vec<Change>,
}
#[derive(Deserialize)]
struct Change {
    #[serde(default)]
    field: String,
    value: Option<ChangeValue>,
}
#[derive(Deserialize)]
struct ChangeValue {
    metadata: Option<Metadata>,
    #[serde(default)]
    contacts: Vec<Contact>,
    #[serde(default)]
    messages: Vec<Value>,
    #[serde(default)]
    statuses: Vec<Value>,
}
#[derive(Deserialize)]
struct Metadata {
    phone_number_id: String,
}
#[derive(Deserialize)]
struct Contact {
    wa_id: Option<String>,
    user_id: Option<String>,
    profile: Option<Profile>,
}
#[derive(Deserialize)]
struct Profile {
    name: Option<String>,
}

/// Parses a webhook body (after its signature was checked). `tenant` is a placeholder
/// the caller replaces once the number is routed.
pub fn parse_webhook(body: &[u8], tenant: TenantId) -> Result<WebhookPayload, serde_json::Error> {
    let env: Envelope = serde_json::from_slice(body)?;
    let mut out = WebhookPayload::default();
    for change in env.entry.into_iter().flat_map(|e| e.changes) {
        if change.field != "messages" {
            continue;
        }
        let Some(value) = change.value else { continue };
        let Some(meta) = value.metadata else { continue };
        for m in &value.messages {
            let s = |k: &str| m.get(k).and_then(Value::as_str).map(str::to_owned);
            let Some(id) = s("id") else { continue };
            let from = s("from");
            let from_user_id = s("from_user_id").or_else(|| s("user_id"));
            let contact = value
                .contacts
                .iter()
                .find(|c| (from.is_some() && c.wa_id == from) || (from_user_id.is_some() && c.user_id == from_user_id));
            let bsuid = from_user_id.or_else(|| contact.and_then(|c| c.user_id.clone()));
            let phone = from
                .or_else(|| contact.and_then(|c| c.wa_id.clone()))
                .and_then(|p| PhoneNumber::parse(&format!("+{}", p.trim_start_matches('+'))).ok())
                .map(|p| p.as_str().to_owned());
            let at = s("timestamp")
                .and_then(|t| t.parse::<i64>().ok())
                .and_then(|t| DateTime::<Utc>::from_timestamp(t, 0))
                .unwrap_or_else(Utc::now);
            let kind = s("type").unwrap_or_default();
            let body = match kind.as_str() {
                "text" => InboundBody::Text {
                    text: m.pointer("/text/body").and_then(Value::as_str).unwrap_or_default().to_owned(),
                },
                "image" => match m.pointer("/image/id").and_then(Value::as_str) {
                    Some(media_id) => InboundBody::Image {
                        caption: m.pointer("/image/caption").and_then(Value::as_str).map(str::to_owned),
                        media: MediaRef {
                            id: media_id.to_owned(),
                            mime_type: m.pointer("/image/mime_type").and_then(Value::as_str).map(str::to_owned),
                            raw: None,
                        },
                    },
                    None => InboundBody::Unsupported { kind },
                },
                // A quick-reply button press reads like typed text.
                "button" => InboundBody::Text {
                    text: m.pointer("/button/text").and_then(Value::as_str).unwrap_or_default().to_owned(),
                },
                _ => InboundBody::Unsupported { kind },
            };
            out.messages.push(WebhookMessage {
                phone_number_id: meta.phone_number_id.clone(),
                message: InboundMessage {
                    tenant_id: tenant,
                    channel: ChannelKind::CloudApi,
                    id,
                    sender: Peer { phone, platform_id: bsuid },
                    sender_name: contact.and_then(|c| c.profile.as_ref()).and_then(|p| p.name.clone()),
                    at,
                    body,
                    from_me: false,
                },
            });
        }
        for st in &value.statuses {
            let s = |k: &str| st.get(k).and_then(Value::as_str).map(str::to_owned);
            let (Some(message_id), Some(status)) = (s("id"), s("status")) else { continue };
            let error = st.pointer("/errors/0").map(|e| {
                format!("{} {}", e.get("code").unwrap_or(&Value::Null), e.get("title").unwrap_or(&Value::Null))
            });
            out.statuses.push(WebhookStatus {
                phone_number_id: meta.phone_number_id.clone(),
                message_id,
                status,
                error,
            });
        }
    }
    Ok(out)
}

/// HTTP client for the Graph API, shared by every tenant.
#[derive(Clone, Debug)]
pub struct GraphClient {
    http: reqwest::Client,
    base_url: String,
}

impl GraphClient {
    pub fn new(base_url: &str, timeout: Duration) -> anyhow::Result<GraphClient> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = {
            use rustls_platform_verifier::BuilderVerifierExt;
            let mut tls = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .and_then(|b| b.with_platform_verifier())
                .map_err(|e| anyhow::anyhow!("TLS set-up failed: {e}"))?
                .with_no_client_auth();
            tls.alpn_protocols = vec![b"http/1.1".to_vec()];
            tls
        };
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("garasi/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(GraphClient { http, base_url: base_url.trim_end_matches('/').to_owned() })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{}", self.base_url, path.trim_start_matches('/'))
    }

    async fn post_json(&self, token: &str, path: &str, body: &Value) -> Result<Value, SendError> {
        let resp = self.http.post(self.url(path)).bearer_auth(token).json(body).send().await.map_err(transport)?;
        read(resp).await
    }

    pub async fn send_text(&self, c: &CloudCredentials, to: &str, body: &str) -> Result<SentRef, SendError> {
        let v = self
            .post_json(
                &c.access_token,
                &format!("{}/messages", c.phone_number_id),
                &json!({
                    "messaging_product": "whatsapp", "recipient_type": "individual", "to": to,
                    "type": "text", "text": { "body": body, "preview_url": false },
                }),
            )
            .await?;
        sent_id(&v)
    }

    /// Sends an approved template (`type: template`), its body parameters as text.
    pub async fn send_template(
        &self,
        c: &CloudCredentials,
        to: &str,
        name: &str,
        language: &str,
        params: &[String],
    ) -> Result<SentRef, SendError> {
        let parameters: Vec<Value> = params.iter().map(|p| json!({ "type": "text", "text": p })).collect();
        let mut template = json!({ "name": name, "language": { "code": language } });
        if !parameters.is_empty() {
            template["components"] = json!([{ "type": "body", "parameters": parameters }]);
        }
        let v = self
            .post_json(
                &c.access_token,
                &format!("{}/messages", c.phone_number_id),
                &json!({
                    "messaging_product": "whatsapp", "recipient_type": "individual", "to": to,
                    "type": "template", "template": template,
                }),
            )
            .await?;
        sent_id(&v)
    }

    /// Uploads the image (`/{pnid}/media`), then sends it by id.
    pub async fn send_image(
        &self,
        c: &CloudCredentials,
        to: &str,
        bytes: Vec<u8>,
        mime: &str,
        caption: Option<&str>,
    ) -> Result<SentRef, SendError> {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name("foto.jpg")
            .mime_str(mime)
            .map_err(|e| SendError::Permanent(e.to_string()))?;
        let form = reqwest::multipart::Form::new()
            .text("messaging_product", "whatsapp")
            .text("type", mime.to_owned())
            .part("file", part);
        let resp = self
            .http
            .post(self.url(&format!("{}/media", c.phone_number_id)))
            .bearer_auth(&c.access_token)
            .multipart(form)
            .send()
            .await
            .map_err(transport)?;
        let v = read(resp).await?;
        let media_id = v
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| SendError::Temporary("media upload answered without an id".into()))?;
        let mut image = json!({ "id": media_id });
        if let Some(cap) = caption.filter(|c| !c.is_empty()) {
            image["caption"] = json!(cap.chars().take(1024).collect::<String>());
        }
        let v = self
            .post_json(
                &c.access_token,
                &format!("{}/messages", c.phone_number_id),
                &json!({ "messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": "image", "image": image }),
            )
            .await?;
        sent_id(&v)
    }

    pub async fn mark_read(&self, c: &CloudCredentials, message_id: &str, typing: bool) -> Result<(), SendError> {
        let mut body = json!({ "messaging_product": "whatsapp", "status": "read", "message_id": message_id });
        if typing {
            body["typing_indicator"] = json!({ "type": "text" });
        }
        self.post_json(&c.access_token, &format!("{}/messages", c.phone_number_id), &body).await.map(|_| ())
    }

    /// `GET /{media_id}` for the URL, then the file itself with the bearer token.
    pub async fn fetch_media(
        &self,
        c: &CloudCredentials,
        media_id: &str,
        max_bytes: usize,
    ) -> Result<Vec<u8>, SendError> {
        let resp = self.http.get(self.url(media_id)).bearer_auth(&c.access_token).send().await.map_err(transport)?;
        let v = read(resp).await?;
        let url =
            v.get("url").and_then(Value::as_str).ok_or_else(|| SendError::Permanent("media has no url".into()))?;
        let mut resp = self.http.get(url).bearer_auth(&c.access_token).send().await.map_err(transport)?;
        if !resp.status().is_success() {
            return Err(status_error(resp.status().as_u16(), None, &Value::Null));
        }
        let mut out = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(transport)? {
            if out.len() + chunk.len() > max_bytes {
                return Err(SendError::Permanent(format!("media larger than {max_bytes} bytes")));
            }
            out.extend_from_slice(&chunk);
        }
        Ok(out)
    }
}

fn transport(e: reqwest::Error) -> SendError {
    SendError::Temporary(format!("graph request failed: {}", without_url(&e)))
}

/// reqwest's messages carry the URL, which may hold an access token in a query: drop it.
fn without_url(e: &reqwest::Error) -> String {
    let mut msg = e.to_string();
    if let Some(u) = e.url() {
        msg = msg.replace(u.as_str(), "<graph url>");
    }
    msg
}

async fn read(resp: reqwest::Response) -> Result<Value, SendError> {
    let status = resp.status().as_u16();
    let retry_after = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    if (200..300).contains(&status) {
        return Ok(body);
    }
    Err(status_error(status, retry_after, &body))
}

/// Maps a Graph error to what the outbox should do.
pub fn status_error(status: u16, retry_after: Option<Duration>, body: &Value) -> SendError {
    let code = body.pointer("/error/code").and_then(Value::as_i64);
    let message = body
        .pointer("/error/message")
        .and_then(Value::as_str)
        .map(|m| format!("{status} {m} (code {})", code.unwrap_or_default()))
        .unwrap_or_else(|| format!("HTTP {status}"));
    // 130429 throughput, 131056 pair rate, 80007/4/613 app or account rate limits.
    if status == 429 || matches!(code, Some(130429 | 131056 | 80007 | 4 | 613)) {
        return SendError::RateLimited { retry_after, message };
    }
    if status >= 500 || status == 408 || matches!(code, Some(1 | 2 | 131000 | 131016)) {
        return SendError::Temporary(message);
    }
    SendError::Permanent(message)
}

fn sent_id(v: &Value) -> Result<SentRef, SendError> {
    v.pointer("/messages/0/id")
        .and_then(Value::as_str)
        .map(|id| SentRef { id: id.to_owned() })
        .ok_or_else(|| SendError::Temporary("send answered without a message id".into()))
}

/// Digits only, as the Graph API takes recipients.
fn recipient(to: &Peer) -> Result<String, SendError> {
    to.phone
        .as_deref()
        .map(|p| p.trim_start_matches('+').to_owned())
        .ok_or_else(|| SendError::Permanent("recipient has no phone number".into()))
}

/// A showroom on the Cloud API. Inbound traffic arrives through the webhook, so the
/// channel itself only sends; it is "connected" as long as its credentials work.
pub struct CloudChannel {
    graph: GraphClient,
    creds: CloudCredentials,
    status: watch::Sender<ConnStatus>,
    pairing: watch::Sender<Option<Pairing>>,
    max_media_bytes: usize,
}

impl CloudChannel {
    pub fn new(graph: GraphClient, creds: CloudCredentials, max_media_bytes: usize) -> CloudChannel {
        CloudChannel {
            graph,
            creds,
            status: watch::channel(ConnStatus::Stopped).0,
            pairing: watch::channel(None).0,
            max_media_bytes,
        }
    }

    fn observe<T>(&self, r: Result<T, SendError>) -> Result<T, SendError> {
        match &r {
            Ok(_) => {
                self.status.send_if_modified(|s| {
                    let changed = *s != ConnStatus::Connected && !matches!(s, ConnStatus::Stopped);
                    if changed {
                        *s = ConnStatus::Connected;
                    }
                    changed
                });
            }
            // A refused token needs the owner: show it instead of retrying in silence.
            Err(SendError::Permanent(m)) if m.starts_with("401") || m.contains("(code 190)") => {
                let _ = self.status.send(ConnStatus::Failed { error: m.clone() });
            }
            Err(_) => {}
        }
        r
    }
}

#[async_trait]
impl Channel for CloudChannel {
    fn kind(&self) -> ChannelKind {
        ChannelKind::CloudApi
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            qr_pairing: false,
            pair_code: false,
            needs_template_outside_24h: true,
            typing: true,
            albums: false,
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
        let _ = self.status.send(ConnStatus::Stopped);
        Ok(())
    }

    fn status(&self) -> watch::Receiver<ConnStatus> {
        self.status.subscribe()
    }

    fn pairing(&self) -> watch::Receiver<Option<Pairing>> {
        self.pairing.subscribe()
    }

    async fn send(&self, to: &Peer, msg: &Outbound) -> Result<SentRef, SendError> {
        let to = recipient(to)?;
        let r = match msg {
            Outbound::Text { body } => self.graph.send_text(&self.creds, &to, body).await,
            Outbound::Template { name, language, params } => {
                self.graph.send_template(&self.creds, &to, name, language, params).await
            }
            Outbound::Image { bytes, mime, caption } => {
                self.graph.send_image(&self.creds, &to, bytes.clone(), mime, caption.as_deref()).await
            }
        };
        self.observe(r)
    }

    async fn mark_read(&self, _chat: &Peer, message_id: &str, typing: bool) -> Result<(), SendError> {
        let r = self.graph.mark_read(&self.creds, message_id, typing).await;
        self.observe(r)
    }

    async fn typing(&self, _chat: &Peer, _on: bool) -> Result<(), SendError> {
        // The Cloud API shows typing only together with a read receipt (mark_read).
        Ok(())
    }

    async fn fetch_media(&self, media: &MediaRef) -> Result<Vec<u8>, SendError> {
        self.graph.fetch_media(&self.creds, &media.id, self.max_media_bytes).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_checked_over_the_raw_body() {
        let body = br#"{"object":"whatsapp_business_account"}"#;
        let sig = sign("s3cret", body);
        assert!(verify_signature("s3cret", Some(&sig), body));
        assert!(!verify_signature("other", Some(&sig), body));
        assert!(!verify_signature("s3cret", Some(&sig), b"{\"object\": \"whatsapp_business_account\"}"));
        assert!(!verify_signature("s3cret", None, body));
        assert!(!verify_signature("s3cret", Some("sha256=zz"), body));
        assert!(!verify_signature("s3cret", Some(sig.trim_start_matches("sha256=")), body));
    }

    #[test]
    fn parses_text_image_and_bsuid() {
        let t = TenantId(uuid::Uuid::nil());
        let body = json!({"object":"whatsapp_business_account","entry":[{"id":"WABA","changes":[{"field":"messages","value":{
            "messaging_product":"whatsapp","metadata":{"display_phone_number":"6281","phone_number_id":"PN1"},
            "contacts":[{"profile":{"name":"Budi"},"wa_id":"6281234567890","user_id":"US.1349"}],
            "messages":[
                {"from":"6281234567890","id":"wamid.A","timestamp":"1603059201","type":"text","text":{"body":"halo"}},
                {"from":"6281234567890","id":"wamid.B","timestamp":"1603059202","type":"image","image":{"caption":"/foto 12","mime_type":"image/jpeg","id":"MEDIA1"}},
                {"from":"6281234567890","id":"wamid.C","timestamp":"1603059203","type":"sticker","sticker":{}}
            ],
            "statuses":[{"id":"wamid.OUT","status":"failed","errors":[{"code":131047,"title":"Re-engagement message"}]}]
        }}]}]});
        let p = parse_webhook(body.to_string().as_bytes(), t).unwrap();
        assert_eq!(p.messages.len(), 3);
        let a = &p.messages[0];
        assert_eq!(a.phone_number_id, "PN1");
        assert_eq!(a.message.sender.phone.as_deref(), Some("+6281234567890"));
        assert_eq!(a.message.sender.platform_id.as_deref(), Some("US.1349"));
        assert_eq!(a.message.sender_name.as_deref(), Some("Budi"));
        assert_eq!(a.message.text(), Some("halo"));
        assert!(
            matches!(&p.messages[1].message.body, InboundBody::Image { caption: Some(c), media } if c == "/foto 12" && media.id == "MEDIA1")
        );
        assert!(matches!(&p.messages[2].message.body, InboundBody::Unsupported { kind } if kind == "sticker"));
        assert_eq!(p.statuses[0].status, "failed");
    }

    #[test]
    fn errors_map_to_retry_policy() {
        let rl = status_error(400, None, &json!({"error":{"code":131056,"message":"pair rate"}}));
        assert!(matches!(rl, SendError::RateLimited { .. }));
        assert!(
            matches!(status_error(429, Some(Duration::from_secs(3)), &Value::Null), SendError::RateLimited { retry_after: Some(d), .. } if d.as_secs() == 3)
        );
        assert!(matches!(status_error(500, None, &Value::Null), SendError::Temporary(_)));
        assert!(matches!(status_error(400, None, &json!({"error":{"code":131047}})), SendError::Permanent(_)));
    }
}
