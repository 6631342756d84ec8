//! Every finding's confidence (`high`, `medium`, `low`) in JSON, JSON Lines
//! and text, and `--min-confidence` (the config's `min-confidence`, which
//! the flag overrides): what is below it is suppressed — counted in the
//! summary, listed with `--show-suppressed`, never failing the run — on
//! every scanning command. A baseline records every confidence; a saved
//! report older than confidence gets its rules' when written again.

use serde_json::Value;

use crate::harness::*;

/// A tree with a key of each confidence, and the config rule that makes the
/// low one (after `config`, more of the config).
fn graded_tree(config: &str) -> (Tree, Graded) {
    let t = Tree::new();
    let g = Graded::new();
    g.plant(config, |path, text| t.write(path, text));
    (t, g)
}

fn pairs(want: &[(&str, &str)]) -> Vec<(String, String)> {
    want.iter().map(|(p, c)| (p.to_string(), c.to_string())).collect()
}

const ALL: &[(&str, &str)] = &[("high.env", "high"), ("low.env", "low"), ("medium.env", "medium")];

#[test]
fn every_finding_says_how_sure_it_is_in_json_and_text() {
    let (t, g) = graded_tree("");
    let (code, doc) = t.run_json(&["scan", ".", "--min-confidence", "low", "--show-secrets"]);
    assert_eq!(code, 1, "{doc}");
    assert_eq!(confidence_by_path(&doc), pairs(ALL));
    for f in findings(&doc) {
        assert_eq!(f["confidence"], g.level_of(f["secret"].as_str().unwrap()), "{f}");
    }
    assert_eq!(doc["summary"]["min_confidence"], "low");
    assert_eq!(doc["summary"]["below_min_confidence"], 0);

    let out = t.run(&["scan", ".", "--min-confidence", "low", "--format", "jsonl"]);
    let lines: Vec<Value> = stdout_of(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3);
    assert!(lines.iter().all(|f| ["high", "medium", "low"].contains(&f["confidence"].as_str().unwrap())), "{lines:?}");

    let text = stdout_of(&t.run(&["scan", ".", "--min-confidence", "low"]));
    let header = |path: &str| text.lines().find(|l| l.starts_with(path)).unwrap_or_else(|| panic!("{path}: {text}"));
    assert!(header("high.env:1:").ends_with("(openai-project-key, critical, high confidence)"), "{text}");
    assert!(
        header("medium.env:1:").contains("(deepseek-api-key, ")
            && header("medium.env:1:").ends_with(", medium confidence)")
    );
    assert!(header("low.env:1:").ends_with(&format!("({LOW_RULE_ID}, high, low confidence)")), "{text}");
}

#[test]
fn findings_below_the_minimum_are_suppressed_counted_and_do_not_fail_the_run() {
    let (t, g) = graded_tree("");
    // The default is medium.
    let out = t.run(&["scan", ".", "--format", "json"]);
    let doc = parse_json(&out);
    assert_eq!(exit_code(&out), 1);
    assert_eq!(confidence_by_path(&doc), pairs(&[("high.env", "high"), ("medium.env", "medium")]));
    let s = &doc["summary"];
    assert_eq!((s["findings"].as_u64(), s["suppressed"].as_u64()), (Some(2), Some(1)), "{s}");
    assert_eq!((s["below_min_confidence"].as_u64(), s["min_confidence"].as_str()), (Some(1), Some("medium")));
    let stderr = stderr_of(&out);
    assert!(
        stderr
            .contains("; 1 suppressed, 1 of them below the minimum confidence, medium (--min-confidence low shows it)"),
        "{stderr}"
    );
    assert!(!stdout_of(&out).contains(&g.low) && !stderr.contains(&g.low));

    // Listed, marked, with --show-suppressed; the exit code is the findings'.
    let (code, doc) = t.run_json(&["scan", ".", "--show-suppressed"]);
    assert_eq!(code, 1);
    assert_eq!(suppressed(&doc), [("low.env".to_string(), 1, "below-min-confidence".to_string())]);
    assert_eq!(confidence_by_path(&doc), pairs(ALL));
    let text = stdout_of(&t.run(&["scan", "low.env", "--show-suppressed"]));
    assert!(text.contains("suppressed:  below-min-confidence"), "{text}");

    // Only what is below: nothing to report, exit 0.
    let (code, doc) = t.run_json(&["scan", "low.env"]);
    assert_eq!(code, 0, "{doc}");
    assert!(findings(&doc).is_empty());
    assert_eq!(doc["summary"]["below_min_confidence"], 1);

    // High: the medium one is held back too.
    let (code, doc) = t.run_json(&["scan", ".", "--min-confidence", "high"]);
    assert_eq!(code, 1);
    assert_eq!(confidence_by_path(&doc), pairs(&[("high.env", "high")]));
    assert_eq!(doc["summary"]["below_min_confidence"], 2);
    let (code, doc) = t.run_json(&["scan", "medium.env", "low.env", "--min-confidence", "high"]);
    assert_eq!((code, doc["summary"]["suppressed"].as_u64()), (0, Some(2)));

    let out = t.run(&["scan", ".", "--min-confidence", "certain"]);
    assert_eq!(exit_code(&out), 2);
    assert!(stderr_of(&out).contains("[possible values: low, medium, high]"), "{}", stderr_of(&out));
}

