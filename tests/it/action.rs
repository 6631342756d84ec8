//! `action.yml`: the composite GitHub Action parses, has the documented
//! inputs and outputs, caches its build on the action's ref and Cargo.lock,
//! and its scan step runs the same `keyhound ci` the tests in `ci.rs`
//! exercise — the step's script is run here as the runner would, against a
//! throwaway repository. The README's workflow example parses too.

use std::collections::HashMap;
use std::path::Path;

use crate::harness::action_yml::{
    binary_dir, inputs, load as action, run_step, runner_env, step, step_env, steps, text as s, Yaml,
};
use crate::harness::*;

#[test]
fn action_has_the_documented_inputs_and_outputs() {
    let a = action();
    assert_eq!(s(&a["runs"]["using"]), "composite");
    let names: Vec<&str> = a["inputs"].as_mapping().unwrap().keys().map(s).collect();
    assert_eq!(names, ["path", "args", "fail-on-findings", "sarif-file", "category", "html-file", "version"]);
    assert_eq!(s(&a["inputs"]["path"]["default"]), ".");
    assert_eq!(s(&a["inputs"]["args"]["default"]), "");
    assert_eq!(s(&a["inputs"]["fail-on-findings"]["default"]), "true");
    assert_eq!(s(&a["inputs"]["sarif-file"]["default"]), "keyhound.sarif");
    assert_eq!(s(&a["inputs"]["version"]["default"]), "");
    assert_eq!(s(&a["inputs"]["html-file"]["default"]), "keyhound-report.html");
    for name in ["findings", "sarif-file", "category", "html-file", "complete"] {
        assert_eq!(s(&a["outputs"][name]["value"]), format!("${{{{ steps.scan.outputs.{name} }}}}"));
        assert!(!s(&a["outputs"][name]["description"]).is_empty());
    }
    for (_, input) in a["inputs"].as_mapping().unwrap() {
        assert!(!s(&input["description"]).is_empty());
    }
}

#[test]
fn action_builds_with_cargo_cached_on_its_ref_and_lockfile() {
    let a = action();
    let cache = steps(&a)
        .iter()
        .find(|st| st["uses"].as_str().is_some_and(|u| u.starts_with("actions/cache/restore@")))
        .expect("an actions/cache/restore step");
    assert_eq!(s(&cache["with"]["key"]), "${{ steps.prepare.outputs.key }}");
    assert_eq!(s(&cache["with"]["path"]), "${{ steps.prepare.outputs.bin }}");
    let build = steps(&a).iter().find(|st| st["run"].as_str().is_some_and(|r| r.contains("cargo build"))).unwrap();
    assert_eq!(s(&build["if"]), format!("steps.{}.outputs.cache-hit != 'true'", s(&cache["id"])));
    assert!(s(&build["run"]).contains("--locked"));

    // The key step, run as the runner would with this checkout as the
    // action's path: the key names the action's ref and the lockfile hash.
    let prepare = step(&a, "prepare");
    let scratch = Tree::new();
    let outputs_file = scratch.path().join("outputs");
    let env = runner_env(scratch.path(), "Linux");
    let ins = inputs(&a, &[]);
    let out = run_step(prepare, scratch.path(), &env, &step_env(prepare, &ins, &HashMap::new()));
    assert!(out.status.success(), "{}", stderr_of(&out));
    let written = std::fs::read_to_string(&outputs_file).unwrap();
    let key = written.lines().find_map(|l| l.strip_prefix("key=")).expect("key output");
    assert!(key.starts_with("keyhound-Linux-X64-source-v1-lock-"), "{key}");
    let bin = written.lines().find_map(|l| l.strip_prefix("bin=")).expect("bin output");
    assert_eq!(bin, format!("{}/keyhound-bin", scratch.path().display()));
}

