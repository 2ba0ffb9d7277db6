//! Global sensitivity analysis: the designs and estimators of Sobol indices
//! (Saltelli sampling) and of Morris elementary-effects screening.
//!
//! Both build a [`Design`] to be run as a sweep and estimate, from one output
//! per point in design order, how much each parameter drives the output.
//! Outputs are `Option<f64>`: a metric that is undefined at a point (or not
//! finite) is missing, and the rows or trajectories that need it are dropped.
//! Intervals are 95% bootstrap percentile intervals: `B` replicates, each
//! resampling base rows (Sobol) or trajectories (Morris) with replacement,
//! replicate `b` drawing from the keyed stream
//! `RunKey { seed, replication: u64::MAX - 1 }.market(Purpose::Design, b)`,
//! so intervals depend only on the seed, never on threads. The bootstrap
//! treats quasi-random rows as independent, which overstates the error of a
//! Sobol design: the intervals are conservative.
//!
//! **Saltelli layout.** With `k` parameters and base sample size `N`, the
//! design has `N * (k + 2)` points. Base row `j` holds the points
//! `j * (k + 2) + 0` = A_j, `+ 1` = B_j and `+ 2 + i` = AB^(i)_j (A_j with
//! parameter `i` taken from B_j) for `i` in `0..k`; see [`saltelli_role`].
//! A and B are the first `2k` dimensions of one Owen-scrambled Sobol
//! sequence (A in dimensions `0..k`, B in `k..2k`), scrambled as in
//! [`design::sobol`](super::design::sobol), so the A points are exactly the
//! points of `--sobol N` with the same seed.
//!
//! **Distributions.** Both designs live on the unit cube; each coordinate
//! `u` becomes a value through its parameter's [`Axis`]: a `--range`
//! ([`Parameter`](super::parameter::Parameter)) uniformly over the range, a
//! scenario's uncertain parameter through its inverse distribution function
//! ([`UncertainParameter::value_at`](crate::model::uncertain::UncertainParameter::value_at)).
//! The estimators read only the outputs, so indices are over the
//! parameters' distributions, and Morris effects are per unit of `u` (a
//! step of `Δ` in probability), not of the parameter's value.
//!
//! **Integer fields.** A design holds each value as applied, rounded for an
//! integer field. The estimators read only the outputs, in
//! the layout above, so they treat each parameter as its uniform draw on
//! [0, 1] and the rounding as part of the model: the output is a step
//! function of the draw. Sobol indices are then those of the rounded
//! parameter (the output depends on the draw only through it); Morris
//! effects are per unit of the drawn range, `Δ` on the unit cube, though the
//! rounded step may be up to one unit more or less than `Δ (high - low)`.
//!
//! **Morris layout.** `r` trajectories of `k + 1` points: point
//! `t * (k + 1) + s` is step `s` of trajectory `t` ([`morris_step`]); step 0
//! is the start and step `s >= 1` changes one parameter by `±Δ`, each
//! parameter once, in a random order.

use anyhow::{Result, bail};
use rand::RngExt;
use rand::seq::SliceRandom;
use rayon::prelude::*;

use super::design::{Design, MAX_POINTS, fnv1a};
use super::parameter::Axis;
use crate::rng::{Purpose, RunKey, Stream};

/// The largest base sample size `N` of a Saltelli design (the length of the
/// Sobol sequence).
pub const MAX_BASE_ROWS: usize = 1 << 16;

/// The most parameters of a Saltelli design: A and B use `2k` of the 256
/// dimensions of the Sobol sequence. (65536 rows of 130 points stay below
/// [`MAX_POINTS`].)
pub const MAX_SALTELLI_PARAMETERS: usize = 128;

/// The default number of grid levels of Morris screening.
pub const MORRIS_LEVELS: u32 = 4;

