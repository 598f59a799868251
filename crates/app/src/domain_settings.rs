//! Custom domains: the `GARASI_DNS_RESOLVER` and `GARASI_PUBLIC_IPS` settings, and the
//! daily re-check every instance runs (`garasi_service::domains::recheck_due` claims
//! each domain, so instances share the work without repeating it).

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use clap::Args;
use garasi_service::Services;
use garasi_service::domains::{self, DomainConfig};
use garasi_service::tenants::PlatformHosts;
use serde::Deserialize;

use crate::settings::SettingError;

/// Also the `[domains]` table of the TOML file.
#[derive(Debug, Clone, Default, Args, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DomainArgs {
    /// DNS server (ip:port) that checks showrooms' own domains [default: the system's resolv.conf].
    #[arg(long, env = "GARASI_DNS_RESOLVER", global = true, value_name = "ADDR")]
    pub dns_resolver: Option<String>,
    /// Comma-separated public IP addresses of the platform, shown as A/AAAA records for apex
    /// custom domains and accepted when verifying them [default: none, CNAME only].
    #[arg(long, env = "GARASI_PUBLIC_IPS", global = true, value_name = "LIST")]
    pub public_ips: Option<String>,
}

fn bad(name: &'static str, reason: impl Into<String>) -> SettingError {
    SettingError { name, reason: reason.into() }
}

pub fn resolve(args: &DomainArgs, file: Option<&DomainArgs>) -> Result<DomainConfig, SettingError> {
    let file = file.cloned().unwrap_or_default();
    let resolver = match args.dns_resolver.clone().or(file.dns_resolver).filter(|s| !s.trim().is_empty()) {
        None => None,
        Some(raw) => Some(
            raw.trim()
                .parse::<SocketAddr>()
                .map_err(|_| bad("GARASI_DNS_RESOLVER", format!("{raw:?} is not an address like 1.1.1.1:53")))?,
        ),
    };
    let public_ips = args
        .public_ips
        .clone()
        .or(file.public_ips)
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<IpAddr>().map_err(|_| bad("GARASI_PUBLIC_IPS", format!("{s:?} is not an IP address"))))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(DomainConfig { resolver, public_ips })
}

/// How often an instance looks for due re-checks; each domain is still checked once a day.
const TICK: Duration = Duration::from_secs(15 * 60);

/// Runs the daily re-check until `stop` says the server is shutting down.
pub fn spawn_rechecks(
    services: Services,
    config: DomainConfig,
    hosts: PlatformHosts,
    stop: impl Fn() -> bool + Send + 'static,
) {
    tokio::spawn(async move {
        // Instances started together spread out; the claim keeps them from doubling up anyway.
        let jitter = Duration::from_secs(60 + rand::random::<u64>() % 240);
        tokio::time::sleep(jitter).await;
        loop {
            if stop() {
                break;
            }
            match domains::recheck_due(&services, &config, &hosts, garasi_store::now()).await {
                Ok(r) if r.checked > 0 => tracing::info!(checked = r.checked, failing = r.failing, "domain re-check"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "domain re-check failed"),
            }
            tokio::time::sleep(TICK).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_resolver_and_addresses() {
        let args = DomainArgs {
            dns_resolver: Some("127.0.0.1:5353".into()),
            public_ips: Some("203.0.113.7, 2001:db8::1".into()),
        };
        let c = resolve(&args, None).unwrap();
        assert_eq!(c.resolver, Some("127.0.0.1:5353".parse().unwrap()));
        assert_eq!(c.public_ips.len(), 2);
        let bad_args = DomainArgs { dns_resolver: Some("dns.example".into()), public_ips: None };
        assert_eq!(resolve(&bad_args, None).unwrap_err().name, "GARASI_DNS_RESOLVER");
        let bad_args = DomainArgs { dns_resolver: None, public_ips: Some("1.2.3".into()) };
        assert_eq!(resolve(&bad_args, None).unwrap_err().name, "GARASI_PUBLIC_IPS");
    }
}
