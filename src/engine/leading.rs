//! Leading byte classes: for the first positions of every match of a
//! regex, the bytes a match can have there. A rule run anchored at a
//! keyword hit ([`super::Anchors`]) checks them before its regex runs: a
//! hit of `test_` in `test_expect_success` fails at the `_` where a Mollie
//! key needs a 30th letter or digit, for a few table lookups instead of a
//! regex search (about a hundred nanoseconds, the whole cost of the
//! commonest hits).
//!
//! What it must not do: reject a position where the regex could match. The
//! classes are a necessary condition only: they cover the positions every
//! match has, reading the syntax tree up to the first part whose length
//! varies (an optional part, a repetition with a range, alternatives of
//! different lengths), each position holding every byte any match can have
//! there. Zero-width assertions (`\b`, `^`) are left to the regex. It
//! knows nothing of keywords, rules or where a match starts.

use regex_syntax::hir::{Class, Hir, HirKind};

/// The most positions kept: enough to reject nearly every hit that fails,
/// few enough that a rule's classes stay small.
const MAX_POSITIONS: usize = 32;

/// A set of bytes: bit `b % 64` of word `b / 64`.
type ByteClass = [u64; 4];

/// The bytes every match of a regex can have at each of its first
/// positions (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct LeadingClasses {
    classes: Vec<ByteClass>,
}

impl LeadingClasses {
    /// The leading classes of `hir`'s matches.
    pub(super) fn of(hir: &Hir) -> LeadingClasses {
        let mut classes = sequence(hir).classes;
        classes.truncate(MAX_POSITIONS);
        // A class holding every byte says nothing; trailing ones cost a
        // lookup each.
        while classes.last().is_some_and(|c| *c == [!0; 4]) {
            classes.pop();
        }
        LeadingClasses { classes }
    }

    /// Whether a match can start at `start` in `hay`: every leading
    /// position is inside `hay` and holds a byte of its class.
    #[inline]
    pub(super) fn fit(&self, hay: &[u8], start: usize) -> bool {
        let Some(bytes) = hay.get(start..start + self.classes.len()) else { return false };
        self.classes.iter().zip(bytes).all(|(class, &b)| class[usize::from(b >> 6)] >> (b & 63) & 1 == 1)
    }

    /// How many positions are checked.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.classes.len()
    }
}

/// The classes of the positions every match of a part has, and whether the
/// part's length is fixed (then whatever follows it comes next).
struct Sequence {
    classes: Vec<ByteClass>,
    fixed: bool,
}

fn sequence(hir: &Hir) -> Sequence {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Sequence { classes: Vec::new(), fixed: true },
        HirKind::Literal(lit) => Sequence { classes: lit.0.iter().map(|&b| single(b)).collect(), fixed: true },
        HirKind::Class(class) => Sequence { classes: vec![class_bytes(class)], fixed: true },
        HirKind::Capture(cap) => sequence(&cap.sub),
        HirKind::Repetition(rep) => {
            let one = sequence(&rep.sub);
            let mut classes = Vec::new();
            if one.fixed && !one.classes.is_empty() {
                for _ in 0..rep.min {
                    if classes.len() >= MAX_POSITIONS {
                        break;
                    }
                    classes.extend_from_slice(&one.classes);
                }
            } else if rep.min > 0 {
                classes = one.classes;
            }
            let fixed = one.fixed && rep.max == Some(rep.min);
            Sequence { classes, fixed }
        }
        HirKind::Concat(subs) => {
            let mut classes = Vec::new();
            for sub in subs {
                let part = sequence(sub);
                classes.extend(part.classes);
                if !part.fixed || classes.len() >= MAX_POSITIONS {
                    return Sequence { classes, fixed: false };
                }
            }
            Sequence { classes, fixed: true }
        }
        HirKind::Alternation(alts) => {
            let parts: Vec<Sequence> = alts.iter().map(sequence).collect();
            let shortest = parts.iter().map(|p| p.classes.len()).min().unwrap_or(0);
            let classes = (0..shortest).map(|i| parts.iter().fold([0; 4], |u, p| or(u, p.classes[i]))).collect();
            let fixed = parts.iter().all(|p| p.fixed && p.classes.len() == shortest);
            Sequence { classes, fixed }
        }
    }
}

