//! A forgotten showroom password: a one-time link (single use, [`RESET_TTL`], stored
//! hashed in `user_tokens` with purpose `reset`) that sets a new password.
//!
//! Who gets the link, in order of preference:
//! 1. the user, by e-mail, when the instance has a [`Mailer`] (`GARASI_SMTP_URL`);
//! 2. the user, on WhatsApp, from the showroom's own connected number to the number of
//!    the salesperson entry linked to the user (through the outbox, like a bot reply);
//! 3. nobody: the owner makes a link for the user in the dashboard ([`make_link`]), or
//!    root for an owner.
//!
//! [`request`] answers the same thing whether or not the e-mail belongs to a user, and
//! the e-mail is sent after the answer (in a task), so the time taken says little either.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use garasi_domain::{Email, Role, check_password_policy};
use garasi_store::jobs::WhatsappOut;
use garasi_store::platform::Tenant;
use garasi_store::tenant::{TokenPurpose, User};
use garasi_store::{TenantDb, TenantTx, hash_token, now};
use rand::RngCore;
use serde_json::json;
use uuid::Uuid;

use crate::mail::{Mail, Mailer};
use crate::{Actor, PublicUrls, ServiceError, ServiceResult};

/// How long a reset link stays valid.
pub const RESET_TTL: Duration = Duration::minutes(30);
/// The path of the reset page on the showroom's host; the token follows.
pub const RESET_PATH: &str = "/admin/reset-password/";

const GONE: &str = "Tautan ini sudah tidak berlaku (kedaluwarsa atau sudah dipakai). Minta tautan baru.";

/// How a requested link went out; for logs and tests, never shown to the visitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Email,
    Whatsapp,
    /// No user with that e-mail, or no way to reach them.
    Nothing,
}

/// A link made by the owner or root, to hand over in person.
#[derive(Debug, Clone)]
pub struct ResetLink {
    pub url: String,
    pub user_id: Uuid,
    pub email: String,
    pub expires_at: DateTime<Utc>,
}

/// Where a showroom's links point and how they may be delivered.
pub struct Outlets<'a> {
    pub urls: &'a PublicUrls,
    pub mailer: Option<Arc<dyn Mailer>>,
}

fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn link_for(urls: &PublicUrls, tenant: &Tenant, secret: &str) -> String {
    format!("{}{RESET_PATH}{secret}", urls.tenant_url(tenant))
}

/// A user that may get a reset link: present, neither disabled nor removed.
fn usable(user: Option<User>) -> Option<User> {
    user.filter(User::is_active)
}

/// Stores a new reset token for `user` in `tx` (spending older ones) and answers its secret.
async fn issue(tx: &mut TenantTx, user: &User, created_by: Option<Uuid>) -> ServiceResult<(String, DateTime<Utc>)> {
    let secret = new_secret();
    let expires_at = now() + RESET_TTL;
    tx.user_tokens().create(user.id, TokenPurpose::Reset, &hash_token(&secret), created_by, expires_at).await?;
    Ok((secret, expires_at))
}

