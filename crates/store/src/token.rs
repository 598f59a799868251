use sha2::{Digest, Sha256};

/// Session and API tokens are stored only as their SHA-256 hash, so a database leak
/// does not hand out live sessions. Tokens are 256-bit random, so no salt is needed.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
