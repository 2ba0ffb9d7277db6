//! The effect metrics, each defined once: its identifier (a `summary.csv`
//! `metric`), readable label, unit and how one replication's value is
//! computed from the baseline and arm runs. [`effects`](super::effects::effects)
//! and every table, plot and page take their metrics from [`METRICS`], and
//! the headline metrics from [`HEADLINE`].
//!
//! Adding a metric is one entry in [`METRICS`] (and its description in
//! docs/MODEL.md, "Effect metrics").

use super::effects::{
    change_pct, days_to_recover, extra_share, mean_change, mean_hhi, peak_change, price_index,
    price_paid, ratio,
};
use crate::engine::record::{DayRecord, RunOutput};
use crate::model::config::ArmPlan;

/// How a metric's values are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Already a percentage change.
    Percent,
    /// US dollars.
    Usd,
    /// A fraction in 0..1, shown as a percentage.
    Share,
    /// A number of days.
    Days,
    /// Anything else.
    Plain,
}

/// What a summary row's estimate is, and how its 95% interval is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Statistic {
    /// The mean, with a Student-t interval.
    Mean,
    /// A share in [0, 1] (the mean of values in [0, 1]), with a Wilson
    /// score interval ([`crate::stats::share`]).
    Share,
    /// A time censored at the end of the search: the Kaplan-Meier median,
    /// with a bootstrap interval ([`crate::stats::censored`]).
    Median,
    /// A contrast: the mean of the paired differences between two arms,
    /// with a Student-t interval ([`crate::stats::paired`]).
    Difference,
    /// A contrast: the ratio of two arms' means, with a delta-method
    /// interval ([`crate::stats::paired`]).
    Ratio,
}

impl Statistic {
    /// Every statistic.
    pub const ALL: [Statistic; 5] = [
        Statistic::Mean,
        Statistic::Share,
        Statistic::Median,
        Statistic::Difference,
        Statistic::Ratio,
    ];

    /// Its name in `summary.csv`.
    pub fn name(self) -> &'static str {
        match self {
            Statistic::Mean => "mean",
            Statistic::Share => "share",
            Statistic::Median => "median",
            Statistic::Difference => "difference",
            Statistic::Ratio => "ratio",
        }
    }

    /// Whether it compares two intervention arms.
    pub fn is_contrast(self) -> bool {
        matches!(self, Statistic::Difference | Statistic::Ratio)
    }
}

/// What a metric is computed from: one replication's baseline and arm runs
/// and the arm's evaluation window.
pub struct Inputs<'a> {
    /// The baseline run.
    pub baseline_run: &'a RunOutput,
    /// The arm run.
    pub arm_run: &'a RunOutput,
    /// The baseline's days.
    pub baseline: &'a [DayRecord],
    /// The arm's days.
    pub arm: &'a [DayRecord],
    /// The baseline's days in the window.
    pub base: &'a [DayRecord],
    /// The arm's days in the window.
    pub hit: &'a [DayRecord],
    /// First day of the window.
    pub window_start: usize,
    /// Last day of the window (inclusive).
    pub window_end: usize,
    /// Recorded day of the arm's first intervention (`window_start` for an
    /// arm without interventions): day 0 of the fixed windows.
    pub first_day: usize,
}

impl<'a> Inputs<'a> {
    /// The inputs of `plan`'s arm run `arm` against the `baseline` run;
    /// `burn_in_days` places the arm's first intervention on a recorded day.
    pub fn new(
        baseline: &'a RunOutput,
        arm: &'a RunOutput,
        plan: &ArmPlan,
        burn_in_days: u32,
    ) -> Self {
        let window = plan.window_start as usize..=plan.window_end as usize;
        let first = plan.actions.iter().map(|a| a.day).min();
        Inputs {
            baseline_run: baseline,
            arm_run: arm,
            first_day: first.map_or(plan.window_start, |d| d.saturating_sub(burn_in_days)) as usize,
            baseline: &baseline.days,
            arm: &arm.days,
            base: &baseline.days[window.clone()],
            hit: &arm.days[window],
            window_start: plan.window_start as usize,
            window_end: plan.window_end as usize,
        }
    }

    /// `chg(Σ arm campaigns, Σ base campaigns)` over the days `first_day +
    /// from ..= first_day + to`; undefined unless the run records them all.
    fn campaigns_change_in(&self, from: usize, to: usize) -> Option<f64> {
        let days = self.first_day + from..=self.first_day + to;
        let (base, hit) = (self.baseline.get(days.clone())?, self.arm.get(days)?);
        change_pct(total(hit, campaigns), total(base, campaigns))
    }

    /// The price index pairs over the window (see [`price_index`]).
    fn price_index(&self) -> Option<Vec<(f64, f64)>> {
        price_index(
            self.baseline_run,
            self.arm_run,
            self.first_day,
            self.window_start..=self.window_end,
        )
    }

