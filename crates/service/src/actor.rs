//! Who performs a use case. The actor decides what is allowed and what the audit
//! entry says; it always comes from the server's own records (a session, the
//! sales-staff list by phone number, the CLI), never from message text.

use garasi_domain::Role;
use garasi_store::platform::AuditEntry;
use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A logged-in dashboard or API user of the showroom.
    Staff { user_id: Uuid, role: Role, ip: Option<String> },
    /// A salesperson writing to the showroom's bot on WhatsApp, found by number.
    Sales { sales_id: Uuid, phone: String },
    /// A platform (root) admin.
    Root { user_id: Uuid, ip: Option<String> },
    /// Garasi itself: the demo seed, workers, start-up jobs.
    System,
}

impl Actor {
    /// Owners and admins of the showroom (and root and the system) may manage; staff
    /// users and salespeople may only do day-to-day stock work.
    pub fn can_manage(&self) -> bool {
        match self {
            Actor::Staff { role, .. } => role.is_admin(),
            Actor::Sales { .. } => false,
            Actor::Root { .. } | Actor::System => true,
        }
    }

    /// `actor_kind` in the audit log: `user`, `sales`, `root` or `system`.
    pub fn kind(&self) -> &'static str {
        match self {
            Actor::Staff { .. } => "user",
            Actor::Sales { .. } => "sales",
            Actor::Root { .. } => "root",
            Actor::System => "system",
        }
    }

    pub fn id(&self) -> Option<Uuid> {
        match self {
            Actor::Staff { user_id, .. } | Actor::Root { user_id, .. } => Some(*user_id),
            Actor::Sales { sales_id, .. } => Some(*sales_id),
            Actor::System => None,
        }
    }

    fn ip(&self) -> Option<String> {
        match self {
            Actor::Staff { ip, .. } | Actor::Root { ip, .. } => ip.clone(),
            Actor::Sales { .. } | Actor::System => None,
        }
    }

    /// An audit entry for `action` on `target` by this actor. The tenant is filled in
    /// by `TenantTx::audit`; platform-level entries set it themselves.
    pub fn audit(&self, action: &str, target: Option<(&str, String)>, details: Value) -> AuditEntry {
        let (target_kind, target_id) = match target {
            Some((kind, id)) => (Some(kind.to_owned()), Some(id)),
            None => (None, None),
        };
        AuditEntry {
            tenant_id: None,
            actor_kind: self.kind(),
            actor_id: self.id(),
            action: action.to_owned(),
            target_kind,
            target_id,
            details,
            ip: self.ip(),
        }
    }
}
