//! Self-service custom domains against a real resolver: the test runs its own small
//! DNS server (UDP, answering from a table the test fills) and points
//! `GARASI_DNS_RESOLVER` at it. Covers adding a domain, the records shown, verification
//! (ok, TXT missing, wrong token, CNAME elsewhere), the verified domain as the primary
//! host (canonical, sitemap, 301 from the subdomain, TLS ask), a domain taken by
//! another showroom, staff refused, removal, root vouching and the daily re-check.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use garasi_domain::TenantId;
use garasi_store::platform::{DomainStatus, TenantDomain};
use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::rdata::{CNAME, TXT};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION};
use serde_json::json;

use crate::admin::{FormBody, cookie, hx_post, page};
use crate::admin_root::root_session;
use crate::sales::staff_token;
use crate::support::{Fetch, TestApp};

/// Records by (lower-case name without the final dot, type).
type Zone = Arc<Mutex<HashMap<(String, RecordType), Vec<RData>>>>;

/// A tiny authoritative DNS server on 127.0.0.1 (UDP) for the tests.
struct FakeDns {
    addr: SocketAddr,
    zone: Zone,
}

impl FakeDns {
    async fn start() -> FakeDns {
        let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = socket.local_addr().unwrap();
        let zone: Zone = Arc::default();
        let table = zone.clone();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            loop {
                let Ok((n, peer)) = socket.recv_from(&mut buf).await else { break };
                let Ok(request) = Message::from_vec(&buf[..n]) else { continue };
                let mut response = Message::response(request.metadata.id, request.metadata.op_code);
                response.metadata.recursion_desired = request.metadata.recursion_desired;
                response.metadata.recursion_available = true;
                response.metadata.authoritative = true;
                let mut known_name = false;
                for q in &request.queries {
                    let name = q.name().to_ascii().trim_end_matches('.').to_ascii_lowercase();
                    let zone = table.lock().unwrap();
                    known_name |= zone.keys().any(|(n, _)| *n == name);
                    for rdata in zone.get(&(name, q.query_type())).cloned().unwrap_or_default() {
                        response.add_answer(Record::from_rdata(q.name().clone(), 0, rdata));
                    }
                    response.add_query(q.clone());
                }
                if !known_name {
                    response.metadata.response_code = ResponseCode::NXDomain;
                }
                if let Ok(bytes) = response.to_vec() {
                    let _ = socket.send_to(&bytes, peer).await;
                }
            }
        });
        FakeDns { addr, zone }
    }

    fn set(&self, name: &str, kind: RecordType, data: Vec<RData>) {
        self.zone.lock().unwrap().insert((name.to_owned(), kind), data);
    }

    fn txt(&self, name: &str, value: &str) {
        self.set(name, RecordType::TXT, vec![RData::TXT(TXT::new(vec![value.to_owned()]))]);
    }

    fn cname(&self, name: &str, target: &str) {
        let target = Name::from_ascii(format!("{target}.")).unwrap();
        self.set(name, RecordType::CNAME, vec![RData::CNAME(CNAME(target))]);
    }

    fn remove(&self, name: &str, kind: RecordType) {
        self.zone.lock().unwrap().remove(&(name.to_owned(), kind));
    }
}

struct Setup {
    app: TestApp,
    dns: FakeDns,
    root: String,
    tenant: TenantId,
    owner: String,
}

const SLUG: &str = "sinar";
const DOMAIN: &str = "www.mobilsinar.co.id";

async fn setup() -> Setup {
    let dns = FakeDns::start().await;
    let addr = dns.addr;
    let app = TestApp::spawn_with(|s| s.web.domains.resolver = Some(addr)).await;
    let root = app.root_token().await;
    let created = app.create_tenant(&root, SLUG, "Sinar Jaya Motor").await;
    let tenant = TenantId(created["id"].as_str().unwrap().parse().unwrap());
    let owner = app.owner_token(SLUG).await;
    Setup { app, dns, root, tenant, owner }
}

impl Setup {
    fn host(&self) -> String {
        TestApp::tenant_host(SLUG)
    }

    async fn post(&self, path: &str, domain: &str) -> (StatusCode, String) {
        let resp = hx_post(&self.app, &self.host(), &self.owner, path, &[("domain", domain)]).await;
        (resp.status(), resp.text().await.unwrap())
    }

    async fn row(&self, domain: &str) -> Option<TenantDomain> {
        let rows = self.app.runtime_db().platform().domains_of(self.tenant).await.unwrap();
        rows.into_iter().find(|d| d.domain == domain)
    }

    async fn primary(&self) -> Option<String> {
        self.app.runtime_db().platform().tenant(self.tenant).await.unwrap().unwrap().primary_domain
    }

