//! Parses a rule's regex into its syntax tree and reads off it what the
//! loader and the engine need without compiling it: the fewest bytes a match
//! spans, the literals every match starts with and where the rule's
//! keywords sit in them, and so which keywords every match starts with
//! right after a word boundary, and the bytes around each keyword that every
//! match holds (its case, the byte before it, the bytes after it); and how
//! many bytes of fixed literal every secret itself starts with (what a
//! rule's derived confidence rests on). Shared
//! with `build.rs`, which does this for
//! the shipped rules at build time so that startup need not: it must not
//! use anything else from the crate.

use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Capture, Class, Hir, HirKind, Look, Repetition};

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

/// The `secret` capture group of a rule's regex, if it has one.
pub fn secret_hir(hir: &Hir) -> Option<&Hir> {
    match hir.kind() {
        HirKind::Capture(cap) if cap.name.as_deref() == Some("secret") => Some(&cap.sub),
        HirKind::Capture(Capture { sub, .. }) | HirKind::Repetition(Repetition { sub, .. }) => secret_hir(sub),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => subs.iter().find_map(secret_hir),
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => None,
    }
}

/// How many bytes of fixed literal every secret of `hir` starts with: of
/// the regex's [`sequences`] through the secret (its `secret` group, else
/// the whole match), the fewest leading bytes that are each one byte, a
/// letter in either case, or one of at most [`FIXED_SET`] bytes (`[bp]`,
/// an alternation spelled as a class); zero-width assertions before them
/// do not count. `ghp_` or `gho_` is 4, `-----BEGIN RSA PRIVATE KEY-----`
/// 31, `sk-` 3, `[0-9a-f]{32}` 0. What a rule's derived confidence rests
/// on.
pub fn secret_prefix_len(hir: &Hir) -> usize {
    let fixed = |set: &ByteClass| {
        let n = set[0].count_ones() + set[1].count_ones();
        let folded =
            n == 2 && (0..=255u8).any(|b| b.is_ascii_lowercase() && *set == class_of([b, b.to_ascii_uppercase()]));
        n as usize <= FIXED_SET || folded
    };
    let leading = |seq: &[Step]| {
        seq.iter()
            .skip_while(|s| matches!(s, Step::Look(_)))
            .take_while(|s| matches!(s, Step::Byte(set) if fixed(set)))
            .count()
    };
    sequences(secret_hir(hir).unwrap_or(hir)).iter().map(|seq| leading(seq)).min().unwrap_or(0)
}

/// The most bytes a set may have and still count as fixed in a secret's
/// prefix ([`secret_prefix_len`]): a choice among a few letters (`xox[bp]-`,
/// `dt0[cs]`), never a digit class `[0-9]` or anything wider.
pub const FIXED_SET: usize = 5;

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
    let mut literals: Vec<&[u8]> = prefixes.literals()?.iter().map(|l| l.as_bytes()).collect();
    if literals.len() > MAX_LITERALS {
        // A class after the keyword (`xoxb-[0-9]{8,14}`) multiplies the
        // literals. A prefix of a prefix is a prefix too: cut them to the
        // longest length that leaves few enough, but never before the end
        // of each one's first keyword, which a match is still found from.
        let keyword_ends: Vec<usize> =
            literals.iter().map(|l| first_keyword_end(l, keywords)).collect::<Option<_>>()?;
        let longest = literals.iter().map(|l| l.len()).max().unwrap_or(0);
        literals = (0..longest).rev().find_map(|len| {
            let mut cut: Vec<&[u8]> =
                literals.iter().zip(&keyword_ends).map(|(l, &end)| &l[..l.len().min(len.max(end))]).collect();
            cut.sort_unstable();
            cut.dedup();
            (cut.len() <= MAX_LITERALS).then_some(cut)
        })?;
    }
    let mut by_keyword: Vec<Vec<PrefixAt>> = vec![Vec::new(); keywords.len()];
    for bytes in literals {
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

/// Where the first keyword in `literal` ends; `None` when it holds none.
fn first_keyword_end(literal: &[u8], keywords: &[String]) -> Option<usize> {
    keywords.iter().filter_map(|k| occurrences(literal, k.as_bytes()).next().map(|at| at + k.len())).min()
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

/// A set of byte values: bit `b & 0x7F` of word `b >> 7`.
pub type ByteClass = [u128; 2];

/// Runs of one set a keyword's context describes after it, at most.
pub const AFTER_RUNS: usize = 4;

/// Bytes after a keyword its context describes, at most: enough to tell
/// a 30-byte token body from `test_expect_success`, few enough that a
/// hit's check stays a few nanoseconds.
pub const AFTER_MAX: usize = 32;

/// `len` bytes, each of set `set`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AfterRun {
    pub set: ByteClass,
    pub len: u8,
}

/// What every match of a rule holds around one of its keywords, read off
/// the regex where the keyword is spelled outside any repetition, in each
/// of the regex's sequences ([`sequences`]) that spell it: every match has
/// it there. The default says nothing: the keyword in its own case,
/// anything around.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KeywordContext {
    /// The keyword's letters match in either case (`(?i)`).
    pub fold_case: bool,
    /// The byte right before the keyword, when every match has one there
    /// from a known set (the empty set: the keyword starts the input).
    pub before: Option<ByteClass>,
    /// The sets of the bytes right after the keyword, as runs: the first
    /// `after_runs` entries, at most [`AFTER_MAX`] bytes in all.
    pub after: [AfterRun; AFTER_RUNS],
    pub after_runs: u8,
    /// Blanks (spaces and tabs, up to [`MAX_BLANKS`]) may come between the
    /// keyword and the bytes `after` describes: `password = x` as well as
    /// `password=x`, but not `password checks`. Never read off a regex; the
    /// generic detector's names say it.
    pub after_blanks: bool,
}

