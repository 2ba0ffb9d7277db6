//! Memory: an estimate of what a run of a scenario holds at once, and the
//! memory available to check it against.

use super::{WAVE_PER_THREAD, gib_var};
use crate::model::config::{Action, ArmPlan, SegmentSpec};
use crate::model::entry::MAX_PROVIDERS_EVER;
use crate::model::params::Scenario;

/// Set this environment variable to `1` to run scenarios that the memory
/// check refuses (e.g. on a machine with more memory, or knowingly into swap).
pub const NO_MEMORY_CHECK_VAR: &str = "CAASIM_NO_MEMORY_CHECK";

/// The memory a run of a scenario needs: its largest terms, in bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemoryEstimate {
    /// Attackers held by one simulated world: the starting population, plus
    /// the thirty-second of departed attackers kept until compaction.
    pub attackers_per_world: f64,
    /// Bytes per attacker (`size_of::<Attacker>()`).
    pub bytes_per_attacker: usize,
    /// Worlds in memory at once: a trunk and one arm's branch for each
    /// replication in flight (one replication per thread).
    pub worlds: f64,
    /// Runs whose records are held at once: arms x the replications of one
    /// wave ([`super::wave_size`]); the tables are written as
    /// each wave finishes, so this does not grow with replications.
    pub runs: f64,
    /// Bytes of one world (attackers, providers, segments).
    pub bytes_per_world: f64,
    /// Bytes of the records of one run (days, provider snapshots, segment totals).
    pub record_bytes_per_run: f64,
    /// Bytes of the model shared by all runs (segments, schedules).
    pub model_bytes: f64,
    /// Bytes of the provider sums kept while the tables are written
    /// (arms x days x providers).
    pub table_bytes: f64,
}

impl MemoryEstimate {
    /// Bytes in all.
    pub fn total_bytes(&self) -> f64 {
        self.worlds * self.bytes_per_world
            + self.runs * self.record_bytes_per_run
            + self.model_bytes
            + self.table_bytes
    }

    /// Bytes of the attackers of all worlds in memory.
    pub fn attacker_bytes(&self) -> f64 {
        self.worlds * self.attackers_per_world * self.bytes_per_attacker as f64
    }

    /// Bytes of the records of all runs.
    pub fn record_bytes(&self) -> f64 {
        self.runs * self.record_bytes_per_run
    }
}

/// Bytes of one provider's sums on one day while the tables are written: a
/// map entry with the provider's name and class and eight sums.
const PROVIDER_SUM_BYTES: f64 = 192.0;

/// Estimate the memory of running the scenario with `threads` threads.
/// `arms` are the resolved arms (the baseline included) when known.
pub fn memory_estimate(
    s: &Scenario,
    segments: usize,
    arms: &[ArmPlan],
    threads: usize,
) -> MemoryEstimate {
    use crate::engine::record::{DayRecord, ProviderDay};
    use crate::model::attacker::Attacker;
    use crate::model::provider::Provider;
    use std::mem::size_of;

    let finite = |x: f64| if x.is_finite() { x.max(0.0) } else { 0.0 };
    let days = f64::from(s.scenario.days);
    let total_days = days + f64::from(s.scenario.burn_in_days);
    let attackers: f64 = s.attackers.iter().map(|a| f64::from(a.count)).sum::<f64>() * 33.0 / 32.0;
    // Providers are kept (and snapshotted daily) after they leave: those at
    // the start and the entrants, within the cap on providers alive.
    let providers_start: f64 = s.providers.iter().map(|p| f64::from(p.count)).sum();
    let entrants = (finite(s.entry.base_per_day) + finite(s.entry.max_per_day)) * total_days;
    let cap = providers_start.max(f64::from(s.entry.max_providers));
    let providers = (providers_start + entrants)
        .min(cap)
        .min(MAX_PROVIDERS_EVER as f64);
    let arm_count = if arms.is_empty() {
        s.arms.len() + usize::from(!s.arms.iter().any(|a| a.name == "baseline"))
    } else {
        arms.len()
    };
    let replications = f64::from(s.scenario.replications);
    let wave = (WAVE_PER_THREAD * threads.max(1)) as f64;
    let runs = arm_count as f64 * replications.min(wave);
    let per_replication = if arm_count > 1 { 2.0 } else { 1.0 };
    let segments = segments as f64;
    // Compromises and losses per provider and segment.
    let attributed = providers * segments * (size_of::<u64>() + size_of::<f64>()) as f64;
    let world = attackers * size_of::<Attacker>() as f64
        + providers * size_of::<Provider>() as f64
        + segments * (size_of::<SegmentSpec>() + 2 * size_of::<f64>()) as f64
        + attributed;
    let records = days
        * (size_of::<DayRecord>() as f64
            + size_of::<Vec<ProviderDay>>() as f64
            + providers * size_of::<ProviderDay>() as f64)
        + attributed;
    let schedules: f64 = arms
        .iter()
        .flat_map(|a| &a.actions)
        .map(|a| (size_of::<Action>() + 4 * a.repeats.len() + a.effect.heap_bytes()) as f64)
        .sum();
    MemoryEstimate {
        attackers_per_world: attackers,
        bytes_per_attacker: size_of::<Attacker>(),
        worlds: (threads.max(1) as f64).min(replications.max(1.0)) * per_replication,
        runs,
        bytes_per_world: world,
        record_bytes_per_run: records,
        model_bytes: segments * size_of::<SegmentSpec>() as f64 + schedules,
        table_bytes: arm_count as f64 * days * providers * PROVIDER_SUM_BYTES,
    }
}

/// Set this environment variable to a number of GiB to check scenarios
/// against that much memory instead of this machine's (e.g. to plan a run
/// for a cluster node, or to make tests independent of the machine).
pub const MEMORY_GIB_VAR: &str = "CAASIM_MEMORY_GIB";

/// Memory this process may still use, in bytes: [`MEMORY_GIB_VAR`] when set,
/// else `MemAvailable` of `/proc/meminfo`, lowered to the room left under a
/// cgroup (v2) limit; `None` when unknown (then nothing is refused).
pub fn available_memory() -> Option<f64> {
    match gib_var(MEMORY_GIB_VAR) {
        Ok(Some(bytes)) => return Some(bytes),
        // Malformed: `caasim` refuses it at start; a library caller gets no check.
        Err(_) => return None,
        Ok(None) => {}
    }
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let available_kib: f64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemAvailable:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    let mut available = available_kib * 1024.0;
    let read = |name: &str| -> Option<f64> {
        std::fs::read_to_string(format!("/sys/fs/cgroup/{name}"))
            .ok()?
            .trim()
            .parse()
            .ok()
    };
    if let (Some(max), Some(current)) = (read("memory.max"), read("memory.current")) {
        available = available.min((max - current).max(0.0));
    }
    Some(available)
}
