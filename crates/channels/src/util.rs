//! Small helpers the manager and the WhatsApp Web adapter share (a leaf module, so
//! neither imports the other).

use std::time::Duration;

use rand::Rng;

/// Exponential backoff with ±20 % jitter: `base × 2^(attempt-1)`, capped.
pub fn backoff(base: Duration, attempt: u32, cap: Duration) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.saturating_sub(1).min(16)).min(cap);
    let jitter = rand::rng().random_range(0.8..1.2);
    exp.mul_f64(jitter).min(cap)
}

/// Deletes a tenant's WhatsApp Web device store (its keys).
pub fn wipe_device_store(dir: &std::path::Path) {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => tracing::info!(dir = %dir.display(), "WhatsApp Web keys wiped"),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => tracing::error!(dir = %dir.display(), error = %e, "could not wipe WhatsApp Web keys"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let b = Duration::from_secs(2);
        let cap = Duration::from_secs(300);
        assert!(backoff(b, 1, cap) <= Duration::from_millis(2400));
        assert!(backoff(b, 3, cap) >= Duration::from_millis(6400));
        assert!(backoff(b, 30, cap) <= cap);
    }
}
