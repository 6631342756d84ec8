//! Suppression: decides which findings are not reported, and why — inline
//! allow comments (`keyhound:allow`, `gitleaks:allow` on the secret's line),
//! the allowlists of a `.keyhound.toml` (paths, values, stopwords) and a
//! baseline file of known findings. Applied once, by [`Suppressor::apply`],
//! to the [`Outcome`] of every command (`scan`, `history`, `staged`, ...)
//! before it is reported, so every command suppresses alike. Suppressed
//! findings are kept aside and counted, never silently dropped.
//!
//! This module must not match content (the engine does) or read any input
//! other than the config and baseline files it is given; whether a line
//! carries an allow marker is recorded on the finding when it is built.
//! Nothing here can turn on verification or unredacted output.

pub mod baseline;
pub mod config_file;

use std::collections::HashSet;
use std::fmt;
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use crate::finding::{secret_hash, Finding};
use crate::pipeline::Outcome;

pub use baseline::{Baseline, BaselineError};
pub use config_file::{Allowlist, ConfigError, RepoConfig, CONFIG_FILE};

/// Inline markers that suppress a finding on the line that carries them.
pub const ALLOW_MARKERS: [&str; 2] = ["keyhound:allow", "gitleaks:allow"];

/// Why a finding was suppressed. When several apply, the first in this
/// order is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
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
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Reason::AllowComment => "allow-comment",
            Reason::ConfigPath => "config-path",
            Reason::ConfigValue => "config-value",
            Reason::Stopword => "stopword",
            Reason::Baseline => "baseline",
        })
    }
}

/// How a finding's path (as shown) becomes the path that config globs and
/// baselines are matched against: relative to the root of the scanned tree
/// or repository, `/`-separated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathBase {
    /// Paths are already root-relative (git history, staged changes).
    AsShown,
    /// Paths are shown relative to `cwd` (or absolute, as given on the
    /// command line) and matched relative to `root`; both absolute.
    Root { cwd: PathBuf, root: PathBuf },
}

/// A finding's path for matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyPath {
    /// Relative to the root: globs and baselines apply.
    Rel(String),
    /// Outside the root (or standard input): only baselines apply, on the
    /// path as shown.
    Other(String),
}

impl KeyPath {
    pub fn as_str(&self) -> &str {
        match self {
            KeyPath::Rel(s) | KeyPath::Other(s) => s,
        }
    }
}

impl PathBase {
    /// The path `shown` is matched as.
    pub fn key(&self, shown: &str) -> KeyPath {
        match self {
            PathBase::AsShown => KeyPath::Rel(shown.to_string()),
            PathBase::Root { .. } if shown == "<stdin>" => KeyPath::Other(shown.to_string()),
            PathBase::Root { cwd, root } => {
                let abs = normalize(&cwd.join(shown));
                match abs.strip_prefix(root) {
                    Ok(rel) if rel.as_os_str().is_empty() => KeyPath::Other(shown.to_string()),
                    Ok(rel) => KeyPath::Rel(slash_path(rel)),
                    Err(_) => KeyPath::Other(shown.to_string()),
                }
            }
        }
    }
}

/// `path` with `.` and `..` resolved lexically (no file system access, so
/// it agrees with paths built the same way).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push(c);
                }
            }
            other => out.push(other),
        }
    }
    out
}

fn slash_path(p: &Path) -> String {
    let parts: Vec<String> = p.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    parts.join("/")
}

/// Everything that suppresses findings, ready to apply.
#[derive(Debug, Clone)]
pub struct Suppressor {
    pub base: PathBase,
    pub allow: Allowlist,
    /// (rule id, root-relative path, secret SHA-256) of baselined findings.
    baseline: HashSet<(String, String, String)>,
}

impl Suppressor {
    pub fn new(base: PathBase, allow: Allowlist, baseline: Option<&Baseline>) -> Suppressor {
        let baseline = baseline
            .map(|b| b.entries.iter().map(|e| (e.rule_id.clone(), e.path.clone(), e.secret_sha256.clone())).collect())
            .unwrap_or_default();
        Suppressor { base, allow, baseline }
    }

    /// Suppresses nothing but allow comments, matching paths as shown.
    pub fn allow_comments_only() -> Suppressor {
        Suppressor::new(PathBase::AsShown, Allowlist::default(), None)
    }

    /// Why `f` is suppressed, if it is.
    pub fn reason(&self, f: &Finding) -> Option<Reason> {
        if f.line_allowed {
            return Some(Reason::AllowComment);
        }
        let path = self.base.key(&f.path);
        if let KeyPath::Rel(rel) = &path {
            if self.allow.path_allowed(rel) {
                return Some(Reason::ConfigPath);
            }
        }
        if let Some(r) = self.allow.value_reason(&f.secret) {
            return Some(r);
        }
        if !self.baseline.is_empty()
            && self.baseline.contains(&(f.rule_id.clone(), path.as_str().to_string(), secret_hash(&f.secret)))
        {
            return Some(Reason::Baseline);
        }
        None
    }

    /// Moves suppressed findings from `outcome.findings` to
    /// `outcome.suppressed` (each marked with its reason, order kept) and
    /// updates the summary's counts.
    pub fn apply(&self, outcome: &mut Outcome) {
        let all = std::mem::take(&mut outcome.findings);
        for mut f in all {
            match self.reason(&f) {
                Some(r) => {
                    f.suppressed = Some(r);
                    outcome.suppressed.push(f);
                }
                None => outcome.findings.push(f),
            }
        }
        outcome.summary.findings = outcome.findings.len();
        outcome.summary.suppressed = outcome.suppressed.len();
    }

    /// A baseline of `findings`, with paths as this suppressor matches them.
    pub fn baseline_of(&self, findings: &[Finding]) -> Baseline {
        Baseline::from_findings(findings.iter().map(|f| (f, self.base.key(&f.path).as_str().to_string())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_paths_are_root_relative() {
        let base = PathBase::Root { cwd: PathBuf::from("/w/repo/sub"), root: PathBuf::from("/w/repo") };
        assert_eq!(base.key("a/.env"), KeyPath::Rel("sub/a/.env".into()));
        assert_eq!(base.key("../top.env"), KeyPath::Rel("top.env".into()));
        assert_eq!(base.key("/w/repo/x/y.py"), KeyPath::Rel("x/y.py".into()));
        assert_eq!(base.key("/elsewhere/y.py"), KeyPath::Other("/elsewhere/y.py".into()));
        assert_eq!(base.key("<stdin>"), KeyPath::Other("<stdin>".into()));
        assert_eq!(PathBase::AsShown.key("src/a.rs"), KeyPath::Rel("src/a.rs".into()));
    }

    #[test]
    fn normalize_is_lexical() {
        assert_eq!(normalize(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
        assert_eq!(normalize(Path::new("a/../../b")), PathBuf::from("../b"));
    }

    #[test]
    fn reasons_render_as_documented() {
        let names: Vec<String> =
            [Reason::AllowComment, Reason::ConfigPath, Reason::ConfigValue, Reason::Stopword, Reason::Baseline]
                .iter()
                .map(|r| serde_json::to_value(r).unwrap().as_str().unwrap().to_string())
                .collect();
        assert_eq!(names, ["allow-comment", "config-path", "config-value", "stopword", "baseline"]);
        assert_eq!(Reason::ConfigValue.to_string(), "config-value");
    }
}
