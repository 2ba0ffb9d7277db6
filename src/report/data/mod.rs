//! Reading and checking a results folder (see `docs/RESULTS.md`).

use crate::output::folder::MANIFEST;
use anyhow::{Context, Result, bail, ensure};
use chrono::NaiveDate;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// Largest number of days accepted when the manifest does not say.
const MAX_DAYS: usize = 100_000;

/// Provenance and arms, from `manifest.json` (its `tool` is checked on reading).
#[derive(Debug, Deserialize)]
pub struct Manifest {
    /// Version of caasim.
    pub version: Option<String>,
    /// Git revision caasim was built from.
    pub git_revision: Option<String>,
    /// Target triple.
    pub target: Option<String>,
    /// Scenario file that was run.
    pub scenario_file: Option<String>,
    /// `--set` overrides applied to the scenario file.
    #[serde(default)]
    pub overrides: Vec<String>,
    /// Name of the scenario.
    pub scenario_name: String,
    /// Description of the scenario.
    pub description: Option<String>,
    /// ISO date of day 0.
    pub start_date: Option<String>,
    /// Length of the run in days.
    pub days: Option<usize>,
    /// Master seed.
    pub seed: Option<u64>,
    /// Number of replications.
    pub replications: Option<u64>,
    /// Worker threads used.
    pub threads: Option<u64>,
    /// Start of the run (RFC 3339).
    pub started_at: Option<String>,
    /// End of the run (RFC 3339).
    pub finished_at: Option<String>,
    /// Wall-clock time of the run.
    pub elapsed_seconds: Option<f64>,
    /// Arms in scenario order.
    pub arms: Vec<ManifestArm>,
    /// The scenario with every default filled in.
    #[serde(default)]
    pub resolved_scenario: Value,
}

/// One arm as described in the manifest.
#[derive(Debug, Deserialize)]
pub struct ManifestArm {
    /// Arm name.
    pub name: String,
    /// What the arm does.
    #[serde(default)]
    pub description: String,
    /// One-line descriptions of its interventions.
    #[serde(default)]
    pub interventions: Vec<String>,
    /// Days (from the start) on which its interventions act.
    #[serde(default)]
    pub intervention_days: Vec<usize>,
}

/// The daily measures plotted from `timeseries.csv`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Measure {
    /// Campaign seat-days.
    Campaigns,
    /// Compromised accounts.
    Compromises,
    /// Losses in USD.
    Losses,
    /// Mean seat price.
    Price,
}

/// Values of one replication, per measure and day (`None` = undefined).
#[derive(Debug, Default)]
pub struct Replication {
    values: [Vec<Option<f64>>; 4],
}

impl Replication {
    /// Daily values of a measure.
    pub fn get(&self, m: Measure) -> &[Option<f64>] {
        &self.values[m as usize]
    }

    fn set(&mut self, m: Measure, day: usize, v: Option<f64>) {
        let column = &mut self.values[m as usize];
        if column.len() <= day {
            column.resize(day + 1, None);
        }
        column[day] = v.filter(|v| v.is_finite());
    }
}

/// One row of `segments.csv`.
#[derive(Debug, Deserialize)]
pub struct SegmentRow {
    /// Arm.
    pub arm: String,
    /// Replication index.
    pub replication: u64,
    /// Victim country.
    pub country: String,
    /// Victim sector.
    pub sector: String,
    /// Accounts compromised over the run.
    pub compromises: Option<f64>,
}

/// One row of `summary.csv`.
#[derive(Debug, Deserialize)]
pub struct SummaryRow {
    /// Intervention arm.
    pub arm: String,
    /// Metric name.
    pub metric: String,
    /// Mean over replications.
    pub mean: Option<f64>,
    /// Lower end of the 95% interval.
    pub ci_low: Option<f64>,
    /// Upper end of the 95% interval.
    pub ci_high: Option<f64>,
    /// Replications in which the metric is defined.
    pub n: Option<u64>,
}

