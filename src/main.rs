//! The `keyhound` binary: parses arguments, builds the validated config,
//! runs the command, and maps the result to an exit code — in one place.
//!
//! Exit codes: 0 nothing found, 1 findings (or `--exit-code N`), 2 error —
//! including an incomplete scan (`keyhound ci`, `--fail-on-incomplete`),
//! which fails with [`Incomplete`] after its report is written.
//! A closed stdout (`keyhound scan . | head`) ends the run quietly. When
//! `keyhound ci` fails under GitHub Actions — bad arguments included — the
//! error is also handed to `ci::failure`, which reports it where the user
//! looks (an `::error` line, the job summary, the step outputs, an empty
//! SARIF log).

use std::io;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::error::ErrorKind;
use clap::Parser;

use keyhound::ci::failure::{public_reason, FailureReport};
use keyhound::cli::Cli;
use keyhound::cmd;
use keyhound::config::{ci_failure_report, Config};
use keyhound::model::Incomplete;
use keyhound::util::text::escape_controls_keep_lines;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    let ci_failure = ci_failure_report(&cli);
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let message = format!("{e:#}");
            match &ci_failure {
                Some(report) => {
                    let reason = public_reason(&message);
                    eprintln!("keyhound: error: {}", escape_controls_keep_lines(&reason));
                    if e.downcast_ref::<Incomplete>().is_some() {
                        // The run wrote its reports; only the error is added.
                        warn_all(report.write_incomplete(&reason, &mut io::stdout().lock()));
                    } else {
                        report_ci_failure(report, &reason);
                    }
                }
                None => eprintln!("keyhound: error: {}", escape_controls_keep_lines(&message)),
            }
            ExitCode::from(2)
        }
    }
}

/// Arguments clap rejected: its message (help and version are printed and
/// exit as clap decides), and for `keyhound ci` under GitHub Actions the
/// failure report too.
fn usage_error(e: clap::Error) -> ExitCode {
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        e.exit();
    }
    let _ = e.print();
    if let Some(report) = Cli::parse_leniently(std::env::args_os()).as_ref().and_then(ci_failure_report) {
        let rendered = e.render().to_string();
        let first = rendered.lines().next().unwrap_or_default();
        let reason = format!("invalid arguments: {}", first.strip_prefix("error: ").unwrap_or(first));
        report_ci_failure(&report, &public_reason(&reason));
    }
    ExitCode::from(2)
}

fn report_ci_failure(report: &FailureReport, reason: &str) {
    warn_all(report.write(reason, &mut io::stdout().lock()));
}

fn warn_all(problems: Vec<String>) {
    for problem in problems {
        eprintln!("keyhound: warning: {}", escape_controls_keep_lines(&problem));
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<io::Error>().is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe))
}

fn run(cli: Cli) -> Result<u8> {
    // Lives until exit, never dropped: freeing hundreds of rules at exit
    // only costs start-up-sized time (see `cmd::scan_engine`).
    let config: &'static Config = Box::leak(Box::new(Config::from_cli(cli)?));
    if let Some(v) = &config.verify {
        for w in v.override_warnings() {
            eprintln!("keyhound: warning: {w}");
        }
    }
    rayon::ThreadPoolBuilder::new().num_threads(config.threads).build_global().context("starting worker threads")?;
    cmd::run(config)
}
