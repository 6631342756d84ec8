//! `action.yml` as the runner sees it: the parsed file, its steps and
//! inputs, the few expressions its `env` blocks use, and running a step's
//! bash script the way the runner does, against a throwaway workspace.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub use serde_norway::Value as Yaml;

/// `action.yml`, parsed.
pub fn load() -> Yaml {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml")).unwrap();
    serde_norway::from_str(&text).expect("action.yml is YAML")
}

/// A YAML string (panics on anything else).
pub fn text(v: &Yaml) -> &str {
    v.as_str().unwrap_or_else(|| panic!("expected a string, got {v:?}"))
}

pub fn steps(a: &Yaml) -> &Vec<Yaml> {
    a["runs"]["steps"].as_sequence().expect("runs.steps")
}

/// The step with this `id`.
pub fn step<'a>(a: &'a Yaml, id: &str) -> &'a Yaml {
    steps(a).iter().find(|st| st["id"].as_str() == Some(id)).unwrap_or_else(|| panic!("no step with id {id}"))
}

/// The position of the step that `uses:` an action starting with
/// `prefix`.
pub fn position_of_uses(a: &Yaml, prefix: &str) -> Option<usize> {
    steps(a).iter().position(|st| st["uses"].as_str().is_some_and(|u| u.starts_with(prefix)))
}

/// The action's inputs with their defaults (every input the file
/// declares), overridden by `with`.
pub fn inputs(a: &Yaml, with: &[(&str, &str)]) -> HashMap<String, String> {
    let mut m: HashMap<String, String> = a["inputs"]
        .as_mapping()
        .expect("inputs")
        .iter()
        .map(|(k, v)| (text(k).to_string(), v["default"].as_str().unwrap_or("").to_string()))
        .collect();
    for (k, v) in with {
        assert!(m.contains_key(*k), "action.yml has no input {k}");
        m.insert(k.to_string(), v.to_string());
    }
    m
}

/// Evaluates the expressions the action's `env` blocks use:
/// `inputs.*`, `steps.prepare.outputs.*` (an output the step did not write
/// is empty, as on the runner), `github.action_ref` (`v1`),
/// `github.action_repository` (`keyhound/keyhound`), `github.token` (none).
pub fn expand(value: &str, inputs: &HashMap<String, String>, outputs: &HashMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(i) = rest.find("${{") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find("}}").expect("unterminated expression") + i;
        let expr = rest[i + 3..end].trim();
        let v = if let Some(name) = expr.strip_prefix("inputs.") {
            inputs.get(name).cloned().unwrap_or_else(|| panic!("no input {name}"))
        } else if let Some(name) = expr.strip_prefix("steps.prepare.outputs.") {
            outputs.get(name).cloned().unwrap_or_default()
        } else if expr == "github.action_ref" {
            "v1".to_string()
        } else if expr == "github.action_repository" {
            "keyhound/keyhound".to_string()
        } else if expr == "github.token" {
            String::new()
        } else {
            panic!("unexpected expression {expr}")
        };
        out.push_str(&v);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// A step's `env`, evaluated.
pub fn step_env(
    st: &Yaml,
    inputs: &HashMap<String, String>,
    outputs: &HashMap<String, String>,
) -> HashMap<String, String> {
    st["env"]
        .as_mapping()
        .map(|m| m.iter().map(|(k, v)| (text(k).to_string(), expand(text(v), inputs, outputs))).collect())
        .unwrap_or_default()
}

/// Runs a step's `run` script as the runner does for `shell: bash`,
/// without the test's own GitHub Actions variables, with `env` and then
/// the step's evaluated `env`.
pub fn run_step(st: &Yaml, cwd: &Path, env: &[(String, String)], step_env: &HashMap<String, String>) -> Output {
    assert_eq!(text(&st["shell"]), "bash");
    let mut cmd = Command::new("bash");
    cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", text(&st["run"])]).current_dir(cwd);
    for v in super::ci::GITHUB_VARS {
        cmd.env_remove(v);
    }
    cmd.envs(env.iter().map(|(k, v)| (k, v))).envs(step_env);
    cmd.output().expect("run bash")
}

/// The directory of the built keyhound binary: what the build step
/// would have put in `steps.prepare.outputs.bin`.
pub fn binary_dir() -> PathBuf {
    assert_cmd::cargo::cargo_bin("keyhound").parent().unwrap().to_path_buf()
}

/// Runs the action's scan step (`id: scan`) for `job` with the inputs
/// overridden by `with`, in the job's workspace; the SARIF file is the
/// `sarif-file` input, relative to the workspace.
pub fn run_scan_step(job: &super::ci::Job, with: &[(&str, &str)]) -> super::ci::CiRun {
    let a = load();
    let scan = step(&a, "scan");
    let outputs = HashMap::from([("bin".to_string(), binary_dir().display().to_string())]);
    let env = step_env(scan, &inputs(&a, with), &outputs);
    let out = run_step(scan, &job.workspace, &job.vars, &env);
    job.collect(&out, &job.workspace.join(&env["KEYHOUND_SARIF_FILE"]))
}

/// The variables the runner gives every step, for a job on `os` (`Linux`,
/// `macOS`, `Windows`) whose scratch space is `temp`; step outputs go to
/// `temp/outputs`.
pub fn runner_env(temp: &Path, os: &str) -> Vec<(String, String)> {
    runner_env_on(temp, os, "X64")
}

/// [`runner_env`] on a runner of architecture `arch` (`X64`, `ARM64`).
pub fn runner_env_on(temp: &Path, os: &str, arch: &str) -> Vec<(String, String)> {
    vec![
        ("GITHUB_ACTION_PATH".to_string(), env!("CARGO_MANIFEST_DIR").to_string()),
        ("GITHUB_OUTPUT".to_string(), temp.join("outputs").display().to_string()),
        ("RUNNER_TEMP".to_string(), temp.display().to_string()),
        ("RUNNER_OS".to_string(), os.to_string()),
        ("RUNNER_ARCH".to_string(), arch.to_string()),
    ]
}

/// The `key=value` lines a step appended to `$GITHUB_OUTPUT` (`temp/outputs`).
pub fn step_outputs(temp: &Path) -> HashMap<String, String> {
    std::fs::read_to_string(temp.join("outputs"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
        .collect()
}
