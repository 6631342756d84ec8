//! keyhound finds leaked credentials — above all OpenAI-style `sk-` API keys
//! — in files, git history, staged changes and pull requests.
//!
//! Data flows one way: a `source` yields bytes and where they came from, the
//! `engine` finds matches in them, `finding` places each match in its text,
//! and `pipeline` wires those together in parallel and returns a
//! `model::Outcome`; a command (`cmd`) then finishes the run the one way every
//! command shares: `suppress` → `verify` (only with `--verify`) → `report` →
//! exit code. `cli` parses arguments and `config` validates them before any
//! work starts.
//!
//! # Layers
//!
//! Modules are layers: each may import only the modules listed beside it
//! (and external crates). The table is the architecture; the test at the end
//! of this file reads it and fails on any `crate::` import that goes against
//! it, naming the file and the import.
//!
//! ```text
//! layer         may import
//! util          -
//! rules         util
//! model         rules util
//! engine        rules util
//! finding       engine model rules util
//! source        util
//! suppress      model rules util
//! net           util
//! verify        net model rules util
//! forge         net util
//! fleet         util
//! state         source util
//! pipeline      state finding engine source model rules util
//! report        model rules util
//! ci            report source model rules util
//! hook          util
//! precommit     -
//! openai        pipeline finding engine source net verify model rules util
//! repo_config   suppress model rules util
//! cli           -
//! config        cli forge fleet ci hook precommit openai repo_config report suppress verify net source model rules util
//! cmd           config ci hook precommit openai repo_config report pipeline state forge fleet suppress verify net source finding engine model rules util
//! ```

pub mod ci;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod engine;
pub mod finding;
pub mod fleet;
pub mod forge;
pub mod hook;
pub mod model;
pub mod net;
pub mod openai;
pub mod pipeline;
pub mod precommit;
pub mod repo_config;
pub mod report;
pub mod rules;
pub mod source;
pub mod state;
pub mod suppress;
pub mod util;
pub mod verify;

#[cfg(test)]
mod layering;
