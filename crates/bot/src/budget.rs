//! What one customer may take of the showroom's WhatsApp number: a daily message
//! budget per contact, a photo budget per contact per hour, and a share of the number's
//! daily cap kept for contacts the bot has not answered yet today. Without these, one
//! customer repeating `/foto 12` could spend the number's whole daily cap and silence
//! the bot for everyone until midnight.
//!
//! Counted in the shared [`Kv`] (Redis when configured, so every instance sees the same
//! counts), per channel: the simulator has its own counters and never eats the real
//! number's share. Sales staff (by the server's sales registry) are exempt.
//! A counter-store outage fails open: the bot keeps answering.

use std::time::Duration;

use garasi_domain::TenantId;
use garasi_service::kv::{Kv, KvError};

/// The per-contact limits; `0` turns one off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactBudget {
    /// Messages (texts and photos) the bot sends one customer per day (Asia/Jakarta).
    pub daily_messages: u32,
    /// Photos one customer gets per hour.
    pub photos_per_hour: u32,
    /// The number's daily cap (`GARASI_WA_DAILY_CAP`), which the reserve is a share of.
    pub number_daily_cap: u32,
    /// Percent of that cap kept for customers not answered yet today.
    pub new_contact_reserve_percent: u32,
}

impl Default for ContactBudget {
    fn default() -> Self {
        ContactBudget {
            daily_messages: 60,
            photos_per_hour: 20,
            number_daily_cap: 1000,
            new_contact_reserve_percent: 20,
        }
    }
}

/// Why a customer gets no more answers for now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Over {
    /// This contact used its own daily budget.
    Contact,
    /// The number's shared part of the daily cap is used; the rest is kept for new contacts.
    SharedCap,
}

/// A day's long enough window for a day's counters (they carry the date in their key).
const DAY_WINDOW: Duration = Duration::from_secs(26 * 3600);
const HOUR: Duration = Duration::from_secs(3600);

/// The counters of one contact of one showroom on one channel, today.
pub struct Counters<'a> {
    kv: &'a dyn Kv,
    contact_day: String,
    number_day: String,
    photos_hour: String,
    told: String,
}

