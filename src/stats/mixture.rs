//! Quantiles of what would be observed: a model's values each blurred by an
//! observation's error, `X = V + e` with `V` drawn from `values` and `e ~
//! N(0, sd^2)`, i.e. the mixture `mean_i N(values_i, sd^2)`.

use statrs::distribution::{ContinuousCDF, Normal};

/// Most bisection steps: each halves the bracket, so 200 reach the float
/// spacing of any finite bracket.
const MAX_STEPS: usize = 200;

/// The `p`-quantile (0 < p < 1) of `mean_i N(values_i, sd^2)`, found by
/// bisection of its distribution function to a millionth of `sd` (or the
/// float spacing, where that is coarser); `None` without values or with
/// `sd` not above 0.
pub fn blurred_quantile(values: &[f64], sd: f64, p: f64) -> Option<f64> {
    let normal = Normal::new(0.0, 1.0).expect("the standard normal");
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(*v), hi.max(*v))
        });
    let usable = sd > 0.0 && sd.is_finite() && lo.is_finite() && hi.is_finite();
    if !usable {
        return None;
    }
    let cdf =
        |x: f64| values.iter().map(|v| normal.cdf((x - v) / sd)).sum::<f64>() / values.len() as f64;
    let (mut low, mut high) = (lo - 10.0 * sd, hi + 10.0 * sd);
    for _ in 0..MAX_STEPS {
        let middle = 0.5 * (low + high);
        if high - low <= 1e-6 * sd || middle == low || middle == high {
            break;
        }
        if cdf(middle) < p {
            low = middle;
        } else {
            high = middle;
        }
    }
    Some(0.5 * (low + high))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_value_gives_the_normal_quantile_and_two_far_apart_split_the_mass() {
        // z(0.95) = 1.6448536...
        let q = blurred_quantile(&[10.0], 2.0, 0.95).unwrap();
        assert!((q - (10.0 + 2.0 * 1.644_853_6)).abs() < 1e-4, "{q}");
        let q = blurred_quantile(&[10.0, 10.0, 10.0], 2.0, 0.05).unwrap();
        assert!((q - (10.0 - 2.0 * 1.644_853_6)).abs() < 1e-4, "{q}");
        // Half the mass at 0, half at 1000: the 25% quantile is the median
        // of N(0, 1), the 75% that of N(1000, 1).
        let q = blurred_quantile(&[0.0, 1000.0], 1.0, 0.25).unwrap();
        assert!(q.abs() < 1e-4, "{q}");
        let q = blurred_quantile(&[0.0, 1000.0], 1.0, 0.75).unwrap();
        assert!((q - 1000.0).abs() < 1e-4, "{q}");
        // A value far larger than sd: the float spacing, not sd, bounds the step.
        let q = blurred_quantile(&[1e10], 1.0, 0.5).unwrap();
        assert!((q - 1e10).abs() < 1e-3, "{q}");
        assert_eq!(blurred_quantile(&[], 1.0, 0.5), None);
        assert_eq!(blurred_quantile(&[1.0], 0.0, 0.5), None);
    }
}
