//! Plots and a page for a sensitivity folder (a sweep folder with
//! `sensitivity.json` and `indices.csv`, written by `caasim sensitivity`):
//! per output, a bar chart of the parameters' indices; `sensitivity.html`
//! shows them with what was analysed, how to read the indices, and a table
//! of them.

mod chart;
mod data;
mod page;
mod paper;

pub use data::is_sensitivity_folder;

use super::format::{file_part, metric_name};
use super::{Plot, Rendered, plot, write_plots};
use crate::output::folder::write_atomic;
use anyhow::Result;
use chart::Chart;
use data::{Method, Sensitivity};
use std::path::Path;

/// Reads the sensitivity folder `dir` and writes
/// `dir/plots/sensitivity-<output>.svg`, `.png` and `.pdf` for each output,
/// `dir/sensitivity.html`, and the indices for a paper (`dir/indices.tex`,
/// `dir/indices.md`), each atomically.
pub fn render(dir: &Path) -> Result<Rendered> {
    let sensitivity = Sensitivity::load(dir)?;
    let charts: Vec<Chart> = (0..sensitivity.identity.outputs.len())
        .map(|o| Chart::new(&sensitivity, o))
        .collect();
    let plots = (charts.iter().enumerate())
        .map(|(o, chart)| {
            let output = &sensitivity.identity.outputs[o];
            plot(
                format!("sensitivity-{}", file_part(output)),
                format!("{} by parameter", metric_name(output)),
                caption(&sensitivity, o),
                chart,
            )
        })
        .collect::<Result<Vec<Plot>>>()?;
    write_plots(dir, &plots)?;
    write_atomic(
        &dir.join("sensitivity.html"),
        page::page(&sensitivity, &plots, &charts).as_bytes(),
    )?;
    paper::write_indices(dir, &sensitivity, &charts)?;
    Ok(Rendered::new(dir, "sensitivity.html", plots.len()))
}

fn caption(sensitivity: &Sensitivity, o: usize) -> String {
    let id = &sensitivity.identity;
    let metric = metric_name(&id.outputs[o]).to_lowercase();
    let mut caption = match id.method {
        Method::Sobol => format!(
            "One row per parameter, largest total index first. Blue: the first-order index S1, \
             the share of the variance of {metric} due to the parameter alone; orange: the \
             total index ST, its share including interactions (ST − S1 is the interactions' \
             share). Whiskers are 95% bootstrap intervals, resampling the base rows: how \
             precisely the design pins down each index."
        ),
        Method::Morris => format!(
            "One row per parameter, largest μ* first. Blue: μ*, the mean absolute elementary \
             effect on {metric} of moving the parameter across its range (overall influence), \
             with its 95% bootstrap interval (resampling the trajectories: how precisely the \
             design pins μ* down); orange: σ, the standard deviation of the \
             elementary effects (non-linearity or interactions). σ large against μ* means the \
             effect depends on the other parameters."
        ),
    };
    let used = match (sensitivity.rows_used(o), id.samples) {
        (Some(n), Some(of)) => format!(" Estimated from {n} of {of} {}", id.method.samples()),
        (Some(n), None) => format!(" Estimated from {n} {}", id.method.samples()),
        (None, _) => String::new(),
    };
    if !used.is_empty() {
        caption.push_str(&used);
        caption.push_str(" (those with every output defined).");
    }
    caption.push_str(
        " Long parameter names are cut from the left; the table below gives them in full.",
    );
    caption
}
