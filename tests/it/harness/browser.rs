//! Headless Chromium, driven over the DevTools protocol (a local websocket
//! to 127.0.0.1, `tungstenite`), for tests of the HTML report: load a page,
//! record every console message, script error, log entry and network
//! request it causes, run JavaScript in it, and take screenshots.
//!
//! Chromium is Debian's `chromium` (`/usr/bin/chromium`, or `$CHROMIUM`).
//! Without it a test skips with a message saying so — unless
//! `KEYHOUND_REQUIRE_CHROMIUM` is set, as `.ci/run` sets it after installing
//! the package, where a missing browser fails the test instead. Each browser
//! gets a fresh profile and every background service turned off, so the only
//! requests it makes are the page's own.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tempfile::TempDir;
use tungstenite::{Message, WebSocket};

/// The browser, if there is one; `None` (after saying why) when the test
/// should skip.
pub fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("CHROMIUM").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if path.is_file() {
        return Some(path);
    }
    if std::env::var_os("KEYHOUND_REQUIRE_CHROMIUM").is_some() {
        panic!("KEYHOUND_REQUIRE_CHROMIUM is set but there is no browser at {}", path.display());
    }
    eprintln!(
        "SKIPPED: no Chromium at {} (install Debian's `chromium` package, or set CHROMIUM); \
         the HTML report's browser checks did not run",
        path.display()
    );
    None
}

/// What a page did while it was loaded and used.
#[derive(Debug, Default)]
pub struct PageLog {
    /// Console messages of level error or warning, script exceptions and
    /// browser log entries of level error or warning (CSP violations).
    pub problems: Vec<String>,
    /// The URL of every request, the page's own included.
    pub requests: Vec<String>,
}

/// A headless Chromium with one page, attached over the DevTools protocol.
pub struct Browser {
    child: Child,
    ws: WebSocket<TcpStream>,
    session: String,
    next_id: u64,
    pub log: PageLog,
    _profile: TempDir,
}

/// The browser's flags: headless, no sandbox (containers), no GPU, and no
/// background service that could make a request of its own.
const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
    "--force-color-profile=srgb",
    "--remote-debugging-port=0",
];

