//! Validation against what happened (`caasim validate`): a suite of real
//! interventions, each read through the model as a scenario with targets
//! from published sources, fitted and predicted with one model.
//!
//! **Protocol.** Every case runs with one shared parameter set
//! (`shared.toml`), except at most [`MAX_CALIBRATED`] parameters of its
//! own, which are calibrated (ABC-SMC, [`crate::experiment::calibrate`])
//! to its `role = "fit"` targets only. The fitted model then predicts
//! every target, fit and check: each prediction replication draws its own
//! particle from the case's posterior, so the 90% interval holds the
//! posterior's uncertainty and the model's noise (and a draw of any
//! `[uncertain]` keys of the case's scenario, which its calibration holds
//! at their central values). A check target (a later
//! window, a second wave, another measure) is never fitted: whether its
//! observation falls inside its interval is the test.
//!
//! **Parts.** [`suite`] reads the suite's files; [`predict`] turns a run
//! into predictions and counts coverage; [`tables`] writes
//! `results/validation/`.

pub mod predict;
pub mod suite;
pub mod tables;

use std::path::Path;

use anyhow::{Context, Result};

pub use predict::{Coverage, INTERVAL, Prediction, coverage, predictions};
pub use suite::{Case, MAX_CALIBRATED, Settings, Suite};

use super::calibrate::{self, CalibrationConfig};
use super::{Hooks, run};
use crate::scenario;

/// The overrides under which `case` is calibrated: its scenario at the
/// central values of any `[uncertain]` table, with the shared set.
pub fn calibration_overrides(suite: &Suite, case: &Case) -> Vec<String> {
    let fixed = format!("{}=0", scenario::PER_DRAW_KEY);
    std::iter::once(fixed)
        .chain(suite.overrides(case))
        .collect()
}

/// Calibrate `case`'s parameters to its fit targets into `out` (a
/// calibration folder), with the suite's settings.
pub fn calibrate_case(
    suite: &Suite,
    case: &Case,
    out: &Path,
    progress: &dyn Fn(usize, usize),
) -> Result<calibrate::CalibrationResult> {
    let s = &suite.settings;
    let mut config = CalibrationConfig::new(&case.scenario, &case.targets, case.calibrated.clone());
    config.overrides = calibration_overrides(suite, case);
    config.population = s.population;
    config.generations = s.generations;
    config.replications = s.replications;
    config.final_replications = s.final_replications;
    calibrate::calibrate(&config, out, progress)
}

/// Predict every target of `case` from its calibration folder
/// `calibration` (`None` when cancelled).
pub fn predict_case(
    suite: &Suite,
    case: &Case,
    calibration: &Path,
    hooks: &Hooks,
) -> Result<Option<Vec<Prediction>>> {
    let mut overrides = suite.overrides(case);
    overrides.extend([
        format!(
            "scenario.replications={}",
            suite.settings.prediction_replications
        ),
        format!("{}=1", scenario::PER_DRAW_KEY),
    ]);
    let model = scenario::load_file_with_posterior(&case.scenario, &overrides, calibration)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| format!("case {}", case.name))?;
    let targets =
        calibrate::load_targets(&case.targets, &model).map_err(|e| anyhow::anyhow!("{e}"))?;
    let Some(experiment) = run(&model, hooks) else {
        return Ok(None);
    };
    Ok(Some(predictions(&case.name, &targets, &experiment, &model)))
}
