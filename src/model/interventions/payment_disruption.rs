//! Payment disruption (`kind = "payment_disruption"`): for a while, fewer
//! sign-ups convert (`conversion_factor`) and every payment costs a share
//! `fee_share` more. Its fields, checks, effect and description.
//!
//! With a `coalition` (MODEL.md 7.17) it reaches only the payment channels
//! located where its partners act: on its first day, the reach `R` is the
//! capacity-weighted share of the providers' payment channels (providers
//! not gone) in those jurisdictions, and the window's factor is
//! `conversion_factor + (1 - R) x (1 - conversion_factor)` and its fee
//! share `R x fee_share` (a full reach is the disruption as written).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Context;
use super::coalition::{self, Coalition, Partner};
use crate::check::{Checks, Seg, key};
use crate::model::params::When;
use crate::model::provider::ProviderStatus;
use crate::model::world::{Window, World};

/// Payment disruption, as written in a scenario.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PaymentDisruption {
    /// When it starts.
    pub start: When,
    /// How long it lasts.
    pub duration_days: u32,
    /// Multiplier on the share of sign-ups that convert, in [0, 1].
    pub conversion_factor: f64,
    /// Extra cost of a payment as a share of its value.
    pub fee_share: f64,
    /// Cost to the defender, in dollars (with a `coalition`, its partners'
    /// `cost_usd` instead).
    #[serde(default)]
    pub cost_usd: f64,
    /// Who acts, where: only the payment channels located there are reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coalition: Option<Vec<Partner>>,
}

/// Payment disruption resolved: until `end_day` (exclusive).
#[derive(Debug, Clone)]
pub struct Plan {
    /// Internal day it ends (exclusive).
    pub end_day: u32,
    /// Multiplier on sign-up conversion.
    pub conversion_factor: f64,
    /// Extra cost of a payment as a share of its value.
    pub fee_share: f64,
    /// Who acts, when a coalition does.
    pub coalition: Option<Coalition>,
}

impl PaymentDisruption {
    /// The defender's cost: `cost_usd`, or its coalition's.
    pub fn cost_usd(&self) -> f64 {
        coalition::cost_usd(self.coalition.as_ref(), self.cost_usd)
    }

    /// Check the fields and resolve them (it starts on recorded `day`).
    pub fn resolve(&self, check: &mut dyn Checks, at: &[Seg], context: &Context, day: u32) -> Plan {
        check.days(&key(at, "duration_days"), self.duration_days, 0);
        check.probability(&key(at, "conversion_factor"), self.conversion_factor);
        check.range(&key(at, "fee_share"), self.fee_share, 0.0, 100.0);
        let partners = self.coalition.as_ref();
        let coalition = coalition::resolve_for(check, at, partners, self.cost_usd, context.places);
        Plan {
            coalition,
            end_day: context.internal(day).saturating_add(self.duration_days),
            conversion_factor: self.conversion_factor,
            fee_share: self.fee_share,
        }
    }
}

impl Plan {
    /// Open its window on internal `day`: [`World::conversion`] and
    /// [`World::fee_share`] read the windows open on a day.
    pub fn apply(&self, world: &mut World, day: u32) {
        let reach = self.coalition.as_ref().map_or(1.0, |c| reach(world, c));
        world.payment_windows.push(Window {
            start_day: day,
            end_day: self.end_day,
            factor: self.conversion_factor + (1.0 - reach) * (1.0 - self.conversion_factor),
            fee_share: reach * self.fee_share,
        });
    }

    /// What it does, for people (it lasts `days`).
    pub fn describe(&self, days: u32) -> String {
        let by = match &self.coalition {
            Some(c) if !c.partners.is_empty() => {
                format!(
                    "{} (on the payment channels located where they act)",
                    c.by()
                )
            }
            Some(c) => c.by(),
            None => String::new(),
        };
        format!(
            "payment disruption{by} for {days} days: sign-ups convert x{}, payments cost {:.0}% more",
            self.conversion_factor,
            100.0 * self.fee_share
        )
    }
}

/// The share of the market's payment channels the coalition reaches:
/// each provider not gone weighs by its capacity (equally when the market
/// has none).
fn reach(world: &World, coalition: &Coalition) -> f64 {
    let alive = || (world.providers.iter()).filter(|p| p.status != ProviderStatus::Gone);
    let capacity: f64 = alive().map(|p| p.capacity).sum();
    let count = alive().count() as f64;
    let weight = |c: f64| {
        if capacity > 0.0 {
            c / capacity
        } else {
            1.0 / count
        }
    };
    alive()
        .map(|p| weight(p.capacity) * coalition.reach(&p.payments))
        .sum()
}
