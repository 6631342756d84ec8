//! `keyhound staged [--repo REPO] [FILE...]`: what `git commit` would add,
//! for the pre-commit hook — or, at the pre-commit framework's pre-push
//! stage, the commits being pushed (see `precommit` for what is checked
//! when). Blocks the commit or push (exit 1) when it adds a secret, and says
//! what to do about it.

use std::path::Path;

use anyhow::{Context, Result};

use super::history::describe;
use super::progress::ProgressBars;
use super::{finish, no_extra, repo_context, run_info, scan_engine, Finish, ReportTo};
use crate::config::Config;
use crate::pipeline;
use crate::pipeline::history::{scan_history, HistoryOptions};
use crate::precommit::StagedCheck;
use crate::source::container::Limits;
use crate::source::git::Selection;
use crate::source::staged::{staged_changes, StagedRequest};
use crate::util::time::now_utc;

/// What a developer whose commit was blocked should do next.
const STAGED_ADVICE: &str = "\
keyhound: this commit would add the secret(s) above, so it was stopped. What to do:
  1. Remove the key from the file; load it from an environment variable or a secret manager instead.
  2. If the key was ever pushed, shared or used, rotate it: revoke it at the provider and issue a new one.
  3. Stage the fix (git add) and commit again.
  A test fixture or a false positive? Put `keyhound:allow` in a comment on that line (or allowlist
  it in .keyhound.toml), or commit anyway with `git commit --no-verify`; and tell us which rule fired:
  https://github.com/keyhound/keyhound/issues/new (the rule id is in the report; never paste the key).
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

pub(super) fn run(config: &Config, repo: &Path, check: &StagedCheck) -> Result<u8> {
    let started = now_utc();
    let engine = scan_engine(config)?;
    let history = |selection: Selection| {
        let opts =
            HistoryOptions { selection, max_file_size: config.max_file_size, archive_depth: config.archive_depth };
        scan_history(engine, repo, &opts, &ProgressBars::new(config.progress))
    };
    let targets = match check {
        StagedCheck::Index { files: Some(files), .. } => {
            files.iter().map(|f| format!("{} (staged)", f.display())).collect()
        }
        StagedCheck::Index { files: None, .. } => vec!["staged changes".to_string()],
        StagedCheck::PushRange { from, to } => {
            vec![format!("push: {}", describe(&Selection::Range { from: from.clone(), to: to.clone() }))]
        }
        StagedCheck::PushBranch(branch) => vec![format!("push: {}", describe(&Selection::Ref(branch.clone())))],
    };
    let (mut outcome, unit, rev, advice) = match check {
        StagedCheck::Index { index_file, files } => {
            let cwd = std::env::current_dir().context("reading the current directory")?;
            let request = StagedRequest {
                max_file_size: config.max_file_size,
                index_file: index_file.as_deref(),
                files: files.as_deref(),
                cwd: &cwd,
            };
            let staged = staged_changes(repo, &request)?;
            let advice = if files.is_some() { FILES_ADVICE } else { STAGED_ADVICE };
            let limits = Limits { depth: config.archive_depth, max_member_size: config.max_file_size };
            (pipeline::staged::scan_staged(engine, staged, &limits), "staged file", None, advice)
        }
        StagedCheck::PushRange { from, to } => {
            let selection = Selection::Range { from: from.clone(), to: to.clone() };
            (history(selection)?, "blob", Some(to.as_str()), PUSH_ADVICE)
        }
        StagedCheck::PushBranch(branch) => {
            (history(Selection::Ref(branch.clone()))?, "blob", Some(branch.as_str()), PUSH_ADVICE)
        }
    };
    let ctx = repo_context(config, engine, repo, rev, run_info("staged", targets, started));
    let how = Finish { unit, ctx, report_to: ReportTo::OutputOrStdout, guard_in: None };
    let code = finish(config, engine, &mut outcome, &how, &mut no_extra)?;
    if !outcome.findings.is_empty() && !config.quiet {
        eprint!("{advice}");
    }
    Ok(code)
}
