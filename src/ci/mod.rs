//! `keyhound ci`: the command the GitHub Action runs, usable in any CI.
//!
//! It reads the GitHub Actions environment, decides from the event which
//! commits to scan ([`plan`]), makes sure they are in the clone, fetching
//! what a shallow checkout lacks ([`checkout`]), scans them with the history
//! pipeline, and reports for CI ([`github`]): a SARIF file, one annotation
//! per finding on stdout, a Markdown job summary, and step outputs.

pub mod checkout;
pub mod github;
pub mod plan;

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde_json::Value;

use crate::config::Config;
use crate::engine::Engine;
use crate::pipeline::history::{scan_history, HistoryOptions};
use crate::pipeline::Outcome;
use crate::report::{self, Format, PathBase, ReportOptions, RunContext, VcsInfo};
use crate::source::repo::repo_info;

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
}

impl CiSettings {
    /// Builds the settings from the arguments and environment variables
    /// (looked up through `var`, so tests need not touch the process
    /// environment). An event file that cannot be read is an error.
    pub fn from_env(
        repo: Option<PathBuf>,
        sarif_file: PathBuf,
        fetch: bool,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<CiSettings> {
        let var = |k: &str| var(k).filter(|v| !v.is_empty());
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
        })
    }
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The repository's directory relative to the workspace, `/`-separated.
fn workspace_prefix(workdir: Option<&Path>, workspace: Option<&Path>) -> String {
    let (Some(dir), Some(ws)) = (workdir, workspace) else { return String::new() };
    match canonical(dir).strip_prefix(canonical(ws)) {
        Ok(rel) => rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/"),
        Err(_) => String::new(),
    }
}

fn append(path: &Path, text: &str) -> Result<()> {
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    f.write_all(text.as_bytes()).with_context(|| format!("cannot write {}", path.display()))
}

/// Runs `keyhound ci`; returns the exit code (findings: `--exit-code`).
pub fn run(ci: &CiSettings, engine: &Engine, config: &Config) -> Result<u8> {
    let plan = plan::plan(ci.event_name.as_deref(), ci.event.as_ref())?;
    let git = checkout::Git::open(&ci.repo, ci.fetch)?;
    let resolved = git.resolve(&plan)?;
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for w in &resolved.warnings {
        eprintln!("keyhound: warning: {w}");
        writeln!(out, "{}", github::warning(w))?;
    }
    if !config.quiet {
        eprintln!("keyhound: scanning {}", resolved.what);
    }
    let mut outcome = match &resolved.selection {
        Some(selection) => {
            let opts = HistoryOptions {
                selection: selection.clone(),
                max_file_size: config.max_file_size,
                progress: config.progress,
            };
            scan_history(engine, &ci.repo, &opts)?
        }
        None => {
            let mut o = Outcome::default();
            o.summary.rules = engine.rules().len();
            o
        }
    };
    config.suppress.apply(&mut outcome);
    if resolved.verified {
        // Every commit of the selection was checked to be present: a
        // shallow boundary elsewhere does not matter.
        outcome.summary.warnings.retain(|w| !w.starts_with("shallow clone"));
    }
    if let Some(settings) = &config.verify {
        crate::verify::apply(&mut outcome, engine.rules(), settings);
    }

    let info = repo_info(&ci.repo, None);
    let workdir = info.as_ref().and_then(|i| i.workdir.clone());
    let mut ctx = RunContext::new(engine.rules());
    ctx.base = workdir.clone().map(|root| PathBase { root, prefix: String::new() });
    ctx.vcs = info.map(|i| VcsInfo {
        repository_uri: ci.web.clone().unwrap_or(i.uri),
        revision_id: resolved.head.clone().or(i.head),
        branch: ci.branch.clone().or(i.branch),
    });

    let sarif_opts = ReportOptions { format: Format::Sarif, show_secrets: config.report.show_secrets, color: false };
    if let Some(dir) = ci.sarif_file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    write_file(&ci.sarif_file, &outcome, &sarif_opts, &ctx)?;
    if let Some(path) = &config.output {
        write_file(path, &outcome, &config.report, &ctx)?;
    }

    let links =
        github::Links { prefix: workspace_prefix(workdir.as_deref(), ci.workspace.as_deref()), web: ci.web.clone() };
    for f in &outcome.findings {
        writeln!(out, "{}", github::annotation(f, &links))?;
    }
    for w in &outcome.summary.warnings {
        eprintln!("keyhound: warning: {w}");
        writeln!(out, "{}", github::warning(w))?;
    }
    out.flush()?;

    let sarif_name = ci.sarif_file.display().to_string();
    if let Some(path) = &ci.step_summary {
        let md =
            github::summary_markdown(&outcome.findings, &resolved.what, outcome.summary.scanned, &links, &sarif_name);
        append(path, &md)?;
    }
    if let Some(path) = &ci.output_file {
        let lines = github::output_line("findings", &outcome.findings.len().to_string())
            + &github::output_line("sarif-file", &sarif_name);
        append(path, &lines)?;
    }
    if !config.quiet {
        eprintln!("{}", report::summary_line(&outcome.summary, "blob"));
    }
    Ok(if outcome.findings.is_empty() { 0 } else { config.exit_code })
}

fn write_file(path: &Path, outcome: &Outcome, opts: &ReportOptions, ctx: &RunContext) -> Result<()> {
    let file = File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    let mut w = BufWriter::new(file);
    report::write_report(&mut w, &outcome.findings, &outcome.summary, opts, ctx)
        .and_then(|_| w.flush())
        .with_context(|| format!("cannot write {}", path.display()))
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
        let s = CiSettings::from_env(None, "k.sarif".into(), true, |k| env.get(k).cloned()).unwrap();
        assert_eq!(s.repo, dir.path());
        assert_eq!(s.event_name.as_deref(), Some("pull_request"));
        assert_eq!(s.event.as_ref().unwrap()["pull_request"]["number"], 1);
        assert_eq!(s.web.as_deref(), Some("https://github.com/o/r"));
        assert_eq!(s.branch.as_deref(), Some("topic"));
        assert_eq!(s.step_summary, None);

        let bad = HashMap::from([("GITHUB_EVENT_PATH", dir.path().join("missing.json").display().to_string())]);
        assert!(CiSettings::from_env(Some(dir.path().into()), "k.sarif".into(), true, |k| bad.get(k).cloned()).is_err());
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
