//! Statistics over replications: mean and Student-t confidence interval.

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
    let defined: Vec<f64> = values
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    let n = defined.len();
    if n == 0 {
        return Estimate {
            mean: None,
            ci_low: None,
            ci_high: None,
            n,
        };
    }
    let mean = defined.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return Estimate {
            mean: Some(mean),
            ci_low: None,
            ci_high: None,
            n,
        };
    }
    let variance = defined.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let half_width = t_quantile_975(n - 1) * (variance / n as f64).sqrt();
    Estimate {
        mean: Some(mean),
        ci_low: Some(mean - half_width),
        ci_high: Some(mean + half_width),
        n,
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
}
