//! `keyhound staged [REPO]`: what `git commit` would add, for the pre-commit
//! hook. Blocks the commit (exit 1) when it adds a secret, and says what to
//! do about it.

use std::path::Path;

use anyhow::Result;

use super::{finish, no_extra, repo_context, scan_engine, Finish, ReportTo};
use crate::config::Config;
use crate::pipeline;
use crate::source::staged::staged_changes;

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

pub(super) fn run(config: &Config, repo: &Path) -> Result<u8> {
    let engine = scan_engine(config)?;
    let staged = staged_changes(repo, config.max_file_size)?;
    let mut outcome = pipeline::staged::scan_staged(&engine, staged);
    let ctx = repo_context(config, &engine, repo, None);
    let how = Finish { unit: "staged file", ctx, report_to: ReportTo::OutputOrStdout };
    let code = finish(config, &engine, &mut outcome, &how, &mut no_extra)?;
    if !outcome.findings.is_empty() && !config.quiet {
        eprint!("{STAGED_ADVICE}");
    }
    Ok(code)
}
