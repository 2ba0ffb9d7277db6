//! The effect metrics against counter-examples built by hand (issue 13,
//! item 7): sustained recovery, fixed windows, the price index against the
//! price paid, the infrastructure cost per campaign-day, and expected losses
//! whose interval is as tight as that of the compromises averted.

mod common;

use caasim::engine::record::{DayRecord, ProviderDay, RunOutput};
use caasim::experiment::{self, Hooks, effects, metrics};
use caasim::model::config::ArmPlan;

/// Runs of `days` recorded days with the given daily campaigns.
fn run(campaigns: impl Fn(usize) -> u64, days: usize) -> RunOutput {
    RunOutput {
        days: (0..days)
            .map(|d| DayRecord {
                day: d as u32,
                campaigns: campaigns(d),
                ..DayRecord::default()
            })
            .collect(),
        provider_days: vec![Vec::new(); days],
        ..RunOutput::default()
    }
}

/// An arm without interventions whose window (and day 0) starts at `start`.
fn plan(start: usize, end: usize) -> ArmPlan {
    ArmPlan {
        name: "arm".into(),
        description: String::new(),
        actions: Vec::new(),
        window_start: start as u32,
        window_end: end as u32,
    }
}

/// The metric `name` of `arm` against `base`.
fn metric(base: &RunOutput, arm: &RunOutput, plan: &ArmPlan, name: &str) -> Option<f64> {
    let at = metrics::names()
        .position(|n| n == name)
        .unwrap_or_else(|| panic!("no metric {name}"));
    effects::effects(base, arm, plan, 0)[at]
}

#[test]
fn recovery_must_last_to_the_end_of_the_window() {
    let base = run(|_| 100, 120);
    // Falls to half at day 10, comes back to 95% at day 20 (a first crossing
    // above 90%), falls to 70% from day 30, and is back to 100% from day 50.
    let level = |d: usize| match d {
        10..=19 => 50,
        20..=29 => 95,
        30..=49 => 70,
        _ => 100,
    };
    let arm = run(level, 120);
    let p = plan(10, 119);
    // Trailing 7-day means: day 53 is (3 x 70 + 4 x 100) / 7 = 87.1 < 90,
    // day 54 is (2 x 70 + 5 x 100) / 7 = 91.4: recovered from day 54.
    assert_eq!(
        effects::days_to_recover(&base.days, &arm.days, 10),
        Some(44)
    );
    assert_eq!(metric(&base, &arm, &p, "days_to_recover"), Some(44.0));
    assert_eq!(metric(&base, &arm, &p, "recovered_share"), Some(1.0));
    // The same arm, with the window ending while it is at 70%: the first
    // crossing (day 20) must not count as a recovery.
    let p = plan(10, 45);
    assert_eq!(metric(&base, &arm, &p, "days_to_recover"), None);
    assert_eq!(metric(&base, &arm, &p, "recovered_share"), Some(0.0));
    // Never below: 0 days.
    assert_eq!(
        metric(&base, &base, &plan(10, 119), "days_to_recover"),
        Some(0.0)
    );
}

#[test]
fn fixed_windows_count_from_the_first_intervention_and_need_the_whole_window() {
    let base = run(|_| 100, 200);
    // Day 0 is day 10: 50 in days 0-14, 80 in days 15-90, 100 after.
    let arm = run(
        |d| match d {
            10..=24 => 50,
            25..=100 => 80,
            _ => 100,
        },
        200,
    );
    let p = plan(10, 199);
    let close = |name: &str, want: f64| {
        let got = metric(&base, &arm, &p, name).unwrap_or(f64::NAN);
        assert!((got - want).abs() < 1e-9, "{name}: {got} != {want}");
    };
    close("campaigns_change_pct_d0_14", -50.0);
    close("campaigns_change_pct_d15_90", -20.0);
    // Days 91-180 are recorded days 101..=190, all at 100.
    close("campaigns_change_pct_d91_180", 0.0);
    // A run that stops at recorded day 189 does not cover days 91-180.
    let (short_base, short_arm) = (run(|_| 100, 190), run(|d| arm.days[d].campaigns, 190));
    let p = plan(10, 189);
    assert_eq!(
        metric(&short_base, &short_arm, &p, "campaigns_change_pct_d91_180"),
        None
    );
    assert!(metric(&short_base, &short_arm, &p, "campaigns_change_pct_d15_90").is_some());
}

