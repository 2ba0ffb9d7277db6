//! What the intervals of a results folder's report cover, in words, so
//! that every table, caption and legend says it the same way.
//!
//! At fixed parameter values the 95% interval of a mean is over the
//! replications and holds only the variation between them; in an ensemble
//! `summary.csv`'s is over the parameter draws' means, and the 90% interval
//! across the ensemble is the spread of those means (see `docs/RESULTS.md`,
//! "What the intervals cover").

use super::data::Results;
use super::uncertainty::draws_text;

/// The 90% interval across an ensemble and what it covers.
pub const ACROSS_ENSEMBLE: &str =
    "90% interval across the ensemble: parameter uncertainty and noise";

/// The replications of the run in words: "30 replications".
pub fn replications_text(results: &Results) -> String {
    match results.manifest.replications {
        Some(1) => "1 replication".into(),
        Some(n) => format!("{n} replications"),
        None => "the replications".into(),
    }
}

/// The 95% interval of a mean of `summary.csv` (and of the compromises
/// averted) and what it covers: over the replications at fixed values,
/// over the parameter draws in an ensemble.
pub fn of_mean(results: &Results) -> String {
    match results.is_ensemble() {
        false => format!(
            "95% interval of the mean over {}: variation between replications only \
             (the scenario's parameters fixed)",
            replications_text(results)
        ),
        true => format!(
            "95% interval of the mean over {} parameter draws",
            draws_text(results)
        ),
    }
}

/// The daily bands of the plots over time and what they cover: always
/// over the replications, which in an ensemble come from several draws.
pub fn of_daily_mean(results: &Results) -> String {
    let reps = replications_text(results);
    match results.is_ensemble() {
        false => format!(
            "95% interval of the daily mean over {reps}: variation between replications only \
             (the scenario's parameters fixed)"
        ),
        true => format!(
            "95% interval of the daily mean over {reps}, pooled across {} parameter draws as \
             if independent (parameter uncertainty and noise; narrower than an interval over \
             the draws)",
            draws_text(results)
        ),
    }
}
