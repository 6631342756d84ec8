//! `keyhound history [REPO] [--range A..B | --branch REF]`: every blob of a
//! repository's history, each finding at the commit that introduced it.
//! With `--state DIR`, what the last run read is remembered and only what
//! is new is read; with `--repos FILE`, `--github-org ORG` or
//! `--gitlab-group GROUP`, many repositories (one `--shard I/N` of them) in
//! one run, each finding naming its `repository`, one repository's failure
//! a warning.
//!
//! The scanning is `pipeline::history`'s, the state `state`'s, the list,
//! shards and mirrors `fleet`'s and the forge listing `forge`'s; this file
//! only wires them and finishes the run the one way every command does.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};

use super::progress::ProgressBars;
use super::{finish, no_extra, repo_context, run_info, scan_engine, Finish, ReportTo};
use crate::config::{Config, FleetTask, RepoSource};
use crate::engine::Engine;
use crate::fleet::mirror::{self, CloneAuth, Fetching};
use crate::fleet::{read_list, Location, RepoEntry};
use crate::forge::{self, Forge, Token};
use crate::model::{Outcome, Warning, WarningKind};
use crate::net::{proxy_from_env, Client};
use crate::pipeline::history::{scan_history, scan_history_incremental, HistoryOptions};
use crate::report::RunContext;
use crate::source::git::{GitError, Selection};
use crate::state::StateDir;
use crate::util::paths::canonical;
use crate::util::text::escape_controls;
use crate::util::time::now_utc;

/// What `keyhound history` was asked for.
pub(super) struct HistoryRun<'a> {
    pub repo: &'a Path,
    pub range: Option<&'a (String, String)>,
    pub branch: Option<&'a str>,
    pub state: Option<&'a Path>,
    pub fleet: Option<&'a FleetTask>,
}

pub(super) fn run(config: &Config, task: &HistoryRun<'_>) -> Result<u8> {
    let started = now_utc();
    let selection = match (task.range, task.branch) {
        (Some((from, to)), _) => Selection::Range { from: from.clone(), to: to.clone() },
        (None, Some(name)) => Selection::Ref(name.to_string()),
        (None, None) => Selection::All,
    };
    let opts = HistoryOptions { selection, max_file_size: config.max_file_size, archive_depth: config.archive_depth };
    if let Some(fleet) = task.fleet {
        return run_many(config, fleet, task.state, &opts, started);
    }
    let engine = scan_engine(config)?;
    let rev = match &opts.selection {
        Selection::Range { to, .. } => Some(to.clone()),
        Selection::Ref(name) => Some(name.clone()),
        Selection::All => None,
    };
    let progress = ProgressBars::new(config.progress);
    let mut outcome = match task.state {
        Some(dir) => {
            let (state, note) = StateDir::open(dir)?;
            let mut warnings: Vec<Warning> = note.into_iter().map(|m| Warning::new(WarningKind::Note, m)).collect();
            let mut outcome = scan_remembering(
                config,
                engine,
                &state,
                task.repo,
                &identity_of(task.repo),
                &opts,
                &progress,
                &mut warnings,
            )?;
            warnings.append(&mut outcome.summary.warnings);
            outcome.summary.warnings = warnings;
            outcome
        }
        None => scan_history(engine, task.repo, &opts, &progress)?,
    };
    let run = run_info("history", vec![describe(&opts.selection)], started);
    let ctx = repo_context(config, engine, task.repo, rev.as_deref(), run);
    let how = Finish { unit: "blob", ctx, report_to: ReportTo::OutputOrStdout, guard_in: None };
    finish(config, engine, &mut outcome, &how, &mut no_extra)
}

/// What a single repository's state is kept under: its git directory's
/// canonical path.
fn identity_of(repo: &Path) -> String {
    let git_dir =
        git2::Repository::discover(repo).map(|r| r.path().to_path_buf()).unwrap_or_else(|_| repo.to_path_buf());
    canonical(&git_dir).display().to_string()
}

/// Scans `repo` with the state `dir` keeps for `identity`, and saves it
/// again. A state that cannot be used, or saved, is a warning.
#[allow(clippy::too_many_arguments)]
fn scan_remembering(
    config: &Config,
    engine: &Engine,
    dir: &StateDir,
    repo: &Path,
    identity: &str,
    opts: &HistoryOptions,
    progress: &ProgressBars,
    warnings: &mut Vec<Warning>,
) -> Result<Outcome, GitError> {
    let fingerprint = fingerprint(config, engine);
    let mut loaded = dir.load(identity, &fingerprint);
    if let Some(w) = loaded.warning.take() {
        warnings.push(Warning::new(WarningKind::Note, w));
    }
    if loaded.rules_changed && !config.quiet {
        eprintln!("keyhound: the rules or scan options changed since the state was saved: every blob is read again");
    }
    let outcome = scan_history_incremental(engine, repo, opts, &mut loaded.state, progress)?;
    if let Err(e) = dir.save(identity, &loaded.state) {
        warnings.push(Warning::new(WarningKind::Note, format!("{e:#}; the next run reads everything again")));
    }
    Ok(outcome)
}

