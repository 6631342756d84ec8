//! Zip archives (and jar, apk, whl, docx, ... which are zips), read with
//! the `zip` crate: from the central directory when there is one, each
//! member decompressed as it is read; entries whose data overlaps an
//! earlier entry's (the overlapping-entry bomb) are skipped; encrypted
//! members are reported, not read. A zip whose central directory cannot be
//! read (truncated, corrupt) is read from its local headers, front to back,
//! as far as they go.

use std::io::Cursor;

use zip::read::read_zipfile_from_stream;
use zip::ZipArchive;

use super::Walk;

pub(super) fn read(walk: &mut Walk<'_>, data: &[u8]) {
    match ZipArchive::new(Cursor::new(data)) {
        Ok(archive) => central(walk, archive),
        Err(e) => {
            walk.problem_here(format!("corrupt or truncated zip ({e}); read from its local headers as far as they go"));
            local(walk, data);
        }
    }
}

/// Reads the members the central directory lists, in the order of their
/// data, each range of the file once.
fn central(walk: &mut Walk<'_>, mut archive: ZipArchive<Cursor<&[u8]>>) {
    // (header start, data end, index) of each file entry.
    let mut entries = Vec::with_capacity(archive.len().min(super::MAX_MEMBERS + 1));
    for i in 0..archive.len() {
        match archive.by_index_raw(i) {
            Ok(f) if f.is_file() => {
                let start = f.header_start();
                let end = f.data_start().unwrap_or(start).saturating_add(f.compressed_size());
                entries.push((start, end, i));
            }
            Ok(_) => {}
            Err(e) => walk.problem_here(format!("entry {i} cannot be read ({e}); skipped")),
        }
    }
    entries.sort_unstable();
    let mut end_so_far = 0;
    let mut overlapping = 0;
    for (start, end, i) in entries {
        if start < end_so_far {
            overlapping += 1;
            continue;
        }
        if !walk.count_member() {
            break;
        }
        end_so_far = end;
        let Ok((raw, encrypted, compressed)) =
            archive.by_index_raw(i).map(|f| (f.name_raw().to_vec(), f.encrypted(), f.compressed_size()))
        else {
            continue;
        };
        let step = walk.member_step(&raw);
        if encrypted {
            walk.problem_at(step, "encrypted, not scanned".to_string());
            continue;
        }
        let got = match archive.by_index(i) {
            Ok(file) => {
                let size = file.size();
                let mut from = walk.budget.decompressed(file, compressed);
                walk.read_member(&step, &mut from, size)
            }
            Err(e) => {
                walk.problem_at(step, format!("cannot be read ({e}); not scanned"));
                continue;
            }
        };
        walk.take(step, got);
        if walk.stopped {
            break;
        }
    }
    if overlapping > 0 {
        walk.problem_here(format!(
            "{overlapping} entries overlap other entries' data (a zip bomb?); each byte was read once"
        ));
    }
}

/// Reads the members from the local headers, front to back, until the end
/// or the first that cannot be read.
fn local(walk: &mut Walk<'_>, data: &[u8]) {
    let mut cursor = Cursor::new(data);
    while walk.count_member() {
        let file = match read_zipfile_from_stream(&mut cursor) {
            Ok(Some(file)) => file,
            Ok(None) => return,
            Err(e) => {
                walk.problem_here(format!("stopped at an entry that cannot be read ({e})"));
                return;
            }
        };
        if !file.is_file() {
            continue;
        }
        let raw = file.name_raw().to_vec();
        let step = walk.member_step(&raw);
        if file.encrypted() {
            walk.problem_at(step, "encrypted, not scanned".to_string());
            continue;
        }
        let (size, compressed) = (file.size(), file.compressed_size());
        let mut from = walk.budget.decompressed(file, compressed);
        let got = walk.read_member(&step, &mut from, size);
        drop(from);
        walk.take(step, got);
        if walk.stopped {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::super::{open, Limits, Step};

    /// A zip of one member, `(name, data)`, deflated.
    fn one_member(name: &str, data: &[u8]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        w.start_file(name, opts).unwrap();
        w.write_all(data).unwrap();
        w.finish().unwrap().into_inner()
    }

    /// `zip` (one member) with its central directory entry repeated `n`
    /// times under other names, each copy pointing at the same data: the
    /// overlapping-entry bomb.
    fn overlapping(zip: &[u8], n: u16) -> Vec<u8> {
        let eocd = zip.len() - 22;
        assert_eq!(&zip[eocd..eocd + 4], b"PK\x05\x06");
        let u32_at = |at: usize| u32::from_le_bytes(zip[at..at + 4].try_into().unwrap()) as usize;
        let (cd_size, cd_start) = (u32_at(eocd + 12), u32_at(eocd + 16));
        let entry = &zip[cd_start..cd_start + cd_size];
        let mut out = zip[..cd_start].to_vec();
        for i in 0..n {
            // Each copy under a name of its own (the name's length kept).
            let mut copy = entry.to_vec();
            let name_len = u16::from_le_bytes([copy[28], copy[29]]) as usize;
            let name = format!("{i:0name_len$}");
            copy[46..46 + name_len].copy_from_slice(name.as_bytes());
            out.extend_from_slice(&copy);
        }
        let mut end = zip[eocd..].to_vec();
        end[8..10].copy_from_slice(&n.to_le_bytes());
        end[10..12].copy_from_slice(&n.to_le_bytes());
        end[12..16].copy_from_slice(&((cd_size * n as usize) as u32).to_le_bytes());
        out.extend_from_slice(&end);
        out
    }

    #[test]
    fn overlapping_entries_are_read_once() {
        let bomb = overlapping(&one_member("a.txt", &b"line\n".repeat(1000)), 500);
        let mut seen = Vec::new();
        let limits = Limits { depth: 3, max_member_size: 1 << 20 };
        let report = open(&bomb, &limits, &mut |steps, text| seen.push((steps.to_vec(), text.len()))).unwrap();
        assert_eq!(seen, [(vec![Step::Member("00000".into())], 5000)]);
        let what: Vec<&str> = report.problems.iter().map(|p| p.what.as_str()).collect();
        assert_eq!(what, ["499 entries overlap other entries' data (a zip bomb?); each byte was read once"]);
    }
}
