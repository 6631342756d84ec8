//! `keyhound openai locate|revoke`: find a leaked OpenAI key in the
//! organization and revoke it. The key comes from standard input or from a
//! finding's fingerprint (scanning again what was scanned).

use std::io::{self, Write};

use anyhow::Result;

use super::{open_output, scan::walk_options, scan_engine};
use crate::config::Config;
use crate::openai::{self, KeySource, OpenAiTask};
use crate::report::Format;

pub(super) fn run(config: &Config, task: &OpenAiTask) -> Result<u8> {
    if let Some(o) = &task.base_override {
        eprintln!("keyhound: warning: OpenAI admin requests go to {} ({})", o.url, o.var);
    }
    let (leaked, stdin_used) = match &task.source {
        KeySource::Stdin => (openai::read_key(io::stdin().lock())?, true),
        source => {
            let engine = scan_engine(config)?;
            (openai::key_of_finding(engine, source, &walk_options(config))?, false)
        }
    };
    let mut out = open_output(config)?;
    let code = openai::run(task, &leaked, stdin_used, &mut out, config.report.format == Format::Json)?;
    out.flush()?;
    Ok(code)
}