/// What blob matches depend on: keyhound's version, every rule as compiled
/// (shipped, config and extra rules, with all their fields), the decoding
/// depth, the size limit and the archive depth. Any change reads every blob
/// again.
fn fingerprint(config: &Config, engine: &Engine) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    for rule in engine.rules() {
        h.update(format!("{rule:?}").as_bytes());
        h.update([0]);
    }
    h.update(
        format!("decode={} max={} archives={}", config.decode_depth, config.max_file_size, config.archive_depth)
            .as_bytes(),
    );
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The repositories of a many-repository run, before sharding.
fn repositories(config: &Config, source: &RepoSource, auth: &mut Option<(Forge, Token)>) -> Result<Vec<RepoEntry>> {
    match source {
        RepoSource::List(file) => read_list(file).with_context(|| format!("cannot read --repos {}", file.display())),
        RepoSource::Forge { forge, options } => {
            let token = forge.token_vars().iter().find_map(|v| std::env::var(v).ok().filter(|t| !t.trim().is_empty()));
            let token = token.map(|t| Token::new(t.trim().to_string()));
            if token.is_none() && !config.quiet {
                eprintln!(
                    "keyhound: warning: no token in {}: unauthenticated requests see public repositories only, at a low rate limit",
                    forge.token_vars().join(" or ")
                );
            }
            let proxy = proxy_from_env(|k| std::env::var(k).ok()).map_err(anyhow::Error::msg)?;
            let client = Client::new(std::time::Duration::from_secs(30), proxy);
            let quiet = config.quiet;
            let listed = forge::list(&client, forge, token.as_ref(), options, &mut |note| {
                if !quiet {
                    eprintln!("keyhound: {note}");
                }
            })?;
            if let Some(t) = token {
                *auth = Some((forge.clone(), t));
            }
            Ok(listed
                .into_iter()
                .map(|r| RepoEntry { name: r.name, location: Location::Url(r.clone_url), from_forge: true })
                .collect())
        }
    }
}

