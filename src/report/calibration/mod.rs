//! Plots and a page for a calibration folder (written by `caasim
//! calibrate`; its `calibration.json` says `"kind": "calibration"`): the
//! observed targets against the simulated values at the best fit (a forest
//! plot in standardised units, and a time plot per `series` target), the
//! posterior of each parameter over its prior range, and the progress of
//! the ABC-SMC by generation; `calibration.html` shows them with what was
//! calibrated, how to read them, and tables of the posterior and the fit.

mod data;
pub(super) mod files;
pub(super) mod fit;
mod page;
mod posterior;
mod progress;
pub(super) mod series;
mod values;

pub use data::is_calibration_folder;

use super::format::{file_part, metric_name};
use super::{Plot, Rendered, plot, write_plots};
use crate::output::folder::write_atomic;
use anyhow::Result;
use data::Calibration;
use files::Target;
use fit::FitChart;
use posterior::PosteriorChart;
use progress::ProgressChart;
use series::SeriesChart;
use std::path::Path;

/// The page of a calibration folder.
pub const PAGE: &str = "calibration.html";

/// Reads the calibration folder `dir` and writes `dir/plots/calibration-*.svg`,
/// `.png` and `.pdf` and `dir/calibration.html`, each atomically.
pub fn render(dir: &Path) -> Result<Rendered> {
    let calibration = Calibration::load(dir)?;
    let plots = draw_all(&calibration)?;
    write_plots(dir, &plots)?;
    write_atomic(&dir.join(PAGE), page::page(&calibration, &plots).as_bytes())?;
    Ok(Rendered::new(dir, PAGE, plots.len()))
}

/// Every plot, in the order the page shows them.
fn draw_all(calibration: &Calibration) -> Result<Vec<Plot>> {
    let mut plots = Vec::new();
    let fit = FitChart::new(calibration);
    if !fit.is_empty() {
        let caption = fit_caption(calibration);
        plots.push(plot(
            "calibration-fit",
            "Observed against simulated",
            caption,
            &fit,
        )?);
    }
    plots.extend(series_plots(calibration)?);
    let posterior = PosteriorChart::new(calibration);
    let caption = posterior_caption(calibration, posterior.bins());
    plots.push(plot(
        "calibration-posterior",
        "Posterior by parameter",
        caption,
        &posterior,
    )?);
    let progress = ProgressChart::new(calibration);
    if !progress.is_empty() {
        let caption = progress_caption(calibration);
        plots.push(plot(
            "calibration-generations",
            "Progress by generation",
            caption,
            &progress,
        )?);
    }
    Ok(plots)
}

/// A time plot per `series` target, named after it (made unique).
fn series_plots(calibration: &Calibration) -> Result<Vec<Plot>> {
    let mut names: Vec<String> = Vec::new();
    let mut plots = Vec::new();
    for target in calibration.series_targets() {
        let mut name = format!("calibration-series-{}", file_part(&target.name));
        if names.contains(&name) {
            name = format!("{name}-{}", names.len() + 1);
        }
        names.push(name.clone());
        let chart = SeriesChart::new(target, calibration.scenario.start);
        let title = format!("{} over time", target.name);
        plots.push(plot(
            name,
            title,
            series_caption(calibration, target),
            &chart,
        )?);
    }
    Ok(plots)
}

/// "N replications" of the best fit, as far as the folder tells.
fn final_replications(calibration: &Calibration) -> String {
    let settings = calibration.identity.settings.final_replications;
    let most_defined = (calibration.targets.iter())
        .flat_map(|t| t.rows.iter().map(|r| r.n))
        .max();
    match settings.or(most_defined) {
        Some(1) => "1 replication".into(),
        Some(n) => format!("{n} replications"),
        None => "the replications".into(),
    }
}

fn fit_caption(calibration: &Calibration) -> String {
    let distance = match calibration.identity.best_fit_distance {
        Some(d) => format!(" (at the best fit: {d:.2})"),
        None => String::new(),
    };
    let series = if calibration.series_targets().next().is_some() {
        " Series targets have plots of their own."
    } else {
        ""
    };
    format!(
        "One row per target. As the targets are of different measures, each value is drawn in \
         standard deviations of its observation, z = (value − observed) / sd, so that all \
         share one axis: the open circle is the observed value (z = 0), its thick bar ±1 sd \
         and its thin bar ±2 sd; the blue dot is the mean over {} of the best fit (the \
         posterior medians) and the blue bar the 5–95% range of those single replications \
         (the model's noise at the best fit: not an interval of the mean, and without the \
         posterior's uncertainty). A dot \
         inside the thick bar fits the target within one sd. The grey line under each name \
         gives the values in the measure's own unit. The calibration's distance is the root of \
         the sum of the squared z{distance}.{series}",
        final_replications(calibration)
    )
}

fn series_caption(calibration: &Calibration, target: &Target) -> String {
    format!(
        "{} of the arm {}: the observed values of the series target {} as open circles with \
         ±1 sd bars; the line is the mean over {} of the best fit, the band the 5–95% range of \
         those single replications (the model's noise at the best fit: not an interval of the \
         mean, and without the posterior's uncertainty). The target adds the mean of its squared z over its {} days to \
         the distance.",
        metric_name(&target.measure),
        target.arm,
        target.name,
        final_replications(calibration),
        target.rows.len()
    )
}

fn posterior_caption(calibration: &Calibration, (fewest, most): (usize, usize)) -> String {
    let particles = calibration.posterior.weights.len();
    let generation = match calibration.identity.generations.last() {
        Some(g) => format!(" (generation {})", g.generation),
        None => String::new(),
    };
    let bins = if fewest == most {
        format!("{most} equal bins")
    } else {
        format!("{fewest} to {most} equal bins (more where the posterior is narrow)")
    };
    format!(
        "One panel per calibrated parameter, over its prior range (uniform between the low and \
         high values of the calibration). Bars: the share of the importance weight of the \
         {particles} particles of the final generation{generation} in each of {bins}; dashed \
         grey line: the share of a bin under the prior. Bars above the line mark \
         values the targets favour; a histogram as flat as the prior means the targets do not \
         inform the parameter. Solid line: the weighted median, the best fit of best-fit.toml \
         and fit.csv; dashed lines: the 5% and 95% quantiles, a 90% credible interval \
         (posterior_summary.csv): the values the targets allow given their sds."
    )
}

fn progress_caption(calibration: &Calibration) -> String {
    let alpha = match calibration.identity.inputs.alpha {
        Some(a) => format!("the {a}-quantile"),
        None => "a quantile".into(),
    };
    format!(
        "Top: the distance to the targets of each generation's particles (median and 5–95% \
         range, from generation-<g>.csv) and the generation's tolerance, the largest distance \
         it accepted: {alpha} of the previous generation's distances (none for generation 0, \
         drawn from the prior). Bottom: the share of proposals accepted. Falling distances \
         show the particles closing on the targets; falling acceptance, that each further step \
         costs more runs."
    )
}