/// The most blanks an `after_blanks` context skips; more, and the
/// occurrence is no hit.
pub const MAX_BLANKS: usize = 32;

/// Space and tab.
pub const BLANKS: ByteClass = [1 << b' ' | 1 << b'\t', 0];

impl KeywordContext {
    /// Whether keyword `kw` is a hit at `s` of `hay` under this context,
    /// read straight off the definition (the reference the keyword pass's
    /// tests and fuzz target check its fast search against): spelled (in
    /// either case if it folds), the byte before in `before`, past at most
    /// [`MAX_BLANKS`] blanks when `after_blanks`, the bytes after in their
    /// sets; a byte the input does not have fits.
    pub fn holds(&self, kw: &[u8], hay: &[u8], s: usize) -> bool {
        let Some(there) = hay.get(s..s + kw.len()) else { return false };
        let spelled = if self.fold_case { there.eq_ignore_ascii_case(kw) } else { there == kw };
        let before = s == 0 || self.before.is_none_or(|set| class_has(&set, hay[s - 1]));
        let mut a = s + kw.len();
        if self.after_blanks {
            let blanks = hay[a..].iter().take_while(|&&b| b == b' ' || b == b'\t').count();
            if blanks > MAX_BLANKS {
                return false;
            }
            a += blanks;
        }
        let after = self.after_sets().enumerate().all(|(i, set)| hay.get(a + i).is_none_or(|&b| class_has(&set, b)));
        spelled && before && after
    }

    /// The set of each byte after the keyword the context describes.
    pub fn after_sets(&self) -> impl Iterator<Item = ByteClass> + Clone + '_ {
        self.after[..usize::from(self.after_runs)].iter().flat_map(|r| std::iter::repeat_n(r.set, usize::from(r.len)))
    }

    /// The context with `sets` as the bytes after the keyword, cut at
    /// [`AFTER_MAX`] bytes or [`AFTER_RUNS`] runs.
    pub fn with_after(mut self, sets: impl IntoIterator<Item = ByteClass>) -> KeywordContext {
        self.after = [AfterRun::default(); AFTER_RUNS];
        let mut runs = 0;
        for set in sets.into_iter().take(AFTER_MAX) {
            if runs > 0 && self.after[runs - 1].set == set {
                self.after[runs - 1].len += 1;
                continue;
            }
            if runs == AFTER_RUNS {
                break;
            }
            self.after[runs] = AfterRun { set, len: 1 };
            runs += 1;
        }
        self.after_runs = runs as u8;
        self
    }

    /// What both contexts hold: an occurrence fitting either fits it.
    pub fn union(&self, other: &KeywordContext) -> KeywordContext {
        let union = |a: ByteClass, b: ByteClass| [a[0] | b[0], a[1] | b[1]];
        let context = KeywordContext {
            fold_case: self.fold_case || other.fold_case,
            before: self.before.zip(other.before).map(|(x, y)| union(x, y)),
            after_blanks: self.after_blanks && other.after_blanks,
            ..KeywordContext::default()
        };
        let after = self.after_sets().zip(other.after_sets()).map(|(x, y)| union(x, y));
        if self.after_blanks == other.after_blanks {
            return context.with_after(after);
        }
        // One skips blanks, the other does not: the byte right after the
        // keyword may be a blank or what either has there, and nothing
        // further is known.
        context.with_after(after.take(1).map(|s| union(s, BLANKS)))
    }

    /// The set of the byte right after the keyword and of those after it,
    /// as they fall when no blank comes between (for a keyword's
    /// fingerprint): with `after_blanks`, only the first, which may be a
    /// blank too.
    pub fn after_sets_unskipped(&self) -> impl Iterator<Item = ByteClass> + Clone + '_ {
        let first_or_blank = |s: ByteClass| [s[0] | BLANKS[0], s[1] | BLANKS[1]];
        let n = if self.after_blanks { 1 } else { usize::MAX };
        self.after_sets().take(n).map(move |s| if self.after_blanks { first_or_blank(s) } else { s })
    }
}

