//! Command-line arguments (clap derive). This module only parses: checking
//! that the arguments make sense and turning them into a [`Config`] is
//! `config`'s job.
//!
//! [`Config`]: crate::config::Config

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "keyhound",
    version,
    about = "Find leaked API keys and other credentials in files and git history.",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Text,
    Json,
    Jsonl,
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

/// Flags every subcommand accepts.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
    /// Write the report to FILE instead of standard output (for `baseline`:
    /// where the baseline is written).
    #[arg(long, short = 'o', global = true, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Print secrets in full instead of redacted (prefix and length).
    #[arg(long, global = true)]
    pub show_secrets: bool,
    /// Exit code to use when findings are reported.
    #[arg(long, global = true, value_name = "N", default_value_t = 1)]
    pub exit_code: u8,
    /// Worker threads (default: number of CPUs).
    #[arg(long, short = 'j', global = true, value_name = "N")]
    pub threads: Option<usize>,
    /// Skip files larger than this (bytes; K, M, G suffixes allowed)
    /// [default: the config's max-file-size, else 25M].
    #[arg(long, global = true, value_name = "BYTES")]
    pub max_file_size: Option<String>,
    /// How many encodings deep to look for secrets (base64, percent-encoding,
    /// escapes); 0 turns decoding off.
    #[arg(long, global = true, value_name = "N", default_value_t = 2)]
    pub decode_depth: usize,
    /// Do not respect .gitignore / .ignore files.
    #[arg(long, global = true)]
    pub no_ignore: bool,
    /// Print nothing but findings and warnings (no summary line).
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
    /// Do not show a progress bar.
    #[arg(long, global = true)]
    pub no_progress: bool,
    /// When to use colors in text output.
    #[arg(long, global = true, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    /// Read the config from FILE instead of .keyhound.toml at the root of
    /// the scanned tree or repository.
    #[arg(long, global = true, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore .keyhound.toml.
    #[arg(long, global = true)]
    pub no_config: bool,
    /// Suppress the findings listed in this baseline file.
    #[arg(long, global = true, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Also list suppressed findings, marked with why they are suppressed.
    #[arg(long, global = true)]
    pub show_suppressed: bool,
    #[command(flatten)]
    pub verify: VerifyArgs,
}

/// What `scan` (and `baseline scan`) reads.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories to scan [default: .]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
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

/// Live checks of found secrets (`scan`, `history`, `staged`, `ci`).
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Ask each secret's provider whether it is live (sends the secret to the
    /// provider's API; see the README for exactly what is sent where).
    #[arg(long, global = true)]
    pub verify: bool,
    /// Report only secrets that --verify found live.
    #[arg(long, global = true, requires = "verify")]
    pub only_verified: bool,
    /// Time allowed for each verification request (seconds, or with an
    /// `ms`/`s` suffix).
    #[arg(long, global = true, value_name = "SECS", default_value = "10")]
    pub verify_timeout: String,
    /// Verification requests in flight at once.
    #[arg(long, global = true, value_name = "N", default_value_t = 4)]
    pub verify_concurrency: usize,
    /// At most this many verification requests per second, all providers
    /// together.
    #[arg(long, global = true, value_name = "N", default_value_t = 10.0)]
    pub verify_rate: f64,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and directories ('-' reads standard input).
    Scan(ScanArgs),
    /// Scan a repository's git history: every blob reachable from any ref, once.
    History(HistoryArgs),
    /// Write a baseline of the current findings to --output FILE
    /// [default: `baseline scan .`].
    Baseline {
        #[command(subcommand)]
        of: Option<BaselineOf>,
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

/// What a baseline is written from.
#[derive(Debug, Subcommand)]
pub enum BaselineOf {
    /// The findings of `keyhound scan PATH...`.
    Scan(ScanArgs),
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

/// Which leaked key `keyhound openai` works on.
#[derive(Debug, Args)]
pub struct OpenaiKeyArgs {
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

#[derive(Debug, Subcommand)]
pub enum RulesAction {
    /// Print each rule's id and name.
    List,
    /// Run every rule's examples and negative examples; exit 1 on a failure.
    Check {
        /// Rule files to check instead of the shipped rules.
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}
