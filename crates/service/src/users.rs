//! The users of a showroom: invitations (a one-time link or a temporary password),
//! roles, disabling, removal and the link to a salesperson entry.
//!
//! Rules:
//! - only **owners** manage users (and root or the system); admins and staff get
//!   `Forbidden`. Admins keep managing the showroom's stock, leads and settings, but
//!   who may sign in is the owner's call;
//! - the last active owner can't be demoted, disabled or removed;
//! - nobody changes their own role, disables or removes themselves (no lock-out);
//! - disabling or removing a user ends all their sessions in the same transaction;
//!   removing also spends their links, drops the salesperson link and rewrites the
//!   e-mail to a tombstone so the address can be invited again. The row stays, so
//!   take-overs and the audit log keep a name.
//!
//! Every change writes its audit entry in its own transaction.

use chrono::{DateTime, Duration, Utc};
use garasi_domain::{Email, FieldErrors, Role, check};
use garasi_store::tenant::{TokenPurpose, User};
use garasi_store::{StoreError, TenantDb, TenantTx, hash_token, now};
use rand::{Rng, RngCore};
use serde_json::json;
use uuid::Uuid;

use crate::account::{Passwords, check_new_password};
use crate::{Actor, ServiceError, ServiceResult, Services};

/// How long an invitation link works.
pub const INVITE_VALID_HOURS: i64 = 72;

const FORBIDDEN: &str = "Hanya pemilik showroom yang boleh mengelola pengguna.";

/// How an invited user gets their first password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteMethod {
    /// A one-time link (72 h) where they choose it.
    Link,
    /// A temporary password the owner passes on; it must be changed at first sign-in.
    TemporaryPassword,
}

impl InviteMethod {
    pub fn parse(raw: &str) -> Option<InviteMethod> {
        match raw.trim() {
            "link" => Some(InviteMethod::Link),
            "temporary_password" => Some(InviteMethod::TemporaryPassword),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            InviteMethod::Link => "link",
            InviteMethod::TemporaryPassword => "temporary_password",
        }
    }
}

/// The invitation form or body, unparsed.
#[derive(Debug, Clone, Default)]
pub struct InviteInput {
    pub email: String,
    pub name: String,
    /// `admin` or `staff`.
    pub role: String,
    /// `link` or `temporary_password`.
    pub method: String,
}

/// A one-time link's secret (shown once, only its hash is stored) and its expiry.
#[derive(Debug, Clone)]
pub struct OneTimeLink {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// What the owner passes on to the new user: shown once.
#[derive(Debug, Clone)]
pub enum Handover {
    Link(OneTimeLink),
    TemporaryPassword(String),
}

/// A new user and how they get in.
#[derive(Debug, Clone)]
pub struct Invited {
    pub user: User,
    pub handover: Handover,
}

/// A session to open for a user who just set their password through a link.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token_hash: String,
    pub expires_at: DateTime<Utc>,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
}

fn require_owner(actor: &Actor) -> ServiceResult<()> {
    match actor {
        Actor::Staff { role: Role::Owner, .. } | Actor::Root { .. } | Actor::System => Ok(()),
        _ => Err(ServiceError::forbidden(FORBIDDEN)),
    }
}

/// A fresh 256-bit URL-safe secret from the OS-seeded CSPRNG (hex, 64 characters).
fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(64);
    for b in bytes {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
    out
}

/// A temporary password people can read out and type: 3 groups of 4 characters from
/// an alphabet without look-alikes (about 70 bits).
fn temporary_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    let groups: Vec<String> =
        (0..3).map(|_| (0..4).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()).collect();
    groups.join("-")
}

/// Makes a one-time link for `user_id` in `tx` (earlier unused links of the same
/// purpose stop working) and audits it as `user.link_created`. Shared by invitations
/// and by the password-reset links another use case sends.
pub async fn issue_link(
    tx: &mut TenantTx,
    actor: &Actor,
    user_id: Uuid,
    purpose: TokenPurpose,
    valid_for: Duration,
) -> ServiceResult<OneTimeLink> {
    let token = new_secret();
    let expires_at = now() + valid_for;
    tx.user_tokens().create(user_id, purpose, &hash_token(&token), actor.id(), expires_at).await?;
    tx.audit(&actor.audit(
        "user.link_created",
        Some(("user", user_id.to_string())),
        json!({ "purpose": purpose.as_str(), "expires_at": expires_at }),
    ))
    .await?;
    Ok(OneTimeLink { token, expires_at })
}

fn check_name(errors: &mut FieldErrors, name: &str) -> Option<String> {
    let name = name.trim();
    let len = name.chars().count();
    if len < 2 {
        errors.add("name", "Nama minimal 2 karakter.");
        None
    } else if len > 80 {
        errors.add("name", "Nama maksimal 80 karakter.");
        None
    } else {
        Some(name.to_owned())
    }
}

