//! Calibration of a scenario to observed targets by approximate Bayesian
//! computation with sequential Monte Carlo (ABC-SMC: Toni et al. 2009,
//! J. R. Soc. Interface 6:187; Beaumont et al. 2009, Biometrika 96:983).
//!
//! **Targets** ([`load_targets`]): a TOML file of `[[targets]]` entries, each
//! an observed value with its standard deviation (the stated uncertainty):
//!
//! | kind | fields | simulated value (mean over replications) |
//! |---|---|---|
//! | `summary` | `arm`, `metric`, `value`, `sd`, optional `window_start`, `window_end`, `versus` | the effect metric ([`metrics::METRICS`](super::metrics::METRICS)) of the arm against the baseline (or the arm `versus`), over the window (default the arm's) |
//! | `level` | `arm`, `column`, `from_day`, `to_day`, `value`, `sd`, optional `provider` or `class` | mean daily value of a `timeseries.csv` column over the days (inclusive) |
//! | `share` | `arm`, `column` (`campaigns` or `compromises`), `from_day`, `to_day`, `value` (0 to 1), `sd`, `provider` or `class` | the providers' (or class's) share of the market's total of the column over the days |
//! | `recovery` | `arm`, `days`, `sd`, optional `versus`, `from_intervention` | days from the arm's window start (or from its intervention `from_intervention`, from 0) until its 7-day campaigns are back to 90% of the baseline's (or the arm `versus`'s); a replication that never recovers counts as recovering the day after the run ends (censored), so that slow particles are not judged on their fast replications only |
//! | `series` | `arm`, `column`, `file`, `sd`, optional `provider` or `class` | the column on each day listed in `file` (CSV `day,value`, relative to the targets file) |
//!
//! Days are day numbers (0 = scenario start) or dates `YYYY-MM-DD`; any
//! entry may have a `name` (default `<kind>-<index>`), a `bound`
//! (`at_least` or `at_most`: the observation is a bound, not a value;
//! default `equal`) and a `role` (`check`: a validation predicts it and
//! calibration sets it aside; default `fit`). The distance of a
//! particle is `sqrt(sum over targets of z^2)`, `z = (sim - obs) / sd`
//! (0 on the allowed side of a bound), a series
//! contributing the mean of its squared z over its days; a target that is
//! undefined in the simulation (e.g. no price on a day, an effect with a
//! zero baseline) makes the distance infinite and the particle is rejected.
//!
//! **Algorithm.** Priors are uniform on each [`Range`](super::design::Range). Generation 0 samples
//! the prior until `population` particles have a finite distance. Generation
//! `t > 0` has tolerance `eps_t = max(alpha-quantile of the distances of
//! generation t - 1, final_tolerance)`; a proposal picks a parent by weight,
//! perturbs it with a Gaussian kernel of variance twice the weighted variance
//! of each parameter (diagonal covariance) truncated to the prior ranges, is
//! simulated, and is accepted when its distance is at most `eps_t`; accepted
//! particles get the importance weight `prior(theta) / sum_j w_j K(theta | theta_j)`
//! (the truncated kernel normalised by its mass in the ranges), normalised to
//! sum 1. It stops after `generations` generations, when a tolerance reached
//! `final_tolerance`, or when a generation would need more than
//! `max_attempts` proposals (the last complete generation is the posterior).
//!
//! **Randomness and seeds.** Proposal `a` of generation `g` draws only from
//! the keyed stream `RunKey { seed, replication: g }.market(Purpose::Design, a)`:
//! first the particle's model seed, then the parent and the perturbation (or
//! the prior draw). Proposals are evaluated in parallel in batches, and the
//! first `population` accepted *in proposal order* form the generation, so
//! the result does not depend on the number of threads nor on batch sizes.
//! Each particle runs its model with its **own derived seed** (not common
//! random numbers): the ABC posterior then integrates over the simulator's
//! noise, as the method assumes, instead of fitting one fixed realisation.
//! Only the arms the targets name (and the baseline) are run, each for
//! `replications` replications (common random numbers across arms).
//! Integer parameters (detected from the scenario format) are sampled on the
//! continuous range and rounded when applied to the scenario.
//!
//! **Folder** (written atomically, file by file):
//!
//! | file | content |
//! |---|---|
//! | `calibration.json` | inputs and their fingerprint, per-generation tolerance, acceptance rate, ESS and runs, status, why it stopped, runs used, elapsed time, best fit |
//! | `generation-<g>.csv` | checkpoint: `particle`, one column per parameter, `weight`, `distance`, `model_seed` |
//! | `posterior.csv` | the final generation, same columns |
//! | `posterior_summary.csv` | `parameter,mean,sd,q05,q50,q95` (weighted) |
//! | `best-fit.toml` | the scenario (comments kept) with the weighted posterior medians applied |
//! | `fit.csv` | per target (per day for a series): observed, sd, mean and 5%-95% band over `final_replications` replications of the best fit at the scenario's seed |
//!
//! `caasim calibrate` then draws the folder's plots and `calibration.html`
//! ([`crate::report`]): observed against simulated per target, the posterior
//! of each parameter over its prior range, and the tolerance by generation.
//!
//! **Resume.** Running again with the same inputs (scenario text, overrides,
//! targets and series files, parameters, population, alpha, replications,
//! seed, final tolerance: the fingerprint in `calibration.json`) continues
//! after the last complete generation and gives the same bytes as an
//! uninterrupted run; `generations`, `max_attempts` and `final_replications`
//! may change between runs (e.g. to extend a calibration). A folder holding
//! another calibration is refused.
//!
//! **Parts.** `targets` reads the targets file and resolves it against the
//! scenario; `setup` checks the configuration, scenario and parameters
//! before any run and fingerprints the inputs; `simulate` runs a particle's
//! arms and measures its distance to the targets; `abc` holds the ABC-SMC
//! mathematics and runs one generation; `checkpoint` writes the generation
//! files and `calibration.json` and resumes from them; `outputs` writes the
//! posterior, its summary, the best fit and the fit. [`calibrate`] drives
//! them: set-up, open the folder, generations until a stop, outputs.

