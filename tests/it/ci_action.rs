//! The GitHub Action and `keyhound ci` as users meet them: a failed run
//! reported where the user looks (the `::error` line, the job summary, the
//! step outputs, an empty SARIF log that says the run failed), git's own
//! fetch errors with the `fetch-depth: 0` advice only when depth was the
//! problem, a code-scanning category per kind of event, multi-line `args`
//! that are never evaluated, a binary cache saved right after the build, and
//! the README's workflow. No test touches the network: remotes are local
//! repositories, missing paths, or `127.0.0.1:1` with proxies off.
use crate::harness::*;

use std::path::Path;
use std::process::Command;

use crate::harness::action_yml::{self, text};
use serde_json::json;

/// An origin repository: a clean first commit on the default branch, and a
/// `feature` branch adding a key. Returns (origin, base, head).
fn origin() -> (Repo, String, String) {
    let mut r = Repo::new();
    r.write("README.md", "# widgets\n");
    let base = r.commit("init").to_string();
    r.branch("feature");
    r.write("app/.env", format!("OPENAI_API_KEY={}\n", fake_key("openai-project-key")));
    let head = r.commit("app settings").to_string();
    (r, base, head)
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git").arg("-C").arg(dir).args(args).output().expect("run git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn sarif_name(job: &Job) -> String {
    job.sarif_path().display().to_string()
}

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap()
}

// --- Failures reported where the user looks ---------------------------------

#[test]
fn ci_error_bad_event_payload_is_reported_where_the_user_looks() {
    let (r, _, _) = origin();
    // Not JSON: an error while the settings are read, before `cmd::ci` runs.
    let job = Job::new(r.path(), Some("push"), None);
    let path = job.scratch.path().join("event.json");
    std::fs::write(&path, "{ not json").unwrap();
    let job = job.var("GITHUB_EVENT_PATH", &path.display().to_string());
    let run = job.run(&[]);
    let reason = run.assert_failure_reported("keyhound-changes", &sarif_name(&job));
    assert!(reason.contains("is not JSON"), "{reason}");
    assert!(run.stderr.contains(&format!("keyhound: error: {reason}")), "{}", run.stderr);
    assert!(run.summary.contains("is not JSON"), "{}", run.summary);

    // A pull request without its payload: an error while planning.
    let job = Job::new(r.path(), Some("pull_request"), None);
    let run = job.run(&[]);
    let reason = run.assert_failure_reported("keyhound-changes", &sarif_name(&job));
    assert!(reason.contains("GITHUB_EVENT_PATH"), "{reason}");
}

#[test]
fn ci_error_not_a_repository_is_reported_where_the_user_looks() {
    let dir = Tree::new();
    dir.write("notes.txt", "nothing here\n");
    let job = Job::new(dir.path(), Some("schedule"), Some(json!({})));
    let run = job.run(&[]);
    let reason = run.assert_failure_reported("keyhound-history", &sarif_name(&job));
    assert!(reason.contains("not a git repository"), "{reason}");
}

#[test]
fn ci_error_unreachable_remote_is_reported_with_gits_own_error() {
    let (r, base, head) = origin();
    let clone = r.clone_shallow_branch(1, "feature");
    let gone = clone.path().join("gone").display().to_string();
    for (remote, git_says) in [
        (gone.as_str(), "does not appear to be a git repository"),
        ("http://127.0.0.1:1/acme/widgets.git", "unable to access"),
    ] {
        git(clone.path(), &["remote", "set-url", "origin", remote]);
        let job =
            Job::new(clone.path(), Some("pull_request"), Some(pull_request_event(4, &base, &head))).without_proxies();
        let run = job.run(&[]);
        let reason = run.assert_failure_reported("keyhound-changes", &sarif_name(&job));
        assert!(reason.contains("`git fetch origin") && reason.contains(git_says), "{reason}");
        for said in [&run.stdout, &run.stderr, &run.summary] {
            assert!(!said.contains("fetch-depth"), "depth was not the problem: {said}");
        }
    }
}

