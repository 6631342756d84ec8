//! Parses a rule's regex into its syntax tree and reads off it what the
//! loader and the engine need without compiling it: the fewest bytes a match
//! spans, the literals every match starts with and where the rule's
//! keywords sit in them, and so which keywords every match starts with
//! right after a word boundary. Shared with `build.rs`, which does this for
//! the shipped rules at build time so that startup need not: it must not
//! use anything else from the crate.

use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Hir, HirKind, Look};

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

/// An offset of a keyword inside prefix literals, and those literals.
pub type PrefixAt = (usize, Vec<Vec<u8>>);

/// Where a rule's keywords sit in the literals every match of `hir` starts
/// with: per keyword (in the rule's order), `(offset, literals)` for each
/// offset at which prefix literals hold it, largest offset first. `None`
/// when some match may start otherwise (no finite prefix set, or a prefix
/// without a keyword in it) or the set is too large to check quickly.
pub fn keyword_prefixes(hir: &Hir, keywords: &[String]) -> Option<Vec<Vec<PrefixAt>>> {
    const MAX_LITERALS: usize = 32;
    let prefixes = Extractor::new().kind(ExtractKind::Prefix).extract(hir);
    let literals = prefixes.literals().filter(|l| l.len() <= MAX_LITERALS)?;
    let mut by_keyword: Vec<Vec<PrefixAt>> = vec![Vec::new(); keywords.len()];
    for literal in literals {
        let bytes = literal.as_bytes();
        let mut holds_keyword = false;
        for (keyword, at) in keywords.iter().zip(&mut by_keyword) {
            for offset in occurrences(bytes, keyword.as_bytes()) {
                holds_keyword = true;
                match at.iter_mut().find(|(o, _)| *o == offset) {
                    Some((_, ls)) if ls.iter().any(|l| l == bytes) => {}
                    Some((_, ls)) => ls.push(bytes.to_vec()),
                    None => at.push((offset, vec![bytes.to_vec()])),
                }
            }
        }
        if !holds_keyword {
            return None;
        }
    }
    for at in &mut by_keyword {
        at.sort_by_key(|(offset, _)| std::cmp::Reverse(*offset));
    }
    Some(by_keyword)
}

/// Offsets at which `needle` occurs in `hay` (both short: keywords and
/// literals; an empty needle occurs nowhere).
fn occurrences<'a>(hay: &'a [u8], needle: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    (0..=hay.len().saturating_sub(needle.len())).filter(move |&i| !needle.is_empty() && hay[i..].starts_with(needle))
}

/// True when every match of `hir` begins with an ASCII `\b`.
pub fn starts_with_word_boundary(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Look(look) => *look == Look::WordAscii,
        HirKind::Capture(cap) => starts_with_word_boundary(&cap.sub),
        HirKind::Concat(subs) => subs.first().is_some_and(starts_with_word_boundary),
        _ => false,
    }
}

/// Per keyword of the rule (in its order): whether every match of `hir`
/// starts with that keyword, right after an ASCII `\b` (the regex opens
/// with it and the keyword sits only at offset 0 of the prefix literals
/// holding it). A hit of such a keyword inside a word can start no match.
pub fn word_start_keywords(hir: &Hir, keywords: &[String]) -> Vec<bool> {
    let prefixes = starts_with_word_boundary(hir).then(|| keyword_prefixes(hir, keywords)).flatten();
    match prefixes {
        Some(by_keyword) => by_keyword.iter().map(|at| !at.is_empty() && at.iter().all(|(o, _)| *o == 0)).collect(),
        None => vec![false; keywords.len()],
    }
}
