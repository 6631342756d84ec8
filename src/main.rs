//! The `keyhound` binary: parses arguments, builds the validated config,
//! runs the task, and maps the result to an exit code — in one place.
//!
//! Exit codes: 0 nothing found, 1 findings (or `--exit-code N`), 2 error.
//! A closed stdout (`keyhound scan . | head`) ends the run quietly.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;

use keyhound::cli::Cli;
use keyhound::config::{Config, Task};
use keyhound::engine::{selftest, Engine};
use keyhound::finding::Finding;
use keyhound::hook;
use keyhound::openai::{self, KeySource};
use keyhound::pipeline;
use keyhound::pipeline::history::HistoryOptions;
use keyhound::precommit::StagedCheck;
use keyhound::report::{self, Format, PathBase, RunContext, VcsInfo};
use keyhound::rules::RuleSet;
use keyhound::source::files::WalkOptions;
use keyhound::source::git::Selection;
use keyhound::source::repo::{repo_info, work_tree_root};
use keyhound::source::staged::StagedRequest;

/// What a developer whose commit was blocked should do next.
const STAGED_ADVICE: &str = "\
keyhound: this commit would add the secret(s) above, so it was stopped. What to do:
  1. Remove the key from the file; load it from an environment variable or a secret manager instead.
  2. If the key was ever pushed, shared or used, rotate it: revoke it at the provider and issue a new one.
  3. Stage the fix (git add) and commit again.
  A test fixture or a false positive? Put `keyhound:allow` in a comment on that line (or allowlist
  it in .keyhound.toml), or commit anyway with `git commit --no-verify`; and tell us which rule fired.
";

/// What to do when named files (the pre-commit framework's, perhaps with
/// `--all-files`) hold secrets: some may have been committed long ago.
const FILES_ADVICE: &str = "\
keyhound: the files checked hold the secret(s) above (on lines staged changes add, or anywhere in a
file with nothing staged), so the check failed. What to do:
  1. Remove the key from the file; load it from an environment variable or a secret manager instead.
  2. If the key was ever committed, pushed, shared or used, rotate it: revoke it at the provider and
     issue a new one.
  3. Stage the fix (git add) and run the check again.
  A test fixture or a false positive? Put `keyhound:allow` in a comment on that line (or allowlist
  it in .keyhound.toml), or skip the hook once (`SKIP=<hook id> git commit` with pre-commit, or
  `git commit --no-verify`); and tell us which rule fired.
";

/// What a developer whose push was blocked (pre-push stage) should do next.
const PUSH_ADVICE: &str = "\
keyhound: the commits being pushed add the secret(s) above, so the push was stopped. What to do:
  1. Rotate the key: it is in your local history, and may have been shared already.
  2. Take it out of the commits, not just out of the latest one: `git rebase -i` and edit the commit
     named above (or `git commit --amend` if it is the last one), then push again.
  A test fixture or a false positive? Put `keyhound:allow` in a comment on that line (or allowlist
  it in .keyhound.toml), or push anyway with `git push --no-verify`; and tell us which rule fired.
";

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("keyhound: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<io::Error>().is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe))
}

