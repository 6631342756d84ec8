//! A rule's live check (`[rule.verify]`): the one HTTP request that tells
//! whether a found secret still works, and how to read the answer. Checks
//! are data so that adding a provider is a rule-file change, not code.
//!
//! ```toml
//! [rule.verify]
//! provider = "openai"                       # names the KEYHOUND_VERIFY_BASE_URL_OPENAI override
//! method = "GET"                            # GET, POST or HEAD; no request body is ever sent
//! url = "https://api.openai.com/v1/models"  # https, fixed host, no placeholders
//! headers = { Authorization = "Bearer {secret}" }
//! responses = [                             # first match wins; anything else is `unknown`
//!   { status = [200], result = "live" },
//!   { status = [401], result = "invalid" },
//!   { status = [429], result = "live", detail = "rate-limited or out of quota", detail_from = "error.code" },
//! ]
//! ```
//!
//! This module only describes and validates checks; `crate::verify` runs
//! them. Validation makes sure a check can only send the secret, in a
//! header, to the fixed HTTPS host written in the URL.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// What a live check (`--verify`) said about a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VerifyStatus {
    /// The provider accepted the secret: it works and must be revoked.
    Live,
    /// The provider rejected it: revoked, expired or never valid.
    Invalid,
    /// No answer that says either (timeouts, network errors, unexpected
    /// statuses); `detail` says why.
    Unknown,
}

impl fmt::Display for VerifyStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            VerifyStatus::Live => "live",
            VerifyStatus::Invalid => "invalid",
            VerifyStatus::Unknown => "unknown",
        })
    }
}

fn get() -> String {
    "GET".to_string()
}

/// How to check one kind of secret against its provider.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifySpec {
    /// Short lowercase provider name (`openai`, `github`); the base-URL
    /// override variable is `KEYHOUND_VERIFY_BASE_URL_<PROVIDER>`.
    pub provider: String,
    #[serde(default = "get")]
    pub method: String,
    /// Full `https://` URL of the endpoint on the provider's fixed host.
    pub url: String,
    /// Request headers; `{secret}` in a value is replaced by the secret.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// How to read the answer, tried in order.
    pub responses: Vec<ResponseSpec>,
}

/// One way to read an answer: when the status (and optionally a JSON field
/// of the body) matches, the secret has `result`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseSpec {
    /// HTTP status codes this entry applies to.
    pub status: Vec<u16>,
    /// A condition on the JSON body, for APIs that answer 200 to bad
    /// credentials (Slack's `{"ok": false}`).
    #[serde(default)]
    pub json: Option<JsonCondition>,
    pub result: VerifyStatus,
    /// What to say besides the status (default: `HTTP <status>`).
    #[serde(default)]
    pub detail: Option<String>,
    /// A dotted path into the JSON body (`error.code`) whose value, when
    /// present, is added to the detail in parentheses.
    #[serde(default)]
    pub detail_from: Option<String>,
}

/// A condition on one field of a JSON body, found by a dotted path. Every
/// part given must hold; a body that is not JSON, or lacks the field, does
/// not match.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonCondition {
    pub path: String,
    /// The field equals this value.
    #[serde(default)]
    pub equals: Option<serde_json::Value>,
    /// The field equals one of these values.
    #[serde(default, rename = "in")]
    pub one_of: Option<Vec<serde_json::Value>>,
    /// The field is a string containing this text (case-insensitive).
    #[serde(default)]
    pub contains: Option<String>,
}

/// The placeholder a header value uses for the secret.
pub const SECRET_PLACEHOLDER: &str = "{secret}";

impl VerifySpec {
    /// The `https://host[:port]` part of `url` (validated to exist).
    pub fn origin(&self) -> &str {
        let rest = &self.url["https://".len()..];
        let end = rest.find('/').map_or(self.url.len(), |i| i + "https://".len());
        &self.url[..end]
    }

    /// The path (and query) of `url`, starting with `/`.
    pub fn path(&self) -> &str {
        let origin = self.origin().len();
        if origin == self.url.len() {
            "/"
        } else {
            &self.url[origin..]
        }
    }

    /// The environment variable that overrides this check's base URL.
    pub fn override_var(&self) -> String {
        override_var(&self.provider)
    }

