//! Entry of providers and attackers.
//!
//! Providers enter at a Poisson rate
//! `base + max x U / (U + h) x exp(-d x pressure)` when an entrant would make
//! a margin at today's mean price, where `U` is the share of seats wanted that
//! no one could serve. Attackers of type t arrive at a Poisson rate
//! `count_t x attrition_t x conversion x messaging x (profit / profit_0)^e x exp(-s x ambient_risk)`,
//! which balances attrition in a calm market at its starting prices.

use rand_distr::{Distribution, Poisson};

use super::attacker::MarketView;
use super::provider::{Provider, ProviderStatus};
use super::world::World;
use crate::rng::Purpose;

/// Largest number of providers a run may create (indices are 16-bit).
pub const MAX_PROVIDERS_EVER: usize = 60_000;

/// New providers decide to enter today; they sell after their setup days.
pub fn providers_enter(world: &mut World, day: u32) {
    let entry = &world.model.entry;
    let alive = world
        .providers
        .iter()
        .filter(|p| p.status != ProviderStatus::Gone)
        .count();
    if alive >= entry.max_providers as usize || world.providers.len() >= MAX_PROVIDERS_EVER {
        return;
    }
    let seats_used: u64 = world.providers.iter().map(|p| p.seats_used).sum();
    let wanted = seats_used + world.unmet_seats;
    let unmet_share = if wanted > 0 {
        world.unmet_seats as f64 / wanted as f64
    } else {
        0.0
    };
    let template = &entry.template;
    let margin = world.mean_price() / f64::from(world.model.market.subscription_days)
        * world.model.market.target_utilisation
        - template.unit_cost_usd_per_seat_day
        - template.fixed_cost_usd_per_day / template.capacity_seats.max(1.0);
    if margin <= 0.0 {
        return;
    }
    let pressure = world.pressure.get(&template.class).copied().unwrap_or(0.0);
    let rate = (entry.base_per_day
        + entry.max_per_day * unmet_share / (unmet_share + entry.unmet_half_saturation))
        * (-entry.pressure_deterrence * pressure).exp();
    let newcomers = poisson(rate, &mut world.key.market(Purpose::ProviderEntry, day));
    let room =
        (entry.max_providers as usize - alive).min(MAX_PROVIDERS_EVER - world.providers.len());
    for _ in 0..(newcomers as usize).min(room) {
        world.entrants += 1;
        let name = format!("entrant-{}", world.entrants);
        let status = ProviderStatus::Setup {
            ready_day: day + entry.setup_days,
        };
        let places = &world.model.jurisdictions;
        let mut entrant = Provider::new(name, template, status, places);
        entrant.located = world.siting().place(&entrant.home);
        world.providers.push(entrant);
    }
}

/// New attackers arrive, searching.
pub fn attackers_arrive(world: &mut World, view: &MarketView) {
    let day = view.day;
    let conversion = world.conversion(day);
    let messaging = world.arrival_factor(day);
    let mut rng = world.key.market(Purpose::Arrivals, day);
    for kind in 0..world.model.attacker_types.len() {
        let spec = &world.model.attacker_types[kind];
        let reference = world.reference_profit[kind];
        let profit_index = if reference > 0.0 {
            (world.typical_profit(kind, view) / reference).max(0.0)
        } else {
            0.0
        };
        let rate = f64::from(spec.count)
            * spec.attrition_per_day
            * conversion
            * messaging
            * profit_index.powf(spec.arrival_profit_elasticity)
            * (-spec.arrival_risk_sensitivity * world.ambient_risk).exp();
        let arrivals = poisson(rate, &mut rng);
        let mean_search = world.mean_search_days();
        for _ in 0..arrivals {
            world.spawn_attacker(kind, day, mean_search);
            world.events.attacker_entries += 1;
        }
    }
}

/// A Poisson count, 0 for a non-positive or non-finite rate.
fn poisson(rate: f64, rng: &mut crate::rng::Stream) -> u64 {
    if !(rate > 0.0 && rate.is_finite()) {
        return 0;
    }
    Poisson::new(rate).map_or(0, |law| law.sample(rng) as u64)
}
