//! The JSON API's request and response types, one module per resource. Handlers build
//! these instead of ad-hoc JSON, and `api::openapi` generates the document from them,
//! so what the API answers and what it documents cannot drift apart.

pub mod appointments;
pub mod auth;
pub mod bot;
pub mod cars;
pub mod leads;
pub mod sales;
pub mod tenants;
pub mod users;
pub mod whatsapp;

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;
use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};

/// The error body every API error answers with (rendered by `error::render_errors`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiError {
    pub error: ApiErrorDetail,
}

/// Mirrors `error::ErrorReport`, which is what is actually serialised.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiErrorDetail {
    /// Stable machine code, e.g. `validation`, `not_found`, `forbidden`.
    pub code: String,
    /// Indonesian, for people.
    pub message: String,
    /// One Indonesian message per invalid field; only on validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, String>>,
    /// The request's id, also in the `X-Request-Id` response header: quote it when
    /// reporting a problem, it finds the request's log lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// Declares one page of a list, with the envelope every list endpoint answers with.
macro_rules! list_of {
    ($name:ident, $item:ty, $what:literal) => {
        #[doc = concat!("One page of ", $what, ".")]
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            pub items: Vec<$item>,
            pub total: i64,
            pub page: i64,
            pub per_page: i64,
        }

        // Not every list pages with `PageQuery` (cars and showrooms have their own bounds).
        #[allow(dead_code)]
        impl $name {
            pub fn new(q: &crate::api::PageQuery, items: Vec<$item>, total: i64) -> $name {
                $name { items, total, page: q.page(), per_page: q.per_page() }
            }
        }
    };
}
pub(crate) use list_of;

/// A string schema limited to `words` (and `null` when `nullable`): the schema of a
/// domain vocabulary, generated from the vocabulary itself.
pub fn words<'a>(words: impl IntoIterator<Item = &'a str>, nullable: bool) -> Object {
    let mut values: Vec<serde_json::Value> = words.into_iter().map(serde_json::Value::from).collect();
    let ty = if nullable {
        values.push(serde_json::Value::Null);
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::Type(Type::String)
    };
    ObjectBuilder::new().schema_type(ty).enum_values(Some(values)).build()
}

/// Schema functions for `#[schema(schema_with = …)]` on fields typed with a domain
/// vocabulary (the domain crate stays free of OpenAPI).
pub mod vocab {
    use garasi_domain::TenantStatus;
    use garasi_domain::car::{BodyType, CarStatus, Condition, Fuel, PlateParity, PriceVia, Transmission};
    use garasi_store::tenant::{LeadStatus, PaymentMethod};
    use utoipa::openapi::schema::Object;

    use super::words;

    macro_rules! vocabulary {
        ($fn:ident, $ty:ty, $nullable:literal) => {
            pub fn $fn() -> Object {
                words(<$ty>::ALL.iter().map(|v| v.as_str()), $nullable)
            }
        };
    }

    vocabulary!(transmission, Transmission, false);
    vocabulary!(fuel, Fuel, false);
    vocabulary!(body_type, BodyType, false);
    vocabulary!(car_status, CarStatus, false);
    vocabulary!(condition, Condition, false);
    vocabulary!(plate_parity_or_null, PlateParity, true);
    vocabulary!(lead_status, LeadStatus, false);
    vocabulary!(price_via, PriceVia, false);

    /// Who made a change, as the audit log names it.
    pub fn actor_kind() -> Object {
        words(["user", "sales", "root", "system"], false)
    }

    pub fn payment_method_or_null() -> Object {
        words([PaymentMethod::Cash, PaymentMethod::Credit].map(PaymentMethod::as_str), true)
    }

    pub fn tenant_status() -> Object {
        words(TenantStatus::ALL.iter().map(|v| v.as_str()), false)
    }
}
