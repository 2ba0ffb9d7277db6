//! Experiments: every arm of a model for every replication, run in parallel,
//! and the effects of each intervention arm against the baseline; sweeps of
//! such experiments over a design of parameter values ([`design`], [`sweep`];
//! [`parameter`] rounds the values of integer fields).
//!
//! Replications are independent and each draws only from its own keyed
//! streams, so the order in which rayon schedules them changes nothing.
//! [`run_each`] hands each finished replication to its caller in replication
//! order, a wave of replications at a time, so a caller that writes or folds
//! them as they come (the results tables, a [`Summary`]) holds at most one
//! wave in memory however many replications there are; [`run`] collects
//! every run instead, in (arm, replication) order.
//!
//! A scenario with uncertain parameters runs as an ensemble (each group of
//! replications on its parameter draw's model, [`Model::model_of`]); its
//! summary adds the spread across draws, [`voi`] the value of knowing each
//! parameter, and [`ensemble_tables`] writes both with the draws.
//!
//! [`coalition`] shares an arm's effect out among the partners of
//! its coalition: every subset of them runs as an arm of one model, and
//! [`shapley`] gives each partner's Shapley value from the subsets' effects.

pub mod calibrate;
pub mod coalition;
pub mod design;
pub mod effects;
pub mod effects_table;
pub mod ensemble_tables;
pub mod gsa;
pub mod jurisdiction_table;
pub mod metrics;
pub mod outcome;
pub mod parameter;
pub mod sensitivity;
pub mod shapley;
pub mod summary;
pub mod sweep;
pub mod tables;
pub mod validate;
pub mod voi;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::engine;
use crate::engine::record::RunOutput;
use crate::model::Model;
use crate::resources::wave_size;
pub use summary::{Contrast, Summary, SummaryRow};

/// Every run of an experiment, in (arm, replication) order.
#[derive(Debug, Clone)]
pub struct Experiment {
    /// `runs[arm * replications + replication]`.
    pub runs: Vec<RunOutput>,
    /// Replications per arm.
    pub replications: u32,
}

/// Observers of a running experiment.
#[derive(Default)]
pub struct Hooks<'a> {
    /// Called after each finished run with the number finished so far.
    pub on_run_done: Option<&'a (dyn Fn(usize) + Sync)>,
    /// When set, runs not yet started are skipped and the experiment stops.
    pub cancel: Option<&'a AtomicBool>,
}

/// Run every arm of the model for `model.replications` replications, in
/// parallel over replications (each shares its days before the
/// interventions between its arms: [`engine::run_replication`]; in an
/// ensemble, each runs on its parameter draw's model: [`Model::model_of`]), and give
/// each replication's runs (one per arm, in arm order) to `each`, in
/// replication order. Replications are simulated a wave ([`wave_size`]) at
/// a time. Returns `Ok(false)` when cancelled, and the first error of `each`.
pub fn run_each<E>(
    model: &Model,
    hooks: &Hooks,
    each: impl FnMut(Vec<RunOutput>) -> Result<(), E>,
) -> Result<bool, E> {
    run_each_in_waves(model, hooks, wave_size(), each)
}

/// [`run_each`] with waves of `wave` replications (at least one): small
/// waves hand replications over sooner, for a caller that shows results as
/// they come (a workshop room); the replications and their order are the
/// same whatever the wave.
pub fn run_each_in_waves<E>(
    model: &Model,
    hooks: &Hooks,
    wave: usize,
    mut each: impl FnMut(Vec<RunOutput>) -> Result<(), E>,
) -> Result<bool, E> {
    let replications = model.replications as usize;
    let arms = model.arms.len();
    let done = AtomicUsize::new(0);
    let cancelled = || hooks.cancel.is_some_and(|c| c.load(Ordering::Relaxed));
    let wave = wave.max(1);
    for first in (0..replications).step_by(wave) {
        let last = (first + wave).min(replications);
        let wave: Vec<Option<Vec<RunOutput>>> = (first..last)
            .into_par_iter()
            .map(|replication| {
                if cancelled() {
                    return None;
                }
                let replication = replication as u32;
                let on = model.model_of(replication);
                let outputs = engine::run_replication(on, replication, hooks.cancel)?;
                let finished = done.fetch_add(arms, Ordering::Relaxed) + arms;
                if let Some(report) = hooks.on_run_done {
                    report(finished);
                }
                Some(outputs)
            })
            .collect();
        if cancelled() {
            return Ok(false);
        }
        for outputs in wave {
            let Some(outputs) = outputs else {
                return Ok(false);
            };
            each(outputs)?;
        }
    }
    Ok(true)
}

/// Run every arm of the model for `model.replications` replications and
/// keep every run ([`run_each`] without a limit on memory: for experiments
/// whose records are needed together, such as a calibration's).
/// Returns `None` when cancelled.
pub fn run(model: &Model, hooks: &Hooks) -> Option<Experiment> {
    let replications = model.replications as usize;
    let mut runs = vec![RunOutput::default(); model.arms.len() * replications];
    let mut replication = 0;
    let finished = run_each(model, hooks, |outputs| {
        for (arm, output) in outputs.into_iter().enumerate() {
            runs[arm * replications + replication] = output;
        }
        replication += 1;
        Ok::<(), std::convert::Infallible>(())
    });
    matches!(finished, Ok(true)).then_some(Experiment {
        runs,
        replications: model.replications,
    })
}

/// Run the experiment and keep only its summary (each replication's
/// effects): memory does not grow with the records. Returns `None` when
/// cancelled.
pub fn run_summary(model: &Model, hooks: &Hooks) -> Option<Summary> {
    let mut summary = Summary::new(model);
    let finished = run_each(model, hooks, |outputs| {
        summary.add(model, |arm| &outputs[arm]);
        Ok::<(), std::convert::Infallible>(())
    });
    matches!(finished, Ok(true)).then_some(summary)
}

impl Experiment {
    /// The run of `arm` in `replication`.
    pub fn run_of(&self, arm: usize, replication: u32) -> &RunOutput {
        &self.runs[arm * self.replications as usize + replication as usize]
    }
}