fn single(b: u8) -> ByteClass {
    let mut c = [0; 4];
    c[usize::from(b >> 6)] |= 1 << (b & 63);
    c
}

fn or(a: ByteClass, b: ByteClass) -> ByteClass {
    std::array::from_fn(|i| a[i] | b[i])
}

/// The bytes a class matches. A Unicode class is taken as its ASCII part
/// plus every non-ASCII byte (its UTF-8 encodings start with one).
fn class_bytes(class: &Class) -> ByteClass {
    let mut c = [0; 4];
    let mut add = |lo: u8, hi: u8| {
        for b in lo..=hi {
            c[usize::from(b >> 6)] |= 1 << (b & 63);
        }
    };
    match class {
        Class::Bytes(bytes) => bytes.ranges().iter().for_each(|r| add(r.start(), r.end())),
        Class::Unicode(unicode) => {
            for r in unicode.ranges() {
                let (lo, hi) = (u32::from(r.start()), u32::from(r.end()));
                if lo < 0x80 {
                    add(lo as u8, hi.min(0x7F) as u8);
                }
                if hi >= 0x80 {
                    add(0x80, 0xFF);
                }
            }
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::regex_parse;

    fn classes(pattern: &str) -> LeadingClasses {
        LeadingClasses::of(&regex_parse::parse(pattern).unwrap())
    }

    #[test]
    fn fixed_prefix_then_counted_run() {
        let c = classes(r"(?-u:\b)(?P<secret>(?:live|test)_[A-Za-z0-9]{30})(?:[^A-Za-z0-9_-]|$)");
        assert_eq!(c.len(), 32, "5 prefix bytes, then the first 27 of the 30");
        let key = format!("test_{}", "aB3".repeat(10));
        assert!(c.fit(key.as_bytes(), 0));
        assert!(c.fit(format!("x = {key};").as_bytes(), 4));
        assert!(!c.fit(b"test_expect_success 'setup' '", 0), "fails at the second `_`");
        assert!(!c.fit(b"test_abc", 0), "too short for the input");
        // Each position is the union of the alternatives' bytes there, so
        // a mix of them fits too: the regex sorts that out.
        assert!(c.fit(format!("tive_{}", "a".repeat(30)).as_bytes(), 0));
        assert!(!c.fit(format!("teste{}", "a".repeat(30)).as_bytes(), 0));
    }

    #[test]
    fn stops_at_the_first_part_whose_length_varies() {
        // `x?` ends the fixed part: `ab` then nothing known.
        let c = classes("abx?cd");
        assert_eq!(c.len(), 2);
        assert!(c.fit(b"abcd", 0) && c.fit(b"abxcd", 0) && c.fit(b"ab", 0));
        // A range repetition keeps its minimum, then stops.
        let c = classes("k[0-9]{2,4}z");
        assert_eq!(c.len(), 3);
        assert!(c.fit(b"k12z", 0) && c.fit(b"k1234z", 0) && !c.fit(b"k1z", 0));
        // Alternatives of different lengths: the common length, united.
        let c = classes("(?:ab|xyz)q");
        assert_eq!(c.len(), 2);
        assert!(c.fit(b"abq", 0) && c.fit(b"xyzq", 0) && c.fit(b"ay", 0) && !c.fit(b"qb", 0));
    }

    #[test]
    fn assertions_take_no_position_and_open_classes_are_dropped() {
        let c = classes(r"(?m)^\bAB[\x00-\xFF]");
        assert_eq!(c.len(), 2, "the any-byte class at the end is not kept");
        assert!(c.fit(b"AB", 0));
        assert_eq!(classes(r"(?s).*sk-").len(), 0, "an unbounded start: nothing known");
        assert!(classes("(?s).*").fit(b"", 0));
    }

    #[test]
    fn case_insensitive_and_unicode_classes() {
        let c = classes("(?i)key_[a-f]");
        assert!(c.fit(b"KeY_A", 0) && c.fit(b"key_f", 0) && !c.fit(b"kez_a", 0));
        let c = LeadingClasses::of(&regex_syntax::parse(r"k\w").unwrap());
        assert!(c.fit("ké".as_bytes(), 0), "a non-ASCII letter's first byte fits");
        assert!(c.fit(b"k_", 0) && !c.fit(b"k-", 0));
    }

    #[test]
    fn every_match_of_shipped_like_patterns_fits() {
        let patterns = [
            (r"(?-u:\b)sk-(?:proj-|svcacct-)?[A-Za-z0-9_-]{20,}", "sk-proj-abcdefghijklmnopqrstuvwxyz"),
            (r"xox[baprs]-[0-9]{10,13}-[0-9A-Za-z-]+", "xoxb-1234567890-abc"),
            (r"(?:A3T[A-Z0-9]|AKIA|ASIA)[A-Z0-9]{16}", "ASIAABCDEFGHIJKLMNOP"),
            (r"-----BEGIN (?:RSA )?PRIVATE KEY-----", "-----BEGIN PRIVATE KEY-----"),
        ];
        for (pattern, text) in patterns {
            let hir = regex_parse::parse(pattern).unwrap();
            let re = regex_automata::meta::Regex::builder().build_from_hir(&hir).unwrap();
            let m = re.find(text.as_bytes()).expect(pattern);
            assert!(LeadingClasses::of(&hir).fit(text.as_bytes(), m.start()), "{pattern}");
        }
    }

    #[test]
    fn every_match_of_every_shipped_rule_in_its_examples_fits() {
        // Each shipped rule's regex, run unanchored over its examples (and
        // negative examples, which often hold near-misses): wherever it
        // matches, the classes must let the start through.
        let set = crate::rules::RuleSet::embedded().unwrap();
        let mut matched = 0;
        for rule in set.rules() {
            let hir = regex_parse::parse(&rule.regex).unwrap();
            let re = regex_automata::meta::Regex::builder().build_from_hir(&hir).unwrap();
            let leading = LeadingClasses::of(&hir);
            let texts = rule.examples.iter().chain(&rule.negative_examples);
            for (i, template) in texts.enumerate() {
                let text = crate::rules::template::expand(template, crate::rules::template::seed_for(&rule.id, i));
                for m in re.find_iter(text.as_bytes()) {
                    matched += 1;
                    assert!(leading.fit(text.as_bytes(), m.start()), "{}: {text:?} at {}", rule.id, m.start());
                }
            }
        }
        assert!(matched >= set.rules().len() * 2, "every rule matched its examples ({matched})");
    }

    proptest::proptest! {
        #[test]
        fn no_position_where_the_regex_matches_is_rejected(
            pieces in proptest::collection::vec(0usize..PIECES.len(), 1..6),
            hay in proptest::collection::vec(proptest::sample::select(b"abcxyqrs0129_- ".to_vec()), 0..40),
        ) {
            let pattern: String = pieces.iter().map(|&p| PIECES[p]).collect();
            let hir = regex_parse::parse(&pattern).unwrap();
            let re = regex_automata::meta::Regex::builder().build_from_hir(&hir).unwrap();
            let leading = LeadingClasses::of(&hir);
            for start in 0..=hay.len() {
                let input = regex_automata::Input::new(&hay).range(start..).anchored(regex_automata::Anchored::Yes);
                if re.search_half(&input).is_some() {
                    proptest::prop_assert!(leading.fit(&hay, start), "{pattern} at {start} of {:?}", String::from_utf8_lossy(&hay));
                }
            }
        }
    }

    /// Parts the property test's patterns are made of: fixed and varying
    /// lengths, alternatives, assertions, repetitions of groups.
    const PIECES: &[&str] = &[
        "ab",
        "[a-c]",
        "x?",
        "(?:ab|c)",
        "(?:ab|cx)",
        "[0-9]{2,3}",
        r"\b",
        "y*",
        "(?:q|rs){2}",
        "(?i)Q",
        "[^ ]",
        "s+",
        "(?:)",
        "1{3}",
        "(?:a[bc]){1,2}",
        "$",
        "^",
    ];
}
