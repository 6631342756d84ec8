//! Turns an engine match and the bytes it was found in into a
//! [`Finding`]: 1-based line and column (found incrementally by
//! [`LineLocator`]), the surrounding text, the fingerprint, the confidence
//! (the match's own grade, else its rule's), and whether the secret's line
//! carries an inline allow marker.
//!
//! It records facts about the text only: it must not decide what is
//! suppressed (that is `suppress`, which reads `line_allowed`) or how a
//! finding is shown (that is `report`, with `model::redact`).

use memchr::{memchr_iter, memrchr};

use crate::engine::Match;
use crate::model::{fingerprint, secret_hash_of, Finding};
use crate::rules::Rule;

/// Inline markers that suppress a finding on the line that carries them.
pub const ALLOW_MARKERS: [&str; 2] = ["keyhound:allow", "gitleaks:allow"];

/// Characters of line context kept on each side of a secret for text output.
const CONTEXT_CHARS: usize = 48;

/// Builds the finding for `m`, found by `rule` in `hay` at `path`. `lines`
/// carries line counting over from the previous match in the same `hay`.
pub fn from_match(rule: &Rule, path: &str, hay: &[u8], m: &Match, lines: &mut LineLocator) -> Finding {
    let (line, column, line_start) = lines.locate(hay, m.start);
    let encoded = &hay[m.start..m.end];
    let secret_bytes = m.decoded.as_ref().map_or(encoded, |d| d.secret.as_slice());
    let inner_newlines = memchr_iter(b'\n', encoded).count();
    let end_line_start = match memrchr(b'\n', encoded) {
        Some(i) => m.start + i + 1,
        None => line_start,
    };
    // On one line, the end column follows from the start's (long minified
    // lines are not counted again).
    let end_column =
        if inner_newlines == 0 { column + char_count(encoded) } else { char_count(&hay[end_line_start..m.end]) + 1 };
    let line_end = if inner_newlines == 0 { lines.line_end(hay, m.end) } else { line_end_after(hay, m.end) };
    // The allow marker is looked for on the match's own lines in `hay`.
    let first_line_end = memchr::memchr(b'\n', encoded).map_or(line_end, |i| m.start + i);
    let line_allowed = lines.allowed(hay, line_start, first_line_end)
        || (inner_newlines > 0 && has_allow_marker(&hay[end_line_start..line_end]));
    // At most 4 bytes a character: the context never needs more of a
    // (minified, megabyte-long) line than this.
    let reach = 4 * (CONTEXT_CHARS + 1);
    let before_start = line_start.max(m.start.saturating_sub(reach));
    let before = tail_chars(&String::from_utf8_lossy(&hay[before_start..m.start]), CONTEXT_CHARS);
    let before = if before_start > line_start && !before.starts_with('…') { format!("…{before}") } else { before };
    let after_end = line_end.min(m.end + reach);
    let after = head_chars(&String::from_utf8_lossy(&hay[m.end..after_end]), CONTEXT_CHARS);
    let after = if after_end < line_end && !after.ends_with('…') { format!("{after}…") } else { after };
    let secret = String::from_utf8_lossy(secret_bytes).into_owned();
    let guessable = rule.detector.is_some() && crate::engine::generic::score::is_guessable(secret_bytes);
    Finding {
        rule_id: rule.id.clone(),
        rule_name: rule.name.clone(),
        severity: rule.severity,
        confidence: m.graded(rule),
        path: path.to_string(),
        container: Vec::new(),
        path_bytes: None,
        line,
        column,
        end_line: line + inner_newlines,
        end_column,
        fingerprint: fingerprint(&rule.id, path, &secret_hash_of(&secret, guessable)),
        guessable,
        secret,
        context_before: before.trim_start().trim_end_matches('\r').to_string(),
        context_after: after.trim_end_matches('\r').to_string(),
        provenance: None,
        repository: None,
        secret_sha256: None,
        tracked: None,
        decoded: m.decoded.as_ref().map(|d| d.encoding.clone()),
        encoded: m.decoded.as_ref().map(|_| String::from_utf8_lossy(encoded).into_owned()),
        line_allowed,
        suppressed: None,
        verification: None,
    }
}

/// Maps byte offsets to 1-based (line, column) incrementally: offsets asked
/// in increasing order cost one pass over the text in total (columns,
/// line ends and allow markers too: many findings on one long minified line
/// read it once, not once each).
#[derive(Debug, Default)]
pub struct LineLocator {
    offset: usize,
    line: usize,
    line_start: usize,
    /// Characters from `line_start` to `offset`.
    column_chars: usize,
    /// The line starting at `.0` ends at `.1` ([`LineLocator::line_end`]).
    line_end: Option<(usize, usize)>,
    /// Whether the line starting at `.0` carries an allow marker (up to
    /// `.1`).
    allowed: Option<(usize, usize, bool)>,
}

impl LineLocator {
    pub fn new() -> LineLocator {
        LineLocator { offset: 0, line: 1, line_start: 0, column_chars: 0, line_end: None, allowed: None }
    }

