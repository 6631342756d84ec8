//! Simulated GitHub Actions jobs for `keyhound ci`: a workspace, an event
//! payload, the files the runner provides, and what a run left behind.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

use super::{assert_valid_sarif, exit_code, keyhound, sarif_results, stderr_of, stdout_of};

/// A `keyhound ci` run in a simulated GitHub Actions job: its exit code,
/// stdout (annotations), stderr, the job summary and outputs files it
/// appended to, and its SARIF report (validated).
pub struct CiRun {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub summary: String,
    pub outputs: String,
    pub sarif: Option<Value>,
}

impl CiRun {
    /// The workflow-command lines (`::error …`, `::warning …`) on stdout.
    pub fn annotations(&self) -> Vec<&str> {
        self.stdout.lines().filter(|l| l.starts_with("::error ") || l.starts_with("::warning ")).collect()
    }

    /// The `::error`/`::warning` lines for findings (not messages).
    pub fn finding_annotations(&self) -> Vec<&str> {
        self.annotations().into_iter().filter(|l| l.contains(" file=")).collect()
    }

    /// The SARIF results.
    pub fn results(&self) -> &Vec<Value> {
        sarif_results(self.sarif.as_ref().expect("a SARIF report was written"))
    }
}

/// The GitHub Actions variables `keyhound ci` reads, removed from a command
/// so a test run inside GitHub Actions does not see the real ones.
pub const GITHUB_VARS: [&str; 11] = [
    "GITHUB_ACTIONS",
    "GITHUB_EVENT_NAME",
    "GITHUB_EVENT_PATH",
    "GITHUB_WORKSPACE",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_OUTPUT",
    "GITHUB_SERVER_URL",
    "GITHUB_REPOSITORY",
    "GITHUB_HEAD_REF",
    "GITHUB_REF",
    "GITHUB_SHA",
];

/// A simulated GitHub Actions job: a workspace, an event and the files the
/// runner provides (`$GITHUB_EVENT_PATH`, `$GITHUB_STEP_SUMMARY`,
/// `$GITHUB_OUTPUT`) in a scratch directory.
pub struct Job {
    pub workspace: PathBuf,
    pub scratch: TempDir,
    pub vars: Vec<(String, String)>,
}

impl Job {
    /// A job in `workspace` triggered by `event_name` with `payload`.
    pub fn new(workspace: &Path, event_name: Option<&str>, payload: Option<Value>) -> Job {
        let scratch = tempfile::tempdir().expect("temp dir");
        let mut vars = vec![
            ("GITHUB_ACTIONS".to_string(), "true".to_string()),
            ("GITHUB_WORKSPACE".to_string(), workspace.display().to_string()),
            ("GITHUB_STEP_SUMMARY".to_string(), scratch.path().join("summary.md").display().to_string()),
            ("GITHUB_OUTPUT".to_string(), scratch.path().join("output.txt").display().to_string()),
        ];
        if let Some(name) = event_name {
            vars.push(("GITHUB_EVENT_NAME".to_string(), name.to_string()));
        }
        if let Some(p) = payload {
            let path = scratch.path().join("event.json");
            std::fs::write(&path, serde_json::to_vec_pretty(&p).unwrap()).unwrap();
            vars.push(("GITHUB_EVENT_PATH".to_string(), path.display().to_string()));
        }
        Job { workspace: workspace.to_path_buf(), scratch, vars }
    }

    /// Adds or replaces an environment variable.
    pub fn var(mut self, name: &str, value: &str) -> Job {
        self.vars.retain(|(k, _)| k != name);
        self.vars.push((name.to_string(), value.to_string()));
        self
    }

    /// Where the SARIF report goes unless a test says otherwise.
    pub fn sarif_path(&self) -> PathBuf {
        self.scratch.path().join("keyhound.sarif")
    }

    /// keyhound in the workspace with this job's environment (and none of
    /// the real job's, when the tests run inside GitHub Actions).
    pub fn command(&self) -> Command {
        let mut cmd = keyhound();
        for v in GITHUB_VARS {
            cmd.env_remove(v);
        }
        cmd.current_dir(&self.workspace).envs(self.vars.iter().map(|(k, v)| (k, v)));
        cmd
    }

