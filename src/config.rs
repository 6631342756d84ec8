//! The validated configuration a run works from. Built from parsed
//! arguments before any work starts, so every later stage can trust it:
//! paths exist, numbers are in range, formats are known.
//!
//! This is also where the root of the scanned tree or repository is found,
//! and with it the `.keyhound.toml` config and the rule set, so a bad config
//! or baseline stops the run before any work.
//!
//! Errors here are the user's arguments being unusable (exit code 2).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::ci::CiSettings;
use crate::cli::{
    BaselineOf, Cli, ColorArg, Command, CommonArgs, FormatArg, HistoryArgs, OpenaiAction, OpenaiKeyArgs, RulesAction,
    ScanArgs,
};
use crate::openai::{Action, KeySource, OpenAiTask, Secret};
use crate::precommit::StagedCheck;
use crate::report::{Format, ReportOptions};
use crate::rules::RuleSet;
use crate::suppress::{normalize, Baseline, PathBase, RepoConfig, Suppressor, CONFIG_FILE};

/// `--max-file-size` when neither the flag nor the config sets it.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 25 << 20;
use crate::verify::VerifySettings;

/// What to scan for `keyhound scan`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanInput {
    Path(PathBuf),
    Stdin,
}

/// The work a run does.
#[derive(Debug, Clone)]
pub enum Task {
    Scan {
        inputs: Vec<ScanInput>,
    },
    History {
        repo: PathBuf,
        range: Option<(String, String)>,
        branch: Option<String>,
    },
    Staged {
        repo: PathBuf,
        check: StagedCheck,
    },
    Ci(Box<CiSettings>),
    /// `keyhound openai locate|revoke`.
    OpenAi(Box<OpenAiTask>),
    InstallHook {
        repo: PathBuf,
        force: bool,
        uninstall: bool,
    },
    RulesList,
    RulesCheck {
        files: Vec<PathBuf>,
    },
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
    /// The rules to scan with: the shipped ones plus the config's, minus
    /// those the config disables.
    pub rules: RuleSet,
    /// Allow comments, the config's allowlists and the baseline.
    pub suppress: Suppressor,
    /// Report suppressed findings too (marked).
    pub show_suppressed: bool,
    /// `keyhound baseline`: write a baseline of the findings to this file
    /// instead of a report.
    pub write_baseline: Option<PathBuf>,
    /// `--verify`: live checks, with their settings. `None` means no
    /// request is ever made.
    pub verify: Option<VerifySettings>,
}

