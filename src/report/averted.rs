//! Compromises averted after each intervention, per victim country or
//! sector: in each replication, the baseline's compromises minus the arm's.
//!
//! The arms of a replication share every day before the arm's first
//! intervention (common random numbers; the engine simulates the shared
//! prefix once), so the difference of their run totals is exactly the
//! change from the first intervention to the end of the run. Its mean is
//! over the replications with a 95% Student-t interval of the paired
//! differences; in an ensemble over the parameter draws' means, as
//! `summary.csv` does (see [`crate::stats::nested`]).

use super::data::{Dimension, Results};
use crate::stats::nested::draw_means;
use crate::stats::{Estimate, estimate};
use std::collections::BTreeMap;

/// Largest number of categories shown.
pub const MAX_CATEGORIES: usize = 12;

/// One intervention arm's compromises averted per category.
pub struct ArmAverted {
    /// Arm name.
    pub arm: String,
    /// Per category of [`Averted::categories`], in order: baseline minus arm.
    pub estimates: Vec<Estimate>,
}

/// Compromises averted per category, one estimate per intervention arm.
pub struct Averted {
    /// The categories with the most compromises in the baseline (mean over
    /// its replications), largest first, at most [`MAX_CATEGORIES`].
    pub categories: Vec<String>,
    /// Whether some categories were left out.
    pub cut: bool,
    /// Every intervention arm, in order.
    pub arms: Vec<ArmAverted>,
}

/// Per category, the compromises of each replication (a replication without
/// a row in a category had none there): replication number to sum.
type PerReplication = BTreeMap<String, BTreeMap<u64, f64>>;

impl Averted {
    /// Reads the sums of `segments.csv` along `dim` of `results`.
    pub fn new(results: &Results, dim: Dimension) -> Self {
        let baseline = &results.baseline;
        let base_reps: Vec<u64> = results.series_replications(baseline);
        let base = per_replication(results, baseline, &base_reps, dim);
        let (categories, cut) = largest(&base, base_reps.len());
        let arms = (results.intervention_arms().into_iter())
            .map(|arm| {
                let reps = results.paired_replications(arm);
                let other = per_replication(results, arm, &reps, dim);
                let estimates = (categories.iter())
                    .map(|c| {
                        let differences = differences(&base, &other, c, &reps);
                        of_differences(&differences, results.replications_per_draw())
                    })
                    .collect();
                ArmAverted {
                    arm: arm.to_string(),
                    estimates,
                }
            })
            .collect();
        Self {
            categories,
            cut,
            arms,
        }
    }

    /// The most replications any arm's estimates are over.
    pub fn replications(&self) -> usize {
        let counts = self
            .arms
            .iter()
            .flat_map(|a| a.estimates.iter().map(|e| e.n));
        counts.max().unwrap_or(0)
    }
}

/// The sums of `arm` along `dim` in each of `replications`, per category.
fn per_replication(
    results: &Results,
    arm: &str,
    replications: &[u64],
    dim: Dimension,
) -> PerReplication {
    let mut sums = PerReplication::new();
    for &r in replications {
        let Some(categories) = results.segments.of_replication(arm, r) else {
            continue;
        };
        for (category, v) in categories.along(dim) {
            sums.entry(category.clone()).or_default().insert(r, *v);
        }
    }
    sums
}

/// The categories by their mean over `replications` (largest first, ties
/// by name), at most [`MAX_CATEGORIES`], and whether some were left out.
fn largest(sums: &PerReplication, replications: usize) -> (Vec<String>, bool) {
    let n = replications.max(1) as f64;
    let mut ranked: Vec<(&String, f64)> = (sums.iter())
        .map(|(c, reps)| (c, reps.values().sum::<f64>() / n))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    let cut = ranked.len() > MAX_CATEGORIES;
    let kept = ranked.into_iter().take(MAX_CATEGORIES);
    (kept.map(|(c, _)| c.clone()).collect(), cut)
}

