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
use crate::model::{fingerprint, Finding};
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
    let end_column = char_count(&hay[end_line_start..m.end]) + 1;
    let line_end = memchr::memchr(b'\n', &hay[m.end..]).map_or(hay.len(), |i| m.end + i);
    // The allow marker is looked for on the match's own lines in `hay`.
    let first_line_end = memchr::memchr(b'\n', encoded).map_or(line_end, |i| m.start + i);
    let line_allowed = has_allow_marker(&hay[line_start..first_line_end])
        || (inner_newlines > 0 && has_allow_marker(&hay[end_line_start..line_end]));
    let before = tail_chars(&String::from_utf8_lossy(&hay[line_start..m.start]), CONTEXT_CHARS);
    let after = head_chars(&String::from_utf8_lossy(&hay[m.end..line_end]), CONTEXT_CHARS);
    let secret = String::from_utf8_lossy(secret_bytes).into_owned();
    Finding {
        rule_id: rule.id.clone(),
        rule_name: rule.name.clone(),
        severity: rule.severity,
        confidence: m.confidence.unwrap_or_else(|| rule.confidence()),
        path: path.to_string(),
        container: Vec::new(),
        path_bytes: None,
        line,
        column,
        end_line: line + inner_newlines,
        end_column,
        fingerprint: fingerprint(&rule.id, path, &secret),
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
/// in increasing order cost one pass over the text in total.
#[derive(Debug, Default)]
pub struct LineLocator {
    offset: usize,
    line: usize,
    line_start: usize,
}

impl LineLocator {
    pub fn new() -> LineLocator {
        LineLocator { offset: 0, line: 1, line_start: 0 }
    }

    /// Returns (line, column, byte offset of the line's start). Columns count
    /// characters (UTF-8 code points; invalid bytes count one each).
    pub fn locate(&mut self, hay: &[u8], offset: usize) -> (usize, usize, usize) {
        if offset < self.offset {
            *self = LineLocator::new();
        }
        let span = &hay[self.offset..offset];
        self.line += memchr_iter(b'\n', span).count();
        if let Some(i) = memrchr(b'\n', span) {
            self.line_start = self.offset + i + 1;
        }
        self.offset = offset;
        (self.line, char_count(&hay[self.line_start..offset]) + 1, self.line_start)
    }
}

/// Whether a line of text carries an inline allow marker, in any comment
/// syntax (the marker is looked for anywhere on the line).
pub fn has_allow_marker(line: &[u8]) -> bool {
    ALLOW_MARKERS.iter().any(|m| memchr::memmem::find(line, m.as_bytes()).is_some())
}

fn char_count(bytes: &[u8]) -> usize {
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
}
