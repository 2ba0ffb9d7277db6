//! Uncertain parameters (`[uncertain]` in a scenario): each replication
//! draws one value for each from its distribution, from a stream keyed by
//! (seed, replication, parameter name) only, so every arm of a replication
//! runs with the same values and arms stay paired (common random numbers).
//! A parameter's stream depends on its name, not on its place in the table,
//! so adding or removing one parameter leaves the others' draws unchanged.
//!
//! The values are applied as `--set` assignments (see
//! [`UncertainParameter::assignment`]): an integer field takes whole
//! numbers only, so its draw is made whole (evenly over the whole numbers
//! of the range for `uniform`, rounded for the others).

use rand::RngExt;
use statrs::distribution::{ContinuousCDF, Normal};

use super::params::Uncertain;
use crate::rng::{Purpose, RunKey, Stream};
use crate::table::num;

/// A validated uncertain parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct UncertainParameter {
    /// The key path, as `--set` takes it.
    pub key: String,
    /// The distribution its value is drawn from.
    pub dist: Uncertain,
    /// Whether the field is an integer (its draws are made whole).
    pub integer: bool,
}

impl UncertainParameter {
    /// One value drawn from `stream`: [`value_at`](Self::value_at) a uniform draw.
    pub fn sample(&self, stream: &mut Stream) -> f64 {
        self.value_at(stream.random())
    }

    /// The value at probability `u` in [0, 1]: the distribution's inverse
    /// distribution function at `u`, kept inside its support, made whole for
    /// an integer field (a `uniform` splits [0, 1] evenly among the whole
    /// numbers of its range, so each is equally likely; the others round to
    /// the nearest whole number of the support). A uniform `u` gives a draw
    /// from the distribution; sensitivity designs map their unit-cube
    /// coordinates through it.
    pub fn value_at(&self, u: f64) -> f64 {
        match (&self.dist, self.integer) {
            (Uncertain::Uniform { low, high }, true) => {
                let (first, last) = (low.ceil(), high.floor());
                (first + (u * (last - first + 1.0)).floor()).min(last)
            }
            (dist, true) => {
                let (low, high) = dist.support();
                quantile(dist, u).round().clamp(low.ceil(), high.floor())
            }
            (dist, false) => quantile(dist, u),
        }
    }

    /// The `--set` assignment giving the field `value`.
    pub fn assignment(&self, value: f64) -> String {
        format!("{}={}", self.key, self.text(value))
    }

    /// `value` as written into the scenario (a whole number for an integer field).
    pub fn text(&self, value: f64) -> String {
        if self.integer {
            format!("{}", value as i64)
        } else {
            num(value)
        }
    }

    /// The stream of this parameter in one replication.
    fn stream(&self, key: RunKey) -> Stream {
        key.day_streams(Purpose::ParameterDraw, 0)
            .member(name_hash(&self.key))
    }
}

/// One draw of every parameter (in the order given): the draw numbered
/// `key.replication` of the run seeded `key.seed`.
pub fn draw(parameters: &[UncertainParameter], key: RunKey) -> Vec<f64> {
    parameters
        .iter()
        .map(|p| p.sample(&mut p.stream(key)))
        .collect()
}

/// The `--set` assignments giving each parameter its value in `values`.
pub fn assignments(parameters: &[UncertainParameter], values: &[f64]) -> Vec<String> {
    parameters
        .iter()
        .zip(values)
        .map(|(p, &v)| p.assignment(v))
        .collect()
}

/// The value at probability `u` in [0, 1) of a distribution (its inverse
/// distribution function), kept inside its support.
fn quantile(dist: &Uncertain, u: f64) -> f64 {
    let (low, high) = dist.support();
    let value = match dist {
        Uncertain::Uniform { low, high } => low + (high - low) * u,
        Uncertain::LogUniform { low, high } => (low.ln() + (high.ln() - low.ln()) * u).exp(),
        Uncertain::Triangular { low, mode, high } => {
            let width = high - low;
            if width == 0.0 {
                *low
            } else if u < (mode - low) / width {
                low + (u * width * (mode - low)).sqrt()
            } else {
                high - ((1.0 - u) * width * (high - mode)).sqrt()
            }
        }
        Uncertain::Normal {
            mean,
            sd,
            low,
            high,
        } => truncated_normal(*mean, *sd, *low, *high, u),
        Uncertain::LogNormal {
            median,
            sigma,
            low,
            high,
        } => truncated_normal(median.ln(), *sigma, low.ln(), high.ln(), u).exp(),
        Uncertain::Choice { values } => {
            let index = ((u * values.len() as f64) as usize).min(values.len() - 1);
            values[index]
        }
    };
    value.clamp(low, high)
}