/// Per replication from 0 to the last of `replications`, the baseline's
/// compromises in `category` minus the arm's (`None` for a replication not
/// in `replications`).
fn differences(
    base: &PerReplication,
    arm: &PerReplication,
    category: &str,
    replications: &[u64],
) -> Vec<Option<f64>> {
    let of = |sums: &PerReplication, r: u64| {
        (sums.get(category))
            .and_then(|reps| reps.get(&r))
            .copied()
            .unwrap_or(0.0)
    };
    let len = replications.last().map_or(0, |r| *r as usize + 1);
    let mut values = vec![None; len];
    for &r in replications {
        values[r as usize] = Some(of(base, r) - of(arm, r));
    }
    values
}

/// The mean and 95% interval of the paired differences (indexed by
/// replication): over the replications, or over the means of the draws of
/// `per_draw` consecutive replications in an ensemble. `n` counts the
/// replications either way.
fn of_differences(differences: &[Option<f64>], per_draw: Option<usize>) -> Estimate {
    let Some(per_draw) = per_draw else {
        return estimate(differences);
    };
    let mut e = estimate(&draw_means(differences, per_draw));
    e.n = differences.iter().flatten().count();
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sums(rows: &[(&str, u64, f64)]) -> PerReplication {
        let mut sums = PerReplication::new();
        for (c, r, v) in rows {
            sums.entry(c.to_string()).or_default().insert(*r, *v);
        }
        sums
    }

    #[test]
    fn paired_differences_and_their_t_interval() {
        // Two replications. Italy: baseline 10 and 20, the arm 4 and 12,
        // so 6 and 8 averted: mean 7, sd √2, half width t(1) · √2 / √2 =
        // 12.7062 (the 97.5% quantile of t with 1 degree of freedom).
        // Spain: no row in the arm's replication 1 (no compromise there).
        let base = sums(&[
            ("IT", 0, 10.0),
            ("IT", 1, 20.0),
            ("ES", 0, 3.0),
            ("ES", 1, 5.0),
        ]);
        let arm = sums(&[("IT", 0, 4.0), ("IT", 1, 12.0), ("ES", 0, 1.0)]);
        let it = differences(&base, &arm, "IT", &[0, 1]);
        assert_eq!(it, [Some(6.0), Some(8.0)]);
        let e = of_differences(&it, None);
        assert_eq!((e.mean, e.n), (Some(7.0), 2));
        let half = 12.706_204_736;
        assert!((e.ci_low.unwrap() - (7.0 - half)).abs() < 1e-6, "{e:?}");
        assert!((e.ci_high.unwrap() - (7.0 + half)).abs() < 1e-6, "{e:?}");
        let es = differences(&base, &arm, "ES", &[0, 1]);
        assert_eq!(es, [Some(2.0), Some(5.0)]);
        // A replication not run by both arms is left out, not counted as 0.
        let one = differences(&base, &arm, "IT", &[1]);
        assert_eq!(one, [None, Some(8.0)]);
        assert_eq!(of_differences(&one, None).mean, Some(8.0));
    }

    #[test]
    fn an_ensemble_averages_each_draw_first() {
        // Draws of two replications: (6, 8) and (1, 1), means 7 and 1, so
        // the mean is 4 and the interval t(1) · sd(7, 1) / √2 = 12.7062 · 3
        // on each side, wider than over the four replications.
        let values = [Some(6.0), Some(8.0), Some(1.0), Some(1.0)];
        let e = of_differences(&values, Some(2));
        assert_eq!((e.mean, e.n), (Some(4.0), 4));
        let half = 12.706_204_736 * 3.0;
        assert!((e.ci_high.unwrap() - (4.0 + half)).abs() < 1e-6, "{e:?}");
        let pooled = of_differences(&values, None);
        assert!(pooled.ci_high.unwrap() < e.ci_high.unwrap());
    }

    #[test]
    fn the_largest_categories_by_the_baseline() {
        let rows: Vec<(String, u64, f64)> = (0..15)
            .map(|i| (format!("C{i:02}"), 0, f64::from(i)))
            .collect();
        let rows: Vec<(&str, u64, f64)> =
            rows.iter().map(|(c, r, v)| (c.as_str(), *r, *v)).collect();
        let (kept, cut) = largest(&sums(&rows), 1);
        assert!(cut);
        assert_eq!(kept.len(), MAX_CATEGORIES);
        assert_eq!((kept[0].as_str(), kept[11].as_str()), ("C14", "C03"));
    }
}
