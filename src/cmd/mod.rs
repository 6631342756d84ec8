//! One file per command, and the one way every scanning command finishes a
//! run: [`finish`] applies suppression (allow comments, config allowlists,
//! baseline), checks the findings kept with their providers when `--verify`
//! asked for it, writes the report (or, for `keyhound baseline`, the
//! baseline) and any extra outputs the command has (CI's SARIF file,
//! annotations and job summary), prints the summary line and picks the exit
//! code.
//!
//! Commands get a validated [`Config`] and return an exit code; turning
//! errors into exit code 2 is `main`'s job, not theirs. An incomplete scan
//! with `--fail-on-incomplete` (always in `keyhound ci`) is such an error,
//! raised by [`finish`] once the report is written.

mod ci;
mod history;
mod install_hook;
mod openai;
mod progress;
mod report;
mod rules;
mod scan;
mod staged;

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result};

use crate::config::{Config, Task};
use crate::engine::Engine;
use crate::model::{Finding, Incomplete, Outcome, Summary};
use crate::report::{write_report, ReportOptions, RunContext, RunInfo, UriBase, VcsInfo};
use crate::source::repo::{repo_info, RepoInfo};
use crate::util::text::escape_controls;

/// Runs the command `config` describes; returns its exit code.
pub fn run(config: &Config) -> Result<u8> {
    match &config.task {
        Task::Scan { inputs } => scan::run(config, inputs),
        Task::History { repo, range, branch, state, fleet } => history::run(
            config,
            &history::HistoryRun {
                repo,
                range: range.as_ref(),
                branch: branch.as_deref(),
                state: state.as_deref(),
                fleet: fleet.as_deref(),
            },
        ),
        Task::Staged { repo, check } => staged::run(config, repo, check),
        Task::Ci(settings) => ci::run(config, settings),
        Task::Report { files } => report::run(config, files),
        Task::OpenAi(task) => openai::run(config, task),
        Task::InstallHook { repo, force, uninstall } => install_hook::run(repo, *force, *uninstall),
        Task::RulesList => rules::list(config),
        Task::RulesCheck { files } => rules::check(config, files),
    }
}

/// The engine for scanning commands: shipped and config rules, configured
/// decoding and minimum confidence. Rules that did not ship with keyhound are compiled now, so a
/// broken one is an error naming its file and id, not a silent miss.
///
/// The engine lives until the process exits and is never dropped: tearing
/// down hundreds of rules, their keyword tables and compiled regexes took
/// about a tenth of a pre-commit hook's start-up, for memory the exit frees
/// anyway.
fn scan_engine(config: &Config) -> Result<&'static Engine> {
    let mut engine = Engine::new(&config.rules)?;
    engine.compile_where(|rule| !rule.shipped)?;
    engine.set_decode_depth(config.decode_depth);
    // Below the minimum confidence, matches are only counted — unless the
    // report shows suppressed findings, or a baseline records them all.
    if !config.show_suppressed {
        engine.set_min_confidence(config.suppress.min_confidence);
    }
    Ok(Box::leak(Box::new(engine)))
}

/// Where a command's main report goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReportTo {
    /// `--output FILE`, else standard output.
    OutputOrStdout,
    /// `--output FILE` only: standard output carries something else (CI's
    /// workflow commands).
    OutputOnly,
}

/// How a command wants its run finished.
struct Finish<'a> {
    /// What one scanned item is called in the summary line (`file`, `blob`).
    unit: &'a str,
    /// Facts for the report (SARIF URIs, version control).
    ctx: RunContext,
    report_to: ReportTo,
    /// `keyhound ci`: the workspace, inside which `--output` is never
    /// written through a symbolic link (see `ci::output_file`).
    guard_in: Option<&'a Path>,
}

/// What a command adds to the report: called with the finished outcome and
/// the findings the report showed (suppressed ones too, with
/// `--show-suppressed`).
type Extra<'a> = &'a mut dyn FnMut(&Outcome, &[Finding]) -> Result<()>;

