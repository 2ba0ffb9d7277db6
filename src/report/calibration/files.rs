//! The CSV files of a calibration folder: `fit.csv`, `posterior.csv` (and
//! the checkpoints `generation-<g>.csv` of the same layout) and
//! `posterior_summary.csv`, each checked cell by cell with errors naming
//! the file and line.

use crate::experiment::calibrate::{Bound, FIT_COLUMNS, ParameterSummary, SUMMARY_COLUMNS};
use crate::report::csvfile::{malformed, open_exact};
use anyhow::{Context, Result, bail, ensure};
use csv::StringRecord;
use std::fs::File;
use std::path::Path;

/// Kinds of target.
const KINDS: [&str; 5] = ["summary", "level", "share", "recovery", "series"];
/// What to do when a file written at the end of the calibration is missing.
const UNFINISHED: &str = "the calibration has not finished; run `caasim calibrate` again";

/// One row of `fit.csv`: an observed value and the simulated values at the
/// best fit (one day of a `series` target, or a whole target).
#[derive(Debug, Clone, PartialEq)]
pub struct FitRow {
    /// Day of a series component (0 = scenario start).
    pub day: Option<u32>,
    /// Observed value.
    pub observed: f64,
    /// Its standard deviation (stated uncertainty), positive.
    pub sd: f64,
    /// Mean over the final replications (`None` when undefined).
    pub simulated: Option<f64>,
    /// 5% and 95% quantiles over the replications.
    pub band: Option<(f64, f64)>,
    /// Replications in which the value is defined.
    pub n: u64,
    /// `(simulated - observed) / sd` (0 on the allowed side of a bound),
    /// as written.
    z: Option<f64>,
}

impl Target {
    /// The arm, and the arm it is compared with when not the baseline.
    pub fn arms_text(&self) -> String {
        match self.versus.as_str() {
            "" => self.arm.clone(),
            versus => format!("{} against {versus}", self.arm),
        }
    }

    /// `value` as the observation states it: "at least …", "at most …",
    /// or the value itself.
    pub fn observed_text(&self, value: String) -> String {
        match self.bound.as_str() {
            "at_least" => format!("at least {value}"),
            "at_most" => format!("at most {value}"),
            _ => value,
        }
    }
}

impl FitRow {
    /// A row of values: `z` as its table gives it (0 on the allowed side
    /// of a bound), `None` to compute it without a bound.
    pub fn new(
        observed: f64,
        sd: f64,
        simulated: Option<f64>,
        band: Option<(f64, f64)>,
        n: u64,
        z: Option<f64>,
    ) -> Self {
        FitRow {
            day: None,
            observed,
            sd,
            simulated,
            band,
            n,
            z,
        }
    }

    /// The simulated mean in standard deviations from the observed value,
    /// where it lies (a bound's `z` is 0 on its allowed side; this is not).
    pub fn simulated_z(&self) -> Option<f64> {
        self.simulated.map(|s| self.standardised(s))
    }

    /// `value` in standard deviations from the observed value.
    pub fn standardised(&self, value: f64) -> f64 {
        (value - self.observed) / self.sd
    }

    /// The simulated mean in standard deviations from the observed value.
    pub fn z(&self) -> Option<f64> {
        self.z.or(self.simulated.map(|s| self.standardised(s)))
    }
}

/// A calibration target with its rows of `fit.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Name (from the targets file).
    pub name: String,
    /// `summary`, `level`, `recovery` or `series`.
    pub kind: String,
    /// The arm it is about.
    pub arm: String,
    /// Effect metric, `timeseries.csv` column or `days_to_recover`.
    pub measure: String,
    /// The arm a `summary` or `recovery` target compares its arm with,
    /// when not the baseline (else empty).
    pub versus: String,
    /// `equal`, `at_least` or `at_most`: whether the observed value is a
    /// value or a bound.
    pub bound: String,
    /// One row, or one per day (ascending) for a series.
    pub rows: Vec<FitRow>,
}

impl Target {
    /// Whether the target is a time series (a row per day).
    pub fn is_series(&self) -> bool {
        self.kind == "series"
    }
}

