//! A provider's daily rules (MODEL.md 7.8-7.10, 7.12), each against its formula.

use caasim::model::Model;
use caasim::model::jurisdiction::Siting;
use caasim::model::provider::{Provider, ProviderStatus, seat_weighted_price};

use crate::small::{self, close};

/// The entrant template of the small world: 30 seats at $30, $0.45 per
/// seat-day, $5 per day, reputation 0.2, resilience 0.2, $5,000.
fn entrant(model: &Model, seats_used: u64) -> Provider {
    let status = ProviderStatus::Active;
    let mut p = Provider::new(
        "p".into(),
        &model.entry.template,
        status,
        &model.jurisdictions,
    );
    p.seats_used = seats_used;
    p
}

#[test]
fn settling_books_revenue_less_capacity_times_unit_cost_and_fixed_cost() {
    let model = small::model(&[]);
    let mut p = entrant(&model, 10);
    p.revenue_today = 300.0;
    p.resilience = 0.5; // 0.3 above its base: +0.3 x $0.3 per seat-day
    let unit = 0.45 + 0.3 * 0.3;
    assert!(close(p.unit_cost(&model.market), unit));
    let books = p.settle_day(&model.market);
    assert!(close(books.revenue, 300.0));
    assert!(close(books.costs, 30.0 * unit + 5.0));
    assert!(close(p.cash, 5000.0 + 300.0 - 30.0 * unit - 5.0));
    assert_eq!(p.revenue_today, 0.0);
    // Down or setting up: full costs; gone: none.
    p.status = ProviderStatus::Down { until_day: 9 };
    assert!(close(p.settle_day(&model.market).costs, 30.0 * unit + 5.0));
    p.status = ProviderStatus::Gone;
    let cash = p.cash;
    assert_eq!(p.settle_day(&model.market).costs, 0.0);
    assert_eq!(p.cash, cash);
}

/// Plan capacity on internal `day` in the small world's one jurisdiction.
fn plan(p: &mut Provider, demand: f64, model: &Model, day: u32) -> f64 {
    let pressure = vec![0.0; model.jurisdictions.len()];
    let siting = Siting {
        places: &model.jurisdictions,
        pressure: &pressure,
        aversion: model.market.placement_risk_aversion,
    };
    p.plan_capacity(demand, &model.market, day, &siting)
}

/// Plan capacity on internal day 0 and install what arrives that day.
fn plan_now(p: &mut Provider, demand: f64, model: &Model) -> f64 {
    let paid = plan(p, demand, model, 0);
    p.receive_orders(0);
    paid
}

#[test]
fn capacity_orders_at_most_the_size_class_ceiling_and_shrinks_at_most_its_shrink_share() {
    // Lead time 0: orders are installed the day they are placed.
    let model = small::model(&["market.investment_lead_days=0"]);
    // growth 0.02, shrink 0.005, min step base 5, target 0.85, $20 a seat
    // Demand far above: one ceiling's worth, 0.02 x 30 seats, paid $20 each.
    let mut p = entrant(&model, 20);
    assert!(close(plan_now(&mut p, 1000.0, &model), 20.0 * 0.6));
    assert!(close(p.capacity, 30.0 * 1.02));
    assert!(close(p.cash, 5000.0 - 20.0 * 0.6));
    // Demand just above: straight to demand / 0.85.
    let mut p = entrant(&model, 20);
    plan_now(&mut p, 25.8, &model);
    assert!(close(p.capacity, 25.8 / 0.85));
    // Small capacity: the ceiling is a share of max(capacity, 5).
    let mut p = entrant(&model, 0);
    p.capacity = 1.0;
    plan_now(&mut p, 1000.0, &model);
    assert!(close(p.capacity, 1.0 + 0.02 * 5.0));
    // Demand far below: one shrink step of 0.005 x 30, nothing paid.
    let mut p = entrant(&model, 0);
    assert_eq!(plan_now(&mut p, 0.0, &model), 0.0);
    assert!(close(p.capacity, 30.0 * 0.995));
    // Demand just below: straight to demand / 0.85.
    let mut p = entrant(&model, 0);
    plan_now(&mut p, 0.85 * 29.9, &model);
    assert!(close(p.capacity, 29.9));
    // Never below the seats rented.
    let mut p = entrant(&model, 29);
    p.capacity = 29.05;
    plan_now(&mut p, 0.0, &model);
    assert_eq!(p.capacity, 29.0);
}

#[test]
fn ordered_seats_arrive_after_the_lead_time_and_count_towards_the_target_meanwhile() {
    let model = small::model(&["market.investment_lead_days=7"]);
    let mut p = entrant(&model, 20);
    // Day 0: 0.6 seats ordered (the ceiling), nothing installed yet.
    plan(&mut p, 1000.0, &model, 0);
    p.receive_orders(0);
    assert_eq!(p.capacity, 30.0);
    assert!(close(p.seats_on_order(), 0.6));
    // Day 1: demand now met by what is installed and on order: no new order.
    let target = 30.6 * 0.85;
    assert_eq!(plan(&mut p, target, &model, 1), 0.0);
    assert_eq!(p.orders.len(), 1);
    // Installed on day 7, not before.
    p.receive_orders(6);
    assert_eq!(p.capacity, 30.0);
    p.receive_orders(7);
    assert!(close(p.capacity, 30.6));
    assert!(p.orders.is_empty());
}

