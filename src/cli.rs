//! Command-line arguments (clap derive). This module only parses: checking
//! that the arguments make sense and turning them into a [`Config`] is
//! `config`'s job.
//!
//! [`Config`]: crate::config::Config

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "keyhound",
    version,
    about = "Find leaked API keys and other credentials in files and git history.",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The arguments as far as they can be read when parsing failed:
    /// unknown flags and bad values are skipped. Only to learn where a
    /// failure is reported (`keyhound ci` under GitHub Actions), never to
    /// run anything.
    pub fn parse_leniently<I, T>(args: I) -> Option<Cli>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let matches = Cli::command().ignore_errors(true).try_get_matches_from(args).ok()?;
        Cli::from_arg_matches(&matches).ok()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Text,
    Json,
    Jsonl,
    Sarif,
    /// One self-contained HTML page (the audit report).
    Html,
}

/// A confidence level (`--min-confidence`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConfidenceArg {
    Low,
    Medium,
    High,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

/// How a report is written (every command that reports findings).
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Print secrets in full instead of redacted (prefix and length).
    #[arg(long)]
    pub show_secrets: bool,
    /// When to use colors in text output.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    /// Print nothing but findings and warnings (no summary line).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// What a scan reports and how it ends (scan, history, staged, ci).
#[derive(Debug, Args)]
pub struct FindingArgs {
    /// Exit code to use when findings are reported.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub exit_code: u8,
    /// Suppress the findings listed in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Also list suppressed findings, marked with why they are suppressed.
    #[arg(long)]
    pub show_suppressed: bool,
    /// Report only findings of at least this confidence; those below are suppressed (counted in the summary,
    /// listed with --show-suppressed) [default: the config's min-confidence, else medium]
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub min_confidence: Option<ConfidenceArg>,
    #[command(flatten)]
    pub verify: VerifyArgs,
}

/// How content is read and matched (every command that scans).
#[derive(Debug, Args)]
pub struct ScanTuningArgs {
    /// Worker threads (default: number of CPUs).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// Skip files larger than this (bytes; K, M, G suffixes allowed)
    /// [default: the config's max-file-size, else 25M].
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<String>,
    /// How many encodings deep to look for secrets (base64, percent-encoding,
    /// escapes); 0 turns decoding off.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub decode_depth: usize,
    /// How many archives deep to look inside zip, jar, tar, gzip, ... files
    /// (`a.tgz!b.jar!c.properties` is 2); 0 turns archive opening off
    /// [default: the config's archive-depth, else 3].
    #[arg(long, value_name = "N")]
    pub archive_depth: Option<usize>,
    /// Do not show a progress bar.
    #[arg(long)]
    pub no_progress: bool,
}

/// Which `.keyhound.toml` is read (every command that uses the rule set).
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Read the config from FILE instead of .keyhound.toml at the root of
    /// the scanned tree or repository.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore .keyhound.toml.
    #[arg(long)]
    pub no_config: bool,
}

/// Everything a scanning command (scan, history, staged, ci) accepts besides
/// what it scans.
#[derive(Debug, Args)]
pub struct ScanCommandArgs {
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub findings: FindingArgs,
    #[command(flatten)]
    pub tuning: ScanTuningArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// What `scan` (and `baseline scan`) reads.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories to scan [default: .]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Skip files that .gitignore, .ignore or git's exclude files ignore (by
    /// default they are scanned too: a local, ignored .env is where keys
    /// leak most; findings in files git does not track say `tracked: false`).
    #[arg(long)]
    pub skip_ignored: bool,
    /// Scan ignored files too: the default, kept for older scripts.
    #[arg(long, hide = true, conflicts_with = "skip_ignored")]
    pub no_ignore: bool,
}

/// What `history` (and `baseline history`) reads.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The repository (a work tree or a bare repository) [default: .]
    #[arg(value_name = "REPO")]
    pub repo: Option<PathBuf>,
    /// Only what the commits in A..B introduced (reachable from B, not from A).
    #[arg(long, value_name = "A..B")]
    pub range: Option<String>,
    /// Only the history of this branch, tag or commit.
    #[arg(long, value_name = "REF")]
    pub branch: Option<String>,
}

