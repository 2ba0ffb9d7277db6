//! `caasim sensitivity`: the global sensitivity analysis of an arm's
//! headline effects, its design run as a sweep; with `--method screen`, a
//! Morris stage over every parameter (in `DIR/screen`) then a Sobol stage
//! over those it keeps (in `DIR`).

use std::path::{Path, PathBuf};

use super::run::run_overrides;
use super::sweep::{checked_ranges, keep_arms, parse_shard, paths, run_sweep};
use super::{Failure, bad_input};
use crate::experiment::gsa::{self, Factor, IndexRow, Method, Plan, Screening};
use crate::experiment::sweep::{Shard, Sweep};
use crate::model::Model;
use crate::output::folder;
use crate::scenario;

/// The folder of a screening's Morris stage, inside the output folder.
const SCREEN_FOLDER: &str = "screen";

/// Default share of the largest mu* a parameter needs to pass a screening.
const DEFAULT_CUTOFF: f64 = 0.1;

/// Default Morris trajectories of a screening's first stage.
const DEFAULT_TRAJECTORIES: usize = 20;

/// Which analysis to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum MethodArg {
    /// Sobol first-order and total indices (Saltelli sampling, Saltelli 2010 and Jansen estimators).
    Sobol,
    /// Morris elementary effects (mu*, mu, sigma) for screening.
    Morris,
    /// Morris on every parameter, then Sobol on those it keeps (see --cutoff).
    Screen,
}

#[derive(clap::Args)]
pub(super) struct SensitivityArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// Parameter range `key.path=lo:hi` (repeatable; uniform over it). Without
    /// any, the scenario's `[uncertain]` parameters, each with its distribution.
    #[arg(long, value_name = "KEY=LO:HI")]
    range: Vec<String>,
    /// Method.
    #[arg(long, value_enum, default_value = "sobol")]
    method: MethodArg,
    /// Sobol base rows N (runs N x (k + 2) points; default 256) or Morris trajectories (r x (k + 1) points; default 20).
    #[arg(long)]
    samples: Option<usize>,
    /// With --method screen: Morris trajectories of the first stage (default 20).
    #[arg(long, value_name = "R")]
    trajectories: Option<usize>,
    /// With --method screen: keep a parameter for the Sobol stage when its mu* is
    /// at least this share of the largest mu* for some output (default 0.1).
    #[arg(long, value_name = "FRACTION")]
    cutoff: Option<f64>,
    /// The intervention arm analysed (default: the first intervention arm).
    #[arg(long)]
    arm: Option<String>,
    /// Replications per arm and point (overrides `scenario.replications`).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    reps: Option<u32>,
    /// Master seed (also seeds the design and the bootstrap).
    #[arg(long)]
    seed: Option<u64>,
    /// Override a value at every point: `key.path=value` (repeatable); an
    /// `[uncertain]` key given here is fixed, not analysed.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Add an arm at every point: `'NAME: BASE with KEY=VALUE, ...'`
    /// (repeatable; applied before `--set`).
    #[arg(long = "arm-add", value_name = "SPEC")]
    arm_add: Vec<String>,
    /// Run only these arms (comma-separated names) besides the baseline;
    /// `--arm` must be one of them.
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    arms: Option<Vec<String>>,
    /// Output folder (default `results/<scenario name>-sensitivity`, or
    /// `results/<scenario name>-sensitivity+<hash>` when the command line changes the scenario).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Run only part i of n of the design (then `caasim merge` and run again to analyse; not with --method screen).
    #[arg(long, value_name = "I/N|slurm")]
    shard: Option<String>,
    /// Write into a new folder that holds files caasim did not write.
    #[arg(long)]
    force: bool,
    /// No progress output.
    #[arg(long, short)]
    quiet: bool,
}

/// What every stage of one command shares.
struct Job<'a> {
    args: &'a SensitivityArgs,
    overrides: Vec<String>,
    arm: String,
    seed: u64,
    dir: PathBuf,
}

