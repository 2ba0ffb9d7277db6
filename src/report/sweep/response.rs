//! A headline metric against one swept parameter: the estimate of every
//! intervention arm (or the paired difference of every contrast) at each
//! design point, with its 95% interval.

use super::data::{Estimate, Sweep};
use crate::report::effects::{tick_format, unit_words};
use crate::report::figure::{self, Figure};
use crate::report::format::{TickFormat, Unit, metric_name, metric_unit};
use crate::report::style::{self, GREY, LegendItem, Style, Swatch};
use crate::report::ticked::Ticked;
use crate::report::timeplot::padded_range;
use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::ops::Range;

/// Most values of a numeric parameter ticked at the values themselves.
const MAX_VALUE_TICKS: usize = 8;

/// How the points are drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mode {
    /// One point per value and no other parameter varies: per arm, a line
    /// through the means in a shaded band.
    Line,
    /// Other parameters vary and no two points share a value: a dot with an
    /// error bar per point.
    Scatter,
    /// Points share values: a dot with an error bar per point, and per arm a
    /// dashed line through the mean at each value (over the other parameters).
    ScatterMeans,
}

impl Mode {
    /// How to draw parameter `k` of `sweep`.
    pub fn of(sweep: &Sweep, k: usize) -> Self {
        let others_vary = (sweep.parameters.iter().enumerate()).any(|(j, p)| j != k && p.varies());
        if sweep.parameters[k].levels.len() < sweep.points {
            Mode::ScatterMeans
        } else if others_vary {
            Mode::Scatter
        } else {
            Mode::Line
        }
    }
}

/// Whether zero means no effect for `metric` (not so for days), so that a
/// reference line marks it.
pub fn zero_is_no_effect(metric: &str) -> bool {
    metric_unit(metric) != Unit::Days
}

/// A defined estimate: mean and interval (the mean itself when undefined).
#[derive(Clone, Copy, Debug)]
struct Mark {
    mean: f64,
    low: f64,
    high: f64,
}

impl Mark {
    fn of(estimate: Estimate) -> Option<Self> {
        let mean = estimate.mean?;
        let (low, high) = estimate.interval.unwrap_or((mean, mean));
        Some(Self { mean, low, high })
    }

    /// The average of `marks` (mean, low and high each), if any.
    fn average(marks: &[Mark]) -> Option<Self> {
        let n = marks.len() as f64;
        let sum = |f: fn(&Mark) -> f64| marks.iter().map(f).sum::<f64>() / n;
        (!marks.is_empty()).then(|| Self {
            mean: sum(|m| m.mean),
            low: sum(|m| m.low),
            high: sum(|m| m.high),
        })
    }
}

/// One arm's estimates, grouped by the parameter's values.
struct Arm {
    label: String,
    colour: RGBColor,
    /// Per level of the parameter, the points' defined estimates.
    levels: Vec<Vec<Mark>>,
}

impl Arm {
    /// Per level, its position and the average of its points (`None` when
    /// no point is defined there).
    fn summary(&self, positions: &[f64]) -> Vec<(f64, Option<Mark>)> {
        (positions.iter().copied())
            .zip(self.levels.iter().map(|marks| Mark::average(marks)))
            .collect()
    }
}

/// Splits points into runs of consecutive defined ones.
fn runs(points: &[(f64, Option<Mark>)]) -> Vec<Vec<(f64, Mark)>> {
    points
        .split(|(_, m)| m.is_none())
        .filter(|run| !run.is_empty())
        .map(|run| run.iter().filter_map(|(x, m)| Some((*x, (*m)?))).collect())
        .collect()
}

/// What a response plot shows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Shown {
    /// Each intervention arm's effect against the baseline.
    Effects,
    /// Each contrast's paired difference `A − B`.
    Differences,
}

/// One headline metric against one parameter, one colour per arm (or
/// contrast).
pub struct Response {
    metric: &'static str,
    shown: Shown,
    /// The legend's name of the band or bar, e.g. "95% interval of the median".
    interval_label: String,
    parameter: String,
    /// Labels of the values when they are categories (positions 0, 1, …).
    categories: Option<Vec<String>>,
    /// Position of each value on the x axis.
    positions: Vec<f64>,
    mode: Mode,
    arms: Vec<Arm>,
}

