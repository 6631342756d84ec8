//! Leaf helpers with no imports from the rest of the crate: units, time,
//! paths, URIs and terminal-safe display of untrusted text.

pub mod paths;
pub mod text;
pub mod time;
pub mod units;
pub mod uri;
