//! The whole state of one run (one arm, one replication), kept in one place.

use std::collections::BTreeMap;
use std::sync::Arc;

use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};

use super::attacker::{
    Attacker, Attributed, MarketView, NO_PROVIDER, Status, StatusCounts, geometric_days,
    search_days,
};
use super::config::{ArmPlan, Model};
use super::jurisdiction::Siting;
use super::market::choose;
use super::population::Population;
use super::provider::{Provider, ProviderStatus, seat_weighted_price};
use super::seizure::StrikeRecord;
use super::victims::Victims;
use crate::rng::{Purpose, RunKey};

/// A time-limited market condition set by an intervention.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// First internal day it applies.
    pub start_day: u32,
    /// Internal day it stops applying (exclusive).
    pub end_day: u32,
    /// Multiplier it applies (conversion or arrivals).
    pub factor: f64,
    /// Extra payment fee share it adds.
    pub fee_share: f64,
}

/// A victim hardening under way.
#[derive(Debug, Clone)]
pub struct Hardening {
    /// Internal day it started.
    pub start_day: u32,
    /// Hardened segments.
    pub segments: Vec<usize>,
    /// Added MFA adoption at full effect.
    pub mfa_adoption_increase: f64,
    /// Multiplier on bypass share at full effect.
    pub bypass_share_factor: f64,
    /// Days to full effect.
    pub ramp_days: u32,
}

/// A struck provider's operator coming back under a new brand (MODEL.md 7.11).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PendingRebrand {
    /// The burnt brand (provider index).
    pub provider: usize,
    /// Internal day the new brand appears.
    pub day: u32,
    /// The new brand's reputation.
    pub reputation: f64,
}

/// Counters of the current day that interventions and providers add to.
#[derive(Debug, Clone, Copy, Default)]
pub struct DayEvents {
    /// Attackers displaced.
    pub displaced: u64,
    /// Providers that started selling.
    pub provider_entries: u64,
    /// Providers that left.
    pub provider_exits: u64,
    /// Attackers that arrived.
    pub attacker_entries: u64,
    /// Defender spending.
    pub defender_cost_usd: f64,
    /// Whether perceived risk jumped.
    pub risk_shock: bool,
    /// What providers paid to move capacity out of acting jurisdictions.
    pub relocation_cost_usd: f64,
}

/// Everything that changes during a run.
#[derive(Clone)]
pub struct World<'a> {
    /// The model.
    pub model: &'a Model,
    /// The arm being run.
    pub arm: &'a ArmPlan,
    /// Stream keys of this replication.
    pub key: RunKey,
    /// Providers, in creation order (index = identity).
    pub providers: Vec<Provider>,
    /// Attackers, by identity, with their per-chunk daily outputs.
    pub population: Population,
    /// Victim segments.
    pub victims: Victims,
    /// Enforcement pressure per provider class (decays with a half-life).
    pub pressure: BTreeMap<String, f64>,
    /// Enforcement pressure per jurisdiction from coalition operations
    /// acting there (decays with the same half-life).
    pub jurisdiction_pressure: Vec<f64>,
    /// Whether a coalition partner has acted in each jurisdiction so far:
    /// relocated capacity goes to none of them.
    pub acted_in: Vec<bool>,
    /// Relocations decided after coalition operations, still to come.
    pub relocations: Vec<crate::model::relocation::PendingRelocation>,
    /// Seats of capacity moved out of acting jurisdictions so far.
    pub seats_relocated: f64,
    /// Rebrands of struck providers still to come, in the order decided.
    pub rebrands: Vec<PendingRebrand>,
    /// For each provider created by a rebrand, the first brand of its
    /// operator (a target by name follows the operator).
    pub operators: BTreeMap<usize, usize>,
    /// Perceived risk added to every attacker's (decays with the risk half-life).
    pub ambient_risk: f64,
    /// Payment disruptions.
    pub payment_windows: Vec<Window>,
    /// Deterrence messaging campaigns.
    pub messaging_windows: Vec<Window>,
    /// Victim hardenings.
    pub hardenings: Vec<Hardening>,
    /// Attackers by status.
    pub counts: StatusCounts,
    /// Seats wanted by attackers waiting for capacity.
    pub unmet_seats: u64,
    /// Today's event counters.
    pub events: DayEvents,
    /// Every takedown strike so far, in order.
    pub strikes: Vec<StrikeRecord>,
    /// Providers created by entry so far.
    pub entrants: u32,
    /// Providers whose operators a takedown strike has arrested so far.
    pub arrests: u32,
    /// Expected daily profit of a typical attacker of each type at the start.
    pub reference_profit: Vec<f64>,
    /// Compromises per provider index and segment over the recorded days
    /// (a provider without any has no entry yet).
    pub segment_compromises: Vec<Vec<u64>>,
    /// Losses per provider index and segment over the recorded days.
    pub segment_losses: Vec<Vec<f64>>,
    /// Today's output per provider index (losses on recorded days only).
    pub attributed: Vec<Attributed>,
    /// `risk_decay^k` for every day `k` of the run, computed once (attackers
    /// read it every day instead of raising the factor to a power).
    pub risk_decay_powers: Arc<[f64]>,
}