/// Finishes a run: suppress → verify → report (and `extra`) → exit code.
/// Findings gathered are always written, warnings or not.
///
/// Whether the run was complete is worked out here, once, from the final
/// warnings ([`crate::model::Summary::settle`]), before anything reports it.
/// An incomplete run says so on stderr even with `--quiet`; with
/// `fail_on_incomplete` (`--fail-on-incomplete`, `keyhound ci`) it then
/// fails with [`Incomplete`] — after everything is written.
fn finish(config: &Config, engine: &Engine, outcome: &mut Outcome, how: &Finish, extra: Extra) -> Result<u8> {
    for w in &outcome.summary.warnings {
        // Warnings name files, which come from what was scanned.
        eprintln!("keyhound: warning: {}", escape_controls(&w.message));
    }
    config.suppress.apply(outcome);
    if let Some(path) = &config.write_baseline {
        outcome.summary.settle();
        let baseline = config.suppress.baseline_of(&outcome.findings);
        baseline.write(path)?;
        print_summary(config, &outcome.summary, how.unit);
        if !config.quiet {
            let n = baseline.entries.len();
            eprintln!("keyhound: wrote a baseline of {n} finding{} to {}", plural(n), path.display());
        }
        return incomplete_or(config, &outcome.summary, 0);
    }
    if let Some(settings) = &config.verify {
        crate::verify::apply(outcome, engine.rules(), settings);
    }
    outcome.summary.settle();
    let shown: Vec<Finding>;
    let findings = if config.show_suppressed && !outcome.suppressed.is_empty() {
        shown = outcome.findings.iter().chain(&outcome.suppressed).cloned().collect();
        &shown
    } else {
        &outcome.findings
    };
    write_main_report(config, &config.report, findings, &outcome.summary, &how.ctx, how.report_to, how.guard_in)?;
    extra(outcome, findings)?;
    print_summary(config, &outcome.summary, how.unit);
    incomplete_or(config, &outcome.summary, if outcome.findings.is_empty() { 0 } else { config.exit_code })
}

/// The summary line on stderr; with `--quiet`, only the line saying the run
/// was incomplete, if it was.
fn print_summary(config: &Config, summary: &Summary, unit: &str) {
    if !config.quiet {
        eprintln!("{}", crate::report::summary_line(summary, unit));
    } else if let Some(line) = crate::report::incomplete_line(summary) {
        eprintln!("{line}");
    }
}

/// `code`, unless the run was incomplete and the command fails on that.
fn incomplete_or(config: &Config, summary: &Summary, code: u8) -> Result<u8> {
    if config.fail_on_incomplete && !summary.complete {
        return Err(Incomplete { unread: summary.unread_text() }.into());
    }
    Ok(code)
}

/// No extra outputs.
fn no_extra(_: &Outcome, _: &[Finding]) -> Result<()> {
    Ok(())
}

/// Writes a command's main report in `opts`' format where `report_to` and
/// `--output` say.
fn write_main_report(
    config: &Config,
    opts: &ReportOptions,
    findings: &[Finding],
    summary: &Summary,
    ctx: &RunContext,
    report_to: ReportTo,
    guard_in: Option<&Path>,
) -> Result<()> {
    match (&config.output, report_to) {
        (Some(path), _) if report_to == ReportTo::OutputOnly => {
            crate::ci::output_file::write_guarded(path, guard_in, |w| write_report(w, findings, summary, opts, ctx))
        }
        (Some(path), _) => write_file(path, |w| write_report(w, findings, summary, opts, ctx)),
        (None, ReportTo::OutputOrStdout) => {
            let mut out = BufWriter::new(io::stdout().lock());
            write_report(&mut out, findings, summary, opts, ctx)?;
            out.flush()?;
            Ok(())
        }
        (None, ReportTo::OutputOnly) => Ok(()),
    }
}

/// Creates `path` and writes it through `write`, naming the file on error.
fn write_file(path: &Path, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<()> {
    let file = File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    let mut w = BufWriter::new(file);
    write(&mut w).and_then(|_| w.flush()).with_context(|| format!("cannot write {}", path.display()))
}

/// `--output FILE`, else standard output, for commands that write something
/// other than a findings report.
fn open_output(config: &Config) -> Result<Box<dyn Write>> {
    Ok(match &config.output {
        Some(path) => {
            Box::new(BufWriter::new(File::create(path).with_context(|| format!("cannot write {}", path.display()))?))
        }
        None => Box::new(BufWriter::new(io::stdout().lock())),
    })
}

/// Report context for a repository scan (history, staged): paths are
/// relative to the work tree root; `rev` is the commit scanned, if not HEAD.
/// Only the formats that describe the run use it (SARIF, JSON, HTML);
/// others get one with the run alone, so their runs never open the
/// repository for it.
fn repo_context(config: &Config, engine: &Engine, repo: &Path, rev: Option<&str>, run: RunInfo) -> RunContext {
    let mut ctx = if config.report.format.describes_run() {
        repo_context_of(engine, repo_info(repo, rev))
    } else {
        RunContext::default()
    };
    ctx.run = Some(run);
    ctx
}

/// What a command was asked to scan, started at `started_at`.
fn run_info(command: &str, targets: Vec<String>, started_at: String) -> RunInfo {
    RunInfo { command: command.to_string(), targets, started_at }
}

/// Report context for a repository described by `info`.
fn repo_context_of(engine: &Engine, info: Option<RepoInfo>) -> RunContext {
    let mut ctx = RunContext::new(engine.rules());
    if let Some(info) = info {
        ctx.base = info.workdir.clone().map(|root| UriBase { root, prefix: String::new() });
        ctx.vcs = Some(vcs(info));
    }
    ctx
}

fn vcs(info: RepoInfo) -> VcsInfo {
    VcsInfo { repository_uri: info.uri, revision_id: info.head, branch: info.branch }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
