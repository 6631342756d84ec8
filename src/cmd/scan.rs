//! `keyhound scan PATH...`: files, directories and standard input.

use anyhow::Result;

use super::{finish, no_extra, run_info, scan_engine, vcs, Finish, ReportTo};
use crate::config::Config;
use crate::engine::Engine;
use crate::pipeline;
use crate::report::{RunContext, UriBase};
use crate::source::files::WalkOptions;
use crate::source::repo::{repo_info, work_tree_root};
use crate::source::ScanInput;
use crate::util::paths::{canonical, slash_relative};
use crate::util::time::now_utc;

pub(super) fn run(config: &Config, inputs: &[ScanInput]) -> Result<u8> {
    let started = now_utc();
    let engine = scan_engine(config)?;
    let mut outcome = pipeline::scan_inputs(engine, inputs, &walk_options(config));
    let mut ctx = scan_context(config, engine, inputs);
    let targets = inputs
        .iter()
        .map(|i| match i {
            ScanInput::Path(p) => p.display().to_string(),
            ScanInput::Stdin => "standard input".to_string(),
        })
        .collect();
    ctx.run = Some(run_info("scan", targets, started));
    let how = Finish { unit: "file", ctx, report_to: ReportTo::OutputOrStdout, guard_in: None };
    finish(config, engine, &mut outcome, &how, &mut no_extra)
}

/// How the file walker runs, from the config.
pub(super) fn walk_options(config: &Config) -> WalkOptions {
    WalkOptions {
        skip_ignored: config.skip_ignored,
        threads: config.threads,
        max_file_size: config.max_file_size,
        archive_depth: config.archive_depth,
    }
}

/// Report context for `keyhound scan`: paths are relative to the working
/// directory, URIs to the work tree containing it (or to it, outside one).
/// The work tree's repository and commit describe the run only when every
/// path scanned lies inside that work tree: a scan of `/tmp/other` run from
/// a checkout is not a scan of that checkout.
fn scan_context(config: &Config, engine: &Engine, inputs: &[ScanInput]) -> RunContext {
    if !config.report.format.describes_run() {
        return RunContext::default();
    }
    let mut ctx = RunContext::new(engine.rules());
    if let Ok(cwd) = std::env::current_dir() {
        let cwd = canonical(&cwd);
        let tree = work_tree_root(&cwd);
        let root = tree.clone().unwrap_or_else(|| cwd.clone());
        let prefix = slash_relative(&cwd, &root).unwrap_or_default();
        let in_tree = tree.is_some()
            && inputs.iter().all(|input| match input {
                ScanInput::Path(p) => canonical(&cwd.join(p)).starts_with(&root),
                ScanInput::Stdin => true,
            });
        if in_tree {
            ctx.vcs = repo_info(&cwd, None).map(vcs);
        }
        ctx.base = Some(UriBase { root, prefix });
    }
    ctx
}