/// One step of a regex read as a sequence: exactly one byte of a set, a
/// run of bytes of one set (at least `min`), a zero-width assertion, or
/// anything else.
#[derive(Debug, Clone, Copy)]
enum Step {
    Byte(ByteClass),
    Run(ByteClass, u32),
    Look(Look),
    Other,
}

/// Sequences read off one regex, at most: an alternation or a short
/// repetition multiplies them; past this, it is read as one unknown step.
const MAX_SEQUENCES: usize = 64;

/// Repetitions of at most this many are spelled out, one sequence per
/// count (`(?:_?key)?`, `\s{0,2}`).
const MAX_SPELLED_REPEAT: u32 = 3;

/// The regex as sequences of steps: every match of `hir` is a match of
/// one of them. Alternations and short repetitions give a sequence per
/// branch and count, as long as there are at most [`MAX_SEQUENCES`].
fn sequences(hir: &Hir) -> Vec<Vec<Step>> {
    let unknown = || vec![vec![Step::Other]];
    let product = |acc: &[Vec<Step>], next: &[Vec<Step>]| -> Vec<Vec<Step>> {
        acc.iter().flat_map(|a| next.iter().map(move |n| [a.as_slice(), n].concat())).collect()
    };
    match hir.kind() {
        HirKind::Empty => vec![vec![]],
        HirKind::Literal(lit) => vec![lit.0.iter().map(|&b| Step::Byte(class_of([b]))).collect()],
        HirKind::Class(class) => vec![vec![byte_class(class).map_or(Step::Other, Step::Byte)]],
        HirKind::Look(look) => vec![vec![Step::Look(*look)]],
        HirKind::Capture(cap) => sequences(&cap.sub),
        HirKind::Concat(subs) => subs.iter().fold(vec![vec![]], |acc, sub| {
            let next = sequences(sub);
            let next = if acc.len() * next.len() > MAX_SEQUENCES { unknown() } else { next };
            product(&acc, &next)
        }),
        HirKind::Repetition(rep) => {
            let one = match rep.sub.kind() {
                HirKind::Class(class) => byte_class(class),
                HirKind::Literal(lit) if lit.0.len() == 1 => Some(class_of([lit.0[0]])),
                _ => None,
            };
            let run = || one.map_or_else(unknown, |set| vec![vec![Step::Run(set, rep.min)]]);
            match (one, rep.max) {
                // A fixed count of one set: that many bytes, and what
                // follows is at a known offset (past AFTER_MAX bytes no
                // context reaches it: a run says as much, in one step).
                (Some(set), Some(max)) if max == rep.min && rep.min as usize <= AFTER_MAX => {
                    vec![vec![Step::Byte(set); rep.min as usize]]
                }
                (_, Some(max)) if max <= MAX_SPELLED_REPEAT => {
                    let sub = sequences(&rep.sub);
                    let mut all = Vec::new();
                    for count in rep.min..=max {
                        all.extend((0..count).fold(vec![vec![]], |acc, _| product(&acc, &sub)));
                        if all.len() > MAX_SEQUENCES {
                            return run();
                        }
                    }
                    all
                }
                _ => run(),
            }
        }
        HirKind::Alternation(subs) => {
            let all: Vec<Vec<Step>> = subs.iter().flat_map(sequences).collect();
            if all.len() > MAX_SEQUENCES {
                unknown()
            } else {
                all
            }
        }
    }
}

