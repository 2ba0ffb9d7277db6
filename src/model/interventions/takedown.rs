//! Takedown (`kind = "takedown"`) and sustained pressure
//! (`kind = "sustained_pressure"`, a takedown of the top provider(s) repeated
//! every `every_days` days): their fields, checks, what a strike does, and
//! its description.
//!
//! A strike on provider j with resilience r seizes a share
//! `capacity_seized x (1 - r)` of its capacity (customers on seized seats
//! lose them and their prepaid time) and keeps its domains and portal down
//! for `round(downtime_days x (1 - r))` days (no sales or renewals; surviving
//! servers keep serving prepaid customers); with probability
//! `arrest_probability` the operators are arrested and the provider is gone.
//! Operators not arrested come back: under their own brand when the downtime
//! ends, or, with a `rebrand`, under a new brand `after_days` after the
//! strike, with the surviving capacity and a share of the old reputation.
//! Seized customer data raises the perceived risk of its customers by
//! `market.risk_shock_customers` and everyone's by `market.risk_shock_all`
//! times the share of working attackers exposed (attacker behaviour, so
//! market parameters, not fields of the takedown). A strike that seizes nothing, causes no
//! downtime, arrests no one and seizes no data changes nothing at all. The
//! day's strikes are one operation, whose pressure and peer learning scale
//! with the share of each struck class's capacity it took off sale.

use std::collections::{BTreeMap, BTreeSet};

use rand::RngExt;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Context;
use crate::check::{Checks, MAX_TOTAL_DAYS, Seg, key, listed};
use crate::model::attacker::Status;
use crate::model::config::{Model, expanded_names};
use crate::model::entry::MAX_PROVIDERS_EVER;
use crate::model::interventions::coalition::{self, Asked, Coalition, Partner};
use crate::model::jurisdiction::normalise;
use crate::model::params::{Scenario, When};
use crate::model::provider::Provider;
use crate::model::provider::ProviderStatus;
use crate::model::relocation::after_operation;
use crate::model::seizure::{Seized, StrikeRecord, resisted};
use crate::model::world::{PendingRebrand, World, half_life_factor};
use crate::rng::Purpose;

/// A takedown, once or repeated, as written in a scenario.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Takedown {
    /// When it first acts.
    pub start: When,
    /// Which providers (for `sustained_pressure`, default the top provider).
    #[serde(default = "top_provider")]
    pub target: Target,
    /// Days between strikes (required for `sustained_pressure`; none: once).
    #[serde(default)]
    pub every_days: Option<u32>,
    /// Last day a repeated strike may happen (default: the end).
    #[serde(default)]
    pub until: Option<When>,
    /// Share of capacity seized (resilience protects part of it), given by
    /// hand for a case whose location is unknown. With a `coalition` it is
    /// derived from where the servers are; given beside one, it replaces
    /// that share whenever the coalition has police (courts seize no servers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_seized: Option<f64>,
    /// Days the domains and portal are down (resilience shortens it); with
    /// a `coalition`, when its courts reach the whole storefront.
    pub downtime_days: u32,
    /// Who acts, where (MODEL.md 7.17): police seize the servers located
    /// where they act, courts the storefront and domains they reach.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coalition: Option<Vec<Partner>>,
    /// Probability that the operators are arrested (the provider is gone).
    #[serde(default)]
    pub arrest_probability: f64,
    /// Whether customer data is seized (the risk shocks it gives are the
    /// market's `risk_shock_customers` and `risk_shock_all`).
    #[serde(default)]
    pub customer_data_seized: bool,
    /// Cost to the defender of each strike, in dollars (with a
    /// `coalition`, its partners' `cost_usd` instead).
    #[serde(default)]
    pub cost_usd: f64,
    /// Whether operators not arrested come back under a new brand (none:
    /// under their own brand when the downtime ends).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rebrand: Option<Rebrand>,
}

/// A struck operator's comeback under a new brand: the burnt brand sells
/// nothing more and leaves `after_days` after the strike, when the new brand
/// starts selling with its surviving capacity.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Rebrand {
    /// Days from the strike to the new brand's first sale (0: the same day).
    pub after_days: u32,
    /// The new brand's reputation as a share of the reputation the provider
    /// had before the strike.
    #[serde(default = "rebrand_reputation_share")]
    pub reputation_share: f64,
}

fn top_provider() -> Target {
    Target::TopK(1)
}
fn rebrand_reputation_share() -> f64 {
    0.25
}

