//! Length-prefixed, little-endian encoding of keyhound's own binary files
//! (the `--state` directory): an [`Encoder`] that appends and a [`Decoder`]
//! that checks every length and count against what is left, so bytes from
//! a truncated or corrupt file are an error, never a panic or an
//! unbounded allocation.
//!
//! Must not know what the bytes mean (that is whoever encodes them) or
//! where they are stored.

/// Why bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DecodeError(pub String);

/// Appends values to a byte buffer.
#[derive(Debug, Default)]
pub struct Encoder(pub Vec<u8>);

impl Encoder {
    pub fn with_capacity(n: usize) -> Encoder {
        Encoder(Vec::with_capacity(n))
    }
    pub fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    pub fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    /// Bytes of a fixed size the reader knows (ids, hashes): no length.
    pub fn fixed(&mut self, b: &[u8]) {
        self.0.extend_from_slice(b);
    }
    /// Bytes with their length in front.
    pub fn bytes(&mut self, b: &[u8]) {
        self.u32(b.len() as u32);
        self.0.extend_from_slice(b);
    }
}

/// Reads values back, in the order they were encoded.
#[derive(Debug)]
pub struct Decoder<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Decoder<'a> {
    pub fn new(data: &'a [u8]) -> Decoder<'a> {
        Decoder { data, pos: 0 }
    }

    /// Whether every byte was read.
    pub fn is_done(&self) -> bool {
        self.pos == self.data.len()
    }

    pub fn fixed(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.data.len());
        let end = end.ok_or_else(|| DecodeError("truncated".to_string()))?;
        let s = &self.data[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        Ok(self.fixed(N)?.try_into().expect("N bytes"))
    }
    pub fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.fixed(1)?[0])
    }
    pub fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    pub fn u64(&mut self) -> Result<u64, DecodeError> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    /// A count of items at least `min_size` bytes each, checked against
    /// what is left (a corrupt count cannot allocate without bound).
    pub fn count(&mut self, min_size: usize) -> Result<usize, DecodeError> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min_size.max(1)) > self.data.len() - self.pos {
            return Err(DecodeError("a count larger than the data".to_string()));
        }
        Ok(n)
    }
    pub fn bytes(&mut self) -> Result<&'a [u8], DecodeError> {
        let n = self.count(1)?;
        self.fixed(n)
    }
    pub fn string(&mut self) -> Result<String, DecodeError> {
        String::from_utf8(self.bytes()?.to_vec()).map_err(|_| DecodeError("text that is not UTF-8".to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_truncation() {
        let mut e = Encoder::default();
        e.u8(7);
        e.u32(42);
        e.u64(1 << 40);
        e.bytes(b"name");
        e.fixed(&[1; 20]);
        let bytes = e.0;
        let mut d = Decoder::new(&bytes);
        assert_eq!(d.u8().unwrap(), 7);
        assert_eq!(d.u32().unwrap(), 42);
        assert_eq!(d.u64().unwrap(), 1 << 40);
        assert_eq!(d.string().unwrap(), "name");
        assert_eq!(d.array::<20>().unwrap(), [1; 20]);
        assert!(d.is_done());
        for cut in 0..bytes.len() {
            let mut d = Decoder::new(&bytes[..cut]);
            let all = (|| -> Result<(), DecodeError> {
                d.u8()?;
                d.u32()?;
                d.u64()?;
                d.string()?;
                d.array::<20>()?;
                Ok(())
            })();
            assert!(all.is_err(), "cut at {cut}");
        }
        let mut d = Decoder::new(&[0xff, 0xff, 0xff, 0xff, 0]);
        assert!(d.count(1).is_err());
    }
}
