//! The page of a validation folder (`caasim validate`): per case, the
//! observed values against the fitted model's predictions (a forest plot
//! in standard deviations of each observation), and the coverage of the
//! prediction intervals, fit and check targets apart.

mod data;
mod page;

pub use data::is_validation_folder;

use super::calibration::files::{FitRow, Target};
use super::calibration::fit::{FitChart, Words};
use super::calibration::series::SeriesChart;
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
    let mut plots = case_plots(&identity, &rows)?;
    plots.extend(series_plots(&identity, &rows)?);
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
            case_name(&case.name),
            format!("{}: observed against predicted", case.title),
            caption(&identity.interval),
            &chart,
        )?);
    }
    Ok(plots)
}

/// A time plot per `series` target (its rows with a day).
fn series_plots(identity: &Identity, rows: &[Row]) -> Result<Vec<Plot>> {
    let mut plots = Vec::new();
    for case in &identity.cases {
        let mut names: Vec<&str> = Vec::new();
        for row in rows
            .iter()
            .filter(|r| r.case == case.name && r.day.is_some())
        {
            if !names.contains(&row.target.as_str()) {
                names.push(&row.target);
            }
        }
        for name in names {
            let of_target = rows
                .iter()
                .filter(|r| r.case == case.name && r.target == name && r.day.is_some());
            let mut series = target(of_target.clone().next().expect("a row"));
            series.rows = of_target.map(|r| target(r).rows.remove(0)).collect();
            plots.push(plot(
                series_name(&case.name, name),
                format!("{}: {} over time", case.title, name),
                "Observed values (points, ±1 sd) and the predicted mean (line) with its 90% \
                 interval (band) on each day of the target, counted from the scenario's start."
                    .into(),
                &SeriesChart::new(&series, None),
            )?);
        }
    }
    Ok(plots)
}

/// The plot of a case's forest plot.
fn case_name(case: &str) -> String {
    format!("validation-{case}")
}

/// The plot of a case's `series` target.
fn series_name(case: &str, target: &str) -> String {
    format!(
        "validation-{case}-series-{}",
        super::format::file_part(target)
    )
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
        rows: vec![{
            let mut values =
                FitRow::new(row.observed, row.sd, row.simulated, row.band, row.n, row.z);
            values.day = row.day;
            values
        }],
    }
}
