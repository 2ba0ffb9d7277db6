//! The command-line layer: parses arguments and calls the library.
//!
//! Exit codes: 0 success; 1 a failure while running or writing; 2 bad input
//! (a scenario problem, a bad flag, or a results folder that may not be used).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::Result;
use clap::{Parser, Subcommand};

use crate::experiment::design::Design;
use crate::experiment::gsa::{self, Method};
use crate::experiment::sweep::{Shard, Sweep};
use crate::experiment::tables;
use crate::experiment::{self, Hooks, SummaryRow};
use crate::model::Model;
use crate::output::{folder, manifest};
use crate::resources;
use crate::scenario::{self, ScenarioError};

/// Exit code for bad input.
pub const EXIT_BAD_INPUT: u8 = 2;
/// Exit code after Ctrl-C or SIGTERM (128 + SIGINT, as shells report it).
pub const EXIT_INTERRUPTED: u8 = 130;

/// Set by Ctrl-C or SIGTERM; long jobs stop starting work when they see it.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// On the first Ctrl-C or SIGTERM ask running jobs to stop; on the second, exit at once.
fn install_interrupt_handler() {
    let installed = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            std::process::exit(i32::from(EXIT_INTERRUPTED));
        }
        eprintln!("\ncaasim: interrupted; stopping (press Ctrl-C again to quit at once)");
    });
    if let Err(error) = installed {
        eprintln!("caasim: warning: cannot catch Ctrl-C: {error}");
    }
}

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
    },
    /// Print the JSON Schema of the scenario format.
    Schema,
    /// Run a design of parameter values (each point: all arms, all replications).
    Sweep(SweepArgs),
    /// Global sensitivity of an arm's headline effects (Sobol indices or Morris screening).
    Sensitivity(SensitivityArgs),
    /// Fit parameters to observations by ABC-SMC (approximate Bayesian computation).
    Calibrate(CalibrateArgs),
    /// Measure the day step: attacker-days per second and peak memory at several sizes.
    Bench(BenchArgs),
    /// Join the parts of a sharded sweep into `points.csv`.
    Merge {
        /// Sweep folder holding `part-i-of-n.csv` files.
        dir: PathBuf,
    },
    /// Redraw the plots and page of a results, sweep, sensitivity or calibration folder.
    Report {
        /// Folder written by `caasim run` or `caasim sweep`.
        dir: PathBuf,
    },
}

#[derive(clap::Args)]
struct RunArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// Replications per arm (overrides `scenario.replications`).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    reps: Option<u32>,
    /// Master seed (overrides `scenario.seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Override a value: `key.path=value` (repeatable), e.g. `market.search_days=10`.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Run only these arms (comma-separated names) besides the baseline.
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    arms: Option<Vec<String>>,
    /// Results folder (default `results/<scenario name>`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Write into a folder that holds files caasim did not write.
    #[arg(long)]
    force: bool,
    /// No progress output.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(clap::Args)]
struct BenchArgs {
    /// Market to scale (default: the built-in `benches/market.toml`).
    scenario: Option<PathBuf>,
    /// Sizes, as attackers at the start (comma-separated; `1e6` is allowed).
    #[arg(long, value_delimiter = ',', default_value = "1e4,1e5,1e6")]
    attackers: Vec<String>,
    /// Thread counts to measure each size with (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "1")]
    threads: Vec<usize>,
    /// Untimed days before the timed ones (the market settles).
    #[arg(long, default_value_t = 60)]
    warmup_days: u32,
    /// Timed days.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..))]
    days: u32,
    /// Override a value of the market: `key.path=value` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Measure in this process (each size otherwise runs in a fresh one, so
    /// that its peak memory is its own).
    #[arg(long, hide = true)]
    in_process: bool,
}

