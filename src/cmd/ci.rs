//! `keyhound ci [REPO]`: what a CI event introduced — a pull request's
//! commits, a push's, or the whole history — reported for CI: a SARIF file
//! (under the run's code-scanning category), an annotation per finding on
//! standard output, a Markdown job summary and step outputs, besides the
//! usual report with `--output`, and with `--html-file` the HTML audit
//! report.
//!
//! On a pull request or merge group the exemptions were read from its base
//! commit (`config` decided that); this command says so, warns on each
//! exemption file the change edits, and lists — in the summary, and as
//! suppressed in the SARIF report — the findings the change's own allow
//! comments hide, so reviewers see them.
//!
//! Errors are returned like every command's; under GitHub Actions `main`
//! hands them to `ci::failure`, which reports them in the same places. A
//! scan that could not read everything (missing objects of a partial clone,
//! a shallow history it could not deepen) is one: `finish` writes the SARIF
//! file, annotations, job summary and outputs first, all saying the scan was
//! incomplete, then fails with `model::Incomplete` (exit 2).

use std::io::{self, BufWriter, Write};

use anyhow::Result;

use super::progress::ProgressBars;
use super::{finish, repo_context_of, run_info, scan_engine, Finish, ReportTo};
use crate::ci::output_file::write_guarded;
use crate::ci::{append, automation_id, checkout, github, plan, trust, workspace_prefix, CiSettings};
use crate::config::Config;
use crate::model::{Finding, Outcome, WarningKind};
use crate::pipeline::history::{scan_history, HistoryOptions};
use crate::report::{self, Format, ReportOptions};
use crate::source::repo::repo_info;
use crate::util::time::now_utc;

pub(super) fn run(config: &Config, ci: &CiSettings) -> Result<u8> {
    let started = now_utc();
    let engine = scan_engine(config)?;
    let plan = plan::plan(ci.event_name.as_deref(), ci.event.as_ref())?;
    let git = checkout::Git::open(&ci.repo, ci.fetch)?;
    let mut resolved = git.resolve(&plan)?;
    if let Some(selection) = &resolved.selection {
        let warnings = git.fetch_missing_objects(selection);
        resolved.warnings.extend(warnings);
    }
    let mut commands = BufWriter::new(io::stdout().lock());
    for w in &resolved.warnings {
        eprintln!("keyhound: warning: {}", crate::util::text::escape_controls(w));
        writeln!(commands, "{}", github::warning(w))?;
    }
    if !config.quiet {
        if let Some(trusted) = &config.trusted {
            eprintln!("keyhound: {}", crate::util::text::escape_controls(&trusted.log_line()));
        }
        eprintln!("keyhound: scanning {}", crate::util::text::escape_controls(&resolved.what));
    }
    let mut outcome = match &resolved.selection {
        Some(selection) => {
            let opts = HistoryOptions {
                selection: selection.clone(),
                max_file_size: config.max_file_size,
                archive_depth: config.archive_depth,
            };
            scan_history(engine, &ci.repo, &opts, &ProgressBars::new(config.progress))?
        }
        None => {
            let mut o = Outcome::default();
            o.summary.rules = engine.rules().len();
            o
        }
    };
    if resolved.verified {
        // Every commit of the selection was checked to be present: a
        // shallow boundary elsewhere does not matter.
        outcome.summary.warnings.retain(|w| w.kind != WarningKind::ShallowHistory);
    }

    let info = repo_info(&ci.repo, None);
    let workdir = info.as_ref().and_then(|i| i.workdir.clone());
    let mut ctx = repo_context_of(engine, info);
    ctx.automation_id = Some(automation_id(&ci.category));
    ctx.run = Some(run_info("ci", vec![resolved.what.clone()], started));
    if let Some(vcs) = &mut ctx.vcs {
        if let Some(web) = &ci.web {
            vcs.repository_uri = web.clone();
        }
        vcs.revision_id = resolved.head.clone().or(vcs.revision_id.take());
        vcs.branch = ci.branch.clone().or(vcs.branch.take());
    }
    let links =
        github::Links { prefix: workspace_prefix(workdir.as_deref(), ci.workspace.as_deref()), web: ci.web.clone() };
    let how = Finish { unit: "blob", ctx, report_to: ReportTo::OutputOnly, guard_in: ci.workspace.as_deref() };
    let sarif_opts = ReportOptions { format: Format::Sarif, show_secrets: config.report.show_secrets, color: false };
    let html_opts = ReportOptions { format: Format::Html, ..sarif_opts };
    let sarif_name = ci.sarif_file.display().to_string();
    let mut ci_outputs = |outcome: &Outcome, shown: &[Finding]| -> Result<()> {
        // On a pull request, what its own allow comments suppress is in the
        // SARIF report too, marked suppressed (`inSource`).
        let allowed_here = match &config.trusted {
            Some(t) => trust::allowed_by_own_comments(&ci.repo, &t.base, &outcome.suppressed),
            None => Vec::new(),
        };
        let mut in_sarif = shown.to_vec();
        if !config.show_suppressed {
            in_sarif.extend(allowed_here.iter().map(|f| (*f).clone()));
        }
        // The workspace is the change under review: no symbolic link in it
        // redirects a report (see `ci::output_file`).
        let workspace = ci.workspace.as_deref();
        write_guarded(&ci.sarif_file, workspace, |w| {
            report::write_report(w, &in_sarif, &outcome.summary, &sarif_opts, &how.ctx)
        })?;
        if let Some(html) = &ci.html_file {
            write_guarded(html, workspace, |w| report::write_report(w, shown, &outcome.summary, &html_opts, &how.ctx))?;
        }
        if let Some(trusted) = &config.trusted {
            for line in trusted.annotations(&links) {
                writeln!(commands, "{line}")?;
            }
        }
        for f in &outcome.findings {
            writeln!(commands, "{}", github::annotation(f, &links))?;
        }
        for w in &outcome.summary.warnings {
            writeln!(commands, "{}", github::warning(&w.message))?;
        }
        commands.flush()?;
        if let Some(path) = &ci.step_summary {
            let md = github::summary_markdown(&outcome.findings, &resolved.what, &outcome.summary, &links, &sarif_name);
            append(path, &md)?;
            if let Some(trusted) = &config.trusted {
                append(path, &trusted.summary_markdown(&allowed_here, &links))?;
            }
        }
        if let Some(path) = &ci.output_file {
            let lines = github::output_line("findings", &outcome.findings.len().to_string())
                + &github::output_line("category", &ci.category)
                + &github::output_line("sarif-file", &sarif_name)
                + &github::output_line("complete", &outcome.summary.complete.to_string())
                + &ci
                    .html_file
                    .as_ref()
                    .map_or_else(String::new, |h| github::output_line("html-file", &h.display().to_string()));
            append(path, &lines)?;
        }
        Ok(())
    };
    finish(config, engine, &mut outcome, &how, &mut ci_outputs)
}
