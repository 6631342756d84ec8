//! What `keyhound ci` (the command the GitHub Action runs) knows of CI: the
//! settings read from the GitHub Actions environment ([`CiSettings`]), which
//! commits an event asks to scan ([`plan`]), making sure they are in the
//! clone, fetching what a shallow checkout lacks ([`checkout`]), and what is
//! told to GitHub ([`github`]): annotations, the job summary, step outputs,
//! and, when the run fails, word of the failure in the same places
//! ([`failure`]). On a pull request or merge group, the exemptions
//! (`.keyhound.toml`, the baseline) come from the base commit, never from
//! the change itself ([`trust`]).
//!
//! It must not scan or decide what is reported: the command in `cmd::ci`
//! wires this to the pipeline and finishes the run like every other
//! command. Never imports `config` or `pipeline`, and never decides an exit
//! code (that is `main`'s job).

pub mod checkout;
pub mod failure;
pub mod github;
pub mod output_file;
pub mod plan;
pub mod trust;

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde_json::Value;

use crate::util::paths::slash_relative;

/// Everything `keyhound ci` needs, read from its arguments and the GitHub
/// Actions environment before any work starts.
#[derive(Debug, Clone, Default)]
pub struct CiSettings {
    /// The repository to scan.
    pub repo: PathBuf,
    /// Where the SARIF report goes.
    pub sarif_file: PathBuf,
    /// Fetch commits a shallow clone lacks (else fail).
    pub fetch: bool,
    /// `GITHUB_EVENT_NAME`.
    pub event_name: Option<String>,
    /// The JSON at `GITHUB_EVENT_PATH`.
    pub event: Option<Value>,
    /// `GITHUB_WORKSPACE`: annotation paths are relative to it.
    pub workspace: Option<PathBuf>,
    /// `GITHUB_STEP_SUMMARY`: the Markdown job summary is appended there.
    pub step_summary: Option<PathBuf>,
    /// `GITHUB_OUTPUT`: step outputs are appended there.
    pub output_file: Option<PathBuf>,
    /// `GITHUB_SERVER_URL/GITHUB_REPOSITORY`, for links and the SARIF
    /// repository URI.
    pub web: Option<String>,
    /// The branch built (`GITHUB_HEAD_REF`, or `GITHUB_REF` for a branch).
    pub branch: Option<String>,
    /// The code-scanning category results go under: `--category`, else
    /// the event's default ([`plan::default_category`]).
    pub category: String,
    /// `--html-file`: where the HTML audit report goes, if anywhere.
    pub html_file: Option<PathBuf>,
}