/// Particles of a generation: values, weights and distances.
#[derive(Debug, Clone, Default)]
pub struct Population {
    /// Per parameter (column order), the value of each particle.
    pub values: Vec<Vec<f64>>,
    /// Importance weight of each particle.
    pub weights: Vec<f64>,
    /// Distance of each particle.
    pub distances: Vec<f64>,
}

/// A CSV reader of `path` whose header is `expected`.
fn open(path: &Path, expected: &[&str]) -> Result<csv::Reader<File>> {
    open_exact(path, expected, || {
        format!("cannot read {}: {UNFINISHED}", path.display())
    })
}

/// Each record of `reader` with its line, parsed by `parse`; errors name
/// `path` and the line.
fn each_record<T>(
    reader: &mut csv::Reader<File>,
    path: &Path,
    mut parse: impl FnMut(&StringRecord) -> Result<T>,
) -> Result<Vec<(u64, T)>> {
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| malformed(e, path))?;
        let line = record.position().map_or(0, csv::Position::line);
        let value = parse(&record).with_context(|| format!("{}, line {line}", path.display()))?;
        out.push((line, value));
    }
    ensure!(
        !out.is_empty(),
        "{} has no rows: {UNFINISHED}",
        path.display()
    );
    Ok(out)
}

/// A `bound` cell, checked.
fn bound(text: &str) -> Result<String> {
    ensure!(
        Bound::parse(text).is_some(),
        "bound {text:?} is not one of {}",
        Bound::ALLOWED.join(", ")
    );
    Ok(text.to_string())
}

/// Cell `i` of `record`, trimmed.
fn cell(record: &StringRecord, i: usize) -> &str {
    record.get(i).unwrap_or("").trim()
}

/// A finite number; `column` names it in errors.
fn number(text: &str, column: &str) -> Result<f64> {
    optional(text, column)?.with_context(|| format!("{column} is empty; expected a number"))
}

/// An empty cell is undefined; anything else must be a finite number.
pub(in crate::report) fn optional(text: &str, column: &str) -> Result<Option<f64>> {
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        _ => bail!("{column} {text:?} is not a finite number"),
    }
}

/// A whole number; `column` names it in errors.
fn count(text: &str, column: &str) -> Result<u64> {
    text.parse()
        .ok()
        .with_context(|| format!("{column} {text:?} is not a whole number"))
}

/// The targets of `fit.csv`, each with its rows, in file order.
pub fn read_fit(path: &Path) -> Result<Vec<Target>> {
    let mut reader = open(path, &FIT_COLUMNS)?;
    let rows = each_record(&mut reader, path, parse_fit_row)?;
    let mut targets: Vec<Target> = Vec::new();
    for (line, (head, row)) in rows {
        add_row(&mut targets, head, row)
            .with_context(|| format!("{}, line {line}", path.display()))?;
    }
    for target in &mut targets {
        target.rows.sort_by_key(|r| r.day);
    }
    Ok(targets)
}

/// One row of `fit.csv`: its target (without rows) and its values.
fn parse_fit_row(record: &StringRecord) -> Result<(Target, FitRow)> {
    let text = |i: usize, column: &str| -> Result<String> {
        let value = cell(record, i);
        ensure!(!value.is_empty(), "{column} is empty");
        Ok(value.to_string())
    };
    let kind = text(1, "kind")?;
    ensure!(
        KINDS.contains(&kind.as_str()),
        "kind {kind:?} is not one of {}",
        KINDS.join(", ")
    );
    let day = match cell(record, 4) {
        "" => None,
        d => Some(u32::try_from(count(d, "day")?).context("day is too large")?),
    };
    match (kind.as_str(), day) {
        ("series", None) => bail!("a row of a series target without a day"),
        (other, Some(_)) if other != "series" => bail!("a {other} target with a day"),
        _ => {}
    }
    let sd = number(cell(record, 6), "sd")?;
    ensure!(sd > 0.0, "sd {sd} is not positive");
    let [low, high] = [8, 9].map(|i| optional(cell(record, i), FIT_COLUMNS[i]));
    let band = match (low?, high?) {
        (Some(l), Some(h)) => Some((l.min(h), l.max(h))),
        (None, None) => None,
        _ => bail!("one of low and high is empty, the other not"),
    };
    let row = FitRow {
        day,
        observed: number(cell(record, 5), "observed")?,
        sd,
        simulated: optional(cell(record, 7), "simulated")?,
        band,
        n: count(cell(record, 10), "n")?,
        z: optional(cell(record, 11), "z")?,
    };
    let target = Target {
        name: text(0, "target")?,
        kind,
        arm: text(2, "arm")?,
        measure: text(3, "measure")?,
        versus: cell(record, 12).to_string(),
        bound: bound(cell(record, 13))?,
        rows: Vec::new(),
    };
    Ok((target, row))
}

