//! Suppression: inline allow comments, `.keyhound.toml` (rules, allowlists,
//! max-file-size, errors, what it may not do) and baselines, across `scan`
//! and `history`.

use crate::harness::*;

/// The secrets (run with --show-secrets) of the reported findings.
fn secrets(doc: &serde_json::Value) -> Vec<String> {
    findings(doc)
        .iter()
        .filter(|f| f["suppressed"].is_null())
        .map(|f| f["secret"].as_str().unwrap().to_string())
        .collect()
}

// ---- inline allow comments ----

#[test]
fn allow_comments_in_several_languages() {
    let t = Tree::new();
    let k = || fake_key("openai-project-key");
    t.write("app.py", format!("import os\nKEY = \"{}\"  # keyhound:allow\n", k()));
    t.write("app.js", format!("const key = \"{}\"; // keyhound:allow\n", k()));
    t.write("Main.java", format!("class M {{\n  String k = \"{}\"; /* gitleaks:allow */\n}}\n", k()));
    t.write("index.html", format!("<meta name=\"k\" content=\"{}\"> <!-- keyhound:allow -->\n", k()));
    t.write("seed.sql", format!("INSERT INTO keys VALUES ('{}'); -- keyhound:allow\n", k()));
    t.write("conf.yaml", format!("openai:\n  key: {}  # gitleaks:allow test fixture\n", k()));
    // The marker far beyond the few dozen characters of context kept for output.
    let long = format!("{}KEY={} {} # keyhound:allow\n", "x = 1; ".repeat(20), k(), "y".repeat(200));
    t.write("long.rb", long);
    // A multi-line secret: the marker on its first line or on its last.
    let pem1 = fake_key("private-key-rsa");
    let pem2 = fake_key("private-key-rsa");
    t.write("first.js", format!("/* keyhound:allow */ const pem = `{pem1}`;\n"));
    t.write("last.py", format!("PEM = \"\"\"{pem2}\"\"\"  # keyhound:allow\n"));

    let (code, doc) = t.run_json(&["scan", ".", "--show-suppressed"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["summary"]["findings"], 0, "{doc}");
    assert_eq!(doc["summary"]["suppressed"], 9, "{doc}");
    let s = suppressed(&doc);
    assert_eq!(s.len(), 9, "{s:?}");
    assert!(s.iter().all(|(_, _, why)| why == "allow-comment"), "{s:?}");
    assert!(s.iter().any(|(p, l, _)| p == "Main.java" && *l == 2), "{s:?}");

    // Without --show-suppressed they are counted, not listed.
    let (_, doc) = t.run_json(&["scan", "."]);
    assert!(findings(&doc).is_empty(), "{doc}");
    assert_eq!(doc["summary"]["suppressed"], 9);
}

#[test]
fn allow_comment_on_another_line_does_not_suppress() {
    let t = Tree::new();
    t.write("a.py", format!("# keyhound:allow\nKEY = \"{}\"\n", fake_key("openai-project-key")));
    t.write("b.py", format!("KEY = \"{}\"\n# gitleaks:allow\n", fake_key("anthropic-api-key")));
    t.write("c.txt", format!("{}\nkeyhound: allow\n", fake_key("github-personal-access-token")));
    let (code, doc) = t.run_json(&["scan", "."]);
    assert_eq!(code, 1);
    assert_eq!(reported(&doc), [("a.py".into(), 2), ("b.py".into(), 1), ("c.txt".into(), 1)]);
    assert_eq!(doc["summary"]["suppressed"], 0);
}

#[test]
fn one_allowed_line_does_not_allow_the_others() {
    let t = Tree::new();
    let key = fake_key("openai-project-key");
    t.write(".env", format!("A={key} # keyhound:allow\nB={key}\n"));
    let (code, doc) = t.run_json(&["scan", "."]);
    assert_eq!(code, 1);
    assert_eq!(reported(&doc), [(".env".into(), 2)]);
    assert_eq!(doc["summary"]["suppressed"], 1);
}

#[test]
fn text_output_marks_suppressed_findings() {
    let t = Tree::new();
    t.write("a.py", format!("K = '{}'  # keyhound:allow\n", fake_key("openai-project-key")));
    let out = t.run(&["scan", ".", "--show-suppressed"]);
    assert_eq!(exit_code(&out), 0);
    let text = stdout_of(&out);
    assert!(text.contains("suppressed:  allow-comment"), "{text}");
    assert!(stderr_of(&out).contains("0 findings in 1 file") && stderr_of(&out).contains("1 suppressed"));
}

#[test]
fn allow_comments_apply_to_history() {
    let mut r = Repo::new();
    r.write("fixture.py", format!("KEY = '{}'  # keyhound:allow\n", fake_key("openai-project-key")));
    r.write("leak.py", format!("KEY = '{}'\n", fake_key("openai-project-key")));
    r.commit("add");
    let (code, doc) = r.run_json(&["history", "--show-suppressed"]);
    assert_eq!(code, 1);
    assert_eq!(reported(&doc), [("leak.py".into(), 1)]);
    assert_eq!(suppressed(&doc), [("fixture.py".into(), 1, "allow-comment".into())]);
}

// ---- .keyhound.toml ----

#[test]
fn config_disables_rules() {
    let t = Tree::new();
    t.write("a.env", format!("AWS={}\nOPENAI={}\n", fake_key("aws-access-key-id"), fake_key("openai-legacy-key")));
    t.write(".keyhound.toml", "[rules]\ndisable = [\"aws-access-key-id\"]\n");
    let (code, doc) = t.run_json(&["scan", "."]);
    assert_eq!(code, 1);
    let f = findings(&doc);
    assert_eq!(f.len(), 1, "{doc}");
    assert_eq!(f[0]["rule_id"], "openai-legacy-key");
    assert_eq!(doc["summary"]["suppressed"], 0, "a disabled rule finds nothing to suppress");
    let out = t.run(&["rules", "list"]);
    assert!(!stdout_of(&out).contains("aws-access-key-id"));
}

#[test]
fn config_adds_rules_in_the_rule_file_format() {
    let t = Tree::new();
    t.write(
        ".keyhound.toml",
        r#"[[rule]]
id = "acme-token"
name = "Acme internal token"
regex = '''(?P<secret>acme_[a-z0-9]{24})(?:[^a-z0-9]|$)'''
keywords = ["acme_"]
severity = "critical"
examples = ['ACME=acme_{{l:24}}']
negative_examples = ['ACME=acme_short']
"#,
    );
    t.write("app.cfg", "token = acme_q8zr2lmwx0pkt7vb3nyc5d9e\n");
    let (code, doc) = t.run_json(&["scan", "."]);
    assert_eq!(code, 1);
    let f = findings(&doc);
    assert_eq!(f.len(), 1, "{doc}");
    assert_eq!((f[0]["rule_id"].as_str(), f[0]["severity"].as_str()), (Some("acme-token"), Some("critical")));
    // Its examples run with the shipped rules'.
    let out = t.run(&["rules", "check"]);
    assert_eq!(exit_code(&out), 0, "{}", stdout_of(&out));
    assert!(stdout_of(&t.run(&["rules", "list"])).contains("acme-token"));
}

#[test]
fn config_allows_paths_with_gitignore_globs() {
    let t = Tree::new();
    let k = || format!("KEY={}\n", fake_key("openai-project-key"));
    t.write("tests/fixtures/keys.env", k());
    t.write("tests/fixtures/deep/more.env", k());
    t.write("src/ui/__snapshots__/view.snap", k());
    t.write("build/out.js", k());
    t.write("src/build/real.env", k());
    t.write("src/tests/fixtures.env", k());
    t.write(".keyhound.toml", "[allow]\npaths = [\"tests/fixtures/**\", \"*.snap\", \"/build/\"]\n");
    let (code, doc) = t.run_json(&["scan", ".", "--show-suppressed"]);
    assert_eq!(code, 1);
    assert_eq!(reported(&doc), [("src/build/real.env".into(), 1), ("src/tests/fixtures.env".into(), 1)]);
    let s = suppressed(&doc);
    assert_eq!(s.len(), 4, "{s:?}");
    assert!(s.iter().all(|(_, _, why)| why == "config-path"), "{s:?}");
}

#[test]
fn config_path_globs_are_relative_to_the_root_wherever_the_scan_starts() {
    let r = Repo::new();
    r.write_unstaged("tests/fixtures/keys.env", format!("KEY={}\n", fake_key("openai-project-key")));
    r.write_unstaged("tests/real.env", format!("KEY={}\n", fake_key("openai-project-key")));
    r.write_unstaged(".keyhound.toml", "[allow]\npaths = [\"tests/fixtures/\"]\n");
    std::fs::create_dir_all(r.path().join("src")).unwrap();
    for (dir, args) in [
        ("src", vec!["scan", "../tests", "--format", "json"]),
        ("tests", vec!["scan", ".", "--format", "json"]),
        (".", vec!["scan", "tests/", "--format", "json"]),
    ] {
        let out = r.run_in(dir, &args);
        let doc = parse_json(&out);
        assert_eq!(doc["summary"]["findings"], 1, "{dir}: {args:?}: {doc}");
        assert_eq!(doc["summary"]["suppressed"], 1, "{dir}: {args:?}: {doc}");
        assert!(findings(&doc)[0]["path"].as_str().unwrap().ends_with("real.env"));
    }
    // An absolute path to the tree works the same.
    let abs = r.path().join("tests").display().to_string();
    let (_, doc) = Tree::new().run_json(&["scan", &abs]);
    assert_eq!(doc["summary"]["suppressed"], 1, "{doc}");
}

#[test]
fn config_allows_values_and_stopwords() {
    let t = Tree::new();
    let test_key = fake_key("openai-project-key");
    let stop_key = fake_key("anthropic-api-key");
    let real_key = fake_key("openai-project-key");
    // A value regex anchored on the test key's own prefix, and a stopword
    // taken from the middle of the other key (matched case-insensitively).
    let prefix = &test_key[..20];
    let stopword = stop_key[30..38].to_uppercase();
    t.write("a.env", format!("TEST={test_key}\nSTOP={stop_key}\nREAL={real_key}\n"));
    t.write(".keyhound.toml", format!("[allow]\nvalues = ['''^{prefix}''']\nstopwords = [\"{stopword}\"]\n"));
    let (code, doc) = t.run_json(&["scan", ".", "--show-suppressed", "--show-secrets"]);
    assert_eq!(code, 1);
    assert_eq!(secrets(&doc), [real_key]);
    assert_eq!(suppressed(&doc), [("a.env".into(), 1, "config-value".into()), ("a.env".into(), 2, "stopword".into())]);
}

#[test]
fn config_sets_max_file_size_and_the_flag_overrides_it() {
    let t = Tree::new();
    t.write("big.env", format!("{}\nKEY={}\n", "#".repeat(3000), fake_key("openai-project-key")));
    t.write(".keyhound.toml", "max-file-size = \"2K\"\n");
    let (code, doc) = t.run_json(&["scan", "."]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["summary"]["skipped_large"], 1);
    let (code, doc) = t.run_json(&["scan", ".", "--max-file-size", "1M"]);
    assert_eq!(code, 1, "{doc}");
    assert_eq!(doc["summary"]["skipped_large"], 0);
}

#[test]
fn config_flag_and_no_config() {
    let t = Tree::new();
    t.write("a.env", format!("KEY={}\n", fake_key("openai-project-key")));
    t.write(".keyhound.toml", "[allow]\npaths = [\"*.env\"]\n");
    t.write("other/strict.toml", "[allow]\npaths = [\"nothing/\"]\n");
    let (code, _) = t.run_json(&["scan", "."]);
    assert_eq!(code, 0);
    let (code, _) = t.run_json(&["scan", ".", "--no-config"]);
    assert_eq!(code, 1);
    let (code, _) = t.run_json(&["scan", ".", "--config", "other/strict.toml"]);
    assert_eq!(code, 1);
    let out = t.run(&["scan", ".", "--config", "missing.toml"]);
    assert_eq!(exit_code(&out), 2);
    assert!(stderr_of(&out).contains("missing.toml"), "{}", stderr_of(&out));
    // A broken config is ignored with --no-config.
    t.write(".keyhound.toml", "bogus = 1\n");
    assert_eq!(exit_code(&t.run(&["scan", ".", "--no-config"])), 1);
}

#[test]
fn config_errors_name_file_line_and_key() {
    let t = Tree::new();
    t.write("a.env", format!("KEY={}\n", fake_key("openai-project-key")));
    let cases = [
        ("# settings\nmax-file-size = \"1M\"\nbogus = true\n", ".keyhound.toml:3: bogus: unknown key"),
        ("[allow]\npaths = [\"x/\"]\nvalue = []\n", ".keyhound.toml:3: value: unknown key"),
        ("[allow]\nvalues = [\n  '''^ok''',\n  '''(unclosed''',\n]\n", ".keyhound.toml:4: allow.values: invalid regex"),
        ("\n\n[allow]\npaths = [\"a/{b\"]\n", ".keyhound.toml:4: allow.paths: invalid glob"),
        ("[allow]\nstopwords = [\"\"]\n", ".keyhound.toml:2: allow.stopwords"),
        ("[rules]\ndisable = [\"no-such-rule\"]\n", ".keyhound.toml:2: rules.disable: no rule has id"),
        ("max-file-size = \"lots\"\n", ".keyhound.toml:1: max-file-size: invalid size"),
        (
            "[[rule]]\nid = \"x-bad\"\nname = \"X\"\nkeywords = [\"x\"]\nregex = '''(unclosed'''\n",
            ".keyhound.toml:5: rule.regex: rule `x-bad`: invalid rule regex",
        ),
        (
            "[[rule]]\nid = \"x\"\nname = \"X\"\nregex = 'x1'\nkeywords = ['x']\nkeyword = 1\n",
            ".keyhound.toml:6: keyword",
        ),
    ];
    for (text, want) in cases {
        t.write(".keyhound.toml", text);
        let out = t.run(&["scan", "."]);
        assert_eq!(exit_code(&out), 2, "{text:?}");
        let err = stderr_of(&out);
        assert!(err.contains(&format!("keyhound: error: {want}")), "{text:?}\n  got:  {err}\n  want: {want}");
        assert!(out.stdout.is_empty());
    }
    // --config names the file as given.
    t.write("conf/kh.toml", "\nbogus = 1\n");
    t.write(".keyhound.toml", "");
    let out = t.run(&["scan", ".", "--config", "conf/kh.toml"]);
    assert!(stderr_of(&out).contains("conf/kh.toml:2: bogus"), "{}", stderr_of(&out));
}

#[test]
fn config_cannot_enable_verification_or_unredacted_output() {
    let t = Tree::new();
    let key = fake_key("openai-project-key");
    t.write("a.env", format!("KEY={key}\n"));
    for (text, line, key_name, why) in [
        ("verify = true\n", 1, "verify", "cannot turn on verification"),
        ("# ok\nverify-base-url = \"https://collector.example\"\n", 2, "verify-base-url", "verification requests go"),
        ("[verify]\nenabled = true\n", 1, "verify", "cannot turn on verification"),
        ("show-secrets = true\n", 1, "show-secrets", "cannot print secrets unredacted"),
        ("[allow]\nno-redact = true\n", 2, "no-redact", "cannot print secrets unredacted"),
    ] {
        t.write(".keyhound.toml", text);
        let out = t.run(&["scan", "."]);
        assert_eq!(exit_code(&out), 2, "{text:?}");
        let err = stderr_of(&out);
        assert!(err.contains(&format!(".keyhound.toml:{line}: {key_name}: a repository config cannot")), "{err}");
        assert!(err.contains(why), "{err}");
        assert!(!stdout_of(&out).contains(&key));
    }
}

#[test]
fn config_at_the_repository_root_applies_to_history() {
    let mut r = Repo::new();
    r.write("tests/fixtures/old.env", format!("KEY={}\n", fake_key("openai-project-key")));
    r.write("app.env", format!("KEY={}\n", fake_key("openai-project-key")));
    r.write(".keyhound.toml", "[allow]\npaths = [\"tests/fixtures/**\"]\n");
    r.commit("add");
    let (code, doc) = r.run_json(&["history", "--show-suppressed"]);
    assert_eq!(code, 1);
    assert_eq!(reported(&doc), [("app.env".into(), 1)]);
    assert_eq!(suppressed(&doc), [("tests/fixtures/old.env".into(), 1, "config-path".into())]);
    // A bare clone reads the config from HEAD's tree.
    let bare = r.clone_bare();
    let (code, doc) = bare.run_json(&["history", "."]);
    assert_eq!(code, 1);
    assert_eq!(doc["summary"]["suppressed"], 1, "{doc}");
}

// ---- baselines ----

#[test]
fn baseline_round_trip() {
    let t = Tree::new();
    let k1 = fake_key("openai-project-key");
    let k2 = fake_key("aws-access-key-id");
    t.write("config/.env", format!("# settings\nOPENAI_API_KEY={k1}\n"));
    t.write("src/app.py", format!("import boto3\nAWS = \"{k2}\"\n"));

    let out = t.run(&["baseline", "scan", ".", "--output", "keyhound-baseline.json"]);
    assert_eq!(exit_code(&out), 0, "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("wrote a baseline of 2 findings"), "{}", stderr_of(&out));
    let text = t.read("keyhound-baseline.json");
    assert!(!text.contains(&k1) && !text.contains(&k2), "the baseline holds a secret:\n{text}");
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["version"], 1);
    let entries = doc["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["path"], "config/.env");
    assert_eq!(entries[0]["rule_id"], "openai-project-key");
    assert_eq!(entries[0]["line"], 2);
    assert_eq!(entries[0]["secret_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(entries[1]["path"], "src/app.py");

    // Rescan: nothing reported.
    let (code, doc) = t.run_json(&["scan", ".", "--baseline", "keyhound-baseline.json"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["summary"]["findings"], 0);
    assert_eq!(doc["summary"]["suppressed"], 2);

    // Lines inserted above: still nothing.
    t.write("config/.env", format!("# settings\n# more\n\nDEBUG=1\nOPENAI_API_KEY={k1}\n"));
    let (code, doc) = t.run_json(&["scan", ".", "--baseline", "keyhound-baseline.json"]);
    assert_eq!(code, 0, "{doc}");

    // A new key: exactly one finding, the new one.
    let k3 = fake_key("openai-project-key");
    t.write("config/.env", format!("# settings\n# more\n\nDEBUG=1\nOPENAI_API_KEY={k1}\nNEW_KEY={k3}\n"));
    let (code, doc) = t.run_json(&["scan", ".", "--baseline", "keyhound-baseline.json", "--show-secrets"]);
    assert_eq!(code, 1);
    assert_eq!(secrets(&doc), std::slice::from_ref(&k3));
    assert_eq!(findings(&doc)[0]["line"], 6);

    // A new secret on the line that held a baselined one is reported.
    let k4 = fake_key("aws-access-key-id");
    t.write("src/app.py", format!("import boto3\nAWS = \"{k4}\"\n"));
    let (_, doc) = t.run_json(&["scan", ".", "--baseline", "keyhound-baseline.json", "--show-secrets"]);
    let mut got = secrets(&doc);
    got.sort();
    let mut want = vec![k3, k4];
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn baseline_is_stable_sorted_and_suppressed_findings_are_listed_on_request() {
    let t = Tree::new();
    for name in ["z.env", "a.env", "m/b.env"] {
        t.write(name, format!("K={}\nL={}\n", fake_key("openai-legacy-key"), fake_key("github-personal-access-token")));
    }
    assert_eq!(exit_code(&t.run(&["baseline", "-o", "b1.json"])), 0);
    assert_eq!(exit_code(&t.run(&["baseline", "scan", "-o", "b2.json"])), 0);
    let (b1, b2) = (t.read("b1.json"), t.read("b2.json"));
    assert_eq!(b1, b2, "writing twice gives the same bytes");
    let doc: serde_json::Value = serde_json::from_str(&b1).unwrap();
    let keys: Vec<(String, String)> = doc["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["path"].as_str().unwrap().to_string(), e["rule_id"].as_str().unwrap().to_string()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(keys.len(), 6);
    // One entry per line of the file.
    assert_eq!(b1.lines().filter(|l| l.contains("secret_sha256")).count(), 6);

    let (code, doc) = t.run_json(&["scan", ".", "--baseline", "b1.json", "--show-suppressed"]);
    assert_eq!(code, 0);
    let s = suppressed(&doc);
    assert_eq!(s.len(), 6);
    assert!(s.iter().all(|(_, _, why)| why == "baseline"), "{s:?}");
}

#[test]
fn baseline_from_history_applies_to_scan_and_back() {
    let mut r = Repo::new();
    let old = fake_key("openai-project-key");
    let live = fake_key("anthropic-api-key");
    r.write("deploy/.env", format!("OPENAI_API_KEY={old}\n"));
    r.write("app/settings.py", format!("import os\nANTHROPIC = \"{live}\"\n"));
    r.commit("initial");
    r.write("deploy/.env", "OPENAI_API_KEY=${OPENAI_API_KEY}\n");
    r.commit("rotate");

    let out = r.run(&["baseline", "history", "--output", "baseline.json"]);
    assert_eq!(exit_code(&out), 0, "{}", stderr_of(&out));
    let text = std::fs::read_to_string(r.path().join("baseline.json")).unwrap();
    assert!(!text.contains(&old) && !text.contains(&live));
    assert_eq!(text.matches("secret_sha256").count(), 2, "{text}");

    // History with its own baseline: nothing.
    let (code, doc) = r.run_json(&["history", "--baseline", "baseline.json"]);
    assert_eq!(code, 0, "{doc}");
    // The history baseline silences the same secret in the working tree,
    // from the root or from a subdirectory.
    let (code, doc) = r.run_json(&["scan", ".", "--baseline", "baseline.json"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["summary"]["suppressed"], 1);
    let out = r.run_in("app", &["scan", ".", "--baseline", "../baseline.json", "--format", "json"]);
    assert_eq!(exit_code(&out), 0, "{}", stdout_of(&out));
    // A new key in the working tree is still reported.
    r.write_unstaged("app/more.py", format!("KEY = \"{}\"\n", fake_key("openai-project-key")));
    let (code, doc) = r.run_json(&["scan", ".", "--baseline", "baseline.json"]);
    assert_eq!(code, 1);
    assert_eq!(reported(&doc), [("app/more.py".into(), 1)]);

    // And a baseline of the working tree applies to history.
    std::fs::remove_file(r.path().join("app/more.py")).unwrap();
    assert_eq!(exit_code(&r.run(&["baseline", "scan", ".", "-o", "tree.json"])), 0);
    let (code, doc) = r.run_json(&["history", "--baseline", "tree.json", "--show-secrets"]);
    assert_eq!(code, 1, "the deleted key was never in the tree's baseline");
    assert_eq!(secrets(&doc), [old]);
}

#[test]
fn baseline_errors() {
    let t = Tree::new();
    t.write("a.env", format!("K={}\n", fake_key("openai-project-key")));
    let out = t.run(&["baseline", "scan", "."]);
    assert_eq!(exit_code(&out), 2);
    assert!(stderr_of(&out).contains("--output"), "{}", stderr_of(&out));
    let out = t.run(&["scan", ".", "--baseline", "nope.json"]);
    assert_eq!(exit_code(&out), 2);
    assert!(stderr_of(&out).contains("nope.json"));
    t.write("bad.json", "{\n  \"version\": 1,\n  \"entries\": [\n    {\"rule_id\": 1}\n  ]\n}\n");
    let out = t.run(&["scan", ".", "--baseline", "bad.json"]);
    assert_eq!(exit_code(&out), 2);
    assert!(stderr_of(&out).contains("bad.json:4: invalid baseline"), "{}", stderr_of(&out));
    t.write("v2.json", "{\"version\": 2, \"entries\": []}");
    let out = t.run(&["scan", ".", "--baseline", "v2.json"]);
    assert!(stderr_of(&out).contains("version 2"), "{}", stderr_of(&out));
    let out = t.run(&["baseline", "-o", "x.json", "--baseline", "v2.json"]);
    assert_eq!(exit_code(&out), 2);
}

#[test]
fn baseline_applies_to_stdin_by_its_name() {
    let t = Tree::new();
    let key = fake_key("openai-project-key");
    let run = |args: &[&str]| t.run_stdin(args, &[], &format!("K={key}\n"));
    assert_eq!(exit_code(&run(&["baseline", "scan", "-", "-o", "b.json"])), 0);
    assert_eq!(exit_code(&run(&["scan", "-", "--baseline", "b.json"])), 0);
    assert!(t.read("b.json").contains("\"path\":\"<stdin>\""));
}

// ---- staged (pre-commit) ----

#[test]
fn staged_honours_allow_comments_config_and_history_baselines() {
    let mut r = Repo::new();
    let fixture = fake_key("openai-project-key");
    r.write("tests/data/keys.env", format!("KEY={fixture}\n"));
    r.write("README.md", "demo\n");
    r.commit("add a fixture");
    r.remove("tests/data/keys.env");
    r.commit("drop the fixture");
    let out = r.run(&["baseline", "history", "-o", "baseline.json"]);
    assert_eq!(exit_code(&out), 0, "{}", stderr_of(&out));

    // The same fixture comes back: the history baseline covers it.
    r.write("tests/data/keys.env", format!("KEY={fixture}\n"));
    r.write("a.py", format!("K = '{}'  # keyhound:allow\n", fake_key("anthropic-api-key")));
    r.write("vendor/x.env", format!("K={}\n", fake_key("openai-legacy-key")));
    r.write(".keyhound.toml", "[allow]\npaths = [\"vendor/\"]\n");
    let (code, doc) = r.run_json(&["staged", "--baseline", "baseline.json", "--show-suppressed"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(
        suppressed(&doc),
        [
            ("a.py".into(), 1, "allow-comment".into()),
            ("tests/data/keys.env".into(), 1, "baseline".into()),
            ("vendor/x.env".into(), 1, "config-path".into())
        ]
    );
    // Without the baseline the fixture blocks the commit.
    let out = r.run(&["staged"]);
    assert_eq!(exit_code(&out), 1);
    assert!(stdout_of(&out).contains("tests/data/keys.env"));
    // A new key is blocked despite the baseline.
    r.write("app.env", format!("K={}\n", fake_key("openai-project-key")));
    let (code, doc) = r.run_json(&["staged", "--baseline", "baseline.json"]);
    assert_eq!(code, 1);
    assert_eq!(reported(&doc), [("app.env".into(), 1)]);
}

// ---- SARIF and `keyhound ci` ----

#[test]
fn sarif_marks_suppressed_results_only_when_asked() {
    let t = Tree::new();
    t.write("fixture.py", format!("K = '{}'  # keyhound:allow\n", fake_key("openai-project-key")));
    t.write("old.env", format!("K={}\n", fake_key("anthropic-api-key")));
    assert_eq!(exit_code(&t.run(&["baseline", "-o", "base.json"])), 0);
    t.write("new.env", format!("K={}\n", fake_key("openai-legacy-key")));

    let run = t.run_sarif(&["scan", ".", "--baseline", "base.json"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.results().len(), 1);
    assert!(run.results()[0]["suppressions"].is_null());

    let run = t.run_sarif(&["scan", ".", "--baseline", "base.json", "--show-suppressed"]);
    assert_eq!(run.code, 1);
    let mut marks: Vec<(String, String, String)> = run
        .results()
        .iter()
        .filter(|r| !r["suppressions"].is_null())
        .map(|r| {
            let s = &r["suppressions"][0];
            let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap();
            (uri.to_string(), s["kind"].as_str().unwrap().to_string(), s["justification"].as_str().unwrap().to_string())
        })
        .collect();
    marks.sort();
    assert_eq!(
        marks,
        [
            ("fixture.py".into(), "inSource".into(), "keyhound: allow-comment".into()),
            ("old.env".into(), "external".into(), "keyhound: baseline".into())
        ]
    );
}

#[test]
fn ci_suppresses_like_every_command() {
    let mut r = Repo::new();
    r.write("fixture.py", format!("K = '{}'  # keyhound:allow\n", fake_key("openai-project-key")));
    r.write("old.env", format!("K={}\n", fake_key("anthropic-api-key")));
    r.write("vendor/lib.js", format!("const k = '{}';\n", fake_key("openai-legacy-key")));
    r.write(".keyhound.toml", "[allow]\npaths = [\"vendor/\"]\n");
    r.commit("known");
    assert_eq!(exit_code(&r.run(&["baseline", "history", "-o", "base.json"])), 0);
    r.write("new.env", format!("K={}\n", fake_key("openai-project-key")));
    r.commit("new");

    let job = Job::new(r.path(), Some("schedule"), Some(serde_json::json!({})));
    let run = job.run(&["--baseline", "base.json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let annotations = run.finding_annotations();
    assert_eq!(annotations.len(), 1, "{annotations:?}");
    assert!(annotations[0].contains("file=new.env"), "{annotations:?}");
    assert_eq!(run.results().len(), 1);
    assert!(run.outputs.contains("findings=1"), "{}", run.outputs);
    assert!(run.stderr.contains("1 finding") && run.stderr.contains("3 suppressed"), "{}", run.stderr);
}

#[test]
fn ci_show_suppressed_lists_them_like_history_does() {
    let mut r = Repo::new();
    r.write("fixture.py", format!("K = '{}'  # keyhound:allow\n", fake_key("openai-project-key")));
    r.write("new.env", format!("K={}\n", fake_key("anthropic-api-key")));
    r.commit("keys");
    let (_, history) = r.run_json(&["history", "--show-suppressed"]);
    let want = suppressed(&history);
    assert_eq!(want.len(), 1, "{history}");

    let job = Job::new(r.path(), Some("schedule"), Some(serde_json::json!({})));
    let out = r.path().join("ci.json");
    let run = job.run(&["--show-suppressed", "--format", "json", "--output", out.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(suppressed(&doc), want, "{doc}");
    assert_eq!(reported(&doc).len(), 1);
    // Annotations are for what is reported, never for suppressed findings.
    assert_eq!(run.finding_annotations().len(), 1, "{:?}", run.finding_annotations());
}

#[test]
fn unusable_baselines_and_configs_say_what_is_wrong() {
    let t = Tree::new();
    t.write("a.env", "nothing here\n");
    let out = t.run(&["scan", ".", "--baseline", "nope.json"]);
    assert_eq!(exit_code(&out), 2);
    let err = stderr_of(&out);
    assert!(err.contains("cannot read baseline nope.json: no such file\n"), "{err}");
    assert!(!err.contains("os error"), "{err}");

    t.write("report.txt", "a.env:1:1  OpenAI API key\n");
    let out = t.run(&["scan", ".", "--baseline", "report.txt"]);
    assert_eq!(exit_code(&out), 2);
    assert!(stderr_of(&out).contains("report.txt is not a keyhound baseline: not JSON"), "{}", stderr_of(&out));
    t.write("findings.json", "{\"version\": 1, \"findings\": [], \"summary\": {}}");
    let out = t.run(&["scan", ".", "--baseline", "findings.json"]);
    assert!(
        stderr_of(&out).contains(
            "findings.json is not a keyhound baseline: expected a JSON object with \"version\" and \"entries\""
        ),
        "{}",
        stderr_of(&out)
    );

    t.write(".keyhound.toml", "# sizes\nmax-file-size = \"1 MB\"\n");
    let out = t.run(&["scan", "."]);
    assert_eq!(exit_code(&out), 2);
    let err = stderr_of(&out);
    assert!(err.contains(".keyhound.toml:2: max-file-size: invalid size \"1 MB\""), "{err}");
    assert!(err.contains("e.g. 1048576, 512K, 25M"), "{err}");

    t.write(".keyhound.toml", "[allow]\npaths = [\"vendor/\"]\n\n[rules\ndisable = []\n");
    let out = t.run(&["scan", "."]);
    assert_eq!(exit_code(&out), 2);
    let err = stderr_of(&out);
    assert!(err.contains(".keyhound.toml:4: invalid table header"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line, not a multi-line dump: {err}");

    t.write(".keyhound.toml", "[allow]\nvalues = [\"x\",\n");
    let err = stderr_of(&t.run(&["scan", "."]));
    assert!(err.contains(".keyhound.toml:2: "), "an unclosed array is reported on its last line: {err}");
}

#[test]
fn a_config_rule_that_cannot_compile_is_an_error_naming_it() {
    let t = Tree::new();
    t.write("a.txt", "tok_abc\n");
    t.write(
        ".keyhound.toml",
        "[[rule]]\nid = \"home-token\"\nname = \"Home token\"\nkeywords = [\"tok_\"]\nregex = '''(?P<secret>tok_(?:(?:(?:\\w{60}){60}){60}){2})'''\n",
    );
    let out = t.run(&["scan", "."]);
    assert_eq!(exit_code(&out), 2, "a rule that never matches must not pass silently");
    let err = stderr_of(&out);
    assert!(err.contains(".keyhound.toml") && err.contains("home-token"), "{err}");
}