/// Which providers a takedown hits.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Target {
    /// The provider(s) of this name (a class of `count > 1` matches all its copies).
    Provider(String),
    /// Every provider of this class.
    Class(String),
    /// Every provider in this jurisdiction.
    Jurisdiction(String),
    /// The k largest providers by seats used on the day.
    TopK(u32),
}

/// A takedown resolved: whom it hits and what it does to each.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Which providers.
    pub target: Target,
    /// What it does to each.
    pub strike: Strike,
}

/// What a takedown does to each provider it hits.
#[derive(Debug, Clone, PartialEq)]
pub struct Strike {
    /// Share of capacity seized before resilience, when given by hand.
    pub capacity_seized: Option<f64>,
    /// Who acts: what it asks of a provider is derived from its location.
    pub coalition: Option<Coalition>,
    /// Days down before resilience.
    pub downtime_days: u32,
    /// Probability the operators are arrested.
    pub arrest_probability: f64,
    /// Whether customer data is seized.
    pub customer_data_seized: bool,
    /// How operators not arrested come back under a new brand (none: under
    /// their own when the downtime ends).
    pub rebrand: Option<Rebrand>,
}

/// The names a target can match.
pub struct TargetNames {
    /// Provider entries' names.
    providers: Vec<String>,
    /// Every provider's name (`count > 1` expanded), while within bounds.
    expanded: BTreeSet<String>,
    /// Provider classes, the entrants' included.
    classes: Vec<String>,
    /// Jurisdictions, the entrants' included.
    jurisdictions: Vec<String>,
}

impl TargetNames {
    /// The names of the scenario's providers.
    pub fn new(s: &Scenario) -> Self {
        let mut expanded = BTreeSet::new();
        let mut total: u64 = 0;
        for p in &s.providers {
            total += u64::from(p.count);
            if total <= MAX_PROVIDERS_EVER as u64 {
                expanded.extend(expanded_names(&p.name, p.count));
            }
        }
        let unique = |values: Vec<String>| {
            let mut seen = BTreeSet::new();
            values
                .into_iter()
                .filter(|v| seen.insert(v.clone()))
                .collect::<Vec<_>>()
        };
        let providers = unique(s.providers.iter().map(|p| p.name.clone()).collect());
        let mut classes: Vec<String> = s.providers.iter().map(|p| p.class.clone()).collect();
        classes.push(s.entry.template.class.clone());
        let mut jurisdictions: Vec<String> =
            s.providers.iter().map(|p| p.jurisdiction.clone()).collect();
        jurisdictions.push(s.entry.template.jurisdiction.clone());
        TargetNames {
            providers,
            expanded,
            classes: unique(classes),
            jurisdictions: unique(jurisdictions),
        }
    }
}

impl Takedown {
    /// The defender's cost of each strike: `cost_usd`, or its coalition's.
    pub fn cost_usd(&self) -> f64 {
        coalition::cost_usd(self.coalition.as_ref(), self.cost_usd)
    }

    /// Check the fields and resolve them.
    pub fn resolve(&self, check: &mut dyn Checks, at: &[Seg], context: &Context) -> Plan {
        check_target(check, context.targets, &key(at, "target"), &self.target);
        let coalition = self.resolve_coalition(check, at, context);
        if let Some(share) = self.capacity_seized {
            check.probability(&key(at, "capacity_seized"), share);
        }
        check.days(&key(at, "downtime_days"), self.downtime_days, 0);
        check.probability(&key(at, "arrest_probability"), self.arrest_probability);
        if let Some(rebrand) = &self.rebrand {
            let at = key(at, "rebrand");
            check.days(&key(&at, "after_days"), rebrand.after_days, 0);
            check.probability(&key(&at, "reputation_share"), rebrand.reputation_share);
        }
        Plan {
            target: self.target.clone(),
            strike: Strike {
                capacity_seized: self.capacity_seized,
                coalition,
                downtime_days: self.downtime_days,
                arrest_probability: self.arrest_probability,
                customer_data_seized: self.customer_data_seized,
                rebrand: self.rebrand,
            },
        }
    }