fn byte_class(class: &Class) -> Option<ByteClass> {
    match class {
        Class::Bytes(bytes) => Some(class_of(bytes.iter().flat_map(|r| r.start()..=r.end()))),
        Class::Unicode(_) => None,
    }
}

/// The class of `bytes`.
pub fn class_of(bytes: impl IntoIterator<Item = u8>) -> ByteClass {
    let mut c = [0, 0];
    for b in bytes {
        c[usize::from(b >> 7)] |= 1 << (b & 0x7F);
    }
    c
}

/// Whether class `set` has byte `b`.
#[inline]
pub fn class_has(set: &ByteClass, b: u8) -> bool {
    set[usize::from(b >> 7)] & (1 << (b & 0x7F)) != 0
}

/// Per keyword of the rule (in its order): what every match holds around
/// it ([`KeywordContext`]), or `None` when nothing is known. In each of
/// the regex's [`sequences`], a keyword is located where it is first
/// spelled; its context is the union of what holds there in every
/// sequence that spells it. Every sequence must spell some keyword: a
/// match of one that spells none holds its keywords anywhere, and then
/// nothing is known of any.
pub fn keyword_contexts(hir: &Hir, keywords: &[String]) -> Vec<Option<KeywordContext>> {
    let mut contexts: Vec<Option<KeywordContext>> = vec![None; keywords.len()];
    for seq in sequences(hir) {
        let found: Vec<Option<KeywordContext>> = keywords.iter().map(|k| keyword_context(&seq, k.as_bytes())).collect();
        if found.iter().all(Option::is_none) {
            return vec![None; keywords.len()];
        }
        for (context, f) in contexts.iter_mut().zip(found) {
            if let Some(f) = f {
                *context = Some(context.map_or(f, |c| c.union(&f)));
            }
        }
    }
    contexts
}

fn keyword_context(seq: &[Step], kw: &[u8]) -> Option<KeywordContext> {
    if kw.is_empty() || kw.len() > seq.len() {
        return None;
    }
    // The first place the keyword is spelled, each byte by a one-byte set
    // or, for a letter, by the set of its two cases.
    let spelled = |at: usize| -> Option<bool> {
        let mut folded = false;
        for (step, &b) in seq[at..at + kw.len()].iter().zip(kw) {
            let Step::Byte(set) = *step else { return None };
            if set == class_of([b]) {
                continue;
            }
            if b.is_ascii_alphabetic() && set == class_of([b.to_ascii_lowercase(), b.to_ascii_uppercase()]) {
                folded = true;
                continue;
            }
            return None;
        }
        Some(folded)
    };
    let (at, fold_case) = (0..=seq.len() - kw.len()).find_map(|at| spelled(at).map(|f| (at, f)))?;
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let word = class_of((0..=255u8).filter(|&b| is_word(b)));
    let not_word = [!word[0], !word[1]];
    let before = match at.checked_sub(1).map(|i| seq[i]) {
        Some(Step::Byte(set)) | Some(Step::Run(set, 1..)) => Some(set),
        // `\b` before a keyword that starts with a word byte: a byte that
        // is not one (or the start of the input).
        Some(Step::Look(Look::WordAscii)) => Some(if is_word(kw[0]) { not_word } else { word }),
        // The start of the input (of a line): no byte (a line feed).
        Some(Step::Look(Look::Start)) => Some([0, 0]),
        Some(Step::Look(Look::StartLF)) => Some(class_of([b'\n'])),
        Some(Step::Look(Look::StartCRLF)) => Some(class_of([b'\r', b'\n'])),
        _ => None,
    };
    let mut after = Vec::new();
    for step in &seq[at + kw.len()..] {
        match *step {
            Step::Byte(set) => after.push(set),
            Step::Run(set, min) => {
                // A run may be longer than its minimum: what follows it is
                // not known to be at any one offset.
                after.extend(std::iter::repeat_n(set, min as usize));
                break;
            }
            _ => break,
        }
        if after.len() >= AFTER_MAX {
            break;
        }
    }
    Some(KeywordContext { fold_case, before, ..KeywordContext::default() }.with_after(after))
}
