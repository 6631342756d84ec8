//! Rules: the data model of a detection rule, loading rule files (TOML) with
//! validation, and the default set embedded from `rules/*.toml` at build
//! time (which build.rs also embeds as JSON, read here into the same types
//! because that is several times cheaper at every start than parsing TOML).
//!
//! This module describes *what* to look for. It must not scan content: the
//! engine compiles a [`RuleSet`] and does the matching.

pub mod check;
pub mod checksum;
pub(crate) mod regex_parse;

pub use self::regex_parse::{class_has, class_of, AfterRun, ByteClass, KeywordContext};
pub mod template;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

pub use check::{VerifySpec, VerifyStatus};
pub use checksum::Checksum;

/// What build.rs read off one shipped rule's regexes (`EMBEDDED_PARSED`):
/// id, minimum match length, per keyword whether it is a word start and
/// its context, and the bytes of fixed literal every secret starts with.
type EmbeddedFacts = (&'static str, usize, &'static [bool], &'static [Option<KeywordContext>], usize);

include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

/// An error in a rule file. Always names the file, and the rule when one is
/// to blame, so a user can find it.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("{file}: {message}")]
    File { file: String, message: String },
    #[error("{file}: rule `{rule}`: {message}")]
    Rule { file: String, rule: String, message: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    #[default]
    High,
    Critical,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        })
    }
}

/// How sure keyhound is that a finding is a real secret: `high` for
/// checksummed or structurally verified tokens and distinctive prefixes,
/// `medium` for formats that need context, `low` for weak guesses. Ordered
/// so that `--min-confidence` keeps findings `>=` the level. The default,
/// `medium`, is what a finding of unknown origin is taken to be (a saved
/// report older than confidence, of a rule this keyhound does not know).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    #[default]
    Medium,
    High,
}

impl Confidence {
    /// Every level, lowest first.
    pub const ALL: [Confidence; 3] = [Confidence::Low, Confidence::Medium, Confidence::High];

    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Confidence {
    type Err = String;
    fn from_str(s: &str) -> Result<Confidence, String> {
        match s {
            "low" => Ok(Confidence::Low),
            "medium" => Ok(Confidence::Medium),
            "high" => Ok(Confidence::High),
            other => Err(format!("unknown confidence '{other}' (expected low, medium or high)")),
        }
    }
}

/// A built-in detector that finds a rule's secrets in code rather than a
/// regex (`detector = "generic"` in a rule file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Detector {
    /// Credentials recognised by their context: a value assigned to a name
    /// that says secret, a password in a URL or a tool's config file, an
    /// `Authorization` header. The rule's id names which of these it
    /// reports (`generic-password`, `url-credentials`, …); each match is
    /// graded with its own confidence, and its secret is identified by a
    /// slow salted hash (it may be a guessable password).
    Generic,
}

/// What kind of service a credential belongs to: the README and
/// `keyhound rules list` group rules by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// AI model and agent APIs.
    Ai,
    /// Cloud platforms (compute, storage, their IAM).
    Cloud,
    /// Hosting, deployment, CDN, DNS and edge platforms.
    Hosting,
    /// Source hosting and code review.
    SourceControl,
    /// CI/CD, build and infrastructure-as-code services.
    CiCd,
    /// Package and container registries.
    PackageRegistry,
    /// Secret managers and key vaults.
    SecretsManagement,
    /// Identity, login and access management.
    Identity,
    /// Payments, banking and crypto exchanges.
    Payments,
    /// Chat, email, SMS and push messaging.
    Messaging,
    /// Monitoring, logging, error tracking and analytics.
    Observability,
    /// Database services and connection strings.
    Database,
    /// CRM, marketing, support and sales tools.
    Crm,
    /// Productivity, collaboration and design tools.
    Productivity,
    /// E-commerce platforms.
    Ecommerce,
    /// Social networks and their APIs.
    Social,
    /// Maps, search, media and other developer APIs.
    DeveloperApi,
    /// Security tools and services.
    Security,
    /// Private keys and certificates, whatever issued them.
    PrivateKey,
    /// Credentials of no particular provider.
    Generic,
}

impl Category {
    /// Every category, in the order the README lists them.
    pub const ALL: [Category; 20] = [
        Category::Ai,
        Category::Cloud,
        Category::Hosting,
        Category::SourceControl,
        Category::CiCd,
        Category::PackageRegistry,
        Category::SecretsManagement,
        Category::Identity,
        Category::Payments,
        Category::Messaging,
        Category::Observability,
        Category::Database,
        Category::Crm,
        Category::Productivity,
        Category::Ecommerce,
        Category::Social,
        Category::DeveloperApi,
        Category::Security,
        Category::PrivateKey,
        Category::Generic,
    ];

    /// The name used in rule files and JSON (`source-control`).
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Ai => "ai",
            Category::Cloud => "cloud",
            Category::Hosting => "hosting",
            Category::SourceControl => "source-control",
            Category::CiCd => "ci-cd",
            Category::PackageRegistry => "package-registry",
            Category::SecretsManagement => "secrets-management",
            Category::Identity => "identity",
            Category::Payments => "payments",
            Category::Messaging => "messaging",
            Category::Observability => "observability",
            Category::Database => "database",
            Category::Crm => "crm",
            Category::Productivity => "productivity",
            Category::Ecommerce => "ecommerce",
            Category::Social => "social",
            Category::DeveloperApi => "developer-api",
            Category::Security => "security",
            Category::PrivateKey => "private-key",
            Category::Generic => "generic",
        }
    }
}

