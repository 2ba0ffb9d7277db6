//! The time budget of a room's run: a what-if whose estimated run time
//! exceeds it is refused with the reason, before it starts. (Memory is
//! checked by the scenario's own validation, as for `caasim run`.)

use crate::model::Model;

/// Longest estimated run the room accepts, in seconds: a room waits a few
/// seconds at most; a larger question belongs to `caasim run`.
pub const MAX_SECONDS: f64 = 30.0;

/// Attacker-days one core simulates a second, as the room runs them: the
/// request path of `redvds-2026` (baseline and takedown, 10 replications:
/// [`attacker_days`] gives 10 x 2,060 x (365 + 2 x 300) = 19.9 million)
/// answered in a median 0.84 s on 2 cores (`caasim bench --serve`), which
/// is 11.8 million per core-second, rounded here to 12 million. A slower
/// machine takes longer than estimated, and a faster one is refused early.
const ATTACKER_DAYS_PER_CORE_SECOND: f64 = 12e6;

/// The run's size in attacker-days: each replication simulates its
/// burn-in and the days before the first intervention once, then every
/// arm's days (counted whole: an upper bound).
pub fn attacker_days(model: &Model) -> f64 {
    let attackers: f64 = model
        .attacker_types
        .iter()
        .map(|a| f64::from(a.count))
        .sum();
    let days = f64::from(model.burn_in_days) + f64::from(model.days) * model.arms.len() as f64;
    f64::from(model.replications) * attackers * days
}

/// The estimated run time on `threads` cores, in seconds.
pub fn estimated_seconds(model: &Model, threads: usize) -> f64 {
    attacker_days(model) / (ATTACKER_DAYS_PER_CORE_SECOND * threads.max(1) as f64)
}

/// Why the room refuses to run `model` on `threads` cores, if it does.
pub fn refusal(model: &Model, threads: usize) -> Option<String> {
    let seconds = estimated_seconds(model, threads);
    (seconds > MAX_SECONDS).then(|| {
        format!(
            "this what-if would take about {seconds:.0} s here ({} replications of {} arms), more than the room's budget of {MAX_SECONDS:.0} s; allowed: fewer replications or arms (or run the exported scenario with `caasim run`)",
            model.replications,
            model.arms.len()
        )
    })
}
