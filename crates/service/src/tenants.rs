//! Showrooms, as the platform (root) admin manages them: create with an owner, edit,
//! suspend or reactivate, soft-delete. The registry rows and the audit entry commit in
//! one platform transaction; every instance hears `TenantChanged` after the commit.

use std::future::Future;

use garasi_domain::{
    DomainName, Email, FieldErrors, PhoneNumber, Role, Slug, TenantId, TenantStatus, check, check_password_policy,
};
use garasi_store::StoreError;
use garasi_store::platform::{AuditEntry, NewTenant, PlatformTx, Tenant, TenantPatch};
use garasi_store::tenant::{NewUser, User};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::{Actor, ServiceError, ServiceResult, Services};

/// The platform's own host names, which no showroom may claim as its domain.
#[derive(Debug, Clone)]
pub struct PlatformHosts {
    pub admin_host: String,
    /// Showrooms are served at `<slug>.<tenant_domain>`.
    pub tenant_domain: String,
}

/// A new showroom and its owner, from the API's JSON or the root dashboard's form.
#[derive(Debug, Deserialize)]
pub struct CreateTenant {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub owner_email: String,
    #[serde(default)]
    pub owner_password: String,
    pub whatsapp_number: Option<String>,
    pub domain: Option<String>,
}

/// Fields a partial update may carry; anything else is refused.
const UPDATABLE: [&str; 4] = ["name", "status", "whatsapp_number", "domain"];

const ROOT_ONLY: &str = "Hanya admin platform yang boleh mengelola showroom.";

/// A showroom's name: 2 to 100 characters after trimming.
pub fn check_name(errors: &mut FieldErrors, name: &str) -> Option<String> {
    let name = name.trim();
    let len = name.chars().count();
    if len < 2 {
        errors.add("name", "Nama showroom minimal 2 karakter.");
        None
    } else if len > 100 {
        errors.add("name", "Nama showroom maksimal 100 karakter.");
        None
    } else {
        Some(name.to_owned())
    }
}

/// A custom domain must be a real host name and must not collide with the
/// platform's own names.
fn check_domain(hosts: &PlatformHosts, errors: &mut FieldErrors, raw: &str) -> Option<String> {
    let domain = check(errors, "domain", DomainName::parse(raw))?;
    let d = domain.as_str();
    let tenant_domain = &hosts.tenant_domain;
    if d == hosts.admin_host || d == tenant_domain || d.ends_with(&format!(".{tenant_domain}")) {
        errors.add("domain", "Domain ini milik platform dan tidak bisa dipakai sebagai domain showroom.");
        return None;
    }
    Some(d.to_owned())
}

fn check_phone(errors: &mut FieldErrors, raw: Option<&str>) -> Option<Option<String>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(r) => check(errors, "whatsapp_number", PhoneNumber::parse(r)).map(|p| Some(p.as_str().to_owned())),
    }
}

/// Unique-constraint conflicts become field messages, naming the field that clashed.
fn conflict_to_fields(e: StoreError) -> ServiceError {
    match e {
        StoreError::Conflict(hint) if hint.contains("slug") => {
            ServiceError::field("slug", "Slug ini sudah dipakai showroom lain.")
        }
        StoreError::Conflict(hint) if hint.contains("domain") => {
            ServiceError::field("domain", "Domain ini sudah dipakai showroom lain.")
        }
        other => other.into(),
    }
}

pub(crate) fn require_root(actor: &Actor) -> ServiceResult<()> {
    match actor {
        Actor::Root { .. } | Actor::System => Ok(()),
        _ => Err(ServiceError::forbidden(ROOT_ONLY)),
    }
}

/// The audit entry of a change to `tenant`, filed under that tenant.
pub(crate) fn tenant_audit(actor: &Actor, action: &str, tenant: TenantId, details: Value) -> AuditEntry {
    let mut entry = actor.audit(action, Some(("tenant", tenant.to_string())), details);
    entry.tenant_id = Some(tenant);
    entry
}

