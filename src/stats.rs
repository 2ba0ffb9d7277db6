//! Statistics over replications: mean and Student-t confidence interval;
//! over an ensemble of parameter draws ([`nested`]); and the first-order
//! sensitivity of an effect to each uncertain parameter ([`first_order`]).

pub mod censored;
pub mod first_order;
pub mod mixture;
pub mod nested;
pub mod paired;
pub mod share;

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Mean and 95% interval of one metric over replications.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Mean over the replications where the metric is defined.
    pub mean: Option<f64>,
    /// Lower end of the 95% Student-t interval (needs n >= 2).
    pub ci_low: Option<f64>,
    /// Upper end of the 95% Student-t interval (needs n >= 2).
    pub ci_high: Option<f64>,
    /// Replications where the metric is defined.
    pub n: usize,
}

/// Mean and 95% Student-t interval of the defined values, summed in order.
pub fn estimate(values: &[Option<f64>]) -> Estimate {
    let mut sums = Accumulator::default();
    values.iter().for_each(|v| sums.add(*v));
    values.iter().for_each(|v| sums.add_deviation(*v));
    sums.estimate()
}

/// Mean of the defined, finite values (`None` if there are none): the mean
/// of [`estimate`], without the interval.
pub fn mean_defined(values: &[Option<f64>]) -> Option<f64> {
    let mut sums = Accumulator::default();
    values.iter().for_each(|v| sums.add(*v));
    sums.mean()
}

/// [`estimate`] of values given one at a time, for values too many to hold:
/// give each value to [`add`](Self::add), then each again, in the same order,
/// to [`add_deviation`](Self::add_deviation), then read
/// [`estimate`](Self::estimate). Undefined and non-finite values are skipped.
/// The sums are made in the order the values come, as `estimate` makes them,
/// so the result is the same to the bit.
#[derive(Clone, Copy, Debug)]
pub struct Accumulator {
    /// Values counted by `add`.
    n: usize,
    /// Their sum.
    sum: f64,
    /// Sum of their squared deviations from `sum / n`, made by `add_deviation`.
    squares: f64,
}

impl Default for Accumulator {
    fn default() -> Self {
        // `Iterator::sum` of `f64` starts from -0.0 (so that a sum of -0.0
        // values is -0.0); starting from the same value keeps the same bits.
        Self {
            n: 0,
            sum: -0.0,
            squares: -0.0,
        }
    }
}

impl Accumulator {
    /// First pass: counts and sums a value.
    pub fn add(&mut self, value: Option<f64>) {
        if let Some(v) = value.filter(|v| v.is_finite()) {
            self.n += 1;
            self.sum += v;
        }
    }

    /// Second pass, after every `add`: sums the squared deviation of a value
    /// from the mean.
    pub fn add_deviation(&mut self, value: Option<f64>) {
        if let (Some(v), Some(mean)) = (value.filter(|v| v.is_finite()), self.mean()) {
            self.squares += (v - mean).powi(2);
        }
    }

    /// Mean of the values counted (`None` when there is none).
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / self.n as f64)
    }

    /// Mean and 95% Student-t interval of the values given to both passes.
    pub fn estimate(&self) -> Estimate {
        let n = self.n;
        let Some(mean) = self.mean() else {
            return Estimate {
                mean: None,
                ci_low: None,
                ci_high: None,
                n,
            };
        };
        if n < 2 {
            return Estimate {
                mean: Some(mean),
                ci_low: None,
                ci_high: None,
                n,
            };
        }
        let variance = self.squares / (n - 1) as f64;
        let half_width = t_quantile_975(n - 1) * (variance / n as f64).sqrt();
        Estimate {
            mean: Some(mean),
            ci_low: Some(mean - half_width),
            ci_high: Some(mean + half_width),
            n,
        }
    }
}

