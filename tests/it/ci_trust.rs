//! `keyhound ci` on pull requests: a change cannot exempt itself. Its
//! `.keyhound.toml` (its allowlists, disabled rules and `min-confidence`)
//! and baseline are read from the base commit (the job
//! summary says so and warns on each changed one), `--config FILE` still
//! wins, pushes still read the work tree, and what the pull request's own
//! allow comments suppress is listed for reviewers (summary and SARIF).

use crate::harness::*;

/// The config that allowlists the pull request's key file.
const ALLOW_APP_ENV: &str = "[allow]\npaths = [\"app/.env\"]\n";

/// An origin repository: the default branch (README, then whatever `base`
/// writes) and a `feature` branch off it where `change` writes the pull
/// request's files. Returns the repo, the base and head commit ids and the
/// key the pull request adds in `app/.env` (written by `change`'s caller
/// through the key given to it).
struct Pr {
    repo: Repo,
    base: String,
    head: String,
    key: String,
}

fn pr(base: impl FnOnce(&Repo), change: impl FnOnce(&Repo, &str)) -> Pr {
    let mut r = Repo::new();
    r.commit_readme();
    base(&r);
    let base = r.commit("base settings").to_string();
    r.branch("feature");
    let key = fake_key("openai-project-key");
    change(&r, &key);
    let head = r.commit_as("add app settings", "Dana Developer", "dana@example.com").to_string();
    Pr { repo: r, base, head, key }
}

fn add_key(r: &Repo, key: &str) {
    r.write("app/.env", format!("OPENAI_API_KEY={key}\n"));
}

/// The pull request checked out as `actions/checkout` would (its head), and
/// a `pull_request` job on it.
fn pr_job(p: &Pr) -> (Tree, Job) {
    let clone = p.repo.clone_with(&["--branch", "feature"]);
    let job = Job::new(clone.path(), Some("pull_request"), Some(pull_request_event(9, &p.base, &p.head)));
    (clone, job)
}

fn short(id: &str) -> &str {
    &id[..12]
}

fn uris(run: &CiRun) -> Vec<String> {
    run.results()
        .iter()
        .map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap().to_string())
        .collect()
}

fn assert_secret_hidden(run: &CiRun, key: &str) {
    assert!(!run.stdout.contains(key), "secret on stdout");
    assert!(!run.stderr.contains(key), "secret on stderr");
    assert!(!run.summary.contains(key), "secret in the job summary");
}

/// The `::warning file=<path>,…` annotation saying the change is ignored.
fn ignored_change_annotation<'a>(run: &'a CiRun, path: &str) -> Option<&'a str> {
    run.annotations().into_iter().find(|a| a.starts_with(&format!("::warning file={path},")))
}