    /// The end of the line holding `offset`, which is on the line of the
    /// last [`LineLocator::locate`]: remembered for the next finding on it.
    pub fn line_end(&mut self, hay: &[u8], offset: usize) -> usize {
        match self.line_end {
            Some((start, end)) if start == self.line_start && offset <= end => end,
            _ => {
                let end = line_end_after(hay, offset);
                self.line_end = Some((self.line_start, end));
                end
            }
        }
    }

    /// Whether `hay[start..end]`, the first line of a finding, carries an
    /// allow marker; remembered for the next finding on the same line.
    pub fn allowed(&mut self, hay: &[u8], start: usize, end: usize) -> bool {
        match self.allowed {
            Some((s, e, allowed)) if s == start && e == end => allowed,
            _ => {
                let allowed = has_allow_marker(&hay[start..end]);
                self.allowed = Some((start, end, allowed));
                allowed
            }
        }
    }

    /// Returns (line, column, byte offset of the line's start). Columns count
    /// characters (UTF-8 code points; invalid bytes count one each).
    pub fn locate(&mut self, hay: &[u8], offset: usize) -> (usize, usize, usize) {
        if offset < self.offset {
            *self = LineLocator::new();
        }
        let span = &hay[self.offset..offset];
        self.line += memchr_iter(b'\n', span).count();
        match memrchr(b'\n', span) {
            Some(i) => {
                self.line_start = self.offset + i + 1;
                self.column_chars = char_count(&hay[self.line_start..offset]);
            }
            None => self.column_chars += char_count(span),
        }
        self.offset = offset;
        (self.line, self.column_chars + 1, self.line_start)
    }
}

/// Whether a line of text carries an inline allow marker, in any comment
/// syntax (the marker is looked for anywhere on the line).
pub fn has_allow_marker(line: &[u8]) -> bool {
    ALLOW_MARKERS.iter().any(|m| memchr::memmem::find(line, m.as_bytes()).is_some())
}

/// Where the line holding `offset` ends: its `\n`, or the end of `hay`.
fn line_end_after(hay: &[u8], offset: usize) -> usize {
    memchr::memchr(b'\n', &hay[offset..]).map_or(hay.len(), |i| offset + i)
}

fn char_count(bytes: &[u8]) -> usize {
    // ASCII text (most source code, minified bundles) is checked a word
    // at a time and counts a character a byte.
    if bytes.is_ascii() {
        return bytes.len();
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locator_is_one_based_and_counts_chars() {
        let hay = "first\nsécond key\nthird".as_bytes();
        let mut loc = LineLocator::new();
        let off = hay.windows(3).position(|w| w == b"key").unwrap();
        assert_eq!(loc.locate(hay, off).0, 2);
        assert_eq!(loc.locate(hay, off).1, 8);
        assert_eq!(loc.locate(hay, 0).0, 1);
    }

    /// A megabyte-long minified line with many secrets: each finding's
    /// column, end column and allow marker as if it were alone, and a
    /// context of at most [`CONTEXT_CHARS`] characters each side, marked
    /// as cut.
    #[test]
    fn findings_on_one_long_line_each_get_their_own_columns_and_a_short_context() {
        use crate::rules::RuleSet;
        let rules = RuleSet::embedded().expect("the built-in rules");
        let rule = &rules.rules()[0];
        let filler = "é=1;".repeat(50_000);
        let mut line = String::new();
        let mut spans = Vec::new();
        for i in 0..200 {
            line.push_str(&"é=1;".repeat(i % 7 + 1));
            let start = line.len();
            line.push_str("SECRETSECRET");
            spans.push((start, line.len()));
        }
        line.push_str(&filler);
        let hay = format!("first line\n{line} keyhound:allow\nlast\n");
        let hay = hay.as_bytes();
        let offset = "first line\n".len();
        let mut lines = LineLocator::new();
        for &(s, e) in &spans {
            let m = Match { start: offset + s, end: offset + e, rule: 0, decoded: None, confidence: None };
            let f = from_match(rule, "min.js", hay, &m, &mut lines);
            let alone = from_match(rule, "min.js", hay, &m, &mut LineLocator::new());
            assert_eq!(
                (f.line, f.column, f.end_line, f.end_column),
                (2, line[..s].chars().count() + 1, 2, line[..s].chars().count() + 13)
            );
            assert_eq!((f.column, f.end_column, f.line_allowed), (alone.column, alone.end_column, alone.line_allowed));
            assert!(f.line_allowed, "the marker at the end of the long line");
            assert!(f.context_after.chars().count() <= CONTEXT_CHARS + 1 && f.context_after.ends_with('…'));
            assert!(f.context_before.chars().count() <= CONTEXT_CHARS + 1);
            assert_eq!(f.context_before, alone.context_before);
        }
        let last = Match { start: hay.len() - 5, end: hay.len() - 1, rule: 0, decoded: None, confidence: None };
        let f = from_match(rule, "min.js", hay, &last, &mut lines);
        assert_eq!((f.line, f.column, f.context_before.as_str(), f.line_allowed), (3, 1, "", false));
    }
}
