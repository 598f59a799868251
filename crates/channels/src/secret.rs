//! Credentials at rest: AES-256-GCM with a key from `GARASI_SECRET_KEY`, or one generated
//! once and kept in `<data dir>/secret.key` (mode 0600). Values are stored as
//! `v1:<base64(nonce ‖ ciphertext)>`, bound to the tenant by the associated data, so a
//! row copied to another tenant does not decrypt.

use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use garasi_domain::TenantId;
use rand::RngCore;

/// The file holding the generated key, in the data dir.
pub const KEY_FILE: &str = "secret.key";

#[derive(Clone)]
pub struct SecretBox {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(..)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("GARASI_SECRET_KEY must be 32 bytes, base64 or hex encoded")]
    BadKey,
    #[error("cannot read or create the key file {path}: {source}")]
    KeyFile { path: String, source: std::io::Error },
    #[error("stored secret cannot be decrypted (wrong GARASI_SECRET_KEY, or tampered)")]
    Decrypt,
}

impl SecretBox {
    pub fn from_key(key: &[u8; 32]) -> SecretBox {
        let key = Key::<Aes256Gcm>::from(*key);
        SecretBox { cipher: Aes256Gcm::new(&key) }
    }

    /// Parses a key given as base64 or hex (32 bytes).
    pub fn from_setting(raw: &str) -> Result<SecretBox, SecretError> {
        let raw = raw.trim();
        let bytes = hex::decode(raw).ok().or_else(|| STANDARD.decode(raw).ok()).ok_or(SecretError::BadKey)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| SecretError::BadKey)?;
        Ok(SecretBox::from_key(&key))
    }

    /// The key from the setting when given, else the data dir's key file, created on first use.
    pub fn load_or_create(setting: Option<&str>, data_dir: &Path) -> Result<SecretBox, SecretError> {
        if let Some(raw) = setting.filter(|s| !s.trim().is_empty()) {
            return SecretBox::from_setting(raw);
        }
        let path = data_dir.join(KEY_FILE);
        let io = |source| SecretError::KeyFile { path: path.display().to_string(), source };
        match std::fs::read_to_string(&path) {
            Ok(text) => SecretBox::from_setting(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(data_dir).map_err(io)?;
                let mut key = [0u8; 32];
                rand::rng().fill_bytes(&mut key);
                let tmp = data_dir.join(format!("{KEY_FILE}.{}.tmp", uuid::Uuid::new_v4().simple()));
                write_private(&tmp, &STANDARD.encode(key)).map_err(io)?;
                // Another instance sharing the data dir may have won the race: keep its key.
                match std::fs::hard_link(&tmp, &path) {
                    Ok(()) => {
                        let _ = std::fs::remove_file(&tmp);
                        tracing::info!(path = %path.display(), "generated a new secret key for stored credentials");
                        Ok(SecretBox::from_key(&key))
                    }
                    Err(_) => {
                        let _ = std::fs::remove_file(&tmp);
                        SecretBox::from_setting(&std::fs::read_to_string(&path).map_err(io)?)
                    }
                }
            }
            Err(e) => Err(io(e)),
        }
    }

    pub fn seal(&self, tenant: TenantId, plaintext: &[u8]) -> String {
        self.seal_bound(tenant.0.as_bytes(), plaintext)
    }

    pub fn open(&self, tenant: TenantId, sealed: &str) -> Result<Vec<u8>, SecretError> {
        self.open_bound(tenant.0.as_bytes(), sealed)
    }

    /// Seals `plaintext` bound to `owner` (the associated data): a tenant's id, or a root
    /// user's id for platform secrets.
    pub fn seal_bound(&self, owner: &[u8], plaintext: &[u8]) -> String {
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let ct = self
            .cipher
            .encrypt(&Nonce::from(nonce), Payload { msg: plaintext, aad: owner })
            .expect("AES-GCM encryption of a small buffer cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        format!("v1:{}", STANDARD.encode(out))
    }

    pub fn open_bound(&self, owner: &[u8], sealed: &str) -> Result<Vec<u8>, SecretError> {
        let raw = sealed.strip_prefix("v1:").ok_or(SecretError::Decrypt)?;
        let bytes = STANDARD.decode(raw).map_err(|_| SecretError::Decrypt)?;
        if bytes.len() < 12 + 16 {
            return Err(SecretError::Decrypt);
        }
        let (nonce, ct) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| SecretError::Decrypt)?;
        self.cipher.decrypt(&Nonce::from(nonce), Payload { msg: ct, aad: owner }).map_err(|_| SecretError::Decrypt)
    }
}

/// Root users' TOTP secrets are sealed with the same key, bound to the user's id.
impl garasi_service::root_2fa::Sealer for SecretBox {
    fn seal(&self, aad: &[u8], plaintext: &[u8]) -> String {
        self.seal_bound(aad, plaintext)
    }

    fn open(&self, aad: &[u8], sealed: &str) -> Option<Vec<u8>> {
        self.open_bound(aad, sealed).ok()
    }
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_is_bound_to_the_tenant() {
        let b = SecretBox::from_key(&[7u8; 32]);
        let a = TenantId(uuid::Uuid::now_v7());
        let other = TenantId(uuid::Uuid::now_v7());
        let sealed = b.seal(a, b"token-123");
        assert!(sealed.starts_with("v1:"));
        assert!(!sealed.contains("token-123"));
        assert_eq!(b.open(a, &sealed).unwrap(), b"token-123");
        assert!(b.open(other, &sealed).is_err(), "another tenant's row must not decrypt");
        assert!(SecretBox::from_key(&[8u8; 32]).open(a, &sealed).is_err(), "another key must not decrypt");
    }

    #[test]
    fn key_file_is_created_once_and_reused() {
        let dir = std::env::temp_dir().join(format!("garasi-secret-{}", uuid::Uuid::now_v7().simple()));
        let t = TenantId(uuid::Uuid::now_v7());
        let first = SecretBox::load_or_create(None, &dir).unwrap();
        let sealed = first.seal(t, b"x");
        let second = SecretBox::load_or_create(None, &dir).unwrap();
        assert_eq!(second.open(t, &sealed).unwrap(), b"x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(KEY_FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(SecretBox::from_setting("short").is_err());
        let _ = std::fs::remove_dir_all(dir);
    }
}
