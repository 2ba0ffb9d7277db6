//! Interventions, one module per kind. Each kind's module holds everything
//! about it: its fields in a scenario file (a serde struct), their checks and
//! resolution into a plan on internal days, what the plan does on the day it
//! acts, and its one-line description. This module only dispatches: the
//! enums below list the kinds, and every `match` on them is exhaustive, so a
//! new kind is a compile error at each place that must handle it.
//!
//! Adding a kind: see "Adding an intervention kind" in the README's
//! architecture section.

pub mod coalition;
pub mod deterrence_messaging;
pub mod payment_disruption;
pub mod takedown;
pub mod victim_hardening;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::config::{Model, SegmentSpec};
use super::params::{Scenario, When};
use super::seizure::Seized;
use super::world::World;
use crate::check::{Checks, Seg};

/// An intervention of an arm, tagged by `kind`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Intervention {
    /// Seize capacity, domains and perhaps customer data of the targeted providers.
    Takedown(takedown::Takedown),
    /// A takedown of the current top provider(s) repeated every `every_days` days.
    SustainedPressure(takedown::Takedown),
    /// For a while, fewer sign-ups convert and every payment costs more.
    PaymentDisruption(payment_disruption::PaymentDisruption),
    /// Warnings that lower arrivals and raise perceived risk.
    DeterrenceMessaging(deterrence_messaging::DeterrenceMessaging),
    /// Raise MFA adoption or lower the bypass share in chosen segments.
    VictimHardening(victim_hardening::VictimHardening),
}

/// Parse an intervention table (without its `kind`) as one kind's fields:
/// the parser's error, if any.
pub type ParseKind = fn(&str) -> Option<toml::de::Error>;

/// The `kind` tags as written in scenario files, each with the check of an
/// intervention table of that kind alone (the parser's message for a wrong
/// field, so that the scenario layer can place it at its line).
pub const KINDS: &[(&str, ParseKind)] = &[
    ("takedown", |text| {
        toml::from_str::<takedown::Takedown>(text).err()
    }),
    ("sustained_pressure", |text| {
        toml::from_str::<takedown::Takedown>(text).err()
    }),
    ("payment_disruption", |text| {
        toml::from_str::<payment_disruption::PaymentDisruption>(text).err()
    }),
    ("deterrence_messaging", |text| {
        toml::from_str::<deterrence_messaging::DeterrenceMessaging>(text).err()
    }),
    ("victim_hardening", |text| {
        toml::from_str::<victim_hardening::VictimHardening>(text).err()
    }),
];

impl Intervention {
    /// The day or date the intervention first acts.
    pub fn start(&self) -> &When {
        match self {
            Intervention::Takedown(t) | Intervention::SustainedPressure(t) => &t.start,
            Intervention::PaymentDisruption(p) => &p.start,
            Intervention::DeterrenceMessaging(d) => &d.start,
            Intervention::VictimHardening(h) => &h.start,
        }
    }

    /// Who carries it out, when it names a coalition (takedowns and payment
    /// disruptions may).
    pub fn coalition(&self) -> Option<&Vec<coalition::Partner>> {
        match self {
            Intervention::Takedown(t) | Intervention::SustainedPressure(t) => t.coalition.as_ref(),
            Intervention::PaymentDisruption(p) => p.coalition.as_ref(),
            Intervention::DeterrenceMessaging(_) | Intervention::VictimHardening(_) => None,
        }
    }

    /// Its coalition, to change (see [`Intervention::coalition`]).
    pub fn coalition_mut(&mut self) -> Option<&mut Vec<coalition::Partner>> {
        match self {
            Intervention::Takedown(t) | Intervention::SustainedPressure(t) => t.coalition.as_mut(),
            Intervention::PaymentDisruption(p) => p.coalition.as_mut(),
            Intervention::DeterrenceMessaging(_) | Intervention::VictimHardening(_) => None,
        }
    }

    /// Its `kind` tag, as written in scenario files.
    pub fn kind(&self) -> &'static str {
        match self {
            Intervention::Takedown(_) => "takedown",
            Intervention::SustainedPressure(_) => "sustained_pressure",
            Intervention::PaymentDisruption(_) => "payment_disruption",
            Intervention::DeterrenceMessaging(_) => "deterrence_messaging",
            Intervention::VictimHardening(_) => "victim_hardening",
        }
    }

    /// The defender's cost of one action, in dollars.
    pub fn cost_usd(&self) -> f64 {
        match self {
            Intervention::Takedown(t) | Intervention::SustainedPressure(t) => t.cost_usd(),
            Intervention::PaymentDisruption(p) => p.cost_usd(),
            Intervention::DeterrenceMessaging(d) => d.cost_usd,
            Intervention::VictimHardening(h) => h.cost_usd,
        }
    }

    /// Check the fields (problems reported under `at`) and resolve them into
    /// what the intervention does when it first acts on recorded `day`.
    pub fn resolve(
        &self,
        check: &mut dyn Checks,
        at: &[Seg],
        context: &Context,
        day: u32,
    ) -> Effect {
        match self {
            Intervention::Takedown(t) | Intervention::SustainedPressure(t) => {
                Effect::Takedown(t.resolve(check, at, context))
            }
            Intervention::PaymentDisruption(p) => {
                Effect::PaymentDisruption(p.resolve(check, at, context, day))
            }
            Intervention::DeterrenceMessaging(d) => {
                Effect::DeterrenceMessaging(d.resolve(check, at, context, day))
            }
            Intervention::VictimHardening(h) => {
                Effect::VictimHardening(h.resolve(check, at, context))
            }
        }
    }

    /// Recorded days it acts on again after the first, `first` (checked).
    pub fn repeat_days(
        &self,
        check: &mut dyn Checks,
        at: &[Seg],
        context: &Context,
        first: u32,
    ) -> Vec<u32> {
        match self {
            Intervention::Takedown(t) => t.repeat_days(check, at, context, first, false),
            Intervention::SustainedPressure(t) => t.repeat_days(check, at, context, first, true),
            Intervention::PaymentDisruption(_)
            | Intervention::DeterrenceMessaging(_)
            | Intervention::VictimHardening(_) => Vec::new(),
        }
    }
}

