//! Follow-ups with consent (`followup_subscriptions`, `followup_sends`): which customer
//! was offered news about which car, who said yes, who said STOP, and what was sent.

use chrono::{DateTime, Utc};
use garasi_domain::TenantId;
use sqlx::FromRow;
use uuid::Uuid;

use crate::db::Tx;
use crate::error::{StoreError, StoreResult};
use crate::time::now;

/// One customer's interest in one car.
#[derive(Debug, Clone, FromRow)]
pub struct Subscription {
    pub id: Uuid,
    pub phone: String,
    pub conversation_id: Option<Uuid>,
    pub car_id: Uuid,
    pub model: String,
    pub body_type: Option<String>,
    pub price_band: i64,
    pub price: i64,
    pub channel: String,
    pub offered_at: DateTime<Utc>,
    pub consented_at: Option<DateTime<Utc>>,
    pub opted_out_at: Option<DateTime<Utc>>,
}

/// An offer the bot just made.
#[derive(Debug, Clone)]
pub struct NewOffer {
    pub phone: String,
    pub conversation_id: Option<Uuid>,
    pub car_id: Uuid,
    pub model: String,
    pub body_type: Option<String>,
    pub price_band: i64,
    pub price: i64,
    pub channel: String,
    pub at: DateTime<Utc>,
}

const COLUMNS: &str = "SELECT id, phone, conversation_id, car_id, model, body_type, price_band, price, channel, \
                       offered_at, consented_at, opted_out_at FROM followup_subscriptions ";

pub struct Followups<'a> {
    tx: &'a mut Tx,
    tenant: TenantId,
}

impl<'a> Followups<'a> {
    pub(crate) fn new(tx: &'a mut Tx, tenant: TenantId) -> Self {
        Followups { tx, tenant }
    }

    /// The offer for one customer and car, if any was made.
    pub async fn get(&mut self, phone: &str, car_id: Uuid) -> StoreResult<Option<Subscription>> {
        let sql = format!("{COLUMNS} WHERE tenant_id = $1 AND phone = $2 AND car_id = $3");
        Ok(tx_query!(self.tx, fetch_optional, sqlx::AssertSqlSafe(sql), self.tenant.0, phone, car_id)?)
    }

    /// Records an offer; `false` when this customer was offered this car before.
    pub async fn offer(&mut self, o: &NewOffer) -> StoreResult<bool> {
        const SQL: &str = "INSERT INTO followup_subscriptions (tenant_id, id, phone, conversation_id, car_id, model, \
                           body_type, price_band, price, channel, offered_at, created_at) \
                           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                           ON CONFLICT (tenant_id, phone, car_id) DO NOTHING";
        let n = tx_query!(
            self.tx,
            execute,
            SQL,
            self.tenant.0,
            Uuid::now_v7(),
            &o.phone,
            o.conversation_id,
            o.car_id,
            &o.model,
            &o.body_type,
            o.price_band,
            o.price,
            &o.channel,
            o.at,
            now()
        )
        .map_err(|e| StoreError::from_reference(e, None))?;
        Ok(n > 0)
    }

    /// The customer says yes to the offer about `car_id`. `false` when there was no open offer.
    pub async fn consent(&mut self, phone: &str, car_id: Uuid, channel: &str, at: DateTime<Utc>) -> StoreResult<bool> {
        const SQL: &str = "UPDATE followup_subscriptions SET consented_at = $4, channel = $5 \
                           WHERE tenant_id = $1 AND phone = $2 AND car_id = $3 AND opted_out_at IS NULL";
        Ok(tx_query!(self.tx, execute, SQL, self.tenant.0, phone, car_id, at, channel)? > 0)
    }

    /// "STOP": every subscription and offer of the customer ends now. Returns how many.
    pub async fn opt_out_all(&mut self, phone: &str, at: DateTime<Utc>) -> StoreResult<u64> {
        const SQL: &str = "UPDATE followup_subscriptions SET opted_out_at = $3 \
                           WHERE tenant_id = $1 AND phone = $2 AND opted_out_at IS NULL";
        Ok(tx_query!(self.tx, execute, SQL, self.tenant.0, phone, at)?)
    }

