//! Live checks (`--verify`): asks each secret's provider whether the secret
//! still works, and records the answer on the findings as `live`, `invalid`
//! or `unknown`.
//!
//! What a check sends is data in the shipped rule files (`[rule.verify]`,
//! see `rules::check`): one request to the rule's fixed HTTPS host with the
//! secret in a header. Each distinct secret is checked once per run, by a
//! few worker threads, under a global rate limit, with a timeout per request
//! and at most one retry (after a backoff) on 429 and 5xx answers.
//!
//! What it must not do:
//! - run without `--verify`: nothing calls it unless the user asked, and a
//!   repository's `.keyhound.toml` can neither turn it on nor change where
//!   requests go — base-URL overrides come from the process environment
//!   only, and only checks of rules embedded in the binary are run;
//! - send a secret anywhere but its provider's host (or that override), or
//!   over anything but HTTPS (plain HTTP only to a loopback override);
//! - log, print or put a secret in a message: details come from statuses
//!   and short fields of the provider's answer, with the secret scrubbed.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::model::{scrub, secret_hash, Outcome, Verification, VerifyCounts};
use crate::net::{Client, Request, Response};
use crate::rules::check::{json_path, VerifySpec, OVERRIDE_PREFIX, SECRET_PLACEHOLDER};
use crate::rules::{Rule, VerifyStatus};
use crate::util::time::now_utc;

/// Default time allowed for one request.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default number of requests in flight at once.
pub const DEFAULT_CONCURRENCY: usize = 4;
/// Default global rate limit, requests per second.
pub const DEFAULT_RATE: f64 = 10.0;
/// Longest backoff before the one retry, whatever `Retry-After` says.
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// Backoff when the answer gives no `Retry-After`.
const DEFAULT_BACKOFF: Duration = Duration::from_secs(1);
/// Longest detail taken from a provider's answer.
const MAX_DETAIL: usize = 120;

/// A base URL replacing a provider's `https://host` (from the environment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseOverride {
    /// `https://host[:port][/prefix]` or `http://<loopback>[:port][/prefix]`,
    /// without a trailing `/`.
    pub url: String,
    /// The variable it came from.
    pub var: String,
}

/// How `--verify` runs; built by `config` from flags and the process
/// environment, never from a repository's files.
#[derive(Debug, Clone)]
pub struct VerifySettings {
    pub timeout: Duration,
    pub concurrency: usize,
    /// Requests per second, all providers together.
    pub rate: f64,
    /// Report only findings whose secret is live.
    pub only_verified: bool,
    /// Provider → base URL override.
    pub overrides: BTreeMap<String, BaseOverride>,
    /// From `HTTPS_PROXY`.
    pub proxy: Option<String>,
}

impl VerifySettings {
    /// Settings with the defaults and no overrides.
    pub fn new() -> VerifySettings {
        VerifySettings {
            timeout: DEFAULT_TIMEOUT,
            concurrency: DEFAULT_CONCURRENCY,
            rate: DEFAULT_RATE,
            only_verified: false,
            overrides: BTreeMap::new(),
            proxy: None,
        }
    }

    /// The warnings every run with overrides prints: where requests go.
    pub fn override_warnings(&self) -> Vec<String> {
        self.overrides
            .iter()
            .map(|(provider, o)| format!("verification requests for {provider} go to {} ({})", o.url, o.var))
            .collect()
    }

    fn client(&self) -> Client {
        // The proxy URL was validated when the settings were built.
        let proxy = self.proxy.as_deref().and_then(|p| ureq::Proxy::new(p).ok());
        Client::new(self.timeout, proxy)
    }
}

impl Default for VerifySettings {
    fn default() -> Self {
        VerifySettings::new()
    }
}

/// Reads the `KEYHOUND_VERIFY_BASE_URL_<PROVIDER>` overrides for the
/// providers that `rules` check (through `vars`, the process environment's
/// variables). A variable naming no provider, or a URL that is neither
/// HTTPS nor plain HTTP to a loopback address, is an error.
pub fn overrides_from_env(
    rules: &[Rule],
    vars: impl IntoIterator<Item = (String, String)>,
) -> Result<BTreeMap<String, BaseOverride>, String> {
    let providers: std::collections::BTreeSet<String> =
        rules.iter().filter(|r| r.shipped).filter_map(|r| r.verify.as_ref()).map(|v| v.provider.clone()).collect();
    let mut out = BTreeMap::new();
    for (var, value) in vars {
        let Some(name) = var.strip_prefix(OVERRIDE_PREFIX) else { continue };
        if value.is_empty() {
            continue;
        }
        let provider = name.to_ascii_lowercase();
        if !providers.contains(&provider) {
            let known: Vec<String> =
                providers.iter().map(|p| format!("{OVERRIDE_PREFIX}{}", p.to_uppercase())).collect();
            return Err(format!("{var}: no provider `{provider}` has a live check (known: {})", known.join(", ")));
        }
        let url = parse_base_url(&value).map_err(|m| format!("{var}={value:?}: {m}"))?;
        out.insert(provider, BaseOverride { url, var });
    }
    Ok(out)
}

