//! Recovery after a takedown comes from capacity investment (MODEL.md 7.8):
//! it responds to margins, cash, lead time and the number of competitors.
//! Each comparison is paired: both settings run the same replications with
//! the same seed, so their random streams are common.

use caasim::model::Model;

use crate::common::mean_se;
use crate::small;

/// Days after the takedown (day 5) over which campaigns are counted: the
/// time competitors need to rebuild what Alpha lost.
const WINDOW: std::ops::Range<usize> = 5..65;

/// The small world with a takedown that leaves the market short of
/// capacity: Alpha, half the market, loses all but its resilient quarter and
/// stays down 60 days, so its customers must be served by what competitors
/// build; plus `overrides`.
fn deep_takedown(overrides: &[&str]) -> Model {
    let mut all = vec![
        "arms.1.interventions.0.capacity_seized=1",
        "arms.1.interventions.0.downtime_days=80",
    ];
    all.extend_from_slice(overrides);
    small::model(&all)
}

/// Per replication, campaigns in the takedown arm over [`WINDOW`] as a share
/// of the baseline arm's.
fn recovered_output(model: &Model, replications: u32) -> Vec<f64> {
    let arm = small::arm(model, "takedown");
    (0..replications)
        .map(|r| {
            let runs = caasim::engine::run_replication(model, r, None).unwrap();
            let sum = |arm: usize| -> f64 {
                runs[arm].days[WINDOW]
                    .iter()
                    .map(|d| d.campaigns as f64)
                    .sum()
            };
            sum(arm) / sum(0)
        })
        .collect()
}

/// Mean and standard error of the paired differences `a - b`.
fn paired(a: &[f64], b: &[f64]) -> (f64, f64) {
    let differences: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    mean_se(&differences)
}

/// Assert that the takedown arm keeps more output under `faster` than under
/// `slower`: the paired mean difference is above 3 standard errors (a
/// one-sided z of 3, a 0.13% chance under no difference; if the mechanism
/// ignored the parameter the two runs would be identical and the
/// difference exactly 0).
fn recovers_faster(faster: &[&str], slower: &[&str], what: &str) {
    let replications = 12;
    let a = recovered_output(&deep_takedown(faster), replications);
    let b = recovered_output(&deep_takedown(slower), replications);
    let (mean, se) = paired(&a, &b);
    eprintln!("{what}: {mean:.4} ± {se:.4}");
    assert!(
        mean > 3.0 * se && mean > 0.0,
        "{what}: output kept {mean:.4} (SE {se:.4}) more with {faster:?} than with {slower:?}"
    );
}

#[test]
fn a_shorter_lead_time_recovers_faster() {
    recovers_faster(
        &["market.investment_lead_days=0"],
        &["market.investment_lead_days=30"],
        "lead time",
    );
}

#[test]
fn a_provisioning_cost_a_seat_cannot_earn_back_stops_recovery_by_investment() {
    recovers_faster(
        &["market.provisioning_cost_usd_per_seat=5"],
        &["market.provisioning_cost_usd_per_seat=500"],
        "provisioning cost",
    );
}

#[test]
fn a_longer_horizon_makes_thin_margins_worth_investing() {
    // Beta's seats earn 0.85 x $25 / 30 - $0.40 = $0.31 a day: $9 over 30
    // days, less than the $20 provisioning cost, and $28 over 90 days, more
    // (Alpha's $0.45 a day: $13.5 and $40.5; Gamma's $0.68: $20.5 and $61).
    recovers_faster(
        &["market.investment_horizon_days=90"],
        &["market.investment_horizon_days=30"],
        "horizon",
    );
}

#[test]
fn competitors_without_cash_cannot_invest() {
    recovers_faster(
        &[],
        &["providers.1.cash_usd=0", "providers.2.cash_usd=0"],
        "cash",
    );
}

#[test]
fn more_competitors_recover_faster() {
    recovers_faster(&["providers.2.count=3"], &[], "competitors");
}

/// Provider 0's capacity and seats on order after stepping the small world
/// from day 0 through `day`, with `overrides`.
fn alpha_after(overrides: &[&str], day: u32) -> (f64, f64) {
    let model = small::model(overrides);
    let mut world = caasim::model::world::World::new(&model, &model.arms[0], 0);
    for d in 0..=day {
        caasim::engine::step(&mut world, d);
    }
    let alpha = &world.providers[0];
    (alpha.capacity, alpha.seats_on_order())
}

#[test]
fn an_order_is_installed_on_the_day_its_lead_time_ends() {
    // With 150 seats of capacity instead of 200, Alpha's demand on day 0
    // is above 85% of its capacity, so it orders that day (checked below:
    // with a lead time of one day the order is seen waiting).
    let (day0, ordered0) = alpha_after(
        &[
            "providers.0.capacity_seats=150",
            "market.investment_lead_days=0",
        ],
        0,
    );
    assert_eq!(ordered0, 0.0, "with no lead time nothing waits");
    let (day0_lead1, ordered) = alpha_after(
        &[
            "providers.0.capacity_seats=150",
            "market.investment_lead_days=1",
        ],
        0,
    );
    assert!(ordered > 0.0, "with a lead time of a day the order waits");
    assert!(
        day0 > day0_lead1 + 0.5 * ordered,
        "lead time 0 installs the order the day it is placed: {day0} against {day0_lead1} + {ordered}"
    );
    let (day1_lead1, _) = alpha_after(
        &[
            "providers.0.capacity_seats=150",
            "market.investment_lead_days=1",
        ],
        1,
    );
    assert!(
        day1_lead1 >= day0_lead1 + ordered - 1e-9,
        "installed the next day: {day1_lead1} against {day0_lead1} + {ordered}"
    );
}