fn check_role(errors: &mut FieldErrors, raw: &str, invite: bool) -> Option<Role> {
    match raw.trim().parse::<Role>() {
        Ok(Role::Owner) if invite => {
            errors.add("role", "Undang sebagai admin atau staf; peran pemilik bisa diberikan setelahnya.");
            None
        }
        Ok(role) => Some(role),
        Err(_) => {
            errors.add("role", "Pilih peran: pemilik, admin atau staf.");
            None
        }
    }
}

fn email_taken() -> ServiceError {
    ServiceError::field("email", "Email ini sudah dipakai pengguna lain di showroom ini.")
}

/// Invites an admin or staff member by e-mail, with a one-time link or a temporary
/// password. The password (a throw-away one for a link) is hashed before the write
/// transaction opens.
pub async fn invite(
    _services: &Services,
    actor: &Actor,
    tenant: &TenantDb,
    input: &InviteInput,
    passwords: &impl Passwords,
) -> ServiceResult<Invited> {
    require_owner(actor)?;
    let mut errors = FieldErrors::new();
    let email = check(&mut errors, "email", Email::parse(input.email.trim()));
    let name = check_name(&mut errors, &input.name);
    let role = check_role(&mut errors, &input.role, true);
    let method = InviteMethod::parse(&input.method);
    if method.is_none() {
        errors.add("method", "Pilih cara masuk: tautan undangan atau kata sandi sementara.");
    }
    let (Some(email), Some(name), Some(role), Some(method)) = (email, name, role, method) else {
        return Err(ServiceError::Validation(errors));
    };
    // A link invitee's password is unknown to everyone until they choose one; a
    // temporary one is handed over once and must be replaced at first sign-in.
    let password = temporary_password();
    let hash = passwords.hash(password.clone()).await?;
    let mut tx = tenant.begin_write().await?;
    if tx.users().find_by_email(&email).await?.is_some() {
        return Err(email_taken());
    }
    let new = garasi_store::tenant::NewUser { email, name, role, password_hash: hash.clone() };
    let user = tx.users().create(&new).await.map_err(|e| match e {
        StoreError::Conflict(_) => email_taken(),
        other => other.into(),
    })?;
    let target = Some(("user", user.id.to_string()));
    tx.audit(&actor.audit(
        "user.invite",
        target.clone(),
        json!({ "email": user.email, "name": user.name, "role": role.as_str(), "method": method.as_str() }),
    ))
    .await?;
    let handover = match method {
        InviteMethod::Link => Handover::Link(
            issue_link(&mut tx, actor, user.id, TokenPurpose::Invite, Duration::hours(INVITE_VALID_HOURS)).await?,
        ),
        InviteMethod::TemporaryPassword => {
            tx.users().set_password(user.id, &hash, true).await?;
            tx.audit(&actor.audit("user.temp_password", target, json!({}))).await?;
            Handover::TemporaryPassword(password)
        }
    };
    let user = tx.users().get(user.id).await?.ok_or(ServiceError::NotFound)?;
    tx.commit().await?;
    Ok(Invited { user, handover })
}

/// A user of this showroom that is not removed; `NotFound` otherwise (other showrooms too).
async fn target(tx: &mut TenantTx, id: Uuid) -> ServiceResult<User> {
    tx.users().get(id).await?.filter(|u| u.deleted_at.is_none()).ok_or(ServiceError::NotFound)
}

/// Refuses a change that would take away the last active owner. Counted inside the
/// write transaction, so two such changes can't both pass.
async fn keep_an_owner(tx: &mut TenantTx, user: &User) -> ServiceResult<()> {
    if user.role == Role::Owner && user.is_active() && tx.users().count_active_owners().await? <= 1 {
        return Err(ServiceError::Conflict(
            "Showroom harus punya setidaknya satu pemilik aktif. Jadikan pengguna lain pemilik terlebih dahulu.".into(),
        ));
    }
    Ok(())
}

fn not_self(actor: &Actor, user: &User, what: &str) -> ServiceResult<()> {
    if actor.id() == Some(user.id) && matches!(actor, Actor::Staff { .. }) {
        return Err(ServiceError::forbidden(format!("Anda tidak bisa {what} akun Anda sendiri.")));
    }
    Ok(())
}

