//! Providers: sellers of criminal infrastructure, and their daily update.

use crate::model::jurisdiction::{Jurisdictions, Siting, mix};
use crate::model::params::{Market, ProviderTemplate};

/// Whether a provider is selling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderStatus {
    /// Entered but still setting up until the given internal day.
    Setup {
        /// First day it sells.
        ready_day: u32,
    },
    /// Selling.
    Active,
    /// Taken down until the given internal day.
    Down {
        /// First day it is back.
        until_day: u32,
    },
    /// Gone for good (arrested or out of cash).
    Gone,
}

/// One provider's state.
#[derive(Debug, Clone)]
pub struct Provider {
    /// Unique name.
    pub name: String,
    /// Class, e.g. `vds`.
    pub class: String,
    /// Jurisdiction label.
    pub jurisdiction: String,
    /// Status.
    pub status: ProviderStatus,
    /// Capacity in seats.
    pub capacity: f64,
    /// Seats rented right now (64 bits: a provider may rent more than 2^32
    /// seats; `tests/extreme.rs`, `more-seats-than-32-bits`).
    pub seats_used: u64,
    /// Price per seat per subscription period.
    pub price: f64,
    /// The price it would charge at target utilisation with no pressure.
    pub list_price: f64,
    /// Running cost per seat-day at its starting resilience.
    pub base_unit_cost: f64,
    /// Fixed running cost per day.
    pub fixed_cost: f64,
    /// Reputation in [0, 1].
    pub reputation: f64,
    /// The level reputation moves toward while the provider sells.
    pub quality: f64,
    /// Resilience in [0, 1].
    pub resilience: f64,
    /// Resilience it started with (its base unit cost pays for that much).
    pub base_resilience: f64,
    /// Cash.
    pub cash: f64,
    /// Subscription money received today.
    pub revenue_today: f64,
    /// Capacity paid for and not yet installed, oldest first.
    pub orders: Vec<Order>,
    /// Share of its capacity in each jurisdiction (sums to 1).
    pub located: Vec<f64>,
    /// Where its template placed its capacity: the locations it knows and
    /// places new capacity in (with the market's hosting elsewhere).
    pub home: Vec<f64>,
    /// Share of its storefront and domains in each jurisdiction (sums to 1).
    pub storefront: Vec<f64>,
    /// The jurisdiction its operators live in.
    pub operators_in: usize,
    /// Share of its payment channels in each jurisdiction (sums to 1).
    pub payments: Vec<f64>,
    /// The jurisdiction its customer data is kept in.
    pub data_in: usize,
}

/// Capacity a provider has paid for, installed on `arrival_day`.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    /// Internal day the seats are installed.
    pub arrival_day: u32,
    /// Seats ordered.
    pub seats: f64,
    /// Share of the seats placed in each jurisdiction.
    pub placement: Vec<f64>,
}

/// Seat-weighted mean price of the providers selling (unweighted when no seat
/// is rented); `None` when no provider sells.
pub fn seat_weighted_price(providers: &[Provider]) -> Option<f64> {
    let (mut paid, mut seats, mut prices, mut active) = (0.0, 0.0, 0.0, 0.0);
    for p in providers.iter().filter(|p| p.is_active()) {
        paid += p.price * p.seats_used as f64;
        seats += p.seats_used as f64;
        prices += p.price;
        active += 1.0;
    }
    if seats > 0.0 {
        Some(paid / seats)
    } else if active > 0.0 {
        Some(prices / active)
    } else {
        None
    }
}

/// The provider's share of the day's money, for the record.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProviderBooks {
    /// Revenue received.
    pub revenue: f64,
    /// Running costs paid.
    pub costs: f64,
    /// Capacity investment paid (provisioning of seats ordered, and moving
    /// seats out of jurisdictions that acted).
    pub investment: f64,
}

impl Provider {
    /// A provider from its economic parameters, located in `places`.
    pub fn new(
        name: String,
        economics: &ProviderTemplate,
        status: ProviderStatus,
        places: &Jurisdictions,
    ) -> Self {
        let registered = &economics.jurisdiction;
        let home = places.shares(&economics.located, registered);
        Provider {
            name,
            class: economics.class.clone(),
            jurisdiction: economics.jurisdiction.clone(),
            status,
            capacity: economics.capacity_seats,
            seats_used: 0,
            price: economics.price_usd,
            list_price: economics.price_usd,
            base_unit_cost: economics.unit_cost_usd_per_seat_day,
            fixed_cost: economics.fixed_cost_usd_per_day,
            reputation: economics.reputation,
            quality: economics.quality.unwrap_or(economics.reputation),
            resilience: economics.resilience,
            base_resilience: economics.resilience,
            cash: economics.cash_usd,
            revenue_today: 0.0,
            orders: Vec::new(),
            located: home.clone(),
            home,
            storefront: places.shares(&economics.storefront, registered),
            operators_in: places.index(economics.operators_in.as_ref().unwrap_or(registered)),
            payments: places.shares(&economics.payments, registered),
            data_in: places.index(economics.data_in.as_ref().unwrap_or(registered)),
        }
    }

    /// Selling today.
    pub fn is_active(&self) -> bool {
        self.status == ProviderStatus::Active
    }

    /// Seats it could still rent out.
    pub fn spare_seats(&self) -> f64 {
        (self.capacity - self.seats_used as f64).max(0.0)
    }

    /// Running cost per seat-day now: resilience beyond the starting level costs extra.
    pub fn unit_cost(&self, market: &Market) -> f64 {
        self.base_unit_cost
            + market.resilience_cost_usd_per_seat_day * (self.resilience - self.base_resilience)
    }

