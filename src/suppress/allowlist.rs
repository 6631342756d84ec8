//! What a `.keyhound.toml` allowlists: path globs (gitignore syntax,
//! relative to the scanned root), value regexes and stopwords, and how a
//! finding's path or secret is checked against them. Built by `repo_config`,
//! which validates the file; this module reads no file.

use std::path::Path;

use ignore::gitignore::Gitignore;
use regex_automata::meta::Regex;

use crate::model::SuppressReason;

/// What a config suppresses by path and by value.
#[derive(Debug, Clone, Default)]
pub struct Allowlist {
    /// gitignore-style globs, relative to the root.
    paths: Option<Gitignore>,
    /// Regexes; a secret any of them matches is suppressed.
    values: Vec<Regex>,
    /// Lower-case words; a secret containing one is suppressed.
    stopwords: Vec<String>,
}

impl Allowlist {
    /// An allowlist of already validated globs, regexes and lower-case
    /// stopwords.
    pub fn new(paths: Option<Gitignore>, values: Vec<Regex>, stopwords: Vec<String>) -> Allowlist {
        Allowlist { paths, values, stopwords }
    }

    /// Whether `rel` (root-relative, `/`-separated) or a directory above it
    /// matches a path glob.
    pub fn path_allowed(&self, rel: &str) -> bool {
        let Some(g) = &self.paths else { return false };
        if rel.is_empty() || Path::new(rel).has_root() {
            return false;
        }
        g.matched_path_or_any_parents(rel, false).is_ignore()
    }

    /// Whether the secret matches a value regex or contains a stopword.
    pub fn value_reason(&self, secret: &str) -> Option<SuppressReason> {
        if self.values.iter().any(|r| r.is_match(secret)) {
            return Some(SuppressReason::ConfigValue);
        }
        if !self.stopwords.is_empty() {
            let lower = secret.to_lowercase();
            if self.stopwords.iter().any(|w| lower.contains(w.as_str())) {
                return Some(SuppressReason::Stopword);
            }
        }
        None
    }
}
