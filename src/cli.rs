//! The command-line layer: parses arguments and calls the library.
//!
//! Exit codes: 0 success; 1 a failure while running or writing; 2 bad input
//! (a scenario problem, a bad flag, or a results folder that may not be used).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use clap::{Parser, Subcommand};

use crate::experiment::{self, Experiment, Hooks, SummaryRow};
use crate::model::Model;
use crate::output::{folder, manifest, tables};
use crate::scenario::{self, ScenarioError};

/// Exit code for bad input.
pub const EXIT_BAD_INPUT: u8 = 2;

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
    /// Redraw the plots and `report.html` of an existing results folder.
    Report {
        /// Results folder written by `caasim run`.
        dir: PathBuf,
    },
}

#[derive(clap::Args)]
struct RunArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// Replications per arm (overrides `scenario.replications`).
    #[arg(long)]
    reps: Option<u32>,
    /// Master seed (overrides `scenario.seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Override a value: `key.path=value` (repeatable), e.g. `market.search_days=10`.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
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

/// Run the command line; returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Run(args) => run(args),
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
    }
}

/// Why a command failed.
enum Failure {
    /// The user's input is wrong (exit code 2).
    BadInput(String),
    /// Something failed while running or writing (exit code 1).
    Runtime(anyhow::Error),
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
    let mut overrides = args.set.clone();
    if let Some(reps) = args.reps {
        overrides.push(format!("scenario.replications={reps}"));
    }
    if let Some(seed) = args.seed {
        overrides.push(format!("scenario.seed={seed}"));
    }
    let model = scenario::load_file(&args.scenario, &overrides)?;
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("results").join(&model.scenario.scenario.name));
    folder::prepare(&dir, args.force).map_err(|e| Failure::BadInput(format!("{e:#}")))?;
    let started_at = chrono::Utc::now();
    let clock = Instant::now();
    let experiment = run_with_progress(&model, args.quiet)?;
    let summary = experiment.summary(&model);
    write_results(&dir, &model, &experiment, &summary)?;
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

fn write_results(
    dir: &Path,
    model: &Model,
    experiment: &Experiment,
    summary: &[SummaryRow],
) -> Result<()> {
    tables::write_timeseries(dir, model, experiment)?;
    tables::write_providers(dir, model, experiment)?;
    tables::write_segments(dir, model, experiment)?;
    tables::write_summary(dir, summary)
}

/// Run the experiment with a progress bar on a terminal, log lines otherwise.
fn run_with_progress(model: &Model, quiet: bool) -> Result<Experiment> {
    let total = model.arms.len() * model.replications as usize;
    let started = Instant::now();
    let terminal = std::io::stderr().is_terminal();
    let bar = (!quiet && terminal).then(|| {
        let bar = indicatif::ProgressBar::new(total as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg} [{bar:40}] {pos}/{len} runs, {elapsed} elapsed, ETA {eta}",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        bar.set_message(model.scenario.scenario.name.clone());
        bar
    });
    let step = total.div_ceil(10).max(1);
    let report = |done: usize| {
        if let Some(bar) = &bar {
            bar.set_position(done as u64);
        } else if !quiet && (done % step == 0 || done == total) {
            eprintln!(
                "caasim: {done}/{total} runs done, {:.1} s elapsed",
                started.elapsed().as_secs_f64()
            );
        }
    };
    let hooks = Hooks {
        on_run_done: Some(&report),
        cancel: None,
    };
    let experiment = experiment::run(model, &hooks).ok_or_else(|| anyhow::anyhow!("cancelled"))?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(experiment)
}

/// The headline effects, one line per arm.
fn print_headlines(summary: &[SummaryRow]) {
    let find = |arm: &str, metric: &str| {
        summary
            .iter()
            .find(|r| r.arm == arm && r.metric == metric)
            .map(|r| r.estimate)
    };
    let show = |e: Option<crate::output::stats::Estimate>| match e {
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
