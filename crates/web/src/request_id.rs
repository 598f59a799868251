//! Request ids: taken from `X-Request-Id` when the caller (a proxy) sent a sane one,
//! else made here (UUIDv7). The id rides in the request's extensions, names the tracing
//! span every log line of the request is written in, comes back in the `X-Request-Id`
//! response header and is shown in error answers, so a user's report finds its logs.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::HeaderValue;

pub const HEADER: &str = "x-request-id";

/// Longer ids are replaced: they only bloat every log line.
const MAX_LEN: usize = 64;

/// The id of the request being served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

impl RequestId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn generate() -> RequestId {
        RequestId(new_uuid().to_string())
    }

    /// An incoming id, if it is short and made of characters that are safe in a log
    /// line, a header and an HTML page without escaping.
    fn accept(value: &HeaderValue) -> Option<RequestId> {
        let s = value.to_str().ok()?;
        let ok = !s.is_empty()
            && s.len() <= MAX_LEN
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':' | b'+' | b'='));
        ok.then(|| RequestId(s.to_owned()))
    }
}

/// A UUIDv7 from the clock and the thread's random generator: unique enough for an id
/// that names log lines, without `Uuid::now_v7`'s shared counter or a system call per
/// request for its random bits.
fn new_uuid() -> uuid::Uuid {
    let millis = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
    uuid::Builder::from_unix_timestamp_millis(millis, &rand::random::<[u8; 10]>()).into_uuid()
}

/// The `X-Request-Id` a response gets when no layer below made a [`RequestId`]: the
/// caller's sane one, else a new one (the fast lane answers cached pages with this).
pub(crate) fn response_header(request: &http::HeaderMap) -> HeaderValue {
    if let Some(v) = request.get(HEADER)
        && RequestId::accept(v).is_some()
    {
        return v.clone();
    }
    let mut buf = uuid::Uuid::encode_buffer();
    HeaderValue::from_str(new_uuid().as_hyphenated().encode_lower(&mut buf)).expect("a UUID is a valid header value")
}

/// The outermost layer: assigns the id and echoes it.
pub async fn assign(mut req: Request, next: Next) -> Response {
    let id = req.headers().get(HEADER).and_then(RequestId::accept).unwrap_or_else(RequestId::generate);
    let header = HeaderValue::from_str(id.as_str()).expect("request ids are visible ASCII");
    req.headers_mut().insert(HEADER, header.clone());
    req.extensions_mut().insert(id);
    let mut resp = next.run(req).await;
    resp.headers_mut().insert(HEADER, header);
    resp
}

/// The span of one request (for `TraceLayer::make_span_with`). At INFO, so its fields
/// are on every line the request logs at INFO and above. The path is the URI's, which
/// `http` has already limited to visible ASCII, so it cannot break a log line.
pub fn make_span<B>(req: &http::Request<B>) -> tracing::Span {
    let id = req.extensions().get::<RequestId>().map(RequestId::as_str).unwrap_or("-");
    tracing::info_span!("request", id, method = %req.method(), path = %req.uri().path())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_short_safe_ids() {
        let ok = |s: &str| RequestId::accept(&HeaderValue::from_str(s).unwrap()).is_some();
        assert!(ok("abc-123"));
        assert!(ok("0192f1c2-7b1e-7cc0-8e2f-1f2e3d4c5b6a"));
        assert!(!ok(""));
        assert!(!ok("has space"));
        assert!(!ok("<script>"));
        assert!(!ok("a\"b"));
        assert!(!ok(&"x".repeat(65)));
        assert!(ok(&"x".repeat(64)));
    }

    #[test]
    fn generated_ids_are_uuids() {
        let id = RequestId::generate();
        assert_eq!(uuid::Uuid::parse_str(id.as_str()).unwrap().get_version_num(), 7);
        let fresh = response_header(&http::HeaderMap::new());
        assert_eq!(uuid::Uuid::parse_str(fresh.to_str().unwrap()).unwrap().get_version_num(), 7);
        assert_ne!(response_header(&http::HeaderMap::new()), fresh);
    }

    #[test]
    fn a_sane_caller_id_is_echoed_and_a_bad_one_replaced() {
        let mut h = http::HeaderMap::new();
        h.insert(HEADER, HeaderValue::from_static("proxy-abc-123"));
        assert_eq!(response_header(&h), "proxy-abc-123");
        h.insert(HEADER, HeaderValue::from_static("<script>"));
        assert_ne!(response_header(&h), "<script>");
    }
}