impl Response {
    /// The estimates of `metric` against parameter `k` of `sweep`: the
    /// arms' effects or the contrasts' differences.
    pub fn new(sweep: &Sweep, k: usize, metric: &'static str, shown: Shown) -> Self {
        let parameter = &sweep.parameters[k];
        let levels = parameter.levels.len();
        let series = match shown {
            Shown::Effects => &sweep.arms,
            Shown::Differences => &sweep.contrasts,
        };
        let arms = (series.iter().enumerate())
            .map(|(a, arm)| {
                let mut grouped = vec![Vec::new(); levels];
                for p in 0..sweep.points {
                    let mark = sweep.estimate(arm, metric, p).and_then(Mark::of);
                    grouped[parameter.level(p)].extend(mark);
                }
                Arm {
                    label: arm.clone(),
                    colour: style::arm_colour(a + 1),
                    levels: grouped,
                }
            })
            .collect();
        let estimated = match shown {
            Shown::Effects => sweep.statistic(metric),
            Shown::Differences => "mean difference",
        };
        Self {
            metric,
            shown,
            interval_label: format!("95% interval of the {estimated}"),
            parameter: parameter.path.clone(),
            categories: (!parameter.is_numeric())
                .then(|| (0..levels).map(|i| parameter.label(i)).collect()),
            positions: (0..levels).map(|i| parameter.position(i)).collect(),
            mode: Mode::of(sweep, k),
            arms,
        }
    }

    fn marks(&self) -> impl Iterator<Item = &Mark> {
        self.arms.iter().flat_map(|a| a.levels.iter().flatten())
    }

    fn unit(&self) -> Unit {
        metric_unit(self.metric)
    }

    fn zero_is_no_effect(&self) -> bool {
        self.shown == Shown::Differences || zero_is_no_effect(self.metric)
    }

    /// The values, with room for the points set side by side around them.
    fn x_range(&self) -> Range<f64> {
        let (lo, hi) = (self.positions[0], self.positions[self.positions.len() - 1]);
        if self.categories.is_some() {
            return lo - 0.5..hi + 0.5;
        }
        let pad = if hi > lo {
            (0.06 * (hi - lo)).max(0.4 * self.min_gap())
        } else {
            (0.1 * lo.abs()).max(1.0)
        };
        lo - pad..hi + pad
    }

    /// The smallest distance between two values (infinite for one value).
    fn min_gap(&self) -> f64 {
        (self.positions.windows(2))
            .map(|w| w[1] - w[0])
            .fold(f64::INFINITY, f64::min)
    }

    fn x_axis(&self) -> Ticked {
        let range = self.x_range();
        let at_values = self.categories.is_some()
            || (self.positions.len() <= MAX_VALUE_TICKS && self.mode != Mode::Scatter);
        if at_values {
            Ticked::new(range, self.positions.clone())
        } else {
            Ticked::round(range, 6)
        }
    }

    /// Every interval and zero, padded.
    fn y_range(&self) -> Range<f64> {
        let (lo, hi) = self.marks().fold((0.0f64, 0.0f64), |(lo, hi), m| {
            (lo.min(m.low), hi.max(m.high))
        });
        padded_range(lo, hi, false)
    }

    /// Horizontal offset of an arm's `member`-th point at a value, so that
    /// points sharing a value sit side by side.
    fn dodge(&self, arm: usize, member: usize) -> f64 {
        let members = (self.arms.iter().flat_map(|a| a.levels.iter().map(Vec::len)))
            .max()
            .unwrap_or(1);
        let slots = (self.arms.len() * members).max(1);
        let gap = if self.min_gap().is_finite() {
            self.min_gap()
        } else {
            let r = self.x_range();
            0.5 * (r.end - r.start)
        };
        let slot = (arm * members + member) as f64 - (slots - 1) as f64 / 2.0;
        slot * 0.5 * gap / slots as f64
    }

