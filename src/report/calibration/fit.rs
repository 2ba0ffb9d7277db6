//! Observed against simulated, one row per target with one value (a forest
//! plot), in standardised units: each value as `z = (value - observed) /
//! sd`, so that targets of different measures share one axis and the
//! observed value with its ±1 and ±2 sd bars is the same in every row.

use super::data::Calibration;
use super::files::{FitRow, Target};
use super::values::{measure_name, spread};
use crate::report::figure::{self, Figure};
use crate::report::format::{TickFormat, metric_unit, value};
use crate::report::style::{self, GREY, LegendItem, Style, Swatch};
use crate::report::ticked::{self, Ticked};
use crate::report::timeplot::padded_range;
use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::ops::Range;

/// Logical height of one target's row.
const ROW: u32 = 110;
/// Logical height of the title, legend and x axis.
const FRAME: u32 = 230;
/// Font size of a row's second line, relative to tick labels.
const DETAIL: f64 = 0.78;
/// Where a row's name, detail, simulated and observed marks lie within it
/// (0 is its bottom, 1 its top).
const NAME_AT: f64 = 0.87;
const DETAIL_AT: f64 = 0.66;
const SIMULATED_AT: f64 = 0.42;
const OBSERVED_AT: f64 = 0.2;
/// Length of the dashed line up from the observed value.
const REFERENCE: f64 = 0.36;

/// One target's row.
struct Row {
    name: String,
    detail: String,
    fit: FitRow,
}

/// The words of a forest plot: its title, and what its dot and band are.
pub struct Words {
    /// The title.
    pub title: &'static str,
    /// What the dot is, e.g. "simulated mean".
    pub dot: &'static str,
    /// What the band is, e.g. "5–95% of replications".
    pub band: &'static str,
}

/// The words of a calibration's fit.
const AT_BEST_FIT: Words = Words {
    title: "Observed against simulated at the best fit",
    dot: "simulated mean",
    band: "5–95% of replications",
};

/// The forest plot of the targets with one value.
pub struct FitChart {
    rows: Vec<Row>,
    words: Words,
}

impl FitChart {
    /// The targets of `calibration` that are not series, in file order.
    pub fn new(calibration: &Calibration) -> Self {
        Self::of(calibration.single_targets(), AT_BEST_FIT)
    }

    /// One row per target of `targets` (its first row of values).
    pub fn of<'a>(targets: impl Iterator<Item = &'a Target>, words: Words) -> Self {
        let rows = targets
            .filter_map(|t| {
                Some(Row {
                    name: t.name.clone(),
                    detail: detail(t),
                    fit: t.rows.first()?.clone(),
                })
            })
            .collect();
        Self { rows, words }
    }

    /// Whether there is no target to draw.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// ±2.5 and every simulated mean and band, padded.
    fn x_range(&self) -> Range<f64> {
        let ends = self.rows.iter().flat_map(|r| {
            let band = r
                .fit
                .band
                .map(|(l, h)| [r.fit.standardised(l), r.fit.standardised(h)]);
            (r.fit.simulated_z().into_iter()).chain(band.into_iter().flatten())
        });
        let (lo, hi) = ends.fold((-2.5f64, 2.5f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        padded_range(lo, hi, false)
    }
}

/// The second line of a target's label: the observed value with its sd and
/// the simulated mean, in the measure's unit.
fn detail(target: &Target) -> String {
    let unit = metric_unit(&target.measure);
    let Some(row) = target.rows.first() else {
        return String::new();
    };
    let simulated = row
        .simulated
        .map_or("not defined".into(), |s| value(s, unit));
    let measure = measure_name(&target.measure).to_lowercase();
    let measure = match target.kind.as_str() {
        "level" => format!("mean daily {measure}"),
        _ => measure,
    };
    format!(
        "{}, {measure}: {} ± {}, simulated {simulated}",
        target.arms_text(),
        target.observed_text(value(row.observed, unit)),
        spread(row.sd, unit),
    )
}

fn legend_items(words: &Words) -> Vec<LegendItem> {
    let blue = style::category_colour(0);
    vec![
        LegendItem {
            label: "observed, ±1 sd (thick) and ±2 sd".into(),
            swatch: Swatch::Ring(BLACK),
        },
        LegendItem {
            label: words.dot.into(),
            swatch: Swatch::Dot(blue),
        },
        LegendItem {
            label: words.band.into(),
            swatch: Swatch::Fill(blue.mix(0.4)),
        },
    ]
}

type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<Ticked, Ticked>>;

/// The observed value of a row: at 0, with its ±1 and ±2 sd bars, and a
/// dashed line up from it past the simulated mark.
fn draw_observed<DB: DrawingBackend<ErrorType: 'static>>(
    chart: &mut Chart<'_, DB>,
    st: &Style,
    y: f64,
) -> Result<()> {
    let zero = vec![(0.0, y), (0.0, y + REFERENCE)];
    let dashes = GREY.stroke_width(st.stroke(2.0));
    chart.draw_series(DashedLineSeries::new(zero, st.px(6.0), st.px(5.0), dashes))?;
    for (half, width) in [(2.0, 2.0), (1.0, 6.0)] {
        let bar = PathElement::new(
            vec![(-half, y), (half, y)],
            BLACK.stroke_width(st.stroke(width)),
        );
        chart.draw_series(std::iter::once(bar))?;
    }
    let cap = 0.07;
    for x in [-2.0, 2.0] {
        let tick = PathElement::new(
            vec![(x, y - cap), (x, y + cap)],
            BLACK.stroke_width(st.stroke(2.0)),
        );
        chart.draw_series(std::iter::once(tick))?;
    }
    let ring = [
        Circle::new((0.0, y), st.px(7.0), WHITE.filled()),
        Circle::new((0.0, y), st.px(7.0), BLACK.stroke_width(st.stroke(2.5))),
    ];
    chart.draw_series(ring)?;
    Ok(())
}