/// A statistic and its 95% bootstrap percentile interval; each is `None`
/// when undefined (never NaN), the interval also when no bootstrap replicate
/// is defined (e.g. with 0 replicates).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bootstrapped {
    /// The estimate from all rows (or trajectories) used.
    pub value: Option<f64>,
    /// 2.5% percentile of the bootstrap replicates.
    pub ci_low: Option<f64>,
    /// 97.5% percentile of the bootstrap replicates.
    pub ci_high: Option<f64>,
}

/// What a point of a Saltelli design is within its base row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Row of matrix A.
    A,
    /// Row of matrix B.
    B,
    /// Row of AB^(i): A with parameter `i` taken from B.
    AB(usize),
}

/// The Saltelli design of `parameters` with base sample size `n` (layout in
/// the module documentation).
pub fn saltelli<P: Axis>(parameters: &[P], n: usize, seed: u64) -> Result<Design> {
    let k = parameters.len();
    if k == 0 || k > MAX_SALTELLI_PARAMETERS {
        bail!("Sobol indices need 1 to {MAX_SALTELLI_PARAMETERS} parameters, not {k}");
    }
    if n == 0 || n > MAX_BASE_ROWS {
        bail!("the base sample size must be 1 to {MAX_BASE_ROWS}, not {n}");
    }
    let scramble = (fnv1a(&seed.to_le_bytes()) & 0xffff_ffff) as u32;
    let scaled = |j: usize, dimension: usize, parameter: &P| {
        parameter.value_text(f64::from(sobol_burley::sample(
            j as u32,
            dimension as u32,
            scramble,
        )))
    };
    let mut points = Vec::with_capacity(n * (k + 2));
    for j in 0..n {
        let a: Vec<String> = parameters
            .iter()
            .enumerate()
            .map(|(i, p)| scaled(j, i, p))
            .collect();
        let b: Vec<String> = (parameters.iter().enumerate())
            .map(|(i, p)| scaled(j, k + i, p))
            .collect();
        points.push(a.clone());
        points.push(b.clone());
        for i in 0..k {
            let mut ab = a.clone();
            ab[i].clone_from(&b[i]);
            points.push(ab);
        }
    }
    Ok(Design {
        parameters: parameter_paths(parameters),
        points,
    })
}

/// The paths of the parameters.
fn parameter_paths<P: Axis>(parameters: &[P]) -> Vec<String> {
    parameters.iter().map(|p| p.path().to_string()).collect()
}

/// The base row `j` and the role of `point` in a Saltelli design of
/// `parameters` parameters.
pub fn saltelli_role(point: usize, parameters: usize) -> (usize, Role) {
    let stride = parameters + 2;
    let role = match point % stride {
        0 => Role::A,
        1 => Role::B,
        offset => Role::AB(offset - 2),
    };
    (point / stride, role)
}

/// First-order and total Sobol indices of each parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct SobolIndices {
    /// Base rows of the design.
    pub rows: usize,
    /// Base rows with all `k + 2` outputs defined: those used.
    pub rows_used: usize,
    /// First-order index S_i of each parameter.
    pub first_order: Vec<Bootstrapped>,
    /// Total index ST_i of each parameter.
    pub total: Vec<Bootstrapped>,
}

