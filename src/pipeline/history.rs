//! History scans: wires the git source to the engine. The source enumerates
//! the unique blobs of the requested history; each is read and scanned once,
//! in parallel (one git handle per worker thread), and only blobs that
//! matched get their paths: every path each has had. Findings are then
//! merged per (rule, secret, path) at the first commit that had the secret
//! at that path, with how many blobs carried it there and whether HEAD
//! still has it at that path; in a range, a secret its base already had at
//! the same path is not introduced. Only then are findings below the
//! minimum confidence held back: the count says how many more a lower
//! minimum would list, not how many blobs carried them.
//!
//! This module must not walk git objects itself (that is `source::git`),
//! match bytes (the engine) or format output (the reporters).

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use git2::Oid;

use indicatif::HumanBytes;
use rayon::prelude::*;

use super::{hold_back_findings, scan_container, to_findings, Found, Keep, Scanned};
use crate::engine::{Engine, Match};
use crate::model::{Finding, Outcome, Provenance, Warning, WarningKind};
use crate::rules::Confidence;
use crate::source::container::Limits;
use crate::source::git::{
    BlobEntry, CommitInfo, GitError, GitRepo, History, Reader, Selection, WarningAbout, Warnings,
};
use crate::source::{view, Skip, View};
use crate::state::{BlobMemo, BlobMemory, RepoState, StoredMatch};

/// What to scan and how.
#[derive(Debug, Clone)]
pub struct HistoryOptions {
    pub selection: Selection,
    pub max_file_size: u64,
    /// Containers opened along one chain, at most (`--archive-depth`).
    pub archive_depth: usize,
}

/// One value per worker thread, created on first use by that thread: rayon's
/// `map_init` may initialise once per split rather than once per thread,
/// and opening a repository is not free.
struct PerThread<T> {
    slots: Vec<Mutex<Option<T>>>,
}

impl<T> PerThread<T> {
    fn new() -> PerThread<T> {
        // One slot per pool thread, and one for a caller outside the pool.
        PerThread { slots: (0..=rayon::current_num_threads()).map(|_| Mutex::new(None)).collect() }
    }

    fn with<R, E>(&self, init: impl FnOnce() -> Result<T, E>, f: impl FnOnce(&T) -> R) -> Result<R, E> {
        let i = rayon::current_thread_index().map_or(self.slots.len() - 1, |i| i.min(self.slots.len() - 2));
        let mut slot = self.slots[i].lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_none() {
            *slot = Some(init()?);
        }
        Ok(f(slot.as_ref().expect("initialised")))
    }
}

/// A blob whose scan produced findings.
struct Hit {
    blob: u32,
    findings: Vec<Finding>,
}

/// What one worker did.
#[derive(Default)]
struct Partial {
    scanned: usize,
    /// Container members scanned.
    members: usize,
    bytes: u64,
    binary: usize,
    large: usize,
    warnings: Warnings,
    /// Problems inside containers.
    archive: Vec<Warning>,
    hits: Vec<Hit>,
    /// What to remember of each blob read (with `--state`).
    memos: Vec<(u32, BlobMemo)>,
    /// Blobs whose findings came from remembered matches (not matched again).
    replayed: usize,
    /// Time reading (header, inflate) and matching (engine and findings).
    read: Duration,
    matching: Duration,
}

impl Partial {
    fn merge(mut self, other: Partial) -> Partial {
        self.scanned += other.scanned;
        self.members += other.members;
        self.bytes += other.bytes;
        self.binary += other.binary;
        self.large += other.large;
        self.warnings.extend(other.warnings);
        self.archive.extend(other.archive);
        self.hits.extend(other.hits);
        self.memos.extend(other.memos);
        self.replayed += other.replayed;
        self.read += other.read;
        self.matching += other.matching;
        self
    }
}

/// Phase timings, printed on stderr when `KEYHOUND_TIMINGS=1`: wall time
/// and, on Linux, the CPU time of the whole process (all threads) — the
/// better measure on a busy machine.
struct Timings {
    on: bool,
    last: Instant,
    last_cpu: f64,
}

