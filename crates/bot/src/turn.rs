//! One inbound message being answered: who sent it (tenant, role, sender — all from the
//! server), what the bot remembers, and the actions both the offline answers and the
//! LLM's tools are made of. Every action is bound to this tenant, role and sender; each
//! opens its own short transaction, and every id is looked up inside the tenant.

use chrono::Duration as ChronoDuration;
use garasi_domain::car::{Car, CarFilter, CarSort, CarStatus, PriceVia};
use garasi_domain::{PhoneNumber, Rupiah, TenantSettings};
use garasi_service::{Actor, ServiceError, ServiceResult, Services};
use garasi_store::tenant::{
    Conversation, Lead, NewLead, PaymentMethod, Revealed as LeadRevealed, SalesPerson, StockCounts, TenantTx,
};
use garasi_store::{Db, StoreError, StoreResult};
use uuid::Uuid;

use crate::engine::TenantRef;
use crate::format;
use crate::memory::{Memory, ShownCar};
use crate::nlu::Role;

/// A WhatsApp message to someone other than the sender (a salesperson).
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    /// E.164.
    pub to: String,
    pub name: String,
    pub sales_id: Option<Uuid>,
    pub text: String,
}

pub(crate) struct Turn {
    pub db: Db,
    pub services: Services,
    pub tenant: TenantRef,
    pub channel: String,
    pub role: Role,
    pub sender: PhoneNumber,
    /// The WhatsApp push name, possibly empty.
    pub sender_name: String,
    /// The sender's own staff record, for sales.
    pub me: Option<SalesPerson>,
    pub conversation: Conversation,
    pub settings: TenantSettings,
    pub memory: Memory,
    /// The message being answered (capped).
    pub text: String,
    // What the answer produced besides its text.
    pub images: Vec<String>,
    pub notices: Vec<Notice>,
    pub handed_off: bool,
    pub reset: bool,
    /// What the customer revealed this turn, for their open lead: written in the reply's
    /// own transaction (one commit fewer per message than a transaction of its own).
    pub lead_update: Option<LeadUpdate>,
    /// A car whose details a customer was shown this turn (the follow-up offer).
    pub followup_car: Option<Car>,
}

/// An update to the customer's open lead, waiting for the reply's transaction.
#[derive(Debug, Clone)]
pub(crate) struct LeadUpdate {
    pub revealed: LeadRevealed,
    pub summary: String,
}

/// What a salesperson's change to a car came to.
pub(crate) enum CarChange<T> {
    /// Done (or already so): the car now and the value before.
    Done(Box<Car>, T),
    /// No car has that number (or the sender is not a salesperson).
    NotFound,
    /// The change breaks a rule; the message says which, in Indonesian.
    Refused(String),
}

/// A lead and the salesperson it is assigned to.
pub(crate) struct LeadOutcome {
    pub lead: Lead,
    pub sales: Option<SalesPerson>,
    pub created: bool,
}

impl Turn {
    pub fn is_sales(&self) -> bool {
        self.role == Role::Sales
    }

    /// A read transaction.
    pub async fn begin(&self) -> StoreResult<TenantTx> {
        self.db.tenant(self.tenant.id).begin().await
    }

    /// A transaction that writes (on SQLite it queues for the write lock up front).
    pub async fn begin_write(&self) -> StoreResult<TenantTx> {
        self.db.tenant(self.tenant.id).begin_write().await
    }

    /// A car by stock number, if this sender may see it (customers: public cars only).
    pub async fn car(&self, stock_no: i64) -> StoreResult<Option<Car>> {
        let mut tx = self.begin().await?;
        let car = tx.cars().by_stock_no(stock_no).await?;
        tx.commit().await?;
        Ok(car.filter(|c| self.is_sales() || c.fields.status.is_public()))
    }

