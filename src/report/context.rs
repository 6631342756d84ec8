//! The text around each finding's secret on its line, as reports show it
//! (JSON's `context`, the HTML report's masked line): every secret found on
//! that line is redacted in it, not just the finding's own — two keys on one
//! line must not show each other in clear. Presentation only.

use std::collections::HashMap;

use crate::model::{scrub, Finding};

/// Text before and after a finding's secret on its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineContext {
    pub before: String,
    pub after: String,
}

/// The [`LineContext`] of each finding, in order; with `show` (the secrets
/// are shown anyway) the text as found.
pub fn line_contexts(findings: &[Finding], show: bool) -> Vec<LineContext> {
    let as_found = |f: &Finding| LineContext { before: f.context_before.clone(), after: f.context_after.clone() };
    if show {
        return findings.iter().map(as_found).collect();
    }
    // The secrets of each line: a line is a path at a commit (or on disk).
    let mut on_line: HashMap<LineKey, Vec<&str>> = HashMap::new();
    for f in findings {
        on_line.entry(line_key(f, f.line)).or_default().push(&f.secret);
        if f.end_line != f.line {
            on_line.entry(line_key(f, f.end_line)).or_default().push(&f.secret);
        }
    }
    findings
        .iter()
        .map(|f| {
            let mask = |text: &str, line: usize| {
                let mut text = text.to_string();
                for secret in on_line.get(&line_key(f, line)).into_iter().flatten() {
                    text = scrub(&text, secret);
                }
                text
            };
            LineContext { before: mask(&f.context_before, f.line), after: mask(&f.context_after, f.end_line) }
        })
        .collect()
}

/// A line of scanned text: path, commit (history) and line number.
type LineKey<'a> = (&'a str, Option<&'a str>, usize);

fn line_key(f: &Finding, line: usize) -> LineKey<'_> {
    (f.path.as_str(), f.provenance.as_ref().map(|p| p.commit.as_str()), line)
}
