//! The real `garasi serve` binary as a child process, for what needs a real signal
//! (SIGTERM) or a real crash (SIGKILL): on the test's database, data dir (so the same key
//! decrypts stored credentials) and Redis, sending WhatsApp messages to a fake Graph API.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::TestApp;

pub struct Serve {
    child: Child,
    pub pid: u32,
    pub addr: SocketAddr,
    pub internal: SocketAddr,
    /// When the process was started.
    pub spawned: Instant,
    /// Its output so far (log lines and the start banner).
    lines: Arc<Mutex<Vec<String>>>,
}

impl Serve {
    /// Starts `garasi serve` on `app`'s database and data dir, with no pacing pauses, and
    /// waits until it listens.
    pub fn start(app: &TestApp, graph_uri: &str) -> Serve {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_garasi"));
        cmd.env_clear()
            .env("GARASI_BIND", "127.0.0.1:0")
            .env("GARASI_INTERNAL_BIND", "127.0.0.1:0")
            .env("GARASI_DATA_DIR", &app.db.data_dir)
            .env("GARASI_DATABASE_URL", &app.db.runtime_url)
            .env("GARASI_WA_GRAPH_BASE_URL", format!("{graph_uri}/v23.0"))
            .env("GARASI_WA_TYPING_MAX_MS", "0")
            .env("GARASI_WA_PHOTO_GAP_MS", "0-0")
            .env("GARASI_LOG", "info,garasi_media=warn")
            .env("NO_COLOR", "1")
            .arg("serve")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(url) = &app.settings.redis_url {
            cmd.env("GARASI_REDIS_URL", url).env("GARASI_REDIS_PREFIX", &app.settings.redis_prefix);
        }
        let spawned = Instant::now();
        let mut child = cmd.spawn().expect("start garasi serve");
        let pid = child.id();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        // The banner goes to stdout and the log to stderr: both are kept, in arrival order.
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        for stream in [Box::new(stdout) as Box<dyn std::io::Read + Send>, Box::new(stderr)] {
            let (tx, kept) = (tx.clone(), lines.clone());
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = tx.send(line.clone());
                    kept.lock().unwrap().push(line);
                }
            });
        }
        drop(tx);
        let addr_in = |line: &str, prefix: &str| {
            line.trim().strip_prefix(prefix).and_then(|a| a.trim().trim_start_matches("http://").parse().ok())
        };
        let (mut addr, mut internal) = (None, None);
        while addr.is_none() || internal.is_none() {
            let line = rx.recv_timeout(Duration::from_secs(60)).expect("garasi serve did not start");
            addr = addr.or(addr_in(&line, "Garasi is listening on"));
            internal = internal.or(addr_in(&line, "internal:"));
        }
        Serve { child, pid, addr: addr.unwrap(), internal: internal.unwrap(), spawned, lines }
    }

    /// Sends `signal` (`TERM`, `KILL`) with kill(1).
    pub fn signal(&self, signal: &str) {
        let ok = Command::new("kill").arg(format!("-{signal}")).arg(self.pid.to_string()).status().unwrap();
        assert!(ok.success(), "kill -{signal} {}", self.pid);
    }

    /// Waits for the process to end.
    pub async fn wait(mut self) -> (ExitStatus, Vec<String>) {
        let lines = self.lines.clone();
        let status = tokio::task::spawn_blocking(move || self.child.wait().unwrap()).await.unwrap();
        // The reader thread may still hold the last lines for a moment.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let out = lines.lock().unwrap().clone();
        (status, out)
    }

    /// `kill -9`, then reaped.
    pub async fn crash(self) {
        self.signal("KILL");
        let (status, _) = self.wait().await;
        assert!(!status.success());
    }

    /// Output lines so far.
    pub fn output(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    /// A request to the public listener with `Host: host`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The status of the internal listener's `/readyz`.
    pub async fn internal_readyz(&self, client: &reqwest::Client) -> u16 {
        client.get(format!("http://{}/readyz", self.internal)).send().await.unwrap().status().as_u16()
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        // Only this test's own child, by its handle.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A multipart photo upload sent over a raw TCP connection in two halves, so a test can
/// act (a signal, a crash) while the server holds half the body.
pub struct SlowUpload {
    stream: std::net::TcpStream,
    rest: Vec<u8>,
}

impl SlowUpload {
    /// Sends the request head and the first half of a body carrying `photo`.
    pub fn begin(addr: SocketAddr, host: &str, token: &str, car_id: &str, photo: &[u8]) -> SlowUpload {
        let boundary = "garasiSlowBoundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"mobil.jpg\"\r\n\
             Content-Type: image/jpeg\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(photo);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let head = format!(
            "POST /api/cars/{car_id}/photos HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let half = body.len() / 2;
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(&body[..half]).unwrap();
        stream.flush().unwrap();
        SlowUpload { stream, rest: body[half..].to_vec() }
    }

    /// Sends the rest of the body and returns the response's status and body.
    pub async fn finish(self) -> (u16, String) {
        tokio::task::spawn_blocking(move || {
            let SlowUpload { mut stream, rest } = self;
            stream.write_all(&rest).unwrap();
            let mut out = String::new();
            let _ = stream.read_to_string(&mut out);
            let status = out.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
            (status, out)
        })
        .await
        .unwrap()
    }
}

/// `.part` files in the data dir's staging area.
pub fn staged_parts(app: &TestApp) -> Vec<std::path::PathBuf> {
    files_under(&app.db.data_dir.join("incoming"))
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".part"))
        .collect()
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() { out.extend(files_under(&p)) } else { out.push(p) }
        }
    }
    out
}

/// Polls `f` every 50 ms until it gives a value; fails after `limit` naming `what`.
pub async fn wait_for<T>(what: &str, limit: Duration, mut f: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