    fn legend_items(&self) -> Vec<LegendItem> {
        let scatter = self.mode != Mode::Line;
        let mut items: Vec<LegendItem> = (self.arms.iter())
            .map(|a| LegendItem {
                label: a.label.clone(),
                swatch: if scatter {
                    Swatch::Dot(a.colour)
                } else {
                    Swatch::Line(a.colour, false)
                },
            })
            .collect();
        items.push(LegendItem {
            label: self.interval_label.clone(),
            swatch: if scatter {
                Swatch::Line(BLACK, false)
            } else {
                Swatch::Fill(GREY.mix(0.35))
            },
        });
        if self.mode == Mode::ScatterMeans {
            items.push(LegendItem {
                label: "mean over the other parameters".into(),
                swatch: Swatch::Line(BLACK, true),
            });
        }
        if self.zero_is_no_effect() {
            let label = match self.shown {
                Shown::Effects => "no effect",
                Shown::Differences => "no difference",
            };
            items.push(LegendItem {
                label: label.into(),
                swatch: Swatch::Line(GREY, false),
            });
        }
        items
    }

    /// The label of an x tick.
    fn x_label(&self, x: f64, ticks: &TickFormat, width: i32, st: &Style) -> String {
        match &self.categories {
            Some(labels) => {
                let text = labels
                    .get(x.round().max(0.0) as usize)
                    .map_or("", String::as_str);
                st.fit_end(text, Style::TICK, width)
            }
            None => ticks.label(x),
        }
    }
}

type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<Ticked, Ticked>>;

impl Response {
    /// Axes, grid and labels in `area`; returns the chart to draw into.
    fn chart<'a, DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        area: &DrawingArea<DB, Shift>,
        st: &Style,
        y: Range<f64>,
    ) -> Result<Chart<'a, DB>> {
        let y_ticks = tick_format(self.unit(), &y);
        let y_label_w = [y.start, y.end]
            .iter()
            .map(|v| st.text_width(&y_ticks.label(*v), Style::TICK))
            .max()
            .unwrap_or(0);
        let y_area = y_label_w + st.px(Style::LABEL + 30.0);
        let plot_w = area.dim_in_pixel().0 as i32 - y_area - st.px(40.0);
        let x = self.x_axis();
        let x_ticks = TickFormat::new(x.range().start, x.range().end, "", "");
        let category_w = plot_w / self.positions.len().max(1) as i32 - st.px(8.0);
        let mut chart = ChartBuilder::on(area)
            .margin_right(st.px(28.0))
            .margin_top(st.px(6.0))
            .margin_left(st.px(12.0))
            .x_label_area_size(st.px(Style::TICK + Style::LABEL + 22.0))
            .y_label_area_size(y_area)
            .build_cartesian_2d(x, Ticked::round(y, 6))?;
        style::mesh(&mut chart, st)
            .x_label_formatter(&|v| self.x_label(*v, &x_ticks, category_w, st))
            .y_label_formatter(&|v| y_ticks.label(*v))
            .x_desc(st.fit_start(&self.parameter, Style::LABEL, plot_w))
            .y_desc(unit_words(self.unit()))
            .axis_style(BLACK.stroke_width(st.stroke(1.0)))
            .draw()?;
        Ok(chart)
    }

    fn draw_zero<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        chart: &mut Chart<'_, DB>,
        st: &Style,
    ) -> Result<()> {
        let x = self.x_range();
        let line = vec![(x.start, 0.0), (x.end, 0.0)];
        let style = GREY.stroke_width(st.stroke(2.0));
        chart.draw_series(std::iter::once(PathElement::new(line, style)))?;
        Ok(())
    }

    /// Per arm, the band of the intervals and the line of the means, with a
    /// dot at each value.
    fn draw_lines<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        chart: &mut Chart<'_, DB>,
        st: &Style,
    ) -> Result<()> {
        for arm in &self.arms {
            for run in runs(&arm.summary(&self.positions)) {
                let upper = run.iter().map(|(x, m)| (*x, m.high));
                let lower = run.iter().rev().map(|(x, m)| (*x, m.low));
                let band =
                    Polygon::new(upper.chain(lower).collect::<Vec<_>>(), arm.colour.mix(0.18));
                chart.draw_series(std::iter::once(band))?;
            }
        }
        for arm in &self.arms {
            for run in runs(&arm.summary(&self.positions)) {
                let style = arm.colour.stroke_width(st.stroke(2.5));
                chart.draw_series(LineSeries::new(
                    run.iter().map(|(x, m)| (*x, m.mean)),
                    style,
                ))?;
                let dots = run
                    .iter()
                    .map(|(x, m)| Circle::new((*x, m.mean), st.px(4.5), arm.colour.filled()));
                chart.draw_series(dots)?;
            }
        }
        Ok(())
    }

    /// Per arm, a dashed line through the mean at each value.
    fn draw_means<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        chart: &mut Chart<'_, DB>,
        st: &Style,
    ) -> Result<()> {
        for arm in &self.arms {
            for run in runs(&arm.summary(&self.positions)) {
                let points = run.iter().map(|(x, m)| (*x, m.mean));
                let style = arm.colour.stroke_width(st.stroke(2.0));
                chart.draw_series(DashedLineSeries::new(points, st.px(8.0), st.px(6.0), style))?;
            }
        }
        Ok(())
    }

    /// A dot with an error bar for every defined point, side by side where
    /// points share a value.
    fn draw_points<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        chart: &mut Chart<'_, DB>,
        st: &Style,
    ) -> Result<()> {
        let cap = st.px(5.0);
        for (a, arm) in self.arms.iter().enumerate() {
            let style = arm.colour.stroke_width(st.stroke(2.0));
            for (x, marks) in self.positions.iter().zip(&arm.levels) {
                for (member, m) in marks.iter().enumerate() {
                    let x = x + self.dodge(a, member);
                    let bar = PathElement::new(vec![(x, m.low), (x, m.high)], style);
                    chart.draw_series(std::iter::once(bar))?;
                    for y in [m.low, m.high] {
                        let tick = EmptyElement::at((x, y))
                            + PathElement::new(vec![(-cap, 0), (cap, 0)], style);
                        chart.draw_series(std::iter::once(tick))?;
                    }
                    let dot = Circle::new((x, m.mean), st.px(5.0), arm.colour.filled());
                    chart.draw_series(std::iter::once(dot))?;
                }
            }
        }
        Ok(())
    }
}

