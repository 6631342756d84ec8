//! Keys in every context they really appear in are found at the right place,
//! and nothing in the decoys is reported. Fixtures are templates: each
//! `{{key:RULE}}` becomes a fresh fake key of that rule's structure.

use std::collections::BTreeSet;

use crate::harness::*;

type Expected = BTreeSet<(String, usize, usize, String, String)>;

/// Writes every fixture of `dir` into a fresh tree; returns the tree and what
/// was planted.
fn materialize(dir: &str) -> (Tree, Expected) {
    let tree = Tree::new();
    let mut expected = Expected::new();
    let mut names: Vec<_> = std::fs::read_dir(fixture_path(dir)).unwrap().map(|e| e.unwrap().path()).collect();
    names.sort();
    for path in names {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let (text, planted) = expand_fixture(&std::fs::read_to_string(&path).unwrap());
        tree.write(&name, text);
        for p in planted {
            expected.insert((name.clone(), p.line, p.column, p.rule_id, p.secret));
        }
    }
    (tree, expected)
}

fn reported(doc: &serde_json::Value) -> Expected {
    findings(doc)
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap() as usize,
                f["column"].as_u64().unwrap() as usize,
                f["rule_id"].as_str().unwrap().to_string(),
                f["secret"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn every_context_is_found_at_the_right_place() {
    let (tree, expected) = materialize("contexts");
    assert!(expected.len() >= 40, "fixtures plant {} keys", expected.len());
    let (code, doc) = tree.run_json(&["scan", ".", "--show-secrets"]);
    assert_eq!(code, 1);
    let got = reported(&doc);
    let missing: Vec<_> = expected.difference(&got).collect();
    let extra: Vec<_> = got.difference(&expected).collect();
    assert!(missing.is_empty() && extra.is_empty(), "missing: {missing:#?}\nunexpected: {extra:#?}");
}

#[test]
fn every_openai_family_is_covered_by_the_contexts() {
    let (_tree, expected) = materialize("contexts");
    let rules: BTreeSet<&str> = expected.iter().map(|e| e.3.as_str()).collect();
    for family in
        ["openai-legacy-key", "openai-project-key", "openai-service-account-key", "openai-admin-key", "openai-none-key"]
    {
        assert!(rules.contains(family), "no context plants {family}");
    }
}

#[test]
fn decoys_report_nothing() {
    let (tree, expected) = materialize("decoys");
    assert!(expected.is_empty());
    let (code, doc) = tree.run_json(&["scan", "."]);
    assert_eq!(findings(&doc).len(), 0, "{doc:#}");
    assert_eq!(code, 0);
}

#[test]
fn key_in_a_long_minified_line() {
    let tree = Tree::new();
    let key = fake_key("openai-project-key");
    let filler: String = (0..20_000).map(|i| format!("var a{i}=function(b){{return b*{i}}};")).collect();
    let line = format!("{filler}const k=\"{key}\";{filler}");
    tree.write("bundle.min.js", format!("/*! bundle */\n{line}\n"));
    let (code, doc) = tree.run_json(&["scan", ".", "--show-secrets"]);
    assert_eq!(code, 1);
    let f = findings(&doc);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["line"], 2);
    assert_eq!(f[0]["column"].as_u64().unwrap() as usize, filler.len() + "const k=\"".len() + 1);
    assert_eq!(f[0]["secret"], key.as_str());
}

#[test]
fn secrets_are_redacted_by_default_everywhere() {
    let tree = Tree::new();
    let key = fake_key("openai-project-key");
    tree.write("a.env", format!("OPENAI_API_KEY={key}\n"));
    for format in ["text", "json", "jsonl"] {
        let out = tree.run(&["scan", ".", "--format", format]);
        assert_eq!(out.status.code(), Some(1));
        let stdout = stdout_of(&out);
        let stderr = stderr_of(&out);
        assert!(!stdout.contains(&key) && !stderr.contains(&key), "{format} leaks the secret");
        // The redacted form: a short prefix of the key (its `sk-proj-` and a
        // little more, never over a quarter of it), then the length.
        let end = stdout.find("…(164 chars)").unwrap_or_else(|| panic!("{format}: {stdout}"));
        let start = stdout[..end].rfind("sk-proj-").unwrap_or_else(|| panic!("{format}: {stdout}"));
        let shown = &stdout[start..end];
        assert!(key.starts_with(shown) && shown.len() > "sk-proj-".len() && shown.len() <= key.len() / 4, "{shown}");
    }
}
