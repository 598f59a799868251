//! The root users' second factor: TOTP (see [`crate::totp`]) with ten one-time recovery
//! codes, and the root account recovery done from the command line.
//!
//! The secret is stored encrypted through a [`Sealer`] (the instance's secret key, the
//! same one that protects WhatsApp credentials), bound to the user's id so a row copied
//! to another user does not decrypt. Recovery codes are random (50 bits each) and stored
//! as SHA-256 hashes. Every change writes its platform audit entry in the same
//! transaction.
//!
//! A login with the factor on is two steps: the password creates only a pending state
//! (a random token kept in the shared [`Kv`] for [`PENDING_TTL`]), and the session is
//! created once [`verify_login`] accepts a code for it.

use std::time::Duration;

use garasi_store::platform::{AuditEntry, RootUser};
use garasi_store::{Db, hash_token};
use rand::RngCore;
use serde_json::json;
use uuid::Uuid;

use crate::kv::Kv;
use crate::{Actor, ServiceError, ServiceResult, totp};

/// How long the second step of a login may take.
pub const PENDING_TTL: Duration = Duration::from_secs(5 * 60);
/// Recovery codes per enrolment.
pub const RECOVERY_CODES: usize = 10;
/// The issuer shown in authenticator apps.
const ISSUER: &str = "Garasi";

const WRONG_CODE: &str = "Kode salah, kedaluwarsa, atau sudah dipakai.";

/// Encrypts small secrets at rest (implemented by `garasi_channels::SecretBox`).
pub trait Sealer: Send + Sync {
    /// `aad` binds the ciphertext to its owner (here the user id).
    fn seal(&self, aad: &[u8], plaintext: &[u8]) -> String;
    /// `None` for a wrong key, a wrong owner or a tampered value.
    fn open(&self, aad: &[u8], sealed: &str) -> Option<Vec<u8>>;
}

/// What the enrolment page shows while it waits for the first code.
#[derive(Debug, Clone)]
pub struct Enrolment {
    /// The secret in base32, grouped by four, for typing into an app.
    pub secret_text: String,
    /// The `otpauth://` URI, for the QR code.
    pub uri: String,
}

/// The factor's state for the security page.
#[derive(Debug, Clone)]
pub enum Status {
    Off,
    Pending(Enrolment),
    On { recovery_codes_left: i64 },
}

/// How a second step passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passed {
    Totp,
    /// A recovery code, now spent; this many are left.
    RecoveryCode {
        left: i64,
    },
}

fn root_only(actor: &Actor, user: &RootUser) -> ServiceResult<()> {
    match actor {
        Actor::Root { user_id, .. } if *user_id == user.id => Ok(()),
        _ => Err(ServiceError::forbidden("Hanya pemilik akun root ini yang boleh mengubah verifikasi dua langkah.")),
    }
}

fn target(user_id: Uuid) -> Option<(&'static str, String)> {
    Some(("root_user", user_id.to_string()))
}

fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn open_secret(sealer: &dyn Sealer, user_id: Uuid, sealed: &str) -> ServiceResult<Vec<u8>> {
    sealer.open(user_id.as_bytes(), sealed).ok_or_else(|| {
        ServiceError::Internal(anyhow::anyhow!("the stored TOTP secret does not decrypt (GARASI_SECRET_KEY changed?)"))
    })
}

fn enrolment(user: &RootUser, secret: &[u8]) -> Enrolment {
    Enrolment { secret_text: totp::secret_text(secret), uri: totp::otpauth_uri(ISSUER, &user.email, secret) }
}

/// The factor's state; a pending enrolment comes with its secret to show again.
pub async fn status(db: &Db, sealer: &dyn Sealer, user: &RootUser) -> ServiceResult<Status> {
    let platform = db.platform();
    Ok(match platform.root_totp(user.id).await? {
        None => Status::Off,
        Some(t) if t.enabled_at.is_none() => {
            Status::Pending(enrolment(user, &open_secret(sealer, user.id, &t.secret_sealed)?))
        }
        Some(_) => Status::On { recovery_codes_left: platform.root_recovery_codes_left(user.id).await? },
    })
}

/// Whether a login of this user needs the second step.
pub async fn is_enabled(db: &Db, user_id: Uuid) -> ServiceResult<bool> {
    Ok(db.platform().root_totp(user_id).await?.is_some_and(|t| t.enabled_at.is_some()))
}

