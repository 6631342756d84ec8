//! `keyhound history`: every blob of every ref scanned once, findings at the
//! commit that introduced them, ranges, and damaged or unusual repositories.

use serde_json::Value;

use crate::harness::*;

/// The first commit's date under the harness clock (one hour per commit
/// from 1_700_000_000).
const FIRST_COMMIT_DATE: &str = "2023-11-14T23:13:20+00:00";

/// The findings whose secret (shown with --show-secrets) is `key`.
fn with_secret<'a>(doc: &'a Value, key: &str) -> Vec<&'a Value> {
    findings(doc).iter().filter(|f| f["secret"] == key).collect()
}

#[test]
fn key_added_then_deleted_is_found_and_not_in_head() {
    let mut r = Repo::new();
    let key = fake_key("openai-project-key");
    r.write("README.md", "# demo\n");
    r.write(".env", format!("# settings\nOPENAI_API_KEY={key}\n"));
    let c1 = r.commit_as("add settings", "Alice Example", "alice@example.com");
    r.remove(".env");
    r.commit("remove settings");

    let (code, doc) = r.run_json(&["history", "--show-secrets"]);
    assert_eq!(code, 1, "{doc}");
    let f = findings(&doc);
    assert_eq!(f.len(), 1, "{doc}");
    let f = &f[0];
    assert_eq!(f["rule_id"], "openai-project-key");
    assert_eq!(f["secret"], key.as_str());
    assert_eq!(f["path"], ".env");
    assert_eq!(f["line"], 2);
    assert_eq!(f["column"], 16);
    assert_eq!(f["commit"], c1.to_string());
    assert_eq!(f["author"], "Alice Example");
    assert_eq!(f["email"], "alice@example.com");
    assert_eq!(f["date"], FIRST_COMMIT_DATE);
    assert_eq!(f["in_head"], false);
    assert_eq!(f["occurrences"], 1);
    // Two unique blobs: README.md and .env.
    assert_eq!(doc["summary"]["scanned"], 2);
}

