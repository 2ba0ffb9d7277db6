//! A headline metric over a full grid of two parameters, for one arm: one
//! cell per combination, coloured by the mean, with a colour scale.

use super::data::{Parameter, Sweep};
use crate::report::effects::tick_format;
use crate::report::figure::{self, Figure};
use crate::report::format::{self, TickFormat, Unit, metric_name, metric_unit};
use crate::report::style::{self, LegendItem, Style, Swatch};
use crate::report::ticked::Ticked;
use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::ops::Range;

/// Logical height of a heat map.
const HEIGHT: u32 = 600;
/// Steps drawn in the colour scale.
const SCALE_STEPS: usize = 64;
/// Fill of cells where the metric is not defined.
const UNDEFINED: RGBColor = RGBColor(225, 225, 225);
/// Viridis at five stops: lightness rises steadily, and it stays readable
/// with the common colour-vision deficiencies and in grey.
const VIRIDIS: [RGBColor; 5] = [
    RGBColor(68, 1, 84),
    RGBColor(59, 82, 139),
    RGBColor(33, 145, 140),
    RGBColor(94, 201, 98),
    RGBColor(253, 231, 37),
];

/// The colour at `t` in 0..1 along viridis.
fn viridis(t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0) * (VIRIDIS.len() - 1) as f64;
    let i = (t.floor() as usize).min(VIRIDIS.len() - 2);
    let (RGBColor(r0, g0, b0), RGBColor(r1, g1, b1)) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let f = t - i as f64;
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * f).round() as u8;
    RGBColor(mix(r0, r1), mix(g0, g1), mix(b0, b1))
}

/// The colour of `v` on a scale over `range`.
fn colour(v: f64, range: &Range<f64>) -> RGBColor {
    viridis((v - range.start) / (range.end - range.start))
}

/// Black or white, whichever reads better on `fill`.
fn text_colour(fill: RGBColor) -> RGBColor {
    let RGBColor(r, g, b) = fill;
    let luminance = 0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b);
    if luminance > 140.0 { BLACK } else { WHITE }
}

/// One axis of the grid: the parameter and its values in order.
struct GridAxis {
    path: String,
    labels: Vec<String>,
}

impl GridAxis {
    fn new(parameter: &Parameter) -> Self {
        Self {
            path: parameter.path.clone(),
            labels: (0..parameter.levels.len())
                .map(|i| parameter.label(i))
                .collect(),
        }
    }

    /// An axis with one unit per value, ticked at the centres.
    fn coord(&self) -> Ticked {
        let n = self.labels.len();
        Ticked::new(0.0..n as f64, (0..n).map(|i| i as f64 + 0.5).collect())
    }

    fn label(&self, at: f64) -> &str {
        let i = (at.floor().max(0.0) as usize).min(self.labels.len() - 1);
        &self.labels[i]
    }
}

/// A heat map of one metric for one arm over a grid of two parameters.
pub struct HeatMap {
    metric: &'static str,
    arm: String,
    x: GridAxis,
    y: GridAxis,
    /// `cells[i][j]`: the mean at the `i`-th value of x and `j`-th of y.
    cells: Vec<Vec<Option<f64>>>,
}

impl HeatMap {
    /// The means of `metric` for `arm` over the grid of `x` and `y`.
    pub fn new(
        sweep: &Sweep,
        (x, y): (&Parameter, &Parameter),
        arm: &str,
        metric: &'static str,
    ) -> Self {
        let mut cells = vec![vec![None; y.levels.len()]; x.levels.len()];
        for p in 0..sweep.points {
            let mean = sweep.estimate(arm, metric, p).and_then(|e| e.mean);
            cells[x.level(p)][y.level(p)] = mean;
        }
        Self {
            metric,
            arm: arm.to_string(),
            x: GridAxis::new(x),
            y: GridAxis::new(y),
            cells,
        }
    }

