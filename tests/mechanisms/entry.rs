//! Entry of providers and arrivals of attackers (MODEL.md 7.13, 7.14).

use caasim::model::entry::{attackers_arrive, providers_enter};
use caasim::model::provider::ProviderStatus;
use caasim::model::world::World;

use crate::small;

/// Entrants over `days` days from `first` on, with unmet seats held at a
/// share near `unmet_share` of the seats wanted (the entrants only set up,
/// so the rate stays the same every day); returns them and the exact share.
fn entrants(world: &mut World, first: u32, days: u32, unmet_share: f64) -> (u64, f64) {
    let used: u64 = world.providers.iter().map(|p| p.seats_used).sum();
    world.unmet_seats = (used as f64 * unmet_share / (1.0 - unmet_share)).round() as u64;
    let before = world.providers.len();
    for day in first..first + days {
        providers_enter(world, day);
    }
    let share = world.unmet_seats as f64 / (used + world.unmet_seats) as f64;
    ((world.providers.len() - before) as u64, share)
}

/// A Poisson count within 4 of its standard errors `sqrt(mean)` of its mean
/// (false alarm about 6e-5); the rates below differ from their neighbours
/// (no unmet demand, the other saturation, no pressure) by many more.
fn assert_poisson(count: u64, mean: f64, what: &str) {
    let se = mean.sqrt();
    assert!(
        (count as f64 - mean).abs() <= 4.0 * se,
        "{what}: {count} entrants, expected {mean} (4 SE = {})",
        4.0 * se
    );
}

#[test]
fn entrants_arrive_at_the_documented_rate_of_unmet_demand_and_pressure() {
    let model = small::model(&["entry.max_providers=10000", "entry.base_per_day=0.1"]);
    let mut world = World::new(&model, &model.arms[0], 0);
    let days = 4000;
    // rate = (0.1 + 0.5 x U / (U + 0.05)) x exp(-0.5 x pressure).
    let rate = |u: f64, pressure: f64| (0.1 + 0.5 * u / (u + 0.05)) * (-0.5 * pressure).exp();
    // No unmet demand: only the base rate.
    let (count, u) = entrants(&mut world, 1, days, 0.0);
    assert_eq!(u, 0.0);
    assert_poisson(count, rate(u, 0.0) * 4000.0, "no unmet demand");
    // U at the half-saturation share: half the maximum (a half-saturation
    // share off by a factor 2 would be 9 SE away).
    let (count, u) = entrants(&mut world, 5000, days, 0.05);
    assert_poisson(count, rate(u, 0.0) * 4000.0, "U = 0.05");
    // Saturated: near the maximum.
    let (count, u) = entrants(&mut world, 10_000, days, 0.9);
    assert_poisson(count, rate(u, 0.0) * 4000.0, "U = 0.9");
    // Pressure 2 on the template's class: x exp(-0.5 x 2).
    world.pressure.insert("vds".into(), 2.0);
    let (count, u) = entrants(&mut world, 15_000, days, 0.9);
    assert_poisson(count, rate(u, 2.0) * 4000.0, "pressure 2");
    // Entrants set up for setup_days and take the template's values.
    let last = world.providers.last().unwrap();
    assert!(
        matches!(last.status, ProviderStatus::Setup { ready_day } if (15_014..19_014).contains(&ready_day))
    );
    assert_eq!((last.capacity, last.price), (30.0, 30.0));
    assert_eq!(last.name, format!("entrant-{}", world.entrants));
}

#[test]
fn nobody_enters_without_a_margin_or_without_room() {
    // Unit cost $1 a seat-day: margin 31/30 x 0.85 - 1 - 5/30 < 0.
    let model = small::model(&["entry.template.unit_cost_usd_per_seat_day=1"]);
    let mut world = World::new(&model, &model.arms[0], 0);
    assert_eq!(entrants(&mut world, 1, 500, 0.99).0, 0);
    // Room for two more (3 initial, max 5), entry at 50 a day: never more than 5 alive.
    let model = small::model(&["entry.max_providers=5", "entry.max_per_day=50"]);
    let mut world = World::new(&model, &model.arms[0], 0);
    assert_eq!(entrants(&mut world, 1, 1, 0.99).0, 2);
    assert_eq!(entrants(&mut world, 2, 100, 0.99).0, 0);
    // One leaves: one more may enter.
    world.providers[1].status = ProviderStatus::Gone;
    assert_eq!(entrants(&mut world, 200, 100, 0.99).0, 1);
    let alive = (world.providers.iter()).filter(|p| p.status != ProviderStatus::Gone);
    assert_eq!(alive.count(), 5);
}

#[test]
fn attacker_arrivals_balance_attrition_in_a_calm_market_and_fall_with_ambient_risk() {
    let model = small::model(&[]);
    let mut world = World::new(&model, &model.arms[0], 0);
    // Arrivals are searching and leave prices alone, so the profit index stays 1:
    // rate = count x attrition = 300 x 0.004 = 1.2 a day.
    let days = 2000;
    let arrivals = |world: &mut World, first: u32| {
        world.events.attacker_entries = 0;
        for day in first..first + days {
            let view = world.view(day);
            attackers_arrive(world, &view);
        }
        world.events.attacker_entries
    };
    let calm = arrivals(&mut world, 1);
    assert_poisson(calm, 1.2 * 2000.0, "calm market");
    // Ambient risk 0.5: x exp(-2 x 0.5) (arrival_risk_sensitivity 2).
    world.ambient_risk = 0.5;
    let risky = arrivals(&mut world, 3000);
    assert_poisson(risky, 1.2 * (-1.0f64).exp() * 2000.0, "ambient risk 0.5");
    assert_eq!(world.population.as_slice().len() as u64, 300 + calm + risky);
}
