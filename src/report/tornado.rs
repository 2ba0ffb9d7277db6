//! Tornado plot of an ensemble's value of information: for one headline
//! effect, the parameters whose exact value would narrow the effect's 90%
//! interval across the ensemble the most (`voi.csv`), largest on top.

use super::data::{Results, VoiRow};
use super::figure::{self, Figure};
use super::format::{TickFormat, metric_name};
use super::style::{self, GREY, LegendItem, Style, Swatch};
use super::ticked::{self, Ticked};
use anyhow::Result;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Most parameters shown.
pub const TOP: usize = 8;
/// A parameter is named as a driver when the F test of "no effect" gives a
/// p-value below this.
pub const SIGNIFICANCE: f64 = 0.05;
/// Logical height of one bar.
const BAR: u32 = 26;
/// Logical gap between bars.
const GAP: u32 = 14;
/// Logical height of the title, legend and x axis.
const FRAME: u32 = 200;
/// Widest parameter label, as a share of the figure's width.
const LABEL_SHARE: f64 = 0.45;
/// Hatch lines per bar, across the widest bar.
const HATCHES: f64 = 24.0;

/// One parameter's bar.
struct Bar {
    parameter: String,
    /// Narrowing of the 90% interval, in %.
    percent: f64,
    /// Its first-order index is distinguishable from noise (p < 0.05).
    driver: bool,
}

/// The largest narrowings of one effect's 90% interval, one bar each.
pub struct Tornado {
    title: String,
    colour: RGBColor,
    bars: Vec<Bar>,
}

impl Tornado {
    /// The [`TOP`] parameters of `voi.csv` for `arm` and `metric` with a
    /// defined narrowing, in their rank order.
    pub fn new(results: &Results, arm: &str, metric: &str) -> Self {
        let bars = top_rows(&results.voi_of(arm, metric))
            .into_iter()
            .filter_map(|r| {
                Some(Bar {
                    parameter: r.parameter.clone(),
                    percent: 100.0 * r.interval_narrowing?,
                    driver: is_driver(r),
                })
            })
            .collect();
        Self {
            title: format!("{} ({arm})", metric_name(metric)),
            colour: style::arm_colour(results.arm_index(arm)),
            bars,
        }
    }

    fn legend_items(&self) -> Vec<LegendItem> {
        vec![
            LegendItem {
                label: format!("p < {SIGNIFICANCE}"),
                swatch: Swatch::Fill(self.colour.to_rgba()),
            },
            LegendItem {
                label: format!("p ≥ {SIGNIFICANCE}: not distinguishable from noise"),
                swatch: Swatch::Fill(GREY.mix(0.5)),
            },
        ]
    }

    /// Zero to a little past the longest bar (room for its label).
    fn x_end(&self) -> f64 {
        let longest = self.bars.iter().map(|b| b.percent).fold(0.0, f64::max);
        (longest * 1.18).clamp(5.0, 118.0)
    }
}

/// The first [`TOP`] rows with a defined narrowing.
pub fn top_rows<'a>(rows: &[&'a VoiRow]) -> Vec<&'a VoiRow> {
    (rows.iter().copied())
        .filter(|r| r.interval_narrowing.is_some())
        .take(TOP)
        .collect()
}

/// Whether the F test tells the parameter's effect apart from noise.
pub fn is_driver(row: &VoiRow) -> bool {
    row.p_value.is_some_and(|p| p < SIGNIFICANCE)
}

type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, Ticked>>;

impl Tornado {
    /// Bar `i`'s bottom and top.
    fn slot(&self, i: usize) -> (f64, f64) {
        let base = ticked::row_base(self.bars.len(), i);
        (base + 0.15, base + 0.85)
    }

