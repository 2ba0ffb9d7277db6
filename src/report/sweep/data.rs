//! Reading and checking a sweep folder: `sweep.json`, `design.csv` and
//! `points.csv` (see [`crate::experiment::sweep`]).

use crate::experiment::design;
use crate::experiment::sweep::IDENTITY;
use crate::report::csvfile::{malformed, open_exact};
use anyhow::{Context, Result, ensure};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Columns of `points.csv` before the parameters.
const FIXED_COLUMNS: [&str; 7] = ["point", "arm", "metric", "mean", "ci_low", "ci_high", "n"];

/// What the sweep is, from `sweep.json`.
#[derive(Debug, Deserialize)]
pub struct Identity {
    /// Version of caasim.
    pub version: Option<String>,
    /// Name of the scenario.
    pub scenario_name: Option<String>,
    /// Master seed.
    pub seed: Option<u64>,
    /// Replications per arm and point.
    pub replications: Option<u64>,
    /// `--set` overrides applied at every point.
    #[serde(default)]
    pub overrides: Vec<String>,
    /// Parameter paths, in design order.
    pub parameters: Vec<String>,
    /// Number of design points.
    pub points: Option<usize>,
}

/// Whether `dir` holds a `sweep.json` whose `kind` is `"sweep"`.
pub fn is_sweep_folder(dir: &Path) -> Result<bool> {
    let path = dir.join(IDENTITY);
    if !path.exists() {
        return Ok(false);
    }
    let value = read_json(&path)?;
    Ok(value.get("kind").and_then(Value::as_str) == Some("sweep"))
}

/// The JSON document at `path`, with errors naming it.
pub fn read_json(path: &Path) -> Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not valid JSON", path.display()))
}

/// One swept parameter and its value at each design point.
#[derive(Debug)]
pub struct Parameter {
    /// Parameter path, e.g. `market.search_days`.
    pub path: String,
    /// Distinct values as TOML text: ascending when numeric, else in design order.
    pub levels: Vec<String>,
    /// Index in `levels` of the value at each point.
    level_of: Vec<usize>,
    /// Each level as a number, when every value is a finite number.
    numbers: Option<Vec<f64>>,
}

impl Parameter {
    fn new(path: &str, values: &[&str]) -> Self {
        let mut levels: Vec<&str> = Vec::new();
        for v in values {
            if !levels.contains(v) {
                levels.push(v);
            }
        }
        let numbers: Option<Vec<f64>> = levels.iter().map(|v| number(v)).collect();
        if let Some(numbers) = &numbers {
            let mut order: Vec<usize> = (0..levels.len()).collect();
            order.sort_by(|a, b| numbers[*a].total_cmp(&numbers[*b]));
            levels = order.iter().map(|i| levels[*i]).collect();
        }
        let index: HashMap<&str, usize> = levels.iter().enumerate().map(|(i, v)| (*v, i)).collect();
        Self {
            path: path.to_string(),
            level_of: values.iter().map(|v| index[v]).collect(),
            numbers: levels.iter().map(|v| number(v)).collect(),
            levels: levels.into_iter().map(str::to_string).collect(),
        }
    }

    /// Whether every value is a number (else the values are categories).
    pub fn is_numeric(&self) -> bool {
        self.numbers.is_some()
    }

    /// Whether the design has more than one value of the parameter.
    pub fn varies(&self) -> bool {
        self.levels.len() > 1
    }

    /// Index in `levels` of the value at point `p`.
    pub fn level(&self, p: usize) -> usize {
        self.level_of[p]
    }

    /// Where level `i` lies on the parameter's axis: its value when numeric,
    /// else its index.
    pub fn position(&self, i: usize) -> f64 {
        self.numbers.as_ref().map_or(i as f64, |n| n[i])
    }

    /// Level `i` as shown to readers: TOML string quotes removed.
    pub fn label(&self, i: usize) -> String {
        let text = &self.levels[i];
        ["\"", "'"]
            .iter()
            .find_map(|q| text.strip_prefix(q).and_then(|t| t.strip_suffix(q)))
            .unwrap_or(text)
            .to_string()
    }
}

