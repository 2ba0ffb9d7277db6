//! The first-order sensitivity index of an effect to one uncertain
//! parameter, estimated from an ensemble's draws as they are ("given data",
//! no special design): the draws are sorted by the parameter's value and
//! cut into bins of nearly equal size, and the variance of the effect's
//! conditional mean is the between-bins variance component of a one-way
//! analysis of variance over the bins (Plischke 2010, "An effective
//! algorithm for computing global sensitivity indices (EASI)", Reliability
//! Engineering & System Safety 95(4); Strong and Oakley 2013 use the same
//! idea for the expected value of partial perfect information).
//!
//! With `N` draws in `B` bins (`B = floor(sqrt(N))`, or one bin per
//! distinct value when there are fewer, as for a parameter with a few
//! choices), bin means `y_b` of sizes `n_b`:
//! `MSB = sum_b n_b (y_b - y)^2 / (B - 1)`, `MSW = sum_b sum_i (y_i - y_b)^2 / (N - B)`,
//! and, as `sum_b n_b (y_b - y)^2` has expectation
//! `sum_b n_b (mu_b - mu)^2 + (B - 1) s2` for bins fixed by the parameter's
//! values (`mu_b` the bins' true means, `s2` the variance within them),
//! `Var(E[Y | X]) = (B - 1) (MSB - MSW) / N`, set to 0 when negative. The index is that variance over the variance of
//! the effect due to every parameter. Binning blurs the conditional mean
//! within a bin, so the index is biased low by the share of `Var(E[Y|X])`
//! inside the bins (for a linear effect of a uniform parameter, a factor
//! `1 - 1/B^2`). The F test of `MSB / MSW` (`B - 1` and `N - B` degrees of
//! freedom) says whether the parameter's effect is told apart from none.

use statrs::distribution::{ContinuousCDF, FisherSnedecor};

/// The first-order index of one parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FirstOrder {
    /// `Var(E[Y | X]) / var_total`, in [0, 1].
    pub index: f64,
    /// The F test's probability of a between-bins spread this large if the
    /// parameter had no effect.
    pub p_value: f64,
    /// Bins used.
    pub bins: usize,
}

/// The first-order index of the parameter whose value in each draw is `x`
/// for the effect `y` (the draws' means), against `var_total`, the effect's
/// variance due to every parameter. `None` with fewer than 8 draws, a
/// parameter that does not vary, or no variance to explain.
pub fn first_order(x: &[f64], y: &[f64], var_total: f64) -> Option<FirstOrder> {
    let n = x.len().min(y.len());
    if n < 8 || var_total.is_nan() || var_total <= 0.0 {
        return None;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let groups = bins(&order, x);
    if groups.len() < 2 {
        return None;
    }
    let (between, within) = anova(&groups, y);
    let b = groups.len() as f64;
    let f = between / within;
    let p_value = FisherSnedecor::new(b - 1.0, n as f64 - b)
        .map(|dist| 1.0 - dist.cdf(f))
        .unwrap_or(f64::NAN);
    let explained = ((b - 1.0) * (between - within) / n as f64).max(0.0);
    Some(FirstOrder {
        index: (explained / var_total).min(1.0),
        p_value: if f.is_finite() { p_value } else { 0.0 },
        bins: groups.len(),
    })
}

/// The draws (indices into `x`, sorted by `x`) cut into bins: one per
/// distinct value when there are at most `floor(sqrt(N))` of them,
/// otherwise `floor(sqrt(N))` bins of nearly equal size.
fn bins<'a>(sorted: &'a [usize], x: &[f64]) -> Vec<&'a [usize]> {
    let n = sorted.len();
    let target = (n as f64).sqrt().floor() as usize;
    let mut distinct: Vec<&[usize]> = sorted.chunk_by(|&a, &b| x[a] == x[b]).collect();
    if distinct.len() <= target {
        return std::mem::take(&mut distinct);
    }
    (0..target)
        .map(|b| &sorted[b * n / target..(b + 1) * n / target])
        .collect()
}

