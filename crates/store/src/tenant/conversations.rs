//! WhatsApp conversations: one per (channel, contact phone) of a tenant.
//!
//! The bot finds or creates the conversation for every inbound message, records the
//! contact's role (from the sales staff registry, never from the message), and keeps
//! the hand-off state: while `handoff_until` is in the future or an admin has taken the
//! chat over, the bot stays silent.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use garasi_domain::{PhoneNumber, TenantId};
use sqlx::FromRow;
use uuid::Uuid;

use crate::args::{Arg, Args, bind_args};
use crate::db::Tx;
use crate::error::{StoreError, StoreResult};
use crate::time::now;

/// Who the contact of a conversation is, as decided by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContactRole {
    Customer,
    Sales,
}

impl ContactRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ContactRole::Customer => "customer",
            ContactRole::Sales => "sales",
        }
    }
}

impl fmt::Display for ContactRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ContactRole {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "customer" => Ok(ContactRole::Customer),
            "sales" => Ok(ContactRole::Sales),
            _ => Err(()),
        }
    }
}

/// One conversation as stored.
#[derive(Debug, Clone)]
pub struct Conversation {
    pub id: Uuid,
    /// `simulator`, `waweb` or `cloud_api`.
    pub channel: String,
    /// E.164.
    pub contact_phone: String,
    pub contact_name: String,
    pub contact_role: ContactRole,
    /// Set when the contact is one of the showroom's salespeople.
    pub sales_staff_id: Option<Uuid>,
    /// The salesperson the chat was handed to.
    pub assigned_sales_id: Option<Uuid>,
    pub handoff_until: Option<DateTime<Utc>>,
    /// The admin user who took the chat over.
    pub taken_over_by: Option<Uuid>,
    pub last_message_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Conversation {
    /// Whether a person handles this chat at `at`, so the bot must not answer.
    pub fn bot_paused(&self, at: DateTime<Utc>) -> bool {
        self.taken_over_by.is_some() || self.handoff_until.is_some_and(|until| until > at)
    }
}

#[derive(FromRow)]
struct ConversationRow {
    id: Uuid,
    channel: String,
    contact_phone: String,
    contact_name: String,
    contact_role: String,
    sales_staff_id: Option<Uuid>,
    assigned_sales_id: Option<Uuid>,
    handoff_until: Option<DateTime<Utc>>,
    taken_over_by: Option<Uuid>,
    last_message_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<ConversationRow> for Conversation {
    type Error = StoreError;
    fn try_from(r: ConversationRow) -> StoreResult<Conversation> {
        let contact_role = r
            .contact_role
            .parse()
            .map_err(|_| StoreError::Corrupt { column: "conversations.contact_role", value: r.contact_role.clone() })?;
        Ok(Conversation {
            id: r.id,
            channel: r.channel,
            contact_phone: r.contact_phone,
            contact_name: r.contact_name,
            contact_role,
            sales_staff_id: r.sales_staff_id,
            assigned_sales_id: r.assigned_sales_id,
            handoff_until: r.handoff_until,
            taken_over_by: r.taken_over_by,
            last_message_at: r.last_message_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

const COLUMNS: &str = "id, channel, contact_phone, contact_name, contact_role, sales_staff_id, assigned_sales_id, \
                       handoff_until, taken_over_by, last_message_at, created_at, updated_at";

/// The contact of an inbound (or outbound) message, as the server resolved it.
#[derive(Debug, Clone)]
pub struct Contact<'a> {
    pub channel: &'a str,
    pub phone: &'a PhoneNumber,
    /// The WhatsApp push name; an empty name never overwrites a known one.
    pub name: &'a str,
    pub role: ContactRole,
    pub sales_staff_id: Option<Uuid>,
}

pub struct Conversations<'a> {
    tx: &'a mut Tx,
    tenant: TenantId,
}

impl<'a> Conversations<'a> {
    pub(crate) fn new(tx: &'a mut Tx, tenant: TenantId) -> Self {
        Conversations { tx, tenant }
    }

    /// Finds or creates the conversation of `contact` and stamps `last_message_at`.
    /// The role and staff link are refreshed every time (a salesperson may have been
    /// added or removed since the last message). A single statement, so concurrent
    /// deliveries of one contact's messages meet on the unique key, not in a race.
    pub async fn upsert(&mut self, contact: &Contact<'_>) -> StoreResult<Conversation> {
        let at = now();
        let sql = format!(
            "INSERT INTO conversations (tenant_id, id, channel, contact_phone, contact_name, contact_role, \
             sales_staff_id, last_message_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $8) \
             ON CONFLICT (tenant_id, channel, contact_phone) DO UPDATE SET \
             contact_name = CASE WHEN excluded.contact_name <> '' THEN excluded.contact_name \
             ELSE conversations.contact_name END, \
             contact_role = excluded.contact_role, sales_staff_id = excluded.sales_staff_id, \
             last_message_at = excluded.last_message_at, updated_at = excluded.updated_at \
             RETURNING {COLUMNS}"
        );
        let name: String = contact.name.trim().chars().take(120).collect();
        let row: ConversationRow = tx_query!(
            self.tx,
            fetch_one,
            sqlx::AssertSqlSafe(sql),
            self.tenant.0,
            Uuid::now_v7(),
            contact.channel,
            contact.phone.as_str(),
            &name,
            contact.role.as_str(),
            contact.sales_staff_id,
            at
        )
        .map_err(StoreError::from_write)?;
        row.try_into()
    }

    /// Whether the contact `phone` (E.164) ever wrote to the showroom, on any channel.
    pub async fn has_written(&mut self, phone: &str) -> StoreResult<bool> {
        const SQL: &str = "SELECT count(*) FROM messages m JOIN conversations c \
                           ON c.tenant_id = m.tenant_id AND c.id = m.conversation_id \
                           WHERE c.tenant_id = $1 AND c.contact_phone = $2 AND m.direction = 'in'";
        let n: i64 = tx_query!(self.tx, scalar_one, SQL, self.tenant.0, phone)?;
        Ok(n > 0)
    }

    pub async fn get(&mut self, id: Uuid) -> StoreResult<Option<Conversation>> {
        let sql = format!("SELECT {COLUMNS} FROM conversations WHERE tenant_id = $1 AND id = $2");
        let row: Option<ConversationRow> =
            tx_query!(self.tx, fetch_optional, sqlx::AssertSqlSafe(sql), self.tenant.0, id)?;
        row.map(Conversation::try_from).transpose()
    }

    /// The conversation of a contact on a channel, if there is one.
    pub async fn find(&mut self, channel: &str, phone: &PhoneNumber) -> StoreResult<Option<Conversation>> {
        let sql =
            format!("SELECT {COLUMNS} FROM conversations WHERE tenant_id = $1 AND channel = $2 AND contact_phone = $3");
        let row: Option<ConversationRow> =
            tx_query!(self.tx, fetch_optional, sqlx::AssertSqlSafe(sql), self.tenant.0, channel, phone.as_str())?;
        row.map(Conversation::try_from).transpose()
    }

    /// Takes the row lock of a conversation (a no-op write): work that must not run
    /// twice at once for one chat (opening its lead) queues up behind it, on
    /// PostgreSQL by the row lock and on SQLite by the write lock.
    pub async fn lock(&mut self, id: Uuid) -> StoreResult<bool> {
        const SQL: &str = "UPDATE conversations SET updated_at = updated_at WHERE tenant_id = $1 AND id = $2";
        let n = tx_query!(self.tx, execute, SQL, self.tenant.0, id)?;
        Ok(n > 0)
    }

    /// Hands the chat to a salesperson: the bot stays silent until `until`.
    /// `sales_id` must be this tenant's ([`StoreError::Conflict`] otherwise).
    pub async fn hand_off(&mut self, id: Uuid, sales_id: Option<Uuid>, until: DateTime<Utc>) -> StoreResult<()> {
        const SQL: &str = "UPDATE conversations SET assigned_sales_id = COALESCE($3, assigned_sales_id), \
                           handoff_until = $4, updated_at = $5 WHERE tenant_id = $1 AND id = $2";
        let n = tx_query!(self.tx, execute, SQL, self.tenant.0, id, sales_id, until, now())
            .map_err(|e| StoreError::from_reference(e, None))?;
        if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Ends a hand-off early: the bot answers again.
    pub async fn resume_bot(&mut self, id: Uuid) -> StoreResult<()> {
        const SQL: &str = "UPDATE conversations SET handoff_until = NULL, taken_over_by = NULL, updated_at = $3 \
                           WHERE tenant_id = $1 AND id = $2";
        let n = tx_query!(self.tx, execute, SQL, self.tenant.0, id, now())?;
        if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// An admin user takes the chat over (`Some`) or gives it back (`None`).
    pub async fn take_over(&mut self, id: Uuid, user_id: Option<Uuid>) -> StoreResult<()> {
        const SQL: &str =
            "UPDATE conversations SET taken_over_by = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2";
        let n = tx_query!(self.tx, execute, SQL, self.tenant.0, id, user_id, now())
            .map_err(|e| StoreError::from_reference(e, None))?;
        if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Conversations with the newest activity first.
    pub async fn list(&mut self, limit: i64, offset: i64) -> StoreResult<Vec<Conversation>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM conversations WHERE tenant_id = $1 \
             ORDER BY last_message_at DESC, id DESC LIMIT $2 OFFSET $3"
        );
        let rows: Vec<ConversationRow> =
            tx_query!(self.tx, fetch_all, sqlx::AssertSqlSafe(sql), self.tenant.0, limit, offset)?;
        rows.into_iter().map(Conversation::try_from).collect()
    }
}

// Tenant admin dashboard (issue #7).

/// Which conversations the dashboard lists. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct ConversationFilter {
    pub role: Option<ContactRole>,
    /// Digits of a phone number (any part of it) or part of the contact's name.
    pub search: Option<String>,
    /// Last message at or after this instant.
    pub active_from: Option<DateTime<Utc>>,
    /// Last message before this instant.
    pub active_until: Option<DateTime<Utc>>,
    /// Handed to this salesperson, or with this salesperson as the contact.
    pub sales_id: Option<Uuid>,
}

/// `WHERE` of [`ConversationFilter`]; `$1` is the tenant, `$2`–`$7` the filter values.
const FILTER_SQL: &str = "tenant_id = $1 AND ($2 IS NULL OR contact_role = $2) \
     AND ($3 IS NULL OR contact_phone LIKE $3 OR lower(contact_name) LIKE $4) \
     AND ($5 IS NULL OR last_message_at >= $5) AND ($6 IS NULL OR last_message_at < $6) \
     AND ($7 IS NULL OR assigned_sales_id = $7 OR sales_staff_id = $7)";

impl ConversationFilter {
    /// LIKE patterns for the search: digits as an E.164 fragment (a leading 0 of a
    /// local number becomes 62), and the lowercased text for names.
    fn patterns(&self) -> (Option<String>, Option<String>) {
        let Some(raw) = self.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
            return (None, None);
        };
        let escape = |s: &str| s.replace(['\\', '%', '_'], "");
        let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
        let digits = match digits.strip_prefix('0') {
            Some(rest) => format!("62{rest}"),
            None => digits,
        };
        // With no digits the phone pattern must match nothing, not everything.
        let phone = if digits.is_empty() { "\u{1}".to_owned() } else { format!("%{digits}%") };
        (Some(phone), Some(format!("%{}%", escape(&raw.to_lowercase()))))
    }
}

impl ConversationFilter {
    /// The values of [`FILTER_SQL`], `$1` to `$7`: the tenant, then the filter.
    fn args(&self, tenant: TenantId) -> Args {
        let (phone, name) = self.patterns();
        let mut args = Args::default();
        for arg in [
            Arg::Uuid(tenant.0),
            Arg::OptText(self.role.map(|r| r.as_str().to_owned())),
            Arg::OptText(phone),
            Arg::OptText(name),
            Arg::OptTime(self.active_from),
            Arg::OptTime(self.active_until),
            Arg::OptUuid(self.sales_id),
        ] {
            args.push(arg);
        }
        args
    }
}

impl Conversations<'_> {
    /// Matching conversations, newest activity first.
    pub async fn search(&mut self, f: &ConversationFilter, limit: i64, offset: i64) -> StoreResult<Vec<Conversation>> {
        let mut args = f.args(self.tenant);
        let limit = args.push(Arg::I64(limit));
        let offset = args.push(Arg::I64(offset));
        let sql = format!(
            "SELECT {COLUMNS} FROM conversations WHERE {FILTER_SQL} \
             ORDER BY last_message_at DESC, id DESC LIMIT {limit} OFFSET {offset}"
        );
        let rows: Vec<ConversationRow> =
            with_tx!(self.tx, |c| bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), args).fetch_all(c).await)?;
        rows.into_iter().map(Conversation::try_from).collect()
    }

    /// How many conversations match.
    pub async fn count_matching(&mut self, f: &ConversationFilter) -> StoreResult<i64> {
        let sql = format!("SELECT count(*) FROM conversations WHERE {FILTER_SQL}");
        let args = f.args(self.tenant);
        Ok(with_tx!(self.tx, |c| bind_args!(sqlx::query_scalar(sqlx::AssertSqlSafe(sql)), args).fetch_one(c).await)?)
    }

    /// Per salesperson: (id, chats handed to them, chats they wrote in themselves).
    pub async fn counts_by_sales(&mut self) -> StoreResult<Vec<(Uuid, i64, i64)>> {
        const SQL: &str = "SELECT s.id, \
             (SELECT count(*) FROM conversations c WHERE c.tenant_id = s.tenant_id AND c.assigned_sales_id = s.id), \
             (SELECT count(*) FROM conversations c WHERE c.tenant_id = s.tenant_id AND c.sales_staff_id = s.id) \
             FROM sales_staff s WHERE s.tenant_id = $1 AND s.deleted_at IS NULL";
        Ok(tx_query!(self.tx, fetch_all, SQL, self.tenant.0)?)
    }
}
