//! Listing an organization's repositories through its forge's REST API:
//! GitHub (`--github-org`, also GitHub Enterprise Server through
//! `--github-api-url`) and GitLab (`--gitlab-group`, with subgroups; a
//! self-managed instance through `--gitlab-url`).
//!
//! Pages are followed through the `Link` header (`rel="next"`; GitLab's
//! `X-Next-Page` too), never to another origin than the API's: a response
//! cannot send the token elsewhere. Rate limits are honoured: a 403 or 429
//! that says the limit is spent (`x-ratelimit-remaining: 0`, `Retry-After`)
//! waits until the reset the headers give — at most `max_wait` in all —
//! and asks again; a page that leaves no requests waits before the next.
//! The API base URL comes only from the command line or the environment
//! of whoever runs keyhound, never from scanned content.
//!
//! The token travels only in the `Authorization` header of API requests to
//! that origin; it is never printed, logged or put in an error ([`Token`]
//! has no way to show it). Must not clone or scan anything.

mod github;
mod gitlab;

use std::time::Duration;

use crate::net::{Client, HttpError, Request, Response};

/// A repository the forge listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForgeRepo {
    /// `org/name` (GitLab: `group/subgroup/name`).
    pub name: String,
    /// The HTTPS clone URL.
    pub clone_url: String,
    pub archived: bool,
    pub fork: bool,
}

/// Which forge, where, and whose repositories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forge {
    /// `api`: the REST API's base URL (`https://api.github.com`, or
    /// `https://HOST/api/v3` for GitHub Enterprise Server).
    GitHub { api: String, org: String },
    /// `base`: the instance (`https://gitlab.com`); the API is `base/api/v4`.
    GitLab { base: String, group: String },
}

impl Forge {
    /// The forge's name, for messages.
    pub fn label(&self) -> &'static str {
        match self {
            Forge::GitHub { .. } => "GitHub",
            Forge::GitLab { .. } => "GitLab",
        }
    }

    /// The environment variables a token is read from, in order.
    pub fn token_vars(&self) -> &'static [&'static str] {
        match self {
            Forge::GitHub { .. } => &["GITHUB_TOKEN", "GH_TOKEN"],
            Forge::GitLab { .. } => &["GITLAB_TOKEN"],
        }
    }

    /// The host a clone URL must have for the token to go with it: the
    /// API's (for api.github.com, github.com).
    pub fn clone_host(&self) -> Option<String> {
        let base = match self {
            Forge::GitHub { api, .. } => api,
            Forge::GitLab { base, .. } => base,
        };
        let host = url::Url::parse(base).ok()?.host_str()?.to_ascii_lowercase();
        Some(if host == "api.github.com" { "github.com".to_string() } else { host })
    }

    /// Whether the API is on this machine (`http://127.0.0.1:…`, a mock).
    pub fn is_loopback(&self) -> bool {
        let base = match self {
            Forge::GitHub { api, .. } => api,
            Forge::GitLab { base, .. } => base,
        };
        crate::net::is_loopback_url(base)
    }

    /// The user name git sends with the token over HTTPS.
    pub fn clone_user(&self) -> &'static str {
        match self {
            Forge::GitHub { .. } => "x-access-token",
            Forge::GitLab { .. } => "oauth2",
        }
    }
}

/// An API token. It cannot be printed: `Debug` shows nothing of it, and
/// there is no `Display`.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    pub fn new(value: String) -> Token {
        Token(value)
    }

    /// The value, for a request header or git's credential header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(..)")
    }
}

/// What to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListOptions {
    pub include_archived: bool,
    pub include_forks: bool,
    /// Longest total wait for rate limits before giving up.
    pub max_wait: Duration,
}

