//! The `keyhound` binary: parses arguments, builds the validated config,
//! runs the command, and maps the result to an exit code — in one place.
//!
//! Exit codes: 0 nothing found, 1 findings (or `--exit-code N`), 2 error.
//! A closed stdout (`keyhound scan . | head`) ends the run quietly.

use std::io;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;

use keyhound::cli::Cli;
use keyhound::cmd;
use keyhound::config::Config;

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
    cmd::run(&config)
}