    /// Whether the customer ever said STOP here (no more offers then).
    pub async fn opted_out(&mut self, phone: &str) -> StoreResult<bool> {
        const SQL: &str = "SELECT count(*) FROM followup_subscriptions WHERE tenant_id = $1 AND phone = $2 AND opted_out_at IS NOT NULL";
        let n: i64 = tx_query!(self.tx, scalar_one, SQL, self.tenant.0, phone)?;
        Ok(n > 0)
    }

    /// Consented, not opted-out subscriptions to `car_id`.
    pub async fn active_for_car(&mut self, car_id: Uuid) -> StoreResult<Vec<Subscription>> {
        let sql = format!(
            "{COLUMNS} WHERE tenant_id = $1 AND car_id = $2 AND consented_at IS NOT NULL AND opted_out_at IS NULL \
             ORDER BY consented_at, id"
        );
        Ok(tx_query!(self.tx, fetch_all, sqlx::AssertSqlSafe(sql), self.tenant.0, car_id)?)
    }

    /// Consented, not opted-out subscriptions to another car of the same model, or of the
    /// same body type and price band.
    pub async fn active_similar(
        &mut self,
        car_id: Uuid,
        model: &str,
        body_type: Option<&str>,
        price_band: i64,
    ) -> StoreResult<Vec<Subscription>> {
        let sql = format!(
            "{COLUMNS} WHERE tenant_id = $1 AND car_id <> $2 AND consented_at IS NOT NULL AND opted_out_at IS NULL \
             AND (lower(model) = lower($3) OR (body_type = $4 AND price_band = $5)) ORDER BY consented_at, id"
        );
        Ok(tx_query!(
            self.tx,
            fetch_all,
            sqlx::AssertSqlSafe(sql),
            self.tenant.0,
            car_id,
            model,
            body_type,
            price_band
        )?)
    }

    /// Whether a message of `kind` went out for this subscription, or any message about
    /// `car_id` to `phone`.
    pub async fn already_sent(
        &mut self,
        subscription_id: Uuid,
        kind: &str,
        phone: &str,
        car_id: Uuid,
    ) -> StoreResult<bool> {
        const SQL: &str = "SELECT count(*) FROM followup_sends WHERE tenant_id = $1 \
                           AND ((subscription_id = $2 AND kind = $3) OR (phone = $4 AND car_id = $5))";
        let n: i64 = tx_query!(self.tx, scalar_one, SQL, self.tenant.0, subscription_id, kind, phone, car_id)?;
        Ok(n > 0)
    }

    /// Records a message sent; `false` when it was recorded before (and must not go out).
    pub async fn record_send(
        &mut self,
        subscription_id: Uuid,
        kind: &str,
        car_id: Uuid,
        phone: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        const SQL: &str = "INSERT INTO followup_sends (tenant_id, id, subscription_id, kind, car_id, phone, sent_at) \
                           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING";
        let n =
            tx_query!(self.tx, execute, SQL, self.tenant.0, Uuid::now_v7(), subscription_id, kind, car_id, phone, at)
                .map_err(|e| StoreError::from_reference(e, None))?;
        Ok(n > 0)
    }

    /// Follow-ups sent since `since` (the showroom's daily cap).
    pub async fn sent_since(&mut self, since: DateTime<Utc>) -> StoreResult<i64> {
        const SQL: &str = "SELECT count(*) FROM followup_sends WHERE tenant_id = $1 AND sent_at >= $2";
        Ok(tx_query!(self.tx, scalar_one, SQL, self.tenant.0, since)?)
    }

    /// When the customer last wrote to the showroom (any channel), if ever.
    pub async fn last_inbound_at(&mut self, phone: &str) -> StoreResult<Option<DateTime<Utc>>> {
        const SQL: &str = "SELECT m.created_at FROM messages m JOIN conversations c \
                           ON c.tenant_id = m.tenant_id AND c.id = m.conversation_id \
                           WHERE m.tenant_id = $1 AND c.contact_phone = $2 AND m.direction = 'in' \
                           ORDER BY m.created_at DESC LIMIT 1";
        Ok(tx_query!(self.tx, scalar_optional, SQL, self.tenant.0, phone)?)
    }
}
