//! Daily series per arm: mean over replications with the 95% interval of
//! the daily mean as a band.

use super::data::{Measure, Results};
use super::figure::{self, Figure};
use super::format::TickFormat;
use super::stats::{Band, SMOOTHING_DAYS};
use super::style::{self, GREY, LegendItem, Style, Swatch};
use super::ticked::Ticked;
use super::timeaxis::TimeAxis;
use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::ops::Range;

/// A time-series plot of `timeseries.csv`: file name, words and look.
pub struct SeriesSpec {
    /// File name of the plot (without extension).
    pub name: &'static str,
    /// Heading of the plot on the page.
    pub heading: &'static str,
    /// Measure plotted.
    pub measure: Measure,
    /// Plot title, without the smoothing note.
    pub title: &'static str,
    /// What the plot shows, for its caption (one clause, no full stop).
    pub what: &'static str,
    /// Y axis description with units.
    pub y_desc: &'static str,
    /// Apply the trailing mean before averaging replications.
    pub smooth: bool,
    /// Prefix tick labels with a dollar sign.
    pub dollars: bool,
    /// Start the y axis at zero.
    pub from_zero: bool,
}

impl SeriesSpec {
    /// Plot title, with the smoothing window when smoothed.
    pub fn full_title(&self) -> String {
        if self.smooth {
            format!("{} ({SMOOTHING_DAYS}-day trailing mean)", self.title)
        } else {
            self.title.to_string()
        }
    }

    /// What the plot shows, with the smoothing window when smoothed.
    pub fn description(&self) -> String {
        if self.smooth {
            format!("{}, {SMOOTHING_DAYS}-day trailing mean.", self.what)
        } else {
            format!("{}.", self.what)
        }
    }
}

struct Line {
    label: String,
    colour: RGBColor,
    points: Vec<Option<Band>>,
}

/// A time-series plot of one measure for every arm.
pub struct TimePlot<'a> {
    spec: &'a SeriesSpec,
    axis: TimeAxis,
    lines: Vec<Line>,
    marks: Vec<usize>,
}

impl<'a> TimePlot<'a> {
    /// Computes the lines and bands of `spec` from the results.
    pub fn new(results: &Results, spec: &'a SeriesSpec) -> Self {
        let lines = results
            .arms
            .iter()
            .map(|arm| Line {
                label: arm.clone(),
                colour: style::arm_colour(results.arm_index(arm)),
                points: results.bands(arm, spec.measure, spec.smooth),
            })
            .collect();
        Self {
            spec,
            axis: TimeAxis::new(results.start, results.days),
            lines,
            marks: results.intervention_days(),
        }
    }

    fn y_range(&self) -> Range<f64> {
        let bounds = self.lines.iter().flat_map(|l| l.points.iter().flatten());
        let (lo, hi) = bounds.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), b| {
            (lo.min(b.low), hi.max(b.high))
        });
        padded_range(lo, hi, self.spec.from_zero)
    }

    fn legend_items(&self) -> Vec<LegendItem> {
        let mut items: Vec<LegendItem> = self
            .lines
            .iter()
            .map(|l| LegendItem {
                label: l.label.clone(),
                swatch: Swatch::Line(l.colour, false),
            })
            .collect();
        items.push(LegendItem {
            label: "95% interval of the daily mean".into(),
            swatch: Swatch::Fill(GREY.mix(0.35)),
        });
        if !self.marks.is_empty() {
            items.push(LegendItem {
                label: "intervention".into(),
                swatch: Swatch::Line(GREY, true),
            });
        }
        items
    }

    fn tick_format(&self, y: &Range<f64>) -> TickFormat {
        let prefix = if self.spec.dollars { "$" } else { "" };
        TickFormat::new(y.start, y.end, prefix, "")
    }
}

/// A range around `lo..hi` with 5% headroom, from zero when `from_zero`.
pub fn padded_range(lo: f64, hi: f64, from_zero: bool) -> Range<f64> {
    if !lo.is_finite() || !hi.is_finite() {
        return 0.0..1.0;
    }
    let lo = if from_zero { lo.min(0.0) } else { lo };
    let span = (hi - lo).max(hi.abs().max(lo.abs()) * 0.1);
    let span = if span > 0.0 { span } else { 1.0 };
    let bottom = if from_zero && lo >= 0.0 {
        0.0
    } else {
        lo - 0.05 * span
    };
    bottom..hi + 0.05 * span
}

