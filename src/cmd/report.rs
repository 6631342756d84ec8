//! `keyhound report FILE`: a saved JSON or JSON Lines report written again
//! in any format (text, json, jsonl, sarif, html) without scanning — the
//! JSON a CI job kept, turned into the HTML audit report on a laptop.
//!
//! It reads the file with `report::saved` and writes with the same writers
//! every scanning command uses; it does not suppress, verify or filter
//! anything again (the saved report already says what was suppressed and
//! verified). Secrets stay redacted unless the file holds them in clear and
//! `--show-secrets` is given. Exit code 0 once the report is written; a file
//! that is not a keyhound report is an error (exit 2).

use std::path::Path;

use anyhow::Result;

use super::{write_main_report, ReportTo};
use crate::config::Config;
use crate::model::WarningKind;
use crate::report::saved;
use crate::report::{RunContext, SavedFrom};
use crate::util::text::escape_controls;

pub(super) fn run(config: &Config, file: &Path) -> Result<u8> {
    let saved = saved::read(file)?;
    // Saved warnings come back as notes; what could not be read now is
    // `Unreadable`, and said here.
    for w in saved.summary.warnings.iter().filter(|w| w.kind == WarningKind::Unreadable) {
        eprintln!("keyhound: warning: {}", escape_controls(&w.message));
    }
    let mut opts = config.report;
    if opts.show_secrets && saved.secrets_redacted {
        eprintln!(
            "keyhound: warning: {} holds redacted secrets (it was written without --show-secrets): they stay redacted",
            escape_controls(&file.display().to_string())
        );
        opts.show_secrets = false;
    }
    let mut ctx = RunContext::new(config.rules.rules());
    ctx.run = saved.run;
    ctx.vcs = saved.vcs;
    ctx.saved_from = Some(SavedFrom { path: file.display().to_string(), has_summary: saved.has_summary });
    write_main_report(config, &opts, &saved.findings, &saved.summary, &ctx, ReportTo::OutputOrStdout)?;
    if !config.quiet {
        let n = saved.findings.len();
        eprintln!(
            "keyhound: {n} finding{} from {} written again",
            if n == 1 { "" } else { "s" },
            escape_controls(&file.display().to_string())
        );
    }
    Ok(0)
}
