//! The command-line layer: parses arguments and calls the library.
//!
//! Exit codes: 0 success; 1 a failure while running or writing; 2 bad input
//! (a scenario problem, a bad flag, or a results folder that may not be used).
//!
//! Each command family has its file, with its flags and what it does: `run`
//! (a results folder), `sweep` (sweeps, merging shards), `sensitivity`
//! (sensitivity analyses and screenings, run as sweeps), `calibrate`,
//! `validate`, `serve` (the workshop room), `bench` and `coalition` (the
//! value of each partner of a coalition); `progress` shows the progress of long
//! jobs and `process` handles Ctrl-C, SIGTERM and the environment variables
//! that size runs. This file holds the command list, the dispatch, failures
//! and their exit codes, and the short commands (`check`, `schema`, `report`).

mod bench;
mod calibrate;
mod coalition;
mod process;
mod progress;
mod run;
mod sensitivity;
mod serve;
mod sweep;
mod validate;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use self::bench::{BenchArgs, bench};
use self::calibrate::{CalibrateArgs, calibrate};
use self::coalition::{CoalitionArgs, coalition};
use self::process::{check_environment, configure_threads, install_interrupt_handler};
use self::run::{RunArgs, run};
use self::sensitivity::{SensitivityArgs, sensitivity};
use self::serve::{ServeArgs, serve};
use self::sweep::{SweepArgs, merge, sweep};
use self::validate::{ValidateArgs, validate};
use crate::experiment::design::fnv1a;
use crate::output::folder;
use crate::scenario::{self, ScenarioError};

/// Exit code for bad input.
pub const EXIT_BAD_INPUT: u8 = 2;
/// Exit code after Ctrl-C or SIGTERM (128 + SIGINT, as shells report it).
pub const EXIT_INTERRUPTED: u8 = 130;

#[derive(Parser)]
#[command(
    name = "caasim",
    version,
    about = "Simulate cybercrime-as-a-service markets and the interventions against them"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run every arm of a scenario for every replication and write a results folder.
    Run(RunArgs),
    /// Validate a scenario and print it with every default filled in.
    Check {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// Override a value: `key.path=value` (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// Add an arm: `'NAME: BASE with KEY=VALUE, ...'` (repeatable).
        #[arg(long = "arm-add", value_name = "SPEC")]
        arm_add: Vec<String>,
    },
    /// Print the JSON Schema of the scenario format.
    Schema,
    /// Run a design of parameter values (each point: all arms, all replications).
    Sweep(SweepArgs),
    /// Global sensitivity of an arm's headline effects (Sobol indices, Morris, or a Morris-then-Sobol screening).
    Sensitivity(SensitivityArgs),
    /// The value of each partner of an arm's coalition (Shapley values over the subsets of partners).
    Coalition(CoalitionArgs),
    /// Fit parameters to observations by ABC-SMC (approximate Bayesian computation).
    Calibrate(CalibrateArgs),
    /// Fit and predict every case of a validation suite (real takedowns) and check the predictions.
    Validate(ValidateArgs),
    /// Measure the day step: attacker-days per second and peak memory at several sizes.
    Bench(BenchArgs),
    /// A live what-if room for workshops: a local web page, answers in about a second.
    Serve(ServeArgs),
    /// Join the parts of a sharded sweep into `points.csv`.
    Merge {
        /// Sweep folder holding `part-i-of-n.csv` files.
        dir: PathBuf,
    },
    /// Redraw the plots and page of a results, sweep, sensitivity, coalition, calibration or validation folder.
    Report {
        /// Folder written by `caasim run` or `caasim sweep`.
        dir: PathBuf,
    },
}

/// The overrides of `--arm-add` (as recorded, see
/// [`scenario::arm_add::record`]) and `--set` flags: the additions first, so
/// that a `--set` can reach a new arm.
pub(super) fn edits(arm_add: &[String], set: &[String]) -> Vec<String> {
    let added = arm_add.iter().map(|spec| scenario::arm_add::record(spec));
    added.chain(set.iter().cloned()).collect()
}

