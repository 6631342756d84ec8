//! `keyhound history [REPO] [--range A..B | --branch REF]`: every blob of a
//! repository's history, each finding at the commit that introduced it.

use std::path::Path;

use anyhow::Result;

use super::progress::ProgressBars;
use super::{finish, no_extra, repo_context, run_info, scan_engine, Finish, ReportTo};
use crate::config::Config;
use crate::pipeline::history::{scan_history, HistoryOptions};
use crate::source::git::Selection;
use crate::util::time::now_utc;

pub(super) fn run(config: &Config, repo: &Path, range: Option<&(String, String)>, branch: Option<&str>) -> Result<u8> {
    let started = now_utc();
    let engine = scan_engine(config)?;
    let selection = match (range, branch) {
        (Some((from, to)), _) => Selection::Range { from: from.clone(), to: to.clone() },
        (None, Some(name)) => Selection::Ref(name.to_string()),
        (None, None) => Selection::All,
    };
    let rev = match &selection {
        Selection::Range { to, .. } => Some(to.clone()),
        Selection::Ref(name) => Some(name.clone()),
        Selection::All => None,
    };
    let opts = HistoryOptions { selection, max_file_size: config.max_file_size, archive_depth: config.archive_depth };
    let mut outcome = scan_history(engine, repo, &opts, &ProgressBars::new(config.progress))?;
    let run = run_info("history", vec![describe(&opts.selection)], started);
    let ctx = repo_context(config, engine, repo, rev.as_deref(), run);
    let how = Finish { unit: "blob", ctx, report_to: ReportTo::OutputOrStdout };
    finish(config, engine, &mut outcome, &how, &mut no_extra)
}

/// What part of the history a selection is, in words.
pub(super) fn describe(selection: &Selection) -> String {
    match selection {
        Selection::All => "all refs".to_string(),
        Selection::Ref(name) => format!("the history of {name}"),
        Selection::Range { from, to } => format!("range {from}..{to}"),
    }
}