/// The value at probability `u` of a normal truncated to [low, high].
fn truncated_normal(mean: f64, sd: f64, low: f64, high: f64, u: f64) -> f64 {
    let normal = Normal::new(mean, sd).expect("a validated sd is above 0");
    let (a, b) = (normal.cdf(low), normal.cdf(high));
    normal.inverse_cdf(a + (b - a) * u)
}

/// The probability a normal gives to [low, high] (a truncation must keep
/// some: validation refuses a range with none).
pub fn normal_mass(mean: f64, sd: f64, low: f64, high: f64) -> f64 {
    let normal = Normal::new(mean, sd).expect("a validated sd is above 0");
    normal.cdf(high) - normal.cdf(low)
}

/// A stable 64-bit hash of a parameter's name (FNV-1a), its stream's member.
fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use statrs::distribution::Continuous;

    fn parameter(dist: Uncertain, integer: bool) -> UncertainParameter {
        UncertainParameter {
            key: "market.search_days".into(),
            dist,
            integer,
        }
    }

    fn key(replication: u64) -> RunKey {
        RunKey {
            seed: 42,
            replication,
        }
    }

    /// The draws of replications 0..n.
    fn sample(p: &UncertainParameter, n: u64) -> Vec<f64> {
        (0..n).map(|r| p.sample(&mut p.stream(key(r)))).collect()
    }

    #[test]
    fn sample_means_are_the_closed_form_means() {
        let standard = Normal::new(0.0, 1.0).unwrap();
        let (m, s, l, h) = (10.0_f64, 4.0_f64, 5.0_f64, 30.0_f64);
        let (a, b) = ((l - m) / s, (h - m) / s);
        let normal_mean =
            m + s * (standard.pdf(a) - standard.pdf(b)) / (standard.cdf(b) - standard.cdf(a));
        let (mu, sigma) = (2.0_f64.ln(), 0.8_f64);
        let (a, b) = ((0.5_f64.ln() - mu) / sigma, (6.0_f64.ln() - mu) / sigma);
        let log_normal_mean = (mu + sigma * sigma / 2.0).exp()
            * (standard.cdf(b - sigma) - standard.cdf(a - sigma))
            / (standard.cdf(b) - standard.cdf(a));
        let cases = [
            (
                Uncertain::Uniform {
                    low: 5.0,
                    high: 60.0,
                },
                32.5,
            ),
            (
                Uncertain::LogUniform {
                    low: 1.0,
                    high: 100.0,
                },
                99.0 / 100.0_f64.ln(),
            ),
            (
                Uncertain::Triangular {
                    low: 0.0,
                    mode: 1.0,
                    high: 5.0,
                },
                2.0,
            ),
            (
                Uncertain::Normal {
                    mean: m,
                    sd: s,
                    low: l,
                    high: h,
                },
                normal_mean,
            ),
            (
                Uncertain::LogNormal {
                    median: 2.0,
                    sigma,
                    low: 0.5,
                    high: 6.0,
                },
                log_normal_mean,
            ),
            (
                Uncertain::Choice {
                    values: vec![1.0, 2.0, 7.0],
                },
                10.0 / 3.0,
            ),
        ];
        let n = 20_000;
        for (dist, expected) in cases {
            let (low, high) = dist.support();
            let draws = sample(&parameter(dist.clone(), false), n);
            assert!(draws.iter().all(|x| (low..=high).contains(x)), "{dist:?}");
            let mean = draws.iter().sum::<f64>() / n as f64;
            let variance = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            let standard_error = (variance / n as f64).sqrt();
            assert!(
                (mean - expected).abs() < 4.0 * standard_error,
                "{dist:?}: sample mean {mean}, expected {expected} (se {standard_error})"
            );
        }
    }

    /// `value_at(u)` is the `u` quantile: each distribution's own CDF at
    /// `value_at(u)` gives back `u` (closed forms, the truncated ones
    /// renormalised over [low, high]), to rounding error only (1e-9).
    #[test]
    fn value_at_is_the_inverse_distribution_function() {
        let truncated = |z: f64, a: f64, b: f64| {
            let standard = Normal::new(0.0, 1.0).unwrap();
            (standard.cdf(z) - standard.cdf(a)) / (standard.cdf(b) - standard.cdf(a))
        };
        type Cdf = Box<dyn Fn(f64) -> f64>;
        let cases: Vec<(Uncertain, Cdf)> = vec![
            (
                Uncertain::Uniform {
                    low: 5.0,
                    high: 60.0,
                },
                Box::new(|x| (x - 5.0) / 55.0),
            ),
            (
                Uncertain::LogUniform {
                    low: 1.0,
                    high: 100.0,
                },
                Box::new(|x: f64| x.ln() / 100.0_f64.ln()),
            ),
            (
                Uncertain::Triangular {
                    low: 0.0,
                    mode: 1.0,
                    high: 5.0,
                },
                Box::new(|x: f64| {
                    if x < 1.0 {
                        x * x / 5.0
                    } else {
                        1.0 - (5.0 - x).powi(2) / 20.0
                    }
                }),
            ),
            (
                Uncertain::Normal {
                    mean: 10.0,
                    sd: 4.0,
                    low: 5.0,
                    high: 30.0,
                },
                Box::new(move |x| truncated((x - 10.0) / 4.0, -1.25, 5.0)),
            ),
            (
                Uncertain::LogNormal {
                    median: 2.0,
                    sigma: 0.8,
                    low: 0.5,
                    high: 6.0,
                },
                Box::new(move |x: f64| {
                    let z = |v: f64| (v.ln() - 2.0_f64.ln()) / 0.8;
                    truncated(z(x), z(0.5), z(6.0))
                }),
            ),
        ];
        for (dist, cdf) in cases {
            let p = parameter(dist.clone(), false);
            for u in [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0] {
                let x = p.value_at(u);
                assert!((cdf(x) - u).abs() < 1e-9, "{dist:?} at {u}: {x}");
            }
        }
        let choice = parameter(
            Uncertain::Choice {
                values: vec![1.0, 2.0, 7.0],
            },
            false,
        );
        let at: Vec<f64> = [0.0, 0.33, 0.34, 0.66, 0.67, 1.0]
            .map(|u| choice.value_at(u))
            .into();
        assert_eq!(at, [1.0, 1.0, 2.0, 2.0, 7.0, 7.0]);
    }

    /// The integer rule of `value_at` is the one `sample` applies: a uniform
    /// splits [0, 1] into equal parts per whole number, the others round.
    #[test]
    fn value_at_makes_integer_fields_whole() {
        let uniform = parameter(
            Uncertain::Uniform {
                low: 1.5,
                high: 4.9,
            },
            true,
        );
        let at: Vec<f64> = [0.0, 0.33, 0.34, 0.66, 0.67, 1.0]
            .map(|u| uniform.value_at(u))
            .into();
        assert_eq!(at, [2.0, 2.0, 3.0, 3.0, 4.0, 4.0]);
        let log = parameter(
            Uncertain::LogUniform {
                low: 1.0,
                high: 100.0,
            },
            true,
        );
        // The median of log-uniform(1, 100) is 10; u = 0.6 is 10^1.2 = 15.85.
        assert_eq!([log.value_at(0.5), log.value_at(0.6)], [10.0, 16.0]);
        let stream = |r| key(r).day_streams(Purpose::ParameterDraw, 0).member(7);
        for r in 0..50 {
            let u: f64 = stream(r).random();
            assert_eq!(log.sample(&mut stream(r)), log.value_at(u));
        }
    }

    #[test]
    fn an_integer_uniform_draws_each_whole_number_evenly() {
        let p = parameter(
            Uncertain::Uniform {
                low: 1.5,
                high: 4.9,
            },
            true,
        );
        let draws = sample(&p, 30_000);
        for whole in [2.0, 3.0, 4.0] {
            let count = draws.iter().filter(|&&x| x == whole).count();
            assert!((9_500..10_500).contains(&count), "{whole}: {count}");
        }
        assert_eq!(draws.iter().filter(|x| x.fract() != 0.0).count(), 0);
        let t = parameter(
            Uncertain::Triangular {
                low: 0.6,
                mode: 1.0,
                high: 3.2,
            },
            true,
        );
        assert!(
            sample(&t, 2_000)
                .iter()
                .all(|x| [1.0, 2.0, 3.0].contains(x))
        );
        assert_eq!(p.assignment(3.0), "market.search_days=3");
    }

    #[test]
    fn draws_are_keyed_by_seed_replication_and_name_only() {
        let a = parameter(
            Uncertain::Uniform {
                low: 0.0,
                high: 1.0,
            },
            false,
        );
        let b = UncertainParameter {
            key: "market.switching_cost_usd".into(),
            ..a.clone()
        };
        let both = draw(&[a.clone(), b.clone()], key(3));
        assert_eq!(both, draw(&[a.clone(), b.clone()], key(3)));
        // A parameter's draw does not depend on the others.
        assert_eq!(draw(&[b.clone(), a.clone()], key(3)), [both[1], both[0]]);
        assert_eq!(draw(std::slice::from_ref(&a), key(3)), [both[0]]);
        assert_ne!(both, draw(&[a.clone(), b.clone()], key(4)));
        let other_seed = RunKey {
            seed: 43,
            replication: 3,
        };
        assert_ne!(both, draw(&[a.clone(), b.clone()], other_seed));
        assert!((0.0..1.0).contains(&both[0]));
        assert_eq!(
            assignments(&[a.clone(), b.clone()], &both)[0],
            a.assignment(both[0])
        );
    }
}
