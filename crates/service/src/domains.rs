//! A showroom's own domain, self-service: the owner adds it, Garasi shows the DNS
//! records to create, "Verifikasi" checks them through a real resolver, and a verified
//! domain becomes the showroom's primary host. Root may vouch for a domain without DNS.
//! A daily re-check flags verified domains whose records went away.
//!
//! Every action is one use case: the `tenant_domains` row, the showroom's
//! `primary_domain` and the audit entry commit in one platform transaction, then every
//! instance hears `TenantChanged` (host caches, page caches).
//!
//! Decisions:
//! - A domain routes from its first successful verification until root or the owner
//!   removes it. A failing re-check flags it (status `failing` and the message) but does
//!   not stop it routing: a DNS hiccup must not take a showroom off the air, and a
//!   domain that moved away no longer reaches Garasi anyway.
//! - Domains root vouched for carry no token and are not re-checked.
//! - An unverified claim by another showroom blocks a domain for [`PENDING_CLAIM_DAYS`]
//!   days; after that the next showroom to add it takes the claim over (DNS, not the
//!   first click, proves ownership).

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use chrono::{DateTime, Utc};
use garasi_domain::{DomainName, FieldErrors, TenantId};
use garasi_store::StoreError;
use garasi_store::platform::{DomainCheck, DomainStatus, PlatformTx, TenantDomain};
use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::{RData, RecordType};
use hickory_resolver::{Resolver, TokioResolver};
use serde_json::json;

use crate::tenants::{PlatformHosts, tenant_audit};
use crate::{Actor, ServiceError, ServiceResult, Services};

/// How long an unverified claim blocks the same domain for other showrooms.
pub const PENDING_CLAIM_DAYS: i64 = 7;
/// Domains one showroom may hold (verified or not).
pub const MAX_DOMAINS: i64 = 5;
/// The daily re-check's period.
pub const RECHECK_EVERY: chrono::Duration = chrono::Duration::hours(24);
/// The TXT record's name under the domain.
pub const TXT_LABEL: &str = "_garasi";

const MANAGE_ONLY: &str = "Hanya pemilik atau admin showroom yang boleh mengatur domain.";
const TAKEN: &str = "Domain sudah dipakai showroom lain.";

/// How domains are checked: `GARASI_DNS_RESOLVER` and `GARASI_PUBLIC_IPS`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DomainConfig {
    /// One resolver to ask (`ip:port`, UDP then TCP); `None` reads the system's resolv.conf.
    pub resolver: Option<SocketAddr>,
    /// The platform's public addresses, for apex domains that cannot use a CNAME.
    pub public_ips: Vec<IpAddr>,
}

/// One DNS record the owner must create, as the dashboard shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DnsRecord {
    pub kind: &'static str,
    pub name: String,
    pub value: String,
}

/// `<slug>.<tenant domain>`: where a custom domain's CNAME must point.
pub fn platform_host(hosts: &PlatformHosts, slug: &str) -> String {
    format!("{slug}.{}", hosts.tenant_domain)
}

/// Second-level suffixes under which a registrable name has three labels (`x.co.id`).
const TWO_PART_SUFFIXES: [&str; 14] = [
    "co.id",
    "web.id",
    "my.id",
    "biz.id",
    "or.id",
    "ac.id",
    "sch.id",
    "net.id",
    "go.id",
    "ponpes.id",
    "desa.id",
    "co.uk",
    "com.au",
    "com.sg",
];

/// Whether a name is a registrable domain itself (an apex), where DNS allows no CNAME.
pub fn is_apex(domain: &str) -> bool {
    let labels = domain.split('.').count();
    let two_part = TWO_PART_SUFFIXES.iter().any(|s| domain.ends_with(&format!(".{s}")));
    labels <= if two_part { 3 } else { 2 }
}

