//! A showroom's marketplace feeds (Meta, Google, JSON) sit at URLs with a secret token
//! (`/feed/{token}/…`). Owners and admins make or rotate it; rotating stops the old URLs
//! at once, so a partner or a leaked URL can be cut off.

use garasi_store::TenantDb;
use rand::RngCore;
use serde_json::json;

use crate::{Actor, ServiceError, ServiceResult, Services};

/// A new random token: 192 bits, hex, safe in a URL path.
fn new_token() -> String {
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Makes the showroom's feed token, or replaces it. Returns the new token. The token is
/// stored as it is (not hashed): it only guards data the public site already shows, and
/// the owner must be able to copy the URLs again from Settings.
pub async fn rotate_token(services: &Services, actor: &Actor, tenant: &TenantDb) -> ServiceResult<String> {
    if !actor.can_manage() {
        return Err(ServiceError::forbidden("Hanya pemilik atau admin showroom yang boleh melakukan ini."));
    }
    let token = new_token();
    let mut tx = tenant.begin_write().await?;
    let replaced = tx.feed_tokens().replace(&token, services.clock.now()).await?;
    let action = if replaced { "feed.token_rotate" } else { "feed.token_create" };
    tx.audit(&actor.audit(action, None, json!({ "replaced": replaced }))).await?;
    tx.commit().await?;
    Ok(token)
}

/// Whether `given` is the showroom's current feed token (compared in constant time).
pub async fn token_matches(tenant: &TenantDb, given: &str) -> ServiceResult<bool> {
    let mut tx = tenant.begin().await?;
    let current = tx.feed_tokens().current().await?;
    tx.commit().await?;
    Ok(current.is_some_and(|(token, _)| constant_time_eq(token.as_bytes(), given.as_bytes())))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_url_safe() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 48);
        assert_ne!(a, b);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert!(constant_time_eq(a.as_bytes(), a.as_bytes()));
        assert!(!constant_time_eq(a.as_bytes(), b.as_bytes()));
        assert!(!constant_time_eq(a.as_bytes(), &a.as_bytes()[1..]));
    }
}
