//! The matching engine: compiles a [`RuleSet`] once and finds secrets in byte
//! slices.
//!
//! How a scan works: the keyword pass ([`keywords::KeywordSet`], one SIMD
//! pass over the input for all keywords) finds every occurrence of every
//! rule keyword. When every match of a rule starts with a known literal
//! holding the keyword (`postgres://` for `postgres`), the hit tells where a
//! match would start and the rule's regex runs anchored there, a few bytes
//! of work, once the bytes there fit the classes every match has at its
//! first positions (`leading`). Otherwise the hit opens a window around
//! it, as wide as the longest match the rule's regex can produce;
//! overlapping windows of the same rule merge, and the rule's regex runs
//! only inside its windows.
//! Text with no keyword costs the keyword pass, whatever the number of
//! rules. Candidates then pass per-rule checks: placeholder (`allow`)
//! patterns, the fake-value filter, entropy, checksum and a nearby context
//! pattern.
//!
//! Contract: input is arbitrary bytes (invalid UTF-8 and NULs are fine);
//! output is byte spans of secrets, sorted by position. The engine never
//! touches the filesystem or git and knows nothing about paths or lines.

pub mod decode;
mod gate;
pub mod generic;
pub mod keywords;
mod leading;
pub mod selftest;

use std::sync::OnceLock;

use regex_automata::meta::Regex;
use regex_automata::util::captures::Captures;
use regex_automata::Anchored;
use regex_automata::Input;
use regex_syntax::hir::{Capture, Hir, HirKind, Repetition};

use self::gate::Gate;
use self::generic::{Anchor, GenericDetector};
use self::keywords::{KeywordContext, KeywordSet};
use self::leading::LeadingClasses;
use crate::rules::regex_parse::PrefixAt;
use crate::rules::{looks_fake, regex_parse, rule_error, shannon_entropy, Confidence, Rule, RuleError, RuleSet};

/// The widest window opened around a keyword for regexes whose longest match
/// is unbounded; keeps the cost of one hit bounded. Wide enough for the
/// longest bounded shipped format (a PGP block: 16 KiB body plus armor).
const MAX_WINDOW: usize = 24 * 1024;

/// A secret found in the input.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Match {
    /// Byte offset of the secret's first byte (for a decoded secret: of the
    /// encoded text it came from).
    pub start: usize,
    /// Byte offset one past the secret's last byte (likewise).
    pub end: usize,
    /// Index of the rule in [`Engine::rules`].
    pub rule: usize,
    /// Set when the secret was found only after decoding the text.
    pub decoded: Option<Box<DecodedSecret>>,
    /// Set by detectors that grade each match on its own (generic
    /// detection); `None`: the rule's confidence applies.
    pub confidence: Option<Confidence>,
}

impl Match {
    /// How sure the match is: its own grade, else its rule's confidence
    /// (`rule` is the rule it belongs to).
    pub fn graded(&self, rule: &Rule) -> Confidence {
        self.confidence.unwrap_or_else(|| rule.confidence())
    }
}

/// A secret found inside encoded text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct DecodedSecret {
    /// The encodings peeled off, outermost first, joined by `+`
    /// (`base64`, `base64+percent`).
    pub encoding: String,
    /// The secret itself, decoded.
    pub secret: Vec<u8>,
}

/// Default nesting depth for decoding (`--decode-depth`).
pub const DEFAULT_DECODE_DEPTH: usize = 2;

/// A rule ready to run: what the scan checks at a keyword hit, read off
/// the regex's syntax tree, and its regexes, compiled at their first use.
/// Most hits of most rules end at those checks (a literal or the leading
/// bytes that are not there), and compiling a regex costs far more than
/// parsing it: on git/git's tree, rules whose regexes would never run made
/// about a tenth of a scan's instructions.
struct CompiledRule {
    /// The regex as it is compiled ([`relax_counted_repetitions`]).
    relaxed: Hir,
    regexes: OnceLock<Result<RuleRegexes, String>>,
    /// How far from a keyword hit a match can extend, in either direction.
    reach: usize,
    /// The longest secret the rule's regex as written can match; `None`
    /// when unbounded.
    max_secret_len: Option<usize>,
    /// Set when every match starts with a literal holding one of the rule's
    /// keywords (see [`Anchors`]).
    anchors: Option<Anchors>,
    /// The bytes a match can have at its first positions, checked before
    /// an anchored run.
    leading: LeadingClasses,
}

/// A rule's compiled regexes.
struct RuleRegexes {
    regex: Regex,
    secret_group: Option<usize>,
    allow: Vec<Regex>,
    near: Option<(Regex, usize)>,
}

/// Where a rule's matches can start relative to a keyword hit.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Anchors {
    /// Per keyword of the rule (in the rule's order): `(offset, literals)`
    /// for each offset at which prefix literals hold the keyword, largest
    /// offset first. A match starts `offset` bytes before the keyword, with
    /// one of `literals`.
    by_keyword: Vec<Vec<PrefixAt>>,
    /// The regex opens with `\b`: a start is only possible at a word
    /// boundary. Most hits of short keywords (`sk-` in `task-runner`) fail
    /// this or the literal before the regex has to run.
    word_boundary: bool,
}

impl Anchors {
    /// The positions where a match may start, given the rule's keyword
    /// number `keyword` found at `keyword_start`: distinct and increasing,
    /// as offsets are distinct and decreasing.
    fn starts<'a>(&'a self, hay: &'a [u8], keyword: usize, keyword_start: usize) -> impl Iterator<Item = usize> + 'a {
        self.by_keyword[keyword].iter().filter_map(move |(offset, literals)| {
            let start = keyword_start.checked_sub(*offset)?;
            let fits = (!self.word_boundary || is_boundary(hay, start))
                && literals.iter().any(|l| hay[start..].starts_with(l));
            fits.then_some(start)
        })
    }
}

fn is_boundary(hay: &[u8], at: usize) -> bool {
    let word = |b: &u8| keywords::is_word(*b);
    at.checked_sub(1).and_then(|i| hay.get(i)).is_some_and(word) != hay.get(at).is_some_and(word)
}