fn default_near_distance() -> usize {
    256
}

fn yes() -> bool {
    true
}

/// One `[[rule]]` table of a rule file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable identifier, e.g. `openai-project-key`.
    pub id: String,
    /// What a human calls this credential.
    pub name: String,
    /// The service that issues it (`Anthropic`); defaults to the file's
    /// top-level `provider`.
    #[serde(default)]
    pub provider: Option<String>,
    /// What kind of service that is; defaults to the file's top-level
    /// `category`.
    #[serde(default)]
    pub category: Option<Category>,
    /// The pattern; the secret is the capture group named `secret` when the
    /// pattern is wider than the key, else the whole match. Empty for a
    /// rule found by a built-in [`Detector`].
    #[serde(default)]
    pub regex: String,
    /// Literals every match contains (case-sensitive). Only text near one of
    /// them is given to the regex. Empty for a rule found by a [`Detector`].
    #[serde(default)]
    pub keywords: Vec<String>,
    /// The built-in detector that finds this rule's secrets instead of a
    /// regex; such a rule has no `regex`, `keywords`, `allow`, `near`,
    /// `entropy`, `checksum` or `verify`.
    #[serde(default)]
    pub detector: Option<Detector>,
    /// Minimum Shannon entropy of the secret, in bits per character.
    #[serde(default)]
    pub entropy: Option<f64>,
    /// Regexes of placeholder values: a secret matching any is not reported.
    #[serde(default)]
    pub allow: Vec<String>,
    /// A checksum the secret must satisfy.
    #[serde(default)]
    pub checksum: Option<Checksum>,
    /// A regex that must match within `near_distance` bytes of the secret,
    /// for formats only distinctive next to a provider's name.
    #[serde(default)]
    pub near: Option<String>,
    #[serde(default = "default_near_distance")]
    pub near_distance: usize,
    /// Reject values with long repeated or sequential runs
    /// (`aaaaaa`, `abcdef`, `123456`). Off for formats that legitimately
    /// contain such runs (PEM bodies).
    #[serde(default = "yes")]
    pub fake_filter: bool,
    #[serde(default)]
    pub severity: Severity,
    /// How sure a match of this rule is to be a real secret; `None`: derived
    /// from the rule's shape (see the confidence section of the README).
    #[serde(default)]
    pub confidence: Option<Confidence>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub references: Vec<String>,
    #[serde(default)]
    pub remediation: Option<String>,
    /// Texts that must produce a finding of this rule (templates allowed).
    #[serde(default)]
    pub examples: Vec<String>,
    /// Texts that must not.
    #[serde(default)]
    pub negative_examples: Vec<String>,
    /// How to check, with `--verify`, whether a found secret is live. Only
    /// the shipped rules' checks are ever run (see [`Rule::shipped`]).
    #[serde(default)]
    pub verify: Option<VerifySpec>,
    /// The file the rule came from (set by the loader).
    #[serde(skip)]
    pub source: String,
    /// The rule is one of the rules embedded in the binary. Set by
    /// [`RuleSet::embedded`] only: a rule from any other file can never
    /// make keyhound send a request.
    #[serde(skip)]
    pub shipped: bool,
    /// The fewest bytes a match of `regex` spans (set by the loader; 0 when
    /// unknown). Decoded text shorter than every rule's is not scanned.
    #[serde(skip)]
    pub min_len: usize,
    /// Per keyword (in `keywords` order): whether every match of `regex`
    /// starts with it right after an ASCII `\b` (set by the loader,
    /// [`regex_parse::word_start_keywords`]; empty when unknown).
    #[serde(skip)]
    pub word_start_keywords: Vec<bool>,
    /// Per keyword (in `keywords` order): what every match of `regex` holds
    /// around it, where the regex spells it at its top level (set by the
    /// loader, [`regex_parse::keyword_contexts`]; empty when unknown).
    #[serde(skip)]
    pub keyword_contexts: Vec<Option<KeywordContext>>,
    /// How many bytes of fixed literal every secret of `regex` starts with
    /// (set by the loader, [`regex_parse::secret_prefix_len`]; 0 when none
    /// or unknown). What [`Rule::derived_confidence`] rests on.
    #[serde(skip)]
    pub secret_prefix: usize,
}

/// The fewest bytes of fixed literal at the start of a secret that make its
/// format distinctive on its own (`ghp_`, `AKIA`, `xoxb-`, `sk-proj-`);
/// shorter ones (`sk-`, `hf_`) are shared by many formats and by ordinary
/// text. (A generic prefix of this length, `key-`, is set by hand.)
pub const DISTINCTIVE_PREFIX: usize = 4;

impl Rule {
    /// How sure a match of this rule is to be a real secret: the rule's
    /// `confidence` when it sets one, else [`Rule::derived_confidence`].
    pub fn confidence(&self) -> Confidence {
        self.confidence.unwrap_or_else(|| self.derived_confidence())
    }