/// Remembered scans and many repositories (`history` only).
#[derive(Debug, Args)]
pub struct FleetArgs {
    /// Remember what was scanned in DIR (per repository: blobs read, their matches as hashes and positions, the
    /// walked history); the next run reads only what is new. Also where repositories given by URL are mirrored.
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
    /// Scan every repository listed in FILE: local paths or clone URLs, one per line ('#' starts a comment).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["github_org", "gitlab_group", "repo", "range"])]
    pub repos: Option<PathBuf>,
    /// Scan every repository of this GitHub organization (or user), listed through the REST API with the
    /// token in GITHUB_TOKEN (or GH_TOKEN).
    #[arg(long, value_name = "ORG", conflicts_with_all = ["gitlab_group", "repo", "range"])]
    pub github_org: Option<String>,
    /// Scan every project of this GitLab group and its subgroups, listed through the REST API with the token
    /// in GITLAB_TOKEN.
    #[arg(long, value_name = "GROUP", conflicts_with_all = ["repo", "range"])]
    pub gitlab_group: Option<String>,
    /// The GitHub REST API (GitHub Enterprise Server: https://HOST/api/v3); else KEYHOUND_GITHUB_API_URL
    /// [default: https://api.github.com]
    #[arg(long, value_name = "URL")]
    pub github_api_url: Option<String>,
    /// The GitLab instance (self-managed: https://HOST); else KEYHOUND_GITLAB_URL [default: https://gitlab.com]
    #[arg(long, value_name = "URL")]
    pub gitlab_url: Option<String>,
    /// With --github-org/--gitlab-group: scan archived repositories too.
    #[arg(long)]
    pub include_archived: bool,
    /// With --github-org/--gitlab-group: scan forks too.
    #[arg(long)]
    pub include_forks: bool,
    /// Longest total wait for a forge's rate limit to reset, in seconds, before giving up.
    #[arg(long, value_name = "SECONDS", default_value_t = 900)]
    pub max_rate_limit_wait: u64,
    /// Scan only shard I of N (0 <= I < N) of the repository list: each repository is in exactly one shard,
    /// chosen by a hash of its name, so N parallel runs share the list.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Print the repositories this run would scan (after --shard), one per line, and exit.
    #[arg(long)]
    pub list_repos: bool,
}