    /// The price paid pairs over the window (see [`price_paid`]).
    fn price_paid(&self) -> Vec<(f64, f64)> {
        price_paid(self.baseline, self.arm, self.window_start..=self.window_end)
    }

    /// Days to recover (see [`days_to_recover`]), searched to the window's end.
    fn recovery(&self) -> Option<usize> {
        let in_window = ..=self.window_end;
        days_to_recover(
            &self.baseline[in_window],
            &self.arm[in_window],
            self.window_start,
        )
    }
}

/// One effect metric.
pub struct Metric {
    /// Identifier (the `metric` column of `summary.csv`).
    pub name: &'static str,
    /// Readable name, for plots and pages.
    pub label: &'static str,
    /// How its values are shown.
    pub unit: Unit,
    /// How its values over replications are summarised.
    pub statistic: Statistic,
    /// Its value for one replication (`None` where undefined).
    pub value: fn(&Inputs) -> Option<f64>,
}

fn total(days: &[DayRecord], f: fn(&DayRecord) -> f64) -> f64 {
    days.iter().map(f).sum::<f64>()
}
fn campaigns(d: &DayRecord) -> f64 {
    d.campaigns as f64
}
fn compromises(d: &DayRecord) -> f64 {
    d.compromises as f64
}
fn expected_losses(d: &DayRecord) -> f64 {
    d.expected_losses_usd
}
fn infrastructure_cost(d: &DayRecord) -> f64 {
    d.subscription_cost_usd + d.switching_costs_usd
}
fn cost(d: &DayRecord) -> f64 {
    d.attacker_cost_usd()
}
fn profit(d: &DayRecord) -> f64 {
    d.attacker_profit_usd
}
fn losses_averted(i: &Inputs) -> f64 {
    total(i.base, expected_losses) - total(i.hit, expected_losses)
}
fn defender_cost(i: &Inputs) -> f64 {
    i.arm.iter().map(|d| d.defender_cost_usd).sum()
}

