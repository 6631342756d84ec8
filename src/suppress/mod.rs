//! Suppression: decides which findings are not reported, and why — inline
//! allow comments (`keyhound:allow`, `gitleaks:allow` on the secret's line),
//! the allowlists of a `.keyhound.toml` (paths, values, stopwords), a
//! baseline file of known findings, and a confidence below the run's
//! minimum (`--min-confidence`). Applied once, by [`Suppressor::apply`],
//! to the [`Outcome`] of every command (`scan`, `history`, `staged`, ...)
//! before it is reported, so every command suppresses alike. Suppressed
//! findings are kept aside and counted, never silently dropped.
//!
//! This module must not match content (the engine does) or read any input
//! other than the config and baseline files it is given; whether a line
//! carries an allow marker is recorded on the finding when it is built.
//! Nothing here can turn on verification or unredacted output.

pub mod allowlist;
pub mod baseline;

use std::collections::HashSet;
use std::path::PathBuf;

use crate::model::{Finding, Outcome, SuppressReason};
use crate::rules::Confidence;
use crate::util::paths::{normalize, slash_path};

pub use allowlist::Allowlist;
pub use baseline::{Baseline, BaselineError};

/// How a finding's path (as shown) is made relative to the root of the
/// scanned tree or repository (`/`-separated), which is what config globs
/// and baselines are matched against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootRelative {
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

impl RootRelative {
    /// The path `shown` is matched as.
    pub fn key(&self, shown: &str) -> KeyPath {
        match self {
            RootRelative::AsShown => KeyPath::Rel(shown.to_string()),
            RootRelative::Root { .. } if shown == "<stdin>" => KeyPath::Other(shown.to_string()),
            RootRelative::Root { cwd, root } => {
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

/// Everything that suppresses findings, ready to apply.
#[derive(Debug, Clone)]
pub struct Suppressor {
    pub base: RootRelative,
    pub allow: Allowlist,
    /// (rule id, root-relative path, secret SHA-256) of baselined findings.
    baseline: HashSet<(String, String, String)>,
    /// Findings of a lower confidence are suppressed
    /// ([`SuppressReason::BelowMinConfidence`]); `low` suppresses none.
    pub min_confidence: Confidence,
}

impl Suppressor {
    pub fn new(base: RootRelative, allow: Allowlist, baseline: Option<&Baseline>) -> Suppressor {
        let baseline = baseline
            .map(|b| b.entries.iter().map(|e| (e.rule_id.clone(), e.path.clone(), e.secret_sha256.clone())).collect())
            .unwrap_or_default();
        Suppressor { base, allow, baseline, min_confidence: Confidence::Low }
    }

    /// The same, suppressing findings below `level` too.
    pub fn with_min_confidence(self, level: Confidence) -> Suppressor {
        Suppressor { min_confidence: level, ..self }
    }

    /// Suppresses nothing but allow comments, matching paths as shown.
    pub fn allow_comments_only() -> Suppressor {
        Suppressor::new(RootRelative::AsShown, Allowlist::default(), None)
    }

    /// Why `f` is suppressed, if it is.
    pub fn reason(&self, f: &Finding) -> Option<SuppressReason> {
        if f.line_allowed {
            return Some(SuppressReason::AllowComment);
        }
        let path = self.base.key(&f.path);
        if let KeyPath::Rel(rel) = &path {
            if self.allow.path_allowed(rel) {
                return Some(SuppressReason::ConfigPath);
            }
        }
        // A member of an archive the path globs allow is allowed too.
        if !f.container.is_empty() {
            if let KeyPath::Rel(rel) = self.base.key(f.outer_path()) {
                if self.allow.path_allowed(&rel) {
                    return Some(SuppressReason::ConfigPath);
                }
            }
        }
        if let Some(r) = self.allow.value_reason(&f.secret) {
            return Some(r);
        }
        if !self.baseline.is_empty()
            && self.baseline.contains(&(f.rule_id.clone(), path.as_str().to_string(), f.secret_id()))
        {
            return Some(SuppressReason::Baseline);
        }
        if f.confidence < self.min_confidence {
            return Some(SuppressReason::BelowMinConfidence);
        }
        None
    }

    /// Moves suppressed findings from `outcome.findings` to
    /// `outcome.suppressed` (each marked with its reason, order kept) and
    /// updates the summary's counts and its `min_confidence`.
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
        outcome.summary.suppressed = outcome.suppressed.len() + outcome.held_back;
        outcome.summary.min_confidence = Some(self.min_confidence);
        outcome.summary.below_min_confidence = outcome.held_back
            + outcome.suppressed.iter().filter(|f| f.suppressed == Some(SuppressReason::BelowMinConfidence)).count();
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
        let base = RootRelative::Root { cwd: PathBuf::from("/w/repo/sub"), root: PathBuf::from("/w/repo") };
        assert_eq!(base.key("a/.env"), KeyPath::Rel("sub/a/.env".into()));
        assert_eq!(base.key("../top.env"), KeyPath::Rel("top.env".into()));
        assert_eq!(base.key("/w/repo/x/y.py"), KeyPath::Rel("x/y.py".into()));
        assert_eq!(base.key("/elsewhere/y.py"), KeyPath::Other("/elsewhere/y.py".into()));
        assert_eq!(base.key("<stdin>"), KeyPath::Other("<stdin>".into()));
        assert_eq!(RootRelative::AsShown.key("src/a.rs"), KeyPath::Rel("src/a.rs".into()));
    }

    #[test]
    fn findings_below_the_minimum_confidence_are_suppressed_last_and_counted() {
        let finding = |path: &str, confidence, allowed| Finding {
            rule_id: "r".into(),
            path: path.into(),
            secret: format!("secret-of-{path}"),
            confidence,
            line_allowed: allowed,
            ..Finding::default()
        };
        let mut outcome = Outcome {
            findings: vec![
                finding("high.env", Confidence::High, false),
                finding("medium.env", Confidence::Medium, false),
                finding("low.env", Confidence::Low, false),
                finding("low-allowed.env", Confidence::Low, true),
            ],
            ..Outcome::default()
        };
        let medium = Suppressor::allow_comments_only().with_min_confidence(Confidence::Medium);
        medium.apply(&mut outcome);
        let paths = |fs: &[Finding]| fs.iter().map(|f| (f.path.clone(), f.suppressed)).collect::<Vec<_>>();
        assert_eq!(paths(&outcome.findings), [("high.env".into(), None), ("medium.env".into(), None)]);
        assert_eq!(
            paths(&outcome.suppressed),
            [
                ("low.env".into(), Some(SuppressReason::BelowMinConfidence)),
                ("low-allowed.env".into(), Some(SuppressReason::AllowComment)),
            ],
            "another reason wins: the count is what a lower level would add"
        );
        let s = &outcome.summary;
        assert_eq!((s.findings, s.suppressed, s.below_min_confidence), (2, 2, 1));
        assert_eq!(s.min_confidence, Some(Confidence::Medium));
        let high = Suppressor::allow_comments_only().with_min_confidence(Confidence::High);
        assert_eq!(high.reason(&finding("m", Confidence::Medium, false)), Some(SuppressReason::BelowMinConfidence));
        assert_eq!(Suppressor::allow_comments_only().reason(&finding("l", Confidence::Low, false)), None);
    }
}
