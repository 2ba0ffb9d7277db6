//! What interventions do when they act.
//!
//! A takedown strike on provider j with resilience r seizes a share
//! `capacity_seized x (1 - r)` of its capacity (customers on seized seats
//! lose them and their prepaid time) and keeps its domains and portal down
//! for `round(downtime_days x (1 - r))` days (no sales or renewals; surviving
//! servers keep serving prepaid customers); with probability
//! `arrest_probability` the operators are arrested and the provider is gone.
//! Seized customer data raises the perceived risk of its customers by
//! `risk_shock_customers` and everyone's by `risk_shock_all`. A strike that
//! seizes nothing, causes no downtime, arrests no one and seizes no data
//! changes nothing at all.

use rand::RngExt;

use super::attacker::Status;
use super::config::{Effect, Strike};
use super::provider::ProviderStatus;
use super::world::{Hardening, Window, World};
use crate::model::params::Target;
use crate::rng::Purpose;

/// Carry out every action of the arm scheduled on internal `day`.
pub fn act_today(world: &mut World, day: u32) {
    let arm = world.arm;
    for action in &arm.actions {
        if action.day == day || action.repeats.contains(&day) {
            world.events.defender_cost_usd += action.cost_usd;
            apply(world, &action.effect, day);
        }
    }
}

/// Bring victim segments up to date with the hardenings under way.
pub fn update_hardening(world: &mut World, day: u32) {
    if world.hardenings.is_empty() {
        return;
    }
    let victims = &mut world.victims;
    for (s, spec) in victims.specs.iter().enumerate() {
        let mut mfa = spec.mfa_adoption;
        let mut bypass = spec.bypass_share;
        for h in world.hardenings.iter().filter(|h| h.segments.contains(&s)) {
            let progress = ramp(h, day);
            mfa += h.mfa_adoption_increase * progress;
            bypass *= 1.0 - (1.0 - h.bypass_share_factor) * progress;
        }
        victims.mfa_adoption[s] = mfa.min(1.0);
        victims.bypass_share[s] = bypass;
    }
    victims.refresh();
}

/// Share of a hardening's full effect reached on `day`.
fn ramp(h: &Hardening, day: u32) -> f64 {
    if h.ramp_days == 0 {
        return 1.0;
    }
    (f64::from(day.saturating_sub(h.start_day) + 1) / f64::from(h.ramp_days)).min(1.0)
}

fn apply(world: &mut World, effect: &Effect, day: u32) {
    match effect {
        Effect::Takedown { target, strike } => {
            for j in targets(world, target) {
                strike_provider(world, j, strike, day);
            }
        }
        Effect::PaymentDisruption {
            end_day,
            conversion_factor,
            fee_share,
        } => world.payment_windows.push(Window {
            start_day: day,
            end_day: *end_day,
            factor: *conversion_factor,
            fee_share: *fee_share,
        }),
        Effect::DeterrenceMessaging {
            end_day,
            arrival_factor,
            risk_shock,
        } => {
            world.messaging_windows.push(Window {
                start_day: day,
                end_day: *end_day,
                factor: *arrival_factor,
                fee_share: 0.0,
            });
            if *risk_shock > 0.0 {
                world.ambient_risk += risk_shock;
                world.events.risk_shock = true;
            }
        }
        Effect::VictimHardening {
            segments,
            mfa_adoption_increase,
            bypass_share_factor,
            ramp_days,
        } => world.hardenings.push(Hardening {
            start_day: day,
            segments: segments.clone(),
            mfa_adoption_increase: *mfa_adoption_increase,
            bypass_share_factor: *bypass_share_factor,
            ramp_days: *ramp_days,
        }),
    }
}

