//! `keyhound rules list|check`: the shipped rules are listed and pass their
//! own examples; a user's rule file is checked and its errors named.

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