#[test]
fn ci_error_in_config_validation_is_reported_too() {
    let (mut r, base, head) = origin();
    let job1 = Job::new(r.path(), Some("pull_request"), Some(pull_request_event(2, &base, &head)));
    let run = job1.run(&["--baseline", "missing-baseline.json"]);
    let reason = run.assert_failure_reported("keyhound-changes", &sarif_name(&job1));
    assert!(reason.contains("missing-baseline.json"), "{reason}");

    // A pull request's exemptions come from its base commit: a broken
    // config there stops the run.
    r.write(".keyhound.toml", "[allow\npaths = [\n");
    let base = r.commit("broken config").to_string();
    r.write("more.txt", "more\n");
    let head = r.commit("more").to_string();
    let job = Job::new(r.path(), Some("pull_request"), Some(pull_request_event(2, &base, &head)));
    let run = job.run(&[]);
    let reason = run.assert_failure_reported("keyhound-changes", &sarif_name(&job));
    assert!(reason.contains(".keyhound.toml"), "{reason}");
}

#[test]
fn ci_error_in_arguments_is_reported_too() {
    let (r, base, head) = origin();
    let job = Job::new(r.path(), Some("pull_request"), Some(pull_request_event(2, &base, &head)));
    let run = job.run(&["--category", "keyhound-web", "--no-such-flag"]);
    let reason = run.assert_failure_reported("keyhound-web", &sarif_name(&job));
    assert!(reason.contains("invalid arguments") && reason.contains("--no-such-flag"), "{reason}");
    assert!(run.stderr.contains("Usage:"), "clap's own message stays: {}", run.stderr);

    // An unusable --category is an error, reported under the default one.
    let job = Job::new(r.path(), Some("pull_request"), Some(pull_request_event(2, &base, &head)));
    let run = job.run(&["--category", " "]);
    let reason = run.assert_failure_reported("keyhound-changes", &sarif_name(&job));
    assert!(reason.contains("--category"), "{reason}");
}

#[test]
fn ci_error_messages_never_show_credentials() {
    let (r, base, head) = origin();
    let clone = r.clone_shallow_branch(1, "feature");
    let token = format!("ghp_{}", "Zx9".repeat(12));
    git(clone.path(), &["remote", "set-url", "origin", &format!("https://x-access-token:{token}@127.0.0.1:1/o/r.git")]);
    let job = Job::new(clone.path(), Some("pull_request"), Some(pull_request_event(4, &base, &head))).without_proxies();
    let run = job.run(&[]);
    run.assert_failure_reported("keyhound-changes", &sarif_name(&job));
    let sarif = std::fs::read_to_string(job.sarif_path()).unwrap();
    for said in [&run.stdout, &run.stderr, &run.summary, &run.outputs, &sarif] {
        assert!(!said.contains(&token) && !said.contains("Zx9Zx9"), "a credential leaked: {said}");
    }
}

