//! The ABC-SMC algorithm: populations, the truncated Gaussian perturbation
//! kernel and importance weights, (weighted) quantiles, and one generation:
//! proposals drawn from the prior or a perturbed parent on keyed streams,
//! simulated in parallel batches and accepted in proposal order at the
//! adaptive tolerance.

use anyhow::Result;
use rand::RngExt;
use rayon::prelude::*;
use statrs::distribution::{Continuous, ContinuousCDF, Normal};

use super::setup::{CalibrationConfig, Setup};
use super::simulate::{arms_run, evaluate};
use crate::experiment::design::Range;
use crate::rng::{Purpose, RunKey};

/// A population of particles.
#[derive(Debug, Clone, PartialEq)]
pub struct Population {
    /// `particles[i][k]`: value of parameter `k` of particle `i`.
    pub particles: Vec<Vec<f64>>,
    /// Normalised importance weights.
    pub weights: Vec<f64>,
    /// Distances to the targets.
    pub distances: Vec<f64>,
    /// Model seed each particle was simulated with.
    pub seeds: Vec<u64>,
}

impl Population {
    /// Values of parameter `k`.
    pub fn column(&self, k: usize) -> Vec<f64> {
        self.particles.iter().map(|p| p[k]).collect()
    }

    /// Effective sample size `1 / sum w^2`.
    pub fn ess(&self) -> f64 {
        1.0 / self.weights.iter().map(|w| w * w).sum::<f64>()
    }
}

/// Weighted mean and (population) variance.
pub(super) fn weighted_moments(values: &[f64], weights: &[f64]) -> (f64, f64) {
    let total: f64 = weights.iter().sum();
    let mean = values.iter().zip(weights).map(|(v, w)| v * w).sum::<f64>() / total;
    let var = values
        .iter()
        .zip(weights)
        .map(|(v, w)| w * (v - mean).powi(2))
        .sum::<f64>()
        / total;
    (mean, var)
}

/// Kernel standard deviation per parameter: `sqrt(2 x weighted variance)`
/// (Beaumont et al. 2009), at least a millionth of the range so that a
/// collapsed population can still move.
pub fn kernel_scales(population: &Population, ranges: &[Range]) -> Vec<f64> {
    ranges
        .iter()
        .enumerate()
        .map(|(k, r)| {
            let (_, var) = weighted_moments(&population.column(k), &population.weights);
            (2.0 * var).sqrt().max(1e-6 * (r.high - r.low))
        })
        .collect()
}

/// Draw from the Gaussian kernel around `centre` truncated to the ranges, one
/// uniform in [0, 1) per parameter, by the inverse CDF (always in range).
pub fn perturb(centre: &[f64], scales: &[f64], ranges: &[Range], uniforms: &[f64]) -> Vec<f64> {
    let n = Normal::standard();
    centre
        .iter()
        .zip(scales)
        .zip(ranges)
        .zip(uniforms)
        .map(|(((&mu, &s), r), &u)| {
            let (a, b) = (n.cdf((r.low - mu) / s), n.cdf((r.high - mu) / s));
            let x = mu + s * n.inverse_cdf(a + u * (b - a));
            x.clamp(r.low, r.high)
        })
        .collect()
}

/// Log density of the truncated kernel at `theta` around `centre`.
pub fn kernel_log_density(theta: &[f64], centre: &[f64], scales: &[f64], ranges: &[Range]) -> f64 {
    let n = Normal::standard();
    let mut log = 0.0;
    for (((&x, &mu), &s), r) in theta.iter().zip(centre).zip(scales).zip(ranges) {
        let mass = n.cdf((r.high - mu) / s) - n.cdf((r.low - mu) / s);
        log += n.ln_pdf((x - mu) / s) - s.ln() - mass.max(f64::MIN_POSITIVE).ln();
    }
    log
}