impl<'a> World<'a> {
    /// The state at internal day 0 for one arm and replication.
    pub fn new(model: &'a Model, arm: &'a ArmPlan, replication: u32) -> Self {
        let key = RunKey {
            seed: model.seed,
            replication: u64::from(replication),
        };
        let providers = model
            .providers
            .iter()
            .map(|p| {
                let status = ProviderStatus::Active;
                Provider::new(p.name.clone(), &p.economics, status, &model.jurisdictions)
            })
            .collect();
        let mut world = World {
            model,
            arm,
            key,
            providers,
            population: Population::default(),
            victims: Victims::new(model.segments.clone(), model.market.mfa_efficacy),
            pressure: BTreeMap::new(),
            jurisdiction_pressure: vec![0.0; model.jurisdictions.len()],
            acted_in: vec![false; model.jurisdictions.len()],
            relocations: Vec::new(),
            seats_relocated: 0.0,
            rebrands: Vec::new(),
            operators: BTreeMap::new(),
            ambient_risk: 0.0,
            risk_decay_powers: decay_powers(
                half_life_factor(model.market.risk_half_life_days),
                model.total_days(),
            ),
            payment_windows: Vec::new(),
            messaging_windows: Vec::new(),
            hardenings: Vec::new(),
            counts: StatusCounts::default(),
            unmet_seats: 0,
            events: DayEvents::default(),
            strikes: Vec::new(),
            entrants: 0,
            arrests: 0,
            reference_profit: Vec::new(),
            segment_compromises: Vec::new(),
            segment_losses: Vec::new(),
            attributed: Vec::new(),
        };
        world.populate();
        world.reference_profit = (0..model.attacker_types.len())
            .map(|t| world.typical_profit(t, &world.view(0)))
            .collect();
        world
    }

