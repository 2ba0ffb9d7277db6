//! The tables of a validation folder: `validation.csv` (every target of
//! every case, predicted), `coverage.csv` (how many intervals hold their
//! observation, fit and check apart) and `validation.json` (the suite:
//! cases, what happened, what the model lacks, the shared set and the
//! settings). Columns in docs/RESULTS.md.

use std::path::Path;

use anyhow::Result;
use serde_json::{Value, json};

use super::{Coverage, Prediction, Suite};
use crate::output::folder::write_atomic;
use crate::table::{num, opt};

/// What identifies a validation folder's kind.
pub const IDENTITY: &str = "validation.json";

/// Columns of `validation.csv`.
pub const PREDICTION_COLUMNS: [&str; 17] = [
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
    "n",
    "z",
    "inside",
];

/// Columns of `coverage.csv`.
pub const COVERAGE_COLUMNS: [&str; 5] = ["role", "targets", "with_interval", "inside", "share"];

/// Write `validation.csv`, `coverage.csv` and `validation.json` into `dir`.
pub fn write(dir: &Path, suite: &Suite, rows: &[Prediction], counted: &[Coverage]) -> Result<()> {
    write_atomic(
        &dir.join("validation.csv"),
        predictions_csv(rows)?.as_bytes(),
    )?;
    write_atomic(&dir.join("coverage.csv"), coverage_csv(counted)?.as_bytes())?;
    let identity = format!("{:#}\n", identity(suite, rows));
    write_atomic(&dir.join(IDENTITY), identity.as_bytes())
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
            c.targets.to_string(),
            c.with_interval.to_string(),
            c.inside.to_string(),
            opt(c.share()),
        ])?;
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
}

/// `validation.json`: the suite and which cases the tables hold.
fn identity(suite: &Suite, rows: &[Prediction]) -> Value {
    let cases: Vec<Value> = (suite.cases.iter())
        .filter(|c| rows.iter().any(|r| r.case == c.name))
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
        "suite": suite.dir.display().to_string(),
        "interval": "90% over prediction replications, each on its own posterior draw",
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
