//! Daily bands over replications and smoothing, on top of the crate's
//! Student-t estimate ([`crate::stats::Accumulator`]).

use crate::stats::{Accumulator, Estimate};

/// Days in the trailing mean of smoothed series.
pub const SMOOTHING_DAYS: usize = 7;

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

impl Band {
    /// The band of an estimate (`None` when it has no mean).
    fn of(e: Estimate) -> Option<Self> {
        let mean = e.mean?;
        let (low, high) = e
            .ci_low
            .zip(e.ci_high)
            .filter(|(lo, hi)| lo.is_finite() && hi.is_finite())
            .unwrap_or((mean, mean));
        Some(Band { mean, low, high })
    }
}

/// Mean of the defined values among the `window` days ending at each day.
pub fn trailing_mean(values: &[Option<f64>], window: usize) -> Vec<Option<f64>> {
    (0..values.len())
        .map(|day| {
            let from = (day + 1).saturating_sub(window.max(1));
            let defined = values[from..=day].iter().flatten();
            let n = defined.clone().count();
            (n > 0).then(|| defined.sum::<f64>() / n as f64)
        })
        .collect()
}

/// Per day, the band over replications of the defined values, from
/// replications given one at a time: each daily vector to
/// [`add`](Self::add), then each again, in the same order, to
/// [`add_deviations`](Self::add_deviations) (see [`Accumulator`]).
#[derive(Debug, Default)]
pub struct Daily {
    days: Vec<Accumulator>,
}

impl Daily {
    /// First pass over the replications: one replication's daily values.
    pub fn add(&mut self, replication: &[Option<f64>]) {
        if self.days.len() < replication.len() {
            self.days.resize(replication.len(), Accumulator::default());
        }
        for (day, value) in self.days.iter_mut().zip(replication) {
            day.add(*value);
        }
    }

    /// Second pass, after every `add`: one replication's daily values.
    pub fn add_deviations(&mut self, replication: &[Option<f64>]) {
        for (day, value) in self.days.iter_mut().zip(replication) {
            day.add_deviation(*value);
        }
    }

    /// The band of each of the first `days` days (`None` when no
    /// replication has a finite value that day).
    pub fn bands(&self, days: usize) -> Vec<Option<Band>> {
        (0..days)
            .map(|day| self.days.get(day).and_then(|d| Band::of(d.estimate())))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bands of replications held in memory.
    fn daily(replications: &[Vec<Option<f64>>], days: usize) -> Vec<Option<Band>> {
        let mut daily = Daily::default();
        replications.iter().for_each(|rep| daily.add(rep));
        replications
            .iter()
            .for_each(|rep| daily.add_deviations(rep));
        daily.bands(days)
    }

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

    #[test]
    fn trailing_mean_sums_in_order() {
        // The sums of collected values, as before the means were streamed.
        let values: Vec<Option<f64>> = (0..40)
            .map(|i| (i % 5 != 2).then(|| (i as f64 * 0.37).sin() * 10f64.powi(i % 9 * 3 - 8)))
            .chain([Some(-0.0), Some(-0.0)])
            .collect();
        let smooth = trailing_mean(&values, SMOOTHING_DAYS);
        for (day, mean) in smooth.iter().enumerate() {
            let from = (day + 1).saturating_sub(SMOOTHING_DAYS);
            let defined: Vec<f64> = values[from..=day].iter().flatten().copied().collect();
            let held =
                (!defined.is_empty()).then(|| defined.iter().sum::<f64>() / defined.len() as f64);
            assert_eq!(mean.map(f64::to_bits), held.map(f64::to_bits), "day {day}");
        }
    }
}
