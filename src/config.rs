//! The validated configuration a run works from. Built from parsed
//! arguments before any work starts, so every later stage can trust it:
//! paths exist, numbers are in range, formats are known.
//!
//! This is also where the root of the scanned tree or repository is found,
//! and with it the `.keyhound.toml` config and the rule set, so a bad config
//! or baseline stops the run before any work. It is the one place that
//! decides which config and baseline are trusted: the work tree's, except
//! for `keyhound ci` on a pull request or merge group, which takes both from
//! its base commit (see [`trusted_exemptions`]); `--config FILE` always wins.
//! The minimum confidence reported is `--min-confidence`, else the trusted
//! config's `min-confidence`, else [`DEFAULT_MIN_CONFIDENCE`] (every level
//! for `keyhound baseline`).
//!
//! Errors here are the user's arguments being unusable (exit code 2).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::ci::failure::FailureReport;
use crate::ci::trust::{TrustedCommits, TrustedExemptions};
use crate::ci::CiSettings;
use clap::{Args, FromArgMatches};

use crate::cli::{
    BaselineOf, Cli, ColorArg, Command, ConfidenceArg, ConfigArgs, FindingArgs, FleetArgs, FormatArg, HistoryArgs,
    OpenaiAction, OpenaiFormatArg, OpenaiKeyArgs, OutputArgs, RulesAction, RulesFormatArg, ScanCommandArgs,
    ScanTuningArgs,
};
use crate::fleet::shard::Shard;
use crate::forge::{normalize_base, Forge, ListOptions};
use crate::openai::{Action, KeySource, OpenAiTask, Secret};
use crate::precommit::StagedCheck;
use crate::repo_config::{RepoConfig, CONFIG_FILE, MAX_ARCHIVE_DEPTH};
use crate::report::{Format, ReportOptions};
use crate::rules::{Confidence, RuleSet};
use crate::source::git::check_object_format;
use crate::source::ScanInput;
use crate::suppress::{Baseline, RootRelative, Suppressor};
use crate::util::paths::normalize;
use crate::util::units::{parse_duration, parse_size};
use crate::verify::VerifySettings;

/// `--max-file-size` when neither the flag nor the config sets it.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 25 << 20;
/// `--archive-depth` when neither the flag nor the config sets it.
pub const DEFAULT_ARCHIVE_DEPTH: usize = 3;
/// `--min-confidence` when neither the flag nor the config sets it: every
/// shipped rule's findings are reported, the weak guesses of detectors that
/// grade their matches are not (they are counted).
pub const DEFAULT_MIN_CONFIDENCE: Confidence = Confidence::Medium;

/// Where the repositories of a many-repository run come from.
#[derive(Debug, Clone)]
pub enum RepoSource {
    /// `--repos FILE`.
    List(PathBuf),
    /// `--github-org` / `--gitlab-group`.
    Forge { forge: Forge, options: ListOptions },
}

/// A `keyhound history` run over many repositories.
#[derive(Debug, Clone)]
pub struct FleetTask {
    pub source: RepoSource,
    pub shard: Option<Shard>,
    /// `--list-repos`: print the list, scan nothing.
    pub list_only: bool,
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
        /// `--state DIR`.
        state: Option<PathBuf>,
        /// Many repositories (`--repos`, `--github-org`, `--gitlab-group`);
        /// `repo` is then unused.
        fleet: Option<Box<FleetTask>>,
    },
    Staged {
        repo: PathBuf,
        check: StagedCheck,
    },
    Ci(Box<CiSettings>),
    /// `keyhound report FILE...`: saved JSON or JSON Lines reports, merged
    /// and written again.
    Report {
        files: Vec<PathBuf>,
    },
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
    pub skip_ignored: bool,
    pub decode_depth: usize,
    /// Containers opened along one chain, at most; 0: none.
    pub archive_depth: usize,
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
    /// Fail (exit 2, after reporting) when the scan was incomplete:
    /// `--fail-on-incomplete`, and always for `keyhound ci`.
    pub fail_on_incomplete: bool,
    /// `keyhound ci` on a pull request or merge group: the exemptions were
    /// read from its base commit, not its work tree.
    pub trusted: Option<TrustedExemptions>,
}

/// The flags of the command line, whichever subcommand carried them, with
/// clap's defaults for those the subcommand does not take.
struct Common {
    format: FormatArg,
    output: Option<PathBuf>,
    show_secrets: bool,
    color: ColorArg,
    quiet: bool,
    findings: FindingArgs,
    tuning: ScanTuningArgs,
    skip_ignored: bool,
    config: ConfigArgs,
    fail_on_incomplete: bool,
}