impl Timings {
    fn new() -> Timings {
        Timings {
            on: std::env::var_os("KEYHOUND_TIMINGS").is_some_and(|v| v == "1"),
            last: Instant::now(),
            last_cpu: cpu_seconds(),
        }
    }

    fn phase(&mut self, name: &str, detail: impl FnOnce() -> String) {
        let (now, cpu) = (Instant::now(), cpu_seconds());
        if self.on {
            let wall = (now - self.last).as_secs_f64();
            eprintln!("keyhound: timing: {name:<10} {wall:>8.3}s wall {:>8.3}s cpu  {}", cpu - self.last_cpu, detail());
        }
        (self.last, self.last_cpu) = (now, cpu);
    }
}

/// User + system CPU seconds of this process so far (0 where unknown).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return 0.0 };
    let fields: Vec<&str> = stat.rsplit_once(") ").map_or(Vec::new(), |(_, rest)| rest.split(' ').collect());
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime, fields 14 and 15 of proc(5), in 1/100 s.
    (ticks(11) + ticks(12)) / 100.0
}

/// A history warning in the shared vocabulary.
fn typed((about, message): (WarningAbout, String)) -> Warning {
    let kind = match about {
        WarningAbout::MissingObject => WarningKind::MissingObject,
        WarningAbout::UnreadableObject => WarningKind::Unreadable,
        WarningAbout::Other => WarningKind::Note,
    };
    Warning { kind, message }
}

