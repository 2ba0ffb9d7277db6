//! The engine: the day loop of one run, its parallel attacker pass, and the
//! day's record ([`record`]). Random draws come from [`crate::rng`].
//!
//! One day, in the order of the model document:
//! 1. providers back from setup or downtime start selling; interventions act;
//! 2. attackers act, in parallel over fixed chunks ([`act_in_parallel`]);
//! 3. the market clears the day's intents in attacker order;
//! 4. compromises are split over victim segments and losses drawn;
//! 5. providers settle their books and adjust capacity, price and reputation;
//! 6. providers and attackers enter;
//! 7. the day is recorded.

pub mod bench;
pub mod record;

use std::sync::atomic::{AtomicBool, Ordering};

use crate::engine::record::{DayRecord, ProviderDay, RunOutput};
use crate::model::attacker::{
    ActStreams, ActTally, Attacker, ChunkOutput, MarketView, Status, StatusCounts, act,
};
use crate::model::config::{ArmPlan, Model};
use crate::model::entry::{attackers_arrive, providers_enter};
use crate::model::interventions::act_today;
use crate::model::interventions::victim_hardening::update as update_hardening;
use crate::model::jurisdiction::Siting;
use crate::model::market::{Clearing, ClearingTally};
use crate::model::params::AttackerSpec;
use crate::model::provider::{ProviderBooks, ProviderStatus, seat_weighted_price};
use crate::model::relocation::relocate_due;
use crate::model::victims::VictimDay;
use crate::model::world::{DayEvents, World, half_life_factor};
use crate::rng::Purpose;

/// Run one arm alone for one replication, from day 0, and return its records
/// (experiments use [`run_replication`], which gives the same bytes).
pub fn run(model: &Model, arm: usize, replication: u32) -> RunOutput {
    let mut world = World::new(model, &model.arms[arm], replication);
    let mut output = RunOutput {
        arm,
        replication,
        ..RunOutput::default()
    };
    advance(&mut world, &mut output, 0..model.total_days(), None)
        .expect("a run without a cancel flag ends");
    finish(world, output)
}

/// Run every arm for one replication; the outputs are in arm order and
/// `None` means `cancel` was set.
///
/// Arms differ only by their interventions, and draw the same numbers from
/// the same streams, so until an arm's first intervention acts its world is
/// the same as every other arm's. The days before are therefore simulated
/// once, on a trunk with no interventions, and each arm goes on from a copy
/// of the trunk taken on the day its first intervention acts (an arm
/// without interventions, at the end). Each output equals [`run`]'s for the
/// arm byte for byte (a test checks it); the saving is the burn-in and the
/// days before the interventions, for every arm but one.
pub fn run_replication(
    model: &Model,
    replication: u32,
    cancel: Option<&AtomicBool>,
) -> Option<Vec<RunOutput>> {
    let trunk_plan = ArmPlan {
        actions: Vec::new(),
        ..model.arms[0].clone()
    };
    let mut trunk = World::new(model, &trunk_plan, replication);
    let mut trunk_output = RunOutput {
        replication,
        ..RunOutput::default()
    };
    let mut order: Vec<usize> = (0..model.arms.len()).collect();
    order.sort_by_key(|&arm| branch_day(model, arm));
    let (&last, others) = order.split_last().expect("a model has a baseline arm");
    let mut outputs = vec![RunOutput::default(); model.arms.len()];
    let mut day = 0;
    for &arm in others {
        let branch = branch_day(model, arm);
        advance(&mut trunk, &mut trunk_output, day..branch, cancel)?;
        day = branch;
        let branch_output = RunOutput {
            arm,
            ..trunk_output.clone()
        };
        outputs[arm] = run_branch(trunk.clone(), arm, branch_output, day, cancel)?;
    }
    // The last arm to branch off goes on with the trunk itself (no copy).
    let branch = branch_day(model, last);
    advance(&mut trunk, &mut trunk_output, day..branch, cancel)?;
    trunk_output.arm = last;
    outputs[last] = run_branch(trunk, last, trunk_output, branch, cancel)?;
    Some(outputs)
}

/// Run arm `arm` on `world` from `day` to the end.
fn run_branch(
    mut world: World,
    arm: usize,
    mut output: RunOutput,
    day: u32,
    cancel: Option<&AtomicBool>,
) -> Option<RunOutput> {
    let model = world.model;
    world.arm = &model.arms[arm];
    advance(&mut world, &mut output, day..model.total_days(), cancel)?;
    Some(finish(world, output))
}

