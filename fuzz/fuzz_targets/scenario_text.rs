//! Any text given as a scenario file: the loader returns a model or located
//! problems, and neither the loading nor the rendering of the problems
//! panics. Seed corpus: `scenarios/` and `tests/bad-scenarios/`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Err(error) = caasim::scenario::load_text(text, "fuzz.toml", &[]) {
        assert!(!error.to_string().is_empty());
    }
});