#[test]
fn pull_request_config_allowlisting_its_own_key_is_ignored() {
    let p = pr(
        |_| {},
        |r, key| {
            add_key(r, key);
            r.write(".keyhound.toml", ALLOW_APP_ENV);
        },
    );
    let (_clone, job) = pr_job(&p);
    let run = job.run(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(uris(&run), ["app/.env"]);
    let s = &run.summary;
    assert!(s.contains(&format!("read from the base commit `{}`", short(&p.base))), "{s}");
    assert!(s.contains("this pull request changes `.keyhound.toml`"), "{s}");
    assert!(s.contains("takes effect only after merge"), "{s}");
    let ann = ignored_change_annotation(&run, ".keyhound.toml").expect("a warning on .keyhound.toml");
    assert!(ann.contains("takes effect only after merge"), "{ann}");
    assert!(run.stderr.contains(&format!("exemptions read from the base commit {}", short(&p.base))), "{}", run.stderr);
    assert_secret_hidden(&run, &p.key);
}

#[test]
fn base_commit_config_allowlists_the_pull_request_key() {
    let p = pr(|r| r.write(".keyhound.toml", ALLOW_APP_ENV), add_key);
    let (_clone, job) = pr_job(&p);
    let run = job.run(&[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stderr, run.summary);
    assert!(run.results().is_empty(), "{:?}", run.sarif);
    assert!(run.summary.contains(&format!("read from the base commit `{}`", short(&p.base))), "{}", run.summary);
    assert!(!run.summary.contains("this pull request changes"), "{}", run.summary);
    assert!(ignored_change_annotation(&run, ".keyhound.toml").is_none(), "{}", run.stdout);
}

/// A pull request that adds a key at the path the base allowlists, and
/// drops that allowlist from its own config.
fn pr_dropping_the_base_allowlist() -> Pr {
    pr(
        |r| r.write(".keyhound.toml", ALLOW_APP_ENV),
        |r, key| {
            add_key(r, key);
            r.write(".keyhound.toml", "# nothing allowed\n");
        },
    )
}

#[test]
fn pull_request_removing_the_base_allowlist_is_held_to_the_base() {
    // The base allowlists the path; the pull request's own config drops
    // the allowlist: the base's still applies (until merge), and the
    // change is reported as ignored.
    let p = pr_dropping_the_base_allowlist();
    let (_clone, job) = pr_job(&p);
    let run = job.run(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(ignored_change_annotation(&run, ".keyhound.toml").is_some(), "{}", run.stdout);
}

#[test]
fn pull_request_disabling_the_rule_is_still_reported() {
    let p = pr(
        |_| {},
        |r, key| {
            add_key(r, key);
            r.write(".keyhound.toml", "[rules]\ndisable = [\"openai-project-key\"]\n");
        },
    );
    let (_clone, job) = pr_job(&p);
    let run = job.run(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.results()[0]["ruleId"], "openai-project-key");
    assert!(run.summary.contains("this pull request changes `.keyhound.toml`"), "{}", run.summary);
}

#[test]
fn pull_request_baseline_listing_its_own_key_is_ignored() {
    let p = pr(
        |r| r.write("keyhound-baseline.json", "{\n  \"version\": 1,\n  \"entries\": []\n}\n"),
        |r, key| {
            add_key(r, key);
            // The baseline as `keyhound baseline` writes it for the key.
            let out = keyhound()
                .current_dir(r.path())
                .args(["baseline", "--output", "keyhound-baseline.json", "--no-config", "scan", "app"])
                .output()
                .unwrap();
            assert_eq!(exit_code(&out), 0, "{}", stderr_of(&out));
            let written = std::fs::read_to_string(r.path().join("keyhound-baseline.json")).unwrap();
            assert!(written.contains("\"path\":\"app/.env\""), "{written}");
            r.write("keyhound-baseline.json", written);
        },
    );
    let (clone, job) = pr_job(&p);
    // The pull request's baseline does suppress the key when read from
    // the work tree (a plain scan)...
    let scan = keyhound()
        .current_dir(clone.path())
        .args(["scan", "--baseline", "keyhound-baseline.json", "app"])
        .output()
        .unwrap();
    assert_eq!(exit_code(&scan), 0, "{}", stderr_of(&scan));
    // ...but not in CI, where it comes from the base commit.
    let run = job.run(&["--baseline", "keyhound-baseline.json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(uris(&run), ["app/.env"]);
    assert!(run.summary.contains("this pull request changes `keyhound-baseline.json`"), "{}", run.summary);
    assert!(ignored_change_annotation(&run, "keyhound-baseline.json").is_some(), "{}", run.stdout);
    assert_secret_hidden(&run, &p.key);
}

#[test]
fn pull_request_allow_comments_suppress_but_are_listed() {
    let p = pr(|_| {}, |r, key| r.write("app/.env", format!("OPENAI_API_KEY={key} # keyhound:allow\n")));
    let (_clone, job) = pr_job(&p);
    let run = job.run(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let s = &run.summary;
    assert!(s.contains("1 finding suppressed by this pull request's own allow comments"), "{s}");
    assert!(s.contains("`app/.env:1`") && s.contains("`openai-project-key`"), "{s}");
    assert!(s.contains(short(&p.head)), "{s}");
    assert_eq!(run.finding_annotations().len(), 0, "{}", run.stdout);
    let results = run.results();
    assert_eq!(results.len(), 1, "{:?}", run.sarif);
    let suppressions = results[0]["suppressions"].as_array().expect("suppressions");
    assert_eq!(suppressions[0]["kind"], "inSource");
    assert_eq!(results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "app/.env");
    assert_secret_hidden(&run, &p.key);
    assert!(!run.sarif.as_ref().unwrap().to_string().contains(&p.key), "secret in the SARIF report");
    assert_eq!(run.outputs.lines().next(), Some("findings=0"));
}

#[test]
fn allow_comments_already_on_the_base_are_not_listed_as_the_pull_requests() {
    let old = fake_key("openai-project-key");
    let p = pr(
        |r| r.write("app/.env", format!("OLD_KEY={old} # keyhound:allow\n")),
        |r, key| r.write("app/.env", format!("OLD_KEY={old} # keyhound:allow\nNEW_KEY={key} # keyhound:allow\n")),
    );
    let (_clone, job) = pr_job(&p);
    let run = job.run(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let s = &run.summary;
    assert!(s.contains("1 finding suppressed by this pull request's own allow comments"), "{s}");
    assert!(s.contains("`app/.env:2`") && !s.contains("`app/.env:1`"), "{s}");
    assert_eq!(run.results().len(), 1, "{:?}", run.sarif);
    assert_eq!(run.results()[0]["locations"][0]["physicalLocation"]["region"]["startLine"], 2);
}

#[test]
fn merge_group_takes_exemptions_from_its_base() {
    let p = pr(
        |_| {},
        |r, key| {
            add_key(r, key);
            r.write(".keyhound.toml", ALLOW_APP_ENV);
        },
    );
    let clone = p.repo.clone_with(&["--branch", "feature"]);
    let event = serde_json::json!({"merge_group": {"base_sha": p.base, "head_sha": p.head}});
    let run = Job::new(clone.path(), Some("merge_group"), Some(event)).run(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.summary.contains("this pull request changes `.keyhound.toml`"), "{}", run.summary);
}

#[test]
fn push_reads_the_work_tree_config() {
    let p = pr(
        |_| {},
        |r, key| {
            add_key(r, key);
            r.write(".keyhound.toml", ALLOW_APP_ENV);
        },
    );
    let clone = p.repo.clone_with(&["--branch", "feature"]);
    let event = push_event("feature", &p.base, &p.head, &[&p.head], "main");
    let run = Job::new(clone.path(), Some("push"), Some(event)).run(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.results().is_empty());
    assert!(!run.summary.contains("base commit"), "{}", run.summary);
}

#[test]
fn explicit_config_file_wins_on_a_pull_request() {
    let p = pr(|_| {}, add_key);
    let (_clone, job) = pr_job(&p);
    let workflow_config = job.scratch.path().join("workflow.toml");
    std::fs::write(&workflow_config, ALLOW_APP_ENV).unwrap();
    let run = job.run(&["--config", &workflow_config.display().to_string()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.results().is_empty());
    // And the other way round: a workflow config that allows nothing holds
    // even when the base commit's config would allow the key.
    let p = pr(|r| r.write(".keyhound.toml", ALLOW_APP_ENV), add_key);
    let (_clone, job) = pr_job(&p);
    let strict = job.scratch.path().join("strict.toml");
    std::fs::write(&strict, "# allows nothing\n").unwrap();
    let run = job.run(&["--config", &strict.display().to_string()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
}

#[test]
fn shallow_pull_request_checkout_fetches_the_base_for_its_exemptions() {
    let p = pr_dropping_the_base_allowlist();
    let clone = p.repo.clone_shallow_branch(1, "feature");
    let job = Job::new(clone.path(), Some("pull_request"), Some(pull_request_event(9, &p.base, &p.head)));
    let run = job.run(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.summary.contains(&format!("read from the base commit `{}`", short(&p.base))), "{}", run.summary);
    assert!(run.stderr.contains("keyhound: fetching: git fetch"), "{}", run.stderr);
}

#[test]
fn pull_request_raising_the_minimum_confidence_cannot_hide_its_findings() {
    // The change adds a medium-confidence key and a config that would
    // hold back everything below high: the base's config (none) applies.
    let (line, medium) = fake_example("deepseek-api-key");
    let p = pr(
        |_| {},
        |r, _| {
            r.write("app/.env", format!("{line}\n"));
            r.write(".keyhound.toml", "min-confidence = \"high\"\n");
        },
    );
    let (_clone, job) = pr_job(&p);
    let run = job.run(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(uris(&run), ["app/.env"]);
    assert_eq!(run.results()[0]["properties"]["confidence"], "medium");
    assert!(run.summary.contains("this pull request changes `.keyhound.toml`"), "{}", run.summary);
    assert!(run.summary.contains("By confidence: 1 medium."), "{}", run.summary);
    assert!(ignored_change_annotation(&run, ".keyhound.toml").is_some(), "{}", run.stdout);
    assert!(!run.summary.contains(&medium) && !run.stdout.contains(&medium), "secret in clear");

    // The base lists low findings; the change raises the level back to
    // medium to drop its own low one: still reported. Pushed, the same
    // change is the branch's own config, and applies (counted, not failed).
    let low = Graded::new().low;
    let p = pr(
        |r| r.write(".keyhound.toml", format!("min-confidence = \"low\"\n{LOW_RULE}")),
        |r, _| {
            r.write("app/.env", format!("ACME_TOKEN={low}\n"));
            r.write(".keyhound.toml", format!("min-confidence = \"medium\"\n{LOW_RULE}"));
        },
    );
    let (_clone, job) = pr_job(&p);
    let run = job.run(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.results()[0]["ruleId"], LOW_RULE_ID);
    assert_eq!(run.results()[0]["rank"], 30.0);
    let ann = run.finding_annotations().into_iter().find(|a| a.contains("file=app/.env,")).expect("app/.env annotated");
    assert!(ann.contains("(acme-guess%2C low confidence)"), "{ann}");
    assert!(run.summary.contains("this pull request changes `.keyhound.toml`"), "{}", run.summary);
    let clone = p.repo.clone_with(&["--branch", "feature"]);
    let event = push_event("feature", &p.base, &p.head, &[&p.head], "main");
    let run = Job::new(clone.path(), Some("push"), Some(event)).run(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.results().is_empty());
    assert!(run.summary.contains("1 finding below the minimum confidence (medium) not reported"), "{}", run.summary);
    // The workflow's own flag is the workflow author's: it still wins.
    let run = job.run(&["--min-confidence", "high"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}
