//! The interval of a share: the Wilson score interval (Wilson 1927,
//! "Probable inference, the law of succession, and statistical inference",
//! JASA 22(158); Agresti and Coull 1998 compare it with others), which
//! stays inside [0, 1] where a Student-t interval of a share does not.
//!
//! For `n` units with values in [0, 1] and mean `p`, the interval is
//! `(p + z^2/2n -+ z sqrt(p (1 - p)/n + z^2/4n^2)) / (1 + z^2/n)` with
//! `z = 1.96`. It is exact in its assumptions for Bernoulli units (a
//! replication recovered or not). For units that are themselves fractions
//! (the share of one replication's displaced who came back, or a draw's
//! share of recovered replications) it is conservative: a variable in
//! [0, 1] with mean `p` has a variance of at most `p (1 - p)`, the
//! variance the interval assumes.

use super::Estimate;

/// The standard normal's 97.5% quantile.
const Z_975: f64 = 1.959_963_984_540_054;

/// The Wilson score interval of a share `p` (in [0, 1]) over `n` units.
pub fn wilson(p: f64, n: usize) -> (f64, f64) {
    let n = n as f64;
    let z2 = Z_975 * Z_975;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z_975 / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    // The interval always holds `p`; the bounds keep rounding from saying
    // otherwise at 0 and 1.
    ((centre - half).clamp(0.0, p), (centre + half).clamp(p, 1.0))
}

/// The mean of the defined shares among `units` and its Wilson interval
/// (none for fewer than two units); `n` counts the defined units.
pub fn share_estimate(units: &[Option<f64>]) -> Estimate {
    let defined: Vec<f64> = units
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    let n = defined.len();
    let mean = (n > 0).then(|| defined.iter().sum::<f64>() / n as f64);
    let interval = mean
        .filter(|_| n >= 2)
        .map(|p| wilson(p.clamp(0.0, 1.0), n));
    Estimate {
        mean,
        ci_low: interval.map(|i| i.0),
        ci_high: interval.map(|i| i.1),
        n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_intervals() {
        // 8 of 10: the closed form above gives (0.49016, 0.94332).
        let (low, high) = wilson(0.8, 10);
        assert!((low - 0.4902).abs() < 5e-5, "{low}");
        assert!((high - 0.9433).abs() < 5e-5, "{high}");
        // 0 of 10: (0, z^2 / (n + z^2)) = (0, 0.27753).
        let (low, high) = wilson(0.0, 10);
        assert_eq!(low, 0.0);
        assert!((high - 0.2775).abs() < 5e-5, "{high}");
    }

    #[test]
    fn stays_inside_zero_and_one() {
        for n in [2, 5, 30, 1000] {
            for k in 0..=n {
                let (low, high) = wilson(k as f64 / n as f64, n);
                assert!((0.0..=1.0).contains(&low) && (0.0..=1.0).contains(&high));
                assert!(low <= k as f64 / n as f64 && k as f64 / n as f64 <= high);
            }
        }
    }

    #[test]
    fn estimate_of_shares() {
        let e = share_estimate(&[Some(1.0), Some(0.0), None, Some(1.0), Some(1.0)]);
        assert_eq!((e.mean, e.n), (Some(0.75), 4));
        assert_eq!((e.ci_low, e.ci_high), {
            let (l, h) = wilson(0.75, 4);
            (Some(l), Some(h))
        });
        assert_eq!(share_estimate(&[Some(1.0)]).ci_low, None);
    }
}