/// Why the list could not be had.
#[derive(Debug, thiserror::Error)]
pub enum ForgeError {
    #[error("{forge} API: {url}: {reason}")]
    Http { forge: &'static str, url: String, reason: String },
    #[error("{forge} API: {what} not found ({url}: HTTP 404)")]
    NotFound { forge: &'static str, what: String, url: String },
    #[error("{forge} API refused the token ({url}: HTTP {status}); set a token with read access to the repositories in {vars}")]
    Refused { forge: &'static str, url: String, status: u16, vars: String },
    #[error("{forge} API rate limit: the reset is {wait} away, beyond the {max} keyhound waits ({url})")]
    RateLimited { forge: &'static str, url: String, wait: String, max: String },
    #[error("{forge} API: {url}: unexpected answer: {reason}")]
    Unexpected { forge: &'static str, url: String, reason: String },
}

/// Lists the repositories of `forge` (filtered by `opts`), oldest API
/// page first. `note` hears about waits for rate limits.
pub fn list(
    client: &Client,
    forge: &Forge,
    token: Option<&Token>,
    opts: &ListOptions,
    note: &mut dyn FnMut(String),
) -> Result<Vec<ForgeRepo>, ForgeError> {
    let mut pager = Pager { client, forge, token, opts, waited: Duration::ZERO, sleep: &std::thread::sleep };
    let repos = match forge {
        Forge::GitHub { api, org } => github::list(&mut pager, api, org, note)?,
        Forge::GitLab { base, group } => gitlab::list(&mut pager, base, group, opts, note)?,
    };
    Ok(repos
        .into_iter()
        .filter(|r| (opts.include_archived || !r.archived) && (opts.include_forks || !r.fork))
        .collect())
}

/// Pages through one listing: sends requests with the token, waits out
/// rate limits, refuses to follow a page to another origin.
pub(crate) struct Pager<'a> {
    client: &'a Client,
    forge: &'a Forge,
    token: Option<&'a Token>,
    opts: &'a ListOptions,
    waited: Duration,
    sleep: &'a dyn Fn(Duration),
}

/// Bytes of one page kept: a GitHub page of 100 repositories is ~600 KB.
const PAGE_LIMIT: u64 = 16 << 20;
/// Tries of one page through rate limits.
const MAX_TRIES: usize = 6;

impl Pager<'_> {
    fn forge(&self) -> &'static str {
        self.forge.label()
    }

    /// GETs `url` (same origin as `base`), waiting out rate limits; a
    /// success (2xx) or an error. 404 and 401/403 that are not rate limits
    /// become their errors, naming `what`.
    pub(crate) fn get(
        &mut self,
        base: &str,
        url: &str,
        what: &str,
        note: &mut dyn FnMut(String),
    ) -> Result<Response, ForgeError> {
        if !same_origin(base, url) {
            return Err(ForgeError::Unexpected {
                forge: self.forge(),
                url: base.to_string(),
                reason: format!("a next page on another origin ({}); not followed", origin(url).unwrap_or_default()),
            });
        }
        let mut headers = vec![("Accept".to_string(), accept(self.forge).to_string())];
        if let Some(t) = self.token {
            headers.push(("Authorization".to_string(), format!("Bearer {}", t.expose())));
        }
        if matches!(self.forge, Forge::GitHub { .. }) {
            headers.push(("X-GitHub-Api-Version".to_string(), "2022-11-28".to_string()));
        }
        let req = Request { method: "GET", url: url.to_string(), headers };
        for _ in 0..MAX_TRIES {
            let resp = self.client.send_limited(&req, PAGE_LIMIT).map_err(|e| self.http(url, e))?;
            if let Some(wait) = rate_limit_wait(&resp, now_epoch()) {
                self.wait(url, wait, note)?;
                continue;
            }
            return match resp.status {
                200..=299 => {
                    // The last request of the window: wait before the next.
                    if resp.header("x-ratelimit-remaining").or(resp.header("ratelimit-remaining")) == Some("0") {
                        if let Some(wait) = reset_wait(&resp, now_epoch()) {
                            self.wait(url, wait, note)?;
                        }
                    }
                    Ok(resp)
                }
                404 => Err(ForgeError::NotFound { forge: self.forge(), what: what.to_string(), url: url.to_string() }),
                401 | 403 => Err(ForgeError::Refused {
                    forge: self.forge(),
                    url: url.to_string(),
                    status: resp.status,
                    vars: self.forge.token_vars().join(" or "),
                }),
                s => Err(ForgeError::Unexpected {
                    forge: self.forge(),
                    url: url.to_string(),
                    reason: format!("HTTP {s}"),
                }),
            };
        }
        Err(ForgeError::Unexpected {
            forge: self.forge(),
            url: url.to_string(),
            reason: format!("still rate-limited after {MAX_TRIES} tries"),
        })
    }

    fn wait(&mut self, url: &str, wait: Duration, note: &mut dyn FnMut(String)) -> Result<(), ForgeError> {
        if self.waited + wait > self.opts.max_wait {
            return Err(ForgeError::RateLimited {
                forge: self.forge(),
                url: url.to_string(),
                wait: crate::net::human_duration(wait),
                max: crate::net::human_duration(self.opts.max_wait),
            });
        }
        note(format!(
            "{} API rate limit reached; waiting {} for its reset",
            self.forge(),
            crate::net::human_duration(wait)
        ));
        (self.sleep)(wait);
        self.waited += wait;
        Ok(())
    }

    fn http(&self, url: &str, e: HttpError) -> ForgeError {
        ForgeError::Http { forge: self.forge(), url: url.to_string(), reason: e.to_string() }
    }

    /// A page's items: its body must be a JSON array.
    pub(crate) fn items(&self, resp: &Response, url: &str) -> Result<Vec<serde_json::Value>, ForgeError> {
        match resp.json() {
            Some(serde_json::Value::Array(items)) => Ok(items),
            _ => Err(self.unexpected(url, "not a JSON array")),
        }
    }

    fn unexpected(&self, url: &str, reason: impl Into<String>) -> ForgeError {
        ForgeError::Unexpected { forge: self.forge(), url: url.to_string(), reason: reason.into() }
    }
}

fn accept(forge: &Forge) -> &'static str {
    match forge {
        Forge::GitHub { .. } => "application/vnd.github+json",
        Forge::GitLab { .. } => "application/json",
    }
}

fn now_epoch() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// How long to wait when `resp` says the rate limit is spent: a 403 or 429
/// with `Retry-After`, or with no requests left and a reset time (epoch
/// seconds, GitHub's `x-ratelimit-reset`, GitLab's `ratelimit-reset`).
/// `None` for any other answer.
fn rate_limit_wait(resp: &Response, now: u64) -> Option<Duration> {
    if !matches!(resp.status, 403 | 429) {
        return None;
    }
    if let Some(after) = resp.retry_after {
        return Some(after.max(Duration::from_secs(1)));
    }
    let remaining = resp.header("x-ratelimit-remaining").or(resp.header("ratelimit-remaining"));
    if remaining == Some("0") || resp.status == 429 {
        return reset_wait(resp, now).or(Some(Duration::from_secs(60)));
    }
    None
}

/// Time until the reset the headers name, plus a second (at least one).
fn reset_wait(resp: &Response, now: u64) -> Option<Duration> {
    let reset: u64 = resp.header("x-ratelimit-reset").or(resp.header("ratelimit-reset"))?.trim().parse().ok()?;
    Some(Duration::from_secs(reset.saturating_sub(now) + 1))
}

/// A listed item's string field.
pub(crate) fn text(item: &serde_json::Value, key: &str) -> Option<String> {
    item.get(key).and_then(|v| v.as_str()).map(str::to_string)
}

/// The `rel="next"` URL of a `Link` header.
pub(crate) fn next_link(resp: &Response) -> Option<String> {
    let link = resp.header("link")?;
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        let is_next = params.split(';').any(|p| {
            let p = p.trim();
            p == "rel=\"next\"" || p == "rel=next"
        });
        is_next.then(|| url.trim().trim_start_matches('<').trim_end_matches('>').to_string())
    })
}