/// `(MSB, MSW)` of `y` over the bins.
fn anova(groups: &[&[usize]], y: &[f64]) -> (f64, f64) {
    let n: usize = groups.iter().map(|g| g.len()).sum();
    let b = groups.len() as f64;
    let grand = groups
        .iter()
        .flat_map(|g| g.iter())
        .map(|&i| y[i])
        .sum::<f64>()
        / n as f64;
    let (mut between, mut within) = (0.0, 0.0);
    for group in groups {
        let size = group.len() as f64;
        let mean = group.iter().map(|&i| y[i]).sum::<f64>() / size;
        between += size * (mean - grand).powi(2);
        within += group.iter().map(|&i| (y[i] - mean).powi(2)).sum::<f64>();
    }
    (between / (b - 1.0), within / (n as f64 - b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// `y = 2 x1 + x2 + 0 x3 + e` with `x ~ U(0, 1)` and a little noise:
    /// `Var(g) = 5 / 12`, so the indices are 0.8 and 0.2 before binning and
    /// `0.8 (1 - 1/B^2)`, `0.2 (1 - 1/B^2)` after. Over 200 seeds the mean
    /// estimate is within four standard errors (their spread over seeds /
    /// sqrt(200)); the null parameter's F test rejects at 5% at a rate within
    /// four binomial standard errors of 0.05.
    #[test]
    fn indices_of_a_linear_toy() {
        let (draws, seeds) = (400usize, 200usize);
        let mut estimates = [Vec::new(), Vec::new()];
        let mut rejections = 0;
        let mut bins = 0;
        for seed in 0..seeds {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed as u64);
            let mut xs = [Vec::new(), Vec::new(), Vec::new()];
            let mut y = Vec::new();
            for _ in 0..draws {
                let x: [f64; 3] = [rng.random(), rng.random(), rng.random()];
                let noise = 0.05 * (rng.random::<f64>() - 0.5);
                y.push(2.0 * x[0] + x[1] + noise);
                for (column, value) in xs.iter_mut().zip(x) {
                    column.push(value);
                }
            }
            let var_g = 5.0 / 12.0;
            for (i, estimate) in estimates.iter_mut().enumerate() {
                let s = first_order(&xs[i], &y, var_g).unwrap();
                estimate.push(s.index);
                bins = s.bins;
            }
            rejections += usize::from(first_order(&xs[2], &y, var_g).unwrap().p_value < 0.05);
        }
        let shrink = 1.0 - 1.0 / (bins * bins) as f64;
        for (estimate, truth) in estimates.iter().zip([0.8 * shrink, 0.2 * shrink]) {
            let mean = estimate.iter().sum::<f64>() / seeds as f64;
            let sd = (estimate.iter().map(|e| (e - mean).powi(2)).sum::<f64>()
                / (seeds - 1) as f64)
                .sqrt();
            let se = sd / (seeds as f64).sqrt();
            assert!(
                (mean - truth).abs() < 4.0 * se,
                "{mean} vs {truth} (se {se})"
            );
        }
        let rate = rejections as f64 / seeds as f64;
        let se = (0.05 * 0.95 / seeds as f64).sqrt();
        assert!((rate - 0.05).abs() < 4.0 * se, "{rate}");
    }

    #[test]
    fn a_parameter_with_few_values_gets_one_bin_each() {
        let x: Vec<f64> = (0..30).map(|i| f64::from(i % 3)).collect();
        let y: Vec<f64> = x.iter().map(|v| v * 10.0).collect();
        let s = first_order(&x, &y, 200.0 / 3.0).unwrap();
        assert_eq!(s.bins, 3);
        // Exact: the bins are the values, and there is no noise.
        assert!((s.index - 1.0).abs() < 1e-9, "{}", s.index);
    }

    #[test]
    fn too_few_draws_or_no_variance() {
        assert_eq!(first_order(&[1.0; 5], &[1.0; 5], 1.0), None);
        assert_eq!(first_order(&[1.0; 20], &[1.0; 20], 1.0), None);
        let x: Vec<f64> = (0..20).map(f64::from).collect();
        assert_eq!(first_order(&x, &x, 0.0), None);
    }
}