/// A finite number written as TOML (underscores allowed), if `text` is one.
fn number(text: &str) -> Option<f64> {
    text.replace('_', "")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
}

/// A point's estimate of one metric for one arm.
#[derive(Clone, Copy, Debug)]
pub struct Estimate {
    /// Mean over replications (`None` when undefined).
    pub mean: Option<f64>,
    /// 95% interval (`None` when undefined).
    pub interval: Option<(f64, f64)>,
}

/// Everything the sweep plots and page need.
#[derive(Debug)]
pub struct Sweep {
    /// `sweep.json`.
    pub identity: Identity,
    /// The swept parameters, in design order.
    pub parameters: Vec<Parameter>,
    /// Number of design points.
    pub points: usize,
    /// Intervention arms, in order of first appearance in `points.csv`.
    pub arms: Vec<String>,
    /// Per (arm, metric), the estimate at each point.
    estimates: BTreeMap<(String, String), Vec<Option<Estimate>>>,
}

impl Sweep {
    /// Reads and checks `sweep.json`, `design.csv` and `points.csv` of `dir`.
    pub fn load(dir: &Path) -> Result<Self> {
        let path = dir.join(IDENTITY);
        let identity: Identity = serde_json::from_value(read_json(&path)?)
            .with_context(|| format!("{} is malformed", path.display()))?;
        let (parameters, points) = read_design(dir, &identity)?;
        let (arms, estimates) = read_points(dir, &parameters, points)?;
        Ok(Self {
            identity,
            parameters,
            points,
            arms,
            estimates,
        })
    }

    /// The estimate of `metric` for `arm` at point `p`, if `points.csv` has it.
    pub fn estimate(&self, arm: &str, metric: &str, p: usize) -> Option<Estimate> {
        let key = (arm.to_string(), metric.to_string());
        self.estimates.get(&key).and_then(|v| v[p])
    }

    /// The two parameters when the design is a full-factorial grid of two:
    /// every combination of their values present exactly once.
    pub fn grid2(&self) -> Option<(&Parameter, &Parameter)> {
        let [x, y] = self.parameters.as_slice() else {
            return None;
        };
        let mut seen = vec![false; x.levels.len() * y.levels.len()];
        for p in 0..self.points {
            let cell = &mut seen[x.level(p) * y.levels.len() + y.level(p)];
            if *cell {
                return None;
            }
            *cell = true;
        }
        seen.iter().all(|s| *s).then_some((x, y))
    }
}

/// The parameters and the number of points, from `design.csv`, checked
/// against `sweep.json`.
fn read_design(dir: &Path, identity: &Identity) -> Result<(Vec<Parameter>, usize)> {
    let path = dir.join("design.csv");
    let design = design::from_csv(&path)?;
    ensure!(
        design.parameters == identity.parameters,
        "{}: the columns {} differ from the parameters {} of {IDENTITY}",
        path.display(),
        design.parameters.join(", "),
        identity.parameters.join(", ")
    );
    if let Some(count) = identity.points {
        ensure!(
            count == design.points.len(),
            "{}: {} points, but {IDENTITY} says {count}",
            path.display(),
            design.points.len()
        );
    }
    let parameters = design
        .parameters
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let values: Vec<&str> = design.points.iter().map(|v| v[k].as_str()).collect();
            Parameter::new(name, &values)
        })
        .collect();
    Ok((parameters, design.points.len()))
}

type Estimates = BTreeMap<(String, String), Vec<Option<Estimate>>>;