#[derive(clap::Args)]
struct SweepArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// Full-factorial axis `key.path=a,b,c` (repeatable).
    #[arg(long, value_name = "KEY=A,B,C")]
    grid: Vec<String>,
    /// Continuous range `key.path=lo:hi` for --lhs or --sobol (repeatable).
    #[arg(long, value_name = "KEY=LO:HI")]
    range: Vec<String>,
    /// Latin hypercube of N points over the ranges.
    #[arg(long, value_name = "N", conflicts_with = "sobol")]
    lhs: Option<usize>,
    /// N points of a scrambled Sobol sequence over the ranges.
    #[arg(long, value_name = "N")]
    sobol: Option<usize>,
    /// A design file: one column per parameter path, one row per point.
    #[arg(long, value_name = "FILE.csv", conflicts_with_all = ["grid", "range"])]
    design: Option<PathBuf>,
    /// Replications per arm and point (overrides `scenario.replications`).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    reps: Option<u32>,
    /// Master seed (overrides `scenario.seed`; also seeds random designs).
    #[arg(long)]
    seed: Option<u64>,
    /// Override a value at every point: `key.path=value` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Sweep folder (default `results/<scenario name>-sweep`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Run only part i of n (`point % n == i`), or `slurm` for the job array's task.
    #[arg(long, value_name = "I/N|slurm")]
    shard: Option<String>,
    /// Write into a new folder that holds files caasim did not write.
    #[arg(long)]
    force: bool,
    /// No progress output.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(clap::Args)]
struct SensitivityArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// Parameter range `key.path=lo:hi` (repeatable; uniform prior over it).
    #[arg(long, value_name = "KEY=LO:HI", required = true)]
    range: Vec<String>,
    /// Method.
    #[arg(long, value_enum, default_value = "sobol")]
    method: Method,
    /// Sobol base rows N (runs N x (k + 2) points) or Morris trajectories (r x (k + 1) points).
    #[arg(long)]
    samples: Option<usize>,
    /// The intervention arm analysed (default: the first intervention arm).
    #[arg(long)]
    arm: Option<String>,
    /// Replications per arm and point (overrides `scenario.replications`).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    reps: Option<u32>,
    /// Master seed (also seeds the design and the bootstrap).
    #[arg(long)]
    seed: Option<u64>,
    /// Override a value at every point: `key.path=value` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Output folder (default `results/<scenario name>-sensitivity`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Run only part i of n of the design (then `caasim merge` and run again to analyse).
    #[arg(long, value_name = "I/N|slurm")]
    shard: Option<String>,
    /// Write into a new folder that holds files caasim did not write.
    #[arg(long)]
    force: bool,
    /// No progress output.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(clap::Args)]
struct CalibrateArgs {
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
    /// Output folder (default `results/<scenario name>-calibration`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Write into a new folder that holds files caasim did not write.
    #[arg(long)]
    force: bool,
    /// No progress output.
    #[arg(long, short)]
    quiet: bool,
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
        Command::Calibrate(args) => calibrate(args),
        Command::Bench(args) => bench(&args),
        Command::Merge { dir } => merge(&dir),
        Command::Check { scenario, set } => check(&scenario, &set),
        Command::Schema => {
            println!("{}", scenario::json_schema());
            Ok(())
        }
        Command::Report { dir } => crate::report::render(&dir).map_err(|e| {
            Failure::BadInput(format!(
                "cannot draw a report from {}: {e:#}",
                dir.display()
            ))
        }),
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

/// Refuse malformed values of the environment variables that size runs.
fn check_environment() -> Result<(), String> {
    for name in [
        resources::memory::MEMORY_GIB_VAR,
        resources::disk::DISK_GIB_VAR,
    ] {
        resources::gib_var(name).map_err(|e| format!("{e:#}"))?;
    }
    if let Ok(threads) = std::env::var("RAYON_NUM_THREADS") {
        if threads.trim().parse::<usize>().is_err() {
            return Err(format!(
                "RAYON_NUM_THREADS={threads:?} is not a whole number (0 means one thread per core)"
            ));
        }
    }
    Ok(())
}

/// Threads: `RAYON_NUM_THREADS` when set, else `SLURM_CPUS_PER_TASK` inside a
/// Slurm job, else one per core.
fn configure_threads() -> Result<(), String> {
    if std::env::var_os("RAYON_NUM_THREADS").is_some() {
        return Ok(());
    }
    let Ok(cpus) = std::env::var("SLURM_CPUS_PER_TASK") else {
        return Ok(());
    };
    let threads: usize = cpus
        .trim()
        .parse()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("SLURM_CPUS_PER_TASK={cpus:?} is not a positive number"))?;
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .map_err(|e| e.to_string())
}