    async fn tls_ask(&self, domain: &str) -> u16 {
        let internal = self.app.running.as_ref().unwrap().internal_addr;
        let url = format!("http://{internal}/tls/allowed?domain={domain}");
        self.app.client.get(url).send().await.unwrap().status().as_u16()
    }

    /// Adds `DOMAIN` and returns its TXT token.
    async fn add(&self) -> String {
        let (status, html) = self.post("/admin/domain", DOMAIN).await;
        assert_eq!(status, 200, "{html}");
        let token = self.row(DOMAIN).await.expect("stored").token.expect("a token");
        assert!(html.contains(&format!("_garasi.{DOMAIN}")) && html.contains(&token), "records shown: {html}");
        assert!(html.contains("CNAME") && html.contains("sinar.localhost") && html.contains("data-copy"), "{html}");
        token
    }

    fn origin(&self, host: &str) -> String {
        format!("http://{host}:{}", self.app.addr.port())
    }

    async fn audit_actions(&self) -> Vec<String> {
        let log = self.app.runtime_db().platform().audit_log(Some(self.tenant), 50, 0).await.unwrap();
        log.into_iter().map(|e| e.action).collect()
    }
}

#[tokio::test]
async fn a_verified_domain_becomes_the_primary_host() {
    let s = setup().await;
    let app = &s.app;
    let (status, html) = page(app, &s.host(), &s.owner, "/admin/settings").await;
    assert_eq!(status, 200);
    assert!(html.contains("href=\"/admin/domain\"") && html.contains("Domain sendiri"), "linked from settings");

    let token = s.add().await;
    let row = s.row(DOMAIN).await.unwrap();
    assert_eq!((row.status, row.verified_at), (DomainStatus::Pending, None));
    // Unverified: no routing, no certificate.
    assert_eq!(s.tls_ask(DOMAIN).await, 404);
    assert_eq!(app.get(DOMAIN, "/").fetch().await.status(), 404);

    s.dns.txt(&format!("_garasi.{DOMAIN}"), &token);
    s.dns.cname(DOMAIN, "sinar.localhost");
    let (status, html) = s.post("/admin/domain/verify", DOMAIN).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("terverifikasi") && html.contains("Alamat utama"), "{html}");
    let row = s.row(DOMAIN).await.unwrap();
    assert_eq!(row.status, DomainStatus::Ok);
    assert!(row.verified_at.is_some() && row.next_check_at.is_some());
    assert_eq!(s.primary().await.as_deref(), Some(DOMAIN));
    assert_eq!(s.tls_ask(DOMAIN).await, 200);

    // The site answers on the domain, and its absolute URLs use it.
    let custom = s.origin(DOMAIN);
    let resp = app.get(DOMAIN, "/").fetch().await;
    assert_eq!(resp.status(), 200);
    let home = resp.text().await.unwrap();
    assert!(home.contains(&format!("<link rel=\"canonical\" href=\"{custom}/\"")), "{home}");
    let sitemap = app.get(DOMAIN, "/sitemap.xml").fetch().await.text().await.unwrap();
    assert!(sitemap.contains(&format!("<loc>{custom}/</loc>")) && !sitemap.contains("sinar.localhost"), "{sitemap}");

    // The subdomain sends visitors of public pages there, path and query kept.
    for (path, method) in [("/", "GET"), ("/mobil?merek=Toyota", "GET"), ("/kontak", "HEAD")] {
        let req = if method == "GET" {
            app.get(&s.host(), path)
        } else {
            app.client.head(app.url(path)).header("host", s.host())
        };
        let resp = req.fetch().await;
        assert_eq!(resp.status(), StatusCode::MOVED_PERMANENTLY, "{method} {path}");
        assert_eq!(resp.headers()[LOCATION].to_str().unwrap(), format!("{custom}{path}"));
    }
    // The dashboard, the API, the webhook and unsafe methods stay on the subdomain.
    let (status, _) = page(app, &s.host(), &s.owner, "/admin").await;
    assert_eq!(status, 200);
    let me = app.get(&s.host(), "/api/auth/me").bearer_auth(&s.owner).fetch().await;
    assert_eq!(me.status(), 200);
    let hook = app.post(&s.host(), "/webhooks/whatsapp").body("{}").fetch().await;
    assert_ne!(hook.status(), StatusCode::MOVED_PERMANENTLY);
    let hook = app.get(&s.host(), "/webhooks/whatsapp?hub.mode=subscribe").fetch().await;
    assert_ne!(hook.status(), StatusCode::MOVED_PERMANENTLY);
    // The dashboard's own links point at the new address.
    let (_, html) = page(app, &s.host(), &s.owner, "/admin/domain").await;
    let port = app.addr.port();
    assert!(html.contains(&format!("site-link\" href=\"http:&#x2f;&#x2f;{DOMAIN}:{port}\"")), "{html}");

    // Removing it returns the showroom to its subdomain, at once.
    let (status, html) = s.post("/admin/domain/remove", DOMAIN).await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(s.primary().await, None);
    assert_eq!(app.get(&s.host(), "/").fetch().await.status(), 200);
    assert_eq!(app.get(DOMAIN, "/").fetch().await.status(), 404);
    assert_eq!(s.tls_ask(DOMAIN).await, 404);

    let actions = s.audit_actions().await;
    for a in ["domain.add", "domain.verify", "domain.remove"] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
}

