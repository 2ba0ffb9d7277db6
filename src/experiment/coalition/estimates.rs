//! The estimates of a coalition game from the replications of its arms.
//!
//! In each replication, `v(S)` is the effect of subset S's arm against the
//! baseline on a metric of [`GAME_METRICS`]. A replication is used for a
//! metric when every subset run has its value defined there; in it each
//! partner's Shapley value, its value alone (`v({i}) - v(empty)`) and added
//! last (`v(N) - v(N - i)`) are computed, so they sum as they should in
//! every replication used (efficiency: the Shapley values to `v(N) -
//! v(empty)`, whose largest gap is recorded). Each estimate is the mean with
//! its 95% Student-t interval over the replications used, or in an
//! ensemble over the parameter draws' means, as the effects' are
//! ([`crate::stats::nested`]). Each subset's own effect is over the
//! replications where it is defined.

use super::{Better, GAME_METRICS, Game, Method};
use crate::experiment::Summary;
use crate::experiment::shapley::Players;
use crate::stats::nested::ensemble_estimate;
use crate::stats::{Estimate, estimate};

/// A subset's effect on one metric.
#[derive(Debug, Clone, PartialEq)]
pub struct SubsetRow {
    /// The subset.
    pub set: Players,
    /// The metric.
    pub metric: &'static str,
    /// Its effect against the baseline.
    pub effect: Estimate,
}

/// A partner's values on one metric.
#[derive(Debug, Clone, PartialEq)]
pub struct PartnerRow {
    /// The partner (index in [`Game::partners`]).
    pub partner: usize,
    /// The metric.
    pub metric: &'static str,
    /// Its Shapley value.
    pub shapley: Estimate,
    /// Its value alone: `v({i}) - v(empty)`.
    pub alone: Estimate,
    /// Its value added last: `v(N) - v(N - i)`.
    pub added_last: Estimate,
    /// With sampled orders, the standard error of the Shapley value due to
    /// the orders drawn: the standard deviation over the orders of the
    /// partner's contribution in each (its mean over the replications used)
    /// over the square root of their number (Castro, Gómez and Tejada 2009).
    pub orders_se: Option<f64>,
}

/// The efficiency check of one metric: the Shapley values sum to the full
/// coalition's value less the empty one's.
#[derive(Debug, Clone, PartialEq)]
pub struct Efficiency {
    /// The metric.
    pub metric: &'static str,
    /// `v(N) - v(empty)` over the replications used.
    pub full_minus_empty: Estimate,
    /// The sum of the partners' Shapley estimates (`None` when one is undefined).
    pub shapley_sum: Option<f64>,
    /// The largest `|sum of Shapley values - (v(N) - v(empty))|` of a
    /// replication used (`None` without any): float rounding only.
    pub largest_gap: Option<f64>,
}

/// The best single partner to add to the others on one metric: the best
/// value added last in the metric's better direction.
#[derive(Debug, Clone, PartialEq)]
pub struct Best {
    /// The metric.
    pub metric: &'static str,
    /// Which direction is better.
    pub better: Better,
    /// The partner.
    pub partner: usize,
    /// The runner-up, when there is one.
    pub runner_up: Option<usize>,
    /// The paired difference of their values added last, replication by
    /// replication (best minus runner-up).
    pub difference: Option<Estimate>,
    /// Whether that difference's 95% interval lies wholly on the better
    /// side of 0 (`None` without a runner-up or an interval).
    pub separated: Option<bool>,
}

/// Everything estimated from a game's replications.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Each subset's effect on each metric, subset by subset.
    pub subsets: Vec<SubsetRow>,
    /// Each partner's values on each metric, metric by metric.
    pub partners: Vec<PartnerRow>,
    /// The efficiency check of each metric.
    pub efficiency: Vec<Efficiency>,
    /// The best partner to add on each metric (`None` where no partner's
    /// value added last is defined).
    pub best: Vec<Option<Best>>,
}

