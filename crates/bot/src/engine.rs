//! The conversation engine: channel → inbox → engine → reply.
//!
//! 1. **Inbox**: the message is stored before it is processed, unique per provider id,
//!    so redeliveries (even concurrent ones) are answered once.
//! 2. **Resolve**: the tenant comes from the channel (the caller), the role from the
//!    tenant's sales staff registry (sender phone in E.164), never from the text.
//! 3. **Limit**: per-sender rate limit (one short notice, then silence), capped input,
//!    the tenant's daily LLM token budget.
//! 4. **Hand-off**: while a person handles the chat, the message is stored, not answered.
//! 5. **Understand**: commands directly; else the offline parser, and when it is not
//!    confident and an LLM is configured, the LLM with tools, falling back to the
//!    offline answer on any error or when the reply budget runs out.
//! 6. **Reply**: WhatsApp text and images, stored with the outbox job that sends it in
//!    one transaction; salespeople get their notices the same way.
//! 7. **Memory**: per (tenant, sender), in Redis or the database, with a TTL.

use std::sync::Arc;
use std::time::{Duration, Instant};

use garasi_domain::{PhoneError, PhoneNumber, TenantId, TenantSettings};
use garasi_service::Services;
use garasi_store::jobs::WhatsappOut;
use garasi_store::tenant::{Author, Contact, ContactRole, Direction, HandledBy, Message, NewMessage};
use garasi_store::{Db, StoreError};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::budget::{self, ContactBudget, Counters, Over};
use crate::commands;
use crate::format;
use crate::llm::openai::OpenAiCompat;
use crate::llm::{ChatBackend, ChatMessage, ChatRequest, LlmConfig, Usage, run_tools};
use crate::memory::{DbMemory, KvMemory, Memory, MemoryStore};
use crate::nlu::{self, Intent, Role, Understanding};
use crate::offline;
use crate::prompt;
use crate::tools;
use crate::turn::Turn;
use garasi_service::kv::Kv;

/// The outbox queue the channel workers send from (`garasi_store::jobs::WhatsappOut` payloads).
pub const OUTBOX_QUEUE: &str = garasi_store::jobs::WHATSAPP_OUT;
/// Time kept back from the reply budget for the offline fallback.
const FALLBACK_RESERVE: Duration = Duration::from_millis(400);
/// Longest message body stored.
const MAX_STORED_CHARS: usize = 4096;

#[derive(Clone, Debug)]
pub struct BotConfig {
    /// The LLM, for every tenant that has not turned it off; `None` runs offline only.
    pub llm: Option<LlmConfig>,
    /// How long the bot remembers a contact.
    pub memory_ttl: Duration,
    /// Messages per minute from one customer before the bot goes quiet.
    pub customer_rate_per_minute: i64,
    /// The same for sales staff.
    pub sales_rate_per_minute: i64,
    /// One budget per reply, end to end (filing, understanding, the LLM, storing the answer): the LLM gets what
    /// is left of it minus a reserve for the offline answer, which then goes out in time.
    pub reply_budget: Duration,
    /// Characters of a message that are read.
    pub max_input_chars: usize,
    /// What one customer may take of the showroom's number (messages a day, photos an hour,
    /// the share kept for new contacts).
    pub contact_budget: ContactBudget,
}

impl BotConfig {
    /// The roadmap's promise: a reply in under 5 s.
    pub const DEFAULT_REPLY_BUDGET: Duration = Duration::from_secs(5);
}

impl Default for BotConfig {
    fn default() -> Self {
        BotConfig {
            llm: None,
            memory_ttl: Duration::from_secs(24 * 3600),
            customer_rate_per_minute: 10,
            sales_rate_per_minute: 30,
            reply_budget: Self::DEFAULT_REPLY_BUDGET,
            max_input_chars: 1500,
            contact_budget: ContactBudget::default(),
        }
    }
}

/// The showroom a message is for, as the channel resolved it.
#[derive(Clone, Debug)]
pub struct TenantRef {
    pub id: TenantId,
    pub name: String,
    /// The showroom's public origin (from its stored domain), for links and photo URLs.
    pub base_url: String,
}

