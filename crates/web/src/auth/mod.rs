//! Logins for showroom users (on their showroom's host) and root users (on the
//! admin host). One random secret per login serves as the session cookie and as a
//! bearer token; it is valid only on the host it was issued for.

pub mod extract;
pub(crate) mod handlers;
pub mod lifecycle;
pub mod password;
pub(crate) mod throttle;
mod token;

pub use extract::{RootAuth, TenantAuth};
pub use handlers::{SignInStep, clear_cookie, routes, second_factor, sign_in, sign_out};