impl CiSettings {
    /// Builds the settings from the arguments and environment variables
    /// (looked up through `var`, so tests need not touch the process
    /// environment). An event file that cannot be read is an error.
    pub fn from_env(
        repo: Option<PathBuf>,
        sarif_file: PathBuf,
        fetch: bool,
        category: Option<&str>,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<CiSettings> {
        let var = |k: &str| var(k).filter(|v| !v.is_empty());
        let category = category_of(var("GITHUB_EVENT_NAME").as_deref(), category)?;
        let workspace = var("GITHUB_WORKSPACE").map(PathBuf::from);
        let repo = repo.or_else(|| workspace.clone()).unwrap_or_else(|| PathBuf::from("."));
        if !repo.exists() {
            bail!("{}: no such file or directory", repo.display());
        }
        if sarif_file.as_os_str().is_empty() || sarif_file.is_dir() {
            bail!("--sarif-file {:?} is not a file name", sarif_file.display());
        }
        let event = match var("GITHUB_EVENT_PATH") {
            Some(path) => {
                let text =
                    std::fs::read_to_string(&path).with_context(|| format!("reading the event payload {path}"))?;
                Some(
                    serde_json::from_str::<Value>(&text)
                        .with_context(|| format!("the event payload {path} is not JSON"))?,
                )
            }
            None => None,
        };
        let web = match (var("GITHUB_SERVER_URL"), var("GITHUB_REPOSITORY")) {
            (Some(server), Some(repo)) => Some(format!("{}/{repo}", server.trim_end_matches('/'))),
            _ => None,
        };
        let branch =
            var("GITHUB_HEAD_REF").or_else(|| var("GITHUB_REF")?.strip_prefix("refs/heads/").map(str::to_string));
        Ok(CiSettings {
            repo,
            sarif_file,
            fetch,
            event_name: var("GITHUB_EVENT_NAME"),
            event,
            workspace,
            step_summary: var("GITHUB_STEP_SUMMARY").map(PathBuf::from),
            output_file: var("GITHUB_OUTPUT").map(PathBuf::from),
            web,
            branch,
            category,
            html_file: None,
        })
    }
}

/// A `--category` that cannot name a code-scanning category.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--category {0:?} is not a category name: give one line of visible text, such as `keyhound-changes`")]
pub struct BadCategory(pub String);

/// The category for `event_name`: `requested` (`--category`) if given,
/// else the event's default.
pub fn category_of(event_name: Option<&str>, requested: Option<&str>) -> Result<String, BadCategory> {
    match requested {
        None => Ok(plan::default_category(event_name).to_string()),
        Some(c) if c.trim().is_empty() || c.chars().any(char::is_control) => Err(BadCategory(c.to_string())),
        Some(c) => Ok(c.trim().to_string()),
    }
}

/// The SARIF `runs[].automationDetails.id` for `category`: code scanning
/// reads everything up to the last `/` as the category, and
/// `github/codeql-action/upload-sarif` prefers it to its own `category`
/// input, so the file carries its category wherever it is uploaded.
pub fn automation_id(category: &str) -> String {
    if category.ends_with('/') {
        category.to_string()
    } else {
        format!("{category}/")
    }
}

/// The repository's directory relative to the workspace, `/`-separated.
pub fn workspace_prefix(workdir: Option<&Path>, workspace: Option<&Path>) -> String {
    let (Some(dir), Some(ws)) = (workdir, workspace) else { return String::new() };
    slash_relative(dir, ws).unwrap_or_default()
}

/// Appends `text` to a file GitHub Actions reads after the step (the job
/// summary, the step outputs).
pub fn append(path: &Path, text: &str) -> Result<()> {
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    f.write_all(text.as_bytes()).with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn settings_come_from_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let event = dir.path().join("event.json");
        std::fs::write(&event, r#"{"pull_request": {"number": 1}}"#).unwrap();
        let env: HashMap<&str, String> = HashMap::from([
            ("GITHUB_EVENT_NAME", "pull_request".to_string()),
            ("GITHUB_EVENT_PATH", event.display().to_string()),
            ("GITHUB_WORKSPACE", dir.path().display().to_string()),
            ("GITHUB_SERVER_URL", "https://github.com/".to_string()),
            ("GITHUB_REPOSITORY", "o/r".to_string()),
            ("GITHUB_HEAD_REF", "".to_string()),
            ("GITHUB_REF", "refs/heads/topic".to_string()),
        ]);
        let s = CiSettings::from_env(None, "k.sarif".into(), true, None, |k| env.get(k).cloned()).unwrap();
        assert_eq!(s.repo, dir.path());
        assert_eq!(s.event_name.as_deref(), Some("pull_request"));
        assert_eq!(s.event.as_ref().unwrap()["pull_request"]["number"], 1);
        assert_eq!(s.web.as_deref(), Some("https://github.com/o/r"));
        assert_eq!(s.branch.as_deref(), Some("topic"));
        assert_eq!(s.step_summary, None);
        assert_eq!(s.category, "keyhound-changes");
        let s = CiSettings::from_env(None, "k.sarif".into(), true, Some("mine"), |k| env.get(k).cloned()).unwrap();
        assert_eq!(s.category, "mine");
        assert!(CiSettings::from_env(None, "k.sarif".into(), true, Some(" "), |k| env.get(k).cloned()).is_err());

        let bad = HashMap::from([("GITHUB_EVENT_PATH", dir.path().join("missing.json").display().to_string())]);
        assert!(CiSettings::from_env(Some(dir.path().into()), "k.sarif".into(), true, None, |k| bad.get(k).cloned())
            .is_err());
    }

    #[test]
    fn categories() {
        assert_eq!(category_of(Some("push"), None).unwrap(), plan::CHANGES_CATEGORY);
        assert_eq!(category_of(Some("schedule"), None).unwrap(), plan::HISTORY_CATEGORY);
        assert_eq!(category_of(None, None).unwrap(), plan::HISTORY_CATEGORY);
        assert_eq!(category_of(Some("push"), Some(" web ")).unwrap(), "web");
        assert!(category_of(None, Some("")).is_err());
        assert!(category_of(None, Some("a\nb")).is_err());
        assert_eq!(automation_id("keyhound-changes"), "keyhound-changes/");
        assert_eq!(automation_id("mono/app/"), "mono/app/");
    }

    #[test]
    fn annotation_paths_are_relative_to_the_workspace() {
        let ws = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(ws.path().join("a/b")).unwrap();
        assert_eq!(workspace_prefix(Some(&ws.path().join("a/b")), Some(ws.path())), "a/b");
        assert_eq!(workspace_prefix(Some(ws.path()), Some(ws.path())), "");
        assert_eq!(workspace_prefix(Some(Path::new("/")), Some(ws.path())), "");
        assert_eq!(workspace_prefix(Some(ws.path()), None), "");
    }
}