/// `scheme://host:port` of a URL.
fn origin(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    Some(u.origin().ascii_serialization())
}

fn same_origin(a: &str, b: &str) -> bool {
    matches!((origin(a), origin(b)), (Some(x), Some(y)) if x == y && x != "null")
}

/// The API base URL without a trailing slash; it must be `https://` (or
/// `http://` to a loopback address, for tests and local mirrors).
pub fn normalize_base(url: &str) -> Result<String, String> {
    let trimmed = url.trim().trim_end_matches('/');
    let parsed = url::Url::parse(trimmed).map_err(|e| format!("{trimmed:?} is not a URL: {e}"))?;
    if parsed.scheme() != "https" && !crate::net::is_loopback_url(trimmed) {
        return Err(format!("{trimmed}: the API URL must be https:// (http:// only to a loopback address)"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() || parsed.query().is_some() {
        return Err(
            "the API URL must not hold credentials or a query; the token comes from the environment".to_string()
        );
    }
    Ok(trimmed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, headers: &[(&str, &str)]) -> Response {
        Response {
            status,
            body: String::new(),
            retry_after: headers
                .iter()
                .find(|(k, _)| *k == "retry-after")
                .and_then(|(_, v)| v.parse().ok())
                .map(Duration::from_secs),
            location: None,
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        }
    }

    #[test]
    fn rate_limits_are_read_from_the_headers() {
        let spent = resp(403, &[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "1010")]);
        assert_eq!(rate_limit_wait(&spent, 1000), Some(Duration::from_secs(11)));
        assert_eq!(rate_limit_wait(&resp(429, &[("retry-after", "7")]), 1000), Some(Duration::from_secs(7)));
        assert_eq!(rate_limit_wait(&resp(429, &[("ratelimit-reset", "1002")]), 1000), Some(Duration::from_secs(3)));
        // A 403 that is not about the rate limit is a refusal, not a wait.
        assert_eq!(rate_limit_wait(&resp(403, &[("x-ratelimit-remaining", "4999")]), 1000), None);
        assert_eq!(rate_limit_wait(&resp(200, &[("x-ratelimit-remaining", "0")]), 1000), None);
    }

    #[test]
    fn next_links_and_origins() {
        let r = resp(
            200,
            &[("link", "<https://api.github.com/orgs/o/repos?page=3>; rel=\"next\", <https://api.github.com/orgs/o/repos?page=9>; rel=\"last\"")],
        );
        assert_eq!(next_link(&r).as_deref(), Some("https://api.github.com/orgs/o/repos?page=3"));
        assert_eq!(next_link(&resp(200, &[("link", "<https://x/?page=1>; rel=\"prev\"")])), None);
        assert!(same_origin("https://api.github.com", "https://api.github.com/orgs/o/repos?page=2"));
        assert!(!same_origin("https://api.github.com", "https://evil.example/orgs/o/repos?page=2"));
        assert!(!same_origin("http://127.0.0.1:8080", "http://127.0.0.1:8081/x"));
    }

    #[test]
    fn api_urls_are_https_or_loopback() {
        assert_eq!(normalize_base("https://ghe.example.com/api/v3/").unwrap(), "https://ghe.example.com/api/v3");
        assert!(normalize_base("http://127.0.0.1:9/").is_ok());
        assert!(normalize_base("http://ghe.example.com").is_err());
        assert!(normalize_base("https://user:pw@ghe.example.com").is_err());
        assert!(normalize_base("not a url").is_err());
    }

    #[test]
    fn tokens_do_not_show() {
        let t = Token::new("ghp_notarealtoken".to_string());
        assert_eq!(format!("{t:?}"), "Token(..)");
        let f = Forge::GitHub { api: "https://api.github.com".into(), org: "o".into() };
        assert_eq!(f.clone_host().as_deref(), Some("github.com"));
    }
}