    /// The confidence the rule's shape gives, when it sets none: `high` for
    /// a checksummed format, and for a secret that starts with at least
    /// [`DISTINCTIVE_PREFIX`] bytes of fixed literal (a provider's prefix,
    /// a PEM `-----BEGIN … PRIVATE KEY-----` line, a JWT header's opening)
    /// unless the rule needs a provider's name `near` it; `medium`
    /// otherwise (a format that needs context, a short or no prefix).
    /// Never `low`: that is only ever set by hand.
    pub fn derived_confidence(&self) -> Confidence {
        let distinctive = self.near.is_none() && self.secret_prefix >= DISTINCTIVE_PREFIX;
        if self.checksum.is_some() || distinctive {
            Confidence::High
        } else {
            Confidence::Medium
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    /// The provider of every rule in the file that names none itself.
    #[serde(default)]
    provider: Option<String>,
    /// The category of every rule in the file that names none itself.
    #[serde(default)]
    category: Option<Category>,
    #[serde(default)]
    rule: Vec<Rule>,
}

/// A validated collection of rules with unique ids.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    rules: Vec<Rule>,
}

impl RuleSet {
    /// The rules shipped in the binary.
    pub fn embedded() -> Result<RuleSet, RuleError> {
        RuleSet::from_embedded(EMBEDDED_RULE_FILES, EMBEDDED_PARSED)
    }

    /// The rule set of embedded rule files, as build.rs lays them out.
    fn from_embedded(files: &[(&str, &str, Option<&str>)], facts: &[EmbeddedFacts]) -> Result<RuleSet, RuleError> {
        let mut set = RuleSet::default();
        // build.rs parsed these rules' regexes already (see EMBEDDED_PARSED).
        let parsed: HashMap<&str, Parsed> = facts
            .iter()
            .map(|&(id, min_len, word_starts, contexts, secret_prefix)| {
                let parsed = Parsed {
                    min_len,
                    word_start_keywords: word_starts.to_vec(),
                    keyword_contexts: contexts.to_vec(),
                    secret_prefix,
                };
                (id, parsed)
            })
            .collect();
        for (name, text, json) in files {
            // build.rs turned the file into JSON, which reads into the same
            // types several times faster than TOML parses. A file it could
            // not convert, or JSON refused, is read as TOML, so any error is
            // the one the TOML gives.
            match json.and_then(|j| serde_json::from_str::<RuleFile>(j).ok()) {
                Some(doc) => set.add_rule_file(name, doc, &parsed)?,
                None => set.add_toml_parsed(name, text, &parsed)?,
            }
        }
        for r in &mut set.rules {
            r.shipped = true;
        }
        Ok(set)
    }

    /// Reads and adds one rule file from disk.
    pub fn add_file(&mut self, path: &Path) -> Result<(), RuleError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| RuleError::File { file: file.clone(), message: e.to_string() })?;
        self.add_toml(&file, &text)
    }

    /// Parses and validates the rules of one TOML document.
    pub fn add_toml(&mut self, file: &str, text: &str) -> Result<(), RuleError> {
        self.add_toml_parsed(file, text, &HashMap::new())
    }

    /// As [`RuleSet::add_toml`]; `parsed` gives, by rule id, what was read
    /// off the regexes of rules whose regexes are known to parse.
    fn add_toml_parsed(&mut self, file: &str, text: &str, parsed: &HashMap<&str, Parsed>) -> Result<(), RuleError> {
        let doc: RuleFile =
            toml::from_str(text).map_err(|e| RuleError::File { file: file.to_string(), message: e.to_string() })?;
        self.add_rule_file(file, doc, parsed)
    }

    /// Validates and adds the rules of one parsed rule file; `parsed` as
    /// for [`RuleSet::add_toml_parsed`].
    fn add_rule_file(&mut self, file: &str, doc: RuleFile, parsed: &HashMap<&str, Parsed>) -> Result<(), RuleError> {
        for mut rule in doc.rule {
            rule.source = file.to_string();
            if rule.provider.is_none() {
                rule.provider = doc.provider.clone();
            }
            rule.category = rule.category.or(doc.category);
            let known = parsed.get(rule.id.as_str()).cloned();
            self.add_checked(rule, known)?;
        }
        Ok(())
    }

    /// Validates and adds one rule.
    pub fn add(&mut self, rule: Rule) -> Result<(), RuleError> {
        self.add_checked(rule, None)
    }

    fn add_checked(&mut self, mut rule: Rule, parsed: Option<Parsed>) -> Result<(), RuleError> {
        let parsed = validate(&rule, parsed)?;
        rule.min_len = parsed.min_len;
        rule.word_start_keywords = parsed.word_start_keywords;
        rule.keyword_contexts = parsed.keyword_contexts;
        rule.secret_prefix = parsed.secret_prefix;
        if self.rules.iter().any(|r| r.id == rule.id) {
            return Err(rule_error(&rule, "duplicate rule id".into()));
        }
        self.rules.push(rule);
        Ok(())
    }

    /// Removes rules by id; returns the ids that matched no rule.
    pub fn disable(&mut self, ids: &[String]) -> Vec<String> {
        let wanted: HashSet<&str> = ids.iter().map(String::as_str).collect();
        let present: HashSet<String> = self.rules.iter().map(|r| r.id.clone()).collect();
        self.rules.retain(|r| !wanted.contains(r.id.as_str()));
        ids.iter().filter(|id| !present.contains(*id)).cloned().collect()
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}

