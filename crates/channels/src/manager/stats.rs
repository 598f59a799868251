//! What the metrics endpoint reads: the connections this instance holds, by kind and status.

use std::collections::BTreeMap;

use super::Channels;
use garasi_service::whatsapp::ConnState;

use crate::types::{ChannelKind, ConnStatus};

/// Every status name a connection can report (the stored states of
/// [`ConnState::KNOWN`]), so a scrape can publish zeros for the ones no connection is
/// in (a gauge left at its last value would lie).
pub fn conn_statuses() -> impl Iterator<Item = &'static str> {
    ConnState::KNOWN.into_iter().map(ConnState::as_str)
}

/// The kinds that hold a live connection.
pub const CONN_KINDS: [ChannelKind; 2] = [ChannelKind::WaWeb, ChannelKind::CloudApi];

impl Channels {
    /// How many connections this instance holds, per (kind, status). A connection held
    /// but never started reports the stored status it waits in (e.g. `logged_out`).
    pub fn connection_counts(&self) -> BTreeMap<(&'static str, &'static str), u64> {
        let conns: Vec<_> = self.inner.conns.lock().expect("conns lock").values().cloned().collect();
        let mut counts = BTreeMap::new();
        for conn in conns {
            let status: ConnStatus = conn.channel.status().borrow().clone();
            let name = match (&status, conn.parked) {
                (ConnStatus::Stopped, Some(parked)) => parked,
                _ => status.as_str(),
            };
            *counts.entry((conn.kind.as_str(), name)).or_insert(0) += 1;
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_is_listed() {
        let all = [
            ConnStatus::Stopped,
            ConnStatus::Connecting,
            ConnStatus::AwaitingPairing,
            ConnStatus::Connected,
            ConnStatus::Reconnecting { attempt: 1 },
            ConnStatus::LoggedOut { reason: String::new() },
            ConnStatus::Replaced,
            ConnStatus::Banned { until: None },
            ConnStatus::Failed { error: String::new() },
        ];
        for s in all {
            assert!(conn_statuses().any(|k| k == s.as_str()), "{}", s.as_str());
        }
    }
}
