//! Reading and checking a calibration folder (written by `caasim calibrate`,
//! see [`crate::experiment::calibrate`]): `calibration.json`, `fit.csv`,
//! `posterior.csv`, `posterior_summary.csv`, the checkpoints
//! `generation-<g>.csv` (their distances only) and, for the scenario's name
//! and start date, `best-fit.toml`.

use super::files::{self, Population, Target};
use crate::experiment::calibrate::{IDENTITY, ParameterSummary};
use crate::report::sweep::read_json;
use anyhow::{Context, Result, bail, ensure};
use chrono::NaiveDate;
use serde::Deserialize;
use std::path::Path;

/// Observed against simulated values at the best fit.
pub const FIT: &str = "fit.csv";
/// The scenario with the posterior medians applied.
pub const BEST_FIT: &str = "best-fit.toml";

/// Whether `dir` holds a calibration: a `calibration.json` whose `kind` is
/// `"calibration"`, or, for a `calibration.json` without a `kind`, one next
/// to a `fit.csv`.
pub fn is_calibration_folder(dir: &Path) -> Result<bool> {
    let path = dir.join(IDENTITY);
    if !path.exists() {
        return Ok(false);
    }
    let value = read_json(&path)?;
    Ok(match value.get("kind") {
        Some(kind) => kind.as_str() == Some("calibration"),
        None => dir.join(FIT).exists(),
    })
}

/// The uniform prior of one calibrated parameter.
#[derive(Debug, Deserialize)]
pub struct Prior {
    /// Parameter path.
    pub parameter: String,
    /// Lowest value.
    pub low: f64,
    /// Highest value.
    pub high: f64,
    /// Whether the value is rounded when applied to the scenario.
    #[serde(default)]
    pub integer: bool,
}

/// The inputs of the calibration, from `calibration.json`.
#[derive(Debug, Deserialize)]
pub struct Inputs {
    /// The calibrated parameters, in column order.
    pub parameters: Vec<Prior>,
    /// Particles per generation.
    pub population: Option<u64>,
    /// Quantile of the previous distances that sets the next tolerance.
    pub alpha: Option<f64>,
    /// Replications per particle.
    pub replications: Option<u64>,
    /// Master seed.
    pub seed: Option<u64>,
    /// Scenario file.
    pub scenario: Option<String>,
    /// Targets file.
    pub targets: Option<String>,
    /// `--set` overrides.
    #[serde(default)]
    pub overrides: Vec<String>,
    /// Tolerance at which the calibration stops.
    pub final_tolerance: Option<f64>,
    /// caasim version.
    pub version: Option<String>,
    /// Version of the model (absent in folders written before it was recorded).
    pub model_version: Option<u32>,
}

/// Settings that may change between resumed runs.
#[derive(Debug, Default, Deserialize)]
pub struct Settings {
    /// Most generations.
    pub generations: Option<u64>,
    /// Most proposals per generation.
    pub max_attempts: Option<u64>,
    /// Replications of the best fit for `fit.csv`.
    pub final_replications: Option<u64>,
}

/// One complete generation of the ABC-SMC.
#[derive(Debug, Deserialize)]
pub struct Generation {
    /// Its number, from 0.
    pub generation: usize,
    /// Largest accepted distance (`None` for generation 0, the prior).
    pub tolerance: Option<f64>,
    /// Proposals made.
    pub attempts: Option<u64>,
    /// Accepted share of the proposals.
    pub acceptance_rate: Option<f64>,
    /// Effective sample size of the weights.
    pub ess: Option<f64>,
    /// Engine runs.
    pub runs: Option<u64>,
}

/// What `calibration.json` says.
#[derive(Debug, Deserialize)]
pub struct Identity {
    /// `complete` or `running`.
    pub status: Option<String>,
    /// Why the calibration stopped.
    pub stopped: Option<String>,
    /// The method, in words.
    pub method: Option<String>,
    /// Engine runs in all generations and the final fit.
    pub runs: Option<u64>,
    /// Engine runs of the final fit.
    pub final_runs: Option<u64>,
    /// Seconds spent.
    pub elapsed_seconds: Option<f64>,
    /// Distance of the best fit over the final replications.
    pub best_fit_distance: Option<f64>,
    /// Fingerprint of the inputs.
    pub fingerprint: Option<String>,
    /// The complete generations.
    #[serde(default)]
    pub generations: Vec<Generation>,
    /// The inputs.
    pub inputs: Inputs,
    /// Settings of the last run.
    #[serde(default)]
    pub settings: Settings,
}

/// What `best-fit.toml` tells of the scenario.
#[derive(Debug, Default)]
pub struct Scenario {
    /// `scenario.name`.
    pub name: Option<String>,
    /// `scenario.description`.
    pub description: Option<String>,
    /// `scenario.start_date`: day 0 of the time plots.
    pub start: Option<NaiveDate>,
}

