//! A posterior ensemble (`caasim run --posterior DIR`): the weighted
//! particles of a calibration (`posterior.csv` of `caasim calibrate`) as the
//! joint distribution of the calibrated parameters. Each draw of the
//! ensemble picks one particle with probability proportional to its weight
//! and gives every calibrated key that particle's value, so the posterior's
//! correlations are kept.
//!
//! The pick of draw `d` comes from its own stream, keyed by (seed, `d`) and
//! [`Purpose::PosteriorDraw`] only: it has no arm in it (every arm of a
//! replication runs on the same particle), and it shares no numbers with the
//! draws of the `[uncertain]` parameters, whose streams are unchanged.

use rand::RngExt;

use crate::rng::{Purpose, RunKey};
use crate::table::num;

/// A calibrated parameter of a posterior.
#[derive(Debug, Clone, PartialEq)]
pub struct PosteriorKey {
    /// The key path, as `--set` takes it.
    pub key: String,
    /// Whether the field is an integer (its values are rounded to the
    /// nearest whole number, halves away from zero, as the calibration
    /// applied them).
    pub integer: bool,
}

/// Where a posterior came from, as its `calibration.json` records it.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedOn {
    /// The scenario file the calibration read.
    pub scenario: String,
    /// The FNV-1a fingerprint of that file's text (16 hex digits).
    pub scenario_fingerprint: String,
    /// The `--set` overrides of the calibration.
    pub overrides: Vec<String>,
    /// The model version the calibration ran (`None` when not recorded).
    pub model_version: Option<u32>,
}

/// The weighted particles of a calibration, checked against a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Posterior {
    /// The calibration folder, as given.
    pub folder: String,
    /// Where it came from (`None` when the folder has no `calibration.json`).
    pub fitted_on: Option<FittedOn>,
    /// The calibrated parameters, in the columns' order.
    pub keys: Vec<PosteriorKey>,
    /// Each particle's values, one per key, as applied (integer fields whole).
    pub particles: Vec<Vec<f64>>,
    /// Each particle's weight, normalised to sum to 1.
    pub weights: Vec<f64>,
}

impl Posterior {
    /// A posterior of `particles` (values as read, one per key) with
    /// `weights` (finite, not negative, not all zero): integer fields are
    /// rounded and the weights normalised.
    pub fn new(
        folder: String,
        fitted_on: Option<FittedOn>,
        keys: Vec<PosteriorKey>,
        particles: Vec<Vec<f64>>,
        weights: &[f64],
    ) -> Self {
        let total: f64 = weights.iter().sum();
        let particles = particles
            .into_iter()
            .map(|values| {
                keys.iter()
                    .zip(values)
                    .map(|(k, v)| if k.integer { v.round() } else { v })
                    .collect()
            })
            .collect();
        Posterior {
            folder,
            fitted_on,
            keys,
            particles,
            weights: weights.iter().map(|w| w / total).collect(),
        }
    }

    /// Kish's effective sample size of the weights, `1 / Σ w²`.
    pub fn effective_sample_size(&self) -> f64 {
        1.0 / self.weights.iter().map(|w| w * w).sum::<f64>()
    }

    /// The particle of draw `key.replication` of the run seeded `key.seed`:
    /// particle `i` with probability `weights[i]` (a particle of weight 0
    /// never).
    pub fn pick(&self, key: RunKey) -> usize {
        let u: f64 = key.market(Purpose::PosteriorDraw, 0).random();
        let mut below = 0.0;
        let last = self.weights.iter().rposition(|&w| w > 0.0).unwrap_or(0);
        self.weights[..last]
            .iter()
            .position(|w| {
                below += w;
                u < below
            })
            .unwrap_or(last)
    }

    /// The `--set` assignments giving each key its value in `particle`.
    pub fn assignments(&self, particle: usize) -> Vec<String> {
        self.keys
            .iter()
            .zip(&self.particles[particle])
            .map(|(k, &v)| format!("{}={}", k.key, text(k, v)))
            .collect()
    }

