//! Reading and checking a results folder (see `docs/RESULTS.md`).
//!
//! The tables whose rows grow with the replications, `timeseries.csv` and
//! `segments.csv`, are read row by row into what the plots show: daily
//! bands, and per (arm, replication) counts and sums per country and sector,
//! so the memory used grows with the replications only by those sums, not
//! by the days or segments' rows.

mod complete;
mod ensemble;
mod segments;
mod series;
mod table;

use super::stats::Band;
use crate::output::folder::MANIFEST;
use anyhow::{Context, Result, bail, ensure};
use chrono::NaiveDate;
use complete::{Tables, check_complete, check_summary_only};
pub use ensemble::{ManifestFile, Parameters, VoiRow};
pub use segments::{Dimension, Segments};
use serde::Deserialize;
use serde_json::Value;
use series::Series;
use std::collections::BTreeMap;
use std::path::Path;
use table::{PROVIDERS, SUMMARY, TIMESERIES, read_csv};

/// Largest number of days accepted when the manifest does not say.
const MAX_DAYS: usize = 100_000;

/// Provenance and arms, from `manifest.json` (its `tool` is checked on reading).
#[derive(Debug, Deserialize)]
pub struct Manifest {
    /// Version of caasim.
    pub version: Option<String>,
    /// Version of the model (absent in folders written before it was recorded).
    pub model_version: Option<u32>,
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
    /// How the scenario's `[uncertain]` parameters were run (absent without them).
    #[serde(default)]
    pub parameters: Option<Parameters>,
    /// The files the run wrote.
    #[serde(default)]
    pub files: Vec<ManifestFile>,
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
    /// What it is compared with: the baseline (an effect) or another arm
    /// (a contrast).
    pub versus: String,
    /// The replications it covers: `all`, or one side of a fork.
    pub outcome: String,
    /// Metric name.
    pub metric: String,
    /// What `estimate` is: `mean`, `share`, `median`, `difference` or `ratio`.
    pub statistic: String,
    /// The point estimate.
    pub estimate: Option<f64>,
    /// Lower end of the 95% interval.
    pub ci_low: Option<f64>,
    /// Upper end of the 95% interval.
    pub ci_high: Option<f64>,
    /// Replications counted (for a median, censored ones too).
    pub n: Option<u64>,
    /// How the interval is made and over which units.
    pub interval: String,
    /// Draws with the metric defined (absent without an ensemble).
    #[serde(default)]
    pub draws: Option<u64>,
    /// 5% quantile of the draws' means: the lower end of the 90% interval
    /// across the ensemble.
    #[serde(default)]
    pub ensemble_p05: Option<f64>,
    /// 95% quantile of the draws' means.
    #[serde(default)]
    pub ensemble_p95: Option<f64>,
    /// Variance of the effect due to parameter uncertainty.
    #[serde(default)]
    pub var_parameter: Option<f64>,
    /// Variance of the effect between replications of a draw (simulation noise).
    #[serde(default)]
    pub var_noise: Option<f64>,
}

impl SummaryRow {
    /// An effect over every replication (not a contrast or one side of a fork).
    fn is_effect(&self) -> bool {
        self.outcome == "all" && !self.is_contrast()
    }

    /// A contrast between two intervention arms.
    fn is_contrast(&self) -> bool {
        matches!(self.statistic.as_str(), "difference" | "ratio")
    }
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
    /// The effects of `summary.csv`: its rows over every replication
    /// against the baseline.
    pub summary: Vec<SummaryRow>,
    /// The contrasts of `summary.csv` (one arm against another).
    pub contrasts: Vec<SummaryRow>,
    /// The rows of `summary.csv` on one side of a fork (`outcome` not `all`).
    pub forks: Vec<SummaryRow>,
    /// Rows of `voi.csv` (empty without an ensemble).
    pub voi: Vec<VoiRow>,
    /// The run kept only its summary: no time series, providers or segments.
    pub summary_only: bool,
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
    /// Reads and checks every file of the folder; of a summary-only folder
    /// (see [`Manifest::summary_only`]) the summary and the ensemble's tables.
    pub fn load(dir: &Path) -> Result<Self> {
        let manifest = read_manifest(dir)?;
        let start = parse_start(&manifest)?;
        let limit = manifest.days.unwrap_or(MAX_DAYS);
        ensure!(
            limit <= MAX_DAYS,
            "manifest.json: days = {limit} is more than the {MAX_DAYS} the report can show"
        );
        let summary_only = manifest.summary_only();
        let tables = match summary_only {
            true => Daily::default(),
            false => Daily::read(dir, limit)?,
        };
        let rows: Vec<SummaryRow> = read_csv(dir, &SUMMARY, limit)?;
        let (summary, others): (Vec<SummaryRow>, Vec<SummaryRow>) =
            rows.into_iter().partition(SummaryRow::is_effect);
        let (contrasts, forks) = others.into_iter().partition(SummaryRow::is_contrast);
        match summary_only {
            true => check_summary_only(dir, &manifest, &summary)?,
            false => tables.check(dir, &manifest, &summary)?,
        }
        let voi = match summary.iter().any(|r| r.draws.is_some()) {
            true => ensemble::read_voi(dir)?,
            false => Vec::new(),
        };
        let arms = arm_order(&manifest, tables.series.arms(), &summary);
        let baseline = pick_baseline(&arms)?;
        let days = manifest.days.unwrap_or_else(|| tables.series.days());
        Ok(Self {
            start,
            days,
            baseline,
            series: tables.series,
            providers: collect_providers(tables.providers, days),
            segments: tables.segments,
            summary,
            contrasts,
            forks,
            voi,
            summary_only,
            arms,
            manifest,
        })
    }