impl CompiledRule {
    /// Parses and compiles `rule` now, regexes included.
    fn build(rule: &Rule) -> Result<CompiledRule, RuleError> {
        let hir = regex_parse::parse(&rule.regex).map_err(|e| regex_error(rule, "rule", e))?;
        let compiled = CompiledRule::from_hir(rule, &hir);
        RuleRegexes::build(rule, &compiled.relaxed)?;
        Ok(compiled)
    }

    /// Prepares `rule`, whose regex parsed to `hir`; its regexes compile at
    /// their first use ([`CompiledRule::regexes`]).
    fn from_hir(rule: &Rule, hir: &Hir) -> CompiledRule {
        let max_secret_len = regex_parse::secret_hir(hir).unwrap_or(hir).properties().maximum_len();
        let reach = hir.properties().maximum_len().map_or(MAX_WINDOW, |n| n.min(MAX_WINDOW));
        let anchors = keyword_anchors(hir, &rule.keywords);
        let leading = LeadingClasses::of(hir);
        CompiledRule {
            relaxed: relax_counted_repetitions(hir),
            regexes: OnceLock::new(),
            max_secret_len,
            reach,
            anchors,
            leading,
        }
    }

    /// The rule's regexes, compiled at the first call; `None` when one does
    /// not compile.
    fn regexes(&self, rule: &Rule) -> Option<&RuleRegexes> {
        self.regexes.get_or_init(|| RuleRegexes::build(rule, &self.relaxed).map_err(|e| e.to_string())).as_ref().ok()
    }
}

impl RuleRegexes {
    fn build(rule: &Rule, relaxed: &Hir) -> Result<RuleRegexes, RuleError> {
        let regex = Regex::builder().build_from_hir(relaxed).map_err(|e| regex_error(rule, "rule", e))?;
        let secret_group = regex.group_info().to_index(regex_automata::PatternID::ZERO, "secret");
        let allow = rule.allow.iter().map(|a| build_regex(rule, "allow", a)).collect::<Result<_, _>>()?;
        let near = match &rule.near {
            Some(n) => Some((build_regex(rule, "near", n)?, rule.near_distance)),
            None => None,
        };
        Ok(RuleRegexes { regex, secret_group, allow, near })
    }
}

/// Counted repetitions wider than this are compiled without their upper
/// bound (see [`relax_counted_repetitions`]).
const MAX_COUNTED_SPAN: u32 = 64;

/// `x{50,1000}` compiles to a thousand NFA states, and the lazy DFA makes a
/// state per count while it walks a long run, so such rules were the most
/// expensive both to build and to search. Compiled as `x{50,}` instead, with
/// the bound enforced afterwards on the secret's length
/// ([`CompiledRule::max_secret_len`]) and on the window a hit opens
/// ([`CompiledRule::reach`]): for token formats, whose counted runs are
/// delimited, a run too long for the original regex gives a secret too long
/// for the bound, so the same secrets are reported.
fn relax_counted_repetitions(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Repetition(rep) => {
            let max = rep.max.filter(|&max| max - rep.min <= MAX_COUNTED_SPAN);
            Hir::repetition(Repetition { max, sub: Box::new(relax_counted_repetitions(&rep.sub)), ..rep.clone() })
        }
        HirKind::Capture(cap) => {
            Hir::capture(Capture { sub: Box::new(relax_counted_repetitions(&cap.sub)), ..cap.clone() })
        }
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(relax_counted_repetitions).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.iter().map(relax_counted_repetitions).collect()),
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => hir.clone(),
    }
}

/// Where a rule's keywords sit in the literals every match starts with, or
/// `None` when some match may start otherwise
/// ([`regex_parse::keyword_prefixes`]).
fn keyword_anchors(hir: &Hir, keywords: &[String]) -> Option<Anchors> {
    let by_keyword = regex_parse::keyword_prefixes(hir, keywords)?;
    Some(Anchors { by_keyword, word_boundary: regex_parse::starts_with_word_boundary(hir) })
}

/// Keywords shorter than this may be word starts ([`keyword_starts_words`]):
/// for them the keyword pass gains most, looking for them one byte early
/// (`keywords::Shape`).
const WORD_START_CHECKED_BELOW: usize = 4;

/// Whether keyword `kw`, declared by the rules and keyword numbers of
/// `declared`, can only matter at the start of a word: every one of those
/// rules' matches starts with it right after an ASCII `\b`
/// ([`Rule::word_start_keywords`], read off each regex when it was loaded,
/// at build time for the shipped rules), and it starts with a word byte.
/// Then a hit inside a word (`sk-` in `task-list`) can start no match, and
/// the keyword pass need not report it.
fn keyword_starts_words(kw: &[u8], declared: &[(usize, usize)], rules: &[Rule]) -> bool {
    kw.len() < WORD_START_CHECKED_BELOW
        && kw.first().copied().is_some_and(keywords::is_word)
        && declared.iter().all(|&(r, n)| rules[r].word_start_keywords.get(n).copied().unwrap_or(false))
}

/// What must hold around keyword `kw`, declared by the rules and keyword
/// numbers of `declared`, for a hit to start any of their matches: what
/// every one of those rules' matches holds around it
/// ([`Rule::keyword_contexts`], read off each regex when it was loaded, at
/// build time for the shipped rules), and a byte that is not a word byte
/// before it when it is a word start ([`keyword_starts_words`]).
fn keyword_context(kw: &[u8], declared: &[(usize, usize)], rules: &[Rule]) -> KeywordContext {
    let read = declared.iter().map(|&(r, n)| rules[r].keyword_contexts.get(n).copied().flatten());
    let mut context = merged_context(read).unwrap_or_default();
    if keyword_starts_words(kw, declared, rules) {
        let not_word = keywords::NOT_WORD;
        context.before = Some(match context.before {
            Some(b) => [b[0] & not_word[0], b[1] & not_word[1]],
            None => not_word,
        });
    }
    context
}

