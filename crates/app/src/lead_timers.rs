//! The lead response worker: every tick it handles the response deadlines that are due by
//! the services' clock (`service::routing::handle_due_deadlines`): a lead not contacted
//! in time goes to the next available salesperson and the owner is alerted. Any instance
//! may run it; the job queue's claim makes each deadline count once.

use std::time::Duration;

use garasi_service::Services;

/// Starts the worker; it ends when `stop` says so. Ticks like the reminder worker.
pub fn spawn(services: Services, tick: Duration, stop: impl Fn() -> bool + Send + 'static) {
    let worker = format!("lead-timers-{}-{}", std::process::id(), uuid::Uuid::now_v7().simple());
    tokio::spawn(async move {
        loop {
            if stop() {
                break;
            }
            match garasi_service::routing::handle_due_deadlines(&services, &worker).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(leads = n, "overdue leads reassigned"),
                Err(e) => tracing::warn!(error = %e, "lead response deadlines failed"),
            }
            tokio::time::sleep(tick).await;
        }
    });
}

/// Starts the follow-up worker (`service::followups::send_due`): price drops and newly
/// published cars become messages to the customers who asked for them, through the outbox.
pub fn spawn_followups(services: Services, tick: Duration, stop: impl Fn() -> bool + Send + 'static) {
    let worker = format!("followups-{}-{}", std::process::id(), uuid::Uuid::now_v7().simple());
    tokio::spawn(async move {
        loop {
            if stop() {
                break;
            }
            match garasi_service::followups::send_due(&services, &worker).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(messages = n, "follow-ups queued"),
                Err(e) => tracing::warn!(error = %e, "follow-ups failed"),
            }
            tokio::time::sleep(tick).await;
        }
    });
}