#[test]
fn the_config_sets_the_minimum_and_the_flag_wins() {
    let (t, _) = graded_tree("min-confidence = \"high\"\n");
    let (code, doc) = t.run_json(&["scan", "."]);
    assert_eq!(code, 1);
    assert_eq!(confidence_by_path(&doc), pairs(&[("high.env", "high")]));
    assert_eq!(doc["summary"]["min_confidence"], "high");
    let (_, doc) = t.run_json(&["scan", ".", "--min-confidence", "low"]);
    assert_eq!(confidence_by_path(&doc), pairs(ALL));
    let (_, doc) = t.run_json(&["scan", ".", "--no-config"]);
    assert_eq!(confidence_by_path(&doc), pairs(&[("high.env", "high"), ("medium.env", "medium")]), "no config: medium");

    t.write(".keyhound.toml", format!("# levels\nmin-confidence = \"sure\"\n{LOW_RULE}"));
    let out = t.run(&["scan", "."]);
    assert_eq!(exit_code(&out), 2);
    let err = stderr_of(&out);
    assert!(
        err.contains(".keyhound.toml:2: min-confidence: unknown confidence 'sure' (expected low, medium or high)"),
        "{err}"
    );
}

#[test]
fn every_scanning_command_takes_the_minimum_and_a_baseline_records_every_level() {
    let mut r = Repo::new();
    Graded::new().plant("", |path, text| r.write(path, text));
    // Staged (what `git commit` would add), then the history.
    let by_level = |r: &Repo, args: &[&str]| {
        let (code, doc) = r.run_json(args);
        let below = doc["summary"]["below_min_confidence"].as_u64().unwrap();
        (code, confidence_by_path(&doc), below)
    };
    for command in ["staged", "history"] {
        if command == "history" {
            r.commit("settings");
        }
        assert_eq!(by_level(&r, &[command, "--min-confidence", "low"]), (1, pairs(ALL), 0), "{command}");
        let default = pairs(&[("high.env", "high"), ("medium.env", "medium")]);
        assert_eq!(by_level(&r, &[command]), (1, default, 1), "{command}");
        let high = pairs(&[("high.env", "high")]);
        assert_eq!(by_level(&r, &[command, "--min-confidence", "high"]), (1, high, 2), "{command}");
    }
    // Two more versions of the low key's file, the key kept: three blobs
    // carry it, and it is still one finding below the minimum, as
    // `--min-confidence low` lists it once.
    let low = std::fs::read_to_string(r.path().join("low.env")).unwrap();
    for edit in 1..=2 {
        r.write("low.env", format!("{low}# edit {edit}\n"));
        r.commit("edit");
    }
    assert_eq!(by_level(&r, &["history", "--min-confidence", "low"]), (1, pairs(ALL), 0));
    let default = pairs(&[("high.env", "high"), ("medium.env", "medium")]);
    assert_eq!(by_level(&r, &["history"]), (1, default, 1), "held back once, not once a blob");

    // A baseline holds today's findings at every confidence: a lower level
    // later brings nothing back.
    let out = r.run(&["baseline", "-o", "baseline.json"]);
    assert_eq!(exit_code(&out), 0, "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("wrote a baseline of 3 findings"), "{}", stderr_of(&out));
    let (code, doc) = r.run_json(&["scan", ".", "--baseline", "baseline.json", "--min-confidence", "low"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["summary"]["suppressed"], 3);
}

#[test]
fn a_report_saved_without_confidence_gets_its_rules_when_written_again() {
    let (t, _) = graded_tree("");
    let (_, mut doc) = t.run_json(&["scan", ".", "--min-confidence", "low"]);
    // As a keyhound older than confidence wrote it: no field; and one
    // finding of a rule this keyhound does not have.
    for f in doc["findings"].as_array_mut().unwrap() {
        f.as_object_mut().unwrap().remove("confidence");
        if f["path"] == "medium.env" {
            f["rule_id"] = "retired-rule".into();
        }
    }
    let summary = doc["summary"].as_object_mut().unwrap();
    summary.remove("min_confidence");
    summary.remove("below_min_confidence");
    t.write("old.json", serde_json::to_string(&doc).unwrap());
    let (code, again) = t.run_json(&["report", "old.json"]);
    assert_eq!(code, 0);
    // The shipped rule's, the config rule's, and medium for the unknown one.
    assert_eq!(
        confidence_by_path(&again),
        pairs(&[("high.env", "high"), ("low.env", "low"), ("medium.env", "medium")])
    );
    let (_, again) = t.run_json(&["report", "old.json", "--no-config"]);
    assert_eq!(
        confidence_by_path(&again),
        pairs(&[("high.env", "high"), ("low.env", "medium"), ("medium.env", "medium")]),
        "without the config the low rule is unknown"
    );
    // A saved confidence is kept as it is.
    let (_, saved) = t.run_json(&["scan", ".", "--min-confidence", "low"]);
    t.write("new.json", serde_json::to_string(&saved).unwrap());
    let (_, again) = t.run_json(&["report", "new.json", "--no-config"]);
    assert_eq!(confidence_by_path(&again), pairs(ALL));
}
