//! `keyhound ci` in simulated GitHub Actions jobs: throwaway repositories,
//! crafted event payloads, and checks of what is reported (only what the
//! pull request or push introduced), the annotations on stdout, the job
//! summary, the outputs file, the SARIF file and the exit code.

use serde_json::Value;

use crate::harness::*;

/// An "origin" repository with history on two branches:
///
/// ```text
/// default: c0 (README) - c1 (legacy.env: old) -------- c4 (later.env: later)
///                           \
/// feature:                   c2 (app/.env: k1) - c3 (deploy/token.txt: k2)
/// ```
struct Origin {
    repo: Repo,
    default: String,
    c1: String,
    c2: String,
    c3: String,
    c4: String,
    old: String,
    k1: String,
    k2: String,
    later: String,
}

fn origin() -> Origin {
    let mut r = Repo::new();
    r.commit_readme();
    let default = r.current_branch();
    let old = fake_key("openai-project-key");
    r.write("legacy.env", format!("OPENAI_API_KEY={old}\n"));
    let c1 = r.commit("legacy settings").to_string();
    r.branch("feature");
    let k1 = fake_key("openai-project-key");
    r.write("app/.env", format!("OPENAI_API_KEY={k1}\n"));
    let c2 = r.commit_as("app settings", "Dana Developer", "dana@example.com").to_string();
    let k2 = fake_key("github-personal-access-token");
    r.write("deploy/token.txt", format!("# deploy\nGITHUB_TOKEN={k2}\n"));
    let c3 = r.commit_as("deploy token", "Dana Developer", "dana@example.com").to_string();
    r.checkout(&default);
    let later = fake_key("anthropic-api-key");
    r.write("later.env", format!("ANTHROPIC_API_KEY={later}\n"));
    let c4 = r.commit("later on the default branch").to_string();
    Origin { repo: r, default, c1, c2, c3, c4, old, k1, k2, later }
}

/// The (ruleId, uri) of each SARIF result, sorted.
fn reported(run: &CiRun) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = run
        .results()
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

fn pair(rule: &str, uri: &str) -> (String, String) {
    (rule.to_string(), uri.to_string())
}

/// The pull request's own two secrets.
fn pr_secrets() -> Vec<(String, String)> {
    vec![pair("github-personal-access-token", "deploy/token.txt"), pair("openai-project-key", "app/.env")]
}

fn short(id: &str) -> &str {
    &id[..12]
}

fn assert_no_cleartext(run: &CiRun, keys: &[&String]) {
    for k in keys {
        assert!(!run.stdout.contains(k.as_str()), "secret on stdout");
        assert!(!run.stderr.contains(k.as_str()), "secret on stderr");
        assert!(!run.summary.contains(k.as_str()), "secret in the job summary");
    }
}

