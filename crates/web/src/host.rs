//! Which site a request is for, from its own authority: the platform admin host, one
//! showroom (by `<slug>.<tenant domain>` or a verified custom domain), or nothing.
//! Forwarded headers count only when the TCP peer is a trusted proxy.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use garasi_domain::{Slug, TenantId, TenantStatus, normalize_host, tenant_subdomain};
use garasi_store::platform::Tenant;
use http::request::Parts;
use http::{HeaderMap, header};

use crate::error::AppError;
use crate::events::{Event, Events};
use crate::state::{AppState, WebConfig};

/// The site a request was resolved to, stored in the request extensions.
#[derive(Clone, Debug)]
pub enum Site {
    Admin,
    Tenant(Arc<Tenant>),
}

/// A showroom host that resolved to a tenant that is not served.
#[derive(Debug)]
pub enum Resolved {
    Site(Site),
    Unknown,
    Gone,
}

/// A cached tenant and when it was looked up.
type CacheEntry = (Arc<Tenant>, Instant);

/// Tenants by normalised host, with a short TTL as a backstop for missed events; and
/// the negative side, [`KnownHosts`].
#[derive(Clone)]
pub struct HostCache {
    ttl: Duration,
    entries: Arc<RwLock<HashMap<String, CacheEntry>>>,
    known: Arc<KnownHosts>,
}

/// The negative host cache: the set of every slug and verified domain, loaded in one
/// go and kept for [`KNOWN_HOSTS_TTL`] or until any tenant changes. A host outside it is
/// unknown without a database query, so a flood of random hosts (each one new, which a
/// per-host negative cache would not stop) never reaches the database. Its size is set
/// by the number of showrooms, not by what clients send.
///
/// Invalidation bumps a generation; a load that began before the bump is not trusted,
/// so a change that lands while the set is being read is never lost.
struct KnownHosts {
    generation: AtomicU64,
    index: RwLock<Option<HostIndex>>,
    /// One load at a time; the others wait for it instead of querying too.
    loading: tokio::sync::Mutex<()>,
}

struct HostIndex {
    generation: u64,
    loaded: Instant,
    slugs: HashSet<String>,
    domains: HashSet<String>,
}

/// How long the known-host set is trusted without an event (a backstop for missed ones).
pub const KNOWN_HOSTS_TTL: Duration = Duration::from_secs(60);

impl KnownHosts {
    fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// `Some(whether the host may exist)` from a current index, `None` when it must be loaded.
    fn check(&self, slug: Option<&str>, host: &str) -> Option<bool> {
        let index = self.index.read().unwrap_or_else(|p| p.into_inner());
        let index = index.as_ref()?;
        if index.generation != self.generation.load(Ordering::SeqCst) || index.loaded.elapsed() >= KNOWN_HOSTS_TTL {
            return None;
        }
        Some(match slug {
            Some(label) => index.slugs.contains(label),
            None => index.domains.contains(host),
        })
    }

    async fn may_exist(&self, state: &AppState, slug: Option<&str>, host: &str) -> Result<bool, AppError> {
        if let Some(known) = self.check(slug, host) {
            return Ok(known);
        }
        let _one_load = self.loading.lock().await;
        if let Some(known) = self.check(slug, host) {
            return Ok(known);
        }
        let generation = self.generation.load(Ordering::SeqCst);
        let (slugs, domains) = state.db.platform().known_hosts().await?;
        metrics::counter!("garasi_host_index_loads_total").increment(1);
        let index = HostIndex {
            generation,
            loaded: Instant::now(),
            slugs: slugs.into_iter().collect(),
            domains: domains.into_iter().collect(),
        };
        let known = match slug {
            Some(label) => index.slugs.contains(label),
            None => index.domains.contains(host),
        };
        *self.index.write().unwrap_or_else(|p| p.into_inner()) = Some(index);
        Ok(known)
    }
}