pub(crate) fn rule_error(rule: &Rule, message: String) -> RuleError {
    RuleError::Rule { file: rule.source.clone(), rule: rule.id.clone(), message }
}

fn check_regex(rule: &Rule, what: &str, pattern: &str) -> Result<regex_syntax::hir::Hir, RuleError> {
    regex_parse::parse(pattern).map_err(|e| rule_error(rule, format!("invalid {what} regex: {e}")))
}

/// What the loader reads off a rule's regex (see [`Rule::min_len`] and
/// [`Rule::word_start_keywords`]).
#[derive(Debug, Clone)]
struct Parsed {
    min_len: usize,
    word_start_keywords: Vec<bool>,
    keyword_contexts: Vec<Option<KeywordContext>>,
    secret_prefix: usize,
}

/// Checks a rule; returns what its regex says (see [`Parsed`]). `parsed`:
/// that, where the rule's regexes (rule, allow and near) are already known
/// to parse, so they are not parsed again.
fn validate(rule: &Rule, parsed: Option<Parsed>) -> Result<Parsed, RuleError> {
    if rule.id.is_empty() || !rule.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        return Err(rule_error(rule, "id must be non-empty lowercase letters, digits and '-'".into()));
    }
    if rule.name.trim().is_empty() {
        return Err(rule_error(rule, "name is empty".into()));
    }
    if rule.detector.is_some() {
        return validate_detector_rule(rule);
    }
    if rule.regex.is_empty() {
        return Err(rule_error(rule, "a rule needs a regex (or a detector)".into()));
    }
    if rule.keywords.is_empty() || rule.keywords.iter().any(|k| k.is_empty()) {
        return Err(rule_error(rule, "a rule needs at least one non-empty keyword".into()));
    }
    let parsed = match parsed {
        Some(p) => p,
        None => {
            let hir = check_regex(rule, "rule", &rule.regex)?;
            for a in &rule.allow {
                check_regex(rule, "allow", a)?;
            }
            if let Some(near) = &rule.near {
                check_regex(rule, "near", near)?;
            }
            Parsed {
                min_len: regex_parse::min_len(&hir),
                word_start_keywords: regex_parse::word_start_keywords(&hir, &rule.keywords),
                keyword_contexts: regex_parse::keyword_contexts(&hir, &rule.keywords),
                secret_prefix: regex_parse::secret_prefix_len(&hir),
            }
        }
    };
    if parsed.min_len == 0 {
        return Err(rule_error(rule, "regex can match the empty string".into()));
    }
    if let Some(e) = rule.entropy {
        if !(0.0..=8.0).contains(&e) {
            return Err(rule_error(rule, format!("entropy {e} is outside 0..8 bits per character")));
        }
    }
    if let Some(v) = &rule.verify {
        v.validate().map_err(|m| rule_error(rule, m))?;
    }
    Ok(parsed)
}

/// The shortest secret a detector rule reports (its [`Rule::min_len`]).
pub const DETECTOR_MIN_LEN: usize = 8;

/// Checks a rule found by a [`Detector`]: it says what to report, the
/// detector how to find it, so it has none of the matching fields.
fn validate_detector_rule(rule: &Rule) -> Result<Parsed, RuleError> {
    let mut set = Vec::new();
    if !rule.regex.is_empty() {
        set.push("regex");
    }
    if !rule.keywords.is_empty() {
        set.push("keywords");
    }
    if !rule.allow.is_empty() {
        set.push("allow");
    }
    if rule.near.is_some() {
        set.push("near");
    }
    if rule.entropy.is_some() {
        set.push("entropy");
    }
    if rule.checksum.is_some() {
        set.push("checksum");
    }
    if rule.verify.is_some() {
        set.push("verify");
    }
    if !set.is_empty() {
        let message = format!("a rule with a detector cannot have {} (the detector finds its secrets)", set.join(", "));
        return Err(rule_error(rule, message));
    }
    Ok(Parsed {
        min_len: DETECTOR_MIN_LEN,
        word_start_keywords: Vec::new(),
        keyword_contexts: Vec::new(),
        secret_prefix: 0,
    })
}

