//! Leaf helpers with no imports from the rest of the crate: units, time,
//! paths, URIs, terminal-safe display of untrusted text and the binary
//! encoding of keyhound's own state files, and writing a file atomically.

pub mod atomic_file;
pub mod binary;
pub mod paths;
pub mod text;
pub mod time;
pub mod units;
pub mod uri;