/// What a history scan tells whoever shows its progress (the command's
/// progress bar). Called from worker threads; every method defaults to
/// nothing.
pub trait HistoryProgress: Sync {
    /// Walking the history: `phase` is `loaded` (commits read) or `walked`
    /// (trees walked), `n` how many so far.
    fn walking(&self, _phase: &'static str, _n: usize) {}
    /// The walk is done; `blobs` blobs are to be read.
    fn scanning(&self, _blobs: usize) {}
    /// One blob is done: `bytes` scanned (0 when it was skipped).
    fn blob_done(&self, _bytes: u64) {}
    /// The scan is over.
    fn finished(&self) {}
}

/// No progress display.
pub struct NoProgress;

impl HistoryProgress for NoProgress {}

/// Scans the history of the repository at `repo`.
///
/// Errors are only what stops a scan before it starts (not a repository,
/// unknown ref); anything unreadable later is a warning in the summary, so
/// findings gathered are always returned.
pub fn scan_history(
    engine: &Engine,
    repo: &Path,
    opts: &HistoryOptions,
    progress: &dyn HistoryProgress,
) -> Result<Outcome, GitError> {
    scan(engine, repo, opts, None, progress)
}

/// [`scan_history`] with what the last scan of this repository left
/// (`--state`): the walk continues where it stopped when that is provably
/// the same as walking again, blobs remembered as clean are not read,
/// blobs remembered with matches are read and their findings rebuilt from
/// the remembered positions (no matching), and only the rest is scanned.
/// The findings are those of a scan without state. `state` is updated for
/// the next run.
pub fn scan_history_incremental(
    engine: &Engine,
    repo: &Path,
    opts: &HistoryOptions,
    state: &mut RepoState,
    progress: &dyn HistoryProgress,
) -> Result<Outcome, GitError> {
    scan(engine, repo, opts, Some(state), progress)
}

fn scan(
    engine: &Engine,
    repo: &Path,
    opts: &HistoryOptions,
    state: Option<&mut RepoState>,
    progress: &dyn HistoryProgress,
) -> Result<Outcome, GitError> {
    let started = Instant::now();
    let mut timings = Timings::new();
    let git = GitRepo::open(repo)?;
    let mut warnings = Warnings::default();
    let shallow = git.is_shallow().then(|| {
        Warning::new(
            WarningKind::ShallowHistory,
            "shallow clone: history is truncated at the shallow boundary; only the commits present are scanned (fetch the full history with `git fetch --unshallow`)",
        )
    });
    let mut walking = |phase, n| progress.walking(phase, n);
    let (mut history, checkpoint) = match state.as_deref() {
        Some(st) => {
            let (h, cp, _) = git.enumerate_incremental(&opts.selection, st.walk.as_ref(), &mut walking)?;
            (h, Some(cp))
        }
        None => (git.enumerate(&opts.selection, &mut walking)?, None),
    };
    warnings.extend(std::mem::take(&mut history.warnings));
    let stats = history.stats.clone();
    timings.phase("walk", || {
        format!(
            "{} commits ({} read, {} remembered), {} trees, {} blobs (commits {:.3}s, trees {:.3}s; {} commits' trees not walked again)",
            stats.commits,
            stats.loaded - stats.reused_commits,
            stats.reused_commits,
            stats.trees,
            stats.blobs,
            stats.load_ms as f64 / 1000.0,
            stats.walk_ms as f64 / 1000.0,
            stats.resumed,
        )
    });

    // With state: blobs remembered as clean are not read at all.
    let memory = state.as_deref().map(|s| &s.blobs);
    let to_read: Vec<u32> = match memory {
        Some(m) => {
            (0..history.blobs().len() as u32).filter(|&i| !m.is_clean(&history.blobs()[i as usize].oid())).collect()
        }
        None => (0..history.blobs().len() as u32).collect(),
    };
    let reused = history.blobs().len() - to_read.len();
    progress.scanning(to_read.len());
    let readers: PerThread<Reader> = PerThread::new();
    let git_dir = git.git_dir().to_path_buf();
    let max = opts.max_file_size;
    let limits = Limits { depth: opts.archive_depth, max_member_size: max };
    // Pack order, not first-sighting order: about twice as fast to read.
    let order = if reused == 0 {
        history.read_order(&git.objects_dir())
    } else {
        history.read_order_of(&git.objects_dir(), &to_read)
    };
    let remember = memory.is_some();
    let partial = order
        .par_iter()
        .fold(Partial::default, |mut acc, &i| {
            let blob = &history.blobs()[i as usize];
            let t0 = Instant::now();
            let mut matching = Duration::ZERO;
            let res = readers.with(
                || Reader::open(&git_dir),
                |reader| {
                    reader.with_blob(blob.oid(), max, |data| {
                        let t = Instant::now();
                        let stored = memory.and_then(|m| m.matches(&blob.oid()));
                        let replayed = stored.and_then(|s| replay(engine, reader, &history, blob, data, s));
                        let (scanned, memo) = match replayed {
                            Some(scanned) => {
                                acc.replayed += 1;
                                (scanned, None)
                            }
                            None => scan_blob(engine, reader, &history, blob, data, &limits, &mut acc.warnings),
                        };
                        matching = t.elapsed();
                        (scanned, memo)
                    })
                },
            );
            acc.matching += matching;
            acc.read += t0.elapsed().saturating_sub(matching);
            let mut bytes = 0;
            let res = res.and_then(|r| r).map(|r| {
                r.map(|(scanned, memo)| {
                    if let (true, Some(memo)) = (remember, memo) {
                        acc.memos.push((i, memo));
                    }
                    scanned
                })
            });
            if remember && matches!(res, Ok(Err(Skip::TooLarge | Skip::Binary))) {
                acc.memos.push((i, BlobMemo::Clean));
            }
            match res {
                Ok(Ok(Scanned::Text { bytes: n, findings, members, problems, .. })) => {
                    acc.scanned += 1;
                    acc.members += members.scanned;
                    acc.binary += members.binary;
                    acc.large += members.large;
                    acc.bytes += n;
                    acc.archive.extend(problems);
                    bytes = n;
                    if !findings.is_empty() {
                        acc.hits.push(Hit { blob: i, findings });
                    }
                }
                Ok(Ok(Scanned::Skipped(Skip::Binary)) | Err(Skip::Binary)) => acc.binary += 1,
                Ok(Ok(Scanned::Skipped(Skip::TooLarge)) | Err(Skip::TooLarge)) => acc.large += 1,
                Ok(Ok(Scanned::Failed(w))) => acc.archive.push(Warning::new(WarningKind::Unreadable, w)),
                Err(e) => {
                    let at =
                        readers.with(|| Reader::open(&git_dir), |r| blob_place(r, &history, blob)).unwrap_or_default();
                    acc.warnings.object(e.is_missing(), format!("{e}{at}; not scanned"));
                }
            }
            progress.blob_done(bytes);
            acc
        })
        .reduce(Partial::default, Partial::merge);
    progress.finished();
    let threads = rayon::current_num_threads();
    timings.phase("scan", || {
        format!(
            "{} blobs ({} not read: remembered clean; {} rebuilt from remembered matches), {} ({} binary, {} too large); summed over {threads} threads: read {:.3}s, match {:.3}s",
            partial.scanned,
            reused,
            partial.replayed,
            HumanBytes(partial.bytes),
            partial.binary,
            partial.large,
            partial.read.as_secs_f64(),
            partial.matching.as_secs_f64()
        )
    });

    let mut outcome = Outcome::default();
    if let (Some(st), Some(cp)) = (state, checkpoint) {
        st.blobs = remembered(&history, &st.blobs, &partial.memos);
        st.walk = Some(cp);
    }
    outcome.summary.reused = reused;
    outcome.summary.scanned = partial.scanned;
    outcome.summary.members = partial.members;
    outcome.summary.bytes = partial.bytes;
    outcome.summary.skipped_binary = partial.binary;
    outcome.summary.skipped_large = partial.large;
    warnings.extend(partial.warnings);
    if !partial.hits.is_empty() {
        let reading = Reading { engine, limits: &limits, max_file_size: max };
        outcome.findings = aggregate(git.reader(), &history, partial.hits, &reading, &mut warnings);
        // Held back once merged: one per (rule, secret, path), as a lower
        // minimum would list them, not one per blob that carried it.
        outcome.held_back = hold_back_findings(engine, &mut outcome.findings);
    }
    timings.phase("provenance", || format!("{} findings", outcome.findings.len()));
    outcome.summary.warnings =
        shallow.into_iter().chain(warnings.into_vec().into_iter().map(typed)).chain(partial.archive).collect();
    outcome.summary.findings = outcome.findings.len();
    outcome.summary.rules = engine.rules().len();
    outcome.summary.duration_ms = started.elapsed().as_millis();
    Ok(outcome)
}

/// Scans one blob's bytes: text as it is, a container member by member;
/// a path is only looked up when something matched (or a container had a
/// problem). Also says what to remember of the blob, when anything can be:
/// clean, or its text's matches (not when a secret was found only by
/// decoding, nor for a container with findings or problems: those are
/// scanned again next time).
fn scan_blob(
    engine: &Engine,
    reader: &Reader,
    history: &History,
    blob: &BlobEntry,
    data: &[u8],
    limits: &Limits,
    warnings: &mut Warnings,
) -> (Scanned, Option<BlobMemo>) {
    let mut path = || {
        reader.path_of(history, blob).unwrap_or_else(|e| {
            warnings.push(format!("cannot find the path of blob {}: {e}", blob.oid()));
            blob.oid().to_string()
        })
    };
    match view(data) {
        View::Text(text) => {
            // A blob's path is found only when its name could matter (it
            // costs a walk up its trees).
            let mut named = engine.name_matters(&text).then(&mut path);
            let matches = engine.scan_named(&text, named.as_deref().map(str::as_bytes));
            if matches.is_empty() {
                return (Scanned::text(text.len(), Found::default()), Some(BlobMemo::Clean));
            }
            // Remembered are matches of known formats only: a generic
            // match's confidence is graded at the scan, and its secret may be
            // a guessable password, whose plain SHA-256 the state must not
            // hold.
            let replayable = |m: &Match| m.decoded.is_none() && m.confidence.is_none();
            let memo = matches.iter().all(replayable).then(|| {
                BlobMemo::Matched(
                    matches
                        .iter()
                        .map(|m| {
                            let graded = m.confidence.map(Confidence::as_str);
                            StoredMatch::new(&engine.rules()[m.rule].id, &text, m.start, m.end, graded)
                        })
                        .collect(),
                )
            });
            // Every match is a finding here, whatever its confidence: the
            // minimum is applied once a secret's blobs are merged (see
            // `scan_history`).
            let path = named.take().unwrap_or_else(path);
            let findings = to_findings(engine, &path, &text, &matches);
            (Scanned::text(text.len(), Found { findings, held_back: 0 }), memo)
        }
        View::Binary => match scan_container(engine, data, limits, Keep::All, &mut path) {
            Some(scanned) => {
                let clean = matches!(&scanned, Scanned::Text { findings, problems, .. } if findings.is_empty() && problems.is_empty());
                (scanned, clean.then_some(BlobMemo::Clean))
            }
            None => (Scanned::Skipped(Skip::Binary), Some(BlobMemo::Clean)),
        },
    }
}

/// A blob's findings rebuilt from the matches remembered for it, without
/// matching: `None` (scan it instead) when the remembered matches do not fit
/// its text ([`remembered_matches`]).
fn replay(
    engine: &Engine,
    reader: &Reader,
    history: &History,
    blob: &BlobEntry,
    data: &[u8],
    stored: &[StoredMatch],
) -> Option<Scanned> {
    let View::Text(text) = view(data) else { return None };
    let matches = remembered_matches(engine, &text, stored)?;
    if matches.is_empty() {
        return Some(Scanned::text(text.len(), Found::default()));
    }
    let path = reader.path_of(history, blob).ok()?;
    Some(Scanned::text(text.len(), Found { findings: to_findings(engine, &path, &text, &matches), held_back: 0 }))
}

/// The engine's matches of `text` as remembered, each with the confidence
/// its detector gave it: `None` when `text` no longer has the remembered
/// bytes at the remembered places, a rule is gone or a grade is unknown —
/// a state that does not fit is never trusted.
fn remembered_matches(engine: &Engine, text: &[u8], stored: &[StoredMatch]) -> Option<Vec<Match>> {
    let mut matches = Vec::with_capacity(stored.len());
    for m in stored {
        let rule = engine.rules().iter().position(|r| r.id == m.rule_id)?;
        if !m.holds(text) {
            return None;
        }
        let confidence = m.confidence.as_deref().map(str::parse::<Confidence>).transpose().ok()?;
        matches.push(Match { start: m.start as usize, end: m.end as usize, rule, decoded: None, confidence });
    }
    Some(matches)
}

/// What to remember after a scan: every blob of today's history that was
/// remembered and not read again, and what was learnt of those read.
fn remembered(history: &History, before: &BlobMemory, memos: &[(u32, BlobMemo)]) -> BlobMemory {
    let mut next = BlobMemory::default();
    for blob in history.blobs() {
        if let Some(memo) = before.get(&blob.oid()) {
            next.insert(blob.oid(), memo);
        }
    }
    for (i, memo) in memos {
        next.insert(history.blobs()[*i as usize].oid(), memo.clone());
    }
    next
}

/// " at PATH in COMMIT" for a warning about a blob, when it can be found.
fn blob_place(reader: &Reader, history: &History, blob: &BlobEntry) -> String {
    let path = reader.path_of(history, blob).unwrap_or_default();
    let commit = reader.commit_info(history, blob.order()).map(|c| c.id).unwrap_or_default();
    format!(" (first seen at {path} in {commit})")
}

/// What reading a blob the history scan did not read takes (a range's
/// base, HEAD outside the range).
struct Reading<'a> {
    engine: &'a Engine,
    limits: &'a Limits,
    max_file_size: u64,
}

