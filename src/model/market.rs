//! The market: a multinomial logit choice of provider and the sequential
//! clearing of the day's intents, in attacker identity order, so that the result
//! does not depend on threads.
//!
//! Utility of provider j for an attacker now with provider c:
//! `u_j = -(price_j + [j != last] * switching_cost) / price_scale + reputation_weight * reputation_j`,
//! where `last` is the provider it rented from last (switching cost is real
//! money, per seat, paid on moving). Only providers that are active and have
//! spare capacity for the attacker's seats (or hold its seats now) can be chosen.

use super::attacker::{Attacker, Intent, MarketView, NO_PROVIDER, Status};
use super::population::Population;
use super::provider::Provider;
use crate::model::params::Market;
use crate::rng::{Purpose, RunKey};

/// Money and moves of the day's clearing.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClearingTally {
    /// Paid by attackers, fees included.
    pub payments_usd: f64,
    /// Received by providers.
    pub revenue_usd: f64,
    /// Lost to payment friction.
    pub fees_usd: f64,
    /// Spent by attackers setting up with a provider other than their last one.
    pub switching_costs_usd: f64,
    /// Subscription cost accrued at payment: the new period's first day plus
    /// the unused rest of a period the attacker lost (prepaid time destroyed).
    pub subscription_accrued_usd: f64,
    /// Displaced attackers who rented seats again.
    pub resubscribed: u64,
    /// Searchers who failed to convert (payment friction).
    pub failed_conversions: u64,
    /// Searchers who rented seats (searching to working).
    pub hired: u64,
    /// Renewing attackers left without a provider (working to waiting).
    pub laid_off: u64,
    /// Seats wanted by searchers who found no spare capacity.
    pub unmet_seats: u64,
}

/// The rules of the clearing for one day.
pub struct Clearing<'a> {
    /// Market parameters.
    pub market: &'a Market,
    /// Today's view (prices, fee share).
    pub view: &'a MarketView,
    /// Share of sign-ups that convert today.
    pub conversion: f64,
    /// Stream keys.
    pub key: &'a RunKey,
    /// Scratch space of the provider choice.
    pub weights: Vec<(usize, f64)>,
}