/// The records that verify `domain` and route it to the showroom at `target`.
pub fn records_for(config: &DomainConfig, domain: &TenantDomain, target: &str) -> Vec<DnsRecord> {
    let mut records = Vec::new();
    if let Some(token) = &domain.token {
        records.push(DnsRecord { kind: "TXT", name: format!("{TXT_LABEL}.{}", domain.domain), value: token.clone() });
    }
    if is_apex(&domain.domain) && !config.public_ips.is_empty() {
        for ip in &config.public_ips {
            let kind = if ip.is_ipv4() { "A" } else { "AAAA" };
            records.push(DnsRecord { kind, name: domain.domain.clone(), value: ip.to_string() });
        }
    } else {
        records.push(DnsRecord { kind: "CNAME", name: domain.domain.clone(), value: target.to_owned() });
    }
    records
}

fn require_manage(actor: &Actor) -> ServiceResult<()> {
    if actor.can_manage() { Ok(()) } else { Err(ServiceError::forbidden(MANAGE_ONLY)) }
}

fn require_root(actor: &Actor) -> ServiceResult<()> {
    match actor {
        Actor::Root { .. } | Actor::System => Ok(()),
        _ => Err(ServiceError::forbidden("Hanya admin platform yang boleh menyetujui domain tanpa DNS.")),
    }
}

/// A domain name a showroom may take: valid, and none of the platform's own names.
fn check_name(hosts: &PlatformHosts, raw: &str) -> ServiceResult<String> {
    let mut errors = FieldErrors::new();
    match DomainName::parse(raw) {
        Ok(d) => {
            let d = d.as_str().to_owned();
            let td = &hosts.tenant_domain;
            if d == hosts.admin_host || d == *td || d.ends_with(&format!(".{td}")) {
                errors.add("domain", "Domain ini milik platform dan tidak bisa dipakai sebagai domain showroom.");
            } else {
                return Ok(d);
            }
        }
        Err(e) => errors.add("domain", format!("Nama domain tidak valid: {e}.")),
    }
    Err(ServiceError::Validation(errors))
}

/// A random token for the TXT record: 128 bits, hex.
fn new_token() -> String {
    let bytes: [u8; 16] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("garasi-verify-{hex}")
}

fn conflict(e: StoreError) -> ServiceError {
    match e {
        StoreError::Conflict(_) => ServiceError::field("domain", TAKEN),
        other => other.into(),
    }
}

async fn commit_and_tell(services: &Services, tx: PlatformTx, tenant: TenantId) -> ServiceResult<()> {
    tx.commit().await?;
    services.tenant_changed(tenant).await;
    Ok(())
}

/// Adds `raw` to the showroom's domains, unverified, with a fresh TXT token.
pub async fn add(
    services: &Services,
    actor: &Actor,
    hosts: &PlatformHosts,
    tenant: TenantId,
    raw: &str,
) -> ServiceResult<TenantDomain> {
    require_manage(actor)?;
    let domain = check_name(hosts, raw)?;
    let mut tx = services.db.platform().begin_write().await?;
    if let Some(existing) = tx.domain(&domain).await? {
        if existing.tenant_id == tenant {
            return Err(ServiceError::field("domain", "Domain ini sudah terdaftar untuk showroom Anda."));
        }
        let stale = Utc::now() - existing.created_at > chrono::Duration::days(PENDING_CLAIM_DAYS);
        if existing.is_verified() || !stale {
            return Err(ServiceError::field("domain", TAKEN));
        }
        // An old unverified claim of another showroom: DNS will decide who owns it.
        tx.delete_domain(existing.tenant_id, &domain).await?;
        tx.audit(&tenant_audit(actor, "domain.claim_expired", existing.tenant_id, json!({ "domain": domain }))).await?;
    }
    if tx.count_domains(tenant).await? >= MAX_DOMAINS {
        return Err(ServiceError::field("domain", format!("Maksimal {MAX_DOMAINS} domain per showroom.")));
    }
    let token = new_token();
    tx.add_pending_domain(tenant, &domain, &token).await.map_err(conflict)?;
    tx.audit(&tenant_audit(actor, "domain.add", tenant, json!({ "domain": domain }))).await?;
    let row = tx.tenant_domain(tenant, &domain).await?.ok_or(ServiceError::NotFound)?;
    commit_and_tell(services, tx, tenant).await?;
    Ok(row)
}

