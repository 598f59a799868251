//! A root user's second factor: the TOTP secret (sealed by the caller) and the one-time
//! recovery codes (hashed by the caller). Everything that changes them runs in a
//! [`PlatformTx`], next to the audit entry that records the change.

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use uuid::Uuid;

use super::{PlatformDb, PlatformTx};
use crate::error::{StoreError, StoreResult};
use crate::time::now;

/// A root user's TOTP enrolment as stored.
#[derive(Debug, Clone, FromRow)]
pub struct RootTotp {
    pub user_id: Uuid,
    /// The secret, encrypted by the caller; never logged.
    pub secret_sealed: String,
    pub created_at: DateTime<Utc>,
    /// `None` while the enrolment waits for its first code.
    pub enabled_at: Option<DateTime<Utc>>,
    /// The last accepted time step.
    pub last_step: i64,
}

const CODES_LEFT: &str = "SELECT count(*) FROM platform_recovery_codes WHERE user_id = $1 AND used_at IS NULL";
const SELECT_TOTP: &str =
    "SELECT user_id, secret_sealed, created_at, enabled_at, last_step FROM platform_user_totp WHERE user_id = $1";

impl PlatformDb {
    /// The user's enrolment, pending or enabled.
    pub async fn root_totp(&self, user_id: Uuid) -> StoreResult<Option<RootTotp>> {
        Ok(db_query!(&self.db, fetch_optional, SELECT_TOTP, user_id)?)
    }

    /// How many recovery codes are still unused.
    pub async fn root_recovery_codes_left(&self, user_id: Uuid) -> StoreResult<i64> {
        Ok(db_query!(&self.db, scalar_one, CODES_LEFT, user_id)?)
    }
}

impl PlatformTx {
    pub async fn root_totp(&mut self, user_id: Uuid) -> StoreResult<Option<RootTotp>> {
        Ok(tx_query!(&mut self.tx, fetch_optional, SELECT_TOTP, user_id)?)
    }

    /// Stores a new pending secret, replacing an earlier pending one. `Conflict` when the
    /// factor is already enabled (it must be disabled first).
    pub async fn put_pending_root_totp(&mut self, user_id: Uuid, secret_sealed: &str) -> StoreResult<()> {
        const CLEAR: &str = "DELETE FROM platform_user_totp WHERE user_id = $1 AND enabled_at IS NULL";
        tx_query!(&mut self.tx, execute, CLEAR, user_id)?;
        const SQL: &str = "INSERT INTO platform_user_totp (user_id, secret_sealed, created_at, last_step) \
                           VALUES ($1, $2, $3, 0)";
        tx_query!(&mut self.tx, execute, SQL, user_id, secret_sealed, now()).map_err(StoreError::from_write)?;
        Ok(())
    }

    /// Turns a pending enrolment on, the confirming code's step counted as used. False
    /// when there is no pending enrolment.
    pub async fn enable_root_totp(&mut self, user_id: Uuid, step: i64) -> StoreResult<bool> {
        const SQL: &str = "UPDATE platform_user_totp SET enabled_at = $2, last_step = $3 \
                           WHERE user_id = $1 AND enabled_at IS NULL";
        Ok(tx_query!(&mut self.tx, execute, SQL, user_id, now(), step)? > 0)
    }

    /// Records `step` as used if it is later than the last used one; false for a replay
    /// (or no enabled factor). One statement checks and spends, so two requests racing
    /// with the same code can't both pass.
    pub async fn spend_root_totp_step(&mut self, user_id: Uuid, step: i64) -> StoreResult<bool> {
        const SQL: &str = "UPDATE platform_user_totp SET last_step = $2 \
                           WHERE user_id = $1 AND enabled_at IS NOT NULL AND last_step < $2";
        Ok(tx_query!(&mut self.tx, execute, SQL, user_id, step)? > 0)
    }

    /// Replaces the user's recovery codes with these hashes.
    pub async fn replace_root_recovery_codes(&mut self, user_id: Uuid, hashes: &[String]) -> StoreResult<()> {
        const CLEAR: &str = "DELETE FROM platform_recovery_codes WHERE user_id = $1";
        tx_query!(&mut self.tx, execute, CLEAR, user_id)?;
        let at = now();
        const SQL: &str =
            "INSERT INTO platform_recovery_codes (id, user_id, code_hash, created_at) VALUES ($1, $2, $3, $4)";
        for hash in hashes {
            tx_query!(&mut self.tx, execute, SQL, Uuid::now_v7(), user_id, hash, at).map_err(StoreError::from_write)?;
        }
        Ok(())
    }

    /// Spends the unused recovery code with this hash; false when there is none.
    pub async fn spend_root_recovery_code(&mut self, user_id: Uuid, hash: &str) -> StoreResult<bool> {
        const SQL: &str = "UPDATE platform_recovery_codes SET used_at = $3 \
                           WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL";
        Ok(tx_query!(&mut self.tx, execute, SQL, user_id, hash, now())? > 0)
    }

    pub async fn root_recovery_codes_left(&mut self, user_id: Uuid) -> StoreResult<i64> {
        Ok(tx_query!(&mut self.tx, scalar_one, CODES_LEFT, user_id)?)
    }

    /// Removes the factor and its recovery codes; false when there was none.
    pub async fn delete_root_totp(&mut self, user_id: Uuid) -> StoreResult<bool> {
        const CODES: &str = "DELETE FROM platform_recovery_codes WHERE user_id = $1";
        tx_query!(&mut self.tx, execute, CODES, user_id)?;
        const SQL: &str = "DELETE FROM platform_user_totp WHERE user_id = $1";
        Ok(tx_query!(&mut self.tx, execute, SQL, user_id)? > 0)
    }

    /// Sets a root user's password hash; `NotFound` for an unknown id.
    pub async fn set_root_password_hash(&mut self, user_id: Uuid, hash: &str) -> StoreResult<()> {
        const SQL: &str = "UPDATE platform_users SET password_hash = $2, updated_at = $3 WHERE id = $1";
        if tx_query!(&mut self.tx, execute, SQL, user_id, hash, now())? == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Ends every session of a root user; answers how many there were.
    pub async fn delete_root_sessions_of(&mut self, user_id: Uuid) -> StoreResult<u64> {
        const SQL: &str = "DELETE FROM platform_sessions WHERE user_id = $1";
        Ok(tx_query!(&mut self.tx, execute, SQL, user_id)?)
    }
}