#[tokio::test]
async fn verification_says_what_is_wrong() {
    let s = setup().await;
    for (bad, message) in [
        ("https://www.mobilsinar.co.id/", "Nama domain tidak valid"),
        ("mobil sinar", "Nama domain tidak valid"),
        ("promo.localhost", "milik platform"),
        ("admin.localhost", "milik platform"),
    ] {
        let (status, html) = s.post("/admin/domain", bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(html.contains(message), "{bad}: {html}");
    }
    let token = s.add().await;
    let (status, html) = s.post("/admin/domain", DOMAIN).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("sudah terdaftar untuk showroom Anda"), "{html}");

    // Nothing in DNS yet.
    let (status, html) = s.post("/admin/domain/verify", DOMAIN).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("TXT belum ditemukan"), "{html}");
    // A TXT with another value.
    s.dns.txt(&format!("_garasi.{DOMAIN}"), "garasi-verify-punya-orang-lain");
    let (_, html) = s.post("/admin/domain/verify", DOMAIN).await;
    assert!(html.contains("Isi TXT tidak cocok"), "{html}");
    // The right TXT, but the CNAME points elsewhere (or nowhere).
    s.dns.txt(&format!("_garasi.{DOMAIN}"), &token);
    let (_, html) = s.post("/admin/domain/verify", DOMAIN).await;
    assert!(html.contains("CNAME belum mengarah ke sinar.localhost"), "{html}");
    s.dns.cname(DOMAIN, "hosting-lain.example.com");
    let (status, html) = s.post("/admin/domain/verify", DOMAIN).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("CNAME belum mengarah ke sinar.localhost"), "{html}");

    let row = s.row(DOMAIN).await.unwrap();
    assert_eq!(row.status, DomainStatus::Pending);
    assert!(row.last_error.unwrap().contains("CNAME belum mengarah"));
    assert_eq!(s.primary().await, None);
    assert_eq!(s.tls_ask(DOMAIN).await, 404);
    assert_eq!(s.app.get(&s.host(), "/").fetch().await.status(), 200, "no redirect while unverified");
    // Each failed attempt is audited.
    let failed = s.audit_actions().await.iter().filter(|a| *a == "domain.verify").count();
    assert_eq!(failed, 4);
}

#[tokio::test]
async fn a_domain_of_another_showroom_is_refused_and_staff_may_not_manage() {
    let s = setup().await;
    let app = &s.app;
    // Root vouches for berkah's domain (the existing root path: verified without DNS).
    let berkah = app.create_tenant(&s.root, "berkah", "Berkah Motor").await;
    let id = berkah["id"].as_str().unwrap();
    let resp = app
        .put(&app.admin_host(), &format!("/api/admin/tenants/{id}"))
        .bearer_auth(&s.root)
        .json(&json!({ "domain": "mobil.berkah.co.id" }))
        .fetch()
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(s.tls_ask("mobil.berkah.co.id").await, 200);

    let (status, html) = s.post("/admin/domain", "Mobil.Berkah.co.id").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Domain sudah dipakai showroom lain."), "{html}");
    // A pending claim blocks it too.
    let token = s.add().await;
    let berkah_owner = app.owner_token("berkah").await;
    let resp = hx_post(app, "berkah.localhost", &berkah_owner, "/admin/domain", &[("domain", DOMAIN)]).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(resp.text().await.unwrap().contains("Domain sudah dipakai showroom lain."));
    // Berkah cannot verify or remove sinar's domain.
    let resp = hx_post(app, "berkah.localhost", &berkah_owner, "/admin/domain/remove", &[("domain", DOMAIN)]).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    s.dns.txt(&format!("_garasi.{DOMAIN}"), &token);
    s.dns.cname(DOMAIN, "berkah.localhost");
    let resp = hx_post(app, "berkah.localhost", &berkah_owner, "/admin/domain/verify", &[("domain", DOMAIN)]).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert!(s.row(DOMAIN).await.is_some());

    // Staff: neither the page nor the actions.
    let staff = staff_token(app, SLUG, s.tenant).await;
    let (status, _) = page(app, &s.host(), &staff, "/admin/domain").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let resp = hx_post(app, &s.host(), &staff, "/admin/domain", &[("domain", "www.lain.co.id")]).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = hx_post(app, &s.host(), &staff, "/admin/domain/remove", &[("domain", DOMAIN)]).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(s.row(DOMAIN).await.is_some() && s.row("www.lain.co.id").await.is_none());
    // The use case refuses staff on its own too, whatever the adapter.
    let services = &app.running.as_ref().unwrap().state.services;
    let actor =
        garasi_service::Actor::Staff { user_id: uuid::Uuid::now_v7(), role: garasi_domain::Role::Staff, ip: None };
    let hosts = app.settings.web.platform_hosts();
    let err = garasi_service::domains::add(services, &actor, &hosts, s.tenant, "www.lain.co.id").await.unwrap_err();
    assert!(matches!(err, garasi_service::ServiceError::Forbidden(_)), "{err:?}");

    // Root vouches for sinar's pending domain from the root dashboard.
    let root = root_session(app).await;
    let resp = app
        .post(&app.admin_host(), &format!("/tenants/{}/domains/vouch", s.tenant.0))
        .header(COOKIE, cookie(&root))
        .header("sec-fetch-site", "same-origin")
        .form_pairs(&[("domain", DOMAIN)])
        .fetch()
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let row = s.row(DOMAIN).await.unwrap();
    assert!(row.is_verified() && row.token.is_none());
    assert_eq!(s.primary().await.as_deref(), Some(DOMAIN));
    assert!(s.audit_actions().await.iter().any(|a| a == "domain.vouch"));
}

