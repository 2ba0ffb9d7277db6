//! Effects of an intervention arm against the baseline of the same
//! replication, over the arm's evaluation window.

use super::metrics::{Inputs, METRICS};
use crate::engine::record::{DayRecord, ProviderDay, RunOutput};
use crate::model::config::ArmPlan;

/// Share of the baseline's 7-day output that counts as recovered.
pub const RECOVERY_LEVEL: f64 = 0.9;

/// Days before the first intervention over which the price index's seat
/// weights are averaged.
pub const PRICE_WEIGHT_DAYS: usize = 7;

/// Trailing days over which the price paid per seat-day is taken (one
/// default subscription period, so that renewals are spread evenly).
pub const PRICE_PAID_DAYS: usize = 30;

/// The value of each of [`METRICS`] for one replication (`None` where
/// undefined); `burn_in_days` places the arm's interventions (internal days)
/// on recorded days.
pub fn effects(
    baseline: &RunOutput,
    arm: &RunOutput,
    plan: &ArmPlan,
    burn_in_days: u32,
) -> Vec<Option<f64>> {
    let inputs = Inputs::new(baseline, arm, plan, burn_in_days);
    METRICS.iter().map(|m| (m.value)(&inputs)).collect()
}

/// `100 x (value / reference - 1)`, undefined when the reference is not positive.
pub(super) fn change_pct(value: f64, reference: f64) -> Option<f64> {
    (reference > 0.0 && value.is_finite()).then(|| 100.0 * (value / reference - 1.0))
}

/// `a / b`, undefined when `b` is not positive.
pub(super) fn ratio(a: f64, b: f64) -> Option<f64> {
    (b > 0.0).then(|| a / b)
}

/// Largest percentage change of `arm` against `base`, day by day.
pub(super) fn peak_change(pairs: &[(f64, f64)]) -> Option<f64> {
    pairs
        .iter()
        .filter_map(|&(b, a)| change_pct(a, b))
        .reduce(f64::max)
}

/// Percentage change of the sum of `arm` against the sum of `base`.
pub(super) fn mean_change(pairs: &[(f64, f64)]) -> Option<f64> {
    if pairs.is_empty() {
        return None;
    }
    let (b, a) = pairs
        .iter()
        .fold((0.0, 0.0), |(sb, sa), &(b, a)| (sb + b, sa + a));
    change_pct(a, b)
}

/// The Laspeyres price index of the baseline and of the arm on each day of
/// `window` (recorded days) on which both are defined, as `(base, arm)`
/// pairs. Providers selling on the day before `first` (the first
/// intervention day) carry fixed weights: their seat shares averaged over
/// the [`PRICE_WEIGHT_DAYS`] days before `first` (the baseline's days, which
/// the arm shares). The index of a day is the weighted mean of the price
/// relatives (price that day over price the day before `first`) of those
/// providers selling that day: a provider down or gone has its relative
/// imputed by the others' (the usual treatment of a missing price), so
/// removing a cheap provider changes no relative and moves the index by
/// nothing (its effect on what customers pay is `price_paid_change_*`).
/// Undefined on a day when none of those providers sells, and as a whole
/// when no day before `first` is recorded or no seat was rented then.
pub(super) fn price_index(
    baseline: &RunOutput,
    arm: &RunOutput,
    first: usize,
    window: std::ops::RangeInclusive<usize>,
) -> Option<Vec<(f64, f64)>> {
    let before = first.checked_sub(1)?;
    let providers = baseline.provider_days.get(before)?.len();
    let from = first.saturating_sub(PRICE_WEIGHT_DAYS);
    let mut weights = vec![0.0; providers];
    for day in &baseline.provider_days[from..first] {
        let seats: u64 = day.iter().take(providers).map(|p| p.seats_used).sum();
        if seats == 0 {
            continue;
        }
        for (w, p) in weights.iter_mut().zip(day) {
            *w += p.seats_used as f64 / seats as f64;
        }
    }
    let start: Vec<ProviderDay> = baseline.provider_days[before].clone();
    for (w, p) in weights.iter_mut().zip(&start) {
        if !p.active || p.price <= 0.0 {
            *w = 0.0; // no price to compare with
        }
    }
    if weights.iter().sum::<f64>() <= 0.0 {
        return None;
    }
    let index_on = |day: &[ProviderDay]| -> Option<f64> {
        let (mut sum, mut weight) = (0.0, 0.0);
        for ((w, p0), p) in weights.iter().zip(&start).zip(day) {
            if *w > 0.0 && p.active {
                sum += w * p.price / p0.price;
                weight += w;
            }
        }
        (weight > 0.0).then(|| sum / weight)
    };
    let series = |run: &RunOutput| -> Option<Vec<Option<f64>>> {
        window
            .clone()
            .map(|d| run.provider_days.get(d).map(|day| index_on(day)))
            .collect()
    };
    let (b, a) = (series(baseline)?, series(arm)?);
    Some(
        b.into_iter()
            .zip(a)
            .filter_map(|(b, a)| Some((b?, a?)))
            .collect(),
    )
}

/// What customers paid per seat-day rented, on each day of `window`, as
/// `(base, arm)` pairs: subscription payments (fees included) over the
/// [`PRICE_PAID_DAYS`] days up to the day divided by seat-days rented over
/// the same days (fewer days at the start of the record); days without a
/// rented seat in either run are left out.
pub(super) fn price_paid(
    base: &[DayRecord],
    hit: &[DayRecord],
    window: std::ops::RangeInclusive<usize>,
) -> Vec<(f64, f64)> {
    let paid = |days: &[DayRecord], at: usize| {
        let slice = &days[at.saturating_sub(PRICE_PAID_DAYS - 1)..=at];
        let payments: f64 = slice.iter().map(|d| d.attacker_payments_usd).sum();
        let seats: u64 = slice.iter().map(|d| d.seats_used).sum();
        ratio(payments, seats as f64)
    };
    window
        .filter_map(|d| paid(base, d).zip(paid(hit, d)))
        .collect()
}

/// Extra attackers counted by `count` in the arm over the window, as a share
/// of the baseline's active attackers (working or searching) on the window's
/// first day.
pub(super) fn extra_share(
    base: &[DayRecord],
    hit: &[DayRecord],
    count: fn(&DayRecord) -> u64,
) -> Option<f64> {
    let first = base.first()?;
    let active = (first.attackers_working + first.attackers_searching) as f64;
    let total = |days: &[DayRecord]| days.iter().map(|d| count(d) as f64).sum::<f64>();
    ratio(total(hit) - total(base), active)
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

/// Days from `start` to the first day from which the arm's trailing 7-day
/// campaigns stay at or above 90% of the baseline's on every day to the end
/// of `hit` (sustained recovery): 0 if they never fall below, `None` if they
/// are below on the last day.
pub fn days_to_recover(base: &[DayRecord], hit: &[DayRecord], start: usize) -> Option<usize> {
    let below = |d: usize| trailing_mean(hit, d) < RECOVERY_LEVEL * trailing_mean(base, d);
    let end = hit.len().min(base.len());
    match (start..end).rev().find(|&d| below(d)) {
        None => Some(0),
        Some(last) if last + 1 == end => None,
        Some(last) => Some(last + 1 - start),
    }
}
