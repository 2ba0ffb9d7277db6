//! Attackers: customers who rent seats and run campaigns.
//!
//! Attackers are compact structs (56 bytes) kept in identity order by
//! [`crate::model::population`]; an attacker's identity keys its random
//! streams. Their daily act ([`act`]) runs in parallel over chunks and only
//! touches the attacker itself; everything that involves the market (taking
//! or leaving seats, paying) is returned as an [`Intent`] and carried out
//! sequentially by [`crate::model::market`].

use rand::RngExt;
use rand_distr::{Distribution, Poisson};

use crate::model::params::AttackerSpec;
use crate::rng::{CHUNK_SIZE, ChunkStreams, Stream};

/// No provider.
pub const NO_PROVIDER: u16 = u16::MAX;

/// What an attacker is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Status {
    /// Renting seats and running campaigns.
    Working,
    /// Looking for a provider until `wake_day`.
    Searching,
    /// Search done, no spare capacity found; gives up at `wake_day`.
    Waiting,
    /// Out of the market until `wake_day`, when it looks again.
    Dormant,
    /// Left for good.
    Gone,
}

/// One attacker's state (kept small: this is the bulk of the memory).
#[derive(Debug, Clone)]
pub struct Attacker {
    /// Cash, in dollars.
    pub cash: f64,
    /// Conversion multiplier.
    pub skill: f32,
    /// Personal perceived risk as of `risk_day` (market-wide risk is added on top).
    pub risk: f32,
    /// Perceived risk above which it leaves.
    pub tolerance: f32,
    /// Its current subscription's cost per day (payment with fees / subscription days).
    pub paid_per_day: f32,
    /// Internal day its personal risk was last brought up to date.
    pub risk_day: u32,
    /// Internal day its subscription runs out.
    pub paid_until: u32,
    /// Internal day its search, wait or dormancy ends; while working, the
    /// first day it can run campaigns (after rebuilding on a switch).
    pub wake_day: u32,
    /// Internal day it leaves the market for good.
    pub leave_day: u32,
    /// Identity: its number in creation order (keys its random streams).
    pub id: u32,
    /// Provider index, or [`NO_PROVIDER`].
    pub provider: u16,
    /// The provider it rented from last (kept while searching), or [`NO_PROVIDER`].
    pub last_provider: u16,
    /// Seats wanted (and rented while working).
    pub seats: u16,
    /// Attacker type index.
    pub kind: u8,
    /// Status.
    pub status: Status,
    /// Lost its provider to an intervention or exit and has not rented again.
    pub displaced: bool,
}

/// What an attacker asks of the market today; carried out in identity order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Intent {
    /// Subscription ran out: renew, or switch by the logit with uniform `u`.
    Renew {
        /// Position of the attacker in the population today.
        at: u32,
        /// Uniform number for the choice.
        u: f64,
    },
    /// Search done (or waiting): rent seats by the logit with uniform `u`.
    Seek {
        /// Position of the attacker in the population today.
        at: u32,
        /// Uniform number for the choice.
        u: f64,
    },
}

/// The market as every attacker sees it today (read-only during the parallel act).
#[derive(Debug, Clone)]
pub struct MarketView {
    /// Internal day.
    pub day: u32,
    /// Whether each provider is selling today.
    pub provider_active: Vec<bool>,
    /// Whether each provider's servers run today (selling, or down with
    /// surviving servers still serving their prepaid customers).
    pub provider_serving: Vec<bool>,
    /// Price of each provider.
    pub provider_price: Vec<f64>,
    /// Seat-weighted mean price of active providers (list price when none).
    pub mean_price: f64,
    /// Expected compromises per email at skill 1.
    pub compromises_per_email: f64,
    /// Expected kept proceeds per compromise, per attacker type.
    pub value_per_compromise: Vec<f64>,
    /// Emails per seat per day.
    pub emails_per_seat: f64,
    /// Days bought by one payment.
    pub subscription_days: u32,
    /// Extra cost of a payment as a share of its value.
    pub fee_share: f64,
    /// Daily decay factor of perceived risk.
    pub risk_decay: f64,
    /// `risk_decay^k` for every day `k` of the run.
    pub risk_decay_powers: std::sync::Arc<[f64]>,
    /// Market-wide perceived risk added to everyone's.
    pub ambient_risk: f64,
    /// Whether risk jumped today (everyone checks their tolerance).
    pub risk_shock_today: bool,
    /// Mean search time in days.
    pub mean_search_days: f64,
    /// Days an attacker waits for capacity before going dormant.
    pub patience_days: u32,
    /// Daily probability that a dormant attacker looks again.
    pub dormant_return: f64,
    /// Share of deterred attackers who desist for good.
    pub deterred_desist_share: f64,
    /// Daily probability that a deterred dormant attacker looks again.
    pub deterred_return: f64,
    /// One-off cash cost per seat of moving to another provider.
    pub switching_cost_usd: f64,
    /// Days without campaigns after moving to another provider.
    pub switching_rebuild_days: u32,
}