/// Starts an enrolment with a new secret (replacing a pending one). `Conflict` when the
/// factor is already on.
pub async fn begin(db: &Db, sealer: &dyn Sealer, actor: &Actor, user: &RootUser) -> ServiceResult<Enrolment> {
    root_only(actor, user)?;
    let secret = totp::new_secret();
    let mut tx = db.platform().begin_write().await?;
    if tx.root_totp(user.id).await?.is_some_and(|t| t.enabled_at.is_some()) {
        return Err(ServiceError::Conflict("Verifikasi dua langkah sudah aktif.".into()));
    }
    tx.put_pending_root_totp(user.id, &sealer.seal(user.id.as_bytes(), &secret)).await?;
    tx.commit().await?;
    Ok(enrolment(user, &secret))
}

/// Confirms a pending enrolment with a code from the app and turns the factor on.
/// Answers the recovery codes, which are shown this once and stored only hashed.
pub async fn confirm(
    db: &Db,
    sealer: &dyn Sealer,
    actor: &Actor,
    user: &RootUser,
    code: &str,
) -> ServiceResult<Vec<String>> {
    root_only(actor, user)?;
    let mut tx = db.platform().begin_write().await?;
    let pending = match tx.root_totp(user.id).await? {
        Some(t) if t.enabled_at.is_none() => t,
        Some(_) => return Err(ServiceError::Conflict("Verifikasi dua langkah sudah aktif.".into())),
        None => return Err(ServiceError::Conflict("Mulai pendaftaran aplikasi autentikator dulu.".into())),
    };
    let secret = open_secret(sealer, user.id, &pending.secret_sealed)?;
    let step = totp::matching_step(&secret, code, unix_now()).ok_or_else(|| ServiceError::field("code", WRONG_CODE))?;
    if !tx.enable_root_totp(user.id, step).await? {
        return Err(ServiceError::Conflict("Pendaftaran ini sudah selesai.".into()));
    }
    let codes = new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| recovery_hash(c)).collect();
    tx.replace_root_recovery_codes(user.id, &hashes).await?;
    tx.audit(&actor.audit("root.2fa_enabled", target(user.id), json!({ "recovery_codes": RECOVERY_CODES }))).await?;
    tx.commit().await?;
    Ok(codes)
}

/// Turns the factor off; needs a current code (or a recovery code).
pub async fn disable(db: &Db, sealer: &dyn Sealer, actor: &Actor, user: &RootUser, code: &str) -> ServiceResult<()> {
    root_only(actor, user)?;
    let mut tx = db.platform().begin_write().await?;
    let how =
        check_code(&mut tx, sealer, user.id, code).await?.ok_or_else(|| ServiceError::field("code", WRONG_CODE))?;
    tx.delete_root_totp(user.id).await?;
    let via = match how {
        Passed::Totp => "totp",
        Passed::RecoveryCode { .. } => "recovery_code",
    };
    tx.audit(&actor.audit("root.2fa_disabled", target(user.id), json!({ "confirmed_with": via }))).await?;
    tx.commit().await?;
    Ok(())
}

/// The second step of a login: a 6-digit code not used before, or an unused recovery
/// code (spent here, with its audit entry). `None` for a wrong code. The caller throttles
/// the guesses and creates the session.
pub async fn verify_login(
    db: &Db,
    sealer: &dyn Sealer,
    user_id: Uuid,
    code: &str,
    ip: Option<String>,
) -> ServiceResult<Option<Passed>> {
    let mut tx = db.platform().begin_write().await?;
    let passed = check_code(&mut tx, sealer, user_id, code).await?;
    if let Some(Passed::RecoveryCode { left }) = passed {
        let actor = Actor::Root { user_id, ip };
        tx.audit(&actor.audit("root.2fa_recovery_used", target(user_id), json!({ "left": left }))).await?;
    }
    tx.commit().await?;
    Ok(passed)
}

/// Checks and spends a code inside `tx`: a TOTP code for a step later than the last one
/// used, else a recovery code.
async fn check_code(
    tx: &mut garasi_store::platform::PlatformTx,
    sealer: &dyn Sealer,
    user_id: Uuid,
    code: &str,
) -> ServiceResult<Option<Passed>> {
    let Some(factor) = tx.root_totp(user_id).await?.filter(|t| t.enabled_at.is_some()) else {
        return Ok(None);
    };
    let code = code.trim();
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        let secret = open_secret(sealer, user_id, &factor.secret_sealed)?;
        return Ok(match totp::matching_step(&secret, code, unix_now()) {
            Some(step) if tx.spend_root_totp_step(user_id, step).await? => Some(Passed::Totp),
            _ => None,
        });
    }
    let normalized = normalize_recovery(code);
    if normalized.len() != RECOVERY_LEN {
        return Ok(None);
    }
    if !tx.spend_root_recovery_code(user_id, &hash_token(&normalized)).await? {
        return Ok(None);
    }
    let left = tx.root_recovery_codes_left(user_id).await?;
    Ok(Some(Passed::RecoveryCode { left }))
}