/// A flag group as clap fills it when none of its flags is given.
fn clap_defaults<T: Args + FromArgMatches>() -> T {
    let cmd = T::augment_args(clap::Command::new("defaults"));
    T::from_arg_matches(&cmd.get_matches_from(["defaults"])).expect("flag defaults parse")
}

impl Common {
    fn defaults() -> Common {
        let out: OutputArgs = clap_defaults();
        Common {
            format: out.format,
            output: out.output,
            show_secrets: out.show_secrets,
            color: out.color,
            quiet: out.quiet,
            findings: clap_defaults(),
            tuning: clap_defaults(),
            skip_ignored: false,
            config: clap_defaults(),
            fail_on_incomplete: false,
        }
    }

    fn scanning(args: ScanCommandArgs, skip_ignored: bool) -> Common {
        let ScanCommandArgs { output, findings, tuning, config } = args;
        Common {
            format: output.format,
            output: output.output,
            show_secrets: output.show_secrets,
            color: output.color,
            quiet: output.quiet,
            findings,
            tuning,
            skip_ignored,
            config,
            fail_on_incomplete: false,
        }
    }
}

impl Config {
    pub fn from_cli(cli: Cli) -> Result<Config> {
        let (task, common, write_baseline) = task_of(cli.command)?;
        let common = &common;
        let threads = match common.tuning.threads {
            Some(0) => bail!("--threads must be at least 1"),
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        if common.tuning.decode_depth > 8 {
            bail!("--decode-depth {} is too deep (at most 8)", common.tuning.decode_depth);
        }
        if let Some(out) = &common.output {
            if out.is_dir() {
                bail!("--output {} is a directory", out.display());
            }
        }
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        // A repository in a format keyhound cannot read (sha256) is unusable
        // input, said plainly before anything tries to read it.
        match &task {
            Task::History { repo, fleet: None, .. } | Task::Staged { repo, .. } => check_object_format(repo)?,
            Task::Ci(ci) => check_object_format(&ci.repo)?,
            _ => {}
        }
        let mut found = locate(&task, &cwd);
        let mut rules = RuleSet::embedded()?;
        let trusted = match &task {
            Task::Ci(ci) => trusted_exemptions(ci, common, &cwd, &mut found)?,
            _ => None,
        };
        let source = match (&common.config.config, common.config.no_config) {
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
        let max_file_size = match &common.tuning.max_file_size {
            Some(s) => parse_size(s).with_context(|| format!("invalid --max-file-size {s:?}"))?,
            None => repo_config.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE),
        };
        let archive_depth = match common.tuning.archive_depth {
            Some(n) if n > MAX_ARCHIVE_DEPTH => bail!("--archive-depth {n} is too deep (at most {MAX_ARCHIVE_DEPTH})"),
            Some(n) => n,
            None => repo_config.archive_depth.unwrap_or(DEFAULT_ARCHIVE_DEPTH),
        };
        let baseline = match found.baseline.take() {
            Some(from_base) => from_base,
            None => common.findings.baseline.as_deref().map(Baseline::load).transpose()?,
        };
        // A baseline records today's findings at every confidence, so a lower
        // level later does not bring back what it was made to accept.
        let min_confidence = match common.findings.min_confidence {
            _ if write_baseline.is_some() => Confidence::Low,
            Some(level) => confidence(level),
            None => repo_config.min_confidence.unwrap_or(DEFAULT_MIN_CONFIDENCE),
        };
        let suppress =
            Suppressor::new(found.base, repo_config.allow, baseline.as_ref()).with_min_confidence(min_confidence);
        let verify = verify_settings(common, &task, write_baseline.is_some())?;
        Ok(Config {
            task,
            report: ReportOptions {
                format: format(common.format),
                show_secrets: common.show_secrets,
                color: use_color(common),
            },
            output: if write_baseline.is_some() { None } else { common.output.clone() },
            exit_code: common.findings.exit_code,
            threads,
            max_file_size,
            skip_ignored: common.skip_ignored,
            decode_depth: common.tuning.decode_depth,
            archive_depth,
            quiet: common.quiet,
            progress: !common.quiet && !common.tuning.no_progress && std::io::stderr().is_terminal(),
            rules,
            suppress,
            show_suppressed: common.findings.show_suppressed,
            write_baseline,
            verify,
            fail_on_incomplete: common.fail_on_incomplete,
            trusted,
        })
    }
}

/// Where `keyhound ci` reports a failure under GitHub Actions; `None` for
/// other commands and outside GitHub Actions. Read from the arguments and
/// the environment only, so it is known before anything can fail.
pub fn ci_failure_report(cli: &Cli) -> Option<FailureReport> {
    match &cli.command {
        Command::Ci { sarif_file, category, .. } => {
            FailureReport::from_env(sarif_file.clone(), category.as_deref(), |k| std::env::var(k).ok())
        }
        _ => None,
    }
}

/// The work a command line asks for, its flags (with clap's defaults for
/// those the command does not take) and, for `keyhound baseline`, where the
/// baseline goes.
fn task_of(command: Command) -> Result<(Task, Common, Option<PathBuf>)> {
    let mut write_baseline = None;
    let (task, common) = match command {
        Command::Scan { target, fail_on_incomplete, args } => {
            let skip_ignored = target.skip_ignored;
            let mut common = Common::scanning(args, skip_ignored);
            common.fail_on_incomplete = fail_on_incomplete;
            (scan_task(target.paths)?, common)
        }
        Command::History { target, fleet, fail_on_incomplete, args } => {
            let mut common = Common::scanning(args, false);
            common.fail_on_incomplete = fail_on_incomplete;
            let mut task = history_task(target)?;
            if let Task::History { state, fleet: many, range, .. } = &mut task {
                if fleet.state.is_some() && range.is_some() {
                    bail!("--state cannot be used with --range (a range is read in full every time, and is small)");
                }
                state.clone_from(&fleet.state);
                *many = fleet_task(fleet)?.map(Box::new);
            }
            (task, common)
        }
        Command::Baseline { of, args } => {
            let Some(out) = &args.output else {
                bail!("keyhound baseline needs --output FILE (where to write the baseline)");
            };
            write_baseline = Some(out.clone());
            let task = match of {
                None => scan_task(Vec::new())?,
                Some(BaselineOf::Scan { paths }) => scan_task(paths)?,
                Some(BaselineOf::History(target)) => history_task(target)?,
            };
            let mut common = Common::defaults();
            common.quiet = args.quiet;
            common.skip_ignored = args.skip_ignored;
            common.tuning = ScanTuningArgs {
                threads: args.threads,
                max_file_size: args.max_file_size,
                decode_depth: args.decode_depth,
                archive_depth: args.archive_depth,
                no_progress: args.no_progress,
            };
            common.config = ConfigArgs { config: args.config, no_config: args.no_config };
            (task, common)
        }
        Command::Staged { files, repo, args } => {
            let (repo, files) = crate::precommit::split_args(repo, files)?;
            let check = StagedCheck::decide(files, |k| std::env::var_os(k));
            (Task::Staged { repo, check }, Common::scanning(args, false))
        }
        Command::Ci { repo, sarif_file, no_fetch, category, html_file, args } => {
            if let Some(html) = &html_file {
                if html.is_dir() {
                    bail!("--html-file {} is a directory", html.display());
                }
            }
            let mut settings =
                CiSettings::from_env(repo, sarif_file, !no_fetch, category.as_deref(), |k| std::env::var(k).ok())?;
            settings.html_file = html_file;
            let mut common = Common::scanning(args, false);
            // A CI check that could not scan everything must not pass.
            common.fail_on_incomplete = true;
            (Task::Ci(Box::new(settings)), common)
        }
        Command::Report { files, output, config } => {
            if let [file] = files.as_slice() {
                if !file.is_file() {
                    bail!("{}: no such file (a report saved with --format json or jsonl)", file.display());
                }
            }
            let mut common = Common::defaults();
            common.format = output.format;
            common.output = output.output;
            common.show_secrets = output.show_secrets;
            common.color = output.color;
            common.quiet = output.quiet;
            common.config = config;
            (Task::Report { files }, common)
        }
        Command::InstallHook { repo, force, uninstall } => (
            Task::InstallHook { repo: repo.unwrap_or_else(|| PathBuf::from(".")), force, uninstall },
            Common::defaults(),
        ),
        Command::Openai { action } => {
            let (task, common) = openai_task(action)?;
            (Task::OpenAi(Box::new(task)), common)
        }
        Command::Rules { action: RulesAction::List { format, output, config } } => {
            let mut common = Common::defaults();
            common.format = match format {
                RulesFormatArg::Text => FormatArg::Text,
                RulesFormatArg::Json => FormatArg::Json,
                RulesFormatArg::Jsonl => FormatArg::Jsonl,
            };
            common.output = output;
            common.config = config;
            (Task::RulesList, common)
        }
        Command::Rules { action: RulesAction::Check { files, config } } => {
            for f in &files {
                if !f.is_file() {
                    bail!("rule file {} does not exist", f.display());
                }
            }
            let mut common = Common::defaults();
            common.config = config;
            (Task::RulesCheck { files }, common)
        }
    };
    Ok((task, common, write_baseline))
}

fn scan_task(paths: Vec<PathBuf>) -> Result<Task> {
    Ok(Task::Scan { inputs: scan_inputs(paths)? })
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
    Ok(Task::History { repo: repo.unwrap_or_else(|| PathBuf::from(".")), range, branch, state: None, fleet: None })
}

/// An environment variable's value, when set and not empty.
fn env_value(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The many-repository part of `keyhound history`, if any.
fn fleet_task(args: FleetArgs) -> Result<Option<FleetTask>> {
    let shard = args.shard.as_deref().map(Shard::parse).transpose().map_err(|e| anyhow::anyhow!(e))?;
    let options = ListOptions {
        include_archived: args.include_archived,
        include_forks: args.include_forks,
        max_wait: Duration::from_secs(args.max_rate_limit_wait),
    };
    let source = if let Some(file) = args.repos {
        if !file.is_file() {
            bail!("--repos {}: no such file (a list of repository paths or clone URLs)", file.display());
        }
        RepoSource::List(file)
    } else if let Some(org) = args.github_org {
        if org.trim().is_empty() {
            bail!("--github-org needs an organization name");
        }
        let url = args.github_api_url.or_else(|| env_value("KEYHOUND_GITHUB_API_URL"));
        let api = normalize_base(url.as_deref().unwrap_or("https://api.github.com"))
            .map_err(|e| anyhow::anyhow!("--github-api-url: {e}"))?;
        RepoSource::Forge { forge: Forge::GitHub { api, org }, options }
    } else if let Some(group) = args.gitlab_group {
        if group.trim().is_empty() {
            bail!("--gitlab-group needs a group path");
        }
        let url = args.gitlab_url.or_else(|| env_value("KEYHOUND_GITLAB_URL"));
        let base = normalize_base(url.as_deref().unwrap_or("https://gitlab.com"))
            .map_err(|e| anyhow::anyhow!("--gitlab-url: {e}"))?;
        RepoSource::Forge { forge: Forge::GitLab { base, group }, options }
    } else {
        if shard.is_some() || args.list_repos {
            bail!("--shard and --list-repos need a repository list: --repos FILE, --github-org ORG or --gitlab-group GROUP");
        }
        if args.include_archived || args.include_forks {
            bail!("--include-archived and --include-forks apply to --github-org and --gitlab-group");
        }
        return Ok(None);
    };
    Ok(Some(FleetTask { source, shard, list_only: args.list_repos }))
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
    base: RootRelative,
    config: Option<ConfigSource>,
    /// The baseline when it is not `--baseline`'s file as it is: read from
    /// a pull request's base commit (`Some(None)`: the base has none).
    baseline: Option<Option<Baseline>>,
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
    // A directory tree rooted at `root`: paths shown relative to `cwd`.
    let tree_at = |root: PathBuf| Located {
        base: RootRelative::Root { cwd: cwd.to_path_buf(), root: root.clone() },
        config: file_at(&root),
        root,
        baseline: None,
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
        Located { root, base: RootRelative::AsShown, config, baseline: None }
    };
    match task {
        // Many repositories share one rule set: the config of the current
        // directory (or --config), not each repository's own.
        Task::History { fleet: Some(_), .. } => tree_at(tree_root(cwd)),
        Task::History { repo, .. } | Task::Staged { repo, .. } => git_repo(repo),
        Task::Ci(ci) => git_repo(&ci.repo),
        Task::Scan { inputs } => {
            let first = inputs.iter().find_map(|i| match i {
                ScanInput::Path(p) => Some(p.as_path()),
                ScanInput::Stdin => None,
            });
            tree_at(tree_root(&normalize(&cwd.join(first.unwrap_or(Path::new("."))))))
        }
        // Installing a hook reads no config: a broken one must not stop it;
        // nor do the OpenAI admin commands, which a repository must not steer.
        Task::InstallHook { .. } | Task::OpenAi(_) => {
            Located { root: cwd.to_path_buf(), base: RootRelative::AsShown, config: None, baseline: None }
        }
        Task::RulesList | Task::RulesCheck { .. } | Task::Report { .. } => tree_at(tree_root(cwd)),
    }
}

/// For `keyhound ci` on an event that must not exempt itself (a pull
/// request, a merge group): replaces the work tree's config and baseline in
/// `found` with the base commit's, and says what was read and which of the
/// event's changes to them were ignored. `None` (nothing replaced) for
/// other events.
///
/// `--config FILE` is the workflow author's, not the pull request's, and
/// still wins; `--no-config` still reads none. The baseline is read from
/// the base commit when `--baseline` names a file inside the repository; a
/// file elsewhere is the workflow's and is read as it is. The commits are
/// fetched now when a shallow clone lacks them, so a bad config at the base
/// stops the run before any work, like any other bad config.
fn trusted_exemptions(
    ci: &CiSettings,
    common: &Common,
    cwd: &Path,
    found: &mut Located,
) -> Result<Option<TrustedExemptions>> {
    let Some(commits) = TrustedCommits::of_event(ci)? else { return Ok(None) };
    let mut trusted = TrustedExemptions { base: commits.base.clone(), ..TrustedExemptions::default() };
    if common.config.config.is_none() && !common.config.no_config {
        let file = commits.read(&ci.repo, CONFIG_FILE)?;
        if file.changed {
            trusted.ignored_changes.push(CONFIG_FILE.to_string());
        }
        trusted.read.push(CONFIG_FILE.to_string());
        found.config = file.bytes.map(|bytes| ConfigSource::Text {
            name: commits.name(CONFIG_FILE),
            text: String::from_utf8_lossy(&bytes).into_owned(),
        });
    }
    let in_repo = common.findings.baseline.as_deref().and_then(|b| {
        let rel = normalize(&cwd.join(b)).strip_prefix(&found.root).ok()?.to_path_buf();
        (!rel.as_os_str().is_empty()).then(|| crate::util::paths::slash_path(&rel))
    });
    if let Some(rel) = in_repo {
        let file = commits.read(&ci.repo, &rel)?;
        if file.changed {
            trusted.ignored_changes.push(rel.clone());
        }
        let name = commits.name(&rel);
        let baseline = match file.bytes {
            Some(bytes) => Some(Baseline::parse_text(&name, &String::from_utf8_lossy(&bytes))?),
            // Added by the change: ignored until merged.
            None if file.changed => None,
            // In neither commit: a mistyped --baseline is an error, as on
            // any other event (or the workflow wrote it: read it).
            None => common.findings.baseline.as_deref().map(Baseline::load).transpose()?,
        };
        trusted.read.push(rel);
        found.baseline = Some(baseline);
    }
    Ok(Some(trusted))
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
fn verify_settings(common: &Common, task: &Task, writes_baseline: bool) -> Result<Option<VerifySettings>> {
    let v = &common.findings.verify;
    if !v.verify {
        return Ok(None);
    }
    if writes_baseline {
        bail!("--verify cannot be used with `keyhound baseline`: a baseline records every current finding");
    }
    if !matches!(task, Task::Scan { .. } | Task::History { .. } | Task::Staged { .. } | Task::Ci(_)) {
        bail!("--verify works with scan, history, staged and ci");
    }
    let timeout = request_timeout(&v.verify_timeout)?;
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
fn request_timeout(value: &str) -> Result<Duration> {
    let timeout = parse_duration(value).with_context(|| format!("invalid --verify-timeout {value:?}"))?;
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
    crate::net::proxy_from_env(env).map_err(anyhow::Error::msg)?;
    Ok(env("HTTPS_PROXY").or_else(|| env("https_proxy")).filter(|p| !p.trim().is_empty()))
}

/// `keyhound openai locate|revoke`: the admin key from `OPENAI_ADMIN_KEY`,
/// where requests go, and where the leaked key comes from.
fn openai_task(action: OpenaiAction) -> Result<(OpenAiTask, Common)> {
    let (args, action): (OpenaiKeyArgs, Action) = match action {
        OpenaiAction::Locate(args) => (args, Action::Locate),
        OpenaiAction::Revoke { key, yes } => (key, Action::Revoke { yes }),
    };
    let mut common = Common::defaults();
    common.format = match args.format {
        OpenaiFormatArg::Text => FormatArg::Text,
        OpenaiFormatArg::Json => FormatArg::Json,
    };
    common.output = args.output.clone();
    common.skip_ignored = args.skip_ignored;
    let timeout = request_timeout(&args.verify_timeout)?;
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
    let task = OpenAiTask {
        action,
        source,
        admin_key: Secret(admin_key),
        base: over.as_ref().map_or_else(|| crate::openai::OPENAI_API.to_string(), |o| o.url.clone()),
        base_override: over,
        timeout,
        proxy: https_proxy()?,
    };
    common.tuning = args.tuning;
    Ok((task, common))
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
        FormatArg::Html => Format::Html,
    }
}

fn confidence(level: ConfidenceArg) -> Confidence {
    match level {
        ConfidenceArg::Low => Confidence::Low,
        ConfidenceArg::Medium => Confidence::Medium,
        ConfidenceArg::High => Confidence::High,
    }
}

fn use_color(common: &Common) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

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
