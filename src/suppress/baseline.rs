//! Baseline files: the findings a team has already accepted, stored as
//! (rule id, root-relative path, SHA-256 of the secret) plus the line for
//! humans — never the secret, so the file is safe to commit. Matching ignores
//! the line. Entries are sorted and carry no timestamps, so the file diffs
//! cleanly:
//!
//! ```json
//! {
//!   "version": 1,
//!   "entries": [
//!     {"rule_id": "openai-project-key", "path": "config/.env", "secret_sha256": "9f86d0…", "line": 3}
//!   ]
//! }
//! ```

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::model::Finding;

/// The baseline format version this build reads and writes.
pub const BASELINE_VERSION: u32 = 1;

/// An error reading or writing a baseline file; always names the file.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("cannot read baseline {file}: {}", io_reason(.io))]
    Read { file: String, io: std::io::Error },
    #[error("cannot write baseline {file}: {}", io_reason(.io))]
    Write { file: String, io: std::io::Error },
    #[error("{file} is not a keyhound baseline: {why} (write one with `keyhound baseline -o {file}`)")]
    NotABaseline { file: String, why: String },
    #[error("{file}:{line}: invalid baseline: {message}")]
    Parse { file: String, line: usize, message: String },
    #[error("{file}: baseline version {found} is not supported (this keyhound reads version {BASELINE_VERSION})")]
    Version { file: String, found: u32 },
    #[error("{file}:{line}: invalid baseline: secret_sha256 {value:?} is not a SHA-256 in hex")]
    Hash { file: String, line: usize, value: String },
}

/// What went wrong with a file, in the words a user expects ("no such
/// file"), without repeating the OS error code.
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::IsADirectory => "is a directory".to_string(),
        _ => e.to_string(),
    }
}

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    pub rule_id: String,
    /// Relative to the root of the scanned tree or repository.
    pub path: String,
    /// SHA-256 of the secret, lower-case hex.
    pub secret_sha256: String,
    /// Where the finding was when the baseline was written; informational.
    pub line: usize,
}

/// A set of accepted findings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub entries: Vec<Entry>,
}