/// Sobol indices from the outputs `y` of a Saltelli design (in design order)
/// of `parameters` parameters, with `bootstrap` replicates for the intervals.
///
/// With V the variance (divisor 2n) of all f(A) and f(B) of the n rows used:
/// first order S_i = mean(f(B) (f(AB_i) - f(A))) / V (Saltelli et al. 2010),
/// f(B) centred by the mean of all f(A) and f(B) (this leaves the expectation
/// unchanged and makes the estimate invariant to a shift of the output, as in
/// SciPy and OpenTURNS); total ST_i = mean((f(A) - f(AB_i))^2) / (2V)
/// (Jansen 1999). A base row with any output missing is dropped; the indices
/// are `None` when V = 0 or fewer than 2 rows remain.
pub fn sobol_indices(
    y: &[Option<f64>],
    parameters: usize,
    bootstrap: u32,
    seed: u64,
) -> Result<SobolIndices> {
    let stride = parameters + 2;
    if parameters == 0 || y.is_empty() || !y.len().is_multiple_of(stride) {
        bail!(
            "{} outputs do not form base rows of {stride} (a Saltelli design of {parameters} parameters)",
            y.len()
        );
    }
    let complete: Vec<f64> = y.chunks(stride).filter_map(defined).flatten().collect();
    let rows: Vec<&[f64]> = complete.chunks(stride).collect();
    let point = sobol_point(&rows, parameters);
    let replicates = resample(&rows, bootstrap, seed, |sample| {
        sobol_point(sample, parameters)
    });
    let index = |kind: usize| -> Vec<Bootstrapped> {
        (0..parameters)
            .map(|i| bootstrapped(point[i][kind], replicates.iter().filter_map(|r| r[i][kind])))
            .collect()
    };
    Ok(SobolIndices {
        rows: y.len() / stride,
        rows_used: rows.len(),
        first_order: index(0),
        total: index(1),
    })
}

/// `[S_i, ST_i]` of each parameter `i` from complete base rows.
fn sobol_point(rows: &[&[f64]], parameters: usize) -> Vec<[Option<f64>; 2]> {
    if rows.len() < 2 {
        return vec![[None, None]; parameters];
    }
    let outputs = moments(rows.iter().flat_map(|r| [r[0], r[1]]));
    let variance = outputs.squares / outputs.n as f64;
    let n = rows.len() as f64;
    (0..parameters)
        .map(|i| {
            let first = rows
                .iter()
                .map(|r| (r[1] - outputs.mean) * (r[2 + i] - r[0]))
                .sum::<f64>()
                / n;
            let total = rows.iter().map(|r| (r[0] - r[2 + i]).powi(2)).sum::<f64>() / (2.0 * n);
            [ratio(first, variance), ratio(total, variance)]
        })
        .collect()
}

/// `part / variance`, or `None` when the variance is zero or the ratio not finite.
fn ratio(part: f64, variance: f64) -> Option<f64> {
    (variance > 0.0)
        .then(|| part / variance)
        .filter(|v| v.is_finite())
}

/// Trajectories of Morris screening on a grid of `levels` levels in the unit cube.
#[derive(Debug, Clone, PartialEq)]
pub struct MorrisPlan {
    levels: u32,
    trajectories: Vec<Trajectory>,
}

/// One Morris trajectory, in grid levels `0..levels` (level `l` is `l / (levels - 1)`
/// in the unit cube).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trajectory {
    /// Level of each parameter at step 0.
    pub start: Vec<u32>,
    /// `order[s - 1]`: the parameter changed at step `s`.
    pub order: Vec<usize>,
    /// Whether each parameter moves up (`+Δ`) or down (`-Δ`).
    pub up: Vec<bool>,
}

impl MorrisPlan {
    /// `trajectories` random trajectories of `parameters` parameters on a grid
    /// of `levels` levels (even; [`MORRIS_LEVELS`] by default). Each parameter
    /// starts at a random level from which its move of `Δ = levels / (2 (levels - 1))`
    /// in a random direction stays on the grid (Morris 1991); the order of the
    /// moves is a random permutation. Trajectory `t` draws from the keyed
    /// stream `RunKey { seed, replication: u64::MAX - 2 }.market(Purpose::Design, t)`,
    /// so adding trajectories keeps the first ones.
    pub fn new(parameters: usize, trajectories: usize, levels: u32, seed: u64) -> Result<Self> {
        if parameters == 0 {
            bail!("Morris screening needs at least one parameter");
        }
        if levels < 2 || !levels.is_multiple_of(2) {
            bail!("the number of Morris levels must be even and at least 2, not {levels}");
        }
        let points = trajectories.checked_mul(parameters + 1);
        if trajectories == 0 || points.is_none_or(|p| p > MAX_POINTS) {
            bail!(
                "{trajectories} trajectories of {parameters} parameters: the design must have 1 to {MAX_POINTS} points"
            );
        }
        let key = RunKey {
            seed,
            replication: u64::MAX - 2,
        };
        let trajectories = (0..trajectories)
            .map(|t| {
                trajectory(
                    parameters,
                    levels,
                    &mut key.market(Purpose::Design, t as u32),
                )
            })
            .collect();
        Ok(MorrisPlan {
            levels,
            trajectories,
        })
    }