/// What all of `contexts` hold (those of one keyword declared by several
/// rules, or several times); `None` when one of them says nothing.
fn merged_context(contexts: impl IntoIterator<Item = Option<KeywordContext>>) -> Option<KeywordContext> {
    let mut merged: Option<KeywordContext> = None;
    for c in contexts {
        let c = c?;
        merged = Some(merged.map_or(c, |m| m.union(&c)));
    }
    merged
}

/// A compiled rule set, ready to scan. Cheap to share across threads.
///
/// Rule regexes compile lazily, the first time one of the rule's keywords is
/// seen: building all of them up front costs tens of milliseconds, which
/// would dominate a pre-commit hook that looks at one small file.
pub struct Engine {
    rules: Vec<Rule>,
    compiled: Vec<OnceLock<Result<CompiledRule, String>>>,
    /// Per rule, parsed on first use: its regex, which both the gate and
    /// the compiler read (`None` when it does not parse).
    parsed: Vec<OnceLock<Option<Hir>>>,
    keywords: KeywordSet,
    /// For each keyword of `keywords`: the rules to try when it is found.
    keyword_rules: Vec<Vec<Trigger>>,
    /// For each keyword, built at its first hit: which of its rules to try
    /// at a hit ([`Gate`]).
    gates: Vec<OnceLock<Option<Gate>>>,
    /// How many encodings deep to look for secrets; 0 turns decoding off.
    decode_depth: usize,
    /// The shortest match any rule can produce: decoded text shorter than
    /// this cannot hold a secret, nor can anything decoded from it.
    min_match: usize,
    /// The generic detector, when a rule names it.
    generic: Option<GenericDetector>,
    /// The lowest confidence the caller reports. The engine still returns
    /// every match (a state file remembers them all); the pipeline counts
    /// those below it instead of building their findings.
    min_confidence: Confidence,
    /// For each keyword of `keywords`: the generic detector's anchor it is,
    /// if any, and whether a rule's declaring the same keyword widened the
    /// context the keyword pass looks for it in.
    keyword_anchors: Vec<Option<(Anchor, bool)>>,
}

/// A rule to try at a keyword hit: the hit's keyword is the rule's keyword
/// number `keyword`.
struct Trigger {
    rule: usize,
    keyword: usize,
}

fn regex_error(rule: &Rule, what: &str, e: impl std::fmt::Display) -> RuleError {
    rule_error(rule, format!("invalid {what} regex: {e}"))
}

fn build_regex(rule: &Rule, what: &str, pattern: &str) -> Result<Regex, RuleError> {
    let hir = regex_parse::parse(pattern).map_err(|e| regex_error(rule, what, e))?;
    Regex::builder().build_from_hir(&hir).map_err(|e| regex_error(rule, what, e))
}

impl Engine {
    /// Prepares a rule set for scanning: builds the keyword set; rule
    /// regexes compile on first use (see [`Engine::compile_all`]).
    pub fn new(set: &RuleSet) -> Result<Engine, RuleError> {
        let rules = set.rules().to_vec();
        // Distinct keywords, each with the (rule, keyword number) pairs that
        // declared it.
        let generic = GenericDetector::new(&rules)?;
        let anchors = generic.as_ref().map(GenericDetector::anchors).unwrap_or_default();
        let mut keywords: Vec<&str> = Vec::new();
        let mut declared: Vec<Vec<(usize, usize)>> = Vec::new();
        for (r, rule) in rules.iter().enumerate().filter(|(_, r)| r.detector.is_none()) {
            for (n, kw) in rule.keywords.iter().enumerate() {
                let k = keywords.iter().position(|k| k == kw).unwrap_or_else(|| {
                    keywords.push(kw);
                    declared.push(Vec::new());
                    keywords.len() - 1
                });
                declared[k].push((r, n));
            }
        }
        let mut contexts: Vec<KeywordContext> = keywords
            .iter()
            .zip(&declared)
            .map(|(kw, declared)| keyword_context(kw.as_bytes(), declared, &rules))
            .collect();
        // The generic detector's anchors join the same pass; a keyword a
        // rule also declares keeps what either needs around it.
        let mut keyword_anchors = vec![None; keywords.len()];
        for (kw, context, anchor) in &anchors {
            let (kw, context, anchor) = (kw.as_str(), *context, *anchor);
            match keywords.iter().position(|k| *k == kw) {
                Some(k) => {
                    let merged = contexts[k].union(&context);
                    keyword_anchors[k] = Some((anchor, merged != context));
                    contexts[k] = merged;
                }
                None => {
                    keywords.push(kw);
                    declared.push(Vec::new());
                    contexts.push(context);
                    keyword_anchors.push(Some((anchor, false)));
                }
            }
        }
        let keyword_set = KeywordSet::with_contexts(&keywords, &contexts);
        let keyword_rules = declared
            .into_iter()
            .map(|d| d.into_iter().map(|(rule, keyword)| Trigger { rule, keyword }).collect())
            .collect();
        let compiled = rules.iter().map(|_| OnceLock::new()).collect();
        let parsed = rules.iter().map(|_| OnceLock::new()).collect();
        let gates = keywords.iter().map(|_| OnceLock::new()).collect();
        let min_match = rules.iter().filter(|r| r.detector.is_none()).map(|r| r.min_len).min().unwrap_or(usize::MAX);
        Ok(Engine {
            rules,
            compiled,
            parsed,
            keywords: keyword_set,
            keyword_rules,
            gates,
            decode_depth: DEFAULT_DECODE_DEPTH,
            min_confidence: Confidence::Low,
            min_match,
            generic,
            keyword_anchors,
        })
    }

    /// Compiles every rule now; returns the first rule that fails. For
    /// `rules check` and for callers that want errors before scanning.
    pub fn compile_all(&self) -> Result<(), RuleError> {
        self.compile_where(|_| true)
    }

    /// Compiles the rules `which` selects now; returns the first that fails
    /// (naming its file and id). Scanning commands compile the rules that
    /// did not ship with keyhound (a config's, a user's rule file) this way,
    /// so a regex that parses but cannot be compiled is an error before the
    /// scan instead of a rule that silently never matches; shipped rules
    /// stay lazy (they are checked in CI and by `rules check`).
    pub fn compile_where(&self, which: impl Fn(&Rule) -> bool) -> Result<(), RuleError> {
        for (i, rule) in self.rules.iter().enumerate().filter(|(_, r)| r.detector.is_none()) {
            if which(rule) && self.compiled_rule(i).and_then(|c| c.regexes(rule)).is_none() {
                // Rebuild to get the typed error (only on the failure path).
                CompiledRule::build(rule)?;
            }
        }
        Ok(())
    }

