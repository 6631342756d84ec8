//! The literal gate: at a keyword hit, which of the keyword's windowed
//! rules could match around it at all.
//!
//! Many rules share a context keyword (`API_KEY`, `_TOKEN`) and differ by
//! the name before it (`COHERE_API_KEY`, `MISTRAL_API_KEY`): every such hit
//! would otherwise run dozens of regexes over its window, and compile each
//! of them first. Every match of such a rule starts with one of a few
//! literals (its prefix literals, read off the regex as compiled, some
//! after a word boundary: `\bdd` in `(?:\bdd|datadog)_api_key`), so one
//! case-insensitive search just before the hit for all the rules' literals
//! says which rules are worth running: a rule none of whose literals starts
//! where a match holding the hit could start cannot match there.
//!
//! What it must not do: skip a rule that could match. A rule is only gated
//! when its prefix literals are a finite set (every match starts with one
//! of them), and a literal is only required to follow a word boundary when
//! the regex requires it; matching them case-insensitively only lets more
//! rules through.
//! It knows nothing of files, paths or findings.

use aho_corasick::{AhoCorasick, Input, MatchKind};
use regex_syntax::hir::{Class, Hir, HirKind, Look};

use super::is_boundary;

/// Rules whose matches reach further than this around a hit are not gated:
/// searching their whole window at every hit would cost about what running
/// the rule does.
pub(super) const MAX_GATED_REACH: usize = 512;

/// A rule whose shortest prefix literal is shorter than this is not gated:
/// one or two letters are in nearly every window. Two letters after a word
/// boundary (`\bdd` for `DD_API_KEY`) are enough.
const MIN_LITERAL: usize = 3;

/// How much of a prefix is kept, and how many prefixes a rule may have
/// before alternatives stop being expanded.
const MAX_LITERAL: usize = 16;
const MAX_LITERALS: usize = 64;

/// The gate of one keyword's rules (its triggers, in order).
pub(super) struct Gate {
    /// Every gated rule's prefix literals, lower-cased, matched ignoring
    /// ASCII case.
    literals: AhoCorasick,
    /// Per literal: the triggers whose rule starts with it, and whether
    /// that rule needs a word boundary before it.
    owners: Vec<Vec<(usize, bool)>>,
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
        let mut owners: Vec<Vec<(usize, bool)>> = Vec::new();
        let mut reach = vec![None; rules.len()];
        for (t, rule) in rules.iter().enumerate() {
            let Some((hir, rule_reach)) = rule else { continue };
            let Some(literals) = prefix_literals(hir) else { continue };
            reach[t] = Some(*rule_reach);
            for (literal, boundary) in literals {
                let p = patterns.iter().position(|p| *p == literal).unwrap_or_else(|| {
                    patterns.push(literal);
                    owners.push(Vec::new());
                    patterns.len() - 1
                });
                if !owners[p].contains(&(t, boundary)) {
                    owners[p].push((t, boundary));
                }
            }
        }
        let widest = reach.iter().flatten().copied().max()?;
        let longest = patterns.iter().map(Vec::len).max()?;
        // Every occurrence of every literal, overlapping ones included, in
        // one search of the window: a search per occurrence (restarted one
        // byte after it) cost more in its setup than in its scanning.
        let literals = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
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
        for m in self.literals.find_overlapping_iter(Input::new(hay).range(from..to)) {
            let at = m.start();
            for &(t, boundary) in &self.owners[m.pattern().as_usize()] {
                if let Some(reach) = self.reach[t] {
                    if at <= start && at + reach >= end && (!boundary || is_boundary(hay, at)) {
                        pass[t] = true;
                    }
                }
            }
        }
    }
}

/// The literals every match of `hir` starts with, lower-cased, each with
/// whether the regex requires an ASCII word boundary before it, when they
/// are a finite set of literals at least [`MIN_LITERAL`] bytes long (2 after
/// a boundary).
fn prefix_literals(hir: &Hir) -> Option<Vec<(Vec<u8>, bool)>> {
    let mut prefixes = vec![Prefix { bytes: Vec::new(), boundary: false, open: true }];
    extend(hir, &mut prefixes);
    let short = |p: &Prefix| p.bytes.len() < MIN_LITERAL && !(p.boundary && p.bytes.len() >= 2);
    if prefixes.iter().any(short) {
        return None;
    }
    let mut out: Vec<(Vec<u8>, bool)> = prefixes.into_iter().map(|p| (p.bytes, p.boundary)).collect();
    out.sort();
    out.dedup();
    // The same bytes with and without a boundary: without is the weaker.
    let unbounded: Vec<Vec<u8>> = out.iter().filter(|(_, b)| !b).map(|(l, _)| l.clone()).collect();
    out.retain(|(l, b)| !b || !unbounded.contains(l));
    Some(out)
}

