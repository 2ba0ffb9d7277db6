//! What the fitted model predicts for each target of a case, against what
//! was observed: the mean and 90% interval over the prediction's
//! replications (each on its own posterior draw, so the interval holds the
//! posterior's uncertainty and the model's noise), the 90% interval of what
//! would be observed (those values blurred by the observation's own error,
//! its sd), the z-score and whether the observation lies inside the latter;
//! and the coverage of those intervals over targets.

use crate::experiment::Experiment;
use crate::experiment::calibrate::{Bound, Role, Target, quantile};
use crate::model::Model;
use crate::stats::mean_defined;
use crate::stats::mixture::blurred_quantile;

/// The lower and upper quantiles of a prediction's interval (90%).
pub const INTERVAL: (f64, f64) = (0.05, 0.95);

/// One target (one day of a `series` target) of one case, predicted.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// The case.
    pub case: String,
    /// The target's name.
    pub target: String,
    /// Fitted or only checked.
    pub role: Role,
    /// The target's kind.
    pub kind: &'static str,
    /// Its arm.
    pub arm: String,
    /// The arm a `summary` or `recovery` target compares with when it is
    /// not the baseline, else empty.
    pub versus: String,
    /// Metric or column.
    pub measure: &'static str,
    /// Day of a series component.
    pub day: Option<u32>,
    /// Whether `observed` is a value or a bound.
    pub bound: Bound,
    /// The observed value.
    pub observed: f64,
    /// Its standard deviation.
    pub sd: f64,
    /// The mean over the replications where the value is defined.
    pub simulated: Option<f64>,
    /// The 5% quantile over those replications.
    pub low: Option<f64>,
    /// The 95% quantile.
    pub high: Option<f64>,
    /// The 5% and 95% quantiles of what would be observed: the values
    /// blurred by the observation's error, `N(0, sd^2)`.
    pub observable: Option<(f64, f64)>,
    /// Replications where the value is defined.
    pub n: usize,
}

impl Prediction {
    /// `(simulated - observed) / sd`, 0 on the allowed side of a bound.
    pub fn z(&self) -> Option<f64> {
        (self.simulated).map(|s| self.bound.z(s, self.observed, self.sd))
    }

    /// Whether the observation is consistent with the 90% interval of
    /// what would be observed: the observed value inside it, or for a
    /// bound, some of the interval on the bound's allowed side. `None`
    /// without an interval.
    pub fn inside(&self) -> Option<bool> {
        let (low, high) = self.observable?;
        Some(match self.bound {
            Bound::Equal => low <= self.observed && self.observed <= high,
            Bound::AtLeast => high >= self.observed,
            Bound::AtMost => low <= self.observed,
        })
    }
}

/// Every target of `case`, predicted from `experiment`, a run of `model`.
pub fn predictions(
    case: &str,
    targets: &[Target],
    experiment: &Experiment,
    model: &Model,
) -> Vec<Prediction> {
    let mut rows = Vec::new();
    for target in targets {
        let components = target.observed().into_iter();
        for ((day, observed), values) in components.zip(target.simulated(experiment, model)) {
            let defined: Vec<f64> = (values.iter().flatten().copied())
                .filter(|v| v.is_finite())
                .collect();
            let band = |p: f64| (!defined.is_empty()).then(|| quantile(&defined, p));
            rows.push(Prediction {
                case: case.to_string(),
                target: target.name.clone(),
                role: target.role,
                kind: target.kind_name(),
                arm: target.arm.clone(),
                versus: target.versus_shown(model),
                measure: target.measure(),
                day,
                bound: target.bound,
                observed,
                sd: target.sd,
                simulated: mean_defined(&values),
                low: band(INTERVAL.0),
                high: band(INTERVAL.1),
                observable: blurred_quantile(&defined, target.sd, INTERVAL.0)
                    .zip(blurred_quantile(&defined, target.sd, INTERVAL.1)),
                n: defined.len(),
            });
        }
    }
    rows
}