    /// Check that `capacity_seized` or a `coalition` is given (and no
    /// `cost_usd` beside a coalition), and resolve the coalition.
    fn resolve_coalition(
        &self,
        check: &mut dyn Checks,
        at: &[Seg],
        context: &Context,
    ) -> Option<Coalition> {
        if self.coalition.is_none() && self.capacity_seized.is_none() {
            check.fail(
                &key(at, "capacity_seized"),
                "is missing; allowed: a share from 0 to 1, or a `coalition` of partners from which it is derived".into(),
            );
        }
        let partners = self.coalition.as_ref();
        coalition::resolve_for(check, at, partners, self.cost_usd, context.places)
    }

    /// Recorded days it strikes on after `first` (`every_days` is required
    /// when `sustained`).
    pub fn repeat_days(
        &self,
        check: &mut dyn Checks,
        at: &[Seg],
        context: &Context,
        first: u32,
        sustained: bool,
    ) -> Vec<u32> {
        let days = context.scenario.scenario.days;
        let every = match self.every_days {
            Some(every) if every == 0 || every > MAX_TOTAL_DAYS => {
                check.fail(
                    &key(at, "every_days"),
                    format!("is {every}; allowed: 1 to {MAX_TOTAL_DAYS} days"),
                );
                return Vec::new();
            }
            Some(every) => every,
            None if sustained => {
                check.fail(
                    &key(at, "every_days"),
                    "is missing; allowed: sustained_pressure needs `every_days` (1 or more days)"
                        .into(),
                );
                return Vec::new();
            }
            None => return Vec::new(),
        };
        let until = self.until.as_ref().map_or(days.saturating_sub(1), |w| {
            context.day(check, &key(at, "until"), w)
        });
        let last = until.min(days.saturating_sub(1));
        // At most MAX_TOTAL_DAYS repeats: `every >= 1` and `last < days`.
        (1..=MAX_TOTAL_DAYS)
            .map(|k| u64::from(first) + u64::from(k) * u64::from(every))
            .take_while(|&d| d <= u64::from(last))
            .map(|d| d as u32)
            .collect()
    }
}

fn check_target(check: &mut dyn Checks, names: &TargetNames, at: &[Seg], target: &Target) {
    let (kind, name, known) = match target {
        Target::Provider(name) => {
            if names.expanded.contains(name) {
                return;
            }
            ("provider", name, &names.providers)
        }
        Target::Class(class) => ("class", class, &names.classes),
        Target::Jurisdiction(place) => ("jurisdiction", place, &names.jurisdictions),
        Target::TopK(k) => {
            if *k == 0 {
                check.fail(at, "top_k is 0; allowed: 1 or more".into());
            }
            return;
        }
    };
    if !known.contains(name) {
        check.fail(
            at,
            format!(
                "{kind} {name:?} matches no provider; allowed: one of {}",
                listed(known)
            ),
        );
    }
}

impl Plan {
    /// Strike every targeted provider on internal `day`, its strikes
    /// recorded as those of action `action` of the arm (an operation of this
    /// takedown alone; `act_today` joins the day's takedowns into one).
    pub fn apply(&self, world: &mut World, day: u32, action: usize) {
        operate(world, &[(action, self)], day);
    }

    /// The resilience its targets start the run with, when they all share
    /// one: the providers of the name, or those of the class or
    /// jurisdiction with the entrants of it; `None` for `top_k` (its target
    /// is known only on the day) or when they differ.
    pub fn starting_resilience(&self, model: &Model) -> Option<f64> {
        let template = &model.entry.template;
        let initial = model.providers.iter().map(|p| (p, &p.economics));
        let values: Vec<f64> = match &self.target {
            Target::Provider(name) => initial
                .filter(|(p, _)| &p.name == name || &p.group == name)
                .map(|(_, e)| e.resilience)
                .collect(),
            Target::Class(class) => (initial.map(|(_, e)| e))
                .chain(std::iter::once(template))
                .filter(|e| &e.class == class)
                .map(|e| e.resilience)
                .collect(),
            Target::Jurisdiction(place) => (initial.map(|(_, e)| e))
                .chain(std::iter::once(template))
                .filter(|e| &e.jurisdiction == place)
                .map(|e| e.resilience)
                .collect(),
            Target::TopK(_) => return None,
        };
        let first = *values.first()?;
        values.iter().all(|&r| r == first).then_some(first)
    }

