//! Log set-up: `GARASI_LOG` filters, `GARASI_LOG_FORMAT` picks plain text (for people)
//! or one JSON object per line (for log shippers). Logs go to standard error, so a
//! command's own output on standard output (`demo`'s logins, `healthcheck`) stays clean.
//!
//! The `log` crate is bridged into tracing, so libraries that use it (whatsapp-rust's
//! connection messages) are filtered and formatted like everything else.
//!
//! What never goes in a log line: passwords, tokens, API keys, message bodies. Phone
//! numbers at INFO are masked (`PhoneNumber::masked`). Values a user typed are written
//! with `?` (Debug), which escapes newlines and control characters, so they cannot forge
//! a line in the text format (the JSON format escapes by construction).

use std::str::FromStr;

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

impl FromStr for LogFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<LogFormat, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "text" | "" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            other => Err(format!("{other:?} must be text or json")),
        }
    }
}

/// Defaults that `GARASI_LOG` may override target by target (a later directive for the
/// same target wins). whatsapp-rust logs JIDs (phone numbers), message ids and even
/// pairing codes at INFO, so only its connection life-cycle modules (connect, handshake,
/// stream errors, reconnects: no numbers) are let through at INFO; the rest at WARN.
const DEFAULTS: &str = "sqlx=warn,wacore=warn,whatsapp_rust=warn,whatsapp_rust::client::lifecycle=info,\
                        whatsapp_rust::client::node_io=info,whatsapp_rust::handshake=info";

fn filter(spec: &str) -> tracing_subscriber::EnvFilter {
    let spec = if spec.trim().is_empty() { "info" } else { spec.trim() };
    tracing_subscriber::EnvFilter::try_new(format!("{DEFAULTS},{spec}"))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("{DEFAULTS},info")))
}

/// Installs the global subscriber (and the `log` bridge) once; later calls do nothing.
pub fn init(spec: &str, format: LogFormat) {
    use tracing_subscriber::util::SubscriberInitExt;
    // `try_init` also installs the `log` → tracing bridge (tracing-subscriber's
    // `tracing-log` feature).
    let _ = subscriber(spec, format, std::io::stderr).try_init();
}

type BoxedSubscriber = Box<dyn tracing::Subscriber + Send + Sync>;

fn subscriber<W>(spec: &str, format: LogFormat, writer: W) -> BoxedSubscriber
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt().with_env_filter(filter(spec)).with_writer(writer);
    match format {
        LogFormat::Text => {
            use std::io::IsTerminal;
            Box::new(builder.with_target(false).with_ansi(std::io::stderr().is_terminal()).finish())
        }
        // The target stays in JSON: it names the library a bridged `log` line came from.
        // The request span's fields (`id`, method, path) are under "span".
        LogFormat::Json => {
            Box::new(builder.json().flatten_event(true).with_current_span(true).with_span_list(false).finish())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse() {
        assert_eq!("json".parse::<LogFormat>(), Ok(LogFormat::Json));
        assert_eq!("TEXT".parse::<LogFormat>(), Ok(LogFormat::Text));
        assert!("xml".parse::<LogFormat>().is_err());
    }

    #[test]
    fn operator_directives_override_the_defaults() {
        let f = filter("info,whatsapp_rust=debug").to_string();
        assert!(f.contains("whatsapp_rust=debug"), "{f}");
        assert!(!f.contains("whatsapp_rust=warn"), "{f}");
        assert!(filter("nonsense=[").to_string().contains("sqlx=warn"));
    }

    /// A writer into a shared buffer, for reading back what was logged.
    #[derive(Clone, Default)]
    struct Buffer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// The only test in this binary that installs a global subscriber (the `log` bridge
    /// is process-wide).
    #[test]
    fn log_crate_lines_are_bridged_as_json_and_filtered() {
        use tracing_subscriber::util::SubscriberInitExt;
        let buffer = Buffer::default();
        let writer = buffer.clone();
        subscriber("info", LogFormat::Json, move || writer.clone()).try_init().unwrap();
        log::info!(target: "whatsapp_rust::client::lifecycle", "Will attempt to reconnect in 1s (attempt 1)");
        // whatsapp-rust's other INFO lines carry numbers and pairing codes: dropped by default.
        log::info!(target: "whatsapp_rust::pair", "Successfully paired 6281200000001@s.whatsapp.net");
        log::warn!(target: "wacore::send", "send failed\nforged line");
        tracing::info!(user = ?"a\nb", "typed by a user");
        let out = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 3, "{out}");
        assert_eq!(lines[0]["message"], "Will attempt to reconnect in 1s (attempt 1)");
        assert_eq!(lines[0]["target"], "whatsapp_rust::client::lifecycle");
        assert_eq!(lines[0]["level"], "INFO");
        assert!(!out.contains("paired"), "{out}");
        assert_eq!(lines[1]["message"], "send failed\nforged line", "one line, escaped by JSON");
        assert_eq!(lines[2]["user"], "\"a\\nb\"");
    }
}
