//! Plots and a page for a coalition folder (written by `caasim
//! coalition`): per metric, a bar chart of the partners' Shapley values;
//! `coalition.html` shows them with the partners, how to read the values,
//! the best partner to add, the efficiency check and the tables of values
//! and subsets; `shapley.tex` and `shapley.md` give the values for a paper.

mod chart;
mod data;
mod page;
mod paper;

pub use data::is_coalition_folder;

use super::format::{file_part, metric_name};
use super::{Plot, Rendered, plot, write_plots};
use crate::output::folder::write_atomic;
use anyhow::Result;
use chart::Chart;
use data::Coalition;
use std::path::Path;

/// Reads the coalition folder `dir` and writes
/// `dir/plots/coalition-<metric>.svg`, `.png` and `.pdf` for each metric,
/// `dir/coalition.html`, `dir/shapley.tex` and `dir/shapley.md`, each
/// atomically.
pub fn render(dir: &Path) -> Result<Rendered> {
    let coalition = Coalition::load(dir)?;
    let plots = (coalition.identity.metrics.iter().enumerate())
        .map(|(m, metric)| {
            plot(
                format!("coalition-{}", file_part(metric)),
                format!("{}: Shapley values", metric_name(metric)),
                caption(&coalition, m),
                &Chart::new(&coalition, m),
            )
        })
        .collect::<Result<Vec<Plot>>>()?;
    write_plots(dir, &plots)?;
    write_atomic(
        &dir.join("coalition.html"),
        page::page(&coalition, &plots).as_bytes(),
    )?;
    paper::write_values(dir, &coalition)?;
    Ok(Rendered::new(dir, "coalition.html", plots.len()))
}

fn caption(coalition: &Coalition, m: usize) -> String {
    let id = &coalition.identity;
    let metric = metric_name(&id.metrics[m]).to_lowercase();
    let used = (coalition.values_of(m).map(|v| v.shapley.n))
        .max()
        .unwrap_or(0);
    format!(
        "One row per partner of {}: its Shapley value, its share of the coalition's effect on \
         {metric} against the baseline (the values add up to the full coalition's effect less \
         the empty coalition's), with its 95% interval over {} ({used} of {} replications used, \
         those with every subset's effect defined). The dashed line marks no contribution.",
        id.arm,
        coalition.units(),
        id.replications,
    )
}