/// Everything the report needs from a results folder.
#[derive(Debug)]
pub struct Results {
    /// The manifest.
    pub manifest: Manifest,
    /// Day 0 as a date, when the scenario has one.
    pub start: Option<NaiveDate>,
    /// Number of days plotted.
    pub days: usize,
    /// Arm names: the manifest's order, then any others found in the files.
    pub arms: Vec<String>,
    /// The arm the others are compared with.
    pub baseline: String,
    /// Per arm, per replication index, the daily measures.
    pub series: BTreeMap<String, BTreeMap<u64, Replication>>,
    /// Per arm, per provider, mean seats used per day.
    pub providers: BTreeMap<String, BTreeMap<String, Vec<f64>>>,
    /// Rows of `segments.csv`.
    pub segments: Vec<SegmentRow>,
    /// Rows of `summary.csv`.
    pub summary: Vec<SummaryRow>,
}

#[derive(Deserialize)]
struct SeriesRow {
    arm: String,
    replication: u64,
    day: usize,
    campaigns: Option<f64>,
    compromises: Option<f64>,
    losses_usd: Option<f64>,
    mean_price: Option<f64>,
}

#[derive(Deserialize)]
struct ProviderRow {
    arm: String,
    day: usize,
    provider: String,
    seats_used: Option<f64>,
}

impl Results {
    /// Reads and checks every file of the folder.
    pub fn load(dir: &Path) -> Result<Self> {
        let manifest = read_manifest(dir)?;
        let start = parse_start(&manifest)?;
        let limit = manifest.days.unwrap_or(MAX_DAYS);
        ensure!(
            limit <= MAX_DAYS,
            "manifest.json: days = {limit} is more than the {MAX_DAYS} the report can show"
        );
        let series_rows: Vec<SeriesRow> = read_csv(dir, &TIMESERIES, limit)?;
        let provider_rows: Vec<ProviderRow> = read_csv(dir, &PROVIDERS, limit)?;
        let segments: Vec<SegmentRow> = read_csv(dir, &SEGMENTS, limit)?;
        let summary: Vec<SummaryRow> = read_csv(dir, &SUMMARY, limit)?;
        if let (Some(days), Some(replications)) = (manifest.days, manifest.replications) {
            let rows = Rows {
                series: &series_rows,
                providers: &provider_rows,
                segments: &segments,
                summary: &summary,
            };
            check_complete(dir, &manifest, days, replications, &rows)?;
        }
        let arms = arm_order(&manifest, &series_rows, &summary);
        let baseline = pick_baseline(&arms)?;
        let days = manifest
            .days
            .unwrap_or_else(|| series_rows.iter().map(|r| r.day + 1).max().unwrap_or(0));
        Ok(Self {
            start,
            days,
            baseline,
            series: collect_series(series_rows),
            providers: collect_providers(provider_rows, days),
            segments,
            summary,
            arms,
            manifest,
        })
    }

    /// Replications of a measure in an arm, each a daily vector.
    pub fn replications(&self, arm: &str, m: Measure) -> Vec<Vec<Option<f64>>> {
        self.series
            .get(arm)
            .map(|reps| reps.values().map(|r| r.get(m).to_vec()).collect())
            .unwrap_or_default()
    }

    /// Position of an arm in `arms` (used to pick its colour).
    pub fn arm_index(&self, arm: &str) -> usize {
        self.arms.iter().position(|a| a == arm).unwrap_or(0)
    }

    /// Arms other than the baseline, in order.
    pub fn intervention_arms(&self) -> Vec<&str> {
        self.arms
            .iter()
            .filter(|a| **a != self.baseline)
            .map(String::as_str)
            .collect()
    }

    /// Sorted distinct intervention days over all arms, within the run.
    pub fn intervention_days(&self) -> Vec<usize> {
        let mut days: Vec<usize> = self
            .manifest
            .arms
            .iter()
            .flat_map(|a| a.intervention_days.iter().copied())
            .filter(|d| *d < self.days)
            .collect();
        days.sort_unstable();
        days.dedup();
        days
    }
}

fn read_manifest(dir: &Path) -> Result<Manifest> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "cannot read {} (is this a caasim results folder?)",
            path.display()
        )
    })?;
    let value: Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not valid JSON", path.display()))?;
    match value.get("tool").and_then(Value::as_str) {
        Some("caasim") => {}
        Some(other) => bail!(
            "{} was written by {other:?}, not caasim: not a caasim results folder",
            path.display()
        ),
        None => bail!(
            "{} has no \"tool\" field: not a caasim results folder",
            path.display()
        ),
    }
    serde_json::from_value(value).with_context(|| format!("{} is malformed", path.display()))
}

