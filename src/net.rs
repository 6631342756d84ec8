//! The HTTP client every live check and the OpenAI admin commands use:
//! blocking `ureq` over rustls with certificates verified against the
//! webpki roots, redirects never followed, a timeout per request, and no
//! proxy except the standard `HTTPS_PROXY`.
//!
//! Requests go to `https://` URLs only, except plain `http://` to a loopback
//! address, which only a `KEYHOUND_VERIFY_BASE_URL_*` override (set in the
//! process environment by whoever runs keyhound) can produce. Nothing here
//! logs or formats request headers: they carry secrets.

use std::io::Read;
use std::time::Duration;

use ureq::Agent;

/// Bytes of a response body kept (the rest is not read).
const BODY_LIMIT: u64 = 256 * 1024;

/// One request. Header values may hold secrets: never print a `Request`.
pub struct Request<'a> {
    pub method: &'a str,
    pub url: String,
    pub headers: Vec<(String, String)>,
}

/// What came back.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    /// The body as text (lossy UTF-8, at most 256 KiB).
    pub body: String,
    /// `Retry-After` in seconds, when given as a number.
    pub retry_after: Option<Duration>,
    /// `Location`, for redirects (which are never followed).
    pub location: Option<String>,
    /// Every header, names in lower case (for pagination and rate limits).
    pub headers: Vec<(String, String)>,
}

impl Response {
    /// A header's value (`name` in lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.body).ok()
    }
}

/// Why there is no response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpError {
    Timeout(Duration),
    /// A network, TLS or protocol error, in words (no headers, no secrets).
    Failed(String),
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HttpError::Timeout(d) => write!(f, "timed out after {}", human_duration(*d)),
            HttpError::Failed(m) => f.write_str(m),
        }
    }
}