/// Adds `row` to its target, checking that a target's rows agree.
fn add_row(targets: &mut Vec<Target>, head: Target, row: FitRow) -> Result<()> {
    let Some(target) = targets.iter_mut().find(|t| t.name == head.name) else {
        targets.push(Target {
            rows: vec![row],
            ..head
        });
        return Ok(());
    };
    ensure!(
        (
            &target.kind,
            &target.arm,
            &target.measure,
            &target.versus,
            &target.bound
        ) == (
            &head.kind,
            &head.arm,
            &head.measure,
            &head.versus,
            &head.bound
        ),
        "target {} has another kind, arm, measure, versus or bound than in its first row",
        head.name
    );
    ensure!(
        target.is_series(),
        "a second row for the {} target {}",
        target.kind,
        head.name
    );
    ensure!(
        !target.rows.iter().any(|r| r.day == row.day),
        "a second row for day {} of target {}",
        row.day.unwrap_or_default(),
        head.name
    );
    target.rows.push(row);
    Ok(())
}

/// `posterior.csv` or a checkpoint `generation-<g>.csv` of the parameters
/// `names`: `particle`, one column per parameter, `weight`, `distance`,
/// `model_seed`.
pub fn read_population(path: &Path, names: &[&str]) -> Result<Population> {
    let mut columns = vec!["particle"];
    columns.extend(names);
    columns.extend(["weight", "distance", "model_seed"]);
    let mut reader = open(path, &columns)?;
    let k = names.len();
    let rows = each_record(&mut reader, path, |record| {
        count(cell(record, 0), "particle")?;
        let values: Vec<f64> = (0..k)
            .map(|p| number(cell(record, p + 1), names[p]))
            .collect::<Result<_>>()?;
        let weight = number(cell(record, k + 1), "weight")?;
        ensure!(weight >= 0.0, "weight {weight} is negative");
        let distance = number(cell(record, k + 2), "distance")?;
        count(cell(record, k + 3), "model_seed")?;
        Ok((values, weight, distance))
    })?;
    let mut population = Population {
        values: vec![Vec::with_capacity(rows.len()); k],
        ..Population::default()
    };
    for (_, (values, weight, distance)) in rows {
        for (column, v) in population.values.iter_mut().zip(values) {
            column.push(v);
        }
        population.weights.push(weight);
        population.distances.push(distance);
    }
    ensure!(
        population.weights.iter().sum::<f64>() > 0.0,
        "{}: the weights sum to 0",
        path.display()
    );
    Ok(population)
}

/// `posterior_summary.csv`: one row per parameter of `names`, in that order.
pub fn read_summary(path: &Path, names: &[&str]) -> Result<Vec<ParameterSummary>> {
    let mut reader = open(path, &SUMMARY_COLUMNS)?;
    let rows = each_record(&mut reader, path, |record| {
        let parameter = cell(record, 0);
        ensure!(
            names.contains(&parameter),
            "parameter {parameter:?} is not one of the calibrated parameters ({})",
            names.join(", ")
        );
        let [mean, sd, q05, q50, q95] =
            [1, 2, 3, 4, 5].map(|i| number(cell(record, i), SUMMARY_COLUMNS[i]));
        Ok(ParameterSummary {
            parameter: parameter.to_string(),
            mean: mean?,
            sd: sd?,
            q05: q05?,
            q50: q50?,
            q95: q95?,
        })
    })?;
    let mut ordered = Vec::with_capacity(names.len());
    for name in names {
        let mut found = rows.iter().filter(|(_, r)| r.parameter == *name);
        let (_, row) = found
            .next()
            .with_context(|| format!("{} has no row for {name}", path.display()))?;
        if let Some((line, _)) = found.next() {
            bail!("{}, line {line}: a second row for {name}", path.display());
        }
        ordered.push(row.clone());
    }
    Ok(ordered)
}
