//! The posterior of each calibrated parameter: a histogram of the final
//! particles, weighted by their importance weights, over the prior's range,
//! against the uniform prior, with the median and the 5% and 95% quantiles
//! of `posterior_summary.csv` marked. One panel per parameter.

use super::data::Calibration;
use super::values::significant;
use crate::experiment::calibrate::ParameterSummary;
use crate::report::figure::{self, Figure};
use crate::report::format::TickFormat;
use crate::report::style::{self, GREY, LegendItem, Style, Swatch};
use anyhow::Result;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Logical height of one parameter's panel.
const PANEL: u32 = 270;
/// Logical height of the title and legend.
const HEADER: u32 = 130;
/// Fewest and most bins.
const BINS: (usize, usize) = (8, 40);
/// Fewest bins across the 90% interval, when [`BINS`] allows.
const INTERVAL_BINS: f64 = 6.0;
/// Colour of the quantile marks.
const MARK: RGBColor = RGBColor(213, 94, 0);

/// One parameter's histogram and summary.
struct Panel {
    parameter: String,
    range: (f64, f64),
    shares: Vec<f64>,
    summary: ParameterSummary,
}

/// The posterior of every parameter, one panel each.
pub struct PosteriorChart {
    panels: Vec<Panel>,
}

impl PosteriorChart {
    /// Histograms of `posterior.csv` over the priors' ranges.
    pub fn new(calibration: &Calibration) -> Self {
        let posterior = &calibration.posterior;
        let rice = rice_bins(&posterior.weights);
        let panels = (calibration.priors().iter().zip(&calibration.summary))
            .zip(&posterior.values)
            .map(|((prior, summary), values)| {
                let range = (prior.low, prior.high);
                let bins = bin_count(rice, summary, range);
                Panel {
                    parameter: prior.parameter.clone(),
                    range,
                    shares: histogram(values, &posterior.weights, range, bins),
                    summary: summary.clone(),
                }
            })
            .collect();
        Self { panels }
    }

    /// The fewest and most bins of the histograms.
    pub fn bins(&self) -> (usize, usize) {
        let counts = self.panels.iter().map(|p| p.shares.len());
        (counts.clone().min().unwrap_or(0), counts.max().unwrap_or(0))
    }
}

impl Panel {
    /// The prior's share of each bin.
    fn prior_share(&self) -> f64 {
        1.0 / self.shares.len() as f64
    }
}

/// Kish's effective sample size of `weights`.
fn effective_size(weights: &[f64]) -> f64 {
    let sum: f64 = weights.iter().sum();
    let squares: f64 = weights.iter().map(|w| w * w).sum();
    if squares > 0.0 {
        sum * sum / squares
    } else {
        0.0
    }
}

/// Bins by the Rice rule on the effective sample size of `weights`.
fn rice_bins(weights: &[f64]) -> usize {
    (2.0 * effective_size(weights).cbrt()).ceil() as usize
}

/// Bins of a parameter's histogram: `rice`, or more when the 90% interval
/// of `summary` is narrow, so that it spans [`INTERVAL_BINS`] bins; within
/// [`BINS`].
fn bin_count(rice: usize, summary: &ParameterSummary, (low, high): (f64, f64)) -> usize {
    let share = ((summary.q95 - summary.q05) / (high - low)).clamp(1e-6, 1.0);
    let narrow = (INTERVAL_BINS / share).ceil() as usize;
    rice.max(narrow).clamp(BINS.0, BINS.1)
}

/// The share of the total weight in each of `bins` equal bins of `range`;
/// values outside it count in the nearest end bin.
fn histogram(values: &[f64], weights: &[f64], (low, high): (f64, f64), bins: usize) -> Vec<f64> {
    let total: f64 = weights.iter().sum();
    let mut shares = vec![0.0; bins];
    for (v, w) in values.iter().zip(weights) {
        let at = ((v - low) / (high - low) * bins as f64).floor();
        let bin = (at.max(0.0) as usize).min(bins - 1);
        shares[bin] += w / total;
    }
    shares
}

fn legend_items() -> Vec<LegendItem> {
    vec![
        LegendItem {
            label: "posterior (weighted particles)".into(),
            swatch: Swatch::Fill(style::category_colour(0).mix(0.75)),
        },
        LegendItem {
            label: "uniform prior".into(),
            swatch: Swatch::Line(GREY, true),
        },
        LegendItem {
            label: "median (best fit)".into(),
            swatch: Swatch::Line(MARK, false),
        },
        LegendItem {
            label: "5% and 95% quantiles".into(),
            swatch: Swatch::Line(MARK, true),
        },
    ]
}

type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

