//! The repository config file, `.keyhound.toml`: extra rules, disabled
//! rules, path / value / stopword allowlists, `min-confidence`,
//! `max-file-size` and `archive-depth`.
//!
//! It reads and validates the file; what an allowlist means for a finding is
//! `suppress::Allowlist`'s to decide, and the rules it adds are compiled by
//! the engine like any other.
//!
//! Everything is validated when the file is loaded, before any work starts;
//! errors name the file, the line and the key. A config can only add rules
//! and suppress findings: keys that would turn on verification, change where
//! verification requests go or print secrets unredacted are rejected, so
//! scanning someone else's repository is never less safe than without it.

use std::ops::Range;
use std::path::Path;

use ignore::gitignore::GitignoreBuilder;
use regex_automata::meta::Regex;
use serde::Deserialize;
use toml::Spanned;

use crate::rules::{Confidence, Rule, RuleError, RuleSet};
use crate::suppress::Allowlist;
use crate::util::units::{parse_size, SIZE_FORMS};

/// The config file's name at the root of a scanned tree or repository.
pub const CONFIG_FILE: &str = ".keyhound.toml";

/// The deepest `archive-depth` (and `--archive-depth`) accepted.
pub const MAX_ARCHIVE_DEPTH: usize = 16;

/// An error in a config file. Always names the file, and the line and key
/// when one is to blame.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {file}: {source}")]
    Read { file: String, source: std::io::Error },
    #[error("{file}:{line}: {key}: {message}")]
    Key { file: String, line: usize, key: String, message: String },
    #[error("{file}:{line}: {message}")]
    Syntax { file: String, line: usize, message: String },
}

