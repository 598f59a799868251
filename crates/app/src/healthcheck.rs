//! `garasi healthcheck`: asks the running server's `/readyz` and exits 0 only on 200.
//!
//! The container image has no curl or shell, so its `HEALTHCHECK` runs the binary itself.
//! A plain HTTP/1.1 request over TCP is all it needs: the probe talks to its own
//! process on loopback, never through TLS or a proxy.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long the whole probe may take; Docker's own `--timeout` is the outer bound.
const TIMEOUT: Duration = Duration::from_secs(5);

/// The address to probe: the bind address, with a wildcard IP replaced by loopback
/// (a server bound to 0.0.0.0 answers on 127.0.0.1 too).
pub fn probe_addr(bind: SocketAddr) -> SocketAddr {
    let ip = match bind.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, bind.port())
}

/// Probes `addr` and returns the readiness body on 200; any other answer is an error
/// naming the status, so the container log says why it is unhealthy.
pub async fn check(addr: SocketAddr) -> anyhow::Result<String> {
    tokio::time::timeout(TIMEOUT, probe(addr))
        .await
        .with_context(|| format!("no answer from {addr} within {TIMEOUT:?}"))?
}

async fn probe(addr: SocketAddr) -> anyhow::Result<String> {
    let mut stream = TcpStream::connect(addr).await.with_context(|| format!("cannot connect to {addr}"))?;
    // /readyz is answered on any host, so the Host header only has to be well-formed.
    let request =
        format!("GET /readyz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAccept: application/json\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    // The answer is a few hundred bytes; the cap keeps a confused peer from filling memory.
    stream.take(64 * 1024).read_to_end(&mut response).await?;
    let text = String::from_utf8_lossy(&response);
    let status_line = text.lines().next().unwrap_or_default();
    let status = status_line.split_whitespace().nth(1).unwrap_or_default();
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.trim().to_owned()).unwrap_or_default();
    if status != "200" {
        bail!("{addr}/readyz answered {status_line:?}: {body}");
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_binds_are_probed_on_loopback() {
        assert_eq!(probe_addr("0.0.0.0:3000".parse().unwrap()), "127.0.0.1:3000".parse().unwrap());
        assert_eq!(probe_addr("[::]:8080".parse().unwrap()), "[::1]:8080".parse().unwrap());
        assert_eq!(probe_addr("10.0.0.5:3000".parse().unwrap()), "10.0.0.5:3000".parse().unwrap());
    }
}
