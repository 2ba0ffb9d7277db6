//! Effects of an intervention arm against the baseline of the same
//! replication, over the arm's evaluation window.

use super::metrics::{Inputs, METRICS};
use crate::engine::record::{DayRecord, RunOutput};
use crate::model::config::ArmPlan;

/// Share of the baseline's 7-day output that counts as recovered.
pub const RECOVERY_LEVEL: f64 = 0.9;

/// The value of each of [`METRICS`] for one replication (`None` where undefined).
pub fn effects(baseline: &RunOutput, arm: &RunOutput, plan: &ArmPlan) -> Vec<Option<f64>> {
    let inputs = Inputs::new(baseline, arm, plan);
    METRICS.iter().map(|m| (m.value)(&inputs)).collect()
}

/// `100 x (value / reference - 1)`, undefined when the reference is not positive.
pub(super) fn change_pct(value: f64, reference: f64) -> Option<f64> {
    (reference > 0.0).then(|| 100.0 * (value / reference - 1.0))
}

/// `a / b`, undefined when `b` is not positive.
pub(super) fn ratio(a: f64, b: f64) -> Option<f64> {
    (b > 0.0).then(|| a / b)
}

/// Largest daily percentage change of the mean price over the window.
pub(super) fn price_change_peak(base: &[DayRecord], hit: &[DayRecord]) -> Option<f64> {
    base.iter()
        .zip(hit)
        .filter_map(|(b, h)| change_pct(h.mean_price?, b.mean_price?))
        .reduce(f64::max)
}

/// Percentage change of the window's mean price (days with a price in both arms).
pub(super) fn price_change_mean(base: &[DayRecord], hit: &[DayRecord]) -> Option<f64> {
    let pairs: Vec<(f64, f64)> = base
        .iter()
        .zip(hit)
        .filter_map(|(b, h)| Some((b.mean_price?, h.mean_price?)))
        .collect();
    let (b, h) = pairs
        .iter()
        .fold((0.0, 0.0), |(sb, sh), &(b, h)| (sb + b, sh + h));
    change_pct(h, b)
}

/// Extra attackers deterred in the arm, as a share of the baseline's active
/// attackers (working or searching) on the window's first day.
pub(super) fn deterred_share(base: &[DayRecord], hit: &[DayRecord]) -> Option<f64> {
    let first = base.first()?;
    let active = (first.attackers_working + first.attackers_searching) as f64;
    let deterred = |days: &[DayRecord]| {
        days.iter()
            .map(|d| d.attackers_deterred as f64)
            .sum::<f64>()
    };
    ratio(deterred(hit) - deterred(base), active)
}

pub(super) fn mean_hhi(days: &[DayRecord]) -> Option<f64> {
    let values: Vec<f64> = days.iter().filter_map(|d| d.hhi).collect();
    ratio(values.iter().sum(), values.len() as f64)
}

/// Trailing 7-day mean of campaigns (shorter at the start).
fn trailing_mean(days: &[DayRecord], at: usize) -> f64 {
    let from = at.saturating_sub(6);
    let slice = &days[from..=at];
    slice.iter().map(|d| d.campaigns as f64).sum::<f64>() / slice.len() as f64
}

/// Days from `start` until the arm's 7-day output is back to 90% of the
/// baseline's after having fallen below it: 0 if it never fell, `None` if it
/// never came back.
pub fn days_to_recover(base: &[DayRecord], hit: &[DayRecord], start: usize) -> Option<usize> {
    let below = |d: usize| trailing_mean(hit, d) < RECOVERY_LEVEL * trailing_mean(base, d);
    let Some(fell) = (start..hit.len()).find(|&d| below(d)) else {
        return Some(0);
    };
    (fell..hit.len()).find(|&d| !below(d)).map(|d| d - start)
}
