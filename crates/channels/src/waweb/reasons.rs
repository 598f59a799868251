//! What each reason whatsapp-rust 0.7 gives for losing or refusing a connection means
//! for Garasi (issue #18): reconnect with backoff, stop and ask the owner to pair again
//! (alert and dashboard), or stay connected but pause sending for a cool-down.
//!
//! [`signal_of`] reduces a library event to a [`Signal`]; [`react`] is the pure decision,
//! unit-tested per reason.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::types::ConnStatus;

/// What the library reported, reduced to what the decision needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// The transport ended (a server recycle, the network). `clean`: a routine recycle.
    Disconnected { clean: bool },
    /// Logged out by the server: unlinked on the phone, device removed, account locked.
    LoggedOut { code: i32 },
    /// Another WhatsApp Web session took over this device's stream.
    Replaced,
    /// The server refuses this client version (405).
    ClientOutdated,
    /// Banned for a while (`code` is WhatsApp's reason: 101 too many unknown contacts, …).
    TemporaryBan { code: i32, expire: Duration },
    /// The server refused the connection (`<failure reason=…>`).
    ConnectFailure { code: i32 },
    /// `<stream:error code=…>`.
    StreamError { code: String },
}

/// Why sending pauses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoolDown {
    /// 429: WhatsApp asks the client to slow down.
    RateLimited,
    /// 463: the number is restricted (reach-out time lock): messages to new chats fail.
    Restricted,
}

impl CoolDown {
    pub fn code(self) -> &'static str {
        match self {
            CoolDown::RateLimited => "429",
            CoolDown::Restricted => "463",
        }
    }

    /// How long sending pauses.
    pub fn pause(self) -> Duration {
        match self {
            CoolDown::RateLimited => Duration::from_secs(15 * 60),
            CoolDown::Restricted => Duration::from_secs(12 * 3600),
        }
    }

    /// The dashboard's explanation (Indonesian).
    pub fn label_id(self) -> &'static str {
        match self {
            CoolDown::RateLimited => {
                "WhatsApp meminta Garasi memperlambat pengiriman (429); pesan keluar dijeda sementara."
            }
            CoolDown::Restricted => {
                "Nomor ini sedang dibatasi WhatsApp (463): pesan ke kontak baru ditolak; pesan keluar dijeda sementara."
            }
        }
    }

    pub fn parse(code: &str) -> Option<CoolDown> {
        match code {
            "429" => Some(CoolDown::RateLimited),
            "463" => Some(CoolDown::Restricted),
            _ => None,
        }
    }
}

/// What the connection does about a [`Signal`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reaction {
    /// Reconnect with backoff (the library's own reconnect, then the supervisor's).
    Reconnect,
    /// Stop and wait for the owner (alert and dashboard); `wipe`: the keys are dead and
    /// pairing again starts from scratch.
    Stop { status: ConnStatus, wipe: bool },
    /// Keep the connection; send nothing until `until`.
    CoolDown { reason: CoolDown, until: DateTime<Utc> },
}

fn logged_out(code: i32) -> Reaction {
    let reason = match code {
        401 => "unlinked from the phone (401)".to_owned(),
        403 => "account locked by WhatsApp (403)".to_owned(),
        406 => "logged out (406)".to_owned(),
        516 => "device removed (516)".to_owned(),
        c => format!("logged out ({c})"),
    };
    Reaction::Stop { status: ConnStatus::LoggedOut { reason }, wipe: true }
}

fn outdated() -> Reaction {
    Reaction::Stop {
        status: ConnStatus::Failed {
            error: "client outdated (405): WhatsApp refuses this version; update Garasi".into(),
        },
        wipe: false,
    }
}

/// The decision for one signal, `now` being when it arrived.
pub fn react(signal: &Signal, now: DateTime<Utc>) -> Reaction {
    let cool = |reason: CoolDown| Reaction::CoolDown {
        reason,
        until: now + chrono::Duration::from_std(reason.pause()).unwrap_or_default(),
    };
    match signal {
        Signal::Disconnected { .. } => Reaction::Reconnect,
        Signal::LoggedOut { code } => logged_out(*code),
        Signal::Replaced => Reaction::Stop { status: ConnStatus::Replaced, wipe: false },
        Signal::ClientOutdated => outdated(),
        Signal::TemporaryBan { expire, .. } => Reaction::Stop {
            status: ConnStatus::Banned { until: Some(now + chrono::Duration::from_std(*expire).unwrap_or_default()) },
            wipe: false,
        },
        Signal::ConnectFailure { code } => match code {
            401 | 403 | 406 => logged_out(*code),
            402 => Reaction::Stop { status: ConnStatus::Banned { until: None }, wipe: false },
            405 => outdated(),
            429 => cool(CoolDown::RateLimited),
            // Server trouble, or an expired/invalid client token the next login renews.
            500 | 503 | 413 | 414 => Reaction::Reconnect,
            c => Reaction::Stop {
                status: ConnStatus::Failed { error: format!("connection refused ({c})") },
                wipe: false,
            },
        },
        Signal::StreamError { code } => match code.as_str() {
            "429" => cool(CoolDown::RateLimited),
            "463" => cool(CoolDown::Restricted),
            "401" => logged_out(401),
            "516" => logged_out(516),
            "405" => outdated(),
            "409" | "conflict" => Reaction::Stop { status: ConnStatus::Replaced, wipe: false },
            // 500, 503, 515 (restart required) and anything unknown: the stream ends and
            // the library reconnects.
            _ => Reaction::Reconnect,
        },
    }
}

