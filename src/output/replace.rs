//! Replacing the folder of an earlier run: one line saying what is
//! replaced, and the protection of committed reference folders.
//!
//! A **reference folder** is one whose `manifest.json` is tracked by git
//! (`git ls-files --error-unmatch manifest.json`, run in the folder): results
//! a repository publishes. A run may replace one only when it runs the same
//! thing as the run that wrote it (the same resolved scenario, posterior and
//! kept tables, as its manifest records them), or with `--force`. Without
//! git, or outside a repository, no folder is a reference folder.

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Result, bail};
use serde_json::Value;

use super::folder::{MANIFEST, MARKER};
use super::manifest;
use crate::model::Model;

/// What a run's results depend on besides the code: compared with the
/// manifest of the folder it would replace.
#[derive(Debug, Clone, PartialEq)]
pub struct RunIdentity {
    /// The resolved scenario, as the manifest records it.
    resolved_scenario: Value,
    /// The posterior folder the ensemble draws from, if any.
    posterior: Option<String>,
    /// Whether the per-replication tables are written (not `--summary-only`).
    records: bool,
}

impl RunIdentity {
    /// The identity of a run of `model`, writing the per-replication tables
    /// when `records`.
    pub fn of(model: &Model, records: bool) -> Self {
        RunIdentity {
            resolved_scenario: manifest::resolved_scenario(model),
            posterior: model.posterior.as_ref().map(|p| p.folder.clone()),
            records,
        }
    }

    /// The identity recorded in a manifest.
    fn of_manifest(manifest: &Value) -> Self {
        let posterior = &manifest["parameters"]["posterior"]["folder"];
        let files = manifest["files"].as_array().cloned().unwrap_or_default();
        RunIdentity {
            resolved_scenario: manifest["resolved_scenario"].clone(),
            posterior: posterior.as_str().map(str::to_string),
            records: files.iter().any(|f| f["path"] == "timeseries.csv"),
        }
    }

    /// What differs from `earlier`, in words; `None` when nothing does.
    fn difference(&self, earlier: &RunIdentity) -> Option<String> {
        if let Some(at) = first_difference(&self.resolved_scenario, &earlier.resolved_scenario) {
            return Some(format!("the resolved scenario differs at {at}"));
        }
        if self.posterior != earlier.posterior {
            return Some("the posterior it draws from differs".into());
        }
        (self.records != earlier.records)
            .then(|| "one of them keeps only the summary (--summary-only)".into())
    }
}

/// Check that `dir` may be replaced by the run `run`: the line to print
/// about what is replaced (`None` when there is nothing to replace), or an
/// error when `dir` is a reference folder of another run and `force` is not
/// given.
pub fn check(dir: &Path, run: &RunIdentity, force: bool) -> Result<Option<String>> {
    let Some(earlier) = read_manifest(dir) else {
        let unfinished = dir.join(MARKER).is_file();
        return Ok(unfinished.then(|| {
            format!(
                "replacing {} (an unfinished run: it has no {MANIFEST})",
                dir.display()
            )
        }));
    };
    if !force
        && is_reference(dir)
        && let Some(why) = run.difference(&RunIdentity::of_manifest(&earlier))
    {
        bail!(
            "{} is a committed reference folder (its {MANIFEST} is tracked by git) and this run is not the one that wrote it: {why}; choose another --out (without --out, a run that changes the scenario on the command line writes to results/<scenario name>+<hash>), or pass --force to replace it",
            dir.display()
        );
    }
    let text = |key: &str| {
        earlier[key]
            .as_str()
            .unwrap_or("an unknown time")
            .to_string()
    };
    Ok(Some(format!(
        "replacing {} (written {} from {})",
        dir.display(),
        text("finished_at"),
        earlier["scenario_file"]
            .as_str()
            .unwrap_or("an unknown scenario")
    )))
}

/// The manifest of a complete caasim run in `dir`, if there is one.
fn read_manifest(dir: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(dir.join(MANIFEST)).ok()?;
    let manifest: Value = serde_json::from_str(&text).ok()?;
    (manifest["tool"] == "caasim").then_some(manifest)
}

/// Whether `dir`'s `manifest.json` is tracked by git (false without git or
/// outside a repository).
pub fn is_reference(dir: &Path) -> bool {
    Command::new("git")
        .args(["ls-files", "--error-unmatch", MANIFEST])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// The first key path where `a` and `b` differ, with both values.
fn first_difference(a: &Value, b: &Value) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys = x.keys().chain(y.keys().filter(|k| !x.contains_key(*k)));
            keys.into_iter().find_map(|k| {
                let p = x.get(k).unwrap_or(&Value::Null);
                let q = y.get(k).unwrap_or(&Value::Null);
                first_difference(p, q).map(|inner| join(k, &inner))
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            (x.iter().zip(y)).enumerate().find_map(|(i, (p, q))| {
                first_difference(p, q).map(|inner| join(&i.to_string(), &inner))
            })
        }
        (Value::Array(x), Value::Array(y)) => {
            Some(format!(": {} before, {} now", entries(y), entries(x)))
        }
        _ if a == b => None,
        _ => Some(format!(": {} before, {} now", short(b), short(a))),
    }
}

/// The entries of a list: their names when they have one (arms,
/// providers), else how many there are.
fn entries(list: &[Value]) -> String {
    let names: Option<Vec<&str>> = list.iter().map(|v| v["name"].as_str()).collect();
    match names {
        Some(names) if !names.is_empty() => names.join(", "),
        _ => format!("{} entries", list.len()),
    }
}

/// A value as JSON, cut to a few dozen characters.
fn short(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(60) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text,
    }
}

/// `key` before the rest of a path found by [`first_difference`].
fn join(key: &str, inner: &str) -> String {
    match inner.starts_with(':') {
        true => format!("{key}{inner}"),
        false => format!("{key}.{inner}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_first_difference_is_named_by_its_path() {
        let before = json!({"scenario": {"seed": 1, "days": 30}, "arms": [{"name": "a"}]});
        let now = json!({"scenario": {"seed": 1, "days": 60}, "arms": [{"name": "a"}]});
        assert_eq!(
            first_difference(&now, &before).as_deref(),
            Some("scenario.days: 30 before, 60 now")
        );
        assert_eq!(first_difference(&before, &before), None);
        let more =
            json!({"scenario": {"seed": 1, "days": 30}, "arms": [{"name": "a"}, {"name": "b"}]});
        assert_eq!(
            first_difference(&more, &before).as_deref(),
            Some("arms: a before, a, b now")
        );
    }

    #[test]
    fn a_folder_outside_a_repository_is_no_reference() {
        let tmp = tempfile::tempdir().unwrap();
        assert!(!is_reference(tmp.path()));
    }
}
