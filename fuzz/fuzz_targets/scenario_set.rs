//! Any `--set key.path=value` on the generic market: the loader returns a
//! model or located problems, and neither panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// The scenario every assignment is applied to.
const GENERIC: &str = include_str!("../../scenarios/generic-market.toml");

fuzz_target!(|assignments: Vec<String>| {
    if let Err(error) = caasim::scenario::load_text(GENERIC, "generic-market.toml", &assignments) {
        assert!(!error.to_string().is_empty());
    }
});
