//! The byte budget of one top-level file, and the reader that spends it:
//! [`Metered`] counts what a decompressor produces and fails the read once
//! the file's total or the stream's ratio is exceeded, recording which
//! ([`Budget::take_cap`]) so the caller can say so after whatever error the
//! archive reader wraps it in. Must not know about archive formats.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

use super::{MAX_RATIO, RATIO_FLOOR};

/// Which limit stopped a read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cap {
    /// The top-level file's total.
    Total,
    /// One stream's or member's compression ratio.
    Ratio,
}

/// Uncompressed bytes one top-level file may still produce.
#[derive(Debug)]
pub struct Budget {
    allowed: u64,
    used: Cell<u64>,
    cap: Cell<Option<Cap>>,
}

impl Budget {
    pub fn new(allowed: u64) -> Budget {
        Budget { allowed, used: Cell::new(0), cap: Cell::new(None) }
    }

    pub fn allowed(&self) -> u64 {
        self.allowed
    }

    /// Whether the total was spent: nothing more may be read.
    pub fn spent(&self) -> bool {
        self.used.get() > self.allowed
    }

    /// The limit that stopped the last failed read, if one did (once: it is
    /// cleared, except the total, which stays spent).
    pub fn take_cap(&self) -> Option<Cap> {
        self.cap.take().or(self.spent().then_some(Cap::Total))
    }

    /// Counts bytes read without decompressing (a stored member, a tar):
    /// they spend the total only.
    pub fn plain<R: Read>(self: &Rc<Self>, inner: R) -> Metered<R> {
        Metered { inner, budget: Rc::clone(self), compressed: None, out: 0 }
    }

    /// Counts what a decompressor reading `compressed` bytes produces.
    pub fn decompressed<R: Read>(self: &Rc<Self>, inner: R, compressed: u64) -> Metered<R> {
        Metered { inner, budget: Rc::clone(self), compressed: Some(compressed), out: 0 }
    }
}

/// A reader that spends a [`Budget`].
pub struct Metered<R> {
    inner: R,
    budget: Rc<Budget>,
    compressed: Option<u64>,
    out: u64,
}

impl<R: Read> Read for Metered<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.budget.spent() {
            return Err(self.stop(Cap::Total));
        }
        let n = self.inner.read(buf)?;
        self.out += n as u64;
        self.budget.used.set(self.budget.used.get() + n as u64);
        if self.budget.spent() {
            return Err(self.stop(Cap::Total));
        }
        if let Some(c) = self.compressed {
            if self.out > RATIO_FLOOR && self.out > c.saturating_mul(MAX_RATIO) {
                return Err(self.stop(Cap::Ratio));
            }
        }
        Ok(n)
    }
}

impl<R> Metered<R> {
    fn stop(&self, cap: Cap) -> io::Error {
        self.budget.cap.set(Some(cap));
        io::Error::other(match cap {
            Cap::Total => "uncompressed size limit",
            Cap::Ratio => "compression ratio limit",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_total_and_the_ratio_stop_reads() {
        let zeros = vec![0u8; 3 << 20];
        let budget = Rc::new(Budget::new(2 << 20));
        let mut out = Vec::new();
        assert!(budget.plain(&zeros[..]).read_to_end(&mut out).is_err());
        assert_eq!(budget.take_cap(), Some(Cap::Total));
        assert_eq!(budget.take_cap(), Some(Cap::Total), "a spent total stays spent");

        let budget = Rc::new(Budget::new(u64::MAX));
        let mut out = Vec::new();
        let err = budget.decompressed(&zeros[..], 1000).read_to_end(&mut out);
        assert!(err.is_err());
        assert_eq!(budget.take_cap(), Some(Cap::Ratio));
        assert_eq!(budget.take_cap(), None);
        assert!(out.len() as u64 <= RATIO_FLOOR + (64 << 10), "{}", out.len());
        // Within the ratio: read whole.
        let mut out = Vec::new();
        budget.decompressed(&zeros[..], 1 << 20).read_to_end(&mut out).unwrap();
        assert_eq!(out.len(), zeros.len());
    }
}