/// What resolving an intervention needs besides its own fields.
pub struct Context<'s> {
    /// The scenario as written.
    pub scenario: &'s Scenario,
    /// Calendar date of day 0, when given (and valid).
    pub start: Option<NaiveDate>,
    /// The victim segments, when they could be built.
    pub segments: Option<&'s [SegmentSpec]>,
    /// Names a takedown's target can match.
    pub targets: &'s takedown::TargetNames,
    /// The jurisdictions the scenario names.
    pub places: &'s crate::model::jurisdiction::Jurisdictions,
}

impl Context<'_> {
    /// A `When` as a recorded day, checked to lie inside the run (0 when not).
    pub fn day(&self, check: &mut dyn Checks, path: &[Seg], when: &When) -> u32 {
        super::calendar::resolve_when(check, path, when, self.start, self.scenario.scenario.days)
    }

    /// The internal day (burn-in included) of recorded `day`.
    pub fn internal(&self, day: u32) -> u32 {
        self.scenario.scenario.burn_in_days.saturating_add(day)
    }
}

/// What an intervention does, resolved: each kind's plan.
#[derive(Debug, Clone)]
pub enum Effect {
    /// A takedown of the targeted providers.
    Takedown(takedown::Plan),
    /// Payment disruption for a while.
    PaymentDisruption(payment_disruption::Plan),
    /// Deterrence messaging for a while.
    DeterrenceMessaging(deterrence_messaging::Plan),
    /// Victim hardening of some segments.
    VictimHardening(victim_hardening::Plan),
}

impl Effect {
    /// Carry it out on internal `day`; it is action `action` of the arm (a
    /// takedown's strikes are recorded under it).
    pub fn apply(&self, world: &mut World, day: u32, action: usize) {
        match self {
            Effect::Takedown(plan) => plan.apply(world, day, action),
            Effect::PaymentDisruption(plan) => plan.apply(world, day),
            Effect::DeterrenceMessaging(plan) => plan.apply(world, day),
            Effect::VictimHardening(plan) => plan.apply(world, day),
        }
    }

    /// One line saying what it does, for people: it first acts on recorded
    /// `day` and acts `repeats` more times; a takedown says what its strikes
    /// seized in the run when `seized` is given, else what it asks for.
    pub fn describe(
        &self,
        model: &Model,
        day: u32,
        repeats: usize,
        seized: Option<&Seized>,
    ) -> String {
        let when = match model.date_of(day) {
            Some(date) => format!("day {day} ({date})"),
            None => format!("day {day}"),
        };
        let again = if repeats > 0 {
            format!(", repeated {repeats} more times")
        } else {
            String::new()
        };
        let days_until = |end_day: u32| end_day - day - model.burn_in_days;
        match self {
            Effect::Takedown(plan) => format!("{when}: {}", plan.describe(&again, seized)),
            Effect::PaymentDisruption(plan) => {
                format!("{when}: {}", plan.describe(days_until(plan.end_day)))
            }
            Effect::DeterrenceMessaging(plan) => {
                format!("{when}: {}", plan.describe(days_until(plan.end_day)))
            }
            Effect::VictimHardening(plan) => format!("{when}: {}", plan.describe()),
        }
    }

    /// Bytes its plan holds beyond its own size (for the memory estimate).
    pub fn heap_bytes(&self) -> usize {
        match self {
            Effect::VictimHardening(plan) => plan.heap_bytes(),
            Effect::Takedown(_) | Effect::PaymentDisruption(_) | Effect::DeterrenceMessaging(_) => {
                0
            }
        }
    }
}

/// Carry out every action of the arm scheduled on internal `day`, in the
/// arm's order, except that all its takedown strikes of the day act together
/// after the others, as one operation (MODEL.md 7.11). First, struck
/// operators whose rebrand is due today come back under their new brand.
pub fn act_today(world: &mut World, day: u32) {
    takedown::rebrand_due(world, day, None);
    let arm = world.arm;
    let mut operation = Vec::new();
    for (k, action) in arm.actions.iter().enumerate() {
        // `repeats` is in ascending order.
        if action.day == day || action.repeats.binary_search(&day).is_ok() {
            world.events.defender_cost_usd += action.cost_usd;
            match &action.effect {
                Effect::Takedown(plan) => operation.push((k, plan)),
                effect => effect.apply(world, day, k),
            }
        }
    }
    if !operation.is_empty() {
        takedown::operate(world, &operation, day);
    }
}