impl Config {
    pub fn from_cli(cli: Cli) -> Result<Config> {
        let common = &cli.common;
        let mut write_baseline = None;
        let task = match cli.command {
            Command::Scan(args) => scan_task(args)?,
            Command::History(args) => history_task(args)?,
            Command::Baseline { of } => {
                let Some(out) = &common.output else {
                    bail!("keyhound baseline needs --output FILE (where to write the baseline)");
                };
                if common.baseline.is_some() {
                    bail!("--baseline cannot be used with `keyhound baseline`: it writes every current finding");
                }
                write_baseline = Some(out.clone());
                match of {
                    None => scan_task(ScanArgs { paths: Vec::new() })?,
                    Some(BaselineOf::Scan(args)) => scan_task(args)?,
                    Some(BaselineOf::History(args)) => history_task(args)?,
                }
            }
            Command::Staged { files, repo } => {
                let (repo, files) = crate::precommit::split_args(repo, files)?;
                Task::Staged { repo, check: StagedCheck::decide(files, |k| std::env::var_os(k)) }
            }
            Command::Ci { repo, sarif_file, no_fetch } => {
                Task::Ci(Box::new(CiSettings::from_env(repo, sarif_file, !no_fetch, |k| std::env::var(k).ok())?))
            }
            Command::InstallHook { repo, force, uninstall } => {
                Task::InstallHook { repo: repo.unwrap_or_else(|| PathBuf::from(".")), force, uninstall }
            }
            Command::Openai { action } => Task::OpenAi(Box::new(openai_task(action, common)?)),
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
        if let Some(out) = &common.output {
            if out.is_dir() {
                bail!("--output {} is a directory", out.display());
            }
        }
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        let found = locate(&task, &cwd);
        let mut rules = RuleSet::embedded()?;
        let source = match (&common.config, common.no_config) {
            (_, true) => None,
            (Some(file), _) => {
                if !file.is_file() {
                    bail!("config file {} does not exist", file.display());
                }
                Some(ConfigSource::File(file.clone()))
            }
            (None, false) => found.config,
        };
        let repo_config = match source {
            None => RepoConfig::default(),
            Some(ConfigSource::File(path)) => RepoConfig::load(&path, &found.root, &mut rules)?,
            Some(ConfigSource::Text { name, text }) => RepoConfig::parse(&name, &text, &found.root, &mut rules)?,
        };
        let max_file_size = match &common.max_file_size {
            Some(s) => parse_size(s).with_context(|| format!("invalid --max-file-size {s:?}"))?,
            None => repo_config.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE),
        };
        let baseline = common.baseline.as_deref().map(Baseline::load).transpose()?;
        let suppress = Suppressor::new(found.base, repo_config.allow, baseline.as_ref());
        let verify = verify_settings(common, &task, write_baseline.is_some())?;
        Ok(Config {
            task,
            report: ReportOptions {
                format: format(common.format),
                show_secrets: common.show_secrets,
                color: use_color(common),
            },
            output: if write_baseline.is_some() { None } else { common.output.clone() },
            exit_code: common.exit_code,
            threads,
            max_file_size,
            no_ignore: common.no_ignore,
            decode_depth: common.decode_depth,
            quiet: common.quiet,
            progress: !common.quiet && !common.no_progress && std::io::stderr().is_terminal(),
            rules,
            suppress,
            show_suppressed: common.show_suppressed,
            write_baseline,
            verify,
        })
    }
}

fn scan_task(args: ScanArgs) -> Result<Task> {
    Ok(Task::Scan { inputs: scan_inputs(args.paths)? })
}

fn history_task(args: HistoryArgs) -> Result<Task> {
    let HistoryArgs { repo, range, branch } = args;
    if range.is_some() && branch.is_some() {
        bail!("--range and --branch cannot be used together");
    }
    let range = range.as_deref().map(parse_range).transpose()?;
    if branch.as_deref() == Some("") {
        bail!("--branch needs a branch, tag or commit name");
    }
    Ok(Task::History { repo: repo.unwrap_or_else(|| PathBuf::from(".")), range, branch })
}

/// Where a config is read from.
#[derive(Debug)]
enum ConfigSource {
    File(PathBuf),
    /// A config that is not a file in a work tree (a bare repository's
    /// `HEAD:.keyhound.toml`), named for errors.
    Text {
        name: String,
        text: String,
    },
}

/// The root of what a task scans, how its paths relate to that root, and
/// the config file found there.
struct Located {
    root: PathBuf,
    base: PathBase,
    config: Option<ConfigSource>,
}