#[test]
fn pull_request_reports_only_its_own_commits() {
    let o = origin();
    let clone = o.repo.clone_with(&["--branch", "feature"]);
    let job = Job::new(clone.path(), Some("pull_request"), Some(pull_request_event(7, &o.c4, &o.c3)))
        .var("GITHUB_SERVER_URL", "https://github.com")
        .var("GITHUB_REPOSITORY", "acme/widgets")
        .var("GITHUB_HEAD_REF", "feature");
    let run = job.run(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(reported(&run), pr_secrets());
    assert_no_cleartext(&run, &[&o.k1, &o.k2, &o.old, &o.later]);

    // One annotation per finding, on the exact line.
    let ann = run.finding_annotations();
    assert_eq!(ann.len(), 2, "{}", run.stdout);
    let env = ann.iter().find(|a| a.contains("file=app/.env,")).expect("app/.env annotation");
    let col_end = 16 + o.k1.chars().count();
    assert!(
        env.starts_with(&format!(
            "::error file=app/.env,line=1,endLine=1,col=16,endColumn={col_end},title=keyhound%3A OpenAI project API key (openai-project-key%2C high confidence)::"
        )),
        "{env}"
    );
    // The redacted form (its prefix is longer when the key has a `-` or `_`
    // early on, as a fresh fake key sometimes does).
    assert!(env.contains(&keyhound::model::redact(&o.k1)) && env.contains(short(&o.c2)), "{env}");
    let token = ann.iter().find(|a| a.contains("file=deploy/token.txt,")).expect("token annotation");
    assert!(token.contains(",line=2,endLine=2,"), "{token}");

    // The job summary: a table with rule, file:line, commit and author.
    let s = &run.summary;
    assert!(s.contains("### keyhound: 2 secrets found"), "{s}");
    assert!(s.contains("pull request \\#7"), "{s}");
    assert!(s.contains("| Rule | Confidence | File | Commit | Author | Secret |"), "{s}");
    assert!(s.contains("`app/.env:1`") && s.contains("`deploy/token.txt:2`"), "{s}");
    assert!(s.contains(&format!("https://github.com/acme/widgets/blob/{}/app/.env#L1", o.c2)), "{s}");
    assert!(s.contains(short(&o.c3)) && s.contains("Dana Developer"), "{s}");

    // Outputs.
    let sarif = job.sarif_path().display().to_string();
    assert_eq!(run.outputs, format!("findings=2\ncategory=keyhound-changes\nsarif-file={sarif}\ncomplete=true\n"));

    // SARIF: commits in properties, the run's provenance.
    let by_uri = |uri: &str| {
        run.results()
            .iter()
            .find(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri)
            .unwrap()
            .clone()
    };
    assert_eq!(by_uri("app/.env")["properties"]["commit"], o.c2.as_str());
    assert_eq!(by_uri("deploy/token.txt")["properties"]["commit"], o.c3.as_str());
    let vcs = &run.sarif.as_ref().unwrap()["runs"][0]["versionControlProvenance"][0];
    assert_eq!(vcs["repositoryUri"], "https://github.com/acme/widgets");
    assert_eq!(vcs["revisionId"], o.c3.as_str());
    assert_eq!(vcs["branch"], "feature");
}

#[test]
fn push_reports_only_the_pushed_commits() {
    let o = origin();
    let clone = o.repo.clone_with(&["--branch", "feature"]);
    let event = push_event("feature", &o.c2, &o.c3, &[&o.c3], &o.default);
    let run = Job::new(clone.path(), Some("push"), Some(event)).run(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(reported(&run), vec![pair("github-personal-access-token", "deploy/token.txt")]);
    assert_eq!(run.finding_annotations().len(), 1);
    assert!(run.outputs.starts_with("findings=1\n"), "{}", run.outputs);
    assert!(
        run.summary.contains(&format!("pushed to feature ({}..{})", short(&o.c2), short(&o.c3))),
        "{}",
        run.summary
    );
}

#[test]
fn push_of_a_new_branch_reports_the_commits_not_on_the_default_branch() {
    let o = origin();
    let clone = o.repo.clone_with(&["--branch", "feature"]);
    let event = push_event("feature", NULL_SHA, &o.c3, &[&o.c2, &o.c3], &o.default);
    let run = Job::new(clone.path(), Some("push"), Some(event)).run(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(reported(&run), pr_secrets());
    assert!(run.summary.contains("new branch feature"), "{}", run.summary);
}

#[test]
fn force_push_whose_previous_tip_is_gone_falls_back_to_the_pushed_commits() {
    let mut o = origin();
    // Rewrite feature: drop c2 and c3, push two new commits instead.
    o.repo.checkout("feature");
    o.repo.reset_hard(&o.c1);
    let k3 = fake_key("groq-api-key");
    o.repo.write("app/.env", format!("GROQ_API_KEY={k3}\n"));
    let n1 = o.repo.commit("app settings, again").to_string();
    let k4 = fake_key("stripe-secret-key");
    o.repo.write("billing.env", format!("STRIPE_KEY={k4}\n"));
    let n2 = o.repo.commit("billing").to_string();
    // The old tip no longer exists anywhere.
    o.repo.delete_object(git2::Oid::from_str(&o.c3).unwrap());

    let clone = o.repo.clone_with(&["--branch", "feature"]);
    let mut event = push_event("feature", &o.c3, &n2, &[&n1, &n2], &o.default);
    event["forced"] = Value::Bool(true);
    let run = Job::new(clone.path(), Some("push"), Some(event)).run(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(reported(&run), vec![pair("groq-api-key", "app/.env"), pair("stripe-secret-key", "billing.env")]);
    let warnings: Vec<&str> = run.annotations().into_iter().filter(|a| a.starts_with("::warning ")).collect();
    assert!(warnings.iter().any(|w| w.contains(short(&o.c3)) && w.contains("gone")), "{}", run.stdout);
    assert!(run.stderr.contains("keyhound: warning:") && run.stderr.contains("force push"), "{}", run.stderr);
}

#[test]
fn schedule_and_dispatch_scan_the_whole_history() {
    let o = origin();
    let clone = o.repo.clone_with(&[]);
    for event in ["schedule", "workflow_dispatch"] {
        let run = Job::new(clone.path(), Some(event), Some(serde_json::json!({}))).run(&[]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        let mut want = pr_secrets();
        want.push(pair("anthropic-api-key", "later.env"));
        want.push(pair("openai-project-key", "legacy.env"));
        want.sort();
        assert_eq!(reported(&run), want, "{event}");
        assert!(run.summary.contains("the whole history"), "{}", run.summary);
        assert!(run.outputs.starts_with("findings=4\n"), "{}", run.outputs);
    }
}

#[test]
fn shallow_clone_of_a_pull_request_fetches_the_commits_it_needs() {
    let o = origin();
    let clone = o.repo.clone_shallow_branch(1, "feature");
    let run = Job::new(clone.path(), Some("pull_request"), Some(pull_request_event(7, &o.c4, &o.c3))).run(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(reported(&run), pr_secrets(), "{}", run.stderr);
    assert!(run.stderr.contains("fetching"), "{}", run.stderr);
    assert!(!run.stdout.contains("shallow"), "{}", run.stdout);
}

#[test]
fn shallow_clone_of_a_new_branch_fetches_the_default_branch() {
    let o = origin();
    let clone = o.repo.clone_shallow_branch(1, "feature");
    let event = push_event("feature", NULL_SHA, &o.c3, &[&o.c2, &o.c3], &o.default);
    let run = Job::new(clone.path(), Some("push"), Some(event)).run(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(reported(&run), pr_secrets(), "{}", run.stderr);
}

#[test]
fn shallow_clone_that_cannot_fetch_fails_instead_of_reporting_clean() {
    let o = origin();
    // Not allowed to fetch.
    let clone = o.repo.clone_shallow_branch(1, "feature");
    let job = Job::new(clone.path(), Some("pull_request"), Some(pull_request_event(7, &o.c4, &o.c3)));
    let run = job.run(&["--no-fetch"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("fetch-depth: 0"), "{}", run.stderr);
    assert!(run.outputs.starts_with("findings=\n"), "no result is reported: {}", run.outputs);
    assert!(run.results().is_empty());

    // The remote is gone.
    git_ok(clone.path(), &["remote", "set-url", "origin", &format!("file://{}/gone", clone.path().display())]);
    let run = job.run(&[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("does not appear to be a git repository"), "{}", run.stderr);
    assert!(run.outputs.starts_with("findings=\n"));
}

#[test]
fn clean_pull_request_exits_zero_with_an_empty_report() {
    let mut r = Repo::new();
    let base = r.commit_readme().to_string();
    r.branch("docs");
    r.write("docs/guide.md", "Set OPENAI_API_KEY=sk-your-api-key-here in your environment.\n");
    let head = r.commit("docs").to_string();
    let job = Job::new(r.path(), Some("pull_request"), Some(pull_request_event(3, &base, &head)));
    let run = job.run(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.finding_annotations().is_empty());
    assert!(run.summary.contains("### keyhound: no secrets found"), "{}", run.summary);
    assert!(run.outputs.starts_with("findings=0\n"));
    assert!(run.results().is_empty());
}

#[test]
fn exit_code_zero_still_reports_findings() {
    let o = origin();
    let clone = o.repo.clone_with(&["--branch", "feature"]);
    let job = Job::new(clone.path(), Some("pull_request"), Some(pull_request_event(7, &o.c4, &o.c3)));
    let run = job.run(&["--exit-code", "0"]);
    assert_eq!(run.code, 0);
    assert!(run.outputs.starts_with("findings=2\n"));
    assert_eq!(run.finding_annotations().len(), 2);
}

#[test]
fn show_secrets_reaches_the_sarif_file_but_never_the_log_or_summary() {
    let o = origin();
    let clone = o.repo.clone_with(&["--branch", "feature"]);
    let job = Job::new(clone.path(), Some("pull_request"), Some(pull_request_event(7, &o.c4, &o.c3)));
    let run = job.run(&["--show-secrets"]);
    assert_eq!(run.code, 1);
    assert_no_cleartext(&run, &[&o.k1, &o.k2]);
    let sarif = std::fs::read_to_string(job.sarif_path()).unwrap();
    assert!(sarif.contains(&o.k1));
}

#[test]
fn deleted_branch_scans_nothing() {
    let o = origin();
    let clone = o.repo.clone_with(&[]);
    let event = push_event("feature", &o.c3, NULL_SHA, &[], &o.default);
    let run = Job::new(clone.path(), Some("push"), Some(event)).run(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.outputs.starts_with("findings=0\n"));
    assert!(run.summary.contains("deleted"), "{}", run.summary);
}

#[test]
fn bad_events_are_errors() {
    let o = origin();
    // A pull request without its payload.
    let run = Job::new(o.repo.path(), Some("pull_request"), None).run(&[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("GITHUB_EVENT_PATH"), "{}", run.stderr);
    // A payload that is not JSON.
    let job = Job::new(o.repo.path(), Some("push"), None);
    let path = job.scratch.path().join("event.json");
    std::fs::write(&path, "not json").unwrap();
    let run = job.var("GITHUB_EVENT_PATH", &path.display().to_string()).run(&[]);
    assert_eq!(run.code, 2);
    // A commit that is nowhere.
    let event = pull_request_event(1, &o.c1, "abababababababababababababababababababab");
    let run = Job::new(o.repo.path(), Some("pull_request"), Some(event)).run(&[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn annotations_point_into_a_repository_below_the_workspace() {
    let o = origin();
    let workspace = Tree::new();
    o.repo.clone_into(&workspace.path().join("src"), &["--branch", "feature"]);
    let job = Job::new(workspace.path(), Some("pull_request"), Some(pull_request_event(7, &o.c4, &o.c3)));
    let run = job.run(&["src"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.finding_annotations().iter().any(|a| a.contains("file=src/app/.env,")), "{}", run.stdout);
    // SARIF URIs stay relative to the repository root.
    assert_eq!(reported(&run), pr_secrets());
}

#[test]
fn sarif_file_defaults_to_keyhound_sarif() {
    let o = origin();
    let clone = o.repo.clone_with(&["--branch", "feature"]);
    let job = Job::new(clone.path(), Some("pull_request"), Some(pull_request_event(7, &o.c4, &o.c3)));
    let out = job.command().arg("ci").output().unwrap();
    let run = job.collect(&out, &clone.path().join("keyhound.sarif"));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.outputs.ends_with("sarif-file=keyhound.sarif\ncomplete=true\n"), "{}", run.outputs);
    assert_eq!(reported(&run), pr_secrets());
}

/// A pull request that adds a key beside terminal escapes, in a file whose
/// name carries ESC and a bidi override: nothing raw reaches the log or the
/// job summary.
#[test]
fn scanned_text_reaches_annotations_and_summary_escaped() {
    let mut r = Repo::new();
    let base = r.commit_readme().to_string();
    r.branch("evil");
    let key = fake_key("openai-project-key");
    r.write("evil\x1b[2J\u{202e}vne.env", format!("KEY={key} \x1b[2J\x1b]0;pwned\x07\u{202e}\n"));
    let head = r.commit_as("evil", "Eve\x1b]0;pwned\x07", "eve@example.com").to_string();
    let job = Job::new(r.path(), Some("pull_request"), Some(pull_request_event(5, &base, &head)));
    let run = job.run(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let raw = |s: &str| s.chars().any(|c| (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c));
    assert!(!raw(&run.stdout), "{:?}", run.stdout);
    assert!(!raw(&run.summary), "{:?}", run.summary);
    assert!(!raw(&run.stderr), "{:?}", run.stderr);
    let annotation = run.finding_annotations()[0];
    assert!(annotation.contains("file=evil\\x1b[2J\\u202evne.env"), "{annotation}");
    assert!(run.summary.contains("`evil\\x1b[2J\\u202evne.env:1`"), "{}", run.summary);
    // (git drops the BEL that ended the author's name.)
    assert!(run.summary.contains("Eve\\\\x1b\\]0;pwned"), "{}", run.summary);
}

#[test]
fn pull_request_that_only_moves_a_file_with_an_old_key_is_clean() {
    let mut r = Repo::new();
    r.commit_readme();
    let old = fake_key("openai-project-key");
    r.write("legacy.env", format!("OPENAI_API_KEY={old}\n"));
    let base = r.commit("legacy settings").to_string();
    r.branch("tidy");
    r.rename("legacy.env", "config/legacy.env");
    r.commit("move settings");
    r.write("config/copy.env", format!("OPENAI_API_KEY={old}\n"));
    let head = r.commit("copy settings").to_string();
    let job = Job::new(r.path(), Some("pull_request"), Some(pull_request_event(9, &base, &head)));
    let run = job.run(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.finding_annotations().is_empty(), "{}", run.stdout);
    assert!(run.outputs.starts_with("findings=0\n"), "{}", run.outputs);
    assert!(run.results().is_empty());
}

#[test]
fn pull_request_adding_one_key_in_two_files_reports_both_and_not_an_edit_keeping_an_old_key() {
    let mut r = Repo::new();
    r.commit_readme();
    let old = fake_key("openai-project-key");
    r.write("app.env", format!("OPENAI_API_KEY={old}\n"));
    let base = r.commit("settings").to_string();
    r.branch("envs");
    r.write("app.env", format!("LOG=debug\nOPENAI_API_KEY={old}\n"));
    let new = fake_key("github-personal-access-token");
    r.write("prod/.env", format!("GITHUB_TOKEN={new}\n"));
    r.write("staging/.env", format!("GITHUB_TOKEN={new}\n"));
    let head = r.commit("environments").to_string();
    let job = Job::new(r.path(), Some("pull_request"), Some(pull_request_event(11, &base, &head)));
    let run = job.run(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        reported(&run),
        [pair("github-personal-access-token", "prod/.env"), pair("github-personal-access-token", "staging/.env")]
    );
    assert_eq!(run.finding_annotations().len(), 2, "{}", run.stdout);
    assert!(run.outputs.starts_with("findings=2\n"), "{}", run.outputs);
}

#[test]
fn a_sha256_repository_fails_the_run_and_says_why() {
    let t = sha256_repo(&fake_key("openai-project-key"));
    let want = sha256_error(&t);
    let run = Job::new(t.path(), Some("workflow_dispatch"), Some(serde_json::json!({}))).run(&[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stderr, format!("keyhound: error: {want}\n"));
    assert_eq!(run.failure_error(), want);
    // Outside GitHub Actions too.
    let out = t.run(&["ci", "--sarif-file", t.path().join("k.sarif").to_str().unwrap(), t.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert_eq!(stderr_of(&out), format!("keyhound: error: {want}\n"));
}

/// A pull request can plant symbolic links in the workspace where the
/// reports go; `keyhound ci` refuses to write through them and never
/// touches the file they point at.
#[cfg(unix)]
#[test]
fn report_files_are_never_written_through_a_planted_symbolic_link() {
    use std::os::unix::fs::symlink;
    let o = origin();
    let outside = Tree::new();
    let precious = outside.write("precious.txt", "keep me\n");
    // The change plants links: the SARIF file itself, and a directory.
    symlink(&precious, o.repo.path().join("keyhound.sarif")).unwrap();
    symlink(outside.path(), o.repo.path().join("reports")).unwrap();
    let job = Job::new(o.repo.path(), Some("schedule"), None);
    for args in [
        vec!["ci", "--sarif-file", "keyhound.sarif"],
        vec!["ci", "--sarif-file", "out.sarif", "--html-file", "reports/keyhound.html"],
        vec!["ci", "--sarif-file", "out.sarif", "--output", "reports/new/findings.json", "--format", "json"],
    ] {
        let out = job.command().args(&args).output().unwrap();
        assert_eq!(exit_code(&out), 2, "{args:?}: {}", stderr_of(&out));
        assert!(stderr_of(&out).contains("symbolic link"), "{args:?}: {}", stderr_of(&out));
        assert_eq!(outside.read("precious.txt"), "keep me\n", "{args:?}");
        assert!(!outside.path().join("keyhound.html").exists() && !outside.path().join("new").exists());
    }
    // Without links the same run writes its reports (directories made).
    let out = job
        .command()
        .args(["ci", "--sarif-file", "ci-out/keyhound.sarif", "--html-file", "ci-out/html/report.html"])
        .output()
        .unwrap();
    assert_eq!(exit_code(&out), 1, "{}", stderr_of(&out));
    assert!(o.repo.path().join("ci-out/keyhound.sarif").is_file());
    assert!(o.repo.path().join("ci-out/html/report.html").is_file());
}