impl Baseline {
    /// A baseline of findings, each with the path it is matched as. One
    /// entry per (rule, path, secret), at its first line; sorted.
    pub fn from_findings<'a>(findings: impl IntoIterator<Item = (&'a Finding, String)>) -> Baseline {
        let mut unique: BTreeMap<(String, String, String), usize> = BTreeMap::new();
        for (f, path) in findings {
            let line = unique.entry((path, f.rule_id.clone(), f.secret_id())).or_insert(f.line);
            *line = (*line).min(f.line);
        }
        let entries = unique
            .into_iter()
            .map(|((path, rule_id, secret_sha256), line)| Entry { rule_id, path, secret_sha256, line })
            .collect();
        Baseline { version: BASELINE_VERSION, entries }
    }

    /// Parses a baseline document; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Baseline, BaselineError> {
        let not_baseline = |why: String| BaselineError::NotABaseline { file: file.to_string(), why };
        let doc: serde_json::Value = serde_json::from_str(text).map_err(|e| not_baseline(format!("not JSON ({e})")))?;
        if !doc.as_object().is_some_and(|o| o.contains_key("version") && o.contains_key("entries")) {
            return Err(not_baseline("expected a JSON object with \"version\" and \"entries\"".into()));
        }
        let b: Baseline = serde_json::from_str(text).map_err(|e| BaselineError::Parse {
            file: file.to_string(),
            line: e.line(),
            message: e.to_string(),
        })?;
        if b.version != BASELINE_VERSION {
            return Err(BaselineError::Version { file: file.to_string(), found: b.version });
        }
        for e in &b.entries {
            if e.secret_sha256.len() != 64 || !e.secret_sha256.bytes().all(|c| c.is_ascii_hexdigit()) {
                let line = text.find(&e.secret_sha256).map_or(0, |i| text[..i].matches('\n').count() + 1);
                return Err(BaselineError::Hash { file: file.to_string(), line, value: e.secret_sha256.clone() });
            }
        }
        Ok(b)
    }

    /// Reads a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|io| BaselineError::Read { file: file.clone(), io })?;
        Baseline::parse_text(&file, &text)
    }

    /// Parses a baseline document read from somewhere other than a file
    /// (a commit), named `file` in errors, ready to match.
    pub fn parse_text(file: &str, text: &str) -> Result<Baseline, BaselineError> {
        let mut b = Baseline::parse(file, text)?;
        for e in &mut b.entries {
            e.secret_sha256.make_ascii_lowercase();
        }
        Ok(b)
    }

    /// The document: one entry per line, so a change is a one-line diff.
    pub fn to_json(&self) -> String {
        let mut s = format!("{{\n  \"version\": {},\n  \"entries\": [", self.version);
        for (i, e) in self.entries.iter().enumerate() {
            s.push_str(if i == 0 { "\n    " } else { ",\n    " });
            s.push_str(&serde_json::to_string(e).expect("entries serialize"));
        }
        s.push_str(if self.entries.is_empty() { "]\n}\n" } else { "\n  ]\n}\n" });
        s
    }

    /// Writes the baseline to `path` (replacing it).
    pub fn write(&self, path: &Path) -> Result<(), BaselineError> {
        let file = path.display().to_string();
        let err = |io| BaselineError::Write { file: file.clone(), io };
        let mut f = std::fs::File::create(path).map_err(err)?;
        f.write_all(self.to_json().as_bytes()).map_err(err)?;
        f.flush().map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::secret_hash;

    fn entry(rule: &str, path: &str, secret: &str, line: usize) -> Entry {
        Entry { rule_id: rule.into(), path: path.into(), secret_sha256: secret_hash(secret), line }
    }

    #[test]
    fn round_trips_sorted_and_one_entry_per_line() {
        let b = Baseline {
            version: 1,
            entries: vec![entry("aws-access-key-id", "a/x.env", "s1", 3), entry("openai-legacy-key", "b.env", "s2", 1)],
        };
        let text = b.to_json();
        assert_eq!(text.lines().count(), 7, "{text}");
        assert!(!text.contains("\"s1\"") && text.contains(&secret_hash("s1")));
        assert_eq!(Baseline::parse("b.json", &text).unwrap(), b);
        let empty = Baseline { version: 1, entries: vec![] };
        assert_eq!(Baseline::parse("e.json", &empty.to_json()).unwrap(), empty);
    }

    #[test]
    fn errors_name_file_and_line() {
        let err = Baseline::parse("base.json", "{\n  \"version\": 1,\n  \"entries\": [\n  oops\n]}").unwrap_err();
        assert!(err.to_string().starts_with("base.json is not a keyhound baseline: not JSON"), "{err}");
        assert!(err.to_string().contains("line 4"), "{err}");
        let err = Baseline::parse("base.json", "{\"findings\": []}").unwrap_err();
        assert!(err.to_string().contains("expected a JSON object with \"version\" and \"entries\""), "{err}");
        let err = Baseline::parse("base.json", "{\n\"version\": 1,\n\"entries\": [\n{\"rule_id\": 1}]}").unwrap_err();
        assert!(err.to_string().starts_with("base.json:4: invalid baseline"), "{err}");
        let err = Baseline::parse("base.json", "{\"version\": 9, \"entries\": []}").unwrap_err();
        assert!(err.to_string().contains("version 9"), "{err}");
        let bad = "{\"version\": 1, \"entries\": [\n{\"rule_id\": \"r\", \"path\": \"p\", \"secret_sha256\": \"sk-live\", \"line\": 1}]}";
        let err = Baseline::parse("base.json", bad).unwrap_err();
        assert!(err.to_string().starts_with("base.json:2:"), "{err}");
    }
}
