//! Means, Student-t intervals and smoothing over replications.

/// A mean with its 95% interval (absent when fewer than two values).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Mean of the values.
    pub mean: f64,
    /// 95% Student-t interval of the mean, when at least two values exist.
    pub interval: Option<(f64, f64)>,
}

impl Estimate {
    /// The interval, or the mean itself when there is none.
    pub fn bounds(&self) -> (f64, f64) {
        self.interval.unwrap_or((self.mean, self.mean))
    }
}

/// Mean and 95% interval of the finite values, `None` when there is none.
pub fn estimate(values: &[f64]) -> Option<Estimate> {
    let values: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let n = values.len();
    if n == 0 {
        return None;
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let interval = (n >= 2).then(|| {
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let half = crate::output::stats::t_quantile_975(n - 1) * (var / n as f64).sqrt();
        (mean - half, mean + half)
    });
    Some(Estimate {
        mean,
        interval: interval.filter(|(lo, hi)| lo.is_finite() && hi.is_finite()),
    })
}

/// Mean of the defined values among the `window` days ending at each day.
pub fn trailing_mean(values: &[Option<f64>], window: usize) -> Vec<Option<f64>> {
    (0..values.len())
        .map(|day| {
            let from = (day + 1).saturating_sub(window.max(1));
            let defined: Vec<f64> = values[from..=day].iter().flatten().copied().collect();
            (!defined.is_empty()).then(|| defined.iter().sum::<f64>() / defined.len() as f64)
        })
        .collect()
}

/// Per day, the estimate over replications of the defined values.
pub fn daily(replications: &[Vec<Option<f64>>], days: usize) -> Vec<Option<Estimate>> {
    (0..days)
        .map(|day| {
            let values: Vec<f64> = replications
                .iter()
                .filter_map(|rep| rep.get(day).copied().flatten())
                .collect();
            estimate(&values)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_uses_student_t() {
        let e = estimate(&[1.0, 2.0, 3.0]).unwrap();
        assert_eq!(e.mean, 2.0);
        let (lo, hi) = e.interval.unwrap();
        assert!((hi - 2.0 - 4.302_652_7 / 3f64.sqrt()).abs() < 1e-6, "{hi}");
        assert!((2.0 - lo - (hi - 2.0)).abs() < 1e-12);
    }

    #[test]
    fn undefined_values_are_skipped() {
        assert_eq!(estimate(&[]), None);
        assert_eq!(estimate(&[f64::NAN, 4.0]).unwrap().interval, None);
        let smooth = trailing_mean(&[None, Some(2.0), None, Some(4.0)], 2);
        assert_eq!(smooth, vec![None, Some(2.0), Some(2.0), Some(4.0)]);
    }
}
