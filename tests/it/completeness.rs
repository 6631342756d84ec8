//! An incomplete scan never reads as clean: every summary says whether the
//! run was `complete` and what it could not read (`unread`); `keyhound ci`
//! fails (exit 2) after reporting what it found, and `--fail-on-incomplete`
//! makes `history` and `scan` do the same.

use serde_json::Value;

use crate::harness::*;

/// A repository with a key in each of two commits, and HEAD's `notes.txt`
/// blob deleted from the object database; returns it and the deleted id.
fn damaged() -> (Repo, String) {
    let mut r = Repo::new();
    r.write("notes.txt", "just notes\n");
    r.write(".env", format!("OPENAI_API_KEY={}\n", fake_key("openai-project-key")));
    r.commit("first");
    r.write("later.env", format!("OPENAI_API_KEY={}\n", fake_key("openai-project-key")));
    r.commit("second");
    let notes = r.blob_id("HEAD", "notes.txt");
    r.delete_object(notes);
    (r, notes.to_string())
}

#[test]
fn history_of_a_damaged_repository_is_incomplete_but_exits_as_before() {
    let (r, notes) = damaged();
    let (code, doc) = r.run_json(&["history"]);
    assert_eq!(code, 1, "findings still decide the exit code: {doc}");
    assert_eq!(findings(&doc).len(), 2, "{doc}");
    assert_eq!(doc["summary"]["complete"], false, "{doc}");
    assert_eq!(doc["summary"]["unread"]["missing-object"], 1, "{doc}");
    assert_eq!(doc["summary"]["unread"]["unreadable"], 0, "{doc}");
    assert_eq!(doc["summary"]["unread"]["shallow-history"], 0, "{doc}");

    let out = r.run(&["history"]);
    let err = stderr_of(&out);
    assert!(err.contains(&notes), "{err}");
    assert!(err.contains("keyhound: INCOMPLETE: 1 missing object not scanned"), "{err}");
    // Even --quiet says it.
    let out = r.run(&["history", "--quiet"]);
    assert!(stderr_of(&out).contains("INCOMPLETE"), "{}", stderr_of(&out));
}

#[test]
fn fail_on_incomplete_exits_2_after_writing_the_report() {
    let (r, _) = damaged();
    let out = r.run(&["history", "--format", "json", "--fail-on-incomplete"]);
    assert_eq!(exit_code(&out), 2, "{}", stderr_of(&out));
    let doc = parse_json(&out);
    assert_eq!(findings(&doc).len(), 2, "{doc}");
    assert_eq!(doc["summary"]["complete"], false);
    assert!(
        stderr_of(&out).contains("keyhound: error: the scan was incomplete: 1 missing object"),
        "{}",
        stderr_of(&out)
    );

    let file = Tree::new();
    let report = file.path().join("report.sarif");
    let report_arg = report.display().to_string();
    let out = r.run(&["history", "--format", "sarif", "--output", &report_arg, "--fail-on-incomplete"]);
    assert_eq!(exit_code(&out), 2, "{}", stderr_of(&out));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_valid_sarif(&doc);
    assert_eq!(sarif_results(&doc).len(), 2);
    assert_eq!(doc["runs"][0]["invocations"][0]["executionSuccessful"], true);
    assert_eq!(doc["runs"][0]["invocations"][0]["properties"]["complete"], false);
    assert_eq!(doc["runs"][0]["properties"]["summary"]["unread"]["missing-object"], 1);
}

