//! Archives and encoded text built in memory for tests: zip (deflated or
//! stored, optionally marked encrypted), tar (with names as given, `../`
//! included), gzip, bzip2, xz and zstd streams, and UTF-16 text.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// A zip of `entries` (name, content), deflated.
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    zip_with(entries, CompressionMethod::Deflated)
}

/// A zip of `entries` (name, content), stored (not compressed).
pub fn stored_zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    zip_with(entries, CompressionMethod::Stored)
}

fn zip_with(entries: &[(&str, &[u8])], method: CompressionMethod) -> Vec<u8> {
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(method).large_file(false);
    for (name, data) in entries {
        w.start_file(*name, opts).expect("zip entry");
        w.write_all(data).expect("zip data");
    }
    w.finish().expect("zip").into_inner()
}

/// `zip` with every entry marked encrypted (general-purpose flag bit 0, in
/// the local and the central headers): what a reader sees of a
/// password-protected zip.
pub fn mark_encrypted(mut zip: Vec<u8>) -> Vec<u8> {
    let mut i = 0;
    while i + 10 <= zip.len() {
        let flag_at = match &zip[i..i + 4] {
            b"PK\x03\x04" => Some(i + 6),
            b"PK\x01\x02" => Some(i + 8),
            _ => None,
        };
        if let Some(at) = flag_at {
            zip[at] |= 1;
        }
        i += 1;
    }
    zip
}

/// A ustar archive of `entries` (name, content), the names written as
/// given (`../x` included, which the `tar` crate's builder refuses).
pub fn tar_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in entries {
        let mut h = tar::Header::new_ustar();
        let raw = name.as_bytes();
        h.as_ustar_mut().expect("ustar").name[..raw.len()].copy_from_slice(raw);
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        h.set_cksum();
        b.append(&h, *data).expect("tar entry");
    }
    b.into_inner().expect("tar")
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

pub fn bzip2(data: &[u8]) -> Vec<u8> {
    let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

pub fn xz(data: &[u8]) -> Vec<u8> {
    let mut e = lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(6)).unwrap();
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

pub fn zstd(data: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
}

/// `text` in UTF-16 little-endian, with a byte-order mark when `bom`.
pub fn utf16le(text: &str, bom: bool) -> Vec<u8> {
    let mark: &[u8] = if bom { &[0xFF, 0xFE] } else { &[] };
    [mark, &text.encode_utf16().flat_map(u16::to_le_bytes).collect::<Vec<u8>>()].concat()
}

/// `text` in UTF-16 big-endian, with a byte-order mark when `bom`.
pub fn utf16be(text: &str, bom: bool) -> Vec<u8> {
    let mark: &[u8] = if bom { &[0xFE, 0xFF] } else { &[] };
    [mark, &text.encode_utf16().flat_map(u16::to_be_bytes).collect::<Vec<u8>>()].concat()
}
