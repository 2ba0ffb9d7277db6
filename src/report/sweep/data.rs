//! Reading and checking a sweep folder: `sweep.json`, `design.csv` and
//! `points.csv` (see [`crate::experiment::sweep`]). The report reads the
//! rows over every replication: each arm's effect against the baseline,
//! and each contrast's paired difference (its ratio, and the rows of one
//! outcome of a fork, stay in the CSV).

use crate::experiment::design;
use crate::experiment::metrics::Statistic;
use crate::experiment::outcome::Outcome;
use crate::experiment::sweep::IDENTITY;
use crate::experiment::tables::SUMMARY_COLUMNS;
use crate::report::csvfile::{malformed, open_exact};
use anyhow::{Context, Result, ensure};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// Columns of `points.csv` before the parameters: `point`, then those of
/// `summary.csv`.
fn fixed_columns() -> Vec<&'static str> {
    std::iter::once("point")
        .chain(crate::table::header(SUMMARY_COLUMNS))
        .collect()
}

/// What the sweep is, from `sweep.json`.
#[derive(Debug, Deserialize)]
pub struct Identity {
    /// Version of caasim.
    pub version: Option<String>,
    /// Version of the model (absent in folders written before it was recorded).
    pub model_version: Option<u32>,
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

/// A point's estimate of one metric for one arm (or one contrast).
#[derive(Clone, Copy, Debug)]
pub struct Estimate {
    /// The estimate over replications, its statistic as `points.csv`
    /// says (`None` when undefined).
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
    /// Contrasts, as `A − B`, in order of first appearance.
    pub contrasts: Vec<String>,
    /// The statistic of each metric's effects (`mean`, `share`, `median`).
    statistics: BTreeMap<String, String>,
    /// How the effects' intervals are made, per statistic, as
    /// `points.csv`'s `interval` column says (`t over draws`, ...).
    pub intervals: BTreeSet<(String, String)>,
    /// Per (arm or contrast, metric), the estimate at each point.
    estimates: Estimates,
}

impl Sweep {
    /// Reads and checks `sweep.json`, `design.csv` and `points.csv` of `dir`.
    pub fn load(dir: &Path) -> Result<Self> {
        let path = dir.join(IDENTITY);
        let identity: Identity = serde_json::from_value(read_json(&path)?)
            .with_context(|| format!("{} is malformed", path.display()))?;
        let (parameters, points) = read_design(dir, &identity)?;
        let read = read_points(dir, &parameters, points)?;
        Ok(Self {
            identity,
            parameters,
            points,
            arms: read.arms,
            contrasts: read.contrasts,
            statistics: read.statistics,
            intervals: read.intervals,
            estimates: read.estimates,
        })
    }

    /// The estimate of `metric` for `series` (an arm, or a contrast
    /// `A − B`) at point `p`, if `points.csv` has it.
    pub fn estimate(&self, series: &str, metric: &str, p: usize) -> Option<Estimate> {
        let key = (series.to_string(), metric.to_string());
        self.estimates.get(&key).and_then(|v| v[p])
    }

