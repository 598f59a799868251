//! Tenant identity and lifecycle.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use uuid::Uuid;

/// Identifies one showroom. A distinct type so a tenant id cannot be passed
/// where a user or car id is expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TenantId(pub Uuid);

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl From<Uuid> for TenantId {
    fn from(id: Uuid) -> TenantId {
        TenantId(id)
    }
}

impl FromStr for TenantId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<TenantId, uuid::Error> {
        Uuid::parse_str(s).map(TenantId)
    }
}

/// Lifecycle of a showroom. Stored as its `as_str()` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TenantStatus {
    Active,
    /// Temporarily blocked (e.g. unpaid); data kept, site not served.
    Suspended,
    /// Soft-deleted, awaiting purge; never served.
    Deleted,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("Status tenant tidak dikenal: {0}")]
pub struct ParseTenantStatusError(pub String);

impl TenantStatus {
    pub const ALL: [TenantStatus; 3] = [TenantStatus::Active, TenantStatus::Suspended, TenantStatus::Deleted];

    pub fn as_str(self) -> &'static str {
        match self {
            TenantStatus::Active => "active",
            TenantStatus::Suspended => "suspended",
            TenantStatus::Deleted => "deleted",
        }
    }

    /// Whether the showroom's site and dashboard may be served.
    pub fn is_served(self) -> bool {
        self == TenantStatus::Active
    }
}

impl fmt::Display for TenantStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Exact match on the stored spelling, like `Role`.
impl FromStr for TenantStatus {
    type Err = ParseTenantStatusError;
    fn from_str(s: &str) -> Result<TenantStatus, ParseTenantStatusError> {
        TenantStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| ParseTenantStatusError(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0190a5b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b";

    #[test]
    fn tenant_id_display_parse_serde() {
        let id: TenantId = ID.parse().unwrap();
        assert_eq!(id.to_string(), ID);
        assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{ID}\""));
        let back: TenantId = serde_json::from_str(&format!("\"{ID}\"")).unwrap();
        assert_eq!(back, id);
        assert!("bukan-uuid".parse::<TenantId>().is_err());
        assert_eq!(TenantId::from(id.0), id);
    }

    #[test]
    fn status_round_trip() {
        for status in TenantStatus::ALL {
            assert_eq!(status.as_str().parse::<TenantStatus>(), Ok(status));
            assert_eq!(status.to_string(), status.as_str());
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
            assert_eq!(serde_json::from_str::<TenantStatus>(&json).unwrap(), status);
        }
        assert!("Active".parse::<TenantStatus>().is_err());
        assert!("paused".parse::<TenantStatus>().is_err());
    }

    #[test]
    fn only_active_is_served() {
        assert!(TenantStatus::Active.is_served());
        assert!(!TenantStatus::Suspended.is_served());
        assert!(!TenantStatus::Deleted.is_served());
    }
}