    /// Whether `key` is one of the calibrated parameters.
    pub fn has(&self, key: &str) -> bool {
        self.keys.iter().any(|k| k.key == key)
    }
}

/// `value` as written into the scenario (a whole number for an integer field).
fn text(key: &PosteriorKey, value: f64) -> String {
    if key.integer {
        format!("{}", value as i64)
    } else {
        num(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posterior(weights: &[f64]) -> Posterior {
        let keys = vec![
            PosteriorKey {
                key: "market.search_days".into(),
                integer: false,
            },
            PosteriorKey {
                key: "market.investment_lead_days".into(),
                integer: true,
            },
        ];
        let particles = (0..weights.len())
            .map(|i| vec![10.0 + i as f64, 2.5 + i as f64])
            .collect();
        Posterior::new("dir".into(), None, keys, particles, weights)
    }

    fn key(draw: u64) -> RunKey {
        RunKey {
            seed: 42,
            replication: draw,
        }
    }

    /// Over n = 20,000 draws, each particle's count is within 4 binomial
    /// standard errors (sqrt(n p (1 - p))) of n p, and a chi-square over
    /// the three particles (2 degrees of freedom) is below 13.8, its 0.1%
    /// quantile; a particle of weight 0 is never picked.
    #[test]
    fn particles_are_picked_in_proportion_to_their_weight() {
        let p = posterior(&[0.2, 0.0, 0.3, 1.5]);
        assert_eq!(p.weights, [0.1, 0.0, 0.15, 0.75]);
        let n = 20_000u64;
        let mut counts = [0u64; 4];
        for d in 0..n {
            counts[p.pick(key(d))] += 1;
        }
        assert_eq!(counts[1], 0);
        let mut chi_square = 0.0;
        for (count, w) in counts.iter().zip(&p.weights).filter(|(_, w)| **w > 0.0) {
            let expected = n as f64 * w;
            let se = (expected * (1.0 - w)).sqrt();
            assert!(
                (*count as f64 - expected).abs() < 4.0 * se,
                "{counts:?} against weights {:?}",
                p.weights
            );
            chi_square += (*count as f64 - expected).powi(2) / expected;
        }
        assert!(chi_square < 13.8, "chi-square {chi_square}, {counts:?}");
    }

    #[test]
    fn picks_are_keyed_by_seed_and_draw_and_differ_from_the_uncertain_streams() {
        let p = posterior(&[1.0; 50]);
        let picks: Vec<usize> = (0..20).map(|d| p.pick(key(d))).collect();
        assert_eq!(picks, (0..20).map(|d| p.pick(key(d))).collect::<Vec<_>>());
        let other_seed = RunKey {
            seed: 43,
            replication: 0,
        };
        let others: Vec<usize> = (0..20)
            .map(|d| {
                p.pick(RunKey {
                    replication: d,
                    ..other_seed
                })
            })
            .collect();
        assert_ne!(picks, others);
        // A stream of its own: not the market member of the uncertain draws.
        let u: f64 = key(0).market(Purpose::PosteriorDraw, 0).random();
        let v: f64 = key(0).market(Purpose::ParameterDraw, 0).random();
        assert_ne!(u, v);
    }

    #[test]
    fn integer_fields_are_rounded_and_assignments_are_joint() {
        let p = posterior(&[1.0, 3.0]);
        assert_eq!(p.particles, [vec![10.0, 3.0], vec![11.0, 4.0]]);
        assert_eq!(
            p.assignments(1),
            ["market.search_days=11", "market.investment_lead_days=4"]
        );
        assert!((p.effective_sample_size() - 1.0 / (0.0625 + 0.5625)).abs() < 1e-12);
        assert!(p.has("market.search_days") && !p.has("market.days"));
    }
}
