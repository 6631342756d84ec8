//! The text around each finding's secret on its line, as reports show it
//! (the text output's `line:`, JSON's `context`, the HTML report's masked
//! line): every secret found on that line is redacted in it, not just the
//! finding's own, and a part of one cut by the text's shortened ends is cut
//! off — two keys on one line must not show each other in clear.
//! Presentation only.

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
            let secrets = |line: usize| on_line.get(&line_key(f, line)).map(Vec::as_slice).unwrap_or_default();
            LineContext {
                before: mask_before(&f.context_before, secrets(f.line)),
                after: mask_after(&f.context_after, secrets(f.end_line)),
            }
        })
        .collect()
}

/// Shortest part of a secret cut by a context's edge that is cut off too:
/// fewer characters say nothing of it.
const EDGE_PART: usize = 4;

/// The text before a secret with every one of `secrets` redacted, and the
/// end of one cut by the start of the text (`…3499630-il3R… B=`) cut off.
fn mask_before(text: &str, secrets: &[&str]) -> String {
    let mut text = secrets.iter().fold(text.to_string(), |t, s| scrub(&t, s));
    if let Some(body) = text.strip_prefix('…') {
        let cut = secrets.iter().map(|s| overlap(s, body, true)).max().unwrap_or(0);
        if cut >= EDGE_PART {
            text = format!("…{}", &body[cut..]);
        }
    }
    text
}

/// The text after a secret with every one of `secrets` redacted, and the
/// start of one cut by the end of the text cut off.
fn mask_after(text: &str, secrets: &[&str]) -> String {
    let mut text = secrets.iter().fold(text.to_string(), |t, s| scrub(&t, s));
    if let Some(body) = text.strip_suffix('…') {
        let cut = secrets.iter().map(|s| overlap(s, body, false)).max().unwrap_or(0);
        if cut >= EDGE_PART {
            text = format!("{}…", &body[..body.len() - cut]);
        }
    }
    text
}

/// The length in bytes of the longest end of `secret` that `text` starts
/// with (`at_start`), or of its longest start that `text` ends with.
fn overlap(secret: &str, text: &str, at_start: bool) -> usize {
    let fits = |k: usize| {
        if at_start {
            secret.is_char_boundary(secret.len() - k) && text.starts_with(&secret[secret.len() - k..])
        } else {
            secret.is_char_boundary(k) && text.ends_with(&secret[..k])
        }
    };
    (1..=secret.len().min(text.len())).rev().find(|&k| fits(k)).unwrap_or(0)
}

/// A line of scanned text: path, commit (history) and line number.
type LineKey<'a> = (&'a str, Option<&'a str>, usize);

fn line_key(f: &Finding, line: usize) -> LineKey<'_> {
    (f.path.as_str(), f.provenance.as_ref().map(|p| p.commit.as_str()), line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_cut_by_either_end_of_the_context_are_cut_off() {
        let (one, two) = ("xoxb-1111-2222-abcdefghijkl", "xoxb-3333-4444-mnopqrstuvwx");
        // The end of `one` at the start of the text before `two`.
        assert_eq!(mask_before("…2222-abcdefghijkl B=", &[one, two]), "… B=");
        // The start of `two` at the end of the text after `one`.
        assert_eq!(mask_after(" B=xoxb-3333-44…", &[one, two]), " B=…");
        // A whole secret is redacted; three characters say nothing.
        assert_eq!(
            mask_after(" B=xoxb-3333-4444-mnopqrstuvwx C", &[two]),
            format!(" B={} C", crate::model::redact(two))
        );
        assert_eq!(mask_before("…jkl B=", &[one]), "…jkl B=");
        // Text that is not cut is left alone.
        assert_eq!(mask_before("2222-abcdefghijkl B=", &[one]), "2222-abcdefghijkl B=");
    }
}
