//! The fan-out examples in `deploy/`: the GitHub Actions matrix workflow
//! and the Kubernetes Indexed Job. Both are parsed and their wiring checked
//! (every shard of the matrix or index scanned once, the shards' files
//! what the merge reads), then run for real: each shard's command against
//! a mock GitHub API on 127.0.0.1 serving `file://` repositories, then the
//! merge, which must find every repository's key and group the key shared
//! by several repositories into one incident. The manifest is validated
//! against the Kubernetes schema with `kubernetes-validate` (PyPI); without
//! it the check prints SKIPPED, unless `KEYHOUND_REQUIRE_K8S_VALIDATE` is
//! set (`.ci/run` installs it and sets it).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

use crate::harness::action_yml::Yaml;
use crate::harness::*;

fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn s(v: &Yaml) -> String {
    v.as_str().map(str::to_string).unwrap_or_else(|| panic!("not a string: {v:?}"))
}

/// An organization of 12 repositories served by a mock GitHub API: each
/// holds a key of its own, and three share one key.
struct Org {
    _repos: Vec<Repo>,
    server: MockServer,
    shared: String,
    own: Vec<String>,
}

const TOKEN: &str = "ghp_deploytestmocktoken0123456789abcd";

fn org() -> Org {
    let shared = fake_key("openai-project-key");
    let mut repos = Vec::new();
    let mut own = Vec::new();
    let mut listed = Vec::new();
    for i in 0..12 {
        let mut r = Repo::new();
        let key = fake_key("anthropic-api-key");
        r.write("app.env", format!("ANTHROPIC_API_KEY={key}\n"));
        if i % 4 == 0 {
            r.write("deploy/.env", format!("OPENAI_API_KEY={shared}\n"));
        }
        r.commit("settings");
        listed.push(json!({ "full_name": format!("acme/repo-{i}"), "clone_url": format!("file://{}", r.path().display()), "archived": false, "fork": false }));
        own.push(key);
        repos.push(r);
    }
    let server = MockServer::start(move |req, _| {
        if req.route() == "/orgs/acme/repos" && req.credential() == Some(TOKEN) {
            MockResponse::json(200, Value::Array(listed.clone()))
        } else {
            MockResponse::status(404)
        }
    });
    Org { _repos: repos, server, shared, own }
}

/// `PATH` with the keyhound under test first.
fn path_with_keyhound() -> String {
    let bin = assert_cmd::cargo::cargo_bin("keyhound");
    format!("{}:{}", bin.parent().unwrap().display(), std::env::var("PATH").unwrap_or_default())
}

/// Runs a shell script as a workflow step or a container would.
fn shell(script: &str, dir: &Path, env: &[(&str, String)]) -> std::process::Output {
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(script).current_dir(dir).env("PATH", path_with_keyhound()).env("NO_COLOR", "1");
    isolate_network(&mut cmd);
    for v in ["GITHUB_TOKEN", "GH_TOKEN", "KEYHOUND_GITHUB_API_URL"] {
        cmd.env_remove(v);
    }
    cmd.envs(env.iter().map(|(k, v)| (*k, v.as_str())));
    cmd.output().unwrap()
}

