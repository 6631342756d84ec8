//! keyhound finds leaked credentials — above all OpenAI-style `sk-` API keys
//! — in files, git history and staged changes.
//!
//! Data flows one way: `source` → `engine` → `finding` → `suppress` →
//! `report`, wired together by `pipeline`; `verify` (only with `--verify`)
//! checks the findings kept with their providers before they are reported.
//! `cli` parses arguments and `config` validates them before any work
//! starts.

pub mod ci;
pub mod cli;
pub mod config;
pub mod engine;
pub mod finding;
pub mod hook;
pub mod openai;
pub mod pipeline;
pub mod precommit;
pub mod report;
pub mod rules;
pub mod source;
pub mod suppress;
pub mod uri;
pub mod verify;