    /// The gate of keyword `k`'s rules: those whose matches start with one
    /// of a few literals and reach at most [`gate::MAX_GATED_REACH`] around
    /// a hit, and do not run anchored at the hit (which costs less than the
    /// gate). Parses the rules' regexes, not compiling them.
    fn gate(&self, k: usize) -> Option<&Gate> {
        self.gates[k]
            .get_or_init(|| {
                let rules: Vec<Option<(Hir, usize)>> = self.keyword_rules[k]
                    .iter()
                    .map(|t| {
                        let rule = &self.rules[t.rule];
                        let hir = self.parsed_rule(t.rule)?;
                        let reach = hir.properties().maximum_len().filter(|&n| n <= gate::MAX_GATED_REACH)?;
                        if keyword_anchors(hir, &rule.keywords).is_some() {
                            return None;
                        }
                        Some((relax_counted_repetitions(hir), reach))
                    })
                    .collect();
                Gate::new(&rules)
            })
            .as_ref()
    }

    /// Rule `r`'s regex, parsed once.
    fn parsed_rule(&self, r: usize) -> Option<&Hir> {
        self.parsed[r].get_or_init(|| regex_parse::parse(&self.rules[r].regex).ok()).as_ref()
    }

    fn compiled_rule(&self, r: usize) -> Option<&CompiledRule> {
        self.compiled[r]
            .get_or_init(|| {
                let rule = &self.rules[r];
                match self.parsed_rule(r) {
                    Some(hir) => Ok(CompiledRule::from_hir(rule, hir)),
                    None => CompiledRule::build(rule),
                }
                .map_err(|e| e.to_string())
            })
            .as_ref()
            .ok()
    }