fn parse_start(manifest: &Manifest) -> Result<Option<NaiveDate>> {
    manifest
        .start_date
        .as_deref()
        .map(|s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .with_context(|| format!("manifest.json: start_date {s:?} is not an ISO date"))
        })
        .transpose()
}

/// A CSV file of the folder and the columns the report reads from it.
struct CsvFile {
    name: &'static str,
    columns: &'static [&'static str],
}

const TIMESERIES: CsvFile = CsvFile {
    name: "timeseries.csv",
    columns: &[
        "arm",
        "replication",
        "day",
        "campaigns",
        "compromises",
        "losses_usd",
        "mean_price",
    ],
};
const PROVIDERS: CsvFile = CsvFile {
    name: "providers.csv",
    columns: &["arm", "day", "provider", "seats_used"],
};
const SEGMENTS: CsvFile = CsvFile {
    name: "segments.csv",
    columns: &["arm", "replication", "country", "sector", "compromises"],
};
const SUMMARY: CsvFile = CsvFile {
    name: "summary.csv",
    columns: &["arm", "metric", "mean", "ci_low", "ci_high", "n"],
};

/// Reads a CSV file of the folder into rows, checking columns and days.
fn read_csv<T: DeserializeOwned>(dir: &Path, file: &CsvFile, day_limit: usize) -> Result<Vec<T>> {
    let path = dir.join(file.name);
    let mut reader =
        csv::Reader::from_path(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("{}: unreadable header line", path.display()))?
        .clone();
    let missing: Vec<&str> = file
        .columns
        .iter()
        .copied()
        .filter(|c| !headers.iter().any(|h| h == *c))
        .collect();
    ensure!(
        missing.is_empty(),
        "{}: missing column(s) {}",
        path.display(),
        missing.join(", ")
    );
    let day_column = headers.iter().position(|h| h == "day");
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.with_context(|| format!("{}: malformed CSV", path.display()))?;
        let line = record.position().map_or(0, |p| p.line());
        check_day(&record, day_column, day_limit)
            .with_context(|| format!("{}, line {line}", path.display()))?;
        let row = record
            .deserialize(Some(&headers))
            .with_context(|| format!("{}, line {line}: bad value", path.display()))?;
        rows.push(row);
    }
    Ok(rows)
}

fn check_day(record: &csv::StringRecord, column: Option<usize>, limit: usize) -> Result<()> {
    let Some(day) = column.and_then(|c| record.get(c)) else {
        return Ok(());
    };
    let day: usize = day
        .parse()
        .with_context(|| format!("day {day:?} is not a whole number"))?;
    ensure!(day < limit, "day {day} is outside the run's {limit} days");
    Ok(())
}

/// The rows read from the folder's tables.
struct Rows<'a> {
    series: &'a [SeriesRow],
    providers: &'a [ProviderRow],
    segments: &'a [SegmentRow],
    summary: &'a [SummaryRow],
}

