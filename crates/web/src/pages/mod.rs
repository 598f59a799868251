//! Server-rendered pages: the public showroom site (`site`), the showroom's dashboard
//! (`admin`, at `/admin` on its own host), the platform's dashboard (`root`, on the
//! admin host) and photo files (`media`).

pub mod admin;
pub mod media;
pub mod root;
pub mod site;