/// One inbound WhatsApp (or simulator) message.
#[derive(Clone, Debug)]
pub struct Inbound {
    pub tenant: TenantRef,
    /// `simulator`, `waweb` or `cloud_api`.
    pub channel: String,
    /// The sender's number as the channel gives it; normalised to E.164 here.
    pub from: String,
    /// The WhatsApp push name, possibly empty.
    pub name: String,
    pub text: String,
    /// Unique per tenant; a second message with the same id is a redelivery.
    pub provider_message_id: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OutMessage {
    pub text: String,
    /// Absolute image URLs, sent as pictures.
    pub images: Vec<String>,
}

/// A message sent to someone else than the sender (a salesperson).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OutNotice {
    pub to: String,
    pub name: String,
    pub text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Replied,
    /// A redelivery of a message already stored: nothing done.
    Duplicate,
    /// A person handles this chat: stored, not answered.
    Paused,
    /// Over the rate limit or the contact's outbound budget: stored, not answered.
    RateLimited,
}

#[derive(Clone, Debug)]
pub struct Outcome {
    pub status: Status,
    pub conversation_id: Option<Uuid>,
    pub role: Role,
    pub replies: Vec<OutMessage>,
    pub notifications: Vec<OutNotice>,
    /// Outbox jobs enqueued (replies and notifications).
    pub job_ids: Vec<Uuid>,
    pub handled_by: Option<HandledBy>,
    pub intent: Option<String>,
    pub llm_tokens: i64,
}

