//! `keyhound rules list|check`: the shipped rules are listed (with their
//! confidence) and pass their own examples; a user's rule file is checked
//! and its errors named (a bad confidence too); keys
//! that share a prefix across providers are each reported by one rule; the
//! README lists exactly the shipped rules, by category.

use crate::harness::*;

#[test]
fn rules_list_and_check() {
    let t = Tree::new();
    let out = t.run(&["rules", "list"]);
    assert_eq!(out.status.code(), Some(0));
    let list = String::from_utf8(out.stdout).unwrap();
    for id in
        ["openai-legacy-key", "openai-project-key", "openai-service-account-key", "openai-admin-key", "openai-none-key"]
    {
        assert!(list.lines().any(|l| l.starts_with(id)), "{id} not listed");
    }
    let out = t.run(&["rules", "check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout_of(&out));
    assert!(stdout_of(&out).contains("0 failed"));
}

#[test]
fn rules_check_reports_failing_examples_of_a_user_file() {
    let t = Tree::new();
    t.write(
        "mine.toml",
        "[[rule]]\nid = \"acme-token\"\nname = \"Acme token\"\nregex = '''acme_[a-z0-9]{16}'''\nkeywords = [\"acme_\"]\n\
         examples = ['tok=acme_{{l:16}}', 'tok=acme_{{l:8}}']\nnegative_examples = ['acme_{{l:20}}']\n",
    );
    let out = t.run(&["rules", "check", "mine.toml"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout_of(&out);
    assert!(text.contains("mine.toml: rule `acme-token`: example #2 was not found"), "{text}");
    assert!(text.contains("negative example #1 was reported"), "{text}");
}

#[test]
fn invalid_rule_file_is_an_error_naming_file_and_rule() {
    let t = Tree::new();
    t.write(
        "bad.toml",
        "[[rule]]\nid = \"acme-bad\"\nname = \"Acme\"\nregex = '''acme_[a-z'''\nkeywords = [\"acme_\"]\n",
    );
    let out = t.run(&["rules", "check", "bad.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(err.contains("bad.toml") && err.contains("acme-bad"), "{err}");
}

#[test]
fn rules_list_json_is_one_document_and_jsonl_one_rule_per_line() {
    let t = Tree::new();
    let out = t.run(&["rules", "list", "--format", "json"]);
    assert_eq!(exit_code(&out), 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout_of(&out)).expect("one JSON document");
    let rules = doc["rules"].as_array().expect("a rules array");
    assert!(rules.len() > 100, "{}", rules.len());
    assert!(rules.iter().all(|r| r["id"].is_string() && r["severity"].is_string()));
    // What coverage questions need: provider, category, keywords, live check.
    assert!(rules.iter().all(|r| r["provider"].is_string() && r["category"].is_string()));
    // Every rule has keywords, but those the generic detector finds.
    let has_keywords = |r: &serde_json::Value| r["keywords"].as_array().is_some_and(|k| !k.is_empty());
    assert!(rules.iter().all(|r| has_keywords(r) != (r["detector"] == "generic")));
    let by_id = |id: &str| rules.iter().find(|r| r["id"] == id).unwrap_or_else(|| panic!("{id} listed"));
    let key = by_id("anthropic-api-key");
    assert_eq!((key["provider"].as_str(), key["category"].as_str()), (Some("Anthropic"), Some("ai")));
    assert_eq!(key["live_check"], true);
    assert_eq!(by_id("private-key-rsa")["live_check"], false);
    let out = t.run(&["rules", "list", "--format", "jsonl"]);
    let lines: Vec<serde_json::Value> = stdout_of(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), rules.len());
    assert_eq!(exit_code(&t.run(&["rules", "list", "--format", "sarif"])), 2);
}

#[test]
fn rules_list_shows_each_rules_confidence_and_where_it_comes_from() {
    let t = Tree::new();
    t.write(".keyhound.toml", LOW_RULE);
    let list = stdout_of(&t.run(&["rules", "list"]));
    let line = |id: &str| {
        let line = list.lines().find(|l| l.split_whitespace().next() == Some(id));
        line.unwrap_or_else(|| panic!("{id} not listed:\n{list}")).split_whitespace().nth(1).unwrap().to_string()
    };
    assert_eq!(line("openai-project-key"), "high");
    assert_eq!(line("deepseek-api-key"), "medium");
    assert_eq!(line(LOW_RULE_ID), "low");
    let out = t.run(&["rules", "list", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout_of(&out)).unwrap();
    let rules = doc["rules"].as_array().unwrap();
    let by_id = |id: &str| rules.iter().find(|r| r["id"] == id).unwrap_or_else(|| panic!("{id} listed"));
    let source = |id: &str| (by_id(id)["confidence"].clone(), by_id(id)["confidence_source"].clone());
    assert_eq!(source("openai-project-key"), ("high".into(), "derived".into()));
    assert_eq!(source("openai-legacy-key"), ("high".into(), "rule".into()), "set in openai.toml");
    assert_eq!(source("deepseek-api-key"), ("medium".into(), "derived".into()));
    assert_eq!(source(LOW_RULE_ID), ("low".into(), "rule".into()));
    assert!(rules.iter().all(|r| ["high", "medium", "low"].contains(&r["confidence"].as_str().unwrap())));
}

#[test]
fn rules_check_rejects_a_confidence_that_is_not_a_level() {
    let t = Tree::new();
    t.write(
        "mine.toml",
        "[[rule]]\nid = \"acme-token\"\nname = \"Acme token\"\nregex = '''acme_[a-z0-9]{16}'''\n\
         keywords = [\"acme_\"]\nconfidence = \"certain\"\nexamples = ['tok=acme_{{l:16}}']\n",
    );
    let out = t.run(&["rules", "check", "mine.toml"]);
    assert_eq!(exit_code(&out), 2);
    let err = stderr_of(&out);
    assert!(err.contains("mine.toml") && err.contains("line 6") && err.contains("unknown variant `certain`"), "{err}");
    assert!(err.contains("`low`, `medium`, `high`"), "{err}");
    t.write("mine.toml", t.read("mine.toml").replace("certain", "low"));
    let out = t.run(&["rules", "check", "mine.toml"]);
    assert_eq!(exit_code(&out), 0, "{}", stdout_of(&out));
}

#[test]
fn flags_a_command_does_not_take_are_rejected_and_not_in_its_help() {
    let t = Tree::new();
    for (args, flag) in [
        (&["openai", "locate", "0123456789abcdef", "--baseline", "b.json"][..], "--baseline"),
        (&["openai", "revoke", "--key-from-stdin", "--show-suppressed"][..], "--show-suppressed"),
        (&["install-hook", "--format", "json"][..], "--format"),
        (&["rules", "list", "--verify"][..], "--verify"),
        (&["rules", "check", "--exit-code", "3"][..], "--exit-code"),
        (&["baseline", "-o", "x.json", "--baseline", "old.json"][..], "--baseline"),
        (&["history", "--no-ignore"][..], "--no-ignore"),
        (&["baseline", "-o", "x.json", "--min-confidence", "low"][..], "--min-confidence"),
        (&["report", "x.json", "--min-confidence", "low"][..], "--min-confidence"),
    ] {
        let out = t.run(args);
        assert_eq!(exit_code(&out), 2, "{args:?}");
        assert!(stderr_of(&out).contains(flag), "{args:?}: {}", stderr_of(&out));
    }
    let help = stdout_of(&t.run(&["openai", "locate", "--help"]));
    for flag in ["--baseline", "--show-suppressed", "--exit-code", "--verify ", "--config", "--sarif-file"] {
        assert!(!help.contains(flag), "openai locate --help lists {flag}:\n{help}");
    }
    assert!(help.contains("--path") && help.contains("--format"), "{help}");
    let help = stdout_of(&t.run(&["install-hook", "--help"]));
    assert!(!help.contains("--format") && !help.contains("--threads"), "{help}");
    for command in ["scan", "history", "staged", "ci"] {
        let help = stdout_of(&t.run(&[command, "--help"]));
        assert!(help.contains("--min-confidence <LEVEL>"), "{command} --help lacks --min-confidence");
    }
    let help = stdout_of(&t.run(&["scan", "--help"]));
    for flag in ["--baseline", "--verify", "--skip-ignored", "--format", "--threads"] {
        assert!(help.contains(flag), "scan --help lacks {flag}");
    }
}

/// Stripe, Paystack, Clerk and WorkOS all issue `sk_live_`/`sk_test_` keys.
/// Each provider's key has its own structure, and one key is reported by
/// one rule: every example of every rule whose examples hold such a key,
/// scanned on its own, is reported by that rule and no other.
#[test]
fn a_shared_sk_live_or_sk_test_prefix_is_reported_by_one_rule() {
    use keyhound::rules::template::{expand, seed_for};
    let set = keyhound::rules::RuleSet::embedded().unwrap();
    let shared = |e: &String| e.contains("sk_live_") || e.contains("sk_test_");
    let sharing: Vec<&keyhound::rules::Rule> = set.rules().iter().filter(|r| r.examples.iter().any(shared)).collect();
    let ids: Vec<&str> = sharing.iter().map(|r| r.id.as_str()).collect();
    for id in ["stripe-secret-key", "stripe-test-secret-key", "paystack-secret-key", "paystack-test-secret-key"] {
        assert!(ids.contains(&id), "{id} has no sk_live_/sk_test_ example: {ids:?}");
    }
    for id in ["clerk-secret-key", "workos-api-key"] {
        assert!(ids.contains(&id), "{id} has no sk_live_/sk_test_ example: {ids:?}");
    }
    let t = Tree::new();
    let mut want = std::collections::BTreeMap::new();
    for rule in &sharing {
        for (i, example) in rule.examples.iter().enumerate().filter(|(_, e)| shared(e)) {
            let file = format!("{}-{i}.txt", rule.id);
            t.write(&file, expand(example, seed_for(&rule.id, i)) + "\n");
            want.insert(file, rule.id.clone());
        }
    }
    let (code, doc) = t.run_json(&["scan", "."]);
    assert_eq!(code, 1);
    let mut got: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> = Default::default();
    for f in findings(&doc) {
        let path = f["path"].as_str().unwrap().to_string();
        got.entry(path).or_default().insert(f["rule_id"].as_str().unwrap().to_string());
    }
    let mut wrong = Vec::new();
    for (file, rule) in &want {
        let fired: Vec<&String> = got.get(file).map(|s| s.iter().collect()).unwrap_or_default();
        if fired != vec![rule] {
            wrong.push(format!("{file}: example of {rule} reported by {fired:?}"));
        }
    }
    assert!(wrong.is_empty(), "one key, one rule:\n{}", wrong.join("\n"));
}

/// One rule as the README's "Every rule, by category" section lists it.
#[derive(Debug, PartialEq)]
struct ListedRule {
    category: String,
    provider: String,
    live_check: bool,
}

/// Rule id → where the README lists it.
type Listed = std::collections::BTreeMap<String, ListedRule>;

/// A category's summary line: the category, and its stated rule and
/// provider counts.
type CategoryCount = (String, usize, usize);

/// The README's "Every rule, by category" section: where each rule is
/// listed, and each category's stated counts. Panics on a rule listed twice.
fn readme_rule_list(readme: &str) -> (Listed, Vec<CategoryCount>) {
    let start =
        readme.find("\n### Every rule, by category\n").expect("README has an \"Every rule, by category\" section");
    let section = &readme[start + 1..];
    let end = section[4..].find("\n#").map_or(section.len(), |i| i + 4);
    let mut listed = std::collections::BTreeMap::new();
    let mut counts = Vec::new();
    let mut category: Option<String> = None;
    for line in section[..end].lines() {
        if let Some(summary) = line.strip_prefix("<summary>") {
            let code = summary.split("<code>").nth(1).and_then(|s| s.split("</code>").next());
            let cat = code.unwrap_or_else(|| panic!("summary without a <code>category</code>: {line}")).to_string();
            let number = |word: &str| -> usize {
                let before = summary.split(word).next().unwrap_or("");
                let n = before.rsplit([' ', ':', ',']).find(|s| !s.is_empty()).unwrap_or("");
                n.parse().unwrap_or_else(|_| panic!("no count of {word} in {line}"))
            };
            counts.push((cat.clone(), number(" rule"), number(" provider")));
            category = Some(cat);
            continue;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() != 4 || cells[1] == "provider" || cells[1].starts_with("---") {
            continue;
        }
        let cat = category.clone().unwrap_or_else(|| panic!("a table row before any category: {line}"));
        for entry in cells[2].split(", ") {
            let id = entry.trim_end_matches('†').trim_matches('`');
            assert!(
                !id.is_empty() && entry.starts_with('`') && !id.contains('`'),
                "not a `rule-id` in the README: {entry:?} in {line}"
            );
            let rule =
                ListedRule {
                    category: cat.clone(), provider: cells[1].to_string(), live_check: entry.ends_with('†')
                };
            assert!(listed.insert(id.to_string(), rule).is_none(), "{id} is listed twice in the README");
        }
    }
    (listed, counts)
}

/// The README lists every shipped rule under its category and provider,
/// marks exactly the rules with a live check, and lists nothing else: it is
/// compared with `keyhound rules list --format json`.
#[test]
fn the_readme_lists_every_rule_under_its_category() {
    let readme = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let (listed, counts) = readme_rule_list(&readme);
    let t = Tree::new();
    let (code, doc) = t.run_json(&["rules", "list"]);
    assert_eq!(code, 0);
    let rules = doc["rules"].as_array().unwrap();
    assert!(rules.len() >= 400, "{} rules", rules.len());
    let mut want = std::collections::BTreeMap::new();
    for r in rules {
        let rule = ListedRule {
            category: r["category"].as_str().unwrap().to_string(),
            provider: r["provider"].as_str().unwrap().to_string(),
            live_check: r["live_check"].as_bool().unwrap(),
        };
        want.insert(r["id"].as_str().unwrap().to_string(), rule);
    }
    let mut problems = Vec::new();
    for (id, rule) in &want {
        match listed.get(id) {
            None => problems.push(format!("{id} ({}, {}) is not in the README", rule.category, rule.provider)),
            Some(l) if l != rule => problems.push(format!("{id}: README says {l:?}, the rule is {rule:?}")),
            Some(_) => {}
        }
    }
    for id in listed.keys().filter(|id| !want.contains_key(*id)) {
        problems.push(format!("{id} is in the README but is no shipped rule"));
    }
    // Each category's summary line counts its rules and providers.
    for (category, n_rules, n_providers) in &counts {
        let of: Vec<&ListedRule> = want.values().filter(|r| &r.category == category).collect();
        let providers: std::collections::BTreeSet<&str> = of.iter().map(|r| r.provider.as_str()).collect();
        if (*n_rules, *n_providers) != (of.len(), providers.len()) {
            problems.push(format!(
                "{category}: README says {n_rules} rules, {n_providers} providers; there are {}, {}",
                of.len(),
                providers.len()
            ));
        }
    }
    let categories: std::collections::BTreeSet<&str> = want.values().map(|r| r.category.as_str()).collect();
    let summarized: Vec<&str> = counts.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(summarized.len(), categories.len(), "one <details> per category: {summarized:?}");
    let total = format!("prints the shipped rules ({},", want.len());
    if !readme.contains(&total) {
        problems.push(format!("README does not say `keyhound rules list` {total}…"));
    }
    assert!(problems.is_empty(), "README's rule list is out of date:\n{}", problems.join("\n"));
}
