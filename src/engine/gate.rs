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
//! The search for the literals goes out from the hit in tiers: a literal
//! is only looked for as far as its rules reach (most reach less than a
//! hundred bytes, a few several hundred). A tier of one literal, or of a
//! few, all of three bytes or more, is searched (`memmem`, a packed SIMD
//! searcher where the CPU has one) in a copy of its window with ASCII case folded away (`| 0x20`
//! on every byte, which also folds a few symbols together: a superset);
//! the others by a filter of one bit per hash of three folded bytes,
//! looked up at each position. Where either says so, the literals are
//! compared with the input. A case-insensitive Aho-Corasick automaton's
//! overlapping search over the widest reach cost about twice as much on
//! the bench tree (a dependent table load per byte, and hundreds of bytes
//! where a few dozen would do).
//!
//! What it must not do: skip a rule that could match. A rule is only gated
//! when its prefix literals are a finite set (every match starts with one
//! of them), and a literal is only required to follow a word boundary when
//! the regex requires it; matching them case-insensitively only lets more
//! rules through.
//! It knows nothing of files, paths or findings.

use aho_corasick::packed;
use aho_corasick::Span;
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
    /// ASCII case: those of three bytes or more by their [`key`], then the
    /// others.
    literals: Vec<Literal>,
    /// Where the literals of two bytes start in `literals`.
    short: usize,
    /// Where literals are looked for, nearest the hit first.
    tiers: Vec<Tier>,
    /// Per trigger: how far its rule's matches reach around a hit, when it
    /// is gated.
    reach: Vec<Option<usize>>,
    /// The longest literal.
    longest: usize,
}

/// A prefix literal and the triggers whose rule starts with it.
struct Literal {
    /// The [`key`] of its first three bytes; of its two, for a two-byte
    /// literal.
    key: u32,
    bytes: Vec<u8>,
    /// The triggers whose rule starts with it, and whether that rule needs
    /// a word boundary before it.
    owners: Vec<(usize, bool)>,
}

/// The positions from which a match holding a hit would reach past the
/// hit's end by more than the tier before reaches, and by at most `far`:
/// searched for the literals whose rules reach that far.
struct Tier {
    far: usize,
    finder: Finder,
}

