//! Outgoing e-mail, as the use cases see it. The SMTP adapter (`garasi_channels::mail`)
//! implements [`Mailer`]; the composition root passes one in when `GARASI_SMTP_URL` is set.

use futures_util::future::BoxFuture;

/// One message: plain text, with an optional HTML alternative.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}

pub trait Mailer: Send + Sync {
    /// Hands the message to the mail server; an error means it was not accepted.
    fn send<'a>(&'a self, mail: &'a Mail) -> BoxFuture<'a, anyhow::Result<()>>;
}
