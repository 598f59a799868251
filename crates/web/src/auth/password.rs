//! argon2id hashing, off the async workers: one hash takes tens of milliseconds of CPU,
//! which would stall every other request there. Hashes run on a few dedicated threads
//! (one per core) rather than tokio's blocking pool: each hash allocates 19 MiB, and the
//! allocator keeps that per thread, so hundreds of blocking-pool threads touched by a
//! login flood would each keep their 19 MiB (RSS measured at 382 MB in `bench/login-flood.sh`).

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::{Arc, LazyLock, Mutex, mpsc};

use tokio::sync::{Semaphore, oneshot};

use crate::error::AppError;

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

type Job = Box<dyn FnOnce() + Send>;

/// The hashing threads, started on first use, fed through one queue.
static HASHERS: LazyLock<Mutex<mpsc::Sender<Job>>> = LazyLock::new(|| {
    let (tx, rx) = mpsc::channel::<Job>();
    let rx = Arc::new(Mutex::new(rx));
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    for i in 0..threads {
        let rx = rx.clone();
        let spawned = std::thread::Builder::new().name(format!("argon2-{i}")).spawn(move || {
            loop {
                // The lock is held only to take the next job, not while running it.
                let job = match rx.lock().unwrap_or_else(|p| p.into_inner()).recv() {
                    Ok(job) => job,
                    Err(_) => return,
                };
                job();
            }
        });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start a password hashing thread");
        }
    }
    Mutex::new(tx)
});

/// Runs `f` on a hashing thread and waits for its result without blocking the runtime.
async fn on_hasher<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> anyhow::Result<T> {
    let (tx, rx) = oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = tx.send(f());
    });
    HASHERS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .send(job)
        .map_err(|_| anyhow::anyhow!("the password hashing threads are gone"))?;
    rx.await.map_err(|_| anyhow::anyhow!("a password hashing job was dropped"))
}

pub async fn hash_password(password: &str) -> anyhow::Result<String> {
    let password = password.to_owned();
    on_hasher(move || hash_blocking(&password)).await?
}

/// [`hash_password`] for use cases that take the hasher as an argument.
pub async fn hash_for_service(password: String) -> garasi_service::ServiceResult<String> {
    hash_password(&password).await.map_err(|e| garasi_service::ServiceError::Internal(anyhow::anyhow!(e.to_string())))
}

/// At most this many password checks run at once for logins (about one per core): a
/// flood of logins must not take every core, nor queue up without bound. Overflow is
/// refused at once with [`AppError::Busy`].
pub struct LoginGate(Arc<Semaphore>);

impl LoginGate {
    pub fn per_core() -> LoginGate {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        LoginGate(Arc::new(Semaphore::new(cores)))
    }

    /// [`verify_password`] when a slot is free, else `Busy` without waiting.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<bool, AppError> {
        let _slot = self.0.clone().try_acquire_owned().map_err(|_| {
            tracing::warn!("password check refused: every slot is busy");
            AppError::Busy { retry_after_secs: 1 }
        })?;
        Ok(verify_password(password, stored).await)
    }
}

/// Checks a password against a stored hash; `None` verifies against a dummy.
pub async fn verify_password(password: &str, stored: Option<&str>) -> bool {
    let password = password.to_owned();
    let stored = stored.map(str::to_owned);
    on_hasher(move || {
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
