//! Renewal compares the market, switching costs days of output, and customers
//! of a provider that is down lose it at renewal (MODEL.md 7.4, 7.5, 7.16).

use caasim::engine::{self, step};
use caasim::model::attacker::Status;
use caasim::model::provider::ProviderStatus;
use caasim::model::world::World;

use crate::small;

/// Customers (identities) working at provider `j`.
fn customers(world: &World, j: u16) -> Vec<u32> {
    (world.population.as_slice().iter())
        .filter(|a| a.status == Status::Working && a.provider == j)
        .map(|a| a.id)
        .collect()
}

/// Where the attackers `ids` are now: (working at `j`, working elsewhere, not working).
/// Attackers who left for good are not counted.
fn whereabouts(world: &World, ids: &[u32], j: u16) -> (usize, usize, usize) {
    let mut at = (0, 0, 0);
    for a in world.population.as_slice() {
        if !ids.contains(&a.id) || a.status == Status::Gone {
            continue;
        }
        match a.status {
            Status::Working if a.provider == j => at.0 += 1,
            Status::Working => at.1 += 1,
            _ => at.2 += 1,
        }
    }
    at
}

#[test]
fn a_price_spike_moves_customers_to_rivals_with_room_instead_of_out_of_the_market() {
    // Prices stay where they are put; no attrition, so every customer renews.
    let model = small::model(&[
        "market.price_adjust_per_day=0",
        "attackers.phisher.attrition_per_day=0",
    ]);
    let mut world = World::new(&model, &model.arms[0], 0);
    for j in [0, 1] {
        world.providers[j].capacity = 1000.0;
    }
    // Gamma asks $100,000 a seat-month: $3,333 a day, far more than a seat
    // earns (and more than an attacker's $2,000 of cash).
    world.providers[2].price = 100_000.0;
    let gamma = customers(&world, 2);
    assert!(gamma.len() >= 30, "{} customers", gamma.len());
    // Every initial subscription runs out before day 30.
    let mut quits = 0;
    for day in 0..32 {
        let record = step(&mut world, day);
        quits += record.attackers_quit + record.attackers_deterred;
    }
    let (stayed, moved, out) = whereabouts(&world, &gamma, 2);
    assert_eq!(stayed + moved + out, gamma.len(), "nobody left for good");
    assert_eq!(stayed, 0, "no one renews at $100,000");
    // Alpha and Beta (at $30 and $25, with room for everyone) beat the
    // reservation value, so every one of Gamma's customers moves: the model
    // is deterministic here (one seat, skill 1, same cash for all).
    assert_eq!(moved, gamma.len(), "{out} left the market");
    assert_eq!(quits, 0);
}

#[test]
fn customers_of_a_provider_that_is_down_are_displaced_at_renewal_and_counted() {
    let model = small::model(&["attackers.phisher.attrition_per_day=0"]);
    let mut world = World::new(&model, &model.arms[0], 0);
    world.providers[0].status = ProviderStatus::Down { until_day: 1000 };
    let alpha = customers(&world, 0);
    assert!(alpha.len() >= 100);
    let (mut displaced, mut resubscribed) = (0, 0);
    for day in 0..31 {
        let record = step(&mut world, day);
        displaced += record.attackers_displaced;
        resubscribed += record.attackers_resubscribed;
    }
    // Each renewed once, at a provider that is down: all lost it.
    assert_eq!(displaced, alpha.len() as u64);
    let (stayed, moved, _) = whereabouts(&world, &alpha, 0);
    assert_eq!(stayed, 0);
    // Beta and Gamma have room for 200 - their customers; those who moved
    // at once or later resubscribed, and the count says so.
    assert!(moved > 0);
    assert_eq!(resubscribed, moved as u64);
}

/// Campaign-days lost to the takedown of the small world (takedown arm
/// against the baseline, same replication, so common random numbers), summed
/// over the recorded days, and the displaced customers who resubscribed.
fn campaigns_lost(overrides: &[&str], replication: u32) -> (f64, u64) {
    let model = small::model(overrides);
    let base = engine::run(&model, small::arm(&model, "baseline"), replication);
    let hit = engine::run(&model, small::arm(&model, "takedown"), replication);
    let lost = (base.days.iter().zip(&hit.days))
        .map(|(b, h)| b.campaigns as f64 - h.campaigns as f64)
        .sum();
    let resubscribed = hit.days.iter().map(|d| d.attackers_resubscribed).sum();
    (lost, resubscribed)
}

#[test]
fn rebuild_days_after_a_switch_lengthen_the_gap_of_displaced_customers() {
    for replication in 0..2 {
        let (lost_0, _) = campaigns_lost(&["market.switching_rebuild_days=0"], replication);
        let (lost_14, resubscribed) =
            campaigns_lost(&["market.switching_rebuild_days=14"], replication);
        // Each displaced customer that rents from a new provider runs no
        // campaigns for 14 more days: about 14 x resubscribed campaign-days
        // more lost (fewer if some would have left within 14 days anyway,
        // or renewals in the baseline that switch lose days too). Half of
        // it is the bound: with R = 0 the difference is noise.
        let extra = lost_14 - lost_0;
        let expected = 14.0 * resubscribed as f64;
        assert!(resubscribed > 20, "{resubscribed} resubscribed");
        assert!(
            extra >= 0.5 * expected,
            "replication {replication}: {extra} more campaign-days lost, expected about {expected}"
        );
    }
}