impl Browser {
    /// Starts `chromium` with a fresh profile and a page of `width` x
    /// `height` CSS pixels.
    pub fn start(chromium: &Path, width: u32, height: u32) -> Browser {
        let profile = tempfile::tempdir().expect("profile dir");
        let mut child = Command::new(chromium)
            .args(FLAGS)
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(format!("--window-size={width},{height}"))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", chromium.display()));
        // "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID"
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        let deadline = Instant::now() + Duration::from_secs(60);
        let url = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(at) = line.find("ws://") {
                        break line[at..].trim().to_string();
                    }
                }
                _ => {
                    let _ = child.kill();
                    panic!("chromium exited before it listened for DevTools");
                }
            }
            assert!(Instant::now() < deadline, "chromium did not start in time");
        };
        // Keep draining stderr so chromium never blocks writing to it.
        std::thread::spawn(move || for _ in lines {});
        let host = url.trim_start_matches("ws://").split('/').next().unwrap().to_string();
        let stream = TcpStream::connect(&host).expect("connect to DevTools");
        stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let (ws, _) = tungstenite::client(url.as_str(), stream).expect("DevTools websocket handshake");
        let mut b =
            Browser { child, ws, session: String::new(), next_id: 0, log: PageLog::default(), _profile: profile };
        let target = b.call_browser("Target.createTarget", json!({ "url": "about:blank" }));
        let target_id = target["targetId"].as_str().unwrap().to_string();
        let attached = b.call_browser("Target.attachToTarget", json!({ "targetId": target_id, "flatten": true }));
        b.session = attached["sessionId"].as_str().unwrap().to_string();
        for domain in ["Page.enable", "Runtime.enable", "Log.enable", "Network.enable"] {
            b.call(domain, json!({}));
        }
        b.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": false }),
        );
        b
    }

    /// Opens `file` and waits until its script says it is ready
    /// (`<html data-ready="true">`); panics on a timeout.
    pub fn open(&mut self, file: &Path) {
        let url = format!("file://{}", file.canonicalize().unwrap().display());
        self.call("Page.navigate", json!({ "url": url }));
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.eval("document.documentElement && document.documentElement.getAttribute('data-ready')")
            != json!("true")
        {
            assert!(Instant::now() < deadline, "the page never became ready; page log: {:?}", self.log);
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Evaluates `expr` in the page and returns its value (as JSON).
    pub fn eval(&mut self, expr: &str) -> Value {
        let r =
            self.call("Runtime.evaluate", json!({ "expression": expr, "returnByValue": true, "awaitPromise": true }));
        if let Some(e) = r.get("exceptionDetails") {
            panic!("evaluating {expr}: {e}");
        }
        r["result"].get("value").cloned().unwrap_or(Value::Null)
    }

    /// A PNG screenshot of the page's area `clip` (`x`, `y`, `width`,
    /// `height` in CSS pixels, from the top of the document).
    pub fn screenshot(&mut self, clip: Value) -> Vec<u8> {
        let mut clip = clip;
        clip["scale"] = json!(1);
        let r = self
            .call("Page.captureScreenshot", json!({ "format": "png", "clip": clip, "captureBeyondViewport": true }));
        use base64::Engine as _;
        base64::prelude::BASE64_STANDARD.decode(r["data"].as_str().unwrap()).unwrap()
    }

    /// Lets events in flight arrive (requests, console messages).
    pub fn settle(&mut self) {
        self.eval("new Promise(r => setTimeout(r, 200))");
    }

    fn call_browser(&mut self, method: &str, params: Value) -> Value {
        self.send(method, params, None)
    }

    fn call(&mut self, method: &str, params: Value) -> Value {
        let session = self.session.clone();
        self.send(method, params, Some(&session))
    }

    fn send(&mut self, method: &str, params: Value, session: Option<&str>) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({ "id": id, "method": method, "params": params });
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        // A signal may interrupt a read or a write (a busy CI machine):
        // tungstenite keeps what it had, so the call is made again.
        let mut sent = self.ws.send(Message::text(msg.to_string()));
        while matches!(&sent, Err(tungstenite::Error::Io(e)) if e.kind() == std::io::ErrorKind::Interrupted) {
            sent = self.ws.flush();
        }
        sent.expect("send to DevTools");
        loop {
            let read = loop {
                match self.ws.read() {
                    Err(tungstenite::Error::Io(e)) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    read => break read,
                }
            };
            let text = match read.expect("read from DevTools") {
                Message::Text(t) => t.to_string(),
                _ => continue,
            };
            let v: Value = serde_json::from_str(&text).expect("DevTools sends JSON");
            if v["id"] == json!(id) {
                if let Some(e) = v.get("error") {
                    panic!("{method}: {e}");
                }
                return v["result"].clone();
            }
            self.record(&v);
        }
    }

    fn record(&mut self, event: &Value) {
        let p = &event["params"];
        match event["method"].as_str().unwrap_or_default() {
            "Network.requestWillBeSent" => {
                self.log.requests.push(p["request"]["url"].as_str().unwrap_or("").to_string())
            }
            "Runtime.exceptionThrown" => self.log.problems.push(format!("exception: {}", p["exceptionDetails"])),
            "Runtime.consoleAPICalled" if matches!(p["type"].as_str(), Some("error" | "warning" | "assert")) => {
                self.log.problems.push(format!("console {}: {}", p["type"], p["args"]))
            }
            "Log.entryAdded" if matches!(p["entry"]["level"].as_str(), Some("error" | "warning")) => {
                self.log.problems.push(format!("log: {}", p["entry"]["text"]))
            }
            _ => {}
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.ws.send(Message::text(json!({ "id": 0, "method": "Browser.close" }).to_string()));
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A connected area of pixels of one colour in a screenshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Blob {
    pub pixels: usize,
    /// Its bounding box.
    pub width: usize,
    pub height: usize,
}

impl Blob {
    /// It fills its bounding box (a filled square, not a ring).
    pub fn is_solid(&self) -> bool {
        self.pixels * 10 >= self.width * self.height * 9
    }
}

/// The connected areas of pixels of `rgb` (within 6 per channel) in a PNG:
/// one per mark of that colour.
pub fn color_blobs(png_bytes: &[u8], rgb: [u8; 3]) -> Vec<Blob> {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("PNG size")];
    let info = reader.next_frame(&mut buf).expect("PNG frame");
    let channels = info.color_type.samples();
    let (w, h) = (info.width as usize, info.height as usize);
    let near = |i: usize| {
        let px = &buf[i * channels..i * channels + 3];
        px.iter().zip(rgb).all(|(&a, b)| a.abs_diff(b) <= 6)
    };
    let mut seen = vec![false; w * h];
    let mut blobs = Vec::new();
    for start in 0..w * h {
        if seen[start] || !near(start) {
            continue;
        }
        let mut stack = vec![start];
        seen[start] = true;
        let mut size = 0;
        let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
        while let Some(i) = stack.pop() {
            size += 1;
            let (x, y) = (i % w, i / w);
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            let mut visit = |j: usize| {
                if !seen[j] && near(j) {
                    seen[j] = true;
                    stack.push(j);
                }
            };
            if x > 0 {
                visit(i - 1);
            }
            if x + 1 < w {
                visit(i + 1);
            }
            if y > 0 {
                visit(i - w);
            }
            if y + 1 < h {
                visit(i + w);
            }
        }
        blobs.push(Blob { pixels: size, width: x1 - x0 + 1, height: y1 - y0 + 1 });
    }
    blobs
}