/// How many predictions of one role and one kind of observation hold
/// their observation.
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    /// The role counted.
    pub role: Role,
    /// Whether the observations counted are bounds (`at_least`,
    /// `at_most`: a one-sided test, met more easily than a value's
    /// two-sided one) or values.
    pub bounds: bool,
    /// Predictions of that role.
    pub targets: usize,
    /// Those with an interval.
    pub with_interval: usize,
    /// Those whose interval holds the observation.
    pub inside: usize,
}

impl Coverage {
    /// `inside / with_interval`, if any has an interval.
    pub fn share(&self) -> Option<f64> {
        (self.with_interval > 0).then(|| self.inside as f64 / self.with_interval as f64)
    }
}

/// The coverage of the fit and of the check targets, values and bounds
/// apart, among `judged`: each prediction's role, whether its observation
/// is a bound, and whether its interval holds it (`None` without an
/// interval).
pub fn coverage(judged: impl Iterator<Item = (Role, bool, Option<bool>)>) -> Vec<Coverage> {
    let judged: Vec<(Role, bool, Option<bool>)> = judged.collect();
    let groups = [Role::Fit, Role::Check]
        .into_iter()
        .flat_map(|role| [(role, false), (role, true)]);
    groups
        .map(|(role, bounds)| {
            let of_group: Vec<Option<bool>> = (judged.iter())
                .filter(|(r, b, _)| *r == role && *b == bounds)
                .map(|(_, _, inside)| *inside)
                .collect();
            Coverage {
                role,
                bounds,
                targets: of_group.len(),
                with_interval: of_group.iter().flatten().count(),
                inside: of_group.iter().flatten().filter(|i| **i).count(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prediction(role: Role, bound: Bound, observed: f64, band: Option<(f64, f64)>) -> Prediction {
        Prediction {
            case: "c".into(),
            target: "t".into(),
            role,
            kind: "summary",
            arm: "a".into(),
            versus: String::new(),
            measure: "campaigns_change_pct",
            day: None,
            bound,
            observed,
            sd: 2.0,
            simulated: band.map(|(l, h)| (l + h) / 2.0),
            low: band.map(|b| b.0),
            high: band.map(|b| b.1),
            observable: band,
            n: 10,
        }
    }

    #[test]
    fn inside_follows_the_bound_and_coverage_counts_by_role() {
        let rows = [
            prediction(Role::Fit, Bound::Equal, 5.0, Some((4.0, 6.0))),
            prediction(Role::Fit, Bound::Equal, 7.0, Some((4.0, 6.0))),
            prediction(Role::Check, Bound::AtLeast, 6.5, Some((4.0, 6.0))),
            prediction(Role::Check, Bound::AtLeast, 5.5, Some((4.0, 6.0))),
            prediction(Role::Check, Bound::AtMost, 3.0, Some((4.0, 6.0))),
            prediction(Role::Check, Bound::AtMost, 4.0, Some((4.0, 6.0))),
            prediction(Role::Check, Bound::Equal, 1.0, None),
        ];
        let inside: Vec<Option<bool>> = rows.iter().map(Prediction::inside).collect();
        let expected = [true, false, false, true, false, true];
        assert_eq!(inside[..6], expected.map(Some));
        assert_eq!(inside[6], None);
        let judged = rows
            .iter()
            .map(|r| (r.role, r.bound != Bound::Equal, r.inside()));
        let counted = coverage(judged);
        assert_eq!(counted.len(), 4, "fit and check, values and bounds");
        assert_eq!((counted[0].targets, counted[0].inside), (2, 1));
        assert_eq!(counted[0].share(), Some(0.5));
        assert_eq!(counted[1].targets, 0, "no fit bound");
        let (values, bounds) = (&counted[2], &counted[3]);
        assert_eq!(
            (values.targets, values.with_interval, values.inside),
            (1, 0, 0)
        );
        assert_eq!(
            (bounds.targets, bounds.with_interval, bounds.inside),
            (4, 4, 2)
        );
        let holds = prediction(Role::Check, Bound::AtLeast, 4.5, Some((4.0, 6.0)));
        assert_eq!(holds.z(), Some(0.0));
        assert_eq!(rows[2].z(), Some(-0.75));
        assert_eq!(rows[0].z(), Some(0.0));
        assert_eq!(rows[1].z(), Some(-1.0));
    }
}