#[tokio::test]
async fn the_daily_recheck_flags_a_domain_whose_txt_went_away() {
    let s = setup().await;
    let app = &s.app;
    let token = s.add().await;
    s.dns.txt(&format!("_garasi.{DOMAIN}"), &token);
    s.dns.cname(DOMAIN, "sinar.localhost");
    let (status, _) = s.post("/admin/domain/verify", DOMAIN).await;
    assert_eq!(status, 200);

    let services = &app.running.as_ref().unwrap().state.services;
    let config = app.settings.web.domains.clone();
    let hosts = app.settings.web.platform_hosts();
    let recheck = |at| garasi_service::domains::recheck_due(services, &config, &hosts, at);
    // Not due yet.
    let now = chrono::Utc::now();
    assert_eq!(recheck(now).await.unwrap().checked, 0);
    // A day later, with the records in place: checked, fine.
    let day = now + chrono::Duration::hours(25);
    let r = recheck(day).await.unwrap();
    assert_eq!((r.checked, r.failing), (1, 0));
    // The TXT goes away; the next day's check flags it, once however many instances ask.
    s.dns.remove(&format!("_garasi.{DOMAIN}"), RecordType::TXT);
    let next_day = day + chrono::Duration::hours(25);
    let (a, b) = tokio::join!(recheck(next_day), recheck(next_day));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!((a.checked + b.checked, a.failing + b.failing), (1, 1), "{a:?} {b:?}");
    let row = s.row(DOMAIN).await.unwrap();
    assert_eq!(row.status, DomainStatus::Failing);
    assert!(row.last_error.as_deref().unwrap().contains("TXT belum ditemukan"));
    assert!(s.audit_actions().await.iter().any(|a| a == "domain.recheck"));

    // It keeps routing until someone removes it, and says so.
    assert_eq!(app.get(DOMAIN, "/").fetch().await.status(), 200);
    assert_eq!(s.tls_ask(DOMAIN).await, 200);
    let (_, html) = page(app, &s.host(), &s.owner, "/admin").await;
    assert!(html.contains(&format!("Domain {DOMAIN} bermasalah")), "dashboard banner: {html}");
    let (_, html) = page(app, &s.host(), &s.owner, "/admin/domain").await;
    assert!(html.contains("Pemeriksaan DNS harian gagal") && html.contains("tetap melayani"), "{html}");
    let root = root_session(app).await;
    let (_, html) = page(app, &app.admin_host(), &root, "/tenants").await;
    assert!(html.contains("Domain bermasalah"), "root list: {html}");
    let (_, html) = page(app, &app.admin_host(), &root, &format!("/tenants/{}", s.tenant.0)).await;
    assert!(html.contains("Bermasalah") && html.contains("TXT belum ditemukan"), "root page: {html}");

    // Fixed DNS and "Verifikasi": back to ok.
    s.dns.txt(&format!("_garasi.{DOMAIN}"), &token);
    let (status, _) = s.post("/admin/domain/verify", DOMAIN).await;
    assert_eq!(status, 200);
    assert_eq!(s.row(DOMAIN).await.unwrap().status, DomainStatus::Ok);
    let (_, html) = page(app, &s.host(), &s.owner, "/admin").await;
    assert!(!html.contains("bermasalah"));
}