/// Checks the showroom's domain in DNS. On success it is verified and becomes the
/// showroom's primary host; on failure the message is stored (and audited) and
/// returned as the `domain` field's error.
pub async fn verify(
    services: &Services,
    actor: &Actor,
    config: &DomainConfig,
    hosts: &PlatformHosts,
    tenant: TenantId,
    domain: &str,
) -> ServiceResult<TenantDomain> {
    require_manage(actor)?;
    let platform = services.db.platform();
    let row = platform.domains_of(tenant).await?.into_iter().find(|d| d.domain == domain);
    let row = row.ok_or(ServiceError::NotFound)?;
    let showroom = platform.tenant(tenant).await?.ok_or(ServiceError::NotFound)?;
    let target = platform_host(hosts, &showroom.slug);
    // DNS is asked outside the transaction: a slow resolver must not hold a write lock.
    let outcome = check_dns(config, &row.domain, row.token.as_deref(), &target).await;
    let at = garasi_store::now();
    let mut tx = platform.begin_write().await?;
    match outcome {
        Ok(()) => {
            let check = DomainCheck { at, error: None, next_check_at: Some(at + RECHECK_EVERY) };
            tx.mark_domain_verified(tenant, domain, &check).await?;
            tx.set_primary_domain(tenant, Some(domain)).await?;
            tx.audit(&tenant_audit(actor, "domain.verify", tenant, json!({ "domain": domain, "ok": true }))).await?;
            let row = tx.tenant_domain(tenant, domain).await?.ok_or(ServiceError::NotFound)?;
            commit_and_tell(services, tx, tenant).await?;
            Ok(row)
        }
        Err(message) => {
            let check = DomainCheck { at, error: Some(message.clone()), next_check_at: None };
            tx.record_domain_failure(tenant, domain, &check).await?;
            tx.audit(&tenant_audit(
                actor,
                "domain.verify",
                tenant,
                json!({ "domain": domain, "ok": false, "error": message }),
            ))
            .await?;
            commit_and_tell(services, tx, tenant).await?;
            Err(ServiceError::field("domain", message))
        }
    }
}

/// Removes one of the showroom's domains. When it was the primary host, the showroom
/// falls back to its newest other verified domain, else to its subdomain.
pub async fn remove(services: &Services, actor: &Actor, tenant: TenantId, domain: &str) -> ServiceResult<()> {
    require_manage(actor)?;
    let mut tx = services.db.platform().begin_write().await?;
    let showroom = tx.tenant(tenant).await?.ok_or(ServiceError::NotFound)?;
    if !tx.delete_domain(tenant, domain).await? {
        return Err(ServiceError::NotFound);
    }
    if showroom.primary_domain.as_deref() == Some(domain) {
        let next = tx.latest_verified_domain(tenant, domain).await?;
        tx.set_primary_domain(tenant, next.as_deref()).await?;
    }
    tx.audit(&tenant_audit(actor, "domain.remove", tenant, json!({ "domain": domain }))).await?;
    commit_and_tell(services, tx, tenant).await
}

/// Root vouches for a domain without DNS: it is stored verified (taking over the
/// showroom's own pending row, if any) and becomes the primary host.
pub async fn vouch(
    services: &Services,
    actor: &Actor,
    hosts: &PlatformHosts,
    tenant: TenantId,
    raw: &str,
) -> ServiceResult<TenantDomain> {
    require_root(actor)?;
    let domain = check_name(hosts, raw)?;
    let mut tx = services.db.platform().begin_write().await?;
    tx.tenant(tenant).await?.ok_or(ServiceError::NotFound)?;
    if let Some(existing) = tx.domain(&domain).await?
        && existing.tenant_id != tenant
    {
        return Err(ServiceError::field("domain", TAKEN));
    }
    tx.vouch_domain(tenant, &domain).await.map_err(conflict)?;
    tx.set_primary_domain(tenant, Some(&domain)).await?;
    tx.audit(&tenant_audit(actor, "domain.vouch", tenant, json!({ "domain": domain }))).await?;
    let row = tx.tenant_domain(tenant, &domain).await?.ok_or(ServiceError::NotFound)?;
    commit_and_tell(services, tx, tenant).await?;
    Ok(row)
}