/// Top-level keys that would make a repository's config weaken safety.
/// They are never accepted, whatever their value.
fn forbidden(key: &str) -> Option<&'static str> {
    let k = key.to_ascii_lowercase().replace('_', "-");
    if k.contains("verif") {
        Some("a repository config cannot turn on verification or change where verification requests go; use command-line flags")
    } else if k.contains("redact") || k.contains("show-secret") || k == "secrets" {
        Some("a repository config cannot print secrets unredacted; use --show-secrets on the command line")
    } else {
        None
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum SizeValue {
    Bytes(u64),
    Text(String),
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRules {
    #[serde(default)]
    disable: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawAllow {
    #[serde(default)]
    paths: Vec<Spanned<String>>,
    #[serde(default)]
    values: Vec<Spanned<String>>,
    #[serde(default)]
    stopwords: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    #[serde(default)]
    max_file_size: Option<Spanned<SizeValue>>,
    #[serde(default)]
    archive_depth: Option<Spanned<i64>>,
    #[serde(default)]
    min_confidence: Option<Spanned<String>>,
    #[serde(default)]
    rules: RawRules,
    #[serde(default)]
    allow: RawAllow,
    #[serde(default)]
    rule: Vec<Spanned<Rule>>,
}

/// A loaded config: what it changes besides the rule set.
#[derive(Debug, Clone, Default)]
pub struct RepoConfig {
    /// `max-file-size` in bytes, when set.
    pub max_file_size: Option<u64>,
    /// `archive-depth`, when set.
    pub archive_depth: Option<usize>,
    /// `min-confidence`, when set: findings below it are suppressed.
    pub min_confidence: Option<Confidence>,
    pub allow: Allowlist,
}

impl RepoConfig {
    /// Reads the config at `path`; see [`RepoConfig::parse`].
    pub fn load(path: &Path, root: &Path, rules: &mut RuleSet) -> Result<RepoConfig, ConfigError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { file: file.clone(), source })?;
        RepoConfig::parse(&file, &text, root, rules)
    }

    /// Parses and validates a config document named `file`: its extra rules
    /// are added to `rules` and its disabled rules removed; path globs are
    /// relative to `root`.
    pub fn parse(file: &str, text: &str, root: &Path, rules: &mut RuleSet) -> Result<RepoConfig, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
        let key_err = |span: Range<usize>, key: &str, message: String| ConfigError::Key {
            file: file.to_string(),
            line: line_of(text, span.start),
            key: key.to_string(),
            message,
        };
        let mut config = RepoConfig::default();

        if let Some(size) = &raw.max_file_size {
            let bytes = match size.get_ref() {
                SizeValue::Bytes(n) => Ok(*n),
                SizeValue::Text(s) => parse_size(s).map_err(|e| format!("invalid size {s:?}: {e:#}")),
            };
            config.max_file_size = Some(bytes.map_err(|m| key_err(size.span(), "max-file-size", m))?);
        }

        if let Some(depth) = &raw.archive_depth {
            let n = *depth.get_ref();
            match usize::try_from(n) {
                Ok(n) if n <= MAX_ARCHIVE_DEPTH => config.archive_depth = Some(n),
                _ => {
                    let m = format!("{n} is not a depth from 0 to {}", MAX_ARCHIVE_DEPTH);
                    return Err(key_err(depth.span(), "archive-depth", m));
                }
            }
        }

        if let Some(level) = &raw.min_confidence {
            let parsed = level.get_ref().parse::<Confidence>();
            config.min_confidence = Some(parsed.map_err(|m| key_err(level.span(), "min-confidence", m))?);
        }

        for spanned in raw.rule {
            let span = spanned.span();
            let mut rule = spanned.into_inner();
            if rule.verify.is_some() {
                // A live check sends the secret somewhere: only keyhound's
                // built-in rules may declare one.
                let at = text[span.start.min(text.len())..]
                    .find("[rule.verify]")
                    .or_else(|| text[span.start.min(text.len())..].find("verify"))
                    .map_or(span.start, |i| span.start + i);
                let m = format!(
                    "a repository config cannot add a live check (rule `{}`): only keyhound's built-in rules are verified",
                    rule.id
                );
                return Err(key_err(at..at, "rule.verify", m));
            }
            rule.source = file.to_string();
            rules.add(rule).map_err(|e| rule_error(file, text, span, e))?;
        }
        for id in &raw.rules.disable {
            if !rules.disable(std::slice::from_ref(id.get_ref())).is_empty() {
                let m = format!("no rule has id {:?} (see `keyhound rules list`)", id.get_ref());
                return Err(key_err(id.span(), "rules.disable", m));
            }
        }

        let (mut allow_paths, mut allow_values, mut stopwords) = (None, Vec::new(), Vec::new());
        if !raw.allow.paths.is_empty() {
            let mut builder = GitignoreBuilder::new(root);
            for glob in &raw.allow.paths {
                let g = glob.get_ref();
                if g.trim().is_empty() || g.trim_start().starts_with('#') {
                    return Err(key_err(glob.span(), "allow.paths", format!("{g:?} is not a glob")));
                }
                builder
                    .add_line(None, g)
                    .map_err(|e| key_err(glob.span(), "allow.paths", format!("invalid glob {g:?}: {e}")))?;
            }
            let built = builder
                .build()
                .map_err(|e| key_err(raw.allow.paths[0].span(), "allow.paths", format!("invalid globs: {e}")))?;
            allow_paths = Some(built);
        }
        for value in &raw.allow.values {
            let v = value.get_ref();
            let re = Regex::new(v).map_err(|e| {
                let why = e.syntax_error().map_or_else(|| e.to_string(), |s| s.to_string());
                key_err(value.span(), "allow.values", format!("invalid regex {v:?}: {why}"))
            })?;
            if re.is_match("") {
                let m = format!("regex {v:?} matches the empty string, so it would allow every secret");
                return Err(key_err(value.span(), "allow.values", m));
            }
            allow_values.push(re);
        }
        for word in &raw.allow.stopwords {
            let w = word.get_ref();
            if w.trim().is_empty() {
                return Err(key_err(word.span(), "allow.stopwords", "a stopword cannot be empty".into()));
            }
            stopwords.push(w.to_lowercase());
        }
        config.allow = Allowlist::new(allow_paths, allow_values, stopwords);
        Ok(config)
    }
}

/// 1-based line of byte offset `at`.
fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes()[..at.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

/// A TOML error as a config error: unknown keys (and forbidden ones) name
/// the key; everything else gives the line and TOML's message.
fn toml_error(file: &str, text: &str, e: &toml::de::Error) -> ConfigError {
    let Some(span) = e.span() else {
        return ConfigError::Syntax { file: file.to_string(), line: 1, message: e.message().to_string() };
    };
    // An error at the very end (an unclosed array or string) is on the last
    // line there is, not the empty one after it.
    let line = line_of(text, span.start).min(text.lines().count().max(1));
    let mut message = e.message().trim().lines().map(str::trim).collect::<Vec<_>>().join(": ");
    if message.contains("untagged enum SizeValue") {
        message = format!("expected {SIZE_FORMS}");
    }
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let key = rest.split('`').next().unwrap_or_default().to_string();
        let message = match forbidden(&key) {
            Some(why) => why.to_string(),
            None => format!("unknown key{}", rest.split_once('`').map_or("", |(_, tail)| tail).replace("field", "key")),
        };
        return ConfigError::Key { file: file.to_string(), line, key, message };
    }
    match key_on_line(text, line) {
        Some(key) => ConfigError::Key { file: file.to_string(), line, key, message },
        None => ConfigError::Syntax { file: file.to_string(), line, message },
    }
}

