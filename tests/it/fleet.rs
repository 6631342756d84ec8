//! `keyhound history --state` (remembered scans), many repositories
//! (`--repos`, `--github-org`, `--gitlab-group` against a mock API on
//! 127.0.0.1), `--shard`, and `keyhound report` merging shards into
//! incidents.

use std::path::Path;

use serde_json::{json, Value};

use crate::harness::*;

/// The findings of a JSON report with what depends on the run removed
/// (nothing does: findings must be identical), as text for comparison.
fn findings_text(doc: &Value) -> String {
    serde_json::to_string_pretty(findings(doc)).unwrap()
}

fn history_json(dir: &Path, args: &[&str]) -> (i32, Value, String) {
    let out = keyhound()
        .current_dir(dir)
        .arg("history")
        .args(args)
        .args(["--format", "json", "--show-secrets"])
        .output()
        .unwrap();
    (exit_code(&out), parse_json(&out), stderr_of(&out))
}

fn state_files(state: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(state.join("repos")).unwrap().map(|e| e.unwrap().path()).collect()
}

/// A repository with a key in its history and some clean files.
fn repo_with_history() -> (Repo, String) {
    let mut r = Repo::new();
    let key = fake_key("openai-project-key");
    r.write("README.md", "# demo\n");
    r.write("src/main.rs", "fn main() {}\n");
    r.write(".env", format!("# settings\nOPENAI_API_KEY={key}\n"));
    r.commit("start");
    r.write("src/lib.rs", "pub fn f() {}\n");
    r.remove(".env");
    r.commit("drop the settings");
    (r, key)
}