    /// What the effects of `metric` estimate: `mean`, `share` or `median`
    /// (as `points.csv`'s `statistic` column says; `mean` if it has no row).
    pub fn statistic(&self, metric: &str) -> &str {
        self.statistics.get(metric).map_or("mean", String::as_str)
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

/// What the report takes from `points.csv`.
struct Points {
    arms: Vec<String>,
    contrasts: Vec<String>,
    statistics: BTreeMap<String, String>,
    intervals: BTreeSet<(String, String)>,
    estimates: Estimates,
}

/// The effects and differences of `points.csv` over every replication,
/// each row checked against the design.
fn read_points(dir: &Path, parameters: &[Parameter], points: usize) -> Result<Points> {
    let path = dir.join("points.csv");
    let fixed = fixed_columns();
    let columns: Vec<&str> = (fixed.iter().copied())
        .chain(parameters.iter().map(|p| p.path.as_str()))
        .collect();
    let mut reader = open_exact(&path, &columns, || missing_points(dir))?;
    let mut read = Points {
        arms: Vec::new(),
        contrasts: Vec::new(),
        statistics: BTreeMap::new(),
        intervals: BTreeSet::new(),
        estimates: Estimates::new(),
    };
    for record in reader.records() {
        let record = record.map_err(|e| malformed(e, &path))?;
        let line = record.position().map_or(0, csv::Position::line);
        let row = Row::parse(&record, &fixed, parameters, points)
            .with_context(|| format!("{}, line {line}", path.display()))?;
        let Some(series) = read.series_of(&row) else {
            continue;
        };
        let slots = (read.estimates)
            .entry((series.clone(), row.metric.clone()))
            .or_insert_with(|| vec![None; points]);
        ensure!(
            slots[row.point].replace(row.estimate).is_none(),
            "{}, line {line}: a second row for point {}, {series}, metric {}",
            path.display(),
            row.point,
            row.metric
        );
    }
    ensure!(
        !read.arms.is_empty(),
        "{} has no rows of results",
        path.display()
    );
    Ok(read)
}

impl Points {
    /// The series a row belongs to, noting it: its arm for an effect,
    /// `A − B` for a difference; `None` for rows the report does not show
    /// (ratios, one outcome of a fork).
    fn series_of(&mut self, row: &Row) -> Option<String> {
        if row.outcome != Outcome::All.name() || row.statistic == Statistic::Ratio.name() {
            return None;
        }
        let (series, list) = if row.statistic == Statistic::Difference.name() {
            (format!("{} − {}", row.arm, row.versus), &mut self.contrasts)
        } else {
            (self.statistics).insert(row.metric.clone(), row.statistic.clone());
            (self.intervals).insert((row.statistic.clone(), row.interval.clone()));
            (row.arm.clone(), &mut self.arms)
        };
        if !list.contains(&series) {
            list.push(series.clone());
        }
        Some(series)
    }
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
    versus: String,
    outcome: String,
    metric: String,
    statistic: String,
    interval: String,
    estimate: Estimate,
}

impl Row {
    /// Parses a row whose header (`fixed`, then the parameters) has been
    /// checked, and checks its parameter values against the design's (of
    /// `points` points) and its statistic and outcome.
    fn parse(
        record: &csv::StringRecord,
        fixed: &[&str],
        parameters: &[Parameter],
        points: usize,
    ) -> Result<Self> {
        let cell = |name: &str| {
            let at = fixed
                .iter()
                .position(|c| *c == name)
                .expect("a fixed column");
            record.get(at).unwrap_or("").trim()
        };
        let point: usize = cell("point")
            .parse()
            .ok()
            .filter(|p| *p < points)
            .with_context(|| {
                format!(
                    "point {:?} is not a point of design.csv (0 to {})",
                    cell("point"),
                    points.saturating_sub(1)
                )
            })?;
        for (k, parameter) in parameters.iter().enumerate() {
            let found = record.get(fixed.len() + k).unwrap_or("").trim();
            let expected = &parameter.levels[parameter.level(point)];
            ensure!(
                found == expected,
                "{} is {found:?} at point {point}, but {expected:?} in design.csv",
                parameter.path
            );
        }
        ensure!(!cell("arm").is_empty(), "the arm is empty");
        let statistics = Statistic::ALL.map(Statistic::name);
        ensure!(
            statistics.contains(&cell("statistic")),
            "statistic {:?} is not one of {}",
            cell("statistic"),
            statistics.join(", ")
        );
        let mean = optional_number(cell("estimate"), "estimate")?;
        let low = optional_number(cell("ci_low"), "ci_low")?;
        let high = optional_number(cell("ci_high"), "ci_high")?;
        Ok(Self {
            point,
            arm: cell("arm").to_string(),
            versus: cell("versus").to_string(),
            outcome: cell("outcome").to_string(),
            metric: cell("metric").to_string(),
            statistic: cell("statistic").to_string(),
            interval: cell("interval").to_string(),
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
