//! Forest plot of the headline effects of each arm against the baseline.

use super::data::Results;
use super::figure::{self, Figure};
use super::format::{TickFormat, Unit, metric_name, metric_unit};
use super::style::{self, GREY, LegendItem, Style, Swatch};
use super::ticked::{self, Ticked};
use super::timeplot::padded_range;
use crate::experiment::metrics;
use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::ops::Range;

/// Metrics shown, one panel each (their units differ): the headline
/// metrics but the last, days to recover (not a change against the baseline).
pub const HEADLINE: &[&str] = metrics::HEADLINE.split_at(3).0;
/// Logical height of one arm's row.
const ROW: u32 = 46;
/// Logical height of a panel without its rows.
const PANEL: u32 = 124;
/// Logical height of the title and legend.
const HEADER: u32 = 96;
/// Logical height of the second legend row of an ensemble.
const LEGEND_ROW: u32 = 36;

struct Row {
    label: String,
    colour: RGBColor,
    mean: Option<f64>,
    interval: Option<(f64, f64)>,
    /// The 90% interval across an ensemble's draws.
    spread: Option<(f64, f64)>,
}

/// One panel per headline metric, one row per intervention arm.
pub struct Effects {
    panels: Vec<(&'static str, Vec<Row>)>,
    /// The summary is an ensemble's: the rows show its 90% interval too.
    ensemble: bool,
}

impl Effects {
    /// Collects the headline rows of `summary.csv`.
    pub fn new(results: &Results) -> Self {
        let arms = results.intervention_arms();
        let panels = HEADLINE
            .iter()
            .map(|metric| {
                let rows = arms.iter().map(|arm| row(results, arm, metric)).collect();
                (*metric, rows)
            })
            .collect();
        Self {
            panels,
            ensemble: results.is_ensemble(),
        }
    }

    fn is_empty(&self) -> bool {
        self.panels.iter().all(|(_, rows)| rows.is_empty())
    }

    fn arm_count(&self) -> usize {
        self.panels.first().map_or(0, |(_, rows)| rows.len()).max(1)
    }

    fn draw_panel<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        area: &DrawingArea<DB, Shift>,
        st: &Style,
        metric: &str,
        rows: &[Row],
        label_w: i32,
    ) -> Result<()> {
        let unit = metric_unit(metric);
        let n = self.arm_count();
        let x = x_range(rows);
        let ticks = tick_format(unit, &x);
        let mut chart = ChartBuilder::on(area)
            .caption(axis_title(metric, unit), st.font(Style::LABEL))
            .margin_right(st.px(36.0))
            .margin_top(st.px(10.0))
            .x_label_area_size(st.px(Style::TICK + 16.0))
            .y_label_area_size(label_w + st.px(20.0))
            .build_cartesian_2d(x, Ticked::rows(n))?;
        let row_label = |y: &f64| {
            let index = ticked::row_at(n, *y);
            rows.get(index).map(|r| r.label.clone()).unwrap_or_default()
        };
        style::mesh(&mut chart, st)
            .x_labels(5)
            .x_label_formatter(&|v| ticks.label(*v))
            .y_label_formatter(&row_label)
            .draw()?;
        let zero = vec![(0.0, 0.0), (0.0, n as f64)];
        chart.draw_series(DashedLineSeries::new(
            zero,
            st.px(8.0),
            st.px(6.0),
            GREY.stroke_width(st.stroke(2.0)),
        ))?;
        for (i, row) in rows.iter().enumerate() {
            draw_row(&mut chart, st, row, ticked::row_base(n, i) + 0.5)?;
        }
        Ok(())
    }
}

/// The row of `arm` in the panel of `metric`.
fn row(results: &Results, arm: &str, metric: &str) -> Row {
    let found = results
        .summary
        .iter()
        .find(|r| r.arm == arm && r.metric == metric);
    Row {
        label: arm.to_string(),
        colour: style::arm_colour(results.arm_index(arm)),
        mean: found.and_then(|r| r.estimate),
        interval: found.and_then(|r| r.ci_low.zip(r.ci_high)),
        spread: found.and_then(|r| r.ensemble_p05.zip(r.ensemble_p95)),
    }
}

