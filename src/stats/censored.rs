//! The median of a time that may not have happened by the end of the
//! search (right-censored), with a bootstrap interval: `days_to_recover`,
//! where a replication whose campaigns have not recovered when the window
//! ends is censored, not left out (leaving it out biases the time low).
//!
//! Every unit is followed to the same end, so the Kaplan-Meier estimate of
//! the time's distribution is the empirical one with the censored units
//! placed beyond the end (Kaplan and Meier 1958, JASA 53(282): with one
//! censoring time after every event, the product-limit estimate equals
//! `1 - F_n`). The median is the Kaplan-Meier median, the smallest time by
//! which at least half the units have had the event: the `ceil(n/2)`-th
//! smallest time. It is not reached (`None`) when more than half of the
//! units are censored.
//!
//! The 95% interval is a percentile bootstrap (Efron and Tibshirani 1993,
//! *An Introduction to the Bootstrap*, ch. 13) over clusters: replications
//! of one parameter draw are resampled together (a cluster is one
//! replication at fixed parameters, one draw in an ensemble), [`RESAMPLES`]
//! times from a fixed seed, so the interval is the same on every machine.
//! An end beyond the last event of the bootstrap medians is not reached.

use rand::RngExt;

use super::Estimate;
use crate::rng::Stream;

/// Bootstrap resamples of the interval.
pub const RESAMPLES: usize = 2000;

/// The `ceil(n/2)`-th smallest of the `n` present `times` (`None`: a unit
/// not in the sample; infinite: censored), `None` when it is censored or
/// there are no units.
pub fn km_median(times: &[Option<f64>]) -> Option<f64> {
    let mut sorted: Vec<f64> = times
        .iter()
        .flatten()
        .copied()
        .filter(|t| !t.is_nan())
        .collect();
    sorted.sort_by(f64::total_cmp);
    let rank = sorted.len().div_ceil(2).checked_sub(1)?;
    Some(sorted[rank]).filter(|t| t.is_finite())
}

/// The Kaplan-Meier median of `times` (as [`km_median`] reads them) with
/// its bootstrap interval over clusters of `per_cluster` consecutive units
/// (the last may be shorter; a cluster without a present unit is left
/// out); `n` counts the present units, censored or not. `seed` fixes the
/// resamples.
pub fn median_estimate(times: &[Option<f64>], per_cluster: usize, seed: u64) -> Estimate {
    let clusters: Vec<&[Option<f64>]> = times
        .chunks(per_cluster.max(1))
        .filter(|c| c.iter().any(Option::is_some))
        .collect();
    let n = times.iter().flatten().count();
    let mean = km_median(times);
    if clusters.len() < 2 {
        return Estimate {
            mean,
            ci_low: None,
            ci_high: None,
            n,
        };
    }
    let mut rng = Stream::from_seed(seed);
    let mut medians: Vec<f64> = (0..RESAMPLES)
        .map(|_| {
            let resample: Vec<Option<f64>> = (0..clusters.len())
                .flat_map(|_| {
                    clusters[rng.random_range(0..clusters.len())]
                        .iter()
                        .copied()
                })
                .collect();
            km_median(&resample).unwrap_or(f64::INFINITY)
        })
        .collect();
    medians.sort_by(f64::total_cmp);
    let low = medians[(0.025 * RESAMPLES as f64) as usize];
    let high = medians[(0.975 * RESAMPLES as f64).ceil() as usize - 1];
    Estimate {
        mean,
        ci_low: Some(low).filter(|t| t.is_finite()),
        ci_high: Some(high).filter(|t| t.is_finite()),
        n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Exp};
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn median_counts_the_censored() {
        // Recovered after 10, 20 and 30 days, two never: the median is the
        // third smallest of five, 30 (the mean of the recovered, 20, is the
        // biased figure this replaces).
        let never = Some(f64::INFINITY);
        let times = [Some(10.0), never, Some(30.0), Some(20.0), never];
        assert_eq!(km_median(&times), Some(30.0));
        // Three of five censored: not reached.
        assert_eq!(
            km_median(&[Some(1.0), Some(2.0), never, never, never]),
            None
        );
        // Four units: the second smallest; a unit not in the sample is left out.
        assert_eq!(
            km_median(&[Some(4.0), Some(1.0), None, Some(3.0), never]),
            Some(3.0)
        );
        assert_eq!(km_median(&[]), None);
    }

    /// Exponential times with median `ln 2 / rate`, censored at a fixed
    /// end: the bootstrap interval of 400 units covers the true median,
    /// and its width is within 40% of the large-sample width
    /// `2 x 1.96 / (2 f(m) sqrt(n))`, with density `f(m) = rate / 2` at the
    /// median (the asymptotic variance of a sample median, 1 / (4 n f(m)^2)).
    #[test]
    fn bootstrap_interval_has_the_large_sample_width() {
        let (n, rate, end) = (400usize, 0.05, 60.0);
        let exp = Exp::new(rate).unwrap();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        let times: Vec<Option<f64>> = (0..n)
            .map(|_| {
                Some(exp.sample(&mut rng)).map(|t: f64| if t <= end { t } else { f64::INFINITY })
            })
            .collect();
        let e = median_estimate(&times, 1, 3);
        let truth = std::f64::consts::LN_2 / rate;
        let (low, high) = (e.ci_low.unwrap(), e.ci_high.unwrap());
        assert!(low < truth && truth < high, "{low} {truth} {high}");
        let expected = 2.0 * 1.96 / (2.0 * (rate / 2.0) * (n as f64).sqrt());
        assert!(
            ((high - low) / expected - 1.0).abs() < 0.4,
            "{}",
            high - low
        );
        assert_eq!(e.n, n);
    }

    #[test]
    fn an_end_beyond_the_censoring_is_not_reached() {
        // Half the units never recover: more than half are censored in
        // about half the resamples, so the upper end is not reached; the
        // median itself, the 10th smallest of 20, is 18.
        let times: Vec<Option<f64>> = (0..20)
            .map(|k| Some(if k % 2 == 0 { k as f64 } else { f64::INFINITY }))
            .collect();
        let e = median_estimate(&times, 1, 5);
        assert_eq!(e.ci_high, None);
        assert_eq!(e.mean, Some(18.0));
        assert_eq!(e.n, 20);
    }
}