    /// The bars, hatched grey when not distinguishable from noise, each
    /// with its value written after it.
    fn draw_bars<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        chart: &mut Chart<'_, DB>,
        st: &Style,
    ) -> Result<()> {
        let font = st.font(Style::TICK).pos(Pos::new(HPos::Left, VPos::Center));
        let step = self.x_end() / HATCHES;
        for (i, bar) in self.bars.iter().enumerate() {
            let (y0, y1) = self.slot(i);
            let corners = [(0.0, y0), (bar.percent, y1)];
            if bar.driver {
                chart.draw_series([Rectangle::new(corners, self.colour.filled())])?;
            } else {
                chart.draw_series([Rectangle::new(corners, GREY.mix(0.25).filled())])?;
                let hatch = GREY.stroke_width(st.stroke(1.5));
                let lines = hatches(bar.percent, (y0, y1), step);
                chart.draw_series(lines.into_iter().map(|l| PathElement::new(l, hatch)))?;
                let edge = GREY.stroke_width(st.stroke(1.5));
                chart.draw_series([Rectangle::new(corners, edge)])?;
            }
            let at = (bar.percent + 0.01 * self.x_end(), (y0 + y1) / 2.0);
            let text = format!("{:.0}%", bar.percent);
            chart.draw_series([Text::new(text, at, font.clone())])?;
        }
        Ok(())
    }
}

/// Diagonal lines `step` apart filling the bar from 0 to `end` between
/// `y0` and `y1`, each clipped to the bar.
fn hatches(end: f64, (y0, y1): (f64, f64), step: f64) -> Vec<Vec<(f64, f64)>> {
    let count = (end / step).ceil() as i64;
    (-1..count)
        .map(|k| {
            let x = k as f64 * step;
            let (start, stop) = (x.max(0.0), (x + step).min(end));
            let y = |v: f64| y0 + (y1 - y0) * (v - x) / step;
            vec![(start, y(start)), (stop, y(stop))]
        })
        .collect()
}

impl Figure for Tornado {
    fn size(&self) -> (u32, u32) {
        if self.bars.is_empty() {
            return (figure::WIDTH, figure::NOTE_HEIGHT);
        }
        (figure::WIDTH, FRAME + (BAR + GAP) * self.bars.len() as u32)
    }

    fn draw<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        root: &DrawingArea<DB, Shift>,
        st: &Style,
    ) -> Result<()> {
        if self.bars.is_empty() {
            let area = style::title(root, st, &self.title)?;
            return style::note(&area, st, "voi.csv estimates no index for this effect");
        }
        let area = style::heading(root, st, &self.title, &self.legend_items())?;
        let n = self.bars.len();
        let widest = st.px(LABEL_SHARE * f64::from(figure::WIDTH));
        let labels: Vec<String> = (self.bars.iter())
            .map(|b| st.fit_key(&b.parameter, widest))
            .collect();
        let label_w = (labels.iter())
            .map(|l| st.text_width(l, Style::TICK))
            .max()
            .unwrap_or(0);
        let y_area = label_w + st.px(20.0);
        let plot_w = area.dim_in_pixel().0 as i32 - y_area - st.px(36.0);
        let end = self.x_end();
        let ticks = TickFormat::new(0.0, end, "", "%");
        let mut chart = ChartBuilder::on(&area)
            .margin_right(st.px(36.0))
            .x_label_area_size(st.px(Style::TICK + Style::LABEL + 22.0))
            .y_label_area_size(y_area)
            .build_cartesian_2d(0.0..end, Ticked::rows(n))?;
        let row_label = |y: &f64| labels[ticked::row_at(n, *y)].clone();
        let desc = "narrowing of the 90% interval when known exactly";
        style::mesh(&mut chart, st)
            .disable_y_mesh()
            .x_labels(6)
            .x_label_formatter(&|v| ticks.label(*v))
            .y_label_formatter(&row_label)
            .x_desc(st.fit_end(desc, Style::LABEL, plot_w))
            .draw()?;
        self.draw_bars(&mut chart, st)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hatches_stay_inside_the_bar() {
        let lines = hatches(10.0, (0.15, 0.85), 1.0);
        assert!(lines.len() >= 10);
        for line in lines {
            for (x, y) in line {
                assert!((0.0..=10.0).contains(&x), "x {x}");
                assert!((0.15 - 1e-12..=0.85 + 1e-12).contains(&y), "y {y}");
            }
        }
    }
}