    /// Where providers place new capacity today.
    pub fn siting(&self) -> Siting<'_> {
        Siting {
            places: &self.model.jurisdictions,
            pressure: &self.jurisdiction_pressure,
            aversion: self.model.market.placement_risk_aversion,
        }
    }

    /// Create the initial attackers and place them with providers up to target utilisation.
    fn populate(&mut self) {
        let mean_search = self.mean_search_days();
        for (kind, spec) in self.model.attacker_types.iter().enumerate() {
            for _ in 0..spec.count {
                self.spawn_attacker(kind, 0, mean_search);
            }
        }
        let target = self.model.market.target_utilisation;
        let full: Vec<f64> = self.providers.iter().map(|p| p.capacity).collect();
        for p in &mut self.providers {
            p.capacity *= target;
        }
        let mut weights = Vec::new();
        for attacker in self.population.as_mut_slice() {
            // Day slot 1 of the traits stream: traits themselves use slot 0.
            let id = attacker.id as usize;
            let mut rng = self.key.attacker(Purpose::AttackerTraits, 1, id);
            let (u_choice, u_paid) = (rng.random::<f64>(), rng.random::<f64>());
            attacker.provider = NO_PROVIDER;
            if let Some(j) = choose(
                attacker,
                u_choice,
                &self.providers,
                &self.model.market,
                &mut weights,
            ) {
                attacker.provider = j as u16;
                attacker.last_provider = j as u16;
                attacker.status = Status::Working;
                let days = f64::from(self.model.market.subscription_days);
                attacker.paid_until = (u_paid * days) as u32;
                attacker.paid_per_day =
                    (self.providers[j].price * f64::from(attacker.seats) / days) as f32;
                self.providers[j].seats_used += u64::from(attacker.seats);
                self.counts.searching -= 1;
                self.counts.working += 1;
            }
        }
        for (p, capacity) in self.providers.iter_mut().zip(full) {
            p.capacity = capacity;
        }
    }

    /// Append a new attacker of type `kind`, searching, created on internal
    /// `day`; `mean_search` is the market's mean search time
    /// ([`World::mean_search_days`], computed once by the caller for all
    /// the attackers it creates).
    pub fn spawn_attacker(&mut self, kind: usize, day: u32, mean_search: f64) {
        let index = self.population.created() as usize;
        let spec = &self.model.attacker_types[kind];
        let mut traits = self.key.attacker(Purpose::AttackerTraits, 0, index);
        let mut draw = |dist: &crate::model::params::Dist| {
            let u: f64 = traits.random();
            let z: f64 = StandardNormal.sample(&mut traits);
            dist.sample(u, z)
        };
        let seats = draw(&spec.seats).round().clamp(1.0, f64::from(u16::MAX)) as u16;
        let skill = draw(&spec.skill).max(0.0) as f32;
        let tolerance = draw(&spec.risk_tolerance) as f32;
        let lifetime = geometric_days(spec.attrition_per_day, &mut traits);
        let mut decisions = self.key.attacker(Purpose::Decision, day, index);
        let wake_day = day + search_days(mean_search, &mut decisions);
        self.population.push(Attacker {
            cash: spec.cash_usd,
            skill,
            risk: spec.initial_risk as f32,
            tolerance,
            paid_per_day: 0.0,
            risk_day: day,
            paid_until: 0,
            wake_day,
            leave_day: day.saturating_add(lifetime),
            id: 0,
            provider: NO_PROVIDER,
            last_provider: NO_PROVIDER,
            seats,
            kind: kind as u8,
            status: Status::Searching,
            displaced: false,
        });
        self.counts.searching += 1;
    }

    /// Mean search time given how findable the market is (MODEL.md 7.6):
    /// `search_days / (1 + search_visibility x findability)`.
    pub fn mean_search_days(&self) -> f64 {
        let market = &self.model.market;
        market.search_days / (1.0 + market.search_visibility * self.findability())
    }

    /// The reputation-weighted share of serving capacity that is on sale:
    /// sum over active providers of capacity x reputation, over the capacity
    /// of providers serving customers (active or down); 0 when none serves.
    /// It depends on how capacity and reputation are spread, not on how many
    /// providers hold them: splitting a provider into identical smaller ones
    /// leaves it unchanged.
    pub fn findability(&self) -> f64 {
        let (mut visible, mut serving) = (0.0, 0.0);
        for p in &self.providers {
            match p.status {
                ProviderStatus::Active => {
                    visible += p.capacity * p.reputation;
                    serving += p.capacity;
                }
                ProviderStatus::Down { .. } => serving += p.capacity,
                _ => {}
            }
        }
        if serving > 0.0 {
            visible / serving
        } else {
            0.0
        }
    }

    /// Share of sign-ups that convert on `day` (payment disruptions multiply).
    pub fn conversion(&self, day: u32) -> f64 {
        active(&self.payment_windows, day)
            .map(|w| w.factor)
            .product()
    }

    /// Extra payment fee share on `day`.
    pub fn fee_share(&self, day: u32) -> f64 {
        active(&self.payment_windows, day)
            .map(|w| w.fee_share)
            .sum()
    }

    /// Multiplier on arrivals on `day` from deterrence messaging.
    pub fn arrival_factor(&self, day: u32) -> f64 {
        active(&self.messaging_windows, day)
            .map(|w| w.factor)
            .product()
    }

    /// Seat-weighted mean price of active providers (the entrant list price when none sells).
    pub fn mean_price(&self) -> f64 {
        seat_weighted_price(&self.providers).unwrap_or(self.model.entry.template.price_usd)
    }

    /// The market as attackers see it on internal `day`.
    pub fn view(&self, day: u32) -> MarketView {
        let market = &self.model.market;
        let loss = self.victims.loss_per_compromise();
        MarketView {
            day,
            provider_active: self.providers.iter().map(Provider::is_active).collect(),
            provider_serving: self
                .providers
                .iter()
                .map(|p| {
                    matches!(
                        p.status,
                        ProviderStatus::Active | ProviderStatus::Down { .. }
                    )
                })
                .collect(),
            provider_price: self.providers.iter().map(|p| p.price).collect(),
            mean_price: self.mean_price(),
            compromises_per_email: self.victims.compromises_per_email(),
            value_per_compromise: self
                .model
                .attacker_types
                .iter()
                .map(|t| t.kept_share * loss)
                .collect(),
            emails_per_seat: market.emails_per_seat_per_day,
            subscription_days: market.subscription_days,
            fee_share: self.fee_share(day),
            risk_decay: half_life_factor(market.risk_half_life_days),
            risk_decay_powers: Arc::clone(&self.risk_decay_powers),
            ambient_risk: self.ambient_risk,
            risk_shock_today: self.events.risk_shock,
            mean_search_days: self.mean_search_days(),
            patience_days: market.patience_days,
            dormant_return: market.dormant_return_per_day,
            deterred_desist_share: market.deterred_desist_share,
            deterred_return: market
                .deterred_return_per_day
                .unwrap_or(market.dormant_return_per_day),
            switching_cost_usd: market.switching_cost_usd,
            switching_rebuild_days: market.switching_rebuild_days,
        }
    }

    /// Expected daily profit of a typical attacker of type `kind` at the mean price.
    pub fn typical_profit(&self, kind: usize, view: &MarketView) -> f64 {
        let spec = &self.model.attacker_types[kind];
        let proceeds = view.emails_per_seat
            * spec.skill.mean()
            * view.compromises_per_email
            * view.value_per_compromise[kind];
        let subscription =
            view.mean_price * (1.0 + view.fee_share) / f64::from(view.subscription_days);
        spec.seats.mean().max(1.0) * (proceeds - spec.campaign_cost_usd_per_seat_day - subscription)
            - spec.overhead_usd_per_day
    }

    /// Send every customer of provider `j` searching (their prepaid time is lost).
    pub fn displace_customers(&mut self, j: usize, day: u32) {
        let mean_search = self.mean_search_days();
        self.displace_customers_searching(j, day, mean_search, &mut |_, _| true);
    }

    /// Send searching, in identity order, the customers of provider `j` for
    /// which `select(id, world)` holds when their turn comes, their searches
    /// drawn with mean `mean_search` days (an operation uses the market as it
    /// stood before its first strike).
    pub fn displace_customers_searching(
        &mut self,
        j: usize,
        day: u32,
        mean_search: f64,
        select: &mut dyn FnMut(u32, &World) -> bool,
    ) {
        let key = self.key;
        let mut displaced = 0;
        for at in 0..self.population.as_slice().len() {
            let attacker = &self.population.as_slice()[at];
            if attacker.status != Status::Working || usize::from(attacker.provider) != j {
                continue;
            }
            if select(attacker.id, self) {
                let attacker = &mut self.population.as_mut_slice()[at];
                self.providers[j].seats_used -= u64::from(attacker.seats);
                displace(attacker, day, mean_search, &key);
                displaced += 1;
            }
        }
        self.after_displacement(displaced);
    }

    /// Book `displaced` attackers moving from working to searching.
    pub fn after_displacement(&mut self, displaced: u64) {
        self.counts.working -= displaced;
        self.counts.searching += displaced;
        self.events.displaced += displaced;
    }

    /// Take provider `j` out of the market for good.
    pub fn remove_provider(&mut self, j: usize, day: u32) {
        let mean_search = self.mean_search_days();
        self.remove_provider_searching(j, day, mean_search);
    }

    /// As [`World::remove_provider`], its customers' searches drawn with
    /// mean `mean_search` days.
    pub fn remove_provider_searching(&mut self, j: usize, day: u32, mean_search: f64) {
        self.displace_customers_searching(j, day, mean_search, &mut |_, _| true);
        self.providers[j].status = ProviderStatus::Gone;
        self.events.provider_exits += 1;
    }
}

/// Move one working attacker to searching, marked displaced.
fn displace(attacker: &mut Attacker, day: u32, mean_search: f64, key: &RunKey) {
    let mut rng = key.attacker(Purpose::Displacement, day, attacker.id as usize);
    attacker.status = Status::Searching;
    attacker.provider = NO_PROVIDER;
    attacker.displaced = true;
    attacker.wake_day = day + search_days(mean_search, &mut rng);
}

/// The windows in force on `day`.
fn active(windows: &[Window], day: u32) -> impl Iterator<Item = &Window> {
    windows
        .iter()
        .filter(move |w| w.start_day <= day && day < w.end_day)
}

/// `factor^k` for `k` from 0 to `days`, each as `powf` computes it.
fn decay_powers(factor: f64, days: u32) -> Arc<[f64]> {
    (0..=days).map(|k| factor.powf(f64::from(k))).collect()
}

/// Daily factor of a quantity that halves every `half_life` days.
pub fn half_life_factor(half_life: f64) -> f64 {
    0.5f64.powf(1.0 / half_life)
}
