//! `caasim coalition`: the value of each partner of an arm's coalition
//! (Shapley values), every subset of the partners run as an arm
//! of one model; writes the folder, draws its page and prints each
//! partner's value on the chosen metric.

use std::path::{Path, PathBuf};

use super::process::INTERRUPTED;
use super::progress::Progress;
use super::run::run_overrides;
use super::{Failure, bad_input};
use crate::experiment::coalition::estimates::{Analysis, Best};
use crate::experiment::coalition::files::{self, IDENTITY, Provenance};
use crate::experiment::coalition::{GAME_METRICS, Game, game_metric};
use crate::experiment::{Hooks, run_summary};
use crate::output::folder;
use crate::scenario;
use crate::stats::Estimate;

/// The identity files of the folders of the other commands: a coalition
/// analysis does not write into one of them without `--force`.
const OTHER_KINDS: [&str; 5] = [
    folder::MANIFEST,
    "sweep.json",
    "sensitivity.json",
    "calibration.json",
    "validation.json",
];

#[derive(clap::Args)]
pub(super) struct CoalitionArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// The intervention arm whose coalition is analysed.
    #[arg(long)]
    arm: String,
    /// Replications of every subset's arm (overrides `scenario.replications`).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    reps: Option<u32>,
    /// Master seed (overrides `scenario.seed`; also draws the orders of --permutations).
    #[arg(long)]
    seed: Option<u64>,
    /// Override a value: `key.path=value` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Add an arm: `'NAME: BASE with KEY=VALUE, ...'` (repeatable; applied before `--set`).
    #[arg(long = "arm-add", value_name = "SPEC")]
    arm_add: Vec<String>,
    /// Sample M random orders of the partners instead of running every subset
    /// (needed beyond 6 partners).
    #[arg(long, value_name = "M", value_parser = clap::value_parser!(u32).range(1..))]
    permutations: Option<u32>,
    /// The metric of the printed values and of the best partner to add.
    #[arg(long, default_value = "compromises_averted")]
    metric: String,
    /// Output folder (default `results/<scenario name>-coalition`, or
    /// `results/<scenario name>-coalition+<hash>` when the command line changes the scenario).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Write into a folder that holds files caasim did not write, or another command's results.
    #[arg(long)]
    force: bool,
    /// No progress output.
    #[arg(long, short)]
    quiet: bool,
}

pub(super) fn coalition(args: CoalitionArgs) -> Result<(), Failure> {
    let metric = game_metric(&args.metric).ok_or_else(|| {
        let names: Vec<&str> = GAME_METRICS.iter().map(|(m, _)| *m).collect();
        Failure::BadInput(format!(
            "--metric {}: not a metric the coalition's value is shared out on; allowed: {} (days_to_recover, a censored median, is not additive)",
            args.metric,
            names.join(", ")
        ))
    })?;
    let given = run_overrides(&args.arm_add, &args.set, args.reps, args.seed);
    let model = scenario::load_file(&args.scenario, &given)?;
    let origin = args.scenario.display().to_string();
    let permutations = args.permutations.map(|m| m as usize);
    let game = Game::new(&model, &origin, &args.arm, permutations)
        .map_err(|message| Failure::BadInput(format!("{origin}: {message}")))?;
    let dir = args.out.clone().unwrap_or_else(|| {
        let name = format!("{}-coalition", model.scenario.scenario.name);
        super::default_out(&name, &given, args.quiet)
    });
    prepare(&dir, args.force)?;
    let summary = run_with_progress(&game, args.quiet)?;
    let analysis = Analysis::new(&game, &summary);
    let provenance = Provenance {
        scenario_file: &origin,
        overrides: &given,
        metric: GAME_METRICS[metric].0,
    };
    files::write(&dir, &game, &analysis, &provenance)?;
    let rendered = crate::report::render(&dir)?;
    if !args.quiet {
        print_values(&game, &analysis, metric);
        eprintln!("{rendered}");
    }
    Ok(())
}

/// Make `dir` ready: refuse another command's folder without `--force`,
/// then as every command does, and remove an earlier `coalition.json` so
/// that the folder reads as unfinished until the analysis is written.
fn prepare(dir: &Path, force: bool) -> Result<(), Failure> {
    let other = OTHER_KINDS.iter().find(|name| dir.join(name).is_file());
    if let (Some(name), false) = (other, force) {
        return Err(Failure::BadInput(format!(
            "{} holds the results of another command (its {name}); choose another --out, or pass --force to write into it",
            dir.display()
        )));
    }
    folder::prepare(dir, force).map_err(bad_input)?;
    let identity = dir.join(IDENTITY);
    if identity.is_file() {
        std::fs::remove_file(&identity).map_err(|e| {
            Failure::Runtime(anyhow::anyhow!(
                "cannot replace {}: {e}",
                identity.display()
            ))
        })?;
    }
    Ok(())
}

/// Run every subset's arm with progress; the summary of the effects.
fn run_with_progress(game: &Game, quiet: bool) -> Result<crate::experiment::Summary, Failure> {
    let model = &game.model;
    let total = model.arms.len() * model.replications as usize;
    let label = format!("{} coalition", game.arm);
    let progress = Progress::new(&label, total, "runs", quiet);
    let report = |done: usize| progress.update(done);
    let hooks = Hooks {
        on_run_done: Some(&report),
        cancel: Some(&INTERRUPTED),
    };
    let summary = run_summary(model, &hooks);
    progress.finish();
    summary.ok_or_else(|| {
        Failure::Interrupted(
            "Nothing was written (the folder has no coalition.json); run the same command again."
                .into(),
        )
    })
}

/// Each partner's values on metric `metric` (index in [`GAME_METRICS`]),
/// then the best partner to add.
fn print_values(game: &Game, analysis: &Analysis, metric: usize) {
    let name = GAME_METRICS[metric].0;
    let over = match game.model.ensemble {
        Some(_) => "parameter draws",
        None => "replications",
    };
    println!(
        "{} of {}: Shapley value, alone, added last: mean [95% interval over {over}]",
        name, game.arm
    );
    for row in analysis.partner_rows(name) {
        println!(
            "{}: {}, {}, {}",
            game.partners[row.partner],
            text(&row.shapley),
            text(&row.alone),
            text(&row.added_last)
        );
    }
    if let Some(best) = &analysis.best[metric] {
        println!("{}", best_line(game, best));
    }
}

/// The best partner to add, and whether its lead over the runner-up is
/// clear of noise.
fn best_line(game: &Game, best: &Best) -> String {
    let partner = &game.partners[best.partner];
    let (Some(runner_up), Some(difference)) = (best.runner_up, &best.difference) else {
        return format!("best single partner to add: {partner}");
    };
    let verdict = match best.separated {
        Some(true) => "its interval separates it from",
        Some(false) => "its interval does not separate it from",
        None => "too few replications to separate it from",
    };
    format!(
        "best single partner to add: {partner}; {verdict} {} (added last, {partner} minus {}: {})",
        game.partners[runner_up],
        game.partners[runner_up],
        text(difference)
    )
}

/// `mean [low, high]`, or `undefined`.
fn text(e: &Estimate) -> String {
    match (e.mean, e.ci_low, e.ci_high) {
        (Some(m), Some(lo), Some(hi)) => format!("{} [{}, {}]", short(m), short(lo), short(hi)),
        (Some(m), _, _) => short(m),
        _ => "undefined".into(),
    }
}

/// A number with four significant digits at most, for the terminal.
fn short(v: f64) -> String {
    let digits = (3 - v.abs().log10().floor().max(0.0) as i32).max(0) as usize;
    format!("{v:.digits$}")
}
