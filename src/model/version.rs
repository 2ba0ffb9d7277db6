//! The model's version: which model produced a set of numbers.
//!
//! caasim's package version (`Cargo.toml`) names the program; the model
//! version names the model, the mechanisms and defaults behind every
//! number, which can change between two releases or stay the same across
//! several. It is written into every folder caasim makes (`manifest.json`,
//! `sweep.json`, `sensitivity.json`, `calibration.json`,
//! `validation.json`), shown on every page and in every table caption, and
//! is what a paper states next to the seed so that a reader can tell
//! whether a number can still be reproduced.
//!
//! Rule: bump [`MODEL_VERSION`] in the commit that changes the committed
//! reference results under `results/` (their tables' digest, recorded for
//! each model version in `CHANGELOG.md`, is checked by
//! `tests/model_version.rs`), and say in the CHANGELOG entry which model
//! change moved them.

/// The version of the model; see the module's documentation for when it
/// changes and `CHANGELOG.md` for what each version changed.
pub const MODEL_VERSION: u32 = 2;
