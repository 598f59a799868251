//! The service floor: every use case that changes something, written once.
//!
//! A use case is a function that takes an [`Actor`] and a tenant-scoped handle. In
//! this order it validates with the domain rules, writes, writes its audit entry **in
//! the same transaction** (`TenantTx::audit`) and, after the commit, publishes the
//! event other instances need (`Events`). Adapters (web pages and API, the bot, the
//! WhatsApp channels) call these functions and never mutate through a repository
//! themselves.

pub mod actor;
pub mod error;
pub mod events;
pub mod kv;

pub mod account;
pub mod appointments;
pub mod bot_messages;
pub mod cars;
pub mod conversations;
pub mod domains;
mod due_jobs;
pub mod feeds;
pub mod followups;
pub mod inbound;
pub mod insights;
pub mod leads;
pub mod limits;
pub mod mail;
pub mod password_reset;
pub mod photos;
pub mod root_2fa;
pub mod routing;
pub mod sales;
pub mod settings;
pub mod tenants;
pub mod totp;
pub mod urls;
pub mod users;
pub mod whatsapp;

pub use actor::Actor;
pub use error::{ServiceError, ServiceResult};
pub use events::{Event, Events};
pub use urls::{PublicUrls, Scheme};

use std::sync::Arc;

use garasi_media::BlobStore;
use garasi_store::Db;

/// What the use cases need from the outside world. Built once by the composition
/// root (`garasi-app`) and shared by every adapter; cheap to clone.
#[derive(Clone)]
pub struct Services {
    pub db: Db,
    pub events: Events,
    /// Where photo files live (local disk or object storage).
    pub media: Arc<dyn BlobStore>,
    /// The platform's ceiling on a showroom's daily LLM tokens (`GARASI_LLM_TOKEN_CEILING`),
    /// unless root set another for that showroom.
    pub llm_token_ceiling: i64,
    /// "Now" for appointments, their reminders and hand-off pauses: the system clock in
    /// production, a manual one in tests.
    pub clock: garasi_domain::clock::Clock,
    /// Insight counts buffered in memory until the next `insights::flush`.
    pub insights: insights::Counter,
}

impl Services {
    pub fn new(db: Db, events: Events, media: Arc<dyn BlobStore>) -> Services {
        Services {
            db,
            events,
            media,
            llm_token_ceiling: garasi_domain::tenant_settings::DEFAULT_LLM_TOKEN_CEILING,
            clock: garasi_domain::clock::Clock::System,
            insights: insights::Counter::default(),
        }
    }

    /// The same services under another platform LLM token ceiling.
    pub fn with_llm_token_ceiling(mut self, ceiling: i64) -> Services {
        self.llm_token_ceiling = ceiling;
        self
    }

    /// The same services reading time from `clock`.
    pub fn with_clock(mut self, clock: garasi_domain::clock::Clock) -> Services {
        self.clock = clock;
        self
    }

    /// Tells every instance that a tenant's stock changed (page caches, feeds).
    pub async fn inventory_changed(&self, tenant: garasi_domain::TenantId) {
        self.events.publish(Event::InventoryChanged { tenant_id: tenant.0 }).await;
    }

    /// Tells every instance that a tenant's name, status or domains changed (host caches).
    pub async fn tenant_changed(&self, tenant: garasi_domain::TenantId) {
        self.events.publish(Event::TenantChanged { tenant_id: tenant.0 }).await;
    }
}
