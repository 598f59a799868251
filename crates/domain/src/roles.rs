//! Roles of showroom users within their tenant.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// What a user may do inside one tenant. Stored as its `as_str()` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Created the showroom; manages billing, domains and users.
    Owner,
    /// Manages users and all listings.
    Admin,
    /// Manages listings and leads.
    Staff,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("Peran pengguna tidak dikenal: {0}")]
pub struct ParseRoleError(pub String);

impl Role {
    pub const ALL: [Role; 3] = [Role::Owner, Role::Admin, Role::Staff];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Staff => "staff",
        }
    }

    /// Indonesian name for display in the dashboard.
    pub fn label(self) -> &'static str {
        match self {
            Role::Owner => "Pemilik",
            Role::Admin => "Admin",
            Role::Staff => "Staf",
        }
    }

    /// Owners and admins can manage users and showroom settings.
    pub fn is_admin(self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Exact match on the stored spelling, so a corrupt database value is noticed
/// instead of being silently accepted.
impl FromStr for Role {
    type Err = ParseRoleError;
    fn from_str(s: &str) -> Result<Role, ParseRoleError> {
        Role::ALL.into_iter().find(|role| role.as_str() == s).ok_or_else(|| ParseRoleError(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_str() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
            assert_eq!(role.to_string(), role.as_str());
        }
        assert_eq!(Role::Owner.as_str(), "owner");
        assert_eq!(Role::Admin.as_str(), "admin");
        assert_eq!(Role::Staff.as_str(), "staff");
    }

    #[test]
    fn rejects_unknown() {
        assert!("root".parse::<Role>().is_err());
        assert!("Owner".parse::<Role>().is_err());
        assert!("".parse::<Role>().is_err());
        assert_eq!("boss".parse::<Role>().unwrap_err().to_string(), "Peran pengguna tidak dikenal: boss");
    }

    #[test]
    fn is_admin() {
        assert!(Role::Owner.is_admin());
        assert!(Role::Admin.is_admin());
        assert!(!Role::Staff.is_admin());
    }

    #[test]
    fn serde_lowercase() {
        assert_eq!(serde_json::to_string(&Role::Staff).unwrap(), "\"staff\"");
        assert_eq!(serde_json::from_str::<Role>("\"owner\"").unwrap(), Role::Owner);
        assert!(serde_json::from_str::<Role>("\"Owner\"").is_err());
    }
}