#[test]
fn a_second_run_reads_only_new_blobs_and_finds_what_a_stateless_run_finds() {
    let (mut r, key) = repo_with_history();
    let state = Tree::new();
    let s = state.path().to_str().unwrap();
    let (code, first, _) = history_json(r.path(), &["--state", s]);
    assert_eq!(code, 1);
    assert_eq!(first["summary"]["scanned"], 4, "{}", first["summary"]);
    assert_eq!(state_files(state.path()).len(), 1);
    // The state holds no secret.
    let bytes = std::fs::read(&state_files(state.path())[0]).unwrap();
    assert!(!bytes.windows(key.len()).any(|w| w == key.as_bytes()));

    // Nothing new: only the blob with the key is read again (its finding
    // rebuilt from the remembered positions); the rest is not read.
    let (code, second, _) = history_json(r.path(), &["--state", s]);
    assert_eq!(code, 1);
    assert_eq!(second["summary"]["scanned"], 1, "{}", second["summary"]);
    assert_eq!(second["summary"]["reused"], 3);
    assert_eq!(findings_text(&second), findings_text(&first));

    // New commits: a new key, the old key copied to a new path, an edit.
    let key2 = fake_key("anthropic-api-key");
    r.write("config/prod.env", format!("# settings\nOPENAI_API_KEY={key}\n"));
    r.write("deploy.sh", format!("export ANTHROPIC_API_KEY={key2}\n"));
    r.commit("deploy");
    r.write("src/lib.rs", "pub fn f() -> u8 { 1 }\n");
    r.commit("edit");
    let (code, third, _) = history_json(r.path(), &["--state", s]);
    let (_, stateless, _) = history_json(r.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(findings_text(&third), findings_text(&stateless));
    assert_eq!(findings(&third).len(), 3, "{third}");
    // Read: deploy.sh and the edited lib.rs (new), the key's blob (remembered matches).
    assert_eq!(third["summary"]["scanned"], 3, "{}", third["summary"]);
    assert_eq!(third["summary"]["reused"], 3);
    assert!(stateless["summary"].get("reused").is_none());

    // A rewritten history (the last commit dropped) is still right.
    r.reset_hard("HEAD~1");
    let (_, fourth, _) = history_json(r.path(), &["--state", s]);
    let (_, stateless, _) = history_json(r.path(), &[]);
    assert_eq!(findings_text(&fourth), findings_text(&stateless));
}

#[test]
fn a_rule_or_option_change_reads_everything_again() {
    let (r, _) = repo_with_history();
    let state = Tree::new();
    let s = state.path().to_str().unwrap();
    history_json(r.path(), &["--state", s]);
    let (_, again, _) = history_json(r.path(), &["--state", s]);
    assert_eq!(again["summary"]["reused"], 3);

    // A rule added (a config of its own): every blob is read again.
    let config = Tree::new();
    config.write(
        "rules.toml",
        "[[rule]]\nid = \"acme-token\"\nname = \"Acme token\"\nregex = '''acme_[a-z0-9]{24}'''\nkeywords = [\"acme_\"]\n",
    );
    let cfg = config.path().join("rules.toml");
    let (_, changed, stderr) = history_json(r.path(), &["--state", s, "--config", cfg.to_str().unwrap()]);
    assert!(changed["summary"].get("reused").is_none(), "{}", changed["summary"]);
    assert_eq!(changed["summary"]["scanned"], 4);
    assert!(stderr.contains("rules or scan options changed"), "{stderr}");
    // ... and remembered under the new rules.
    let (_, again, _) = history_json(r.path(), &["--state", s, "--config", cfg.to_str().unwrap()]);
    assert_eq!(again["summary"]["reused"], 3);
    // An option that changes what is scanned does the same.
    let (_, smaller, _) = history_json(r.path(), &["--state", s, "--max-file-size", "10K"]);
    assert!(smaller["summary"].get("reused").is_none());
}

#[test]
fn corrupt_or_foreign_state_is_a_warning_and_a_full_scan() {
    let (r, _) = repo_with_history();
    let state = Tree::new();
    let s = state.path().to_str().unwrap();
    let (_, clean, _) = history_json(r.path(), &["--state", s]);
    let file = state_files(state.path()).remove(0);
    let mut bytes = std::fs::read(&file).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    std::fs::write(&file, &bytes).unwrap();
    let (code, doc, stderr) = history_json(r.path(), &["--state", s]);
    assert_eq!(code, 1);
    assert!(stderr.contains("is corrupt") && stderr.contains("scanning in full"), "{stderr}");
    assert!(doc["summary"].get("reused").is_none());
    assert_eq!(findings_text(&doc), findings_text(&clean));
    // A good state was written in its place.
    let (_, doc, stderr) = history_json(r.path(), &["--state", s]);
    assert_eq!(doc["summary"]["reused"], 3, "{stderr}");

    // Truncated to nothing, or garbage: the same.
    std::fs::write(&file, b"").unwrap();
    let (_, doc, stderr) = history_json(r.path(), &["--state", s]);
    assert!(stderr.contains("corrupt"), "{stderr}");
    assert_eq!(findings_text(&doc), findings_text(&clean));

    // Another repository's state under this one's name.
    let (other, _) = repo_with_history();
    let other_state = Tree::new();
    history_json(other.path(), &["--state", other_state.path().to_str().unwrap()]);
    std::fs::copy(state_files(other_state.path()).remove(0), &file).unwrap();
    let (_, doc, stderr) = history_json(r.path(), &["--state", s]);
    assert!(stderr.contains("another repository"), "{stderr}");
    assert_eq!(findings_text(&doc), findings_text(&clean));
}

#[test]
fn state_is_refused_with_a_range() {
    let (r, _) = repo_with_history();
    let out = r.run(&["history", "--range", "HEAD~1..HEAD", "--state", "st"]);
    assert_eq!(exit_code(&out), 2);
    assert!(stderr_of(&out).contains("--state cannot be used with --range"), "{}", stderr_of(&out));
}

#[test]
fn a_repository_list_with_a_missing_repository_scans_the_others() {
    let (a, key) = repo_with_history();
    let mut b = Repo::new();
    let key_b = fake_key("github-fine-grained-pat");
    b.write("ci.yml", format!("token: {key_b}\n"));
    b.commit("ci");
    let list = Tree::new();
    let remote = format!("file://{}", b.path().display());
    list.write(
        "repos.txt",
        format!(
            "# team\n{}\n{}/does-not-exist\n{remote}\nfile:///nowhere/at/all.git\n",
            a.path().display(),
            list.path().display()
        ),
    );
    let state = Tree::new();
    let out = list.run(&[
        "history",
        "--repos",
        "repos.txt",
        "--state",
        state.path().to_str().unwrap(),
        "--format",
        "json",
        "--show-secrets",
    ]);
    let doc = parse_json(&out);
    assert_eq!(exit_code(&out), 1, "{}", stderr_of(&out));
    let found: Vec<(String, String)> = findings(&doc)
        .iter()
        .map(|f| (f["repository"].as_str().unwrap().to_string(), f["secret"].as_str().unwrap().to_string()))
        .collect();
    assert!(found.contains(&(a.path().display().to_string(), key.clone())), "{found:?}");
    assert!(found.contains(&(remote.clone(), key_b.clone())), "{found:?}");
    let warnings = doc["summary"]["warnings"].to_string();
    assert!(warnings.contains("does-not-exist") && warnings.contains("nowhere"), "{warnings}");
    assert_eq!(doc["summary"]["complete"], false, "two repositories were not scanned");
    assert!(doc["incidents"].is_array());
    // The URL's repository was mirrored into the state directory.
    assert_eq!(std::fs::read_dir(state.path().join("mirrors")).unwrap().count(), 1);
}

#[test]
fn shards_split_a_list_exactly_and_stably() {
    let list = Tree::new();
    let names: Vec<String> = (0..40).map(|i| format!("https://example.com/org/repo-{i}.git")).collect();
    list.write("repos.txt", names.join("\n"));
    let mut reversed = names.clone();
    reversed.reverse();
    list.write("reversed.txt", reversed.join("\n"));
    let shard = |file: &str, i: u32, n: u32| -> Vec<String> {
        let out = list.run(&["history", "--repos", file, "--shard", &format!("{i}/{n}"), "--list-repos"]);
        assert_eq!(exit_code(&out), 0, "{}", stderr_of(&out));
        let mut v: Vec<String> = stdout_of(&out).lines().map(str::to_string).collect();
        v.sort();
        v
    };
    for n in [1, 3, 8] {
        let mut all: Vec<String> = (0..n).flat_map(|i| shard("repos.txt", i, n)).collect();
        all.sort();
        let mut expected = names.clone();
        expected.sort();
        assert_eq!(all, expected, "every repository in exactly one of {n} shards");
        for i in 0..n {
            assert_eq!(shard("repos.txt", i, n), shard("reversed.txt", i, n), "shard {i}/{n} depends on the list only");
        }
    }
    let out = list.run(&["history", "--repos", "repos.txt", "--shard", "3/3"]);
    assert_eq!(exit_code(&out), 2);
    let out = list.run(&["history", "--shard", "0/2"]);
    assert_eq!(exit_code(&out), 2);
}

#[test]
fn merged_shards_group_one_secret_in_many_repositories_into_one_incident() {
    let shared = fake_key("openai-project-key");
    let mut repos = Vec::new();
    for (i, path) in ["app/.env", "deploy/prod.env", "x.cfg"].iter().enumerate() {
        let mut r = Repo::new();
        r.write(path, format!("OPENAI_API_KEY={shared}\n"));
        if i == 2 {
            r.write("other.env", format!("KEY={}\n", fake_key("anthropic-api-key")));
        }
        r.commit("add");
        repos.push(r);
    }
    let work = Tree::new();
    work.write("repos.txt", repos.iter().map(|r| r.path().display().to_string()).collect::<Vec<_>>().join("\n"));
    // Two shards of the list, written as JSONL.
    for i in 0..2 {
        let out = work.run(&[
            "history",
            "--repos",
            "repos.txt",
            "--shard",
            &format!("{i}/2"),
            "--format",
            "jsonl",
            "--output",
            &format!("shard-{i}.jsonl"),
        ]);
        assert!(matches!(exit_code(&out), 0 | 1), "{}", stderr_of(&out));
    }
    let lines: usize = (0..2).map(|i| work.read(&format!("shard-{i}.jsonl")).lines().count()).sum();
    assert_eq!(lines, 4);
    let out = work.run(&["report", "shard-0.jsonl", "shard-1.jsonl", "--format", "json"]);
    assert_eq!(exit_code(&out), 0, "{}", stderr_of(&out));
    let text = stdout_of(&out);
    assert!(!text.contains(&shared), "redacted");
    let doc: Value = serde_json::from_str(&text).unwrap();
    let incidents = doc["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 2, "{doc}");
    let big = &incidents[0];
    assert_eq!(big["locations"].as_array().unwrap().len(), 3);
    assert_eq!(big["repositories"].as_array().unwrap().len(), 3);
    assert_eq!(big["rule_id"], "openai-project-key");
    assert!(big["id"].as_str().unwrap().starts_with("KH-"));
    let paths: Vec<&str> = big["locations"].as_array().unwrap().iter().map(|l| l["path"].as_str().unwrap()).collect();
    assert_eq!(paths.len(), 3);
    for p in ["app/.env", "deploy/prod.env", "x.cfg"] {
        assert!(paths.contains(&p), "{paths:?}");
    }
    // Text, SARIF and HTML show the incident too.
    let out = work.run(&["report", "shard-0.jsonl", "shard-1.jsonl"]);
    let text = stdout_of(&out);
    assert!(text.contains(big["id"].as_str().unwrap()) && text.contains("3 places in 3 repositories"), "{text}");
    assert!(!text.contains(&shared));
    let out = work.run(&["report", "shard-0.jsonl", "shard-1.jsonl", "--format", "sarif"]);
    let sarif = SarifRun::from_output(&out);
    let related: usize = sarif.doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["relatedLocations"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(related, 6, "each of the 3 findings names the 2 others");
    let out = work.run(&["report", "shard-0.jsonl", "shard-1.jsonl", "--format", "html"]);
    assert!(stdout_of(&out).contains(big["id"].as_str().unwrap()));
    // A shard file that cannot be read: the others are merged, the report
    // says it is incomplete.
    work.write("broken.jsonl", "not json\n");
    let out = work.run(&["report", "shard-0.jsonl", "shard-1.jsonl", "broken.jsonl", "--format", "json"]);
    assert_eq!(exit_code(&out), 0);
    let doc = parse_json(&out);
    assert_eq!(findings(&doc).len(), 4);
    assert_eq!(doc["summary"]["complete"], false);
    assert!(stderr_of(&out).contains("broken.jsonl"));
}

/// A repository with one key, served to the forge tests by `file://` URL.
fn served_repo(key_rule: &str) -> (Repo, String) {
    let mut r = Repo::new();
    let key = fake_key(key_rule);
    r.write("settings.env", format!("KEY={key}\n"));
    r.commit("settings");
    (r, key)
}

fn github_repo(name: &str, url: &str, archived: bool, fork: bool) -> Value {
    json!({ "full_name": name, "clone_url": url, "archived": archived, "fork": fork, "private": true })
}

const TOKEN: &str = "ghp_mocktokenvalue0123456789abcdefgh";

#[test]
fn a_github_organization_is_listed_page_by_page_through_a_rate_limit() {
    let (a, key_a) = served_repo("openai-project-key");
    let (b, _) = served_repo("anthropic-api-key");
    let (c, _) = served_repo("openai-project-key");
    let url = |r: &Repo| format!("file://{}", r.path().display());
    let pages = [
        vec![github_repo("acme/a", &url(&a), false, false), github_repo("acme/old", "file:///gone", true, false)],
        vec![github_repo("acme/b", &url(&b), false, false)],
        vec![github_repo("acme/fork", &url(&c), false, true)],
    ];
    let server = MockServer::start(move |req, attempt| {
        let page: usize = req.query("page").and_then(|p| p.parse().ok()).unwrap_or(1);
        if req.route() != "/orgs/acme/repos" {
            return MockResponse::status(404);
        }
        if page == 2 && attempt == 0 {
            // The rate limit is spent; it resets in a second.
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
            return MockResponse::json(403, json!({ "message": "API rate limit exceeded" }))
                .header("x-ratelimit-remaining", "0")
                .header("x-ratelimit-reset", &(now + 1).to_string());
        }
        let mut resp =
            MockResponse::json(200, Value::Array(pages[page - 1].clone())).header("x-ratelimit-remaining", "4000");
        if page < pages.len() {
            let host = req.header("host").unwrap_or("127.0.0.1").to_string();
            resp = resp.header(
                "link",
                &format!("<http://{host}/orgs/acme/repos?per_page=100&page={}>; rel=\"next\"", page + 1),
            );
        }
        resp
    });
    let state = Tree::new();
    let org_run = |extra: &[&str]| {
        keyhound()
            .current_dir(state.path())
            .env("GITHUB_TOKEN", TOKEN)
            .args(["history", "--github-org", "acme", "--github-api-url", &server.url()])
            .args(extra)
            .output()
            .unwrap()
    };
    let started = std::time::Instant::now();
    let out = org_run(&["--state", "st", "--format", "json"]);
    let (stdout, stderr) = (stdout_of(&out), stderr_of(&out));
    assert_eq!(exit_code(&out), 1, "{stderr}");
    assert!(started.elapsed() >= std::time::Duration::from_secs(1), "waited for the reset");
    assert!(stderr.contains("rate limit"), "{stderr}");
    assert!(!stdout.contains(TOKEN) && !stderr.contains(TOKEN), "the token is never printed");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    let mut repos: Vec<&str> = findings(&doc).iter().map(|f| f["repository"].as_str().unwrap()).collect();
    repos.sort();
    assert_eq!(repos, ["acme/a", "acme/b"], "archived and forks are left out");
    assert!(!stdout.contains(&key_a));
    let requests = server.requests();
    assert_eq!(requests.len(), 4, "three pages, one of them twice");
    assert!(requests.iter().all(|r| r.header("authorization") == Some(&format!("Bearer {TOKEN}"))));
    // The token went nowhere else: not into the mirrors' config.
    for entry in std::fs::read_dir(state.path().join("st/mirrors")).unwrap() {
        let config = std::fs::read_to_string(entry.unwrap().path().join("config")).unwrap();
        assert!(!config.contains(TOKEN));
    }

    // Forks on request; the list alone with --list-repos.
    let out = org_run(&["--include-forks", "--include-archived", "--list-repos"]);
    assert_eq!(stdout_of(&out).lines().collect::<Vec<_>>(), ["acme/a", "acme/old", "acme/b", "acme/fork"]);
    assert!(!stderr_of(&out).contains(TOKEN));
}

#[test]
fn forge_errors_are_clear_and_never_show_the_token() {
    // A refused token, a rate limit too far away, a next page elsewhere.
    let server = MockServer::start(|req, _| match req.route() {
        "/orgs/refused/repos" => MockResponse::json(401, json!({ "message": "Bad credentials" })),
        "/orgs/slow/repos" => MockResponse::json(403, json!({}))
            .header("x-ratelimit-remaining", "0")
            .header("x-ratelimit-reset", "99999999999"),
        "/orgs/elsewhere/repos" => {
            MockResponse::json(200, json!([])).header("link", "<https://evil.example/steal?page=2>; rel=\"next\"")
        }
        _ => MockResponse::status(404),
    });
    let run = |org: &str| {
        keyhound()
            .env("GITHUB_TOKEN", TOKEN)
            .args(["history", "--github-org", org, "--github-api-url", &server.url(), "--list-repos"])
            .output()
            .unwrap()
    };
    for (org, says) in [
        ("refused", "refused the token"),
        ("slow", "rate limit"),
        ("elsewhere", "another origin"),
        ("missing", "not found"),
    ] {
        let out = run(org);
        assert_eq!(exit_code(&out), 2, "{org}");
        let stderr = stderr_of(&out);
        assert!(stderr.contains(says), "{org}: {stderr}");
        assert!(!stderr.contains(TOKEN) && !stdout_of(&out).contains(TOKEN));
    }
    assert!(server.requests().iter().all(|r| !r.path.contains("steal")));
    // Plain HTTP to another host is refused before any request.
    let out = keyhound()
        .args(["history", "--github-org", "x", "--github-api-url", "http://example.com", "--list-repos"])
        .output()
        .unwrap();
    assert_eq!(exit_code(&out), 2);
    assert!(stderr_of(&out).contains("https://"), "{}", stderr_of(&out));
}

#[test]
fn a_gitlab_group_is_listed_with_its_subgroups() {
    let (a, _) = served_repo("openai-project-key");
    let url = format!("file://{}", a.path().display());
    let server = MockServer::start(move |req, _| {
        if req.route() != "/api/v4/groups/acme%2Fplatform/projects" {
            return MockResponse::status(404);
        }
        assert_eq!(req.query("include_subgroups"), Some("true"));
        match req.query("page") {
            None | Some("1") => MockResponse::json(
                200,
                json!([{ "path_with_namespace": "acme/platform/api", "http_url_to_repo": url, "archived": false }]),
            )
            .header("x-next-page", "2"),
            _ => MockResponse::json(
                200,
                json!([{ "path_with_namespace": "acme/platform/web-fork", "http_url_to_repo": "file:///x",
                         "archived": false, "forked_from_project": { "id": 1 } }]),
            )
            .header("x-next-page", ""),
        }
    });
    let out = keyhound()
        .env("GITLAB_TOKEN", TOKEN)
        .args(["history", "--gitlab-group", "acme/platform", "--gitlab-url", &server.url(), "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(exit_code(&out), 1, "{}", stderr_of(&out));
    let doc = parse_json(&out);
    assert_eq!(findings(&doc)[0]["repository"], "acme/platform/api");
    assert_eq!(findings(&doc).len(), 1, "the fork is left out");
    assert_eq!(server.requests().len(), 2);
    assert!(!stderr_of(&out).contains(TOKEN));
}

#[test]
fn a_remembered_match_keeps_its_confidence_and_an_old_state_format_is_read_again() {
    let mut r = Repo::new();
    Graded::new().plant("", |path, text| r.write(path, text));
    r.commit("settings");
    let state = Tree::new();
    let s = state.path().to_str().unwrap();
    let all = [("high.env", "high"), ("low.env", "low"), ("medium.env", "medium")].map(|(p, c)| (p.into(), c.into()));
    let (code, first, _) = history_json(r.path(), &["--state", s, "--min-confidence", "low"]);
    assert_eq!(code, 1);
    assert_eq!(confidence_by_path(&first), all);
    // Rebuilt from the state: the same findings, confidence included; the
    // level applies after matching, so changing it reads nothing again.
    let (_, second, stderr) = history_json(r.path(), &["--state", s, "--min-confidence", "low"]);
    assert_eq!(second["summary"]["reused"], 1, "{stderr}");
    assert_eq!(findings_text(&second), findings_text(&first));
    let (_, default, _) = history_json(r.path(), &["--state", s]);
    assert_eq!(default["summary"]["reused"], 1);
    assert_eq!(default["summary"]["below_min_confidence"], 1);
    assert_eq!(confidence_by_path(&default), all[..1].iter().chain(&all[2..]).cloned().collect::<Vec<_>>());

    // A state file of the format before confidence (version 1, after the
    // 16-byte magic): a warning, a full scan, and a state of today's format.
    let file = state_files(state.path()).remove(0);
    let mut bytes = std::fs::read(&file).unwrap();
    bytes[16..20].copy_from_slice(&1u32.to_le_bytes());
    std::fs::write(&file, &bytes).unwrap();
    let (code, doc, stderr) = history_json(r.path(), &["--state", s, "--min-confidence", "low"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("was written in state format 1 (this keyhound reads 2); scanning in full"), "{stderr}");
    assert!(doc["summary"].get("reused").is_none(), "{}", doc["summary"]);
    assert_eq!(findings_text(&doc), findings_text(&first));
    let (_, doc, stderr) = history_json(r.path(), &["--state", s, "--min-confidence", "low"]);
    assert_eq!(doc["summary"]["reused"], 1, "{stderr}");
}