/// Finds the root of the scanned tree or repository:
/// - `scan`: the top of the git work tree containing the first path scanned
///   (or `.` for standard input); outside a work tree, that directory itself
///   (a file's own directory). Paths shown relative to the working directory
///   are matched relative to this root.
/// - `history`, `staged` and `ci`: the repository's work tree, whose paths are
///   already repository-relative; a bare repository's config is read from
///   `HEAD:.keyhound.toml`.
fn locate(task: &Task, cwd: &Path) -> Located {
    let file_at = |root: &Path| {
        let f = root.join(CONFIG_FILE);
        f.is_file().then(|| ConfigSource::File(f.strip_prefix(cwd).map(Path::to_path_buf).unwrap_or(f)))
    };
    let git_repo = |repo: &Path| {
        let git = git2::Repository::open_ext(repo, git2::RepositoryOpenFlags::empty(), std::iter::empty::<&str>());
        let (root, config) = match &git {
            Ok(r) => match r.workdir() {
                Some(wd) => (normalize(&cwd.join(wd)), file_at(&normalize(&cwd.join(wd)))),
                None => (normalize(&cwd.join(r.path())), head_config(r)),
            },
            Err(_) => (normalize(&cwd.join(repo)), None),
        };
        Located { root, base: PathBase::AsShown, config }
    };
    match task {
        Task::History { repo, .. } | Task::Staged { repo, .. } => git_repo(repo),
        Task::Ci(ci) => git_repo(&ci.repo),
        Task::Scan { inputs } => {
            let first = inputs.iter().find_map(|i| match i {
                ScanInput::Path(p) => Some(p.as_path()),
                ScanInput::Stdin => None,
            });
            let root = tree_root(&normalize(&cwd.join(first.unwrap_or(Path::new(".")))));
            let config = file_at(&root);
            Located { base: PathBase::Root { cwd: cwd.to_path_buf(), root: root.clone() }, root, config }
        }
        // Installing a hook reads no config: a broken one must not stop it;
        // nor do the OpenAI admin commands, which a repository must not steer.
        Task::InstallHook { .. } | Task::OpenAi(_) => {
            Located { root: cwd.to_path_buf(), base: PathBase::AsShown, config: None }
        }
        Task::RulesList | Task::RulesCheck { .. } => {
            let root = tree_root(cwd);
            let config = file_at(&root);
            Located { base: PathBase::Root { cwd: cwd.to_path_buf(), root: root.clone() }, root, config }
        }
    }
}

/// The top of the git work tree containing `path`, else `path` (or, for a
/// file, its directory).
fn tree_root(path: &Path) -> PathBuf {
    let start = if path.is_dir() { path } else { path.parent().unwrap_or(path) };
    start.ancestors().find(|d| d.join(".git").exists()).unwrap_or(start).to_path_buf()
}

/// `.keyhound.toml` in the tree of a (bare) repository's HEAD.
fn head_config(repo: &git2::Repository) -> Option<ConfigSource> {
    let tree = repo.head().ok()?.peel_to_tree().ok()?;
    let blob = tree.get_path(Path::new(CONFIG_FILE)).ok()?.to_object(repo).ok()?.peel_to_blob().ok()?;
    let text = String::from_utf8_lossy(blob.content()).into_owned();
    Some(ConfigSource::Text { name: format!("HEAD:{CONFIG_FILE}"), text })
}

/// The `--verify` settings, from flags and the process environment only
/// (base-URL overrides and `HTTPS_PROXY`); `None` without `--verify`.
fn verify_settings(common: &CommonArgs, task: &Task, writes_baseline: bool) -> Result<Option<VerifySettings>> {
    let v = &common.verify;
    if !v.verify {
        return Ok(None);
    }
    if writes_baseline {
        bail!("--verify cannot be used with `keyhound baseline`: a baseline records every current finding");
    }
    if !matches!(task, Task::Scan { .. } | Task::History { .. } | Task::Staged { .. } | Task::Ci(_)) {
        bail!("--verify works with scan, history, staged and ci");
    }
    let timeout = request_timeout(common)?;
    if !(1..=64).contains(&v.verify_concurrency) {
        bail!("--verify-concurrency must be between 1 and 64");
    }
    if !(v.verify_rate.is_finite() && v.verify_rate > 0.0 && v.verify_rate <= 1000.0) {
        bail!("--verify-rate must be more than 0 and at most 1000 requests per second");
    }
    Ok(Some(VerifySettings {
        timeout,
        concurrency: v.verify_concurrency,
        rate: v.verify_rate,
        only_verified: v.only_verified,
        overrides: base_overrides()?,
        proxy: https_proxy()?,
    }))
}

/// `--verify-timeout`, validated.
fn request_timeout(common: &CommonArgs) -> Result<Duration> {
    let v = &common.verify;
    let timeout = parse_duration(&v.verify_timeout)
        .with_context(|| format!("invalid --verify-timeout {:?}", v.verify_timeout))?;
    if timeout.is_zero() || timeout > Duration::from_secs(300) {
        bail!("--verify-timeout must be more than 0 and at most 300 seconds");
    }
    Ok(timeout)
}