impl Outcome {
    fn silent(status: Status, conversation_id: Option<Uuid>, role: Role) -> Outcome {
        Outcome {
            status,
            conversation_id,
            role,
            replies: Vec::new(),
            notifications: Vec::new(),
            job_ids: Vec::new(),
            handled_by: None,
            intent: None,
            llm_tokens: 0,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BotError {
    #[error("invalid sender number: {0}")]
    Sender(PhoneError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("bot set-up failed: {0}")]
    Setup(String),
}

pub struct Engine {
    db: Db,
    /// The use cases a salesperson's chat commands run (status and price changes).
    services: Services,
    config: BotConfig,
    kv: Arc<dyn Kv>,
    memory: Arc<dyn MemoryStore>,
    llm: Option<Arc<dyn ChatBackend>>,
}

/// What answering produced.
struct Answer {
    text: String,
    handled_by: HandledBy,
    intent: String,
    usage: Usage,
}

impl Engine {
    pub fn new(
        services: Services,
        config: BotConfig,
        kv: Arc<dyn Kv>,
        memory: Arc<dyn MemoryStore>,
        llm: Option<Arc<dyn ChatBackend>>,
    ) -> Engine {
        Engine { db: services.db.clone(), services, config, kv, memory, llm }
    }

    /// The engine as production runs it: rate limits in the app's shared `kv`, memory
    /// there too when every instance sees it (Redis), else in the database; the
    /// OpenAI-compatible client when `config.llm` is set.
    pub fn open(services: Services, config: BotConfig, kv: Arc<dyn Kv>) -> Result<Engine, BotError> {
        let db = services.db.clone();
        crate::llm::openai::install_default_tls_provider();
        let memory: Arc<dyn MemoryStore> =
            if kv.is_shared() { Arc::new(KvMemory::new(kv.clone())) } else { Arc::new(DbMemory::new(db.clone())) };
        let llm: Option<Arc<dyn ChatBackend>> = match &config.llm {
            Some(c) => Some(Arc::new(OpenAiCompat::new(c).map_err(|e| BotError::Setup(e.to_string()))?)),
            None => None,
        };
        Ok(Engine::new(services, config, kv, memory, llm))
    }

    pub fn config(&self) -> &BotConfig {
        &self.config
    }

    /// Whether an LLM is configured at all.
    pub fn has_llm(&self) -> bool {
        self.llm.is_some()
    }

    /// Where memory lives: `redis`, `memory` or `database`.
    pub fn memory_kind(&self) -> &'static str {
        self.memory.kind()
    }

    /// Handles one inbound message end to end; the replies are in the outbox when this returns.
    pub async fn handle(&self, inbound: Inbound) -> Result<Outcome, BotError> {
        self.handle_with(inbound, false).await
    }

    /// [`Engine::handle`] for a message whose earlier handling may have been cut short (the
    /// inbox worker's retry): if it was filed but never answered, it is answered now. Only
    /// the queue calls this, so concurrent deliveries of one message still get one answer.
    pub async fn resume(&self, inbound: Inbound) -> Result<Outcome, BotError> {
        self.handle_with(inbound, true).await
    }

    async fn handle_with(&self, inbound: Inbound, resume: bool) -> Result<Outcome, BotError> {
        let started = Instant::now();
        let sender = PhoneNumber::parse(&inbound.from).map_err(BotError::Sender)?;
        let text: String = inbound.text.trim().chars().take(self.config.max_input_chars).collect();
        let stored_body: String = inbound.text.trim().chars().take(MAX_STORED_CHARS).collect();
        let tdb = self.db.tenant(inbound.tenant.id);

        // Resolve (the role comes from the staff registry only) and store the message in the
        // inbox, before anything else happens: one transaction.
        let mut tx = tdb.begin_write().await?;
        let filed = garasi_service::inbound::file_in(
            &mut tx,
            &garasi_service::inbound::Inbound {
                channel: &inbound.channel,
                from: &sender,
                name: &inbound.name,
                provider_message_id: &inbound.provider_message_id,
                body: &stored_body,
                media: serde_json::Value::Null,
                lid: None,
            },
        )
        .await?;
        let garasi_service::inbound::Filed { staff: me, conversation, message } = filed;
        // A redelivery of a message whose earlier handling never finished (the process died
        // between filing it and committing the answer, which marks it handled) is answered now:
        // an acknowledged message must not go unanswered because of a crash.
        let message = match message {
            Some(m) => Some(m),
            None if !resume => None,
            None => tx
                .messages()
                .by_provider_id(&inbound.provider_message_id)
                .await?
                .filter(|m| m.direction == "in" && m.handled_by.is_none()),
        };
        let settings = TenantSettings::from_json(&tx.settings().get().await?);
        let role = if me.is_some() { Role::Sales } else { Role::Customer };
        let stored_memory = match (&message, self.memory.in_database()) {
            (Some(_), true) => Some(tx.bot_memory().get(sender.as_str(), garasi_store::now()).await?),
            _ => None,
        };
        tx.commit().await?;
        let Some(message) = message else {
            return Ok(Outcome::silent(Status::Duplicate, Some(conversation.id), role));
        };

        // Limit, then hand-off.
        let per_minute =
            if role == Role::Sales { self.config.sales_rate_per_minute } else { self.config.customer_rate_per_minute };
        let key = format!("bot:rl:{}:{}", inbound.tenant.id.0, sender.as_str());
        let count = match self.kv.incr(&key, Duration::from_secs(60)).await {
            Ok(w) => w.count,
            Err(e) => {
                // Fail open: a Redis outage must not silence the showroom.
                tracing::warn!(error = %e, "rate limiter unavailable");
                1
            }
        };
        if conversation.bot_paused(self.services.clock.now()) {
            return Ok(Outcome::silent(Status::Paused, Some(conversation.id), role));
        }
        let memory = match stored_memory {
            Some(value) => value.and_then(crate::memory::from_value).unwrap_or_default(),
            None => match self.memory.load(inbound.tenant.id, sender.as_str()).await {
                Ok(m) => m.unwrap_or_default(),
                Err(e) => {
                    tracing::warn!(error = %e, "bot memory unavailable; answering without it");
                    Memory::default()
                }
            },
        };
        let mut turn = Turn {
            db: self.db.clone(),
            services: self.services.clone(),
            tenant: inbound.tenant.clone(),
            channel: inbound.channel.clone(),
            role,
            sender,
            sender_name: inbound.name.trim().chars().take(80).collect(),
            me,
            conversation,
            settings,
            memory,
            text: text.clone(),
            images: Vec::new(),
            notices: Vec::new(),
            handed_off: false,
            reset: false,
            lead_update: None,
            followup_car: None,
        };
        let counters =
            Counters::new(self.kv.as_ref(), inbound.tenant.id, &inbound.channel, turn.sender.as_str(), &today());
        // Salespeople (by the registry, never by the text) have no per-contact budget.
        let customer = role == Role::Customer;
        if count > per_minute {
            if count > per_minute + 1 {
                return Ok(Outcome::silent(Status::RateLimited, Some(turn.conversation.id), role));
            }
            let answer = Answer {
                text: "Pesannya banyak sekali kak 🙏 Saya jeda sebentar ya, coba lagi sekitar 1 menit lagi.".into(),
                handled_by: HandledBy::Offline,
                intent: "rate_limited".into(),
                usage: Usage::default(),
            };
            return self.finish_counted(turn, &message, answer, started, &counters).await;
        }
        if customer {
            match counters.over(&self.config.contact_budget).await {
                Ok(Some(why)) => return self.over_budget(turn, &message, started, &counters, why).await,
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "contact budget unavailable; answering"),
            }
        }

        let mut answer = self.answer(&mut turn, &text, started).await?;
        if let Some(offer) = offline::followups::offer_line(&mut turn).await? {
            answer.text = format!("{}\n\n{offer}", answer.text.trim_end());
        }
        if customer && !turn.images.is_empty() {
            match counters.take_photos(&self.config.contact_budget, turn.images.len()).await {
                Ok(granted) if granted < turn.images.len() => {
                    turn.images.truncate(granted);
                    let held = budget::photos_held_back(&turn.tenant.base_url);
                    answer.text = format!("{}\n\n{held}", answer.text.trim_end());
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "photo budget unavailable; sending the photos"),
            }
        }
        self.finish_counted(turn, &message, answer, started, &counters).await
    }

    /// A customer over a budget: told once today (and the chat handed to a salesperson,
    /// which flags it on the dashboard as a lead), then stored without answers.
    async fn over_budget(
        &self,
        mut turn: Turn,
        message: &Message,
        started: Instant,
        counters: &Counters<'_>,
        why: Over,
    ) -> Result<Outcome, BotError> {
        let told = counters.already_told().await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "contact budget unavailable; staying quiet");
            true
        });
        let label = match why {
            Over::Contact => "contact",
            Over::SharedCap => "shared_cap",
        };
        if told {
            return Ok(Outcome::silent(Status::RateLimited, Some(turn.conversation.id), turn.role));
        }
        metrics::counter!("garasi_bot_contact_budget_total", "why" => label).increment(1);
        tracing::info!(tenant = %turn.tenant.id.0, why = label, "customer over the outbound budget; answering once");
        let reason = match why {
            Over::Contact => "Batas pesan bot untuk pelanggan ini hari ini tercapai",
            Over::SharedCap => "Kuota pesan harian nomor showroom untuk pelanggan lama habis",
        };
        let sales = turn.hand_off(reason).await?;
        let sales = sales.as_ref().map(|s| (s.name.clone(), format::phone_local(&s.phone)));
        let text = budget::notice(sales.as_ref().map(|(n, p)| (n.as_str(), p.as_str())), &turn.settings.profile.phone);
        let answer =
            Answer { text, handled_by: HandledBy::Offline, intent: "contact_budget".into(), usage: Usage::default() };
        self.finish_counted(turn, message, answer, started, counters).await
    }

    /// [`Engine::finish`], then the messages it sent are counted against the budgets.
    async fn finish_counted(
        &self,
        t: Turn,
        inbound: &Message,
        answer: Answer,
        started: Instant,
        counters: &Counters<'_>,
    ) -> Result<Outcome, BotError> {
        let customer = t.role == Role::Customer;
        let out = self.finish(t, inbound, answer, started).await?;
        let to_contact = if customer { out.replies.iter().map(|r| 1 + r.images.len()).sum() } else { 0 };
        let all = out.replies.iter().map(|r| 1 + r.images.len()).sum::<usize>() + out.notifications.len();
        if let Err(e) = counters.sent(to_contact, all).await {
            tracing::warn!(error = %e, "could not count the bot's messages");
        }
        Ok(out)
    }

    async fn answer(&self, t: &mut Turn, text: &str, started: Instant) -> Result<Answer, BotError> {
        // A customer's STOP (at once, whatever else is going on) and the yes to a follow-up offer.
        if let Some((text, intent)) = offline::followups::intercept(t, text).await? {
            return Ok(Answer { text, handled_by: HandledBy::Offline, intent: intent.into(), usage: Usage::default() });
        }
        // Sales by chat and guided flows in progress (a change waiting for "ya", a trade-in).
        if let Some((text, intent)) = offline::intercept(t, text).await? {
            return Ok(Answer { text, handled_by: HandledBy::Offline, intent: intent.into(), usage: Usage::default() });
        }
        if let Some(cmd) = commands::parse(text) {
            let intent = cmd.name().to_owned();
            let reply = offline::command(t, cmd).await?;
            return Ok(Answer { text: reply, handled_by: HandledBy::Command, intent, usage: Usage::default() });
        }
        let u = nlu::understand(text, t.role);
        let before = t.memory.revealed.clone();
        absorb(t, &u);
        // Visits are booked, moved and cancelled by rules, whatever the LLM would say.
        if let Some((reply, intent)) = offline::visits::intercept(t, text, &u).await? {
            t.sync_lead(&before).await?;
            return Ok(Answer { text: reply, handled_by: HandledBy::Offline, intent, usage: Usage::default() });
        }
        let confident = u.confidence >= nlu::CONFIDENT;
        let mut usage = Usage::default();
        let mut handled_by = HandledBy::Offline;
        if !confident && self.llm_allowed(t).await {
            match self.ask_llm(t, text, started, &mut usage).await {
                Ok(reply) => {
                    t.sync_lead(&before).await?;
                    let text = format::only_own_links(&reply, &format::host_of(&t.tenant.base_url));
                    return Ok(Answer { text, handled_by: HandledBy::Llm, intent: "llm".into(), usage });
                }
                Err(e) => {
                    tracing::info!(error = %e, "LLM unavailable; answering offline");
                    handled_by = HandledBy::Fallback;
                }
            }
        }
        let reply = offline::respond(t, &u).await?;
        t.sync_lead(&before).await?;
        Ok(Answer { text: reply, handled_by, intent: u.intent.as_str().to_owned(), usage })
    }

    /// Whether this tenant may use the LLM now: configured, not turned off, under budget.
    async fn llm_allowed(&self, t: &Turn) -> bool {
        // The owner's budget, never above the platform's (or root's) ceiling.
        let budget = t.settings.llm_token_budget(self.services.llm_token_ceiling);
        if self.llm.is_none() || !t.settings.bot.llm_enabled || budget <= 0 {
            return false;
        }
        let used = async {
            let mut tx = t.begin().await?;
            let u = tx.llm_usage().day(&today()).await?;
            tx.commit().await?;
            Ok::<_, StoreError>(u.total_tokens())
        };
        match used.await {
            Ok(used) => used < budget,
            Err(e) => {
                tracing::warn!(error = %e, "could not read LLM usage; staying offline");
                false
            }
        }
    }

    async fn ask_llm(&self, t: &mut Turn, text: &str, started: Instant, usage: &mut Usage) -> Result<String, String> {
        let Some(backend) = self.llm.as_ref() else { return Err("no LLM".into()) };
        let max_tokens = self.config.llm.as_ref().map(|c| c.max_tokens).unwrap_or(LlmConfig::DEFAULT_MAX_TOKENS);
        let mut messages = vec![ChatMessage::system(prompt::system(t))];
        if let Some(context) = prompt::context(t) {
            messages.push(ChatMessage::system(context));
        }
        for turn in &t.memory.turns {
            messages.push(if turn.from == "bot" {
                ChatMessage::assistant(turn.text.clone())
            } else {
                ChatMessage::user(turn.text.clone())
            });
        }
        messages.push(ChatMessage::user(text));
        let request = ChatRequest { messages, tools: tools::definitions(t.is_sales()), max_tokens, temperature: 0.2 };
        let remaining = self.config.reply_budget.saturating_sub(started.elapsed()).saturating_sub(FALLBACK_RESERVE);
        if remaining < Duration::from_millis(200) {
            return Err("no time left for the LLM".into());
        }
        match tokio::time::timeout(remaining, run_tools(backend.as_ref(), request, t, usage)).await {
            Ok(Ok(reply)) => Ok(reply.text),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err("the reply budget ran out".into()),
        }
    }

    /// Stores the reply, its outbox job, the lead update, the notices to salespeople and
    /// the LLM usage in one transaction; then the memory (in that transaction too when it
    /// lives in the database).
    async fn finish(
        &self,
        mut t: Turn,
        inbound: &Message,
        answer: Answer,
        started: Instant,
    ) -> Result<Outcome, BotError> {
        let text = format::cap(answer.text.trim());
        let images = std::mem::take(&mut t.images);
        let media: Vec<_> = images.iter().map(|u| json!({"type": "image", "url": u})).collect();
        let tokens = answer.usage.total();
        let mut job_ids = Vec::new();
        let mut tx = t.begin_write().await?;
        tx.messages()
            .insert(&NewMessage {
                conversation_id: t.conversation.id,
                direction: Direction::Out,
                author: Author::Bot,
                provider_message_id: None,
                body: &text,
                media: json!(media),
                handled_by: Some(answer.handled_by),
                intent: Some(&answer.intent),
                llm_tokens: tokens,
            })
            .await?
            .ok_or(StoreError::NotFound)?;
        // Answering the inbound message: a second processing of it never sends twice.
        let reply_to = inbound.provider_message_id.as_deref();
        let outgoing = WhatsappOut::reply(&t.channel, t.sender.as_str(), reply_to, Some(&text), &images, None);
        job_ids.extend(tx.outbox().enqueue_whatsapp(&outgoing).await?);
        tx.messages().set_outcome(inbound.id, Some(answer.handled_by), Some(&answer.intent), tokens).await?;
        t.write_lead_update(&mut tx).await?;
        let mut notifications = Vec::new();
        for n in &t.notices {
            let Ok(phone) = PhoneNumber::parse(&n.to) else { continue };
            let contact = Contact {
                channel: &t.channel,
                phone: &phone,
                name: &n.name,
                role: ContactRole::Sales,
                sales_staff_id: n.sales_id,
            };
            job_ids
                .extend(garasi_service::bot_messages::send_to(&mut tx, &contact, &n.text, "sales_notice", None).await?);
            notifications.push(OutNotice { to: n.to.clone(), name: n.name.clone(), text: n.text.clone() });
        }
        if answer.usage.requests > 0 {
            let u = answer.usage;
            tx.llm_usage().record(&today(), u.prompt_tokens, u.completion_tokens, u.requests).await?;
        }
        if !t.reset {
            t.memory.push_turn("user", &t.text);
            t.memory.push_turn("bot", &text);
        }
        let in_database = self.memory.in_database();
        if in_database && t.reset {
            tx.bot_memory().delete(t.sender.as_str()).await?;
        } else if in_database {
            let value = serde_json::to_value(&t.memory).unwrap_or_default();
            let ttl = chrono::Duration::from_std(self.config.memory_ttl).unwrap_or(chrono::Duration::hours(24));
            tx.bot_memory().put(t.sender.as_str(), &value, garasi_store::now() + ttl).await?;
        }
        tx.commit().await?;

        let tenant = t.tenant.id;
        if !in_database {
            let done = if t.reset {
                self.memory.clear(tenant, t.sender.as_str()).await
            } else {
                self.memory.save(tenant, t.sender.as_str(), &t.memory, self.config.memory_ttl).await
            };
            if let Err(e) = done {
                tracing::warn!(error = %e, "could not save bot memory");
            }
        }
        let path = answer.handled_by.as_str();
        metrics::counter!("garasi_bot_replies_total", "path" => path).increment(1);
        metrics::histogram!("garasi_bot_reply_duration_seconds", "path" => path)
            .record(started.elapsed().as_secs_f64());
        tracing::debug!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            handled_by = answer.handled_by.as_str(),
            intent = %answer.intent,
            "bot replied"
        );
        Ok(Outcome {
            status: Status::Replied,
            conversation_id: Some(t.conversation.id),
            role: t.role,
            replies: vec![OutMessage { text, images }],
            notifications,
            job_ids,
            handled_by: Some(answer.handled_by),
            intent: Some(answer.intent),
            llm_tokens: tokens,
        })
    }

    /// Marks outbox jobs as delivered by the caller (the simulator answers in its response).
    pub async fn mark_delivered(&self, tenant: TenantId, job_ids: &[Uuid], by: &str) -> Result<(), BotError> {
        if job_ids.is_empty() {
            return Ok(());
        }
        let mut tx = self.db.tenant(tenant).begin_write().await?;
        tx.outbox().mark_delivered(job_ids, by).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Today in Jakarta, `YYYY-MM-DD`: the day LLM usage counts against.
fn today() -> String {
    garasi_domain::time::jakarta_today().format("%Y-%m-%d").to_string()
}

/// Keeps what a customer revealed about themselves for their lead.
fn absorb(t: &mut Turn, u: &Understanding) {
    if t.is_sales() {
        return;
    }
    let r = &mut t.memory.revealed;
    if let Some(b) = u.extras.budget {
        r.budget = Some(b);
    }
    if let Some(p) = &u.extras.payment_method {
        r.payment_method = Some(p.clone());
    }
    if let Some(n) = &u.extras.name {
        r.name = Some(n.clone());
    }
    // A price ceiling in a search is the budget when none was named.
    if r.budget.is_none()
        && u.intent == Intent::Search
        && let Some(max) = u.filters.price_max
    {
        r.budget = Some(max);
    }
}
