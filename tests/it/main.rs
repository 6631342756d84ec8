//! keyhound's integration tests: one test binary (one link of the crate and
//! its dependencies) with a module per command or area, all sharing the
//! harness in `harness/`. Every test runs the built `keyhound` binary.

mod harness;

mod action;
mod archives;
mod ci;
mod ci_action;
mod ci_trust;
mod completeness;
mod confidence;
mod contexts;
mod decode;
mod deploy;
mod dist;
mod fleet;
mod generic;
mod history;
mod html;
mod openai;
mod precommit;
mod project;
mod rules;
mod sarif;
mod scan;
mod staged;
mod suppress;
mod verify;
