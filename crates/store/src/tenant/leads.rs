//! Leads (prospective buyers) and their history (`lead_events`).
//!
//! Every change a person or the bot makes to a lead is written as a `lead_events` row
//! in the same transaction as the change itself: `created`, `status` (with from/to),
//! `note` and `assigned`.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use garasi_domain::{PhoneNumber, Rupiah, TenantId};
use sqlx::FromRow;
use uuid::Uuid;

use crate::db::Tx;
use crate::error::{StoreError, StoreResult};
use crate::time::now;

/// Where a lead is in the sales funnel. Any status may change to any other one (a lost
/// buyer can come back, a deal can fall through); only "changing" to the same status
/// is refused, so every history row records a real change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LeadStatus {
    New,
    Contacted,
    Qualified,
    Converted,
    Lost,
}

impl LeadStatus {
    pub const ALL: [LeadStatus; 5] =
        [LeadStatus::New, LeadStatus::Contacted, LeadStatus::Qualified, LeadStatus::Converted, LeadStatus::Lost];

    pub fn as_str(self) -> &'static str {
        match self {
            LeadStatus::New => "new",
            LeadStatus::Contacted => "contacted",
            LeadStatus::Qualified => "qualified",
            LeadStatus::Converted => "converted",
            LeadStatus::Lost => "lost",
        }
    }

    /// Indonesian name for people (dashboard, CSV export).
    pub fn label(self) -> &'static str {
        match self {
            LeadStatus::New => "Baru",
            LeadStatus::Contacted => "Sudah dihubungi",
            LeadStatus::Qualified => "Berminat serius",
            LeadStatus::Converted => "Deal",
            LeadStatus::Lost => "Batal",
        }
    }
}

impl fmt::Display for LeadStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseLeadStatusError(pub String);

impl fmt::Display for ParseLeadStatusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Status prospek tidak dikenal: {}", self.0)
    }
}

impl std::error::Error for ParseLeadStatusError {}

impl FromStr for LeadStatus {
    type Err = ParseLeadStatusError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LeadStatus::ALL.into_iter().find(|st| st.as_str() == s).ok_or_else(|| ParseLeadStatusError(s.to_owned()))
    }
}

/// How the buyer means to pay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PaymentMethod {
    Cash,
    Credit,
}

impl PaymentMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "cash",
            PaymentMethod::Credit => "credit",
        }
    }

    /// Indonesian name for people.
    pub fn label(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "Tunai",
            PaymentMethod::Credit => "Kredit",
        }
    }
}

impl FromStr for PaymentMethod {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "cash" => Ok(PaymentMethod::Cash),
            "credit" => Ok(PaymentMethod::Credit),
            _ => Err(()),
        }
    }
}

// Kept reachable here: callers filter leads by Jakarta days.
pub use garasi_domain::time::{jakarta, jakarta_day_start};