/// What one round of daily re-checks did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RecheckReport {
    pub checked: usize,
    pub failing: usize,
}

/// Re-checks every verified domain whose daily check is due at `now`. Each domain is
/// claimed first (its `next_check_at` moves a day ahead only if no other instance
/// moved it), so several instances running this share the work without repeating it.
pub async fn recheck_due(
    services: &Services,
    config: &DomainConfig,
    hosts: &PlatformHosts,
    now: DateTime<Utc>,
) -> ServiceResult<RecheckReport> {
    let platform = services.db.platform();
    let mut report = RecheckReport::default();
    loop {
        let due = platform.domains_due(now, 50).await?;
        if due.is_empty() {
            break;
        }
        for row in due {
            let Some(seen) = row.next_check_at else { continue };
            if !platform.claim_domain_check(&row, seen, now + RECHECK_EVERY).await? {
                continue;
            }
            report.checked += 1;
            if !recheck(services, config, hosts, &row, now).await? {
                report.failing += 1;
            }
        }
    }
    Ok(report)
}

/// Checks one claimed domain and stores the outcome; `true` when it passed. The audit
/// log and the event record changes of status only, not every quiet day.
async fn recheck(
    services: &Services,
    config: &DomainConfig,
    hosts: &PlatformHosts,
    row: &TenantDomain,
    now: DateTime<Utc>,
) -> ServiceResult<bool> {
    let platform = services.db.platform();
    let Some(showroom) = platform.tenant(row.tenant_id).await? else { return Ok(true) };
    let target = platform_host(hosts, &showroom.slug);
    let outcome = check_dns(config, &row.domain, row.token.as_deref(), &target).await;
    let at = garasi_store::now();
    let next = Some(now + RECHECK_EVERY);
    let mut tx = platform.begin_write().await?;
    let ok = outcome.is_ok();
    let check = DomainCheck { at, error: outcome.err(), next_check_at: next };
    let changed = match &check.error {
        None => {
            tx.mark_domain_verified(row.tenant_id, &row.domain, &check).await?;
            row.status != DomainStatus::Ok
        }
        Some(_) => {
            tx.record_domain_failure(row.tenant_id, &row.domain, &check).await?;
            row.status != DomainStatus::Failing
        }
    };
    if changed {
        let details = json!({ "domain": row.domain, "ok": ok, "error": check.error });
        tx.audit(&tenant_audit(&Actor::System, "domain.recheck", row.tenant_id, details)).await?;
    }
    tx.commit().await?;
    if changed {
        services.tenant_changed(row.tenant_id).await;
    }
    Ok(ok)
}

/// A resolver for one check: the configured server, else the system's resolv.conf. A
/// fresh one each time, so nothing is answered from an earlier check's cache.
fn resolver(config: &DomainConfig) -> Result<TokioResolver, String> {
    let unavailable = |e: &dyn std::fmt::Display| {
        tracing::warn!(error = %e, "dns resolver unavailable");
        "Server DNS tidak bisa dihubungi. Coba lagi dalam beberapa menit.".to_owned()
    };
    let mut opts = ResolverOpts::default();
    opts.timeout = Duration::from_secs(4);
    opts.attempts = 2;
    opts.cache_size = 0;
    let builder = match config.resolver {
        Some(addr) => {
            let mut udp = ConnectionConfig::udp();
            udp.port = addr.port();
            let mut tcp = ConnectionConfig::tcp();
            tcp.port = addr.port();
            let server = NameServerConfig::new(addr.ip(), true, vec![udp, tcp]);
            Resolver::builder_with_config(
                ResolverConfig::from_name_servers(vec![server]),
                TokioRuntimeProvider::default(),
            )
        }
        None => Resolver::builder_tokio().map_err(|e| unavailable(&e))?,
    };
    builder.with_options(opts).build().map_err(|e| unavailable(&e))
}

