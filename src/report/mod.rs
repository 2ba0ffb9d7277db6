//! Plots and an HTML report for a caasim results, sweep, sensitivity or
//! calibration folder.
//!
//! [`render`] reads a results folder (see `docs/RESULTS.md`), writes every
//! plot as SVG, PNG and PDF (vector, with its text in the embedded font, for
//! LaTeX) under `plots/` and a self-contained `report.html`;
//! given a sweep folder (see [`crate::experiment::sweep`]) it writes the
//! sweep's plots and `sweep.html` instead, given a sensitivity folder
//! (a sweep folder with `sensitivity.json` and `indices.csv`) the plots of
//! the indices and `sensitivity.html`, and given a calibration folder (see
//! [`crate::experiment::calibrate`]) the plots of the fit, the posterior
//! and the generations and `calibration.html`, and given a coalition
//! folder (see [`crate::experiment::coalition`]) the partners' Shapley
//! values and `coalition.html`. It learns everything from
//! the files, not from the model; of the rest of caasim it uses only
//! [`crate::output`]'s atomic writes and manifest file name, the Student-t
//! estimate of [`crate::stats`] and its draws' means of an ensemble, and [`crate::experiment`]'s sweep file
//! name, design reader, calibration file name, the columns of its tables,
//! quantile, and the labels, units and headline list of its metrics
//! ([`crate::experiment::metrics`]).

mod averted;
mod bars;
mod calibration;
mod coalition;
mod contrasts;
mod coverage;
mod csvfile;
mod data;
mod effects;
mod figure;
mod format;
mod html;
mod market;
mod paper;
mod params;
mod pdf;
mod pngenc;
mod printable;
mod sensitivity;
pub mod stats;
mod style;
mod sweep;
mod ticked;
mod timeaxis;
mod timeplot;
mod tornado;
mod uncertainty;
mod validation;

pub use format::value as format_value;

use crate::output::folder::write_atomic;
use anyhow::{Context, Result};
use averted::Averted;
use bars::Bars;
use data::{Dimension, Measure, Results};
use figure::{Figure, Image};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use timeplot::{SeriesSpec, TimePlot};

/// A rendered plot with the words the page shows next to it.
struct Plot {
    name: String,
    title: String,
    caption: String,
    image: Image,
}

/// What [`render`] wrote: a page and plots under `plots/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The page: `report.html`, `sweep.html`, `sensitivity.html`, `coalition.html`, `calibration.html` or `validation.html`.
    pub page: PathBuf,
    /// The plots drawn, each as an SVG, a PNG and a PDF file in the folder's
    /// `plots/`.
    pub plots: usize,
}

impl Rendered {
    /// The page `name` of `dir`, with `plots` plots.
    fn new(dir: &Path, name: &str, plots: usize) -> Self {
        Rendered {
            page: dir.join(name),
            plots,
        }
    }
}

/// `wrote DIR/report.html and 12 plots (SVG, PNG and PDF) in DIR/plots`.
impl std::fmt::Display for Rendered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plots = self.page.with_file_name("plots");
        let plural = if self.plots == 1 { "" } else { "s" };
        write!(
            f,
            "wrote {} and {} plot{plural} (SVG, PNG and PDF) in {}",
            self.page.display(),
            self.plots,
            plots.display()
        )
    }
}

/// Reads the results folder `dir` and writes `dir/plots/*.svg`,
/// `dir/plots/*.png`, `dir/plots/*.pdf` and `dir/report.html`, each
/// atomically. When `dir` is a
/// sweep folder (its `sweep.json` says `"kind": "sweep"`), writes the sweep's
/// plots and `dir/sweep.html` instead. When `dir` is a sensitivity folder
/// (its `sensitivity.json` says `"kind": "sensitivity"`; checked first, as
/// it is a sweep folder too), writes `dir/plots/sensitivity-*` and
/// `dir/sensitivity.html` instead. When `dir` is a calibration folder (its
/// `calibration.json` says `"kind": "calibration"`, or has no `kind` and
/// sits next to a `fit.csv`), writes `dir/plots/calibration-*` and
/// `dir/calibration.html` instead. When `dir` is a validation folder (its
/// `validation.json` says `"kind": "validation"`), writes
/// `dir/plots/validation-*` and `dir/validation.html`. When `dir` is a
/// coalition folder (its `coalition.json` says `"kind": "coalition"`),
/// writes `dir/plots/coalition-*`, `dir/coalition.html` and `dir/shapley.*`.
///
/// Fails with a message naming the file (and line) when the folder is not a
/// complete caasim results, sweep, sensitivity or calibration folder.
/// Returns what it wrote.
pub fn render(dir: &Path) -> Result<Rendered> {
    if coalition::is_coalition_folder(dir)? {
        return coalition::render(dir);
    }
    if validation::is_validation_folder(dir)? {
        return validation::render(dir);
    }
    if calibration::is_calibration_folder(dir)? {
        return calibration::render(dir);
    }
    if sensitivity::is_sensitivity_folder(dir)? {
        return sensitivity::render(dir);
    }
    if sweep::is_sweep_folder(dir)? {
        return sweep::render(dir);
    }
    let results = Results::load(dir)?;
    let plots = draw_all(&results)?;
    let tornadoes = tornado_plots(&results)?;
    write_plots(dir, &plots)?;
    write_plots(dir, &tornadoes)?;
    write_atomic(
        &dir.join("report.html"),
        html::page(&results, &plots, &tornadoes).as_bytes(),
    )?;
    paper::write_effects(dir, &results)?;
    Ok(Rendered::new(
        dir,
        "report.html",
        plots.len() + tornadoes.len(),
    ))
}

