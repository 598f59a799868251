//! How the bot keeps one open lead per customer phone and fills it in as the customer
//! reveals more (budget, cash or credit, the car they want). Lead creation, status,
//! assignment and history stay with [`Leads`]; this adds the two queries the bot needs.

use garasi_domain::TenantId;
use uuid::Uuid;

use super::leads::{Lead, LeadStatus, Leads, PaymentMethod};
use crate::db::Tx;
use crate::error::{StoreError, StoreResult};
use crate::time::now;

/// What a customer revealed; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Revealed {
    pub name: Option<String>,
    pub car_id: Option<Uuid>,
    /// Whole rupiah.
    pub budget: Option<i64>,
    pub payment_method: Option<PaymentMethod>,
    pub conversation_id: Option<Uuid>,
    /// Appended to the lead's notes on a new line.
    pub note: Option<String>,
}

impl Revealed {
    pub fn is_empty(&self) -> bool {
        *self == Revealed::default()
    }
}

/// Open statuses: a lead the showroom is still working on.
const OPEN: [LeadStatus; 3] = [LeadStatus::New, LeadStatus::Contacted, LeadStatus::Qualified];

pub struct LeadIntake<'a> {
    tx: &'a mut Tx,
    tenant: TenantId,
}

impl<'a> LeadIntake<'a> {
    pub(crate) fn new(tx: &'a mut Tx, tenant: TenantId) -> Self {
        LeadIntake { tx, tenant }
    }

    /// The newest open lead (new, contacted or qualified) of a phone, if any.
    pub async fn open_for_phone(&mut self, phone: &str) -> StoreResult<Option<Lead>> {
        const SQL: &str = "SELECT id FROM leads WHERE tenant_id = $1 AND phone = $2 AND status IN ($3, $4, $5) \
                           ORDER BY created_at DESC, id DESC LIMIT 1";
        let id: Option<Uuid> = tx_query!(
            self.tx,
            scalar_optional,
            SQL,
            self.tenant.0,
            phone,
            OPEN[0].as_str(),
            OPEN[1].as_str(),
            OPEN[2].as_str()
        )?;
        match id {
            Some(id) => Leads::new(&mut *self.tx, self.tenant).get(id).await,
            None => Ok(None),
        }
    }

    /// Writes what changed into the lead and a `note` event describing it by `actor`.
    /// Returns the lead, unchanged (and no event) when nothing new was revealed.
    /// `car_id` and `conversation_id` must be this tenant's ([`StoreError::Conflict`]).
    pub async fn reveal(&mut self, id: Uuid, r: &Revealed, actor: &str, summary: &str) -> StoreResult<Lead> {
        let lead = Leads::new(&mut *self.tx, self.tenant).get(id).await?.ok_or(StoreError::NotFound)?;
        let name = match &r.name {
            Some(n) if !n.trim().is_empty() && lead.name.trim() != n.trim() => n.trim().to_owned(),
            _ => lead.name.clone(),
        };
        let car_id = r.car_id.or(lead.car_id);
        let budget = r.budget.or(lead.budget);
        let payment_method = r.payment_method.or(lead.payment_method);
        let conversation_id = lead.conversation_id.or(r.conversation_id);
        let notes = match r.note.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) if !lead.notes.contains(n) => {
                if lead.notes.is_empty() {
                    n.to_owned()
                } else {
                    format!("{}\n{n}", lead.notes)
                }
            }
            _ => lead.notes.clone(),
        };
        let changed = name != lead.name
            || car_id != lead.car_id
            || budget != lead.budget
            || payment_method != lead.payment_method
            || conversation_id != lead.conversation_id
            || notes != lead.notes;
        if !changed {
            return Ok(lead);
        }
        const SQL: &str = "UPDATE leads SET name = $3, car_id = $4, budget = $5, payment_method = $6, \
                           conversation_id = $7, notes = $8, updated_at = $9 WHERE tenant_id = $1 AND id = $2";
        tx_query!(
            self.tx,
            execute,
            SQL,
            self.tenant.0,
            id,
            &name,
            car_id,
            budget,
            payment_method.map(PaymentMethod::as_str),
            conversation_id,
            &notes,
            now()
        )
        .map_err(|e| StoreError::from_reference(e, Some("leads.car_id")))?;
        let note = if summary.trim().is_empty() { "Data prospek diperbarui" } else { summary };
        let mut leads = Leads::new(&mut *self.tx, self.tenant);
        leads.add_note(id, actor, note).await?;
        leads.get(id).await?.ok_or(StoreError::NotFound)
    }
}