/// Shannon entropy of `data` in bits per byte.
pub fn shannon_entropy(data: &[u8]) -> f64 {
    if data.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in data {
        counts[b as usize] += 1;
    }
    let n = data.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Words that mark a value as a stand-in rather than a key. Only long words:
/// a random key contains a given 7-letter word with negligible probability.
const PLACEHOLDER_WORDS: &[&[u8]] =
    &[b"example", b"placeholder", b"replace", b"redacted", b"changeme", b"your_key", b"yourkey", b"your-key"];

/// Obvious fakes of a valid shape: a run of 6+ identical characters, a run of
/// 6+ consecutive ascending or descending characters (`abcdef`, `123456`,
/// `fedcba`), or a placeholder word. Real random keys of the lengths we
/// detect contain such runs with probability below one in a million.
pub fn looks_fake(secret: &[u8]) -> bool {
    const RUN: usize = 6;
    let mut same = 1;
    let mut up = 1;
    let mut down = 1;
    for w in secret.windows(2) {
        let (a, b) = (w[0], w[1]);
        same = if a == b { same + 1 } else { 1 };
        let alnum = a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric();
        up = if alnum && b == a.wrapping_add(1) { up + 1 } else { 1 };
        down = if alnum && a == b.wrapping_add(1) { down + 1 } else { 1 };
        if same >= RUN || up >= RUN || down >= RUN {
            return true;
        }
    }
    PLACEHOLDER_WORDS.iter().any(|w| contains_ignore_ascii_case(secret, w))
}

fn contains_ignore_ascii_case(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_time_facts_cover_every_shipped_rule_and_match_run_time() {
        // Startup trusts EMBEDDED_PARSED instead of parsing the shipped
        // regexes: it must hold every shipped rule, with what a run-time
        // parse gives.
        let set = RuleSet::embedded().unwrap();
        let with_regex = set.rules().iter().filter(|r| r.detector.is_none());
        assert_eq!(EMBEDDED_PARSED.len(), with_regex.clone().count());
        let mut word_starts = 0;
        for rule in with_regex {
            let hir = regex_parse::parse(&rule.regex).unwrap();
            assert_eq!(rule.min_len, regex_parse::min_len(&hir), "{}", rule.id);
            assert!(rule.min_len > 0 && rule.min_len < usize::MAX, "{}", rule.id);
            let at_run_time = regex_parse::word_start_keywords(&hir, &rule.keywords);
            assert_eq!(rule.word_start_keywords, at_run_time, "{}", rule.id);
            assert_eq!(rule.keyword_contexts, regex_parse::keyword_contexts(&hir, &rule.keywords), "{}", rule.id);
            assert_eq!(rule.secret_prefix, regex_parse::secret_prefix_len(&hir), "{}", rule.id);
            word_starts += at_run_time.iter().filter(|&&w| w).count();
        }
        assert!(word_starts > 10, "the shipped rules have word-start keywords ({word_starts})");
    }

    #[test]
    fn a_rule_not_parsed_at_build_time_is_checked_at_load() {
        // Only ids listed as parsed skip the regex check.
        let bad = "[[rule]]\nid = \"x-bad\"\nname = \"X\"\nregex = \"(unclosed\"\nkeywords = [\"x\"]\n";
        let known =
            Parsed { min_len: 3, word_start_keywords: vec![false], keyword_contexts: vec![None], secret_prefix: 0 };
        let parsed: HashMap<&str, Parsed> = [("other-id", known)].into_iter().collect();
        let err = RuleSet::default().add_toml_parsed("f.toml", bad, &parsed).unwrap_err();
        assert!(err.to_string().contains("invalid rule regex"), "{err}");
    }

    #[test]
    fn a_rule_loaded_from_a_file_knows_its_word_start_keywords() {
        let toml = "[[rule]]\nid = \"x-w\"\nname = \"X\"\nregex = '(?-u:\\b)(?:ab_|cd-)[a-z]{8}'\nkeywords = [\"ab_\", \"cd-\", \"b_\"]\n";
        let mut set = RuleSet::default();
        set.add_toml("f.toml", toml).unwrap();
        assert_eq!(set.get("x-w").unwrap().word_start_keywords, vec![true, true, false], "`b_` is inside `ab_`");
        let toml = "[[rule]]\nid = \"x-n\"\nname = \"X\"\nregex = '(?:ab_|cd-)[a-z]{8}'\nkeywords = [\"ab_\"]\n";
        let mut set = RuleSet::default();
        set.add_toml("f.toml", toml).unwrap();
        assert_eq!(set.get("x-n").unwrap().word_start_keywords, vec![false], "no \\b before the keyword");
    }

    #[test]
    fn keyword_contexts_are_read_off_the_regex_top_level() {
        let ctx = |regex: &str, kw: &str| {
            let hir = regex_parse::parse(regex).unwrap();
            regex_parse::keyword_contexts(&hir, &[kw.to_string()])[0]
        };
        let class = |bytes: &[u8]| {
            let mut c = [0u128; 2];
            for &b in bytes {
                c[usize::from(b >> 7)] |= 1 << (b & 0x7F);
            }
            c
        };
        let digits = class(b"0123456789");
        let alnum = class(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
        let after = |c: &KeywordContext| c.after_sets().collect::<Vec<_>>();
        // Case folding; a run of a fixed count is that many bytes, and
        // what follows it is known too.
        let c = ctx("(?i:paypal)_[A-Za-z0-9]{8}x", "PAYPAL").unwrap();
        assert!(c.fold_case);
        assert_eq!((c.before, after(&c).len()), (None, 10));
        assert_eq!(after(&c)[0], class(b"_"));
        assert_eq!(after(&c)[1..9], [alnum; 8]);
        assert_eq!(after(&c)[9], class(b"x"));
        // The byte before; after a run of varying length, only its first
        // bytes are known.
        let c = ctx("[a-z]{3}[0-9]Q~[A-Za-z0-9]{31,34}x", "Q~").unwrap();
        assert!(!c.fold_case);
        assert_eq!(c.before, Some(digits));
        assert_eq!(after(&c), vec![alnum; 31]);
        let c = ctx("-us[0-9]{1,2}x", "-us").unwrap();
        assert_eq!(after(&c)[0], digits, "the run may be one byte or two");
        assert_eq!(after(&c)[1], class(b"0123456789x"));
        // At most AFTER_MAX bytes after, in at most AFTER_RUNS runs.
        assert_eq!(ctx("key[a-f]{40}", "key").unwrap().after_sets().count(), regex_parse::AFTER_MAX);
        let c = ctx("key_a_b_c_d", "key").unwrap();
        assert_eq!(after(&c), vec![class(b"_"), class(b"a"), class(b"_"), class(b"b")]);
        // `\b` before a keyword that starts with a word byte.
        let c = ctx("(?-u:\\b)sk-[a-f0-9]{32}", "sk-").unwrap();
        assert_eq!(c.before.map(|b| b[0] & alnum[0]), Some(0), "no word byte before");
        // The start of the input or a byte of a set: that set (a byte
        // outside the input always fits).
        let c = ctx("(?:^|[^A-Za-z0-9])cio[A-Za-z0-9]{32}", "cio").unwrap();
        assert_eq!(c.before.map(|b| b[0] & alnum[0]), Some(0));
        assert_eq!(after(&c), vec![alnum; 32]);
        // Alternations: each branch that spells the keyword adds what it
        // holds there.
        let rule = |regex: &str, kws: &[&str]| {
            let hir = regex_parse::parse(regex).unwrap();
            regex_parse::keyword_contexts(&hir, &kws.iter().map(|k| k.to_string()).collect::<Vec<_>>())
        };
        let both = rule("(?-u:\\b)(?:live|test)_[A-Za-z0-9]{30}", &["live_", "test_"]);
        assert!(both.iter().all(|c| c.is_some_and(|c| after(&c) == vec![alnum; 30])), "{both:?}");
        let both = rule("(?i:alpaca|apca)_key=[a-z]{4}", &["ALPACA", "APCA"]);
        assert!(
            both.iter().all(|c| c.is_some_and(|c| c.fold_case)),
            "a factored alternation still spells each: {both:?}"
        );
        let c = ctx("_auth(?:Token)?=x", "_auth").unwrap();
        assert_eq!(after(&c), vec![class(b"=T"), class(b"xo")], "as long as both branches have bytes");
        // A branch that spells no keyword: its matches hold the keywords
        // anywhere, so nothing is known of any.
        assert_eq!(rule("(?:paypal|pp)_secret=[a-z]{8}", &["paypal"]), vec![None]);
        assert_eq!(rule("(?-u:\\b)(?:live|test)_[A-Za-z0-9]{30}", &["test_"]), vec![None]);
        assert_eq!(ctx("(?:ab){2,}cd", "ab"), None);
        // A letter in one case only does not fold.
        assert!(!ctx("PAYPAL_[a-z]{4}", "PAYPAL").unwrap().fold_case);
    }

    #[test]
    fn the_embedded_json_gives_the_rules_the_toml_gives() {
        // Startup reads the JSON form build.rs made of each shipped file: it
        // must exist for every file and give exactly the TOML's rules.
        let mut from_toml = RuleSet::default();
        for (name, text, json) in EMBEDDED_RULE_FILES {
            let json = json.unwrap_or_else(|| panic!("build.rs gave {name} no JSON form"));
            let doc: RuleFile = serde_json::from_str(json).unwrap_or_else(|e| panic!("{name}: {e}"));
            let mut one = RuleSet::default();
            one.add_rule_file(name, doc, &HashMap::new()).unwrap();
            let mut toml = RuleSet::default();
            toml.add_toml(name, text).unwrap();
            assert_eq!(one.len(), toml.len(), "{name}");
            for (j, t) in one.rules().iter().zip(toml.rules()) {
                assert_eq!(j, t, "{name}: rule {}", t.id);
            }
            from_toml.add_toml(name, text).unwrap();
        }
        for r in &mut from_toml.rules {
            r.shipped = true;
        }
        assert_eq!(RuleSet::embedded().unwrap().rules(), from_toml.rules());
    }

    #[test]
    fn an_embedded_file_without_usable_json_is_read_as_toml() {
        // A file build.rs could not convert (invalid TOML, say) has no JSON
        // form, and JSON the types refuse is ignored: either way the TOML is
        // read, and its error is the one any rule file would give.
        let ok = "[[rule]]\nid = \"x-ok\"\nname = \"X\"\nregex = \"abc\"\nkeywords = [\"abc\"]\n";
        let bad_toml = "[[rule]]\nid = \"x-bad\"\nname = \n";
        let unknown = "[[rule]]\nid = \"x-u\"\nname = \"X\"\nregex = \"abc\"\nkeywords = [\"abc\"]\nbogus = 1\n";
        let unknown_json = r#"{"rule":[{"id":"x-u","name":"X","regex":"abc","keywords":["abc"],"bogus":1}]}"#;
        let set = RuleSet::from_embedded(&[("ok.toml", ok, None)], &[]).unwrap();
        assert_eq!(set.get("x-ok").map(|r| r.min_len), Some(3));
        for (file, text, json) in [("bad.toml", bad_toml, None), ("u.toml", unknown, Some(unknown_json))] {
            let err = RuleSet::from_embedded(&[(file, text, json)], &[]).unwrap_err().to_string();
            let want = RuleSet::default().add_toml(file, text).unwrap_err().to_string();
            assert_eq!(err, want);
            assert!(err.contains(file) && err.contains("line"), "{err}");
        }
    }

    #[test]
    fn every_shipped_rule_meets_the_rule_standard() {
        // The README promises these of every shipped rule: a provider and
        // category to list it under, the provider's documentation, where to
        // revoke, and examples both ways.
        let set = RuleSet::embedded().unwrap();
        let mut missing = Vec::new();
        for r in set.rules() {
            let mut gaps = Vec::new();
            if r.provider.as_deref().is_none_or(str::is_empty) {
                gaps.push("provider");
            }
            if r.category.is_none() {
                gaps.push("category");
            }
            if r.references.is_empty() {
                gaps.push("references");
            }
            if r.remediation.as_deref().is_none_or(str::is_empty) {
                gaps.push("remediation");
            }
            if r.examples.len() < 2 {
                gaps.push("2 examples");
            }
            if r.negative_examples.len() < 2 {
                gaps.push("2 negative examples");
            }
            if !gaps.is_empty() {
                missing.push(format!("{} ({}): {}", r.id, r.source, gaps.join(", ")));
            }
        }
        assert!(missing.is_empty(), "rules below the standard:\n{}", missing.join("\n"));
    }

    #[test]
    fn provider_and_category_default_to_the_files() {
        let text = "provider = \"Acme\"\ncategory = \"ci-cd\"\n\
            [[rule]]\nid = \"acme-a\"\nname = \"A\"\nregex = \"acme_[a-z]{8}\"\nkeywords = [\"acme_\"]\n\
            [[rule]]\nid = \"acme-b\"\nname = \"B\"\nprovider = \"Acme Cloud\"\ncategory = \"cloud\"\n\
            regex = \"acmb_[a-z]{8}\"\nkeywords = [\"acmb_\"]\n";
        let mut set = RuleSet::default();
        set.add_toml("acme.toml", text).unwrap();
        let a = set.get("acme-a").unwrap();
        assert_eq!((a.provider.as_deref(), a.category), (Some("Acme"), Some(Category::CiCd)));
        let b = set.get("acme-b").unwrap();
        assert_eq!((b.provider.as_deref(), b.category), (Some("Acme Cloud"), Some(Category::Cloud)));
        let err = RuleSet::default().add_toml("x.toml", "category = \"nope\"\n").unwrap_err().to_string();
        assert!(err.contains("x.toml") && err.contains("unknown variant"), "{err}");
        for c in Category::ALL {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
        }
    }

    /// A rule of `regex` (and `near`, `checksum`), loaded as a rule file is.
    fn rule_of(regex: &str, extra: &str) -> Rule {
        let text = format!("[[rule]]\nid = \"x-r\"\nname = \"X\"\nregex = '''{regex}'''\nkeywords = [\"x\"]\n{extra}");
        let mut set = RuleSet::default();
        set.add_toml("x.toml", &text).unwrap();
        set.get("x-r").unwrap().clone()
    }

    #[test]
    fn confidence_is_derived_from_the_secret_prefix_near_and_checksum() {
        let derived = |regex: &str, extra: &str| {
            let r = rule_of(regex, extra);
            assert_eq!(r.confidence, None);
            (r.secret_prefix, r.confidence())
        };
        use Confidence::{High, Medium};
        // A distinctive prefix the secret carries.
        assert_eq!(derived("x(?-u:\\b)(?P<secret>sk-proj-[A-Za-z0-9]{40})", ""), (8, High));
        assert_eq!(derived("x(?:ghp|gho)_[A-Za-z0-9]{36}", ""), (5, High));
        assert_eq!(derived("x(?:AKIA|ASIA)[A-Z2-7]{16}", "").1, High);
        assert_eq!(derived("xox[bp]-[0-9]{10}", ""), (5, High), "a small class is a choice of literals");
        assert_eq!(derived("(?-u:\\b)x(?i:abc)_[a-z]{9}", ""), (5, High), "letters in either case");
        let pem = "-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[A-Za-z0-9+/=\\s]{64,}-----END";
        assert_eq!(derived(&format!("x{pem}"), "").1, High);
        assert_eq!(derived("x(?P<secret>eyJhbGciOi[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{29,})", "").1, High);
        // Short, no or generic-class prefixes: medium.
        assert_eq!(derived("(?P<secret>x-[A-Za-z0-9]{48})", ""), (2, Medium));
        assert_eq!(derived("x[0-9]{4}_[a-z]{20}", ""), (1, Medium), "a digit is not a fixed byte");
        assert_eq!(derived("xa[0-9a-f]{32}", ""), (2, Medium));
        // Context before the secret does not count: only what the value carries.
        assert_eq!(derived("xapi_key\\s*=\\s*(?P<secret>[0-9a-f]{32})", ""), (0, Medium));
        // Alternatives: the shortest branch decides.
        assert_eq!(derived("(?P<secret>xabcdef_[a-z]{8}|x_[a-z]{12})", ""), (2, Medium));
        // A checksum is high whatever the prefix; `near` is medium whatever it.
        assert_eq!(derived("x_[A-Za-z0-9]{36}", "checksum = \"base62-crc32\"\n").1, High);
        assert_eq!(derived("xlive_[A-Za-z0-9]{30}", "near = '''acme'''\n"), (6, Medium));
        // Set in the rule: that, whatever the shape.
        let low = rule_of("xabcdef_[a-z]{8}", "confidence = \"low\"\n");
        assert_eq!(
            (low.confidence, low.derived_confidence(), low.confidence()),
            (Some(Confidence::Low), High, Confidence::Low)
        );
    }

    #[test]
    fn a_bad_confidence_names_the_file_rule_and_levels() {
        let text =
            "[[rule]]\nid = \"x-c\"\nname = \"X\"\nregex = 'abc'\nkeywords = ['abc']\nconfidence = \"certain\"\n";
        let err = RuleSet::default().add_toml("mine.toml", text).unwrap_err().to_string();
        assert!(err.contains("mine.toml") && err.contains("certain") && err.contains("`low`, `medium`"), "{err}");
        assert!(err.contains("line 6"), "{err}");
        for c in Confidence::ALL {
            assert_eq!(c.as_str().parse::<Confidence>(), Ok(c));
            assert_eq!(serde_json::to_value(c).unwrap(), serde_json::json!(c.to_string()));
        }
        assert!("High".parse::<Confidence>().unwrap_err().contains("low, medium or high"));
        assert!(Confidence::Low < Confidence::Medium && Confidence::Medium < Confidence::High);
    }

    #[test]
    fn shipped_rules_set_a_confidence_only_where_derivation_is_wrong() {
        // An explicit confidence equal to the derived one says nothing, and
        // would hide a later change of the rule's shape; every shipped rule
        // ends up with one, never `low` unless set.
        let set = RuleSet::embedded().unwrap();
        let mut redundant = Vec::new();
        let mut levels = HashMap::new();
        for r in set.rules() {
            if r.confidence == Some(r.derived_confidence()) {
                redundant.push(r.id.as_str());
            }
            assert!(r.confidence.is_some() || r.confidence() != Confidence::Low, "{}", r.id);
            *levels.entry(r.confidence()).or_insert(0) += 1;
        }
        assert!(redundant.is_empty(), "explicit confidence equal to the derived one: {redundant:?}");
        for (id, want) in [
            ("openai-project-key", Confidence::High),
            ("github-personal-access-token", Confidence::High),
            ("aws-access-key-id", Confidence::High),
            ("private-key-rsa", Confidence::High),
            ("jwt", Confidence::High),
            ("openai-legacy-key", Confidence::High),
            ("datadog-api-key", Confidence::Medium),
            ("deepseek-api-key", Confidence::Medium),
            ("mailgun-legacy-api-key", Confidence::Medium),
            ("postgres-connection-uri", Confidence::Medium),
        ] {
            assert_eq!(set.get(id).map(Rule::confidence), Some(want), "{id}");
        }
        assert!(levels[&Confidence::High] > 150 && levels[&Confidence::Medium] > 150, "{levels:?}");
    }

    #[test]
    fn embedded_rules_load() {
        let set = RuleSet::embedded().expect("shipped rules are valid");
        assert!(set.len() > 10);
        assert!(set.get("openai-project-key").is_some());
    }

    #[test]
    fn rejects_bad_rules_naming_file_and_id() {
        let mut set = RuleSet::default();
        let bad_regex = "[[rule]]\nid = \"x-bad\"\nname = \"X\"\nregex = \"(unclosed\"\nkeywords = [\"x\"]\n";
        let err = set.add_toml("my.toml", bad_regex).unwrap_err().to_string();
        assert!(err.contains("my.toml") && err.contains("x-bad") && err.contains("regex"), "{err}");

        let no_kw = "[[rule]]\nid = \"x-nokw\"\nname = \"X\"\nregex = \"abc\"\nkeywords = []\n";
        let err = set.add_toml("my.toml", no_kw).unwrap_err().to_string();
        assert!(err.contains("x-nokw") && err.contains("keyword"), "{err}");

        let ok = "[[rule]]\nid = \"x-ok\"\nname = \"X\"\nregex = \"abc\"\nkeywords = [\"abc\"]\n";
        set.add_toml("a.toml", ok).unwrap();
        let err = set.add_toml("b.toml", ok).unwrap_err().to_string();
        assert!(err.contains("b.toml") && err.contains("duplicate"), "{err}");

        let unknown = "[[rule]]\nid = \"x-u\"\nname = \"X\"\nregex = \"abc\"\nkeywords = [\"abc\"]\nbogus = 1\n";
        let err = set.add_toml("c.toml", unknown).unwrap_err().to_string();
        assert!(err.contains("c.toml") && err.contains("bogus"), "{err}");
    }

    #[test]
    fn fake_detection() {
        assert!(looks_fake(b"sk-abcdefghij1234567890"));
        assert!(looks_fake(b"AAAAAAAAAAAAAAAAAAAAAAAA"));
        assert!(looks_fake(b"xxxxxxxxxxxxxxxxx"));
        assert!(looks_fake(b"sk-proj-Example1Key2"));
        assert!(!looks_fake(b"q8Zr2LmWx0PkT7vB3nYc"));
    }

    #[test]
    fn entropy_bounds() {
        assert_eq!(shannon_entropy(b"aaaa"), 0.0);
        assert!((shannon_entropy(b"abcd") - 2.0).abs() < 1e-9);
    }
}
