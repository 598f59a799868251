//! Visits and test drives (`appointments`), and the ids of the WhatsApp messages Garasi
//! sent (`wa_sent_messages`), which tell a person's reply from the showroom's phone apart
//! from the bot's own messages.

use chrono::{DateTime, Utc};
use garasi_domain::TenantId;
use garasi_domain::visit::{AppointmentStatus, VisitKind};
use sqlx::FromRow;
use uuid::Uuid;

use crate::db::Tx;
use crate::error::{StoreError, StoreResult};
use crate::time::now;

/// One appointment as stored, with the names the dashboard shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Appointment {
    pub id: Uuid,
    pub lead_id: Option<Uuid>,
    pub conversation_id: Option<Uuid>,
    pub car_id: Option<Uuid>,
    pub sales_id: Option<Uuid>,
    /// E.164.
    pub phone: String,
    pub name: String,
    pub kind: VisitKind,
    pub status: AppointmentStatus,
    pub starts_at: DateTime<Utc>,
    pub note: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// "Toyota Avanza 1.5 G 2021" and its stock number, when a car is linked.
    pub car_title: Option<String>,
    pub stock_no: Option<i64>,
    pub sales_name: Option<String>,
}

#[derive(FromRow)]
struct Row {
    id: Uuid,
    lead_id: Option<Uuid>,
    conversation_id: Option<Uuid>,
    car_id: Option<Uuid>,
    sales_id: Option<Uuid>,
    phone: String,
    name: String,
    kind: String,
    status: String,
    starts_at: DateTime<Utc>,
    note: String,
    created_by: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    car_brand: Option<String>,
    car_model: Option<String>,
    car_variant: Option<String>,
    car_year: Option<i64>,
    stock_no: Option<i64>,
    sales_name: Option<String>,
}

impl TryFrom<Row> for Appointment {
    type Error = StoreError;
    fn try_from(r: Row) -> StoreResult<Appointment> {
        let kind: VisitKind =
            r.kind.parse().map_err(|_| StoreError::Corrupt { column: "appointments.kind", value: r.kind })?;
        let status: AppointmentStatus =
            r.status.parse().map_err(|_| StoreError::Corrupt { column: "appointments.status", value: r.status })?;
        let car_title = match (r.car_brand, r.car_model, r.car_year) {
            (Some(b), Some(m), Some(y)) => {
                let v = r.car_variant.unwrap_or_default();
                Some([b, m, v, y.to_string()].iter().filter(|s| !s.is_empty()).cloned().collect::<Vec<_>>().join(" "))
            }
            _ => None,
        };
        Ok(Appointment {
            id: r.id,
            lead_id: r.lead_id,
            conversation_id: r.conversation_id,
            car_id: r.car_id,
            sales_id: r.sales_id,
            phone: r.phone,
            name: r.name,
            kind,
            status,
            starts_at: r.starts_at,
            note: r.note,
            created_by: r.created_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
            car_title,
            stock_no: r.stock_no,
            sales_name: r.sales_name,
        })
    }
}

const SELECT: &str = "SELECT a.id, a.lead_id, a.conversation_id, a.car_id, a.sales_id, a.phone, a.name, a.kind, \
     a.status, a.starts_at, a.note, a.created_by, a.created_at, a.updated_at, c.brand AS car_brand, \
     c.model AS car_model, c.variant AS car_variant, c.year AS car_year, c.stock_no AS stock_no, s.name AS sales_name \
     FROM appointments a \
     LEFT JOIN cars c ON c.tenant_id = a.tenant_id AND c.id = a.car_id \
     LEFT JOIN sales_staff s ON s.tenant_id = a.tenant_id AND s.id = a.sales_id";

/// An appointment to create.
#[derive(Debug, Clone)]
pub struct NewAppointment {
    pub lead_id: Option<Uuid>,
    pub conversation_id: Option<Uuid>,
    pub car_id: Option<Uuid>,
    pub sales_id: Option<Uuid>,
    pub phone: String,
    pub name: String,
    pub kind: VisitKind,
    pub starts_at: DateTime<Utc>,
    pub note: String,
    pub created_by: String,
}

pub struct Appointments<'a> {
    tx: &'a mut Tx,
    tenant: TenantId,
}

impl<'a> Appointments<'a> {
    pub(crate) fn new(tx: &'a mut Tx, tenant: TenantId) -> Self {
        Appointments { tx, tenant }
    }