/// The merged JSON report: every repository's own key found, the shared
/// key one incident in its three repositories, nothing in clear.
fn check_merged(org: &Org, report: &str) {
    assert!(!report.contains(&org.shared) && !org.own.iter().any(|k| report.contains(k)), "redacted");
    let doc: Value = serde_json::from_str(report).unwrap();
    let mut repos: Vec<&str> = findings(&doc).iter().map(|f| f["repository"].as_str().unwrap()).collect();
    repos.sort();
    repos.dedup();
    assert_eq!(repos.len(), 12, "every repository scanned once: {repos:?}");
    assert_eq!(findings(&doc).len(), 15);
    let incidents = doc["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 13);
    assert_eq!(incidents[0]["repositories"], json!(["acme/repo-0", "acme/repo-4", "acme/repo-8"]));
    assert_eq!(doc["summary"]["complete"], false, "JSON Lines do not say what was not scanned");
}

#[test]
fn the_github_actions_workflow_runs_every_shard_and_merges_them() {
    let text = std::fs::read_to_string(repo_file("deploy/github-actions/keyhound-org-scan.yml")).unwrap();
    let wf: Yaml = serde_norway::from_str(&text).expect("the workflow is YAML");
    let shards: u32 = s(&wf["env"]["SHARDS"]).parse().unwrap();
    let scan = &wf["jobs"]["scan"];
    let matrix: Vec<u64> =
        scan["strategy"]["matrix"]["shard"].as_sequence().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    assert_eq!(matrix, (0..u64::from(shards)).collect::<Vec<_>>(), "the matrix is shards 0..SHARDS, each once");
    assert_eq!(scan["strategy"]["fail-fast"].as_bool(), Some(false), "one shard's failure does not cancel the others");
    let merge = &wf["jobs"]["merge"];
    assert_eq!(s(&merge["needs"]), "scan");
    assert!(s(&merge["if"]).contains("!cancelled()"), "the merge runs after a failed shard too");
    assert!(wf["on"]["schedule"].as_sequence().is_some_and(|c| !c.is_empty()));

    let steps = |job: &Yaml| job["steps"].as_sequence().unwrap().clone();
    let uses = |job: &Yaml, prefix: &str| {
        steps(job)
            .into_iter()
            .find(|st| st["uses"].as_str().is_some_and(|u| u.starts_with(prefix)))
            .unwrap_or_else(|| panic!("no {prefix} step"))
    };
    for job in [scan, merge] {
        for st in steps(job) {
            if let Some(u) = st["uses"].as_str() {
                let sha = u.split_once('@').map(|(_, r)| r).unwrap_or_default();
                assert!(sha.len() == 40 && sha.chars().all(|c| c.is_ascii_hexdigit()), "{u} is pinned to a commit");
            }
        }
    }
    let restore = uses(scan, "actions/cache/restore@");
    let save = uses(scan, "actions/cache/save@");
    assert_eq!(s(&restore["with"]["key"]), s(&save["with"]["key"]));
    assert!(s(&restore["with"]["key"]).contains("${{ matrix.shard }}"), "each shard has its own state");
    assert_eq!(s(&restore["with"]["path"]), s(&save["with"]["path"]));
    let upload = uses(scan, "actions/upload-artifact@");
    let download = uses(merge, "actions/download-artifact@");
    let artifact = s(&upload["with"]["name"]);
    let pattern = s(&download["with"]["pattern"]);
    assert!(artifact.starts_with(pattern.trim_end_matches('*')), "{artifact} matches {pattern}");
    assert_eq!(download["with"]["merge-multiple"].as_bool(), Some(true));
    let shards_dir = s(&download["with"]["path"]);

    // Run it: each shard's scan step, then the merge's report step.
    let org = org();
    let expand = |text: &str, shard: u32| {
        text.replace("${{ matrix.shard }}", &shard.to_string())
            .replace("${{ secrets.KEYHOUND_ORG_TOKEN }}", TOKEN)
            .replace("${{ github.repository_owner }}", "acme")
    };
    let work = Tree::new();
    let scan_step =
        steps(scan).into_iter().find(|st| st["run"].as_str().is_some_and(|r| r.contains("keyhound history"))).unwrap();
    std::fs::create_dir_all(work.path().join(&shards_dir)).unwrap();
    for shard in 0..shards {
        let runner = Tree::new();
        let mut env: Vec<(&str, String)> =
            vec![("SHARDS", shards.to_string()), ("KEYHOUND_GITHUB_API_URL", org.server.url())];
        let step_env = scan_step["env"].as_mapping().unwrap();
        for (k, v) in step_env {
            env.push((k.as_str().unwrap(), expand(&s(v), shard)));
        }
        let out = shell(&expand(&s(&scan_step["run"]), shard), runner.path(), &env);
        assert!(out.status.success(), "shard {shard}: {}", stderr_of(&out));
        assert!(!stderr_of(&out).contains(TOKEN) && !stdout_of(&out).contains(TOKEN));
        let produced = runner.path().join(expand(&s(&upload["with"]["path"]), shard));
        std::fs::copy(&produced, work.path().join(&shards_dir).join(produced.file_name().unwrap())).unwrap();
        // The state the cache step saves is where the scan put it.
        let cached = s(&save["with"]["path"]);
        for p in cached.lines().filter(|l| !l.trim().is_empty()) {
            assert!(runner.path().join(p.trim()).exists(), "shard {shard}: {p} exists to be cached");
        }
    }
    let report_step =
        steps(merge).into_iter().find(|st| st["run"].as_str().is_some_and(|r| r.contains("keyhound report"))).unwrap();
    let summary = work.path().join("summary.md");
    let out = shell(&s(&report_step["run"]), work.path(), &[("GITHUB_STEP_SUMMARY", summary.display().to_string())]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    for kept in s(&uses(merge, "actions/upload-artifact@")["with"]["path"]).lines().filter(|l| !l.trim().is_empty()) {
        assert!(work.path().join(kept.trim()).is_file(), "{kept} was written");
    }
    check_merged(&org, &work.read("keyhound-org.json"));
    assert!(std::fs::read_to_string(&summary).unwrap().contains("places in 3 repositories"));
}

/// The Kubernetes manifest's documents.
fn manifest() -> Vec<Yaml> {
    let text = std::fs::read_to_string(repo_file("deploy/kubernetes/keyhound-org-scan.yaml")).unwrap();
    serde_norway::Deserializer::from_str(&text).map(|d| serde::Deserialize::deserialize(d).expect("YAML")).collect()
}

fn named<'a>(docs: &'a [Yaml], kind: &str, name: &str) -> &'a Yaml {
    docs.iter()
        .find(|d| s(&d["kind"]) == kind && s(&d["metadata"]["name"]) == name)
        .unwrap_or_else(|| panic!("no {kind} {name}"))
}