/// "Lupa password?": sends a link to the user with this e-mail, if there is one and a way
/// to reach them. The caller answers the visitor the same way whatever this returns.
pub async fn request(
    tenant_db: &TenantDb,
    tenant: &Tenant,
    outlets: &Outlets<'_>,
    email: &str,
    ip: Option<String>,
) -> ServiceResult<Delivery> {
    let Ok(email) = Email::parse(email) else {
        return Ok(Delivery::Nothing);
    };
    let mut tx = tenant_db.begin_write().await?;
    let Some(user) = usable(tx.users().find_by_email(&email).await?) else {
        tx.commit().await?;
        return Ok(Delivery::Nothing);
    };
    let phone = match &outlets.mailer {
        Some(_) => None,
        None => whatsapp_route(&mut tx, user.id).await?,
    };
    let delivery = match (&outlets.mailer, &phone) {
        (Some(_), _) => Delivery::Email,
        (None, Some(_)) => Delivery::Whatsapp,
        (None, None) => Delivery::Nothing,
    };
    let mut mail = None;
    if delivery != Delivery::Nothing {
        let (secret, _) = issue(&mut tx, &user, None).await?;
        let link = link_for(outlets.urls, tenant, &secret);
        match (&phone, delivery) {
            (Some((kind, to)), Delivery::Whatsapp) => {
                let text = whatsapp_text(&tenant.name, &link);
                tx.outbox().enqueue_whatsapp(&WhatsappOut::reply(kind, to, None, Some(&text), &[], None)).await?;
            }
            _ => mail = Some(reset_mail(&tenant.name, &user.email, &link)),
        }
    }
    let actor = Actor::Staff { user_id: user.id, role: user.role, ip };
    let channel = match delivery {
        Delivery::Email => "email",
        Delivery::Whatsapp => "whatsapp",
        Delivery::Nothing => "none",
    };
    tx.audit(&actor.audit("auth.reset_requested", Some(("user", user.id.to_string())), json!({ "channel": channel })))
        .await?;
    tx.commit().await?;
    if let (Some(mail), Some(mailer)) = (mail, outlets.mailer.clone()) {
        // After the answer: the visitor waits for neither the mail server nor a failure.
        tokio::spawn(async move {
            if let Err(e) = mailer.send(&mail).await {
                tracing::warn!(error = %format!("{e:#}"), "password reset e-mail not sent");
            }
        });
    }
    Ok(delivery)
}

/// The showroom's WhatsApp transport and the user's linked number, when the showroom's
/// own number is connected and the user has one.
async fn whatsapp_route(tx: &mut TenantTx, user_id: Uuid) -> ServiceResult<Option<(String, String)>> {
    let Some(channel) = tx.whatsapp().get().await? else {
        return Ok(None);
    };
    if channel.kind == "simulator" || channel.status != "connected" {
        return Ok(None);
    }
    Ok(tx.password_resets().linked_phone(user_id).await?.map(|phone| (channel.kind, phone)))
}

fn whatsapp_text(showroom: &str, link: &str) -> String {
    format!(
        "Permintaan atur ulang kata sandi dashboard {showroom}.\n\nBuka tautan ini dalam 30 menit untuk membuat \
         kata sandi baru (hanya bisa dipakai sekali):\n{link}\n\nJika Anda tidak memintanya, abaikan pesan ini."
    )
}

