//! What to calibrate ([`CalibrationConfig`]) and everything checked before
//! the first run: the settings, the scenario and its overrides, the targets,
//! the parameters (integer fields or not, loading at both ends of their
//! ranges), and the inputs that identify the calibration (its fingerprint).

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use serde_json::{Value, json};

use super::role::Role;
use super::targets::{Target, load_targets, targets_fingerprint};
use crate::experiment::design::{Range, fnv1a};
use crate::experiment::parameter::Parameter;
use crate::model::Model;
use crate::scenario;

/// Largest population (importance weights cost population squared).
pub const MAX_POPULATION: usize = 100_000;

/// What to calibrate, against what, and how.
#[derive(Debug, Clone)]
pub struct CalibrationConfig {
    /// The scenario file.
    pub scenario_file: PathBuf,
    /// `key.path=value` overrides applied before the parameters (as `--set`).
    pub overrides: Vec<String>,
    /// The targets file.
    pub targets_file: PathBuf,
    /// Parameters and their uniform priors.
    pub parameters: Vec<Range>,
    /// Particles per generation.
    pub population: usize,
    /// Largest number of generations, generation 0 included.
    pub generations: usize,
    /// Stop once a generation's tolerance is at most this (tolerances never go below it).
    pub final_tolerance: Option<f64>,
    /// Quantile of the previous distances that sets the next tolerance.
    pub alpha: f64,
    /// Replications per particle.
    pub replications: u32,
    /// Seed of the calibration's streams (default: the scenario's).
    pub seed: Option<u64>,
    /// Replications of the best fit for `fit.csv`.
    pub final_replications: u32,
    /// Largest number of proposals in one generation (default: 50 x population).
    pub max_attempts: Option<usize>,
    /// Write into a non-empty folder caasim did not write.
    pub force: bool,
}

impl CalibrationConfig {
    /// A configuration with the defaults: 200 particles, 6 generations,
    /// alpha 0.5, 3 replications per particle, 20 for the final fit.
    pub fn new(scenario_file: &Path, targets_file: &Path, parameters: Vec<Range>) -> Self {
        CalibrationConfig {
            scenario_file: scenario_file.to_path_buf(),
            overrides: Vec::new(),
            targets_file: targets_file.to_path_buf(),
            parameters,
            population: 200,
            generations: 6,
            final_tolerance: None,
            alpha: 0.5,
            replications: 3,
            seed: None,
            final_replications: 20,
            max_attempts: None,
            force: false,
        }
    }

    pub(super) fn max_attempts(&self) -> usize {
        self.max_attempts.unwrap_or(50 * self.population)
    }
}

/// Everything checked before the first run.
pub(super) struct Setup {
    pub(super) config: CalibrationConfig,
    pub(super) text: String,
    pub(super) origin: String,
    pub(super) base: Model,
    pub(super) targets: Vec<Target>,
    pub(super) parameters: Vec<Parameter>,
    pub(super) ranges: Vec<Range>,
    pub(super) seed: u64,
    pub(super) inputs: Value,
    pub(super) fingerprint: String,
}

/// The targets calibration fits: those whose `role` is `fit` (a `check`
/// target is only predicted, by a validation).
fn fitted(targets: Vec<Target>, file: &Path) -> Result<Vec<Target>> {
    let fitted: Vec<Target> = (targets.into_iter())
        .filter(|t| t.role == Role::Fit)
        .collect();
    anyhow::ensure!(
        !fitted.is_empty(),
        "{}: every target has role = \"check\"; calibration needs at least one to fit",
        file.display()
    );
    Ok(fitted)
}

