//! What a history scan remembers of each blob it read (`--state`): blobs
//! that gave nothing to report (no match, no problem, or skipped as binary
//! or too large), and for blobs whose text matched, each match's rule,
//! byte positions, the SHA-256 of the matched bytes and the confidence the
//! detector gave the match, if it graded it — never the secret.
//! A blob remembered in neither way (a container with findings, a secret
//! found only after decoding, a blob with problems or that could not be
//! read) is simply read and scanned again next time.
//!
//! Must not read blobs or match (the pipeline does, with these facts).

use git2::Oid;
use sha2::{Digest, Sha256};

use crate::source::git::{OidMap, OidSet};
use crate::util::binary::{DecodeError, Decoder, Encoder};

/// One match in a blob's text, as remembered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMatch {
    pub rule_id: String,
    pub start: u64,
    pub end: u64,
    /// SHA-256 of the matched bytes (`text[start..end]`).
    pub sha256: [u8; 32],
    /// The name of the confidence the detector gave this match (`low`),
    /// when it grades each match; `None`: the rule's applies. Kept as a
    /// name: what it means is the rules' business, not the state's.
    pub confidence: Option<String>,
}

impl StoredMatch {
    /// The remembered form of a match of `rule_id` at `start..end` of
    /// `text`, graded `confidence` by its detector (if it was).
    pub fn new(rule_id: &str, text: &[u8], start: usize, end: usize, confidence: Option<&str>) -> StoredMatch {
        StoredMatch {
            rule_id: rule_id.to_string(),
            start: start as u64,
            end: end as u64,
            sha256: digest(&text[start..end]),
            confidence: confidence.filter(|c| !c.is_empty()).map(str::to_string),
        }
    }

    /// Whether `text` still holds the same bytes at the same place.
    pub fn holds(&self, text: &[u8]) -> bool {
        let (start, end) = (self.start as usize, self.end as usize);
        start <= end && end <= text.len() && digest(&text[start..end]) == self.sha256
    }
}

fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// What is remembered of one blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobMemo {
    /// Nothing to report in it.
    Clean,
    /// Its text matched, here (in the engine's order).
    Matched(Vec<StoredMatch>),
}

/// The blobs of one repository read so far, under one rule-set fingerprint.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlobMemory {
    clean: OidSet,
    matched: OidMap<Vec<StoredMatch>>,
}

impl BlobMemory {
    pub fn get(&self, oid: &Oid) -> Option<BlobMemo> {
        if self.clean.contains(oid) {
            Some(BlobMemo::Clean)
        } else {
            self.matched.get(oid).map(|m| BlobMemo::Matched(m.clone()))
        }
    }

    pub fn is_clean(&self, oid: &Oid) -> bool {
        self.clean.contains(oid)
    }

    pub fn matches(&self, oid: &Oid) -> Option<&[StoredMatch]> {
        self.matched.get(oid).map(Vec::as_slice)
    }

    pub fn insert(&mut self, oid: Oid, memo: BlobMemo) {
        match memo {
            BlobMemo::Clean => {
                self.matched.remove(&oid);
                self.clean.insert(oid);
            }
            BlobMemo::Matched(m) => {
                self.clean.remove(&oid);
                self.matched.insert(oid, m);
            }
        }
    }

    /// Blobs remembered: (clean, matched).
    pub fn len(&self) -> (usize, usize) {
        (self.clean.len(), self.matched.len())
    }

    pub fn is_empty(&self) -> bool {
        self.clean.is_empty() && self.matched.is_empty()
    }

    pub(super) fn encode(&self, w: &mut Encoder) {
        let mut clean: Vec<&Oid> = self.clean.iter().collect();
        clean.sort();
        w.u32(clean.len() as u32);
        for oid in clean {
            w.fixed(oid.as_bytes());
        }
        let mut matched: Vec<(&Oid, &Vec<StoredMatch>)> = self.matched.iter().collect();
        matched.sort_by_key(|(oid, _)| **oid);
        w.u32(matched.len() as u32);
        for (oid, list) in matched {
            w.fixed(oid.as_bytes());
            w.u32(list.len() as u32);
            for m in list {
                w.bytes(m.rule_id.as_bytes());
                w.u64(m.start);
                w.u64(m.end);
                w.fixed(&m.sha256);
                w.bytes(m.confidence.as_deref().unwrap_or_default().as_bytes());
            }
        }
    }

    pub(super) fn decode(r: &mut Decoder<'_>) -> Result<BlobMemory, DecodeError> {
        let oid = |r: &mut Decoder<'_>| -> Result<Oid, DecodeError> {
            Oid::from_bytes(&r.array::<20>()?).map_err(|_| DecodeError("bad object id".to_string()))
        };
        let mut memory = BlobMemory::default();
        let n = r.count(20)?;
        memory.clean.reserve(n);
        for _ in 0..n {
            memory.clean.insert(oid(r)?);
        }
        let n = r.count(24)?;
        for _ in 0..n {
            let id = oid(r)?;
            // Each at least: two lengths, two positions, a hash.
            let k = r.count(56)?;
            let mut list = Vec::with_capacity(k);
            for _ in 0..k {
                let rule_id = r.string()?;
                let (start, end) = (r.u64()?, r.u64()?);
                let sha256 = r.array()?;
                let confidence = Some(r.string()?).filter(|c| !c.is_empty());
                list.push(StoredMatch { rule_id, start, end, sha256, confidence });
            }
            memory.matched.insert(id, list);
        }
        Ok(memory)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_without_the_secret() {
        let text = b"KEY=tok_k3j9x2m4q8w1\n";
        let m = StoredMatch::new("t-token", text, 4, 20, None);
        assert!(m.holds(text));
        assert!(!m.holds(b"KEY=tok_k3j9x2m4q8w2\n"));
        assert!(!m.holds(b"short"));
        let mut memory = BlobMemory::default();
        let (a, b) = (Oid::from_bytes(&[1; 20]).unwrap(), Oid::from_bytes(&[2; 20]).unwrap());
        memory.insert(a, BlobMemo::Clean);
        let graded = StoredMatch::new("t-generic", text, 4, 20, Some("low"));
        assert_eq!(graded.confidence.as_deref(), Some("low"));
        memory.insert(b, BlobMemo::Matched(vec![m, graded]));
        let mut w = Encoder::default();
        memory.encode(&mut w);
        assert!(!w.0.windows(16).any(|win| win == &text[4..20]), "the secret is not stored");
        let back = BlobMemory::decode(&mut Decoder::new(&w.0)).unwrap();
        assert_eq!(back, memory);
        assert_eq!(back.get(&a), Some(BlobMemo::Clean));
        let Some(BlobMemo::Matched(list)) = back.get(&b) else { panic!("{back:?}") };
        assert_eq!(list.iter().map(|m| m.confidence.as_deref()).collect::<Vec<_>>(), [None, Some("low")]);
    }
}
