//! Typed records of a run, produced by the day loop: one [`DayRecord`] per
//! recorded day, provider snapshots for market-share plots, and segment totals.
//! The columns of `timeseries.csv` are declared once, in [`DAY_COLUMNS`].

use crate::model::attacker::Attributed;
use crate::model::seizure::StrikeRecord;
use crate::table::{Column, Value};

/// What one day of one run looks like (see `docs/RESULTS.md` for units).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DayRecord {
    /// Recorded day (0 = scenario start).
    pub day: u32,
    /// Providers selling.
    pub active_providers: u64,
    /// Capacity of providers selling.
    pub capacity_seats: f64,
    /// Seats rented.
    pub seats_used: u64,
    /// Seats wanted by attackers who found no spare capacity.
    pub unmet_demand: u64,
    /// Seat-weighted mean price of providers selling.
    pub mean_price: Option<f64>,
    /// Seat-weighted median price of providers selling.
    pub median_price: Option<f64>,
    /// Attackers working.
    pub attackers_working: u64,
    /// Attackers searching or waiting.
    pub attackers_searching: u64,
    /// Attackers dormant.
    pub attackers_dormant: u64,
    /// Seat-days of campaigning.
    pub campaigns: u64,
    /// Emails sent.
    pub emails: f64,
    /// Accounts compromised.
    pub compromises: u64,
    /// Victims' monetised losses (drawn).
    pub losses_usd: f64,
    /// Victims' expected monetised losses given the day's compromises per
    /// segment: `Σ_s compromises_s x monetise_prob_s x E[loss_s]`.
    pub expected_losses_usd: f64,
    /// Attackers' costs per compromise.
    pub attacker_cost_per_compromise: Option<f64>,
    /// Attackers' proceeds minus costs.
    pub attacker_profit_usd: f64,
    /// Providers' revenue minus running costs and capacity investment.
    pub provider_profit_usd: f64,
    /// Providers' capacity investment (provisioning of seats ordered, and
    /// moving seats out of jurisdictions that acted).
    pub provider_investment_usd: f64,
    /// Herfindahl-Hirschman index of seats (0-10,000).
    pub hhi: Option<f64>,
    /// Providers that started selling.
    pub provider_entries: u64,
    /// Providers that left.
    pub provider_exits: u64,
    /// Attackers that arrived.
    pub attacker_entries: u64,
    /// Attackers that left for good.
    pub attacker_exits: u64,
    /// Attackers that lost their provider.
    pub attackers_displaced: u64,
    /// Displaced attackers that rented again.
    pub attackers_resubscribed: u64,
    /// Attackers deterred by perceived risk (those who desisted included).
    pub attackers_deterred: u64,
    /// Deterred attackers who desisted for good (left the market).
    pub attackers_desisted: u64,
    /// Attackers that stopped for lack of profit or patience.
    pub attackers_quit: u64,
    /// Subscription money paid by attackers, fees included.
    pub attacker_payments_usd: f64,
    /// Subscription money received by providers.
    pub provider_revenue_usd: f64,
    /// Payment friction.
    pub payment_fees_usd: f64,
    /// Attackers' campaign running costs.
    pub campaign_costs_usd: f64,
    /// Attackers' costs of setting up with a new provider.
    pub switching_costs_usd: f64,
    /// Attackers' overheads while in the market (working or searching).
    pub overhead_costs_usd: f64,
    /// Subscription cost accrued over paid-up time, used or not (prepaid time
    /// destroyed by a takedown is a cost without output).
    pub subscription_cost_usd: f64,
    /// Defender spending.
    pub defender_cost_usd: f64,
}

/// Columns of `timeseries.csv` that identify a row, before [`DAY_COLUMNS`].
pub const KEY_COLUMNS: [&str; 4] = ["arm", "replication", "day", "date"];

