//! Showrooms as the API shows them (root admin API, login and `me`), and the bodies the
//! root admin sends.

use chrono::{DateTime, Utc};
use garasi_domain::{TenantId, TenantStatus};
use garasi_store::platform::Tenant as StoredTenant;
use garasi_store::tenant::User;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::vocab;
use crate::state::WebConfig;

/// A showroom. `primary_domain` is the host it is published at; `custom_domain` is set
/// only for a verified custom domain.
#[derive(Debug, Serialize, ToSchema)]
pub struct Tenant {
    #[schema(value_type = Uuid)]
    pub id: TenantId,
    pub slug: String,
    pub name: String,
    #[schema(schema_with = vocab::tenant_status)]
    pub status: TenantStatus,
    pub whatsapp_number: Option<String>,
    pub primary_domain: String,
    pub custom_domain: Option<String>,
    pub url: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// Every host of the showroom; in the root admin's single-showroom answers only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domains: Option<Vec<String>>,
    /// The owner created with the showroom; only in the answer to its creation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<TenantOwner>,
}

impl Tenant {
    pub fn new(config: &WebConfig, t: &StoredTenant, domains: Option<&[String]>) -> Tenant {
        Tenant {
            id: t.id,
            slug: t.slug.clone(),
            name: t.name.clone(),
            status: t.status,
            whatsapp_number: t.whatsapp_number.clone(),
            primary_domain: config.tenant_primary_host(t),
            custom_domain: t.primary_domain.clone(),
            url: config.tenant_url(t),
            created_at: t.created_at,
            updated_at: t.updated_at,
            deleted_at: t.deleted_at,
            domains: domains.map(<[String]>::to_vec),
            owner: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TenantOwner {
    pub id: Uuid,
    pub email: String,
    #[schema(value_type = String)]
    pub role: &'static str,
}

impl From<&User> for TenantOwner {
    fn from(u: &User) -> TenantOwner {
        TenantOwner { id: u.id, email: u.email.clone(), role: u.role.as_str() }
    }
}

crate::api::dto::list_of!(TenantList, Tenant, "showrooms");

/// A partial update of a showroom: only these fields, any subset; any other field is
/// refused with a field message. The handler reads the body as a JSON object (to tell
/// `null` from absent), so this type only documents it.
#[allow(dead_code)]
#[derive(ToSchema)]
pub struct TenantPatch {
    name: Option<String>,
    #[schema(schema_with = vocab::tenant_status)]
    status: Option<String>,
    /// `null` or empty removes it.
    whatsapp_number: Option<String>,
    /// A custom domain; `null` or empty removes it.
    domain: Option<String>,
}