/// The signal in a library event, if it is one of the connection's.
pub fn signal_of(ev: &whatsapp_rust::prelude::Event) -> Option<Signal> {
    use whatsapp_rust::prelude::Event;
    Some(match ev {
        Event::Disconnected(d) => Signal::Disconnected { clean: d.reason.is_clean_shutdown() },
        Event::LoggedOut(l) => Signal::LoggedOut { code: l.reason.code() },
        Event::StreamReplaced(_) => Signal::Replaced,
        Event::ClientOutdated(_) => Signal::ClientOutdated,
        Event::TemporaryBan(b) => {
            Signal::TemporaryBan { code: b.code.code(), expire: b.expire.to_std().unwrap_or_default() }
        }
        Event::ConnectFailure(f) => Signal::ConnectFailure { code: f.reason.code() },
        Event::StreamError(e) => Signal::StreamError { code: e.code.clone() },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-06T10:00:00Z").unwrap().with_timezone(&Utc)
    }

    fn stop(r: Reaction) -> (&'static str, bool) {
        match r {
            Reaction::Stop { status, wipe } => (status.as_str(), wipe),
            other => panic!("expected a stop, got {other:?}"),
        }
    }

    #[test]
    fn transport_losses_reconnect() {
        assert_eq!(react(&Signal::Disconnected { clean: true }, now()), Reaction::Reconnect);
        assert_eq!(react(&Signal::Disconnected { clean: false }, now()), Reaction::Reconnect);
        for code in ["500", "503", "515", "something-new"] {
            assert_eq!(react(&Signal::StreamError { code: code.into() }, now()), Reaction::Reconnect, "{code}");
        }
        for code in [500, 503, 413, 414] {
            assert_eq!(react(&Signal::ConnectFailure { code }, now()), Reaction::Reconnect, "{code}");
        }
    }

    #[test]
    fn a_logout_stops_and_wipes_the_keys() {
        for code in [401, 403, 406, 516] {
            assert_eq!(stop(react(&Signal::LoggedOut { code }, now())), ("logged_out", true), "{code}");
        }
        for code in [401, 403, 406] {
            assert_eq!(stop(react(&Signal::ConnectFailure { code }, now())), ("logged_out", true), "{code}");
        }
        assert_eq!(stop(react(&Signal::StreamError { code: "401".into() }, now())), ("logged_out", true));
        assert_eq!(stop(react(&Signal::StreamError { code: "516".into() }, now())), ("logged_out", true));
        let Reaction::Stop { status: ConnStatus::LoggedOut { reason }, .. } =
            react(&Signal::LoggedOut { code: 516 }, now())
        else {
            panic!()
        };
        assert!(reason.contains("device removed"), "{reason}");
    }

    #[test]
    fn replaced_outdated_and_banned_stop_for_the_owner_and_keep_the_keys() {
        assert_eq!(stop(react(&Signal::Replaced, now())), ("replaced", false));
        assert_eq!(stop(react(&Signal::StreamError { code: "conflict".into() }, now())), ("replaced", false));
        assert_eq!(stop(react(&Signal::ClientOutdated, now())), ("failed", false));
        assert_eq!(stop(react(&Signal::ConnectFailure { code: 405 }, now())), ("failed", false));
        assert_eq!(stop(react(&Signal::StreamError { code: "405".into() }, now())), ("failed", false));
        assert_eq!(stop(react(&Signal::ConnectFailure { code: 400 }, now())), ("failed", false));
        assert_eq!(stop(react(&Signal::ConnectFailure { code: 409 }, now())), ("failed", false));
        assert_eq!(stop(react(&Signal::ConnectFailure { code: 402 }, now())), ("banned", false));
        let ban = react(&Signal::TemporaryBan { code: 101, expire: Duration::from_secs(3600) }, now());
        assert_eq!(
            ban,
            Reaction::Stop {
                status: ConnStatus::Banned { until: Some(now() + chrono::Duration::hours(1)) },
                wipe: false
            }
        );
    }

    #[test]
    fn rate_limits_and_restrictions_pause_sending() {
        assert_eq!(
            react(&Signal::StreamError { code: "429".into() }, now()),
            Reaction::CoolDown { reason: CoolDown::RateLimited, until: now() + chrono::Duration::minutes(15) }
        );
        assert_eq!(
            react(&Signal::ConnectFailure { code: 429 }, now()),
            Reaction::CoolDown { reason: CoolDown::RateLimited, until: now() + chrono::Duration::minutes(15) }
        );
        assert_eq!(
            react(&Signal::StreamError { code: "463".into() }, now()),
            Reaction::CoolDown { reason: CoolDown::Restricted, until: now() + chrono::Duration::hours(12) }
        );
        assert_eq!(CoolDown::parse("463"), Some(CoolDown::Restricted));
        assert_eq!(CoolDown::parse("500"), None);
    }
}
