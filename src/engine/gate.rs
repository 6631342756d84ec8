//! The literal gate: at a keyword hit, which of the keyword's windowed
//! rules could match around it at all.
//!
//! Many rules share a context keyword (`API_KEY`, `_TOKEN`) and differ by
//! the name before it (`COHERE_API_KEY`, `MISTRAL_API_KEY`): every such hit
//! would otherwise run dozens of regexes over its window, and compile each
//! of them first. Every match of such a rule starts with one of a few
//! literals (its prefix literals, extracted from the regex as compiled), so
//! one case-insensitive search over the hit's surroundings for all the
//! rules' literals says which rules are worth running: a rule none of whose
//! literals starts within its window around the hit cannot match there.
//!
//! What it must not do: skip a rule that could match. A rule is only gated
//! when its prefix literals are a finite set (every match starts with one
//! of them); matching them case-insensitively only lets more rules through.
//! It knows nothing of files, paths or findings.

use aho_corasick::{AhoCorasick, Input, MatchKind};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::Hir;

/// Rules whose matches reach further than this around a hit are not gated:
/// searching their whole window at every hit would cost about what running
/// the rule does.
pub(super) const MAX_GATED_REACH: usize = 512;

/// A rule whose shortest prefix literal is shorter than this is not gated:
/// one or two letters are in nearly every window.
const MIN_LITERAL: usize = 3;

/// The gate of one keyword's rules (its triggers, in order).
pub(super) struct Gate {
    /// Every gated rule's prefix literals, lower-cased, matched ignoring
    /// ASCII case.
    literals: AhoCorasick,
    /// Per literal: the triggers whose rule starts with it or with a
    /// shorter literal it starts with (found at a position, a literal means
    /// its prefixes are there too).
    owners: Vec<Vec<usize>>,
    /// Per trigger: how far its rule's matches reach around a hit, when it
    /// is gated.
    reach: Vec<Option<usize>>,
    /// The widest reach of a gated rule.
    widest: usize,
    /// The longest literal.
    longest: usize,
}

impl Gate {
    /// Builds the gate for a keyword's triggers: per trigger, the rule's
    /// regex as compiled and its reach, or `None` for a rule that is always
    /// run. `None` when no rule is gated.
    pub(super) fn new(rules: &[Option<(Hir, usize)>]) -> Option<Gate> {
        let mut patterns: Vec<Vec<u8>> = Vec::new();
        let mut owners: Vec<Vec<usize>> = Vec::new();
        let mut reach = vec![None; rules.len()];
        for (t, rule) in rules.iter().enumerate() {
            let Some((hir, rule_reach)) = rule else { continue };
            let Some(literals) = prefix_literals(hir) else { continue };
            reach[t] = Some(*rule_reach);
            for literal in literals {
                let p = patterns.iter().position(|p| *p == literal).unwrap_or_else(|| {
                    patterns.push(literal);
                    owners.push(Vec::new());
                    patterns.len() - 1
                });
                if !owners[p].contains(&t) {
                    owners[p].push(t);
                }
            }
        }
        let widest = reach.iter().flatten().copied().max()?;
        let longest = patterns.iter().map(Vec::len).max()?;
        let owners = (0..patterns.len())
            .map(|p| {
                let mut all: Vec<usize> = (0..patterns.len())
                    .filter(|&q| patterns[p].starts_with(&patterns[q]))
                    .flat_map(|q| owners[q].iter().copied())
                    .collect();
                all.sort_unstable();
                all.dedup();
                all
            })
            .collect();
        // Leftmost-longest, restarted one byte after each match: at every
        // position where some literals start, the longest is reported, and
        // the others are its prefixes.
        let literals = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .ok()?;
        Some(Gate { literals, owners, reach, widest, longest })
    }

