//! Effects of an intervention arm against the baseline of the same
//! replication, over the arm's evaluation window.

use crate::engine::record::{DayRecord, RunOutput};
use crate::model::config::ArmPlan;

/// The metrics reported per intervention arm, in order.
pub const METRICS: [&str; 15] = [
    "campaigns_change_pct",
    "compromises_change_pct",
    "compromises_averted",
    "losses_averted_usd",
    "cost_per_compromise_change_pct",
    "price_change_peak_pct",
    "price_change_mean_pct",
    "days_to_recover",
    "recovered_share",
    "displaced_resubscribed_share",
    "deterred_share",
    "hhi_change",
    "defender_cost_usd",
    "losses_averted_per_defender_usd",
    "attacker_profit_change_pct",
];

/// Share of the baseline's 7-day output that counts as recovered.
pub const RECOVERY_LEVEL: f64 = 0.9;

/// The value of each of [`METRICS`] for one replication (`None` where undefined).
pub fn effects(baseline: &RunOutput, arm: &RunOutput, plan: &ArmPlan) -> Vec<Option<f64>> {
    let window = plan.window_start as usize..=plan.window_end as usize;
    let base = &baseline.days[window.clone()];
    let hit = &arm.days[window];
    let total = |days: &[DayRecord], f: fn(&DayRecord) -> f64| days.iter().map(f).sum::<f64>();
    let campaigns = |d: &DayRecord| d.campaigns as f64;
    let compromises = |d: &DayRecord| d.compromises as f64;
    let losses = |d: &DayRecord| d.losses_usd;
    let cost = |d: &DayRecord| d.attacker_cost_usd();
    let profit = |d: &DayRecord| d.attacker_profit_usd;
    let losses_averted = total(base, losses) - total(hit, losses);
    let defender_cost: f64 = arm.days.iter().map(|d| d.defender_cost_usd).sum();
    let in_window = ..=plan.window_end as usize;
    let recovery = days_to_recover(
        &baseline.days[in_window],
        &arm.days[in_window],
        plan.window_start as usize,
    );
    vec![
        change_pct(total(hit, campaigns), total(base, campaigns)),
        change_pct(total(hit, compromises), total(base, compromises)),
        Some(total(base, compromises) - total(hit, compromises)),
        Some(losses_averted),
        ratio(total(hit, cost), total(hit, compromises))
            .zip(ratio(total(base, cost), total(base, compromises)))
            .and_then(|(arm_cost, base_cost)| change_pct(arm_cost, base_cost)),
        price_change_peak(base, hit),
        price_change_mean(base, hit),
        recovery.map(|d| d as f64),
        Some(if recovery.is_some() { 1.0 } else { 0.0 }),
        ratio(
            hit.iter().map(|d| d.attackers_resubscribed as f64).sum(),
            hit.iter().map(|d| d.attackers_displaced as f64).sum(),
        ),
        deterred_share(base, hit),
        mean_hhi(hit).zip(mean_hhi(base)).map(|(a, b)| a - b),
        Some(defender_cost),
        ratio(losses_averted, defender_cost),
        change_pct(total(hit, profit), total(base, profit)),
    ]
}

/// `100 x (value / reference - 1)`, undefined when the reference is not positive.
fn change_pct(value: f64, reference: f64) -> Option<f64> {
    (reference > 0.0).then(|| 100.0 * (value / reference - 1.0))
}

/// `a / b`, undefined when `b` is not positive.
fn ratio(a: f64, b: f64) -> Option<f64> {
    (b > 0.0).then(|| a / b)
}

/// Largest daily percentage change of the mean price over the window.
fn price_change_peak(base: &[DayRecord], hit: &[DayRecord]) -> Option<f64> {
    base.iter()
        .zip(hit)
        .filter_map(|(b, h)| change_pct(h.mean_price?, b.mean_price?))
        .reduce(f64::max)
}

/// Percentage change of the window's mean price (days with a price in both arms).
fn price_change_mean(base: &[DayRecord], hit: &[DayRecord]) -> Option<f64> {
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
fn deterred_share(base: &[DayRecord], hit: &[DayRecord]) -> Option<f64> {
    let first = base.first()?;
    let active = (first.attackers_working + first.attackers_searching) as f64;
    let deterred = |days: &[DayRecord]| {
        days.iter()
            .map(|d| d.attackers_deterred as f64)
            .sum::<f64>()
    };
    ratio(deterred(hit) - deterred(base), active)
}

fn mean_hhi(days: &[DayRecord]) -> Option<f64> {
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
