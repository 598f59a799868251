//! A local SMTP sink for the tests: a tokio TCP server on 127.0.0.1:0 that speaks just
//! enough SMTP (greeting, EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) for lettre to
//! hand it a message, and keeps every message it was given. Nothing leaves the machine.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One message as the sink received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// Headers and body as sent, dot-unstuffed.
    pub data: String,
}

impl Received {
    /// The body with quoted-printable soft breaks and `=XX` escapes undone, so links
    /// split over lines read whole.
    pub fn text(&self) -> String {
        let joined = self.data.replace("=\r\n", "");
        let mut out = Vec::new();
        let bytes = joined.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'='
                && i + 2 < bytes.len()
                && let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
            {
                out.push(b);
                i += 3;
                continue;
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

#[derive(Clone)]
pub struct SmtpSink {
    pub port: u16,
    messages: Arc<Mutex<Vec<Received>>>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let store = messages.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(session(stream, store.clone()));
            }
        });
        SmtpSink { port, messages }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn messages(&self) -> Vec<Received> {
        self.messages.lock().unwrap().clone()
    }

    /// Waits (up to 10 s) until at least `n` messages arrived and returns them.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let got = self.messages();
            if got.len() >= n {
                return got;
            }
            assert!(Instant::now() < deadline, "expected {n} e-mails, the sink has {}", got.len());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn session(stream: tokio::net::TcpStream, store: Arc<Mutex<Vec<Received>>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let _ = write.write_all(b"220 sink.test ESMTP\r\n").await;
    let (mut from, mut to) = (String::new(), Vec::new());
    while let Ok(Some(line)) = lines.next_line().await {
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            b"250 sink.test\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            from = line[10..].trim().to_owned();
            b"250 OK\r\n"
        } else if upper.starts_with("RCPT TO:") {
            to.push(line[8..].trim().to_owned());
            b"250 OK\r\n"
        } else if upper == "DATA" {
            let _ = write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await;
            let mut data = String::new();
            while let Ok(Some(l)) = lines.next_line().await {
                if l == "." {
                    break;
                }
                data.push_str(l.strip_prefix('.').unwrap_or(&l));
                data.push_str("\r\n");
            }
            store.lock().unwrap().push(Received { from: from.clone(), to: std::mem::take(&mut to), data });
            b"250 OK queued\r\n"
        } else if upper == "QUIT" {
            let _ = write.write_all(b"221 bye\r\n").await;
            return;
        } else if upper.starts_with("RSET") || upper.starts_with("NOOP") {
            b"250 OK\r\n"
        } else {
            b"502 not implemented\r\n"
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}