#[test]
fn ci_error_outside_github_actions_is_only_on_stderr() {
    let dir = Tree::new();
    let job = Job::new(dir.path(), Some("schedule"), Some(json!({}))).var("GITHUB_ACTIONS", "");
    let run = job.run(&[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("keyhound: error:") && run.stderr.contains("not a git repository"), "{}", run.stderr);
    assert!(run.stdout.is_empty() && run.outputs.is_empty() && run.summary.is_empty(), "{}", run.stdout);
    assert!(run.sarif.is_none());
}

// --- Fetching: git's error, and advice only when depth is the problem -------

#[test]
fn fetch_depth_advice_only_when_depth_is_the_problem() {
    let (r, base, head) = origin();
    let event = || Some(pull_request_event(4, &base, &head));

    // Shallow and not allowed to fetch: depth is the problem.
    let clone = r.clone_shallow_branch(1, "feature");
    let job = Job::new(clone.path(), Some("pull_request"), event());
    let reason = job.run(&["--no-fetch"]).assert_failure_reported("keyhound-changes", &sarif_name(&job));
    assert!(reason.contains("fetch-depth: 0") && reason.contains("--no-fetch"), "{reason}");

    // Shallow with nowhere to fetch from: the same.
    git(clone.path(), &["remote", "remove", "origin"]);
    let job = Job::new(clone.path(), Some("pull_request"), event());
    let reason = job.run(&[]).assert_failure_reported("keyhound-changes", &sarif_name(&job));
    assert!(reason.contains("fetch-depth: 0") && reason.contains("no remote"), "{reason}");

    // A reachable remote that lacks the commit the event names: git's
    // message, and no advice (a deeper checkout would not have it either).
    let clone = r.clone_shallow_branch(1, "feature");
    let missing = "abababababababababababababababababababab";
    let job = Job::new(clone.path(), Some("pull_request"), Some(pull_request_event(4, missing, &head)));
    let run = job.run(&[]);
    let reason = run.assert_failure_reported("keyhound-changes", &sarif_name(&job));
    assert!(reason.contains(missing) && reason.contains("not our ref"), "{reason}");
    assert!(!reason.contains("fetch-depth") && !run.stderr.contains("fetch-depth"), "{reason}");

    // Shallow, with the remote there: fetched and scanned.
    let job = Job::new(clone.path(), Some("pull_request"), event());
    let run = job.run(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.results().len(), 1);
}

// --- Categories ---------------------------------------------------------------

#[test]
fn category_output_follows_the_event() {
    let (r, base, head) = origin();
    let clone = r.clone_with(&["--branch", "feature"]);
    let cases = [
        ("pull_request", pull_request_event(2, &base, &head), "keyhound-changes"),
        ("push", push_event("feature", &base, &head, &[&head], "main"), "keyhound-changes"),
        ("merge_group", json!({"merge_group": {"base_sha": base, "head_sha": head}}), "keyhound-changes"),
        ("schedule", json!({}), "keyhound-history"),
        ("workflow_dispatch", json!({}), "keyhound-history"),
    ];
    for (event, payload, category) in cases {
        let job = Job::new(clone.path(), Some(event), Some(payload));
        let run = job.run(&[]);
        assert_eq!(run.code, 1, "{event}: {}", run.stderr);
        assert_eq!(
            run.outputs,
            format!("findings=1\ncategory={category}\nsarif-file={}\ncomplete=true\n", sarif_name(&job))
        );
        let doc = run.sarif.as_ref().unwrap();
        assert_eq!(doc["runs"][0]["automationDetails"]["id"], format!("{category}/"), "{event}");
    }
    let job = Job::new(clone.path(), Some("schedule"), Some(json!({})));
    let run = job.run(&["--category", "keyhound-history-web"]);
    assert!(run.outputs.contains("\ncategory=keyhound-history-web\n"), "{}", run.outputs);
    assert_eq!(run.sarif.as_ref().unwrap()["runs"][0]["automationDetails"]["id"], "keyhound-history-web/");
}

#[test]
fn action_category_input_and_output() {
    let a = action_yml::load();
    assert_eq!(text(&a["outputs"]["category"]["value"]), "${{ steps.scan.outputs.category }}");
    assert_eq!(text(&a["inputs"]["category"]["default"]), "");
    assert!(text(&a["inputs"]["category"]["description"]).contains("keyhound-history"));

    let (r, _, _) = origin();
    let ws = r.clone_with(&[]);
    let job = Job::new(ws.path(), Some("schedule"), Some(json!({})));
    let run = action_yml::run_scan_step(&job, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.outputs,
        "findings=1\ncategory=keyhound-history\nsarif-file=keyhound.sarif\ncomplete=true\nhtml-file=keyhound-report.html\n"
    );
    let job = Job::new(ws.path(), Some("schedule"), Some(json!({})));
    let run = action_yml::run_scan_step(&job, &[("category", "secrets-nightly")]);
    assert_eq!(
        run.outputs,
        "findings=1\ncategory=secrets-nightly\nsarif-file=keyhound.sarif\ncomplete=true\nhtml-file=keyhound-report.html\n"
    );
    assert_eq!(run.sarif.as_ref().unwrap()["runs"][0]["automationDetails"]["id"], "secrets-nightly/");
}

// --- The action ---------------------------------------------------------------

#[test]
fn action_args_span_lines_and_are_never_evaluated() {
    let (r, base, head) = origin();
    let ws = r.clone_with(&["--branch", "feature"]);
    let job = Job::new(ws.path(), Some("pull_request"), Some(pull_request_event(1, &base, &head)));

    // One flag per line, tabs, a blank line, CRLF: every flag reaches keyhound.
    let run = action_yml::run_scan_step(&job, &[("args", "--format json\n--output\treport.json\r\n\n  --quiet\n")]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ws.path().join("report.json")).unwrap())
            .expect("--format json and --output reached keyhound");
    assert_eq!(report["findings"].as_array().map(Vec::len), Some(1));
    assert!(!run.stderr.contains("finding"), "--quiet reached keyhound: {}", run.stderr);

    // Nothing is evaluated or glob-expanded: `$(...)` stays text, `*` stays
    // `*` (an argument keyhound rejects, which it reports like any error).
    let job = Job::new(ws.path(), Some("pull_request"), Some(pull_request_event(1, &base, &head)));
    let run = action_yml::run_scan_step(&job, &[("args", "--category $(touch${IFS}pwned)\n*")]);
    assert!(!ws.path().join("pwned").exists(), "args were evaluated");
    run.assert_failure_reported("$(touch${IFS}pwned)", "keyhound.sarif");
    assert!(run.failure_error().contains("'*'"), "{}", run.failure_error());
}