/// Two providers, cheap (index 0, $10 a month) and dear (index 1, $30), each
/// renting 50 seats; in the arm the cheap one is down from day 10 and the
/// dear one rents all 100 seats at an unchanged price. Every renter pays
/// its provider's price per day (`price / 30` per seat-day).
fn two_providers(takedown: bool) -> RunOutput {
    let days = 40;
    let mut out = run(|_| 100, days);
    for d in 0..days {
        let hit = takedown && d >= 10;
        let cheap = ProviderDay {
            seats_used: if hit { 0 } else { 50 },
            capacity: 100.0,
            price: if hit { 99.0 } else { 10.0 },
            active: !hit,
            ..ProviderDay::default()
        };
        let dear = ProviderDay {
            seats_used: 100 - cheap.seats_used,
            capacity: 100.0,
            price: 30.0,
            active: true,
            ..ProviderDay::default()
        };
        let day = &mut out.days[d];
        day.seats_used = 100;
        day.attacker_payments_usd =
            (cheap.seats_used as f64 * cheap.price * f64::from(cheap.active)
                + dear.seats_used as f64 * dear.price)
                / 30.0;
        out.provider_days[d] = vec![cheap, dear];
    }
    out
}

#[test]
fn removing_the_cheapest_provider_moves_the_price_paid_not_the_index() {
    let (base, arm) = (two_providers(false), two_providers(true));
    let p = plan(10, 39);
    // Index: weights 1/2 and 1/2; the cheap provider is down, so its price
    // relative (not the $99 it shows while down) is imputed by the dear
    // one's, which is 1: 1 against 1.
    for name in ["price_index_change_peak_pct", "price_index_change_mean_pct"] {
        let change = metric(&base, &arm, &p, name).expect(name);
        assert!(change.abs() < 1e-9, "{name}: {change}");
    }
    // Price paid: $20 a month per seat in the baseline, $30 in the arm once
    // the 30 trailing days are all after the takedown (day 39): +50% peak.
    let peak = metric(&base, &arm, &p, "price_paid_change_peak_pct").expect("peak");
    assert!((peak - 50.0).abs() < 1e-9, "{peak}");
    // Mean: the arm pays 1.5 times the baseline's price on the days after the
    // takedown, so on day d its trailing price paid is the baseline's times
    // 1 + 0.5 x (share of its trailing days after day 10); the change of the
    // window's sums is 50% x the mean of that share over days 10-39.
    let shares: Vec<f64> = (10..=39)
        .map(|d: u32| {
            let days = (d + 1).min(30);
            f64::from(d - 9) / f64::from(days)
        })
        .collect();
    let expected = 50.0 * shares.iter().sum::<f64>() / shares.len() as f64;
    let mean = metric(&base, &arm, &p, "price_paid_change_mean_pct").expect("mean");
    assert!((mean - expected).abs() < 1e-9, "{mean} against {expected}");
}

