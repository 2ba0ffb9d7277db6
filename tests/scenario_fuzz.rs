//! Property test of the scenario loader: the valid scenarios of
//! `scenarios/`, mutated at random (lines deleted or duplicated, numbers
//! replaced by negative, huge, NaN or infinite ones, values of another type,
//! keys renamed, the file truncated, random bytes inserted), never make the
//! loader panic: it either returns a valid model or an error that names the
//! file and locates every problem with what is allowed.
//!
//! The loader is called directly (not through the binary) for speed; the
//! seed is fixed so that every run tries the same cases. To explore more,
//! set `CAASIM_FUZZ_SEED` (any text) and `CAASIM_FUZZ_CASES`.

mod common;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use caasim::scenario::error::Place;
use common::repo_path;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// Cases tried.
const CASES: u32 = 4_000;
/// The seed of the case generator.
const SEED: [u8; 32] = *b"caasim scenario loader fuzz seed";

/// One change to a scenario file. Positions are taken modulo what exists.
#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(usize),
    DuplicateLine(usize),
    /// Replace the n-th number with this text.
    ChangeNumber(usize, String),
    /// Replace the n-th value with a value of another type.
    SwapType(usize, String),
    /// Rename the n-th key.
    RenameKey(usize, String),
    /// Keep only this many bytes.
    Truncate(usize),
    /// Insert bytes (any, not only UTF-8) at a position.
    InsertBytes(usize, Vec<u8>),
}

fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|x| format!("{x:?}")),
        (-1000i64..1000).prop_map(|n| n.to_string()),
        (-2.0f64..2.0).prop_map(|x| format!("{x}")),
        prop::sample::select(vec![
            "nan",
            "+nan",
            "-nan",
            "inf",
            "+inf",
            "-inf",
            "0",
            "-0",
            "-0.0",
            "-1",
            "1e308",
            "-1e308",
            "1e-320",
            "4294967295",
            "4294967296",
            "-4294967296",
            "9223372036854775807",
            "-9223372036854775808",
            "1_000_000",
            "0x7fffffff",
            "0o777",
            "0b1",
            "1e400",
        ])
        .prop_map(str::to_string),
    ]
}

fn other_type_text() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "\"text\"",
        "\"\"",
        "\"2026-01-14\"",
        "'literal'",
        "true",
        "false",
        "[]",
        "[1, 2, 3]",
        "[[1], [\"a\"]]",
        "{}",
        "{ a = 1 }",
        "{ dist = \"fixed\", value = 1 }",
        "{ provider = \"RedVDS\" }",
        "1979-05-27",
        "1979-05-27T07:32:00Z",
        "07:32:00",
        "\"\\u001b[31m\"",
    ])
    .prop_map(str::to_string)
}

fn key_text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "name",
            "days",
            "count",
            "kind",
            "dist",
            "start",
            "target",
            "scenario",
            "arms",
            "providers",
            "replications",
            "burn_in_days",
            "value",
            "low",
            "high",
            "every_days",
            "\"quoted key\"",
            "a.b.c",
            "x",
        ])
        .prop_map(str::to_string),
        "[a-z_]{1,12}",
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = any::<usize>();
    prop_oneof![
        1 => at.prop_map(Mutation::DeleteLine),
        1 => at.prop_map(Mutation::DuplicateLine),
        3 => (at, number_text()).prop_map(|(i, t)| Mutation::ChangeNumber(i, t)),
        2 => (at, other_type_text()).prop_map(|(i, t)| Mutation::SwapType(i, t)),
        2 => (at, key_text()).prop_map(|(i, t)| Mutation::RenameKey(i, t)),
        1 => at.prop_map(Mutation::Truncate),
        1 => (at, prop::collection::vec(any::<u8>(), 1..12))
            .prop_map(|(i, b)| Mutation::InsertBytes(i, b)),
    ]
}

/// Byte ranges of values (after `= `) in the text; numbers only if `numbers`.
fn values(text: &str, numbers: bool) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(eq) = text[i..].find("= ") {
        let start = i + eq + 2;
        let end = text[start..]
            .find([',', '}', ']', '#', '\n', ' '])
            .map_or(text.len(), |e| start + e);
        if end > start {
            let first = bytes[start];
            let is_number = first.is_ascii_digit() || first == b'-' || first == b'+';
            if !numbers || is_number {
                found.push((start, end));
            }
        }
        i = start;
    }
    found
}

/// Byte ranges of keys (a bare word before ` =`).
fn keys(text: &str) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(eq) = text[i..].find(" =") {
        let end = i + eq;
        let start = text[..end]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .map_or(0, |s| s + 1);
        if end > start {
            found.push((start, end));
        }
        i = end + 2;
    }
    found
}

fn replace(bytes: &[u8], (start, end): (usize, usize), with: &str) -> Vec<u8> {
    let mut out = bytes[..start].to_vec();
    out.extend_from_slice(with.as_bytes());
    out.extend_from_slice(&bytes[end..]);
    out
}