#[test]
fn action_scan_step_leaves_a_report_for_the_upload_step_when_keyhound_fails() {
    let dir = Tree::new();
    let job = Job::new(dir.path(), Some("workflow_dispatch"), Some(json!({})));
    let run = action_yml::run_scan_step(&job, &[("sarif-file", "reports/keyhound.sarif")]);
    let reason = run.assert_failure_reported("keyhound-history", "reports/keyhound.sarif");
    assert!(reason.contains("not a git repository"), "{reason}");
}

#[test]
fn action_binary_cache_is_saved_right_after_the_build() {
    let a = action_yml::load();
    assert_eq!(
        action_yml::position_of_uses(&a, "actions/cache@"),
        None,
        "actions/cache saves only when the job passes"
    );
    let restore = action_yml::position_of_uses(&a, "actions/cache/restore@").expect("a cache/restore step");
    let save = action_yml::position_of_uses(&a, "actions/cache/save@").expect("a cache/save step");
    let steps = action_yml::steps(&a);
    // Both pinned to the same full commit of actions/cache (zizmor's unpinned-uses).
    let pin = |i: usize| text(&steps[i]["uses"]).split_once('@').unwrap().1.to_string();
    assert_eq!(pin(restore), pin(save));
    assert!(pin(restore).len() == 40 && pin(restore).bytes().all(|b| b.is_ascii_hexdigit()), "{}", pin(restore));
    let build =
        steps.iter().position(|st| st["run"].as_str().is_some_and(|r| r.contains("cargo build"))).expect("build step");
    let scan = steps.iter().position(|st| st["id"].as_str() == Some("scan")).expect("scan step");
    assert!(restore < build && save == build + 1 && save < scan, "restore {restore}, build {build}, save {save}");

    let (restore, build, save) = (&steps[restore], &steps[build], &steps[save]);
    let cache_id = text(&restore["id"]);
    let build_id = text(&build["id"]);
    assert_eq!(text(&build["if"]), format!("steps.{cache_id}.outputs.cache-hit != 'true'"));
    assert_eq!(
        text(&save["if"]),
        format!("steps.{cache_id}.outputs.cache-hit != 'true' && steps.{build_id}.outcome == 'success'")
    );
    assert_eq!(text(&restore["with"]["key"]), "${{ steps.prepare.outputs.key }}");
    assert_eq!(text(&restore["with"]["path"]), "${{ steps.prepare.outputs.bin }}");
    assert_eq!(restore["with"], save["with"], "the same path and key");
    assert!(readme().contains("actions/cache/restore") && readme().contains("actions/cache/save"));
}