/// The measured columns of `timeseries.csv`, in order: one per measure of a
/// [`DayRecord`] (see docs/RESULTS.md for units).
pub const DAY_COLUMNS: &[Column<DayRecord>] = &[
    Column {
        name: "active_providers",
        value: |r| Value::Count(r.active_providers),
    },
    Column {
        name: "capacity_seats",
        value: |r| Value::Num(r.capacity_seats),
    },
    Column {
        name: "seats_used",
        value: |r| Value::Count(r.seats_used),
    },
    Column {
        name: "unmet_demand",
        value: |r| Value::Count(r.unmet_demand),
    },
    Column {
        name: "mean_price",
        value: |r| Value::Opt(r.mean_price),
    },
    Column {
        name: "median_price",
        value: |r| Value::Opt(r.median_price),
    },
    Column {
        name: "attackers_working",
        value: |r| Value::Count(r.attackers_working),
    },
    Column {
        name: "attackers_searching",
        value: |r| Value::Count(r.attackers_searching),
    },
    Column {
        name: "attackers_dormant",
        value: |r| Value::Count(r.attackers_dormant),
    },
    Column {
        name: "campaigns",
        value: |r| Value::Count(r.campaigns),
    },
    Column {
        name: "emails",
        value: |r| Value::Num(r.emails),
    },
    Column {
        name: "compromises",
        value: |r| Value::Count(r.compromises),
    },
    Column {
        name: "losses_usd",
        value: |r| Value::Num(r.losses_usd),
    },
    Column {
        name: "expected_losses_usd",
        value: |r| Value::Num(r.expected_losses_usd),
    },
    Column {
        name: "attacker_cost_per_compromise",
        value: |r| Value::Opt(r.attacker_cost_per_compromise),
    },
    Column {
        name: "attacker_profit_usd",
        value: |r| Value::Num(r.attacker_profit_usd),
    },
    Column {
        name: "provider_profit_usd",
        value: |r| Value::Num(r.provider_profit_usd),
    },
    Column {
        name: "provider_investment_usd",
        value: |r| Value::Num(r.provider_investment_usd),
    },
    Column {
        name: "hhi",
        value: |r| Value::Opt(r.hhi),
    },
    Column {
        name: "provider_entries",
        value: |r| Value::Count(r.provider_entries),
    },
    Column {
        name: "provider_exits",
        value: |r| Value::Count(r.provider_exits),
    },
    Column {
        name: "attacker_entries",
        value: |r| Value::Count(r.attacker_entries),
    },
    Column {
        name: "attacker_exits",
        value: |r| Value::Count(r.attacker_exits),
    },
    Column {
        name: "attackers_displaced",
        value: |r| Value::Count(r.attackers_displaced),
    },
    Column {
        name: "attackers_resubscribed",
        value: |r| Value::Count(r.attackers_resubscribed),
    },
    Column {
        name: "attackers_deterred",
        value: |r| Value::Count(r.attackers_deterred),
    },
    Column {
        name: "attackers_desisted",
        value: |r| Value::Count(r.attackers_desisted),
    },
    Column {
        name: "attackers_quit",
        value: |r| Value::Count(r.attackers_quit),
    },
    Column {
        name: "attacker_payments_usd",
        value: |r| Value::Num(r.attacker_payments_usd),
    },
    Column {
        name: "provider_revenue_usd",
        value: |r| Value::Num(r.provider_revenue_usd),
    },
    Column {
        name: "payment_fees_usd",
        value: |r| Value::Num(r.payment_fees_usd),
    },
    Column {
        name: "campaign_costs_usd",
        value: |r| Value::Num(r.campaign_costs_usd),
    },
    Column {
        name: "switching_costs_usd",
        value: |r| Value::Num(r.switching_costs_usd),
    },
    Column {
        name: "overhead_costs_usd",
        value: |r| Value::Num(r.overhead_costs_usd),
    },
    Column {
        name: "subscription_cost_usd",
        value: |r| Value::Num(r.subscription_cost_usd),
    },
    Column {
        name: "defender_cost_usd",
        value: |r| Value::Num(r.defender_cost_usd),
    },
    Column {
        name: "attacker_cost_usd",
        value: |r| Value::Num(r.attacker_cost_usd()),
    },
];

/// The measures of a provider's output ([`ProviderDay::output`]), named as
/// the `timeseries.csv` columns that are their sums over providers.
pub const OUTPUT_COLUMNS: &[Column<Attributed>] = &[
    Column {
        name: "campaigns",
        value: |o| Value::Count(o.campaigns),
    },
    Column {
        name: "compromises",
        value: |o| Value::Count(o.compromises),
    },
    Column {
        name: "losses_usd",
        value: |o| Value::Num(o.losses_usd),
    },
    Column {
        name: "expected_losses_usd",
        value: |o| Value::Num(o.expected_losses_usd),
    },
];

/// Every column name of `timeseries.csv`, in order.
pub fn timeseries_header() -> Vec<&'static str> {
    KEY_COLUMNS
        .iter()
        .copied()
        .chain(crate::table::header(DAY_COLUMNS))
        .collect()
}

impl DayRecord {
    /// Attackers' economic cost of the day: subscriptions (accrued), campaign,
    /// switching and overhead costs.
    pub fn attacker_cost_usd(&self) -> f64 {
        self.subscription_cost_usd
            + self.campaign_costs_usd
            + self.switching_costs_usd
            + self.overhead_costs_usd
    }
}

/// One provider on one day: its state, for market-share plots, and what its
/// customers produced.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ProviderDay {
    /// Seats rented.
    pub seats_used: u64,
    /// Capacity.
    pub capacity: f64,
    /// Price.
    pub price: f64,
    /// Selling.
    pub active: bool,
    /// Campaigns, compromises and losses of its customers today.
    pub output: Attributed,
}

/// Everything one run (arm, replication) produces.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunOutput {
    /// Arm index in the model.
    pub arm: usize,
    /// Replication number.
    pub replication: u32,
    /// One record per recorded day.
    pub days: Vec<DayRecord>,
    /// Provider names, by provider index.
    pub provider_names: Vec<String>,
    /// Provider classes, by provider index.
    pub provider_classes: Vec<String>,
    /// Each provider's operator, as the index of its first brand: itself,
    /// or for a brand created by a rebrand, the provider its operator first
    /// ran (a calibration target of a provider follows its operator).
    pub provider_operators: Vec<usize>,
    /// Per recorded day, a snapshot of each provider that existed that day.
    pub provider_days: Vec<Vec<ProviderDay>>,
    /// Compromises per provider index and segment over the recorded days
    /// (providers from the list's end without any compromise may be missing).
    pub segment_compromises: Vec<Vec<u64>>,
    /// Losses per provider index and segment over the recorded days.
    pub segment_losses: Vec<Vec<f64>>,
    /// Providers whose operators a takedown strike arrested during the run
    /// (the run's outcome forks on it: see `experiment::outcome`).
    pub arrests: u32,
    /// Every takedown strike of the run, in order.
    pub strikes: Vec<StrikeRecord>,
    /// Per recorded day, the market's capacity (providers not gone) in
    /// each jurisdiction; empty in a model with one jurisdiction.
    pub jurisdiction_capacity: Vec<Vec<f64>>,
    /// Seats of capacity moved out of jurisdictions that acted against
    /// the market, over the run (MODEL.md 7.17).
    pub seats_relocated: f64,
}
