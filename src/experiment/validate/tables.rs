//! The tables of a validation folder: each case's `<case>/predictions.csv`
//! (its targets, predicted), and, joined over every case predicted so
//! far, `validation.csv`, `coverage.csv` (how many intervals hold their
//! observation, fit and check apart) and `validation.json` (the suite:
//! cases, what happened, what the model lacks, the shared set and the
//! settings). A run of some cases (`--cases`) leaves the others' rows as
//! they were. Columns in docs/RESULTS.md.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde_json::{Value, json};

use super::{Case, Coverage, Prediction, Suite, coverage};
use crate::experiment::calibrate::{Bound, Role};
use crate::output::folder::write_atomic;
use crate::table::{num, opt};

/// What identifies a validation folder's kind.
pub const IDENTITY: &str = "validation.json";

/// Columns of `validation.csv`.
pub const PREDICTION_COLUMNS: [&str; 19] = [
    "case",
    "target",
    "role",
    "kind",
    "arm",
    "versus",
    "measure",
    "day",
    "bound",
    "observed",
    "sd",
    "simulated",
    "low",
    "high",
    "observable_low",
    "observable_high",
    "n",
    "z",
    "inside",
];

/// Columns of `coverage.csv`.
pub const COVERAGE_COLUMNS: [&str; 6] = [
    "role",
    "observation",
    "targets",
    "with_interval",
    "inside",
    "share",
];

/// The predictions of `case` in the validation folder `dir`.
pub fn case_file(dir: &Path, case: &Case) -> PathBuf {
    dir.join(&case.name).join("predictions.csv")
}

/// Write `case`'s predictions into `dir/<case>/predictions.csv`.
pub fn write_case(dir: &Path, case: &Case, rows: &[Prediction]) -> Result<()> {
    write_atomic(&case_file(dir, case), predictions_csv(rows)?.as_bytes())
}

/// Join the predictions of every case of `suite` that has them into
/// `validation.csv`, count their coverage into `coverage.csv`, and write
/// `validation.json`; returns the coverage.
pub fn assemble(dir: &Path, suite: &Suite) -> Result<Vec<Coverage>> {
    let mut joined = String::new();
    let mut judged = Vec::new();
    let mut predicted = Vec::new();
    for case in &suite.cases {
        let path = case_file(dir, case);
        if !path.is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let mut lines = text.lines();
        let header = lines.next().unwrap_or_default();
        if joined.is_empty() {
            joined.push_str(header);
            joined.push('\n');
        }
        for line in lines {
            joined.push_str(line);
            joined.push('\n');
        }
        judged.extend(judgements(&path)?);
        predicted.push(case);
    }
    let counted = coverage(judged.into_iter());
    write_atomic(&dir.join("validation.csv"), joined.as_bytes())?;
    write_atomic(
        &dir.join("coverage.csv"),
        coverage_csv(&counted)?.as_bytes(),
    )?;
    let identity = format!("{:#}\n", identity(suite, &predicted));
    write_atomic(&dir.join(IDENTITY), identity.as_bytes())?;
    Ok(counted)
}

/// The role, whether the observation is a bound, and `inside`, of each row
/// of a case's predictions.
fn judgements(path: &Path) -> Result<Vec<(Role, bool, Option<bool>)>> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    let header = reader
        .headers()
        .with_context(|| format!("{}, line 1: unreadable header", path.display()))?;
    anyhow::ensure!(
        header.iter().eq(PREDICTION_COLUMNS),
        "{}, line 1: not the columns of this version ({}); run `caasim validate` for the case again",
        path.display(),
        PREDICTION_COLUMNS.join(",")
    );
    let at = |name: &str| PREDICTION_COLUMNS.iter().position(|c| *c == name);
    let [role, bound, inside] = ["role", "bound", "inside"].map(|c| at(c).expect("a column"));
    let mut judged = Vec::new();
    for record in reader.records() {
        let record = record.with_context(|| format!("{} is damaged", path.display()))?;
        let found = Role::parse(record.get(role).unwrap_or("")).with_context(|| {
            format!(
                "{}: a row without a role; validate the case again",
                path.display()
            )
        })?;
        let is_bound = record.get(bound) != Some(Bound::Equal.name());
        judged.push((
            found,
            is_bound,
            record.get(inside).and_then(|i| i.parse().ok()),
        ));
    }
    Ok(judged)
}

fn predictions_csv(rows: &[Prediction]) -> Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(PREDICTION_COLUMNS)?;
    for r in rows {
        let inside = r.inside().map_or(String::new(), |i| i.to_string());
        writer.write_record([
            r.case.clone(),
            r.target.clone(),
            r.role.name().to_string(),
            r.kind.to_string(),
            r.arm.clone(),
            r.versus.clone(),
            r.measure.to_string(),
            r.day.map_or(String::new(), |d| d.to_string()),
            r.bound.name().to_string(),
            num(r.observed),
            num(r.sd),
            opt(r.simulated),
            opt(r.low),
            opt(r.high),
            opt(r.observable.map(|o| o.0)),
            opt(r.observable.map(|o| o.1)),
            r.n.to_string(),
            opt(r.z()),
            inside,
        ])?;
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
}

fn coverage_csv(counted: &[Coverage]) -> Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(COVERAGE_COLUMNS)?;
    for c in counted {
        writer.write_record([
            c.role.name().to_string(),
            if c.bounds { "bound" } else { "value" }.to_string(),
            c.targets.to_string(),
            c.with_interval.to_string(),
            c.inside.to_string(),
            opt(c.share()),
        ])?;
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
}

/// `validation.json`: the suite and the cases the tables hold.
fn identity(suite: &Suite, predicted: &[&Case]) -> Value {
    let cases: Vec<Value> = (predicted.iter())
        .map(|c| {
            let calibrated: Vec<Value> = (c.calibrated.iter())
                .map(|r| json!({"parameter": r.parameter, "low": r.low, "high": r.high}))
                .collect();
            json!({
                "name": c.name,
                "title": c.title,
                "happened": c.happened,
                "missing": c.missing,
                "scenario": c.scenario.display().to_string(),
                "targets": c.targets.display().to_string(),
                "calibrated": calibrated,
            })
        })
        .collect();
    let shared: serde_json::Map<String, Value> = (suite.shared.iter())
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    let s = &suite.settings;
    json!({
        "tool": "caasim",
        "kind": "validation",
        "version": env!("CARGO_PKG_VERSION"),
        "model_version": crate::model::MODEL_VERSION,
        "suite": suite.dir.display().to_string(),
        "interval": "90% over prediction replications, each on its own posterior draw",
        "inside": "the observation within the 90% interval of the predicted values blurred by its sd",
        "settings": {
            "population": s.population,
            "generations": s.generations,
            "replications": s.replications,
            "final_replications": s.final_replications,
            "prediction_replications": s.prediction_replications,
        },
        "shared": shared,
        "cases": cases,
    })
}