/// Live checks of found secrets (`scan`, `history`, `staged`, `ci`).
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Ask each secret's provider whether it is live (sends the secret to the
    /// provider's API; see the README for exactly what is sent where).
    #[arg(long)]
    pub verify: bool,
    /// Report only secrets that --verify found live.
    #[arg(long, requires = "verify")]
    pub only_verified: bool,
    /// Time allowed for each verification request (seconds, or with an
    /// `ms`/`s` suffix).
    #[arg(long, value_name = "SECS", default_value = "10")]
    pub verify_timeout: String,
    /// Verification requests in flight at once.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub verify_concurrency: usize,
    /// At most this many verification requests per second, all providers
    /// together.
    #[arg(long, value_name = "N", default_value_t = 10.0)]
    pub verify_rate: f64,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and directories ('-' reads standard input).
    Scan {
        #[command(flatten)]
        target: ScanArgs,
        /// Exit with code 2 when the scan was incomplete (a file or directory could not be read), after
        /// writing the report.
        #[arg(long)]
        fail_on_incomplete: bool,
        #[command(flatten)]
        args: ScanCommandArgs,
    },
    /// Scan a repository's git history: every blob reachable from any ref, once.
    History {
        #[command(flatten)]
        target: HistoryArgs,
        #[command(flatten)]
        fleet: FleetArgs,
        /// Exit with code 2 when the scan was incomplete (an object is missing, an object could not be read or the history is shallow), after
        /// writing the report.
        #[arg(long)]
        fail_on_incomplete: bool,
        #[command(flatten)]
        args: ScanCommandArgs,
    },
    /// Write a baseline of the current findings to --output FILE
    /// [default: `baseline scan .`].
    Baseline {
        #[command(subcommand)]
        of: Option<BaselineOf>,
        #[command(flatten)]
        args: BaselineArgs,
    },
    /// Scan what `git commit` would add (for pre-commit hooks): only secrets
    /// on lines the staged changes add are reported. Reads the index git
    /// names in GIT_INDEX_FILE (as `git commit -a` and `git commit <paths>`
    /// set it), else the repository's own. At the pre-commit framework's
    /// pre-push stage (PRE_COMMIT_FROM_REF/TO_REF set) it scans the commits
    /// being pushed instead.
    Staged {
        /// Check only these files: one with staged changes by the lines they
        /// add, one with nothing staged whole (its staged content), one not
        /// in the index whole from the work tree [default: every staged
        /// change]. A single directory is the repository, as --repo.
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
        /// The repository [default: .]
        #[arg(long, value_name = "REPO")]
        repo: Option<PathBuf>,
        #[command(flatten)]
        args: ScanCommandArgs,
    },
    /// Scan what a CI event introduced and report it for CI (the GitHub
    /// Action runs this): a pull request's commits, a push's commits, or the
    /// whole history; writes SARIF, annotations, a job summary and outputs.
    Ci {
        /// The repository [default: $GITHUB_WORKSPACE, else .]
        #[arg(value_name = "REPO")]
        repo: Option<PathBuf>,
        /// Where to write the SARIF report.
        #[arg(long, value_name = "FILE", default_value = "keyhound.sarif")]
        sarif_file: PathBuf,
        /// Fail instead of fetching commits a shallow clone lacks.
        #[arg(long)]
        no_fetch: bool,
        /// The code-scanning category of the results (SARIF
        /// automationDetails, the `category` output) [default:
        /// keyhound-changes for pull_request, pull_request_target,
        /// merge_group and push events, else keyhound-history]
        #[arg(long, value_name = "NAME")]
        category: Option<String>,
        /// Also write the HTML audit report to FILE (as `--format html`),
        /// for a workflow to upload as an artifact.
        #[arg(long, value_name = "FILE")]
        html_file: Option<PathBuf>,
        #[command(flatten)]
        args: ScanCommandArgs,
    },
    /// Write a saved JSON or JSON Lines report (`--format json|jsonl`) again
    /// in any format, without scanning: `keyhound report findings.json
    /// --format html -o report.html`.
    Report {
        /// The saved report: the output of `--format json` (or `jsonl`) of
        /// scan, history, staged or ci. Several files (the shards of a
        /// many-repository scan, `shard-*.jsonl`) are merged into one
        /// report, one secret found in several places grouped into one
        /// incident.
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        output: OutputArgs,
        #[command(flatten)]
        config: ConfigArgs,
    },
    /// Install a git pre-commit hook that runs `keyhound staged`, where git
    /// looks for it (`git rev-parse --git-path hooks`: core.hooksPath, else
    /// the hooks shared by all work trees of the repository).
    InstallHook {
        /// The repository [default: .]
        #[arg(value_name = "REPO")]
        repo: Option<PathBuf>,
        /// Install over a pre-commit hook that keyhound did not write: it is
        /// kept as pre-commit.legacy and keyhound's hook runs it first.
        #[arg(long)]
        force: bool,
        /// Remove keyhound's hook (never someone else's) and put back the
        /// hook it kept as pre-commit.legacy.
        #[arg(long, conflicts_with = "force")]
        uninstall: bool,
    },
    /// Find a leaked OpenAI key in your organization (project, key, owner,
    /// last use) and revoke it. Needs an OpenAI admin key in OPENAI_ADMIN_KEY.
    Openai {
        #[command(subcommand)]
        action: OpenaiAction,
    },
    /// List the rules or check their examples.
    Rules {
        #[command(subcommand)]
        action: RulesAction,
    },
}