/// One metric's values in every replication, `None` where the replication
/// is not used.
struct Columns {
    /// `[partner][replication]`: the Shapley value.
    shapley: Vec<Vec<Option<f64>>>,
    /// `[partner][replication]`: the value alone.
    alone: Vec<Vec<Option<f64>>>,
    /// `[partner][replication]`: the value added last.
    added_last: Vec<Vec<Option<f64>>>,
    /// `[replication]`: `v(N) - v(empty)`.
    total: Vec<Option<f64>>,
    /// The efficiency gap of each replication used.
    gaps: Vec<f64>,
    /// `[partner][term]`: the sum over the replications used of the
    /// partner's contribution in each term (each order, when sampled).
    contributions: Vec<Vec<f64>>,
}

impl Analysis {
    /// The estimates of `game` from the `summary` of its run.
    pub fn new(game: &Game, summary: &Summary) -> Self {
        let per_draw = (game.model.ensemble.as_ref()).map(|e| e.replications_per_draw as usize);
        let mut analysis = Analysis {
            subsets: Vec::new(),
            partners: Vec::new(),
            efficiency: Vec::new(),
            best: Vec::new(),
        };
        let indices = Game::metric_indices();
        for &set in &game.subsets {
            for (&(metric, _), &m) in GAME_METRICS.iter().zip(&indices) {
                let effect = of_units(summary.values(game.arm_of(set), m), per_draw);
                analysis.subsets.push(SubsetRow {
                    set,
                    metric,
                    effect,
                });
            }
        }
        for (&(metric, better), &m) in GAME_METRICS.iter().zip(&indices) {
            let columns = Columns::new(game, summary, m);
            let rows = partner_rows(game, &columns, metric, per_draw);
            analysis
                .efficiency
                .push(efficiency(&columns, &rows, metric, per_draw));
            analysis
                .best
                .push(best(&columns, &rows, metric, better, per_draw));
            analysis.partners.extend(rows);
        }
        analysis
    }

    /// The rows of `metric` in `partners`.
    pub fn partner_rows(&self, metric: &str) -> impl Iterator<Item = &PartnerRow> {
        self.partners.iter().filter(move |r| r.metric == metric)
    }
}

/// The mean and 95% interval of values, one per replication: over the
/// replications, or in an ensemble over the means of the draws of
/// `per_draw` consecutive replications (`n` counting replications).
fn of_units(values: &[Option<f64>], per_draw: Option<usize>) -> Estimate {
    match per_draw {
        Some(per_draw) => ensemble_estimate(values, per_draw).0,
        None => estimate(values),
    }
}

impl Columns {
    /// The values of metric `m` (index in the metrics) in every replication.
    fn new(game: &Game, summary: &Summary, m: usize) -> Self {
        let k = game.partners.len();
        let replications = summary.values(1, m).len();
        let mut columns = Columns {
            shapley: vec![vec![None; replications]; k],
            alone: vec![vec![None; replications]; k],
            added_last: vec![vec![None; replications]; k],
            total: vec![None; replications],
            gaps: Vec::new(),
            contributions: (game.estimator.terms.iter())
                .map(|t| vec![0.0; t.len()])
                .collect(),
        };
        for r in 0..replications {
            let v = |set: Players| -> Option<f64> {
                summary.values(game.arm_of(set), m)[r].filter(|v| v.is_finite())
            };
            let defined: Option<Vec<f64>> = game.subsets.iter().map(|&set| v(set)).collect();
            if let Some(values) = defined {
                columns.add(game, r, |set| values[game.arm_of(set) - 1]);
            }
        }
        columns
    }

    /// Replication `r`, in which the value of every subset run is `v(S)`.
    fn add(&mut self, game: &Game, r: usize, v: impl Fn(Players) -> f64) {
        let all = game.everyone();
        let phi = (game.estimator.values(|set| Some(v(set))))
            .expect("every value of a used replication is defined");
        let total = v(all) - v(0);
        self.total[r] = Some(total);
        self.gaps.push((phi.iter().sum::<f64>() - total).abs());
        for (i, phi) in phi.into_iter().enumerate() {
            self.shapley[i][r] = Some(phi);
            self.alone[i][r] = Some(v(1 << i) - v(0));
            self.added_last[i][r] = Some(v(all) - v(all & !(1 << i)));
            let terms = self.contributions[i]
                .iter_mut()
                .zip(&game.estimator.terms[i]);
            for (sum, term) in terms {
                *sum += v(term.before | 1 << i) - v(term.before);
            }
        }
    }

