//! A showroom's public address. The bot (links in replies), the channels and the web
//! pages all build absolute URLs from stored data with these rules, never from a request.

use garasi_store::platform::Tenant;

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

    pub fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }
}

/// Scheme, port and tenant domain of every public absolute URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrls {
    /// Showrooms are served at `<slug>.<tenant_domain>`.
    pub tenant_domain: String,
    pub scheme: Scheme,
    pub port: Option<u16>,
}

impl PublicUrls {
    /// `scheme://host[:port]` for a host name, leaving the port out when it is the default.
    pub fn origin_for(&self, host: &str) -> String {
        match self.port {
            Some(port) if port != self.scheme.default_port() => format!("{}://{}:{}", self.scheme.as_str(), host, port),
            _ => format!("{}://{}", self.scheme.as_str(), host),
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_ports_are_left_out() {
        let u = PublicUrls { tenant_domain: "localhost".into(), scheme: Scheme::Https, port: Some(443) };
        assert_eq!(u.origin_for("a.localhost"), "https://a.localhost");
        let u = PublicUrls { port: Some(3000), scheme: Scheme::Http, ..u };
        assert_eq!(u.origin_for("a.localhost"), "http://a.localhost:3000");
    }
}
