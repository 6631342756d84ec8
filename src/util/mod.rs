//! Leaf helpers with no imports from the rest of the crate: units, time, paths and URIs.

pub mod time;
