use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use garasi_bot::Engine;
use garasi_channels::Channels;
use garasi_media::{BlobStore, Staging};
use garasi_store::{Db, platform::Tenant};
use ipnet::IpNet;

use crate::events::Events;
use crate::host::HostCache;
use crate::kv::Kv;
use crate::templates::Templates;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }

    fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }
}

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
}

impl WebConfig {
    /// The platform's own host names, which no showroom may take as its domain.
    pub fn platform_hosts(&self) -> garasi_service::tenants::PlatformHosts {
        garasi_service::tenants::PlatformHosts {
            admin_host: self.admin_host.clone(),
            tenant_domain: self.tenant_domain.clone(),
        }
    }

    /// `scheme://host[:port]` for a host name, leaving the port out when it is the default.
    pub fn origin_for(&self, host: &str) -> String {
        match self.public_port {
            Some(port) if port != self.public_scheme.default_port() => {
                format!("{}://{}:{}", self.public_scheme.as_str(), host, port)
            }
            _ => format!("{}://{}", self.public_scheme.as_str(), host),
        }
    }

    /// The host a tenant is published at: its verified custom domain, else its subdomain.
    pub fn tenant_primary_host(&self, tenant: &Tenant) -> String {
        tenant.primary_domain.clone().unwrap_or_else(|| format!("{}.{}", tenant.slug, self.tenant_domain))
    }

    /// The tenant's public base URL, built from stored data and never from the request.
    pub fn tenant_url(&self, tenant: &Tenant) -> String {
        self.origin_for(&self.tenant_primary_host(tenant))
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
    pub services: garasi_service::Services,
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
    pub(crate) templates: Templates,
    shutting_down: Arc<AtomicBool>,
}

impl AppState {
    pub fn new(
        db: Db,
        config: WebConfig,
        kv: Arc<dyn Kv>,
        events: Events,
        media: Arc<dyn BlobStore>,
        staging: Staging,
    ) -> AppState {
        let hosts = HostCache::new(Duration::from_secs(30));
        hosts.listen(&events);
        AppState {
            services: garasi_service::Services::new(db.clone(), events.clone(), media.clone()),
            db,
            config: Arc::new(config),
            kv,
            events,
            media,
            staging,
            bot: None,
            whatsapp: None,
            hosts,
            templates: Templates::new(),
            shutting_down: Arc::default(),
        }
    }

    /// Adds the bot engine: the simulator answers, and WhatsApp messages (when the
    /// channels are added too, in either order) reach it.
    pub fn with_bot(mut self, engine: Arc<Engine>) -> AppState {
        self.bot = Some(engine);
        self.wire_channels();
        self
    }

    /// Adds the WhatsApp channels: inbound messages go to the bot engine (if any, else
    /// they are only filed), and `/foto` changes invalidate every instance's pages.
    /// The caller starts their workers (`Channels::start_workers`).
    pub fn with_whatsapp(mut self, channels: Channels) -> AppState {
        self.whatsapp = Some(channels);
        self.wire_channels();
        self
    }

    fn wire_channels(&self) {
        let Some(channels) = &self.whatsapp else { return };
        if let Some(engine) = &self.bot {
            channels.set_sink(Arc::new(crate::api::whatsapp::EngineSink {
                engine: engine.clone(),
                db: self.db.clone(),
                config: self.config.clone(),
                events: self.events.clone(),
            }));
        }
        let events = self.events.clone();
        channels.set_inventory_hook(Arc::new(move |tenant: garasi_domain::TenantId| {
            let events = events.clone();
            Box::pin(async move {
                events.publish(crate::events::Event::InventoryChanged { tenant_id: tenant.0 }).await;
            })
        }));
    }

    /// Tells every instance that a tenant's stock changed.
    pub async fn inventory_changed(&self, tenant: garasi_domain::TenantId) {
        self.events.publish(crate::events::Event::InventoryChanged { tenant_id: tenant.0 }).await;
    }

    /// Readiness answers 503 from now on, so load balancers drain this instance.
    pub fn begin_shutdown(&self) {
        self.shutting_down.store(true, Ordering::SeqCst);
    }

    pub fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::SeqCst)
    }
}