/// The default output folder of results named `name`: `results/<name>`,
/// or `results/<name>+<hash of changes>` when the command line changes the
/// scenario (`changes`: the overrides as recorded, and flags such as
/// `--arms`), told on standard error unless `quiet`.
pub(super) fn default_out(name: &str, changes: &[String], quiet: bool) -> PathBuf {
    let fingerprint = (!changes.is_empty()).then(|| fnv1a(changes.join("\n").as_bytes()));
    let dir = folder::default_dir(name, fingerprint);
    if fingerprint.is_some() && !quiet {
        eprintln!(
            "caasim: writing to {} (the command line changes the scenario; --out chooses another folder)",
            dir.display()
        );
    }
    dir
}

/// The overrides `set` with `scenario.replications_per_draw=0` before them
/// when `base` (the scenario loaded with `set`) runs as an ensemble:
/// calibration, sensitivity and benchmarks run at the central values of the
/// uncertain parameters they do not vary (a later `--set` of the key still
/// wins).
pub(super) fn at_central_values(base: &crate::model::Model, set: &[String]) -> Vec<String> {
    let fixed = (base.ensemble.as_ref()).map(|_| format!("{}=0", run::PER_DRAW_KEY));
    fixed.into_iter().chain(set.iter().cloned()).collect()
}

/// Run the command line; returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(message) = check_environment().and_then(|()| configure_threads()) {
        eprintln!("error: {message}");
        return ExitCode::from(EXIT_BAD_INPUT);
    }
    install_interrupt_handler();
    let outcome = match cli.command {
        Command::Run(args) => run(args),
        Command::Sweep(args) => sweep(args),
        Command::Sensitivity(args) => sensitivity(args),
        Command::Coalition(args) => coalition(args),
        Command::Calibrate(args) => calibrate(args),
        Command::Validate(args) => validate(args),
        Command::Bench(args) => bench(&args),
        Command::Serve(args) => serve(args),
        Command::Merge { dir } => merge(&dir),
        Command::Check {
            scenario,
            set,
            arm_add,
        } => check(&scenario, &edits(&arm_add, &set)),
        Command::Schema => {
            println!("{}", scenario::json_schema());
            Ok(())
        }
        Command::Report { dir } => report(&dir),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::BadInput(message)) => {
            eprint!("error: {message}");
            if !message.ends_with('\n') {
                eprintln!();
            }
            ExitCode::from(EXIT_BAD_INPUT)
        }
        Err(Failure::Runtime(error)) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
        Err(Failure::Interrupted(advice)) => {
            eprintln!("caasim: stopped. {advice}");
            ExitCode::from(EXIT_INTERRUPTED)
        }
    }
}

/// Why a command failed.
enum Failure {
    /// The user's input is wrong (exit code 2).
    BadInput(String),
    /// Something failed while running or writing (exit code 1).
    Runtime(anyhow::Error),
    /// Ctrl-C or SIGTERM (exit code 130), with what to do next.
    Interrupted(String),
}

impl From<ScenarioError> for Failure {
    fn from(error: ScenarioError) -> Self {
        Failure::BadInput(error.to_string())
    }
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Self {
        Failure::Runtime(error)
    }
}

fn bad_input(error: anyhow::Error) -> Failure {
    Failure::BadInput(format!("{error:#}"))
}

/// `caasim report DIR`: redraw, and say what was written.
fn report(dir: &Path) -> Result<(), Failure> {
    let rendered = crate::report::render(dir).map_err(|e| {
        Failure::BadInput(format!(
            "cannot draw a report from {}: {e:#}",
            dir.display()
        ))
    })?;
    eprintln!("{rendered}");
    Ok(())
}

fn check(path: &Path, set: &[String]) -> Result<(), Failure> {
    let model = scenario::load_file(path, set)?;
    print!("{}", scenario::resolved_toml(&model.scenario));
    eprintln!(
        "{}: valid; {} arms, {} providers, {} attacker types, {} victim segments",
        path.display(),
        model.arms.len(),
        model.providers.len(),
        model.attacker_types.len(),
        model.segments.len()
    );
    Ok(())
}