/// The 97.5% quantile of Student's t with `dof` degrees of freedom.
pub fn t_quantile_975(dof: usize) -> f64 {
    StudentsT::new(0.0, 1.0, dof as f64)
        .map(|t| t.inverse_cdf(0.975))
        .unwrap_or(1.959_963_984_540_054)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_tables() {
        // Published two-sided 95% critical values.
        assert!((t_quantile_975(1) - 12.706).abs() < 1e-3);
        assert!((t_quantile_975(9) - 2.262).abs() < 1e-3);
        assert!((t_quantile_975(29) - 2.045).abs() < 1e-3);
    }

    #[test]
    fn interval_of_known_sample() {
        // Values 1..=5: mean 3, sd sqrt(2.5), half width t(4) * sd / sqrt(5) = 2.776 * 0.7071.
        let e = estimate(&[Some(1.0), Some(2.0), Some(3.0), Some(4.0), Some(5.0), None]);
        assert_eq!(e.n, 5);
        assert_eq!(e.mean, Some(3.0));
        let half = 2.776_445 * (2.5f64 / 5.0).sqrt();
        assert!((e.ci_high.unwrap() - (3.0 + half)).abs() < 1e-4);
        assert!((e.ci_low.unwrap() - (3.0 - half)).abs() < 1e-4);
    }

    #[test]
    fn undefined_and_single_values() {
        assert_eq!(estimate(&[None, None]).mean, None);
        let one = estimate(&[Some(2.0)]);
        assert_eq!((one.mean, one.ci_low, one.n), (Some(2.0), None, 1));
    }

    /// `estimate` as it was written before [`Accumulator`]: the defined
    /// values collected, then summed with `Iterator::sum`.
    fn held_estimate(values: &[Option<f64>]) -> Estimate {
        let defined: Vec<f64> = values
            .iter()
            .flatten()
            .copied()
            .filter(|v| v.is_finite())
            .collect();
        let n = defined.len();
        let mean = (n > 0).then(|| defined.iter().sum::<f64>() / n as f64);
        let interval = mean.filter(|_| n >= 2).map(|mean| {
            let variance = defined.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            let half_width = t_quantile_975(n - 1) * (variance / n as f64).sqrt();
            (mean - half_width, mean + half_width)
        });
        Estimate {
            mean,
            ci_low: interval.map(|i| i.0),
            ci_high: interval.map(|i| i.1),
            n,
        }
    }

    /// The bits of an estimate, so that -0.0 and 0.0 differ.
    fn bits(e: &Estimate) -> [Option<u64>; 3] {
        [e.mean, e.ci_low, e.ci_high].map(|v| v.map(f64::to_bits))
    }

    #[test]
    fn accumulator_and_mean_give_the_bits_of_held_values() {
        // A fixed pseudo-random sequence of values of very different sizes
        // (so that the order of the sums matters), with undefined, infinite
        // and NaN values among them.
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut samples: Vec<Vec<Option<f64>>> = vec![
            vec![],
            vec![None, Some(f64::NAN)],
            vec![Some(-0.0)],
            vec![Some(-0.0), Some(-0.0)],
            vec![Some(2.5)],
            vec![Some(f64::INFINITY), Some(3.0), None],
            vec![Some(f64::MAX), Some(f64::MAX), Some(1.0)],
        ];
        for len in [2, 3, 10, 97, 1000] {
            let sample = (0..len)
                .map(|_| match next() % 10 {
                    0 => None,
                    1 => Some(f64::NEG_INFINITY),
                    2 => Some(f64::NAN),
                    k => {
                        Some((next() as f64 / u64::MAX as f64 - 0.3) * 10f64.powi(k as i32 * 2 - 6))
                    }
                })
                .collect();
            samples.push(sample);
        }
        for values in &samples {
            let expected = held_estimate(values);
            let mut sums = Accumulator::default();
            values.iter().for_each(|v| sums.add(*v));
            values.iter().for_each(|v| sums.add_deviation(*v));
            let streamed = sums.estimate();
            assert_eq!(streamed.n, expected.n, "{values:?}");
            assert_eq!(bits(&streamed), bits(&expected), "{values:?}");
            assert_eq!(bits(&estimate(values)), bits(&expected), "{values:?}");
            let mean = mean_defined(values).map(f64::to_bits);
            assert_eq!(mean, expected.mean.map(f64::to_bits), "{values:?}");
        }
    }
}