/// Validates and creates a showroom with its owner. `hash` turns the (checked)
/// password into the stored hash; it is the web layer's, which also verifies logins.
pub async fn create<H, F>(
    services: &Services,
    actor: &Actor,
    hosts: &PlatformHosts,
    input: CreateTenant,
    hash: H,
) -> ServiceResult<(Tenant, User)>
where
    H: FnOnce(String) -> F,
    F: Future<Output = ServiceResult<String>>,
{
    require_root(actor)?;
    let mut errors = FieldErrors::new();
    let name = check_name(&mut errors, &input.name);
    let slug = check(&mut errors, "slug", Slug::parse(input.slug.trim()));
    let email = check(&mut errors, "owner_email", Email::parse(&input.owner_email));
    let password_ok = check(&mut errors, "owner_password", check_password_policy(&input.owner_password));
    let whatsapp = check_phone(&mut errors, input.whatsapp_number.as_deref());
    let domain = match input.domain.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(raw) => check_domain(hosts, &mut errors, raw).map(Some),
        None => Some(None),
    };
    let (Some(name), Some(slug), Some(email), Some(()), Some(whatsapp), Some(domain)) =
        (name, slug, email, password_ok, whatsapp, domain)
    else {
        return Err(ServiceError::Validation(errors));
    };
    let password_hash = hash(input.owner_password).await?;
    let new = NewTenant { slug: slug.as_str().to_owned(), name, whatsapp_number: whatsapp, domain };
    let owner = NewUser { email, name: String::new(), role: Role::Owner, password_hash };
    let mut tx = services.db.platform().begin_write().await?;
    let (tenant, user) = tx.create_tenant(&new, &owner, &json!({})).await.map_err(conflict_to_fields)?;
    tx.audit(&tenant_audit(
        actor,
        "tenant.create",
        tenant.id,
        json!({ "slug": tenant.slug, "owner_email": user.email }),
    ))
    .await?;
    tx.commit().await?;
    services.tenant_changed(tenant.id).await;
    Ok((tenant, user))
}

/// Applies a partial update (`name`, `status`, `whatsapp_number`, `domain`; anything
/// else is refused). The audit entry keeps the request's fields as given.
pub async fn update(
    services: &Services,
    actor: &Actor,
    hosts: &PlatformHosts,
    id: TenantId,
    body: Map<String, Value>,
) -> ServiceResult<Tenant> {
    require_root(actor)?;
    let mut errors = FieldErrors::new();
    // Refuse unknown fields instead of ignoring them: no silent mass assignment.
    for key in body.keys().filter(|k| !UPDATABLE.contains(&k.as_str())) {
        errors.add(key, "Kolom ini tidak dikenal atau tidak boleh diubah.");
    }
    let mut patch = TenantPatch::default();
    if let Some(v) = body.get("name") {
        patch.name = check_name(&mut errors, v.as_str().unwrap_or(""));
    }
    if let Some(v) = body.get("status") {
        match v.as_str().and_then(|s| s.parse::<TenantStatus>().ok()) {
            Some(s) => patch.status = Some(s),
            None => errors.add("status", "Status harus salah satu dari: active, suspended, deleted."),
        }
    }
    if let Some(v) = body.get("whatsapp_number") {
        match v {
            Value::Null => patch.whatsapp_number = Some(None),
            Value::String(s) => patch.whatsapp_number = check_phone(&mut errors, Some(s)),
            _ => errors.add("whatsapp_number", "Nomor WhatsApp harus berupa teks."),
        }
    }
    if let Some(v) = body.get("domain") {
        match v {
            Value::Null => patch.domain = Some(None),
            Value::String(s) if s.trim().is_empty() => patch.domain = Some(None),
            Value::String(s) => patch.domain = check_domain(hosts, &mut errors, s).map(Some),
            _ => errors.add("domain", "Domain harus berupa teks."),
        }
    }
    errors.into_result()?;
    let mut tx = services.db.platform().begin_write().await?;
    let tenant = tx.update_tenant(id, &patch).await.map_err(conflict_to_fields)?;
    // Setting a domain here is root vouching for it: verified without DNS.
    if let Some(Some(domain)) = &patch.domain {
        tx.audit(&tenant_audit(actor, "domain.vouch", id, json!({ "domain": domain }))).await?;
    }
    tx.audit(&tenant_audit(actor, "tenant.update", id, Value::Object(body))).await?;
    commit_and_tell(services, tx, tenant).await
}

/// Suspends (the showroom's site and dashboard stop answering) or reactivates.
pub async fn set_status(
    services: &Services,
    actor: &Actor,
    hosts: &PlatformHosts,
    id: TenantId,
    status: &str,
) -> ServiceResult<Tenant> {
    if !matches!(status, "active" | "suspended") {
        return Err(ServiceError::field("status", "Pilih aktifkan atau tangguhkan."));
    }
    let mut body = Map::new();
    body.insert("status".into(), Value::String(status.to_owned()));
    update(services, actor, hosts, id, body).await
}

/// Soft delete: the row and its data stay (for audit and restore); the host stops serving.
pub async fn delete(services: &Services, actor: &Actor, id: TenantId) -> ServiceResult<Tenant> {
    require_root(actor)?;
    let patch = TenantPatch { status: Some(TenantStatus::Deleted), ..TenantPatch::default() };
    let mut tx = services.db.platform().begin_write().await?;
    let tenant = tx.update_tenant(id, &patch).await?;
    tx.audit(&tenant_audit(actor, "tenant.delete", id, json!({}))).await?;
    commit_and_tell(services, tx, tenant).await
}

async fn commit_and_tell(services: &Services, tx: PlatformTx, tenant: Tenant) -> ServiceResult<Tenant> {
    tx.commit().await?;
    services.tenant_changed(tenant.id).await;
    Ok(tenant)
}