#[test]
fn complete_runs_say_complete() {
    let mut r = Repo::new();
    r.write(".env", format!("OPENAI_API_KEY={}\n", fake_key("openai-project-key")));
    r.commit("first");
    let (code, doc) = r.run_json(&["history", "--fail-on-incomplete"]);
    assert_eq!(code, 1, "{doc}");
    assert_eq!(doc["summary"]["complete"], true, "{doc}");
    assert_eq!(
        doc["summary"]["unread"],
        serde_json::json!({"unreadable": 0, "missing-object": 0, "shallow-history": 0})
    );
    let (code, doc) = r.run_json(&["scan", ".", "--fail-on-incomplete"]);
    assert_eq!(code, 1, "{doc}");
    assert_eq!(doc["summary"]["complete"], true, "{doc}");
    let out = r.run(&["history"]);
    assert!(!stderr_of(&out).contains("INCOMPLETE"), "{}", stderr_of(&out));

    let run = Job::new(r.path(), Some("schedule"), Some(serde_json::json!({}))).run(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.sarif.as_ref().unwrap()["runs"][0]["invocations"][0]["properties"]["complete"], true);
    assert!(run.outputs.ends_with("complete=true\n"), "{}", run.outputs);
    assert!(!run.summary.contains("INCOMPLETE"), "{}", run.summary);
}

#[test]
fn shallow_history_is_incomplete() {
    let mut r = Repo::new();
    r.write(".env", format!("OPENAI_API_KEY={}\n", fake_key("openai-project-key")));
    r.commit("first");
    r.write("b.txt", "b\n");
    r.commit("second");
    let clone = r.clone_shallow(1);
    let (code, doc) = clone.run_json(&["history"]);
    assert_eq!(code, 1, "{doc}");
    assert_eq!(doc["summary"]["complete"], false, "{doc}");
    assert_eq!(doc["summary"]["unread"]["shallow-history"], 1, "{doc}");
}

/// What an incomplete `keyhound ci` run must leave: exit 2, its findings in
/// the SARIF file and as annotations, and everything saying incomplete.
fn assert_incomplete_ci(run: &CiRun, findings: usize) {
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.results().len(), findings, "{}", run.stderr);
    assert_eq!(run.finding_annotations().len(), findings, "{}", run.stdout);
    let doc = run.sarif.as_ref().unwrap();
    assert_eq!(doc["runs"][0]["invocations"][0]["executionSuccessful"], true);
    assert_eq!(doc["runs"][0]["invocations"][0]["properties"]["complete"], false);
    assert_eq!(doc["runs"][0]["properties"]["summary"]["complete"], false);
    assert!(run.summary.contains("scan INCOMPLETE"), "{}", run.summary);
    assert!(run.summary.contains("missing object"), "{}", run.summary);
    assert!(!run.summary.contains("did not complete"), "the run's own summary is kept: {}", run.summary);
    assert!(run.outputs.contains(&format!("findings={findings}\n")), "{}", run.outputs);
    assert!(run.outputs.ends_with("complete=false\n"), "{}", run.outputs);
    assert!(run.stdout.contains("::error title=keyhound::the scan was incomplete"), "{}", run.stdout);
    assert!(run.stderr.contains("keyhound: error: the scan was incomplete"), "{}", run.stderr);
}

#[test]
fn ci_on_a_damaged_repository_reports_its_findings_then_fails() {
    let (r, _) = damaged();
    let run = Job::new(r.path(), Some("schedule"), Some(serde_json::json!({}))).run(&[]);
    assert_incomplete_ci(&run, 2);
    // Even with --exit-code 0 (fail-on-findings: false).
    let run = Job::new(r.path(), Some("schedule"), Some(serde_json::json!({}))).run(&["--exit-code", "0"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn ci_on_a_blobless_partial_clone_fails() {
    let mut r = Repo::new();
    r.write(".env", format!("OPENAI_API_KEY={}\n", fake_key("openai-project-key")));
    r.commit("first");
    r.remove(".env");
    r.write("later.env", format!("OPENAI_API_KEY={}\n", fake_key("openai-project-key")));
    r.commit("second");
    git_ok(r.path(), &["config", "uploadpack.allowFilter", "true"]);
    let clone = r.clone_with(&["--filter=blob:none"]);
    // HEAD's blobs were fetched by the checkout; the first commit's .env was not.
    let run = Job::new(clone.path(), Some("schedule"), Some(serde_json::json!({}))).run(&["--no-fetch"]);
    assert_incomplete_ci(&run, 1);
}