    /// The rules, indexed as [`Match::rule`].
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The keyword set the scan searches with (for measuring the keyword
    /// pass alone).
    pub fn keyword_set(&self) -> &KeywordSet {
        &self.keywords
    }

    /// Finds every secret in `hay`. Matches are sorted by position and
    /// deduplicated (one per rule and span).
    pub fn scan(&self, hay: &[u8]) -> Vec<Match> {
        self.scan_named(hay, None)
    }

    /// As [`Engine::scan`], for the content of a file named `name` (its
    /// path; the last component counts): some credentials files are known
    /// only by their name (`.pgpass`, `.htpasswd`). Sources that know the
    /// name give it; those that find it at a cost ask
    /// [`Engine::name_matters`] first.
    pub fn scan_named(&self, hay: &[u8], name: Option<&[u8]>) -> Vec<Match> {
        let mut out = self.scan_plain(hay, true);
        let file = self.generic.as_ref().zip(name).and_then(|(g, name)| Some((g, g.file_kind(name)?)));
        if let Some((generic, file)) = file {
            let before = out.len();
            generic.scan_file(hay, file, &mut out);
            if out.len() > before {
                out.sort_unstable();
                self.drop_generic_duplicates(&mut out);
            }
        }
        if self.decode_depth > 0 {
            let mut found = Vec::new();
            self.scan_decoded(hay, self.decode_depth, &mut Vec::new(), &|s, e| (s, e), &mut found);
            // A secret visible in clear is reported once, as found in clear.
            found.retain(|d| {
                let secret = &d.decoded.as_ref().expect("decoded").secret;
                !out.iter().any(|m| {
                    m.rule == d.rule && m.start < d.end && d.start < m.end && &hay[m.start..m.end] == secret.as_slice()
                })
            });
            found.sort_unstable();
            found.dedup_by(|a, b| a.rule == b.rule && a.start == b.start && a.end == b.end);
            let decoded_any = !found.is_empty();
            out.extend(found);
            out.sort_unstable();
            // A known format found by decoding (`api_key=sk%2Dproj…`) wins
            // over a generic match of the same text.
            if decoded_any && out.iter().any(|m| self.is_generic(m.rule)) {
                self.drop_generic_duplicates(&mut out);
            }
        }
        out
    }

    /// Whether the name of the file holding `hay` could change what
    /// [`Engine::scan_named`] finds in it.
    pub fn name_matters(&self, hay: &[u8]) -> bool {
        self.generic.as_ref().is_some_and(|g| g.name_matters(hay))
    }

    /// Whether matches of rule `r` are graded one by one (the generic
    /// detector's).
    fn is_generic(&self, r: usize) -> bool {
        self.rules[r].detector.is_some()
    }

    /// Keeps one generic match per span, and none where a rule of a known
    /// format found a secret overlapping it (`API_KEY = "sk-…"` is an
    /// OpenAI key, not a generic one). `out` is sorted.
    fn drop_generic_duplicates(&self, out: &mut Vec<Match>) {
        let known: Vec<(usize, usize)> =
            out.iter().filter(|m| !self.is_generic(m.rule)).map(|m| (m.start, m.end)).collect();
        let mut last: Option<(usize, usize)> = None;
        out.retain(|m| {
            if !self.is_generic(m.rule) {
                return true;
            }
            if last == Some((m.start, m.end)) || known.iter().any(|&(s, e)| s < m.end && m.start < e) {
                return false;
            }
            last = Some((m.start, m.end));
            true
        });
    }

    /// Sets the lowest confidence reported (see [`Engine::min_confidence`]).
    pub fn set_min_confidence(&mut self, level: Confidence) {
        self.min_confidence = level;
    }

    /// The lowest confidence reported: matches graded below it
    /// ([`Match::graded`]) are counted by the pipeline, not made findings.
    /// `low` (the default) keeps every match.
    pub fn min_confidence(&self) -> Confidence {
        self.min_confidence
    }

    /// Sets how many encodings deep secrets are looked for (0: no decoding).
    pub fn set_decode_depth(&mut self, depth: usize) {
        self.decode_depth = depth;
    }

    /// Decodes every encoded span of `hay`, scans the decoded text and maps
    /// matches back to the outermost input through `to_top`.
    fn scan_decoded(
        &self,
        hay: &[u8],
        depth: usize,
        chain: &mut Vec<decode::Encoding>,
        to_top: &dyn Fn(usize, usize) -> (usize, usize),
        out: &mut Vec<Match>,
    ) {
        for d in decode::decode_all(hay, self.min_match) {
            chain.push(d.encoding);
            let map = |s: usize, e: usize| {
                let (s, e) = d.source_span(s, e);
                to_top(s, e)
            };
            for m in self.scan_plain(&d.bytes, false) {
                let (start, end) = map(m.start, m.end);
                let encoding = chain.iter().map(|e| e.name()).collect::<Vec<_>>().join("+");
                let secret = d.bytes[m.start..m.end].to_vec();
                out.push(Match {
                    start,
                    end,
                    rule: m.rule,
                    decoded: Some(Box::new(DecodedSecret { encoding, secret })),
                    confidence: m.confidence,
                });
            }
            if depth > 1 {
                self.scan_decoded(&d.bytes, depth - 1, chain, &map, out);
            }
            chain.pop();
        }
    }

    /// Finds secrets written in clear; the generic detector runs only when
    /// `generic` is set (not in decoded text).
    fn scan_plain(&self, hay: &[u8], generic: bool) -> Vec<Match> {
        let mut out = Vec::new();
        let mut generic_found = false;
        // The windows still open: (rule, start, end), one per rule. A few
        // rules at a time, so a list, not a slot for each of the hundreds
        // of rules (which cost clearing per input, decoded spans included).
        let mut open: Vec<(usize, usize, usize)> = Vec::new();
        let mut pass: Vec<bool> = Vec::new();
        for hit in self.keywords.find_iter(hay) {
            if let (Some((anchor, widened)), Some(detector), true) =
                (self.keyword_anchors[hit.keyword], &self.generic, generic)
            {
                let before = out.len();
                detector.at_hit(hay, anchor, widened, hit.start, hit.end, &mut out);
                generic_found |= out.len() > before;
            }
            if self.keyword_rules[hit.keyword].is_empty() {
                continue;
            }
            let gate = self.gate(hit.keyword);
            if let Some(gate) = gate {
                gate.check(hay, hit.start, hit.end, &mut pass);
            }
            for (t, trigger) in self.keyword_rules[hit.keyword].iter().enumerate() {
                if gate.is_some() && !pass[t] {
                    continue;
                }
                let r = trigger.rule;
                let Some(rule) = self.compiled_rule(r) else { continue };
                if let Some(anchors) = &rule.anchors {
                    for s in anchors.starts(hay, trigger.keyword, hit.start) {
                        self.run_anchored(r, rule, hay, s, &mut out);
                    }
                    continue;
                }
                let reach = rule.reach;
                let ws = hit.start.saturating_sub(reach);
                let we = (hit.end + reach).min(hay.len());
                match open.iter_mut().find(|w| w.0 == r) {
                    Some(w) if ws <= w.2 => w.2 = w.2.max(we),
                    Some(w) => {
                        let (s, e) = (w.1, w.2);
                        *w = (r, ws, we);
                        self.run_rule(r, hay, s, e, &mut out);
                    }
                    None => open.push((r, ws, we)),
                }
            }
        }
        for (r, s, e) in open {
            self.run_rule(r, hay, s, e, &mut out);
        }
        out.sort_unstable();
        out.dedup();
        if generic_found {
            self.drop_generic_duplicates(&mut out);
        }
        out
    }

    /// Runs rule `r` anchored at `start`.
    fn run_anchored(&self, r: usize, rule: &CompiledRule, hay: &[u8], start: usize, out: &mut Vec<Match>) {
        if !rule.leading.fit(hay, start) {
            return;
        }
        let Some(rx) = rule.regexes(&self.rules[r]) else { return };
        let end = (start + rule.reach).min(hay.len());
        let input = Input::new(hay).range(start..end).anchored(Anchored::Yes);
        if rx.regex.search_half(&input).is_none() {
            return;
        }
        let mut caps = rx.regex.create_captures();
        rx.regex.search_captures(&input, &mut caps);
        let Some(whole) = caps.get_match() else { return };
        let span = rx.secret_group.and_then(|g| caps.get_group(g)).unwrap_or(whole.span());
        if !span.is_empty() && accept(&self.rules[r], rule, rx, hay, span.start, span.end) {
            out.push(Match { start: span.start, end: span.end, rule: r, decoded: None, confidence: None });
        }
    }

    fn run_rule(&self, r: usize, hay: &[u8], start: usize, end: usize, out: &mut Vec<Match>) {
        let Some(rule) = self.compiled_rule(r) else { return };
        let spec = &self.rules[r];
        let Some(rx) = rule.regexes(spec) else { return };
        // A rule that needs a nearby word cannot match in a window without
        // it: one literal search instead of the rule's regex.
        if let Some((near, distance)) = &rx.near {
            let around = start.saturating_sub(*distance)..(end + distance).min(hay.len());
            if !near.is_match(Input::new(hay).range(around)) {
                return;
            }
        }
        // Most windows hold no match: find first, capture only on a match.
        let mut caps: Option<Captures> = None;
        let mut pos = start;
        while pos < end {
            // Look-around (`\b`, `^`, `$`) sees the bytes outside the window,
            // so a window edge never fakes a boundary.
            let Some(found) = rx.regex.search(&Input::new(hay).range(pos..end)) else { break };
            let caps = caps.get_or_insert_with(|| rx.regex.create_captures());
            rx.regex.search_captures(&Input::new(hay).range(found.start()..end), caps);
            let Some(whole) = caps.get_match() else { break };
            let span = rx.secret_group.and_then(|g| caps.get_group(g)).unwrap_or(whole.span());
            if !span.is_empty() && accept(spec, rule, rx, hay, span.start, span.end) {
                out.push(Match { start: span.start, end: span.end, rule: r, decoded: None, confidence: None });
            }
            // Resume inside the match when the regex consumed a trailing
            // boundary byte, so back-to-back secrets are both seen.
            pos = if span.end > whole.start() && span.end < whole.end() { span.end } else { whole.end() };
            if whole.is_empty() || pos <= whole.start() {
                pos = whole.start() + 1;
            }
        }
    }
}

/// The per-rule checks a regex match must pass to be reported.
fn accept(spec: &Rule, rule: &CompiledRule, rx: &RuleRegexes, hay: &[u8], start: usize, end: usize) -> bool {
    let secret = &hay[start..end];
    if rule.max_secret_len.is_some_and(|max| secret.len() > max) {
        return false;
    }
    if rx.allow.iter().any(|a| a.is_match(secret)) {
        return false;
    }
    if spec.fake_filter && looks_fake(secret) {
        return false;
    }
    if spec.entropy.is_some_and(|min| shannon_entropy(secret) < min) {
        return false;
    }
    if spec.checksum.is_some_and(|c| !c.verify(secret)) {
        return false;
    }
    if let Some((near, distance)) = &rx.near {
        let s = start.saturating_sub(*distance);
        let e = (end + distance).min(hay.len());
        if !near.is_match(Input::new(hay).range(s..e)) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::template::expand;

    /// The secrets `e` finds in `hay`, in order.
    fn secrets<'h>(e: &Engine, hay: &'h [u8]) -> Vec<&'h [u8]> {
        e.scan(hay).iter().map(|m| &hay[m.start..m.end]).collect()
    }