/// The arms and estimates of `points.csv`, each row checked against the design.
fn read_points(
    dir: &Path,
    parameters: &[Parameter],
    points: usize,
) -> Result<(Vec<String>, Estimates)> {
    let path = dir.join("points.csv");
    let columns: Vec<&str> = (FIXED_COLUMNS.iter().copied())
        .chain(parameters.iter().map(|p| p.path.as_str()))
        .collect();
    let mut reader = open_exact(&path, &columns, || missing_points(dir))?;
    let mut arms: Vec<String> = Vec::new();
    let mut estimates = Estimates::new();
    for record in reader.records() {
        let record = record.map_err(|e| malformed(e, &path))?;
        let line = record.position().map_or(0, csv::Position::line);
        let row = Row::parse(&record, parameters, points)
            .with_context(|| format!("{}, line {line}", path.display()))?;
        if !arms.contains(&row.arm) {
            arms.push(row.arm.clone());
        }
        let slots = estimates
            .entry((row.arm.clone(), row.metric.clone()))
            .or_insert_with(|| vec![None; points]);
        ensure!(
            slots[row.point].replace(row.estimate).is_none(),
            "{}, line {line}: a second row for point {}, arm {}, metric {}",
            path.display(),
            row.point,
            row.arm,
            row.metric
        );
    }
    ensure!(
        !arms.is_empty(),
        "{} has no rows of results",
        path.display()
    );
    Ok((arms, estimates))
}

/// Why `points.csv` cannot be read, and what to do about it.
pub fn missing_points(dir: &Path) -> String {
    let path = dir.join("points.csv");
    let sharded = std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("part-"))
    });
    if sharded {
        format!(
            "cannot read {}: join the parts of the sharded sweep first with `caasim merge {}`",
            path.display(),
            dir.display()
        )
    } else {
        format!(
            "cannot read {}: the sweep has not finished; run it again to resume",
            path.display()
        )
    }
}

/// One row of `points.csv`.
struct Row {
    point: usize,
    arm: String,
    metric: String,
    estimate: Estimate,
}

impl Row {
    /// Parses a row whose header has been checked, and checks its parameter
    /// values against the design's (of `points` points).
    fn parse(record: &csv::StringRecord, parameters: &[Parameter], points: usize) -> Result<Self> {
        let cell = |i: usize| record.get(i).unwrap_or("").trim();
        let point: usize = cell(0)
            .parse()
            .ok()
            .filter(|p| *p < points)
            .with_context(|| {
                format!(
                    "point {:?} is not a point of design.csv (0 to {})",
                    cell(0),
                    points.saturating_sub(1)
                )
            })?;
        for (k, parameter) in parameters.iter().enumerate() {
            let found = cell(FIXED_COLUMNS.len() + k);
            let expected = &parameter.levels[parameter.level(point)];
            ensure!(
                found == expected,
                "{} is {found:?} at point {point}, but {expected:?} in design.csv",
                parameter.path
            );
        }
        ensure!(!cell(1).is_empty(), "the arm is empty");
        let mean = optional_number(cell(3), "mean")?;
        let low = optional_number(cell(4), "ci_low")?;
        let high = optional_number(cell(5), "ci_high")?;
        Ok(Self {
            point,
            arm: cell(1).to_string(),
            metric: cell(2).to_string(),
            estimate: Estimate {
                mean,
                interval: low.zip(high),
            },
        })
    }
}

/// An empty cell is undefined, as is a non-finite number.
fn optional_number(text: &str, column: &str) -> Result<Option<f64>> {
    if text.is_empty() {
        return Ok(None);
    }
    let value: f64 = text
        .parse()
        .ok()
        .with_context(|| format!("{column} {text:?} is not a number"))?;
    Ok(Some(value).filter(|v| v.is_finite()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_levels_ascend_and_categories_keep_design_order() {
        let numeric = Parameter::new("a", &["30", "1_000", "0", "30"]);
        assert_eq!(numeric.levels, ["0", "30", "1_000"]);
        assert_eq!((numeric.level(0), numeric.position(2)), (1, 1000.0));
        let names = Parameter::new("b", &["\"Beta\"", "\"Alpha\"", "nan"]);
        assert!(!names.is_numeric());
        assert_eq!((names.label(0), names.position(1)), ("Beta".into(), 1.0));
    }
}
