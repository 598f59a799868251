//! argon2id hashing, run on the blocking pool: one hash takes tens of milliseconds
//! of CPU, which would stall every other request on an async worker.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::LazyLock;

fn argon2() -> Argon2<'static> {
    // OWASP's argon2id minimum: 19 MiB, 2 passes, 1 lane.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_blocking(password: &str) -> anyhow::Result<String> {
    argon2()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
}

/// A hash of a random password, verified against when the e-mail is unknown, so an
/// unknown e-mail costs as much time as a wrong password.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_blocking(&uuid::Uuid::new_v4().to_string()).unwrap_or_default());

pub async fn hash_password(password: &str) -> anyhow::Result<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_blocking(&password)).await?
}

/// [`hash_password`] for use cases that take the hasher as an argument.
pub async fn hash_for_service(password: String) -> garasi_service::ServiceResult<String> {
    hash_password(&password).await.map_err(|e| garasi_service::ServiceError::Internal(anyhow::anyhow!(e.to_string())))
}

/// Checks a password against a stored hash; `None` verifies against a dummy.
pub async fn verify_password(password: &str, stored: Option<&str>) -> bool {
    let password = password.to_owned();
    let stored = stored.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        let hash_text = stored.as_deref().unwrap_or(DUMMY_HASH.as_str());
        let ok = argon2().verify_password(password.as_bytes(), hash_text).is_ok();
        ok && stored.is_some()
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn hash_and_verify() {
        let h = super::hash_password("kata-sandi-panjang").await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(super::verify_password("kata-sandi-panjang", Some(&h)).await);
        assert!(!super::verify_password("salah", Some(&h)).await);
        assert!(!super::verify_password("kata-sandi-panjang", None).await);
    }
}