    /// Cars matching `filter`. Customers only ever search what is for sale; sales see
    /// every car that is not sold unless they ask for statuses.
    pub async fn cars(&self, mut filter: CarFilter, sort: CarSort, limit: i64) -> StoreResult<(Vec<Car>, i64)> {
        if !self.is_sales() {
            filter.statuses = CarFilter::for_sale().statuses;
        } else if filter.statuses.is_empty() {
            filter.statuses = vec![CarStatus::Available, CarStatus::Booked, CarStatus::Draft, CarStatus::Hidden];
        }
        let mut tx = self.begin().await?;
        let (cars, total) = tx.cars().list(&filter, sort, limit, 0).await?;
        if !cars.is_empty() || filter.models.is_empty() {
            tx.commit().await?;
            return Ok((cars, total));
        }
        // "Innova" is stored as "Kijang Innova": retry the model as free text.
        let text = filter.models.join(" ");
        let loose = CarFilter { models: Vec::new(), text: Some(text), ..filter };
        let found = tx.cars().list(&loose, sort, limit, 0).await?;
        tx.commit().await?;
        Ok(found)
    }

    /// Remembers the list just shown, for "yang kedua"; the list before it stays for "yang sebelumnya".
    pub fn remember_list(&mut self, cars: &[Car]) {
        let shown: Vec<ShownCar> = cars
            .iter()
            .map(|c| ShownCar {
                stock_no: c.stock_no,
                title: c.title(),
                color: c.fields.color.clone(),
                model: c.fields.model.clone(),
                price: c.fields.price,
                year: c.fields.year,
                mileage_km: Some(c.fields.mileage_km),
                engine_cc: c.fields.engine_cc,
            })
            .collect();
        let same = shown.iter().map(|s| s.stock_no).eq(self.memory.shown.iter().map(|s| s.stock_no));
        if !same && !self.memory.shown.is_empty() {
            self.memory.prior = std::mem::take(&mut self.memory.shown);
            self.memory.prior_focus = self.memory.focus;
        }
        self.memory.shown = shown;
        if cars.len() == 1 {
            self.memory.focus = Some(cars[0].stock_no);
        }
    }

    /// The car the conversation is about now; for a customer it is also what they want.
    pub fn focus(&mut self, car: &Car) {
        self.memory.focus = Some(car.stock_no);
        if !self.is_sales() {
            self.memory.revealed.car = Some(car.stock_no);
        }
    }

    /// Absolute URLs of the large JPEG of the first photos.
    pub fn photo_urls(&self, car: &Car) -> Vec<String> {
        car.photos
            .iter()
            .take(format::MAX_PHOTOS)
            .map(|p| format!("{}/media/cars/{}/{}/large.jpg", self.tenant.base_url, car.id, p.id))
            .collect()
    }

    /// Adds images to the reply, at most [`format::MAX_PHOTOS`] in all.
    pub fn attach_images(&mut self, urls: Vec<String>) {
        for u in urls {
            if self.images.len() < format::MAX_PHOTOS && !self.images.contains(&u) {
                self.images.push(u);
            }
        }
    }

    /// A salesperson to give a customer: the one the chat or the open lead is assigned
    /// to, else the next in the round robin (without assigning: the cursor stays).
    pub async fn contact_sales(&self) -> StoreResult<Option<SalesPerson>> {
        let mut tx = self.begin().await?;
        let mut found = None;
        if let Some(id) = self.conversation.assigned_sales_id {
            found = tx.sales().get(id).await?.filter(|s| s.active && s.deleted_at.is_none());
        }
        if found.is_none()
            && let Some(lead) = tx.lead_intake().open_for_phone(self.sender.as_str()).await?
            && let Some(id) = lead.assigned_sales_id
        {
            found = tx.sales().get(id).await?.filter(|s| s.active && s.deleted_at.is_none());
        }
        if found.is_none() {
            found = garasi_service::routing::peek_in(&mut tx, self.services.clock.now()).await?;
        }
        tx.commit().await?;
        Ok(found)
    }

    fn payment(&self) -> Option<PaymentMethod> {
        self.memory.revealed.payment_method.as_deref().and_then(|p| p.parse().ok())
    }