#[test]
fn a_provider_orders_only_when_a_seat_earns_back_its_provisioning_and_only_what_its_cash_pays() {
    // At $30 a month, $0.45 a seat-day and 0.85 utilisation, a seat earns
    // 90 x (0.85 x 30 / 30 - 0.45) = $36 over the 90-day horizon.
    let at = |cost: f64| {
        small::model(&[
            "market.investment_lead_days=0".to_string().as_str(),
            &format!("market.provisioning_cost_usd_per_seat={cost}"),
        ])
    };
    let model = at(36.0);
    let mut p = entrant(&model, 20);
    assert!(close(p.seat_margin(&model.market), 36.0));
    assert_eq!(plan_now(&mut p, 1000.0, &model), 0.0);
    assert_eq!(p.capacity, 30.0);
    let model = at(35.9);
    let mut p = entrant(&model, 20);
    assert!(plan_now(&mut p, 1000.0, &model) > 0.0);
    assert!(close(p.capacity, 30.6));
    // Cash is kept for 30 days of running costs, 30 x (30 x $0.45 + $5) =
    // $555: cash for 0.1 seat beyond it buys 0.1 seat; none beyond it, none.
    let mut p = entrant(&model, 20);
    assert!(close(p.reserve(&model.market), 555.0));
    p.cash = 555.0 + 3.59;
    plan_now(&mut p, 1000.0, &model);
    assert!(close(p.capacity, 30.1));
    assert!(close(p.cash, 555.0));
    let mut p = entrant(&model, 20);
    p.cash = 555.0;
    assert_eq!(plan_now(&mut p, 1000.0, &model), 0.0);
    assert_eq!(p.capacity, 30.0);
}

#[test]
fn the_price_moves_a_share_of_the_way_to_its_cost_scarcity_and_risk_target() {
    let model = small::model(&[]);
    let m = &model.market; // adjust 0.05, elasticity 2, premium $4, 30 days
    // At target utilisation (0.85 x 20 = 17 of 20 seats), no pressure, base
    // resilience: the target is the list price, and the price stays there.
    let mut p = entrant(&model, 17);
    p.capacity = 20.0;
    p.adjust_price(0.0, m);
    assert!(close(p.price, 30.0));
    // Full: target 30 x exp(2 x 0.15); the price rises 5% of the gap.
    let mut p = entrant(&model, 20);
    p.capacity = 20.0;
    p.adjust_price(0.0, m);
    let target = 30.0 * (2.0f64 * 0.15).exp();
    assert!(close(p.price, 30.0 + 0.05 * (target - 30.0)));
    // Empty, with pressure 1.5 and resilience 0.3 above base: cost pass-through
    // 30 x 0.3 x 0.3 = $2.7, scarcity exp(-1.7), premium 4 x 1.5.
    let mut p = entrant(&model, 0);
    p.resilience = 0.5;
    p.adjust_price(1.5, m);
    let target = (30.0 + 2.7) * (-1.7f64).exp() + 6.0;
    assert!(target < 30.0);
    assert!(close(p.price, 30.0 + 0.05 * (target - 30.0)));
    // No capacity counts as full.
    let mut p = entrant(&model, 0);
    p.capacity = 0.0;
    p.adjust_price(0.0, m);
    assert!(close(p.price, 30.0 + 0.05 * (30.0 * (0.3f64).exp() - 30.0)));
}

#[test]
fn reputation_grows_towards_its_quality_and_halves_on_a_hit_while_resilience_closes_its_gap() {
    let model = small::model(&["entry.template.quality=0.7"]);
    let m = &model.market; // growth 0.005, loss on hit 0.5, learning 0.3
    let mut p = entrant(&model, 0);
    for _ in 0..100 {
        p.grow_reputation(m);
    }
    // quality - reputation decays by 0.995 a day: 0.7 - 0.5 x 0.995^100.
    assert!(close(p.reputation, 0.7 - 0.5 * 0.995f64.powi(100)));
    // Without a quality of its own, a provider stays at its starting level.
    let mut q = entrant(&small::model(&[]), 0);
    q.grow_reputation(m);
    assert_eq!(q.reputation, 0.2);
    let reputation = p.reputation;
    p.suffer_hit(m);
    assert!(close(p.reputation, reputation * 0.5));
    assert!(close(p.resilience, 0.2 + 0.3 * 0.8));
    p.learn_resilience(0.1);
    assert!(close(p.resilience, 0.44 + 0.1 * 0.56));
}

#[test]
fn the_mean_price_is_seat_weighted_over_active_providers() {
    let model = small::model(&[]);
    let mut a = entrant(&model, 30);
    let mut b = entrant(&model, 10);
    b.price = 50.0;
    let mut c = entrant(&model, 100);
    c.price = 1000.0;
    c.status = ProviderStatus::Down { until_day: 9 };
    let price = seat_weighted_price(&[a.clone(), b.clone(), c.clone()]);
    assert!(close(price.unwrap(), (30.0 * 30.0 + 10.0 * 50.0) / 40.0));
    a.seats_used = 0;
    b.seats_used = 0;
    let price = seat_weighted_price(&[a.clone(), b.clone(), c.clone()]);
    assert!(
        close(price.unwrap(), 40.0),
        "unweighted without rented seats"
    );
    a.status = ProviderStatus::Gone;
    b.status = ProviderStatus::Setup { ready_day: 3 };
    assert_eq!(seat_weighted_price(&[a, b, c]), None);
}