#[test]
fn secrets_are_redacted_by_default() {
    let mut r = Repo::new();
    let key = fake_key("openai-project-key");
    r.write(".env", format!("OPENAI_API_KEY={key}\n"));
    r.commit("add");
    let out = r.run(&["history", "--format", "json"]);
    assert!(!stdout_of(&out).contains(&key));
    let out = r.run(&["history"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!stdout_of(&out).contains(&key));
    assert!(stderr_of(&out).contains("1 finding in 1 blob"), "{}", stderr_of(&out));
}

#[test]
fn key_in_a_file_edited_later_is_one_finding_at_the_first_commit() {
    let mut r = Repo::new();
    let key = fake_key("openai-project-key");
    r.write("app/config.py", format!("DEBUG = True\nAPI_KEY = \"{key}\"\n"));
    let c1 = r.commit("config");
    r.write("app/config.py", format!("# settings\nDEBUG = False\nAPI_KEY = \"{key}\"\n"));
    r.commit("turn off debug");
    r.write("app/config.py", format!("# settings\nDEBUG = False\nTIMEOUT = 3\nAPI_KEY = \"{key}\"\n"));
    r.commit("timeout");

    let (code, doc) = r.run_json(&["history", "--show-secrets"]);
    assert_eq!(code, 1);
    let f = findings(&doc);
    assert_eq!(f.len(), 1, "{doc}");
    assert_eq!(f[0]["path"], "app/config.py");
    assert_eq!(f[0]["commit"], c1.to_string());
    assert_eq!(f[0]["line"], 2);
    assert_eq!(f[0]["column"], 12);
    assert_eq!(f[0]["occurrences"], 3);
    assert_eq!(f[0]["in_head"], true);
    assert_eq!(f[0]["date"], FIRST_COMMIT_DATE);
}

#[test]
fn a_rename_names_both_places_and_in_head_follows_each_path() {
    let mut r = Repo::new();
    let key = fake_key("anthropic-api-key");
    r.write("old/secrets.env", format!("ANTHROPIC_API_KEY={key}\n"));
    let c1 = r.commit("add");
    r.rename("old/secrets.env", "new/secrets.env");
    let c2 = r.commit("move");

    let (code, doc) = r.run_json(&["history", "--show-secrets"]);
    assert_eq!(code, 1);
    let f = findings(&doc);
    assert_eq!(f.len(), 2, "{doc}");
    // Sorted by path: the new place, then the old one.
    assert_eq!(
        (f[0]["path"].as_str(), f[0]["commit"].as_str()),
        (Some("new/secrets.env"), Some(c2.to_string().as_str()))
    );
    assert_eq!(f[0]["in_head"], true);
    assert_eq!(
        (f[1]["path"].as_str(), f[1]["commit"].as_str()),
        (Some("old/secrets.env"), Some(c1.to_string().as_str()))
    );
    // Gone from that path, though still in HEAD elsewhere.
    assert_eq!(f[1]["in_head"], false);
    assert_eq!(f[0]["occurrences"], 1);
}

#[test]
fn identical_files_at_several_paths_are_one_finding_each() {
    let mut r = Repo::new();
    let key = fake_key("openai-project-key");
    let env = format!("OPENAI_API_KEY={key}\n");
    // One blob at two paths in one commit.
    r.write("prod/.env", &env);
    r.write("staging/.env", &env);
    let c1 = r.commit("environments");
    // A copy added later, and a copy of a whole directory.
    r.write("dev/.env", &env);
    let c2 = r.commit("dev");
    r.write("backup/prod/.env", &env);
    let c3 = r.commit("backup");
    // One copy deleted: no longer in HEAD at that path.
    r.remove("staging/.env");
    r.commit("drop staging");

    let (code, doc) = r.run_json(&["history", "--show-secrets"]);
    assert_eq!(code, 1);
    let got: Vec<(&str, &str, bool)> = findings(&doc)
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["commit"].as_str().unwrap(), f["in_head"].as_bool().unwrap()))
        .collect();
    let (c1, c2, c3) = (c1.to_string(), c2.to_string(), c3.to_string());
    assert_eq!(
        got,
        [
            ("backup/prod/.env", c3.as_str(), true),
            ("dev/.env", c2.as_str(), true),
            ("prod/.env", c1.as_str(), true),
            ("staging/.env", c1.as_str(), false),
        ],
        "{doc}"
    );
    // Each place is its own finding: its own fingerprint.
    let mut prints: Vec<&str> = findings(&doc).iter().map(|f| f["fingerprint"].as_str().unwrap()).collect();
    prints.sort();
    prints.dedup();
    assert_eq!(prints.len(), 4);
    // A scan of HEAD's files names the same places that history says are in HEAD.
    let (_, scan) = r.run_json(&["scan", "."]);
    let mut in_tree: Vec<&str> = findings(&scan).iter().map(|f| f["path"].as_str().unwrap()).collect();
    in_tree.sort();
    assert_eq!(in_tree, ["backup/prod/.env", "dev/.env", "prod/.env"]);
}

#[test]
fn a_range_reports_every_new_path_and_not_an_edit_that_keeps_a_key() {
    let mut r = Repo::new();
    let old = fake_key("openai-project-key");
    r.write("app.env", format!("OPENAI_API_KEY={old}\n"));
    r.commit("old key");
    r.tag("base");
    // An edit that keeps the key at the same path: not new.
    r.write("app.env", format!("DEBUG=1\nOPENAI_API_KEY={old}\n"));
    r.commit("debug");
    // Two identical new files: two findings.
    let new = fake_key("anthropic-api-key");
    r.write("a/.env", format!("ANTHROPIC_API_KEY={new}\n"));
    r.write("b/.env", format!("ANTHROPIC_API_KEY={new}\n"));
    let c = r.commit("new key twice");
    let (code, doc) = r.run_json(&["history", "--range", "base..HEAD", "--show-secrets"]);
    assert_eq!(code, 1, "{doc}");
    let got: Vec<(&str, &str)> =
        findings(&doc).iter().map(|f| (f["path"].as_str().unwrap(), f["secret"].as_str().unwrap())).collect();
    assert_eq!(got, [("a/.env", new.as_str()), ("b/.env", new.as_str())], "{doc}");
    assert!(findings(&doc).iter().all(|f| f["commit"] == c.to_string().as_str() && f["in_head"] == true));
    // The whole history agrees: the old key is one finding, at the base.
    let (_, doc) = r.run_json(&["history", "--show-secrets"]);
    let old_ones: Vec<&Value> = findings(&doc).iter().filter(|f| f["secret"] == old.as_str()).collect();
    assert_eq!(old_ones.len(), 1, "{doc}");
    assert_eq!(old_ones[0]["occurrences"], 2);
}