    /// Number of grid levels.
    pub fn levels(&self) -> u32 {
        self.levels
    }

    /// The trajectories.
    pub fn trajectories(&self) -> &[Trajectory] {
        &self.trajectories
    }

    /// Number of parameters.
    pub fn parameters(&self) -> usize {
        self.trajectories[0].start.len()
    }

    /// The step `Δ = levels / (2 (levels - 1))` in the unit cube.
    pub fn delta(&self) -> f64 {
        f64::from(self.levels) / (2.0 * f64::from(self.levels - 1))
    }

    /// The design: every trajectory's points in order, level `l` of a
    /// parameter scaled to `low + (high - low) l / (levels - 1)` (then
    /// rounded for an integer field).
    pub fn design<P: Axis>(&self, parameters: &[P]) -> Result<Design> {
        if parameters.len() != self.parameters() {
            bail!(
                "{} ranges for a Morris plan of {} parameters",
                parameters.len(),
                self.parameters()
            );
        }
        let top = f64::from(self.levels - 1);
        let scaled = |levels: &[u32]| -> Vec<String> {
            (parameters.iter().zip(levels))
                .map(|(p, &l)| p.value_text(f64::from(l) / top))
                .collect()
        };
        let jump = self.levels / 2;
        let mut points = Vec::with_capacity(self.trajectories.len() * (parameters.len() + 1));
        for t in &self.trajectories {
            let mut levels = t.start.clone();
            points.push(scaled(&levels));
            for &i in &t.order {
                levels[i] = if t.up[i] {
                    levels[i] + jump
                } else {
                    levels[i] - jump
                };
                points.push(scaled(&levels));
            }
        }
        Ok(Design {
            parameters: parameter_paths(parameters),
            points,
        })
    }

    /// Elementary effects of each parameter from the outputs `y` of
    /// [`design`](Self::design) (in design order), with `bootstrap`
    /// replicates for the interval of mu*.
    ///
    /// The elementary effect of the parameter changed at step `s` is
    /// `EE = (y_s - y_{s-1}) / (±Δ)`: the change of the output per unit of the
    /// parameter scaled to [0, 1], so for `y = c x` with `x` on `[low, high]`,
    /// `EE = c (high - low)`. A trajectory with any output missing is dropped.
    pub fn effects(&self, y: &[Option<f64>], bootstrap: u32, seed: u64) -> Result<MorrisEffects> {
        let k = self.parameters();
        if y.len() != self.trajectories.len() * (k + 1) {
            bail!(
                "{} outputs for a Morris design of {} points",
                y.len(),
                self.trajectories.len() * (k + 1)
            );
        }
        let effects = self.elementary_effects(y);
        let rows: Vec<&[f64]> = effects.chunks(k).collect();
        let replicates = resample(&rows, bootstrap, seed, |sample| {
            (0..k)
                .map(|i| mean(column(sample, i).map(f64::abs)))
                .collect::<Vec<_>>()
        });
        let parameters = (0..k)
            .map(|i| Elementary {
                mu_star: bootstrapped(
                    mean(column(&rows, i).map(f64::abs)),
                    replicates.iter().filter_map(|r| r[i]),
                ),
                mu: mean(column(&rows, i)),
                sigma: (rows.len() >= 2).then(|| {
                    let m = moments(column(&rows, i));
                    (m.squares / (m.n - 1) as f64).sqrt()
                }),
            })
            .collect();
        Ok(MorrisEffects {
            trajectories: self.trajectories.len(),
            trajectories_used: rows.len(),
            parameters,
        })
    }

