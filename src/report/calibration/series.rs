//! A `series` target over time: the observed values as points with ±1 sd
//! bars, the simulated mean at the best fit as a line with its 5–95% band.

use super::files::{FitRow, Target};
use super::values::measure_name;
use crate::report::effects::tick_format;
use crate::report::figure::{self, Figure};
use crate::report::format::{Unit, metric_unit};
use crate::report::style::{self, LegendItem, Style, Swatch};
use crate::report::timeaxis::TimeAxis;
use crate::report::timeplot::{TimeChart, padded_range, time_chart};
use anyhow::Result;
use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::ops::Range;

/// Observed and simulated values of one series target by day.
pub struct SeriesChart {
    title: String,
    y_desc: String,
    unit: Unit,
    axis: TimeAxis,
    rows: Vec<FitRow>,
}

impl SeriesChart {
    /// The rows of `target` on a time axis from `start` (day 0), padded by
    /// a few days on either side of the observed days.
    pub fn new(target: &Target, start: Option<NaiveDate>) -> Self {
        let days = target.rows.iter().filter_map(|r| r.day);
        let (first, last) = days.fold((u32::MAX, 0), |(lo, hi), d| (lo.min(d), hi.max(d)));
        let (first, last) = (first.min(last) as usize, last as usize);
        let pad = ((last - first) / 30).max(1);
        Self {
            title: target.name.clone(),
            y_desc: format!("{} ({})", measure_name(&target.measure), target.arm),
            unit: metric_unit(&target.measure),
            axis: TimeAxis::window(start, first.saturating_sub(pad), last + pad),
            rows: target.rows.clone(),
        }
    }

    /// Every observed value ±1 sd, simulated mean and band, padded.
    fn y_range(&self) -> Range<f64> {
        let ends = self.rows.iter().flat_map(|r| {
            let band = r.band.map(|(l, h)| [l, h]);
            [r.observed - r.sd, r.observed + r.sd]
                .into_iter()
                .chain(r.simulated)
                .chain(band.into_iter().flatten())
        });
        let (lo, hi) = ends.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        padded_range(lo, hi, lo >= 0.0)
    }
}

fn legend_items() -> Vec<LegendItem> {
    let blue = style::category_colour(0);
    vec![
        LegendItem {
            label: "observed ±1 sd".into(),
            swatch: Swatch::Ring(BLACK),
        },
        LegendItem {
            label: "simulated mean".into(),
            swatch: Swatch::Line(blue, false),
        },
        LegendItem {
            label: "5–95% of replications".into(),
            swatch: Swatch::Fill(blue.mix(0.25)),
        },
    ]
}

/// Runs of consecutive rows where `value` is defined, as `(day, value)`.
fn runs<T: Copy>(rows: &[FitRow], value: impl Fn(&FitRow) -> Option<T>) -> Vec<Vec<(f64, T)>> {
    let mut runs = Vec::new();
    let mut current = Vec::new();
    for row in rows {
        match (row.day, value(row)) {
            (Some(day), Some(v)) => current.push((f64::from(day), v)),
            _ if !current.is_empty() => runs.push(std::mem::take(&mut current)),
            _ => {}
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

impl SeriesChart {
    /// Axes, grid and labels in `area`; returns the chart to draw into.
    fn chart<'a, DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        area: &DrawingArea<DB, Shift>,
        st: &Style,
        y: Range<f64>,
    ) -> Result<TimeChart<'a, DB>> {
        let ticks = tick_format(self.unit, &y);
        time_chart(area, st, &self.axis, (y, &ticks), |height| {
            st.fit_end(&self.y_desc, Style::LABEL, height)
        })
    }

    /// The simulated band and mean line, one piece per run of defined days.
    fn draw_simulated<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        chart: &mut TimeChart<'_, DB>,
        st: &Style,
    ) -> Result<()> {
        let blue = style::category_colour(0);
        for run in runs(&self.rows, |r| r.band) {
            let upper = run.iter().map(|(d, (_, h))| (*d, *h));
            let lower = run.iter().rev().map(|(d, (l, _))| (*d, *l));
            let band = Polygon::new(upper.chain(lower).collect::<Vec<_>>(), blue.mix(0.25));
            chart.draw_series(std::iter::once(band))?;
        }
        for run in runs(&self.rows, |r| r.simulated) {
            let style = blue.stroke_width(st.stroke(2.5));
            chart.draw_series(LineSeries::new(run, style))?;
        }
        Ok(())
    }

    /// The observed values: open circles with ±1 sd bars.
    fn draw_observed<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        chart: &mut TimeChart<'_, DB>,
        st: &Style,
    ) -> Result<()> {
        let bar = BLACK.stroke_width(st.stroke(1.5));
        for row in &self.rows {
            let Some(day) = row.day.map(f64::from) else {
                continue;
            };
            let (lo, hi) = (row.observed - row.sd, row.observed + row.sd);
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(day, lo), (day, hi)],
                bar,
            )))?;
            let at = (day, row.observed);
            let ring = [
                Circle::new(at, st.px(5.0), WHITE.filled()),
                Circle::new(at, st.px(5.0), BLACK.stroke_width(st.stroke(2.0))),
            ];
            chart.draw_series(ring)?;
        }
        Ok(())
    }
}

impl Figure for SeriesChart {
    fn size(&self) -> (u32, u32) {
        (figure::WIDTH, figure::TIME_HEIGHT)
    }

    fn draw<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        root: &DrawingArea<DB, Shift>,
        st: &Style,
    ) -> Result<()> {
        let title = format!("{}: observed against simulated", self.title);
        let title = st.fit_end(
            &title,
            Style::TITLE,
            root.dim_in_pixel().0 as i32 - st.px(20.0),
        );
        let area = style::heading(root, st, &title, &legend_items())?;
        let y = self.y_range();
        let mut chart = self.chart(&area, st, y)?;
        self.draw_simulated(&mut chart, st)?;
        self.draw_observed(&mut chart, st)
    }
}