#[test]
fn unmerged_branch_is_scanned_and_branch_narrows() {
    let mut r = Repo::new();
    let main = r.current_branch();
    r.commit_readme();
    r.branch("feature");
    let key = fake_key("openai-project-key");
    r.write("feature.py", format!("KEY = \"{key}\"\n"));
    let c = r.commit_as("wip", "Bob", "bob@example.com");
    r.checkout(&main);

    let (code, doc) = r.run_json(&["history", "--show-secrets"]);
    assert_eq!(code, 1);
    let f = with_secret(&doc, &key);
    assert_eq!(f.len(), 1, "{doc}");
    assert_eq!(f[0]["commit"], c.to_string());
    assert_eq!(f[0]["author"], "Bob");
    assert_eq!(f[0]["email"], "bob@example.com");
    assert_eq!(f[0]["path"], "feature.py");
    assert_eq!(f[0]["in_head"], false);

    let (code, doc) = r.run_json(&["history", "--branch", &main]);
    assert_eq!(code, 0, "{doc}");
    assert!(findings(&doc).is_empty());
    let (code, doc) = r.run_json(&["history", "--branch", "feature"]);
    assert_eq!(code, 1);
    assert_eq!(findings(&doc).len(), 1);
}

#[test]
fn history_only_reachable_from_a_tag_on_an_orphan_branch_is_scanned() {
    let mut r = Repo::new();
    let main = r.current_branch();
    r.commit_readme();
    r.orphan("gh-pages");
    let key = fake_key("github-personal-access-token");
    r.write("deploy.sh", format!("#!/bin/sh\nexport GITHUB_TOKEN={key}\n"));
    let c = r.commit("pages");
    r.tag("pages-v1");
    r.checkout(&main);
    r.delete_branch("gh-pages");

    let (code, doc) = r.run_json(&["history", "--show-secrets"]);
    assert_eq!(code, 1);
    let f = with_secret(&doc, &key);
    assert_eq!(f.len(), 1, "{doc}");
    assert_eq!(f[0]["commit"], c.to_string());
    assert_eq!(f[0]["path"], "deploy.sh");
    assert_eq!(f[0]["line"], 2);
    assert_eq!(f[0]["in_head"], false);
}

#[test]
fn a_key_written_while_resolving_a_merge_belongs_to_the_merge_commit() {
    let mut r = Repo::new();
    let main = r.current_branch();
    r.commit_readme();
    r.branch("topic");
    r.write("topic.txt", "topic work\n");
    r.commit("topic work");
    r.checkout(&main);
    r.write("main.txt", "main work\n");
    r.commit("main work");
    let key = fake_key("openai-project-key");
    let m = r.merge("topic", "Merge topic", |r| r.write("merged.env", format!("OPENAI_API_KEY={key}\n")));

    let (code, doc) = r.run_json(&["history", "--show-secrets"]);
    assert_eq!(code, 1);
    let f = with_secret(&doc, &key);
    assert_eq!(f.len(), 1, "{doc}");
    assert_eq!(f[0]["commit"], m.to_string());
    assert_eq!(f[0]["path"], "merged.env");
    assert_eq!(f[0]["in_head"], true);

    // A range over the merge sees it too.
    let (code, doc) = r.run_json(&["history", "--range", "HEAD~1..HEAD", "--show-secrets"]);
    assert_eq!(code, 1);
    assert_eq!(with_secret(&doc, &key)[0]["commit"], m.to_string());
}