    /// The elementary effects (`k` per trajectory, by parameter) of the
    /// trajectories whose outputs are all defined, concatenated.
    fn elementary_effects(&self, y: &[Option<f64>]) -> Vec<f64> {
        let k = self.parameters();
        let delta = self.delta();
        let mut effects = Vec::with_capacity(y.len());
        for (t, group) in self.trajectories.iter().zip(y.chunks(k + 1)) {
            let Some(outputs) = defined(group) else {
                continue;
            };
            let mut ee = vec![0.0; k];
            for (s, &i) in t.order.iter().enumerate() {
                let step = if t.up[i] { delta } else { -delta };
                ee[i] = (outputs[s + 1] - outputs[s]) / step;
            }
            effects.extend(ee);
        }
        effects
    }
}

/// The base of one trajectory drawn from `rng`.
fn trajectory(parameters: usize, levels: u32, rng: &mut Stream) -> Trajectory {
    let jump = levels / 2;
    let up: Vec<bool> = (0..parameters).map(|_| rng.random()).collect();
    let start = up
        .iter()
        .map(|&u| rng.random_range(0..jump) + if u { 0 } else { jump })
        .collect();
    let mut order: Vec<usize> = (0..parameters).collect();
    order.shuffle(rng);
    Trajectory { start, order, up }
}

/// The trajectory and step of `point` in a Morris design of `parameters` parameters.
pub fn morris_step(point: usize, parameters: usize) -> (usize, usize) {
    (point / (parameters + 1), point % (parameters + 1))
}

/// Elementary-effect statistics of one parameter (in units of the parameter
/// scaled to [0, 1], see [`MorrisPlan::effects`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Elementary {
    /// mu*: mean |EE|, with its bootstrap interval.
    pub mu_star: Bootstrapped,
    /// mu: mean EE.
    pub mu: Option<f64>,
    /// sigma: standard deviation of EE (divisor r - 1; needs 2 trajectories).
    pub sigma: Option<f64>,
}

/// Morris screening statistics of each parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct MorrisEffects {
    /// Trajectories of the design.
    pub trajectories: usize,
    /// Trajectories with all outputs defined: those used.
    pub trajectories_used: usize,
    /// Statistics of each parameter.
    pub parameters: Vec<Elementary>,
}

/// The values of a group of outputs when all are defined and finite.
fn defined(group: &[Option<f64>]) -> Option<Vec<f64>> {
    group.iter().map(|v| v.filter(|x| x.is_finite())).collect()
}

/// `statistic` of `replicates` bootstrap resamples of `rows` (none when fewer
/// than 2 rows); replicate `b` draws from its own keyed stream.
fn resample<T: Send>(
    rows: &[&[f64]],
    replicates: u32,
    seed: u64,
    statistic: impl Fn(&[&[f64]]) -> T + Sync,
) -> Vec<T> {
    if rows.len() < 2 {
        return Vec::new();
    }
    let key = RunKey {
        seed,
        replication: u64::MAX - 1,
    };
    (0..replicates)
        .into_par_iter()
        .map(|b| {
            let mut rng = key.market(Purpose::Design, b);
            let sample: Vec<&[f64]> = (0..rows.len())
                .map(|_| rows[rng.random_range(0..rows.len())])
                .collect();
            statistic(&sample)
        })
        .collect()
}

