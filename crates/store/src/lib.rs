//! Storage for Garasi: one [`Db`] enum over SQLite and PostgreSQL, one set of SQL.
//!
//! Tenant data is reachable only through [`TenantDb`] (from [`Db::tenant`]), whose
//! transactions set `app.tenant_id` for PostgreSQL row-level security and whose
//! repositories filter every query by `tenant_id` (the only wall on SQLite).
//! Platform tables (tenants, domains, root users, jobs, audit log) go through
//! [`PlatformDb`].

#[macro_use]
mod db;
mod args;
pub mod backup;
mod error;
pub mod instances;
pub mod jobs;
mod migrate;
pub mod platform;
mod stats;
pub mod tenant;
mod time;
mod token;
pub mod wa_keys;
pub mod whatsapp;

pub use db::{Backend, Db, DbOptions, SqliteDb, Tx, redact_url};
pub use error::{StoreError, StoreResult};
pub use migrate::{GrantError, MigrationStatus, RoleCheck};
pub use platform::PlatformDb;
pub use stats::{PoolStats, QueueCount, QueueStats};
pub use tenant::{TenantDb, TenantTx};
pub use time::now;
pub use token::hash_token;
