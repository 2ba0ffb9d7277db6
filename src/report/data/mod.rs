//! Reading and checking a results folder (see `docs/RESULTS.md`).
//!
//! The tables whose rows grow with the replications, `timeseries.csv` and
//! `segments.csv`, are read row by row into what the plots show (daily
//! bands, sums per segment) and counts per (arm, replication), so the memory
//! used does not grow with the replications.

mod complete;
mod segments;
mod series;
mod table;

use super::stats::Band;
use crate::output::folder::MANIFEST;
use anyhow::{Context, Result, bail, ensure};
use chrono::NaiveDate;
use complete::{Tables, check_complete};
pub use segments::{Dimension, Segments};
use serde::Deserialize;
use serde_json::Value;
use series::Series;
use std::collections::BTreeMap;
use std::path::Path;
use table::{PROVIDERS, SUMMARY, read_csv};

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

impl Measure {
    /// Every measure, in the order of their index (`m as usize`).
    pub const ALL: [Measure; 4] = [
        Measure::Campaigns,
        Measure::Compromises,
        Measure::Losses,
        Measure::Price,
    ];
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
    /// The daily bands of `timeseries.csv`.
    series: Series,
    /// Per arm, per provider, mean seats used per day.
    pub providers: BTreeMap<String, BTreeMap<String, Vec<f64>>>,
    /// Compromises of `segments.csv` per arm and segment.
    pub segments: Segments,
    /// Rows of `summary.csv`.
    pub summary: Vec<SummaryRow>,
}

/// The columns of `providers.csv` the report reads.
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
        let series = Series::read(dir, limit)?;
        let provider_rows: Vec<ProviderRow> = read_csv(dir, &PROVIDERS, limit)?;
        let segments = Segments::read(dir, limit)?;
        let summary: Vec<SummaryRow> = read_csv(dir, &SUMMARY, limit)?;
        if let (Some(days), Some(replications)) = (manifest.days, manifest.replications) {
            let tables = Tables {
                series: &series,
                providers: &provider_rows,
                segments: &segments,
                summary: &summary,
            };
            check_complete(dir, &manifest, days, replications, &tables)?;
        }
        let arms = arm_order(&manifest, series.arms(), &summary);
        let baseline = pick_baseline(&arms)?;
        let days = manifest.days.unwrap_or_else(|| series.days());
        Ok(Self {
            start,
            days,
            baseline,
            series,
            providers: collect_providers(provider_rows, days),
            segments,
            summary,
            arms,
            manifest,
        })
    }

    /// Per day, the band over an arm's replications of a measure, each
    /// replication smoothed by the trailing mean first if asked.
    pub fn bands(&self, arm: &str, m: Measure, smooth: bool) -> Vec<Option<Band>> {
        self.series.bands(arm, m, smooth, self.days)
    }

    /// Position of an arm in `arms` (used to pick its colour).
    pub fn arm_index(&self, arm: &str) -> usize {
        self.arms.iter().position(|a| a == arm).unwrap_or(0)
    }

    /// Per category of `dim`, the mean compromises of an arm over its
    /// replications in `timeseries.csv` (empty for an arm without segment rows).
    pub fn segment_means(&self, arm: &str, dim: Dimension) -> BTreeMap<&str, f64> {
        self.segments.means(arm, dim, self.series.replications(arm))
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

/// The manifest's arms, then any others named in the series or summary.
fn arm_order<'a>(
    manifest: &'a Manifest,
    in_series: impl Iterator<Item = &'a str>,
    summary: &'a [SummaryRow],
) -> Vec<String> {
    let mut arms: Vec<String> = Vec::new();
    let listed = manifest.arms.iter().map(|a| a.name.as_str());
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
mod tests;
