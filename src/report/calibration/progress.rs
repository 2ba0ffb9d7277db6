//! How the ABC-SMC progressed, by generation: the distances of each
//! generation's particles (median and 5–95% range, from its checkpoint)
//! against its tolerance, and the share of proposals accepted.

use super::data::Calibration;
use crate::experiment::calibrate::quantile;
use crate::report::figure::{self, Figure};
use crate::report::format::TickFormat;
use crate::report::style::{self, GREY, LegendItem, Style, Swatch};
use crate::report::ticked::Ticked;
use crate::report::timeplot::padded_range;
use anyhow::Result;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::ops::Range;

/// Logical height of each of the two panels.
const PANEL: u32 = 280;
/// Logical height of the title and legend.
const HEADER: u32 = 130;
/// Colour of the tolerances.
const TOLERANCE: RGBColor = RGBColor(213, 94, 0);

/// One generation's numbers.
struct Step {
    tolerance: Option<f64>,
    /// 5%, 50% and 95% quantiles of the particles' distances.
    distances: Option<[f64; 3]>,
    acceptance: Option<f64>,
}

/// Distances and acceptance by generation.
pub struct ProgressChart {
    steps: Vec<Step>,
}

impl ProgressChart {
    /// The generations of `calibration.json` with their checkpoints' distances.
    pub fn new(calibration: &Calibration) -> Self {
        let steps = (calibration.identity.generations.iter())
            .zip(&calibration.distances)
            .map(|(g, distances)| Step {
                tolerance: g.tolerance,
                distances: distances
                    .as_ref()
                    .map(|d| [0.05, 0.5, 0.95].map(|p| quantile(d, p))),
                acceptance: g.acceptance_rate,
            })
            .collect();
        Self { steps }
    }

    /// Whether there is no generation to draw.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    fn x_axis(&self) -> Ticked {
        let n = self.steps.len();
        Ticked::new(-0.5..n as f64 - 0.5, (0..n).map(|g| g as f64).collect())
    }

    fn distance_range(&self) -> Range<f64> {
        let values = self.steps.iter().flat_map(|s| {
            let spread = s.distances.map(|[lo, _, hi]| [lo, hi]);
            s.tolerance.into_iter().chain(spread.into_iter().flatten())
        });
        let hi = values.fold(0.0f64, f64::max);
        padded_range(0.0, hi, true)
    }
}

fn legend_items() -> Vec<LegendItem> {
    let blue = style::category_colour(0);
    vec![
        LegendItem {
            label: "median distance".into(),
            swatch: Swatch::Dot(blue),
        },
        LegendItem {
            label: "5–95% of the particles".into(),
            swatch: Swatch::Line(blue, false),
        },
        LegendItem {
            label: "tolerance".into(),
            swatch: Swatch::Line(TOLERANCE, false),
        },
        LegendItem {
            label: "proposals accepted".into(),
            swatch: Swatch::Fill(GREY.mix(0.6)),
        },
    ]
}

type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<Ticked, RangedCoordf64>>;

/// A panel's axes over the generations and `y`, described by `y_desc`.
fn panel<'a, DB: DrawingBackend<ErrorType: 'static>>(
    area: &DrawingArea<DB, Shift>,
    st: &Style,
    (x, y): (Ticked, Range<f64>),
    (y_desc, ticks): (&str, &TickFormat),
    x_desc: &str,
) -> Result<Chart<'a, DB>> {
    let x_area = if x_desc.is_empty() {
        Style::TICK + 16.0
    } else {
        Style::TICK + Style::LABEL + 22.0
    };
    let mut chart = ChartBuilder::on(area)
        .margin_right(st.px(36.0))
        .margin_left(st.px(12.0))
        .margin_top(st.px(14.0))
        .x_label_area_size(st.px(x_area))
        .y_label_area_size(st.text_width("100%", Style::TICK) + st.px(Style::LABEL + 30.0))
        .build_cartesian_2d(x, y)?;
    style::mesh(&mut chart, st)
        .disable_x_mesh()
        .y_labels(5)
        .x_label_formatter(&|g| format!("{}", g.round() as i64))
        .y_label_formatter(&|v| ticks.label(*v))
        .x_desc(x_desc)
        .y_desc(y_desc)
        .draw()?;
    Ok(chart)
}

impl ProgressChart {
    fn draw_distances<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        area: &DrawingArea<DB, Shift>,
        st: &Style,
    ) -> Result<()> {
        let y = self.distance_range();
        let ticks = TickFormat::new(y.start, y.end, "", "");
        let mut chart = panel(area, st, (self.x_axis(), y), ("distance", &ticks), "")?;
        let blue = style::category_colour(0);
        for (g, step) in self.steps.iter().enumerate() {
            let x = g as f64;
            if let Some(tolerance) = step.tolerance {
                let line = vec![(x - 0.3, tolerance), (x + 0.3, tolerance)];
                let style = TOLERANCE.stroke_width(st.stroke(3.5));
                chart.draw_series(std::iter::once(PathElement::new(line, style)))?;
            }
            if let Some([lo, median, hi]) = step.distances {
                let style = blue.stroke_width(st.stroke(3.0));
                let spread = PathElement::new(vec![(x, lo), (x, hi)], style);
                chart.draw_series(std::iter::once(spread))?;
                let dot = Circle::new((x, median), st.px(7.0), blue.filled());
                chart.draw_series(std::iter::once(dot))?;
            }
        }
        Ok(())
    }

    fn draw_acceptance<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        area: &DrawingArea<DB, Shift>,
        st: &Style,
    ) -> Result<()> {
        let ticks = TickFormat::new(0.0, 100.0, "", "%");
        let y = 0.0..112.0;
        let mut chart = panel(
            area,
            st,
            (self.x_axis(), y),
            ("accepted", &ticks),
            "generation",
        )?;
        let font = (st.font(Style::TICK * 0.85)).pos(Pos::new(HPos::Center, VPos::Bottom));
        for (g, step) in self.steps.iter().enumerate() {
            let Some(percent) = step.acceptance.map(|r| 100.0 * r) else {
                continue;
            };
            let x = g as f64;
            let bar = Rectangle::new([(x - 0.3, 0.0), (x + 0.3, percent)], GREY.mix(0.6).filled());
            chart.draw_series(std::iter::once(bar))?;
            let label = format!("{percent:.0}%");
            let text = Text::new(label, (x, percent + 2.0), font.clone());
            chart.draw_series(std::iter::once(text))?;
        }
        Ok(())
    }
}

impl Figure for ProgressChart {
    fn size(&self) -> (u32, u32) {
        (figure::WIDTH, HEADER + 2 * PANEL)
    }

    fn draw<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        root: &DrawingArea<DB, Shift>,
        st: &Style,
    ) -> Result<()> {
        let title = "Progress of the ABC-SMC by generation";
        let area = style::heading(root, st, title, &legend_items())?;
        let (top, bottom) = area.split_vertically(area.dim_in_pixel().1 / 2);
        self.draw_distances(&top, st)?;
        self.draw_acceptance(&bottom, st)
    }
}