/// The simulated mean of a row with its band, or a note when undefined.
fn draw_simulated<DB: DrawingBackend<ErrorType: 'static>>(
    chart: &mut Chart<'_, DB>,
    st: &Style,
    fit: &FitRow,
    y: f64,
) -> Result<()> {
    let blue = style::category_colour(0);
    if let Some((low, high)) = fit.band {
        let half = 0.08;
        let (l, h) = (fit.standardised(low), fit.standardised(high));
        let band = Rectangle::new([(l, y - half), (h, y + half)], blue.mix(0.4).filled());
        chart.draw_series(std::iter::once(band))?;
    }
    match fit.simulated_z() {
        Some(z) => {
            let dot = Circle::new((z, y), st.px(7.0), blue.filled());
            chart.draw_series(std::iter::once(dot))?;
        }
        None => {
            let font = (st.font(Style::TICK * DETAIL).color(&GREY))
                .pos(Pos::new(HPos::Center, VPos::Center));
            let text = Text::new("simulated value not defined", (0.0, y), font);
            chart.draw_series(std::iter::once(text))?;
        }
    }
    Ok(())
}

/// A row's name and, below it, its detail, left-aligned at `x` and cut to
/// `width` backend pixels.
fn draw_label<DB: DrawingBackend<ErrorType: 'static>>(
    chart: &mut Chart<'_, DB>,
    st: &Style,
    row: &Row,
    (x, width): (f64, i32),
    base: f64,
) -> Result<()> {
    let anchor = Pos::new(HPos::Left, VPos::Center);
    let texts = [
        Text::new(
            st.fit_end(&row.name, Style::TICK, width),
            (x, base + NAME_AT),
            st.font(Style::TICK).pos(anchor),
        ),
        Text::new(
            st.fit_end(&row.detail, Style::TICK * DETAIL, width),
            (x, base + DETAIL_AT),
            (st.font(Style::TICK * DETAIL).color(&GREY)).pos(anchor),
        ),
    ];
    chart.draw_series(texts)?;
    Ok(())
}

impl Figure for FitChart {
    fn size(&self) -> (u32, u32) {
        (figure::WIDTH, FRAME + ROW * self.rows.len() as u32)
    }

    fn draw<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        root: &DrawingArea<DB, Shift>,
        st: &Style,
    ) -> Result<()> {
        let title = self.words.title;
        let area = style::heading(root, st, title, &legend_items(&self.words))?;
        let n = self.rows.len();
        let x = self.x_range();
        let ticks = TickFormat::new(x.start, x.end, "", "");
        let mut chart = ChartBuilder::on(&area)
            .margin_right(st.px(30.0))
            .margin_top(st.px(8.0))
            .x_label_area_size(st.px(Style::TICK + Style::LABEL + 26.0))
            .margin_left(st.px(30.0))
            .build_cartesian_2d(Ticked::round(x.clone(), 6), Ticked::rows(n))?;
        style::mesh(&mut chart, st)
            .disable_y_mesh()
            .y_label_formatter(&|_| String::new())
            .x_label_formatter(&|v| ticks.label(*v))
            .x_desc("z = (value − observed) / sd of the observation")
            .draw()?;
        let indent = x.start + 0.01 * (x.end - x.start);
        let width = chart.plotting_area().dim_in_pixel().0 as i32 - st.px(16.0);
        for (i, row) in self.rows.iter().enumerate() {
            let base = ticked::row_base(n, i);
            draw_label(&mut chart, st, row, (indent, width), base)?;
            draw_observed(&mut chart, st, base + OBSERVED_AT)?;
            draw_simulated(&mut chart, st, &row.fit, base + SIMULATED_AT)?;
        }
        Ok(())
    }
}
