//! The summary of an experiment: every intervention arm's effects against
//! the baseline of the same replication, split by outcome where a random
//! event forks the runs ([`outcome`](super::outcome)), and the contrasts
//! between two arms that the user asked for. Each row says which
//! statistic it gives and over which units its interval runs.
//!
//! The effects are gathered one replication at a time (a few numbers per
//! replication, not its records), so memory does not grow with the size
//! of a run's records; they are also what `effects.csv` lists.

use super::effects;
use super::metrics::{METRICS, Statistic};
use super::outcome::Outcome;
use crate::engine::record::RunOutput;
use crate::model::Model;
use crate::stats::censored::median_estimate;
use crate::stats::nested::{Spread, draw_means, ensemble_estimate};
use crate::stats::paired::{differences, ratio_estimate};
use crate::stats::share::share_estimate;
use crate::stats::{Estimate, estimate};

/// One row of the summary: an estimate of one metric for one arm, against
/// the baseline (an effect) or against another arm (a contrast).
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    /// Intervention arm.
    pub arm: String,
    /// What the arm is compared with: the baseline arm's name for an
    /// effect, the other arm's for a contrast.
    pub versus: String,
    /// The replications it covers: [`Outcome::All`], or one outcome of a
    /// fork.
    pub outcome: Outcome,
    /// Metric name (see [`METRICS`]).
    pub metric: &'static str,
    /// What `estimate` holds and how its interval is made.
    pub statistic: Statistic,
    /// The point estimate, its 95% interval and the units counted.
    pub estimate: Estimate,
    /// Whether the interval runs over parameter draws (an ensemble) rather
    /// than replications.
    pub over_draws: bool,
    /// In an ensemble: the 90% interval across the parameter draws and the
    /// variance's split ([`crate::stats::nested`]); for a mean or a
    /// difference only.
    pub spread: Option<Spread>,
}

impl SummaryRow {
    /// Whether it is an effect over every replication: the rows a headline
    /// table shows.
    pub fn is_effect(&self) -> bool {
        self.outcome == Outcome::All && !self.statistic.is_contrast()
    }

    /// How the interval is made and over which units, as `summary.csv`'s
    /// `interval` column says it: replications (noise between them) or
    /// parameter draws (an ensemble: the draws' spread too).
    pub fn interval(&self) -> &'static str {
        match (self.statistic, self.over_draws) {
            (Statistic::Mean | Statistic::Difference, false) => "t over replications",
            (Statistic::Mean | Statistic::Difference, true) => "t over draws",
            (Statistic::Share, false) => "wilson over replications",
            (Statistic::Share, true) => "wilson over draws",
            (Statistic::Median, false) => "bootstrap over replications",
            (Statistic::Median, true) => "bootstrap over draws",
            (Statistic::Ratio, false) => "delta-method t over replications",
            (Statistic::Ratio, true) => "delta-method t over draws",
        }
    }
}

/// A contrast between two intervention arms (indices in the model).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contrast {
    /// The arm compared.
    pub arm: usize,
    /// The arm it is compared with.
    pub versus: usize,
}

/// The effects of every intervention arm against the baseline (arm 0),
/// gathered one replication at a time.
#[derive(Debug, Clone)]
pub struct Summary {
    /// `values[arm - 1][metric]`: the metric in each replication so far, in order.
    values: Vec<Vec<Vec<Option<f64>>>>,
    /// `outcomes[arm - 1]`: each replication's outcome so far, in order.
    outcomes: Vec<Vec<Outcome>>,
}

impl Summary {
    /// An empty summary of the model's intervention arms.
    pub fn new(model: &Model) -> Self {
        let arms = model.arms.len().saturating_sub(1);
        Summary {
            values: vec![vec![Vec::new(); METRICS.len()]; arms],
            outcomes: vec![Vec::new(); arms],
        }
    }