    /// Creates a scheduled appointment. Linked rows must be this tenant's
    /// ([`StoreError::Conflict`] otherwise, by the composite foreign keys).
    pub async fn create(&mut self, new: &NewAppointment) -> StoreResult<Appointment> {
        const SQL: &str = "INSERT INTO appointments (tenant_id, id, lead_id, conversation_id, car_id, sales_id, phone, \
             name, kind, status, starts_at, note, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'scheduled', $10, $11, $12, $13, $13)";
        let id = Uuid::now_v7();
        let name: String = new.name.trim().chars().take(120).collect();
        let note: String = new.note.trim().chars().take(500).collect();
        tx_query!(
            self.tx,
            execute,
            SQL,
            self.tenant.0,
            id,
            new.lead_id,
            new.conversation_id,
            new.car_id,
            new.sales_id,
            &new.phone,
            &name,
            new.kind.as_str(),
            new.starts_at,
            &note,
            &new.created_by,
            now()
        )
        .map_err(|e| StoreError::from_reference(e, None))?;
        self.get(id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn get(&mut self, id: Uuid) -> StoreResult<Option<Appointment>> {
        let sql = format!("{SELECT} WHERE a.tenant_id = $1 AND a.id = $2");
        let row: Option<Row> = tx_query!(self.tx, fetch_optional, sqlx::AssertSqlSafe(sql), self.tenant.0, id)?;
        row.map(Appointment::try_from).transpose()
    }

    /// Moves an appointment to `starts_at` (it stays or becomes scheduled).
    pub async fn reschedule(&mut self, id: Uuid, starts_at: DateTime<Utc>) -> StoreResult<Appointment> {
        const SQL: &str = "UPDATE appointments SET starts_at = $3, status = 'scheduled', updated_at = $4 \
                           WHERE tenant_id = $1 AND id = $2";
        let n = tx_query!(self.tx, execute, SQL, self.tenant.0, id, starts_at, now())?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        self.get(id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn set_status(&mut self, id: Uuid, status: AppointmentStatus) -> StoreResult<Appointment> {
        const SQL: &str = "UPDATE appointments SET status = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2";
        let n = tx_query!(self.tx, execute, SQL, self.tenant.0, id, status.as_str(), now())?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        self.get(id).await?.ok_or(StoreError::NotFound)
    }

    /// Appointments starting in `[from, until)`, earliest first.
    pub async fn between(&mut self, from: DateTime<Utc>, until: DateTime<Utc>) -> StoreResult<Vec<Appointment>> {
        let sql = format!(
            "{SELECT} WHERE a.tenant_id = $1 AND a.starts_at >= $2 AND a.starts_at < $3 ORDER BY a.starts_at, a.id LIMIT 500"
        );
        let rows: Vec<Row> = tx_query!(self.tx, fetch_all, sqlx::AssertSqlSafe(sql), self.tenant.0, from, until)?;
        rows.into_iter().map(Appointment::try_from).collect()
    }

    /// A lead's appointments, newest start first.
    pub async fn of_lead(&mut self, lead_id: Uuid) -> StoreResult<Vec<Appointment>> {
        let sql =
            format!("{SELECT} WHERE a.tenant_id = $1 AND a.lead_id = $2 ORDER BY a.starts_at DESC, a.id LIMIT 100");
        let rows: Vec<Row> = tx_query!(self.tx, fetch_all, sqlx::AssertSqlSafe(sql), self.tenant.0, lead_id)?;
        rows.into_iter().map(Appointment::try_from).collect()
    }

    /// A customer's next scheduled appointment that has not started before `after`.
    pub async fn upcoming_for_phone(&mut self, phone: &str, after: DateTime<Utc>) -> StoreResult<Option<Appointment>> {
        let sql = format!(
            "{SELECT} WHERE a.tenant_id = $1 AND a.phone = $2 AND a.status = 'scheduled' AND a.starts_at >= $3 \
             ORDER BY a.starts_at, a.id LIMIT 1"
        );
        let row: Option<Row> =
            tx_query!(self.tx, fetch_optional, sqlx::AssertSqlSafe(sql), self.tenant.0, phone, after)?;
        row.map(Appointment::try_from).transpose()
    }
}

/// Ids of the messages Garasi itself sent from a showroom's WhatsApp number.
pub struct SentMessages<'a> {
    tx: &'a mut Tx,
    tenant: TenantId,
}

impl<'a> SentMessages<'a> {
    pub(crate) fn new(tx: &'a mut Tx, tenant: TenantId) -> Self {
        SentMessages { tx, tenant }
    }

    /// Records that Garasi sent `provider_message_id` (a repeat is a no-op).
    pub async fn record(&mut self, provider_message_id: &str, at: DateTime<Utc>) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO wa_sent_messages (tenant_id, provider_message_id, sent_at) VALUES ($1, $2, $3) \
                           ON CONFLICT (tenant_id, provider_message_id) DO NOTHING";
        tx_query!(self.tx, execute, SQL, self.tenant.0, provider_message_id, at)?;
        Ok(())
    }

    /// Whether Garasi sent `provider_message_id`.
    pub async fn sent_by_us(&mut self, provider_message_id: &str) -> StoreResult<bool> {
        const SQL: &str = "SELECT count(*) FROM wa_sent_messages WHERE tenant_id = $1 AND provider_message_id = $2";
        let n: i64 = tx_query!(self.tx, scalar_one, SQL, self.tenant.0, provider_message_id)?;
        Ok(n > 0)
    }

    /// Forgets ids older than `before` (a person's reply arrives within seconds of ours).
    pub async fn forget_before(&mut self, before: DateTime<Utc>) -> StoreResult<u64> {
        const SQL: &str = "DELETE FROM wa_sent_messages WHERE tenant_id = $1 AND sent_at < $2";
        Ok(tx_query!(self.tx, execute, SQL, self.tenant.0, before)?)
    }
}
