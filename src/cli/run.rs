//! `caasim run`: every arm of a scenario for every replication into a
//! results folder, with progress, the manifest, the report and the headline
//! effects; and `--reps` and `--seed` as overrides (sweeps use them too).

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::process::INTERRUPTED;
use super::progress::Progress;
use super::{Failure, bad_input};
use crate::experiment::design::fnv1a;
use crate::experiment::metrics::Statistic;
use crate::experiment::summary::parse_contrasts;
use crate::experiment::tables::{self, Finished, Kept};
use crate::experiment::{Contrast, Hooks, SummaryRow};
use crate::model::posterior::Posterior;
use crate::model::{MODEL_VERSION, Model};
use crate::output::replace::{self, RunIdentity};
use crate::output::{folder, manifest};
use crate::resources;
use crate::scenario;

#[derive(clap::Args)]
pub(super) struct RunArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// Replications per arm (overrides `scenario.replications`).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    reps: Option<u32>,
    /// Master seed (overrides `scenario.seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Override a value: `key.path=value` (repeatable), e.g. `market.search_days=10`;
    /// an uncertain parameter given a value this way is fixed at it.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Add an arm, a copy of an arm with some values changed:
    /// `'NAME: BASE with KEY=VALUE, KEY=VALUE'` (repeatable; applied before
    /// `--set`), e.g. `'half-seized: takedown with capacity_seized=0.5'`.
    #[arg(long = "arm-add", value_name = "SPEC")]
    arm_add: Vec<String>,
    /// Replications per parameter draw of a scenario with `[uncertain]`
    /// (overrides `scenario.replications_per_draw`): `--reps 1000
    /// --per-draw 5` runs 200 draws of 5 replications.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..), conflicts_with = "fixed")]
    per_draw: Option<u32>,
    /// Run every replication at the central values of the uncertain
    /// parameters (as `scenario.replications_per_draw = 0`).
    #[arg(long)]
    fixed: bool,
    /// Keep only the summary (summary.csv/json, and an ensemble's draws.csv
    /// and voi.csv): no per-replication tables, for large ensembles.
    #[arg(long)]
    summary_only: bool,
    /// Draw the calibrated parameters from the weighted posterior of this
    /// `caasim calibrate` folder (its `posterior.csv`): each draw picks one
    /// particle by weight and sets every calibrated key to its values.
    #[arg(long, value_name = "DIR", conflicts_with = "fixed")]
    posterior: Option<PathBuf>,
    /// Run only these arms (comma-separated names) besides the baseline.
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    arms: Option<Vec<String>>,
    /// Contrast two intervention arms, `A:B` (repeatable): the paired
    /// difference and the ratio of every metric, arm A against arm B.
    #[arg(long = "contrast", value_name = "A:B")]
    contrast: Vec<String>,
    /// Results folder (default `results/<scenario name>`, or
    /// `results/<scenario name>+<hash>` when the command line changes the
    /// scenario or asks for contrasts).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Write into a folder that holds files caasim did not write, or replace
    /// a committed reference folder with a run of another scenario.
    #[arg(long)]
    force: bool,
    /// No progress output.
    #[arg(long, short)]
    quiet: bool,
}

/// `--arm-add` and `--set`, then `--reps` and `--seed` as overrides.
pub(super) fn run_overrides(
    arm_add: &[String],
    set: &[String],
    reps: Option<u32>,
    seed: Option<u64>,
) -> Vec<String> {
    let mut overrides = super::edits(arm_add, set);
    if let Some(reps) = reps {
        overrides.push(format!("scenario.replications={reps}"));
    }
    if let Some(seed) = seed {
        overrides.push(format!("scenario.seed={seed}"));
    }
    overrides
}

/// `--per-draw` or `--fixed` as an override of `scenario.replications_per_draw`.
pub(super) fn per_draw_override(per_draw: Option<u32>, fixed: bool) -> Option<String> {
    match (per_draw, fixed) {
        (_, true) => Some(format!("{PER_DRAW_KEY}=0")),
        (Some(per_draw), false) => Some(format!("{PER_DRAW_KEY}={per_draw}")),
        (None, false) => None,
    }
}

pub(super) use crate::scenario::PER_DRAW_KEY;