    /// Add the next replication: `run_of(arm)` is its run of each arm.
    pub fn add<'a>(&mut self, model: &Model, run_of: impl Fn(usize) -> &'a RunOutput) {
        for (a, plan) in model.arms.iter().enumerate().skip(1) {
            let values = effects::effects(run_of(0), run_of(a), plan, model.burn_in_days);
            for (metric, value) in self.values[a - 1].iter_mut().zip(values) {
                metric.push(value);
            }
            self.outcomes[a - 1].push(Outcome::of(run_of(a)));
        }
    }

    /// The value of `metric` (index in [`METRICS`]) for intervention arm
    /// `arm` (from 1) in each replication, in order.
    pub fn values(&self, arm: usize, metric: usize) -> &[Option<f64>] {
        &self.values[arm - 1][metric]
    }

    /// The outcome of each replication of intervention arm `arm` (from 1).
    pub fn outcomes(&self, arm: usize) -> &[Outcome] {
        &self.outcomes[arm - 1]
    }

    /// Each draw's mean of `metric` for intervention arm `arm` (from 1), in
    /// draw order: `per_draw` consecutive replications per draw.
    pub fn draw_means(&self, arm: usize, metric: usize, per_draw: usize) -> Vec<Option<f64>> {
        draw_means(&self.values[arm - 1][metric], per_draw)
    }

    /// The rows: each intervention arm's effects; where its replications
    /// fork ([`Outcome`]), its effects on each side; then each contrast.
    pub fn rows(&self, model: &Model, contrasts: &[Contrast]) -> Vec<SummaryRow> {
        let units = Units::of(model);
        let baseline = &model.arms[0].name;
        let mut rows = Vec::new();
        for (a, plan) in model.arms.iter().enumerate().skip(1) {
            for outcome in Outcome::split(self.outcomes(a)) {
                for (m, metric) in METRICS.iter().enumerate() {
                    let values = match metric.statistic {
                        Statistic::Median => censored_as_infinite(self.values(a, m)),
                        _ => self.values(a, m).to_vec(),
                    };
                    let values = outcome.mask(&values, self.outcomes(a));
                    let (estimate, spread) = units.summarise(metric.statistic, &values, a, m);
                    rows.push(SummaryRow {
                        arm: plan.name.clone(),
                        versus: baseline.clone(),
                        outcome,
                        metric: metric.name,
                        statistic: metric.statistic,
                        estimate,
                        over_draws: units.per_draw.is_some(),
                        spread,
                    });
                }
            }
        }
        for contrast in contrasts {
            rows.extend(self.contrast_rows(model, *contrast, &units));
        }
        rows
    }

    /// The difference and the ratio of every metric but the censored ones
    /// between the two arms of `contrast`, paired by replication.
    fn contrast_rows(&self, model: &Model, contrast: Contrast, units: &Units) -> Vec<SummaryRow> {
        let (a, b) = (contrast.arm, contrast.versus);
        let mut rows = Vec::new();
        for statistic in [Statistic::Difference, Statistic::Ratio] {
            for (m, metric) in METRICS.iter().enumerate() {
                if metric.statistic == Statistic::Median {
                    continue;
                }
                let (estimate, spread) =
                    units.contrast(statistic, self.values(a, m), self.values(b, m));
                rows.push(SummaryRow {
                    arm: model.arms[a].name.clone(),
                    versus: model.arms[b].name.clone(),
                    outcome: Outcome::All,
                    metric: metric.name,
                    statistic,
                    estimate,
                    over_draws: units.per_draw.is_some(),
                    spread,
                });
            }
        }
        rows
    }
}

/// A censored time's values as [`median_estimate`] reads them: an
/// undefined value (not recovered by the end of the search) is censored.
fn censored_as_infinite(values: &[Option<f64>]) -> Vec<Option<f64>> {
    values
        .iter()
        .map(|v| Some(v.unwrap_or(f64::INFINITY)))
        .collect()
}

/// The units an interval runs over: replications, or in an ensemble the
/// parameter draws (replications of one draw are not independent).
struct Units {
    /// Replications per draw in an ensemble.
    per_draw: Option<usize>,
    /// The master seed (fixes the bootstrap of medians).
    seed: u64,
}