/// `value` with the 2.5% and 97.5% percentiles of the defined replicates
/// (linear interpolation between order statistics, as R's type 7); the
/// interval is `None` when `value` is or no replicate is defined.
fn bootstrapped(value: Option<f64>, replicates: impl Iterator<Item = f64>) -> Bootstrapped {
    let mut sorted: Vec<f64> = replicates.collect();
    sorted.sort_by(f64::total_cmp);
    let percentile = |q: f64| value.and_then(|_| quantile(&sorted, q));
    Bootstrapped {
        value,
        ci_low: percentile(0.025),
        ci_high: percentile(0.975),
    }
}

/// The `q` quantile of sorted values (type 7); `None` when there are none.
fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let h = q * last as f64;
    let low = h.floor() as usize;
    let high = (low + 1).min(last);
    Some(sorted[low] + (h - low as f64) * (sorted[high] - sorted[low]))
}

/// Column `i` of rows.
fn column<'a>(rows: &'a [&[f64]], i: usize) -> impl Iterator<Item = f64> + Clone + 'a {
    rows.iter().map(move |r| r[i])
}

/// The mean, `None` when there are no values.
fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (n, sum) = values.fold((0usize, 0.0), |(n, s), v| (n + 1, s + v));
    (n > 0).then(|| sum / n as f64)
}

/// Count, mean and sum of squared deviations of some values.
struct Moments {
    n: usize,
    mean: f64,
    squares: f64,
}

