//! Parses a rule's regex into its syntax tree and finds the fewest bytes a
//! match spans. Shared with `build.rs`, which parses the shipped rules' regexes
//! at build time so that startup need not: it must not use anything else
//! from the crate.

use regex_syntax::hir::Hir;

/// Parses `pattern` as every rule regex (rule, `allow`, `near`) is compiled:
/// byte-oriented and ASCII-only, so invalid UTF-8 is searchable and `\b`,
/// `\w`, `(?i)` stay on the fast DFA paths. (The error is boxed: it is
/// large, and rare.)
pub fn parse(pattern: &str) -> Result<Hir, Box<regex_syntax::Error>> {
    regex_syntax::ParserBuilder::new().unicode(false).utf8(false).build().parse(pattern).map_err(Box::new)
}

/// The fewest bytes a match of `hir` spans; `usize::MAX` if it never matches.
pub fn min_len(hir: &Hir) -> usize {
    hir.properties().minimum_len().unwrap_or(usize::MAX)
}
