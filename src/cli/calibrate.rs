//! `caasim calibrate`: the flags of a calibration, running it (a problem
//! with its inputs exits with code 2), its report, and the posterior summary
//! on standard output.

use std::path::PathBuf;

use super::{Failure, bad_input};
use crate::experiment;
use crate::scenario::{self, ScenarioError};

#[derive(clap::Args)]
pub(super) struct CalibrateArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// Targets file (TOML): the observations, each with its uncertainty.
    #[arg(long)]
    targets: PathBuf,
    /// Parameter to fit with its uniform prior `key.path=lo:hi` (repeatable).
    #[arg(long = "params", value_name = "KEY=LO:HI", required = true)]
    params: Vec<String>,
    /// Particles per generation.
    #[arg(long, default_value_t = 200)]
    population: usize,
    /// Largest number of generations.
    #[arg(long, default_value_t = 6)]
    generations: usize,
    /// Stop once the tolerance (distance) is at most this.
    #[arg(long)]
    tolerance: Option<f64>,
    /// Quantile of the previous generation's distances that sets the next tolerance.
    #[arg(long, default_value_t = 0.5)]
    alpha: f64,
    /// Replications per particle.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    reps: u32,
    /// Replications of the best fit for `fit.csv`.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    final_reps: u32,
    /// Seed of the calibration (default: the scenario's).
    #[arg(long)]
    seed: Option<u64>,
    /// Override a value: `key.path=value` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Add an arm: `'NAME: BASE with KEY=VALUE, ...'` (repeatable; applied before `--set`).
    #[arg(long = "arm-add", value_name = "SPEC")]
    arm_add: Vec<String>,
    /// Output folder (default `results/<scenario name>-calibration`, or
    /// `results/<scenario name>-calibration+<hash>` when `--set` or `--arm-add` changes the scenario).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Write into a new folder that holds files caasim did not write.
    #[arg(long)]
    force: bool,
    /// No progress output.
    #[arg(long, short)]
    quiet: bool,
}

pub(super) fn calibrate(args: CalibrateArgs) -> Result<(), Failure> {
    use experiment::calibrate::{CalibrationConfig, InputError, TargetsError};
    let given = super::edits(&args.arm_add, &args.set);
    let base = scenario::load_file(&args.scenario, &given)?;
    let parameters = args
        .params
        .iter()
        .map(|r| experiment::design::parse_range(r))
        .collect::<anyhow::Result<Vec<_>>>()
        .map_err(bad_input)?;
    let mut config = CalibrationConfig::new(&args.scenario, &args.targets, parameters);
    config.overrides = super::at_central_values(&base, &given);
    config.population = args.population;
    config.generations = args.generations;
    config.final_tolerance = args.tolerance;
    config.alpha = args.alpha;
    config.replications = args.reps;
    config.final_replications = args.final_reps;
    config.seed = args.seed;
    config.force = args.force;
    let dir = args.out.clone().unwrap_or_else(|| {
        let name = format!("{}-calibration", base.scenario.scenario.name);
        super::default_out(&name, &given, args.quiet)
    });
    let quiet = args.quiet;
    let progress = |generation: usize, accepted: usize| {
        if !quiet {
            eprintln!("caasim: generation {generation}: {accepted} particles accepted");
        }
    };
    let result = experiment::calibrate::calibrate(&config, &dir, &progress).map_err(|e| {
        if e.is::<InputError>()
            || e.downcast_ref::<TargetsError>().is_some()
            || e.downcast_ref::<ScenarioError>().is_some()
        {
            bad_input(e)
        } else {
            Failure::Runtime(e)
        }
    })?;
    crate::report::render(&dir)?;
    if !quiet {
        println!("parameter,mean,sd,q05,q50,q95");
        for s in &result.summary {
            println!(
                "{},{},{},{},{},{}",
                s.parameter, s.mean, s.sd, s.q05, s.q50, s.q95
            );
        }
        eprintln!(
            "wrote {} ({}; {} runs)",
            dir.display(),
            result.stopped,
            result.runs
        );
    }
    Ok(())
}