pub(super) fn sensitivity(args: SensitivityArgs) -> Result<(), Failure> {
    check_flags(&args).map_err(bad_input)?;
    let shard = parse_shard(args.shard.as_deref())?;
    let given = run_overrides(&args.arm_add, &args.set, args.reps, args.seed);
    let base = scenario::load_file(&args.scenario, &given)?;
    let overrides = super::at_central_values(&base, &given);
    let mut base = scenario::load_file(&args.scenario, &overrides)?;
    if let Some(names) = &args.arms {
        base.keep_arms(names).map_err(Failure::BadInput)?;
    }
    let arm = analysed_arm(&args, &base)?;
    let parameters = factors(&args, &overrides, &base).map_err(bad_input)?;
    let dir = args.out.clone().unwrap_or_else(|| {
        let mut changes = given;
        changes.extend((args.arms.as_ref()).map(|a| format!("--arms {}", a.join(","))));
        let name = format!("{}-sensitivity", base.scenario.scenario.name);
        super::default_out(&name, &changes, args.quiet)
    });
    let job = Job {
        args: &args,
        overrides,
        arm,
        seed: base.seed,
        dir,
    };
    match args.method {
        MethodArg::Sobol => single(&job, Method::Sobol, parameters, shard),
        MethodArg::Morris => single(&job, Method::Morris, parameters, shard),
        MethodArg::Screen => screen(&job, parameters),
    }
}

/// Refuse flags that do not go together.
fn check_flags(args: &SensitivityArgs) -> anyhow::Result<()> {
    let screen = args.method == MethodArg::Screen;
    if !screen && (args.trajectories.is_some() || args.cutoff.is_some()) {
        anyhow::bail!("--trajectories and --cutoff are for --method screen");
    }
    if screen && args.shard.is_some() {
        anyhow::bail!(
            "--method screen cannot be sharded: its Sobol stage depends on the whole Morris stage; \
             shard --method morris, then --method sobol with the --range flags of the parameters kept"
        );
    }
    if args.cutoff.is_some_and(|c| !(0.0..=1.0).contains(&c)) {
        anyhow::bail!("--cutoff must be between 0 and 1");
    }
    Ok(())
}

/// The `--arm`, checked, or the first intervention arm.
fn analysed_arm(args: &SensitivityArgs, base: &Model) -> Result<String, Failure> {
    match &args.arm {
        Some(arm) if base.arms.iter().skip(1).any(|a| &a.name == arm) => Ok(arm.clone()),
        Some(arm) => Err(Failure::BadInput(format!(
            "--arm {arm}: no such intervention arm in {}{}",
            args.scenario.display(),
            if args.arms.is_some() {
                " among the --arms"
            } else {
                ""
            }
        ))),
        None => base.arms.get(1).map(|a| a.name.clone()).ok_or_else(|| {
            Failure::BadInput(format!(
                "{} has no intervention arm to analyse",
                args.scenario.display()
            ))
        }),
    }
}

/// The parameters analysed: the `--range` flags when given (checked against
/// the scenario), else the scenario's uncertain parameters not fixed by `--set`.
fn factors(
    args: &SensitivityArgs,
    overrides: &[String],
    base: &Model,
) -> anyhow::Result<Vec<Factor>> {
    if !args.range.is_empty() {
        let ranges = checked_ranges(&args.range, &args.scenario, overrides)?;
        return Ok(ranges.into_iter().map(Factor::Range).collect());
    }
    let fixed: Vec<&str> = (args.set.iter())
        .filter_map(|s| s.split_once('='))
        .map(|(key, _)| key.trim())
        .collect();
    let uncertain: Vec<Factor> = (base.uncertain.iter())
        .filter(|p| !fixed.contains(&p.key.as_str()))
        .map(|p| Factor::Uncertain(p.clone()))
        .collect();
    if uncertain.is_empty() {
        anyhow::bail!(
            "{}: no parameter to vary: give --range key.path=lo:hi (repeatable), or add an \
             [uncertain] table to the scenario (its keys not fixed by --set are then analysed)",
            args.scenario.display()
        );
    }
    Ok(uncertain)
}