mod abc;
mod bound;
mod checkpoint;
mod outputs;
mod role;
mod setup;
mod simulate;
mod targets;

pub use abc::{
    GenerationStats, Population, importance_weights, kernel_log_density, kernel_scales, perturb,
    quantile, weighted_quantile,
};
pub use bound::Bound;
pub use checkpoint::IDENTITY;
pub use outputs::{FIT_COLUMNS, FitRow, ParameterSummary, SUMMARY_COLUMNS};
pub use role::Role;
pub use setup::CalibrationConfig;
pub use targets::{Attribution, Target, TargetKind, TargetsError, load_targets, parse_targets};

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use serde_json::json;

use self::abc::{Outcome, next_tolerance, run_generation};
use self::checkpoint::{generation_file, open_folder, population_csv, write_log};
use self::outputs::finish;
use self::setup::Setup;
use crate::output::folder::write_atomic;

/// A problem with the inputs (scenario, overrides, targets, parameters or
/// settings), found before any run; other errors happen while running or
/// writing. Tell them apart with `error.is::<InputError>()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError(pub String);

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.trim_end())
    }
}

impl std::error::Error for InputError {}

/// What a calibration produced.
#[derive(Debug, Clone)]
pub struct CalibrationResult {
    /// Parameter paths.
    pub parameters: Vec<String>,
    /// Every complete generation (resumed ones included).
    pub generations: Vec<GenerationStats>,
    /// Generations loaded from checkpoints rather than run in this call.
    pub resumed_generations: usize,
    /// Why it stopped.
    pub stopped: String,
    /// The final population.
    pub posterior: Population,
    /// Weighted summaries, per parameter.
    pub summary: Vec<ParameterSummary>,
    /// Weighted posterior medians (the best fit), per parameter.
    pub best_fit: Vec<f64>,
    /// Distance of the best fit over the final replications.
    pub best_fit_distance: f64,
    /// Fit of each target at the best fit.
    pub fit: Vec<FitRow>,
    /// Engine runs in all generations and the final fit.
    pub runs: u64,
    /// Seconds spent, over all calls that built this folder.
    pub elapsed_seconds: f64,
}

/// Calibrate the scenario to the targets by ABC-SMC, writing checkpoints and
/// results into `out` (see the module documentation for the folder layout).
/// `progress(generation, accepted)` is called after each batch of proposals.
/// Resumes after the last complete generation of the same calibration.
pub fn calibrate(
    config: &CalibrationConfig,
    out: &Path,
    progress: &dyn Fn(usize, usize),
) -> Result<CalibrationResult> {
    let started = Instant::now();
    let setup = Setup::new(config).map_err(|e| InputError(format!("{e:#}")))?;
    let resumed = open_folder(out, &setup)?;
    let elapsed = |before: f64| before + started.elapsed().as_secs_f64();
    let (mut history, mut population) = (resumed.history, resumed.population);
    let resumed_generations = history.len();
    write_log(
        out,
        &setup,
        &history,
        elapsed(resumed.elapsed_before),
        json!({"status": "running"}),
    )?;
    let stopped = loop {
        if let Some(reason) = stop_reason(config, &history) {
            break reason;
        }
        let g = history.len();
        let tolerance = next_tolerance(config, population.as_ref());
        match run_generation(&setup, g, population.as_ref(), tolerance, progress)? {
            Outcome::Complete(next, stats) => {
                write_atomic(
                    &generation_file(out, g),
                    population_csv(&setup.parameters, &next)?.as_bytes(),
                )?;
                history.push(stats);
                population = Some(next);
                write_log(
                    out,
                    &setup,
                    &history,
                    elapsed(resumed.elapsed_before),
                    json!({"status": "running"}),
                )?;
            }
            Outcome::OutOfBudget { accepted, attempts } => {
                break format!(
                    "generation {g} accepted {accepted} of {} particles in {attempts} proposals (max_attempts); the last complete generation is the posterior",
                    config.population
                );
            }
        }
    };
    let posterior = population.context("generation 0 did not complete: no particle of the prior gave a finite distance within max_attempts proposals")?;
    let finish = finish(&setup, out, &posterior)?;
    let runs = history.iter().map(|s| s.runs).sum::<u64>() + finish.runs;
    let elapsed_seconds = elapsed(resumed.elapsed_before);
    write_log(
        out,
        &setup,
        &history,
        elapsed_seconds,
        finish.log(&setup, &stopped, runs),
    )?;
    Ok(CalibrationResult {
        parameters: setup
            .parameters
            .iter()
            .map(|p| p.range.parameter.clone())
            .collect(),
        generations: history,
        resumed_generations,
        stopped,
        posterior,
        summary: finish.summary,
        best_fit: finish.best_fit,
        best_fit_distance: finish.distance,
        fit: finish.fit,
        runs,
        elapsed_seconds,
    })
}

/// Why to stop before the next generation, if so.
fn stop_reason(config: &CalibrationConfig, history: &[GenerationStats]) -> Option<String> {
    if history.last().is_some_and(|s| s.reached_final_tolerance) {
        return Some("the final tolerance was reached".into());
    }
    (history.len() >= config.generations).then(|| format!("{} generations done", history.len()))
}