    /// Runs `keyhound ci --sarif-file <scratch>/keyhound.sarif <args>` in the
    /// workspace.
    pub fn run(&self, args: &[&str]) -> CiRun {
        let sarif = self.sarif_path();
        let out =
            self.command().arg("ci").arg("--sarif-file").arg(&sarif).args(args).output().expect("run keyhound ci");
        self.collect(&out, &sarif)
    }

    /// Gathers what a run left behind (also for runs started otherwise, as
    /// through action.yml).
    pub fn collect(&self, out: &Output, sarif: &Path) -> CiRun {
        let read = |name: &str| std::fs::read_to_string(self.scratch.path().join(name)).unwrap_or_default();
        let sarif = std::fs::read_to_string(sarif).ok().map(|t| {
            let doc: Value = serde_json::from_str(&t).expect("SARIF file is JSON");
            assert_valid_sarif(&doc);
            doc
        });
        CiRun {
            code: exit_code(out),
            stdout: stdout_of(out),
            stderr: stderr_of(out),
            summary: read("summary.md"),
            outputs: read("output.txt"),
            sarif,
        }
    }
}

/// A `pull_request` event payload.
pub fn pull_request_event(number: u64, base: &str, head: &str) -> Value {
    serde_json::json!({
        "action": "synchronize",
        "number": number,
        "pull_request": {
            "number": number,
            "base": { "ref": "main", "sha": base },
            "head": { "ref": "feature", "sha": head },
        },
        "repository": { "default_branch": "main" },
    })
}

/// A `push` event payload; `commits` are the pushed commits, oldest first.
pub fn push_event(branch: &str, before: &str, after: &str, commits: &[&str], default_branch: &str) -> Value {
    serde_json::json!({
        "ref": format!("refs/heads/{branch}"),
        "before": before,
        "after": after,
        "created": before.bytes().all(|b| b == b'0'),
        "deleted": after.bytes().all(|b| b == b'0'),
        "forced": false,
        "commits": commits.iter().map(|c| serde_json::json!({ "id": c })).collect::<Vec<_>>(),
        "repository": { "default_branch": default_branch },
    })
}

/// The id GitHub sends for "no commit".
pub const NULL_SHA: &str = "0000000000000000000000000000000000000000";

/// `keyhound ci` runs that fail, and the failure report they leave.
impl Job {
    /// Keeps git from sending anything to a proxy: every host is "no
    /// proxy", so a fetch from `http://127.0.0.1:1/` fails on the spot.
    pub fn without_proxies(self) -> Job {
        self.var("no_proxy", "*").var("NO_PROXY", "*")
    }
}

impl CiRun {
    /// The `::error title=keyhound::` line of a failed run, unescaped
    /// (`%0A` → newline, `%25` → `%`); panics unless there is exactly one.
    pub fn failure_error(&self) -> String {
        let lines: Vec<&str> = self.stdout.lines().filter_map(|l| l.strip_prefix("::error title=keyhound::")).collect();
        assert_eq!(lines.len(), 1, "one ::error line for the failure: {}", self.stdout);
        lines[0].replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")
    }

    /// Checks everything a failed run leaves under GitHub Actions: exit code
    /// 2, the `::error` line, the job-summary section, the outputs
    /// (`findings` empty, `category`, `sarif-file`) and a schema-valid SARIF
    /// log with no results whose invocation failed with the reason. Returns
    /// the reason.
    pub fn assert_failure_reported(&self, category: &str, sarif_file: &str) -> String {
        assert_eq!(self.code, 2, "{}", self.stderr);
        let reason = self.failure_error();
        assert!(!reason.is_empty());
        assert!(self.summary.contains("### keyhound: the secret scan did not complete"), "{}", self.summary);
        assert!(self.summary.contains("**Error:**"), "{}", self.summary);
        assert_eq!(self.outputs, format!("findings=\ncategory={category}\nsarif-file={sarif_file}\n"));
        let doc = self.sarif.as_ref().expect("a SARIF log was written for the failed run");
        assert!(self.results().is_empty(), "{doc}");
        let run = &doc["runs"][0];
        assert_eq!(run["tool"]["driver"]["name"], "keyhound");
        assert_eq!(run["automationDetails"]["id"], format!("{category}/"));
        let invocation = &run["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], false, "{doc}");
        let notes = invocation["toolExecutionNotifications"].as_array().expect("notifications");
        assert_eq!(notes[0]["message"]["text"].as_str(), Some(reason.as_str()), "{doc}");
        reason
    }
}