    fn engine(toml: &str) -> Engine {
        let mut set = RuleSet::default();
        set.add_toml("test.toml", toml).unwrap();
        Engine::new(&set).unwrap()
    }

    const RULES: &str = r#"
[[rule]]
id = "t-token"
name = "T token"
regex = '''(?-u:\b)(?P<secret>tok_[a-z0-9]{12})(?:[^a-z0-9]|$)'''
keywords = ["tok_"]

[[rule]]
id = "t-near"
name = "Near token"
regex = '''(?-u:\b)(?P<secret>nt-[0-9a-f]{16})(?-u:\b)'''
keywords = ["nt-"]
near = '''(?i)vendor'''
near_distance = 40
"#;

    #[test]
    fn finds_spans_and_adjacent_matches() {
        let e = engine(RULES);
        let hay = b"a=tok_q8zr2lmwx0pk,tok_7vb3nyc1d2e9 end";
        let m = e.scan(hay);
        assert_eq!(m.len(), 2, "{m:?}");
        assert_eq!(&hay[m[0].start..m[0].end], b"tok_q8zr2lmwx0pk");
        assert_eq!(&hay[m[1].start..m[1].end], b"tok_7vb3nyc1d2e9");
    }

    #[test]
    fn window_edges_respect_boundaries() {
        let e = engine(RULES);
        // Longer than allowed: the trailing boundary fails, even though the
        // window would end inside the run.
        let hay = format!("x tok_q8zr2lmwx0pk{} y", "a".repeat(40));
        assert!(e.scan(hay.as_bytes()).is_empty());
        // Preceded by a word character: no leading boundary.
        assert!(e.scan(b"xtok_q8zr2lmwx0pk").is_empty());
    }

    #[test]
    fn short_keywords_are_word_starts_only_when_every_rule_needs_one() {
        let rules = |second: &str| {
            format!(
                r#"
[[rule]]
id = "t-bounded"
name = "Bounded"
regex = '''(?-u:\b)(?P<secret>nt-[0-9a-f]{{16}})(?:[^0-9a-f]|$)'''
keywords = ["nt-"]

[[rule]]
id = "t-second"
name = "Second"
regex = '''{second}'''
keywords = ["nt-"]
"#
            )
        };
        let word_start = |e: &Engine| e.keyword_set().word_start(0);
        let hits = |e: &Engine, hay: &[u8]| e.keyword_set().find_iter(hay).count();
        // Both rules need a word boundary before the keyword: the keyword
        // pass does not even report it inside a word.
        let e = engine(&rules(r"(?-u:\b)(?P<secret>nt-[A-Z]{16})"));
        assert!(word_start(&e));
        assert_eq!(hits(&e, b"paint-9f3a61c0d2b4e857"), 0);
        assert_eq!(hits(&e, b"(nt-9f3a61c0d2b4e857)"), 1);
        assert!(secrets(&e, b"paint-9f3a61c0d2b4e857").is_empty());
        assert_eq!(secrets(&e, b"(nt-9f3a61c0d2b4e857)"), vec![&b"nt-9f3a61c0d2b4e857"[..]]);
        assert_eq!(secrets(&e, b"nt-9f3a61c0d2b4e857"), vec![&b"nt-9f3a61c0d2b4e857"[..]]);
        // One that does not (a suffix of a longer token) keeps every hit.
        let e = engine(&rules(r"(?P<secret>[a-z]{2}nt-[A-Z]{16})"));
        assert!(!word_start(&e));
        assert_eq!(hits(&e, b"paint-9f3a61c0d2b4e857"), 1);
        assert_eq!(secrets(&e, b"paint-QWZKRTPLMXNBVCJH"), vec![&b"aint-QWZKRTPLMXNBVCJH"[..]]);
        // Nor does one whose matches start before the keyword.
        let e = engine(&rules(r"(?-u:\b)(?P<secret>x_nt-[A-Z]{16})"));
        assert!(!word_start(&e));
        assert_eq!(secrets(&e, b"x_nt-QWZKRTPLMXNBVCJH"), vec![&b"x_nt-QWZKRTPLMXNBVCJH"[..]]);
    }

    #[test]
    fn a_keyword_of_a_case_insensitive_rule_is_found_in_any_case() {
        let e = engine(
            r#"
[[rule]]
id = "t-acme"
name = "Acme"
regex = '''(?i:acme_token)=(?P<secret>[a-z0-9]{20})'''
keywords = ["ACME"]
"#,
        );
        assert!(e.keyword_set().context(0).fold_case);
        for name in ["ACME_TOKEN", "acme_token", "AcmeToken", "Acme_Token", "aCmE_tOkEn"] {
            let hay = format!("{name}=q8zr2lmwx0pk7vb3nyc1");
            let want: Vec<&[u8]> = if name.contains('_') { vec![&b"q8zr2lmwx0pk7vb3nyc1"[..]] } else { vec![] };
            assert_eq!(secrets(&e, hay.as_bytes()), want, "{name}");
        }
    }

