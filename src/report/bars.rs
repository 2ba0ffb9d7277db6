//! Compromises averted after each intervention by victim country or
//! sector ([`Averted`]): horizontal bars from zero, one per intervention
//! arm in each category's row, with the 95% interval of the mean.

use super::averted::Averted;
use super::figure::{self, Figure};
use super::format::TickFormat;
use super::style::{self, GREY, LegendItem, Style, Swatch};
use super::ticked::{self, Ticked};
use super::timeplot::padded_range;
use crate::stats::Estimate;
use anyhow::Result;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use std::ops::Range;

/// Logical height of one bar.
const BAR: u32 = 13;
/// Logical gap between groups.
const GAP: u32 = 14;
/// Logical height of the title, legend and x axis.
const FRAME: u32 = 190;

struct ArmBars {
    label: String,
    colour: RGBColor,
    estimates: Vec<Estimate>,
}

/// Compromises averted per category, one bar per intervention arm.
pub struct Bars {
    title: String,
    /// What the x axis counts.
    axis: &'static str,
    /// Why there is nothing to draw, if so.
    empty: Option<&'static str>,
    categories: Vec<String>,
    arms: Vec<ArmBars>,
}

impl Bars {
    /// The bars of `averted`, each arm in `colour_of` its name.
    pub fn new(
        averted: Averted,
        title: String,
        axis: &'static str,
        colour_of: impl Fn(&str) -> RGBColor,
    ) -> Self {
        let empty = match (averted.arms.is_empty(), averted.categories.is_empty()) {
            (true, _) => Some("No intervention arm to compare with the baseline"),
            (false, true) => Some("No compromises recorded in segments.csv"),
            (false, false) => None,
        };
        let arms = (averted.arms.into_iter())
            .map(|a| ArmBars {
                colour: colour_of(&a.arm),
                label: a.arm,
                estimates: a.estimates,
            })
            .collect();
        Self {
            title,
            axis,
            empty,
            categories: averted.categories,
            arms,
        }
    }

    /// Zero, every mean and every interval, padded.
    fn x_range(&self) -> Range<f64> {
        let ends = (self.arms.iter().flat_map(|a| &a.estimates))
            .flat_map(|e| [e.mean, e.ci_low, e.ci_high])
            .flatten()
            .filter(|v| v.is_finite());
        let (lo, hi) = ends.fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        padded_range(lo, hi, false)
    }

    fn legend_items(&self) -> Vec<LegendItem> {
        let arms = self.arms.iter().map(|a| LegendItem {
            label: a.label.clone(),
            swatch: Swatch::Fill(a.colour.to_rgba()),
        });
        let interval = LegendItem {
            label: "95% interval of the mean".into(),
            swatch: Swatch::Line(BLACK, false),
        };
        arms.chain(std::iter::once(interval)).collect()
    }

    /// One bar per arm in each category's row, the first arm on top, each
    /// with its interval.
    fn draw_bars<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, Ticked>>,
        st: &Style,
    ) -> Result<()> {
        let n = self.categories.len();
        let slot = 0.8 / self.arms.len().max(1) as f64;
        for (a, arm) in self.arms.iter().enumerate() {
            for (i, e) in arm.estimates.iter().enumerate() {
                let top = ticked::row_base(n, i) + 0.9 - slot * a as f64;
                draw_bar(chart, st, e, arm.colour, top - slot..top)?;
            }
        }
        Ok(())
    }
}

/// The bar of `e` from zero to its mean over the rows `y`, and its interval
/// as a black line with caps across the bar's middle.
fn draw_bar<DB: DrawingBackend<ErrorType: 'static>>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, Ticked>>,
    st: &Style,
    e: &Estimate,
    colour: RGBColor,
    y: Range<f64>,
) -> Result<()> {
    let Some(mean) = e.mean else {
        return Ok(());
    };
    let bar = Rectangle::new([(0.0, y.start), (mean, y.end)], colour.filled());
    chart.draw_series(std::iter::once(bar))?;
    let Some((lo, hi)) = e.ci_low.zip(e.ci_high) else {
        return Ok(());
    };
    let (middle, cap) = ((y.start + y.end) / 2.0, (y.end - y.start) * 0.3);
    let line = BLACK.stroke_width(st.stroke(1.5));
    for path in [
        vec![(lo, middle), (hi, middle)],
        vec![(lo, middle - cap), (lo, middle + cap)],
        vec![(hi, middle - cap), (hi, middle + cap)],
    ] {
        chart.draw_series(std::iter::once(PathElement::new(path, line)))?;
    }
    Ok(())
}

impl Figure for Bars {
    fn size(&self) -> (u32, u32) {
        if self.empty.is_some() {
            return (figure::WIDTH, figure::NOTE_HEIGHT);
        }
        let group = BAR * self.arms.len() as u32 + GAP;
        (figure::WIDTH, FRAME + group * self.categories.len() as u32)
    }

    fn draw<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        root: &DrawingArea<DB, Shift>,
        st: &Style,
    ) -> Result<()> {
        if let Some(why) = self.empty {
            let area = style::title(root, st, &self.title)?;
            return style::note(&area, st, why);
        }
        let area = style::heading(root, st, &self.title, &self.legend_items())?;
        let n = self.categories.len();
        let label_w = (self.categories.iter())
            .map(|c| st.text_width(c, Style::TICK))
            .max()
            .unwrap_or(0);
        let x = self.x_range();
        let ticks = TickFormat::new(x.start, x.end, "", "");
        let mut chart = ChartBuilder::on(&area)
            .margin_right(st.px(36.0))
            .x_label_area_size(st.px(Style::TICK + Style::LABEL + 22.0))
            .y_label_area_size(label_w + st.px(20.0))
            .build_cartesian_2d(x, Ticked::rows(n))?;
        let category = |y: &f64| self.categories[ticked::row_at(n, *y)].clone();
        style::mesh(&mut chart, st)
            .disable_y_mesh()
            .x_labels(6)
            .x_label_formatter(&|v| ticks.label(*v))
            .y_label_formatter(&category)
            .x_desc(self.axis)
            .draw()?;
        let zero = vec![(0.0, 0.0), (0.0, n as f64)];
        let dashes = GREY.stroke_width(st.stroke(2.0));
        chart.draw_series(DashedLineSeries::new(zero, st.px(8.0), st.px(6.0), dashes))?;
        self.draw_bars(&mut chart, st)
    }
}