/// A prefix every match of some alternative starts with, as far as it is
/// known; `open` while the bytes after it are still being added.
#[derive(Clone)]
struct Prefix {
    bytes: Vec<u8>,
    boundary: bool,
    open: bool,
}

/// Adds to each open prefix what `hir` matches next; closes a prefix where
/// that is not a short list of literals. A closed prefix stays true: every
/// match still starts with it.
fn extend(hir: &Hir, prefixes: &mut Vec<Prefix>) {
    let close = |prefixes: &mut Vec<Prefix>| prefixes.iter_mut().for_each(|p| p.open = false);
    match hir.kind() {
        HirKind::Empty => {}
        HirKind::Literal(lit) => {
            for p in prefixes.iter_mut().filter(|p| p.open) {
                p.bytes.extend(lit.0.iter().map(u8::to_ascii_lowercase));
                if p.bytes.len() >= MAX_LITERAL {
                    p.bytes.truncate(MAX_LITERAL);
                    p.open = false;
                }
            }
        }
        HirKind::Class(class) => {
            let mut bytes: Vec<u8> = match class {
                Class::Bytes(c) => c.iter().flat_map(|r| r.start()..=r.end()).take(9).collect(),
                Class::Unicode(c) => c
                    .iter()
                    .flat_map(|r| u32::from(r.start())..=u32::from(r.end()))
                    .take(9)
                    .map(|c| u8::try_from(c).unwrap_or(0x80))
                    .collect(),
            };
            bytes.iter_mut().for_each(|b| *b = b.to_ascii_lowercase());
            bytes.sort_unstable();
            bytes.dedup();
            let open = prefixes.iter().filter(|p| p.open).count();
            if bytes.len() > 4 || bytes.iter().any(|&b| b >= 0x80) || open * bytes.len() > MAX_LITERALS {
                close(prefixes);
                return;
            }
            let mut next = Vec::new();
            for p in prefixes.drain(..) {
                if !p.open {
                    next.push(p);
                    continue;
                }
                for &b in &bytes {
                    let mut q = p.clone();
                    q.bytes.push(b);
                    q.open = q.bytes.len() < MAX_LITERAL;
                    next.push(q);
                }
            }
            *prefixes = next;
        }
        HirKind::Look(look) => {
            for p in prefixes.iter_mut().filter(|p| p.open) {
                if p.bytes.is_empty() && *look == Look::WordAscii {
                    p.boundary = true;
                } else {
                    p.open = false;
                }
            }
        }
        HirKind::Capture(cap) => extend(&cap.sub, prefixes),
        HirKind::Concat(subs) => {
            for sub in subs {
                if !prefixes.iter().any(|p| p.open) {
                    break;
                }
                extend(sub, prefixes);
            }
        }
        HirKind::Alternation(alts) => {
            let (open, closed): (Vec<Prefix>, Vec<Prefix>) = prefixes.drain(..).partition(|p| p.open);
            let mut next = closed.clone();
            for alt in alts {
                let mut branch = open.clone();
                extend(alt, &mut branch);
                next.extend(branch);
            }
            if next.len() > MAX_LITERALS {
                // Too many: stop before the alternation.
                *prefixes = closed;
                prefixes.extend(open);
                close(prefixes);
                return;
            }
            *prefixes = next;
        }
        HirKind::Repetition(rep) => {
            if rep.min == 0 {
                close(prefixes);
            } else {
                extend(&rep.sub, prefixes);
                close(prefixes);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parsed as the engine parses rule regexes (bytes, ASCII classes).
    fn hir(pattern: &str) -> Hir {
        crate::rules::regex_parse::parse(pattern).unwrap()
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
        assert_eq!(
            prefix_literals(&hir(r"(?:ABC|abd)x")),
            Some(vec![(b"abcx".to_vec(), false), (b"abdx".to_vec(), false)])
        );
        // Two letters are too few, unless after a word boundary.
        assert_eq!(prefix_literals(&hir(r"(?i:dd)[a-z]+")), None);
        assert_eq!(
            prefix_literals(&hir(r"(?i:(?:(?-u:\b)dd|datadog)(?:_[a-z]{1,16})?_api_key)")),
            Some(vec![(b"datadog".to_vec(), false), (b"dd".to_vec(), true)])
        );
    }

    #[test]
    fn a_literal_after_a_word_boundary_counts_only_at_one() {
        let rules = [Some((hir(r"(?i:(?:(?-u:\b)dd|datadog)_api_key=[a-f0-9]{32})"), 60))];
        let gate = Gate::new(&rules).unwrap();
        assert_eq!(passes(&gate, "DD_API_KEY=x", "API_KEY"), [true]);
        assert_eq!(passes(&gate, "export dd_api_key=x", "api_key"), [true]);
        assert_eq!(passes(&gate, "ADD_API_KEY=x", "API_KEY"), [false]);
        assert_eq!(passes(&gate, "MY_DATADOG_API_KEY=x", "API_KEY"), [true]);
    }
}
