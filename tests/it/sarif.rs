//! `--format sarif`: SARIF 2.1.0 from `scan`, `history` and `staged`,
//! validated against the schema in `../shared/schemas/` when it is there,
//! with what GitHub code scanning needs: unique rules with severities and
//! tags, repository-relative percent-encoded URIs, regions, fingerprints
//! that survive lines moving, results ranked by confidence, and no
//! cleartext secret.

use serde_json::Value;

use crate::harness::*;

fn location(result: &Value) -> &Value {
    &result["locations"][0]["physicalLocation"]
}

#[test]
fn scan_report_has_rules_results_and_no_secret() {
    let t = Tree::new();
    let key = fake_key("openai-project-key");
    let groq = fake_key("groq-api-key");
    t.write("config/.env", format!("# settings\nOPENAI_API_KEY={key}\nGROQ_API_KEY={groq}\n"));
    t.write("other.py", format!("client = OpenAI(api_key=\"{key}\")\n"));
    let s = t.run_sarif(&["scan", "."]);
    assert_eq!(s.code, 1);
    assert!(!s.text.contains(&key) && !s.text.contains(&groq), "cleartext secret in SARIF");

    let driver = &s.doc["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "keyhound");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert!(driver["informationUri"].as_str().unwrap().starts_with("https://"));

    // Two rules produced three results: one descriptor each.
    let rules = s.rules();
    assert_eq!(rules.len(), 2, "{rules:?}");
    let openai = rules.iter().find(|r| r["id"] == "openai-project-key").expect("openai rule");
    assert_eq!(openai["shortDescription"]["text"], "OpenAI project API key");
    assert!(openai["fullDescription"]["text"].as_str().unwrap().len() > 20);
    assert!(openai["help"]["text"].as_str().unwrap().contains("Revoke"), "{openai}");
    assert_eq!(openai["properties"]["tags"], serde_json::json!(["security", "secret"]));
    assert_eq!(openai["properties"]["security-severity"], "9.5");
    assert_eq!(openai["defaultConfiguration"]["level"], "error");
    assert!(openai["helpUri"].as_str().unwrap().starts_with("https://"));

    let results = s.results();
    assert_eq!(results.len(), 3);
    let r = results
        .iter()
        .find(|r| r["ruleId"] == "openai-project-key" && location(r)["artifactLocation"]["uri"] == "config/.env")
        .expect("the .env result");
    assert_eq!(r["level"], "error");
    let text = r["message"]["text"].as_str().unwrap();
    assert!(text.contains("OpenAI project API key"), "{text}");
    assert!(text.contains(&keyhound::model::redact(&key)), "{text}");
    let loc = location(r);
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(loc["region"]["startLine"], 2);
    assert_eq!(loc["region"]["startColumn"], 16);
    assert_eq!(loc["region"]["endLine"], 2);
    assert_eq!(loc["region"]["endColumn"], 16 + key.len());
    let fp = r["partialFingerprints"]["keyhound/v1"].as_str().unwrap();
    assert_eq!(fp.len(), 32);
    assert!(!fp.contains(&key[..12]));
    // The same key in another file is another alert.
    let other = results.iter().find(|r| location(r)["artifactLocation"]["uri"] == "other.py").unwrap();
    assert_ne!(other["partialFingerprints"]["keyhound/v1"], fp);

    let base = &s.doc["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"];
    assert!(base.as_str().unwrap().starts_with("file:///") && base.as_str().unwrap().ends_with('/'), "{base}");
    assert_eq!(s.doc["runs"][0]["columnKind"], "unicodeCodePoints");
}

#[test]
fn show_secrets_puts_the_secret_in_the_message() {
    let t = Tree::new();
    let key = fake_key("anthropic-api-key");
    t.write("a.env", format!("ANTHROPIC_API_KEY={key}\n"));
    let s = t.run_sarif(&["scan", ".", "--show-secrets"]);
    assert_eq!(s.results().len(), 1);
    assert!(s.results()[0]["message"]["text"].as_str().unwrap().contains(&key));
}

#[test]
fn zero_findings_is_a_valid_empty_run() {
    let t = Tree::new();
    t.write("README.md", "nothing to see\n");
    let s = t.run_sarif(&["scan", "."]);
    assert_eq!(s.code, 0);
    assert!(s.results().is_empty());
    assert!(s.rules().is_empty());
    assert_eq!(s.doc["runs"][0]["invocations"][0]["executionSuccessful"], true);
}

#[test]
fn uris_are_percent_encoded_and_relative_to_the_repository_root() {
    let mut r = Repo::new();
    let keys: Vec<String> = (0..3).map(|_| fake_key("openai-project-key")).collect();
    r.write("app/my dir/100%.env", format!("K={}\n", keys[0]));
    r.write("app/a#b?c.env", format!("K={}\n", keys[1]));
    r.write("app/ключ.env", format!("K={}\n", keys[2]));
    r.commit("keys");
    let expected = ["app/my%20dir/100%25.env", "app/a%23b%3Fc.env", "app/%D0%BA%D0%BB%D1%8E%D1%87.env"];

    // From a subdirectory, `scan .` sees paths relative to it; URIs are
    // still relative to the repository root.
    let out = r.run_in("app", &["scan", ".", "--format", "sarif"]);
    let s = SarifRun::from_output(&out);
    let mut uris: Vec<&str> =
        s.results().iter().map(|r| location(r)["artifactLocation"]["uri"].as_str().unwrap()).collect();
    uris.sort();
    let mut want = expected.to_vec();
    want.sort();
    assert_eq!(uris, want);

    // History paths are repository paths.
    let s = r.run_sarif(&["history"]);
    let mut uris: Vec<&str> =
        s.results().iter().map(|r| location(r)["artifactLocation"]["uri"].as_str().unwrap()).collect();
    uris.sort();
    assert_eq!(uris, want);
}

#[test]
fn standard_input_is_reported_as_dash() {
    let key = fake_key("openai-project-key");
    let out = Tree::new().run_stdin(&["scan", "-", "--format", "sarif"], &[], &format!("OPENAI_API_KEY={key}\n"));
    let s = SarifRun::from_output(&out);
    let loc = &location(&s.results()[0])["artifactLocation"];
    assert_eq!(loc["uri"], "-");
    assert_eq!(loc["description"]["text"], "standard input");
    assert!(loc.get("uriBaseId").is_none());
}

#[test]
fn fingerprints_survive_lines_inserted_above() {
    let t = Tree::new();
    let key = fake_key("openai-project-key");
    t.write("app/settings.py", format!("DEBUG = True\nOPENAI_API_KEY = \"{key}\"\n"));
    let before = t.run_sarif(&["scan", "."]);
    t.write(
        "app/settings.py",
        format!("# Settings\nimport os\n\nDEBUG = False\nTIMEOUT = 30\nOPENAI_API_KEY = \"{key}\"\n"),
    );
    let after = t.run_sarif(&["scan", "."]);
    let (a, b) = (&before.results()[0], &after.results()[0]);
    assert_eq!(location(a)["region"]["startLine"], 2);
    assert_eq!(location(b)["region"]["startLine"], 6);
    assert_eq!(a["partialFingerprints"], b["partialFingerprints"]);

    // And across commits in history: the key moved down is one finding
    // with the same fingerprint as in the working tree.
    let mut r = Repo::new();
    r.write("app/settings.py", format!("DEBUG = True\nOPENAI_API_KEY = \"{key}\"\n"));
    r.commit("settings");
    r.write("app/settings.py", format!("# Settings\n\nDEBUG = False\nOPENAI_API_KEY = \"{key}\"\n"));
    r.commit("more settings");
    let h = r.run_sarif(&["history"]);
    assert_eq!(h.results().len(), 1);
    assert_eq!(h.results()[0]["partialFingerprints"], a["partialFingerprints"]);
}

#[test]
fn history_results_carry_the_commit_and_the_run_its_repository() {
    let mut r = Repo::new();
    let key = fake_key("stripe-secret-key");
    r.write("README.md", "# demo\n");
    r.write("billing/.env", format!("STRIPE_KEY={key}\n"));
    let c1 = r.commit_as("billing", "Alice Example", "alice@example.com");
    r.remove("billing/.env");
    let c2 = r.commit("remove the key");
    // A remote URL with a token in it: the token must not reach the report.
    r.repo.remote("origin", "https://x-access-token:tok3n@github.com/acme/widgets.git").unwrap();

    let s = r.run_sarif(&["history"]);
    assert_eq!(s.code, 1);
    assert!(!s.text.contains(&key) && !s.text.contains("tok3n"));
    let res = &s.results()[0];
    assert_eq!(res["properties"]["commit"], c1.to_string());
    assert_eq!(res["properties"]["author"], "Alice Example");
    assert_eq!(res["properties"]["inHead"], false);
    assert!(res["message"]["text"].as_str().unwrap().contains(&c1.to_string()[..12]));
    let vcs = &s.doc["runs"][0]["versionControlProvenance"][0];
    assert_eq!(vcs["repositoryUri"], "https://github.com/acme/widgets.git");
    assert_eq!(vcs["revisionId"], c2.to_string());
    assert_eq!(vcs["branch"], r.current_branch());
    assert_eq!(vcs["mappedTo"]["uriBaseId"], "%SRCROOT%");

    // A range reports the commit at its tip.
    let s = r.run_sarif(&["history", "--range", &format!("{c1}..{c2}")]);
    assert!(s.results().is_empty());
    assert_eq!(s.doc["runs"][0]["versionControlProvenance"][0]["revisionId"], c2.to_string());
}

#[test]
fn repository_without_a_remote_is_a_file_uri() {
    let mut r = Repo::new();
    r.write("a.txt", "hello\n");
    r.commit("init");
    let s = r.run_sarif(&["history"]);
    let uri = s.doc["runs"][0]["versionControlProvenance"][0]["repositoryUri"].as_str().unwrap();
    assert!(uri.starts_with("file:///"), "{uri}");
}

#[test]
fn staged_report_validates() {
    let mut r = Repo::new();
    r.commit_readme();
    let key = fake_key("github-personal-access-token");
    r.write("deploy/token.txt", format!("GITHUB_TOKEN={key}\n"));
    let s = r.run_sarif(&["staged"]);
    assert_eq!(s.code, 1);
    assert!(!s.text.contains(&key));
    assert_eq!(s.results().len(), 1);
    assert_eq!(location(&s.results()[0])["artifactLocation"]["uri"], "deploy/token.txt");
    assert_eq!(s.rules()[0]["id"], "github-personal-access-token");
}

#[test]
fn severities_map_to_levels_and_scores() {
    let t = Tree::new();
    // AWS access key ids alone are medium or high depending on the rule
    // set: read each rule's severity from `rules list` and check the map.
    t.write(
        "k.env",
        format!("AWS_ACCESS_KEY_ID={}\nGROQ={}\n", fake_key("aws-access-key-id"), fake_key("groq-api-key")),
    );
    let s = t.run_sarif(&["scan", "."]);
    let out = t.run(&["rules", "list", "--format", "jsonl"]);
    let listed: Vec<Value> = stdout_of(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    for rule in s.rules() {
        let severity = listed.iter().find(|l| l["id"] == rule["id"]).unwrap()["severity"].as_str().unwrap().to_string();
        let (level, score) = match severity.as_str() {
            "critical" => ("error", "9.5"),
            "high" => ("error", "8.0"),
            "medium" => ("warning", "5.5"),
            _ => ("warning", "3.0"),
        };
        assert_eq!(rule["defaultConfiguration"]["level"], level, "{rule}");
        assert_eq!(rule["properties"]["security-severity"], score, "{rule}");
        for r in s.results().iter().filter(|r| r["ruleId"] == rule["id"]) {
            assert_eq!(r["level"], level);
        }
    }
}

#[test]
fn the_schema_check_rejects_broken_sarif() {
    let Some(v) = sarif_validator() else {
        eprintln!("note: SARIF schema not present; nothing to check");
        return;
    };
    let t = Tree::new();
    t.write("a.env", format!("K={}\n", fake_key("openai-project-key")));
    let mut doc = t.run_sarif(&["scan", "."]).doc;
    assert!(v.is_valid(&doc));
    doc["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!v.is_valid(&doc), "an unknown level must not validate");
    doc["runs"][0]["results"][0]["level"] = "error".into();
    doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0.into();
    assert!(!v.is_valid(&doc), "line 0 must not validate");
}

#[test]
fn a_scan_outside_the_work_tree_does_not_claim_its_repository() {
    let mut r = Repo::new();
    r.commit_readme();
    let elsewhere = Tree::new();
    elsewhere.write("app.env", format!("OPENAI_API_KEY={}\n", fake_key("openai-project-key")));
    let target = elsewhere.path().display().to_string();

    // Run from inside the repository, scanning a directory outside it.
    let s = SarifRun::from_output(&r.run(&["scan", &target, "--format", "sarif"]));
    assert_eq!(s.results().len(), 1);
    assert!(s.doc["runs"][0].get("versionControlProvenance").is_none(), "{}", s.doc["runs"][0]);

    // Scanning the repository itself still describes it.
    let s = SarifRun::from_output(&r.run(&["scan", ".", "--format", "sarif"]));
    assert!(s.doc["runs"][0]["versionControlProvenance"][0]["repositoryUri"].as_str().is_some());
}

#[test]
fn each_result_is_ranked_by_its_confidence() {
    let t = Tree::new();
    Graded::new().plant("", |path, text| t.write(path, text));
    // Validated against the schema by the harness, `rank` included.
    let s = t.run_sarif(&["scan", ".", "--min-confidence", "low"]);
    assert_eq!(s.code, 1);
    let mut ranked: Vec<(String, f64, String)> = s
        .results()
        .iter()
        .map(|r| {
            let uri = location(r)["artifactLocation"]["uri"].as_str().unwrap().to_string();
            (uri, r["rank"].as_f64().expect("a rank"), r["properties"]["confidence"].as_str().unwrap().to_string())
        })
        .collect();
    ranked.sort_by(|a, b| a.0.cmp(&b.0));
    let want = [("high.env", 90.0, "high"), ("low.env", 30.0, "low"), ("medium.env", 60.0, "medium")];
    assert_eq!(ranked, want.map(|(u, r, c)| (u.to_string(), r, c.to_string())));
    // A rule's precision is its confidence.
    let precision = |id: &str| s.rules().iter().find(|r| r["id"] == id).unwrap()["properties"]["precision"].clone();
    assert_eq!(precision("openai-project-key"), "high");
    assert_eq!(precision("deepseek-api-key"), "medium");
    assert_eq!(precision(LOW_RULE_ID), "low");

    // Below the default level: not a result (the summary counts it).
    let s = t.run_sarif(&["scan", "."]);
    assert_eq!(s.results().len(), 2);
    assert!(s.results().iter().all(|r| r["rank"].as_f64().unwrap() >= 60.0));
    // Listed with --show-suppressed, as SARIF marks a suppression.
    let s = t.run_sarif(&["scan", ".", "--show-suppressed"]);
    let low = s.results().iter().find(|r| r["ruleId"] == LOW_RULE_ID).expect("the low result, suppressed");
    assert_eq!(low["suppressions"][0]["kind"], "external");
    assert_eq!(low["suppressions"][0]["justification"], "keyhound: below-min-confidence");
    assert_eq!(low["rank"], 30.0);
}