/// The records of `name` (absolute), or none when the name or type does not exist.
async fn lookup(resolver: &TokioResolver, name: &str, kind: RecordType) -> Result<Vec<RData>, String> {
    match resolver.lookup(format!("{name}."), kind).await {
        Ok(found) => Ok(found.answers().iter().map(|r| r.data.clone()).collect()),
        Err(e) if e.is_no_records_found() || e.is_nx_domain() => Ok(Vec::new()),
        Err(e) => {
            tracing::info!(error = %e, name, ?kind, "dns lookup failed");
            Err(format!("Server DNS tidak menjawab untuk {name}. Coba lagi dalam beberapa menit."))
        }
    }
}

fn same_host(a: &str, b: &str) -> bool {
    a.trim_end_matches('.').eq_ignore_ascii_case(b.trim_end_matches('.'))
}

/// Checks the records of `domain`: the TXT `_garasi.<domain>` holds `token` (when it
/// has one), and the domain reaches the platform — a CNAME to `target`, or an A/AAAA
/// record at one of the platform's public addresses. The error is the owner's message.
pub async fn check_dns(config: &DomainConfig, domain: &str, token: Option<&str>, target: &str) -> Result<(), String> {
    let resolver = resolver(config)?;
    if let Some(token) = token {
        let txt_name = format!("{TXT_LABEL}.{domain}");
        let values: Vec<String> = lookup(&resolver, &txt_name, RecordType::TXT)
            .await?
            .into_iter()
            .filter_map(|r| match r {
                // A long value may arrive split in several strings: they form one value.
                RData::TXT(txt) => Some(txt.txt_data.iter().map(|s| String::from_utf8_lossy(s)).collect::<String>()),
                _ => None,
            })
            .collect();
        if values.is_empty() {
            return Err(format!("TXT belum ditemukan: buat record TXT {txt_name} berisi {token}."));
        }
        if !values.iter().any(|v| v.trim() == token) {
            return Err(format!("Isi TXT tidak cocok: {txt_name} harus berisi {token}."));
        }
    }
    let cnames: Vec<String> = lookup(&resolver, domain, RecordType::CNAME)
        .await?
        .into_iter()
        .filter_map(|r| match r {
            RData::CNAME(c) => Some(c.0.to_ascii()),
            _ => None,
        })
        .collect();
    if cnames.iter().any(|c| same_host(c, target)) {
        return Ok(());
    }
    if cnames.is_empty() && !config.public_ips.is_empty() {
        let mut addresses = Vec::new();
        for kind in [RecordType::A, RecordType::AAAA] {
            for r in lookup(&resolver, domain, kind).await? {
                match r {
                    RData::A(a) => addresses.push(IpAddr::V4(a.0)),
                    RData::AAAA(a) => addresses.push(IpAddr::V6(a.0)),
                    _ => {}
                }
            }
        }
        if addresses.iter().any(|ip| config.public_ips.contains(ip)) {
            return Ok(());
        }
        if !addresses.is_empty() {
            let ips: Vec<String> = config.public_ips.iter().map(IpAddr::to_string).collect();
            return Err(format!("Record A/AAAA {domain} belum mengarah ke alamat platform ({}).", ips.join(", ")));
        }
    }
    Err(format!("CNAME belum mengarah ke {target}."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apex_names() {
        assert!(is_apex("mobilsinar.com"));
        assert!(is_apex("mobilsinar.co.id"));
        assert!(!is_apex("www.mobilsinar.co.id"));
        assert!(!is_apex("mobil.sinar.com"));
    }

    #[test]
    fn tokens_are_random() {
        let a = new_token();
        assert!(a.starts_with("garasi-verify-") && a.len() == 14 + 32);
        assert_ne!(a, new_token());
    }

    #[test]
    fn platform_names_are_refused() {
        let hosts = PlatformHosts { admin_host: "admin.garasi.id".into(), tenant_domain: "garasi.id".into() };
        assert!(check_name(&hosts, "sinar.garasi.id").is_err());
        assert!(check_name(&hosts, "admin.garasi.id").is_err());
        assert!(check_name(&hosts, "https://x.com/").is_err());
        assert_eq!(check_name(&hosts, "Mobil.Sinar.com").unwrap(), "mobil.sinar.com");
    }
}
