//! One-time links for a showroom user: an invitation that sets the first password, or a
//! password reset. Only a hash of the secret is stored; a token is spent by the same
//! statement that checks it, so two clicks on one link can't both succeed.

use chrono::{DateTime, Utc};
use garasi_domain::TenantId;
use sqlx::FromRow;
use uuid::Uuid;

use crate::db::Tx;
use crate::error::{StoreError, StoreResult};
use crate::time::now;

/// What a one-time link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    /// Sets the password of a new user; valid 72 h.
    Invite,
    /// Replaces a forgotten password; valid 30 minutes.
    Reset,
}

impl TokenPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::Invite => "invite",
            TokenPurpose::Reset => "reset",
        }
    }
}

/// A one-time link as stored (without its secret).
#[derive(Debug, Clone, FromRow)]
pub struct UserToken {
    pub id: Uuid,
    pub user_id: Uuid,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

pub struct UserTokens<'a> {
    tx: &'a mut Tx,
    tenant: TenantId,
}

impl<'a> UserTokens<'a> {
    pub(crate) fn new(tx: &'a mut Tx, tenant: TenantId) -> Self {
        UserTokens { tx, tenant }
    }

    /// Stores a new link for `user_id`. Earlier unused links of the same purpose for this
    /// user are spent first, so only the newest one works.
    pub async fn create(
        &mut self,
        user_id: Uuid,
        purpose: TokenPurpose,
        token_hash: &str,
        created_by: Option<Uuid>,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<UserToken> {
        let at = now();
        self.revoke(user_id, purpose).await?;
        let id = Uuid::now_v7();
        const SQL: &str = "INSERT INTO user_tokens (tenant_id, id, user_id, purpose, token_hash, created_by, \
                           created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        tx_query!(
            self.tx,
            execute,
            SQL,
            self.tenant.0,
            id,
            user_id,
            purpose.as_str(),
            token_hash,
            created_by,
            at,
            expires_at
        )
        .map_err(StoreError::from_write)?;
        Ok(UserToken { id, user_id, created_by, created_at: at, expires_at, used_at: None })
    }

    /// Spends the unexpired, unused link with this hash and purpose, returning it; `None`
    /// when there is no such link (unknown, expired, already used, other purpose).
    pub async fn consume(
        &mut self,
        token_hash: &str,
        purpose: TokenPurpose,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<UserToken>> {
        const SQL: &str = "UPDATE user_tokens SET used_at = $4 WHERE tenant_id = $1 AND token_hash = $2 \
                           AND purpose = $3 AND used_at IS NULL AND expires_at > $4 \
                           RETURNING id, user_id, created_by, created_at, expires_at, used_at";
        Ok(tx_query!(self.tx, fetch_optional, SQL, self.tenant.0, token_hash, purpose.as_str(), at)?)
    }

    /// The unexpired, unused link with this hash and purpose, without spending it (to
    /// show the form that will spend it).
    pub async fn find_valid(
        &mut self,
        token_hash: &str,
        purpose: TokenPurpose,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<UserToken>> {
        const SQL: &str = "SELECT id, user_id, created_by, created_at, expires_at, used_at FROM user_tokens \
                           WHERE tenant_id = $1 AND token_hash = $2 AND purpose = $3 AND used_at IS NULL \
                           AND expires_at > $4";
        Ok(tx_query!(self.tx, fetch_optional, SQL, self.tenant.0, token_hash, purpose.as_str(), at)?)
    }

    /// Spends every unused link of `purpose` for a user (a newer link, a disabled user).
    pub async fn revoke(&mut self, user_id: Uuid, purpose: TokenPurpose) -> StoreResult<u64> {
        const SQL: &str = "UPDATE user_tokens SET used_at = $4 WHERE tenant_id = $1 AND user_id = $2 \
                           AND purpose = $3 AND used_at IS NULL";
        Ok(tx_query!(self.tx, execute, SQL, self.tenant.0, user_id, purpose.as_str(), now())?)
    }

    /// The newest unused, unexpired invitation of a user, to show "undangan menunggu".
    pub async fn pending_invite(&mut self, user_id: Uuid, at: DateTime<Utc>) -> StoreResult<Option<UserToken>> {
        const SQL: &str = "SELECT id, user_id, created_by, created_at, expires_at, used_at FROM user_tokens \
                           WHERE tenant_id = $1 AND user_id = $2 AND purpose = 'invite' AND used_at IS NULL \
                           AND expires_at > $3 ORDER BY created_at DESC LIMIT 1";
        Ok(tx_query!(self.tx, fetch_optional, SQL, self.tenant.0, user_id, at)?)
    }
}