/// Normalised importance weights of new particles:
/// `prior(theta_i) / sum_j w_j K(theta_i | theta_j)`, in log space.
pub fn importance_weights(
    particles: &[Vec<f64>],
    previous: &Population,
    scales: &[f64],
    ranges: &[Range],
) -> Vec<f64> {
    let log_prior = -ranges.iter().map(|r| (r.high - r.low).ln()).sum::<f64>();
    let logs: Vec<f64> = particles
        .iter()
        .map(|theta| {
            let terms: Vec<f64> = previous
                .particles
                .iter()
                .zip(&previous.weights)
                .map(|(centre, w)| w.ln() + kernel_log_density(theta, centre, scales, ranges))
                .collect();
            log_prior - log_sum_exp(&terms)
        })
        .collect();
    normalise_logs(&logs)
}

/// `ln sum exp(x)`, stable.
fn log_sum_exp(values: &[f64]) -> f64 {
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return max;
    }
    max + values.iter().map(|v| (v - max).exp()).sum::<f64>().ln()
}

/// Weights from log weights, summing to 1.
fn normalise_logs(logs: &[f64]) -> Vec<f64> {
    let max = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let raw: Vec<f64> = logs.iter().map(|l| (l - max).exp()).collect();
    let total: f64 = raw.iter().sum();
    raw.iter().map(|w| w / total).collect()
}

/// The index drawn from weights (summing to 1) by a uniform `u` in [0, 1).
pub fn pick(weights: &[f64], u: f64) -> usize {
    let mut cumulative = 0.0;
    for (i, w) in weights.iter().enumerate() {
        cumulative += w;
        if u < cumulative {
            return i;
        }
    }
    weights.len() - 1
}

/// The `p` quantile with linear interpolation (Hyndman-Fan type 7).
pub fn quantile(values: &[f64], p: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let h = (sorted.len() - 1) as f64 * p;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// The weighted `p` quantile: linear interpolation between values placed at
/// the midpoints of their cumulative weights (type 5 with weights).
pub fn weighted_quantile(values: &[f64], weights: &[f64], p: f64) -> f64 {
    let mut pairs: Vec<(f64, f64)> = values
        .iter()
        .copied()
        .zip(weights.iter().copied())
        .collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = pairs.iter().map(|(_, w)| w).sum();
    let mut cumulative = 0.0;
    let mut previous: Option<(f64, f64)> = None;
    for &(v, w) in &pairs {
        let at = (cumulative + w / 2.0) / total;
        cumulative += w;
        if at >= p {
            return match previous {
                Some((pv, pat)) if at > pat => pv + (v - pv) * (p - pat) / (at - pat),
                _ => v,
            };
        }
        previous = Some((v, at));
    }
    pairs.last().map_or(f64::NAN, |(v, _)| *v)
}

/// What one generation did.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerationStats {
    /// Generation number, from 0.
    pub generation: usize,
    /// Tolerance (infinite for generation 0).
    pub tolerance: f64,
    /// Whether the tolerance was clamped at the final tolerance (the last generation).
    pub reached_final_tolerance: bool,
    /// Proposals simulated.
    pub attempts: usize,
    /// Accepted / proposals up to the last accepted one.
    pub acceptance_rate: f64,
    /// Engine runs (proposals x arms x replications).
    pub runs: u64,
    /// Effective sample size of the weights.
    pub ess: f64,
}

/// A proposal: parameters, model seed, distance.
struct Proposal {
    theta: Vec<f64>,
    seed: u64,
    distance: f64,
}

/// The previous generation and its kernel scales.
struct Parent<'a> {
    population: &'a Population,
    scales: Vec<f64>,
}

/// Proposal `attempt` of generation `g`: model seed, then parameters.
fn propose(setup: &Setup, g: usize, attempt: usize, parent: Option<&Parent>) -> (Vec<f64>, u64) {
    let key = RunKey {
        seed: setup.seed,
        replication: g as u64,
    };
    let mut rng = key.market(Purpose::Design, attempt as u32);
    let seed: u64 = rng.random();
    let uniforms: Vec<f64> = (0..setup.ranges.len()).map(|_| rng.random()).collect();
    let theta = match parent {
        None => setup
            .ranges
            .iter()
            .zip(&uniforms)
            .map(|(r, u)| r.low + u * (r.high - r.low))
            .collect(),
        Some(p) => {
            let chosen = pick(&p.population.weights, rng.random());
            perturb(
                &p.population.particles[chosen],
                &p.scales,
                &setup.ranges,
                &uniforms,
            )
        }
    };
    (theta, seed)
}

