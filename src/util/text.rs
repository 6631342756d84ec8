//! Terminal-safe display of untrusted text: file names, matched lines, rule
//! names, commit authors and messages that came from what was scanned, made
//! fit to print to a terminal or into GitHub's log and job summary.
//!
//! Control characters are shown escaped, never passed through, so scanned
//! content cannot clear the screen, move the cursor over earlier output,
//! retitle the terminal or reorder text with bidi controls:
//!
//! - C0 controls (U+0000–U+001F) other than tab, and DEL (U+007F), become
//!   `\xNN` (lowercase hex): ESC is `\x1b`, BEL `\x07`, CR `\x0d`, LF `\x0a`.
//! - C1 controls (U+0080–U+009F) become `\uNNNN`: `\u0085`, `\u009b`.
//! - Unicode bidi controls (U+061C, U+200E, U+200F, U+202A–U+202E,
//!   U+2066–U+2069) become `\uNNNN`: `\u202e`.
//! - Tab stays a tab: it is ordinary indentation and cannot move the cursor
//!   back over anything.
//!
//! The escaped form is for reading, not for parsing back: a backslash in the
//! text is left as it is. Machine-readable reports (JSON, SARIF) keep the
//! exact text instead. Nothing here knows where the text came from or where
//! it goes; callers escape the content, never the styling they add to it.

use std::borrow::Cow;
use std::fmt::Write;

/// `s` with every control character escaped as the module describes.
/// Borrows `s` when nothing needed escaping.
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    escape(s, false)
}

/// [`escape_controls`], but line feeds stay: for multi-line messages whose
/// writer encodes line breaks itself (workflow commands, fenced blocks).
pub fn escape_controls_keep_lines(s: &str) -> Cow<'_, str> {
    escape(s, true)
}

/// Whether `c` is shown escaped (with line feeds kept when `keep_lines`).
fn needs_escape(c: char, keep_lines: bool) -> bool {
    match c {
        '\t' => false,
        '\n' => !keep_lines,
        _ => c.is_control() || is_bidi_control(c),
    }
}

/// The Unicode bidirectional formatting characters: marks, embeddings,
/// overrides and isolates.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn escape(s: &str, keep_lines: bool) -> Cow<'_, str> {
    let Some(first) = s.find(|c| needs_escape(c, keep_lines)) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        if !needs_escape(c, keep_lines) {
            out.push(c);
        } else if (c as u32) < 0x80 {
            let _ = write!(out, "\\x{:02x}", c as u32);
        } else {
            let _ = write!(out, "\\u{:04x}", c as u32);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        for s in ["", "sk-proj-abc = 1", "café/ключ.env 🔑", "a\tb", "C:\\path\\x1b"] {
            assert!(matches!(escape_controls(s), Cow::Borrowed(b) if b == s), "{s:?}");
        }
    }

    #[test]
    fn c0_controls_and_del_are_hex_escaped() {
        assert_eq!(escape_controls("a\x1b[2Jb"), "a\\x1b[2Jb");
        assert_eq!(escape_controls("\x1b]0;pwned\x07"), "\\x1b]0;pwned\\x07");
        assert_eq!(escape_controls("over\rwrite\x08\x7f"), "over\\x0dwrite\\x08\\x7f");
        assert_eq!(escape_controls("\0\x01\x1f"), "\\x00\\x01\\x1f");
        assert_eq!(escape_controls("two\nlines"), "two\\x0alines");
        assert_eq!(escape_controls("keep\ttab"), "keep\ttab");
    }

    #[test]
    fn c1_controls_are_unicode_escaped() {
        assert_eq!(escape_controls("a\u{85}b\u{9b}2J\u{80}\u{9f}"), "a\\u0085b\\u009b2J\\u0080\\u009f");
        // U+00A0 is just past C1: not a control.
        assert_eq!(escape_controls("\u{a0}"), "\u{a0}");
    }

    #[test]
    fn bidi_controls_are_unicode_escaped() {
        let all = "\u{61c}\u{200e}\u{200f}\u{202a}\u{202b}\u{202c}\u{202d}\u{202e}\u{2066}\u{2067}\u{2068}\u{2069}";
        assert_eq!(
            escape_controls(all),
            "\\u061c\\u200e\\u200f\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068\\u2069"
        );
        // Neighbours of the ranges are ordinary text.
        assert_eq!(escape_controls("\u{200d}\u{2029}\u{206a}"), "\u{200d}\u{2029}\u{206a}");
    }

    #[test]
    fn multibyte_text_around_escapes_is_kept() {
        assert_eq!(escape_controls("ключ\u{202e}🔑\x1bé"), "ключ\\u202e🔑\\x1bé");
    }

    #[test]
    fn keep_lines_keeps_line_feeds_only() {
        assert_eq!(escape_controls_keep_lines("a\nb\r\x1b"), "a\nb\\x0d\\x1b");
        assert!(matches!(escape_controls_keep_lines("a\nb"), Cow::Borrowed(_)));
    }
}
