//! The rule-file loader (`RuleSet::add_toml`) and the `.keyhound.toml`
//! loader (`RepoConfig::parse`) on arbitrary text: errors are fine, panics
//! are not. First input byte: bit 0 picks the loader; bit 1 starts from the
//! shipped rules instead of an empty set (so duplicates and `disable` meet
//! real ids). A rule file that loads is compiled into an engine and scans
//! its own text, as a scan with `--rules` would.

#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use keyhound::engine::Engine;
use keyhound::repo_config::RepoConfig;
use keyhound::rules::RuleSet;
use libfuzzer_sys::fuzz_target;

fn shipped() -> &'static RuleSet {
    static SHIPPED: OnceLock<RuleSet> = OnceLock::new();
    SHIPPED.get_or_init(|| RuleSet::embedded().expect("embedded rules"))
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let mut rules = if mode & 2 != 0 { shipped().clone() } else { RuleSet::default() };
    let before = rules.len();
    if mode & 1 == 0 {
        if rules.add_toml("fuzz.toml", text).is_ok() && mode & 2 == 0 && rules.len() > before {
            if let Ok(engine) = Engine::new(&rules) {
                let _ = engine.scan(text.as_bytes());
            }
        }
    } else {
        let _ = RepoConfig::parse(".keyhound.toml", text, Path::new("/repo"), &mut rules);
    }
});
