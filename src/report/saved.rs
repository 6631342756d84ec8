//! Reading a saved report back (`keyhound report FILE`): keyhound's own JSON
//! document (`--format json`) or JSON Lines (`--format jsonl`), into the
//! findings, summary and run facts the writers take, so a saved report can
//! be written again in any format without scanning again.
//!
//! A finding without a `confidence` (a report written before findings had
//! one) gets its rule's, as the caller's rule set has it, else `medium`.
//!
//! A finding that cannot be read is a warning (naming the file and the
//! finding's line or index) and the rest is read; a file that is not a
//! keyhound report at all is an error. Secrets stay as the file holds them:
//! redacted, or in clear if the report was made with `--show-secrets`
//! ([`SavedReport::secrets_redacted`] says which). This module reads the one
//! file it is given and nothing else.

use std::path::Path;

use serde::Deserialize;

use super::json::{FindingJson, RunJson, Tool, DOCUMENT_VERSION};
use super::{RunInfo, VcsInfo};
use crate::model::{is_redacted, Finding, Summary, Warning, WarningKind};
use crate::rules::Confidence;

/// The confidence of a rule by id, for findings saved without one; `None`
/// for a rule the caller does not know.
pub type RuleConfidence<'a> = &'a dyn Fn(&str) -> Option<Confidence>;

/// What a saved report holds.
#[derive(Debug)]
pub struct SavedReport {
    pub findings: Vec<Finding>,
    /// The saved summary (JSON); for JSON Lines, which have none, a summary
    /// counting the findings read that does not claim the run was complete.
    pub summary: Summary,
    /// The file had a summary (a JSON document, not JSON Lines).
    pub has_summary: bool,
    /// What the run was asked to do and the repository it looked at, when
    /// the file says (JSON documents written by this version on).
    pub run: Option<RunInfo>,
    pub vcs: Option<VcsInfo>,
    /// The secrets are in redacted form (the report was made without
    /// `--show-secrets`): they cannot be shown again.
    pub secrets_redacted: bool,
}

/// Why a file could not be read as a saved report.
#[derive(Debug, thiserror::Error)]
pub enum SavedError {
    #[error("cannot read {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path} is not a keyhound JSON or JSON Lines report: {reason}")]
    NotAReport { path: String, reason: String },
    #[error("{path} is a keyhound JSON report of version {version}; this keyhound reads version {DOCUMENT_VERSION}")]
    Version { path: String, version: u32 },
}

#[derive(Deserialize)]
struct DocumentIn<'a> {
    version: u32,
    #[serde(borrow)]
    tool: Option<Tool<'a>>,
    #[serde(default)]
    run: Option<RunJson<'a>>,
    findings: Vec<serde_json::Value>,
    #[serde(default)]
    summary: Option<Summary>,
}

/// Reads the saved report at `path`; `rules` gives the confidence of
/// findings saved without one.
pub fn read(path: &Path, rules: RuleConfidence) -> Result<SavedReport, SavedError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| SavedError::Io { path: name.clone(), source })?;
    let text = String::from_utf8(bytes)
        .map_err(|e| SavedError::NotAReport { path: name.clone(), reason: format!("not UTF-8 text ({e})") })?;
    parse(&name, &text, rules)
}

/// Reads a saved report's text; `name` names it in warnings and errors,
/// `rules` as for [`read`].
pub fn parse(name: &str, text: &str, rules: RuleConfidence) -> Result<SavedReport, SavedError> {
    let not_a_report = |reason: String| SavedError::NotAReport { path: name.to_string(), reason };
    if text.trim().is_empty() {
        return Err(not_a_report("the file is empty".to_string()));
    }
    let whole: Option<serde_json::Value> = serde_json::from_str(text).ok();
    let is_document = whole.as_ref().is_some_and(|v| v.get("findings").is_some() || v.get("version").is_some());
    let mut warnings = Vec::new();
    let mut findings = Vec::new();
    let (summary, has_summary, run, vcs) = if is_document {
        let doc: DocumentIn = serde_json::from_str(text).map_err(|e| not_a_report(e.to_string()))?;
        if let Some(tool) = &doc.tool {
            if tool.name != "keyhound" {
                return Err(not_a_report(format!("it was written by {}", tool.name)));
            }
        }
        if doc.version != DOCUMENT_VERSION {
            return Err(SavedError::Version { path: name.to_string(), version: doc.version });
        }
        for (i, value) in doc.findings.into_iter().enumerate() {
            match finding_of(value, rules) {
                Ok(f) => findings.push(f),
                Err(e) => warnings.push(format!("{name}: finding {} cannot be read: {e}", i + 1)),
            }
        }
        let (run, vcs) = doc.run.map_or((None, None), |r| {
            let (run, vcs) = r.into_parts();
            (Some(run), vcs)
        });
        let has_summary = doc.summary.is_some();
        (doc.summary.unwrap_or_default(), has_summary, run, vcs)
    } else {
        let mut read_any = false;
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<serde_json::Value>(line)
                .map_err(|e| e.to_string())
                .and_then(|v| finding_of(v, rules))
            {
                Ok(f) => {
                    findings.push(f);
                    read_any = true;
                }
                Err(e) if i == 0 => return Err(not_a_report(format!("line 1: {e}"))),
                Err(e) => warnings.push(format!("{name}:{}: not a keyhound finding: {e}", i + 1)),
            }
        }
        if !read_any {
            return Err(not_a_report("no line is a keyhound finding".to_string()));
        }
        (Summary::default(), false, None, None)
    };
    let mut summary = summary;
    let unreadable: Vec<Warning> = warnings.into_iter().map(|m| Warning::new(WarningKind::Unreadable, m)).collect();
    if !has_summary {
        summary.findings = findings.iter().filter(|f| f.suppressed.is_none()).count();
        summary.suppressed = findings.len() - summary.findings;
        summary.warnings = unreadable;
        summary.settle();
        // JSON Lines say nothing of what the run did not scan.
        summary.complete = false;
    } else if !unreadable.is_empty() {
        summary.warnings.extend(unreadable.iter().cloned());
        summary.complete = false;
        *summary.unread.entry(WarningKind::Unreadable).or_default() += unreadable.len();
    }
    let secrets_redacted = findings.iter().any(|f| is_redacted(&f.secret));
    Ok(SavedReport { findings, summary, has_summary, run, vcs, secrets_redacted })
}

fn finding_of(value: serde_json::Value, rules: RuleConfidence) -> Result<Finding, String> {
    let json: FindingJson = serde_json::from_value(value).map_err(|e| e.to_string())?;
    json.into_finding(rules)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_saved_without_a_confidence_gets_its_rules_else_medium() {
        let finding = |rule: &str, confidence: &str| {
            format!(
                r#"{{"rule_id":"{rule}","rule_name":"R","severity":"high",{confidence}"path":"a.env","line":1,"column":1,"end_line":1,"end_column":9,"secret":"s…(9 chars)","fingerprint":"f"}}"#
            )
        };
        let text =
            [finding("known", ""), finding("unknown", ""), finding("known", r#""confidence":"low","#)].join("\n");
        let rules = |id: &str| (id == "known").then_some(Confidence::High);
        let saved = parse("old.jsonl", &text, &rules).unwrap();
        let got: Vec<Confidence> = saved.findings.iter().map(|f| f.confidence).collect();
        assert_eq!(got, [Confidence::High, Confidence::Medium, Confidence::Low], "the saved value wins");
        let bad = finding("known", r#""confidence":"sure","#);
        let err = parse("bad.jsonl", &bad, &rules).unwrap_err().to_string();
        assert!(err.contains("sure"), "{err}");
    }
}
