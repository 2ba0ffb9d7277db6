//! `caasim validate`: run every case of a validation suite from its
//! calibration (calibrating first with `--calibrate`), write the
//! predictions, their coverage and the page, and print a line per case.

use std::path::{Path, PathBuf};

use super::process::INTERRUPTED;
use super::{Failure, bad_input};
use crate::experiment::Hooks;
use crate::experiment::calibrate::{Bound, Role};
use crate::experiment::validate::{self, Case, Prediction, Suite};
use crate::output::folder::MARKER;

#[derive(clap::Args)]
pub(super) struct ValidateArgs {
    /// The suite: a folder with `shared.toml` and one folder per case.
    #[arg(default_value = "validation")]
    dir: PathBuf,
    /// Where the predictions, their page and each case's calibration go.
    #[arg(long, default_value = "results/validation")]
    out: PathBuf,
    /// Calibrate each case first (else its committed calibration is used).
    #[arg(long)]
    calibrate: bool,
    /// Only these cases (comma-separated names).
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    cases: Option<Vec<String>>,
    /// No progress output.
    #[arg(long, short)]
    quiet: bool,
}

pub(super) fn validate(args: ValidateArgs) -> Result<(), Failure> {
    let suite = Suite::load(&args.dir).map_err(bad_input)?;
    let cases = suite.select(args.cases.as_deref()).map_err(bad_input)?;
    std::fs::create_dir_all(&args.out)
        .map_err(|e| bad_input(anyhow::anyhow!("cannot create {}: {e}", args.out.display())))?;
    for case in cases {
        let calibration = args.out.join(&case.name).join("calibration");
        if args.calibrate {
            calibrate(&suite, case, &calibration, args.quiet)?;
        } else if !calibration.join("posterior.csv").is_file() {
            return Err(bad_input(anyhow::anyhow!(
                "case {}: no calibration in {}; run `caasim validate {} --calibrate --cases {}` first",
                case.name,
                calibration.display(),
                args.dir.display(),
                case.name
            )));
        }
        let hooks = Hooks {
            on_run_done: None,
            cancel: Some(&INTERRUPTED),
        };
        let Some(predicted) =
            validate::predict_case(&suite, case, &calibration, &hooks).map_err(bad_input)?
        else {
            return Err(Failure::Interrupted(
                "Finished calibrations are kept; run the same command again.".into(),
            ));
        };
        println!("{}", case_line(case, &predicted));
        validate::tables::write_case(&args.out, case, &predicted)?;
    }
    validate::tables::assemble(&args.out, &suite).map_err(bad_input)?;
    let rendered = crate::report::render(&args.out)?;
    if !args.quiet {
        eprintln!("{rendered}");
    }
    Ok(())
}

/// Calibrate `case` into `dir` afresh (replacing a calibration caasim
/// wrote there), and draw its calibration page.
fn calibrate(suite: &Suite, case: &Case, dir: &Path, quiet: bool) -> Result<(), Failure> {
    if dir.exists() {
        if !dir.join(MARKER).is_file() {
            return Err(bad_input(anyhow::anyhow!(
                "{} holds files caasim did not write; move them, or choose another --out",
                dir.display()
            )));
        }
        std::fs::remove_dir_all(dir).map_err(|e| {
            Failure::Runtime(anyhow::anyhow!("cannot remove {}: {e}", dir.display()))
        })?;
    }
    let name = case.name.clone();
    let progress = move |generation: usize, accepted: usize| {
        if !quiet {
            eprintln!("caasim: {name}: generation {generation}: {accepted} particles accepted");
        }
    };
    validate::calibrate_case(suite, case, dir, &progress).map_err(bad_input)?;
    crate::report::render(dir)?;
    Ok(())
}

/// "emotet-2021: fit 3 (z -0.40 to +1.20); check values 1 of 2, bounds 1 of 1 inside".
fn case_line(case: &Case, rows: &[Prediction]) -> String {
    let of = |role: Role| rows.iter().filter(move |r| r.role == role);
    let zs: Vec<f64> = of(Role::Fit).filter_map(Prediction::z).collect();
    let range = match zs
        .iter()
        .copied()
        .reduce(f64::min)
        .zip(zs.iter().copied().reduce(f64::max))
    {
        Some((lo, hi)) => format!("z {lo:+.2} to {hi:+.2}"),
        None => "no z".into(),
    };
    let inside = |bounds: bool| {
        let judged: Vec<bool> = (of(Role::Check))
            .filter(|r| (r.bound != Bound::Equal) == bounds)
            .filter_map(Prediction::inside)
            .collect();
        format!(
            "{} of {}",
            judged.iter().filter(|i| **i).count(),
            judged.len()
        )
    };
    format!(
        "{}: fit {} ({range}); check values {}, bounds {} inside",
        case.name,
        of(Role::Fit).count(),
        inside(false),
        inside(true)
    )
}
