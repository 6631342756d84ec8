//! The shared vocabulary of a run: what every stage above the engine
//! produces or consumes — [`Finding`] (with its [`Provenance`],
//! [`Verification`] and [`SuppressReason`]), the [`Summary`] of what a scan
//! did, and the [`Outcome`] that carries both from the pipeline through
//! suppression and verification to the reports — and how a secret is
//! identified ([`secret_hash`], [`secret_hash_of`], [`fingerprint`]) and
//! shown ([`redact`], [`redact_guessable`]).
//!
//! Plain data and pure functions only: nothing here scans, reads input,
//! decides suppression or formats output. Every module that needs these
//! types imports them from here, never from the stage that fills them in.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::rules::{Confidence, Severity, VerifyStatus};

/// One reported secret.
#[derive(Debug, Clone, Default)]
pub struct Finding {
    pub rule_id: String,
    pub rule_name: String,
    pub severity: Severity,
    /// How sure keyhound is that this is a real secret: the grade of the
    /// detector that found it when it grades each match, else its rule's
    /// ([`crate::rules::Rule::confidence`]).
    pub confidence: Confidence,
    /// Path relative to the scanned root, forward slashes; `<stdin>` for
    /// standard input. Inside a container, the member's path:
    /// `outer.zip!inner/file.env` (nested: `a.tgz!b.jar!c.properties`).
    pub path: String,
    /// Inside a container: the paths of the containers the member is in,
    /// outermost (the file on disk or in git) first — `["a.tgz",
    /// "a.tgz!b.jar"]`; empty otherwise.
    pub container: Vec<String>,
    /// The path's exact bytes when they are not valid UTF-8 (`path` is then
    /// their lossy form, with U+FFFD); `None` otherwise. Only file scans on
    /// Unix set it.
    pub path_bytes: Option<Vec<u8>>,
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
    /// Runs over many repositories (`keyhound history --repos`,
    /// `--github-org`, `--gitlab-group`): the repository the finding is in,
    /// as the list named it.
    pub repository: Option<String>,
    /// The secret's SHA-256 ([`secret_hash`]) when `secret` holds only its
    /// redacted form (a finding read back from a saved report), so one
    /// secret can still be recognised wherever it was found.
    pub secret_sha256: Option<String>,
    /// The encodings the secret was hidden under (`base64`, `percent`,
    /// `escape`, nested ones joined by `+`), when it was not in clear.
    pub decoded: Option<String>,
    /// Working-tree scans: whether git tracks the file (`false`: it sits on
    /// this disk only, ignored or never added); `None` outside a work tree
    /// and for git sources.
    pub tracked: Option<bool>,
    /// With `decoded`: the encoded text at the location, which is the secret
    /// in another form, so it is shown redacted like the secret.
    pub encoded: Option<String>,
    /// The secret may be guessable — a password or home-made secret the
    /// generic detector found that is short or made of words, not a random
    /// token: it is identified by a slow salted hash ([`secret_hash_of`])
    /// and redacted showing less ([`redact_guessable`]).
    pub guessable: bool,
    /// The secret's line (its first or last line, for a multi-line secret)
    /// carries an inline allow marker (`keyhound:allow`, `gitleaks:allow`).
    /// A fact about the text; `suppress` decides what it means.
    pub line_allowed: bool,
    /// Why the finding was suppressed; set by `suppress` only.
    pub suppressed: Option<SuppressReason>,
    /// Set by `verify` (only with `--verify`) when the rule has a live check.
    pub verification: Option<Verification>,
}

impl Finding {
    /// The file the finding is in that exists outside any container: the
    /// outermost container, or the path itself.
    pub fn outer_path(&self) -> &str {
        self.container.first().map_or(&self.path, String::as_str)
    }

    /// Moves the finding to `top`, the outermost file's new path (history
    /// names a blob by each path it had): `path` and `container` keep what
    /// follows the old outermost path.
    pub fn set_outer_path(&mut self, top: &str) {
        let old = self.outer_path().len();
        self.path = format!("{top}{}", &self.path[old..]);
        for c in &mut self.container {
            *c = format!("{top}{}", &c[old..]);
        }
        self.fingerprint = fingerprint(&self.rule_id, &self.path, &self.secret_id());
    }

    /// What identifies the secret without showing it: its hash
    /// ([`secret_hash_of`]).
    pub fn secret_id(&self) -> String {
        self.secret_sha256.clone().unwrap_or_else(|| secret_hash_of(&self.secret, self.guessable))
    }