/// Tallies of one chunk's act.
#[derive(Debug, Clone, Default)]
pub struct ActTally {
    /// Seats that ran a campaign.
    pub campaigns: u64,
    /// Compromises.
    pub compromises: u64,
    /// Kept proceeds of attackers.
    pub proceeds_usd: f64,
    /// Campaign running costs.
    pub campaign_cost_usd: f64,
    /// Subscription cost accrued today over paid-up time (used or not).
    pub subscription_accrued_usd: f64,
    /// Overheads of attackers in the market (working, searching or waiting).
    pub overhead_usd: f64,
    /// Attackers who left for good.
    pub exits: u64,
    /// Attackers deterred by risk (those who desisted included).
    pub deterred: u64,
    /// Deterred attackers who desisted for good.
    pub desisted: u64,
    /// Attackers who stopped because they no longer expect a profit.
    pub quits: u64,
    /// Customers of a provider that is down whose subscription ran out today
    /// (they lose their provider, whatever they do next).
    pub displaced: u64,
    /// Campaigns and compromises per provider index: each working attacker's
    /// output goes to the provider whose seats it ran on (grown as needed:
    /// providers past its end produced nothing).
    pub by_provider: Vec<Attributed>,
}

/// What the customers of one provider produced (campaigns and compromises
/// from the act; losses once the compromises are split over segments).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Attributed {
    /// Seat-days of campaigning on its seats.
    pub campaigns: u64,
    /// Accounts compromised by those campaigns.
    pub compromises: u64,
    /// Victims' monetised losses of those compromises (drawn).
    pub losses_usd: f64,
    /// Their expected monetised losses given their split over segments.
    pub expected_losses_usd: f64,
}

impl Attributed {
    /// Add another's output.
    pub fn add(&mut self, other: &Attributed) {
        self.campaigns += other.campaigns;
        self.compromises += other.compromises;
        self.losses_usd += other.losses_usd;
        self.expected_losses_usd += other.expected_losses_usd;
    }
}

/// Attackers by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatusCounts {
    /// Working.
    pub working: u64,
    /// Searching or waiting for capacity.
    pub searching: u64,
    /// Dormant.
    pub dormant: u64,
}

impl StatusCounts {
    /// Count one attacker of the given status (gone attackers are not counted).
    pub fn add(&mut self, status: Status) {
        match status {
            Status::Working => self.working += 1,
            Status::Searching | Status::Waiting => self.searching += 1,
            Status::Dormant => self.dormant += 1,
            Status::Gone => {}
        }
    }

    /// Add another chunk's counts.
    pub fn merge(&mut self, other: &StatusCounts) {
        self.working += other.working;
        self.searching += other.searching;
        self.dormant += other.dormant;
    }
}

impl ActTally {
    /// Add another chunk's tally (called in chunk order, so float sums are reproducible).
    pub fn add(&mut self, other: &ActTally) {
        self.campaigns += other.campaigns;
        self.compromises += other.compromises;
        self.proceeds_usd += other.proceeds_usd;
        self.campaign_cost_usd += other.campaign_cost_usd;
        self.subscription_accrued_usd += other.subscription_accrued_usd;
        self.overhead_usd += other.overhead_usd;
        self.exits += other.exits;
        self.deterred += other.deterred;
        self.desisted += other.desisted;
        self.quits += other.quits;
        self.displaced += other.displaced;
        if self.by_provider.len() < other.by_provider.len() {
            self.by_provider
                .resize(other.by_provider.len(), Attributed::default());
        }
        for (mine, theirs) in self.by_provider.iter_mut().zip(&other.by_provider) {
            mine.add(theirs);
        }
    }
}