/// Characters per recovery code (base32: 5 bits each, 50 bits in all).
const RECOVERY_LEN: usize = 10;
const RECOVERY_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

fn new_recovery_codes() -> Vec<String> {
    let mut rng = rand::rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; RECOVERY_LEN];
            rng.fill_bytes(&mut bytes);
            let s: String = bytes.iter().map(|b| char::from(RECOVERY_ALPHABET[usize::from(b % 32)])).collect();
            format!("{}-{}", &s[..5], &s[5..])
        })
        .collect()
}

/// Upper case, without the dash and spaces people type or copy.
fn normalize_recovery(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

fn recovery_hash(code: &str) -> String {
    hash_token(&normalize_recovery(code))
}

/// Keeps the password step's result for the second step: a random token the browser
/// or API client hands back, valid for [`PENDING_TTL`].
pub async fn start_pending(kv: &dyn Kv, user_id: Uuid) -> ServiceResult<String> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = hex_token(&bytes);
    kv.set(&pending_key(&token), &user_id.to_string(), PENDING_TTL).await.map_err(internal)?;
    Ok(token)
}

/// The user a pending login token stands for, while it is valid.
pub async fn pending_user(kv: &dyn Kv, token: &str) -> ServiceResult<Option<Uuid>> {
    if token.is_empty() || token.len() > 128 {
        return Ok(None);
    }
    let value = kv.get(&pending_key(token)).await.map_err(internal)?;
    Ok(value.and_then(|v| Uuid::parse_str(&v).ok()))
}

/// Ends a pending login (it succeeded).
pub async fn finish_pending(kv: &dyn Kv, token: &str) -> ServiceResult<()> {
    kv.delete(&pending_key(token)).await.map_err(internal)
}

fn pending_key(token: &str) -> String {
    // Only a hash of the token names the key, so a leaked key list yields no usable token.
    format!("root-2fa-pending:{}", hash_token(token))
}

fn hex_token(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn internal(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(anyhow::anyhow!("{e}"))
}

/// What `garasi root create` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootReset {
    Created,
    /// An existing root: new password, every session ended; whether the factor was removed.
    PasswordReset {
        sessions_ended: u64,
        factor_removed: bool,
    },
}

/// `garasi root create`: creates a root user, or, for an existing e-mail, sets the new
/// password and ends that root's sessions; `reset_2fa` also removes the second factor
/// and its recovery codes. `password_hash` is made by the caller, outside any transaction.
pub async fn create_or_reset_root(
    db: &Db,
    email: &str,
    name: &str,
    password_hash: &str,
    reset_2fa: bool,
) -> ServiceResult<(RootUser, RootReset)> {
    let platform = db.platform();
    let Some(existing) = platform.root_user_by_email(email).await? else {
        let user = platform.upsert_root_user(email, name, password_hash).await?;
        platform.audit(&system_entry("root.create", user.id, json!({ "email": user.email }))).await?;
        return Ok((user, RootReset::Created));
    };
    let mut tx = platform.begin_write().await?;
    tx.set_root_password_hash(existing.id, password_hash).await?;
    let sessions_ended = tx.delete_root_sessions_of(existing.id).await?;
    tx.audit(&system_entry(
        "root.password_reset",
        existing.id,
        json!({ "email": existing.email, "sessions_ended": sessions_ended, "via": "cli" }),
    ))
    .await?;
    let factor_removed = reset_2fa && tx.delete_root_totp(existing.id).await?;
    if factor_removed {
        tx.audit(&system_entry("root.2fa_reset", existing.id, json!({ "via": "cli" }))).await?;
    }
    tx.commit().await?;
    Ok((existing, RootReset::PasswordReset { sessions_ended, factor_removed }))
}

fn system_entry(action: &str, user_id: Uuid, details: serde_json::Value) -> AuditEntry {
    Actor::System.audit(action, target(user_id), details)
}