    /// The text at the secret's location as output shows it: the secret, or
    /// for a decoded secret the encoded text there; redacted unless `show`.
    pub fn display_at_location(&self, show: bool) -> String {
        match &self.encoded {
            Some(e) if show => e.clone(),
            Some(e) if self.guessable => redact_guessable(e),
            Some(e) => redact(e),
            None => self.display_secret(show),
        }
    }

    /// The secret as output shows it: redacted unless `show` is set.
    pub fn display_secret(&self, show: bool) -> String {
        if show {
            self.secret.clone()
        } else if self.guessable {
            redact_guessable(&self.secret)
        } else {
            redact(&self.secret)
        }
    }
}

/// Where a secret came from in git history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// The commit that introduced the secret at this path.
    pub commit: String,
    pub author: String,
    pub email: String,
    /// Author date, RFC 3339.
    pub date: String,
    /// HEAD's tree still holds the secret at this path.
    pub in_head: bool,
    /// How many distinct blobs carried this secret at this path.
    pub occurrences: usize,
}

/// The result of checking a finding's secret with its provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    pub status: VerifyStatus,
    /// Why: the HTTP status, the provider's answer, or the error.
    pub detail: String,
    /// When the check was made, RFC 3339 (UTC).
    pub checked_at: String,
}

/// Why a finding was suppressed. When several apply, the first in this
/// order is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SuppressReason {
    /// The secret's line carries `keyhound:allow` or `gitleaks:allow`.
    AllowComment,
    /// The path matches `[allow] paths` of the config.
    ConfigPath,
    /// The secret matches a regex of `[allow] values`.
    ConfigValue,
    /// The secret contains one of `[allow] stopwords`.
    Stopword,
    /// The finding is listed in the `--baseline` file.
    Baseline,
    /// Its confidence is below `--min-confidence` (or the config's
    /// `min-confidence`). Last: a finding counts here only when nothing
    /// else suppresses it, so the count is what a lower level would add.
    BelowMinConfidence,
}

impl fmt::Display for SuppressReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SuppressReason::AllowComment => "allow-comment",
            SuppressReason::ConfigPath => "config-path",
            SuppressReason::ConfigValue => "config-value",
            SuppressReason::Stopword => "stopword",
            SuppressReason::Baseline => "baseline",
            SuppressReason::BelowMinConfidence => "below-min-confidence",
        })
    }
}

/// What a scan did, besides finding things. Read back from a saved JSON
/// report (`keyhound report`) as it was written: `complete` and `unread`
/// come from the file, never from settling its warnings again.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Summary {
    /// Findings reported (not suppressed).
    pub findings: usize,
    /// Findings suppressed by allow comments, the config, a baseline or
    /// `--min-confidence`.
    pub suppressed: usize,
    /// The `--min-confidence` level the run reported from; `None` in a
    /// saved report older than confidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_confidence: Option<Confidence>,
    /// Of `suppressed`: findings below `min_confidence` (and nothing else
    /// suppressed them), which a lower level would report.
    pub below_min_confidence: usize,
    /// Files (or blobs, for git sources) scanned.
    pub scanned: usize,
    /// Text members of archives and compressed files scanned (inside the
    /// files counted in `scanned`).
    pub members: usize,
    /// Bytes scanned.
    pub bytes: u64,
    /// `keyhound history --state`: blobs not read at all because the last
    /// scan's state remembered them as holding nothing to report. Not
    /// counted in `scanned` or `bytes`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub reused: usize,
    /// Files, blobs and archive members skipped as binary.
    pub skipped_binary: usize,
    /// Files, blobs and archive members skipped as larger than the size
    /// limit.
    pub skipped_large: usize,
    /// Inputs that could not be read, and other non-fatal problems.
    pub warnings: Vec<Warning>,
    /// Whether everything asked for was scanned: no input unreadable, no
    /// object missing, no history cut at a shallow boundary. Set by
    /// [`Summary::settle`] from `warnings` (`false` until then, so a summary
    /// nobody settled never reads as clean).
    pub complete: bool,
    /// What could not be scanned, per kind: every kind that makes a run
    /// incomplete is listed, with 0 when none. Set by [`Summary::settle`].
    pub unread: BTreeMap<WarningKind, usize>,
    pub duration_ms: u128,
    /// Number of rules in the compiled set.
    pub rules: usize,
    /// With `--verify`: how many findings each check status got (counted
    /// before `--only-verified` drops all but the live ones).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified: Option<VerifyCounts>,
}