/// How a tier finds the positions where one of its literals may start.
enum Finder {
    /// One literal of three bytes or more, case folded, searched for in a
    /// folded copy of the window.
    One(memchr::memmem::Finder<'static>),
    /// A few literals of three bytes or more, case folded, searched for
    /// in a folded copy of the window.
    Packed(packed::Searcher),
    /// One bit per [`slot`] of the [`key`] of a literal's first three bytes
    /// (of every key that a two-byte literal starts), looked up at every
    /// position.
    Filter(Box<[u64; FILTER_WORDS]>),
}

/// The most literals a tier searches with a packed searcher (which
/// compares more candidates the more literals share its buckets).
const PACKED_MAX: usize = 16;
const FILTER_BITS: u32 = 16;
const FILTER_WORDS: usize = (1 << FILTER_BITS) / 64;

impl Finder {
    fn of(literals: &[&[u8]]) -> Finder {
        if literals.len() <= PACKED_MAX && literals.iter().all(|l| l.len() >= 3) {
            let mut folded: Vec<Vec<u8>> = literals.iter().map(|l| l.iter().map(|&b| b | 0x20).collect()).collect();
            folded.sort();
            folded.dedup();
            if let [one] = &folded[..] {
                return Finder::One(memchr::memmem::Finder::new(one).into_owned());
            }
            if let Some(searcher) = packed::Config::new().builder().extend(&folded).build() {
                return Finder::Packed(searcher);
            }
        }
        let mut filter = Box::new([0u64; FILTER_WORDS]);
        let mut set = |k: u32| filter[slot(k) / 64] |= 1 << (slot(k) % 64);
        for l in literals {
            let k = key(word_at(l, 0));
            if l.len() >= 3 {
                set(k);
            } else {
                // Any third byte: a key for each.
                (0..=255u32).for_each(|third| set(key(k | third << 16)));
            }
        }
        Finder::Filter(filter)
    }
}

impl Finder {
    /// Where the first literal at or after `from` in the folded `window`
    /// starts.
    fn next_in(&self, window: &[u8], from: usize) -> Option<usize> {
        match self {
            Finder::One(finder) => finder.find(window.get(from..)?).map(|i| from + i),
            Finder::Packed(searcher) => searcher.find_in(window, Span::from(from..window.len())).map(|m| m.start()),
            Finder::Filter(_) => None,
        }
    }
}

/// The first three bytes of a little-endian word with ASCII case folded
/// (`| 0x20` on each byte).
fn key(word: u32) -> u32 {
    (word | 0x0020_2020) & 0x00FF_FFFF
}

/// The filter bit of a key.
fn slot(key: u32) -> usize {
    (key.wrapping_mul(0x9E37_79B1) >> (32 - FILTER_BITS)) as usize
}

/// The four bytes at `at` as a little-endian word, zeros past the end.
fn word_at(hay: &[u8], at: usize) -> u32 {
    let mut w = [0u8; 4];
    let bytes = &hay[at.min(hay.len())..];
    let n = bytes.len().min(4);
    w[..n].copy_from_slice(&bytes[..n]);
    u32::from_le_bytes(w)
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
        let longest = patterns.iter().map(Vec::len).max()?;
        // How far each literal's rules reach; tiers out to the median of
        // those left, the last out to the widest once few are left.
        let reach_of = |o: &[(usize, bool)]| o.iter().filter_map(|&(t, _)| reach[t]).max().unwrap_or(0);
        let mut tiers = Vec::new();
        let mut near = 0;
        loop {
            let members: Vec<usize> = (0..patterns.len()).filter(|&i| reach_of(&owners[i]) > near).collect();
            let mut reaches: Vec<usize> = members.iter().map(|&i| reach_of(&owners[i])).collect();
            reaches.sort_unstable();
            let Some(&widest) = reaches.last() else { break };
            let far = if members.len() <= PACKED_MAX { widest } else { reaches[reaches.len() / 2] };
            let literals: Vec<&[u8]> = members.iter().map(|&i| &patterns[i][..]).collect();
            tiers.push(Tier { far, finder: Finder::of(&literals) });
            near = far;
        }
        let mut literals: Vec<Literal> = patterns
            .into_iter()
            .zip(owners)
            .map(|(bytes, owners)| {
                let k = key(word_at(&bytes, 0));
                let key = if bytes.len() >= 3 { k } else { k & 0xFFFF };
                Literal { key, bytes, owners }
            })
            .collect();
        literals.sort_by_key(|l| (l.bytes.len() < 3, l.key));
        let short = literals.partition_point(|l| l.bytes.len() >= 3);
        Some(Gate { literals, short, tiers, reach, longest })
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
        // A match holding the hit starts at or before it, within its
        // rule's reach of the hit's end.
        let mut near = 0;
        for tier in &self.tiers {
            let Some(last) = end.checked_sub(near + 1).map(|p| p.min(start)) else { break };
            let first = end.saturating_sub(tier.far);
            near = tier.far;
            if first > last {
                continue;
            }
            match &tier.finder {
                Finder::Filter(filter) => {
                    for at in first..=last {
                        let k = match hay.get(at..at + 4) {
                            Some(w) => key(u32::from_le_bytes(w.try_into().expect("four bytes"))),
                            None => key(word_at(hay, at)),
                        };
                        if filter[slot(k) / 64] & (1 << (slot(k) % 64)) != 0 {
                            self.literals_at(hay, at, end, pass);
                        }
                    }
                }
                Finder::One(_) | Finder::Packed(_) => {
                    let to = (last + self.longest).min(hay.len());
                    let mut buf = [0u8; MAX_GATED_REACH + MAX_LITERAL];
                    let window = &mut buf[..to - first];
                    for (f, &b) in window.iter_mut().zip(&hay[first..to]) {
                        *f = b | 0x20;
                    }
                    let mut p = 0;
                    while let Some(m) = tier.finder.next_in(window, p) {
                        if first + m > last {
                            break;
                        }
                        self.literals_at(hay, first + m, end, pass);
                        p = m + 1;
                    }
                }
            }
        }
    }