/// Runs the action's scan step in a simulated pull request job.
fn scan_step(with: &[(&str, &str)], shallow: bool) -> (CiRun, Job, Tree) {
    let a = action();
    let mut r = Repo::new();
    let base = r.commit_readme().to_string();
    r.branch("feature");
    r.write("app/.env", format!("OPENAI_API_KEY={}\n", fake_key("openai-project-key")));
    let head = r.commit("settings").to_string();
    let workspace = if shallow { r.clone_shallow_branch(1, "feature") } else { r.clone_with(&["--branch", "feature"]) };
    let job = Job::new(workspace.path(), Some("pull_request"), Some(pull_request_event(1, &base, &head)));

    let scan = step(&a, "scan");
    assert_eq!(s(&scan["working-directory"]), "${{ github.workspace }}");
    let script = s(&scan["run"]);
    assert!(script.contains("keyhound ci --no-progress "), "{script}");
    let outputs = HashMap::from([("bin".to_string(), binary_dir().display().to_string())]);
    let env = step_env(scan, &inputs(&a, with), &outputs);
    let out = run_step(scan, workspace.path(), &job.vars, &env);
    let sarif = workspace.path().join(env["KEYHOUND_SARIF_FILE"].as_str());
    let run = job.collect(&out, &sarif);
    (run, job, workspace)
}

#[test]
fn scan_step_runs_keyhound_ci_and_fails_on_findings() {
    let (run, _job, ws) = scan_step(&[], false);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.outputs,
        "findings=1\ncategory=keyhound-changes\nsarif-file=keyhound.sarif\ncomplete=true\nhtml-file=keyhound-report.html\n"
    );
    assert!(ws.path().join("keyhound-report.html").is_file(), "the HTML report is in the workspace");
    assert_eq!(run.finding_annotations().len(), 1);
    assert!(run.finding_annotations()[0].starts_with("::error file=app/.env,line=1,"));
    assert!(run.summary.contains("### keyhound: 1 secret found"));
    assert_eq!(run.results().len(), 1);
}

#[test]
fn scan_step_passes_when_fail_on_findings_is_false() {
    let (run, _job, _ws) =
        scan_step(&[("fail-on-findings", "false"), ("sarif-file", "reports/keyhound.sarif"), ("html-file", "")], false);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.outputs, "findings=1\ncategory=keyhound-changes\nsarif-file=reports/keyhound.sarif\ncomplete=true\n",
        "an empty html-file input writes no HTML report"
    );
    assert_eq!(run.results().len(), 1);
}

#[test]
fn scan_step_passes_extra_args() {
    let (run, _job, _ws) = scan_step(&[("args", "--no-fetch  --quiet")], true);
    assert_eq!(run.code, 2, "--no-fetch reached keyhound: {}", run.stderr);
    assert!(run.stderr.contains("fetch-depth: 0"), "{}", run.stderr);
    let (run, _job, _ws) = scan_step(&[("args", "--quiet")], true);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!run.stderr.contains("finding"), "--quiet reached keyhound: {}", run.stderr);
}

#[test]
fn readme_workflow_example_is_complete() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme.find("```yaml\n# .github/workflows/keyhound.yml").expect("README has the workflow example");
    let body = &readme[start + "```yaml\n".len()..];
    let body = &body[..body.find("```").unwrap()];
    let wf: Yaml = serde_norway::from_str(body).expect("the README workflow is YAML");
    assert_eq!(s(&wf["permissions"]["security-events"]), "write");
    let jobs = wf["jobs"].as_mapping().unwrap();
    let (_, job) = jobs.iter().next().unwrap();
    let steps = job["steps"].as_sequence().unwrap();
    let uses = |prefix: &str| {
        steps
            .iter()
            .find(|st| st["uses"].as_str().is_some_and(|u| u.starts_with(prefix)))
            .unwrap_or_else(|| panic!("no {prefix} step"))
    };
    assert_eq!(uses("actions/checkout@")["with"]["fetch-depth"].as_u64(), Some(0));
    let keyhound = uses("keyhound/keyhound@");
    let upload = uses("github/codeql-action/upload-sarif@");
    assert!(s(&upload["if"]).starts_with("always() && "), "{}", s(&upload["if"]));
    assert_eq!(s(&upload["with"]["sarif_file"]), format!("${{{{ steps.{}.outputs.sarif-file }}}}", s(&keyhound["id"])));
    let artifact = uses("actions/upload-artifact@");
    assert!(s(&artifact["if"]).contains(&format!("steps.{}.outputs.html-file != ''", s(&keyhound["id"]))));
    assert_eq!(s(&artifact["with"]["path"]), format!("${{{{ steps.{}.outputs.html-file }}}}", s(&keyhound["id"])));
    let triggers = wf["on"].as_mapping().unwrap();
    for t in ["pull_request", "push"] {
        assert!(triggers.contains_key(t), "workflow runs on {t}");
    }
}
