//! Writing a file whole or not at all: the bytes go to a new temporary file
//! in the same directory (created exclusively, never through an existing
//! name or a symbolic link), are flushed to disk, and the temporary file is
//! renamed over the target. A reader — or a crash, or a full disk — sees
//! the old file or the new one, never half of one; and since `rename`
//! replaces the name itself, a symbolic link at the target is replaced,
//! not followed.
//!
//! Must not decide which paths may be written (callers check that, e.g.
//! CI's refusal of symbolic links inside the workspace).

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Writes `path` through `write`, atomically (see the module doc). The
/// directory must exist. On any error the temporary file is removed and
/// `path` is untouched.
pub fn write_atomically(path: &Path, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?;
    let (tmp, file) = create_temp(&dir, &name.to_string_lossy())?;
    let result = (|| {
        let mut w = BufWriter::new(file);
        write(&mut w)?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// A new file `.NAME.PID.N.tmp` in `dir`, created exclusively (an existing
/// file or link of that name is never opened).
fn create_temp(dir: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    let pid = std::process::id();
    for n in 0..100u32 {
        let tmp = dir.join(format!(".{name}.{pid}.{n}.tmp"));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(io::ErrorKind::AlreadyExists, "no free temporary file name"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_files_and_replaces_links_instead_of_following_them() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.txt");
        write_atomically(&target, |w| w.write_all(b"one")).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"one");
        // A failed write leaves the old content and no temporary file.
        let err = write_atomically(&target, |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        });
        assert!(err.is_err());
        assert_eq!(std::fs::read(&target).unwrap(), b"one");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        #[cfg(unix)]
        {
            let elsewhere = dir.path().join("elsewhere.txt");
            std::fs::write(&elsewhere, b"precious").unwrap();
            let link = dir.path().join("link.txt");
            std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
            write_atomically(&link, |w| w.write_all(b"report")).unwrap();
            assert_eq!(std::fs::read(&elsewhere).unwrap(), b"precious");
            assert!(!std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
            assert_eq!(std::fs::read(&link).unwrap(), b"report");
        }
    }
}