    /// Whether the summary holds an ensemble's columns (the 90% interval
    /// across the draws and the split of the variance).
    pub fn is_ensemble(&self) -> bool {
        !self.voi.is_empty() || self.summary.iter().any(|r| r.draws.is_some())
    }

    /// The row of `summary.csv` of `arm` and `metric`.
    pub fn summary_row(&self, arm: &str, metric: &str) -> Option<&SummaryRow> {
        self.summary
            .iter()
            .find(|r| r.arm == arm && r.metric == metric)
    }

    /// The rows of `voi.csv` of `arm` and `metric`, by rank.
    pub fn voi_of(&self, arm: &str, metric: &str) -> Vec<&VoiRow> {
        let mut rows: Vec<&VoiRow> = (self.voi.iter())
            .filter(|r| r.arm == arm && r.metric == metric)
            .collect();
        rows.sort_by_key(|r| r.rank);
        rows
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

    /// The numbers of an arm's replications in `timeseries.csv`, ascending.
    pub fn series_replications(&self, arm: &str) -> Vec<u64> {
        self.series.replication_numbers(arm).collect()
    }

    /// The replications of both the baseline and `arm` in `timeseries.csv`,
    /// ascending: those in which the arm can be compared with the baseline.
    pub fn paired_replications(&self, arm: &str) -> Vec<u64> {
        let baseline = self.series_replications(&self.baseline);
        (self.series.replication_numbers(arm))
            .filter(|r| baseline.binary_search(r).is_ok())
            .collect()
    }

    /// Replications per parameter draw, when the run is an ensemble
    /// (the manifest's `parameters` give draws and replications per draw).
    pub fn replications_per_draw(&self) -> Option<usize> {
        let parameters = self.manifest.parameters.as_ref()?;
        let per_draw = parameters.draws.and(parameters.replications_per_draw)?;
        Some(per_draw.max(1) as usize)
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

/// The tables read day by day: `timeseries.csv`, `providers.csv` and
/// `segments.csv` (all empty in a summary-only folder).
#[derive(Default)]
struct Daily {
    series: Series,
    providers: Vec<ProviderRow>,
    segments: Segments,
}

impl Daily {
    /// Reads the daily tables.
    fn read(dir: &Path, limit: usize) -> Result<Self> {
        Ok(Self {
            series: Series::read(dir, limit)?,
            providers: read_csv(dir, &PROVIDERS, limit)?,
            segments: Segments::read(dir, limit)?,
        })
    }

    /// Checks that the folder holds every row its manifest promises (when
    /// the manifest gives the days and replications).
    fn check(&self, dir: &Path, manifest: &Manifest, summary: &[SummaryRow]) -> Result<()> {
        let (Some(days), Some(replications)) = (manifest.days, manifest.replications) else {
            return Ok(());
        };
        let tables = Tables {
            series: &self.series,
            providers: &self.providers,
            segments: &self.segments,
            summary,
        };
        check_complete(dir, manifest, days, replications, &tables)
    }
}

impl Manifest {
    /// Whether the run kept only its summary (`--summary-only`): the
    /// manifest lists the files written, and `timeseries.csv` is not one.
    pub fn summary_only(&self) -> bool {
        !self.files.is_empty() && !self.files.iter().any(|f| f.path == TIMESERIES.name)
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