    /// The number of replications used.
    fn used(&self) -> usize {
        self.gaps.len()
    }
}

/// Each partner's estimates on `metric`.
fn partner_rows(
    game: &Game,
    columns: &Columns,
    metric: &'static str,
    per_draw: Option<usize>,
) -> Vec<PartnerRow> {
    (0..game.partners.len())
        .map(|i| PartnerRow {
            partner: i,
            metric,
            shapley: of_units(&columns.shapley[i], per_draw),
            alone: of_units(&columns.alone[i], per_draw),
            added_last: of_units(&columns.added_last[i], per_draw),
            orders_se: match game.method {
                Method::Exhaustive => None,
                Method::Sampled(_) => orders_se(&columns.contributions[i], columns.used()),
            },
        })
        .collect()
}

/// The standard error of a mean over orders whose contributions summed
/// over `used` replications are `sums`: `None` with fewer than two orders
/// or no replication used.
fn orders_se(sums: &[f64], used: usize) -> Option<f64> {
    let m = sums.len();
    if m < 2 || used == 0 {
        return None;
    }
    let means: Vec<f64> = sums.iter().map(|s| s / used as f64).collect();
    let mean = means.iter().sum::<f64>() / m as f64;
    let variance = means.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (m - 1) as f64;
    Some((variance / m as f64).sqrt())
}

/// The efficiency check of `metric`.
fn efficiency(
    columns: &Columns,
    rows: &[PartnerRow],
    metric: &'static str,
    per_draw: Option<usize>,
) -> Efficiency {
    Efficiency {
        metric,
        full_minus_empty: of_units(&columns.total, per_draw),
        shapley_sum: rows.iter().map(|r| r.shapley.mean).sum(),
        largest_gap: columns.gaps.iter().copied().reduce(f64::max),
    }
}

/// The best partner to add on `metric` and how clearly it beats the runner-up.
fn best(
    columns: &Columns,
    rows: &[PartnerRow],
    metric: &'static str,
    better: Better,
    per_draw: Option<usize>,
) -> Option<Best> {
    let mut ranked: Vec<(usize, f64)> = (rows.iter())
        .filter_map(|r| Some((r.partner, r.added_last.mean?)))
        .collect();
    ranked.sort_by(|a, b| match better {
        Better::Higher => b.1.total_cmp(&a.1),
        Better::Lower => a.1.total_cmp(&b.1),
    });
    let (partner, _) = *ranked.first()?;
    let runner_up = ranked.get(1).map(|r| r.0);
    let difference = runner_up.map(|other| {
        let paired: Vec<Option<f64>> = (columns.added_last[partner].iter())
            .zip(&columns.added_last[other])
            .map(|(a, b)| Some((*a)? - (*b)?))
            .collect();
        of_units(&paired, per_draw)
    });
    let separated = difference.and_then(|d| {
        let (low, high) = (d.ci_low?, d.ci_high?);
        Some(match better {
            Better::Higher => low > 0.0,
            Better::Lower => high < 0.0,
        })
    });
    Some(Best {
        metric,
        better,
        partner,
        runner_up,
        difference,
        separated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_orders_standard_error_is_the_spread_of_their_means() {
        // Two replications; orders' mean contributions 1, 2, 3: sd 1, se 1/sqrt(3).
        let se = orders_se(&[2.0, 4.0, 6.0], 2).unwrap();
        assert!((se - 1.0 / 3f64.sqrt()).abs() < 1e-12);
        assert_eq!(orders_se(&[2.0], 2), None);
        assert_eq!(orders_se(&[2.0, 4.0], 0), None);
    }
}
