//! The committed reference results carry the code's model version, and the
//! model version is bumped whenever they change: `CHANGELOG.md` records, for
//! the current model version, the digest of every table under `results/`,
//! so regenerated results that differ from the committed ones under an
//! unchanged model version fail here.

mod common;

use caasim::experiment::design::fnv1a;
use caasim::model::MODEL_VERSION;
use common::repo_path;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// What to do when a check fails.
const HOW: &str = "when the committed results change, bump MODEL_VERSION in \
     src/model/version.rs, regenerate every folder with scripts/regenerate-results.sh \
     and add a CHANGELOG.md entry `## Model version N` with the reference digest \
     this test prints and the model change that moved the results";

/// The file in each kind of folder that records its model version.
const IDENTITIES: [&str; 6] = [
    "manifest.json",
    "sweep.json",
    "sensitivity.json",
    "calibration.json",
    "validation.json",
    "coalition.json",
];

/// Every file under `dir` (recursively), sorted by path.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(next) = stack.pop() {
        for entry in std::fs::read_dir(&next).expect("a readable folder") {
            let path = entry.expect("a readable entry").path();
            match path.is_dir() {
                true => stack.push(path),
                false => files.push(path),
            }
        }
    }
    files.sort();
    files
}

/// The model version a folder's identity file records.
fn recorded_version(path: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(path).expect("a readable identity file");
    let json: Value = serde_json::from_str(&text).expect("valid JSON");
    let version = json
        .get("model_version")
        .or_else(|| json.pointer("/inputs/model_version"));
    version.and_then(Value::as_u64)
}

#[test]
fn every_committed_folder_records_the_code_s_model_version() {
    let identities: Vec<PathBuf> = files_under(&repo_path("results"))
        .into_iter()
        .filter(|p| IDENTITIES.iter().any(|name| p.ends_with(name)))
        .collect();
    assert!(
        identities.len() >= 10,
        "only {} identity files under results/",
        identities.len()
    );
    for path in identities {
        assert_eq!(
            recorded_version(&path),
            Some(u64::from(MODEL_VERSION)),
            "{} records another model version than the code's {MODEL_VERSION}: {HOW}",
            path.display()
        );
    }
}

/// FNV-1a of every CSV table under `results/`, each with its path: the
/// numbers, not the pages, plots or run times.
fn reference_digest() -> String {
    let root = repo_path("results");
    let mut bytes = Vec::new();
    for path in files_under(&root) {
        if path.extension().is_some_and(|e| e == "csv") {
            let relative = path.strip_prefix(&root).expect("under results/");
            bytes.extend_from_slice(relative.to_string_lossy().as_bytes());
            bytes.push(0);
            bytes.extend(std::fs::read(&path).expect("a readable table"));
            bytes.push(0);
        }
    }
    format!("{:016x}", fnv1a(&bytes))
}

/// Every model version CHANGELOG.md has an entry for, with its digest.
fn changelog_entries() -> Vec<(u32, Option<String>)> {
    let text = std::fs::read_to_string(repo_path("CHANGELOG.md")).expect("CHANGELOG.md");
    (text.split("\n## "))
        .filter_map(|s| s.strip_prefix("Model version "))
        .filter_map(|s| s.split_whitespace().next()?.parse().ok())
        .map(|version| (version, changelog_digest(version)))
        .collect()
}

/// The digest that `CHANGELOG.md` records under `## Model version N`.
fn changelog_digest(version: u32) -> Option<String> {
    let text = std::fs::read_to_string(repo_path("CHANGELOG.md")).expect("CHANGELOG.md");
    let heading = format!("Model version {version} ");
    let section = text.split("\n## ").find(|s| s.starts_with(&heading))?;
    let line = section
        .lines()
        .find(|l| l.starts_with("Reference results digest:"))?;
    Some(line.split('`').nth(1)?.to_string())
}

/// Every model version up to the code's has its entry, each with a digest
/// of its own: a version whose results did not move needs no bump, so two
/// versions with one digest mean a bump without a change, and a missing
/// entry a change without its record.
#[test]
fn the_changelog_has_an_entry_with_its_own_digest_for_every_model_version() {
    let entries = changelog_entries();
    let versions: Vec<u32> = entries.iter().map(|(v, _)| *v).collect();
    let expected: Vec<u32> = (1..=MODEL_VERSION).rev().collect();
    assert_eq!(
        versions, expected,
        "CHANGELOG.md's model version entries, newest first"
    );
    let mut digests: Vec<&str> = Vec::new();
    for (version, digest) in &entries {
        let digest = digest
            .as_deref()
            .unwrap_or_else(|| panic!("model version {version} records no digest"));
        assert!(
            !digests.contains(&digest),
            "model version {version} records the digest {digest} of another version"
        );
        digests.push(digest);
    }
}

#[test]
fn the_changelog_records_the_digest_of_the_committed_results() {
    let digest = reference_digest();
    let recorded = changelog_digest(MODEL_VERSION);
    assert_eq!(
        recorded.as_deref(),
        Some(digest.as_str()),
        "CHANGELOG.md's entry for model version {MODEL_VERSION} does not record the digest \
         {digest} of the committed results: {HOW}"
    );
}