/// Indices of the providers a takedown hits today (gone providers excluded).
pub fn targets(world: &World, target: &Target) -> Vec<usize> {
    let alive = |j: &usize| world.providers[*j].status != ProviderStatus::Gone;
    let all = 0..world.providers.len();
    match target {
        Target::Provider(name) => all
            .filter(|&j| {
                world
                    .model
                    .providers
                    .get(j)
                    .is_some_and(|p| &p.group == name || &p.name == name)
            })
            .filter(alive)
            .collect(),
        Target::Class(class) => all
            .filter(|&j| &world.providers[j].class == class)
            .filter(alive)
            .collect(),
        Target::Jurisdiction(place) => all
            .filter(|&j| &world.providers[j].jurisdiction == place)
            .filter(alive)
            .collect(),
        Target::TopK(k) => {
            let mut ranked: Vec<usize> = all.filter(|&j| world.providers[j].is_active()).collect();
            ranked.sort_by_key(|&j| std::cmp::Reverse(world.providers[j].seats_used));
            ranked.truncate(*k as usize);
            ranked
        }
    }
}

/// One takedown strike on provider `j`.
fn strike_provider(world: &mut World, j: usize, strike: &Strike, day: u32) {
    let resilience = world.providers[j].resilience;
    let seized = strike.capacity_seized * (1.0 - resilience);
    let downtime = (f64::from(strike.downtime_days) * (1.0 - resilience)).round() as u32;
    let arrested = strike.arrest_probability > 0.0 && {
        let mut rng = world.key.provider(Purpose::Enforcement, day, j);
        rng.random::<f64>() < strike.arrest_probability
    };
    if seized <= 0.0 && downtime == 0 && !arrested && !strike.customer_data_seized {
        return;
    }
    if strike.customer_data_seized {
        expose_customers(world, j, strike, day);
    }
    world.providers[j].capacity *= 1.0 - seized;
    if arrested {
        world.remove_provider(j, day);
    } else {
        displace_seized_seats(world, j, seized, day);
        if downtime > 0 {
            // Domains and portal down: no sales or renewals until it is back;
            // surviving servers serve their customers' prepaid time. A strike
            // never shortens unavailability: a provider still setting up
            // starts selling (and counts as an entry) at the later of its
            // ready day and the end of the downtime.
            let back = day + downtime;
            world.providers[j].status = match world.providers[j].status {
                ProviderStatus::Down { until_day } => ProviderStatus::Down {
                    until_day: until_day.max(back),
                },
                ProviderStatus::Setup { ready_day } => ProviderStatus::Setup {
                    ready_day: ready_day.max(back),
                },
                _ => ProviderStatus::Down { until_day: back },
            };
        }
    }
    learn_from_hit(world, j);
}

/// Seized customer data: the provider's customers and, less, everyone feel more at risk.
fn expose_customers(world: &mut World, j: usize, strike: &Strike, day: u32) {
    let decay = super::world::half_life_factor(world.model.market.risk_half_life_days);
    for attacker in world.population.as_mut_slice() {
        if attacker.status == Status::Working && usize::from(attacker.provider) == j {
            attacker.add_risk(strike.risk_shock_customers, day, decay);
        }
    }
    world.ambient_risk += strike.risk_shock_all;
    world.events.risk_shock = true;
}

/// Without downtime, customers whose seats were seized lose them: each with
/// probability `seized`, then more in identity order until the rest fit.
fn displace_seized_seats(world: &mut World, j: usize, seized: f64, day: u32) {
    let key = world.key;
    world.displace_customers_where(j, day, &mut |id, _| {
        key.attacker(Purpose::Enforcement, day, id as usize)
            .random::<f64>()
            < seized
    });
    world.displace_customers_where(j, day, &mut |_, w| {
        w.providers[j].seats_used as f64 > w.providers[j].capacity
    });
}

/// The hit provider and, more weakly, its peers of the same class learn resilience;
/// enforcement pressure on the class rises.
fn learn_from_hit(world: &mut World, j: usize) {
    let market = &world.model.market;
    world.providers[j].suffer_hit(market);
    let class = world.providers[j].class.clone();
    for (k, peer) in world.providers.iter_mut().enumerate() {
        if k != j && peer.class == class && peer.status != ProviderStatus::Gone {
            peer.learn_resilience(market.resilience_learning_peers);
        }
    }
    *world.pressure.entry(class).or_insert(0.0) += 1.0;
}
