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

/// A clone of a repository's last commit only, its key in the commit
/// before; the repository it came from is gone.
fn shallow_clone() -> Tree {
    let mut r = Repo::new();
    r.write(".env", format!("OPENAI_API_KEY={}\n", fake_key("openai-project-key")));
    r.commit("first");
    r.write("b.txt", "b\n");
    r.commit("second");
    r.clone_shallow(1)
}

#[test]
fn shallow_history_is_incomplete() {
    let clone = shallow_clone();
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

/// A repository whose first commit's key is gone from HEAD (so a partial
/// clone's checkout does not fetch it), served to partial clones.
fn partial_clone_origin() -> Repo {
    let mut r = Repo::new();
    r.write("deep/dir/.env", format!("OPENAI_API_KEY={}\n", fake_key("openai-project-key")));
    r.commit("first");
    r.remove("deep/dir/.env");
    r.write("later.env", format!("OPENAI_API_KEY={}\n", fake_key("openai-project-key")));
    r.commit("second");
    git_ok(r.path(), &["config", "uploadpack.allowFilter", "true"]);
    git_ok(r.path(), &["config", "uploadpack.allowAnySHA1InWant", "true"]);
    r
}

#[test]
fn ci_on_a_blobless_partial_clone_that_may_not_fetch_fails() {
    let r = partial_clone_origin();
    let clone = r.clone_with(&["--filter=blob:none"]);
    // HEAD's blobs were fetched by the checkout; the first commit's .env was not.
    let run = Job::new(clone.path(), Some("schedule"), Some(serde_json::json!({}))).run(&["--no-fetch"]);
    assert_incomplete_ci(&run, 1);
}

#[test]
fn ci_fetches_what_a_blobless_or_treeless_partial_clone_lacks() {
    let r = partial_clone_origin();
    for filter in ["--filter=blob:none", "--filter=tree:0"] {
        let clone = r.clone_with(&[filter]);
        let run = Job::new(clone.path(), Some("schedule"), Some(serde_json::json!({}))).run(&[]);
        assert_eq!(run.code, 1, "{filter}: {}", run.stderr);
        assert!(run.stderr.contains("missing objects of this partial clone"), "{filter}: {}", run.stderr);
        assert_eq!(run.results().len(), 2, "{filter}: {}", run.stderr);
        assert!(run.outputs.ends_with("complete=true\n"), "{filter}: {}", run.outputs);
        assert_eq!(run.sarif.as_ref().unwrap()["runs"][0]["properties"]["summary"]["complete"], true);
    }
}

#[test]
fn ci_on_a_partial_clone_whose_server_is_gone_fails_saying_what_it_could_not_read() {
    let r = partial_clone_origin();
    let clone = r.clone_with(&["--filter=blob:none"]);
    git_ok(clone.path(), &["remote", "set-url", "origin", "file:///nonexistent/keyhound-origin"]);
    let run = Job::new(clone.path(), Some("schedule"), Some(serde_json::json!({}))).run(&[]);
    assert!(run.stderr.contains("cannot fetch the objects this partial clone lacks"), "{}", run.stderr);
    assert_incomplete_ci(&run, 1);
}

#[test]
fn ci_on_a_shallow_clone_whose_server_is_gone_fails() {
    let clone = shallow_clone();
    let run = Job::new(clone.path(), Some("schedule"), Some(serde_json::json!({}))).run(&[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("keyhound: error:") && run.stderr.contains("git fetch"), "{}", run.stderr);
    assert!(run.stdout.contains("::error"), "{}", run.stdout);
}

#[test]
fn ci_on_a_mirror_with_a_deleted_pack_fails() {
    let mut r = Repo::new();
    r.write(".env", format!("OPENAI_API_KEY={}\n", fake_key("openai-project-key")));
    r.commit("first");
    git_ok(r.path(), &["repack", "-adq"]);
    r.write("later.env", format!("OPENAI_API_KEY={}\n", fake_key("openai-project-key")));
    r.commit("second");
    let mirror = r.clone_with(&["--mirror"]);
    // A pack of the mirror's own history lost (a broken mirror): here the
    // only pack, keeping what a later push would have added loose.
    let packs = mirror.path().join("objects/pack");
    for e in std::fs::read_dir(&packs).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "pack" || x == "idx") {
            std::fs::remove_file(p).unwrap();
        }
    }
    let run = Job::new(mirror.path(), Some("schedule"), Some(serde_json::json!({}))).run(&[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("keyhound: error:"), "{}", run.stderr);
}