/// A folder whose manifest gives its days and replications (caasim always
/// writes them) must hold every row the run wrote: in `timeseries.csv` one
/// per (arm, replication, day), in `providers.csv` some for each (arm,
/// day), in `segments.csv` as many for each (arm, replication) and in
/// `summary.csv` as many for each intervention arm. A table cut at the end
/// of a line still reads as valid CSV; this finds it (`tests/output_safety.rs`).
fn check_complete(
    dir: &Path,
    manifest: &Manifest,
    days: usize,
    replications: u64,
    rows: &Rows,
) -> Result<()> {
    use std::collections::BTreeSet;
    let mut listed = BTreeSet::new();
    let arms: Vec<&str> = (manifest.arms.iter())
        .map(|a| a.name.as_str())
        .filter(|a| listed.insert(*a))
        .collect();
    let baseline = arms.iter().position(|a| *a == "baseline").unwrap_or(0);
    let cut = |file: &str, what: String| {
        anyhow::anyhow!(
            "{}: rows missing for {what}, which manifest.json says the run has: the file is incomplete (cut short?)",
            dir.join(file).display()
        )
    };
    // Each lookup either finds a distinct row or stops at the first missing
    // one, so a manifest claiming a huge run cannot make this loop long.
    let series: BTreeSet<(&str, u64, usize)> = (rows.series.iter())
        .map(|r| (r.arm.as_str(), r.replication, r.day))
        .collect();
    for &arm in &arms {
        for r in 0..replications {
            for d in 0..days {
                if !series.contains(&(arm, r, d)) {
                    return Err(cut(
                        TIMESERIES.name,
                        format!("arm {arm:?}, replication {r}, day {d}"),
                    ));
                }
            }
        }
    }
    let providers: BTreeSet<(&str, usize)> = (rows.providers.iter())
        .map(|r| (r.arm.as_str(), r.day))
        .collect();
    for &arm in &arms {
        if let Some(d) = (0..days).find(|&d| !providers.contains(&(arm, d))) {
            return Err(cut(PROVIDERS.name, format!("arm {arm:?}, day {d}")));
        }
    }
    let mut segments: BTreeMap<(&str, u64), usize> = BTreeMap::new();
    for row in rows.segments {
        *segments
            .entry((row.arm.as_str(), row.replication))
            .or_default() += 1;
    }
    let most = segments.values().copied().max().unwrap_or(0).max(1);
    for &arm in &arms {
        for r in 0..replications {
            if segments.get(&(arm, r)).copied().unwrap_or(0) < most {
                return Err(cut(
                    SEGMENTS.name,
                    format!("segments of arm {arm:?}, replication {r}"),
                ));
            }
        }
    }
    let mut summary: BTreeMap<&str, usize> = BTreeMap::new();
    for row in rows.summary {
        *summary.entry(row.arm.as_str()).or_default() += 1;
    }
    let most = summary.values().copied().max().unwrap_or(0).max(1);
    for (_, &arm) in arms.iter().enumerate().filter(|&(a, _)| a != baseline) {
        if summary.get(arm).copied().unwrap_or(0) < most {
            return Err(cut(SUMMARY.name, format!("metrics of arm {arm:?}")));
        }
    }
    Ok(())
}

/// The manifest's arms, then any others named in the series or summary.
fn arm_order(manifest: &Manifest, series: &[SeriesRow], summary: &[SummaryRow]) -> Vec<String> {
    let mut arms: Vec<String> = Vec::new();
    let listed = manifest.arms.iter().map(|a| a.name.as_str());
    let in_series = series.iter().map(|r| r.arm.as_str());
    let in_summary = summary.iter().map(|r| r.arm.as_str());
    for name in listed.chain(in_series).chain(in_summary) {
        if !arms.iter().any(|a| a == name) {
            arms.push(name.to_string());
        }
    }
    arms
}

fn pick_baseline(arms: &[String]) -> Result<String> {
    let baseline = arms.iter().find(|a| *a == "baseline").or(arms.first());
    baseline
        .cloned()
        .context("manifest.json lists no arm and timeseries.csv has no row")
}

fn collect_series(rows: Vec<SeriesRow>) -> BTreeMap<String, BTreeMap<u64, Replication>> {
    let mut series: BTreeMap<String, BTreeMap<u64, Replication>> = BTreeMap::new();
    for row in rows {
        let rep = series
            .entry(row.arm)
            .or_default()
            .entry(row.replication)
            .or_default();
        rep.set(Measure::Campaigns, row.day, row.campaigns);
        rep.set(Measure::Compromises, row.day, row.compromises);
        rep.set(Measure::Losses, row.day, row.losses_usd);
        rep.set(Measure::Price, row.day, row.mean_price);
    }
    series
}

fn collect_providers(
    rows: Vec<ProviderRow>,
    days: usize,
) -> BTreeMap<String, BTreeMap<String, Vec<f64>>> {
    let mut providers: BTreeMap<String, BTreeMap<String, Vec<f64>>> = BTreeMap::new();
    for row in rows.into_iter().filter(|r| r.day < days) {
        let seats = providers
            .entry(row.arm)
            .or_default()
            .entry(row.provider)
            .or_insert_with(|| vec![0.0; days]);
        seats[row.day] = row.seats_used.filter(|s| s.is_finite()).unwrap_or(0.0);
    }
    providers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_only_columns_the_run_writes() {
        let header = crate::output::records::TIMESERIES_HEADER;
        for column in TIMESERIES.columns {
            assert!(header.contains(column), "timeseries.csv has no {column}");
        }
    }
}