/// Writes each plot as `dir/plots/<name>.svg`, `.png` and `.pdf` (converted
/// from the SVG here, in parallel), atomically.
fn write_plots(dir: &Path, plots: &[Plot]) -> Result<()> {
    let plot_dir = dir.join("plots");
    std::fs::create_dir_all(&plot_dir)
        .with_context(|| format!("cannot create {}", plot_dir.display()))?;
    plots.par_iter().try_for_each(|plot| {
        let path = |extension: &str| plot_dir.join(format!("{}.{extension}", plot.name));
        let pdf = pdf::from_svg(&plot.image.svg)
            .with_context(|| format!("cannot convert plot {} to PDF", plot.name))?;
        write_atomic(&path("svg"), plot.image.svg.as_bytes())?;
        write_atomic(&path("png"), &plot.image.png)?;
        write_atomic(&path("pdf"), &pdf)
    })
}

fn plot<F: Figure>(
    name: impl Into<String>,
    title: impl Into<String>,
    caption: String,
    fig: &F,
) -> Result<Plot> {
    let name = name.into();
    let image = figure::render(&name, fig)?;
    Ok(Plot {
        name,
        title: title.into(),
        caption,
        image,
    })
}

/// Every plot of the Plots section, in the order the page shows them: of
/// a summary-only folder, the effects alone.
/// (Drawn in parallel: the plots are independent, and each is the same
/// whatever thread draws it.)
fn draw_all(results: &Results) -> Result<Vec<Plot>> {
    if results.summary_only {
        return Ok(vec![effects_plot(results)?]);
    }
    let (time, (market, (effects, segments))) = rayon::join(
        || time_plots(results),
        || {
            rayon::join(
                || market_plot(results),
                || rayon::join(|| effects_plot(results), || segment_plots(results)),
            )
        },
    );
    let mut plots = time?;
    plots.push(market?);
    plots.push(effects?);
    plots.extend(segments?);
    Ok(plots)
}

/// The time series of [`SERIES`].
fn time_plots(results: &Results) -> Result<Vec<Plot>> {
    let band = format!(
        "Lines are means over {}; shaded bands: {}. Dashed vertical lines mark intervention \
         days.",
        coverage::replications_text(results),
        coverage::of_daily_mean(results)
    );
    SERIES
        .par_iter()
        .map(|spec| {
            let caption = format!("{} {band}", spec.description());
            plot(
                spec.name,
                spec.heading,
                caption,
                &TimePlot::new(results, spec),
            )
        })
        .collect()
}

fn market_plot(results: &Results) -> Result<Plot> {
    let panels = match results.intervention_arms().first() {
        Some(arm) => format!("left the baseline, right {arm}"),
        None => "the baseline only, as there is no intervention arm".into(),
    };
    let caption = format!(
        "Share of seats used held by the five largest providers and all others \
         (mean over replications); {panels}. A band that vanishes is a provider \
         that left the market."
    );
    plot(
        "market",
        "Market shares",
        caption,
        &market::Market::new(results),
    )
}

fn effects_plot(results: &Results) -> Result<Plot> {
    let caption = match results.is_ensemble() {
        false => format!(
            "One row per arm: the dot is the mean difference from the baseline over {}, the \
             bar its {}; the dashed line marks no effect.",
            coverage::replications_text(results),
            coverage::of_mean(results)
        ),
        true => format!(
            "One row per arm: the dot is the mean difference from the baseline (the mean of \
             the draws' means), the line its {}, the shaded bar its {}; the dashed line marks \
             no effect.",
            coverage::of_mean(results),
            coverage::ACROSS_ENSEMBLE
        ),
    };
    plot(
        "effects",
        "Headline effects",
        caption,
        &effects::Effects::new(results),
    )
}