    /// Sets `pass[t]` for every trigger `t` whose rule may match around the
    /// hit `start..end` of `hay`: rules that are not gated, and gated rules
    /// with one of their literals where a match holding the hit would
    /// start: at or before the hit, at most the rule's reach before its end
    /// (every match holds one of its rule's keywords, and a match is found
    /// from the hits it holds).
    pub(super) fn check(&self, hay: &[u8], start: usize, end: usize, pass: &mut Vec<bool>) {
        pass.clear();
        pass.extend(self.reach.iter().map(Option::is_none));
        let from = end.saturating_sub(self.widest);
        let to = (start + self.longest).min(hay.len());
        let mut pos = from;
        while let Some(m) = self.literals.find(Input::new(hay).range(pos..to)) {
            let at = m.start();
            pos = at + 1;
            for &t in &self.owners[m.pattern().as_usize()] {
                if let Some(reach) = self.reach[t] {
                    if at <= start && at + reach >= end {
                        pass[t] = true;
                    }
                }
            }
        }
    }
}

/// The lower-cased literals every match of `hir` starts with, when they are
/// a finite set of literals at least [`MIN_LITERAL`] bytes long.
fn prefix_literals(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let seq = Extractor::new().kind(ExtractKind::Prefix).extract(hir);
    let literals = seq.literals()?;
    if literals.is_empty() || literals.iter().any(|l| l.len() < MIN_LITERAL) {
        return None;
    }
    let mut lower: Vec<Vec<u8>> = literals.iter().map(|l| l.as_bytes().to_ascii_lowercase()).collect();
    lower.sort();
    lower.dedup();
    Some(lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hir(pattern: &str) -> Hir {
        regex_syntax::parse(pattern).unwrap()
    }

    fn passes(gate: &Gate, hay: &str, keyword: &str) -> Vec<bool> {
        let start = hay.find(keyword).unwrap();
        let mut pass = Vec::new();
        gate.check(hay.as_bytes(), start, start + keyword.len(), &mut pass);
        pass
    }

    #[test]
    fn a_rule_runs_only_where_one_of_its_literals_is_near() {
        let rules = [
            Some((hir(r"(?i:cohere)_api_key=[a-z0-9]{40}"), 60)),
            Some((hir(r"(?i:mistral)_api_key=[a-z0-9]{32}"), 60)),
            // Not gated: always runs.
            None,
            // Prefix too short to gate on.
            Some((hir(r"(?i:co)[a-z_]*_api_key=[a-z0-9]{40}"), 60)),
        ];
        let gate = Gate::new(&rules).unwrap();
        assert_eq!(passes(&gate, "COHERE_API_KEY=x", "API_KEY"), [true, false, true, true]);
        assert_eq!(passes(&gate, "export Mistral_API_KEY=x", "API_KEY"), [false, true, true, true]);
        assert_eq!(passes(&gate, "OTHER_API_KEY=x", "API_KEY"), [false, false, true, true]);
        // A literal further from the hit than the rule reaches does not
        // count, nor one after the hit: no match would hold both.
        let far = format!("cohere{}API_KEY", " ".repeat(100));
        assert_eq!(passes(&gate, &far, "API_KEY"), [false, false, true, true]);
        assert_eq!(passes(&gate, "API_KEY cohere_api_key=x", "API_KEY"), [false, false, true, true]);
    }

    #[test]
    fn literals_that_start_at_the_same_place_or_overlap_all_count() {
        // `abc` hides inside the longer `abcd` and overlaps `cde`.
        let rules = [
            Some((hir(r"abc[a-z]{4}"), 30)),
            Some((hir(r"abcd[a-z]{4}"), 30)),
            Some((hir(r"cde[a-z]{4}"), 30)),
            Some((hir(r"xyz[a-z]{4}"), 30)),
        ];
        let gate = Gate::new(&rules).unwrap();
        assert_eq!(passes(&gate, "abcde KEY", "KEY"), [true, true, true, false]);
        assert_eq!(passes(&gate, "ABC KEY", "KEY"), [true, false, false, false]);
        // The hit inside the literal: the match starts before it.
        assert_eq!(passes(&gate, "abcdeKEY", "cde"), [true, true, true, false]);
    }

    #[test]
    fn rules_without_a_finite_literal_prefix_are_not_gated() {
        assert!(Gate::new(&[Some((hir(r"[a-z]+_api_key"), 60)), None]).is_none());
        assert!(Gate::new(&[Some((hir(r"(?:x|[a-z]{2})key"), 60))]).is_none());
        assert_eq!(prefix_literals(&hir(r"(?:ABC|abd)x")), Some(vec![b"abcx".to_vec(), b"abdx".to_vec()]));
    }
}