impl PosteriorChart {
    fn draw_panel<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        area: &DrawingArea<DB, Shift>,
        st: &Style,
        panel: &Panel,
    ) -> Result<()> {
        let (low, high) = panel.range;
        let top = (panel.shares.iter().copied()).fold(panel.prior_share(), f64::max) * 1.18;
        let x_ticks = TickFormat::new(low, high, "", "");
        let y_ticks = TickFormat::new(0.0, top * 100.0, "", "%");
        let caption = st.fit_start(&panel.parameter, Style::LABEL, area.dim_in_pixel().0 as i32);
        let mut chart = ChartBuilder::on(area)
            .caption(caption, st.font(Style::LABEL))
            .margin_right(st.px(36.0))
            .margin_left(st.px(12.0))
            .margin_top(st.px(6.0))
            .x_label_area_size(st.px(Style::TICK + 18.0))
            .y_label_area_size(st.text_width("00%", Style::TICK) + st.px(24.0))
            .build_cartesian_2d(low..high, 0.0..top)?;
        style::mesh(&mut chart, st)
            .disable_x_mesh()
            .x_labels(6)
            .y_labels(4)
            .x_label_formatter(&|v| x_ticks.label(*v))
            .y_label_formatter(&|v| y_ticks.label(*v * 100.0))
            .draw()?;
        self.draw_bars(&mut chart, panel)?;
        self.draw_prior(&mut chart, st, panel)?;
        draw_marks(&mut chart, st, &panel.summary, top)
    }

    /// The histogram's bars.
    fn draw_bars<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        chart: &mut Chart<'_, DB>,
        panel: &Panel,
    ) -> Result<()> {
        let (low, high) = panel.range;
        let width = (high - low) / panel.shares.len() as f64;
        let fill = style::category_colour(0).mix(0.75).filled();
        let bars = (panel.shares.iter().enumerate()).map(|(i, share)| {
            let x0 = low + width * i as f64;
            Rectangle::new(
                [(x0 + 0.04 * width, 0.0), (x0 + 0.96 * width, *share)],
                fill,
            )
        });
        chart.draw_series(bars)?;
        Ok(())
    }

    /// The uniform prior's share of a bin, as a dashed line.
    fn draw_prior<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        chart: &mut Chart<'_, DB>,
        st: &Style,
        panel: &Panel,
    ) -> Result<()> {
        let (low, high) = panel.range;
        let share = panel.prior_share();
        let line = vec![(low, share), (high, share)];
        let style = GREY.stroke_width(st.stroke(2.5));
        chart.draw_series(DashedLineSeries::new(line, st.px(10.0), st.px(7.0), style))?;
        Ok(())
    }
}

/// The median as a solid line labelled with its value, the 5% and 95%
/// quantiles as dashed lines.
fn draw_marks<DB: DrawingBackend<ErrorType: 'static>>(
    chart: &mut Chart<'_, DB>,
    st: &Style,
    summary: &ParameterSummary,
    top: f64,
) -> Result<()> {
    let style = MARK.stroke_width(st.stroke(2.5));
    let height = 0.9 * top;
    for q in [summary.q05, summary.q95] {
        let line = vec![(q, 0.0), (q, height)];
        chart.draw_series(DashedLineSeries::new(line, st.px(7.0), st.px(5.0), style))?;
    }
    let median = vec![(summary.q50, 0.0), (summary.q50, height)];
    chart.draw_series(std::iter::once(PathElement::new(median, style)))?;
    let text = format!(
        "median {} (90%: {} to {})",
        significant(summary.q50),
        significant(summary.q05),
        significant(summary.q95)
    );
    let size = Style::TICK * 0.85;
    let plot_width = f64::from(chart.plotting_area().dim_in_pixel().0.max(1));
    let width = f64::from(st.text_width(&text, size)) / plot_width;
    let range = chart.x_range();
    let span = range.end - range.start;
    let start = label_start((summary.q50 - range.start) / span, width);
    let at = (range.start + start * span, 0.955 * top);
    let font = (st.font(size).color(&MARK)).pos(Pos::new(HPos::Left, VPos::Center));
    chart.draw_series(std::iter::once(Text::new(text, at, font)))?;
    Ok(())
}

/// Where a label `width` wide (a share of the plot's width) starts, as a
/// share of the plot's width, next to a line at `at`: right of it if it
/// fits, else left of it, else as far right as it fits.
fn label_start(at: f64, width: f64) -> f64 {
    const GAP: f64 = 0.01;
    if at + GAP + width <= 1.0 {
        at + GAP
    } else if at - GAP - width >= 0.0 {
        at - GAP - width
    } else {
        (1.0 - width).max(0.0)
    }
}

impl Figure for PosteriorChart {
    fn size(&self) -> (u32, u32) {
        (figure::WIDTH, HEADER + PANEL * self.panels.len() as u32)
    }

    fn draw<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        root: &DrawingArea<DB, Shift>,
        st: &Style,
    ) -> Result<()> {
        let title = "Posterior of each calibrated parameter";
        let area = style::heading(root, st, title, &legend_items())?;
        let parts = area.split_evenly((self.panels.len(), 1));
        for (panel, part) in self.panels.iter().zip(&parts) {
            self.draw_panel(part, st, panel)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_shares_weights_by_bin() {
        let shares = histogram(&[0.1, 0.3, 0.9, 1.0], &[1.0, 1.0, 1.0, 1.0], (0.0, 1.0), 4);
        assert_eq!(shares, vec![0.25, 0.25, 0.0, 0.5]);
        let weighted = histogram(&[0.1, 0.9], &[3.0, 1.0], (0.0, 1.0), 2);
        assert_eq!(weighted, vec![0.75, 0.25]);
        assert_eq!(rice_bins(&[0.01; 100]), 10);
        let near = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(near(label_start(0.2, 0.5), 0.21), "right of the line");
        assert!(near(label_start(0.8, 0.5), 0.29), "left of the line");
        assert!(near(label_start(0.5, 0.6), 0.4), "as far right as it fits");
        let summary = |q05: f64, q95: f64| ParameterSummary {
            parameter: "p".into(),
            mean: 0.5,
            sd: 0.1,
            q05,
            q50: 0.5,
            q95,
        };
        assert_eq!(bin_count(10, &summary(0.05, 0.95), (0.0, 1.0)), 10);
        assert_eq!(bin_count(2, &summary(0.05, 0.95), (0.0, 1.0)), 8);
        assert_eq!(bin_count(10, &summary(0.375, 0.625), (0.0, 1.0)), 24);
        assert_eq!(bin_count(10, &summary(0.5, 0.5), (0.0, 1.0)), 40);
    }
}