impl HostCache {
    pub fn new(ttl: Duration) -> HostCache {
        let known = KnownHosts { generation: AtomicU64::new(0), index: RwLock::new(None), loading: Default::default() };
        HostCache { ttl, entries: Arc::default(), known: Arc::new(known) }
    }

    fn get(&self, host: &str) -> Option<Arc<Tenant>> {
        let map = self.entries.read().unwrap_or_else(|p| p.into_inner());
        map.get(host).filter(|(_, at)| at.elapsed() < self.ttl).map(|(t, _)| t.clone())
    }

    /// An active showroom this cache holds, fresh, for a normalised host (the fast lane's
    /// lookup: no database, no known-host set).
    pub(crate) fn cached(&self, host: &str) -> Option<Arc<Tenant>> {
        self.get(host).filter(|t| t.status == TenantStatus::Active)
    }

    fn put(&self, host: String, tenant: Arc<Tenant>) {
        let mut map = self.entries.write().unwrap_or_else(|p| p.into_inner());
        if map.len() > 50_000 {
            map.clear();
        }
        map.insert(host, (tenant, Instant::now()));
    }

    pub fn forget_tenant(&self, id: TenantId) {
        let mut map = self.entries.write().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, (t, _)| t.id != id);
        // Its slug or domains may be new: the known-host set is read again.
        self.known.invalidate();
    }

    /// Forgets tenants as other instances (or this one) report changes.
    pub fn listen(&self, events: &Events) {
        let cache = self.clone();
        let mut rx = events.subscribe();
        tokio::spawn(async move {
            loop {
                match rx.recv().await {
                    Ok(Event::TenantChanged { tenant_id }) => cache.forget_tenant(TenantId(tenant_id)),
                    Ok(Event::InventoryChanged { .. }) => {}
                    // Missed events: forget everything rather than serve stale tenants.
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        cache.entries.write().unwrap_or_else(|p| p.into_inner()).clear();
                        cache.known.invalidate();
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                }
            }
        });
    }
}

/// The TCP peer's address (set by `into_make_service_with_connect_info`).
pub fn peer_ip(parts: &Parts) -> Option<IpAddr> {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())
}

fn is_trusted(config: &WebConfig, peer: Option<IpAddr>) -> bool {
    peer.is_some_and(|ip| config.trusted_proxies.iter().any(|net| net.contains(&ip)))
}

/// The client's address: the peer, or what a trusted proxy says the client was.
pub fn client_ip(config: &WebConfig, parts: &Parts) -> Option<IpAddr> {
    let peer = peer_ip(parts);
    if !is_trusted(config, peer) {
        return peer;
    }
    // Walk X-Forwarded-For from the right, skipping our own proxies.
    let forwarded: Vec<IpAddr> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    forwarded.into_iter().rev().find(|ip| !config.trusted_proxies.iter().any(|net| net.contains(ip))).or(peer)
}

/// Whether the browser reached a trusted TLS proxy over https (`X-Forwarded-Proto`, or
/// `proto=` of `Forwarded`, first hop). Only a trusted peer's word counts: anyone else
/// could claim https to obtain cookies marked for it.
pub(crate) fn forwarded_https(config: &WebConfig, peer: Option<IpAddr>, headers: &HeaderMap) -> bool {
    if !is_trusted(config, peer) {
        return false;
    }
    if let Some(v) = headers.get("forwarded").and_then(|v| v.to_str().ok()) {
        let first_hop = v.split(',').next().unwrap_or("");
        let proto = first_hop
            .split(';')
            .filter_map(|p| p.trim().split_once('='))
            .find_map(|(k, v)| k.trim().eq_ignore_ascii_case("proto").then(|| v.trim().trim_matches('"').to_owned()));
        if let Some(proto) = proto {
            return proto.eq_ignore_ascii_case("https");
        }
    }
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
}