/// Validates a base URL override: `https://host[:port][/prefix]`, or
/// `http://` to a loopback address only. Returns it without a trailing `/`.
pub fn parse_base_url(value: &str) -> Result<String, String> {
    let v = value.trim().trim_end_matches('/');
    let rest = if let Some(r) = v.strip_prefix("https://") {
        r
    } else if let Some(r) = v.strip_prefix("http://") {
        if !crate::net::is_loopback_url(v) {
            return Err("plain http:// is allowed only to a loopback address (127.0.0.1, localhost, [::1])".into());
        }
        r
    } else {
        return Err("must be an https:// URL (or http:// to a loopback address)".into());
    };
    let authority = rest.split('/').next().unwrap_or("");
    if authority.is_empty() || authority.contains(['@', '?', '#', ' ']) || rest.contains(['?', '#', ' ', '{', '}']) {
        return Err("must be scheme://host[:port][/path], with no user, query or fragment".into());
    }
    Ok(v.to_string())
}

/// One request to make: a check and a secret, shared by every finding with
/// that secret.
struct Job<'a> {
    spec: &'a VerifySpec,
    secret: String,
    findings: Vec<usize>,
    result: Option<Verification>,
}

/// Spaces requests evenly: at most `rate` per second over all threads.
struct RateLimiter {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl RateLimiter {
    fn new(rate: f64) -> RateLimiter {
        RateLimiter { interval: Duration::from_secs_f64(1.0 / rate), next: Mutex::new(None) }
    }

    /// Waits for this caller's turn.
    fn wait(&self) {
        let at = {
            let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let at = next.map_or(now, |n| n.max(now));
            *next = Some(at + self.interval);
            at
        };
        let now = Instant::now();
        if at > now {
            std::thread::sleep(at - now);
        }
    }
}

/// Checks the secrets of `outcome`'s findings (those whose shipped rule has
/// a check), records the results on the findings and the counts in the
/// summary, and with `only_verified` keeps only the live findings.
pub fn apply(outcome: &mut Outcome, rules: &[Rule], settings: &VerifySettings) {
    let started = Instant::now();
    let checks: HashMap<&str, &VerifySpec> =
        rules.iter().filter(|r| r.shipped).filter_map(|r| Some((r.id.as_str(), r.verify.as_ref()?))).collect();
    let mut jobs: Vec<Job> = Vec::new();
    let mut by_key: HashMap<(String, String), usize> = HashMap::new();
    for (i, f) in outcome.findings.iter().enumerate() {
        let Some(spec) = checks.get(f.rule_id.as_str()) else { continue };
        // One request per check and secret, however many findings share it.
        let key = (format!("{spec:?}"), secret_hash(&f.secret));
        let j = *by_key.entry(key).or_insert_with(|| {
            jobs.push(Job { spec, secret: f.secret.clone(), findings: Vec::new(), result: None });
            jobs.len() - 1
        });
        jobs[j].findings.push(i);
    }
    if !jobs.is_empty() {
        run_jobs(&mut jobs, settings);
    }
    let mut counts = VerifyCounts::default();
    for job in jobs {
        for i in job.findings {
            outcome.findings[i].verification = job.result.clone();
        }
    }
    for f in &outcome.findings {
        match f.verification.as_ref().map(|v| v.status) {
            Some(VerifyStatus::Live) => counts.live += 1,
            Some(VerifyStatus::Invalid) => counts.invalid += 1,
            Some(VerifyStatus::Unknown) => counts.unknown += 1,
            None => counts.unchecked += 1,
        }
    }
    outcome.summary.verified = Some(counts);
    if settings.only_verified {
        outcome.findings.retain(|f| f.verification.as_ref().is_some_and(|v| v.status == VerifyStatus::Live));
    }
    outcome.summary.findings = outcome.findings.len();
    outcome.summary.duration_ms += started.elapsed().as_millis();
}

fn run_jobs(jobs: &mut [Job], settings: &VerifySettings) {
    let client = settings.client();
    let limiter = RateLimiter::new(settings.rate);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Verification)>> = Mutex::new(Vec::with_capacity(jobs.len()));
    let work: Vec<(&VerifySpec, &str)> = jobs.iter().map(|j| (j.spec, j.secret.as_str())).collect();
    let threads = settings.concurrency.clamp(1, work.len());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((spec, secret)) = work.get(i) else { break };
                let base = settings.overrides.get(&spec.provider).map(|o| o.url.as_str());
                let v = check(&client, &limiter, spec, base, secret);
                results.lock().unwrap_or_else(|e| e.into_inner()).push((i, v));
            });
        }
    });
    for (i, v) in results.into_inner().unwrap_or_else(|e| e.into_inner()) {
        jobs[i].result = Some(v);
    }
}