    /// The customer's name as known: what they told the bot, else their push name.
    pub fn customer_name(&self) -> String {
        self.memory
            .revealed
            .name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| self.sender_name.trim().to_owned())
    }

    /// Finds or creates the customer's one open lead, fills in what they revealed, and
    /// (with `assign`) makes sure an active salesperson has it (round robin).
    pub async fn open_lead(&mut self, note: &str, assign: bool) -> StoreResult<LeadOutcome> {
        let car_id = self.wanted_car_id().await?;
        let mut tx = self.begin_write().await?;
        let outcome = self.open_lead_in(&mut tx, car_id, note, assign).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// The id of the car the customer wants (or the one in focus), read before a write
    /// transaction opens.
    async fn wanted_car_id(&self) -> StoreResult<Option<Uuid>> {
        match self.memory.revealed.car.or(self.memory.focus) {
            Some(n) => Ok(self.car(n).await?.map(|c| c.id)),
            None => Ok(None),
        }
    }

    /// [`Turn::open_lead`] inside the caller's write transaction.
    async fn open_lead_in(
        &mut self,
        tx: &mut TenantTx,
        car_id: Option<Uuid>,
        note: &str,
        assign: bool,
    ) -> StoreResult<LeadOutcome> {
        let name = self.customer_name();
        let revealed = LeadRevealed {
            name: (!name.is_empty()).then(|| name.clone()),
            car_id,
            budget: self.memory.revealed.budget.filter(|b| Rupiah::new(*b).is_ok()),
            payment_method: self.payment(),
            conversation_id: Some(self.conversation.id),
            note: Some(note.to_owned()),
        };
        // Two messages of one chat must not open two leads: queue behind the chat's row lock.
        tx.conversations().lock(self.conversation.id).await?;
        let existing = tx.lead_intake().open_for_phone(self.sender.as_str()).await?;
        let (lead, created) = match existing {
            Some(lead) => (tx.lead_intake().reveal(lead.id, &revealed, "bot", &self.revealed_summary()).await?, false),
            None => {
                let new = NewLead {
                    name,
                    car_id,
                    conversation_id: Some(self.conversation.id),
                    budget: revealed.budget.and_then(|b| Rupiah::new(b).ok()),
                    payment_method: revealed.payment_method,
                    notes: note.to_owned(),
                    source: lead_source(&self.channel).to_owned(),
                    ..NewLead::new(self.sender.clone())
                };
                (tx.leads().create(&new, "bot").await?, true)
            }
        };
        let mut sales = None;
        if let Some(id) = lead.assigned_sales_id {
            sales = tx.sales().get(id).await?.filter(|s| s.active && s.deleted_at.is_none());
        }
        let mut lead = lead;
        if sales.is_none()
            && assign
            && let Some((routed, s)) = garasi_service::routing::route_in(&self.services, tx, lead.id, "bot").await?
        {
            lead = routed;
            sales = Some(s);
        }
        Ok(LeadOutcome { lead, sales, created })
    }

    /// Hands the chat to a salesperson: assigned lead, a WhatsApp message to them with
    /// the lead summary, and the bot pauses here for the tenant's hand-off minutes.
    /// `None` when the showroom has no active salesperson (the bot then keeps answering).
    pub async fn hand_off(&mut self, reason: &str) -> StoreResult<Option<SalesPerson>> {
        if self.handed_off {
            return self.contact_sales().await;
        }
        let car_id = self.wanted_car_id().await?;
        let minutes = self.settings.bot.handoff_pause_minutes.clamp(1, 7 * 24 * 60);
        // The lead and the pause in one transaction.
        let mut tx = self.begin_write().await?;
        let outcome = self.open_lead_in(&mut tx, car_id, reason, true).await?;
        if let Some(sales) = &outcome.sales {
            let until = self.services.clock.now() + ChronoDuration::minutes(minutes);
            tx.conversations().hand_off(self.conversation.id, Some(sales.id), until).await?;
        }
        tx.commit().await?;
        let Some(sales) = outcome.sales else { return Ok(None) };
        self.handed_off = true;
        let text = self.lead_notice("Pelanggan minta dihubungi sales", &outcome.lead, reason, Some(minutes)).await?;
        self.notify(&sales, text);
        Ok(Some(sales))
    }

    pub fn notify(&mut self, sales: &SalesPerson, text: String) {
        if self.notices.iter().any(|n| n.to == sales.phone) {
            return;
        }
        self.notices.push(Notice { to: sales.phone.clone(), name: sales.name.clone(), sales_id: Some(sales.id), text });
    }

    /// The WhatsApp message a salesperson gets about a lead.
    pub async fn lead_notice(
        &self,
        title: &str,
        lead: &Lead,
        reason: &str,
        paused_minutes: Option<i64>,
    ) -> StoreResult<String> {
        let mut lines = vec![format!("🔔 *{title}* — {}", self.tenant.name)];
        let name = if lead.name.is_empty() { "(belum menyebut nama)".to_owned() } else { lead.name.clone() };
        lines.push(format!("👤 {name} · {}", format::phone_local(&lead.phone)));
        if let Some(n) = lead.stock_no {
            let title = match self.car(n).await? {
                Some(c) => c.title(),
                None => "mobil".into(),
            };
            lines.push(format!("🚗 Minat: {title} (no. {n})"));
        }
        let mut money = Vec::new();
        if let Some(b) = lead.budget {
            money.push(format!("budget {}", format::short(b)));
        }
        if let Some(p) = lead.payment_method {
            money.push(p.label().to_lowercase());
        }
        if !money.is_empty() {
            lines.push(format!("💰 {}", money.join(" · ")));
        }
        if !reason.trim().is_empty() {
            lines.push(format!("📝 {}", format::truncate(reason.trim(), 200)));
        }
        lines.push(format!("💬 \"{}\"", format::truncate(self.text.trim(), 200)));
        if let Some(m) = paused_minutes {
            lines.push(format!("Bot berhenti membalas chat ini selama {m} menit, silakan balas pelanggan langsung."));
        }
        Ok(lines.join("\n"))
    }

    /// "budget 200 jt, kredit, minat no. 12".
    pub fn revealed_summary(&self) -> String {
        let r = &self.memory.revealed;
        let mut parts = Vec::new();
        if let Some(b) = r.budget {
            parts.push(format!("budget {}", format::short(b)));
        }
        if let Some(p) = self.payment() {
            parts.push(p.label().to_lowercase());
        }
        if let Some(n) = r.car {
            parts.push(format!("minat mobil no. {n}"));
        }
        if parts.is_empty() { String::new() } else { format!("Bot mencatat: {}", parts.join(", ")) }
    }

    /// Prepares the update of the customer's open lead (if any) with what they revealed
    /// since last time; [`Turn::write_lead_update`] writes it with the reply.
    pub async fn sync_lead(&mut self, before: &crate::memory::Revealed) -> StoreResult<()> {
        if self.is_sales() || *before == self.memory.revealed {
            return Ok(());
        }
        let car_id = match self.memory.revealed.car {
            Some(n) if before.car != Some(n) => self.car(n).await?.map(|c| c.id),
            _ => None,
        };
        let r = &self.memory.revealed;
        let revealed = LeadRevealed {
            name: r.name.clone().filter(|n| before.name.as_ref() != Some(n)),
            car_id,
            budget: r.budget.filter(|b| before.budget != Some(*b) && Rupiah::new(*b).is_ok()),
            payment_method: if r.payment_method != before.payment_method { self.payment() } else { None },
            conversation_id: None,
            note: None,
        };
        if revealed.is_empty() {
            return Ok(());
        }
        self.lead_update = Some(LeadUpdate { revealed, summary: self.revealed_summary() });
        Ok(())
    }

    /// Writes the prepared lead update, in the reply's transaction.
    pub async fn write_lead_update(&mut self, tx: &mut TenantTx) -> StoreResult<()> {
        let Some(update) = self.lead_update.take() else { return Ok(()) };
        if let Some(lead) = tx.lead_intake().open_for_phone(self.sender.as_str()).await? {
            tx.lead_intake().reveal(lead.id, &update.revealed, "bot", &update.summary).await?;
        }
        Ok(())
    }

    /// A salesperson records a buyer ("Ada yang mau beli Avanza, namanya Budi 0813…"):
    /// the buyer's one open lead, assigned to that salesperson.
    pub async fn record_sales_lead(
        &mut self,
        phone: &PhoneNumber,
        name: Option<String>,
        car: Option<&Car>,
        note: &str,
    ) -> StoreResult<LeadOutcome> {
        let me = self.me.clone();
        let actor = match &me {
            Some(s) => format!("sales: {}", s.name),
            None => "bot".to_owned(),
        };
        let mut tx = self.begin_write().await?;
        let existing = tx.lead_intake().open_for_phone(phone.as_str()).await?;
        let (mut lead, created) = match existing {
            Some(lead) => {
                let revealed = LeadRevealed {
                    name: name.clone(),
                    car_id: car.map(|c| c.id),
                    note: Some(note.to_owned()),
                    ..LeadRevealed::default()
                };
                (
                    tx.lead_intake().reveal(lead.id, &revealed, &actor, "Dilengkapi oleh sales lewat WhatsApp").await?,
                    false,
                )
            }
            None => {
                let new = NewLead {
                    name: name.unwrap_or_default(),
                    car_id: car.map(|c| c.id),
                    assigned_sales_id: me.as_ref().map(|s| s.id),
                    notes: note.to_owned(),
                    source: lead_source(&self.channel).to_owned(),
                    ..NewLead::new(phone.clone())
                };
                (tx.leads().create(&new, &actor).await?, true)
            }
        };
        if lead.assigned_sales_id.is_none()
            && let Some(s) = &me
        {
            lead = tx.leads().assign(lead.id, Some(s.id), &actor, "Dicatat sendiri oleh sales").await?;
        }
        // A salesperson recording the buyer has been in touch with them: that is the
        // lead's first contact (and no response deadline runs for it).
        if me.as_ref().is_some_and(|s| lead.assigned_sales_id == Some(s.id)) {
            garasi_service::routing::contacted_in(&self.services, &mut tx, lead.id).await?;
            if created {
                tx.routing().mark_assigned(lead.id, self.services.clock.now()).await?;
            }
        }
        tx.commit().await?;
        Ok(LeadOutcome { lead, sales: me, created })
    }

    /// Sales: changes a car's status through the same use case as the dashboard.
    pub async fn set_status(&mut self, stock_no: i64, status: CarStatus) -> StoreResult<CarChange<CarStatus>> {
        let Some((actor, id)) = self.sales_target(stock_no).await? else { return Ok(CarChange::NotFound) };
        let done =
            garasi_service::cars::set_status(&self.services, &actor, PriceVia::Chat, &self.tenant_db(), id, status)
                .await;
        // The use case publishes the inventory event itself.
        car_change(done)
    }

    /// Sales: changes a car's cash price, under the same rules as the API.
    pub async fn set_price(&mut self, stock_no: i64, price: i64) -> StoreResult<CarChange<i64>> {
        let Some((actor, id)) = self.sales_target(stock_no).await? else { return Ok(CarChange::NotFound) };
        let done =
            garasi_service::cars::set_price(&self.services, &actor, PriceVia::Chat, &self.tenant_db(), id, price).await;
        car_change(done)
    }

    /// Sales: puts the sender on or off duty through the same use case as the dashboard.
    /// `None` for a customer (never reached: the command is sales only).
    pub async fn set_duty(&mut self, on: bool) -> StoreResult<Option<SalesPerson>> {
        let Some(me) = self.me.clone().filter(|_| self.is_sales()) else { return Ok(None) };
        let actor = Actor::Sales { sales_id: me.id, phone: me.phone.clone() };
        match garasi_service::routing::set_on_duty(&self.services, &actor, &self.tenant_db(), me.id, on).await {
            Ok(person) => {
                self.me = Some(person.clone());
                Ok(Some(person))
            }
            Err(ServiceError::Store(e)) => Err(e),
            Err(e) => {
                tracing::warn!(error = %e, "duty change refused");
                Ok(None)
            }
        }
    }

    fn tenant_db(&self) -> garasi_store::TenantDb {
        self.db.tenant(self.tenant.id)
    }

    /// The sender as a salesperson and the id of car `stock_no`; `None` for a customer
    /// or an unknown number.
    async fn sales_target(&self, stock_no: i64) -> StoreResult<Option<(Actor, Uuid)>> {
        let Some(me) = self.me.as_ref().filter(|_| self.is_sales()) else { return Ok(None) };
        let actor = Actor::Sales { sales_id: me.id, phone: me.phone.clone() };
        let mut tx = self.begin().await?;
        let car = tx.cars().by_stock_no(stock_no).await?;
        tx.commit().await?;
        Ok(car.map(|c| (actor, c.id)))
    }

    /// Sales: counts by status and every car that is not sold, available first.
    pub async fn inventory(&self, limit: i64) -> StoreResult<(StockCounts, Vec<Car>, i64)> {
        let mut tx = self.begin().await?;
        let counts = tx.cars().counts().await?;
        let filter = CarFilter {
            statuses: vec![CarStatus::Available, CarStatus::Booked, CarStatus::Draft, CarStatus::Hidden],
            ..CarFilter::default()
        };
        let (mut cars, total) = tx.cars().list(&filter, CarSort::Newest, limit, 0).await?;
        tx.commit().await?;
        let rank = |s: CarStatus| match s {
            CarStatus::Available => 0,
            CarStatus::Booked => 1,
            CarStatus::Draft => 2,
            CarStatus::Hidden => 3,
            CarStatus::Sold => 4,
        };
        cars.sort_by_key(|c| (rank(c.fields.status), c.stock_no));
        Ok((counts, cars, total))
    }
}

