//! The mock provider API: see [`MockServer`].

use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

/// A small HTTP/1.1 server on 127.0.0.1 that stands in for providers'
/// APIs in tests of `--verify` and `keyhound openai`: it answers each
/// request with what a handler returns, and records every request (method,
/// path, headers, time) and how many were in flight at once. One thread per
/// connection, `Connection: close`; it stops when dropped.
pub struct MockServer {
    addr: std::net::SocketAddr,
    state: std::sync::Arc<MockState>,
    accept: Option<std::thread::JoinHandle<()>>,
}

#[derive(Default)]
struct MockState {
    requests: std::sync::Mutex<Vec<MockRequest>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    stop: std::sync::atomic::AtomicBool,
}

/// A request the mock server received.
#[derive(Debug, Clone)]
pub struct MockRequest {
    pub method: String,
    /// Path and query, e.g. `/v1/models`.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub at: std::time::Instant,
}

impl MockRequest {
    /// A header's value (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The path without the query.
    pub fn route(&self) -> &str {
        self.path.split('?').next().unwrap_or(&self.path)
    }

    /// A query parameter's value.
    pub fn query(&self, name: &str) -> Option<&str> {
        let q = self.path.split_once('?')?.1;
        q.split('&').find_map(|kv| kv.split_once('=').filter(|(k, _)| *k == name).map(|(_, v)| v))
    }

    /// The credential the request carries: `Authorization` without its
    /// scheme, or `x-api-key`.
    pub fn credential(&self) -> Option<&str> {
        if let Some(v) = self.header("x-api-key") {
            return Some(v);
        }
        let auth = self.header("authorization")?;
        Some(auth.split_once(' ').map_or(auth, |(_, v)| v))
    }
}

/// What the mock server answers.
#[derive(Debug, Clone)]
pub struct MockResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// Wait this long before answering (to trigger client timeouts).
    pub delay: std::time::Duration,
}

impl MockResponse {
    /// An answer with this status and an empty JSON object.
    pub fn status(status: u16) -> MockResponse {
        MockResponse { status, headers: Vec::new(), body: "{}".to_string(), delay: std::time::Duration::ZERO }
    }

    /// An answer with this status and JSON body.
    pub fn json(status: u16, body: Value) -> MockResponse {
        MockResponse { body: body.to_string(), ..MockResponse::status(status) }
    }

    pub fn header(mut self, name: &str, value: &str) -> MockResponse {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn delay(mut self, d: std::time::Duration) -> MockResponse {
        self.delay = d;
        self
    }
}

impl MockServer {
    /// Starts a server; `handler` gets each request and how many earlier
    /// requests had the same method, path and credential (0 for the first:
    /// the attempt number, for retry tests).
    pub fn start(handler: impl Fn(&MockRequest, usize) -> MockResponse + Send + Sync + 'static) -> MockServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().unwrap();
        let state = std::sync::Arc::new(MockState::default());
        let handler = std::sync::Arc::new(handler);
        let st = state.clone();
        let accept = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if st.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (st, handler) = (st.clone(), handler.clone());
                std::thread::spawn(move || serve(conn, &st, &*handler));
            }
        });
        MockServer { addr, state, accept: Some(accept) }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<MockRequest> {
        self.state.requests.lock().unwrap().clone()
    }

    /// The most requests that were being answered at the same time.
    pub fn max_in_flight(&self) -> usize {
        self.state.max_in_flight.load(Ordering::SeqCst)
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.state.stop.store(true, Ordering::SeqCst);
        let _ = std::net::TcpStream::connect(self.addr);
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
    }
}

fn serve(mut conn: std::net::TcpStream, st: &MockState, handler: &dyn Fn(&MockRequest, usize) -> MockResponse) {
    use std::io::{Read, Write};
    let _ = conn.set_read_timeout(Some(std::time::Duration::from_secs(5)));
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        match conn.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if buf.len() > 1 << 20 {
            return;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let (method, path) = (first.next().unwrap_or("").to_string(), first.next().unwrap_or("").to_string());
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect();
    let req = MockRequest { method, path, headers, at: std::time::Instant::now() };
    let attempt = {
        let mut all = st.requests.lock().unwrap();
        let n = all
            .iter()
            .filter(|r| r.method == req.method && r.path == req.path && r.credential() == req.credential())
            .count();
        all.push(req.clone());
        n
    };
    let now = st.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    st.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let resp = handler(&req, attempt);
    std::thread::sleep(resp.delay);
    let mut out = format!(
        "HTTP/1.1 {} Mock\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        resp.status,
        resp.body.len()
    );
    for (k, v) in &resp.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(&resp.body);
    let _ = conn.write_all(out.as_bytes());
    let _ = conn.flush();
    st.in_flight.fetch_sub(1, Ordering::SeqCst);
}