/// What a blob the scan did not read holds, read at most once: its text,
/// searched for a secret; or, for a container, the (rule, secret, member
/// path) of what its members hold.
enum Held {
    Text(Vec<u8>),
    Members(HashSet<(String, String, String)>),
    Nothing,
}

impl Held {
    fn read(main: &Reader, oid: Oid, reading: &Reading<'_>) -> Held {
        let held = main.with_blob(oid, reading.max_file_size, |data| match view(data) {
            View::Text(text) => Held::Text(text.into_owned()),
            View::Binary => match scan_container(reading.engine, data, reading.limits, Keep::All, &mut String::new) {
                Some(Scanned::Text { findings, .. }) => Held::Members(
                    findings
                        .iter()
                        .map(|f| (f.rule_id.clone(), f.secret.clone(), member_suffix(f).to_string()))
                        .collect(),
                ),
                _ => Held::Nothing,
            },
        });
        held.ok().and_then(Result::ok).unwrap_or(Held::Nothing)
    }

    /// Whether it holds `secret` (found by `rule`) at `member` (empty for
    /// the blob's own text).
    fn holds(&self, rule: &str, secret: &str, member: &str) -> bool {
        match self {
            Held::Text(t) => member.is_empty() && memchr::memmem::find(t, secret.as_bytes()).is_some(),
            Held::Members(m) => m.contains(&(rule.to_string(), secret.to_string(), member.to_string())),
            Held::Nothing => false,
        }
    }
}

