//! `history --state` files (`state`): arbitrary bytes as a state file's
//! content never panic the parser, and a file that parses, written back,
//! parses again and writes the same bytes.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    keyhound::state::fuzzing::round_trip(data);
});
