//! Compressed files — gzip (`flate2`, several members in a row as `gzip`
//! reads them), bzip2 (`bzip2`), xz (`lzma-rust2`) and zstd (`ruzstd`) —
//! decompressed as they are read. What they hold is a tar (`.tar.gz`,
//! `.tgz`, `.tar.xz`, ...: its members are read as this container's) or a
//! single member, named by the gzip header or after the file
//! ([`Step::Stream`]).

use std::io::{self, Read};

use flate2::read::MultiGzDecoder;

use super::{is_tar, Got, Kind, Step, Walk, MAX_WINDOW};

pub(super) fn read(walk: &mut Walk<'_>, kind: Kind, data: &[u8]) {
    let decoder: Box<dyn Read + '_> = match kind {
        Kind::Gzip => Box::new(MultiGzDecoder::new(data)),
        Kind::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(data)),
        Kind::Xz => {
            let limit_kb = u32::try_from(MAX_WINDOW >> 10).unwrap_or(u32::MAX);
            Box::new(lzma_rust2::XzReader::new_mem_limit(data, true, limit_kb))
        }
        Kind::Zstd => match ruzstd::decoding::StreamingDecoder::new_with_max_window_size(data, MAX_WINDOW) {
            Ok(d) => Box::new(d),
            Err(e) => return walk.problem_here(format!("corrupt zstd stream ({e}); not scanned")),
        },
        Kind::Zip | Kind::Tar => unreachable!("not a compressed stream"),
    };
    let name = match kind {
        Kind::Gzip => gzip_name(data),
        _ => None,
    };
    let mut from = walk.budget.decompressed(decoder, data.len() as u64);
    // A tar inside? Its first header says so.
    let mut head = Vec::with_capacity(512);
    if let Err(e) = (&mut from).take(512).read_to_end(&mut head) {
        // Corrupt from the start: what little was read is all there is.
        walk.read_error(None, &e);
        if !walk.stopped && walk.count_member() {
            walk.take(Step::Stream(name), Got::Bytes(head));
        }
        return;
    }
    if is_tar(&head) {
        return super::tar::read(walk, io::Cursor::new(head).chain(from));
    }
    if !walk.count_member() {
        return;
    }
    let step = Step::Stream(name);
    let got = walk.read_member(&step, &mut io::Cursor::new(head).chain(from), 0);
    walk.take(step, got);
}

/// The original file name a gzip header records (`FNAME`), without any
/// directory, when it records one.
fn gzip_name(data: &[u8]) -> Option<String> {
    let flags = *data.get(3)?;
    let mut at = 10;
    if flags & 0x04 != 0 {
        let len = u16::from_le_bytes([*data.get(10)?, *data.get(11)?]) as usize;
        at += 2 + len;
    }
    if flags & 0x08 == 0 {
        return None;
    }
    let rest = data.get(at..)?;
    let end = memchr::memchr(0, &rest[..rest.len().min(1024)])?;
    let (name, _) = super::clean_name(&rest[..end]);
    let base = name.rsplit('/').next().unwrap_or(&name).to_string();
    (!base.is_empty()).then_some(base)
}
