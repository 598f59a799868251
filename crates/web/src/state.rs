use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use garasi_bot::Engine;
use garasi_channels::Channels;
use garasi_media::{BlobStore, Staging};
use garasi_service::{PublicUrls, Services};
use garasi_store::{Db, platform::Tenant};
use ipnet::IpNet;

use crate::events::Events;
use crate::host::HostCache;
use crate::kv::Kv;
use crate::page_cache::PageCache;
use crate::templates::Templates;

pub use garasi_service::urls::Scheme;

/// What the web layer needs from the configuration.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Normalised host of the platform (root admin) site.
    pub admin_host: String,
    /// Showrooms are served at `<slug>.<tenant_domain>`.
    pub tenant_domain: String,
    /// Scheme and port of public absolute URLs (links, canonical, sitemap, messages).
    pub public_scheme: Scheme,
    pub public_port: Option<u16>,
    /// Peers whose `X-Forwarded-Host`/`Forwarded`/`X-Forwarded-For` we believe.
    pub trusted_proxies: Vec<IpNet>,
    pub session_ttl: Duration,
    /// Failed logins allowed per e-mail (and 4× per client address) in one window.
    pub login_max_failures: i64,
    pub login_window: Duration,
    /// How showrooms' own domains are checked in DNS (`GARASI_DNS_RESOLVER`, `GARASI_PUBLIC_IPS`).
    pub domains: garasi_service::domains::DomainConfig,
    /// Per-address request limits by class (`GARASI_RATE_LIMIT_*`).
    pub rate_limits: crate::rate_limit::RateLimits,
    /// Memory the public page cache may hold, in bytes (`GARASI_PAGE_CACHE_MAX_BYTES`).
    pub page_cache_max_bytes: usize,
}

impl WebConfig {
    /// The platform's own host names, which no showroom may take as its domain.
    pub fn platform_hosts(&self) -> garasi_service::tenants::PlatformHosts {
        garasi_service::tenants::PlatformHosts {
            admin_host: self.admin_host.clone(),
            tenant_domain: self.tenant_domain.clone(),
        }
    }

    /// The public URL rules (`garasi_service::PublicUrls`), shared with the bot and channels.
    pub fn public_urls(&self) -> PublicUrls {
        PublicUrls { tenant_domain: self.tenant_domain.clone(), scheme: self.public_scheme, port: self.public_port }
    }

    /// `scheme://host[:port]` for a host name, leaving the port out when it is the default.
    pub fn origin_for(&self, host: &str) -> String {
        self.public_urls().origin_for(host)
    }

    /// The host a tenant is published at: its verified custom domain, else its subdomain.
    pub fn tenant_primary_host(&self, tenant: &Tenant) -> String {
        self.public_urls().tenant_primary_host(tenant)
    }

    /// The tenant's public base URL, built from stored data and never from the request.
    pub fn tenant_url(&self, tenant: &Tenant) -> String {
        self.public_urls().tenant_url(tenant)
    }

    pub fn admin_url(&self) -> String {
        self.origin_for(&self.admin_host)
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_scheme == Scheme::Https
    }
}

/// Shared by every handler; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// The use cases (garasi-service): every change goes through these.
    pub services: Services,
    pub config: Arc<WebConfig>,
    pub kv: Arc<dyn Kv>,
    pub events: Events,
    /// Where photo files live (local disk or object storage).
    pub media: Arc<dyn BlobStore>,
    /// Where uploads are streamed before they are checked.
    pub staging: Staging,
    /// The bot engine, when this server runs it (the simulator and WhatsApp need it).
    pub bot: Option<Arc<Engine>>,
    /// The WhatsApp channels, when this server runs them.
    pub whatsapp: Option<Channels>,
    pub(crate) hosts: HostCache,
    /// Rendered public pages (read by the fast lane and the site's cache layer).
    pub(crate) page_cache: PageCache,
    /// Built marketplace feeds, dropped when a showroom's stock changes.
    pub(crate) feed_cache: crate::feeds::FeedCache,
    pub(crate) templates: Templates,
    /// Bounds concurrent password checks on the login path.
    pub(crate) login_gate: Arc<crate::auth::password::LoginGate>,
    /// Password reset e-mails, when `GARASI_SMTP_URL` is set ([`AppState::with_accounts`]).
    pub mailer: Option<Arc<dyn garasi_service::mail::Mailer>>,
    /// Encrypts root users' TOTP secrets (the instance's secret key).
    pub sealer: Option<Arc<dyn garasi_service::root_2fa::Sealer>>,
    /// Addresses over a request limit, refused without asking the shared counter.
    pub(crate) rate_limiter: Arc<crate::rate_limit::RateLimiter>,
    shutting_down: Arc<AtomicBool>,
}

impl AppState {
    /// The web layer over what the composition root (`garasi-app`) built: the use
    /// cases (with the database, events and blob store), and the bot engine and
    /// WhatsApp channels when this server runs them.
    pub fn new(
        services: Services,
        config: WebConfig,
        kv: Arc<dyn Kv>,
        staging: Staging,
        bot: Option<Arc<Engine>>,
        whatsapp: Option<Channels>,
    ) -> AppState {
        let hosts = HostCache::new(Duration::from_secs(30));
        hosts.listen(&services.events);
        let page_cache = PageCache::listening(&services.events, config.page_cache_max_bytes, config.secure_cookies());
        let services_events = services.events.clone();
        AppState {
            db: services.db.clone(),
            events: services.events.clone(),
            media: services.media.clone(),
            services,
            config: Arc::new(config),
            kv,
            staging,
            bot,
            whatsapp,
            hosts,
            page_cache,
            feed_cache: crate::feeds::FeedCache::listening(&services_events),
            templates: Templates::new(),
            login_gate: Arc::new(crate::auth::password::LoginGate::per_core()),
            mailer: None,
            sealer: None,
            rate_limiter: Arc::default(),
            shutting_down: Arc::default(),
        }
    }

    /// What the account use cases need from outside: the mailer (none without SMTP) and
    /// the secret key for root users' second factor.
    pub fn with_accounts(
        mut self,
        mailer: Option<Arc<dyn garasi_service::mail::Mailer>>,
        sealer: Arc<dyn garasi_service::root_2fa::Sealer>,
    ) -> AppState {
        self.mailer = mailer;
        self.sealer = Some(sealer);
        self
    }

    /// The secret key for root TOTP secrets; an internal error when it was not wired.
    pub fn sealer(&self) -> Result<&dyn garasi_service::root_2fa::Sealer, crate::error::AppError> {
        self.sealer.as_deref().ok_or_else(|| {
            crate::error::AppError::Internal(anyhow::anyhow!("no secret key was given to the web layer"))
        })
    }

    /// Readiness answers 503 from now on, so load balancers drain this instance.
    pub fn begin_shutdown(&self) {
        self.shutting_down.store(true, Ordering::SeqCst);
    }

    pub fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::SeqCst)
    }
}