    /// Checks that the spec is well formed and can only send the secret, in
    /// a header, to the fixed HTTPS host of its URL.
    pub fn validate(&self) -> Result<(), String> {
        if self.provider.is_empty() || !self.provider.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
            return Err(format!("verify: provider {:?} must be lowercase letters and digits", self.provider));
        }
        if !matches!(self.method.as_str(), "GET" | "POST" | "HEAD") {
            return Err(format!("verify: method {:?} must be GET, POST or HEAD", self.method));
        }
        let Some(rest) = self.url.strip_prefix("https://") else {
            return Err(format!("verify: url {:?} must start with https://", self.url));
        };
        let host = rest.split('/').next().unwrap_or("");
        let host_ok = !host.is_empty()
            && host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':'))
            && host.contains('.');
        if !host_ok {
            return Err(format!("verify: url {:?} must name a fixed host (letters, digits, '.', '-', port)", self.url));
        }
        if self.url.contains(['{', '}', ' ', '#']) {
            return Err(format!(
                "verify: url {:?} must not contain placeholders: the secret goes in a header",
                self.url
            ));
        }
        if self.headers.is_empty() || !self.headers.values().any(|v| v.contains(SECRET_PLACEHOLDER)) {
            return Err("verify: a header must carry the secret as {secret}".to_string());
        }
        for (name, value) in &self.headers {
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
                return Err(format!("verify: header name {name:?} is not a valid HTTP header name"));
            }
            let without = value.replace(SECRET_PLACEHOLDER, "");
            if without.contains(['{', '}']) || without.bytes().any(|b| b.is_ascii_control()) {
                return Err(format!("verify: header {name}: only {SECRET_PLACEHOLDER} may appear in braces"));
            }
        }
        if self.responses.is_empty() {
            return Err("verify: responses must say how to read at least one status".to_string());
        }
        for r in &self.responses {
            if r.status.is_empty() || r.status.iter().any(|s| !(100..=599).contains(s)) {
                return Err(format!("verify: response statuses {:?} must be HTTP status codes", r.status));
            }
            if r.detail_from.as_deref().is_some_and(str::is_empty) {
                return Err("verify: detail_from must be a dotted JSON path".to_string());
            }
            if let Some(j) = &r.json {
                if j.path.is_empty() || (j.equals.is_none() && j.one_of.is_none() && j.contains.is_none()) {
                    return Err("verify: json needs a path and one of equals, in, contains".to_string());
                }
            }
        }
        Ok(())
    }
}

/// `KEYHOUND_VERIFY_BASE_URL_<PROVIDER>`.
pub fn override_var(provider: &str) -> String {
    format!("KEYHOUND_VERIFY_BASE_URL_{}", provider.to_ascii_uppercase())
}

/// The prefix of every base-URL override variable.
pub const OVERRIDE_PREFIX: &str = "KEYHOUND_VERIFY_BASE_URL_";

/// Follows a dotted path (`error.code`, `items.0.id`) into a JSON value.
pub fn json_path<'a>(v: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
    path.split('.').try_fold(v, |v, part| match v {
        serde_json::Value::Array(a) => a.get(part.parse::<usize>().ok()?),
        _ => v.get(part),
    })
}

impl JsonCondition {
    /// Whether the body satisfies the condition.
    pub fn holds(&self, body: Option<&serde_json::Value>) -> bool {
        let Some(v) = body.and_then(|b| json_path(b, &self.path)) else { return false };
        self.equals.as_ref().is_none_or(|e| e == v)
            && self.one_of.as_ref().is_none_or(|set| set.contains(v))
            && self
                .contains
                .as_ref()
                .is_none_or(|c| v.as_str().is_some_and(|s| s.to_lowercase().contains(&c.to_lowercase())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(toml_text: &str) -> Result<VerifySpec, String> {
        let s: VerifySpec = toml::from_str(toml_text).map_err(|e| e.to_string())?;
        s.validate().map(|_| s)
    }

    const OK: &str = r#"
provider = "openai"
url = "https://api.openai.com/v1/models"
headers = { Authorization = "Bearer {secret}" }
responses = [{ status = [200], result = "live" }]
"#;

    #[test]
    fn a_good_check_validates_and_splits_its_url() {
        let s = spec(OK).unwrap();
        assert_eq!(s.method, "GET");
        assert_eq!(s.origin(), "https://api.openai.com");
        assert_eq!(s.path(), "/v1/models");
        assert_eq!(s.override_var(), "KEYHOUND_VERIFY_BASE_URL_OPENAI");
    }

    #[test]
    fn the_secret_only_goes_in_a_header_to_a_fixed_https_host() {
        let bad = [
            ("https://api.openai.com", "http://api.openai.com"),
            ("https://api.openai.com", "https://{secret}.example.com"),
            ("https://api.openai.com", "https://user@api.openai.com"),
            ("/v1/models", "/v1/models?key={secret}"),
            ("Bearer {secret}", "Bearer"),
            ("Bearer {secret}", "Bearer {secret} {other}"),
            ("provider = \"openai\"", "provider = \"Open AI\""),
            ("responses = [{ status = [200]", "method = \"DELETE\"\nresponses = [{ status = [200]"),
            ("status = [200]", "status = [42]"),
        ];
        for (from, to) in bad {
            let text = OK.replace(from, to);
            assert!(spec(&text).is_err(), "accepted:\n{text}");
        }
        assert!(spec(&OK.replace("result = \"live\"", "result = \"maybe\"")).is_err());
        assert!(spec(&OK.replace("provider", "bogus = 1\nprovider")).is_err());
    }

    #[test]
    fn json_conditions() {
        let body: serde_json::Value =
            serde_json::json!({"ok": false, "error": "invalid_auth", "n": [1, {"x": "Rate Limit"}]});
        let cond = |t: &str| toml::from_str::<JsonCondition>(t).unwrap();
        assert!(cond("path = \"ok\"\nequals = false").holds(Some(&body)));
        assert!(!cond("path = \"ok\"\nequals = true").holds(Some(&body)));
        assert!(cond("path = \"error\"\nin = [\"token_revoked\", \"invalid_auth\"]").holds(Some(&body)));
        assert!(cond("path = \"n.1.x\"\ncontains = \"rate limit\"").holds(Some(&body)));
        assert!(!cond("path = \"missing\"\nequals = 1").holds(Some(&body)));
        assert!(!cond("path = \"ok\"\nequals = false").holds(None));
    }
}
