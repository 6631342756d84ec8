//! The `--state DIR` directory of `keyhound history`: per repository, what
//! the last scan read (blob memory under a fingerprint of the rules and
//! options, and the walk checkpoint), so the next scan reads only what is
//! new; and the mirrors of repositories given as clone URLs.
//!
//! Layout (a plain directory, safe to keep in a CI cache or object storage):
//!
//! ```text
//! DIR/FORMAT                      "keyhound-state 1": the layout's version
//! DIR/repos/NAME-HASH.state       one file per repository (binary, versioned, checksummed)
//! DIR/mirrors/NAME-HASH.git       bare mirrors of repositories given by URL
//! ```
//!
//! A state file holds hashes and positions only, never a secret. It is
//! written atomically (a temporary file renamed over the old one), ends with
//! the SHA-256 of everything before it, and names the repository it
//! belongs to. A file that is truncated, corrupt, of another format version
//! or of another repository is a warning and the scan runs in full (and
//! writes a good file). Two runs on one state directory at once do not
//! corrupt it: the last one to finish wins.
//!
//! Must not scan or walk history (the pipeline and `source::git` do, with
//! what this module loads).

pub mod blobs;
#[doc(hidden)]
pub mod fuzzing;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

use crate::source::git::WalkCheckpoint;
use crate::util::atomic_file::write_atomically;
use crate::util::binary::{DecodeError, Decoder, Encoder};

pub use blobs::{BlobMemo, BlobMemory, StoredMatch};

/// The first bytes of every state file.
const MAGIC: &[u8; 16] = b"KEYHOUND-STATE\n\0";
/// The version of the state file format this keyhound reads and writes.
/// 2: each remembered match keeps its own confidence. A file of another
/// version is not read (a warning, and a full scan that writes this one).
pub const FORMAT_VERSION: u32 = 2;
/// What `DIR/FORMAT` says.
const FORMAT_LINE: &str = "keyhound-state 1\n";

/// What one repository's scans remember.
#[derive(Debug, Default)]
pub struct RepoState {
    /// The rules and options the blob memory was made with.
    pub fingerprint: String,
    pub blobs: BlobMemory,
    pub walk: Option<WalkCheckpoint>,
}

/// A state loaded for a scan, and what the scan should say about it.
#[derive(Debug, Default)]
pub struct Loaded {
    pub state: RepoState,
    /// A problem with the stored state (corrupt, foreign): the scan runs in
    /// full. Worded for a warning.
    pub warning: Option<String>,
    /// The rules or options changed since: every blob is read again.
    pub rules_changed: bool,
}

/// An open state directory.
#[derive(Debug, Clone)]
pub struct StateDir {
    root: PathBuf,
}

impl StateDir {
    /// Opens (creating as needed) the state directory at `root`. A
    /// directory of another layout version is a warning, and its files are
    /// replaced as they are written.
    pub fn open(root: &Path) -> Result<(StateDir, Option<String>)> {
        std::fs::create_dir_all(root.join("repos"))
            .with_context(|| format!("cannot create the state directory {}", root.display()))?;
        let format = root.join("FORMAT");
        let warning = match std::fs::read_to_string(&format) {
            Ok(text) if text == FORMAT_LINE => None,
            Ok(text) => Some(format!(
                "{} is a state directory of another format ({:?}); its state is not used and is replaced",
                root.display(),
                text.lines().next().unwrap_or_default()
            )),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => Some(format!("cannot read {}: {e}", format.display())),
        };
        if warning.is_some() || !format.exists() {
            write_atomically(&format, |w| w.write_all(FORMAT_LINE.as_bytes()))
                .with_context(|| format!("cannot write {}", format.display()))?;
        }
        Ok((StateDir { root: root.to_path_buf() }, warning))
    }

    /// Where the state of the repository named `identity` is kept.
    pub fn repo_file(&self, identity: &str) -> PathBuf {
        self.root.join("repos").join(format!("{}.state", file_stem(identity)))
    }

    /// Where the mirror of the repository at clone URL `url` is kept.
    pub fn mirror_dir(&self, url: &str) -> PathBuf {
        self.root.join("mirrors").join(format!("{}.git", file_stem(url)))
    }