/// Scans many repositories, one after the other (each with every thread),
/// and finishes once over all their findings.
fn run_many(
    config: &Config,
    fleet: &FleetTask,
    state_dir: Option<&Path>,
    opts: &HistoryOptions,
    started: String,
) -> Result<u8> {
    let mut auth = None;
    let mut list = repositories(config, &fleet.source, &mut auth)?;
    let listed = list.len();
    if let Some(shard) = fleet.shard {
        list.retain(|r| shard.holds(r.identity()));
    }
    if fleet.list_only {
        for r in &list {
            println!("{}", escape_controls(&r.name));
        }
        return Ok(0);
    }
    let engine = scan_engine(config)?;
    let mut outcome = Outcome::default();
    let mut warnings: Vec<Warning> = Vec::new();
    let state = match state_dir {
        Some(dir) => {
            let (state, note) = StateDir::open(dir)?;
            warnings.extend(note.map(|m| Warning::new(WarningKind::Note, m)));
            Some(state)
        }
        None => None,
    };
    // Without --state, mirrors live in a temporary directory, removed at
    // the end.
    let scratch = TempMirrors::new(state.is_none() && list.iter().any(|r| matches!(r.location, Location::Url(_))))?;
    let progress = ProgressBars::new(false);
    let forge_protocols = match &fleet.source {
        RepoSource::Forge { forge, .. } if forge.is_loopback() => "https:file",
        _ => "https",
    };
    let began = Instant::now();
    for (n, entry) in list.iter().enumerate() {
        let t = Instant::now();
        let name = escape_controls(&entry.name).into_owned();
        let path = match &entry.location {
            Location::Local(p) => p.clone(),
            Location::Url(url) => {
                let dir = match (&state, &scratch.dir) {
                    (Some(s), _) => s.mirror_dir(entry.identity()),
                    (None, Some(tmp)) => tmp.join(format!("{n}.git")),
                    (None, None) => unreachable!("a scratch directory exists when a URL is listed without --state"),
                };
                let clone_auth = auth.as_ref().filter(|_| entry.from_forge).and_then(|(forge, token)| {
                    let host = forge.clone_host()?;
                    let same_host = url::Url::parse(url).ok().is_some_and(|u| {
                        u.scheme() == "https" && u.host_str().is_some_and(|h| h.eq_ignore_ascii_case(&host))
                    });
                    same_host.then(|| (host, forge.clone_user(), token.expose().to_string()))
                });
                let fetching = Fetching {
                    auth: clone_auth.as_ref().map(|(host, user, token)| CloneAuth { host, user, token }),
                    // A forge's clone URLs over HTTPS only (file:// too when the
                    // API is a local mock).
                    protocols: entry.from_forge.then_some(forge_protocols),
                };
                if let Err(e) = mirror::update(url, &dir, &fetching) {
                    warnings.push(Warning::new(
                        WarningKind::Unreadable,
                        format!("repository {name}: cannot mirror it: {e}; not scanned"),
                    ));
                    continue;
                }
                dir
            }
        };
        let mut repo_warnings = Vec::new();
        let scanned = match &state {
            Some(s) => {
                scan_remembering(config, engine, s, &path, entry.identity(), opts, &progress, &mut repo_warnings)
            }
            None => scan_history(engine, &path, opts, &progress),
        };
        let mut one = match scanned {
            Ok(o) => o,
            Err(e) => {
                warnings.push(Warning::new(WarningKind::Unreadable, format!("repository {name}: {e}; not scanned")));
                continue;
            }
        };
        for f in &mut one.findings {
            f.repository = Some(entry.name.clone());
        }
        if !config.quiet {
            eprintln!(
                "keyhound: [{}/{}] {name}: {} finding{}, {} blobs read, {} remembered, {:.1}s",
                n + 1,
                list.len(),
                one.findings.len(),
                if one.findings.len() == 1 { "" } else { "s" },
                one.summary.scanned,
                one.summary.reused,
                t.elapsed().as_secs_f64()
            );
        }
        repo_warnings.append(&mut one.summary.warnings);
        warnings.extend(repo_warnings.into_iter().map(|w| Warning { message: format!("{name}: {}", w.message), ..w }));
        absorb(&mut outcome, one);
    }
    outcome.summary.warnings = warnings;
    outcome.summary.findings = outcome.findings.len();
    outcome.summary.rules = engine.rules().len();
    outcome.summary.duration_ms = began.elapsed().as_millis();
    let mut targets = vec![source_label(&fleet.source)];
    if let Some(s) = fleet.shard {
        targets.push(format!("shard {}/{} ({} of {listed} repositories)", s.index, s.count, list.len()));
    }
    targets.push(describe(&opts.selection));
    let mut ctx = RunContext::new(engine.rules());
    ctx.run = Some(run_info("history", targets, started));
    let how = Finish { unit: "blob", ctx, report_to: ReportTo::OutputOrStdout, guard_in: None };
    finish(config, engine, &mut outcome, &how, &mut no_extra)
}

/// Adds one repository's outcome to the run's (its warnings are the
/// caller's, named after the repository).
fn absorb(total: &mut Outcome, one: Outcome) {
    total.summary.add_counts(&one.summary);
    total.findings.extend(one.findings);
    total.suppressed.extend(one.suppressed);
}

/// The repository list in words, for the report.
fn source_label(source: &RepoSource) -> String {
    match source {
        RepoSource::List(file) => format!("the repositories listed in {}", file.display()),
        RepoSource::Forge { forge: Forge::GitHub { org, .. }, .. } => {
            format!("the repositories of GitHub organization {org}")
        }
        RepoSource::Forge { forge: Forge::GitLab { group, .. }, .. } => format!("the projects of GitLab group {group}"),
    }
}

/// A temporary directory for mirrors, removed when dropped.
struct TempMirrors {
    dir: Option<PathBuf>,
}

impl TempMirrors {
    fn new(needed: bool) -> Result<TempMirrors> {
        if !needed {
            return Ok(TempMirrors { dir: None });
        }
        let dir = std::env::temp_dir().join(format!("keyhound-mirrors-{}", std::process::id()));
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(TempMirrors { dir: Some(dir) })
    }
}

impl Drop for TempMirrors {
    fn drop(&mut self) {
        if let Some(d) = &self.dir {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

/// What part of the history a selection is, in words.
pub(super) fn describe(selection: &Selection) -> String {
    match selection {
        Selection::All => "all refs".to_string(),
        Selection::Ref(name) => format!("the history of {name}"),
        Selection::Range { from, to } => format!("range {from}..{to}"),
    }
}