/// Per-chunk output of the parallel act, reused from day to day.
#[derive(Debug, Clone, Default)]
pub struct ChunkOutput {
    /// Tallies.
    pub tally: ActTally,
    /// Market requests, in identity order.
    pub intents: Vec<Intent>,
    /// Seats given up by attackers who stopped working: (provider, seats).
    pub releases: Vec<(u16, u16)>,
    /// Attackers by status after the act.
    pub counts: StatusCounts,
}

impl ChunkOutput {
    /// Empty it for a new day, keeping its buffers.
    pub fn clear(&mut self) {
        let mut by_provider = std::mem::take(&mut self.tally.by_provider);
        by_provider.clear();
        self.tally = ActTally {
            by_provider,
            ..ActTally::default()
        };
        self.intents.clear();
        self.releases.clear();
        self.counts = StatusCounts::default();
    }
}

impl Attacker {
    /// Perceived risk today: personal risk decayed to `day` plus market-wide risk.
    pub fn perceived_risk(&self, view: &MarketView) -> f64 {
        let elapsed = view.day.saturating_sub(self.risk_day);
        let decay = (view.risk_decay_powers.get(elapsed as usize).copied())
            .unwrap_or_else(|| view.risk_decay.powf(f64::from(elapsed)));
        f64::from(self.risk) * decay + view.ambient_risk
    }

    /// Add a personal risk jump on `day` (decaying what was there first).
    pub fn add_risk(&mut self, shock: f64, day: u32, risk_decay: f64) {
        let elapsed = day.saturating_sub(self.risk_day);
        let decayed = f64::from(self.risk) * risk_decay.powf(f64::from(elapsed));
        self.risk = (decayed + shock) as f32;
        self.risk_day = day;
    }

    /// Expected daily profit of working at `price` per seat-period.
    pub fn expected_profit(&self, kind: &AttackerSpec, price: f64, view: &MarketView) -> f64 {
        let proceeds = self.proceeds_per_seat_day(view);
        self.profit_at(kind, price, proceeds, self.risk_cost(kind, view), view)
    }

    /// Expected proceeds of one seat-day of campaigns, before any cost.
    pub fn proceeds_per_seat_day(&self, view: &MarketView) -> f64 {
        view.emails_per_seat
            * f64::from(self.skill)
            * view.compromises_per_email
            * view.value_per_compromise[usize::from(self.kind)]
    }

    /// Expected daily cost of its perceived risk (a sanction probability per
    /// subscription period, MODEL.md 7.4).
    fn risk_cost(&self, kind: &AttackerSpec, view: &MarketView) -> f64 {
        self.perceived_risk(view) * kind.sanction_cost_usd / f64::from(view.subscription_days)
    }

    /// Expected daily profit at `price`, given its proceeds per seat-day and
    /// risk cost (which do not depend on the provider).
    fn profit_at(
        &self,
        kind: &AttackerSpec,
        price: f64,
        proceeds: f64,
        risk_cost: f64,
        view: &MarketView,
    ) -> f64 {
        let seats = f64::from(self.seats);
        let subscription = price * (1.0 + view.fee_share) / f64::from(view.subscription_days);
        seats * (proceeds - kind.campaign_cost_usd_per_seat_day - subscription)
            - kind.overhead_usd_per_day
            - risk_cost
    }

    /// Leave the market for a while; it looks again after a geometric time.
    pub fn go_dormant(&mut self, rng: &mut Stream, view: &MarketView) {
        self.go_dormant_at(rng, view, view.dormant_return);
    }

    /// Leave the market for a geometric time of daily return probability
    /// `rate`. A displaced attacker stays marked displaced: if it rents
    /// again after its dormancy, it counts as resubscribed.
    fn go_dormant_at(&mut self, rng: &mut Stream, view: &MarketView, rate: f64) {
        self.status = Status::Dormant;
        self.provider = NO_PROVIDER;
        self.wake_day = view.day + geometric_days(rate, rng);
    }

