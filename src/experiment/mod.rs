//! Experiments: every arm of a model for every replication, run in parallel,
//! and the effects of each intervention arm against the baseline; sweeps of
//! such experiments over a design of parameter values ([`design`], [`sweep`]).
//!
//! Replications are independent and each draws only from its own keyed
//! streams, so the order in which rayon schedules them changes nothing;
//! results are collected in (arm, replication) order.

pub mod calibrate;
pub mod design;
pub mod effects;
pub mod gsa;
pub mod sensitivity;
pub mod sweep;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::engine;
use crate::model::Model;
use crate::output::records::RunOutput;
use crate::output::stats::{Estimate, estimate};

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
    /// When set, runs not yet started are skipped and the experiment returns `None`.
    pub cancel: Option<&'a AtomicBool>,
}

/// Run every arm of the model for `model.replications` replications, in
/// parallel over replications (each shares its days before the
/// interventions between its arms: [`engine::run_replication`]).
/// Returns `None` when cancelled.
pub fn run(model: &Model, hooks: &Hooks) -> Option<Experiment> {
    let replications = model.replications;
    let arms = model.arms.len();
    let done = AtomicUsize::new(0);
    let cancelled = || hooks.cancel.is_some_and(|c| c.load(Ordering::Relaxed));
    let by_replication: Vec<Option<Vec<RunOutput>>> = (0..replications)
        .into_par_iter()
        .map(|replication| {
            if cancelled() {
                return None;
            }
            let outputs = engine::run_replication(model, replication, hooks.cancel)?;
            let finished = done.fetch_add(arms, Ordering::Relaxed) + arms;
            if let Some(report) = hooks.on_run_done {
                report(finished);
            }
            Some(outputs)
        })
        .collect();
    if cancelled() {
        return None;
    }
    let by_replication = by_replication.into_iter().collect::<Option<Vec<_>>>()?;
    let mut runs = vec![RunOutput::default(); arms * replications as usize];
    for (replication, outputs) in by_replication.into_iter().enumerate() {
        for (arm, output) in outputs.into_iter().enumerate() {
            runs[arm * replications as usize + replication] = output;
        }
    }
    Some(Experiment { runs, replications })
}

/// One row of the summary: an arm, a metric and its estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    /// Intervention arm.
    pub arm: String,
    /// Metric name (see [`effects::METRICS`]).
    pub metric: &'static str,
    /// Mean and 95% interval over replications.
    pub estimate: Estimate,
}

impl Experiment {
    /// The run of `arm` in `replication`.
    pub fn run_of(&self, arm: usize, replication: u32) -> &RunOutput {
        &self.runs[arm * self.replications as usize + replication as usize]
    }

    /// The effects of every intervention arm against the baseline (arm 0).
    pub fn summary(&self, model: &Model) -> Vec<SummaryRow> {
        let mut rows = Vec::new();
        for (a, plan) in model.arms.iter().enumerate().skip(1) {
            let per_replication: Vec<Vec<Option<f64>>> = (0..self.replications)
                .map(|r| effects::effects(self.run_of(0, r), self.run_of(a, r), plan))
                .collect();
            for (m, metric) in effects::METRICS.iter().enumerate() {
                let values: Vec<Option<f64>> = per_replication.iter().map(|v| v[m]).collect();
                rows.push(SummaryRow {
                    arm: plan.name.clone(),
                    metric,
                    estimate: estimate(&values),
                });
            }
        }
        rows
    }
}
