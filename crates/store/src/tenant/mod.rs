//! The tenant-scoped door to tenant tables.
//!
//! A [`TenantTx`] exists only after its transaction has set `app.tenant_id` (PostgreSQL
//! RLS), and every repository it hands out binds its `tenant_id` into each query.

mod appointments;
mod bot_memory;
mod car_prices;
mod cars;
mod conversations;
mod feed_tokens;
mod followups;
mod insights;
mod lead_intake;
mod leads;
mod llm_usage;
mod messages;
mod password_resets;
mod routing;
mod sales;
mod sessions;
mod settings;
mod user_sales_links;
mod user_tokens;
mod users;

pub use appointments::{Appointment, Appointments, NewAppointment, SentMessages};
pub use bot_memory::BotMemory;
pub use car_prices::{CarPrices, NewPriceChange};
pub use cars::{Cars, NewPhoto, StockCounts};
pub use conversations::{Contact, ContactRole, Conversation, ConversationFilter, Conversations};
pub use feed_tokens::FeedTokens;
pub use followups::{Followups, NewOffer, Subscription};
pub use insights::{CountRow, Insights, LeadFunnelRow};
pub use lead_intake::{LeadIntake, Revealed};
pub use leads::{
    Lead, LeadEvent, LeadFilter, LeadStatus, Leads, NewLead, ParseLeadStatusError, PaymentMethod, StatusChange,
    jakarta, jakarta_day_start,
};
pub use llm_usage::{LlmUsage, UsageDay};
pub use messages::{Author, Direction, HandledBy, Message, Messages, NewMessage};
pub use password_resets::PasswordResets;
pub use routing::{LeadRouting, ResponseClock, ResponseRow};
pub use sales::{NewSalesPerson, Sales, SalesPerson};
pub(crate) use sessions::select_sessions;
pub use sessions::{Session, SessionInfo, Sessions};
pub use settings::Settings;
pub use user_sales_links::UserSalesLinks;
pub use user_tokens::{TokenPurpose, UserToken, UserTokens};
pub use users::{NewUser, User, Users};

use garasi_domain::TenantId;

use crate::db::{Db, Tx};
use crate::error::StoreResult;

/// A handle bound to one tenant. Cheap to clone; holds the pool, not a connection.
#[derive(Clone, Debug)]
pub struct TenantDb {
    db: Db,
    tenant: TenantId,
}

impl TenantDb {
    pub(crate) fn new(db: Db, tenant: TenantId) -> TenantDb {
        TenantDb { db, tenant }
    }

    pub fn tenant_id(&self) -> TenantId {
        self.tenant
    }

    /// Opens a read transaction scoped to this tenant. On SQLite it must not write
    /// after reading (see [`TenantDb::begin_write`]); on PostgreSQL both are the same.
    pub async fn begin(&self) -> StoreResult<TenantTx> {
        TenantTx::scope(self.db.begin().await?, self.tenant).await
    }

    /// Opens a transaction scoped to this tenant that may write. On SQLite writers
    /// queue for the lock here instead of failing half-way through.
    pub async fn begin_write(&self) -> StoreResult<TenantTx> {
        TenantTx::scope(self.db.begin_write().await?, self.tenant).await
    }
}

/// The repository accessors of [`TenantTx`]: `name: Repo` becomes
/// `pub fn name(&mut self) -> Repo<'_>`, a repository that borrows the transaction and
/// binds its tenant into every query.
macro_rules! repositories {
    ($($(#[$attr:meta])* $name:ident: $($repo:ident)::+,)*) => {
        impl TenantTx {
            $(
                $(#[$attr])*
                pub fn $name(&mut self) -> $($repo)::+<'_> {
                    $($repo)::+::new(&mut self.tx, self.tenant)
                }
            )*
        }
    };
}

repositories! {
    cars: Cars,
    users: Users,
    sessions: Sessions,
    /// One-time invitation and password-reset links.
    user_tokens: UserTokens,
    /// Which salesperson entry a staff user is ("prospek saya").
    user_sales_links: UserSalesLinks,
    settings: Settings,
    sales: Sales,
    leads: Leads,
    conversations: Conversations,
    messages: Messages,
    lead_intake: LeadIntake,
    bot_memory: BotMemory,
    llm_usage: LlmUsage,
    /// The tenant's side of the job queue (the WhatsApp outbox).
    outbox: crate::jobs::Outbox,
    /// The tenant's WhatsApp channel settings and contact ids.
    whatsapp: crate::whatsapp::WhatsappChannels,
    /// A password reset's delivery number and its new password.
    password_resets: PasswordResets,
    /// Visits and test drives.
    appointments: Appointments,
    /// Ids of the WhatsApp messages Garasi sent (a person's reply is one it did not).
    sent_messages: SentMessages,
    /// Every price each car was given.
    car_prices: CarPrices,
    /// The secret of the showroom's marketplace feed URLs.
    feed_tokens: FeedTokens,
    /// The round robin's cursor and the leads' response clocks.
    routing: LeadRouting,
    /// Price-drop and similar-car follow-ups the customers agreed to.
    followups: Followups,
    /// The WhatsApp Web device store (whatsapp-rust's keys, sealed by the caller).
    wa_keys: crate::wa_keys::WaKeys,
    /// Cached answers to "is this number on WhatsApp?".
    contact_checks: crate::wa_keys::ContactChecks,
    /// Insight counters and the weekly summaries sent.
    insights: Insights,
}

/// A transaction in which one tenant's rows are visible.
pub struct TenantTx {
    tx: Tx,
    tenant: TenantId,
}

impl TenantTx {
    /// Sets the tenant for row-level security inside `tx`. `set_config(…, true)` is
    /// transaction-local, so the setting dies at commit and cannot leak through the pool.
    pub(crate) async fn scope(mut tx: Tx, tenant: TenantId) -> StoreResult<TenantTx> {
        TenantTx::set_scope(&mut tx, tenant).await?;
        Ok(TenantTx { tx, tenant })
    }

    /// Makes `tenant`'s rows visible in `tx` (PostgreSQL RLS; a no-op on SQLite).
    pub(crate) async fn set_scope(tx: &mut Tx, tenant: TenantId) -> StoreResult<()> {
        if let Tx::Postgres(t) = tx {
            sqlx::query("SELECT set_config('app.tenant_id', $1, true)")
                .bind(tenant.0.to_string())
                .execute(&mut **t)
                .await?;
        }
        Ok(())
    }

    pub fn tenant_id(&self) -> TenantId {
        self.tenant
    }

    /// Records an audit entry in this transaction: it commits or rolls back with the
    /// change it describes. The entry's tenant is always this transaction's tenant.
    pub async fn audit(&mut self, entry: &crate::platform::AuditEntry) -> StoreResult<()> {
        let mut entry = entry.clone();
        entry.tenant_id = Some(self.tenant);
        crate::platform::audit::insert_in(&mut self.tx, &entry).await
    }

    /// Renames this transaction's own tenant (the `tenants` row), so a settings change
    /// and the new name commit together. Other tenant fields belong to the root admin.
    pub async fn rename_tenant(&mut self, name: &str) -> StoreResult<crate::platform::Tenant> {
        use crate::platform::tenants;
        let current = tenants::tenant_in(&mut self.tx, self.tenant).await?.ok_or(crate::StoreError::NotFound)?;
        if current.name == name {
            return Ok(current);
        }
        let patch = crate::platform::TenantPatch { name: Some(name.to_owned()), ..Default::default() };
        tenants::update_in(&mut self.tx, self.tenant, &patch).await
    }

    pub async fn commit(self) -> StoreResult<()> {
        self.tx.commit().await
    }
}