/// [`Moments`] computed about the first value, so that equal values give
/// exactly zero squares (a constant output has variance 0, not a rounding residue).
fn moments(values: impl Iterator<Item = f64> + Clone) -> Moments {
    let first = values.clone().next().unwrap_or(0.0);
    let shift = mean(values.clone().map(|v| v - first)).unwrap_or(0.0);
    let (n, squares) = values.fold((0, 0.0), |(n, s), v| {
        (n + 1, s + (v - first - shift).powi(2))
    });
    Moments {
        n,
        mean: first + shift,
        squares,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::design::Range;
    use crate::experiment::parameter::Parameter;

    fn unit(parameter: &str) -> Parameter {
        Parameter::real(Range {
            parameter: parameter.into(),
            low: 0.0,
            high: 1.0,
        })
    }

    fn values(design: &Design, p: usize) -> Vec<f64> {
        design.points[p]
            .iter()
            .map(|v| v.parse().unwrap())
            .collect()
    }

    #[test]
    fn saltelli_rows_follow_the_documented_layout() {
        let ranges = [unit("a"), unit("b"), unit("c")];
        let d = saltelli(&ranges, 8, 5).unwrap();
        assert_eq!(d.points.len(), 8 * 5);
        for j in 0..8 {
            let (a, b) = (values(&d, j * 5), values(&d, j * 5 + 1));
            assert_eq!(saltelli_role(j * 5, 3), (j, Role::A));
            assert_eq!(saltelli_role(j * 5 + 1, 3), (j, Role::B));
            for i in 0..3 {
                let p = j * 5 + 2 + i;
                assert_eq!(saltelli_role(p, 3), (j, Role::AB(i)));
                let mut expected = a.clone();
                expected[i] = b[i];
                assert_eq!(values(&d, p), expected);
            }
        }
        // A is the `--sobol` design of the same seed.
        let sobol = super::super::design::sobol(&ranges, 8, 5).unwrap();
        let a: Vec<_> = (0..8).map(|j| d.points[j * 5].clone()).collect();
        assert_eq!(a, sobol.points);
    }

    #[test]
    fn saltelli_limits_are_enforced() {
        let many: Vec<Parameter> = (0..129).map(|i| unit(&format!("p{i}"))).collect();
        assert!(saltelli(&many, 4, 0).is_err());
        assert!(saltelli(&many[..128], 1, 0).is_ok());
        assert!(saltelli(&[unit("a")], MAX_BASE_ROWS + 1, 0).is_err());
        assert!(saltelli(&[unit("a")], 0, 0).is_err());
        assert!(saltelli::<Parameter>(&[], 4, 0).is_err());
    }

    #[test]
    fn missing_outputs_drop_their_base_row() {
        // y = x0 on 64 rows; knock out one output in each of 3 rows.
        let d = saltelli(&[unit("a"), unit("b")], 64, 1).unwrap();
        let mut y: Vec<Option<f64>> = (0..d.points.len())
            .map(|p| Some(values(&d, p)[0]))
            .collect();
        y[0] = None;
        y[4 * 7 + 3] = None;
        y[4 * 9 + 1] = Some(f64::NAN);
        let s = sobol_indices(&y, 2, 50, 0).unwrap();
        assert_eq!((s.rows, s.rows_used), (64, 61));
        assert!(s.first_order[0].value.unwrap() > 0.9);
        assert_eq!(s.total[1].value, Some(0.0));
    }

    #[test]
    fn constant_or_too_few_outputs_give_no_indices() {
        let none = Bootstrapped {
            value: None,
            ci_low: None,
            ci_high: None,
        };
        let constant = vec![Some(3.7); 4 * 10];
        let s = sobol_indices(&constant, 2, 20, 0).unwrap();
        assert_eq!(s.first_order, vec![none; 2]);
        assert_eq!(s.total, vec![none; 2]);
        let mut one_row: Vec<Option<f64>> = (0..8).map(|v| Some(f64::from(v))).collect();
        one_row[5] = None;
        let s = sobol_indices(&one_row, 2, 20, 0).unwrap();
        assert_eq!((s.rows_used, s.first_order[0]), (1, none));
        assert!(sobol_indices(&constant[..7], 2, 20, 0).is_err());
    }

    #[test]
    fn morris_points_step_one_parameter_by_delta_on_the_grid() {
        let plan = MorrisPlan::new(3, 20, 6, 9).unwrap();
        let d = plan.design(&[unit("a"), unit("b"), unit("c")]).unwrap();
        assert_eq!(d.points.len(), 20 * 4);
        assert!((plan.delta() - 0.6).abs() < 1e-15);
        for p in 0..d.points.len() {
            let (t, s) = morris_step(p, 3);
            let x = values(&d, p);
            assert!(x.iter().all(|v| (v * 5.0 - (v * 5.0).round()).abs() < 1e-9));
            if s > 0 {
                let i = plan.trajectories()[t].order[s - 1];
                let before = values(&d, p - 1);
                for (c, (now, was)) in x.iter().zip(&before).enumerate() {
                    let change = if c == i { plan.delta() } else { 0.0 };
                    let sign = if plan.trajectories()[t].up[c] {
                        1.0
                    } else {
                        -1.0
                    };
                    assert!((now - was - sign * change).abs() < 1e-9, "point {p}");
                }
            }
        }
    }

    #[test]
    fn morris_arguments_are_checked() {
        assert!(MorrisPlan::new(0, 4, 4, 0).is_err());
        assert!(MorrisPlan::new(2, 0, 4, 0).is_err());
        assert!(MorrisPlan::new(2, 4, 5, 0).is_err());
        let plan = MorrisPlan::new(2, 4, 4, 0).unwrap();
        assert!(plan.design(&[unit("a")]).is_err());
        assert!(plan.effects(&[Some(1.0); 11], 10, 0).is_err());
    }

    #[test]
    fn quantiles_interpolate_order_statistics() {
        let sorted = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&sorted, 0.5), Some(3.0));
        assert_eq!(quantile(&sorted, 0.1), Some(1.4));
        assert_eq!(quantile(&sorted, 1.0), Some(5.0));
        assert_eq!(quantile(&[], 0.5), None);
    }

    #[test]
    fn moments_of_equal_values_are_exactly_zero() {
        let m = moments([0.1, 0.1, 0.1].into_iter());
        assert_eq!((m.n, m.mean, m.squares), (3, 0.1, 0.0));
        let m = moments([1.0, 2.0, 3.0, 4.0].into_iter());
        assert_eq!((m.mean, m.squares), (2.5, 5.0));
    }
}