/// How many proposals to simulate next: enough for the missing particles at
/// the acceptance rate so far (batch sizes never change the result).
fn next_batch(
    needed: usize,
    accepted: usize,
    attempts: usize,
    population: usize,
    left: usize,
) -> usize {
    let want = if attempts == 0 {
        population
    } else {
        let rate = accepted.max(1) as f64 / attempts as f64;
        (1.2 * needed as f64 / rate).ceil() as usize
    };
    want.clamp(8, 4 * population).min(left)
}

/// Result of a generation.
pub(super) enum Outcome {
    Complete(Population, GenerationStats),
    OutOfBudget { accepted: usize, attempts: usize },
}

/// Run generation `g` at `tolerance` (infinite for generation 0).
pub(super) fn run_generation(
    setup: &Setup,
    g: usize,
    previous: Option<&Population>,
    tolerance: f64,
    progress: &dyn Fn(usize, usize),
) -> Result<Outcome> {
    let n = setup.config.population;
    let parent = previous.map(|p| Parent {
        population: p,
        scales: kernel_scales(p, &setup.ranges),
    });
    let mut accepted: Vec<Proposal> = Vec::with_capacity(n);
    let (mut attempts, mut last_accepted) = (0, 0);
    while accepted.len() < n {
        let left = setup.config.max_attempts() - attempts;
        if left == 0 {
            return Ok(Outcome::OutOfBudget {
                accepted: accepted.len(),
                attempts,
            });
        }
        let batch = next_batch(n - accepted.len(), accepted.len(), attempts, n, left);
        let proposals = (attempts..attempts + batch)
            .into_par_iter()
            .map(|a| {
                let (theta, seed) = propose(setup, g, a, parent.as_ref());
                let distance = evaluate(setup, &theta, seed)?;
                Ok(Proposal {
                    theta,
                    seed,
                    distance,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        for (offset, p) in proposals.into_iter().enumerate() {
            if accepted.len() < n && p.distance.is_finite() && p.distance <= tolerance {
                accepted.push(p);
                last_accepted = attempts + offset + 1;
            }
        }
        attempts += batch;
        progress(g, accepted.len());
    }
    let population = weigh(setup, accepted, parent.as_ref());
    let runs_per = (setup.config.replications as usize * (1 + arms_run(setup))) as u64;
    let stats = GenerationStats {
        generation: g,
        tolerance,
        reached_final_tolerance: setup.config.final_tolerance.is_some_and(|f| tolerance <= f),
        attempts,
        acceptance_rate: n as f64 / last_accepted as f64,
        runs: attempts as u64 * runs_per,
        ess: population.ess(),
    };
    Ok(Outcome::Complete(population, stats))
}

/// The accepted proposals with their importance weights.
fn weigh(setup: &Setup, accepted: Vec<Proposal>, parent: Option<&Parent>) -> Population {
    let particles: Vec<Vec<f64>> = accepted.iter().map(|p| p.theta.clone()).collect();
    let weights = match parent {
        None => vec![1.0 / particles.len() as f64; particles.len()],
        Some(p) => importance_weights(&particles, p.population, &p.scales, &setup.ranges),
    };
    Population {
        weights,
        distances: accepted.iter().map(|p| p.distance).collect(),
        seeds: accepted.iter().map(|p| p.seed).collect(),
        particles,
    }
}

/// The tolerance of the next generation.
pub(super) fn next_tolerance(config: &CalibrationConfig, previous: Option<&Population>) -> f64 {
    match previous {
        None => f64::INFINITY,
        Some(p) => quantile(&p.distances, config.alpha).max(config.final_tolerance.unwrap_or(0.0)),
    }
}