fn run(cli: Cli) -> Result<u8> {
    let config = Config::from_cli(cli)?;
    if let Some(v) = &config.verify {
        for w in v.override_warnings() {
            eprintln!("keyhound: warning: {w}");
        }
    }
    rayon::ThreadPoolBuilder::new().num_threads(config.threads).build_global().context("starting worker threads")?;
    match &config.task {
        Task::Scan { inputs } => {
            let engine = scan_engine(&config)?;
            let walk = WalkOptions {
                no_ignore: config.no_ignore,
                threads: config.threads,
                max_file_size: config.max_file_size,
            };
            let mut outcome = pipeline::scan_inputs(&engine, inputs, &walk);
            finish(&config, &engine, &mut outcome, "file", &scan_context(&config, &engine))
        }
        Task::History { repo, range, branch } => {
            let engine = scan_engine(&config)?;
            let selection = match (range, branch) {
                (Some((from, to)), _) => Selection::Range { from: from.clone(), to: to.clone() },
                (None, Some(name)) => Selection::Ref(name.clone()),
                (None, None) => Selection::All,
            };
            let rev = match &selection {
                Selection::Range { to, .. } => Some(to.clone()),
                Selection::Ref(name) => Some(name.clone()),
                Selection::All => None,
            };
            let opts = HistoryOptions { selection, max_file_size: config.max_file_size, progress: config.progress };
            let mut outcome = pipeline::history::scan_history(&engine, repo, &opts)?;
            finish(&config, &engine, &mut outcome, "blob", &repo_context(&config, &engine, repo, rev.as_deref()))
        }
        Task::Staged { repo, check } => {
            let engine = scan_engine(&config)?;
            let (mut outcome, unit, rev, advice) = match check {
                StagedCheck::Index { index_file, files } => {
                    let cwd = std::env::current_dir().context("reading the current directory")?;
                    let request = StagedRequest {
                        max_file_size: config.max_file_size,
                        index_file: index_file.as_deref(),
                        files: files.as_deref(),
                        cwd: &cwd,
                    };
                    let staged = keyhound::source::staged::staged_changes(repo, &request)?;
                    let advice = if files.is_some() { FILES_ADVICE } else { STAGED_ADVICE };
                    (pipeline::staged::scan_staged(&engine, staged), "staged file", None, advice)
                }
                StagedCheck::PushRange { from, to } => {
                    let selection = Selection::Range { from: from.clone(), to: to.clone() };
                    let opts =
                        HistoryOptions { selection, max_file_size: config.max_file_size, progress: config.progress };
                    (pipeline::history::scan_history(&engine, repo, &opts)?, "blob", Some(to.clone()), PUSH_ADVICE)
                }
                StagedCheck::PushBranch(branch) => {
                    let selection = Selection::Ref(branch.clone());
                    let opts =
                        HistoryOptions { selection, max_file_size: config.max_file_size, progress: config.progress };
                    (pipeline::history::scan_history(&engine, repo, &opts)?, "blob", Some(branch.clone()), PUSH_ADVICE)
                }
            };
            let ctx = repo_context(&config, &engine, repo, rev.as_deref());
            let code = finish(&config, &engine, &mut outcome, unit, &ctx)?;
            if !outcome.findings.is_empty() && !config.quiet {
                eprint!("{advice}");
            }
            Ok(code)
        }
        Task::Ci(ci) => {
            let engine = scan_engine(&config)?;
            keyhound::ci::run(ci, &engine, &config)
        }
        Task::OpenAi(task) => {
            if let Some(o) = &task.base_override {
                eprintln!("keyhound: warning: OpenAI admin requests go to {} ({})", o.url, o.var);
            }
            let (leaked, stdin_used) = match &task.source {
                KeySource::Stdin => (openai::read_key(io::stdin().lock())?, true),
                source => {
                    let engine = scan_engine(&config)?;
                    let walk = WalkOptions {
                        no_ignore: config.no_ignore,
                        threads: config.threads,
                        max_file_size: config.max_file_size,
                    };
                    (openai::key_of_finding(&engine, source, &walk)?, false)
                }
            };
            let mut out = open_output(&config)?;
            openai::run(task, &leaked, stdin_used, &mut out, config.report.format == Format::Json)
        }
        Task::InstallHook { repo, force, uninstall } => {
            let outcome = if *uninstall {
                hook::uninstall(repo)?
            } else {
                let binary = std::env::current_exe().context("locating the keyhound binary")?;
                hook::install(repo, &binary, *force)?
            };
            eprintln!("keyhound: {outcome}");
            Ok(0)
        }
        Task::RulesList => {
            if config.report.format == Format::Sarif {
                anyhow::bail!("`rules list` writes text, json or jsonl, not sarif");
            }
            let mut out = open_output(&config)?;
            list_rules(&mut out, &config.rules, config.report.format)?;
            out.flush()?;
            Ok(0)
        }
        Task::RulesCheck { files } => {
            let set = if files.is_empty() {
                config.rules.clone()
            } else {
                let mut set = RuleSet::default();
                for f in files {
                    set.add_file(f)?;
                }
                set
            };
            let engine = Engine::new(&set)?;
            engine.compile_all()?;
            let checked = selftest::check_examples(&engine, None);
            let mut out = open_output(&config)?;
            for failure in &checked.failures {
                writeln!(out, "FAIL {failure}")?;
            }
            writeln!(
                out,
                "{} rules, {} examples checked, {} failed",
                set.len(),
                checked.checked,
                checked.failures.len()
            )?;
            out.flush()?;
            Ok(if checked.failures.is_empty() { 0 } else { 1 })
        }
    }
}

/// The engine for scanning commands: shipped and config rules, configured
/// decoding.
fn scan_engine(config: &Config) -> Result<Engine> {
    let mut engine = Engine::new(&config.rules)?;
    engine.set_decode_depth(config.decode_depth);
    Ok(engine)
}

