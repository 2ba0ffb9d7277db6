//! Deterrence messaging (`kind = "deterrence_messaging"`): for a while,
//! arrivals of new attackers are multiplied by `arrival_factor`, and every
//! attacker's perceived risk jumps by `risk_shock` once. Its fields, checks,
//! effect and description.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Context;
use crate::check::{Checks, Seg, key};
use crate::model::params::When;
use crate::model::world::{Window, World};

/// Deterrence messaging, as written in a scenario.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DeterrenceMessaging {
    /// When it starts.
    pub start: When,
    /// How long arrivals stay lowered.
    pub duration_days: u32,
    /// Multiplier on arrivals while it lasts, in [0, 1].
    pub arrival_factor: f64,
    /// Jump in every attacker's perceived risk.
    pub risk_shock: f64,
    /// Cost to the defender, in dollars.
    #[serde(default)]
    pub cost_usd: f64,
}

/// Deterrence messaging resolved: until `end_day` (exclusive).
#[derive(Debug, Clone)]
pub struct Plan {
    /// Internal day it ends (exclusive).
    pub end_day: u32,
    /// Multiplier on arrivals.
    pub arrival_factor: f64,
    /// Jump in every attacker's perceived risk.
    pub risk_shock: f64,
}

impl DeterrenceMessaging {
    /// Check the fields and resolve them (it starts on recorded `day`).
    pub fn resolve(&self, check: &mut dyn Checks, at: &[Seg], context: &Context, day: u32) -> Plan {
        check.days(&key(at, "duration_days"), self.duration_days, 0);
        check.probability(&key(at, "arrival_factor"), self.arrival_factor);
        check.range(&key(at, "risk_shock"), self.risk_shock, 0.0, 1e6);
        Plan {
            end_day: context.internal(day).saturating_add(self.duration_days),
            arrival_factor: self.arrival_factor,
            risk_shock: self.risk_shock,
        }
    }
}

impl Plan {
    /// Open its window on internal `day` ([`World::arrival_factor`] reads
    /// it) and raise everyone's perceived risk.
    pub fn apply(&self, world: &mut World, day: u32) {
        world.messaging_windows.push(Window {
            start_day: day,
            end_day: self.end_day,
            factor: self.arrival_factor,
            fee_share: 0.0,
        });
        if self.risk_shock > 0.0 {
            world.ambient_risk += self.risk_shock;
            world.events.risk_shock = true;
        }
    }

    /// What it does, for people (it lasts `days`).
    pub fn describe(&self, days: u32) -> String {
        format!(
            "deterrence messaging for {days} days: arrivals x{}, perceived risk +{}",
            self.arrival_factor, self.risk_shock
        )
    }
}