impl Summary {
    /// Adds the counts of another run's summary (`other`) to this one:
    /// what was scanned, skipped and reused, and how long it took. Findings,
    /// warnings and completeness are the caller's to combine.
    pub fn add_counts(&mut self, other: &Summary) {
        self.scanned += other.scanned;
        self.members += other.members;
        self.bytes += other.bytes;
        self.skipped_binary += other.skipped_binary;
        self.skipped_large += other.skipped_large;
        self.reused += other.reused;
        self.duration_ms += other.duration_ms;
        self.rules = self.rules.max(other.rules);
    }

    /// Works out [`Summary::complete`] and [`Summary::unread`] from the
    /// warnings — the one place that decides whether a run was complete.
    /// Call it once the warnings are final (`cmd::finish` does, before
    /// reporting).
    pub fn settle(&mut self) {
        let mut unread: BTreeMap<WarningKind, usize> = WarningKind::INCOMPLETE.iter().map(|&kind| (kind, 0)).collect();
        for w in &self.warnings {
            if let Some(n) = unread.get_mut(&w.kind) {
                *n += 1;
            }
        }
        self.complete = unread.values().all(|&n| n == 0);
        self.unread = unread;
    }

    /// What could not be scanned, in words (`1 missing object, 2 unreadable
    /// inputs`); empty when the run was complete. From [`Summary::unread`].
    pub fn unread_text(&self) -> String {
        let parts: Vec<String> = self
            .unread
            .iter()
            .filter(|(_, &n)| n > 0)
            .map(|(kind, &n)| {
                let (one, many) = match kind {
                    WarningKind::Unreadable => ("unreadable input", "unreadable inputs"),
                    WarningKind::MissingObject => ("missing object", "missing objects"),
                    WarningKind::ShallowHistory => ("shallow history boundary", "shallow history boundaries"),
                    WarningKind::Note => ("note", "notes"),
                    WarningKind::Archive => ("archive problem", "archive problems"),
                };
                format!("{n} {}", if n == 1 { one } else { many })
            })
            .collect();
        parts.join(", ")
    }
}

/// The error of a run that reported everything it found but could not scan
/// everything it was asked to (`keyhound ci`, `--fail-on-incomplete`): the
/// report is written, then the run fails with this, which `main` turns into
/// exit code 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incomplete {
    /// [`Summary::unread_text`] of the run.
    pub unread: String,
}

impl fmt::Display for Incomplete {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the scan was incomplete: {} not scanned (the findings that were found are reported; \
             what could not be read may hold more)",
            self.unread
        )
    }
}

impl std::error::Error for Incomplete {}

/// Findings per verification status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyCounts {
    pub live: usize,
    pub invalid: usize,
    pub unknown: usize,
    /// Findings of rules that have no live check.
    pub unchecked: usize,
}

/// Findings and what the scan did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Findings to report.
    pub findings: Vec<Finding>,
    /// Findings `suppress` set aside, each with its reason.
    pub suppressed: Vec<Finding>,
    /// Matches graded below the minimum confidence that were counted but
    /// never made findings (the engine's `min_confidence`): `suppress`
    /// adds them to the summary's suppressed and below-minimum counts.
    pub held_back: usize,
    pub summary: Summary,
}

/// What kind of problem a [`Warning`] reports: whether some content asked
/// for was not scanned, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WarningKind {
    /// A file, directory, staged blob or git object that could not be read:
    /// its content was not scanned.
    Unreadable,
    /// A git object the repository does not have (a partial clone, a broken
    /// mirror): its content was not scanned.
    MissingObject,
    /// The history ends at a shallow clone's boundary: older commits were
    /// not there to scan.
    ShallowHistory,
    /// Everything was scanned, but something about a finding could not be
    /// worked out (its introducing commit, its path).
    Note,
    /// Inside an archive or compressed file: a member that is encrypted,
    /// corrupt, or past a limit (nesting, size, ratio, member count). The
    /// archive itself was read as far as it could be; like `Note`, this does
    /// not make a run incomplete (an archive no one can open would fail
    /// every CI run), but every such warning is listed.
    Archive,
}