/// `leads.source` for a channel.
fn lead_source(channel: &str) -> &'static str {
    if channel == "simulator" { "simulator" } else { "whatsapp" }
}

/// A use case's answer in the bot's terms: refusals become a message for the
/// salesperson, storage failures stay errors.
fn car_change<T>(done: ServiceResult<(Car, T)>) -> StoreResult<CarChange<T>> {
    match done {
        Ok((car, before)) => Ok(CarChange::Done(Box::new(car), before)),
        Err(ServiceError::NotFound) => Ok(CarChange::NotFound),
        Err(ServiceError::Validation(fields)) => {
            Ok(CarChange::Refused(fields.iter().map(|(_, m)| m).collect::<Vec<_>>().join(" ")))
        }
        Err(ServiceError::Forbidden(m) | ServiceError::Conflict(m)) => Ok(CarChange::Refused(m)),
        // Changing a status or a price touches no photo; its message is Indonesian anyway.
        Err(ServiceError::Media(e)) => Ok(CarChange::Refused(e.to_string())),
        Err(ServiceError::Store(e)) => Err(e),
        Err(ServiceError::Busy) => Ok(CarChange::Refused("server sedang sibuk, coba lagi sebentar lagi.".into())),
        Err(ServiceError::Internal(m)) => {
            // Not the salesperson's fault and nothing was changed: say so and log it.
            tracing::warn!(error = %m, "car change failed");
            Ok(CarChange::Refused("terjadi kesalahan di sistem, coba lagi sebentar lagi.".into()))
        }
    }
}

/// Store errors worth telling the model about rather than failing the whole reply.
pub(crate) fn soft_error(e: &StoreError) -> Option<&'static str> {
    match e {
        StoreError::NotFound => Some("Data tidak ditemukan."),
        StoreError::Conflict(_) => Some("Data bertabrakan dengan data lain."),
        _ => None,
    }
}