/// `10s`, `1.5s`, `250ms`.
pub fn human_duration(d: Duration) -> String {
    if d.as_millis().is_multiple_of(1000) {
        format!("{}s", d.as_secs())
    } else if d < Duration::from_secs(1) {
        format!("{}ms", d.as_millis())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

/// The client: one agent for HTTPS (optionally through `HTTPS_PROXY`), one
/// without proxy for loopback test servers.
pub struct Client {
    https: Agent,
    loopback: Agent,
    timeout: Duration,
}

fn agent(timeout: Duration, proxy: Option<ureq::Proxy>, https_only: bool) -> Agent {
    Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .https_only(https_only)
        .proxy(proxy)
        .timeout_global(Some(timeout))
        .user_agent(concat!("keyhound/", env!("CARGO_PKG_VERSION")))
        .build()
        .new_agent()
}

/// The proxy from `HTTPS_PROXY` (or `https_proxy`), if set and valid. No
/// other proxy variable is read.
pub fn proxy_from_env(var: impl Fn(&str) -> Option<String>) -> Result<Option<ureq::Proxy>, String> {
    let Some(url) = var("HTTPS_PROXY").or_else(|| var("https_proxy")).filter(|v| !v.trim().is_empty()) else {
        return Ok(None);
    };
    ureq::Proxy::new(url.trim()).map(Some).map_err(|e| format!("HTTPS_PROXY is not a usable proxy URL: {e}"))
}

impl Client {
    /// A client whose every request times out after `timeout`.
    pub fn new(timeout: Duration, proxy: Option<ureq::Proxy>) -> Client {
        Client { https: agent(timeout, proxy, true), loopback: agent(timeout, None, false), timeout }
    }

    /// Sends a request and reads the response (any status).
    pub fn send(&self, req: &Request<'_>) -> Result<Response, HttpError> {
        self.send_limited(req, BODY_LIMIT)
    }

    /// [`Client::send`], keeping up to `body_limit` bytes of the body (a
    /// page of a forge's repository listing is larger than a live check's
    /// answer).
    pub fn send_limited(&self, req: &Request<'_>, body_limit: u64) -> Result<Response, HttpError> {
        let agent = if req.url.starts_with("https://") {
            &self.https
        } else if is_loopback_url(&req.url) {
            &self.loopback
        } else {
            return Err(HttpError::Failed("refusing a request that is not HTTPS".to_string()));
        };
        let mut builder = ureq::http::Request::builder().method(req.method).uri(&req.url);
        for (name, value) in &req.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let request =
            builder.body(()).map_err(|_| HttpError::Failed("could not build the request (bad header?)".to_string()))?;
        match agent.run(request) {
            Ok(mut resp) => {
                let status = resp.status().as_u16();
                let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
                let retry_after =
                    header("retry-after").and_then(|v| v.trim().parse::<u64>().ok()).map(Duration::from_secs);
                let location = header("location");
                let headers = resp
                    .headers()
                    .iter()
                    .filter_map(|(k, v)| Some((k.as_str().to_ascii_lowercase(), v.to_str().ok()?.to_string())))
                    .collect();
                let mut bytes = Vec::new();
                let read = resp.body_mut().as_reader().take(body_limit).read_to_end(&mut bytes);
                if let Err(e) = read {
                    return Err(classify_io(&e, self.timeout));
                }
                Ok(Response {
                    status,
                    body: String::from_utf8_lossy(&bytes).into_owned(),
                    retry_after,
                    location,
                    headers,
                })
            }
            Err(e) => Err(classify(e, self.timeout)),
        }
    }
}

fn classify(e: ureq::Error, timeout: Duration) -> HttpError {
    match e {
        ureq::Error::Timeout(_) => HttpError::Timeout(timeout),
        ureq::Error::Io(io) => classify_io(&io, timeout),
        ureq::Error::HostNotFound => HttpError::Failed("host not found".to_string()),
        other => HttpError::Failed(other.to_string()),
    }
}

fn classify_io(e: &std::io::Error, timeout: Duration) -> HttpError {
    if matches!(e.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock)
        || e.to_string().to_ascii_lowercase().contains("timeout")
    {
        HttpError::Timeout(timeout)
    } else {
        HttpError::Failed(format!("network error: {e}"))
    }
}

/// `http://` to 127.0.0.0/8, `localhost` or `[::1]` (any port).
pub fn is_loopback_url(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else { return false };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return false;
    }
    let host = if let Some(v6) = authority.strip_prefix('[') {
        match v6.split_once(']') {
            Some((h, port)) if port.is_empty() || port.starts_with(':') => h,
            _ => return false,
        }
    } else {
        authority.split(':').next().unwrap_or("")
    };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_urls() {
        assert!(is_loopback_url("http://127.0.0.1:8080"));
        assert!(is_loopback_url("http://127.1.2.3/x"));
        assert!(is_loopback_url("http://localhost:1/"));
        assert!(is_loopback_url("http://[::1]:9000"));
        assert!(!is_loopback_url("http://10.0.0.1:80"));
        assert!(!is_loopback_url("http://127.0.0.1.evil.example"));
        assert!(!is_loopback_url("http://user@127.0.0.1@evil.example"));
        assert!(!is_loopback_url("https://127.0.0.1"));
        assert!(!is_loopback_url("http://[::2]:9000"));
    }

    #[test]
    fn only_https_proxy_is_read() {
        let env = |k: &str| (k == "HTTP_PROXY" || k == "ALL_PROXY").then(|| "http://proxy.invalid:3128".to_string());
        assert!(proxy_from_env(env).unwrap().is_none());
        let env = |k: &str| (k == "HTTPS_PROXY").then(|| "http://proxy.invalid:3128".to_string());
        assert!(proxy_from_env(env).unwrap().is_some());
    }

    #[test]
    fn durations() {
        assert_eq!(human_duration(Duration::from_secs(10)), "10s");
        assert_eq!(human_duration(Duration::from_millis(250)), "250ms");
        assert_eq!(human_duration(Duration::from_millis(1500)), "1.5s");
    }

    #[test]
    fn plain_http_elsewhere_is_refused_without_a_connection() {
        let c = Client::new(Duration::from_secs(1), None);
        let req = Request { method: "GET", url: "http://example.invalid/".into(), headers: vec![] };
        assert!(matches!(c.send(&req), Err(HttpError::Failed(m)) if m.contains("not HTTPS")));
    }
}