/// Apply one mutation (on text when the bytes are still UTF-8).
fn apply(bytes: Vec<u8>, mutation: &Mutation) -> Vec<u8> {
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let pick = |ranges: Vec<(usize, usize)>, i: usize| {
        (!ranges.is_empty() && text.as_bytes() == bytes.as_slice())
            .then(|| ranges[i % ranges.len()])
    };
    match mutation {
        Mutation::DeleteLine(i) | Mutation::DuplicateLine(i) => {
            let mut lines: Vec<&[u8]> = bytes.split_inclusive(|&b| b == b'\n').collect();
            if lines.is_empty() {
                return bytes;
            }
            let at = i % lines.len();
            if matches!(mutation, Mutation::DeleteLine(_)) {
                lines.remove(at);
            } else {
                lines.insert(at, lines[at]);
            }
            lines.concat()
        }
        Mutation::ChangeNumber(i, with) => match pick(values(&text, true), *i) {
            Some(range) => replace(&bytes, range, with),
            None => bytes,
        },
        Mutation::SwapType(i, with) => match pick(values(&text, false), *i) {
            Some(range) => replace(&bytes, range, with),
            None => bytes,
        },
        Mutation::RenameKey(i, with) => match pick(keys(&text), *i) {
            Some(range) => replace(&bytes, range, with),
            None => bytes,
        },
        Mutation::Truncate(i) => bytes[..i % (bytes.len() + 1)].to_vec(),
        Mutation::InsertBytes(i, inserted) => {
            let at = i % (bytes.len() + 1);
            let mut out = bytes[..at].to_vec();
            out.extend_from_slice(inserted);
            out.extend_from_slice(&bytes[at..]);
            out
        }
    }
}

/// The line of the first key or table header (comments come before it).
fn first_key_line(bytes: &[u8]) -> usize {
    String::from_utf8_lossy(bytes)
        .lines()
        .position(|l| {
            let l = l.trim_start();
            l.starts_with('[') || (l.contains('=') && !l.starts_with('#'))
        })
        .map_or(usize::MAX, |p| p + 1)
}

/// The scenarios of `scenarios/` that load (the folder also holds a
/// calibration targets file, which is not a scenario).
fn valid_scenarios() -> Vec<(String, Vec<u8>)> {
    let mut found: Vec<(String, Vec<u8>)> = std::fs::read_dir(repo_path("scenarios"))
        .expect("the scenarios folder")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .filter(|p| caasim::scenario::load_file(p, &[]).is_ok())
        .map(|p| {
            let name = p
                .file_name()
                .expect("a name")
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read(&p).expect("readable"))
        })
        .collect();
    found.sort();
    found
}

#[test]
fn mutated_scenarios_never_panic_the_loader() {
    let scenarios = valid_scenarios();
    assert!(
        scenarios.len() >= 3,
        "expected the valid scenarios of scenarios/, found {}",
        scenarios.len()
    );
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let file = tmp.path().join("mutated-scenario.toml");
    let shown = file.display().to_string();
    let (ran, loaded, refused) = (
        AtomicUsize::new(0),
        AtomicUsize::new(0),
        AtomicUsize::new(0),
    );
    let cases = std::env::var("CAASIM_FUZZ_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(CASES);
    let mut seed = SEED;
    if let Ok(text) = std::env::var("CAASIM_FUZZ_SEED") {
        for (i, b) in text.bytes().enumerate() {
            seed[i % 32] ^= b.rotate_left(i as u32 / 32);
        }
    }
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
    let strategy = (0..scenarios.len(), prop::collection::vec(mutation(), 1..4));
    let result = runner.run(&strategy, |(which, mutations)| {
        ran.fetch_add(1, Ordering::Relaxed);
        let (name, original) = &scenarios[which];
        let bytes = mutations.iter().fold(original.clone(), apply);
        std::fs::write(&file, &bytes).expect("write the mutated scenario");
        match caasim::scenario::load_file(Path::new(&file), &[]) {
            Ok(model) => {
                loaded.fetch_add(1, Ordering::Relaxed);
                prop_assert!(!model.arms.is_empty() && model.arms[0].name == "baseline");
                prop_assert!(model.days >= 1 && model.replications >= 1);
                prop_assert!(!model.providers.is_empty() && !model.segments.is_empty());
            }
            Err(error) => {
                refused.fetch_add(1, Ordering::Relaxed);
                let message = error.to_string();
                prop_assert!(
                    message.contains(&shown),
                    "{name} {mutations:?}: the message does not name the file:\n{message}"
                );
                prop_assert!(!error.problems.is_empty());
                for problem in &error.problems {
                    prop_assert!(
                        problem.message.contains("allowed"),
                        "{name} {mutations:?}: a problem does not say what is allowed:\n{message}"
                    );
                    let located = match problem.place {
                        Place::Line { line, .. } => line >= 1,
                        Place::File => problem.message.contains("binary"),
                        Place::Flag => false,
                    };
                    prop_assert!(
                        located,
                        "{name} {mutations:?}: a problem is not located at a line:\n{message}"
                    );
                    // Only text before the first key or table belongs to no key.
                    let keyless = match problem.place {
                        Place::Line { line, .. } => line <= first_key_line(&bytes),
                        _ => true,
                    };
                    prop_assert!(
                        keyless || !problem.key.is_empty(),
                        "{name} {mutations:?}: a problem names no key:\n{message}"
                    );
                }
            }
        }
        Ok(())
    });
    let (ran, loaded, refused) = (ran.into_inner(), loaded.into_inner(), refused.into_inner());
    eprintln!(
        "scenario fuzz: {ran} cases ran ({loaded} loaded a valid model, {refused} were refused)"
    );
    if let Err(failure) = result {
        panic!("{failure}");
    }
    assert_eq!(ran, cases as usize, "every case ran");
    assert!(
        loaded > 0 && refused > 0,
        "the mutations should give both valid and invalid scenarios"
    );
}