/// Makes a new invitation link for a user who has not signed in yet (the old one
/// stops working).
pub async fn reissue_link(
    _services: &Services,
    actor: &Actor,
    tenant: &TenantDb,
    id: Uuid,
) -> ServiceResult<OneTimeLink> {
    require_owner(actor)?;
    let mut tx = tenant.begin_write().await?;
    let user = target(&mut tx, id).await?;
    if user.last_login_at.is_some() {
        return Err(ServiceError::Conflict("Pengguna ini sudah pernah masuk; undangan tidak diperlukan lagi.".into()));
    }
    if user.disabled_at.is_some() {
        return Err(ServiceError::Conflict("Aktifkan pengguna ini terlebih dahulu.".into()));
    }
    let link = issue_link(&mut tx, actor, id, TokenPurpose::Invite, Duration::hours(INVITE_VALID_HOURS)).await?;
    tx.commit().await?;
    Ok(link)
}

/// Gives a user a new temporary password (to be changed at their next sign-in) and ends
/// their sessions. Returns the password, shown once.
pub async fn temporary_password_for(
    _services: &Services,
    actor: &Actor,
    tenant: &TenantDb,
    id: Uuid,
    passwords: &impl Passwords,
) -> ServiceResult<String> {
    require_owner(actor)?;
    {
        let mut tx = tenant.begin().await?;
        let user = target(&mut tx, id).await?;
        tx.commit().await?;
        not_self(actor, &user, "memberi kata sandi sementara untuk")?;
    }
    let password = temporary_password();
    let hash = passwords.hash(password.clone()).await?;
    let mut tx = tenant.begin_write().await?;
    target(&mut tx, id).await?;
    tx.users().set_password(id, &hash, true).await?;
    let ended = tx.sessions().delete_for_user(id).await?;
    tx.user_tokens().revoke(id, TokenPurpose::Invite).await?;
    tx.audit(&actor.audit("user.temp_password", Some(("user", id.to_string())), json!({ "ended_sessions": ended })))
        .await?;
    tx.commit().await?;
    Ok(password)
}

/// Changes a user's role (`owner`, `admin` or `staff`).
pub async fn set_role(
    _services: &Services,
    actor: &Actor,
    tenant: &TenantDb,
    id: Uuid,
    role: &str,
) -> ServiceResult<User> {
    require_owner(actor)?;
    let mut errors = FieldErrors::new();
    let Some(role) = check_role(&mut errors, role, false) else {
        return Err(ServiceError::Validation(errors));
    };
    let mut tx = tenant.begin_write().await?;
    let user = target(&mut tx, id).await?;
    if user.role == role {
        tx.commit().await?;
        return Ok(user);
    }
    if role != Role::Owner {
        keep_an_owner(&mut tx, &user).await?;
    }
    not_self(actor, &user, "mengubah peran")?;
    tx.users().set_role(id, role).await?;
    tx.audit(&actor.audit(
        "user.role_change",
        Some(("user", id.to_string())),
        json!({ "from": user.role.as_str(), "to": role.as_str() }),
    ))
    .await?;
    let user = tx.users().get(id).await?.ok_or(ServiceError::NotFound)?;
    tx.commit().await?;
    Ok(user)
}

/// Disables (ending every session at once) or enables a user.
pub async fn set_disabled(
    _services: &Services,
    actor: &Actor,
    tenant: &TenantDb,
    id: Uuid,
    disabled: bool,
) -> ServiceResult<User> {
    require_owner(actor)?;
    let mut tx = tenant.begin_write().await?;
    let user = target(&mut tx, id).await?;
    if user.disabled_at.is_some() == disabled {
        tx.commit().await?;
        return Ok(user);
    }
    let details = if disabled {
        keep_an_owner(&mut tx, &user).await?;
        not_self(actor, &user, "menonaktifkan")?;
        tx.users().set_disabled(id, Some(now())).await?;
        let ended = tx.sessions().delete_for_user(id).await?;
        tx.user_tokens().revoke(id, TokenPurpose::Invite).await?;
        tx.user_tokens().revoke(id, TokenPurpose::Reset).await?;
        json!({ "ended_sessions": ended })
    } else {
        tx.users().set_disabled(id, None).await?;
        json!({})
    };
    let action = if disabled { "user.disable" } else { "user.enable" };
    tx.audit(&actor.audit(action, Some(("user", id.to_string())), details)).await?;
    let user = tx.users().get(id).await?.ok_or(ServiceError::NotFound)?;
    tx.commit().await?;
    Ok(user)
}