impl Figure for Response {
    fn size(&self) -> (u32, u32) {
        (figure::WIDTH, figure::TIME_HEIGHT)
    }

    fn draw<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        root: &DrawingArea<DB, Shift>,
        st: &Style,
    ) -> Result<()> {
        let title = match self.shown {
            Shown::Effects => metric_name(self.metric),
            Shown::Differences => format!("Difference in {}", metric_name(self.metric)),
        };
        if self.marks().next().is_none() {
            let area = style::title(root, st, &title)?;
            return style::note(&area, st, "Not defined at any point of the sweep");
        }
        let area = style::heading(root, st, &title, &self.legend_items())?;
        let mut chart = self.chart(&area, st, self.y_range())?;
        if self.zero_is_no_effect() {
            self.draw_zero(&mut chart, st)?;
        }
        match self.mode {
            Mode::Line => self.draw_lines(&mut chart, st),
            Mode::Scatter => self.draw_points(&mut chart, st),
            Mode::ScatterMeans => {
                self.draw_means(&mut chart, st)?;
                self.draw_points(&mut chart, st)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(mean: f64) -> Option<Mark> {
        Some(Mark {
            mean,
            low: mean,
            high: mean,
        })
    }

    #[test]
    fn runs_break_at_undefined_values() {
        let points = [
            (0.0, mark(1.0)),
            (1.0, None),
            (2.0, mark(2.0)),
            (3.0, mark(3.0)),
        ];
        let lengths: Vec<usize> = runs(&points).iter().map(Vec::len).collect();
        assert_eq!(lengths, [1, 2]);
        assert!(Mark::average(&[]).is_none());
    }
}
