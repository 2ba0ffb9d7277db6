//! Reading a validation folder: `validation.json` (the cases) and
//! `validation.csv` (every target predicted), checked cell by cell with
//! errors naming the file and line (see [`crate::experiment::validate`]).

use std::path::Path;

use anyhow::{Context, Result, bail, ensure};
use serde::Deserialize;

use crate::experiment::calibrate::{Bound, Role};
use crate::experiment::validate::tables::{IDENTITY, PREDICTION_COLUMNS};
use crate::report::calibration::files::optional;
use crate::report::csvfile::{malformed, open_exact};
use crate::report::sweep::read_json;

/// A case as `validation.json` describes it.
#[derive(Debug, Clone, Deserialize)]
pub struct CaseInfo {
    /// Folder name.
    pub name: String,
    /// What the case is.
    pub title: String,
    /// What happened.
    pub happened: String,
    /// What the model lacks.
    pub missing: String,
    /// The parameters it calibrates.
    pub calibrated: Vec<Calibrated>,
}

/// A calibrated parameter and its prior range.
#[derive(Debug, Clone, Deserialize)]
pub struct Calibrated {
    /// Key path.
    pub parameter: String,
    /// Lower end of the prior.
    pub low: f64,
    /// Upper end.
    pub high: f64,
}

/// `validation.json` as the report reads it.
#[derive(Debug, Deserialize)]
pub struct Identity {
    /// Version of caasim.
    pub version: String,
    /// Version of the model (absent in folders written before it was recorded).
    pub model_version: Option<u32>,
    /// What the intervals are.
    pub interval: String,
    /// The cases, in order.
    pub cases: Vec<CaseInfo>,
}

/// One row of `validation.csv`.
#[derive(Debug, Clone)]
pub struct Row {
    /// The case.
    pub case: String,
    /// The target.
    pub target: String,
    /// `fit` or `check`.
    pub role: Role,
    /// The target's kind.
    pub kind: String,
    /// Its arm, and the arm compared with (or empty).
    pub arm: String,
    /// The arm compared with, or empty.
    pub versus: String,
    /// Metric or column.
    pub measure: String,
    /// Day of a series component.
    pub day: Option<u32>,
    /// `equal`, `at_least` or `at_most`.
    pub bound: String,
    /// Observed value (or bound).
    pub observed: f64,
    /// Its sd.
    pub sd: f64,
    /// Predicted mean.
    pub simulated: Option<f64>,
    /// Predicted 90% interval.
    pub band: Option<(f64, f64)>,
    /// 90% interval of what would be observed (the band blurred by the sd).
    pub observable: Option<(f64, f64)>,
    /// Replications where defined.
    pub n: u64,
    /// z, 0 on the allowed side of a bound.
    pub z: Option<f64>,
    /// Whether the interval holds the observation.
    pub inside: Option<bool>,
}

/// Whether `dir` holds a `validation.json` whose `kind` is `"validation"`.
pub fn is_validation_folder(dir: &Path) -> Result<bool> {
    let path = dir.join(IDENTITY);
    if !path.exists() {
        return Ok(false);
    }
    let value = read_json(&path)?;
    Ok(value.get("kind").and_then(|k| k.as_str()) == Some("validation"))
}

/// `validation.json`, checked.
pub fn read_identity(dir: &Path) -> Result<Identity> {
    let path = dir.join(IDENTITY);
    serde_json::from_value(read_json(&path)?)
        .with_context(|| format!("{} is malformed", path.display()))
}

/// The rows of `validation.csv`, each of a case of `identity`.
pub fn read_rows(dir: &Path, identity: &Identity) -> Result<Vec<Row>> {
    let path = dir.join("validation.csv");
    let mut reader = open_exact(&path, &PREDICTION_COLUMNS, || {
        format!(
            "cannot read {}: run `caasim validate` again",
            path.display()
        )
    })?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| malformed(e, &path))?;
        let line = record.position().map_or(0, csv::Position::line);
        let row = parse(&record).with_context(|| format!("{}, line {line}", path.display()))?;
        ensure!(
            identity.cases.iter().any(|c| c.name == row.case),
            "{}, line {line}: case {:?} is not in {IDENTITY}",
            path.display(),
            row.case
        );
        rows.push(row);
    }
    Ok(rows)
}

fn parse(record: &csv::StringRecord) -> Result<Row> {
    let cell = |name: &str| {
        let at = (PREDICTION_COLUMNS.iter().position(|c| *c == name)).expect("a column");
        record.get(at).unwrap_or("").trim()
    };
    let role = Role::parse(cell("role"))
        .with_context(|| format!("role {:?} is not fit or check", cell("role")))?;
    ensure!(
        Bound::parse(cell("bound")).is_some(),
        "bound {:?} is not one of {}",
        cell("bound"),
        Bound::ALLOWED.join(", ")
    );
    let sd = optional(cell("sd"), "sd")?.context("sd is empty")?;
    ensure!(sd > 0.0, "sd {sd} is not positive");
    let band = interval(&cell, "low", "high")?;
    let observable = interval(&cell, "observable_low", "observable_high")?;
    let inside = match cell("inside") {
        "" => None,
        "true" => Some(true),
        "false" => Some(false),
        other => bail!("inside {other:?} is not true, false or empty"),
    };
    Ok(Row {
        case: cell("case").to_string(),
        target: cell("target").to_string(),
        role,
        kind: cell("kind").to_string(),
        arm: cell("arm").to_string(),
        versus: cell("versus").to_string(),
        measure: cell("measure").to_string(),
        day: match cell("day") {
            "" => None,
            d => Some(
                d.parse()
                    .ok()
                    .with_context(|| format!("day {d:?} is not a day"))?,
            ),
        },
        bound: cell("bound").to_string(),
        observed: optional(cell("observed"), "observed")?.context("observed is empty")?,
        sd,
        simulated: optional(cell("simulated"), "simulated")?,
        band,
        observable,
        n: cell("n").parse().ok().context("n is not a whole number")?,
        z: optional(cell("z"), "z")?,
        inside,
    })
}

/// The interval of the columns `low` and `high`: both empty, or numbers.
fn interval<'a>(
    cell: &dyn Fn(&str) -> &'a str,
    low: &str,
    high: &str,
) -> Result<Option<(f64, f64)>> {
    match (optional(cell(low), low)?, optional(cell(high), high)?) {
        (Some(l), Some(h)) => Ok(Some((l.min(h), l.max(h)))),
        (None, None) => Ok(None),
        _ => bail!("one of {low} and {high} is empty, the other not"),
    }
}