pub(super) fn run(args: RunArgs) -> Result<(), Failure> {
    let mut overrides = run_overrides(&args.arm_add, &args.set, args.reps, args.seed);
    overrides.extend(per_draw_override(args.per_draw, args.fixed));
    let mut model = load(&args, &overrides)?;
    if let Some(names) = &args.arms {
        model.keep_arms(names).map_err(Failure::BadInput)?;
    }
    let contrasts = parse_contrasts(&model, &args.contrast).map_err(Failure::BadInput)?;
    let dir = args.out.clone().unwrap_or_else(|| {
        let mut changes = changes(&overrides, args.arms.as_deref(), args.posterior.as_deref());
        changes.extend(args.contrast.iter().map(|c| format!("--contrast {c}")));
        super::default_out(&model.scenario.scenario.name, &changes, args.quiet)
    });
    let kept = if args.summary_only {
        Kept::Summary
    } else {
        Kept::All
    };
    let files = prepare_folder(&dir, &model, kept, args.force)?;
    let started_at = chrono::Utc::now();
    let clock = Instant::now();
    let outcome = run_with_progress(&dir, &model, kept, &contrasts, args.quiet)?;
    manifest::write(
        &dir,
        &model,
        &manifest::Provenance {
            scenario_file: &args.scenario.display().to_string(),
            overrides: &overrides,
            contrasts: &args.contrast,
            threads: rayon::current_num_threads(),
            started_at,
            finished_at: chrono::Utc::now(),
            files: &files,
            seizures: &outcome.seizures,
        },
    )?;
    crate::report::render(&dir)?;
    if !args.quiet {
        print_headlines(&outcome.summary);
        eprintln!(
            "wrote {} in {:.1} s",
            dir.display(),
            clock.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// Make `dir` ready for the run of `model` keeping `kept`: room on the
/// disk, the earlier run's folder replaced (saying so) only if it may be,
/// its files this run does not write removed; returns the files this run
/// writes.
fn prepare_folder(
    dir: &Path,
    model: &Model,
    kept: Kept,
    force: bool,
) -> Result<Vec<(&'static str, &'static str)>, Failure> {
    if kept == Kept::All {
        let (needed, what) = resources::disk::disk_estimate(model);
        resources::disk::check_space(dir, needed, &what).map_err(bad_input)?;
    }
    let identity = RunIdentity::of(model, kept == Kept::All);
    if let Some(notice) = replace::check(dir, &identity, force).map_err(bad_input)? {
        eprintln!("{notice}");
    }
    let earlier = folder::files_of_manifest(dir);
    folder::prepare(dir, force).map_err(bad_input)?;
    tables::remove_scratch(dir)?;
    let files = result_files(model, kept);
    let stale = earlier
        .iter()
        .filter(|f| !files.iter().any(|(n, _)| n == f));
    folder::remove_files(dir, stale)?;
    Ok(files)
}

/// What a run's command line changes in the scenario: the overrides as
/// recorded, then `--arms` and `--posterior` (which the manifest records
/// elsewhere).
fn changes(overrides: &[String], arms: Option<&[String]>, posterior: Option<&Path>) -> Vec<String> {
    let mut changes = overrides.to_vec();
    changes.extend(arms.map(|names| format!("--arms {}", names.join(","))));
    changes.extend(posterior.map(|dir| format!("--posterior {}", dir.display())));
    changes
}

/// The scenario of a run, with its posterior when `--posterior` is given
/// (warning when the posterior was fitted on another scenario text).
fn load(args: &RunArgs, overrides: &[String]) -> Result<Model, Failure> {
    let Some(dir) = &args.posterior else {
        return Ok(scenario::load_file(&args.scenario, overrides)?);
    };
    let model = scenario::load_file_with_posterior(&args.scenario, overrides, dir)
        .map_err(|e| Failure::BadInput(e.to_string()))?;
    if let Some(posterior) = &model.posterior {
        let warnings = (other_model(posterior).into_iter()).chain(fitted_elsewhere(
            posterior,
            &args.scenario,
            overrides,
        ));
        for warning in warnings {
            eprintln!("warning: {warning}");
        }
    }
    Ok(model)
}

/// Why a posterior may not fit this model: its calibration ran another
/// model version (or did not record one), whose mechanisms its particles
/// were fitted to.
fn other_model(posterior: &Posterior) -> Option<String> {
    let fitted = posterior.fitted_on.as_ref()?;
    let version = fitted.model_version;
    (version != Some(MODEL_VERSION)).then(|| {
        format!(
            "the posterior in {} was fitted with {}, and this is model version {MODEL_VERSION}: \
             its particles are applied as they are, though the mechanisms they were fitted to \
             may have changed (see CHANGELOG.md; calibrate again to be sure)",
            posterior.folder,
            match version {
                Some(v) => format!("model version {v}"),
                None => "a model version it does not record".into(),
            }
        )
    })
}

/// Why a posterior may not fit the scenario at `path` run with `overrides`:
/// it was fitted on another scenario text (its `calibration.json`
/// fingerprint differs) or with a `--set` this run does not have (other
/// than the central values a calibration runs at), or nothing says what it
/// was fitted on.
fn fitted_elsewhere(posterior: &Posterior, path: &Path, overrides: &[String]) -> Option<String> {
    let folder = &posterior.folder;
    let Some(fitted) = &posterior.fitted_on else {
        return Some(format!(
            "{folder} has no calibration.json: what the posterior was fitted on is not checked"
        ));
    };
    let text = scenario::load::read_text(path).ok()?;
    let fingerprint = format!("{:016x}", fnv1a(text.as_bytes()));
    if fingerprint != fitted.scenario_fingerprint {
        return Some(format!(
            "the posterior in {folder} was fitted on {} (fingerprint {}), not on this text of {} (fingerprint {fingerprint}): its particles are applied to it as they are",
            fitted.scenario,
            fitted.scenario_fingerprint,
            path.display()
        ));
    }
    // A calibration runs at the central values of the uncertain parameters
    // it does not fit (`super::at_central_values`): not a setting to repeat.
    let central = format!("{PER_DRAW_KEY}=0");
    let missing: Vec<&str> = (fitted.overrides.iter())
        .filter(|o| !overrides.contains(o) && **o != central)
        .map(String::as_str)
        .collect();
    (!missing.is_empty()).then(|| {
        format!(
            "the posterior in {folder} was fitted with --set {}, which this run does not give: its particles are applied as they are",
            missing.join(" --set ")
        )
    })
}

/// The files of a results folder and what each holds.
const RESULT_FILES: [(&str, &str); 11] = [
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
        "effects of each intervention arm against the baseline, by outcome, and the contrasts asked for: estimate, 95% interval and what it covers",
    ),
    ("summary.json", "the same as summary.csv"),
    (
        "effects.csv",
        "each intervention arm's effects in each replication, one row per metric",
    ),
    (
        "manifest.json",
        "provenance: scenario, seed, version, times, files",
    ),
    (
        "plots/",
        "SVG, PNG and PDF plots: output, compromises, losses, price, market, effects, countries, sectors",
    ),
    (
        "report.html",
        "a self-contained report page with every plot and the effects table",
    ),
    (
        "effects.tex",
        "the headline effects for a paper: a booktabs table with its caption",
    ),
    (
        "effects.md",
        "the headline effects for a paper: the same table in Markdown",
    ),
];

/// The files of an ensemble's results folder besides [`RESULT_FILES`].
const ENSEMBLE_FILES: [(&str, &str); 2] = [
    (
        "draws.csv",
        "the value of each uncertain parameter in each draw of the ensemble",
    ),
    (
        "voi.csv",
        "value of information: how much knowing each uncertain parameter would narrow each effect's spread",
    ),
];

/// The files of a results folder that records every replication.
const RECORD_FILES: [&str; 3] = ["timeseries.csv", "providers.csv", "segments.csv"];

/// The files of the results folder of `model` keeping `kept`.
fn result_files(model: &Model, kept: Kept) -> Vec<(&'static str, &'static str)> {
    let mut files = RESULT_FILES.to_vec();
    if kept == Kept::Summary {
        files.retain(|(name, _)| !RECORD_FILES.contains(name));
    }
    if model.ensemble.is_some() {
        files.extend(ENSEMBLE_FILES);
    }
    files
}

/// Run the experiment with progress, writing its tables into `dir` as
/// replications finish; returns the summary (also written) and what the
/// takedowns seized.
fn run_with_progress(
    dir: &Path,
    model: &Model,
    kept: Kept,
    contrasts: &[Contrast],
    quiet: bool,
) -> Result<Finished, Failure> {
    let total = model.arms.len() * model.replications as usize;
    let progress = Progress::new(&model.scenario.scenario.name, total, "runs", quiet);
    let report = |done: usize| progress.update(done);
    let hooks = Hooks {
        on_run_done: Some(&report),
        cancel: Some(&INTERRUPTED),
    };
    let summary = tables::run_into(dir, model, &hooks, kept, contrasts)?;
    progress.finish();
    summary.ok_or_else(|| {
        Failure::Interrupted(
            "No results were written (the folder has no manifest.json); run the same command again."
                .to_string(),
        )
    })
}

/// The headline effects, one line per arm, then one per contrast.
fn print_headlines(summary: &[SummaryRow]) {
    println!("{}", headline_legend(summary));
    let effects: Vec<&SummaryRow> = summary.iter().filter(|r| r.is_effect()).collect();
    let find = |arm: &str, metric: &str| {
        effects
            .iter()
            .copied()
            .find(|r| r.arm == arm && r.metric == metric)
    };
    let mut arms: Vec<&str> = effects.iter().map(|r| r.arm.as_str()).collect();
    arms.dedup();
    for arm in arms {
        println!(
            "{arm}: campaigns {}%, cost per compromise {}%, compromises averted {}",
            headline(find(arm, "campaigns_change_pct"), 1),
            headline(find(arm, "cost_per_compromise_change_pct"), 1),
            headline(find(arm, "compromises_averted"), 0),
        );
    }
    print_contrasts(summary);
}

/// The campaign change of each contrast: the paired difference in
/// percentage points and the ratio of the two arms' mean changes.
fn print_contrasts(summary: &[SummaryRow]) {
    let contrast = |r: &&SummaryRow, statistic: Statistic| {
        r.statistic == statistic && r.metric == "campaigns_change_pct"
    };
    let differences = summary
        .iter()
        .filter(|r| contrast(r, Statistic::Difference));
    for difference in differences {
        let ratio = summary.iter().find(|r| {
            contrast(r, Statistic::Ratio)
                && r.arm == difference.arm
                && r.versus == difference.versus
        });
        println!(
            "{} against {}: campaign change {} points, {} times as large",
            difference.arm,
            difference.versus,
            headline(Some(difference), 1),
            headline(ratio, 2),
        );
    }
}

/// What the numbers of the headline lines are and what their intervals
/// cover: replications at fixed values, parameter draws in an ensemble.
fn headline_legend(summary: &[SummaryRow]) -> String {
    let draws = summary
        .iter()
        .filter_map(|r| r.spread.map(|s| s.draws))
        .max();
    let replications = summary.iter().map(|r| r.estimate.n).max().unwrap_or(0);
    match draws {
        Some(k) => format!(
            "mean [95% interval of the mean over {k} parameter draws] \
             (90% interval across the ensemble: parameter uncertainty and noise)"
        ),
        None => format!(
            "mean [95% interval of the mean over {replications} replications: variation \
             between replications only, the scenario's parameters fixed]"
        ),
    }
}

/// A metric's estimate and 95% interval, and in an ensemble its 90%
/// interval across the draws, with `decimals` decimals.
fn headline(row: Option<&SummaryRow>, decimals: usize) -> String {
    let Some(row) = row else {
        return "undefined".to_string();
    };
    let e = row.estimate;
    let d = decimals;
    let mut text = match (e.mean, e.ci_low, e.ci_high) {
        (Some(m), Some(lo), Some(hi)) => format!("{m:.d$} [{lo:.d$}, {hi:.d$}]"),
        (Some(m), _, _) => format!("{m:.d$}"),
        _ => return "undefined".to_string(),
    };
    if let Some((lo, hi)) = row.spread.and_then(|s| s.low.zip(s.high)) {
        text.push_str(&format!(" ({lo:.d$} to {hi:.d$})"));
    }
    text
}
