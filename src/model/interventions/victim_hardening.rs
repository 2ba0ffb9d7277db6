//! Victim hardening (`kind = "victim_hardening"`): MFA adoption raised by
//! `mfa_adoption_increase` and the bypass share multiplied by
//! `bypass_share_factor` in the chosen segments (countries x sectors, or the
//! `top_segments` most exposed of them), ramping in linearly over
//! `ramp_days`. Its fields, checks, effect and description.

use std::collections::BTreeSet;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Context;
use crate::check::{Checks, Seg, key as check_key, listed};
use crate::model::config::SegmentSpec;
use crate::model::params::{Scenario, When};
use crate::model::world::{Hardening, World};

/// Victim hardening, as written in a scenario.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct VictimHardening {
    /// When it starts.
    pub start: When,
    /// Countries hardened (empty: all).
    #[serde(default)]
    pub countries: Vec<String>,
    /// Sectors hardened (empty: all).
    #[serde(default)]
    pub sectors: Vec<String>,
    /// Only the k most targeted of the chosen segments (0: all of them).
    #[serde(default)]
    pub top_segments: u32,
    /// Added MFA adoption (capped at 1).
    #[serde(default)]
    pub mfa_adoption_increase: f64,
    /// Multiplier on the bypass share, in [0, 1].
    #[serde(default = "one")]
    pub bypass_share_factor: f64,
    /// Days over which the change ramps in linearly (0: at once).
    #[serde(default)]
    pub ramp_days: u32,
    /// Cost to the defender, in dollars.
    #[serde(default)]
    pub cost_usd: f64,
}

fn one() -> f64 {
    1.0
}

/// Victim hardening resolved.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Indices of the hardened segments.
    pub segments: Vec<usize>,
    /// Added MFA adoption at full effect.
    pub mfa_adoption_increase: f64,
    /// Multiplier on the bypass share at full effect.
    pub bypass_share_factor: f64,
    /// Days to full effect.
    pub ramp_days: u32,
}

impl VictimHardening {
    /// Check the fields and resolve them.
    pub fn resolve(&self, check: &mut dyn Checks, at: &[Seg], context: &Context) -> Plan {
        check.probability(
            &check_key(at, "mfa_adoption_increase"),
            self.mfa_adoption_increase,
        );
        check.probability(
            &check_key(at, "bypass_share_factor"),
            self.bypass_share_factor,
        );
        check.days(&check_key(at, "ramp_days"), self.ramp_days, 0);
        let segments = hardened_segments(check, context.scenario, context.segments, at, self);
        Plan {
            segments,
            mfa_adoption_increase: self.mfa_adoption_increase,
            bypass_share_factor: self.bypass_share_factor,
            ramp_days: self.ramp_days,
        }
    }
}

impl Plan {
    /// Start the hardening on internal `day`; [`update`] ramps it in.
    pub fn apply(&self, world: &mut World, day: u32) {
        world.hardenings.push(Hardening {
            start_day: day,
            segments: self.segments.clone(),
            mfa_adoption_increase: self.mfa_adoption_increase,
            bypass_share_factor: self.bypass_share_factor,
            ramp_days: self.ramp_days,
        });
    }

    /// What it does, for people.
    pub fn describe(&self) -> String {
        format!(
            "victim hardening of {} segment(s): MFA adoption +{:.0} points, bypass share x{}, over {} days",
            self.segments.len(),
            100.0 * self.mfa_adoption_increase,
            self.bypass_share_factor,
            self.ramp_days
        )
    }

    /// Bytes of its list of segments.
    pub fn heap_bytes(&self) -> usize {
        std::mem::size_of::<usize>() * self.segments.len()
    }
}

/// Bring victim segments up to date with the hardenings under way.
pub fn update(world: &mut World, day: u32) {
    if world.hardenings.is_empty() {
        return;
    }
    let victims = &mut world.victims;
    for (s, spec) in victims.specs.iter().enumerate() {
        let mut mfa = spec.mfa_adoption;
        let mut bypass = spec.bypass_share;
        for h in world.hardenings.iter().filter(|h| h.segments.contains(&s)) {
            let progress = ramp(h, day);
            mfa += h.mfa_adoption_increase * progress;
            bypass *= 1.0 - (1.0 - h.bypass_share_factor) * progress;
        }
        victims.mfa_adoption[s] = mfa.min(1.0);
        victims.bypass_share[s] = bypass;
    }
    victims.refresh();
}

/// Share of a hardening's full effect reached on `day`.
fn ramp(h: &Hardening, day: u32) -> f64 {
    if h.ramp_days == 0 {
        return 1.0;
    }
    (f64::from(day.saturating_sub(h.start_day) + 1) / f64::from(h.ramp_days)).min(1.0)
}

/// Indices of the segments a hardening chooses (in the segment order of `scenario::validate`).
fn hardened_segments(
    check: &mut dyn Checks,
    s: &Scenario,
    segments: Option<&[SegmentSpec]>,
    at: &[Seg],
    h: &VictimHardening,
) -> Vec<usize> {
    let v = &s.victims;
    let countries: Vec<String> = v.countries.iter().map(|c| c.name.clone()).collect();
    let sectors: Vec<String> = v.sectors.iter().map(|c| c.name.clone()).collect();
    for (key, wanted, known) in [
        ("countries", &h.countries, &countries),
        ("sectors", &h.sectors, &sectors),
    ] {
        let known_set: BTreeSet<&String> = known.iter().collect();
        for name in wanted.iter().filter(|n| !known_set.contains(n)) {
            check.fail(
                &check_key(at, key),
                format!(
                    "{name:?} is not a victim {key} entry; allowed: one of {}",
                    listed(known)
                ),
            );
        }
    }
    let Some(segments) = segments else {
        return Vec::new();
    };
    let wanted_countries: BTreeSet<&String> = h.countries.iter().collect();
    let wanted_sectors: BTreeSet<&String> = h.sectors.iter().collect();
    let mut chosen: Vec<usize> = (0..segments.len())
        .filter(|&i| {
            (wanted_countries.is_empty() || wanted_countries.contains(&segments[i].country))
                && (wanted_sectors.is_empty() || wanted_sectors.contains(&segments[i].sector))
        })
        .collect();
    if h.top_segments > 0 {
        let exposure = |i: usize| segments[i].targeting * segments[i].compromise_prob;
        chosen.sort_by(|&a, &b| exposure(b).total_cmp(&exposure(a)).then(a.cmp(&b)));
        chosen.truncate(h.top_segments as usize);
        chosen.sort_unstable();
    }
    chosen
}
