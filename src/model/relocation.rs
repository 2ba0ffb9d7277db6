//! Relocation after a coalition operation (MODEL.md 7.17). The operation
//! adds one unit of enforcement pressure to each jurisdiction in which a
//! partner acted (it fades with `market.pressure_half_life_days`), which
//! steers where every provider places new capacity from then on
//! ([`Siting`](super::jurisdiction::Siting)). And `relocation_lag_days`
//! later, every provider of a struck class that is not gone (the struck
//! ones that came back, and their rivals, who learned) moves a share
//! `relocation_share` of the capacity it still has in those jurisdictions
//! to the jurisdictions where no partner has acted so far in the run,
//! placed as it would place new capacity there, paying
//! `relocation_cost_usd_per_seat` for each seat moved, times the
//! `cost_factor` of where it goes (recorded as provider investment). A provider with nowhere else to go moves nothing.

use std::collections::BTreeSet;

use super::jurisdiction::normalise;
use super::provider::ProviderStatus;
use super::world::World;

/// A relocation decided after a coalition operation.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingRelocation {
    /// Internal day the capacity moves.
    pub day: u32,
    /// Whether a partner acted in each jurisdiction.
    pub acting: Vec<bool>,
    /// The classes the operation struck: their providers move.
    pub classes: BTreeSet<String>,
}

/// After a coalition operation on internal `day` that acted in the
/// `acting` jurisdictions and struck providers of `classes`: pressure on
/// each acting jurisdiction rises by one and, when providers relocate at
/// all, their move is scheduled.
pub fn after_operation(world: &mut World, acting: Vec<bool>, classes: BTreeSet<String>, day: u32) {
    let places = world
        .jurisdiction_pressure
        .iter_mut()
        .zip(&mut world.acted_in);
    for ((pressure, acted_before), acted) in places.zip(&acting) {
        if *acted {
            *pressure += 1.0;
            *acted_before = true;
        }
    }
    let market = &world.model.market;
    if market.relocation_share > 0.0 && !classes.is_empty() {
        world.relocations.push(PendingRelocation {
            day: day + market.relocation_lag_days,
            acting,
            classes,
        });
    }
}

/// The relocations due by internal `day` happen, in the order decided;
/// what moving cost the providers is added to the day's events.
pub fn relocate_due(world: &mut World, day: u32) {
    if !world.relocations.iter().any(|r| r.day <= day) {
        return;
    }
    let (due, later): (Vec<_>, Vec<_>) = world.relocations.drain(..).partition(|r| r.day <= day);
    world.relocations = later;
    let mut spent = 0.0;
    for relocation in due {
        for j in 0..world.providers.len() {
            let provider = &world.providers[j];
            if provider.status != ProviderStatus::Gone
                && relocation.classes.contains(&provider.class)
            {
                spent += relocate(world, j, &relocation.acting);
            }
        }
    }
    world.events.relocation_cost_usd += spent;
}

/// Provider `j` moves `relocation_share` of its capacity in the `acting`
/// jurisdictions to those where no partner has acted in the run; returns
/// what it paid (from cash, which may leave it broke: it then leaves at
/// the day's settlement, 7.12).
fn relocate(world: &mut World, j: usize, acting: &[bool]) -> f64 {
    let market = &world.model.market;
    let provider = &world.providers[j];
    let in_acting: f64 = (provider.located.iter().zip(acting))
        .filter(|(_, acted)| **acted)
        .map(|(share, _)| share)
        .sum();
    let moved = market.relocation_share * in_acting;
    if moved <= 0.0 || provider.capacity <= 0.0 {
        return 0.0;
    }
    let Some(target) = world.model.jurisdictions.placement(
        &provider.home,
        &world.jurisdiction_pressure,
        market.placement_risk_aversion,
        &world.acted_in,
    ) else {
        return 0.0;
    };
    let seats = moved * provider.capacity;
    let factor = world.model.jurisdictions.cost_factor(&target);
    let cost = seats * market.relocation_cost_usd_per_seat * factor;
    let provider = &mut world.providers[j];
    for (k, share) in provider.located.iter_mut().enumerate() {
        if acting[k] {
            *share *= 1.0 - market.relocation_share;
        }
        *share += moved * target[k];
    }
    normalise(&mut provider.located);
    provider.cash -= cost;
    world.seats_relocated += seats;
    cost
}
