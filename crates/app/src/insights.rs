//! The insight workers: every few seconds this instance adds its buffered view, click and
//! search counts to the database (`service::insights::flush`, additive, so instances add
//! up), and on each tick the owners who opted in get last week's summary by WhatsApp from
//! Monday 08:00 Jakarta by the services' clock (`send_weekly_summaries`; a row per showroom
//! and week makes it go out once, whichever instance gets there first).

use std::time::Duration;

use garasi_service::Services;

/// How often buffered counts are written.
pub const FLUSH_EVERY: Duration = Duration::from_secs(10);

/// Starts both workers; they end when `stop` says so (the final flush is the shutdown's).
pub fn spawn(services: Services, tick: Duration, stop: impl Fn() -> bool + Send + Sync + 'static) {
    let stop = std::sync::Arc::new(stop);
    let flush_services = services.clone();
    let flush_stop = stop.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(FLUSH_EVERY.min(tick.max(Duration::from_millis(100)))).await;
            if flush_stop() {
                break;
            }
            if let Err(e) = garasi_service::insights::flush(&flush_services).await {
                tracing::warn!(error = %e, "insight counts not written; kept for the next flush");
            }
        }
    });
    tokio::spawn(async move {
        // The week every showroom was gone through, so the other ticks of the week cost nothing.
        let mut done: Option<String> = None;
        loop {
            if stop() {
                break;
            }
            let due = garasi_service::insights::due_week(services.clock.now());
            if due.is_some() && due != done {
                match garasi_service::insights::send_weekly_summaries(&services).await {
                    Ok(n) => {
                        if n > 0 {
                            tracing::info!(summaries = n, "weekly insight summaries queued");
                        }
                        done = due;
                    }
                    Err(e) => tracing::warn!(error = %e, "weekly insight summaries failed"),
                }
            }
            tokio::time::sleep(tick).await;
        }
    });
}