/// The x range of a panel: every interval (or mean) and zero, padded.
fn x_range(rows: &[Row]) -> Range<f64> {
    let ends = rows.iter().flat_map(|r| {
        let (lo, hi) = r.interval.or(r.mean.map(|m| (m, m))).unwrap_or((0.0, 0.0));
        let (p05, p95) = r.spread.unwrap_or((lo, hi));
        [lo, hi, p05, p95]
    });
    let (lo, hi) = ends.fold((0.0f64, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    padded_range(lo, hi, false)
}

type Chart<'a, DB> =
    ChartContext<'a, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, Ticked>>;

fn draw_row<DB: DrawingBackend<ErrorType: 'static>>(
    chart: &mut Chart<'_, DB>,
    st: &Style,
    row: &Row,
    y: f64,
) -> Result<()> {
    if let Some((p05, p95)) = row.spread {
        let band = Rectangle::new(
            [(p05, y - 0.22), (p95, y + 0.22)],
            row.colour.mix(0.3).filled(),
        );
        chart.draw_series(std::iter::once(band))?;
    }
    let style = row.colour.stroke_width(st.stroke(3.0));
    if let Some((lo, hi)) = row.interval {
        let cap = 0.15;
        for path in [
            vec![(lo, y), (hi, y)],
            vec![(lo, y - cap), (lo, y + cap)],
            vec![(hi, y - cap), (hi, y + cap)],
        ] {
            chart.draw_series(std::iter::once(PathElement::new(path, style)))?;
        }
    }
    match row.mean {
        Some(mean) => {
            let dot = Circle::new((mean, y), st.px(7.0), row.colour.filled());
            chart.draw_series(std::iter::once(dot))?;
        }
        None => {
            let font = st.font(Style::TICK).color(&GREY);
            let text = Text::new("not defined", (0.0, y), font);
            chart.draw_series(std::iter::once(text))?;
        }
    }
    Ok(())
}

fn axis_title(metric: &str, unit: Unit) -> String {
    match unit_words(unit) {
        "" => metric_name(metric),
        words => format!("{} ({words})", metric_name(metric)),
    }
}

/// The unit of an effect in words, for axis descriptions ("" when plain).
pub fn unit_words(unit: Unit) -> &'static str {
    match unit {
        Unit::Percent => "% vs baseline",
        Unit::Usd => "USD",
        Unit::Share => "%",
        Unit::Days => "days",
        Unit::Plain => "",
    }
}

/// Tick labels of an axis of effects in `unit` over `range`.
pub fn tick_format(unit: Unit, range: &Range<f64>) -> TickFormat {
    let (prefix, suffix) = match unit {
        Unit::Percent => ("", "%"),
        Unit::Usd => ("$", ""),
        _ => ("", ""),
    };
    TickFormat::new(range.start, range.end, prefix, suffix)
}

impl Effects {
    /// The mean and 95% interval; in an ensemble, named as the interval of
    /// the mean, and the 90% interval across the ensemble.
    fn legend_items(&self) -> Vec<LegendItem> {
        let (mean, interval) = match self.ensemble {
            true => ("mean over the draws", "95% interval of the mean over draws"),
            false => (
                "mean over replications",
                "95% interval of the mean over replications",
            ),
        };
        let mut items = vec![
            LegendItem {
                label: mean.into(),
                swatch: Swatch::Dot(BLACK),
            },
            LegendItem {
                label: interval.into(),
                swatch: Swatch::Line(BLACK, false),
            },
        ];
        if self.ensemble {
            items.push(LegendItem {
                label: "90% interval across the ensemble (parameters and noise)".into(),
                swatch: Swatch::Fill(BLACK.mix(0.3)),
            });
        }
        items
    }
}

impl Figure for Effects {
    fn size(&self) -> (u32, u32) {
        if self.is_empty() {
            return (figure::WIDTH, figure::NOTE_HEIGHT);
        }
        let panel = PANEL + ROW * self.arm_count() as u32;
        let header = HEADER + if self.ensemble { LEGEND_ROW } else { 0 };
        (figure::WIDTH, header + panel * HEADLINE.len() as u32)
    }

    fn draw<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        root: &DrawingArea<DB, Shift>,
        st: &Style,
    ) -> Result<()> {
        let title = "Headline effects against the baseline";
        if self.is_empty() {
            let area = style::title(root, st, title)?;
            let text = "No intervention arm to compare with the baseline";
            return style::note(&area, st, text);
        }
        let legend = self.legend_items();
        let area = style::heading(root, st, title, &legend)?;
        let label_w = self
            .panels
            .iter()
            .flat_map(|(_, rows)| rows.iter().map(|r| st.text_width(&r.label, Style::TICK)))
            .max()
            .unwrap_or(0);
        let parts = area.split_evenly((self.panels.len(), 1));
        for ((metric, rows), part) in self.panels.iter().zip(&parts) {
            self.draw_panel(part, st, metric, rows, label_w)?;
        }
        Ok(())
    }
}