    /// Leave the market for good today: the prepaid time it leaves behind is
    /// a cost now (today's share is accrued already), so that every paid day
    /// is booked once.
    fn leave_for_good(&mut self, view: &MarketView, tally: &mut ActTally) {
        let unused = self.paid_until.saturating_sub(view.day + 1);
        tally.subscription_accrued_usd += f64::from(self.paid_per_day) * f64::from(unused);
        self.status = Status::Gone;
        self.provider = NO_PROVIDER;
        tally.exits += 1;
    }

    /// Start searching for a provider.
    pub fn start_search(&mut self, rng: &mut Stream, view: &MarketView) {
        self.status = Status::Searching;
        self.provider = NO_PROVIDER;
        self.wake_day = view.day + search_days(view.mean_search_days, rng);
    }
}

/// Days until an event of daily probability `p` (at least 1; capped far away).
pub fn geometric_days(p: f64, rng: &mut Stream) -> u32 {
    if p <= 0.0 {
        return u32::MAX / 2;
    }
    if p >= 1.0 {
        return 1;
    }
    let u: f64 = rng.random();
    let days = ((1.0 - u).ln() / (1.0 - p).ln()).floor() + 1.0;
    days.min(f64::from(u32::MAX / 2)) as u32
}

/// Days of search: exponential with the given mean, rounded up, at least 1.
pub fn search_days(mean: f64, rng: &mut Stream) -> u32 {
    let u: f64 = rng.random();
    let days = (-(1.0 - u).ln() * mean).ceil().max(1.0);
    days.min(f64::from(u32::MAX / 2)) as u32
}

/// The streams an attacker's act draws from, for the attackers of one chunk today.
#[derive(Debug, Clone, Copy)]
pub struct ActStreams {
    /// Today's campaigns.
    pub campaign: ChunkStreams,
    /// Today's decisions.
    pub decision: ChunkStreams,
}

impl ActStreams {
    fn campaign(&self, attacker: &Attacker) -> Stream {
        self.campaign.member(offset_in_chunk(attacker))
    }

    fn decision(&self, attacker: &Attacker) -> Stream {
        self.decision.member(offset_in_chunk(attacker))
    }
}

/// The attacker's place in its chunk of identities.
fn offset_in_chunk(attacker: &Attacker) -> u64 {
    u64::from(attacker.id) % CHUNK_SIZE as u64
}

/// One attacker's day (the attacker at position `at` of the population);
/// returns an intent when it needs the market.
pub fn act(
    attacker: &mut Attacker,
    at: u32,
    kinds: &[AttackerSpec],
    view: &MarketView,
    streams: &ActStreams,
    tally: &mut ActTally,
) -> Option<Intent> {
    if attacker.status == Status::Gone {
        return None;
    }
    if view.day < attacker.paid_until {
        tally.subscription_accrued_usd += f64::from(attacker.paid_per_day);
    }
    if view.day >= attacker.leave_day {
        attacker.leave_for_good(view, tally);
        return None;
    }
    let kind = &kinds[usize::from(attacker.kind)];
    if attacker.status != Status::Dormant {
        attacker.cash -= kind.overhead_usd_per_day;
        tally.overhead_usd += kind.overhead_usd_per_day;
    }
    if view.risk_shock_today
        && attacker.status != Status::Dormant
        && attacker.perceived_risk(view) > f64::from(attacker.tolerance)
    {
        stop(
            attacker,
            Decision::Deterred,
            &mut streams.decision(attacker),
            view,
            tally,
        );
        return None;
    }
    match attacker.status {
        Status::Working => work(attacker, at, kind, view, streams, tally),
        Status::Searching if view.day >= attacker.wake_day => {
            let mut rng = streams.decision(attacker);
            match decide(attacker, kind, view.mean_price, view) {
                Decision::Continue => Some(Intent::Seek {
                    at,
                    u: rng.random(),
                }),
                decision => {
                    stop(attacker, decision, &mut rng, view, tally);
                    None
                }
            }
        }
        Status::Waiting if view.day >= attacker.wake_day => {
            attacker.go_dormant(&mut streams.decision(attacker), view);
            tally.quits += 1;
            None
        }
        Status::Waiting => Some(Intent::Seek {
            at,
            u: streams.decision(attacker).random(),
        }),
        Status::Dormant if view.day >= attacker.wake_day => {
            let mut rng = streams.decision(attacker);
            // Still deterred: another dormancy at the deterred rate; not
            // counted again.
            match decide(attacker, kind, view.mean_price, view) {
                Decision::Continue => attacker.start_search(&mut rng, view),
                Decision::Deterred => attacker.go_dormant_at(&mut rng, view, view.deterred_return),
                Decision::Quit => attacker.go_dormant(&mut rng, view),
            }
            None
        }
        _ => None,
    }
}