/// What every command does with its findings: applies suppression (allow
/// comments, config allowlists, baseline), checks the findings kept with
/// their providers when `--verify` asked for it, then writes the report and
/// summary — or, for `keyhound baseline`, the baseline — and picks the exit
/// code. Findings gathered are always written, warnings or not.
fn finish(
    config: &Config,
    engine: &Engine,
    outcome: &mut pipeline::Outcome,
    unit: &str,
    ctx: &RunContext,
) -> Result<u8> {
    for w in &outcome.summary.warnings {
        eprintln!("keyhound: warning: {w}");
    }
    config.suppress.apply(outcome);
    if let Some(path) = &config.write_baseline {
        let baseline = config.suppress.baseline_of(&outcome.findings);
        baseline.write(path)?;
        if !config.quiet {
            eprintln!("{}", report::summary_line(&outcome.summary, unit));
            let n = baseline.entries.len();
            eprintln!(
                "keyhound: wrote a baseline of {n} finding{} to {}",
                if n == 1 { "" } else { "s" },
                path.display()
            );
        }
        return Ok(0);
    }
    if let Some(settings) = &config.verify {
        keyhound::verify::apply(outcome, engine.rules(), settings);
    }
    let shown: Vec<Finding>;
    let findings = if config.show_suppressed && !outcome.suppressed.is_empty() {
        shown = outcome.findings.iter().chain(&outcome.suppressed).cloned().collect();
        &shown
    } else {
        &outcome.findings
    };
    let mut out = open_output(config)?;
    report::write_report(&mut out, findings, &outcome.summary, &config.report, ctx)?;
    out.flush()?;
    if !config.quiet {
        eprintln!("{}", report::summary_line(&outcome.summary, unit));
    }
    Ok(if outcome.findings.is_empty() { 0 } else { config.exit_code })
}

/// Report context for `keyhound scan`: paths are relative to the working
/// directory, URIs to the work tree containing it (or to it, outside one).
fn scan_context(config: &Config, engine: &Engine) -> RunContext {
    if config.report.format != Format::Sarif {
        return RunContext::default();
    }
    let mut ctx = RunContext::new(engine.rules());
    if let Ok(cwd) = std::env::current_dir().and_then(std::fs::canonicalize) {
        let root = work_tree_root(&cwd).unwrap_or_else(|| cwd.clone());
        let prefix = cwd
            .strip_prefix(&root)
            .map(|p| p.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/"))
            .unwrap_or_default();
        ctx.vcs = repo_info(&cwd, None).map(vcs);
        ctx.base = Some(PathBase { root, prefix });
    }
    ctx
}

/// Report context for a repository scan (history, staged): paths are
/// relative to the work tree root; `rev` is the commit scanned, if not HEAD.
/// Only SARIF uses it.
fn repo_context(config: &Config, engine: &Engine, repo: &std::path::Path, rev: Option<&str>) -> RunContext {
    if config.report.format != Format::Sarif {
        return RunContext::default();
    }
    let mut ctx = RunContext::new(engine.rules());
    if let Some(info) = repo_info(repo, rev) {
        ctx.base = info.workdir.clone().map(|root| PathBase { root, prefix: String::new() });
        ctx.vcs = Some(vcs(info));
    }
    ctx
}

fn vcs(info: keyhound::source::repo::RepoInfo) -> VcsInfo {
    VcsInfo { repository_uri: info.uri, revision_id: info.head, branch: info.branch }
}

fn open_output(config: &Config) -> Result<Box<dyn Write>> {
    Ok(match &config.output {
        Some(path) => {
            Box::new(BufWriter::new(File::create(path).with_context(|| format!("cannot write {}", path.display()))?))
        }
        None => Box::new(BufWriter::new(io::stdout().lock())),
    })
}

fn list_rules(out: &mut dyn Write, set: &RuleSet, format: Format) -> io::Result<()> {
    match format {
        Format::Text => {
            let width = set.rules().iter().map(|r| r.id.len()).max().unwrap_or(0);
            for r in set.rules() {
                writeln!(out, "{:width$}  {}", r.id, r.name)?;
            }
        }
        Format::Json | Format::Jsonl | Format::Sarif => {
            for r in set.rules() {
                let v = serde_json::json!({
                    "id": r.id, "name": r.name, "severity": r.severity, "keywords": r.keywords,
                    "references": r.references, "remediation": r.remediation, "file": r.source,
                });
                serde_json::to_writer(&mut *out, &v)?;
                writeln!(out)?;
            }
        }
    }
    Ok(())
}
