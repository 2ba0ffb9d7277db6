//! Daily bands over replications and smoothing, on top of the crate's
//! Student-t estimate ([`crate::output::stats::estimate`]).

use crate::output::stats::estimate;

/// A day's mean over replications with its 95% interval (the mean itself
/// when there is no interval: fewer than two values, or an interval that
/// overflowed).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Band {
    /// Mean of the defined values.
    pub mean: f64,
    /// Lower end of the band.
    pub low: f64,
    /// Upper end of the band.
    pub high: f64,
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

/// Per day, the band over replications of the defined values (`None` when
/// no replication has a finite value that day).
pub fn daily(replications: &[Vec<Option<f64>>], days: usize) -> Vec<Option<Band>> {
    (0..days)
        .map(|day| {
            let values: Vec<Option<f64>> = replications
                .iter()
                .map(|rep| rep.get(day).copied().flatten())
                .collect();
            let e = estimate(&values);
            let mean = e.mean?;
            let (low, high) = e
                .ci_low
                .zip(e.ci_high)
                .filter(|(lo, hi)| lo.is_finite() && hi.is_finite())
                .unwrap_or((mean, mean));
            Some(Band { mean, low, high })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_skip_undefined_values_per_day() {
        let reps = vec![
            vec![Some(1.0), None, Some(5.0)],
            vec![Some(2.0), Some(f64::NAN), None],
            vec![Some(3.0)],
        ];
        let bands = daily(&reps, 4);
        // Day 0: 1, 2, 3 give mean 2 and half width t(2) * 1 / sqrt(3), with
        // t(2) = 4.3026527 from tables (to 7 decimals, hence the 1e-6).
        let b = bands[0].unwrap();
        assert_eq!(b.mean, 2.0);
        assert!(
            (b.high - 2.0 - 4.302_652_7 / 3f64.sqrt()).abs() < 1e-6,
            "{b:?}"
        );
        // Symmetric about the mean, up to the rounding of mean ± half width.
        assert!(
            ((b.high - b.mean) - (b.mean - b.low)).abs() < 1e-12,
            "{b:?}"
        );
        // Day 1: nothing finite; day 2: one value, so no interval; day 3: no data.
        assert_eq!(bands[1], None);
        let single = Band {
            mean: 5.0,
            low: 5.0,
            high: 5.0,
        };
        assert_eq!(bands[2], Some(single));
        assert_eq!(bands[3], None);
    }

    #[test]
    fn trailing_mean_skips_undefined_days() {
        let smooth = trailing_mean(&[None, Some(2.0), None, Some(4.0)], 2);
        assert_eq!(smooth, vec![None, Some(2.0), Some(2.0), Some(4.0)]);
    }
}
