//! Findings: a matched secret placed in its context (path, 1-based line and
//! column, surrounding text), with a stable fingerprint and a redacted form.
//!
//! This module turns engine matches into findings and owns how a secret is
//! shown. It must not decide what is suppressed or how findings are
//! formatted for output.

use std::fmt;

use memchr::{memchr_iter, memrchr};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::engine::Match;
use crate::rules::{Rule, Severity};
use crate::suppress::{Reason, ALLOW_MARKERS};

/// Characters of line context kept on each side of a secret for text output.
const CONTEXT_CHARS: usize = 48;

/// Where a secret came from in git history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// The commit that introduced the secret at this path.
    pub commit: String,
    pub author: String,
    pub email: String,
    /// Author date, RFC 3339.
    pub date: String,
    /// The secret is still present in HEAD's tree.
    pub in_head: bool,
    /// How many distinct blobs carried this secret at this path.
    pub occurrences: usize,
}

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

/// The result of checking a finding's secret with its provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub status: VerifyStatus,
    /// Why: the HTTP status, the provider's answer, or the error.
    pub detail: String,
    /// When the check was made, RFC 3339 (UTC).
    pub checked_at: String,
}

/// One reported secret.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule_id: String,
    pub rule_name: String,
    pub severity: Severity,
    /// Path relative to the scanned root, forward slashes; `<stdin>` for
    /// standard input.
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    /// Column just past the secret's last character (exclusive, like SARIF).
    pub end_column: usize,
    /// The secret in clear. Never printed unless the user asks.
    pub secret: String,
    pub fingerprint: String,
    /// Text on the secret's first line before it, and on its last line after
    /// it (trimmed to a few dozen characters), for human-readable output.
    pub context_before: String,
    pub context_after: String,
    /// Set for findings from git history.
    pub provenance: Option<Provenance>,
    /// The encodings the secret was hidden under (`base64`, `percent`,
    /// `escape`, nested ones joined by `+`), when it was not in clear.
    pub decoded: Option<String>,
    /// The secret's line (its first or last line, for a multi-line secret)
    /// carries an inline allow marker (`keyhound:allow`, `gitleaks:allow`).
    /// A fact about the text; `suppress` decides what it means.
    pub line_allowed: bool,
    /// Why the finding was suppressed; set by `suppress` only.
    pub suppressed: Option<Reason>,
    /// Set by `verify` (only with `--verify`) when the rule has a live check.
    pub verification: Option<Verification>,
}

impl Finding {
    /// Builds a finding for `m` found in `hay` at `path`.
    pub fn new(rule: &Rule, path: &str, hay: &[u8], m: &Match, lines: &mut LineLocator) -> Finding {
        let (line, column, line_start) = lines.locate(hay, m.start);
        let encoded = &hay[m.start..m.end];
        let secret_bytes = m.decoded.as_ref().map_or(encoded, |d| d.secret.as_slice());
        let inner_newlines = memchr_iter(b'\n', encoded).count();
        let end_line_start = match memrchr(b'\n', encoded) {
            Some(i) => m.start + i + 1,
            None => line_start,
        };
        let end_column = char_count(&hay[end_line_start..m.end]) + 1;
        let line_end = memchr::memchr(b'\n', &hay[m.end..]).map_or(hay.len(), |i| m.end + i);
        // The allow marker is looked for on the match's own lines in `hay`.
        let first_line_end = memchr::memchr(b'\n', encoded).map_or(line_end, |i| m.start + i);
        let line_allowed = has_allow_marker(&hay[line_start..first_line_end])
            || (inner_newlines > 0 && has_allow_marker(&hay[end_line_start..line_end]));
        let before = tail_chars(&String::from_utf8_lossy(&hay[line_start..m.start]), CONTEXT_CHARS);
        let after = head_chars(&String::from_utf8_lossy(&hay[m.end..line_end]), CONTEXT_CHARS);
        let secret = String::from_utf8_lossy(secret_bytes).into_owned();
        Finding {
            rule_id: rule.id.clone(),
            rule_name: rule.name.clone(),
            severity: rule.severity,
            path: path.to_string(),
            line,
            column,
            end_line: line + inner_newlines,
            end_column,
            fingerprint: fingerprint(&rule.id, path, &secret),
            secret,
            context_before: before.trim_start().trim_end_matches('\r').to_string(),
            context_after: after.trim_end_matches('\r').to_string(),
            provenance: None,
            decoded: m.decoded.as_ref().map(|d| d.encoding.clone()),
            line_allowed,
            suppressed: None,
            verification: None,
        }
    }

    /// The secret as output shows it: redacted unless `show` is set.
    pub fn display_secret(&self, show: bool) -> String {
        if show {
            self.secret.clone()
        } else {
            redact(&self.secret)
        }
    }
}

