//! Hidden: the state file's parser, exposed to the fuzz target
//! (`fuzz/fuzz_targets/state.rs`). Not an API.

use sha2::{Digest, Sha256};

use super::{decode, encode, Decoded};

/// Parses `body` as a state file's content (the checksum it needs is
/// appended, so the parser itself is reached): never panics; a body that
/// parses, written again and parsed again, writes the same bytes.
pub fn round_trip(body: &[u8]) {
    let mut bytes = body.to_vec();
    bytes.extend_from_slice(&Sha256::digest(body));
    let Ok(Decoded::State { identity, state }) = decode(&bytes) else { return };
    let written = encode(&identity, &state);
    match decode(&written) {
        Ok(Decoded::State { identity: again, state: back }) => {
            assert_eq!(again, identity);
            assert_eq!(encode(&again, &back), written, "writing is deterministic");
        }
        _ => panic!("a written state file does not parse"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_cut_of_a_state_file_parses_or_fails_cleanly() {
        let mut blobs = super::super::BlobMemory::default();
        blobs.insert(git2::Oid::from_bytes(&[7; 20]).unwrap(), super::super::BlobMemo::Clean);
        let state = super::super::RepoState { fingerprint: "f".into(), blobs, walk: None };
        let bytes = super::encode("/r", &state);
        let body = &bytes[..bytes.len() - 32];
        for cut in 0..=body.len() {
            super::round_trip(&body[..cut]);
        }
    }
}
