//! Plots and a page for a sweep folder: each headline metric against each
//! swept parameter (the arms' effects, then the contrasts' differences)
//! and, for a full grid of two parameters, as heat maps; `sweep.html`
//! shows them with what was swept and a table of the points.

mod data;
mod heatmap;
mod page;
mod paper;
mod response;

pub use data::{Identity, is_sweep_folder, missing_points, read_json};

use super::format::metric_name;
use super::{Plot, Rendered, plot, write_plots};
use crate::output::folder::write_atomic;
use anyhow::Result;
use data::Sweep;
use heatmap::HeatMap;
use response::{Mode, Response, Shown};
use std::path::Path;

/// Metrics plotted and tabulated, in page order.
use crate::experiment::metrics::HEADLINE;

/// Most points in the page's table and the paper's (`points.csv` has them all).
const MAX_ROWS: usize = 200;

/// Reads the sweep folder `dir` and writes `dir/plots/sweep-*.svg`,
/// `.png` and `.pdf`, `dir/sweep.html` and the table of points for a paper
/// (`dir/points.tex`, `dir/points.md`), each atomically.
pub fn render(dir: &Path) -> Result<Rendered> {
    let sweep = Sweep::load(dir)?;
    let mut plots = response_plots(&sweep)?;
    plots.extend(difference_plots(&sweep)?);
    plots.extend(heat_maps(&sweep)?);
    write_plots(dir, &plots)?;
    write_atomic(
        &dir.join("sweep.html"),
        page::page(&sweep, &plots).as_bytes(),
    )?;
    paper::write_points(dir, &sweep)?;
    Ok(Rendered::new(dir, "sweep.html", plots.len()))
}

/// Each headline metric against each parameter, parameter by parameter.
fn response_plots(sweep: &Sweep) -> Result<Vec<Plot>> {
    let names = file_names(sweep);
    let mut plots = Vec::new();
    for (k, parameter) in sweep.parameters.iter().enumerate() {
        for metric in HEADLINE {
            plots.push(plot(
                format!("sweep-{metric}-vs-{}", names[k]),
                format!("{} against {}", metric_name(metric), parameter.path),
                response_caption(sweep, k, metric),
                &Response::new(sweep, k, metric, Shown::Effects),
            )?);
        }
    }
    Ok(plots)
}

/// Each contrast's paired difference in each headline metric (but
/// `days_to_recover`, which has no contrast) against each parameter.
fn difference_plots(sweep: &Sweep) -> Result<Vec<Plot>> {
    if sweep.contrasts.is_empty() {
        return Ok(Vec::new());
    }
    let names = file_names(sweep);
    let mut plots = Vec::new();
    for (k, parameter) in sweep.parameters.iter().enumerate() {
        for metric in HEADLINE.iter().filter(|m| has_contrast(m)) {
            plots.push(plot(
                format!("sweep-difference-{metric}-vs-{}", names[k]),
                format!(
                    "Difference in {} against {}",
                    metric_name(metric),
                    parameter.path
                ),
                difference_caption(sweep, k),
                &Response::new(sweep, k, metric, Shown::Differences),
            )?);
        }
    }
    Ok(plots)
}

/// Whether `--contrast` gives rows for `metric` (every metric but the
/// censored `days_to_recover`).
fn has_contrast(metric: &str) -> bool {
    crate::experiment::metrics::find(metric)
        .is_some_and(|m| m.statistic != crate::experiment::metrics::Statistic::Median)
}

/// Heat maps of the first intervention arm, when the design is a full grid
/// of two parameters.
fn heat_maps(sweep: &Sweep) -> Result<Vec<Plot>> {
    let (Some(grid), Some(arm)) = (sweep.grid2(), sweep.arms.first()) else {
        return Ok(Vec::new());
    };
    HEADLINE
        .iter()
        .map(|metric| {
            let caption = format!(
                "The {} of {arm}'s effect over {} at each combination of {} (across) and {} \
                 (up); the colour scale is on the right, grey cells are not defined.",
                estimated(sweep, metric),
                replications(sweep),
                grid.0.path,
                grid.1.path
            );
            plot(
                format!("sweep-heatmap-{metric}"),
                format!("{} over the grid", metric_name(metric)),
                caption,
                &HeatMap::new(sweep, grid, arm, metric),
            )
        })
        .collect()
}

