//! The page of a validation folder (`caasim validate`): per case, the
//! observed values against the fitted model's predictions (a forest plot
//! in standard deviations of each observation), and the coverage of the
//! prediction intervals, fit and check targets apart.

mod data;
mod page;

pub use data::is_validation_folder;

use super::calibration::files::{FitRow, Target};
use super::calibration::fit::{FitChart, Words};
use super::{Plot, Rendered, plot, write_plots};
use crate::output::folder::write_atomic;
use anyhow::Result;
use data::{Identity, Row};
use std::path::Path;

/// The words of a case's forest plot.
const PREDICTED: Words = Words {
    title: "Observed against predicted",
    dot: "predicted mean",
    band: "90% prediction interval",
};

/// Reads the validation folder `dir` and writes `dir/plots/validation-*`
/// and `dir/validation.html`, each atomically.
pub fn render(dir: &Path) -> Result<Rendered> {
    let identity = data::read_identity(dir)?;
    let rows = data::read_rows(dir, &identity)?;
    let plots = case_plots(&identity, &rows)?;
    write_plots(dir, &plots)?;
    write_atomic(
        &dir.join("validation.html"),
        page::page(&identity, &rows, &plots).as_bytes(),
    )?;
    Ok(Rendered::new(dir, "validation.html", plots.len()))
}

/// A forest plot per case with a target of one value.
fn case_plots(identity: &Identity, rows: &[Row]) -> Result<Vec<Plot>> {
    let mut plots = Vec::new();
    for case in &identity.cases {
        let targets: Vec<Target> = (rows.iter())
            .filter(|r| r.case == case.name && r.day.is_none())
            .map(target)
            .collect();
        let chart = FitChart::of(targets.iter(), PREDICTED);
        if chart.is_empty() {
            continue;
        }
        plots.push(plot(
            format!("validation-{}", case.name),
            format!("{}: observed against predicted", case.title),
            caption(&identity.interval),
            &chart,
        )?);
    }
    Ok(plots)
}

fn caption(interval: &str) -> String {
    format!(
        "One row per target, named fit (calibrated to) or check (predicted, never fitted). \
         Each value is in standard deviations of its observation, (value − observed) / sd: the \
         observation is the ring at 0 with bars of ±1 and ±2 sd (for a bound, the value it \
         bounds); the dot is the predicted mean and the blue bar its interval ({interval}). A \
         row is inside when the observation lies within that interval blurred by the \
         observation's own error (the table's interval of an observation)."
    )
}

/// A row as the forest plot draws it.
fn target(row: &Row) -> Target {
    Target {
        name: format!("{}: {}", row.role.name(), row.target),
        kind: row.kind.clone(),
        arm: row.arm.clone(),
        measure: row.measure.clone(),
        versus: row.versus.clone(),
        bound: row.bound.clone(),
        rows: vec![FitRow::new(
            row.observed,
            row.sd,
            row.simulated,
            row.band,
            row.n,
            row.z,
        )],
    }
}