/// One Sobol or Morris analysis in the output folder (or one shard of its design).
fn single(job: &Job, method: Method, parameters: Vec<Factor>, shard: Shard) -> Result<(), Failure> {
    let samples = job.args.samples.unwrap_or(match method {
        Method::Sobol => 256,
        Method::Morris => 20,
    });
    let plan = job.plan(method, parameters, samples);
    let Some(sweep) = job.run(&job.dir, &plan, shard)? else {
        return Ok(());
    };
    job.analyse(&job.dir, &sweep, &plan, None)?;
    Ok(())
}

/// Morris on every parameter in `DIR/screen`, then Sobol on those it keeps in `DIR`.
fn screen(job: &Job, parameters: Vec<Factor>) -> Result<(), Failure> {
    folder::prepare(&job.dir, job.args.force).map_err(bad_input)?;
    let trajectories = job.args.trajectories.unwrap_or(DEFAULT_TRAJECTORIES);
    let morris = job.plan(Method::Morris, parameters, trajectories);
    let stage = job.dir.join(SCREEN_FOLDER);
    let sweep = job
        .run(&stage, &morris, Shard::ALL)?
        .expect("an unsharded stage");
    let rows = job.analyse(&stage, &sweep, &morris, None)?;
    let cutoff = job.args.cutoff.unwrap_or(DEFAULT_CUTOFF);
    let kept = gsa::survivors(&rows, &morris.parameters, cutoff);
    if kept.is_empty() {
        let ranking = job.dir.join("ranking.csv");
        gsa::write_ranking(&ranking, &job.arm, &[(Method::Morris, &rows)])?;
        eprintln!(
            "no parameter moved any headline effect in the Morris stage ({}); no Sobol stage; wrote {}",
            stage.display(),
            ranking.display()
        );
        return Ok(());
    }
    let sobol = job.plan(Method::Sobol, kept, job.args.samples.unwrap_or(256));
    let sweep = job
        .run(&job.dir, &sobol, Shard::ALL)?
        .expect("an unsharded stage");
    let screening = Screening {
        morris,
        rows,
        folder: SCREEN_FOLDER.into(),
        cutoff,
    };
    job.analyse(&job.dir, &sweep, &sobol, Some(&screening))?;
    Ok(())
}

impl Job<'_> {
    fn plan(&self, method: Method, parameters: Vec<Factor>, samples: usize) -> Plan {
        Plan {
            method,
            parameters,
            samples,
            arm: self.arm.clone(),
            seed: self.seed,
        }
    }

    /// Run the design of `plan` in `dir`; `None` when only a shard was run.
    fn run(&self, dir: &Path, plan: &Plan, shard: Shard) -> Result<Option<Sweep>, Failure> {
        let design = plan.design().map_err(bad_input)?;
        let sweep = Sweep::new(&self.args.scenario, self.overrides.clone(), design)?;
        let sweep = keep_arms(sweep, self.args.arms.as_deref())?;
        let written = run_sweep(dir, &sweep, shard, self.args.force, self.args.quiet)?;
        if shard != Shard::ALL {
            eprintln!(
                "wrote {}; when every shard is done, run `caasim merge {}` and this command again without --shard",
                paths(&written),
                dir.display()
            );
            return Ok(None);
        }
        Ok(Some(sweep))
    }

    /// The indices, `ranking.csv`, `sensitivity.json` and the report of a finished stage.
    fn analyse(
        &self,
        dir: &Path,
        sweep: &Sweep,
        plan: &Plan,
        screening: Option<&Screening>,
    ) -> Result<Vec<IndexRow>, Failure> {
        let rows = gsa::analyse(dir, sweep, plan, screening)?;
        crate::report::render(dir)?;
        if !self.args.quiet {
            eprintln!("wrote {}", dir.join("ranking.csv").display());
        }
        Ok(rows)
    }
}