/// Removes a user (soft): sessions and links gone, the e-mail freed, the row kept.
pub async fn delete(_services: &Services, actor: &Actor, tenant: &TenantDb, id: Uuid) -> ServiceResult<()> {
    require_owner(actor)?;
    let mut tx = tenant.begin_write().await?;
    let user = target(&mut tx, id).await?;
    keep_an_owner(&mut tx, &user).await?;
    not_self(actor, &user, "menghapus")?;
    let ended = tx.sessions().delete_for_user(id).await?;
    tx.user_tokens().revoke(id, TokenPurpose::Invite).await?;
    tx.user_tokens().revoke(id, TokenPurpose::Reset).await?;
    tx.user_sales_links().unlink(id).await?;
    // `.invalid` is reserved (RFC 2606): the tombstone can never be a real address.
    tx.users().soft_delete(id, &format!("dihapus-{}@pengguna.invalid", id.simple())).await?;
    tx.audit(&actor.audit(
        "user.delete",
        Some(("user", id.to_string())),
        json!({ "email": user.email, "name": user.name, "ended_sessions": ended }),
    ))
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Links a user to a salesperson entry (`Some`) or removes the link (`None`).
pub async fn link_sales(
    _services: &Services,
    actor: &Actor,
    tenant: &TenantDb,
    id: Uuid,
    sales_id: Option<Uuid>,
) -> ServiceResult<()> {
    require_owner(actor)?;
    let mut tx = tenant.begin_write().await?;
    target(&mut tx, id).await?;
    let details = match sales_id {
        Some(sales_id) => {
            let person = tx
                .sales()
                .get(sales_id)
                .await?
                .filter(|s| s.deleted_at.is_none())
                .ok_or_else(|| ServiceError::field("sales_id", "Sales ini tidak ditemukan."))?;
            tx.user_sales_links().link(id, sales_id).await.map_err(|e| match e {
                StoreError::Conflict(_) => {
                    ServiceError::field("sales_id", "Sales ini sudah terhubung dengan pengguna lain.")
                }
                other => other.into(),
            })?;
            json!({ "sales_id": sales_id, "sales_name": person.name })
        }
        None => {
            tx.user_sales_links().unlink(id).await?;
            json!({ "sales_id": null })
        }
    };
    tx.audit(&actor.audit("user.sales_link", Some(("user", id.to_string())), details)).await?;
    tx.commit().await?;
    Ok(())
}

/// The user an unspent, unexpired invitation link belongs to (for the page that asks
/// for the password); `None` when the link doesn't work.
pub async fn invitation(tenant: &TenantDb, token: &str) -> ServiceResult<Option<User>> {
    let mut tx = tenant.begin().await?;
    let found = match tx.user_tokens().find_valid(&hash_token(token), TokenPurpose::Invite, now()).await? {
        Some(t) => tx.users().get(t.user_id).await?.filter(User::is_active),
        None => None,
    };
    tx.commit().await?;
    Ok(found)
}

/// Accepts an invitation: spends the link, sets the chosen password and opens a
/// session, all in one transaction. `NotFound` when the link doesn't work (unknown,
/// expired, used, or the user was disabled or removed meanwhile).
pub async fn accept_invite(
    _services: &Services,
    tenant: &TenantDb,
    token: &str,
    password: &str,
    session: &NewSession,
    passwords: &impl Passwords,
) -> ServiceResult<User> {
    // Checked first, so a dead link costs no hashing.
    if invitation(tenant, token).await?.is_none() {
        return Err(ServiceError::NotFound);
    }
    check_new_password("password", password)?;
    let hash = passwords.hash(password.to_owned()).await?;
    let mut tx = tenant.begin_write().await?;
    let spent = tx
        .user_tokens()
        .consume(&hash_token(token), TokenPurpose::Invite, now())
        .await?
        .ok_or(ServiceError::NotFound)?;
    let user = tx.users().get(spent.user_id).await?.filter(User::is_active).ok_or(ServiceError::NotFound)?;
    tx.users().set_password(user.id, &hash, false).await?;
    tx.users().record_login(user.id).await?;
    tx.sessions()
        .create_from(
            user.id,
            &session.token_hash,
            session.expires_at,
            session.user_agent.as_deref(),
            session.ip.as_deref(),
        )
        .await?;
    let actor = Actor::Staff { user_id: user.id, role: user.role, ip: session.ip.clone() };
    tx.audit(&actor.audit("user.invite_accepted", Some(("user", user.id.to_string())), json!({}))).await?;
    let user = tx.users().get(user.id).await?.ok_or(ServiceError::NotFound)?;
    tx.commit().await?;
    Ok(user)
}

#[cfg(test)]
mod tests {
    #[test]
    fn temporary_passwords_pass_the_policy() {
        for _ in 0..200 {
            let p = super::temporary_password();
            assert_eq!(p.chars().count(), 14);
            assert_eq!(garasi_domain::check_password_policy(&p), Ok(()), "{p}");
        }
    }

    #[test]
    fn secrets_are_long_and_distinct() {
        let a = super::new_secret();
        assert_eq!(a.len(), 64);
        assert_ne!(a, super::new_secret());
    }
}
