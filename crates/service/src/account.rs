//! A signed-in user's own account: the password and the sessions. Each use case acts
//! on the actor's own rows only, so nobody ends someone else's session through here.
//!
//! Password hashing and verifying are the web layer's (argon2 on its own threads,
//! behind its login gate), passed in as [`Passwords`]; they always run **before** the
//! write transaction opens, so the SQLite write lock is never held while hashing.

use garasi_domain::check_password_policy;
use garasi_store::TenantDb;
use garasi_store::tenant::User;
use serde_json::json;
use uuid::Uuid;

use crate::{Actor, ServiceError, ServiceResult, Services};

/// Hashing and verifying passwords, supplied by the adapter that owns the hasher.
pub trait Passwords: Send + Sync {
    /// The stored hash of a new (already checked) password.
    fn hash(&self, password: String) -> impl Future<Output = ServiceResult<String>> + Send;
    /// Whether `password` matches `stored`. `ServiceError::Busy` when too many checks run.
    fn verify(&self, password: String, stored: String) -> impl Future<Output = ServiceResult<bool>> + Send;
}

/// The staff user behind `actor`; only showroom users have an account here.
pub(crate) fn own_user_id(actor: &Actor) -> ServiceResult<Uuid> {
    match actor {
        Actor::Staff { user_id, .. } => Ok(*user_id),
        _ => Err(ServiceError::forbidden("Hanya pengguna showroom yang punya akun di sini.")),
    }
}

/// Checks a new password against the policy, as a message on `field`.
pub(crate) fn check_new_password(field: &str, password: &str) -> ServiceResult<()> {
    check_password_policy(password).map_err(|e| ServiceError::field(field, format!("{e}.")))
}

/// Changes the actor's password: the current one is needed, the new one follows the
/// policy. Every other session of the user ends (the one in `keep_session` stays), and
/// a pending "must change" flag is cleared.
pub async fn change_password(
    _services: &Services,
    actor: &Actor,
    tenant: &TenantDb,
    keep_session: Uuid,
    current: &str,
    new: &str,
    passwords: &impl Passwords,
) -> ServiceResult<User> {
    let user_id = own_user_id(actor)?;
    let user = {
        let mut tx = tenant.begin().await?;
        let user = tx.users().get(user_id).await?.filter(User::is_active).ok_or(ServiceError::NotFound)?;
        tx.commit().await?;
        user
    };
    if current.is_empty() {
        return Err(ServiceError::field("current_password", "Isi kata sandi saat ini."));
    }
    check_new_password("new_password", new)?;
    if current == new {
        return Err(ServiceError::field("new_password", "Kata sandi baru harus berbeda dari yang sekarang."));
    }
    if !passwords.verify(current.to_owned(), user.password_hash.clone()).await? {
        return Err(ServiceError::field("current_password", "Kata sandi saat ini salah."));
    }
    let hash = passwords.hash(new.to_owned()).await?;
    let mut tx = tenant.begin_write().await?;
    tx.users().set_password(user_id, &hash, false).await?;
    let ended = tx.sessions().delete_others(user_id, keep_session).await?;
    tx.audit(&actor.audit(
        "account.password_change",
        Some(("user", user_id.to_string())),
        json!({ "ended_sessions": ended, "was_temporary": user.must_change_password }),
    ))
    .await?;
    let user = tx.users().get(user_id).await?.ok_or(ServiceError::NotFound)?;
    tx.commit().await?;
    Ok(user)
}

/// Ends one of the actor's own sessions. `NotFound` for another user's session.
pub async fn end_session(
    _services: &Services,
    actor: &Actor,
    tenant: &TenantDb,
    session_id: Uuid,
) -> ServiceResult<()> {
    let user_id = own_user_id(actor)?;
    let mut tx = tenant.begin_write().await?;
    if !tx.sessions().delete_of_user(user_id, session_id).await? {
        return Err(ServiceError::NotFound);
    }
    tx.audit(&actor.audit("account.session_end", Some(("session", session_id.to_string())), json!({}))).await?;
    tx.commit().await?;
    Ok(())
}

/// Ends every session of the actor except `keep` (the current one). Returns how many ended.
pub async fn end_other_sessions(
    _services: &Services,
    actor: &Actor,
    tenant: &TenantDb,
    keep: Uuid,
) -> ServiceResult<u64> {
    let user_id = own_user_id(actor)?;
    let mut tx = tenant.begin_write().await?;
    let ended = tx.sessions().delete_others(user_id, keep).await?;
    tx.audit(&actor.audit(
        "account.sessions_end_others",
        Some(("user", user_id.to_string())),
        json!({ "ended": ended }),
    ))
    .await?;
    tx.commit().await?;
    Ok(ended)
}