    #[test]
    fn near_requires_context() {
        let e = engine(RULES);
        assert!(e.scan(b"key nt-9f3a61c0d2b4e857").is_empty());
        assert_eq!(e.scan(b"VENDOR_KEY=nt-9f3a61c0d2b4e857").len(), 1);
    }

    #[test]
    fn decoded_text_as_short_as_the_shortest_match_is_scanned() {
        let e = engine(
            r#"
[[rule]]
id = "t-pin"
name = "PIN"
regex = '''pin=[0-9]{4}'''
keywords = ["pin="]
"#,
        );
        assert_eq!(e.min_match, 8);
        let hay = br#"x "pin\u003d4821" y"#;
        let m = e.scan(hay);
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(m[0].decoded.as_ref().unwrap().secret, b"pin=4821");
        assert_eq!(&hay[m[0].start..m[0].end], br"pin\u003d4821");
    }

    #[test]
    fn works_on_invalid_utf8_and_many_hits() {
        let e = engine(RULES);
        let mut hay = vec![0xff, 0xfe, b' '];
        hay.extend_from_slice(b"tok_q8zr2lmwx0pk\x00");
        for _ in 0..1000 {
            hay.extend_from_slice(b"tok_ ");
        }
        assert_eq!(e.scan(&hay).len(), 1);
    }

    #[test]
    fn a_rule_with_two_keywords_is_found_by_either() {
        // The second key has only the short keyword; the first has both,
        // overlapping the same match: it is reported once.
        let e = engine(
            r#"
[[rule]]
id = "t-two"
name = "Two keywords"
regex = '''(?:VENDOR_KEY=)?(?P<secret>vk[0-9a-f]{16})(?-u:\b)'''
keywords = ["VENDOR_KEY", "vk"]
"#,
        );
        let hay = b"VENDOR_KEY=vk9f3a61c0d2b4e857 and vk0b1c2d3e4f5a6978";
        let found = secrets(&e, hay);
        assert_eq!(found, vec![&b"vk9f3a61c0d2b4e857"[..], &b"vk0b1c2d3e4f5a6978"[..]]);
    }

    #[test]
    fn a_keyword_running_past_another_still_triggers_its_rule() {
        // `k_liv` starts inside `sk_`: the `sk_` hit must not hide it.
        let e = engine(
            r#"
[[rule]]
id = "t-sk"
name = "Underscore key"
regex = '''(?-u:\b)(?P<secret>sk_[0-9a-f]{8})(?-u:\b)'''
keywords = ["sk_"]

[[rule]]
id = "t-live"
name = "Live key"
regex = '''(?-u:\b)(?P<secret>sk_live_[A-Za-z0-9]{12})(?-u:\b)'''
keywords = ["k_liv"]
"#,
        );
        let hay = b"KEY=sk_live_q8zR2lMwX0pK";
        let m = e.scan(hay);
        assert_eq!(m.iter().map(|m| (m.rule, &hay[m.start..m.end])).collect::<Vec<_>>(), vec![(1, &hay[4..])]);
    }

    #[test]
    fn shipped_openai_rules_find_each_family() {
        let set = RuleSet::embedded().unwrap();
        let e = Engine::new(&set).unwrap();
        for (tpl, id) in [
            ("sk-{{a:20}}T3BlbkFJ{{a:20}}", "openai-legacy-key"),
            ("sk-proj-{{u:74}}T3BlbkFJ{{u:74}}", "openai-project-key"),
            ("sk-svcacct-{{u:58}}T3BlbkFJ{{u:58}}", "openai-service-account-key"),
            ("sk-admin-{{u:58}}T3BlbkFJ{{u:58}}", "openai-admin-key"),
            ("sk-None-{{u:74}}T3BlbkFJ{{u:74}}", "openai-none-key"),
        ] {
            let key = expand(tpl, 11);
            let hay = format!("KEY={key}\n");
            let m = e.scan(hay.as_bytes());
            let ids: Vec<&str> = m.iter().map(|m| e.rules()[m.rule].id.as_str()).collect();
            assert_eq!(ids, vec![id], "{hay}");
            assert_eq!(&hay.as_bytes()[m[0].start..m[0].end], key.as_bytes());
        }
    }

    #[test]
    fn wide_counted_repetitions_keep_their_bounds() {
        // Compiled as `{100,}` (see `relax_counted_repetitions`); the bound
        // still holds through the secret's length.
        let e = engine(
            r#"
[[rule]]
id = "t-long"
name = "Long token"
regex = '''(?-u:\b)(?P<secret>lt_[A-Za-z0-9]{100,400})(?:[^A-Za-z0-9]|$)'''
keywords = ["lt_"]
fake_filter = false
"#,
        );
        let body = |n: usize| "aZ3".repeat(n).chars().take(n).collect::<String>();
        for (n, found) in [(99, false), (100, true), (400, true), (401, false), (2000, false)] {
            let hay = format!("x = lt_{} ;", body(n));
            assert_eq!(e.scan(hay.as_bytes()).len(), usize::from(found), "body of {n}");
        }
        let pem = "-----BEGIN RSA PRIVATE KEY-----";
        let rule = RuleSet::embedded().unwrap().rules().iter().find(|r| r.regex.contains(pem)).unwrap().clone();
        let compiled = CompiledRule::build(&rule).unwrap();
        assert!(compiled.max_secret_len.is_some_and(|n| n > 8192), "the body bound is kept");
    }