/// The internal day an arm's first intervention acts (the last day plus one without any).
fn branch_day(model: &Model, arm: usize) -> u32 {
    let first = model.arms[arm].actions.iter().map(|a| a.day).min();
    first.unwrap_or(model.total_days()).min(model.total_days())
}

/// Step `world` through `days`, recording the days after the burn-in in `output`.
fn advance(
    world: &mut World,
    output: &mut RunOutput,
    days: std::ops::Range<u32>,
    cancel: Option<&AtomicBool>,
) -> Option<()> {
    let burn_in_days = world.model.burn_in_days;
    for day in days {
        if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return None;
        }
        let record = step(world, day);
        if day >= burn_in_days {
            output.provider_days.push(snapshot(world));
            if world.model.jurisdictions.len() > 1 {
                output.jurisdiction_capacity.push(capacity_by_place(world));
            }
            output.days.push(record);
        }
    }
    Some(())
}

/// Complete `output` with the world's totals at the end of the run.
fn finish(world: World, mut output: RunOutput) -> RunOutput {
    output.provider_names = world.providers.iter().map(|p| p.name.clone()).collect();
    output.provider_classes = world.providers.iter().map(|p| p.class.clone()).collect();
    output.provider_operators = (0..world.providers.len())
        .map(|j| world.operators.get(&j).copied().unwrap_or(j))
        .collect();
    output.segment_compromises = world.segment_compromises;
    output.segment_losses = world.segment_losses;
    output.arrests = world.arrests;
    output.strikes = world.strikes;
    output.seats_relocated = world.seats_relocated;
    output
}

/// The capacity of the providers not gone in each jurisdiction.
fn capacity_by_place(world: &World) -> Vec<f64> {
    let mut capacity = vec![0.0; world.model.jurisdictions.len()];
    for provider in &world.providers {
        if provider.status == ProviderStatus::Gone {
            continue;
        }
        for (seats, share) in capacity.iter_mut().zip(&provider.located) {
            *seats += provider.capacity * share;
        }
    }
    capacity
}

/// Advance the world by one internal day and return that day's record.
///
/// On burn-in days the compromises are not split over victim segments and
/// no losses are drawn (the record says 0): those days are not recorded,
/// nothing in the market depends on the draws, and they come from a stream
/// of their own, so skipping them changes no other number.
pub fn step(world: &mut World, day: u32) -> DayRecord {
    world.events = DayEvents::default();
    wake_providers(world, day);
    act_today(world, day);
    relocate_due(world, day);
    update_hardening(world, day);
    let view = world.view(day);
    let acted = act_in_parallel(world, &view);
    let cleared = clear_market(world, &view);
    let losses = if day >= world.model.burn_in_days {
        victims_day(world, day)
    } else {
        VictimDay::default()
    };
    let books = update_providers(world, cleared.unmet_seats, day);
    decay_pressure_and_risk(world, &view);
    providers_enter(world, day);
    attackers_arrive(world, &view);
    record(world, day, &view, &acted, &cleared, books, losses)
}

/// Providers whose setup or downtime is over start selling.
fn wake_providers(world: &mut World, day: u32) {
    for provider in &mut world.providers {
        match provider.status {
            ProviderStatus::Setup { ready_day } if day >= ready_day => {
                provider.status = ProviderStatus::Active;
                world.events.provider_entries += 1;
            }
            ProviderStatus::Down { until_day } if day >= until_day => {
                provider.status = ProviderStatus::Active;
            }
            _ => {}
        }
    }
}

/// Every attacker acts, chunk by chunk in parallel (attackers who left for
/// good are dropped now and then); tallies are reduced in chunk order, seats given up are
/// returned to providers, the status counts are taken afresh, and each
/// provider's campaigns and compromises are kept in [`World::attributed`].
pub fn act_in_parallel(world: &mut World, view: &MarketView) -> ActTally {
    let kinds = &world.model.attacker_types;
    let campaign = world.key.day_streams(Purpose::Campaign, view.day);
    let decision = world.key.day_streams(Purpose::Decision, view.day);
    world
        .population
        .act_in_parallel(|c, first, attackers, out| {
            let streams = ActStreams {
                campaign: campaign.chunk(c as u64),
                decision: decision.chunk(c as u64),
            };
            act_chunk(first, attackers, out, kinds, view, &streams);
        });
    let mut total = ActTally::default();
    let mut counts = StatusCounts::default();
    for out in world.population.outputs() {
        total.add(&out.tally);
        counts.merge(&out.counts);
        for &(provider, seats) in &out.releases {
            world.providers[usize::from(provider)].seats_used -= u64::from(seats);
        }
    }
    world.counts = counts;
    world.attributed.clone_from(&total.by_provider);
    total
}