#[test]
fn action_says_plainly_it_runs_on_linux_and_macos_only() {
    let a = action_yml::load();
    assert!(text(&a["description"]).contains("Linux and macOS runners only"), "{:?}", a["description"]);
    assert!(readme().contains("Linux and macOS runners only"));

    // On a Windows runner the first step stops with an error saying so.
    let prepare = action_yml::step(&a, "prepare");
    let scratch = Tree::new();
    let outputs_file = scratch.path().join("outputs");
    let env = action_yml::runner_env(scratch.path(), "Windows");
    let step_env = action_yml::step_env(prepare, &action_yml::inputs(&a, &[]), &Default::default());
    let out = action_yml::run_step(prepare, scratch.path(), &env, &step_env);
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("::error title=keyhound::") && stdout.contains("Linux and macOS"), "{stdout}");
    assert!(!outputs_file.exists(), "no build is prepared");
}

// --- The job summary and the README -------------------------------------------

#[test]
fn scheduled_full_history_summary_renders_without_literal_backticks() {
    let (r, _, _) = origin();
    let clone = r.clone_with(&[]);
    let run = Job::new(clone.path(), Some("schedule"), Some(json!({}))).run(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.summary.contains("Scanned the whole history (schedule event): "), "{}", run.summary);
    assert!(!run.summary.contains("\\`"), "{}", run.summary);
    assert!(run.stderr.contains("scanning the whole history (schedule event)"), "{}", run.stderr);
}

#[test]
fn readme_workflow_uploads_per_category_and_skips_fork_pull_requests() {
    let readme = readme();
    let start = readme.find("```yaml\n# .github/workflows/keyhound.yml").expect("README has the workflow example");
    let body = &readme[start + "```yaml\n".len()..];
    let wf: action_yml::Yaml = serde_norway::from_str(&body[..body.find("```").unwrap()]).expect("workflow is YAML");
    assert_eq!(text(&wf["permissions"]["contents"]), "read");
    assert_eq!(text(&wf["permissions"]["security-events"]), "write");
    assert_eq!(text(&wf["permissions"]["actions"]), "read");

    let (_, job) = wf["jobs"].as_mapping().unwrap().iter().next().unwrap();
    let steps = job["steps"].as_sequence().unwrap();
    let uses = |prefix: &str| {
        steps
            .iter()
            .find(|st| st["uses"].as_str().is_some_and(|u| u.starts_with(prefix)))
            .unwrap_or_else(|| panic!("no {prefix} step"))
    };
    let keyhound = text(&uses("keyhound/keyhound@")["id"]).to_string();
    let upload = uses("github/codeql-action/upload-sarif@");
    let condition = text(&upload["if"]);
    for part in [
        "always()".to_string(),
        format!("steps.{keyhound}.outputs.sarif-file != ''"),
        "github.event_name != 'pull_request'".to_string(),
        "github.event.pull_request.head.repo.full_name == github.repository".to_string(),
    ] {
        assert!(condition.contains(&part), "upload condition lacks {part}: {condition}");
    }
    assert_eq!(text(&upload["with"]["sarif_file"]), format!("${{{{ steps.{keyhound}.outputs.sarif-file }}}}"));
    assert_eq!(text(&upload["with"]["category"]), format!("${{{{ steps.{keyhound}.outputs.category }}}}"));

    for said in [
        "**Categories.**",
        "keyhound-changes",
        "keyhound-history",
        "closed as fixed",
        "**Pull requests from forks**",
        "read-only `GITHUB_TOKEN`",
        "| `category` |",
        "newlines included",
    ] {
        assert!(readme.contains(said), "README does not say {said:?}");
    }
}