/// Splits a daily vector into runs of consecutive defined points.
fn runs<T: Copy>(points: &[Option<T>]) -> Vec<Vec<(f64, T)>> {
    let mut runs: Vec<Vec<(f64, T)>> = Vec::new();
    let mut current = Vec::new();
    for (day, p) in points.iter().enumerate() {
        match p {
            Some(v) => current.push((day as f64, *v)),
            None if !current.is_empty() => runs.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

/// A chart over days (x) and values (y).
pub type TimeChart<'a, DB> =
    ChartContext<'a, DB, Cartesian2d<Ticked, plotters::coord::types::RangedCoordf64>>;

/// Axes, grid and labels of a time plot in `area`: days of `axis` against
/// `y`, labelled by `ticks`, described by `y_desc` of the plot's height in
/// pixels.
pub fn time_chart<'a, DB: DrawingBackend<ErrorType: 'static>>(
    area: &DrawingArea<DB, Shift>,
    st: &Style,
    axis: &TimeAxis,
    (y, ticks): (Range<f64>, &TickFormat),
    y_desc: impl FnOnce(i32) -> String,
) -> Result<TimeChart<'a, DB>> {
    let y_label_w = [y.start, y.end]
        .iter()
        .map(|v| st.text_width(&ticks.label(*v), Style::TICK))
        .max()
        .unwrap_or(0);
    let x = axis.coord(st, area.dim_in_pixel().0 as i32 - y_label_w);
    let mut chart = ChartBuilder::on(area)
        .margin_right(st.px(28.0))
        .margin_top(st.px(6.0))
        .margin_left(st.px(12.0))
        .x_label_area_size(st.px(Style::TICK + Style::LABEL + 22.0))
        .y_label_area_size(y_label_w + st.px(Style::LABEL + 30.0))
        .build_cartesian_2d(x, y)?;
    let height = chart.plotting_area().dim_in_pixel().1 as i32;
    style::mesh(&mut chart, st)
        .x_label_formatter(&|d| axis.label(*d))
        .y_label_formatter(&|v| ticks.label(*v))
        .y_labels(6)
        .x_desc(axis.description())
        .y_desc(y_desc(height))
        .axis_style(BLACK.stroke_width(st.stroke(1.0)))
        .draw()?;
    Ok(chart)
}

impl TimePlot<'_> {
    /// Axes, grid and labels in `area`; returns the chart to draw into.
    fn chart<'a, DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        area: &DrawingArea<DB, Shift>,
        st: &Style,
        y: Range<f64>,
    ) -> Result<TimeChart<'a, DB>> {
        let ticks = self.tick_format(&y);
        time_chart(area, st, &self.axis, (y, &ticks), |_| {
            self.spec.y_desc.to_string()
        })
    }

    /// The 95% bands, one polygon per run of defined days.
    fn draw_bands<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        chart: &mut TimeChart<'_, DB>,
    ) -> Result<()> {
        for line in &self.lines {
            for run in runs(&line.points) {
                let upper = run.iter().map(|(d, b)| (*d, b.high));
                let lower = run.iter().rev().map(|(d, b)| (*d, b.low));
                let outline: Vec<(f64, f64)> = upper.chain(lower).collect();
                let band = Polygon::new(outline, line.colour.mix(0.18));
                chart.draw_series(std::iter::once(band))?;
            }
        }
        Ok(())
    }

    /// Dashed vertical lines on intervention days.
    fn draw_marks<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        chart: &mut TimeChart<'_, DB>,
        st: &Style,
        y: &Range<f64>,
    ) -> Result<()> {
        for day in &self.marks {
            let points = vec![(*day as f64, y.start), (*day as f64, y.end)];
            let style = GREY.stroke_width(st.stroke(2.0));
            chart.draw_series(DashedLineSeries::new(points, st.px(8.0), st.px(6.0), style))?;
        }
        Ok(())
    }

    /// The mean lines, one per run of defined days.
    fn draw_means<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        chart: &mut TimeChart<'_, DB>,
        st: &Style,
    ) -> Result<()> {
        for line in &self.lines {
            for run in runs(&line.points) {
                let points = run.iter().map(|(d, b)| (*d, b.mean));
                let style = line.colour.stroke_width(st.stroke(2.5));
                chart.draw_series(LineSeries::new(points, style))?;
            }
        }
        Ok(())
    }
}

impl Figure for TimePlot<'_> {
    fn size(&self) -> (u32, u32) {
        (figure::WIDTH, figure::TIME_HEIGHT)
    }

    fn draw<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        root: &DrawingArea<DB, Shift>,
        st: &Style,
    ) -> Result<()> {
        let area = style::heading(root, st, &self.spec.full_title(), &self.legend_items())?;
        let y = self.y_range();
        let mut chart = self.chart(&area, st, y.clone())?;
        self.draw_bands(&mut chart)?;
        self.draw_marks(&mut chart, st, &y)?;
        self.draw_means(&mut chart, st)
    }
}