/// The `KEYHOUND_VERIFY_BASE_URL_*` overrides, from the process environment.
fn base_overrides() -> Result<std::collections::BTreeMap<String, crate::verify::BaseOverride>> {
    let rules = RuleSet::embedded()?;
    crate::verify::overrides_from_env(rules.rules(), std::env::vars()).map_err(anyhow::Error::msg)
}

/// `HTTPS_PROXY` (or `https_proxy`), validated.
fn https_proxy() -> Result<Option<String>> {
    let env = |k: &str| std::env::var(k).ok();
    crate::verify::http::proxy_from_env(env).map_err(anyhow::Error::msg)?;
    Ok(env("HTTPS_PROXY").or_else(|| env("https_proxy")).filter(|p| !p.trim().is_empty()))
}

/// `keyhound openai locate|revoke`: the admin key from `OPENAI_ADMIN_KEY`,
/// where requests go, and where the leaked key comes from.
fn openai_task(action: OpenaiAction, common: &CommonArgs) -> Result<OpenAiTask> {
    let (args, action): (OpenaiKeyArgs, Action) = match action {
        OpenaiAction::Locate(args) => (args, Action::Locate),
        OpenaiAction::Revoke { key, yes } => (key, Action::Revoke { yes }),
    };
    if !matches!(common.format, FormatArg::Text | FormatArg::Json) {
        bail!("`keyhound openai` writes text or json");
    }
    let source = match args.fingerprint {
        _ if args.key_from_stdin => KeySource::Stdin,
        Some(fp) => {
            let fp = fp.trim().to_ascii_lowercase();
            if fp.len() < 8 || fp.len() > 32 || !fp.bytes().all(|b| b.is_ascii_hexdigit()) {
                bail!("{fp:?} is not a finding fingerprint (32 hex digits, or at least the first 8)");
            }
            for p in &args.paths {
                if p.symlink_metadata().is_err() {
                    bail!("{}: no such file or directory", p.display());
                }
            }
            let paths = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths };
            KeySource::Fingerprint { fingerprint: fp, paths, history: args.history }
        }
        None => bail!("give a finding's fingerprint or --key-from-stdin"),
    };
    let admin_key = std::env::var("OPENAI_ADMIN_KEY").unwrap_or_default().trim().to_string();
    if admin_key.is_empty() {
        bail!(
            "OPENAI_ADMIN_KEY is not set: create an admin key at https://platform.openai.com/settings/organization/admin-keys and export it as OPENAI_ADMIN_KEY"
        );
    }
    let over = base_overrides()?.remove("openai");
    Ok(OpenAiTask {
        action,
        source,
        admin_key: Secret(admin_key),
        base: over.as_ref().map_or_else(|| crate::openai::OPENAI_API.to_string(), |o| o.url.clone()),
        base_override: over,
        timeout: request_timeout(common)?,
        proxy: https_proxy()?,
    })
}

/// Parses `10`, `2.5`, `10s`, `500ms` into a duration.
pub fn parse_duration(s: &str) -> Result<Duration> {
    let t = s.trim();
    let (num, scale) =
        if let Some(ms) = t.strip_suffix("ms") { (ms, 0.001) } else { (t.strip_suffix('s').unwrap_or(t), 1.0) };
    let n: f64 = num.trim().parse().context("expected seconds, e.g. 10, 2.5, 10s or 500ms")?;
    if !n.is_finite() || n < 0.0 {
        bail!("expected a positive number of seconds");
    }
    Ok(Duration::from_secs_f64(n * scale))
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
    fn durations() {
        assert_eq!(parse_duration("10").unwrap(), Duration::from_secs(10));
        assert_eq!(parse_duration("2.5s").unwrap(), Duration::from_millis(2500));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("-1").is_err());
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
