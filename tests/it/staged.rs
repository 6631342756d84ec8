//! `keyhound staged` and the pre-commit hook: only secrets a commit adds are
//! reported, and a commit that adds one is blocked.

use crate::harness::*;

fn staged(repo: &Repo) -> (i32, Vec<serde_json::Value>) {
    let (code, doc) = repo.run_json(&["staged", "--show-secrets"]);
    (code, findings(&doc).clone())
}

#[test]
fn new_file_with_a_key_is_reported() {
    let mut repo = Repo::new();
    repo.commit_readme();
    let key = fake_key("openai-project-key");
    repo.write("app/.env", format!("DEBUG=1\nOPENAI_API_KEY={key}\n"));
    let (code, f) = staged(&repo);
    assert_eq!(code, 1);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["path"], "app/.env");
    assert_eq!(f[0]["line"], 2);
    assert_eq!(f[0]["secret"], key.as_str());
}

#[test]
fn only_the_newly_added_key_of_a_modified_file_is_reported() {
    let mut repo = Repo::new();
    let old = fake_key("openai-legacy-key");
    repo.write("config.py", format!("OLD = '{old}'\n\nx = 1\n"));
    repo.commit("old key, already committed");
    let new = fake_key("anthropic-api-key");
    repo.write("config.py", format!("OLD = '{old}'\n\nx = 2\nNEW = '{new}'\n"));
    let (code, f) = staged(&repo);
    assert_eq!(code, 1);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0]["secret"], new.as_str());
    assert_eq!(f[0]["line"], 4);
}

#[test]
fn unstaged_edits_are_ignored() {
    let mut repo = Repo::new();
    repo.write("a.txt", "one\n");
    repo.commit("init");
    repo.write("a.txt", "one\ntwo\n");
    repo.write_unstaged("a.txt", format!("one\ntwo\nK={}\n", fake_key("github-personal-access-token")));
    let (code, f) = staged(&repo);
    assert_eq!((code, f.len()), (0, 0), "{f:?}");
}

#[test]
fn multi_line_private_key_is_reported_once() {
    let mut repo = Repo::new();
    repo.commit_readme();
    let body: Vec<String> = (0..12).map(|i| keyhound::rules::template::expand("{{b:64}}", i)).collect();
    let pem = format!("-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n", body.join("\n"));
    repo.write("deploy/id_rsa", format!("# deploy key\n{pem}"));
    let (code, f) = staged(&repo);
    assert_eq!(code, 1);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0]["rule_id"], "private-key-rsa");
    assert_eq!(f[0]["line"], 2);
    assert_eq!(f[0]["end_line"], 15);
}

#[test]
fn first_commit_in_an_empty_repository_counts_everything_as_new() {
    let repo = Repo::new();
    repo.write("main.go", format!("package main\nconst k = \"{}\"\n", fake_key("openai-project-key")));
    let (code, f) = staged(&repo);
    assert_eq!(code, 1);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["line"], 2);
}

#[test]
fn staged_deletion_and_rename_report_nothing() {
    let mut repo = Repo::new();
    let key = fake_key("openai-project-key");
    repo.write("secret.env", format!("K={key}\n"));
    repo.write("other.env", format!("K2={}\n", fake_key("aws-access-key-id")));
    repo.commit("oops");
    repo.remove("secret.env");
    repo.rename("other.env", "moved.env");
    let (code, f) = staged(&repo);
    assert_eq!((code, f.len()), (0, 0), "{f:?}");
}

#[test]
fn text_output_says_where_and_what_to_do() {
    let mut repo = Repo::new();
    repo.commit_readme();
    let key = fake_key("openai-project-key");
    repo.write(".env", format!("OPENAI_API_KEY={key}\n"));
    let out = repo.run(&["staged"]);
    assert_eq!(out.status.code(), Some(1));
    let all = format!("{}{}", stdout_of(&out), stderr_of(&out));
    assert!(all.contains(".env:1:16"), "{all}");
    assert!(all.contains("OpenAI project API key"), "{all}");
    assert!(all.contains("environment variable") && all.contains("rotate"), "{all}");
    assert!(!all.contains(&key), "secret printed unredacted");
}

#[test]
fn not_a_repository_exits_two() {
    let t = Tree::new();
    let out = t.run(&["staged"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("not a git repository"));
}

#[test]
fn installed_hook_blocks_a_commit_with_a_key_and_lets_a_clean_one_through() {
    let mut repo = Repo::new();
    repo.commit_readme();
    let out = repo.run(&["install-hook"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(repo.path().join(".git/hooks/pre-commit").exists());

    let key = fake_key("openai-project-key");
    repo.write_unstaged("app.env", format!("OPENAI_API_KEY={key}\n"));
    git_ok(repo.path(), &["add", "app.env"]);
    let blocked = git(repo.path(), &["commit", "-m", "add key"]);
    assert!(!blocked.status.success(), "commit with a key went through");
    let said = format!("{}{}", stdout_of(&blocked), stderr_of(&blocked));
    assert!(said.contains("app.env:1:16") && said.contains("OpenAI project API key"), "{said}");

    repo.write_unstaged("app.env", "OPENAI_API_KEY=${OPENAI_API_KEY}\n");
    git_ok(repo.path(), &["add", "app.env"]);
    let ok = git(repo.path(), &["commit", "-m", "use env var"]);
    assert!(ok.status.success(), "{}", stderr_of(&ok));
}

#[test]
fn install_hook_respects_foreign_hooks_and_hooks_path() {
    let repo = Repo::new();
    let hooks = repo.path().join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    std::fs::write(hooks.join("pre-commit"), "#!/bin/sh\necho team hook\n").unwrap();
    let out = repo.run(&["install-hook"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("--force"));
    let out = repo.run(&["install-hook", "--uninstall"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(std::fs::read_to_string(hooks.join("pre-commit")).unwrap().contains("team hook"));
    assert_eq!(repo.run(&["install-hook", "--force"]).status.code(), Some(0));
    assert_eq!(repo.run(&["install-hook", "--uninstall"]).status.code(), Some(0));
    assert!(std::fs::read_to_string(hooks.join("pre-commit")).unwrap().contains("team hook"), "not put back");

    repo.repo.config().unwrap().set_str("core.hooksPath", ".githooks").unwrap();
    assert_eq!(repo.run(&["install-hook"]).status.code(), Some(0));
    assert!(repo.path().join(".githooks/pre-commit").exists());
}

#[test]
fn a_sha256_repository_is_unusable_input_and_says_why() {
    let t = sha256_repo(&fake_key("openai-project-key"));
    let want = format!("keyhound: error: {}\n", sha256_error(&t));
    for args in [&["staged"][..], &["staged", "staged.env"], &["staged", "--format", "json"]] {
        let out = t.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr_of(&out));
        assert_eq!(stderr_of(&out), want, "{args:?}");
        assert_eq!(stdout_of(&out), "", "{args:?}");
    }
}
