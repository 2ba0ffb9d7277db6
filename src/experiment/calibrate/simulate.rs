//! Evaluating a particle: its model (parameters applied, its own seed, only
//! the arms the targets need), the run, the simulated value of each target
//! and the distance to the observations.

use anyhow::{Context, Result};

use super::setup::Setup;
use super::targets::{Attribution, KEY_COLUMNS, Target, TargetKind};
use crate::engine::record::{DAY_COLUMNS, DayRecord, OUTPUT_COLUMNS, RunOutput, timeseries_header};
use crate::experiment::{self, Experiment, Hooks, effects};
use crate::model::Model;
use crate::stats::mean_defined;

impl Target {
    /// Simulated values `[component][replication]` of an experiment of `model`.
    pub fn simulated(&self, experiment: &Experiment, model: &Model) -> Vec<Vec<Option<f64>>> {
        let index = |name: &str| {
            (model.arms.iter())
                .position(|a| a.name == name)
                .expect("targets are resolved against the model's arms")
        };
        let (arm, versus) = (index(&self.arm), index(&self.versus));
        let runs = |r: u32| {
            (
                &experiment.run_of(versus, r).days,
                &experiment.run_of(arm, r).days,
            )
        };
        let value = |r: u32, day: usize, column: usize| {
            self.value_on(experiment.run_of(arm, r), day, column)
        };
        let reps = 0..experiment.replications;
        match &self.kind {
            TargetKind::Summary {
                metric,
                window_start,
                window_end,
                ..
            } => {
                let mut plan = model.arms[arm].clone();
                (plan.window_start, plan.window_end) = (*window_start, *window_end);
                let values = reps
                    .map(|r| {
                        effects::effects(
                            experiment.run_of(versus, r),
                            experiment.run_of(arm, r),
                            &plan,
                            model.burn_in_days,
                        )[*metric]
                    })
                    .collect();
                vec![values]
            }
            TargetKind::Level {
                column,
                from_day,
                to_day,
                ..
            } => {
                let days = *from_day as usize..=*to_day as usize;
                let mean = |r: u32| {
                    let values: Vec<_> = days.clone().map(|d| value(r, d, *column)).collect();
                    mean_defined(&values)
                };
                vec![reps.map(mean).collect()]
            }
            TargetKind::Share {
                column,
                from_day,
                to_day,
                ..
            } => {
                let days = *from_day as usize..=*to_day as usize;
                let share = |r: u32| {
                    let run = experiment.run_of(arm, r);
                    let sum = |f: &dyn Fn(usize) -> Option<f64>| -> f64 {
                        days.clone().filter_map(f).sum()
                    };
                    let held = sum(&|d| self.value_on(run, d, *column));
                    let total = sum(&|d| column_value(&run.days[d], *column));
                    (total > 0.0).then(|| held / total)
                };
                vec![reps.map(share).collect()]
            }
            TargetKind::Recovery { start, .. } => {
                let start = *start as usize;
                vec![
                    reps.map(|r| Some(censored_recovery(runs(r).0, runs(r).1, start)))
                        .collect(),
                ]
            }
            TargetKind::Series { column, points } => points
                .iter()
                .map(|&(day, _)| {
                    reps.clone()
                        .map(|r| value(r, day as usize, *column))
                        .collect()
                })
                .collect(),
        }
    }

    /// The value of a `timeseries.csv` column on recorded day `day` of
    /// `run`: the market's, or summed over the providers of the target's
    /// attribution (0 when it covers no provider that day; `None` for an
    /// empty market value or a column not attributed to providers).
    fn value_on(&self, run: &RunOutput, day: usize, column: usize) -> Option<f64> {
        if self.attribution == Attribution::Market {
            return column_value(&run.days[day], column);
        }
        let name = timeseries_header()[column];
        let measure = OUTPUT_COLUMNS.iter().find(|c| c.name == name)?;
        let providers = run.provider_days[day].iter().enumerate();
        let covered = providers.filter(|(j, _)| {
            let class = run.provider_classes.get(*j).map_or("", String::as_str);
            let operator = run.provider_operators.get(*j).copied().unwrap_or(*j);
            self.attribution.covers(operator, class)
        });
        Some(
            covered
                .filter_map(|(_, p)| (measure.value)(&p.output).as_f64())
                .sum(),
        )
    }
}