    /// What it does, for people (`again` says how often it repeats):
    /// what its strikes seized in the run when `seized` is given, else
    /// what it asks for.
    pub fn describe(&self, again: &str, seized: Option<&Seized>) -> String {
        let target = match &self.target {
            Target::Provider(name) => format!("provider {name}"),
            Target::Class(class) => format!("every {class} provider"),
            Target::Jurisdiction(place) => format!("every provider in {place}"),
            Target::TopK(k) => format!("the top {k} provider(s)"),
        };
        let strike = &self.strike;
        let comeback = match strike.rebrand {
            Some(r) => format!(
                "; operators not arrested rebrand after {} days at {:.0}% of their reputation",
                r.after_days,
                100.0 * r.reputation_share
            ),
            None => String::new(),
        };
        let seizure = match (seized, strike.capacity_by_hand()) {
            (Some(seized), _) => seized.phrase(),
            (None, Some(share)) => format!(
                "{:.0}% of capacity and {} days down asked (before resilience)",
                100.0 * share,
                strike.downtime_days
            ),
            (None, None) => format!(
                "the capacity located where its police act and {} days down asked (before resilience)",
                strike.downtime_days
            ),
        };
        let by = strike
            .coalition
            .as_ref()
            .map_or(String::new(), Coalition::by);
        // With a coalition, arrests and data depend on where they are.
        let (arrest_where, data_where) = match strike.coalition {
            Some(_) => (
                " if its police act where the operators live",
                " if its police act where it is kept",
            ),
            None => ("", ""),
        };
        format!(
            "takedown of {target}{by}{again}: {seizure}, arrest probability {:.0}%{arrest_where}, customer data {}{comeback}",
            100.0 * strike.arrest_probability,
            if strike.customer_data_seized {
                format!("seized{data_where}")
            } else {
                "not seized".to_string()
            }
        )
    }
}
/// Indices of the providers a takedown hits today (gone providers excluded).
pub fn targets(world: &World, target: &Target) -> Vec<usize> {
    let alive = |j: &usize| world.providers[*j].status != ProviderStatus::Gone;
    let all = 0..world.providers.len();
    match target {
        // A rebranded operator is still the provider named.
        Target::Provider(name) => all
            .filter(|&j| {
                let first = world.operators.get(&j).copied().unwrap_or(j);
                world
                    .model
                    .providers
                    .get(first)
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

/// What one strike does to one provider, decided from the provider as it
/// stood at the start of the day.
struct Hit {
    /// The provider.
    j: usize,
    /// Share of its capacity seized.
    seized: f64,
    /// Days down.
    downtime: u32,
    /// Whether its operators are arrested.
    arrested: bool,
    /// Whether (and how) its operators come back under a new brand.
    rebrand: Option<Rebrand>,
    /// Seats of capacity it takes off sale: all of the provider's when it
    /// is arrested, goes down or rebrands, else the seats seized.
    removed: f64,
    /// Whether it seizes customer data.
    data: bool,
    /// With a coalition, the share of the provider's servers in each
    /// jurisdiction that its police seize (their combined effectiveness
    /// there, times `1 - resilience`).
    police: Option<Vec<f64>>,
}

/// Every takedown strike of the arm on internal `day`, as one operation
/// (MODEL.md 7.11), each plan given with the index of its action in the
/// arm: each target is struck as it stood at the start of the day (targets,
/// resilience, capacity and the mean search time of the displaced are read
/// before any strike), and each strike is recorded in `world.strikes`; then
/// the operation's learning, pressure and ambient risk shock are applied
/// once, scaled by what it removed; last, operators that rebrand at once
/// come back.
pub fn operate(world: &mut World, plans: &[(usize, &Plan)], day: u32) {
    let strikes: Vec<(usize, usize, &Strike)> = plans
        .iter()
        .flat_map(|&(action, plan)| {
            targets(world, &plan.target)
                .into_iter()
                .map(move |j| (action, j, &plan.strike))
        })
        .collect();
    record_strikes(world, &strikes);
    let hits: Vec<Hit> = strikes
        .iter()
        .filter_map(|&(_, j, strike)| decide(world, j, strike, day))
        .collect();
    if hits.is_empty() {
        return;
    }
    let shares = removed_shares(world, &hits);
    let mean_search = world.mean_search_days();
    expose_customers(world, &hits, day);
    for hit in &hits {
        strike_provider(world, hit, day, mean_search);
    }
    learn_from_operation(world, &hits, &shares);
    push_away(world, plans, &hits, day);
    rebrand_due(world, day, Some(mean_search));
}

/// After an operation with a coalition: the jurisdictions where its
/// partners acted see more pressure, and providers of the classes it
/// struck will move capacity out of them (MODEL.md 7.17).
fn push_away(world: &mut World, plans: &[(usize, &Plan)], hits: &[Hit], day: u32) {
    let mut acting = vec![false; world.model.jurisdictions.len()];
    for (_, plan) in plans {
        for k in plan.strike.coalition.iter().flat_map(|c| c.acting()) {
            acting[k] = true;
        }
    }
    if !acting.contains(&true) {
        return;
    }
    let classes = (hits.iter())
        .map(|h| world.providers[h.j].class.clone())
        .collect();
    after_operation(world, acting, classes, day);
}

/// Record each strike (action, provider, strike) with what it seizes of
/// the provider as it stands.
fn record_strikes(world: &mut World, strikes: &[(usize, usize, &Strike)]) {
    for &(action, j, strike) in strikes {
        let provider = &world.providers[j];
        let asked = strike.asked(provider);
        let (capacity_seized, downtime_days) = strike.resisted(&asked, provider.resilience);
        world.strikes.push(StrikeRecord {
            action,
            resilience: provider.resilience,
            capacity_asked: asked.capacity,
            capacity_seized,
            downtime_days,
        });
    }
}

impl Strike {
    /// What it asks of `provider` before resilience: by hand, or what its
    /// coalition reaches of where the provider is.
    fn asked(&self, provider: &Provider) -> Asked {
        match &self.coalition {
            Some(coalition) => {
                let asked = coalition.asked(provider);
                match self.capacity_seized {
                    Some(share) if coalition.has_police() => Asked {
                        capacity: share,
                        ..asked
                    },
                    Some(_) => Asked {
                        capacity: 0.0,
                        ..asked
                    },
                    None => asked,
                }
            }
            None => Asked {
                capacity: self.capacity_seized.unwrap_or(0.0),
                downtime_share: 1.0,
                arrest_possible: true,
                data_reached: true,
            },
        }
    }

    /// The share of capacity it asks of every target, when given by hand
    /// (`None` when its coalition derives it from each target's location).
    pub fn capacity_by_hand(&self) -> Option<f64> {
        let share = self.capacity_seized?;
        match &self.coalition {
            Some(coalition) if !coalition.has_police() => Some(0.0),
            _ => Some(share),
        }
    }

    /// The share of capacity seized and the days down of what it `asked`
    /// of a provider of `resilience`.
    fn resisted(&self, asked: &Asked, resilience: f64) -> (f64, u32) {
        let downtime = f64::from(self.downtime_days) * asked.downtime_share;
        resisted(asked.capacity, downtime, resilience)
    }

    /// Whether it seizes the customer data of a provider of which it
    /// `asked` this: as the takedown says, and with a coalition only when
    /// its police act where the data is kept.
    fn seizes_data(&self, asked: &Asked) -> bool {
        self.customer_data_seized && asked.data_reached
    }
}

/// What `strike` does to provider `j` on `day`; `None` when it is not
/// effective (it seizes nothing, causes no downtime, arrests no one and
/// seizes no data).
fn decide(world: &World, j: usize, strike: &Strike, day: u32) -> Option<Hit> {
    let provider = &world.providers[j];
    let asked = strike.asked(provider);
    let (seized, downtime) = strike.resisted(&asked, provider.resilience);
    let arrested = asked.arrest_possible && strike.arrest_probability > 0.0 && {
        let mut rng = world.key.provider(Purpose::Enforcement, day, j);
        rng.random::<f64>() < strike.arrest_probability
    };
    let data = strike.seizes_data(&asked);
    if seized <= 0.0 && downtime == 0 && !arrested && !data {
        return None;
    }
    // A provider already off sale (down, setting up) is not taken off it
    // again: only the seats seized count.
    let off_sale = provider.is_active() && (arrested || downtime > 0 || strike.rebrand.is_some());
    Some(Hit {
        j,
        seized,
        downtime,
        arrested,
        rebrand: strike.rebrand,
        removed: provider.capacity * if off_sale { 1.0 } else { seized },
        data,
        // A share given by hand is taken evenly from every location.
        police: (strike.coalition.as_ref())
            .filter(|_| strike.capacity_seized.is_none())
            .map(|c| {
                c.police
                    .iter()
                    .map(|e| e * (1.0 - provider.resilience))
                    .collect()
            }),
    })
}

/// For each class the operation hit, the share of the class's capacity
/// (providers not gone, at the start of the day) that it takes off sale,
/// each provider counted once (its largest hit): the operation's size.
fn removed_shares(world: &World, hits: &[Hit]) -> BTreeMap<String, f64> {
    let mut removed: BTreeMap<usize, f64> = BTreeMap::new();
    for hit in hits {
        let seats = removed.entry(hit.j).or_insert(0.0);
        *seats = seats.max(hit.removed);
    }
    let mut by_class: BTreeMap<String, f64> = BTreeMap::new();
    for (j, seats) in removed {
        *by_class
            .entry(world.providers[j].class.clone())
            .or_insert(0.0) += seats;
    }
    for (class, seats) in &mut by_class {
        let capacity: f64 = (world.providers.iter())
            .filter(|p| &p.class == class && p.status != ProviderStatus::Gone)
            .map(|p| p.capacity)
            .sum();
        *seats = if capacity > 0.0 {
            (*seats / capacity).min(1.0)
        } else {
            0.0
        };
    }
    by_class
}

/// One takedown strike on a provider, decided before the operation began.
fn strike_provider(world: &mut World, hit: &Hit, day: u32, mean_search: f64) {
    let j = hit.j;
    if world.providers[j].status == ProviderStatus::Gone {
        return; // arrested by an earlier strike of the same operation
    }
    world.providers[j].capacity *= 1.0 - hit.seized;
    if let Some(taken) = &hit.police {
        let located = &mut world.providers[j].located;
        let left: Vec<f64> = (located.iter().zip(taken))
            .map(|(share, taken)| share * (1.0 - taken))
            .collect();
        // Everything seized: no capacity is left to place, and the
        // provider's locations stay where they were.
        if left.iter().sum::<f64>() > 0.0 {
            *located = left;
            normalise(located);
        }
    }
    if hit.arrested {
        world.arrests += 1;
        world.remove_provider_searching(j, day, mean_search);
    } else {
        displace_seized_seats(world, j, hit.seized, day, mean_search);
        if let Some(rebrand) = hit.rebrand {
            burn_brand(world, j, day, rebrand);
        } else if hit.downtime > 0 {
            // Domains and portal down: no sales or renewals until it is back;
            // surviving servers serve their customers' prepaid time. A strike
            // never shortens unavailability: a provider still setting up
            // starts selling (and counts as an entry) at the later of its
            // ready day and the end of the downtime.
            let back = day + hit.downtime;
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
}

/// The struck brand is burnt: it sells nothing more (its surviving servers
/// serve their customers' prepaid time) until its operator comes back under
/// a new brand `after_days` after the strike, at `reputation_share` of the
/// reputation it had before the operation, and not before a provider still
/// setting up would have started selling (a strike never shortens
/// unavailability). A rebrand already due earlier stands.
fn burn_brand(world: &mut World, j: usize, day: u32, rebrand: Rebrand) {
    let provider = &mut world.providers[j];
    let due = match provider.status {
        ProviderStatus::Setup { ready_day } => ready_day.max(day + rebrand.after_days),
        _ => day + rebrand.after_days,
    };
    provider.status = match provider.status {
        ProviderStatus::Down { until_day } => ProviderStatus::Down {
            until_day: until_day.max(due),
        },
        _ => ProviderStatus::Down { until_day: due },
    };
    let pending = PendingRebrand {
        provider: j,
        day: due,
        reputation: rebrand.reputation_share * provider.reputation,
    };
    match world.rebrands.iter_mut().find(|r| r.provider == j) {
        Some(earlier) if earlier.day <= due => {}
        Some(later) => *later = pending,
        None => world.rebrands.push(pending),
    }
}

/// Operators whose rebrand is due by internal `day` come back, in the order
/// their rebrands were decided; the customers their burnt brands still have
/// search with mean `mean_search` days when given (an operation's, as the
/// market stood before it), else the market's mean once the new brand sells.
pub fn rebrand_due(world: &mut World, day: u32, mean_search: Option<f64>) {
    if !world.rebrands.iter().any(|r| r.day <= day) {
        return;
    }
    let (due, later) = world.rebrands.iter().partition(|r| r.day <= day);
    world.rebrands = later;
    for pending in due {
        rebrand(world, pending, day, mean_search);
    }
}

/// The burnt brand leaves as a provider that exits (its customers displaced,
/// an exit), and, unless it is gone already or the run has created
/// [`MAX_PROVIDERS_EVER`] providers, its operator starts selling at once
/// under a new brand (an entry): the same provider with its capacity, cash,
/// costs, price, resilience and quality, no customers, and the reputation
/// set when the strike burnt the old brand, named after the operator's
/// first brand, e.g. `RedVDS (rebrand 1)`.
fn rebrand(world: &mut World, pending: PendingRebrand, day: u32, mean_search: Option<f64>) {
    let j = pending.provider;
    if world.providers[j].status == ProviderStatus::Gone {
        return; // arrested or broke meanwhile
    }
    if world.providers.len() < MAX_PROVIDERS_EVER {
        let first = world.operators.get(&j).copied().unwrap_or(j);
        let number = 1 + world.operators.values().filter(|&&o| o == first).count();
        let mut brand = world.providers[j].clone();
        brand.name = format!("{} (rebrand {number})", world.providers[first].name);
        brand.status = ProviderStatus::Active;
        brand.seats_used = 0;
        brand.revenue_today = 0.0;
        brand.reputation = pending.reputation;
        let old = &mut world.providers[j];
        old.capacity = 0.0;
        old.cash = 0.0;
        old.orders.clear(); // capacity on order goes with the operator
        old.revenue_today = 0.0; // (rebrands run before the day's sales)
        world.operators.insert(world.providers.len(), first);
        world.providers.push(brand);
        world.events.provider_entries += 1;
    }
    let mean_search = mean_search.unwrap_or_else(|| world.mean_search_days());
    world.remove_provider_searching(j, day, mean_search);
}

/// Seized customer data: the working customers of each provider whose data
/// an effective strike seized get the personal shock
/// `market.risk_shock_customers` (once, however many strikes seized it), and
/// the ambient risk rises by `market.risk_shock_all` times the share of
/// working attackers who are their customers; today is then a risk-shock
/// day if any risk rose.
fn expose_customers(world: &mut World, hits: &[Hit], day: u32) {
    let exposed: BTreeSet<usize> = hits.iter().filter(|h| h.data).map(|h| h.j).collect();
    if exposed.is_empty() {
        return;
    }
    let market = &world.model.market;
    let (customers, all) = (market.risk_shock_customers, market.risk_shock_all);
    let decay = half_life_factor(market.risk_half_life_days);
    let (mut working, mut ambient, mut shocked) = (0u64, 0.0, false);
    for attacker in world.population.as_mut_slice() {
        if attacker.status != Status::Working {
            continue;
        }
        working += 1;
        if exposed.contains(&usize::from(attacker.provider)) {
            attacker.add_risk(customers, day, decay);
            ambient += all;
            shocked |= customers > 0.0;
        }
    }
    if working > 0 {
        world.ambient_risk += ambient / working as f64;
    }
    // A risk-shock day (everyone checks its tolerance) only if risk rose.
    world.events.risk_shock |= shocked || ambient > 0.0;
}

/// Without downtime, customers whose seats were seized lose them: each with
/// probability `seized`, then more in identity order until the rest fit.
fn displace_seized_seats(world: &mut World, j: usize, seized: f64, day: u32, mean_search: f64) {
    let key = world.key;
    world.displace_customers_searching(j, day, mean_search, &mut |id, _| {
        key.attacker(Purpose::Enforcement, day, id as usize)
            .random::<f64>()
            < seized
    });
    world.displace_customers_searching(j, day, mean_search, &mut |_, w| {
        w.providers[j].seats_used as f64 > w.providers[j].capacity
    });
}

/// After the operation: each hit provider learns from its own hit (once,
/// however many strikes of the day hit it); every other provider of a
/// struck class that is not gone learns once, as a peer, in proportion to
/// the share of its class the operation took off sale; and enforcement
/// pressure on each struck class rises by that share.
fn learn_from_operation(world: &mut World, hits: &[Hit], shares: &BTreeMap<String, f64>) {
    let market = &world.model.market;
    let mut hit = vec![false; world.providers.len()];
    for h in hits {
        if !hit[h.j] {
            hit[h.j] = true;
            world.providers[h.j].suffer_hit(market);
        }
    }
    for (k, peer) in world.providers.iter_mut().enumerate() {
        if hit[k] || peer.status == ProviderStatus::Gone {
            continue;
        }
        if let Some(share) = shares.get(&peer.class) {
            peer.learn_resilience(market.resilience_learning_peers * share);
        }
    }
    for (class, share) in shares {
        *world.pressure.entry(class.clone()).or_insert(0.0) += share;
    }
}