/// What `keyhound baseline` accepts besides what it scans; given before or
/// after `scan`/`history`.
#[derive(Debug, Args)]
pub struct BaselineArgs {
    /// Where the baseline is written (required).
    #[arg(long, short = 'o', value_name = "FILE", global = true)]
    pub output: Option<PathBuf>,
    /// Print nothing but warnings (no summary line).
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
    /// Skip files that .gitignore, .ignore or git's exclude files ignore
    /// (`baseline` of a scan; by default they are scanned too).
    #[arg(long, global = true)]
    pub skip_ignored: bool,
    /// Worker threads (default: number of CPUs).
    #[arg(long, short = 'j', value_name = "N", global = true)]
    pub threads: Option<usize>,
    /// Skip files larger than this (bytes; K, M, G suffixes allowed)
    /// [default: the config's max-file-size, else 25M].
    #[arg(long, value_name = "BYTES", global = true)]
    pub max_file_size: Option<String>,
    /// How many encodings deep to look for secrets; 0 turns decoding off.
    #[arg(long, value_name = "N", default_value_t = 2, global = true)]
    pub decode_depth: usize,
    /// How many archives deep to look inside zip, tar, gzip, ... files; 0
    /// turns archive opening off [default: the config's archive-depth, else 3].
    #[arg(long, value_name = "N", global = true)]
    pub archive_depth: Option<usize>,
    /// Do not show a progress bar.
    #[arg(long, global = true)]
    pub no_progress: bool,
    /// Read the config from FILE instead of .keyhound.toml.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config", global = true)]
    pub config: Option<PathBuf>,
    /// Ignore .keyhound.toml.
    #[arg(long, global = true)]
    pub no_config: bool,
}

/// What a baseline is written from.
#[derive(Debug, Subcommand)]
pub enum BaselineOf {
    /// The findings of `keyhound scan PATH...`.
    Scan {
        /// Files or directories to scan [default: .]
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// The findings of `keyhound history [REPO]`.
    History(HistoryArgs),
}

/// `keyhound openai ...`.
#[derive(Debug, Subcommand)]
pub enum OpenaiAction {
    /// Show which project and API key a leaked key is: names, ids, owner,
    /// created and last-used times.
    Locate(OpenaiKeyArgs),
    /// Revoke a leaked key: the same lookup, a confirmation, then deletion.
    Revoke {
        #[command(flatten)]
        key: OpenaiKeyArgs,
        /// Do not ask for confirmation (for scripts).
        #[arg(long)]
        yes: bool,
    },
}

/// Which leaked key `keyhound openai` works on, and how it talks to the
/// API.
#[derive(Debug, Args)]
pub struct OpenaiKeyArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = OpenaiFormatArg::Text)]
    pub format: OpenaiFormatArg,
    /// Write the result to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Time allowed for each API request (seconds, or with an `ms`/`s`
    /// suffix).
    #[arg(long, value_name = "SECS", default_value = "10")]
    pub verify_timeout: String,
    /// Skip ignored files when scanning --path (as the scan that found the
    /// key did, if it was given --skip-ignored).
    #[arg(long)]
    pub skip_ignored: bool,
    #[command(flatten)]
    pub tuning: ScanTuningArgs,
    /// The fingerprint of a finding (or its first 8+ characters): its key is
    /// found again by scanning --path (or --history).
    #[arg(value_name = "FINGERPRINT", required_unless_present = "key_from_stdin", conflicts_with = "key_from_stdin")]
    pub fingerprint: Option<String>,
    /// Read the leaked key from standard input instead of a finding.
    #[arg(long)]
    pub key_from_stdin: bool,
    /// Where the finding is: the files and directories that were scanned, as
    /// they were given to `keyhound scan`, from the same directory [default: .]
    #[arg(long = "path", value_name = "PATH", conflicts_with = "history")]
    pub paths: Vec<PathBuf>,
    /// The finding came from `keyhound history`: look in this repository's
    /// history instead.
    #[arg(long, value_name = "REPO")]
    pub history: Option<PathBuf>,
}

/// What `keyhound openai` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OpenaiFormatArg {
    Text,
    Json,
}

/// What `keyhound rules list` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormatArg {
    Text,
    Json,
    Jsonl,
}

#[derive(Debug, Subcommand)]
pub enum RulesAction {
    /// Print each rule's id and name (with the config's rules added and its
    /// disabled rules left out).
    List {
        /// Output format: a table, one JSON document, or a JSON object per
        /// line.
        #[arg(long, value_enum, default_value_t = RulesFormatArg::Text)]
        format: RulesFormatArg,
        /// Write the list to FILE instead of standard output.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        config: ConfigArgs,
    },
    /// Run every rule's examples and negative examples; exit 1 on a failure.
    Check {
        /// Rule files to check instead of the shipped rules (and the config's).
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
        #[command(flatten)]
        config: ConfigArgs,
    },
}