/// Days to recover (see [`effects::days_to_recover`], searched to the end of
/// the run); a run that never recovers counts as recovering the day after it ends.
fn censored_recovery(base: &[DayRecord], hit: &[DayRecord], start: usize) -> f64 {
    effects::days_to_recover(base, hit, start).unwrap_or(hit.len() - start) as f64
}

/// The value of a `timeseries.csv` column on one day (`None` if empty).
fn column_value(day: &DayRecord, column: usize) -> Option<f64> {
    (DAY_COLUMNS[column - KEY_COLUMNS].value)(day).as_f64()
}

/// Simulated means `[target][component]` over replications.
pub fn simulated_means(
    targets: &[Target],
    experiment: &Experiment,
    model: &Model,
) -> Vec<Vec<Option<f64>>> {
    targets
        .iter()
        .map(|t| {
            t.simulated(experiment, model)
                .iter()
                .map(|c| mean_defined(c))
                .collect()
        })
        .collect()
}

/// `sqrt(sum over targets of the mean squared z of its components)`, each
/// z zero on the allowed side of a bounded target ([`Bound::z`](super::Bound::z));
/// infinite when a simulated value is undefined.
pub fn distance(targets: &[Target], means: &[Vec<Option<f64>>]) -> f64 {
    let mut total = 0.0;
    for (target, sim) in targets.iter().zip(means) {
        let observed = target.observed();
        let mut sum = 0.0;
        for ((_, obs), sim) in observed.iter().zip(sim) {
            let Some(sim) = sim else { return f64::INFINITY };
            sum += target.bound.z(*sim, *obs, target.sd).powi(2);
        }
        total += sum / observed.len() as f64;
    }
    total.sqrt()
}

impl Setup {
    /// The model of one particle: parameters applied, own seed, only the arms
    /// the targets need.
    pub(super) fn particle_model(
        &self,
        theta: &[f64],
        seed: u64,
        replications: u32,
    ) -> Result<Model> {
        let assignments: Vec<String> = self
            .parameters
            .iter()
            .zip(theta)
            .map(|(p, &v)| p.assignment(v))
            .collect();
        let mut model = self.model_with(&assignments).map_err(|e| {
            anyhow::anyhow!("the scenario is invalid at {}: {e}", assignments.join(" "))
        })?;
        model.seed = seed;
        model.replications = replications;
        let needed = |a: &crate::model::config::ArmPlan| {
            (self.targets.iter()).any(|t| t.arm == a.name || t.versus == a.name)
        };
        let arms: Vec<_> = model
            .arms
            .iter()
            .enumerate()
            .filter(|(i, a)| *i == 0 || needed(a))
            .map(|(_, a)| a.clone())
            .collect();
        model.arms = arms;
        Ok(model)
    }
}

/// Simulate one particle and return its distance.
pub(super) fn evaluate(setup: &Setup, theta: &[f64], seed: u64) -> Result<f64> {
    let model = setup.particle_model(theta, seed, setup.config.replications)?;
    let experiment =
        experiment::run(&model, &Hooks::default()).context("a run without a cancel flag ends")?;
    Ok(distance(
        &setup.targets,
        &simulated_means(&setup.targets, &experiment, &model),
    ))
}

/// Intervention arms the targets need.
pub(super) fn arms_run(setup: &Setup) -> usize {
    setup
        .base
        .arms
        .iter()
        .skip(1)
        .filter(|a| (setup.targets.iter()).any(|t| t.arm == a.name || t.versus == a.name))
        .count()
}