/// "n replications", as far as `sweep.json` says.
fn replications(sweep: &Sweep) -> String {
    match sweep.identity.replications {
        Some(1) => "1 replication".into(),
        Some(n) => format!("{n} replications"),
        None => "the replications".into(),
    }
}

/// What the 95% interval of a point is and covers, as `points.csv`'s
/// `interval` column records it for each statistic: over the point's
/// replications (noise only) or over its parameter draws (a scenario with
/// an `[uncertain]` table: the parameters' uncertainty too).
fn interval_text(sweep: &Sweep) -> String {
    let kinds: Vec<String> = (sweep.intervals.iter())
        .map(|(statistic, interval)| format!("{statistic}: {interval}"))
        .collect();
    let any = |unit: &str| (sweep.intervals.iter()).any(|(_, i)| i.ends_with(unit));
    let mut covers = Vec::new();
    if any("over replications") {
        covers.push(format!(
            "over the point's {}, variation between replications only, the parameters fixed",
            replications(sweep)
        ));
    }
    if any("over draws") {
        covers.push(
            "over the point's draws of the uncertain parameters, so it covers their uncertainty \
             as well as noise"
                .to_string(),
        );
    }
    format!(
        "95% interval of the point's estimate ({}): {}",
        kinds.join("; "),
        covers.join("; ")
    )
}

/// What the effects of `metric` are at a point, in words: "mean", "share"
/// or "Kaplan-Meier median" (of a time that can be censored).
pub(super) fn estimated(sweep: &Sweep, metric: &str) -> &'static str {
    match sweep.statistic(metric) {
        "median" => "Kaplan-Meier median",
        "share" => "share",
        _ => "mean",
    }
}

fn difference_caption(sweep: &Sweep, k: usize) -> String {
    let reps = replications(sweep);
    let joined = match Mode::of(sweep, k) {
        Mode::Line => "a line through each value (no other parameter varies)",
        Mode::Scatter | Mode::ScatterMeans => {
            "a dot per design point (the other parameters vary too)"
        }
    };
    format!(
        "Per contrast A − B, the mean over {reps} of the paired difference between arm A's and \
         arm B's effect in the same replication (common random numbers), {joined}, with its {}. \
         The grey line marks no difference.",
        interval_text(sweep)
    )
}

fn response_caption(sweep: &Sweep, k: usize, metric: &str) -> String {
    let parameter = &sweep.parameters[k];
    let reps = replications(sweep);
    let stat = estimated(sweep, metric);
    let mut caption = match Mode::of(sweep, k) {
        Mode::Line => format!(
            "Per intervention arm, the {stat} over {reps} at each value (no other parameter \
             varies), shaded its {}.",
            interval_text(sweep)
        ),
        Mode::Scatter => format!(
            "Each dot is one design point's {stat} over {reps}, the bar its {}; the other \
             parameters vary too, so the points scatter.",
            interval_text(sweep)
        ),
        Mode::ScatterMeans => format!(
            "Each dot is one design point's {stat} over {reps}, the bar its {}; dashed lines \
             join each arm's estimates at each value, averaged over the other parameters.",
            interval_text(sweep)
        ),
    };
    if !parameter.is_numeric() {
        caption.push_str(" The values are categories, in design order.");
    }
    if response::zero_is_no_effect(metric) {
        caption.push_str(" The grey line marks no effect.");
    }
    caption
}

/// A file-name part per parameter: its path with characters other than
/// letters, digits, `_` and `-` replaced by `-`, numbered when two coincide.
fn file_names(sweep: &Sweep) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (k, parameter) in sweep.parameters.iter().enumerate() {
        let clean: String = (parameter.path.chars())
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let name = if names.contains(&clean) {
            format!("{clean}-{}", k + 1)
        } else {
            clean
        };
        names.push(name);
    }
    names
}
