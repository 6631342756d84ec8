//! Baseline files (`suppress::baseline::Baseline`): `parse` and
//! `parse_text` on arbitrary text never panic, and a baseline that parses,
//! written back with `to_json`, parses again to the same entries.

#![no_main]

use keyhound::suppress::baseline::Baseline;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(b) = Baseline::parse("fuzz.json", text) {
        let again = Baseline::parse("again.json", &b.to_json()).expect("a written baseline parses");
        assert_eq!(again, b);
    }
    if let Ok(b) = Baseline::parse_text("fuzz.json", text) {
        let written = b.to_json();
        let again = Baseline::parse_text("again.json", &written).expect("a written baseline parses");
        assert_eq!(again, b);
        assert_eq!(again.to_json(), written, "writing is deterministic");
    }
});
