//! Typed records of a run: one [`DayRecord`] per recorded day, provider
//! snapshots for market-share plots, and segment totals.

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
    /// Victims' monetised losses.
    pub losses_usd: f64,
    /// Attackers' costs per compromise.
    pub attacker_cost_per_compromise: Option<f64>,
    /// Attackers' proceeds minus costs.
    pub attacker_profit_usd: f64,
    /// Providers' revenue minus costs.
    pub provider_profit_usd: f64,
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
    /// Attackers deterred by perceived risk.
    pub attackers_deterred: u64,
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

/// Column names of `timeseries.csv`, in order.
pub const TIMESERIES_HEADER: [&str; 38] = [
    "arm",
    "replication",
    "day",
    "date",
    "active_providers",
    "capacity_seats",
    "seats_used",
    "unmet_demand",
    "mean_price",
    "median_price",
    "attackers_working",
    "attackers_searching",
    "attackers_dormant",
    "campaigns",
    "emails",
    "compromises",
    "losses_usd",
    "attacker_cost_per_compromise",
    "attacker_profit_usd",
    "provider_profit_usd",
    "hhi",
    "provider_entries",
    "provider_exits",
    "attacker_entries",
    "attacker_exits",
    "attackers_displaced",
    "attackers_resubscribed",
    "attackers_deterred",
    "attackers_quit",
    "attacker_payments_usd",
    "provider_revenue_usd",
    "payment_fees_usd",
    "campaign_costs_usd",
    "switching_costs_usd",
    "overhead_costs_usd",
    "subscription_cost_usd",
    "defender_cost_usd",
    "attacker_cost_usd",
];

impl DayRecord {
    /// The cells after `arm,replication,day,date`, formatted (empty when undefined).
    pub fn cells(&self) -> Vec<String> {
        let n = |v: u64| v.to_string();
        vec![
            n(self.active_providers),
            num(self.capacity_seats),
            n(self.seats_used),
            n(self.unmet_demand),
            opt(self.mean_price),
            opt(self.median_price),
            n(self.attackers_working),
            n(self.attackers_searching),
            n(self.attackers_dormant),
            n(self.campaigns),
            num(self.emails),
            n(self.compromises),
            num(self.losses_usd),
            opt(self.attacker_cost_per_compromise),
            num(self.attacker_profit_usd),
            num(self.provider_profit_usd),
            opt(self.hhi),
            n(self.provider_entries),
            n(self.provider_exits),
            n(self.attacker_entries),
            n(self.attacker_exits),
            n(self.attackers_displaced),
            n(self.attackers_resubscribed),
            n(self.attackers_deterred),
            n(self.attackers_quit),
            num(self.attacker_payments_usd),
            num(self.provider_revenue_usd),
            num(self.payment_fees_usd),
            num(self.campaign_costs_usd),
            num(self.switching_costs_usd),
            num(self.overhead_costs_usd),
            num(self.subscription_cost_usd),
            num(self.defender_cost_usd),
            num(self.attacker_cost_usd()),
        ]
    }

    /// Attackers' economic cost of the day: subscriptions (accrued), campaign,
    /// switching and overhead costs.
    pub fn attacker_cost_usd(&self) -> f64 {
        self.subscription_cost_usd
            + self.campaign_costs_usd
            + self.switching_costs_usd
            + self.overhead_costs_usd
    }
}

/// One provider on one day, for market-share plots.
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
    /// Per recorded day, a snapshot of each provider that existed that day.
    pub provider_days: Vec<Vec<ProviderDay>>,
    /// Compromises per segment over the recorded days.
    pub segment_compromises: Vec<u64>,
    /// Losses per segment over the recorded days.
    pub segment_losses: Vec<f64>,
}

/// A float in shortest round-trip form; non-finite values (never expected) become empty.
pub fn num(value: f64) -> String {
    if value.is_finite() {
        format!("{value}")
    } else {
        String::new()
    }
}

/// An optional float: empty when undefined.
pub fn opt(value: Option<f64>) -> String {
    value.map(num).unwrap_or_default()
}