impl WarningKind {
    /// The kinds that mean some content asked for was not scanned: a run
    /// with any of them is incomplete. (`Note` is not one.)
    pub const INCOMPLETE: [WarningKind; 3] =
        [WarningKind::Unreadable, WarningKind::MissingObject, WarningKind::ShallowHistory];
}

/// A non-fatal problem of a run: the scan went on, and the summary counts
/// it. Shown, and written to JSON, as its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub kind: WarningKind,
    pub message: String,
}

impl Warning {
    pub fn new(kind: WarningKind, message: impl Into<String>) -> Warning {
        Warning { kind, message: message.into() }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Serialize for Warning {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.message)
    }
}

/// A saved report keeps a warning's message only: it is read back as a
/// [`WarningKind::Note`] (the saved summary's `complete` and `unread` still
/// say what was not scanned).
impl<'de> Deserialize<'de> for Warning {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Warning, D::Error> {
        Ok(Warning::new(WarningKind::Note, String::deserialize(d)?))
    }
}

/// SHA-256 of the secret, hex. What baselines store instead of the secret.
pub fn secret_hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// PBKDF2-HMAC-SHA256 iterations of [`slow_secret_hash`]: about 2 ms per
/// secret on a 2020s core (20,000 SHA-256 blocks), so trying a dictionary
/// against a report costs that much per word and secret instead of a plain
/// SHA-256's nanoseconds, while a scan with hundreds of generic findings
/// spends well under a second on them.
pub const GUESSABLE_HASH_ITERATIONS: u32 = 10_000;

/// The salt of [`slow_secret_hash`]: fixed, so one secret hashes the same
/// in every run, repository and baseline (reuse is still recognised), and
/// unlike any other program's, so no table precomputed for plain SHA-256
/// or another salt applies.
const GUESSABLE_HASH_SALT: &[u8] = b"keyhound/guessable-secret/v1";

/// What identifies a secret without showing it, hex (64 digits, as the
/// `secret_sha256` fields carry): its SHA-256 for a random token of a known
/// format, and for a `guessable` one (a password: a dictionary would
/// reverse its SHA-256) the slow salted [`slow_secret_hash`].
pub fn secret_hash_of(secret: &str, guessable: bool) -> String {
    if guessable {
        slow_secret_hash(secret)
    } else {
        secret_hash(secret)
    }
}

/// PBKDF2-HMAC-SHA256 of the secret with keyhound's salt, hex. Computed
/// once per distinct secret in a run (remembered), so a secret found in
/// many places costs its hash once.
pub fn slow_secret_hash(secret: &str) -> String {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static DONE: OnceLock<Mutex<HashMap<String, String>>> = OnceLock::new();
    let done = DONE.get_or_init(Mutex::default);
    if let Some(h) = done.lock().unwrap_or_else(|e| e.into_inner()).get(secret) {
        return h.clone();
    }
    let mut out = [0u8; 32];
    let iterations = std::num::NonZeroU32::new(GUESSABLE_HASH_ITERATIONS).expect("non-zero");
    ring::pbkdf2::derive(
        ring::pbkdf2::PBKDF2_HMAC_SHA256,
        iterations,
        GUESSABLE_HASH_SALT,
        secret.as_bytes(),
        &mut out,
    );
    let h = hex(&out);
    done.lock().unwrap_or_else(|e| e.into_inner()).insert(secret.to_string(), h.clone());
    h
}