impl<'a> Counters<'a> {
    pub fn new(kv: &'a dyn Kv, tenant: TenantId, channel: &str, contact: &str, day: &str) -> Counters<'a> {
        let base = format!("bot:budget:{}:{channel}", tenant.0);
        Counters {
            kv,
            contact_day: format!("{base}:{day}:c:{contact}"),
            number_day: format!("{base}:{day}:all"),
            photos_hour: format!("{base}:photos:{contact}"),
            told: format!("{base}:{day}:told:{contact}"),
        }
    }

    async fn count(&self, key: &str) -> Result<i64, KvError> {
        Ok(self.kv.peek(key).await?.map(|w| w.count).unwrap_or(0))
    }

    /// Whether this customer is over a budget before being answered.
    pub async fn over(&self, b: &ContactBudget) -> Result<Option<Over>, KvError> {
        let mine = self.count(&self.contact_day).await?;
        if b.daily_messages > 0 && mine >= i64::from(b.daily_messages) {
            return Ok(Some(Over::Contact));
        }
        // A contact not answered yet today may use the kept share; the others may not.
        if mine > 0 && b.number_daily_cap > 0 && b.new_contact_reserve_percent > 0 {
            let cap = i64::from(b.number_daily_cap);
            let kept = cap * i64::from(b.new_contact_reserve_percent.min(100)) / 100;
            if self.count(&self.number_day).await? >= cap - kept {
                return Ok(Some(Over::SharedCap));
            }
        }
        Ok(None)
    }

    /// Whether the customer was already told today that the bot stops for now; marks it
    /// told either way, so the notice goes out once.
    pub async fn already_told(&self) -> Result<bool, KvError> {
        if self.kv.get(&self.told).await?.is_some() {
            return Ok(true);
        }
        self.kv.set(&self.told, "1", DAY_WINDOW).await?;
        Ok(false)
    }

    /// How many of `wanted` photos the customer may still get this hour; counts them.
    pub async fn take_photos(&self, b: &ContactBudget, wanted: usize) -> Result<usize, KvError> {
        if b.photos_per_hour == 0 || wanted == 0 {
            return Ok(wanted);
        }
        let used = self.count(&self.photos_hour).await?;
        let left = (i64::from(b.photos_per_hour) - used).max(0) as usize;
        let granted = wanted.min(left);
        for _ in 0..granted {
            self.kv.incr(&self.photos_hour, HOUR).await?;
        }
        Ok(granted)
    }

    /// Counts messages sent: `to_contact` against the contact's budget, `all` against the
    /// number's day (notices to salespeople included).
    pub async fn sent(&self, to_contact: usize, all: usize) -> Result<(), KvError> {
        for _ in 0..to_contact {
            self.kv.incr(&self.contact_day, DAY_WINDOW).await?;
        }
        for _ in 0..all {
            self.kv.incr(&self.number_day, DAY_WINDOW).await?;
        }
        Ok(())
    }
}

/// The one answer a customer over budget gets, with who follows up.
pub fn notice(sales: Option<(&str, &str)>, showroom_phone: &str) -> String {
    let head = "Terima kasih kak, pesannya hari ini sudah banyak sekali 🙏 Untuk sementara saya jeda dulu ya.";
    match sales {
        Some((name, phone)) => format!("{head} Sales kami, {name} ({phone}), akan menghubungi kakak langsung."),
        None if !showroom_phone.trim().is_empty() => {
            format!(
                "{head} Saya lanjutkan lagi nanti, atau kakak bisa menghubungi showroom di {}.",
                showroom_phone.trim()
            )
        }
        None => format!("{head} Saya lanjutkan lagi nanti ya."),
    }
}

/// The line added when the hour's photos ran out.
pub fn photos_held_back(base_url: &str) -> String {
    format!("(Foto lainnya saya kirim nanti ya kak 🙏 Semua foto bisa dilihat di {base_url})")
}

#[cfg(test)]
mod tests {
    use garasi_service::kv::MemoryKv;

    use super::*;

    fn budget() -> ContactBudget {
        ContactBudget { daily_messages: 3, photos_per_hour: 4, number_daily_cap: 10, new_contact_reserve_percent: 30 }
    }

    #[tokio::test]
    async fn a_contact_stops_at_its_budget_and_returning_contacts_leave_the_reserve() {
        let kv = MemoryKv::new();
        let t = TenantId(uuid::Uuid::now_v7());
        let a = Counters::new(&kv, t, "waweb", "+6281", "2026-01-01");
        assert_eq!(a.over(&budget()).await.unwrap(), None);
        a.sent(3, 3).await.unwrap();
        assert_eq!(a.over(&budget()).await.unwrap(), Some(Over::Contact));
        // Another contact, already answered once, while the number is at its shared part (7 of 10).
        let b = Counters::new(&kv, t, "waweb", "+6282", "2026-01-01");
        b.sent(1, 4).await.unwrap();
        assert_eq!(b.over(&budget()).await.unwrap(), Some(Over::SharedCap));
        // A new contact still gets answers from the kept share.
        let c = Counters::new(&kv, t, "waweb", "+6283", "2026-01-01");
        assert_eq!(c.over(&budget()).await.unwrap(), None);
        // Other channels count apart.
        let sim = Counters::new(&kv, t, "simulator", "+6281", "2026-01-01");
        assert_eq!(sim.over(&budget()).await.unwrap(), None);
    }

    #[tokio::test]
    async fn photos_are_granted_up_to_the_hour_and_the_notice_goes_once() {
        let kv = MemoryKv::new();
        let c = Counters::new(&kv, TenantId(uuid::Uuid::now_v7()), "waweb", "+6281", "2026-01-01");
        assert_eq!(c.take_photos(&budget(), 3).await.unwrap(), 3);
        assert_eq!(c.take_photos(&budget(), 3).await.unwrap(), 1);
        assert_eq!(c.take_photos(&budget(), 3).await.unwrap(), 0);
        assert!(!c.already_told().await.unwrap());
        assert!(c.already_told().await.unwrap());
    }
}