/// `--reps` and `--seed` as overrides, after `--set`.
fn run_overrides(set: &[String], reps: Option<u32>, seed: Option<u64>) -> Vec<String> {
    let mut overrides = set.to_vec();
    if let Some(reps) = reps {
        overrides.push(format!("scenario.replications={reps}"));
    }
    if let Some(seed) = seed {
        overrides.push(format!("scenario.seed={seed}"));
    }
    overrides
}

fn sweep(args: SweepArgs) -> Result<(), Failure> {
    let overrides = run_overrides(&args.set, args.reps, args.seed);
    let shard = parse_shard(args.shard.as_deref())?;
    let seed = scenario::load_file(&args.scenario, &overrides)?.seed;
    let design = sweep_design(&args, seed).map_err(bad_input)?;
    let sweep = Sweep::new(&args.scenario, overrides, design)?;
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| default_dir(&sweep, "sweep"));
    let written = run_sweep(&dir, &sweep, shard, args.force, args.quiet)?;
    if !args.quiet {
        eprintln!("wrote {}", written.display());
    }
    Ok(())
}

fn bad_input(error: anyhow::Error) -> Failure {
    Failure::BadInput(format!("{error:#}"))
}

fn parse_shard(text: Option<&str>) -> Result<Shard, Failure> {
    text.map_or(Ok(Shard::ALL), Shard::parse).map_err(bad_input)
}

/// `results/<scenario name>-<suffix>`.
fn default_dir(sweep: &Sweep, suffix: &str) -> PathBuf {
    Path::new("results").join(format!("{}-{suffix}", sweep.base.scenario.scenario.name))
}

/// Prepare the folder, run the shard's remaining points with progress, and
/// assemble its `points.csv` (or part); returns the file written.
fn run_sweep(
    dir: &Path,
    sweep: &Sweep,
    shard: Shard,
    force: bool,
    quiet: bool,
) -> Result<PathBuf, Failure> {
    experiment::sweep::prepare(dir, sweep, force).map_err(bad_input)?;
    let todo = experiment::sweep::remaining(dir, sweep, shard).len();
    let label = sweep.base.scenario.scenario.name.clone();
    let progress = Progress::new(&label, todo, "points", quiet);
    let report = |done: usize| progress.update(done);
    let hooks = Hooks {
        on_run_done: Some(&report),
        cancel: Some(&INTERRUPTED),
    };
    let complete = experiment::sweep::run(dir, sweep, shard, &hooks)?;
    progress.finish();
    if !complete {
        return Err(Failure::Interrupted(format!(
            "Finished points are kept in {}; run the same command again to resume.",
            dir.join(experiment::sweep::POINTS_DIR).display()
        )));
    }
    Ok(experiment::sweep::assemble(dir, sweep, shard)?)
}

fn sensitivity(args: SensitivityArgs) -> Result<(), Failure> {
    let overrides = run_overrides(&args.set, args.reps, args.seed);
    let shard = parse_shard(args.shard.as_deref())?;
    let base = scenario::load_file(&args.scenario, &overrides)?;
    let arm = match &args.arm {
        Some(arm) if base.arms.iter().skip(1).any(|a| &a.name == arm) => arm.clone(),
        Some(arm) => {
            return Err(Failure::BadInput(format!(
                "--arm {arm}: no such intervention arm in {}",
                args.scenario.display()
            )));
        }
        None => base.arms.get(1).map(|a| a.name.clone()).ok_or_else(|| {
            Failure::BadInput(format!(
                "{} has no intervention arm to analyse",
                args.scenario.display()
            ))
        })?,
    };
    let ranges = args
        .range
        .iter()
        .map(|r| experiment::design::parse_range(r))
        .collect::<anyhow::Result<Vec<_>>>()
        .map_err(bad_input)?;
    let samples = args.samples.unwrap_or(match args.method {
        Method::Sobol => 256,
        Method::Morris => 20,
    });
    let plan = gsa::Plan {
        method: args.method,
        ranges,
        samples,
        arm,
        seed: base.seed,
    };
    let design = plan.design().map_err(bad_input)?;
    let sweep = Sweep::new(&args.scenario, overrides, design)?;
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| default_dir(&sweep, "sensitivity"));
    let written = run_sweep(&dir, &sweep, shard, args.force, args.quiet)?;
    if shard != Shard::ALL {
        eprintln!(
            "wrote {}; when every shard is done, run `caasim merge {}` and this command again without --shard",
            written.display(),
            dir.display()
        );
        return Ok(());
    }
    gsa::analyse(&dir, &sweep, &plan)?;
    crate::report::render(&dir)?;
    if !args.quiet {
        eprintln!("wrote {}", dir.join("indices.csv").display());
    }
    Ok(())
}