/// One tornado plot per headline effect of an ensemble (none without one).
fn tornado_plots(results: &Results) -> Result<Vec<Plot>> {
    let effects = match results.is_ensemble() {
        true => uncertainty::headline_effects(results),
        false => Vec::new(),
    };
    effects
        .par_iter()
        .map(|(arm, metric)| {
            let caption = format!(
                "Parameters of the ensemble ranked by how much knowing each exactly would narrow \
                 the 90% interval of this effect across the ensemble (1 − √(1 − S), S its \
                 first-order index from the {} draws); the top {} with an estimate. Hatched grey \
                 bars are not distinguishable from noise (F test p ≥ {}).",
                uncertainty::draws_text(results),
                tornado::TOP,
                tornado::SIGNIFICANCE
            );
            plot(
                uncertainty::plot_name(arm, metric),
                format!(
                    "What to measure next: {}",
                    uncertainty::effect_name(arm, metric)
                ),
                caption,
                &tornado::Tornado::new(results, arm, metric),
            )
        })
        .collect()
}

/// Compromises averted after the intervention by victim country and by
/// sector.
fn segment_plots(results: &Results) -> Result<Vec<Plot>> {
    [
        ("countries", ["country", "countries"], Dimension::Country),
        ("sectors", ["sector", "sectors"], Dimension::Sector),
    ]
    .into_iter()
    .map(|(name, [what, plural], dim)| {
        let averted = Averted::new(results, dim);
        let caption = averted_caption(results, &averted, [what, plural]);
        let title = format!("Compromises averted by {what}");
        let colour = |arm: &str| style::arm_colour(results.arm_index(arm));
        let bars = Bars::new(averted, title.clone(), AVERTED_AXIS, colour);
        plot(name, title, caption, &bars)
    })
    .collect()
}

/// What the x axis of the compromises averted counts.
const AVERTED_AXIS: &str = "compromises averted (baseline − arm)";

/// The caption of the compromises averted by `what` (country or sector,
/// singular and plural).
fn averted_caption(results: &Results, averted: &Averted, what: [&str; 2]) -> String {
    let which = match averted.cut {
        true => format!(
            "the {} victim {} with the most compromises in the baseline",
            averted.categories.len(),
            what[1]
        ),
        false => format!("each victim {}", what[0]),
    };
    let over = match results.is_ensemble() {
        false => format!("mean over {} replications", averted.replications()),
        true => format!(
            "mean over {} parameter draws ({} replications)",
            uncertainty::draws_text(results),
            averted.replications()
        ),
    };
    format!(
        "Compromises averted after the intervention in {which}: baseline minus arm in the \
         same replication, from the arm's first intervention day to the end of the run (the \
         arms share every day before it); {over}, the black line its {}. A bar to the right \
         of the dashed line means fewer victims with the intervention, to the left more. \
         Summed to the end of the run, this can differ from the headline compromises averted, \
         which cover each arm's evaluation window.",
        coverage::of_mean(results)
    )
}

/// The four time-series plots.
const SERIES: [SeriesSpec; 4] = [
    SeriesSpec {
        name: "output",
        heading: "Campaigns",
        measure: Measure::Campaigns,
        title: "Daily campaigns",
        what: "Seats that ran a phishing campaign each day",
        y_desc: "campaigns (seat-days per day)",
        smooth: true,
        dollars: false,
        from_zero: true,
    },
    SeriesSpec {
        name: "compromises",
        heading: "Compromised accounts",
        measure: Measure::Compromises,
        title: "Compromised accounts",
        what: "Victim accounts compromised each day",
        y_desc: "accounts compromised per day",
        smooth: true,
        dollars: false,
        from_zero: true,
    },
    SeriesSpec {
        name: "losses",
        heading: "Losses",
        measure: Measure::Losses,
        title: "Victim losses",
        what: "Monetised losses of victims each day in US dollars",
        y_desc: "losses (USD per day)",
        smooth: true,
        dollars: true,
        from_zero: true,
    },
    SeriesSpec {
        name: "price",
        heading: "Seat price",
        measure: Measure::Price,
        title: "Mean seat price",
        what: "Seat-weighted mean price of active providers, undefined on days with none",
        y_desc: "price (USD per seat per 30 days)",
        smooth: false,
        dollars: true,
        from_zero: false,
    },
];
