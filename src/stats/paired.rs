//! Contrasts between two arms of the same replications: the paired
//! difference of a metric and the ratio of its means. The arms of one
//! replication share their random numbers (and in an ensemble their
//! parameter draw), so the difference is estimated from each
//! replication's own difference, which is far less noisy than the
//! difference of two independent means.
//!
//! The ratio `R = mean(a) / mean(b)` (how large arm A's effect is as a
//! share of arm B's) gets the delta-method interval of a ratio estimator
//! (Cochran 1977, *Sampling Techniques*, 3rd ed., section 6.4): with the
//! units' residuals `d_i = a_i - R b_i`, `se(R) = sd(d) / (sqrt(n) |mean(b)|)`,
//! and the interval is `R -+ t(n-1) se(R)`. It needs `mean(b)` away from 0
//! relative to its noise; it is undefined when `mean(b)` is 0.

use super::{Estimate, t_quantile_975};

/// Each unit's `a - b`, where both are defined and finite.
pub fn differences(a: &[Option<f64>], b: &[Option<f64>]) -> Vec<Option<f64>> {
    a.iter()
        .zip(b)
        .map(|(a, b)| Some(a.filter(|v| v.is_finite())? - b.filter(|v| v.is_finite())?))
        .collect()
}

/// The ratio of the means of `a` and `b` over the units where both are
/// defined, with its delta-method 95% interval (see the module's documentation).
pub fn ratio_estimate(a: &[Option<f64>], b: &[Option<f64>]) -> Estimate {
    let pairs: Vec<(f64, f64)> = a
        .iter()
        .zip(b)
        .filter_map(|(a, b)| Some((a.filter(|v| v.is_finite())?, b.filter(|v| v.is_finite())?)))
        .collect();
    let n = pairs.len();
    let sum = |f: fn(&(f64, f64)) -> f64| pairs.iter().map(f).sum::<f64>();
    let (mean_a, mean_b) = (sum(|p| p.0) / n as f64, sum(|p| p.1) / n as f64);
    let ratio = (n > 0 && mean_b != 0.0).then(|| mean_a / mean_b);
    let interval = ratio.filter(|_| n >= 2).map(|r| {
        let squares: f64 = pairs.iter().map(|(a, b)| (a - r * b).powi(2)).sum();
        let se = (squares / (n - 1) as f64).sqrt() / ((n as f64).sqrt() * mean_b.abs());
        let half = t_quantile_975(n - 1) * se;
        (r - half, r + half)
    });
    Estimate {
        mean: ratio,
        ci_low: interval.map(|i| i.0),
        ci_high: interval.map(|i| i.1),
        n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::estimate;

    #[test]
    fn differences_pair_defined_units() {
        let a = [Some(3.0), None, Some(5.0), Some(f64::NAN)];
        let b = [Some(1.0), Some(2.0), None, Some(1.0)];
        assert_eq!(differences(&a, &b), vec![Some(2.0), None, None, None]);
    }

    #[test]
    fn ratio_of_a_known_sample() {
        // a = 2 b + noise: the ratio of means is 20/10; residuals
        // d = a - 2 b = (0.5, -0.5, 0.5, -0.5), sd = sqrt(1/3), mean(b) = 2.5.
        let b = [Some(1.0), Some(2.0), Some(3.0), Some(4.0)];
        let a = [Some(2.5), Some(3.5), Some(6.5), Some(7.5)];
        let e = ratio_estimate(&a, &b);
        assert_eq!((e.mean, e.n), (Some(2.0), 4));
        let se = (1.0f64 / 3.0).sqrt() / (2.0 * 2.5);
        let half = t_quantile_975(3) * se;
        assert!((e.ci_low.unwrap() - (2.0 - half)).abs() < 1e-12);
        assert!((e.ci_high.unwrap() - (2.0 + half)).abs() < 1e-12);
    }

    #[test]
    fn ratio_is_undefined_over_zero() {
        let e = ratio_estimate(&[Some(1.0), Some(2.0)], &[Some(1.0), Some(-1.0)]);
        assert_eq!(e.mean, None);
        assert_eq!(ratio_estimate(&[], &[]).mean, None);
    }

    #[test]
    fn paired_interval_is_narrower_than_unpaired_under_common_noise() {
        // Shared noise cancels in the differences.
        let noise = [3.0, -2.0, 5.0, -4.0, 1.0, -3.0];
        let a: Vec<Option<f64>> = noise
            .iter()
            .enumerate()
            .map(|(i, e)| Some(10.0 + e + 0.1 * i as f64))
            .collect();
        let b: Vec<Option<f64>> = noise.iter().map(|e| Some(8.0 + e)).collect();
        let paired = estimate(&differences(&a, &b));
        let width = paired.ci_high.unwrap() - paired.ci_low.unwrap();
        let separate = estimate(&a);
        assert!(width < 0.1 * (separate.ci_high.unwrap() - separate.ci_low.unwrap()));
    }
}
