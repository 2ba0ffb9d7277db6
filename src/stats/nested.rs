//! A metric over an ensemble: `k` parameter draws, each run for `m`
//! replications (a nested design). Its mean with the 95% interval of the
//! mean, the 90% interval of the effect across the draws, and the split of
//! its variance into parameter uncertainty and simulation noise.
//!
//! The value of replication `j` of draw `d` is `y[d][j] = g(theta_d) +
//! e[d][j]`: `g` is the metric's expectation at the draw's parameters and
//! `e` the simulation noise, independent with variance `s2_noise`. By the
//! law of total variance `Var(y) = Var(g(theta)) + s2_noise`. With the
//! draws' means `y[d]` and their grand mean `y`, the one-way random-effects
//! analysis of variance gives unbiased estimates
//! (Searle, Casella and McCulloch 1992, *Variance Components*, ch. 3):
//!
//! - `MSW = sum_d sum_j (y[d][j] - y[d])^2 / (k (m - 1))`, whose expectation is `s2_noise`;
//! - `MSB = m sum_d (y[d] - y)^2 / (k - 1)`, whose expectation is `m Var(g) + s2_noise`;
//! - so `var_parameter = (MSB - MSW) / m` (set to 0 when negative) and `var_noise = MSW`.

use super::{Estimate, estimate};

/// The ensemble statistics of one metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    /// Draws with the metric defined in at least one replication.
    pub draws: usize,
    /// 5% quantile of the draws' means: the lower end of the 90% interval
    /// of the effect across the ensemble.
    pub low: Option<f64>,
    /// 95% quantile of the draws' means.
    pub high: Option<f64>,
    /// Variance of the metric's expectation across draws (parameter
    /// uncertainty); needs two or more draws with every replication defined
    /// and two or more replications per draw.
    pub var_parameter: Option<f64>,
    /// Variance between replications of one draw (simulation noise).
    pub var_noise: Option<f64>,
}

impl Spread {
    /// The share of the total variance due to parameter uncertainty.
    pub fn share_parameter(&self) -> Option<f64> {
        let (parameter, noise) = (self.var_parameter?, self.var_noise?);
        (parameter + noise > 0.0).then(|| parameter / (parameter + noise))
    }
}

/// The mean of each draw's defined values: `values` holds `per_draw`
/// consecutive replications per draw (the last draw may hold fewer).
pub fn draw_means(values: &[Option<f64>], per_draw: usize) -> Vec<Option<f64>> {
    values.chunks(per_draw).map(super::mean_defined).collect()
}

/// The mean and 95% interval of the mean over the ensemble, and its spread.
/// The draws are independent, so the interval of the mean is the Student-t
/// interval of the draws' means (`k - 1` degrees of freedom); `n` counts
/// the replications where the metric is defined.
pub fn ensemble_estimate(values: &[Option<f64>], per_draw: usize) -> (Estimate, Spread) {
    let means = draw_means(values, per_draw);
    let mut mean = estimate(&means);
    mean.n = values.iter().flatten().filter(|v| v.is_finite()).count();
    let mut defined: Vec<f64> = means.iter().flatten().copied().collect();
    defined.sort_by(f64::total_cmp);
    let (var_parameter, var_noise) = match components(values, per_draw) {
        Some((parameter, noise)) => (Some(parameter), Some(noise)),
        None => (None, None),
    };
    let spread = Spread {
        draws: defined.len(),
        low: quantile(&defined, 0.05),
        high: quantile(&defined, 0.95),
        var_parameter,
        var_noise,
    };
    (mean, spread)
}