/// The design given by the flags (exactly one kind).
fn sweep_design(args: &SweepArgs, seed: u64) -> anyhow::Result<Design> {
    use experiment::design;
    if let Some(path) = &args.design {
        return design::from_csv(path);
    }
    let ranges = args
        .range
        .iter()
        .map(|r| design::parse_range(r))
        .collect::<anyhow::Result<Vec<_>>>()?;
    match (
        args.lhs,
        args.sobol,
        ranges.is_empty(),
        args.grid.is_empty(),
    ) {
        (Some(n), None, false, true) => design::latin_hypercube(&ranges, n, seed),
        (None, Some(n), false, true) => design::sobol(&ranges, n, seed),
        (None, None, true, false) => {
            let axes = args
                .grid
                .iter()
                .map(|g| design::parse_grid(g))
                .collect::<anyhow::Result<Vec<_>>>()?;
            design::grid(&axes)
        }
        _ => anyhow::bail!(
            "give one design: --grid key=a,b,c (repeatable), or --range key=lo:hi (repeatable) with --lhs N or --sobol N, or --design FILE.csv"
        ),
    }
}

fn calibrate(args: CalibrateArgs) -> Result<(), Failure> {
    use experiment::calibrate::{CalibrationConfig, InputError, TargetsError};
    let base = scenario::load_file(&args.scenario, &args.set)?;
    let parameters = args
        .params
        .iter()
        .map(|r| experiment::design::parse_range(r))
        .collect::<anyhow::Result<Vec<_>>>()
        .map_err(bad_input)?;
    let mut config = CalibrationConfig::new(&args.scenario, &args.targets, parameters);
    config.overrides = args.set.clone();
    config.population = args.population;
    config.generations = args.generations;
    config.final_tolerance = args.tolerance;
    config.alpha = args.alpha;
    config.replications = args.reps;
    config.final_replications = args.final_reps;
    config.seed = args.seed;
    config.force = args.force;
    let dir = args.out.clone().unwrap_or_else(|| {
        Path::new("results").join(format!("{}-calibration", base.scenario.scenario.name))
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

fn merge(dir: &Path) -> Result<(), Failure> {
    let written = experiment::sweep::merge(dir).map_err(bad_input)?;
    eprintln!("wrote {}", written.display());
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

fn run(args: RunArgs) -> Result<(), Failure> {
    let overrides = run_overrides(&args.set, args.reps, args.seed);
    let mut model = scenario::load_file(&args.scenario, &overrides)?;
    if let Some(names) = &args.arms {
        model.keep_arms(names).map_err(Failure::BadInput)?;
    }
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("results").join(&model.scenario.scenario.name));
    let (needed, what) = resources::disk::disk_estimate(&model);
    resources::disk::check_space(&dir, needed, &what)
        .map_err(|e| Failure::BadInput(format!("{e:#}")))?;
    folder::prepare(&dir, args.force).map_err(|e| Failure::BadInput(format!("{e:#}")))?;
    tables::remove_scratch(&dir)?;
    let started_at = chrono::Utc::now();
    let clock = Instant::now();
    let summary = run_with_progress(&dir, &model, args.quiet)?;
    manifest::write(
        &dir,
        &model,
        &manifest::Provenance {
            scenario_file: &args.scenario.display().to_string(),
            overrides: &overrides,
            threads: rayon::current_num_threads(),
            started_at,
            finished_at: chrono::Utc::now(),
            files: &RESULT_FILES,
        },
    )?;
    crate::report::render(&dir)?;
    if !args.quiet {
        print_headlines(&summary);
        eprintln!(
            "wrote {} in {:.1} s",
            dir.display(),
            clock.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// The files of a results folder and what each holds.
const RESULT_FILES: [(&str, &str); 8] = [
    ("timeseries.csv", "one row per arm, replication and day"),
    (
        "providers.csv",
        "provider seats, capacity and price per arm and day, means over replications",
    ),
    (
        "segments.csv",
        "compromises and losses per arm, replication, country and sector",
    ),
    (
        "summary.csv",
        "effects of each intervention arm against the baseline, mean and 95% interval",
    ),
    ("summary.json", "the same as summary.csv"),
    (
        "manifest.json",
        "provenance: scenario, seed, version, times, files",
    ),
    (
        "plots/",
        "SVG and PNG plots: output, compromises, losses, price, market, effects, countries, sectors",
    ),
    (
        "report.html",
        "a self-contained report page with every plot and the effects table",
    ),
];

/// Progress of a long job: a bar on a terminal, plain log lines otherwise
/// (a batch job), nothing with `--quiet`.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    total: usize,
    unit: &'static str,
    quiet: bool,
    started: Instant,
}

impl Progress {
    fn new(label: &str, total: usize, unit: &'static str, quiet: bool) -> Self {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new(total as u64);
            let template = format!(
                "{{msg}} [{{bar:40}}] {{pos}}/{{len}} {unit}, {{elapsed}} elapsed, ETA {{eta}}"
            );
            bar.set_style(
                indicatif::ProgressStyle::with_template(&template)
                    .expect("a valid template")
                    .progress_chars("=> "),
            );
            bar.set_message(label.to_string());
            bar
        });
        Progress {
            bar,
            total,
            unit,
            quiet,
            started: Instant::now(),
        }
    }

    /// `done` of the total are finished.
    fn update(&self, done: usize) {
        let step = self.total.div_ceil(10).max(1);
        if let Some(bar) = &self.bar {
            bar.set_position(done as u64);
        } else if !self.quiet && (done % step == 0 || done == self.total) {
            eprintln!(
                "caasim: {done}/{} {} done, {:.1} s elapsed",
                self.total,
                self.unit,
                self.started.elapsed().as_secs_f64()
            );
        }
    }

    fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Run the experiment with progress, writing its tables into `dir` as
/// replications finish; returns the summary (also written).
fn run_with_progress(dir: &Path, model: &Model, quiet: bool) -> Result<Vec<SummaryRow>, Failure> {
    let total = model.arms.len() * model.replications as usize;
    let progress = Progress::new(&model.scenario.scenario.name, total, "runs", quiet);
    let report = |done: usize| progress.update(done);
    let hooks = Hooks {
        on_run_done: Some(&report),
        cancel: Some(&INTERRUPTED),
    };
    let summary = tables::run_into(dir, model, &hooks)?;
    progress.finish();
    summary.ok_or_else(|| {
        Failure::Interrupted(
            "No results were written (the folder has no manifest.json); run the same command again."
                .to_string(),
        )
    })
}

/// The headline effects, one line per arm.
fn print_headlines(summary: &[SummaryRow]) {
    let find = |arm: &str, metric: &str| {
        summary
            .iter()
            .find(|r| r.arm == arm && r.metric == metric)
            .map(|r| r.estimate)
    };
    let show = |e: Option<crate::stats::Estimate>| match e {
        Some(e) => match (e.mean, e.ci_low, e.ci_high) {
            (Some(m), Some(lo), Some(hi)) => format!("{m:.1} [{lo:.1}, {hi:.1}]"),
            (Some(m), _, _) => format!("{m:.1}"),
            _ => "undefined".to_string(),
        },
        None => "undefined".to_string(),
    };
    let mut arms: Vec<&str> = summary.iter().map(|r| r.arm.as_str()).collect();
    arms.dedup();
    for arm in arms {
        println!(
            "{arm}: campaigns {}%, cost per compromise {}%, compromises averted {}",
            show(find(arm, "campaigns_change_pct")),
            show(find(arm, "cost_per_compromise_change_pct")),
            show(find(arm, "compromises_averted")),
        );
    }
}

/// `caasim bench`: one line per size and thread count.
fn bench(args: &BenchArgs) -> Result<(), Failure> {
    use crate::engine::bench;
    let base = match &args.scenario {
        Some(path) => scenario::load_file(path, &args.set)?,
        None => scenario::load_text(bench::MARKET_TOML, bench::MARKET_ORIGIN, &args.set)?,
    };
    let sizes = (args.attackers.iter())
        .map(|text| parse_size(text))
        .collect::<Result<Vec<u64>, Failure>>()?;
    if let Some(&zero) = args.threads.iter().find(|&&t| t == 0) {
        return Err(Failure::BadInput(format!(
            "--threads {zero}: give 1 or more"
        )));
    }
    if args.in_process {
        for &attackers in &sizes {
            for &threads in &args.threads {
                println!("{}", measure_in_pool(&base, attackers, threads, args)?);
            }
        }
        return Ok(());
    }
    println!(
        "caasim bench: {} warm-up days, {} timed days; attacker-days count every attacker \
         in the population (working, searching, waiting, dormant); {} bytes of state per attacker",
        args.warmup_days,
        args.days,
        std::mem::size_of::<crate::model::attacker::Attacker>()
    );
    for &attackers in &sizes {
        for &threads in &args.threads {
            let line = measure_in_child(attackers, threads, args)?;
            println!("{line}");
            if INTERRUPTED.load(Ordering::Relaxed) {
                return Err(Failure::Interrupted(
                    "The sizes above were measured.".into(),
                ));
            }
        }
    }
    Ok(())
}

/// One measurement on a pool of `threads` threads: its line of output.
fn measure_in_pool(
    base: &Model,
    attackers: u64,
    threads: usize,
    args: &BenchArgs,
) -> Result<String, Failure> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Failure::Runtime(e.into()))?;
    let measured = pool
        .install(|| crate::engine::bench::measure(base, attackers, args.warmup_days, args.days));
    Ok(bench_line(&measured))
}

/// One measurement in a fresh caasim process: its line of output.
fn measure_in_child(attackers: u64, threads: usize, args: &BenchArgs) -> Result<String, Failure> {
    let exe = std::env::current_exe().map_err(|e| Failure::Runtime(e.into()))?;
    let mut command = std::process::Command::new(exe);
    command.arg("bench").arg("--in-process");
    command.args(args.scenario.iter());
    command.arg(format!("--attackers={attackers}"));
    command.arg(format!("--threads={threads}"));
    command.arg(format!("--warmup-days={}", args.warmup_days));
    command.arg(format!("--days={}", args.days));
    for assignment in &args.set {
        command.arg(format!("--set={assignment}"));
    }
    let output = command.output().map_err(|e| Failure::Runtime(e.into()))?;
    if !output.status.success() {
        return Err(Failure::Runtime(anyhow::anyhow!(
            "the measurement of {attackers} attackers on {threads} threads failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// A size such as `100000`, `1e5` or `1_000_000`.
fn parse_size(text: &str) -> Result<u64, Failure> {
    let cleaned = text.trim().replace('_', "");
    let value: f64 = cleaned.parse().unwrap_or(f64::NAN);
    if (1.0..=1e10).contains(&value) && value.fract() == 0.0 {
        Ok(value as u64)
    } else {
        Err(Failure::BadInput(format!(
            "--attackers {text:?}: give whole numbers from 1 to 1e10, e.g. 1e4,1e5,1e6"
        )))
    }
}

/// `10000 attackers, 1 thread: 61.2e6 attacker-days/s (61.2e6 per thread); peak memory ...`.
fn bench_line(m: &crate::engine::bench::Measurement) -> String {
    let rate = m.attacker_days_per_second();
    let memory = match m.peak_rss_bytes {
        Some(bytes) => format!(
            "peak memory {:.1} MiB ({:.0} bytes per attacker held, {} held)",
            bytes as f64 / 1048576.0,
            bytes as f64 / m.held as f64,
            m.held
        ),
        None => "peak memory not reported by this system".into(),
    };
    format!(
        "{} attackers, {} thread{}: {:.0} attacker-days/s ({:.1} million per thread, {:.0}% \
         of them working); {}",
        m.attackers,
        m.threads,
        if m.threads == 1 { "" } else { "s" },
        rate,
        rate / 1e6 / m.threads as f64,
        100.0 * m.working_days as f64 / m.attacker_days as f64,
        memory
    )
}
