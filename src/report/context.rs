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
    let lines: HashMap<LineKey, LineSecrets> = on_line.into_iter().map(|(k, v)| (k, LineSecrets::new(v))).collect();
    let mut picked = Vec::new();
    findings
        .iter()
        .map(|f| {
            let mut mask =
                |text: &str, line: usize, masked: fn(&str, &[&str]) -> String| match lines.get(&line_key(f, line)) {
                    Some(secrets) => masked(text, secrets.in_text(text, &mut picked)),
                    None => masked(text, &[]),
                };
            LineContext {
                before: mask(&f.context_before, f.line, mask_before),
                after: mask(&f.context_after, f.end_line, mask_after),
            }
        })
        .collect()
}

/// The secrets found on one line, and for a line with many (a minified
/// file), where each may show in a context, so that a context is masked
/// with the few secrets it can show, not with each of the line's
/// thousands. A secret of [`EDGE_PART`] bytes or more that a context holds
/// whole, or cut by the context's start, has its last [`EDGE_PART`] bytes
/// in it; one cut by the context's end starts with the context's last
/// bytes, found by a binary search of the secrets in order.
struct LineSecrets<'a> {
    secrets: Vec<&'a str>,
    /// `None` for a line with few secrets: each context tries them all.
    index: Option<SecretIndex<'a>>,
}

struct SecretIndex<'a> {
    /// Secrets by their last [`EDGE_PART`] bytes, by their index in
    /// `secrets`.
    by_tail: HashMap<&'a [u8], Vec<usize>>,
    /// Secrets shorter than [`EDGE_PART`] bytes, always tried.
    short: Vec<usize>,
    /// Indices of the secrets, in byte order of the secrets.
    sorted: Vec<usize>,
}

impl<'a> LineSecrets<'a> {
    /// Up to this many secrets a line, every context tries them all.
    const FEW: usize = 16;

    fn new(secrets: Vec<&'a str>) -> LineSecrets<'a> {
        if secrets.len() <= LineSecrets::FEW {
            return LineSecrets { secrets, index: None };
        }
        let mut by_tail: HashMap<&[u8], Vec<usize>> = HashMap::new();
        let mut short = Vec::new();
        for (i, s) in secrets.iter().enumerate() {
            match s.len().checked_sub(EDGE_PART) {
                Some(tail) => by_tail.entry(&s.as_bytes()[tail..]).or_default().push(i),
                None => short.push(i),
            }
        }
        let mut sorted: Vec<usize> = (0..secrets.len()).collect();
        sorted.sort_by_key(|&i| secrets[i]);
        LineSecrets { index: Some(SecretIndex { by_tail, short, sorted }), secrets }
    }

    /// The secrets that may show in `text`, in the line's order.
    fn in_text<'p>(&self, text: &str, picked: &'p mut Vec<&'a str>) -> &'p [&'a str] {
        picked.clear();
        let Some(index) = &self.index else {
            picked.extend_from_slice(&self.secrets);
            return picked;
        };
        let mut found: Vec<usize> = index.short.clone();
        for window in text.as_bytes().windows(EDGE_PART) {
            found.extend(index.by_tail.get(window).into_iter().flatten());
        }
        // Cut by the end: the secrets that start with the longest end of
        // the text some secret starts with.
        if let Some(body) = text.strip_suffix('…') {
            // The positions in `sorted` of the secrets starting with `end`.
            let starting = |end: &str| {
                let from = index.sorted.partition_point(|&i| self.secrets[i] < end);
                let n = index.sorted[from..].iter().take_while(|&&i| self.secrets[i].starts_with(end)).count();
                from..from + n
            };
            let ends = (EDGE_PART..=body.len()).rev().filter(|&k| body.is_char_boundary(body.len() - k));
            if let Some(range) = ends.map(|k| starting(&body[body.len() - k..])).find(|r| !r.is_empty()) {
                found.extend_from_slice(&index.sorted[range]);
            }
        }
        found.sort_unstable();
        found.dedup();
        picked.extend(found.into_iter().map(|i| self.secrets[i]));
        picked
    }
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

    /// A line with many secrets masks each context as if every secret of
    /// the line were tried: whole ones, cut ones at either edge, short ones.
    #[test]
    fn a_line_with_many_secrets_masks_contexts_like_one_with_few() {
        let secrets: Vec<String> = (0..40).map(|i| format!("xoxb-{i:04}-2222-abcdefgh{i:02}ij")).collect();
        let mut all: Vec<&str> = secrets.iter().map(String::as_str).collect();
        all.push("ab");
        let line = LineSecrets::new(all.clone());
        assert!(line.index.is_some());
        let mut picked = Vec::new();
        let texts = [
            format!(" B={} C={}", secrets[3], secrets[39]),
            format!(" B={}…", &secrets[7][..9]),
            format!("…{} B=ab", &secrets[12][10..]),
            " nothing here".to_string(),
        ];
        for text in &texts {
            let some = line.in_text(text, &mut picked).to_vec();
            assert!(some.len() < all.len(), "{text}: {some:?}");
            assert_eq!(mask_after(text, &some), mask_after(text, &all), "{text}");
            assert_eq!(mask_before(text, &some), mask_before(text, &all), "{text}");
        }
        assert!(mask_after(&texts[0], line.in_text(&texts[0], &mut picked)).contains("C="));
        assert!(!mask_after(&texts[0], line.in_text(&texts[0], &mut picked)).contains(&secrets[39]));
        assert_eq!(mask_after(&texts[1], line.in_text(&texts[1], &mut picked)), " B=…");
    }
}
