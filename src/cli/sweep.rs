//! `caasim sweep` and `caasim merge`: a design of parameter values run
//! point by point (sharded, resumable, with progress; also the runner of
//! `caasim sensitivity`), and the join of a sharded sweep's parts.

use std::path::{Path, PathBuf};

use super::process::INTERRUPTED;
use super::progress::Progress;
use super::run::run_overrides;
use super::{Failure, bad_input};
use crate::experiment::design::Design;
use crate::experiment::parameter::{self, Parameter};
use crate::experiment::sweep::{Shard, Sweep};
use crate::experiment::{self, Hooks};
use crate::scenario;

#[derive(clap::Args)]
pub(super) struct SweepArgs {
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
    /// Add an arm at every point: `'NAME: BASE with KEY=VALUE, ...'`
    /// (repeatable; applied before `--set`).
    #[arg(long = "arm-add", value_name = "SPEC")]
    arm_add: Vec<String>,
    /// Run only these arms (comma-separated names) besides the baseline.
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    arms: Option<Vec<String>>,
    /// Compare intervention arm A with intervention arm B at every point:
    /// the paired difference and the ratio of each metric (repeatable).
    #[arg(long, value_name = "A:B")]
    contrast: Vec<String>,
    /// Sweep folder (default `results/<scenario name>-sweep`, or
    /// `results/<scenario name>-sweep+<hash>` when the command line changes the scenario).
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

pub(super) fn sweep(args: SweepArgs) -> Result<(), Failure> {
    let overrides = run_overrides(&args.arm_add, &args.set, args.reps, args.seed);
    let shard = parse_shard(args.shard.as_deref())?;
    let seed = scenario::load_file(&args.scenario, &overrides)?.seed;
    let design = sweep_design(&args, &overrides, seed).map_err(bad_input)?;
    let sweep = Sweep::new(&args.scenario, overrides, design)?;
    let sweep = keep_arms(sweep, args.arms.as_deref())?;
    let sweep = sweep
        .with_contrasts(&args.contrast)
        .map_err(Failure::BadInput)?;
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| default_dir(&sweep, "sweep", args.quiet));
    let written = run_sweep(&dir, &sweep, shard, args.force, args.quiet)?;
    if !args.quiet {
        eprintln!("wrote {}", paths(&written));
    }
    if shard == Shard::ALL {
        let rendered = crate::report::render(&dir)?;
        if !args.quiet {
            eprintln!("{rendered}");
        }
    }
    Ok(())
}

/// The sweep running only the arms `names` besides the baseline (`--arms`).
pub(super) fn keep_arms(sweep: Sweep, names: Option<&[String]>) -> Result<Sweep, Failure> {
    match names {
        Some(names) => sweep.keep_arms(names).map_err(Failure::BadInput),
        None => Ok(sweep),
    }
}

pub(super) fn parse_shard(text: Option<&str>) -> Result<Shard, Failure> {
    text.map_or(Ok(Shard::ALL), Shard::parse).map_err(bad_input)
}

/// The files written, for a `wrote …` line.
pub(super) fn paths(written: &[PathBuf]) -> String {
    let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
    names.join(" and ")
}

/// `results/<scenario name>-<suffix>`, with `+<hash>` when the command
/// line changes the scenario or what is computed (overrides, `--arms`,
/// `--contrast`).
pub(super) fn default_dir(sweep: &Sweep, suffix: &str, quiet: bool) -> PathBuf {
    let mut changes = sweep.overrides.clone();
    changes.extend(
        sweep
            .arms
            .as_ref()
            .map(|a| format!("--arms {}", a.join(","))),
    );
    changes.extend(sweep.contrasts.iter().map(|c| format!("--contrast {c}")));
    let name = format!("{}-{suffix}", sweep.base.scenario.scenario.name);
    super::default_out(&name, &changes, quiet)
}

/// Prepare the folder, run the shard's remaining points with progress, and
/// assemble its `points.csv` and `points-replications.csv` (or parts);
/// returns the tables written.
pub(super) fn run_sweep(
    dir: &Path,
    sweep: &Sweep,
    shard: Shard,
    force: bool,
    quiet: bool,
) -> Result<Vec<PathBuf>, Failure> {
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

/// The `--range` flags parsed and checked against the scenario (integer
/// fields found, both ends loading).
pub(super) fn checked_ranges(
    flags: &[String],
    scenario_file: &Path,
    overrides: &[String],
) -> anyhow::Result<Vec<Parameter>> {
    let ranges = flags
        .iter()
        .map(|r| experiment::design::parse_range(r))
        .collect::<anyhow::Result<Vec<_>>>()?;
    parameter::check_ranges(scenario_file, overrides, &ranges, "--range")
}

/// The design given by the flags (exactly one kind).
fn sweep_design(args: &SweepArgs, overrides: &[String], seed: u64) -> anyhow::Result<Design> {
    use experiment::design;
    if let Some(path) = &args.design {
        return design::from_csv(path);
    }
    let design_of_ranges = |build: fn(&[Parameter], usize, u64) -> anyhow::Result<Design>, n| {
        build(
            &checked_ranges(&args.range, &args.scenario, overrides)?,
            n,
            seed,
        )
    };
    match (
        args.lhs,
        args.sobol,
        args.range.is_empty(),
        args.grid.is_empty(),
    ) {
        (Some(n), None, false, true) => design_of_ranges(design::latin_hypercube, n),
        (None, Some(n), false, true) => design_of_ranges(design::sobol, n),
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

/// Join a sharded sweep's parts into `points.csv` and
/// `points-replications.csv` and draw the sweep's
/// report, once, when every part is in (not in each shard).
pub(super) fn merge(dir: &Path) -> Result<(), Failure> {
    let written = experiment::sweep::merge(dir).map_err(bad_input)?;
    eprintln!("wrote {}", paths(&written));
    eprintln!("{}", crate::report::render(dir)?);
    Ok(())
}
