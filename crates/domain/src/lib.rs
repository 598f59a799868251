//! Garasi domain types and rules.
//!
//! Everything here is pure: validated newtypes (phone numbers, money, slugs,
//! emails, host names), password policy, roles and tenant identity. Parsing
//! functions never panic and report problems with Indonesian messages that can
//! be shown to showroom users as-is.

mod newtype;

pub mod car;
pub mod clock;
pub mod credit;
pub mod email;
pub mod host;
pub mod insights;
pub mod money;
pub mod password;
pub mod phone;
pub mod roles;
pub mod routing;
pub mod slug;
pub mod tenant;
pub mod tenant_settings;
pub mod time;
pub mod validation;
pub mod visit;

pub use email::{Email, EmailError};
pub use host::{DomainName, DomainNameError, HostError, normalize_host, tenant_subdomain};
pub use money::{MoneyError, Rupiah};
pub use password::{PasswordError, check_password_policy};
pub use phone::{PhoneError, PhoneNumber, mask_e164};
pub use roles::{ParseRoleError, Role};
pub use slug::{Slug, SlugError};
pub use tenant::{ParseTenantStatusError, TenantId, TenantStatus};
pub use tenant_settings::TenantSettings;
pub use validation::{FieldErrors, check};