    fn defined(&self) -> impl Iterator<Item = f64> + '_ {
        self.cells.iter().flatten().flatten().copied()
    }

    /// The range of the colour scale: the defined means (widened when equal).
    fn range(&self) -> Range<f64> {
        let (lo, hi) = self
            .defined()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
        if hi > lo {
            lo..hi
        } else {
            let pad = (0.1 * lo.abs()).max(1.0);
            lo - pad..hi + pad
        }
    }

    fn title(&self) -> String {
        format!("{}: {}", metric_name(self.metric), self.arm)
    }

    fn legend_items(&self) -> Vec<LegendItem> {
        let undefined = self.cells.iter().flatten().any(Option::is_none);
        let item = LegendItem {
            label: "not defined".into(),
            swatch: Swatch::Fill(UNDEFINED.to_rgba()),
        };
        undefined.then_some(item).into_iter().collect()
    }

    /// The grid of cells, each labelled with its value in `unit` where it fits.
    fn draw_grid<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        area: &DrawingArea<DB, Shift>,
        st: &Style,
        unit: Unit,
        bottom: i32,
    ) -> Result<()> {
        let y_label_w = (self.y.labels.iter())
            .map(|l| st.text_width(l, Style::TICK))
            .max()
            .unwrap_or(0);
        let (w, h) = area.dim_in_pixel();
        let mut chart = ChartBuilder::on(area)
            .margin_top(st.px(10.0))
            .margin_left(st.px(12.0))
            .x_label_area_size(bottom)
            .y_label_area_size(y_label_w + st.px(Style::LABEL + 30.0))
            .build_cartesian_2d(self.x.coord(), self.y.coord())?;
        style::mesh(&mut chart, st)
            .disable_mesh()
            .x_label_formatter(&|v| self.x.label(*v).to_string())
            .y_label_formatter(&|v| self.y.label(*v).to_string())
            .x_desc(st.fit_start(&self.x.path, Style::LABEL, w as i32 - y_label_w))
            .y_desc(st.fit_start(&self.y.path, Style::LABEL, h as i32 - bottom))
            .draw()?;
        let (cell_w, cell_h) = {
            let (pw, ph) = chart.plotting_area().dim_in_pixel();
            (
                pw as i32 / self.x.labels.len() as i32,
                ph as i32 / self.y.labels.len() as i32,
            )
        };
        let range = self.range();
        for (i, column) in self.cells.iter().enumerate() {
            for (j, cell) in column.iter().enumerate() {
                let (x, y) = (i as f64, j as f64);
                let fill = cell.map_or(UNDEFINED, |v| colour(v, &range));
                let corners = [(x, y), (x + 1.0, y + 1.0)];
                chart.draw_series([
                    Rectangle::new(corners, fill.filled()),
                    Rectangle::new(corners, WHITE.stroke_width(st.stroke(2.0))),
                ])?;
                let Some(v) = cell else { continue };
                let text = format::value(*v, unit);
                let fits = st.text_width(&text, Style::TICK) < cell_w - st.px(8.0)
                    && st.px(Style::TICK * 1.2) < cell_h;
                if fits {
                    let ink = text_colour(fill);
                    let font = (st.font(Style::TICK).color(&ink))
                        .pos(Pos::new(HPos::Center, VPos::Center));
                    chart.draw_series(std::iter::once(Text::new(
                        text,
                        (x + 0.5, y + 0.5),
                        font,
                    )))?;
                }
            }
        }
        Ok(())
    }

    /// The colour scale: a vertical bar labelled with values.
    fn draw_scale<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        area: &DrawingArea<DB, Shift>,
        st: &Style,
        ticks: &TickFormat,
        bottom: i32,
        label_w: i32,
    ) -> Result<()> {
        let range = self.range();
        let mut chart = ChartBuilder::on(area)
            .margin_top(st.px(10.0))
            .margin_bottom(bottom)
            .margin_left(st.px(14.0))
            .right_y_label_area_size(label_w + st.px(16.0))
            .build_cartesian_2d(0.0..1.0, Ticked::round(range.clone(), 5))?;
        style::mesh(&mut chart, st)
            .disable_mesh()
            .disable_x_axis()
            .y_label_formatter(&|v| ticks.label(*v))
            .draw()?;
        let step = (range.end - range.start) / SCALE_STEPS as f64;
        let bands = (0..SCALE_STEPS).map(|k| {
            let low = range.start + step * k as f64;
            let fill = colour(low + step / 2.0, &range);
            Rectangle::new([(0.0, low), (1.0, low + step)], fill.filled())
        });
        chart.draw_series(bands)?;
        Ok(())
    }
}

impl Figure for HeatMap {
    fn size(&self) -> (u32, u32) {
        (figure::WIDTH, HEIGHT)
    }

    fn draw<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        root: &DrawingArea<DB, Shift>,
        st: &Style,
    ) -> Result<()> {
        if self.defined().next().is_none() {
            let area = style::title(root, st, &self.title())?;
            return style::note(&area, st, "Not defined at any point of the grid");
        }
        let legend = self.legend_items();
        let area = if legend.is_empty() {
            style::title(root, st, &self.title())?
        } else {
            style::heading(root, st, &self.title(), &legend)?
        };
        let range = self.range();
        let ticks = tick_format(metric_unit(self.metric), &range);
        let label_w = [range.start, range.end]
            .iter()
            .map(|v| st.text_width(&ticks.label(*v), Style::TICK))
            .max()
            .unwrap_or(0);
        let scale_w = label_w + st.px(70.0);
        let (grid, scale) = area.split_horizontally(area.dim_in_pixel().0 as i32 - scale_w);
        let bottom = st.px(Style::TICK + Style::LABEL + 22.0);
        self.draw_grid(&grid, st, metric_unit(self.metric), bottom)?;
        self.draw_scale(&scale, st, &ticks, bottom, label_w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viridis_runs_from_purple_to_yellow() {
        assert_eq!(viridis(0.0), VIRIDIS[0]);
        assert_eq!(viridis(1.0), VIRIDIS[4]);
        assert_eq!(viridis(0.5), VIRIDIS[2]);
        assert_eq!(viridis(-3.0), VIRIDIS[0]);
        assert_eq!(text_colour(VIRIDIS[0]), WHITE);
        assert_eq!(text_colour(VIRIDIS[4]), BLACK);
    }
}