/// The attackers of one chunk (from position `first`) act, in identity order.
fn act_chunk(
    first: usize,
    attackers: &mut [Attacker],
    out: &mut ChunkOutput,
    kinds: &[AttackerSpec],
    view: &MarketView,
    streams: &ActStreams,
) {
    out.clear();
    for (at, attacker) in (first as u32..).zip(attackers) {
        let held =
            (attacker.status == Status::Working).then_some((attacker.provider, attacker.seats));
        if let Some(intent) = act(attacker, at, kinds, view, streams, &mut out.tally) {
            out.intents.push(intent);
        }
        if let Some(seats) = held.filter(|_| attacker.status != Status::Working) {
            out.releases.push(seats);
        }
        out.counts.add(attacker.status);
    }
}

/// Carry out the day's intents in attacker order.
fn clear_market(world: &mut World, view: &MarketView) -> ClearingTally {
    let mut clearing = Clearing {
        market: &world.model.market,
        view,
        conversion: world.conversion(view.day),
        key: &world.key,
        weights: Vec::with_capacity(world.providers.len()),
    };
    let tally = clearing.clear(&mut world.population, &mut world.providers);
    world.counts.searching -= tally.hired;
    world.counts.working += tally.hired;
    world.counts.working -= tally.laid_off;
    world.counts.searching += tally.laid_off;
    world.unmet_seats = tally.unmet_seats;
    tally
}

/// Split each provider's compromises of the day over segments, from the
/// provider's own victims stream, adding its losses (drawn and expected) to
/// [`World::attributed`]; returns the day's losses over all providers.
fn victims_day(world: &mut World, day: u32) -> VictimDay {
    let segments = world.victims.specs.len();
    let providers = world.attributed.len();
    if world.segment_compromises.len() < providers {
        world
            .segment_compromises
            .resize(providers, vec![0; segments]);
        world.segment_losses.resize(providers, vec![0.0; segments]);
    }
    let mut total = VictimDay::default();
    for (j, output) in world.attributed.iter_mut().enumerate() {
        if output.compromises == 0 {
            continue;
        }
        let mut rng = world.key.provider(Purpose::Victims, day, j);
        let (c, l) = (
            &mut world.segment_compromises[j],
            &mut world.segment_losses[j],
        );
        let losses = world.victims.distribute(output.compromises, &mut rng, c, l);
        output.losses_usd = losses.losses_usd;
        output.expected_losses_usd = losses.expected_losses_usd;
        total.losses_usd += losses.losses_usd;
        total.expected_losses_usd += losses.expected_losses_usd;
    }
    total
}

/// Providers settle their books, plan capacity and adjust price and
/// reputation (active ones), install capacity that has arrived, and leave
/// when out of cash.
fn update_providers(world: &mut World, unmet_seats: u64, day: u32) -> ProviderBooks {
    let market = &world.model.market;
    let visible_reputation: f64 = world
        .providers
        .iter()
        .filter(|p| p.is_active())
        .map(|p| p.reputation)
        .sum();
    let mut books = ProviderBooks {
        investment: world.events.relocation_cost_usd,
        ..ProviderBooks::default()
    };
    let mut broke = Vec::new();
    let siting = Siting {
        places: &world.model.jurisdictions,
        pressure: &world.jurisdiction_pressure,
        aversion: market.placement_risk_aversion,
    };
    for (j, provider) in world.providers.iter_mut().enumerate() {
        let day_books = provider.settle_day(market);
        books.revenue += day_books.revenue;
        books.costs += day_books.costs;
        if provider.is_active() {
            let share = if visible_reputation > 0.0 {
                provider.reputation / visible_reputation
            } else {
                0.0
            };
            let demand = provider.seats_used as f64 + share * unmet_seats as f64;
            books.investment += provider.plan_capacity(demand, market, day, &siting);
            let pressure = world.pressure.get(&provider.class).copied().unwrap_or(0.0);
            provider.adjust_price(pressure, market);
            provider.grow_reputation(market);
        }
        if provider.status != ProviderStatus::Gone {
            // After planning: an order with no lead time is installed the
            // day it is placed, and sold from the next day.
            provider.receive_orders(day);
        }
        if provider.status != ProviderStatus::Gone && provider.cash < 0.0 {
            broke.push(j);
        }
    }
    for j in broke {
        world.remove_provider(j, day);
    }
    books
}