/// The request a check makes for `secret`, to `base` (an override) or the
/// check's own host.
fn request<'a>(spec: &'a VerifySpec, base: Option<&str>, secret: &str) -> Request<'a> {
    let url = match base {
        Some(b) => format!("{b}{}", spec.path()),
        None => spec.url.clone(),
    };
    let headers = spec.headers.iter().map(|(k, v)| (k.clone(), v.replace(SECRET_PLACEHOLDER, secret))).collect();
    Request { method: &spec.method, url, headers }
}

/// Whether an answer may be different when asked again: a rate limit (429)
/// or a server error (5xx) may pass, but not an out-of-quota 429 (OpenAI's
/// `insufficient_quota`: the account has no credit left, and waiting a
/// second does not add any), nor a 401 or any other answer about the key.
fn retryable(r: &Response) -> bool {
    match r.status {
        429 => !out_of_quota(r),
        500..=599 => true,
        _ => false,
    }
}

/// A 429 that says the account is out of quota rather than rate-limited:
/// `insufficient_quota` as the error's code or type.
fn out_of_quota(r: &Response) -> bool {
    let Some(body) = r.json() else { return false };
    ["code", "type"].iter().any(|field| body["error"][*field] == "insufficient_quota")
}

/// Runs one check: rate-limited request, one retry after a backoff on an
/// answer that may change ([`retryable`]), then reads the answer.
fn check(client: &Client, limiter: &RateLimiter, spec: &VerifySpec, base: Option<&str>, secret: &str) -> Verification {
    let req = request(spec, base, secret);
    limiter.wait();
    let mut answer = client.send(&req);
    if let Ok(r) = &answer {
        if retryable(r) {
            std::thread::sleep(r.retry_after.unwrap_or(DEFAULT_BACKOFF).min(MAX_BACKOFF));
            limiter.wait();
            answer = client.send(&req);
        }
    }
    let (status, detail) = match answer {
        Ok(mut r) => {
            // Should the provider echo the secret, it is redacted before
            // anything is read from the answer.
            r.body = scrub(&r.body, secret);
            read_response(spec, &r)
        }
        Err(e) => (VerifyStatus::Unknown, e.to_string()),
    };
    Verification { status, detail: scrub(&detail, secret), checked_at: now_utc() }
}

/// Reads an answer with the check's response table.
pub fn read_response(spec: &VerifySpec, r: &Response) -> (VerifyStatus, String) {
    let body = r.json();
    for entry in &spec.responses {
        if !entry.status.contains(&r.status) {
            continue;
        }
        if let Some(cond) = &entry.json {
            if !cond.holds(body.as_ref()) {
                continue;
            }
        }
        let mut detail = entry.detail.clone().unwrap_or_else(|| format!("HTTP {}", r.status));
        if let Some(path) = &entry.detail_from {
            if let Some(v) = body.as_ref().and_then(|b| json_path(b, path)) {
                let text = match v {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Null => String::new(),
                    other => other.to_string(),
                };
                if !text.is_empty() {
                    detail.push_str(&format!(" ({})", short(&text)));
                }
            }
        }
        return (entry.result, detail);
    }
    let detail = if (300..400).contains(&r.status) {
        format!(
            "unexpected HTTP {} redirect{} (redirects are not followed)",
            r.status,
            r.location.as_deref().map(|l| format!(" to {}", short(l))).unwrap_or_default()
        )
    } else {
        format!("unexpected HTTP {}", r.status)
    };
    (VerifyStatus::Unknown, detail)
}

