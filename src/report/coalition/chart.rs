//! The partners' Shapley values on one metric: a horizontal bar per
//! partner, in partner order, from zero to its value, with its 95% interval.

use super::data::Coalition;
use crate::report::effects::tick_format;
use crate::report::figure::{self, Figure};
use crate::report::format::{Unit, metric_name, metric_unit};
use crate::report::style::{self, GREY, LegendItem, Style, Swatch};
use crate::report::ticked::{self, Ticked};
use crate::report::timeplot::padded_range;
use crate::stats::Estimate;
use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::ops::Range;

/// Logical height of one bar.
const BAR: u32 = 22;
/// Logical gap between partners.
const GAP: u32 = 16;
/// Logical height of the title, legend and x axis.
const FRAME: u32 = 190;
/// Widest partner label, as a share of the figure's width.
const LABEL_SHARE: f64 = 0.35;

/// One metric's Shapley values, one row per partner.
pub struct Chart {
    title: String,
    unit: Unit,
    /// The intervals' units, for the legend.
    units: &'static str,
    rows: Vec<(String, Estimate)>,
}

impl Chart {
    /// The chart of metric `m` of `coalition`.
    pub fn new(coalition: &Coalition, m: usize) -> Self {
        let metric = &coalition.identity.metrics[m];
        let rows = (coalition.values_of(m))
            .map(|v| (coalition.identity.partners[v.partner].clone(), v.shapley))
            .collect();
        Chart {
            title: metric_name(metric),
            unit: metric_unit(metric),
            units: coalition.units(),
            rows,
        }
    }

    fn is_empty(&self) -> bool {
        self.rows.iter().all(|(_, e)| e.mean.is_none())
    }

    fn legend_items(&self) -> Vec<LegendItem> {
        vec![
            LegendItem {
                label: "Shapley value".into(),
                swatch: Swatch::Fill(style::category_colour(0).to_rgba()),
            },
            LegendItem {
                label: format!("95% interval over {}", self.units),
                swatch: Swatch::Line(BLACK, false),
            },
        ]
    }

    /// Zero, every value and interval, padded.
    fn x_range(&self) -> Range<f64> {
        let ends = (self.rows.iter())
            .flat_map(|(_, e)| [e.mean, e.ci_low, e.ci_high])
            .flatten()
            .filter(|v| v.is_finite());
        let (lo, hi) = ends.fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        padded_range(lo, hi, false)
    }

    /// What the x axis measures.
    fn x_desc(&self) -> &'static str {
        match self.unit {
            Unit::Percent => "Shapley value (percentage points of the change vs baseline)",
            Unit::Usd => "Shapley value (USD)",
            Unit::Share => "Shapley value (percentage points)",
            Unit::Days => "Shapley value (days)",
            Unit::Plain => "Shapley value",
        }
    }

    /// The bars and their intervals, and a note where a value is undefined.
    fn draw_bars<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        chart: &mut ChartContext<
            '_,
            DB,
            Cartesian2d<plotters::coord::types::RangedCoordf64, Ticked>,
        >,
        st: &Style,
        x: &Range<f64>,
    ) -> Result<()> {
        let n = self.rows.len();
        let whisker = BLACK.stroke_width(st.stroke(2.0));
        let note =
            (st.font(Style::TICK * 0.75).color(&GREY)).pos(Pos::new(HPos::Left, VPos::Center));
        for (i, (_, e)) in self.rows.iter().enumerate() {
            let (y0, y1) = (ticked::row_base(n, i) + 0.2, ticked::row_base(n, i) + 0.8);
            let Some(mean) = e.mean else {
                let at = (x.start + 0.01 * (x.end - x.start), (y0 + y1) / 2.0);
                chart.draw_series(std::iter::once(Text::new("not defined", at, note.clone())))?;
                continue;
            };
            let colour = style::category_colour(0).filled();
            let bar = Rectangle::new([(mean.min(0.0), y0), (mean.max(0.0), y1)], colour);
            chart.draw_series(std::iter::once(bar))?;
            let Some((lo, hi)) = e.ci_low.zip(e.ci_high) else {
                continue;
            };
            let (mid, cap) = ((y0 + y1) / 2.0, 0.3 * (y1 - y0));
            for path in [
                vec![(lo, mid), (hi, mid)],
                vec![(lo, mid - cap), (lo, mid + cap)],
                vec![(hi, mid - cap), (hi, mid + cap)],
            ] {
                chart.draw_series(std::iter::once(PathElement::new(path, whisker)))?;
            }
        }
        Ok(())
    }
}

impl Figure for Chart {
    fn size(&self) -> (u32, u32) {
        if self.is_empty() {
            return (figure::WIDTH, figure::NOTE_HEIGHT);
        }
        (figure::WIDTH, FRAME + (BAR + GAP) * self.rows.len() as u32)
    }

    fn draw<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        root: &DrawingArea<DB, Shift>,
        st: &Style,
    ) -> Result<()> {
        if self.is_empty() {
            let area = style::title(root, st, &self.title)?;
            return style::note(&area, st, "No Shapley value is defined");
        }
        let area = style::heading(root, st, &self.title, &self.legend_items())?;
        let n = self.rows.len();
        let widest = st.px(LABEL_SHARE * f64::from(figure::WIDTH));
        let labels: Vec<String> = (self.rows.iter())
            .map(|(name, _)| st.fit_start(name, Style::TICK, widest))
            .collect();
        let label_w = (labels.iter())
            .map(|l| st.text_width(l, Style::TICK))
            .max()
            .unwrap_or(0);
        let y_area = label_w + st.px(20.0);
        let plot_w = area.dim_in_pixel().0 as i32 - y_area - st.px(36.0);
        let x = self.x_range();
        let ticks = tick_format(self.unit, &x);
        let mut chart = ChartBuilder::on(&area)
            .margin_right(st.px(36.0))
            .x_label_area_size(st.px(Style::TICK + Style::LABEL + 22.0))
            .y_label_area_size(y_area)
            .build_cartesian_2d(x.clone(), Ticked::rows(n))?;
        let row_label = |y: &f64| labels[ticked::row_at(n, *y)].clone();
        style::mesh(&mut chart, st)
            .disable_y_mesh()
            .x_labels(6)
            .x_label_formatter(&|v| ticks.label(*v))
            .y_label_formatter(&row_label)
            .x_desc(st.fit_end(self.x_desc(), Style::LABEL, plot_w))
            .draw()?;
        let zero = vec![(0.0, 0.0), (0.0, n as f64)];
        let dashes = GREY.stroke_width(st.stroke(2.0));
        chart.draw_series(DashedLineSeries::new(zero, st.px(8.0), st.px(6.0), dashes))?;
        self.draw_bars(&mut chart, st, &x)
    }
}