/// The metrics reported per intervention arm, in `summary.csv` order.
pub const METRICS: &[Metric] = &[
    Metric {
        name: "campaigns_change_pct",
        label: "Change in campaigns",
        unit: Unit::Percent,
        statistic: Statistic::Mean,
        value: |i| change_pct(total(i.hit, campaigns), total(i.base, campaigns)),
    },
    Metric {
        name: "campaigns_change_pct_d0_14",
        label: "Change in campaigns, days 0-14",
        unit: Unit::Percent,
        statistic: Statistic::Mean,
        value: |i| i.campaigns_change_in(0, 14),
    },
    Metric {
        name: "campaigns_change_pct_d15_90",
        label: "Change in campaigns, days 15-90",
        unit: Unit::Percent,
        statistic: Statistic::Mean,
        value: |i| i.campaigns_change_in(15, 90),
    },
    Metric {
        name: "campaigns_change_pct_d91_180",
        label: "Change in campaigns, days 91-180",
        unit: Unit::Percent,
        statistic: Statistic::Mean,
        value: |i| i.campaigns_change_in(91, 180),
    },
    Metric {
        name: "compromises_change_pct",
        label: "Change in compromised accounts",
        unit: Unit::Percent,
        statistic: Statistic::Mean,
        value: |i| change_pct(total(i.hit, compromises), total(i.base, compromises)),
    },
    Metric {
        name: "compromises_averted",
        label: "Compromised accounts averted",
        unit: Unit::Plain,
        statistic: Statistic::Mean,
        value: |i| Some(total(i.base, compromises) - total(i.hit, compromises)),
    },
    Metric {
        name: "losses_averted_usd",
        label: "Expected losses averted",
        unit: Unit::Usd,
        statistic: Statistic::Mean,
        value: |i| Some(losses_averted(i)),
    },
    Metric {
        name: "cost_per_compromise_change_pct",
        label: "Change in attacker cost per compromise",
        unit: Unit::Percent,
        statistic: Statistic::Mean,
        value: |i| {
            ratio(total(i.hit, cost), total(i.hit, compromises))
                .zip(ratio(total(i.base, cost), total(i.base, compromises)))
                .and_then(|(arm_cost, base_cost)| change_pct(arm_cost, base_cost))
        },
    },
    Metric {
        name: "infrastructure_cost_per_campaign_change_pct",
        label: "Change in attacker infrastructure cost per campaign-day",
        unit: Unit::Percent,
        statistic: Statistic::Mean,
        value: |i| {
            ratio(total(i.hit, infrastructure_cost), total(i.hit, campaigns))
                .zip(ratio(
                    total(i.base, infrastructure_cost),
                    total(i.base, campaigns),
                ))
                .and_then(|(arm_cost, base_cost)| change_pct(arm_cost, base_cost))
        },
    },
    Metric {
        name: "price_index_change_peak_pct",
        label: "Peak change in the seat price index",
        unit: Unit::Percent,
        statistic: Statistic::Mean,
        value: |i| peak_change(&i.price_index()?),
    },
    Metric {
        name: "price_index_change_mean_pct",
        label: "Mean change in the seat price index",
        unit: Unit::Percent,
        statistic: Statistic::Mean,
        value: |i| mean_change(&i.price_index()?),
    },
    Metric {
        name: "price_paid_change_peak_pct",
        label: "Peak change in the price paid per seat-day",
        unit: Unit::Percent,
        statistic: Statistic::Mean,
        value: |i| peak_change(&i.price_paid()),
    },
    Metric {
        name: "price_paid_change_mean_pct",
        label: "Mean change in the price paid per seat-day",
        unit: Unit::Percent,
        statistic: Statistic::Mean,
        value: |i| mean_change(&i.price_paid()),
    },
    Metric {
        name: "days_to_recover",
        label: "Days until campaigns recover",
        unit: Unit::Days,
        statistic: Statistic::Median,
        value: |i| i.recovery().map(|d| d as f64),
    },
    Metric {
        name: "recovered_share",
        label: "Replications in which campaigns recover",
        unit: Unit::Share,
        statistic: Statistic::Share,
        value: |i| Some(if i.recovery().is_some() { 1.0 } else { 0.0 }),
    },
    Metric {
        name: "arrested_share",
        label: "Replications in which a strike arrested a provider's operators",
        unit: Unit::Share,
        statistic: Statistic::Share,
        value: |i| Some(if i.arm_run.arrests > 0 { 1.0 } else { 0.0 }),
    },
    Metric {
        name: "displaced_resubscribed_share",
        label: "Displaced attackers who resubscribed",
        unit: Unit::Share,
        statistic: Statistic::Share,
        value: |i| {
            ratio(
                i.hit.iter().map(|d| d.attackers_resubscribed as f64).sum(),
                i.hit.iter().map(|d| d.attackers_displaced as f64).sum(),
            )
        },
    },
    Metric {
        name: "desisted_share",
        label: "Extra attackers who desisted for good (share of active attackers)",
        unit: Unit::Share,
        statistic: Statistic::Mean,
        value: |i| extra_share(i.base, i.hit, |d| d.attackers_desisted),
    },
    Metric {
        name: "dormant_share",
        label: "Extra attackers deterred into dormancy (share of active attackers)",
        unit: Unit::Share,
        statistic: Statistic::Mean,
        value: |i| {
            extra_share(i.base, i.hit, |d| {
                d.attackers_deterred - d.attackers_desisted
            })
        },
    },
    Metric {
        name: "hhi_change",
        label: "Change in concentration (HHI points)",
        unit: Unit::Plain,
        statistic: Statistic::Mean,
        value: |i| mean_hhi(i.hit).zip(mean_hhi(i.base)).map(|(a, b)| a - b),
    },
    Metric {
        name: "defender_cost_usd",
        label: "Defender cost",
        unit: Unit::Usd,
        statistic: Statistic::Mean,
        value: |i| Some(defender_cost(i)),
    },
    Metric {
        name: "losses_averted_per_defender_usd",
        label: "Losses averted per defender dollar",
        unit: Unit::Plain,
        statistic: Statistic::Mean,
        // Spending over the same window as the losses it averted.
        value: |i| ratio(losses_averted(i), total(i.hit, |d| d.defender_cost_usd)),
    },
    Metric {
        name: "capacity_relocated_share",
        label: "Capacity moved out of acting jurisdictions",
        unit: Unit::Share,
        statistic: Statistic::Mean,
        value: |i| {
            let before = i.baseline.get(i.first_day)?.capacity_seats;
            ratio(i.arm_run.seats_relocated, before)
        },
    },
    Metric {
        name: "attacker_profit_change_pct",
        label: "Change in attacker profit",
        unit: Unit::Percent,
        statistic: Statistic::Mean,
        value: |i| change_pct(total(i.hit, profit), total(i.base, profit)),
    },
];

/// The headline metrics, in the order pages, plots and the sensitivity
/// analysis show them (not [`METRICS`] order).
pub const HEADLINE: [&str; 4] = [
    "campaigns_change_pct",
    "cost_per_compromise_change_pct",
    "losses_averted_usd",
    "days_to_recover",
];

/// The metric called `name`.
pub fn find(name: &str) -> Option<&'static Metric> {
    METRICS.iter().find(|m| m.name == name)
}

/// The metrics' identifiers, in [`METRICS`] order.
pub fn names() -> impl Iterator<Item = &'static str> {
    METRICS.iter().map(|m| m.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_headlines_are_metrics() {
        for (k, m) in METRICS.iter().enumerate() {
            assert!(
                METRICS[..k].iter().all(|o| o.name != m.name),
                "{} twice",
                m.name
            );
        }
        for name in HEADLINE {
            assert!(find(name).is_some(), "{name}");
        }
    }
}
