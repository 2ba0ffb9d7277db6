//! Payment disruption (`kind = "payment_disruption"`): for a while, fewer
//! sign-ups convert (`conversion_factor`) and every payment costs a share
//! `fee_share` more. Its fields, checks, effect and description.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Context;
use crate::check::{Checks, Seg, key};
use crate::model::params::When;
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
    /// Cost to the defender, in dollars.
    #[serde(default)]
    pub cost_usd: f64,
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
}

impl PaymentDisruption {
    /// Check the fields and resolve them (it starts on recorded `day`).
    pub fn resolve(&self, check: &mut dyn Checks, at: &[Seg], context: &Context, day: u32) -> Plan {
        check.days(&key(at, "duration_days"), self.duration_days, 0);
        check.probability(&key(at, "conversion_factor"), self.conversion_factor);
        check.range(&key(at, "fee_share"), self.fee_share, 0.0, 100.0);
        Plan {
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
        world.payment_windows.push(Window {
            start_day: day,
            end_day: self.end_day,
            factor: self.conversion_factor,
            fee_share: self.fee_share,
        });
    }

    /// What it does, for people (it lasts `days`).
    pub fn describe(&self, days: u32) -> String {
        format!(
            "payment disruption for {days} days: sign-ups convert x{}, payments cost {:.0}% more",
            self.conversion_factor,
            100.0 * self.fee_share
        )
    }
}
