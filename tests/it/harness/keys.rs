//! Fake keys, made from the shipped rules' own example templates: the rule
//! set is the one table of key shapes. A key is the `secret` part of a rule's
//! example, expanded with a fresh seed and cut out by the rule itself, so it
//! is a key the rule matches and differs on every call.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use keyhound::engine::Engine;
use keyhound::rules::template::{expand, seed_for};
use keyhound::rules::RuleSet;

/// The shipped rules, compiled once for the whole test binary.
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(&RuleSet::embedded().expect("shipped rules load")).expect("shipped rules build"))
}

/// The rule (its index in [`engine`]'s rules) and the example template a
/// key name stands for. A key name is
/// - a rule id, `openai-project-key`: the rule's first example;
/// - a rule id and a length, `RULE-N`, `openai-project-key-58`: the first of
///   the rule's examples with an `N`-character placeholder (`{{u:58}}`), here
///   a project key of 58-character halves.
fn resolve(name: &str) -> (usize, &'static str) {
    let rules = engine().rules();
    let find = |id: &str| rules.iter().position(|r| r.id == id);
    if let Some(r) = find(name) {
        let first = rules[r].examples.first().unwrap_or_else(|| panic!("rule {name} has no examples"));
        return (r, first);
    }
    let variant = name.rsplit_once('-').and_then(|(id, n)| Some((find(id)?, n.parse::<usize>().ok()?)));
    let Some((r, len)) = variant else { panic!("no rule {name} (key names are RULE or RULE-N)") };
    let placeholder = format!(":{len}}}}}");
    let example = rules[r].examples.iter().find(|e| e.contains(&placeholder));
    (r, example.unwrap_or_else(|| panic!("no example of rule {} has a {len}-character placeholder", rules[r].id)))
}

static SEED: AtomicUsize = AtomicUsize::new(1);

/// Expansions of an example tried before giving up: a rule's own filters
/// (entropy, fake-key runs) may refuse an unlucky expansion.
const ATTEMPTS: usize = 100;

/// A fresh fake key for the key name `name` (see [`resolve`]), the id of
/// the rule that reports it, and the expanded example it was cut from.
fn generate_example(name: &str) -> (&'static str, String, String) {
    let (r, template) = resolve(name);
    let engine = engine();
    for _ in 0..ATTEMPTS {
        let text = expand(template, seed_for(name, SEED.fetch_add(1, Ordering::Relaxed)));
        let hit = engine.scan(text.as_bytes()).into_iter().find(|m| m.rule == r && m.decoded.is_none());
        if let Some(m) = hit {
            let key = text[m.start..m.end].to_string();
            return (&engine.rules()[r].id, key, text);
        }
    }
    panic!("rule {} never matched its example {template:?}", engine.rules()[r].id)
}

/// A fresh fake key for the key name `name` (see [`resolve`]) and the id of
/// the rule that reports it.
fn generate(name: &str) -> (&'static str, String) {
    let (rule_id, key, _) = generate_example(name);
    (rule_id, key)
}

/// A fresh fake key of the rule (or variant) `name`, different on every
/// call: `fake_key("openai-project-key")`, `fake_key("private-key-rsa")`
/// (a multi-line PEM block), `fake_key("openai-project-key-58")`.
pub fn fake_key(name: &str) -> String {
    generate(name).1
}

/// A fresh fake key of the rule (or variant) `name` in its context: the
/// rule's example, expanded (a line the rule reports, with whatever word or
/// assignment the rule needs nearby), and the key cut out of it. For rules
/// that report a key only next to their provider's name, where a bare key
/// would not be found.
pub fn fake_example(name: &str) -> (String, String) {
    let (_, key, text) = generate_example(name);
    (text, key)
}

/// A fresh expansion of `template` (see `keyhound::rules::template`),
/// different on every call: a value of a rule a test defines itself, which
/// has no shipped example to take a key from.
pub fn expand_fresh(template: &str) -> String {
    expand(template, seed_for(template, SEED.fetch_add(1, Ordering::Relaxed)))
}

/// A secret planted by [`expand_fixture`]: where it is and what should report it.
#[derive(Debug, Clone)]
pub struct Planted {
    pub rule_id: String,
    pub secret: String,
    pub line: usize,
    pub column: usize,
}

/// Expands a fixture template: each `{{key:NAME}}` becomes a fresh fake key
/// (see [`fake_key`]), recorded with its line and column, then the generic
/// placeholders of `keyhound::rules::template` are expanded.
pub fn expand_fixture(template: &str) -> (String, Vec<Planted>) {
    let mut out = String::new();
    let mut planted = Vec::new();
    let mut rest = template;
    while let Some(i) = rest.find("{{key:") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 6..];
        let end = after.find("}}").expect("unterminated {{key:");
        let (rule_id, key) = generate(&after[..end]);
        let line = out.matches('\n').count() + 1;
        let column = out.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        planted.push(Planted { rule_id: rule_id.to_string(), secret: key.clone(), line, column });
        out.push_str(&key);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    (expand(&out, 99), planted)
}

/// Path of a file under the repository's `fixtures/`.
pub fn fixture_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(rel)
}