/// A lead as read back, with the stock number of its car and the name of its salesperson.
#[derive(Debug, Clone)]
pub struct Lead {
    pub id: Uuid,
    pub phone: String,
    pub name: String,
    pub status: LeadStatus,
    pub car_id: Option<Uuid>,
    pub stock_no: Option<i64>,
    pub conversation_id: Option<Uuid>,
    pub assigned_sales_id: Option<Uuid>,
    pub assigned_sales_name: Option<String>,
    /// Whole rupiah.
    pub budget: Option<i64>,
    pub payment_method: Option<PaymentMethod>,
    pub notes: String,
    /// Where the lead came from, e.g. `whatsapp`, `simulator`, `web`.
    pub source: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct LeadRow {
    id: Uuid,
    phone: String,
    name: String,
    status: String,
    car_id: Option<Uuid>,
    stock_no: Option<i64>,
    conversation_id: Option<Uuid>,
    assigned_sales_id: Option<Uuid>,
    assigned_sales_name: Option<String>,
    budget: Option<i64>,
    payment_method: Option<String>,
    notes: String,
    source: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<LeadRow> for Lead {
    type Error = StoreError;
    fn try_from(r: LeadRow) -> StoreResult<Lead> {
        let status =
            r.status.parse().map_err(|_| StoreError::Corrupt { column: "leads.status", value: r.status.clone() })?;
        let payment_method = match r.payment_method {
            None => None,
            Some(p) => {
                Some(p.parse().map_err(|_| StoreError::Corrupt { column: "leads.payment_method", value: p.clone() })?)
            }
        };
        Ok(Lead {
            id: r.id,
            phone: r.phone,
            name: r.name,
            status,
            car_id: r.car_id,
            stock_no: r.stock_no,
            conversation_id: r.conversation_id,
            assigned_sales_id: r.assigned_sales_id,
            assigned_sales_name: r.assigned_sales_name,
            budget: r.budget,
            payment_method,
            notes: r.notes,
            source: r.source,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// `SELECT <lead columns> FROM leads l (+ car and salesperson) <rest>`. The joins match
/// on `tenant_id` as well, like the composite foreign keys they follow.
macro_rules! select_leads {
    ($rest:literal) => {
        concat!(
            "SELECT l.id, l.phone, l.name, l.status, l.car_id, c.stock_no, l.conversation_id, ",
            "l.assigned_sales_id, s.name AS assigned_sales_name, l.budget, l.payment_method, l.notes, l.source, ",
            "l.created_at, l.updated_at FROM leads l ",
            "LEFT JOIN cars c ON c.tenant_id = l.tenant_id AND c.id = l.car_id ",
            "LEFT JOIN sales_staff s ON s.tenant_id = l.tenant_id AND s.id = l.assigned_sales_id ",
            $rest
        )
    };
}

/// A lead to create (by the bot, the simulator or a person).
#[derive(Debug, Clone)]
pub struct NewLead {
    pub phone: PhoneNumber,
    pub name: String,
    pub car_id: Option<Uuid>,
    pub conversation_id: Option<Uuid>,
    pub assigned_sales_id: Option<Uuid>,
    pub budget: Option<Rupiah>,
    pub payment_method: Option<PaymentMethod>,
    pub notes: String,
    /// e.g. `whatsapp` (the default in the schema), `simulator`, `web`.
    pub source: String,
}

impl NewLead {
    /// A lead with only a phone number; fill in the rest with struct update syntax.
    pub fn new(phone: PhoneNumber) -> NewLead {
        NewLead {
            phone,
            name: String::new(),
            car_id: None,
            conversation_id: None,
            assigned_sales_id: None,
            budget: None,
            payment_method: None,
            notes: String::new(),
            source: "whatsapp".into(),
        }
    }
}

/// One line of a lead's history.
#[derive(Debug, Clone, FromRow)]
pub struct LeadEvent {
    pub id: Uuid,
    pub lead_id: Uuid,
    /// `created`, `status`, `note` or `assigned`.
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub note: String,
    /// Free text: a user's name or e-mail, `bot`, `system`.
    pub actor: String,
    pub created_at: DateTime<Utc>,
}

/// Which leads to list. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct LeadFilter {
    pub status: Option<LeadStatus>,
    pub assigned_sales_id: Option<Uuid>,
    /// First calendar day included, in Asia/Jakarta time.
    pub created_from: Option<NaiveDate>,
    /// Last calendar day included, in Asia/Jakarta time.
    pub created_to: Option<NaiveDate>,
}

impl LeadFilter {
    /// The filter's days as a half-open UTC range `[from, until)`.
    fn bounds(&self) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        let from = self.created_from.and_then(jakarta_day_start);
        let until = self.created_to.and_then(|d| d.succ_opt()).and_then(jakarta_day_start);
        (from, until)
    }
}

/// What [`Leads::set_status`] did.
#[derive(Debug, Clone)]
pub enum StatusChange {
    /// The status changed and a `status` event was written.
    Changed(Lead),
    /// The lead already had that status; nothing was written.
    Unchanged(Lead),
}

impl StatusChange {
    pub fn lead(&self) -> &Lead {
        match self {
            StatusChange::Changed(l) | StatusChange::Unchanged(l) => l,
        }
    }
}

pub struct Leads<'a> {
    tx: &'a mut Tx,
    tenant: TenantId,
}

impl<'a> Leads<'a> {
    pub(crate) fn new(tx: &'a mut Tx, tenant: TenantId) -> Self {
        Leads { tx, tenant }
    }

    /// Creates a lead and its `created` event, with `actor` (e.g. `bot`) as the author.
    /// `car_id`, `conversation_id` and `assigned_sales_id` must be this tenant's, or the
    /// composite foreign keys refuse the write ([`StoreError::Conflict`]).
    pub async fn create(&mut self, new: &NewLead, actor: &str) -> StoreResult<Lead> {
        let id = Uuid::now_v7();
        let at = now();
        const SQL: &str = "INSERT INTO leads (tenant_id, id, conversation_id, phone, name, status, car_id, \
                           assigned_sales_id, budget, payment_method, notes, source, created_at, updated_at) \
                           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)";
        tx_query!(
            self.tx,
            execute,
            SQL,
            self.tenant.0,
            id,
            new.conversation_id,
            new.phone.as_str(),
            new.name.trim(),
            LeadStatus::New.as_str(),
            new.car_id,
            new.assigned_sales_id,
            new.budget.map(|b| b.value()),
            new.payment_method.map(PaymentMethod::as_str),
            &new.notes,
            &new.source,
            at
        )
        .map_err(|e| StoreError::from_reference(e, None))?;
        self.add_event(id, "created", None, Some(LeadStatus::New), "", actor, at).await?;
        self.get(id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn get(&mut self, id: Uuid) -> StoreResult<Option<Lead>> {
        const SQL: &str = select_leads!("WHERE l.tenant_id = $1 AND l.id = $2");
        let row: Option<LeadRow> = tx_query!(self.tx, fetch_optional, SQL, self.tenant.0, id)?;
        row.map(Lead::try_from).transpose()
    }

    /// The newest lead of a conversation, if any: the bot updates it rather than
    /// opening a second lead for the same chat.
    pub async fn latest_for_conversation(&mut self, conversation_id: Uuid) -> StoreResult<Option<Lead>> {
        const SQL: &str = select_leads!(
            "WHERE l.tenant_id = $1 AND l.conversation_id = $2 ORDER BY l.created_at DESC, l.id DESC LIMIT 1"
        );
        let row: Option<LeadRow> = tx_query!(self.tx, fetch_optional, SQL, self.tenant.0, conversation_id)?;
        row.map(Lead::try_from).transpose()
    }

    /// Matching leads, newest first.
    pub async fn list(&mut self, filter: &LeadFilter, limit: i64, offset: i64) -> StoreResult<Vec<Lead>> {
        const SQL: &str = select_leads!(
            "WHERE l.tenant_id = $1 AND ($2 IS NULL OR l.status = $2) AND ($3 IS NULL OR l.assigned_sales_id = $3) \
             AND ($4 IS NULL OR l.created_at >= $4) AND ($5 IS NULL OR l.created_at < $5) \
             ORDER BY l.created_at DESC, l.id DESC LIMIT $6 OFFSET $7"
        );
        let (from, until) = filter.bounds();
        let rows: Vec<LeadRow> = tx_query!(
            self.tx,
            fetch_all,
            SQL,
            self.tenant.0,
            filter.status.map(LeadStatus::as_str),
            filter.assigned_sales_id,
            from,
            until,
            limit,
            offset
        )?;
        rows.into_iter().map(Lead::try_from).collect()
    }

    /// How many leads match.
    pub async fn count(&mut self, filter: &LeadFilter) -> StoreResult<i64> {
        const SQL: &str = "SELECT count(*) FROM leads l WHERE l.tenant_id = $1 AND ($2 IS NULL OR l.status = $2) \
                           AND ($3 IS NULL OR l.assigned_sales_id = $3) \
                           AND ($4 IS NULL OR l.created_at >= $4) AND ($5 IS NULL OR l.created_at < $5)";
        let (from, until) = filter.bounds();
        Ok(tx_query!(
            self.tx,
            scalar_one,
            SQL,
            self.tenant.0,
            filter.status.map(LeadStatus::as_str),
            filter.assigned_sales_id,
            from,
            until
        )?)
    }

    /// Moves a lead to `to` and writes a `status` event (from, to, `note`, `actor`).
    /// [`StoreError::NotFound`] when the lead is not this tenant's; `Unchanged` (and no
    /// event) when it already has that status.
    pub async fn set_status(&mut self, id: Uuid, to: LeadStatus, actor: &str, note: &str) -> StoreResult<StatusChange> {
        // Write before reading: the no-op update takes the row lock on PostgreSQL (like
        // SELECT … FOR UPDATE, which SQLite lacks) and the write lock on SQLite (whose
        // deferred transactions cannot turn a read into a write while another writer is
        // busy). Concurrent changes of one lead thus queue up, and the `from` written to
        // the history is the status actually replaced.
        const LOCK: &str = "UPDATE leads SET updated_at = updated_at WHERE tenant_id = $1 AND id = $2";
        let found = tx_query!(self.tx, execute, LOCK, self.tenant.0, id)?;
        if found == 0 {
            return Err(StoreError::NotFound);
        }
        let lead = self.get(id).await?.ok_or(StoreError::NotFound)?;
        if lead.status == to {
            return Ok(StatusChange::Unchanged(lead));
        }
        let at = now();
        const SQL: &str = "UPDATE leads SET status = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2";
        tx_query!(self.tx, execute, SQL, self.tenant.0, id, to.as_str(), at)?;
        self.add_event(id, "status", Some(lead.status), Some(to), note, actor, at).await?;
        let lead = self.get(id).await?.ok_or(StoreError::NotFound)?;
        Ok(StatusChange::Changed(lead))
    }

    /// Hands the lead to a salesperson (or to nobody) and writes an `assigned` event.
    /// The salesperson must be this tenant's ([`StoreError::Conflict`] otherwise).
    pub async fn assign(&mut self, id: Uuid, sales_id: Option<Uuid>, actor: &str, note: &str) -> StoreResult<Lead> {
        let at = now();
        const SQL: &str = "UPDATE leads SET assigned_sales_id = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2";
        let done = tx_query!(self.tx, execute, SQL, self.tenant.0, id, sales_id, at)
            .map_err(|e| StoreError::from_reference(e, None))?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        self.add_event(id, "assigned", None, None, note, actor, at).await?;
        self.get(id).await?.ok_or(StoreError::NotFound)
    }

    /// Adds a `note` event to the lead's history. [`StoreError::NotFound`] when the lead
    /// is not this tenant's.
    pub async fn add_note(&mut self, id: Uuid, actor: &str, note: &str) -> StoreResult<LeadEvent> {
        let at = now();
        const SQL: &str = "UPDATE leads SET updated_at = $3 WHERE tenant_id = $1 AND id = $2";
        let done = tx_query!(self.tx, execute, SQL, self.tenant.0, id, at)?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        self.add_event(id, "note", None, None, note, actor, at).await
    }

    /// The lead's history, oldest first. Empty for a lead that is not this tenant's.
    pub async fn events(&mut self, lead_id: Uuid) -> StoreResult<Vec<LeadEvent>> {
        const SQL: &str = "SELECT id, lead_id, kind, from_status, to_status, note, actor, created_at \
                           FROM lead_events WHERE tenant_id = $1 AND lead_id = $2 ORDER BY created_at, id";
        Ok(tx_query!(self.tx, fetch_all, SQL, self.tenant.0, lead_id)?)
    }

    #[allow(clippy::too_many_arguments)]
    async fn add_event(
        &mut self,
        lead_id: Uuid,
        kind: &str,
        from: Option<LeadStatus>,
        to: Option<LeadStatus>,
        note: &str,
        actor: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<LeadEvent> {
        let id = Uuid::now_v7();
        const SQL: &str = "INSERT INTO lead_events (tenant_id, id, lead_id, kind, from_status, to_status, note, \
                           actor, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
        tx_query!(
            self.tx,
            execute,
            SQL,
            self.tenant.0,
            id,
            lead_id,
            kind,
            from.map(LeadStatus::as_str),
            to.map(LeadStatus::as_str),
            note,
            actor,
            at
        )
        .map_err(|e| StoreError::from_reference(e, None))?;
        Ok(LeadEvent {
            id,
            lead_id,
            kind: kind.to_owned(),
            from_status: from.map(|s| s.as_str().to_owned()),
            to_status: to.map(|s| s.as_str().to_owned()),
            note: note.to_owned(),
            actor: actor.to_owned(),
            created_at: at,
        })
    }
}

// ----------------------------------------------------------------------------------------
// Figures for the dashboards (analytics, sales staff).
// ----------------------------------------------------------------------------------------

impl Leads<'_> {
    /// When each lead created since `since` came in, oldest first (leads per day).
    pub async fn created_since(&mut self, since: DateTime<Utc>) -> StoreResult<Vec<DateTime<Utc>>> {
        const SQL: &str = "SELECT created_at FROM leads WHERE tenant_id = $1 AND created_at >= $2 ORDER BY created_at";
        Ok(tx_query!(self.tx, scalar_all, SQL, self.tenant.0, since)?)
    }

    /// The cars most leads since `since` asked about: (car id, leads), most first.
    pub async fn top_cars_since(&mut self, since: DateTime<Utc>, limit: i64) -> StoreResult<Vec<(Uuid, i64)>> {
        const SQL: &str = "SELECT car_id, count(*) AS n FROM leads WHERE tenant_id = $1 AND created_at >= $2 \
                           AND car_id IS NOT NULL GROUP BY car_id ORDER BY n DESC, car_id LIMIT $3";
        Ok(tx_query!(self.tx, fetch_all, SQL, self.tenant.0, since, limit)?)
    }

    /// Per salesperson: (id, leads assigned, of which still open, i.e. not converted or lost).
    pub async fn counts_by_sales(&mut self) -> StoreResult<Vec<(Uuid, i64, i64)>> {
        const SQL: &str = "SELECT assigned_sales_id, count(*), \
                           COALESCE(SUM(CASE WHEN status IN ('converted', 'lost') THEN 0 ELSE 1 END), 0) \
                           FROM leads WHERE tenant_id = $1 AND assigned_sales_id IS NOT NULL \
                           GROUP BY assigned_sales_id";
        Ok(tx_query!(self.tx, fetch_all, SQL, self.tenant.0)?)
    }
}