    #[test]
    fn windowed_rule_with_a_near_word_finds_and_rejects_by_distance() {
        // The keyword sits inside the secret, so the rule runs over windows,
        // where the near word is looked for before the regex runs.
        let e = engine(
            r#"
[[rule]]
id = "t-near"
name = "Near"
regex = '''(?-u:\b)(?P<secret>[0-9a-f]{8}NK-[0-9a-f]{16})(?:[^0-9a-f]|$)'''
keywords = ["NK-"]
near = '''(?i)vendorx'''
near_distance = 40
"#,
        );
        assert!(e.compiled_rule(0).unwrap().anchors.is_none());
        let key = "9f3a61c0NK-d2b4e8579f3a61c0";
        assert_eq!(secrets(&e, format!("VENDORX_KEY = \"{key}\"").as_bytes()), vec![key.as_bytes()]);
        assert_eq!(e.scan(format!("OTHER_KEY = \"{key}\"").as_bytes()).len(), 0);
        // Within the window searched for the word, but 45 bytes from the key.
        let near_window = format!("vendorx{}{key}", " ".repeat(45));
        assert_eq!(e.scan(near_window.as_bytes()).len(), 0);
        let just_in = format!("vendorx{}{key}", " ".repeat(30));
        assert_eq!(e.scan(just_in.as_bytes()).len(), 1);
    }

    #[test]
    fn rules_run_anchored_where_every_match_starts_with_a_keyword_literal() {
        let e = engine(
            r#"
[[rule]]
id = "t-prefix"
name = "Keyword inside the prefix"
regex = '''(?-u:\b)(?P<secret>(?:ab|xab)cd_[0-9a-f]{16})(?:[^0-9a-f]|$)'''
keywords = ["bcd_"]

[[rule]]
id = "t-middle"
name = "Keyword in the middle"
regex = '''(?-u:\b)(?P<secret>[0-9a-f]{8}MID[0-9a-f]{8})(?:[^0-9a-f]|$)'''
keywords = ["MID"]

[[rule]]
id = "t-covered"
name = "Keyword covered by a longer one"
regex = '''(?-u:\b)(?P<secret>q-[0-9a-f]{12})(?:[^0-9a-f]|$)'''
keywords = ["q-"]

[[rule]]
id = "t-longer"
name = "Longer keyword"
regex = '''(?-u:\b)(?P<secret>q-long-[0-9a-f]{12})(?:[^0-9a-f]|$)'''
keywords = ["q-lo"]
"#,
        );
        let anchors = |id: &str| {
            let r = e.rules().iter().position(|r| r.id == id).unwrap();
            e.compiled_rule(r).unwrap().anchors.clone()
        };
        let prefix = anchors("t-prefix").unwrap();
        assert_eq!(prefix.by_keyword, vec![vec![(2, vec![b"xabcd_".to_vec()]), (1, vec![b"abcd_".to_vec()])]]);
        assert!(prefix.word_boundary);
        assert_eq!(anchors("t-middle"), None);
        // Literals holding the keyword at the same offset share one start.
        let shopify = Engine::new(&RuleSet::embedded().unwrap()).unwrap();
        let r = shopify.rules().iter().position(|r| r.id == "shopify-access-token").unwrap();
        let literals: Vec<Vec<u8>> = [&b"shpat_"[..], b"shpca_", b"shppa_"].iter().map(|l| l.to_vec()).collect();
        let by_keyword = &shopify.compiled_rule(r).unwrap().anchors.as_ref().unwrap().by_keyword;
        assert_eq!(by_keyword.len(), 1);
        assert_eq!(by_keyword[0].len(), 1);
        assert_eq!(by_keyword[0][0].0, 0);
        let mut got = by_keyword[0][0].1.clone();
        got.sort();
        assert_eq!(got, literals);
        // A class right after the keyword multiplies the literals past the
        // limit: they are cut short enough, so the rule is anchored.
        let slack = shopify.rules().iter().position(|r| r.id == "slack-bot-token").unwrap();
        let by_keyword = &shopify.compiled_rule(slack).unwrap().anchors.as_ref().unwrap().by_keyword;
        let digits: Vec<Vec<u8>> = (b'0'..=b'9').map(|d| [&b"xoxb-"[..], &[d]].concat()).collect();
        assert_eq!(by_keyword, &vec![vec![(0, digits)]]);
        let hay =
            b"abcd_9f3a61c0d2b4e857 xabcd_7c1e5a9d3b0f2864 1234abcdMID9f8e7d6c q-0a1b2c3d4e5f q-long-0a1b2c3d4e5f";
        let found = secrets(&e, hay);
        assert_eq!(
            found,
            vec![
                &b"abcd_9f3a61c0d2b4e857"[..],
                b"xabcd_7c1e5a9d3b0f2864",
                b"1234abcdMID9f8e7d6c",
                b"q-0a1b2c3d4e5f",
                b"q-long-0a1b2c3d4e5f"
            ]
        );
    }

    #[test]
    fn largest_pgp_block_fits_the_window() {
        let e = Engine::new(&RuleSet::embedded().unwrap()).unwrap();
        let line = expand("{{b:64}}\n", 3);
        let body = line.repeat(16_300 / line.len()); // just under the rule's 16 KiB body bound
        let block = format!(
            "-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\nComment: {}\n\n{body}={}\n-----END PGP PRIVATE KEY BLOCK-----\n",
            "c".repeat(200),
            expand("{{b:4}}", 4)
        );
        let ids: Vec<&str> = e.scan(block.as_bytes()).iter().map(|m| e.rules()[m.rule].id.as_str()).collect();
        assert_eq!(ids, vec!["private-key-pgp"]);
    }

    #[test]
    fn a_keyword_inside_a_longer_keyword_runs_its_rule_at_its_own_offset() {
        // `qq-` lies one byte into `.qq-`: its rule runs anchored there.
        let e = engine(
            r#"
[[rule]]
id = "t-inner"
name = "Inner"
regex = '''(?-u:\b)(?P<secret>qq-[0-9a-f]{12})(?:[^0-9a-f]|$)'''
keywords = ["qq-"]

[[rule]]
id = "t-outer"
name = "Outer"
regex = '''\.qq-(?P<secret>zz[0-9a-f]{12})'''
keywords = [".qq-"]
"#,
        );
        let hay = b"x .qq-0a1b2c3d4e5f y";
        assert_eq!(secrets(&e, hay), vec![&b"qq-0a1b2c3d4e5f"[..]]);
    }
}