/// The key assigned on `line` (`key = value`), if the line is one.
fn key_on_line(text: &str, line: usize) -> Option<String> {
    let l = text.lines().nth(line - 1)?;
    let (k, _) = l.split_once('=')?;
    let k = k.trim().trim_matches(['"', '\'']);
    (!k.is_empty() && !k.starts_with('[') && !k.contains(' ')).then(|| k.to_string())
}

/// A rule's validation error, at the line of the key to blame within the
/// rule's table.
fn rule_error(file: &str, text: &str, span: Range<usize>, e: RuleError) -> ConfigError {
    let (rule, message) = match e {
        RuleError::Rule { rule, message, .. } => (rule, message),
        RuleError::File { message, .. } => (String::new(), message),
    };
    let key = if message.contains("duplicate rule id") || message.starts_with("id ") {
        "id"
    } else if message.starts_with("name ") {
        "name"
    } else if message.contains("keyword") {
        "keywords"
    } else if message.starts_with("invalid allow regex") {
        "allow"
    } else if message.starts_with("invalid near regex") {
        "near"
    } else if message.contains("entropy") {
        "entropy"
    } else {
        "regex"
    };
    let start = span.start.min(text.len());
    let end = span.end.clamp(start, text.len());
    let body = &text[start..end];
    let mut offset = start;
    let mut at = start;
    for l in body.split_inclusive('\n') {
        let t = l.trim_start();
        if t.strip_prefix(key).is_some_and(|r| r.trim_start().starts_with('=')) {
            at = offset;
            break;
        }
        offset += l.len();
    }
    ConfigError::Key {
        file: file.to_string(),
        line: line_of(text, at),
        key: format!("rule.{key}"),
        message: if rule.is_empty() { message } else { format!("rule `{rule}`: {message}") },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SuppressReason;

    fn parse(text: &str) -> Result<(RepoConfig, RuleSet), String> {
        let mut rules = RuleSet::embedded().unwrap();
        RepoConfig::parse(".keyhound.toml", text, Path::new("/repo"), &mut rules)
            .map(|c| (c, rules))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn every_key_is_read() {
        let text = r#"
max-file-size = "10M"
min-confidence = "high"
[rules]
disable = ["aws-access-key-id"]
[allow]
paths = ["tests/fixtures/**", "*.snap"]
values = ['''^sk-test-''']
stopwords = ["Dummy"]
[[rule]]
id = "acme-token"
name = "Acme token"
regex = '''acme_[a-z0-9]{20}'''
keywords = ["acme_"]
"#;
        let (c, rules) = parse(text).unwrap();
        assert_eq!(c.max_file_size, Some(10 << 20));
        assert_eq!(c.min_confidence, Some(Confidence::High));
        assert_eq!(parse("").unwrap().0.min_confidence, None);
        assert!(rules.get("aws-access-key-id").is_none());
        assert_eq!(rules.get("acme-token").unwrap().source, ".keyhound.toml");
        assert!(c.allow.path_allowed("tests/fixtures/a/b.env"));
        assert!(c.allow.path_allowed("deep/x.snap"));
        assert!(!c.allow.path_allowed("src/tests/fixtures.env"));
        assert_eq!(c.allow.value_reason("sk-test-abc"), Some(SuppressReason::ConfigValue));
        assert_eq!(c.allow.value_reason("sk-live-DUMMYabc"), Some(SuppressReason::Stopword));
        assert_eq!(c.allow.value_reason("sk-live-abc"), None);
        assert_eq!(parse("max-file-size = 4096").unwrap().0.max_file_size, Some(4096));
    }

    #[test]
    fn path_globs_follow_gitignore_rules() {
        let text = "[allow]\npaths = [\"tests/fixtures/**\", \"!tests/fixtures/real.env\", \"/build/\", \"docs/\"]\n";
        let (c, _) = parse(text).unwrap();
        assert!(c.allow.path_allowed("tests/fixtures/fake.env"));
        assert!(!c.allow.path_allowed("tests/fixtures/real.env"), "negated");
        assert!(c.allow.path_allowed("build/a.js") && !c.allow.path_allowed("src/build/a.js"), "anchored");
        assert!(c.allow.path_allowed("docs/x.md") && c.allow.path_allowed("a/docs/x.md"), "unanchored directory");
        assert!(!c.allow.path_allowed("<stdin>") && !c.allow.path_allowed("/abs/tests/fixtures/x"));
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let cases = [
            ("max-file-size = \"1M\"\nbogus = 1\n", ".keyhound.toml:2: bogus: unknown key"),
            ("[allow]\npaths = []\npathz = []\n", ".keyhound.toml:3: pathz: unknown key"),
            ("[allow]\nvalues = [\n  'ok',\n  '(unclosed',\n]\n", ".keyhound.toml:4: allow.values: invalid regex"),
            ("[allow]\nvalues = ['a|']\n", ".keyhound.toml:2: allow.values: regex \"a|\" matches the empty string"),
            ("\n[allow]\npaths = ['a/{b']\n", ".keyhound.toml:3: allow.paths: invalid glob"),
            ("[allow]\nstopwords = ['']\n", ".keyhound.toml:2: allow.stopwords"),
            (
                "[rules]\ndisable = ['no-such-rule']\n",
                ".keyhound.toml:2: rules.disable: no rule has id \"no-such-rule\"",
            ),
            ("max-file-size = 'huge'\n", ".keyhound.toml:1: max-file-size: invalid size"),
            (
                "\nmin-confidence = 'sure'\n",
                ".keyhound.toml:2: min-confidence: unknown confidence 'sure' (expected low, medium or high)",
            ),
            ("min-confidence = 1\n", ".keyhound.toml:1: min-confidence: invalid type"),
            (
                "[[rule]]\nid = \"x\"\nname = \"X\"\nregex = 'abc'\nkeywords = ['abc']\nconfidence = 'sure'\n",
                ".keyhound.toml:6: confidence: unknown variant `sure`",
            ),
            (
                "\nmax-file-size = \"1 MB\"\n",
                ".keyhound.toml:2: max-file-size: invalid size \"1 MB\": expected a number of bytes",
            ),
            (
                "max-file-size = 1.5\n",
                ".keyhound.toml:1: max-file-size: expected a number of bytes with an optional K, M or G",
            ),
            ("[allow]\npaths = ['a']\nvalues = ['x',\n", ".keyhound.toml:3: "),
            ("\n\n[allow]\n[allow]\n", ".keyhound.toml:4: invalid table header: duplicate key `allow`"),
            ("[allow]\npaths = 'x'\n", ".keyhound.toml:2: paths: invalid type"),
            ("[allow\n", ".keyhound.toml:1: "),
            (
                "# extra\n[[rule]]\nid = \"x-bad\"\nname = \"X\"\nkeywords = [\"x\"]\nregex = '(unclosed'\n",
                ".keyhound.toml:6: rule.regex: rule `x-bad`: invalid rule regex",
            ),
            (
                "[[rule]]\nid = \"openai-project-key\"\nname = \"X\"\nregex = 'abc'\nkeywords = ['abc']\n",
                ".keyhound.toml:2: rule.id: rule `openai-project-key`: duplicate rule id",
            ),
            (
                "[[rule]]\nid = \"x\"\nname = \"X\"\nregex = 'abc'\nkeywords = ['abc']\ncolour = 1\n",
                ".keyhound.toml:6: colour: unknown key",
            ),
        ];
        for (text, want) in cases {
            let err = parse(text).map(|_| ()).unwrap_err();
            assert!(err.starts_with(want), "{text:?}\n  got:  {err}\n  want: {want}");
        }
    }

    #[test]
    fn config_cannot_weaken_safety() {
        for (text, line, key) in [
            ("verify = true\n", 1, "verify"),
            ("# x\nverify-base-url = 'https://evil.example'\n", 2, "verify-base-url"),
            ("show-secrets = true\n", 1, "show-secrets"),
            ("[verify]\nenabled = true\n", 1, "verify"),
            ("only-verified = true\n", 1, "only-verified"),
            ("[allow]\nshow-secrets = true\n", 2, "show-secrets"),
            (
                "[[rule]]\nid = \"x-tok\"\nname = \"X\"\nregex = 'x_[a-z]{9}'\nkeywords = ['x_']\n\n[rule.verify]\nprovider = \"openai\"\nurl = \"https://api.openai.com/v1/models\"\nheaders = { Authorization = \"Bearer {secret}\" }\nresponses = [{ status = [200], result = \"live\" }]\n",
                7,
                "rule.verify",
            ),
        ] {
            let err = parse(text).map(|_| ()).unwrap_err();
            let want = format!(".keyhound.toml:{line}: {key}: a repository config cannot");
            assert!(err.starts_with(&want), "{text:?}: {err}");
        }
    }
}