    /// Loads the state of `identity`; `fingerprint` is today's rules and
    /// options. Never fails: anything wrong is a warning and an empty state.
    pub fn load(&self, identity: &str, fingerprint: &str) -> Loaded {
        let path = self.repo_file(identity);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Loaded {
                    state: RepoState { fingerprint: fingerprint.to_string(), ..RepoState::default() },
                    ..Loaded::default()
                };
            }
            Err(e) => return full_scan(fingerprint, format!("cannot read {}: {e}", path.display())),
        };
        match decode(&bytes) {
            Ok(Decoded::Other { version }) => full_scan(
                fingerprint,
                format!(
                    "{} was written in state format {version} (this keyhound reads {FORMAT_VERSION})",
                    path.display()
                ),
            ),
            Ok(Decoded::State { identity: theirs, mut state }) => {
                if theirs != identity {
                    return full_scan(fingerprint, format!("{} holds the state of another repository", path.display()));
                }
                let rules_changed = state.fingerprint != fingerprint;
                if rules_changed {
                    // The walk does not depend on the rules; what blobs held does.
                    state.blobs = BlobMemory::default();
                    state.fingerprint = fingerprint.to_string();
                }
                Loaded { state: *state, warning: None, rules_changed }
            }
            Err(e) => full_scan(fingerprint, format!("{} is corrupt ({e})", path.display())),
        }
    }

    /// Saves the state of `identity`, atomically.
    pub fn save(&self, identity: &str, state: &RepoState) -> Result<()> {
        let path = self.repo_file(identity);
        let bytes = encode(identity, state);
        write_atomically(&path, |w| w.write_all(&bytes)).with_context(|| format!("cannot write {}", path.display()))
    }
}

fn full_scan(fingerprint: &str, why: String) -> Loaded {
    Loaded {
        state: RepoState { fingerprint: fingerprint.to_string(), ..RepoState::default() },
        warning: Some(format!("{why}; scanning in full")),
        rules_changed: false,
    }
}

/// A file name for `identity`: its last path component, tamed, and a hash
/// of the whole (so two repositories never share a file).
fn file_stem(identity: &str) -> String {
    let last = identity.trim_end_matches(['/', '\\']).rsplit(['/', '\\', ':']).next().unwrap_or_default();
    let last = last.strip_suffix(".git").unwrap_or(last);
    let tame: String =
        last.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')).take(40).collect();
    let tame = tame.trim_start_matches('.');
    let hash = Sha256::digest(identity.as_bytes());
    let hex: String = hash[..8].iter().map(|b| format!("{b:02x}")).collect();
    if tame.is_empty() {
        hex
    } else {
        format!("{tame}-{hex}")
    }
}

enum Decoded {
    State { identity: String, state: Box<RepoState> },
    Other { version: u32 },
}

fn encode(identity: &str, state: &RepoState) -> Vec<u8> {
    let walk = state.walk.as_ref().map(WalkCheckpoint::to_bytes);
    let mut w = Encoder::with_capacity(64 + walk.as_ref().map_or(0, Vec::len) + state.blobs.len().0 * 20);
    w.fixed(MAGIC);
    w.u32(FORMAT_VERSION);
    w.bytes(env!("CARGO_PKG_VERSION").as_bytes());
    w.bytes(identity.as_bytes());
    w.bytes(state.fingerprint.as_bytes());
    state.blobs.encode(&mut w);
    match &walk {
        Some(bytes) => {
            w.u8(1);
            w.bytes(bytes);
        }
        None => w.u8(0),
    }
    let sum = Sha256::digest(&w.0);
    w.fixed(&sum);
    w.0
}

fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    let fail = |what: &str| DecodeError(what.to_string());
    if bytes.len() < MAGIC.len() + 4 + 32 || &bytes[..MAGIC.len()] != MAGIC {
        return Err(fail("not a keyhound state file"));
    }
    let (body, sum) = bytes.split_at(bytes.len() - 32);
    let mut r = Decoder::new(body);
    r.fixed(MAGIC.len())?;
    let version = r.u32()?;
    if version != FORMAT_VERSION {
        return Ok(Decoded::Other { version });
    }
    if Sha256::digest(body).as_slice() != sum {
        return Err(fail("checksum mismatch"));
    }
    let _written_by = r.string()?;
    let identity = r.string()?;
    let fingerprint = r.string()?;
    let blobs = BlobMemory::decode(&mut r)?;
    let walk = match r.u8()? {
        0 => None,
        1 => Some(WalkCheckpoint::from_bytes(r.bytes()?).map_err(|e| DecodeError(e.to_string()))?),
        _ => return Err(fail("bad walk marker")),
    };
    if !r.is_done() {
        return Err(fail("trailing bytes"));
    }
    Ok(Decoded::State { identity, state: Box::new(RepoState { fingerprint, blobs, walk }) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn some_state() -> RepoState {
        let mut blobs = BlobMemory::default();
        blobs.insert(git2::Oid::from_bytes(&[3; 20]).unwrap(), BlobMemo::Clean);
        RepoState { fingerprint: "f1".into(), blobs, walk: None }
    }

    #[test]
    fn saves_loads_and_refuses_what_is_not_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let (state, w) = StateDir::open(dir.path()).unwrap();
        assert!(w.is_none());
        assert_eq!(std::fs::read_to_string(dir.path().join("FORMAT")).unwrap(), FORMAT_LINE);
        // First run: nothing stored, no warning.
        let l = state.load("/r/a", "f1");
        assert!(l.warning.is_none() && l.state.blobs.is_empty() && !l.rules_changed);
        state.save("/r/a", &some_state()).unwrap();
        let l = state.load("/r/a", "f1");
        assert!(l.warning.is_none());
        assert_eq!(l.state.blobs, some_state().blobs);
        // Other rules: the blobs are forgotten, not a warning.
        let l = state.load("/r/a", "f2");
        assert!(l.rules_changed && l.state.blobs.is_empty() && l.warning.is_none());
        assert_eq!(l.state.fingerprint, "f2");
        // Another repository's file under this name.
        std::fs::copy(state.repo_file("/r/a"), state.repo_file("/r/b")).unwrap();
        let l = state.load("/r/b", "f1");
        assert!(l.warning.as_deref().is_some_and(|w| w.contains("another repository")), "{:?}", l.warning);
        assert!(l.state.blobs.is_empty());
        // Corrupt: one byte flipped, then truncated.
        let file = state.repo_file("/r/a");
        let mut bytes = std::fs::read(&file).unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 1;
        std::fs::write(&file, &bytes).unwrap();
        let l = state.load("/r/a", "f1");
        assert!(l.warning.as_deref().is_some_and(|w| w.contains("corrupt")), "{:?}", l.warning);
        std::fs::write(&file, &bytes[..10]).unwrap();
        assert!(state.load("/r/a", "f1").warning.is_some());
        // A file name never collides and stays tame.
        assert_ne!(file_stem("/r/a"), file_stem("/s/a"));
        assert!(file_stem("https://example.com/org/repo.git").starts_with("repo-"));
        assert!(!file_stem("../../x").contains('/'));
    }

    #[test]
    fn a_state_file_of_another_version_is_a_warning_and_a_full_scan() {
        let dir = tempfile::tempdir().unwrap();
        let (state, _) = StateDir::open(dir.path()).unwrap();
        state.save("/r/a", &some_state()).unwrap();
        // The same file as version 1 wrote it: the version after the magic.
        let file = state.repo_file("/r/a");
        let mut bytes = std::fs::read(&file).unwrap();
        bytes[MAGIC.len()..MAGIC.len() + 4].copy_from_slice(&1u32.to_le_bytes());
        std::fs::write(&file, &bytes).unwrap();
        let l = state.load("/r/a", "f1");
        let warning = l.warning.unwrap_or_default();
        assert!(warning.contains("state format 1 (this keyhound reads 2); scanning in full"), "{warning}");
        assert!(l.state.blobs.is_empty() && !l.rules_changed);
        // The full scan's state replaces it.
        state.save("/r/a", &some_state()).unwrap();
        assert!(state.load("/r/a", "f1").warning.is_none());
    }

    #[test]
    fn a_directory_of_another_format_is_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("FORMAT"), "keyhound-state 99\n").unwrap();
        let (_, w) = StateDir::open(dir.path()).unwrap();
        assert!(w.is_some_and(|w| w.contains("another format")));
        assert_eq!(std::fs::read_to_string(dir.path().join("FORMAT")).unwrap(), FORMAT_LINE);
    }
}