/// The outcome of an attacker's decision to go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Expects to beat its outside option and tolerates its risk.
    Continue,
    /// Stops because of perceived risk: over its tolerance, or the risk's
    /// expected cost is what takes profit below the outside option.
    Deterred,
    /// Stops because it expects too little profit even without risk (or cannot pay).
    Quit,
}

/// An attacker that stops, counted by why. One deterred by perceived risk
/// desists for good with probability `deterred_desist_share` (a draw only
/// when that share is above 0) or goes dormant and looks again at the
/// deterred return rate; one that quits goes dormant at the ordinary rate.
fn stop(
    attacker: &mut Attacker,
    decision: Decision,
    rng: &mut Stream,
    view: &MarketView,
    tally: &mut ActTally,
) {
    match decision {
        Decision::Deterred => {
            tally.deterred += 1;
            let desists = view.deterred_desist_share > 0.0
                && rng.random::<f64>() < view.deterred_desist_share;
            if desists {
                tally.desisted += 1;
                attacker.leave_for_good(view, tally);
            } else {
                attacker.go_dormant_at(rng, view, view.deterred_return);
            }
        }
        Decision::Quit => {
            tally.quits += 1;
            attacker.go_dormant(rng, view);
        }
        Decision::Continue => {}
    }
}

/// Whether to go on at `price`, and if not, why.
fn decide(attacker: &Attacker, kind: &AttackerSpec, price: f64, view: &MarketView) -> Decision {
    classify(
        attacker,
        kind,
        attacker.expected_profit(kind, price, view),
        view,
    )
}

/// Whether to go on with an option of expected daily profit `profit` (risk
/// cost included), and if not, why.
fn classify(attacker: &Attacker, kind: &AttackerSpec, profit: f64, view: &MarketView) -> Decision {
    let reservation = kind.reservation_usd_per_day;
    let risk = attacker.perceived_risk(view);
    let risk_cost = risk * kind.sanction_cost_usd / f64::from(view.subscription_days);
    let profit_before_risk = profit + risk_cost;
    if profit_before_risk < reservation {
        Decision::Quit
    } else if risk > f64::from(attacker.tolerance) || profit_before_risk - risk_cost < reservation {
        Decision::Deterred
    } else {
        Decision::Continue
    }
}

/// A working attacker's day: campaigns, then the renewal decision if due.
fn work(
    attacker: &mut Attacker,
    at: u32,
    kind: &AttackerSpec,
    view: &MarketView,
    streams: &ActStreams,
    tally: &mut ActTally,
) -> Option<Intent> {
    let provider = usize::from(attacker.provider);
    if view.provider_serving[provider] && view.day >= attacker.wake_day {
        run_campaigns(attacker, kind, view, streams, tally);
    }
    if view.day < attacker.paid_until {
        return None;
    }
    if !view.provider_active[provider] {
        // Its provider is down: it loses it now, whatever it does next.
        attacker.displaced = true;
        tally.displaced += 1;
    }
    let mut rng = streams.decision(attacker);
    let (profit, cash_needed) = match best_option(attacker, kind, view) {
        Some(best) => best,
        // No one is selling: it judges the list price and waits for capacity.
        None => (
            attacker.expected_profit(kind, view.mean_price, view),
            view.mean_price * f64::from(attacker.seats) * (1.0 + view.fee_share),
        ),
    };
    let decision = match classify(attacker, kind, profit, view) {
        Decision::Continue if attacker.cash < cash_needed => Decision::Quit,
        decision => decision,
    };
    if decision == Decision::Continue {
        return Some(Intent::Renew {
            at,
            u: rng.random(),
        });
    }
    stop(attacker, decision, &mut rng, view, tally);
    None
}

