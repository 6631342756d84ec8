//! The validated configuration a run works from. Built from parsed
//! arguments before any work starts, so every later stage can trust it:
//! paths exist, numbers are in range, formats are known.
//!
//! Errors here are the user's arguments being unusable (exit code 2).

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};

use crate::ci::CiSettings;
use crate::cli::{Cli, ColorArg, Command, CommonArgs, FormatArg, RulesAction};
use crate::report::{Format, ReportOptions};

/// What to scan for `keyhound scan`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanInput {
    Path(PathBuf),
    Stdin,
}

/// The work a run does.
#[derive(Debug, Clone)]
pub enum Task {
    Scan { inputs: Vec<ScanInput> },
    History { repo: PathBuf, range: Option<(String, String)>, branch: Option<String> },
    Staged { repo: PathBuf },
    Ci(Box<CiSettings>),
    InstallHook { repo: PathBuf, force: bool, uninstall: bool },
    RulesList,
    RulesCheck { files: Vec<PathBuf> },
}

/// Everything a run needs, validated.
#[derive(Debug, Clone)]
pub struct Config {
    pub task: Task,
    pub report: ReportOptions,
    pub output: Option<PathBuf>,
    pub exit_code: u8,
    pub threads: usize,
    pub max_file_size: u64,
    pub no_ignore: bool,
    pub decode_depth: usize,
    pub quiet: bool,
    pub progress: bool,
}

impl Config {
    pub fn from_cli(cli: Cli) -> Result<Config> {
        let common = &cli.common;
        let task = match cli.command {
            Command::Scan { paths } => Task::Scan { inputs: scan_inputs(paths)? },
            Command::History { repo, range, branch } => {
                if range.is_some() && branch.is_some() {
                    bail!("--range and --branch cannot be used together");
                }
                let range = range.as_deref().map(parse_range).transpose()?;
                if branch.as_deref() == Some("") {
                    bail!("--branch needs a branch, tag or commit name");
                }
                Task::History { repo: repo.unwrap_or_else(|| PathBuf::from(".")), range, branch }
            }
            Command::Staged { repo } => Task::Staged { repo: repo.unwrap_or_else(|| PathBuf::from(".")) },
            Command::Ci { repo, sarif_file, no_fetch } => {
                Task::Ci(Box::new(CiSettings::from_env(repo, sarif_file, !no_fetch, |k| std::env::var(k).ok())?))
            }
            Command::InstallHook { repo, force, uninstall } => {
                Task::InstallHook { repo: repo.unwrap_or_else(|| PathBuf::from(".")), force, uninstall }
            }
            Command::Rules { action: RulesAction::List } => Task::RulesList,
            Command::Rules { action: RulesAction::Check { files } } => {
                for f in &files {
                    if !f.is_file() {
                        bail!("rule file {} does not exist", f.display());
                    }
                }
                Task::RulesCheck { files }
            }
        };
        let threads = match common.threads {
            Some(0) => bail!("--threads must be at least 1"),
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        if common.decode_depth > 8 {
            bail!("--decode-depth {} is too deep (at most 8)", common.decode_depth);
        }
        let max_file_size = parse_size(&common.max_file_size)
            .with_context(|| format!("invalid --max-file-size {:?}", common.max_file_size))?;
        if let Some(out) = &common.output {
            if out.is_dir() {
                bail!("--output {} is a directory", out.display());
            }
        }
        Ok(Config {
            task,
            report: ReportOptions {
                format: format(common.format),
                show_secrets: common.show_secrets,
                color: use_color(common),
            },
            output: common.output.clone(),
            exit_code: common.exit_code,
            threads,
            max_file_size,
            no_ignore: common.no_ignore,
            decode_depth: common.decode_depth,
            quiet: common.quiet,
            progress: !common.quiet && !common.no_progress && std::io::stderr().is_terminal(),
        })
    }
}

fn scan_inputs(paths: Vec<PathBuf>) -> Result<Vec<ScanInput>> {
    if paths.is_empty() {
        return Ok(vec![ScanInput::Path(PathBuf::from("."))]);
    }
    let mut inputs = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            if inputs.contains(&ScanInput::Stdin) {
                bail!("'-' (standard input) given more than once");
            }
            inputs.push(ScanInput::Stdin);
        } else if p.symlink_metadata().is_err() {
            bail!("{}: no such file or directory", p.display());
        } else {
            inputs.push(ScanInput::Path(p));
        }
    }
    Ok(inputs)
}

/// Splits `A..B` (either side may be empty, meaning `HEAD`, as in git) for
/// `Task::History`'s range.
pub fn parse_range(s: &str) -> Result<(String, String)> {
    let bad = || anyhow::anyhow!("invalid --range {s:?}: expected A..B (commits reachable from B and not from A)");
    if s.contains("...") {
        bail!("invalid --range {s:?}: symmetric ranges (A...B) are not supported; use A..B");
    }
    let (a, b) = s.split_once("..").ok_or_else(bad)?;
    if (a.is_empty() && b.is_empty()) || b.contains("..") {
        return Err(bad());
    }
    let side = |x: &str| if x.is_empty() { "HEAD".to_string() } else { x.to_string() };
    Ok((side(a), side(b)))
}

fn format(f: FormatArg) -> Format {
    match f {
        FormatArg::Text => Format::Text,
        FormatArg::Json => Format::Json,
        FormatArg::Jsonl => Format::Jsonl,
        FormatArg::Sarif => Format::Sarif,
    }
}

fn use_color(common: &CommonArgs) -> bool {
    match common.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            common.format == FormatArg::Text
                && common.output.is_none()
                && std::env::var_os("NO_COLOR").is_none()
                && std::io::stdout().is_terminal()
        }
    }
}

/// Parses `1234`, `64K`, `25M`, `1G` (powers of 1024; a trailing `B` or
/// `iB` is accepted).
pub fn parse_size(s: &str) -> Result<u64> {
    let t = s.trim();
    let t = t.strip_suffix("iB").or_else(|| t.strip_suffix('B')).unwrap_or(t);
    let (digits, mult) = match t.chars().last() {
        Some('k' | 'K') => (&t[..t.len() - 1], 1u64 << 10),
        Some('m' | 'M') => (&t[..t.len() - 1], 1 << 20),
        Some('g' | 'G') => (&t[..t.len() - 1], 1 << 30),
        _ => (t, 1),
    };
    let n: u64 = digits.trim().parse().context("expected a number of bytes, e.g. 1048576 or 25M")?;
    n.checked_mul(mult).context("size too large")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("100").unwrap(), 100);
        assert_eq!(parse_size("25M").unwrap(), 25 << 20);
        assert_eq!(parse_size("2KiB").unwrap(), 2048);
        assert_eq!(parse_size("1g").unwrap(), 1 << 30);
        assert!(parse_size("lots").is_err());
        assert!(parse_size("").is_err());
    }

    #[test]
    fn ranges() {
        assert_eq!(parse_range("main..feature").unwrap(), ("main".into(), "feature".into()));
        assert_eq!(parse_range("v1.0..").unwrap(), ("v1.0".into(), "HEAD".into()));
        assert_eq!(parse_range("..topic").unwrap(), ("HEAD".into(), "topic".into()));
        assert!(parse_range("main").is_err());
        assert!(parse_range("..").is_err());
        assert!(parse_range("a...b").is_err());
        assert!(parse_range("a..b..c").is_err());
    }
}