#[test]
fn the_same_key_in_two_files_is_two_findings() {
    let mut r = Repo::new();
    let key = fake_key("openai-project-key");
    r.write(".env", format!("OPENAI_API_KEY={key}\n"));
    r.write("scripts/run.sh", format!("#!/bin/sh\nexport OPENAI_API_KEY={key}\n"));
    r.commit("add");

    let (code, doc) = r.run_json(&["history", "--show-secrets"]);
    assert_eq!(code, 1);
    let f = with_secret(&doc, &key);
    assert_eq!(f.len(), 2, "{doc}");
    let paths: Vec<&str> = f.iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(paths, [".env", "scripts/run.sh"]);
    assert_eq!(f[1]["line"], 2);
    assert_ne!(f[0]["fingerprint"], f[1]["fingerprint"]);
}

#[test]
fn a_range_reports_only_keys_introduced_inside_it() {
    let mut r = Repo::new();
    let old = fake_key("openai-project-key");
    r.write(".env", format!("OPENAI_API_KEY={old}\n"));
    r.commit("old key");
    r.tag("base");
    r.write("README.md", "# demo\n");
    r.commit("docs");
    let new = fake_key("anthropic-api-key");
    r.write("src/client.py", format!("import os\nCLIENT_KEY = \"{new}\"\n"));
    let c = r.commit_as("client", "Carol", "carol@example.com");
    r.write("src/client.py", format!("import os\nimport sys\nCLIENT_KEY = \"{new}\"\n"));
    r.commit("imports");

    let (code, doc) = r.run_json(&["history", "--range", "base..HEAD", "--show-secrets"]);
    assert_eq!(code, 1, "{doc}");
    let f = findings(&doc);
    assert_eq!(f.len(), 1, "{doc}");
    assert_eq!(f[0]["secret"], new.as_str());
    assert_eq!(f[0]["commit"], c.to_string());
    assert_eq!(f[0]["path"], "src/client.py");
    assert_eq!(f[0]["line"], 2);
    assert_eq!(f[0]["author"], "Carol");
    assert_eq!(f[0]["occurrences"], 2);
    assert_eq!(f[0]["in_head"], true);
    // Only the blobs the three commits introduced were read.
    assert_eq!(doc["summary"]["scanned"], 3);

    // An empty range, and a range before the new key.
    let (code, doc) = r.run_json(&["history", "--range", "HEAD..HEAD"]);
    assert_eq!((code, findings(&doc).len()), (0, 0));
    let (code, doc) = r.run_json(&["history", "--range", "base..HEAD~2"]);
    assert_eq!((code, findings(&doc).len()), (0, 0));
    // The whole history has both.
    let (_, doc) = r.run_json(&["history"]);
    assert_eq!(findings(&doc).len(), 2);
}

