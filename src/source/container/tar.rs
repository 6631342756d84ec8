//! Tar archives (POSIX, GNU and PAX names, via the `tar` crate), read front
//! to back from any reader — a tar in memory, or the decompressor of a
//! `.tar.gz` — one member at a time. Only regular files are read; links,
//! directories and devices have no content of their own. A header that
//! cannot be read ends the archive (what came before it was scanned).

use std::io::Read;

use super::Walk;

pub(super) fn read(walk: &mut Walk<'_>, from: impl Read) {
    let mut archive = tar::Archive::new(walk.budget.plain(from));
    let entries = match archive.entries() {
        Ok(entries) => entries,
        Err(e) => return walk.read_error(None, &e),
    };
    for entry in entries {
        if !walk.count_member() {
            return;
        }
        let mut entry = match entry {
            Ok(entry) => entry,
            Err(e) => return walk.read_error(None, &e),
        };
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let step = walk.member_step(&entry.path_bytes());
        let size = entry.size();
        let got = walk.read_member(&step, &mut entry, size);
        walk.take(step, got);
        if walk.stopped {
            return;
        }
    }
}
