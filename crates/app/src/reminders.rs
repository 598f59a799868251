//! The appointment reminder worker: every tick it sends the reminders that are due by
//! the services' clock (`service::appointments::send_due_reminders`). Any instance may
//! run it; the job queue's claim makes each reminder go out once.

use std::time::Duration;

use garasi_domain::clock::Clock;
use garasi_service::Services;

/// How appointments keep time.
#[derive(Debug, Clone)]
pub struct AppointmentSettings {
    /// The system clock in production; tests pass a manual one and move it.
    pub clock: Clock,
    /// How often due reminders are looked for.
    pub tick: Duration,
}

impl Default for AppointmentSettings {
    fn default() -> Self {
        AppointmentSettings { clock: Clock::System, tick: Duration::from_secs(30) }
    }
}

/// Starts the worker; it ends when `stop` says so.
pub fn spawn(services: Services, tick: Duration, stop: impl Fn() -> bool + Send + 'static) {
    let worker = format!("reminders-{}-{}", std::process::id(), uuid::Uuid::now_v7().simple());
    tokio::spawn(async move {
        loop {
            if stop() {
                break;
            }
            match garasi_service::appointments::send_due_reminders(&services, &worker).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(sent = n, "appointment reminders sent"),
                Err(e) => tracing::warn!(error = %e, "appointment reminders failed"),
            }
            tokio::time::sleep(tick).await;
        }
    });
}