/// Stable identity of a finding: rule, path and the secret's hash
/// (`secret_id`: [`secret_hash_of`]). Not the line, so moving code around
/// does not change it; never the secret itself.
pub fn fingerprint(rule_id: &str, path: &str, secret_id: &str) -> String {
    let mut h = Sha256::new();
    h.update(rule_id.as_bytes());
    h.update([0]);
    h.update(path.as_bytes());
    h.update([0]);
    h.update(secret_id.as_bytes());
    hex(&h.finalize()[..16])
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Replaces the secret, should a provider echo it, by its redacted form.
pub fn scrub(text: &str, secret: &str) -> String {
    if secret.is_empty() || !text.contains(secret) {
        text.to_string()
    } else {
        text.replace(secret, &redact(secret))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The redacted form of a secret: its format prefix (e.g. `sk-proj-`) and
/// two more characters, then the length: `sk-proj-Ab…(164 chars)`. Never
/// more than a quarter of the secret is shown. PEM blocks show their BEGIN
/// line, which is not secret. A redacted form (see [`is_redacted`]) is
/// returned as it is, so a report read back from JSON redacts nothing twice.
pub fn redact(secret: &str) -> String {
    if is_redacted(secret) {
        return secret.to_string();
    }
    let chars: Vec<char> = secret.chars().collect();
    let n = chars.len();
    // A PEM block shows its BEGIN line, which is not secret: up to the
    // dashes that close it, never further (the block may be on one line,
    // or carry escaped `\n`s, as in JSON or docs).
    if let Some(rest) = secret.strip_prefix("-----BEGIN") {
        if let Some(close) = rest.find("-----") {
            let header = &secret[.."-----BEGIN".len() + close + "-----".len()];
            if header.len() <= 80 && !header.contains(['\n', '\r', '\\']) {
                return format!("{header}…({n} chars)");
            }
        }
    }
    let head: String = chars.iter().take(16).collect();
    // Formats without a separator (`AKIA…`, `AIza…`) still have a fixed
    // four-character prefix worth showing.
    let prefix = head.rfind(['-', '_']).map_or(4, |i| head[..=i].chars().count() + 2);
    let shown = prefix.min(n / 4);
    let visible: String = chars.iter().take(shown).collect();
    format!("{visible}…({n} chars)")
}

/// The redacted form of a guessable secret (see [`Finding::guessable`]):
/// only its length below 24 characters (`…(12 chars)`: a short password
/// must not be mostly shown), two characters and the length from 24 on.
pub fn redact_guessable(secret: &str) -> String {
    if is_redacted(secret) {
        return secret.to_string();
    }
    let n = secret.chars().count();
    let shown: String = secret.chars().take(if n >= 24 { 2 } else { 0 }).collect();
    format!("{shown}…({n} chars)")
}

/// Whether `text` is a redacted form [`redact`] made: it ends in
/// `…(N chars)` with N more characters than the text itself has, which no
/// secret in clear does.
pub fn is_redacted(text: &str) -> bool {
    let Some(head) = text.strip_suffix(" chars)") else { return false };
    let Some((shown, n)) = head.rsplit_once("…(") else { return false };
    let digits = !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && !n.starts_with('0');
    digits && n.parse::<usize>().is_ok_and(|n| n > shown.chars().count())
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
        // Escaped newlines or none at all: still only the header is shown.
        for pem in [
            "-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEAwYSiPeJLSi6k8J4\\n-----END RSA PRIVATE KEY-----",
            "-----BEGIN RSA PRIVATE KEY-----MIIEowIBAAKCAQEAwYSiPeJLSi6k8J4-----END RSA PRIVATE KEY-----",
        ] {
            let shown = redact(pem);
            assert_eq!(shown, format!("-----BEGIN RSA PRIVATE KEY-----…({} chars)", pem.len()));
            assert!(!shown.contains("MIIE"), "{shown}");
        }
        // No closing dashes: the generic prefix, never the whole block.
        let odd = format!("-----BEGIN {}", "A".repeat(100));
        assert!(redact(&odd).len() < 40, "{}", redact(&odd));
    }

    #[test]
    fn redacting_a_redacted_form_changes_nothing() {
        let key = format!("sk-proj-Ab{}", "q".repeat(154));
        let once = redact(&key);
        assert!(is_redacted(&once));
        assert_eq!(redact(&once), once);
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----";
        assert!(is_redacted(&redact(pem)));
        assert_eq!(redact(&redact(pem)), redact(pem));
        for clear in [key.as_str(), "abc…(3 chars)", "abc…(03 chars)", "abc…( chars)", "a…(x chars)", "plain"] {
            assert!(!is_redacted(clear), "{clear}");
        }
        assert!(is_redacted("abc…(4 chars)"));
    }

    #[test]
    fn fingerprint_ignores_line_but_not_path() {
        assert_eq!(fingerprint("r", "a.env", "s1"), fingerprint("r", "a.env", "s1"));
        assert_ne!(fingerprint("r", "a.env", "s1"), fingerprint("r", "b.env", "s1"));
        assert_ne!(fingerprint("r", "a.env", "s1"), fingerprint("r", "a.env", "s2"));
        assert!(!fingerprint("r", "a.env", "s1").contains("s1"));
    }

    #[test]
    fn a_member_moves_with_its_outermost_file() {
        let mut f = Finding {
            rule_id: "r".into(),
            rule_name: "R".into(),
            severity: Severity::High,
            confidence: Confidence::High,
            path: "old.tgz!b.jar!c.properties".into(),
            container: vec!["old.tgz".into(), "old.tgz!b.jar".into()],
            path_bytes: None,
            line: 3,
            column: 1,
            end_line: 3,
            end_column: 9,
            secret: "s1".into(),
            fingerprint: String::new(),
            context_before: String::new(),
            context_after: String::new(),
            provenance: None,
            repository: None,
            secret_sha256: None,
            decoded: None,
            tracked: None,
            encoded: None,
            guessable: false,
            line_allowed: false,
            suppressed: None,
            verification: None,
        };
        assert_eq!(f.outer_path(), "old.tgz");
        f.set_outer_path("dist/a.tgz");
        assert_eq!(f.path, "dist/a.tgz!b.jar!c.properties");
        assert_eq!(f.container, ["dist/a.tgz", "dist/a.tgz!b.jar"]);
        assert_eq!(f.fingerprint, fingerprint("r", "dist/a.tgz!b.jar!c.properties", &secret_hash("s1")));
        // A plain file is just renamed.
        f.container.clear();
        f.path = "a.env".into();
        f.set_outer_path("b.env");
        assert_eq!((f.path.as_str(), f.outer_path()), ("b.env", "b.env"));
    }

    #[test]
    fn reasons_render_as_documented() {
        let names: Vec<String> = [
            SuppressReason::AllowComment,
            SuppressReason::ConfigPath,
            SuppressReason::ConfigValue,
            SuppressReason::Stopword,
            SuppressReason::Baseline,
            SuppressReason::BelowMinConfidence,
        ]
        .iter()
        .map(|r| {
            let json = serde_json::to_value(r).unwrap().as_str().unwrap().to_string();
            assert_eq!(json, r.to_string());
            json
        })
        .collect();
        assert_eq!(
            names,
            ["allow-comment", "config-path", "config-value", "stopword", "baseline", "below-min-confidence"]
        );
        assert_eq!(SuppressReason::ConfigValue.to_string(), "config-value");
    }

    #[test]
    fn warnings_show_and_serialize_as_their_message() {
        let w = Warning::new(WarningKind::MissingObject, "missing blob 1234");
        assert_eq!(w.to_string(), "missing blob 1234");
        assert_eq!(serde_json::to_value(&w).unwrap(), serde_json::json!("missing blob 1234"));
        let s = Summary { warnings: vec![w], ..Default::default() };
        assert_eq!(serde_json::to_value(&s).unwrap()["warnings"], serde_json::json!(["missing blob 1234"]));
    }

    #[test]
    fn completeness_comes_from_the_warning_kinds() {
        let summary = |kinds: &[WarningKind]| {
            let mut s =
                Summary { warnings: kinds.iter().map(|&k| Warning::new(k, "w")).collect(), ..Default::default() };
            s.settle();
            s
        };
        let clean = summary(&[]);
        assert!(clean.complete);
        assert_eq!(clean.unread.values().sum::<usize>(), 0);
        assert_eq!(clean.unread.len(), 3, "every incomplete kind is listed, 0 or not");
        assert_eq!(clean.unread_text(), "");
        assert!(summary(&[WarningKind::Note, WarningKind::Note]).complete, "notes do not count");
        for kind in WarningKind::INCOMPLETE {
            assert!(!summary(&[WarningKind::Note, kind]).complete, "{kind:?}");
        }
        let s = summary(&[
            WarningKind::MissingObject,
            WarningKind::Note,
            WarningKind::MissingObject,
            WarningKind::Unreadable,
            WarningKind::MissingObject,
        ]);
        assert!(!s.complete);
        assert_eq!(s.unread[&WarningKind::MissingObject], 3);
        assert_eq!(s.unread[&WarningKind::Unreadable], 1);
        assert_eq!(s.unread[&WarningKind::ShallowHistory], 0);
        assert!(!s.unread.contains_key(&WarningKind::Note));
        assert_eq!(s.unread_text(), "1 unreadable input, 3 missing objects");
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["complete"], false);
        assert_eq!(json["unread"], serde_json::json!({"unreadable": 1, "missing-object": 3, "shallow-history": 0}));
        assert!(!Summary::default().complete, "an unsettled summary is not complete");
    }
}