    /// Pay the day's running costs out of the day's revenue; returns the books.
    pub fn settle_day(&mut self, market: &Market) -> ProviderBooks {
        let costs = match self.status {
            ProviderStatus::Gone => 0.0,
            _ => self.capacity * self.unit_cost(market) + self.fixed_cost,
        };
        let books = ProviderBooks {
            revenue: self.revenue_today,
            costs,
            investment: 0.0,
        };
        self.cash += books.revenue - books.costs;
        self.revenue_today = 0.0;
        books
    }

    /// Seats paid for and not yet installed.
    pub fn seats_on_order(&self) -> f64 {
        self.orders.iter().map(|o| o.seats).sum()
    }

    /// Expected margin of one more seat of capacity over the investment
    /// horizon: rented at target utilisation at today's price, paying its
    /// running cost every day (MODEL.md 7.8).
    pub fn seat_margin(&self, market: &Market) -> f64 {
        let revenue_per_day =
            market.target_utilisation * self.price / f64::from(market.subscription_days);
        market.investment_horizon_days * (revenue_per_day - self.unit_cost(market))
    }

    /// Plan capacity against the demand it sees (MODEL.md 7.8): order seats
    /// when the target exceeds capacity installed and on order and a seat
    /// pays for its provisioning, or retire idle seats at a bounded rate.
    /// New seats are placed as `siting` says. Returns the investment paid
    /// today.
    pub fn plan_capacity(
        &mut self,
        demand_seats: f64,
        market: &Market,
        day: u32,
        siting: &Siting,
    ) -> f64 {
        let target = demand_seats / market.target_utilisation;
        let planned = self.capacity + self.seats_on_order();
        if target > planned {
            return self.invest(target - planned, market, day, siting);
        }
        if target < self.capacity {
            let step =
                (target - self.capacity).max(-market.capacity_shrink_per_day * self.capacity);
            self.capacity = (self.capacity + step).max(self.seats_used as f64);
        }
        0.0
    }

    /// Order up to `gap` seats if a seat's margin over the horizon exceeds
    /// its provisioning cost (where `siting` places it: `cost_factor` of each
    /// jurisdiction): no more than the size-class ceiling
    /// (`capacity_growth_per_day` of its capacity, floored at
    /// `capacity_min_step_seats`) nor than its cash pays for beyond a reserve
    /// of one subscription period of running costs; paid now, installed
    /// `investment_lead_days` later, where `siting` places them. Returns
    /// the amount paid.
    fn invest(&mut self, gap: f64, market: &Market, day: u32, siting: &Siting) -> f64 {
        let placement = siting.place(&self.home);
        let cost = market.provisioning_cost_usd_per_seat * siting.places.cost_factor(&placement);
        if self.seat_margin(market) <= cost {
            return 0.0;
        }
        let ceiling =
            market.capacity_growth_per_day * self.capacity.max(market.capacity_min_step_seats);
        let affordable = if cost > 0.0 {
            (self.cash - self.reserve(market)).max(0.0) / cost
        } else {
            f64::INFINITY
        };
        let seats = gap.min(ceiling).min(affordable);
        if seats <= 0.0 {
            return 0.0;
        }
        self.orders.push(Order {
            arrival_day: day + market.investment_lead_days,
            seats,
            placement,
        });
        let paid = seats * cost;
        self.cash -= paid;
        paid
    }

    /// Cash kept out of investment: running costs of its capacity,
    /// installed and on order, for one subscription period, so that buying
    /// capacity cannot by itself leave it unable to pay its costs.
    pub fn reserve(&self, market: &Market) -> f64 {
        let seats = self.capacity + self.seats_on_order();
        f64::from(market.subscription_days) * (seats * self.unit_cost(market) + self.fixed_cost)
    }

    /// Install the seats whose order arrives by internal `day`, where each
    /// order placed them.
    pub fn receive_orders(&mut self, day: u32) {
        let arrived: f64 = self
            .orders
            .iter()
            .filter(|o| o.arrival_day <= day)
            .map(|o| o.seats)
            .sum();
        if arrived > 0.0 {
            let mut installed = self.capacity;
            for order in self.orders.iter().filter(|o| o.arrival_day <= day) {
                mix(&mut self.located, installed, &order.placement, order.seats);
                installed += order.seats;
            }
            self.capacity += arrived;
            self.orders.retain(|o| o.arrival_day > day);
        }
    }

    /// Move the price towards the target set by cost, scarcity and risk.
    pub fn adjust_price(&mut self, class_pressure: f64, market: &Market) {
        let cost_pass_through =
            f64::from(market.subscription_days) * (self.unit_cost(market) - self.base_unit_cost);
        let utilisation = if self.capacity > 0.0 {
            self.seats_used as f64 / self.capacity
        } else {
            1.0
        };
        let scarcity =
            (market.price_scarcity_elasticity * (utilisation - market.target_utilisation)).exp();
        let target = (self.list_price + cost_pass_through) * scarcity
            + market.risk_premium_usd * class_pressure;
        self.price += market.price_adjust_per_day * (target - self.price);
    }

    /// Reputation moves a share `reputation_growth_per_day` of the way to
    /// the provider's own quality while it sells.
    pub fn grow_reputation(&mut self, market: &Market) {
        self.reputation += market.reputation_growth_per_day * (self.quality - self.reputation);
    }

    /// A takedown hit it: reputation falls and the provider learns resilience.
    pub fn suffer_hit(&mut self, market: &Market) {
        self.reputation *= 1.0 - market.reputation_loss_on_hit;
        self.learn_resilience(market.resilience_learning_hit);
    }

    /// Move resilience a share of the way to 1.
    pub fn learn_resilience(&mut self, share: f64) {
        self.resilience += share * (1.0 - self.resilience);
    }
}