impl Clearing<'_> {
    /// Carry out the intents the chunks' attackers made today, in identity order.
    pub fn clear(
        &mut self,
        population: &mut Population,
        providers: &mut [Provider],
    ) -> ClearingTally {
        let mut tally = ClearingTally::default();
        for chunk in 0..population.outputs().len() {
            for k in 0..population.outputs()[chunk].intents.len() {
                let intent = population.outputs()[chunk].intents[k];
                self.carry_out(intent, population, providers, &mut tally);
            }
        }
        tally
    }

    fn carry_out(
        &mut self,
        intent: Intent,
        population: &mut Population,
        providers: &mut [Provider],
        tally: &mut ClearingTally,
    ) {
        match intent {
            Intent::Renew { at, u } => {
                self.renew(population.at_mut(at as usize), u, providers, tally);
            }
            Intent::Seek { at, u } => {
                self.seek(population.at_mut(at as usize), u, providers, tally)
            }
        }
    }

    fn renew(
        &mut self,
        attacker: &mut Attacker,
        u: f64,
        providers: &mut [Provider],
        tally: &mut ClearingTally,
    ) {
        let current = usize::from(attacker.provider);
        let Some(choice) = choose(attacker, u, providers, self.market, &mut self.weights) else {
            // Its provider is down and no one else has room: it waits.
            providers[current].seats_used -= u64::from(attacker.seats);
            attacker.provider = NO_PROVIDER;
            attacker.status = Status::Waiting;
            attacker.wake_day = self.view.day + self.market.patience_days;
            tally.unmet_seats += u64::from(attacker.seats);
            tally.laid_off += 1;
            return;
        };
        if choice != current {
            providers[current].seats_used -= u64::from(attacker.seats);
            providers[choice].seats_used += u64::from(attacker.seats);
        }
        if attacker.displaced {
            // Pushed off a provider that is down, it moved at once.
            attacker.displaced = false;
            tally.resubscribed += 1;
        }
        self.take_seats(attacker, choice, tally);
        self.pay(attacker, &mut providers[choice], tally);
    }

    fn seek(
        &mut self,
        attacker: &mut Attacker,
        u: f64,
        providers: &mut [Provider],
        tally: &mut ClearingTally,
    ) {
        if self.conversion < 1.0 {
            let id = attacker.id as usize;
            let mut rng = self.key.attacker(Purpose::Conversion, self.view.day, id);
            let convert: f64 = rand::RngExt::random(&mut rng);
            if convert >= self.conversion {
                tally.failed_conversions += 1;
                return;
            }
        }
        match choose(attacker, u, providers, self.market, &mut self.weights) {
            Some(choice) => {
                providers[choice].seats_used += u64::from(attacker.seats);
                self.take_seats(attacker, choice, tally);
                attacker.status = Status::Working;
                tally.hired += 1;
                if attacker.displaced {
                    attacker.displaced = false;
                    tally.resubscribed += 1;
                }
                self.pay(attacker, &mut providers[choice], tally);
            }
            None => {
                tally.unmet_seats += u64::from(attacker.seats);
                if attacker.status == Status::Searching {
                    attacker.status = Status::Waiting;
                    attacker.wake_day = self.view.day + self.market.patience_days;
                }
            }
        }
    }

    /// Record the attacker with provider `choice`. When it is not the provider
    /// it rented from last, it pays the switching cost and runs no campaigns
    /// for `switching_rebuild_days` days (from tomorrow) while it rebuilds.
    fn take_seats(&self, attacker: &mut Attacker, choice: usize, tally: &mut ClearingTally) {
        attacker.wake_day = self.view.day + 1;
        if attacker.last_provider != NO_PROVIDER && usize::from(attacker.last_provider) != choice {
            let cost = self.market.switching_cost_usd * f64::from(attacker.seats);
            attacker.cash -= cost;
            tally.switching_costs_usd += cost;
            attacker.wake_day += self.market.switching_rebuild_days;
        }
        attacker.provider = choice as u16;
        attacker.last_provider = choice as u16;
    }

    fn pay(&self, attacker: &mut Attacker, provider: &mut Provider, tally: &mut ClearingTally) {
        let day = self.view.day;
        let unused_days = attacker.paid_until.saturating_sub(day + 1);
        let amount = provider.price * f64::from(attacker.seats);
        let fee = amount * self.view.fee_share;
        let per_day = (amount + fee) / f64::from(self.market.subscription_days);
        tally.subscription_accrued_usd +=
            f64::from(attacker.paid_per_day) * f64::from(unused_days) + per_day;
        attacker.cash -= amount + fee;
        attacker.paid_until = day + self.market.subscription_days;
        attacker.paid_per_day = per_day as f32;
        provider.revenue_today += amount;
        tally.payments_usd += amount + fee;
        tally.revenue_usd += amount;
        tally.fees_usd += fee;
    }
}

/// The logit choice among providers the attacker can rent from; `None` when none can serve it.
///
/// `weights` is scratch space (reused between calls so that the clearing
/// does not allocate per attacker).
pub fn choose(
    attacker: &Attacker,
    u: f64,
    providers: &[Provider],
    market: &Market,
    weights: &mut Vec<(usize, f64)>,
) -> Option<usize> {
    let seats = f64::from(attacker.seats);
    let holding = attacker.provider;
    let last = attacker.last_provider;
    let utility = |j: usize, p: &Provider| -> Option<f64> {
        let holds_seats = holding != NO_PROVIDER && usize::from(holding) == j;
        if !p.is_active() || (!holds_seats && p.spare_seats() < seats) {
            return None;
        }
        let switching = if last == NO_PROVIDER || usize::from(last) == j {
            0.0
        } else {
            market.switching_cost_usd
        };
        Some(
            -(p.price + switching) / market.choice_price_scale_usd
                + market.choice_reputation_weight * p.reputation,
        )
    };
    weights.clear();
    weights
        .extend((providers.iter().enumerate()).filter_map(|(j, p)| utility(j, p).map(|w| (j, w))));
    let top = weights
        .iter()
        .map(|&(_, w)| w)
        .fold(f64::NEG_INFINITY, f64::max);
    if top == f64::NEG_INFINITY {
        return None;
    }
    for (_, w) in weights.iter_mut() {
        *w = (*w - top).exp();
    }
    let total: f64 = weights.iter().map(|&(_, w)| w).sum();
    let mut threshold = u * total;
    let mut last = None;
    for &(j, w) in weights.iter() {
        threshold -= w;
        last = Some(j);
        if threshold < 0.0 {
            break;
        }
    }
    last
}
