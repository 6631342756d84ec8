//! Generic credential detection end to end: the bench's generator of leaks
//! and decoys on a small sample, credentials files known by their name in
//! every source (files, archives, git history, staged changes), and how a
//! guessable secret is hashed and shown.

use std::path::Path;
use std::process::Command;

use crate::harness::*;
use keyhound::rules::template::expand;

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_bench_sample_is_found_and_no_decoy_is_reported() {
    // A small sample of bench/generic/gen.py (fake values made at run time):
    // at the default confidence, at least 95% of the leaks found and no
    // decoy reported.
    let dir = tempfile::tempdir().unwrap();
    let bench = repo_root().join("bench/generic");
    let gen = Command::new("python3")
        .arg(bench.join("gen.py"))
        .arg(dir.path())
        .args(["--cases", "80", "--seed", "7"])
        .status()
        .expect("python3 runs the generator");
    assert!(gen.success());
    let out = Command::new("python3")
        .arg(bench.join("score.py"))
        .arg(assert_cmd::cargo::cargo_bin("keyhound"))
        .arg(dir.path())
        .output()
        .expect("python3 runs the scorer");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{report}{}", String::from_utf8_lossy(&out.stderr));
    assert!(report.contains("leaks: 80 in") && report.contains("reported 0"), "{report}");
}

#[test]
fn values_after_a_blank_are_read_where_the_line_says_so() {
    // A name, a blank and a word is prose; a `--flag`, Dockerfile `ENV` or
    // `.netrc` entry says the word is the value.
    let t = Tree::new();
    let v: Vec<String> = (1..=8).map(|i| expand("{{a:10}}{{d:3}}{{A:5}}", i)).collect();
    t.write("run.sh", format!("app serve --db-pass {} --port 8080\nmysqldump --password {} app\n", v[0], v[1]));
    // `ENV` names end in the keyword pass's name anchors, camel humps
    // included; a `key` without a qualifier is none.
    t.write(
        "Dockerfile",
        format!(
            "FROM alpine\nENV DB_PASSWORD {}\nENV LOG_LEVEL debug\nENV dbPass {}\nENV CACHE_KEY {}\n",
            v[2], v[6], v[7]
        ),
    );
    t.write(
        "home/.netrc",
        format!("machine api.acme.io\n  login me\n  password {}\nmachine b.acme.io login u password {}\n", v[3], v[4]),
    );
    t.write("notes.md", format!("The password {} is what the token checks.\n", v[5]));
    let (code, doc) = t.run_json(&["scan", ".", "--show-secrets"]);
    assert_eq!(code, 1);
    let mut got: Vec<(String, String)> = findings(&doc)
        .iter()
        .map(|f| (f["path"].as_str().unwrap().into(), f["secret"].as_str().unwrap().into()))
        .collect();
    got.sort();
    let mut want = vec![
        ("Dockerfile".to_string(), v[2].clone()),
        ("Dockerfile".into(), v[6].clone()),
        ("home/.netrc".into(), v[3].clone()),
        ("home/.netrc".into(), v[4].clone()),
        ("run.sh".into(), v[0].clone()),
        ("run.sh".into(), v[1].clone()),
    ];
    want.sort();
    assert_eq!(got, want, "prose in notes.md is not an assignment");
}

#[test]
fn credentials_files_are_known_by_name_in_files_and_archives() {
    let t = Tree::new();
    let pg = expand("{{a:20}}", 1);
    let ht = expand("{{a:16}}", 2);
    t.write("home/.pgpass", format!("db.acme.internal:5432:app:app:{pg}\n"));
    t.write("notes.txt", format!("db.acme.internal:5432:app:app:{pg}\n"));
    t.write("site.zip", zip_of(&[("conf/.htpasswd", format!("admin:{ht}\n").as_bytes())]));
    let (code, doc) = t.run_json(&["scan", ".", "--show-secrets"]);
    assert_eq!(code, 1);
    let mut got: Vec<(String, String, String)> = findings(&doc)
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().into(),
                f["path"].as_str().unwrap().into(),
                f["secret"].as_str().unwrap().into(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("htpasswd-password".into(), "site.zip!conf/.htpasswd".into(), ht),
            ("pgpass-password".into(), "home/.pgpass".into(), pg),
        ],
        "the same line in notes.txt is not a password file"
    );
}

#[test]
fn credentials_files_are_known_by_name_in_history_and_staged_changes() {
    let mut r = Repo::new();
    r.commit_readme();
    let pg = expand("{{a:20}}", 3);
    r.write("ops/.pgpass", format!("*:*:*:reports:{pg}\n"));
    r.commit("add pgpass");
    let (code, doc) = r.run_json(&["history", "."]);
    assert_eq!(code, 1);
    let rules: Vec<&str> = findings(&doc).iter().map(|f| f["rule_id"].as_str().unwrap()).collect();
    assert_eq!(rules, ["pgpass-password"]);
    let ht = expand("{{a:14}}", 4);
    r.write("web/.htpasswd", format!("ops:{ht}\n"));
    let (code, doc) = r.run_json(&["staged"]);
    assert_eq!(code, 1);
    let rules: Vec<&str> = findings(&doc).iter().map(|f| f["rule_id"].as_str().unwrap()).collect();
    assert_eq!(rules, ["htpasswd-password"]);
}

#[test]
fn a_guessable_secret_is_shown_by_its_length_and_hashed_slowly() {
    let t = Tree::new();
    let password = expand("{{a:10}}", 5);
    t.write(".env", format!("DB_PASSWORD={password}\n"));
    t.write("other/.env", format!("SMTP_PASSWORD={password}\n"));
    let (code, doc) = t.run_json(&["scan", "."]);
    assert_eq!(code, 1);
    let f = findings(&doc);
    assert_eq!(f.len(), 2);
    assert_eq!(f[0]["secret"], "…(10 chars)", "no character of a short password is shown");
    // The baseline holds the slow salted hash, the same for both places,
    // and it suppresses them on the next run.
    t.run(&["baseline", "scan", ".", "-o", "baseline.json"]);
    let baseline = t.read("baseline.json");
    let plain = keyhound::model::secret_hash(&password);
    let slow = keyhound::model::slow_secret_hash(&password);
    assert!(!baseline.contains(&plain) && baseline.matches(&slow).count() == 2, "{baseline}");
    let (code, doc) = t.run_json(&["scan", ".", "--baseline", "baseline.json"]);
    assert_eq!((code, findings(&doc).len()), (0, 0), "{doc}");
}