#[test]
fn missing_objects_are_warnings_and_the_scan_goes_on() {
    let mut r = Repo::new();
    let key = fake_key("openai-project-key");
    r.write("notes.txt", "just notes\n");
    r.write(".env", format!("OPENAI_API_KEY={key}\n"));
    let c1 = r.commit("first");
    let later = fake_key("openai-project-key");
    r.write("later.env", format!("OPENAI_API_KEY={later}\n"));
    r.commit("second");
    let notes = r.blob_id("HEAD", "notes.txt");
    r.delete_object(notes);

    let out = r.run(&["history", "--format", "json", "--show-secrets"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert!(err.contains("warning") && err.contains(&notes.to_string()), "{err}");
    let doc = parse_json(&out);
    assert_eq!(with_secret(&doc, &key).len(), 1);
    assert_eq!(with_secret(&doc, &later).len(), 1);
    let warnings = doc["summary"]["warnings"].as_array().unwrap();
    assert!(warnings.iter().any(|w| w.as_str().unwrap().contains(&notes.to_string())), "{doc}");

    // A missing commit: what lies behind it is lost, the rest is scanned.
    r.delete_object(c1);
    let out = r.run(&["history", "--format", "json", "--show-secrets"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains(&c1.to_string()), "{}", stderr_of(&out));
    assert_eq!(with_secret(&parse_json(&out), &later).len(), 1);
}

#[test]
fn a_shallow_clone_warns_and_scans_what_it_has() {
    let mut r = Repo::new();
    let gone = fake_key("openai-project-key");
    r.write(".env", format!("OPENAI_API_KEY={gone}\n"));
    r.commit("old key");
    r.remove(".env");
    let kept = fake_key("openai-project-key");
    r.write("app.env", format!("OPENAI_API_KEY={kept}\n"));
    let c2 = r.commit("new key");
    let clone = r.clone_shallow(1);

    let out = clone.run(&["history", "--format", "json", "--show-secrets"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("shallow"), "{}", stderr_of(&out));
    let doc = parse_json(&out);
    let f = findings(&doc);
    assert_eq!(f.len(), 1, "{doc}");
    assert_eq!(f[0]["secret"], kept.as_str());
    assert_eq!(f[0]["commit"], c2.to_string());
}

#[test]
fn a_bare_repository_works() {
    let mut r = Repo::new();
    let key = fake_key("openai-project-key");
    r.write(".env", format!("OPENAI_API_KEY={key}\n"));
    let c = r.commit("add");
    r.remove(".env");
    r.commit("remove");
    let bare = r.clone_bare();

    let (code, doc) = bare.run_json(&["history", "--show-secrets"]);
    assert_eq!(code, 1, "{doc}");
    let f = findings(&doc);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["commit"], c.to_string());
    assert_eq!(f[0]["in_head"], false);
    // The repository given as an argument, from elsewhere.
    let elsewhere = Tree::new();
    let (code, _) = elsewhere.run_json(&["history", bare.path().to_str().unwrap()]);
    assert_eq!(code, 1);
}

#[test]
fn not_a_repository_is_an_error() {
    let t = Tree::new();
    t.write("a.txt", "hello\n");
    let out = t.run(&["history"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("not a git repository"), "{}", stderr_of(&out));
    let out = t.run(&["history", "no-such-dir"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("no-such-dir"), "{}", stderr_of(&out));
}

/// The pack of a repository packed into one (`git repack -adf`), and how
/// many of its index's offsets are in the 64-bit table.
fn the_pack(repo: &Repo) -> (std::path::PathBuf, usize) {
    let dir = repo.path().join(".git/objects/pack");
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    let packs: Vec<_> = files.iter().filter(|p| p.extension().is_some_and(|x| x == "pack")).collect();
    assert_eq!(packs.len(), 1, "{files:?}");
    let idx = std::fs::read(packs[0].with_extension("idx")).unwrap();
    assert_eq!(idx[..8], [0xff, b't', b'O', b'c', 0, 0, 0, 2], "a version 2 index");
    let n = u32::from_be_bytes(idx[8 + 255 * 4..8 + 256 * 4].try_into().unwrap()) as usize;
    // Header and fan-out, then per object a name, a CRC and a 32-bit
    // offset; then 8 bytes per 64-bit offset; then two checksums.
    let large = (idx.len() - (8 + 256 * 4 + n * 28 + 40)) / 8;
    (packs[0].clone(), large)
}

#[test]
fn a_pack_index_with_64_bit_offsets_is_read_like_any_other() {
    let mut r = Repo::new();
    let key = fake_key("openai-project-key");
    r.commit_readme();
    // Enough blobs that they are read in pack order (which reads the
    // index's offsets itself), not only through libgit2.
    for i in 0..300 {
        r.write_unstaged(&format!("notes/{i:03}.txt"), format!("note {i}\n").repeat(i % 7 + 1));
    }
    git_ok(r.path(), &["add", "-A"]);
    r.repo.index().unwrap().read(true).unwrap();
    r.commit("notes");
    r.write(".env", format!("# settings\nOPENAI_API_KEY={key}\n"));
    let c = r.commit("settings");
    // Edited, key kept: a delta in the pack.
    r.write(".env", format!("# settings\nOPENAI_API_KEY={key}\nDEBUG=1\n"));
    r.commit("debug");
    git_ok(r.path(), &["repack", "-a", "-d", "-f", "-q"]);
    let (pack, large) = the_pack(&r);
    assert_eq!(large, 0);
    let (code, plain) = r.run_json(&["history", "--show-secrets"]);
    assert_eq!(code, 1, "{plain}");
    assert!(plain["summary"]["scanned"].as_u64().unwrap() > 300, "{plain}");

    git_ok(r.path(), &["index-pack", "--index-version=2,0x40", pack.to_str().unwrap()]);
    let (_, large) = the_pack(&r);
    assert!(large > 300, "most offsets are in the 64-bit table: {large}");
    let (code, doc) = r.run_json(&["history", "--show-secrets"]);
    assert_eq!(code, 1, "{doc}");
    assert_eq!(findings(&doc), findings(&plain));
    let f = with_secret(&doc, &key);
    assert_eq!(f.len(), 1, "{doc}");
    assert_eq!((f[0]["path"].as_str(), f[0]["commit"].as_str()), (Some(".env"), Some(c.to_string().as_str())));
    assert_eq!(f[0]["occurrences"], 2);
    assert_eq!(doc["summary"]["scanned"], plain["summary"]["scanned"]);
    assert_eq!(doc["summary"]["complete"], true, "{doc}");
    assert!(doc["summary"]["warnings"].as_array().is_none_or(|w| w.is_empty()), "{doc}");
}

#[test]
fn a_sha256_repository_is_unusable_input_and_says_why() {
    let t = sha256_repo(&fake_key("openai-project-key"));
    let want = format!("keyhound: error: {}\n", sha256_error(&t));
    for args in [&["history"][..], &["history", "--format", "json"], &["history", "--branch", "HEAD"]] {
        let out = t.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr_of(&out));
        assert_eq!(stderr_of(&out), want, "{args:?}");
        assert_eq!(stdout_of(&out), "", "{args:?}");
    }
    // Named from elsewhere, or from a subdirectory: the same repository.
    std::fs::create_dir(t.path().join("sub")).unwrap();
    let out = Tree::new().run(&["history", t.path().join("sub").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr_of(&out), want);
}

#[test]
fn an_empty_repository_has_nothing_to_report() {
    let r = Repo::new();
    let (code, doc) = r.run_json(&["history"]);
    assert_eq!(code, 0);
    assert!(findings(&doc).is_empty());
    assert_eq!(doc["summary"]["scanned"], 0);
}

#[test]
fn unknown_refs_and_bad_arguments_are_errors() {
    let mut r = Repo::new();
    r.write("a.txt", "hello\n");
    r.commit("init");
    let out = r.run(&["history", "--branch", "no-such-branch"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("no-such-branch"), "{}", stderr_of(&out));
    let out = r.run(&["history", "--range", "HEAD..no-such-ref"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("no-such-ref"), "{}", stderr_of(&out));
    let out = r.run(&["history", "--range", "not-a-range"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("--range"), "{}", stderr_of(&out));
    let out = r.run(&["history", "--range", "HEAD..HEAD", "--branch", "HEAD"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("--branch"), "{}", stderr_of(&out));
}

#[test]
fn binary_and_large_blobs_are_skipped_and_counted() {
    let mut r = Repo::new();
    let key = fake_key("openai-project-key");
    r.write("blob.bin", format!("\0\0binary OPENAI_API_KEY={key}\n"));
    r.write("big.txt", format!("{}\nOPENAI_API_KEY={key}\n", "x".repeat(4000)));
    r.write("small.txt", "hello\n");
    r.commit("add");
    let (code, doc) = r.run_json(&["history", "--max-file-size", "1K"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["summary"]["skipped_binary"], 1);
    assert_eq!(doc["summary"]["skipped_large"], 1);
    assert_eq!(doc["summary"]["scanned"], 1);
}

#[test]
fn jsonl_and_text_show_provenance() {
    let mut r = Repo::new();
    let key = fake_key("openai-project-key");
    r.write(".env", format!("OPENAI_API_KEY={key}\n"));
    let c = r.commit("add");
    let out = r.run(&["history", "--format", "jsonl"]);
    assert_eq!(out.status.code(), Some(1));
    let line: Value = serde_json::from_slice(out.stdout.split(|&b| b == b'\n').next().unwrap()).unwrap();
    assert_eq!(line["commit"], c.to_string());
    let out = r.run(&["history", "--no-progress"]);
    let text = stdout_of(&out);
    assert!(text.contains(&c.to_string()[..12]) && text.contains("in HEAD:     yes"), "{text}");
}

#[test]
fn a_linked_work_tree_and_a_subdirectory_work() {
    let mut r = Repo::new();
    let key = fake_key("openai-project-key");
    r.write("app/.env", format!("OPENAI_API_KEY={key}\n"));
    let c = r.commit("add");
    let (code, doc) = r.run_json(&["history", "app"]);
    assert_eq!((code, findings(&doc)[0]["commit"].as_str()), (1, Some(c.to_string().as_str())));
    let wt = r.worktree("side");
    let (code, doc) = wt.run_json(&["history", "wt"]);
    assert_eq!(code, 1, "{doc}");
    assert_eq!(findings(&doc)[0]["path"], "app/.env");
}

#[test]
fn a_range_that_renames_or_copies_a_committed_key_reports_nothing() {
    let mut r = Repo::new();
    let old = fake_key("openai-project-key");
    r.write(".env", format!("OPENAI_API_KEY={old}\n"));
    r.write("config/app.env", format!("OPENAI_API_KEY={old}\nDEBUG=1\n"));
    r.commit("old key");
    r.tag("base");
    let main = r.current_branch();
    // Another branch moves a file; merging it brings the moved file.
    r.branch("other");
    r.rename("config/app.env", "settings/app.env");
    r.commit("move config");
    r.checkout(&main);
    r.rename(".env", "deploy/.env");
    r.commit("move");
    r.write("copy.env", format!("OPENAI_API_KEY={old}\n"));
    r.commit("copy");
    r.merge("other", "merge other", |_| {});
    let (code, doc) = r.run_json(&["history", "--range", "base..HEAD", "--show-secrets"]);
    assert_eq!((code, findings(&doc).len()), (0, 0), "{doc}");
    assert_eq!(doc["summary"]["scanned"], 0, "{doc}");

    // A renamed file edited afterwards is new content: its blob is scanned.
    let new = fake_key("anthropic-api-key");
    r.rename("copy.env", "prod.env");
    r.write("prod.env", format!("OPENAI_API_KEY={old}\nCLIENT_KEY={new}\n"));
    let c = r.commit("new key");
    let (code, doc) = r.run_json(&["history", "--range", "base..HEAD", "--show-secrets"]);
    assert_eq!(code, 1, "{doc}");
    let f = findings(&doc);
    let new_one: Vec<&Value> = f.iter().filter(|f| f["secret"] == new.as_str()).collect();
    assert_eq!(new_one.len(), 1, "{doc}");
    assert_eq!(new_one[0]["commit"], c.to_string());
    assert_eq!(new_one[0]["path"], "prod.env");
    // The old key, kept through the rename and the edit, is now in new
    // content at a path the base never had it at: reported there, once.
    let kept: Vec<&Value> = f.iter().filter(|f| f["secret"] == old.as_str()).collect();
    assert_eq!(kept.len(), 1, "{doc}");
    assert_eq!(
        (kept[0]["path"].as_str(), kept[0]["commit"].as_str()),
        (Some("prod.env"), Some(c.to_string().as_str()))
    );
}
