//! Value of information: for each effect of each intervention arm, how much
//! knowing one uncertain parameter exactly would narrow the effect's spread
//! across the ensemble. The measure is the parameter's first-order index
//! `S` ([`crate::stats::first_order`]): the expected share of the effect's
//! variance across draws that knowing the parameter removes. Read as the
//! 90% interval across the ensemble, knowing it would narrow the interval
//! by about `1 - sqrt(1 - S)` (exact when the effect's spread keeps its
//! shape, as for a normal one).

use super::Summary;
use super::SummaryRow;
use super::metrics;
use crate::model::Model;
use crate::stats::first_order::{FirstOrder, first_order};

/// One (arm, metric, parameter) of the value of information.
#[derive(Debug, Clone, PartialEq)]
pub struct VoiRow {
    /// Intervention arm.
    pub arm: String,
    /// Metric name (see [`metrics::METRICS`]).
    pub metric: &'static str,
    /// The uncertain parameter's key.
    pub parameter: String,
    /// Its first-order index, when it can be estimated.
    pub index: Option<FirstOrder>,
    /// Its rank for this arm and metric (1 = the largest index).
    pub rank: usize,
}

impl VoiRow {
    /// The share by which knowing the parameter would narrow the 90%
    /// interval across the ensemble: `1 - sqrt(1 - S)`.
    pub fn narrowing(&self) -> Option<f64> {
        self.index.map(|s| 1.0 - (1.0 - s.index).sqrt())
    }
}

/// The value of information of every drawn parameter (uncertain, then
/// calibrated by the posterior) for every metric
/// of every intervention arm of an ensemble (empty without one), ranked
/// within each (arm, metric); `rows` is the summary of the same run.
pub fn value_of_information(model: &Model, summary: &Summary, rows: &[SummaryRow]) -> Vec<VoiRow> {
    let Some(ensemble) = &model.ensemble else {
        return Vec::new();
    };
    let per_draw = ensemble.replications_per_draw as usize;
    let mut out = Vec::new();
    for (a, plan) in model.arms.iter().enumerate().skip(1) {
        for (m, metric) in metrics::names().enumerate() {
            let means = summary.draw_means(a, m, per_draw);
            let defined: Vec<(usize, f64)> = means
                .iter()
                .enumerate()
                .filter_map(|(d, v)| v.map(|v| (d, v)))
                .collect();
            let y: Vec<f64> = defined.iter().map(|(_, v)| *v).collect();
            let row = rows
                .iter()
                .find(|r| r.arm == plan.name && r.metric == metric);
            let total = row.and_then(|r| parameter_variance(r, &y));
            let mut ranked: Vec<VoiRow> = model
                .drawn_keys()
                .enumerate()
                .map(|(p, parameter)| {
                    let x: Vec<f64> = defined
                        .iter()
                        .map(|(d, _)| ensemble.draws[*d].values[p])
                        .collect();
                    VoiRow {
                        arm: plan.name.clone(),
                        metric,
                        parameter: parameter.to_string(),
                        index: total.and_then(|total| first_order(&x, &y, total)),
                        rank: 0,
                    }
                })
                .collect();
            rank(&mut ranked);
            out.extend(ranked);
        }
    }
    out
}

/// The effect's variance due to the parameters: the summary's
/// `var_parameter` when the design has two or more replications per draw,
/// otherwise the variance of the draws' means (which then holds the noise
/// of one replication too).
fn parameter_variance(row: &SummaryRow, means: &[f64]) -> Option<f64> {
    if let Some(parameter) = row.spread.and_then(|s| s.var_parameter) {
        return Some(parameter);
    }
    let n = means.len();
    (n >= 2).then(|| {
        let mean = means.iter().sum::<f64>() / n as f64;
        means.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64
    })
}

/// Rank rows by index, largest first; rows without one come last, in
/// parameter order.
fn rank(rows: &mut [VoiRow]) {
    let key = |r: &VoiRow| r.index.map_or(-1.0, |s| s.index);
    rows.sort_by(|a, b| key(b).total_cmp(&key(a)));
    for (place, row) in rows.iter_mut().enumerate() {
        row.rank = place + 1;
    }
}