fn env_of(container: &Yaml) -> Vec<(String, String)> {
    container["env"]
        .as_sequence()
        .map(|vars| vars.iter().filter_map(|v| Some((s(&v["name"]), v["value"].as_str()?.to_string()))).collect())
        .unwrap_or_default()
}

#[test]
fn the_kubernetes_indexed_job_runs_every_index_and_merges_them() {
    let docs = manifest();
    let scan = named(&docs, "CronJob", "keyhound-scan");
    let job = &scan["spec"]["jobTemplate"]["spec"];
    assert_eq!(s(&job["completionMode"]), "Indexed");
    let completions = job["completions"].as_u64().unwrap();
    let pod = &job["template"]["spec"];
    let container = &pod["containers"][0];
    let env = env_of(container);
    let shards: u64 = env.iter().find(|(k, _)| k == "SHARDS").unwrap().1.parse().unwrap();
    assert_eq!(completions, shards, "one index per shard");
    let script = s(&container["args"][0]);
    assert!(script.contains("--shard \"$JOB_COMPLETION_INDEX/$SHARDS\""), "{script}");
    let token = container["env"].as_sequence().unwrap().iter().find(|v| s(&v["name"]) == "GITHUB_TOKEN").unwrap();
    assert!(token["valueFrom"]["secretKeyRef"].is_mapping(), "the token comes from a Secret");
    let claim = s(&pod["volumes"][0]["persistentVolumeClaim"]["claimName"]);
    named(&docs, "PersistentVolumeClaim", &claim);
    let merge = named(&docs, "CronJob", "keyhound-merge");
    let merge_script = s(&merge["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["args"][0]);

    // Run every index as its pod would (the volume at a temporary
    // directory), then the merge.
    let org = org();
    let data = Tree::new();
    let at_data = |t: &str| t.replace("/data/", &format!("{}/", data.path().display()));
    for index in 0..completions {
        let mut vars: Vec<(&str, String)> = env.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        vars.retain(|(k, _)| *k != "ORG");
        vars.extend([
            ("ORG", "acme".to_string()),
            ("JOB_COMPLETION_INDEX", index.to_string()),
            ("GITHUB_TOKEN", TOKEN.to_string()),
            ("KEYHOUND_GITHUB_API_URL", org.server.url()),
        ]);
        let out = shell(&at_data(&script), data.path(), &vars);
        assert!(out.status.success(), "index {index}: {}", stderr_of(&out));
        assert!(!stderr_of(&out).contains(TOKEN));
    }
    let out = shell(&at_data(&merge_script), data.path(), &[]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    check_merged(&org, &data.read("results/report.json"));
    assert!(data.path().join("results/report.html").is_file() && data.path().join("results/report.sarif").is_file());
}

#[test]
fn the_kubernetes_manifest_is_valid_against_the_kubernetes_schema() {
    let validator = std::env::var_os("KEYHOUND_K8S_VALIDATE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("kubernetes-validate"));
    let file = repo_file("deploy/kubernetes/keyhound-org-scan.yaml");
    let out = match Command::new(&validator).args(["--strict", "--no-warn"]).arg(&file).output() {
        Ok(out) => out,
        Err(e) => {
            if std::env::var_os("KEYHOUND_REQUIRE_K8S_VALIDATE").is_some() {
                panic!("KEYHOUND_REQUIRE_K8S_VALIDATE is set but {} cannot run: {e}", validator.display());
            }
            eprintln!("SKIPPED: no kubernetes-validate ({e}; `pip install kubernetes-validate`, or set KEYHOUND_K8S_VALIDATE); the manifest was not validated against the Kubernetes schema");
            return;
        }
    };
    let report = format!("{}{}", stdout_of(&out), stderr_of(&out));
    assert!(out.status.success(), "{report}");
    // Every document was checked, and passed.
    assert_eq!(report.matches(" passed for resource ").count(), manifest().len(), "{report}");
    // The validator does reject what Kubernetes would: a misspelt field.
    let broken = Tree::new();
    let text = std::fs::read_to_string(&file).unwrap().replacen(
        "completionMode: Indexed",
        "completionMode: Indexed\n      completionsMode: Indexed",
        1,
    );
    let bad = broken.write("bad.yaml", text);
    let out = Command::new(&validator).args(["--strict", "--no-warn"]).arg(&bad).output().unwrap();
    assert!(!out.status.success(), "a misspelt field is rejected: {}", stdout_of(&out));
}