    /// Sets `pass[t]` for the triggers of the literals at `at` whose rule
    /// reaches from there past `end`.
    fn literals_at(&self, hay: &[u8], at: usize, end: usize, pass: &mut [bool]) {
        let k = key(word_at(hay, at));
        let (long, short) = self.literals.split_at(self.short);
        let first = long.partition_point(|l| l.key < k);
        let same = long[first..].iter().take_while(|l| l.key == k);
        let two = short.iter().filter(|l| l.key == k & 0xFFFF);
        for l in same.chain(two) {
            if !hay[at..].get(..l.bytes.len()).is_some_and(|h| h.eq_ignore_ascii_case(&l.bytes)) {
                continue;
            }
            for &(t, boundary) in &l.owners {
                if let Some(reach) = self.reach[t] {
                    if at + reach >= end && (!boundary || is_boundary(hay, at)) {
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
        // `abc` hides inside the longer `abcd` and overlaps `bcd` and
        // `cde`, each a byte further.
        let rules = [
            Some((hir(r"abc[a-z]{4}"), 30)),
            Some((hir(r"abcd[a-z]{4}"), 30)),
            Some((hir(r"cde[a-z]{4}"), 30)),
            Some((hir(r"xyz[a-z]{4}"), 30)),
            Some((hir(r"bcd[a-z]{4}"), 30)),
        ];
        let gate = Gate::new(&rules).unwrap();
        assert_eq!(passes(&gate, "abcde KEY", "KEY"), [true, true, true, false, true]);
        assert_eq!(passes(&gate, "ABC KEY", "KEY"), [true, false, false, false, false]);
        // The hit inside the literal: the match starts before it.
        assert_eq!(passes(&gate, "abcdeKEY", "cde"), [true, true, true, false, true]);
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

    /// What [`Gate::check`] must say, by comparing every literal at every
    /// position.
    /// A rule as the gate reads it: its prefix literals (each with whether
    /// it follows a word boundary) and its reach.
    type Spec = (Vec<(Vec<u8>, bool)>, usize);

    fn expected(rules: &[Spec], hay: &[u8], start: usize, end: usize) -> Vec<bool> {
        rules
            .iter()
            .map(|(literals, reach)| {
                (0..=start).any(|at| {
                    at + reach >= end
                        && literals.iter().any(|(l, boundary)| {
                            hay[at..].get(..l.len()).is_some_and(|h| h.eq_ignore_ascii_case(l))
                                && (!boundary || is_boundary(hay, at))
                        })
                })
            })
            .collect()
    }

    /// Checks `gate` at every `_key=` of random text made of the names in
    /// either case, their first bytes and noise, against [`expected`];
    /// returns how many rules passed.
    fn check_against_every_position(hirs: &[Option<(Hir, usize)>], names: &[&str]) -> usize {
        let gate = Gate::new(hirs).unwrap();
        let rules: Vec<Spec> = hirs.iter().flatten().map(|(h, reach)| (prefix_literals(h).unwrap(), *reach)).collect();
        let pieces: Vec<String> = names
            .iter()
            .flat_map(|n| [n.to_string(), n.to_uppercase(), n[..2].to_string()])
            .chain(["_", " ", "-", "x", "\n", "éa"].map(String::from))
            .chain(std::iter::repeat_n("_key=".to_string(), names.len()))
            .collect();
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let (mut checked, mut passed) = (0, 0);
        for _ in 0..300 {
            let hay: String = (0..120).map(|_| pieces[next(pieces.len())].as_str()).collect();
            let hay = hay.as_bytes();
            for at in memchr::memmem::find_iter(hay, b"_key=") {
                let mut pass = Vec::new();
                gate.check(hay, at, at + 4, &mut pass);
                assert_eq!(
                    pass,
                    expected(&rules, hay, at, at + 4),
                    "hit at {at} in {:?}",
                    String::from_utf8_lossy(hay)
                );
                checked += 1;
                passed += pass.iter().filter(|&&p| p).count();
            }
        }
        assert!(checked > 3000, "{checked} hits");
        passed
    }

    fn key_rules(names: &[&str], reach: impl Fn(usize) -> usize) -> Vec<Option<(Hir, usize)>> {
        names.iter().enumerate().map(|(i, n)| Some((hir(&format!("(?i:{n})_key=[a-z0-9]{{8}}")), reach(i)))).collect()
    }

    #[test]
    fn every_kind_of_tier_finds_what_comparing_every_position_finds() {
        // Rules of every reach, so that the gate has tiers of many
        // literals and of two-byte ones (a filter) and of a few (packed).
        let names = [
            "cohere",
            "mistral",
            "datadog",
            "pagerduty",
            "fastly",
            "runpod",
            "shodan",
            "snyk",
            "vultr",
            "heroku",
            "jenkins",
            "opsgenie",
            "postmark",
            "pinecone",
            "brave",
            "leonardo",
            "baseten",
            "gitea",
            "mailgun",
            "writer",
            "portkey",
            "linode",
            "weaviate",
            "qdrant",
            "runway",
            "wandb",
        ];
        let mut hirs = key_rules(&names, |i| 40 + 9 * i);
        hirs.push(Some((hir(r"(?i:(?:(?-u:\b)dd|zzx))_key=[a-z0-9]{8}"), 60)));
        hirs.push(Some((hir(r"(?i:(?-u:\b)co)_key=[a-z0-9]{8}"), 90)));
        let gate = Gate::new(&hirs).unwrap();
        assert!(gate.tiers.len() >= 2, "tiers: {}", gate.tiers.len());
        assert!(matches!(gate.tiers[0].finder, Finder::Filter(_)));
        // Packed searchers exist where aho-corasick has SIMD for them.
        let packed = cfg!(any(target_arch = "x86_64", target_arch = "aarch64"));
        assert!(!packed || gate.tiers.iter().any(|t| !matches!(t.finder, Finder::Filter(_))));
        let names: Vec<&str> = names.iter().copied().chain(["dd", "zzx", "co"]).collect();
        let passed = check_against_every_position(&hirs, &names);
        assert!(passed > 3000, "{passed}");
        // One literal; a few.
        let one = key_rules(&["cohere"], |_| 60);
        assert!(matches!(Gate::new(&one).unwrap().tiers[..], [Tier { finder: Finder::One(_), .. }]));
        assert!(check_against_every_position(&one, &["cohere", "co"]) > 100);
        let few = key_rules(&["cohere", "mistral", "snyk"], |i| 30 + 20 * i);
        assert!(!packed || matches!(Gate::new(&few).unwrap().tiers[..], [Tier { finder: Finder::Packed(_), .. }]));
        assert!(check_against_every_position(&few, &["cohere", "mistral", "snyk", "sn"]) > 100);
    }
}