impl Units {
    fn of(model: &Model) -> Self {
        Units {
            per_draw: model
                .ensemble
                .as_ref()
                .map(|e| e.replications_per_draw as usize),
            seed: model.seed,
        }
    }

    /// Each unit's value: a replication's, or a draw's mean.
    fn unit_values(&self, values: &[Option<f64>]) -> Vec<Option<f64>> {
        match self.per_draw {
            Some(per_draw) => draw_means(values, per_draw),
            None => values.to_vec(),
        }
    }

    /// The estimate of one metric's `values` (one per replication) by its
    /// statistic, and in an ensemble the spread of a mean or share across
    /// draws; `arm` and `metric` key the bootstrap of a median.
    fn summarise(
        &self,
        statistic: Statistic,
        values: &[Option<f64>],
        arm: usize,
        metric: usize,
    ) -> (Estimate, Option<Spread>) {
        let defined = values.iter().flatten().filter(|v| v.is_finite()).count();
        match statistic {
            Statistic::Median => {
                let seed = self.seed ^ ((arm as u64) << 32 | metric as u64);
                let estimate = median_estimate(values, self.per_draw.unwrap_or(1), seed);
                (estimate, None)
            }
            Statistic::Share => {
                let estimate = share_estimate(&self.unit_values(values));
                let spread = self.per_draw.map(|p| ensemble_estimate(values, p).1);
                (
                    Estimate {
                        n: defined,
                        ..estimate
                    },
                    spread,
                )
            }
            _ => match self.per_draw {
                Some(per_draw) => {
                    let (estimate, spread) = ensemble_estimate(values, per_draw);
                    (estimate, Some(spread))
                }
                None => (estimate(values), None),
            },
        }
    }

    /// The paired difference or the ratio of the means of `a` and `b`.
    fn contrast(
        &self,
        statistic: Statistic,
        a: &[Option<f64>],
        b: &[Option<f64>],
    ) -> (Estimate, Option<Spread>) {
        if statistic == Statistic::Ratio {
            let paired = |x: &[Option<f64>], y: &[Option<f64>]| -> Vec<Option<f64>> {
                x.iter().zip(y).map(|(x, y)| y.and(*x)).collect()
            };
            let (a, b) = (paired(a, b), paired(b, a));
            let mut estimate = ratio_estimate(&self.unit_values(&a), &self.unit_values(&b));
            estimate.n = a.iter().flatten().count();
            return (estimate, None);
        }
        self.summarise(Statistic::Difference, &differences(a, b), 0, 0)
    }
}

/// The contrasts written `A:B` (arm A against arm B, both intervention
/// arms of `model`, distinct), in order; the error names the flag's value
/// and the arms there are.
pub fn parse_contrasts(model: &Model, specs: &[String]) -> Result<Vec<Contrast>, String> {
    let names: Vec<&str> = model.arms.iter().map(|a| a.name.as_str()).collect();
    let allowed = || {
        format!(
            "allowed: two of the intervention arms {}",
            names[1..].join(", ")
        )
    };
    let arm = |spec: &str, name: &str| -> Result<usize, String> {
        match names.iter().position(|n| *n == name) {
            Some(0) => Err(format!(
                "--contrast {spec}: {name:?} is the baseline, which every effect is already measured against; {}",
                allowed()
            )),
            Some(index) => Ok(index),
            None => Err(format!(
                "--contrast {spec}: no arm is named {name:?}; {}",
                allowed()
            )),
        }
    };
    specs
        .iter()
        .map(|spec| {
            let (a, b) = spec.split_once(':').ok_or_else(|| {
                format!(
                    "--contrast {spec}: not of the form A:B (arm A against arm B); {}",
                    allowed()
                )
            })?;
            let contrast = Contrast {
                arm: arm(spec, a.trim())?,
                versus: arm(spec, b.trim())?,
            };
            if contrast.arm == contrast.versus {
                return Err(format!(
                    "--contrast {spec}: an arm against itself; {}",
                    allowed()
                ));
            }
            Ok(contrast)
        })
        .collect()
}
