//! Plots and an HTML report for a caasim results folder.
//!
//! [`render`] reads a results folder (see `docs/RESULTS.md`), writes every
//! plot as SVG and PNG under `plots/` and a self-contained `report.html`.
//! The module depends on no other caasim module: it only reads the files.

mod bars;
mod data;
mod effects;
mod figure;
mod format;
mod html;
mod market;
mod params;
mod pngenc;
mod stats;
mod style;
mod ticked;
mod timeaxis;
mod timeplot;

use anyhow::{Context, Result};
use bars::{Bars, Dimension};
use data::{Measure, Results};
use figure::{Figure, Image};
use std::path::Path;
use timeplot::{SMOOTHING_DAYS, SeriesSpec, TimePlot};

/// A rendered plot with the words the page shows next to it.
struct Plot {
    name: &'static str,
    title: &'static str,
    caption: String,
    image: Image,
}

/// Reads the results folder `dir` and writes `dir/plots/*.svg`,
/// `dir/plots/*.png` and `dir/report.html`, each atomically.
///
/// Fails with a message naming the file when the folder is not a complete
/// caasim results folder.
pub fn render(dir: &Path) -> Result<()> {
    let results = Results::load(dir)?;
    let plots = draw_all(&results)?;
    let plot_dir = dir.join("plots");
    std::fs::create_dir_all(&plot_dir)
        .with_context(|| format!("cannot create {}", plot_dir.display()))?;
    for plot in &plots {
        let svg = plot_dir.join(format!("{}.svg", plot.name));
        crate::output::folder::write_atomic(&svg, plot.image.svg.as_bytes())?;
        crate::output::folder::write_atomic(
            &plot_dir.join(format!("{}.png", plot.name)),
            &plot.image.png,
        )?;
    }
    crate::output::folder::write_atomic(
        &dir.join("report.html"),
        html::page(&results, &plots).as_bytes(),
    )
}

fn plot<F: Figure>(
    name: &'static str,
    title: &'static str,
    caption: String,
    fig: &F,
) -> Result<Plot> {
    Ok(Plot {
        name,
        title,
        caption,
        image: figure::render(name, fig)?,
    })
}

fn draw_all(results: &Results) -> Result<Vec<Plot>> {
    let reps = results
        .manifest
        .replications
        .map_or("all".into(), |r| r.to_string());
    let band = format!(
        "Lines are means over {reps} replications, shaded bands their 95% intervals; \
         dashed vertical lines mark intervention days."
    );
    let mut plots = Vec::new();
    for (name, title, spec, what) in series_specs() {
        let caption = format!("{what} {band}");
        plots.push(plot(name, title, caption, &TimePlot::new(results, &spec))?);
    }
    let market_caption = format!(
        "Share of seats used held by the five largest providers and all others \
         (mean over replications); left the baseline, right {}. A band that \
         vanishes is a provider that left the market.",
        results
            .intervention_arms()
            .first()
            .unwrap_or(&"no intervention arm")
    );
    plots.push(plot(
        "market",
        "Market shares",
        market_caption,
        &market::Market::new(results),
    )?);
    let effects_caption = "One row per arm: the dot is the mean difference from the baseline \
        over replications, the bar its 95% interval; the dashed line marks no effect.";
    plots.push(plot(
        "effects",
        "Headline effects",
        effects_caption.into(),
        &effects::Effects::new(results),
    )?);
    for (name, title, dim, what) in [
        (
            "countries",
            "Compromises by country",
            Dimension::Country,
            "victim country (12 largest)",
        ),
        (
            "sectors",
            "Compromises by sector",
            Dimension::Sector,
            "victim sector",
        ),
    ] {
        let caption = format!(
            "Accounts compromised over the whole run by {what}, mean per replication; \
             one bar per arm, longer bars mean more victims."
        );
        plots.push(plot(name, title, caption, &Bars::new(results, dim, title))?);
    }
    Ok(plots)
}

/// The four time-series plots: file name, title, spec and what they show.
fn series_specs() -> [(&'static str, &'static str, SeriesSpec, String); 4] {
    let smoothed = format!("{SMOOTHING_DAYS}-day trailing mean");
    [
        (
            "output",
            "Campaigns",
            SeriesSpec {
                measure: Measure::Campaigns,
                title: "Daily campaigns (7-day trailing mean)",
                y_desc: "campaigns (seat-days per day)",
                smooth: true,
                dollars: false,
                from_zero: true,
            },
            format!("Seats that ran a phishing campaign each day, {smoothed}."),
        ),
        (
            "compromises",
            "Compromised accounts",
            SeriesSpec {
                measure: Measure::Compromises,
                title: "Compromised accounts (7-day trailing mean)",
                y_desc: "accounts compromised per day",
                smooth: true,
                dollars: false,
                from_zero: true,
            },
            format!("Victim accounts compromised each day, {smoothed}."),
        ),
        (
            "losses",
            "Losses",
            SeriesSpec {
                measure: Measure::Losses,
                title: "Victim losses (7-day trailing mean)",
                y_desc: "losses (USD per day)",
                smooth: true,
                dollars: true,
                from_zero: true,
            },
            format!("Monetised losses of victims each day in US dollars, {smoothed}."),
        ),
        (
            "price",
            "Seat price",
            SeriesSpec {
                measure: Measure::Price,
                title: "Mean seat price",
                y_desc: "price (USD per seat per 30 days)",
                smooth: false,
                dollars: true,
                from_zero: false,
            },
            "Seat-weighted mean price of active providers, undefined on days with none.".into(),
        ),
    ]
}