fn reset_mail(showroom: &str, to: &str, link: &str) -> Mail {
    let text = format!(
        "Halo,\n\nAda permintaan untuk mengatur ulang kata sandi akun {to} di dashboard {showroom}.\n\n\
         Buka tautan berikut dalam 30 menit untuk membuat kata sandi baru. Tautan hanya bisa dipakai sekali.\n\n\
         {link}\n\nJika Anda tidak memintanya, abaikan e-mail ini: kata sandi Anda tidak berubah.\n\n\
         Salam,\n{showroom} (lewat Garasi)\n"
    );
    let html = format!(
        "<p>Halo,</p><p>Ada permintaan untuk mengatur ulang kata sandi akun {to} di dashboard {showroom}.</p>\
         <p><a href=\"{link}\">Buat kata sandi baru</a> (berlaku 30 menit, hanya sekali pakai).</p>\
         <p>Jika Anda tidak memintanya, abaikan e-mail ini: kata sandi Anda tidak berubah.</p>\
         <p>Salam,<br>{showroom} (lewat Garasi)</p>",
        to = escape(to),
        showroom = escape(showroom),
        link = escape(link),
    );
    Mail { to: to.to_owned(), subject: format!("Atur ulang kata sandi {showroom}"), text, html: Some(html) }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A one-time link for `user_id`, made by the showroom's owner (for any of its users) or
/// by root (for an owner), to hand over when no e-mail or WhatsApp can carry it.
pub async fn make_link(
    actor: &Actor,
    tenant_db: &TenantDb,
    tenant: &Tenant,
    urls: &PublicUrls,
    user_id: Uuid,
) -> ServiceResult<ResetLink> {
    let by = match actor {
        Actor::Staff { role: Role::Owner, user_id, .. } | Actor::Root { user_id, .. } => *user_id,
        _ => return Err(ServiceError::forbidden("Hanya pemilik showroom yang boleh membuat tautan atur ulang.")),
    };
    let mut tx = tenant_db.begin_write().await?;
    let user = usable(tx.users().get(user_id).await?).ok_or(ServiceError::NotFound)?;
    if matches!(actor, Actor::Root { .. }) && user.role != Role::Owner {
        return Err(ServiceError::forbidden("Admin platform hanya membuat tautan untuk pemilik showroom."));
    }
    let (secret, expires_at) = issue(&mut tx, &user, Some(by)).await?;
    let entry =
        actor.audit("auth.reset_link_made", Some(("user", user.id.to_string())), json!({ "email": user.email }));
    tx.audit(&entry).await?;
    tx.commit().await?;
    Ok(ResetLink { url: link_for(urls, tenant, &secret), user_id: user.id, email: user.email, expires_at })
}

/// The user a reset link is for, while it is valid (to show the form).
pub async fn check(tenant_db: &TenantDb, secret: &str) -> ServiceResult<Option<User>> {
    let mut tx = tenant_db.begin().await?;
    let user = match tx.user_tokens().find_valid(&hash_token(secret), TokenPurpose::Reset, now()).await? {
        Some(t) => usable(tx.users().get(t.user_id).await?),
        None => None,
    };
    tx.commit().await?;
    Ok(user)
}

/// Sets the new password through a valid link: the link is spent, every session of the
/// user ends, and `must_change_password` is cleared. `hash` runs before the write
/// transaction opens (the write lock is never held while hashing).
pub async fn complete<H, F>(
    tenant_db: &TenantDb,
    secret: &str,
    password: &str,
    ip: Option<String>,
    hash: H,
) -> ServiceResult<User>
where
    H: FnOnce(String) -> F,
    F: Future<Output = ServiceResult<String>>,
{
    check_password_policy(password).map_err(|e| ServiceError::field("password", e.to_string()))?;
    if check(tenant_db, secret).await?.is_none() {
        return Err(ServiceError::Conflict(GONE.into()));
    }
    let password_hash = hash(password.to_owned()).await?;
    let mut tx = tenant_db.begin_write().await?;
    // Spent by the statement that checks it: of two submissions of one link, one wins.
    let token = tx
        .user_tokens()
        .consume(&hash_token(secret), TokenPurpose::Reset, now())
        .await?
        .ok_or_else(|| ServiceError::Conflict(GONE.into()))?;
    let user = usable(tx.users().get(token.user_id).await?).ok_or_else(|| ServiceError::Conflict(GONE.into()))?;
    // The user has just chosen this password: nothing is left to change at the next sign-in.
    tx.users().set_password(user.id, &password_hash, false).await?;
    let sessions_ended = tx.sessions().delete_for_user(user.id).await?;
    let actor = Actor::Staff { user_id: user.id, role: user.role, ip };
    let via = if token.created_by.is_some() { "link_made" } else { "requested" };
    let entry = actor.audit(
        "auth.password_reset",
        Some(("user", user.id.to_string())),
        json!({ "sessions_ended": sessions_ended, "link": via }),
    );
    tx.audit(&entry).await?;
    tx.commit().await?;
    Ok(user)
}

/// [`make_link`] for the showroom's owner (the first enabled one by e-mail): what root
/// uses from the showroom's page.
pub async fn make_owner_link(
    actor: &Actor,
    tenant_db: &TenantDb,
    tenant: &Tenant,
    urls: &PublicUrls,
) -> ServiceResult<ResetLink> {
    let mut tx = tenant_db.begin().await?;
    let owner = tx.users().list().await?.into_iter().find(|u| u.role == Role::Owner && u.is_active());
    tx.commit().await?;
    let owner = owner.ok_or(ServiceError::NotFound)?;
    make_link(actor, tenant_db, tenant, urls, owner.id).await
}