/// The `p` quantile of sorted values, interpolated between order statistics
/// (Hyndman and Fan 1996, definition 7, as R's default); `None` for no value.
pub fn quantile(sorted: &[f64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let h = last as f64 * p;
    let below = h.floor() as usize;
    let above = (below + 1).min(last);
    Some(sorted[below] + (h - below as f64) * (sorted[above] - sorted[below]))
}

/// `(var_parameter, var_noise)` estimated from the draws of `per_draw`
/// replications (not a shorter last one) whose every replication is defined (see the module's documentation); `None` with
/// fewer than two such draws or fewer than two replications per draw.
pub fn components(values: &[Option<f64>], per_draw: usize) -> Option<(f64, f64)> {
    if per_draw < 2 {
        return None;
    }
    let complete: Vec<Vec<f64>> = values
        .chunks_exact(per_draw)
        .filter_map(|draw| draw.iter().map(|v| v.filter(|v| v.is_finite())).collect())
        .collect();
    let k = complete.len();
    if k < 2 {
        return None;
    }
    let m = per_draw as f64;
    let means: Vec<f64> = complete.iter().map(|d| d.iter().sum::<f64>() / m).collect();
    let grand = means.iter().sum::<f64>() / k as f64;
    let within: f64 = complete
        .iter()
        .zip(&means)
        .map(|(d, mean)| d.iter().map(|v| (v - mean).powi(2)).sum::<f64>())
        .sum();
    let between: f64 = means.iter().map(|mean| (mean - grand).powi(2)).sum();
    let msw = within / (k as f64 * (m - 1.0));
    let msb = m * between / (k as f64 - 1.0);
    Some((((msb - msw) / m).max(0.0), msw))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Normal};
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn quantiles_of_a_known_sample() {
        let sorted: Vec<f64> = (1..=11).map(f64::from).collect();
        // h = 10 p: 0.05 -> 1.5, 0.95 -> 10.5 (R: quantile(1:11, c(.05, .95))).
        assert_eq!(quantile(&sorted, 0.05), Some(1.5));
        assert_eq!(quantile(&sorted, 0.95), Some(10.5));
        assert_eq!(quantile(&[4.0], 0.95), Some(4.0));
        assert_eq!(quantile(&[], 0.5), None);
    }

    /// A toy with a known split: `y = theta_d + e`, `theta ~ N(0, 4)`,
    /// `e ~ N(0, 1)`. The estimates are within four of their standard
    /// errors: `Var(MSW) = 2 s2^2 / (k (m - 1))` and `Var(MSB) = 2 (m
    /// Var(g) + s2)^2 / (k - 1)` for normal data, `var_parameter`'s being
    /// `(Var(MSB) + Var(MSW)) / m^2`.
    #[test]
    fn components_recover_a_known_split() {
        let (k, m) = (400usize, 5usize);
        let (var_g, var_e): (f64, f64) = (4.0, 1.0);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let theta = Normal::new(0.0, var_g.sqrt()).unwrap();
        let noise = Normal::new(0.0, var_e.sqrt()).unwrap();
        let mut values = Vec::new();
        for _ in 0..k {
            let g = theta.sample(&mut rng);
            values.extend((0..m).map(|_| Some(g + noise.sample(&mut rng))));
        }
        let (parameter, noise_var) = components(&values, m).unwrap();
        let (kf, mf) = (k as f64, m as f64);
        let se_noise = (2.0 * var_e * var_e / (kf * (mf - 1.0))).sqrt();
        let var_msb = 2.0 * (mf * var_g + var_e).powi(2) / (kf - 1.0);
        let se_parameter = ((var_msb + se_noise * se_noise) / (mf * mf)).sqrt();
        assert!((noise_var - var_e).abs() < 4.0 * se_noise, "{noise_var}");
        assert!(
            (parameter - var_g).abs() < 4.0 * se_parameter,
            "{parameter}"
        );
    }

    #[test]
    fn no_split_without_two_replications_or_two_complete_draws() {
        assert_eq!(components(&[Some(1.0), Some(2.0)], 1), None);
        let one_complete = [Some(1.0), Some(2.0), Some(3.0), None];
        assert_eq!(components(&one_complete, 2), None);
    }

    #[test]
    fn the_interval_of_the_mean_uses_the_draws_means() {
        // Two draws of two: means 1.5 and 3.5, so the interval is the t
        // interval of {1.5, 3.5}; n counts the four replications.
        let values = [Some(1.0), Some(2.0), Some(3.0), Some(4.0)];
        let (mean, spread) = ensemble_estimate(&values, 2);
        assert_eq!(
            mean,
            Estimate {
                n: 4,
                ..estimate(&[Some(1.5), Some(3.5)])
            }
        );
        assert_eq!(spread.draws, 2);
        assert_eq!(spread.low, Some(1.5 + 0.05 * 2.0));
        assert_eq!(spread.high, Some(1.5 + 0.95 * 2.0));
        // Within each draw: variance 0.5; between: MSB = 2 * 2 = 4, so (4 - 0.5) / 2.
        assert_eq!(
            (spread.var_parameter, spread.var_noise),
            (Some(1.75), Some(0.5))
        );
        assert_eq!(spread.share_parameter(), Some(1.75 / 2.25));
    }
}