#[test]
fn the_index_follows_the_providers_still_selling_at_their_fixed_weights() {
    // Three providers with seat weights 1/2, 1/4 and 1/4 before day 10. In
    // the arm the first is down from day 10; from day 20 the second charges
    // 20% more and the third 40% more. The first's relative is imputed by
    // the other two's, weighted 1/4 and 1/4: (1.2 + 1.4) / 2 = 1.3, +30%.
    // (Carried at its last price, the down provider's half of the weight
    // would have read 0.5 + 0.25 x 1.2 + 0.25 x 1.4 = 1.15, +15%.)
    let three = |takedown: bool| {
        let days = 40;
        let mut out = run(|_| 100, days);
        for d in 0..days {
            let hit = takedown && d >= 10;
            let dearer = takedown && d >= 20;
            let provider = |seats: u64, price: f64, rise: f64, active: bool| ProviderDay {
                seats_used: seats,
                capacity: 100.0,
                price: if dearer { price * rise } else { price },
                active,
                ..ProviderDay::default()
            };
            out.provider_days[d] = vec![
                provider(if hit { 0 } else { 50 }, 10.0, 1.0, !hit),
                provider(25, 30.0, 1.2, true),
                provider(25, 40.0, 1.4, true),
            ];
        }
        out
    };
    let (base, arm) = (three(false), three(true));
    let p = plan(10, 39);
    let peak = metric(&base, &arm, &p, "price_index_change_peak_pct").expect("peak");
    assert!((peak - 30.0).abs() < 1e-9, "{peak}");
    // Mean: 1 on days 10-19 and 1.3 on days 20-39 against 1 throughout:
    // (10 + 20 x 1.3) / 30 - 1 = +20%.
    let mean = metric(&base, &arm, &p, "price_index_change_mean_pct").expect("mean");
    assert!((mean - 20.0).abs() < 1e-9, "{mean}");
}

#[test]
fn infrastructure_cost_is_subscription_and_switching_per_campaign_day() {
    let mut base = run(|_| 100, 20);
    let mut arm = run(|d| if d < 10 { 100 } else { 50 }, 20);
    for d in 0..20 {
        base.days[d].subscription_cost_usd = 100.0;
        arm.days[d].subscription_cost_usd = 100.0;
        arm.days[d].switching_costs_usd = if d == 10 { 500.0 } else { 0.0 };
        // Campaign and overhead costs are not infrastructure.
        arm.days[d].campaign_costs_usd = 1e6;
        arm.days[d].overhead_costs_usd = 1e6;
    }
    // Window 10..=19: base $1,000 / 1,000 campaign-days = $1; arm $1,500 /
    // 500 = $3: +200%.
    let change = metric(
        &base,
        &arm,
        &plan(10, 19),
        "infrastructure_cost_per_campaign_change_pct",
    )
    .expect("defined");
    assert!((change - 200.0).abs() < 1e-9, "{change}");
}

/// With the expected loss per compromise nearly the same across segments,
/// expected losses averted are nearly proportional to compromises averted,
/// so their intervals have nearly the same relative width. Drawn losses, out
/// of step between arms once their compromise counts differ, gave an
/// interval about six times wider (issue 13).
#[test]
fn losses_averted_are_as_precise_as_compromises_averted() {
    let model = caasim::scenario::load_file(
        &common::repo_path("scenarios/redvds-2026.toml"),
        &["scenario.replications=10".to_string()],
    )
    .expect("the reference scenario loads");
    let rows = experiment::run_summary(&model, &Hooks::default())
        .expect("not cancelled")
        .rows(&model, &[]);
    let relative = |arm: &str, metric: &str| {
        let row = rows
            .iter()
            .find(|r| r.arm == arm && r.metric == metric)
            .expect("row");
        let (mean, high) = (row.estimate.mean.unwrap(), row.estimate.ci_high.unwrap());
        (high - mean) / mean.abs()
    };
    for arm in [
        "takedown",
        "takedown-no-data",
        "sustained-pressure",
        "takedown+mfa",
    ] {
        let losses = relative(arm, "losses_averted_usd");
        let compromises = relative(arm, "compromises_averted");
        let factor = losses / compromises;
        assert!(
            (1.0 / 1.5..=1.5).contains(&factor),
            "{arm}: relative half-widths {losses} (losses) and {compromises} (compromises)"
        );
    }
}