/// Everything the calibration plots and page need.
#[derive(Debug)]
pub struct Calibration {
    /// `calibration.json`.
    pub identity: Identity,
    /// The scenario's name and dates.
    pub scenario: Scenario,
    /// The targets with their rows of `fit.csv`, in file order.
    pub targets: Vec<Target>,
    /// `posterior.csv`.
    pub posterior: Population,
    /// `posterior_summary.csv`, one row per parameter in column order.
    pub summary: Vec<ParameterSummary>,
    /// Distances of the particles of each generation, when its checkpoint
    /// `generation-<g>.csv` is in the folder.
    pub distances: Vec<Option<Vec<f64>>>,
}

impl Calibration {
    /// Reads and checks the files of the calibration folder `dir`.
    pub fn load(dir: &Path) -> Result<Self> {
        let identity = read_identity(dir)?;
        let names: Vec<&str> = (identity.inputs.parameters.iter())
            .map(|p| p.parameter.as_str())
            .collect();
        let targets = files::read_fit(&dir.join(FIT))?;
        let posterior = files::read_population(&dir.join("posterior.csv"), &names)?;
        let summary = files::read_summary(&dir.join("posterior_summary.csv"), &names)?;
        let distances = (identity.generations.iter())
            .map(|g| generation_distances(dir, g.generation, &names))
            .collect::<Result<_>>()?;
        Ok(Self {
            scenario: read_scenario(&dir.join(BEST_FIT))?,
            identity,
            targets,
            posterior,
            summary,
            distances,
        })
    }

    /// The calibrated parameters' priors, in column order.
    pub fn priors(&self) -> &[Prior] {
        &self.identity.inputs.parameters
    }

    /// The scenario's name, or its file, or a phrase.
    pub fn scenario_name(&self) -> &str {
        (self.scenario.name.as_deref())
            .or(self.identity.inputs.scenario.as_deref())
            .unwrap_or("the scenario")
    }

    /// The targets with one value (not a series).
    pub fn single_targets(&self) -> impl Iterator<Item = &Target> {
        self.targets.iter().filter(|t| !t.is_series())
    }

    /// The `series` targets.
    pub fn series_targets(&self) -> impl Iterator<Item = &Target> {
        self.targets.iter().filter(|t| t.is_series())
    }
}

fn read_identity(dir: &Path) -> Result<Identity> {
    let path = dir.join(IDENTITY);
    let identity: Identity = serde_json::from_value(read_json(&path)?)
        .with_context(|| format!("{} is malformed", path.display()))?;
    let name = path.display();
    if let Some(status) = identity.status.as_deref().filter(|s| *s != "complete") {
        bail!(
            "{name}: status {status:?}: the calibration has not finished (fit.csv and the \
             posterior are written at its end); run `caasim calibrate` again to finish it"
        );
    }
    let priors = &identity.inputs.parameters;
    ensure!(!priors.is_empty(), "{name} lists no parameters");
    for (k, prior) in priors.iter().enumerate() {
        ensure!(
            prior.low.is_finite() && prior.high.is_finite() && prior.low < prior.high,
            "{name}: the range {} to {} of {} is not a finite range from low to high",
            prior.low,
            prior.high,
            prior.parameter
        );
        ensure!(
            !priors[..k].iter().any(|p| p.parameter == prior.parameter),
            "{name}: the parameter {} is listed twice",
            prior.parameter
        );
    }
    Ok(identity)
}

/// The distances of `generation-<g>.csv`, if the checkpoint is there.
fn generation_distances(dir: &Path, g: usize, names: &[&str]) -> Result<Option<Vec<f64>>> {
    let path = dir.join(format!("generation-{g}.csv"));
    if !path.exists() {
        return Ok(None);
    }
    Ok(Some(files::read_population(&path, names)?.distances))
}

/// The name, description and start date of `best-fit.toml`; nothing when
/// the file is absent.
fn read_scenario(path: &Path) -> Result<Scenario> {
    if !path.exists() {
        return Ok(Scenario::default());
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let table: toml::Table = text
        .parse()
        .with_context(|| format!("{} is not valid TOML", path.display()))?;
    let Some(scenario) = table.get("scenario").and_then(toml::Value::as_table) else {
        return Ok(Scenario::default());
    };
    let text_of = |key: &str| scenario.get(key).and_then(toml::Value::as_str);
    let start = match text_of("start_date") {
        Some(date) => Some(
            NaiveDate::parse_from_str(date, "%Y-%m-%d").with_context(|| {
                format!(
                    "{}: scenario.start_date {date:?} is not a date YYYY-MM-DD",
                    path.display()
                )
            })?,
        ),
        None => None,
    };
    Ok(Scenario {
        name: text_of("name").map(String::from),
        description: text_of("description").map(String::from),
        start,
    })
}
