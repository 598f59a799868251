use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;

/// A fresh 256-bit session secret from the OS CSPRNG, URL-safe.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    // ThreadRng is a ChaCha CSPRNG seeded and periodically reseeded from the OS.
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_long_and_distinct() {
        let a = super::new_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, super::new_token());
    }
}