/// Enforcement pressure and market-wide risk fade with their half-lives.
fn decay_pressure_and_risk(world: &mut World, view: &MarketView) {
    let factor = half_life_factor(world.model.market.pressure_half_life_days);
    for pressure in world.pressure.values_mut() {
        *pressure *= factor;
    }
    for pressure in &mut world.jurisdiction_pressure {
        *pressure *= factor;
    }
    world.ambient_risk *= view.risk_decay;
}

/// Each provider's state and the day's output of its customers.
fn snapshot(world: &World) -> Vec<ProviderDay> {
    world
        .providers
        .iter()
        .enumerate()
        .map(|(j, p)| ProviderDay {
            seats_used: p.seats_used,
            capacity: p.capacity,
            price: p.price,
            active: p.is_active(),
            output: world.attributed.get(j).copied().unwrap_or_default(),
        })
        .collect()
}

/// The day's record.
fn record(
    world: &World,
    day: u32,
    view: &MarketView,
    acted: &ActTally,
    cleared: &ClearingTally,
    books: ProviderBooks,
    losses: VictimDay,
) -> DayRecord {
    let active: Vec<_> = world.providers.iter().filter(|p| p.is_active()).collect();
    let prices: Vec<(f64, u64)> = active.iter().map(|p| (p.price, p.seats_used)).collect();
    let seats_used: u64 = world.providers.iter().map(|p| p.seats_used).sum();
    let events = &world.events;
    let mut record = DayRecord {
        day: day.saturating_sub(world.model.burn_in_days),
        active_providers: active.len() as u64,
        capacity_seats: active.iter().map(|p| p.capacity).sum(),
        seats_used,
        unmet_demand: world.unmet_seats,
        mean_price: seat_weighted_price(&world.providers),
        median_price: weighted_median(&prices),
        attackers_working: world.counts.working,
        attackers_searching: world.counts.searching,
        attackers_dormant: world.counts.dormant,
        campaigns: acted.campaigns,
        emails: acted.campaigns as f64 * view.emails_per_seat,
        compromises: acted.compromises,
        losses_usd: losses.losses_usd,
        expected_losses_usd: losses.expected_losses_usd,
        attacker_cost_per_compromise: None,
        attacker_profit_usd: acted.proceeds_usd
            - acted.campaign_cost_usd
            - acted.subscription_accrued_usd
            - cleared.subscription_accrued_usd
            - cleared.switching_costs_usd
            - acted.overhead_usd,
        provider_profit_usd: books.revenue - books.costs - books.investment,
        provider_investment_usd: books.investment,
        hhi: hhi(world.providers.iter().map(|p| p.seats_used), seats_used),
        provider_entries: events.provider_entries,
        provider_exits: events.provider_exits,
        attacker_entries: events.attacker_entries,
        attacker_exits: acted.exits,
        attackers_displaced: events.displaced + acted.displaced,
        attackers_resubscribed: cleared.resubscribed,
        attackers_deterred: acted.deterred,
        attackers_desisted: acted.desisted,
        attackers_quit: acted.quits,
        attacker_payments_usd: cleared.payments_usd,
        provider_revenue_usd: cleared.revenue_usd,
        payment_fees_usd: cleared.fees_usd,
        campaign_costs_usd: acted.campaign_cost_usd,
        switching_costs_usd: cleared.switching_costs_usd,
        overhead_costs_usd: acted.overhead_usd,
        subscription_cost_usd: acted.subscription_accrued_usd + cleared.subscription_accrued_usd,
        defender_cost_usd: events.defender_cost_usd,
    };
    if record.compromises > 0 {
        record.attacker_cost_per_compromise =
            Some(record.attacker_cost_usd() / record.compromises as f64);
    }
    record
}

/// Seat-weighted median price (unweighted when no seat is rented); `None` with no provider.
fn weighted_median(prices: &[(f64, u64)]) -> Option<f64> {
    let mut sorted = prices.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let seats: u64 = sorted.iter().map(|&(_, s)| s).sum();
    if seats == 0 {
        return sorted
            .get(sorted.len().saturating_sub(1) / 2)
            .map(|&(p, _)| p);
    }
    let mut cumulative = 0;
    for &(price, s) in &sorted {
        cumulative += s;
        if 2 * cumulative >= seats {
            return Some(price);
        }
    }
    None
}

/// Herfindahl-Hirschman index (0-10,000) of seat shares; `None` when no seat is rented.
fn hhi(seats: impl Iterator<Item = u64>, total: u64) -> Option<f64> {
    if total == 0 {
        return None;
    }
    Some(
        seats
            .map(|s| {
                let share = 100.0 * s as f64 / total as f64;
                share * share
            })
            .sum(),
    )
}