/// The raw authority the client asked for.
pub(crate) fn raw_authority(config: &WebConfig, parts: &Parts) -> Result<String, AppError> {
    if is_trusted(config, peer_ip(parts))
        && let Some(host) = forwarded_host(&parts.headers)
    {
        return Ok(host);
    }
    // Absolute-form request targets carry the authority and win over Host (RFC 9112 §3.2.2).
    if let Some(authority) = parts.uri.authority() {
        return Ok(authority.as_str().to_owned());
    }
    let mut hosts = parts.headers.get_all(header::HOST).iter();
    let first = hosts.next().ok_or_else(|| AppError::bad_request("Header Host tidak ada."))?;
    if hosts.next().is_some() {
        return Err(AppError::bad_request("Header Host tidak boleh lebih dari satu."));
    }
    first.to_str().map(str::to_owned).map_err(|_| AppError::bad_request("Header Host tidak valid."))
}

/// `Forwarded: host=…` (RFC 7239), else `X-Forwarded-Host`; the first hop's value.
fn forwarded_host(headers: &HeaderMap) -> Option<String> {
    if let Some(v) = headers.get("forwarded").and_then(|v| v.to_str().ok()) {
        let first_hop = v.split(',').next().unwrap_or("");
        for pair in first_hop.split(';') {
            if let Some((k, val)) = pair.trim().split_once('=')
                && k.trim().eq_ignore_ascii_case("host")
            {
                return Some(val.trim().trim_matches('"').to_owned());
            }
        }
    }
    headers
        .get("x-forwarded-host")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|s| s.trim().to_owned())
}

pub async fn resolve(state: &AppState, parts: &Parts) -> Result<Resolved, AppError> {
    let raw = raw_authority(&state.config, parts)?;
    let host = normalize_host(&raw).map_err(|_| AppError::bad_request("Header Host tidak valid."))?;
    resolve_host(state, host).await
}

/// The site for an already normalised host name: the same exact lookup requests get,
/// so TLS is offered (see `internal`) for precisely the hosts that are served.
pub async fn resolve_host(state: &AppState, host: String) -> Result<Resolved, AppError> {
    if host == state.config.admin_host {
        return Ok(Resolved::Site(Site::Admin));
    }
    // Only a fresh lookup is stored: re-putting on every hit would keep renewing
    // the TTL, so a missed invalidation would never expire for a busy host.
    let tenant = match state.hosts.get(&host) {
        Some(t) => t,
        None => {
            let slug = tenant_subdomain(&host, &state.config.tenant_domain);
            if !state.hosts.known.may_exist(state, slug, &host).await? {
                metrics::counter!("garasi_host_lookups_total", "result" => "rejected").increment(1);
                return Ok(Resolved::Unknown);
            }
            let found = lookup(state, &host).await?.map(Arc::new);
            let result = if found.is_some() { "found" } else { "unknown" };
            metrics::counter!("garasi_host_lookups_total", "result" => result).increment(1);
            let Some(t) = found else { return Ok(Resolved::Unknown) };
            state.hosts.put(host, t.clone());
            t
        }
    };
    Ok(match tenant.status {
        TenantStatus::Active => Resolved::Site(Site::Tenant(tenant)),
        TenantStatus::Suspended => Resolved::Unknown,
        TenantStatus::Deleted => Resolved::Gone,
    })
}

async fn lookup(state: &AppState, host: &str) -> Result<Option<Tenant>, AppError> {
    let platform = state.db.platform();
    if let Some(label) = tenant_subdomain(host, &state.config.tenant_domain) {
        // Only well-formed slugs reach the database.
        return match Slug::parse(label) {
            Ok(slug) => Ok(platform.tenant_by_slug(slug.as_str()).await?),
            Err(_) => Ok(None),
        };
    }
    Ok(platform.tenant_by_domain(host).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_header_first_hop() {
        let mut h = HeaderMap::new();
        h.insert("forwarded", "for=1.2.3.4;host=\"shop.example\";proto=https, for=5.6.7.8".parse().unwrap());
        assert_eq!(forwarded_host(&h).as_deref(), Some("shop.example"));
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-host", "a.example, b.example".parse().unwrap());
        assert_eq!(forwarded_host(&h).as_deref(), Some("a.example"));
    }
}