/// A finding being merged: its oldest sighting at its path and how many
/// blobs had it there.
struct Group {
    finding: Finding,
    order: u32,
    blobs: usize,
    last_blob: u32,
}

/// `f` as found at `path` (exact bytes): for a container member, the
/// container is at `path` and the member path follows it.
fn at_path(f: &Finding, path: &[u8]) -> Finding {
    let mut f = f.clone();
    let member = member_suffix(&f).to_string();
    f.set_outer_path(&String::from_utf8_lossy(path));
    f.path_bytes = std::str::from_utf8(path).is_err().then(|| [path, member.as_bytes()].concat());
    f
}

/// What follows the outermost file in a finding's path: `!inner/file`
/// for a container member, empty otherwise.
fn member_suffix(f: &Finding) -> &str {
    &f.path[f.outer_path().len()..]
}

/// Merges per-blob findings per (rule, secret, path), for every path each
/// matched blob has had, at the first commit that had the secret at that
/// path; drops, in a range, what its base already had at the same path (an
/// edit that keeps a key); and fills in provenance and `in_head` (HEAD
/// still has the secret at that path).
fn aggregate(
    main: &Reader,
    history: &History,
    mut hits: Vec<Hit>,
    reading: &Reading<'_>,
    warnings: &mut Warnings,
) -> Vec<Finding> {
    hits.sort_unstable_by_key(|h| h.blob);
    let ids: Vec<u32> = hits.iter().map(|h| h.blob).collect();
    let places = main.places(history, &ids, warnings);
    let mut groups: HashMap<(String, String, Vec<u8>, String), Group> = HashMap::new();
    for (hit, places) in hits.iter().zip(&places) {
        for place in places {
            for f in &hit.findings {
                let key = (f.rule_id.clone(), f.secret.clone(), place.path.clone(), member_suffix(f).to_string());
                match groups.get_mut(&key) {
                    Some(g) => {
                        // An allow comment on any version of the line allows
                        // the secret there (it may have been added later).
                        let allowed = g.finding.line_allowed || f.line_allowed;
                        if g.last_blob != hit.blob {
                            g.blobs += 1;
                            g.last_blob = hit.blob;
                        }
                        if place.order < g.order {
                            (g.finding, g.order) = (at_path(f, &place.path), place.order);
                        }
                        g.finding.line_allowed = allowed;
                    }
                    None => {
                        let g = Group {
                            finding: at_path(f, &place.path),
                            order: place.order,
                            blobs: 1,
                            last_blob: hit.blob,
                        };
                        groups.insert(key, g);
                    }
                }
            }
        }
    }

    // What a blob holds, read at most once: matched blobs by their
    // findings, others by searching for the secret's text, or an archive's
    // members by scanning them (see `Held`).
    let matched: HashMap<git2::Oid, HashSet<(&str, &str, &str)>> = hits
        .iter()
        .map(|h| {
            let oid = history.blobs()[h.blob as usize].oid();
            (oid, h.findings.iter().map(|f| (f.rule_id.as_str(), f.secret.as_str(), member_suffix(f))).collect())
        })
        .collect();
    let mut held: HashMap<git2::Oid, Held> = HashMap::new();
    let mut holds = |oid: git2::Oid, rule: &str, secret: &str, member: &str| -> bool {
        if let Some(found) = matched.get(&oid) {
            return found.contains(&(rule, secret, member));
        }
        if history.contains(oid) {
            return false; // scanned: the rule did not find it there
        }
        held.entry(oid).or_insert_with(|| Held::read(main, oid, reading)).holds(rule, secret, member)
    };
    let base = main.base_trees(history);
    let head = main.head_tree();
    let mut kept = Vec::with_capacity(groups.len());
    for ((rule, secret, path, member), g) in groups {
        let has = |tree: Oid, holds: &mut dyn FnMut(Oid, &str, &str, &str) -> bool| {
            main.blob_at(tree, &path).is_some_and(|b| holds(b, &rule, &secret, &member))
        };
        if base.iter().any(|&t| has(t, &mut holds)) {
            continue;
        }
        let in_head = head.is_some_and(|t| has(t, &mut holds));
        kept.push((g, in_head));
    }

    let mut commits: HashMap<u32, CommitInfo> = HashMap::new();
    let mut findings = Vec::with_capacity(kept.len());
    for (g, in_head) in kept {
        let info = commits.entry(g.order).or_insert_with(|| {
            main.commit_info(history, g.order).unwrap_or_else(|e| {
                warnings.push(format!("cannot read the introducing commit: {e}"));
                CommitInfo::default()
            })
        });
        let mut f = g.finding;
        f.provenance = Some(Provenance {
            commit: info.id.clone(),
            author: info.author.clone(),
            email: info.email.clone(),
            date: info.date.clone(),
            in_head,
            occurrences: g.blobs,
        });
        findings.push(f);
    }
    findings.sort_by(|a, b| {
        (&a.path, a.line, a.column, &a.rule_id, &a.secret).cmp(&(&b.path, b.line, b.column, &b.rule_id, &b.secret))
    });
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;

    #[test]
    fn remembered_matches_keep_their_own_confidence() {
        let mut rules = RuleSet::default();
        rules
            .add_toml(
                "t.toml",
                "[[rule]]\nid = \"t-tok\"\nname = \"T\"\nregex = 'tok_[a-z0-9]{12}'\nkeywords = ['tok_']\n",
            )
            .unwrap();
        let engine = Engine::new(&rules).unwrap();
        let text = b"KEY=tok_k3j9x2m4q8w1\n";
        let stored = |confidence: Option<&str>| vec![StoredMatch::new("t-tok", text, 4, 20, confidence)];
        let grades = |stored: &[StoredMatch]| {
            remembered_matches(&engine, text, stored).map(|ms| ms.iter().map(|m| m.confidence).collect::<Vec<_>>())
        };
        assert_eq!(grades(&stored(None)), Some(vec![None]), "the rule's confidence applies");
        assert_eq!(grades(&stored(Some("low"))), Some(vec![Some(Confidence::Low)]));
        assert_eq!(grades(&stored(Some("certain"))), None, "an unknown grade: scan again");
        assert_eq!(grades(&[StoredMatch::new("gone", text, 4, 20, None)]), None, "a rule that is gone");
        let f = to_findings(&engine, "a.env", text, &remembered_matches(&engine, text, &stored(Some("low"))).unwrap());
        assert_eq!(f[0].confidence, Confidence::Low);
    }
}
