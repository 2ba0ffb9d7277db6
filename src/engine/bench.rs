//! Measuring the engine: throughput of the day step and peak memory, for
//! `caasim bench` and the criterion benchmarks under `benches/`.
//!
//! The workload is a market (by default `benches/market.toml`, built in)
//! scaled to a number of attackers by [`scale_market`], stepped through
//! untimed warm-up days and then through timed days. Throughput counts every
//! attacker in the population on each timed day (working, searching, waiting
//! and dormant alike; attackers who left for good are not counted), so a
//! market where few attackers work is not made to look fast.

use std::time::{Duration, Instant};

use super::step;
use crate::model::config::Model;
use crate::model::world::World;

/// The benchmark market: the generic market at 10,000 attackers, baseline only.
pub const MARKET_TOML: &str = include_str!("../../benches/market.toml");

/// Where [`MARKET_TOML`] says it comes from in messages.
pub const MARKET_ORIGIN: &str = "benches/market.toml";

/// One measurement of the day step.
#[derive(Debug, Clone, Copy)]
pub struct Measurement {
    /// Attackers at the start (the size asked for).
    pub attackers: u64,
    /// Threads the step ran on.
    pub threads: usize,
    /// Timed days.
    pub days: u32,
    /// Attackers in the population summed over the timed days.
    pub attacker_days: u64,
    /// Working attackers summed over the timed days.
    pub working_days: u64,
    /// Wall time of the timed days.
    pub elapsed: Duration,
    /// Attackers held at the end (the population; those who left for good are dropped).
    pub held: u64,
    /// Peak resident memory of the process since the measurement began,
    /// when the system reports it.
    pub peak_rss_bytes: Option<u64>,
}

impl Measurement {
    /// Attacker-days per second of wall time.
    pub fn attacker_days_per_second(&self) -> f64 {
        self.attacker_days as f64 / self.elapsed.as_secs_f64()
    }
}

/// Multiply the market's size by `factor`: attacker counts, and each
/// provider's capacity, fixed cost and cash (the entrant template's too), so
/// that shares, prices and margins stay as they were.
pub fn scale_market(model: &mut Model, factor: f64) {
    for kind in &mut model.attacker_types {
        kind.count = (f64::from(kind.count) * factor).round() as u32;
    }
    let templates = model.providers.iter_mut().map(|p| &mut p.economics);
    for template in templates.chain([&mut model.entry.template]) {
        template.capacity_seats *= factor;
        template.fixed_cost_usd_per_day *= factor;
        template.cash_usd *= factor;
    }
}

/// Attackers the model starts with.
pub fn initial_attackers(model: &Model) -> u64 {
    model
        .attacker_types
        .iter()
        .map(|t| u64::from(t.count))
        .sum()
}

/// The model scaled to `attackers` attackers at the start.
pub fn model_with_attackers(base: &Model, attackers: u64) -> Model {
    let mut model = base.clone();
    scale_market(
        &mut model,
        attackers as f64 / initial_attackers(base) as f64,
    );
    model
}

/// The state after `warmup_days` days of the baseline arm, replication 0.
pub fn warmed_up(model: &Model, warmup_days: u32) -> World<'_> {
    let mut world = World::new(model, &model.arms[0], 0);
    for day in 0..warmup_days {
        step(&mut world, day);
    }
    world
}

/// Attacker-days stepped: the population at the start of each day, summed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AttackerDays {
    /// Every attacker in the population.
    pub all: u64,
    /// Working attackers.
    pub working: u64,
}

/// Step `world` through `days` more days from `first_day`.
pub fn step_days(world: &mut World, first_day: u32, days: u32) -> AttackerDays {
    let mut stepped = AttackerDays::default();
    for day in first_day..first_day + days {
        let counts = world.counts;
        stepped.all += counts.working + counts.searching + counts.dormant;
        stepped.working += counts.working;
        step(world, day);
    }
    stepped
}

/// Measure `days` timed days after `warmup_days` untimed ones, at `attackers`
/// attackers, on the current rayon pool.
pub fn measure(base: &Model, attackers: u64, warmup_days: u32, days: u32) -> Measurement {
    let peak_resettable = reset_peak_rss();
    let model = model_with_attackers(base, attackers);
    let mut world = warmed_up(&model, warmup_days);
    let start = Instant::now();
    let stepped = step_days(&mut world, warmup_days, days);
    let elapsed = start.elapsed();
    Measurement {
        attackers,
        threads: rayon::current_num_threads(),
        days,
        attacker_days: stepped.all,
        working_days: stepped.working,
        elapsed,
        held: world.population.len() as u64,
        peak_rss_bytes: peak_resettable.then(peak_rss_bytes).flatten(),
    }
}

/// Peak resident memory of this process (`VmHWM` of `/proc/self/status`).
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Reset the peak resident memory to the current one (Linux 4.0 and later);
/// false when the system does not allow it.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}
