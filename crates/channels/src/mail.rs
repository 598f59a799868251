//! E-mail over SMTP (lettre on tokio with rustls, the workspace's TLS stack), for the
//! password reset links of `garasi_service::password_reset`.
//!
//! `GARASI_SMTP_URL` takes lettre's URL forms: `smtp://host:25` (plain, for a relay on the
//! same host or network), `smtp://user:pass@host:587?tls=required` (STARTTLS) and
//! `smtps://user:pass@host:465` (TLS from the start).

use std::time::Duration;

use anyhow::Context;
use futures_util::future::BoxFuture;
use garasi_service::mail::{Mail, Mailer};
use lettre::message::{Mailbox, MultiPart, SinglePart, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How long one message may take, connection included.
const SEND_TIMEOUT: Duration = Duration::from_secs(20);

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for SmtpMailer {
    // The transport holds the credentials.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpMailer").field("from", &self.from.to_string()).finish_non_exhaustive()
    }
}

/// Checks a sender (`Nama <alamat@domain>` or a bare address).
pub fn parse_sender(from: &str) -> anyhow::Result<Mailbox> {
    from.parse().context("GARASI_SMTP_FROM is not an e-mail address")
}

impl SmtpMailer {
    /// A mailer for `url`, sending as `from` (`Nama <alamat@domain>` or a bare address).
    pub fn new(url: &str, from: &str) -> anyhow::Result<SmtpMailer> {
        let from = parse_sender(from)?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .context("GARASI_SMTP_URL is not a usable smtp:// or smtps:// URL")?
            .timeout(Some(SEND_TIMEOUT))
            .build();
        Ok(SmtpMailer { transport, from })
    }

    fn message(&self, mail: &Mail) -> anyhow::Result<Message> {
        let to: Mailbox = mail.to.parse().context("bad recipient address")?;
        let builder = Message::builder().from(self.from.clone()).to(to).subject(&mail.subject);
        let plain = SinglePart::builder().header(ContentType::TEXT_PLAIN).body(mail.text.clone());
        let message = match &mail.html {
            Some(html) => builder.multipart(
                MultiPart::alternative()
                    .singlepart(plain)
                    .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(html.clone())),
            ),
            None => builder.singlepart(plain),
        };
        message.context("cannot build the e-mail")
    }
}

impl Mailer for SmtpMailer {
    fn send<'a>(&'a self, mail: &'a Mail) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let message = self.message(mail)?;
            self.transport.send(message).await.context("the mail server refused or did not answer")?;
            Ok(())
        })
    }
}