/// At most `MAX_DETAIL` characters, one line.
fn short(s: &str) -> String {
    let one_line: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if one_line.chars().count() > MAX_DETAIL {
        format!("{}…", one_line.chars().take(MAX_DETAIL).collect::<String>())
    } else {
        one_line
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::redact;
    use crate::rules::RuleSet;

    fn openai() -> VerifySpec {
        RuleSet::embedded().unwrap().get("openai-project-key").unwrap().verify.clone().expect("openai has a check")
    }

    fn resp(status: u16, body: &str) -> Response {
        Response { status, body: body.to_string(), retry_after: None, location: None, headers: Vec::new() }
    }

    #[test]
    fn openai_statuses() {
        let s = openai();
        assert_eq!(read_response(&s, &resp(200, "{}")).0, VerifyStatus::Live);
        assert_eq!(read_response(&s, &resp(401, "")).0, VerifyStatus::Invalid);
        let (st, d) = read_response(&s, &resp(403, ""));
        assert_eq!((st, d.as_str()), (VerifyStatus::Live, "restricted key"));
        let (st, d) = read_response(&s, &resp(429, r#"{"error": {"code": "insufficient_quota"}}"#));
        assert_eq!((st, d.as_str()), (VerifyStatus::Live, "rate-limited or out of quota (insufficient_quota)"));
        let (st, d) = read_response(&s, &resp(500, ""));
        assert_eq!((st, d.as_str()), (VerifyStatus::Unknown, "unexpected HTTP 500"));
        let mut r = resp(302, "");
        r.location = Some("https://elsewhere.example/".into());
        assert!(read_response(&s, &r).1.contains("not followed"));
    }

    #[test]
    fn only_answers_that_may_change_are_retried() {
        assert!(retryable(&resp(429, r#"{"error": {"code": "rate_limit_exceeded", "type": "requests"}}"#)));
        assert!(retryable(&resp(429, "")));
        assert!(retryable(&resp(429, "slow down")));
        assert!(retryable(&resp(500, "")));
        assert!(retryable(&resp(503, "{}")));
        assert!(!retryable(&resp(429, r#"{"error": {"code": "insufficient_quota", "type": "insufficient_quota"}}"#)));
        assert!(!retryable(&resp(429, r#"{"error": {"code": null, "type": "insufficient_quota"}}"#)));
        assert!(!retryable(&resp(401, "")));
        assert!(!retryable(&resp(401, r#"{"error": {"code": "invalid_api_key"}}"#)));
        assert!(!retryable(&resp(200, "")));
        assert!(!retryable(&resp(403, "")));
    }

    #[test]
    fn requests_go_to_the_fixed_host_or_the_override() {
        let s = openai();
        let r = request(&s, None, "sk-test");
        assert_eq!(r.url, "https://api.openai.com/v1/models");
        assert_eq!(r.headers, vec![("Authorization".to_string(), "Bearer sk-test".to_string())]);
        assert_eq!(request(&s, Some("http://127.0.0.1:9"), "k").url, "http://127.0.0.1:9/v1/models");
    }

    #[test]
    fn base_url_overrides() {
        assert_eq!(parse_base_url("http://127.0.0.1:8080/").unwrap(), "http://127.0.0.1:8080");
        assert_eq!(parse_base_url("https://proxy.example.com/openai").unwrap(), "https://proxy.example.com/openai");
        assert!(parse_base_url("http://example.com").is_err());
        assert!(parse_base_url("ftp://127.0.0.1").is_err());
        assert!(parse_base_url("https://user@example.com").is_err());
        let rules = RuleSet::embedded().unwrap();
        let vars = vec![("KEYHOUND_VERIFY_BASE_URL_OPENAI".to_string(), "http://127.0.0.1:1".to_string())];
        let o = overrides_from_env(rules.rules(), vars).unwrap();
        assert_eq!(o["openai"].url, "http://127.0.0.1:1");
        let vars = vec![("KEYHOUND_VERIFY_BASE_URL_NOPE".to_string(), "http://127.0.0.1:1".to_string())];
        assert!(overrides_from_env(rules.rules(), vars).unwrap_err().contains("no provider"));
    }

    #[test]
    fn secrets_are_scrubbed_from_details() {
        let secret = format!("sk-proj-Ab{}", "q".repeat(40));
        assert_eq!(scrub(&format!("bad key {secret}"), &secret), format!("bad key {}", redact(&secret)));
    }

    #[test]
    fn every_shipped_check_is_valid_and_rule_files_without_shipping_are_inert() {
        let set = RuleSet::embedded().unwrap();
        let providers: std::collections::BTreeSet<&str> =
            set.rules().iter().filter_map(|r| r.verify.as_ref()).map(|v| v.provider.as_str()).collect();
        for p in ["openai", "anthropic", "github"] {
            assert!(providers.contains(p), "no {p} check");
        }
        assert!(providers.len() >= 6, "{providers:?}");
        let mut user = RuleSet::default();
        let mut rule = set.get("openai-project-key").unwrap().clone();
        rule.shipped = false;
        user.add(rule).unwrap();
        assert!(overrides_from_env(
            user.rules(),
            vec![("KEYHOUND_VERIFY_BASE_URL_OPENAI".into(), "http://127.0.0.1:1".into())]
        )
        .is_err());
    }
}