impl Setup {
    /// Read and check the scenario, targets and parameters.
    pub(super) fn new(config: &CalibrationConfig) -> Result<Setup> {
        check_settings(config)?;
        let text =
            scenario::load::read_text(&config.scenario_file).map_err(|e| anyhow::anyhow!("{e}"))?;
        let origin = config.scenario_file.display().to_string();
        let base = scenario::load_text(&text, &origin, &config.overrides)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let targets = fitted(
            load_targets(&config.targets_file, &base).map_err(|e| anyhow::anyhow!("{e}"))?,
            &config.targets_file,
        )?;
        let mut setup = Setup {
            config: config.clone(),
            seed: config.seed.unwrap_or(base.seed),
            text,
            origin,
            base,
            targets,
            parameters: Vec::new(),
            ranges: config.parameters.clone(),
            inputs: Value::Null,
            fingerprint: String::new(),
        };
        setup.parameters = config
            .parameters
            .iter()
            .map(|r| {
                Parameter::check(r, "calibration parameter", |assignment| {
                    setup.model_with(&[assignment]).map(drop)
                })
            })
            .collect::<Result<_>>()?;
        setup.inputs = setup.identity_inputs()?;
        // Contents, not paths, identify the calibration (the folder may move).
        let mut identity = setup.inputs.clone();
        if let Some(fields) = identity.as_object_mut() {
            fields.remove("scenario");
            fields.remove("targets");
        }
        setup.fingerprint = format!("{:016x}", fnv1a(identity.to_string().as_bytes()));
        Ok(setup)
    }

    /// The model with `assignments` applied after the configured overrides.
    pub(super) fn model_with(
        &self,
        assignments: &[String],
    ) -> Result<Model, scenario::ScenarioError> {
        let mut overrides = self.config.overrides.clone();
        overrides.extend_from_slice(assignments);
        scenario::load_text(&self.text, &self.origin, &overrides)
    }

    /// The inputs that determine the result (the fingerprint's content).
    fn identity_inputs(&self) -> Result<Value> {
        let c = &self.config;
        Ok(json!({
            "version": env!("CARGO_PKG_VERSION"),
            "model_version": crate::model::MODEL_VERSION,
            "scenario": self.origin,
            "scenario_fingerprint": format!("{:016x}", fnv1a(self.text.as_bytes())),
            "overrides": c.overrides,
            "targets": c.targets_file.display().to_string(),
            "targets_fingerprint": targets_fingerprint(&c.targets_file)?,
            "parameters": self.parameters.iter().map(|p| json!({
                "parameter": p.range.parameter, "low": p.range.low, "high": p.range.high, "integer": p.integer,
            })).collect::<Vec<_>>(),
            "population": c.population,
            "alpha": c.alpha,
            "replications": c.replications,
            "seed": self.seed,
            "final_tolerance": c.final_tolerance,
        }))
    }
}

/// Settings that need no file.
fn check_settings(c: &CalibrationConfig) -> Result<()> {
    if c.parameters.is_empty() {
        bail!("calibration: give at least one parameter with its range");
    }
    for (i, r) in c.parameters.iter().enumerate() {
        if !(r.low.is_finite() && r.high.is_finite() && r.low < r.high) {
            bail!(
                "calibration parameter {}: the range must be finite with low < high",
                r.parameter
            );
        }
        if c.parameters[..i].iter().any(|o| o.parameter == r.parameter) {
            bail!("calibration parameter {} is given twice", r.parameter);
        }
    }
    if !(2..=MAX_POPULATION).contains(&c.population) {
        bail!(
            "calibration: the population must be 2 to {MAX_POPULATION}, not {}",
            c.population
        );
    }
    if c.generations == 0 {
        bail!("calibration: at least one generation");
    }
    if !(c.alpha > 0.0 && c.alpha < 1.0) {
        bail!(
            "calibration: alpha must be between 0 and 1 (exclusive), not {}",
            c.alpha
        );
    }
    if c.replications == 0 || c.final_replications == 0 {
        bail!("calibration: replications must be at least 1");
    }
    if c.final_tolerance
        .is_some_and(|t| !(t.is_finite() && t >= 0.0))
    {
        bail!("calibration: the final tolerance must be a number, 0 or more");
    }
    if c.max_attempts() < c.population || c.max_attempts() > u32::MAX as usize {
        bail!("calibration: max_attempts must be at least the population and fit in 32 bits");
    }
    Ok(())
}