/// Maps byte offsets to 1-based (line, column) incrementally: offsets asked
/// in increasing order cost one pass over the text in total.
#[derive(Debug, Default)]
pub struct LineLocator {
    offset: usize,
    line: usize,
    line_start: usize,
}

impl LineLocator {
    pub fn new() -> LineLocator {
        LineLocator { offset: 0, line: 1, line_start: 0 }
    }

    /// Returns (line, column, byte offset of the line's start). Columns count
    /// characters (UTF-8 code points; invalid bytes count one each).
    pub fn locate(&mut self, hay: &[u8], offset: usize) -> (usize, usize, usize) {
        if offset < self.offset {
            *self = LineLocator::new();
        }
        let span = &hay[self.offset..offset];
        self.line += memchr_iter(b'\n', span).count();
        if let Some(i) = memrchr(b'\n', span) {
            self.line_start = self.offset + i + 1;
        }
        self.offset = offset;
        (self.line, char_count(&hay[self.line_start..offset]) + 1, self.line_start)
    }
}

/// Whether a line of text carries an inline allow marker, in any comment
/// syntax (the marker is looked for anywhere on the line).
pub fn has_allow_marker(line: &[u8]) -> bool {
    ALLOW_MARKERS.iter().any(|m| memchr::memmem::find(line, m.as_bytes()).is_some())
}

fn char_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

fn tail_chars(s: &str, n: usize) -> String {
    let count = s.chars().count();
    if count <= n {
        s.to_string()
    } else {
        format!("…{}", s.chars().skip(count - n).collect::<String>())
    }
}

fn head_chars(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

/// SHA-256 of the secret, hex. What baselines store instead of the secret.
pub fn secret_hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Stable identity of a finding: rule, path and the secret's hash. Not the
/// line, so moving code around does not change it; never the secret itself.
pub fn fingerprint(rule_id: &str, path: &str, secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(rule_id.as_bytes());
    h.update([0]);
    h.update(path.as_bytes());
    h.update([0]);
    h.update(secret_hash(secret).as_bytes());
    hex(&h.finalize()[..16])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The redacted form of a secret: its format prefix (e.g. `sk-proj-`) and
/// two more characters, then the length: `sk-proj-Ab…(164 chars)`. Never
/// more than a quarter of the secret is shown. PEM blocks show their BEGIN
/// line, which is not secret.
pub fn redact(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    let n = chars.len();
    if secret.starts_with("-----BEGIN") {
        let first = secret.lines().next().unwrap_or("");
        return format!("{first}…({n} chars)");
    }
    let head: String = chars.iter().take(16).collect();
    // Formats without a separator (`AKIA…`, `AIza…`) still have a fixed
    // four-character prefix worth showing.
    let prefix = head.rfind(['-', '_']).map_or(4, |i| head[..=i].chars().count() + 2);
    let shown = prefix.min(n / 4);
    let visible: String = chars.iter().take(shown).collect();
    format!("{visible}…({n} chars)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_shows_prefix_and_length_only() {
        let key = format!("sk-proj-Ab{}", "q".repeat(154));
        assert_eq!(redact(&key), "sk-proj-Ab…(164 chars)");
        let legacy = format!("sk-Q8{}", "z".repeat(46));
        assert_eq!(redact(&legacy), "sk-Q8…(51 chars)");
        assert_eq!(redact("AKIAQ8ZR2LMWX0PKT7VB"), "AKIA…(20 chars)");
        assert_eq!(redact("short"), "s…(5 chars)");
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----";
        assert_eq!(redact(pem), format!("-----BEGIN RSA PRIVATE KEY-----…({} chars)", pem.len()));
    }

    #[test]
    fn locator_is_one_based_and_counts_chars() {
        let hay = "first\nsécond key\nthird".as_bytes();
        let mut loc = LineLocator::new();
        let off = hay.windows(3).position(|w| w == b"key").unwrap();
        assert_eq!(loc.locate(hay, off).0, 2);
        assert_eq!(loc.locate(hay, off).1, 8);
        assert_eq!(loc.locate(hay, 0).0, 1);
    }

    #[test]
    fn fingerprint_ignores_line_but_not_path() {
        assert_eq!(fingerprint("r", "a.env", "s1"), fingerprint("r", "a.env", "s1"));
        assert_ne!(fingerprint("r", "a.env", "s1"), fingerprint("r", "b.env", "s1"));
        assert_ne!(fingerprint("r", "a.env", "s1"), fingerprint("r", "a.env", "s2"));
        assert!(!fingerprint("r", "a.env", "s1").contains("s1"));
    }
}