/// The best option of a renewing attacker over the providers selling today:
/// its expected daily profit (risk cost included) and the cash it needs now.
/// A provider other than the one it rented from last carries the switching
/// cost: the cash `switching_cost_usd` per seat and the net proceeds of
/// `switching_rebuild_days` days without campaigns, both spread over one
/// subscription period. `None` when no provider is selling.
pub fn best_option(
    attacker: &Attacker,
    kind: &AttackerSpec,
    view: &MarketView,
) -> Option<(f64, f64)> {
    let seats = f64::from(attacker.seats);
    let days = f64::from(view.subscription_days);
    // Neither depends on the provider: computed once, not once per provider.
    let proceeds = attacker.proceeds_per_seat_day(view);
    let risk_cost = attacker.risk_cost(kind, view);
    let net_per_seat_day = proceeds - kind.campaign_cost_usd_per_seat_day;
    let switch_cash = view.switching_cost_usd * seats;
    let switch_cost =
        switch_cash + seats * net_per_seat_day.max(0.0) * f64::from(view.switching_rebuild_days);
    let mut best: Option<(f64, f64)> = None;
    for (j, &price) in view.provider_price.iter().enumerate() {
        if !view.provider_active[j] {
            continue;
        }
        let switching = usize::from(attacker.last_provider) != j;
        let mut profit = attacker.profit_at(kind, price, proceeds, risk_cost, view);
        let mut cash = price * seats * (1.0 + view.fee_share);
        if switching {
            profit -= switch_cost / days;
            cash += switch_cash;
        }
        if best.is_none_or(|(p, _)| profit > p) {
            best = Some((profit, cash));
        }
    }
    best
}

/// A Poisson count of positive, finite mean `mean`. Below 12 it is Knuth's
/// product of uniforms, drawn exactly as `rand_distr::Poisson` draws it (a
/// test holds the two equal) without building the distribution each time;
/// from 12 up it is `rand_distr`'s rejection method.
pub fn poisson(mean: f64, rng: &mut Stream) -> u64 {
    if mean < 12.0 {
        let threshold = (-mean).exp();
        let mut count = 0;
        let mut product: f64 = rng.random();
        while product > threshold {
            product *= rng.random::<f64>();
            count += 1;
        }
        count
    } else {
        Poisson::new(mean).map_or(0.0, |law| law.sample(rng)) as u64
    }
}

/// Run today's campaigns: one Poisson draw of compromises per attacker-day.
fn run_campaigns(
    attacker: &mut Attacker,
    kind: &AttackerSpec,
    view: &MarketView,
    streams: &ActStreams,
    tally: &mut ActTally,
) {
    let seats = f64::from(attacker.seats);
    let mean =
        seats * view.emails_per_seat * f64::from(attacker.skill) * view.compromises_per_email;
    let compromises = if mean > 0.0 {
        poisson(mean, &mut streams.campaign(attacker))
    } else {
        0
    };
    let proceeds = compromises as f64 * view.value_per_compromise[usize::from(attacker.kind)];
    let cost = seats * kind.campaign_cost_usd_per_seat_day;
    attacker.cash += proceeds - cost;
    tally.campaigns += u64::from(attacker.seats);
    tally.compromises += compromises;
    let j = usize::from(attacker.provider);
    if tally.by_provider.len() <= j {
        tally.by_provider.resize(j + 1, Attributed::default());
    }
    tally.by_provider[j].campaigns += u64::from(attacker.seats);
    tally.by_provider[j].compromises += compromises;
    tally.proceeds_usd += proceeds;
    tally.campaign_cost_usd += cost;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Purpose, RunKey};

    #[test]
    fn poisson_draws_as_rand_distr_does() {
        let key = RunKey {
            seed: 5,
            replication: 1,
        };
        for (i, mean) in [1e-9, 0.01, 0.4, 1.0, 3.7, 11.999, 12.0, 40.0, 1e4]
            .into_iter()
            .enumerate()
        {
            for member in 0..500 {
                let mut ours = key.attacker(Purpose::Campaign, i as u32, member);
                let mut theirs = ours.clone();
                let expected = Poisson::new(mean).unwrap().sample(&mut theirs) as u64;
                assert_eq!(poisson(mean, &mut ours), expected, "mean {mean}");
                assert_eq!(ours, theirs, "same numbers used");
            }
        }
    }
}