#[test]
fn attackers_who_leave_for_good_book_the_rest_of_their_prepaid_time_once() {
    let model = small::model(&[]);
    let mut world = World::new(&model, &model.arms[0], 0);
    for day in 0..5 {
        step(&mut world, day);
    }
    // Everyone leaves on day 5: the day's accrual plus the rest of each
    // prepaid period, `paid_per_day x (paid_until - 5)` in all (arrivals of
    // the day pay nothing before tomorrow).
    let day = 5;
    let mut expected = 0.0;
    let mut present = 0;
    for a in world.population.as_mut_slice() {
        if a.status != Status::Gone {
            present += 1;
            a.leave_day = day;
            expected += f64::from(a.paid_per_day) * f64::from(a.paid_until.saturating_sub(day));
        }
    }
    assert!(present > 200 && expected > 1000.0, "{present}, {expected}");
    let record = step(&mut world, day);
    assert_eq!(record.attacker_exits, present);
    let booked = record.subscription_cost_usd;
    assert!(
        (booked - expected).abs() <= 1e-9 * expected,
        "booked {booked}, prepaid {expected}"
    );
}

/// Deterrence in two kinds (docs/MODEL.md 7.4): a risk shock far above every
/// tolerance deters every attacker in the market on the shock day; a share
/// `deterred_desist_share` of them desists for good, the rest go dormant.
/// Each deterred attacker desists independently with that probability, so
/// the pooled share of desisted among the deterred is within 4 binomial
/// standard errors of it (a false alarm has a chance of about 6e-5).
#[test]
fn a_share_of_the_deterred_desists_for_good_and_the_rest_go_dormant() {
    let shock = ["arms.deterrence.interventions.0.risk_shock=1000"];
    let share = 0.4;
    let setting = format!("market.deterred_desist_share={share}");
    let model = small::model(&[shock[0], setting.as_str()]);
    let arm = small::arm(&model, "deterrence");
    let day = 5;
    let (mut deterred, mut desisted) = (0u64, 0u64);
    for replication in 0..20 {
        let run = caasim::engine::run(&model, arm, replication);
        let d = &run.days[day];
        assert!(d.attackers_deterred > 0, "the shock deters");
        assert!(
            d.attacker_exits >= d.attackers_desisted,
            "the desisted leave for good"
        );
        deterred += d.attackers_deterred;
        desisted += d.attackers_desisted;
    }
    let n = deterred as f64;
    let se = (share * (1.0 - share) / n).sqrt();
    let observed = desisted as f64 / n;
    assert!(
        (observed - share).abs() <= 4.0 * se,
        "{observed} of {deterred} deterred desisted, expected {share} (SE {se})"
    );
    // Without desistance nobody leaves for it, and no draw is taken: the run
    // is the one of a scenario that does not mention the share.
    let none = small::model(&[shock[0], "market.deterred_desist_share=0"]);
    let default = small::model(&shock);
    for replication in 0..3 {
        let a = caasim::engine::run(&none, arm, replication);
        assert!(a.days.iter().all(|d| d.attackers_desisted == 0));
        assert_eq!(a, caasim::engine::run(&default, arm, replication));
    }
}

/// The deterred come back at their own rate. A shock far above every
/// tolerance that decays fast (risk half-life of one day) sends every
/// attacker in the market dormant on day 5. Looking again at a daily rate of
/// 1 (while still deterred, another dormancy at the same rate), they are back
/// as soon as the risk has decayed, about two weeks later; at a rate of
/// 0.0001 each has a chance of 1 - 0.9999^25 = 0.25% of having looked again
/// by day 30, so nearly all are still dormant (no one leaves: attrition is
/// off; new arrivals are not dormant).
#[test]
fn the_deterred_come_back_at_their_own_rate() {
    let common = [
        "arms.deterrence.interventions.0.risk_shock=1000",
        "market.risk_half_life_days=1",
        "market.dormant_return_per_day=0.0001",
        "attackers.0.attrition_per_day=0",
    ];
    let dormant_on_day_30 = |rate: &str| -> (u64, u64) {
        let setting = format!("market.deterred_return_per_day={rate}");
        let model = small::model(&[common[0], common[1], common[2], common[3], setting.as_str()]);
        let arm = small::arm(&model, "deterrence");
        let run = caasim::engine::run(&model, arm, 0);
        (
            run.days[5].attackers_deterred,
            run.days[30].attackers_dormant,
        )
    };
    let (deterred, slow) = dormant_on_day_30("0.0001");
    let (_, fast) = dormant_on_day_30("1");
    assert!(deterred > 100, "the shock deters the market: {deterred}");
    assert!(
        slow as f64 >= 0.9 * deterred as f64,
        "slow return: {slow} of {deterred} still dormant"
    );
    assert!(
        (fast as f64) < 0.2 * deterred as f64,
        "fast return: {fast} of {deterred} still dormant"
    );
}
