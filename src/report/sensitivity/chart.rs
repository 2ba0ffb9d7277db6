//! The indices of one output: horizontal bars, one row per parameter,
//! sorted by influence. Sobol: S1 and ST side by side with their intervals;
//! Morris: μ* with its interval and σ.

use super::data::{Index, Method, Sensitivity, Stat};
use crate::report::effects::{tick_format, unit_words};
use crate::report::figure::{self, Figure};
use crate::report::format::{TickFormat, Unit, metric_name, metric_unit};
use crate::report::style::{self, GREY, LegendItem, Style, Swatch};
use crate::report::ticked::{self, Ticked};
use crate::report::timeplot::padded_range;
use anyhow::Result;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::cmp::Ordering;
use std::ops::Range;

/// Logical height of one bar.
const BAR: u32 = 17;
/// Logical gap between parameters.
const GAP: u32 = 16;
/// Logical height of the title, legend and x axis.
const FRAME: u32 = 190;
/// Widest parameter label, as a share of the figure's width.
const LABEL_SHARE: f64 = 0.42;

/// One parameter's bars, one per series.
struct Row {
    path: String,
    bars: Vec<Index>,
}

/// The bars of one series of indices.
struct Series {
    label: &'static str,
    colour: RGBColor,
}

/// The indices of one output, one row per parameter.
pub struct Chart {
    title: String,
    method: Method,
    unit: Unit,
    series: Vec<Series>,
    rows: Vec<Row>,
}

impl Chart {
    /// The indices of output `o`, parameters sorted by ST (Sobol) or μ*
    /// (Morris), largest first, undefined last.
    pub fn new(sensitivity: &Sensitivity, o: usize) -> Self {
        let method = sensitivity.identity.method;
        let stats = drawn(method);
        let mut rows: Vec<Row> = (sensitivity.identity.parameters.iter().enumerate())
            .map(|(p, path)| Row {
                path: path.clone(),
                bars: stats.iter().map(|s| sensitivity.index(o, p, *s)).collect(),
            })
            .collect();
        let key = order_key(method);
        rows.sort_by(|a, b| descending(a.bars[key].value, b.bars[key].value));
        let output = &sensitivity.identity.outputs[o];
        Self {
            title: metric_name(output),
            method,
            unit: metric_unit(output),
            series: series(method),
            rows,
        }
    }

    /// The parameter paths, in the order drawn (top first).
    pub fn order(&self) -> impl Iterator<Item = &str> {
        self.rows.iter().map(|r| r.path.as_str())
    }

    fn is_empty(&self) -> bool {
        (self.rows.iter().flat_map(|r| &r.bars)).all(|b| b.value.is_none())
    }

    fn legend_items(&self) -> Vec<LegendItem> {
        let mut items: Vec<LegendItem> = (self.series.iter())
            .map(|s| LegendItem {
                label: s.label.into(),
                swatch: Swatch::Fill(s.colour.to_rgba()),
            })
            .collect();
        items.push(LegendItem {
            label: match self.method {
                Method::Sobol => "95% bootstrap interval".into(),
                Method::Morris => "95% bootstrap interval of μ*".into(),
            },
            swatch: Swatch::Line(BLACK, false),
        });
        items
    }

    /// Zero, every defined value and interval and, for Sobol, 1, padded.
    fn x_range(&self) -> Range<f64> {
        let ends = (self.rows.iter().flat_map(|r| &r.bars)).flat_map(|b| {
            let interval = b.value.and(b.interval).map(|(l, h)| [l, h]);
            b.value.into_iter().chain(interval.into_iter().flatten())
        });
        let top: f64 = if self.method == Method::Sobol {
            1.0
        } else {
            0.0
        };
        let (lo, hi) = ends.fold((0.0f64, top), |(lo, hi), v| (lo.min(v), hi.max(v)));
        padded_range(lo, hi, true)
    }

    fn ticks(&self, range: &Range<f64>) -> TickFormat {
        match self.method {
            Method::Sobol => TickFormat::new(range.start, range.end, "", ""),
            Method::Morris => tick_format(self.unit, range),
        }
    }

    fn x_desc(&self) -> String {
        match (self.method, unit_words(self.unit)) {
            (Method::Sobol, _) => "index (share of the output's variance)".into(),
            (Method::Morris, "") => "elementary effect over the parameter's range".into(),
            (Method::Morris, words) => format!("elementary effect ({words})"),
        }
    }
}

/// The indices drawn as bars, in series order.
fn drawn(method: Method) -> [Stat; 2] {
    match method {
        Method::Sobol => [Stat::S1, Stat::ST],
        Method::Morris => [Stat::MuStar, Stat::Sigma],
    }
}

/// The series whose values order the rows.
fn order_key(method: Method) -> usize {
    match method {
        Method::Sobol => 1,
        Method::Morris => 0,
    }
}

fn series(method: Method) -> Vec<Series> {
    let labels = match method {
        Method::Sobol => ["S1 (first order)", "ST (total)"],
        Method::Morris => ["μ* (mean |effect|)", "σ (spread of effects)"],
    };
    (labels.iter().enumerate())
        .map(|(i, label)| Series {
            label,
            colour: style::category_colour(i),
        })
        .collect()
}

/// Largest first, undefined last.
fn descending(a: Option<f64>, b: Option<f64>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => b.total_cmp(&a),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

type ChartContext2d<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, Ticked>>;

impl Chart {
    /// Where series `s` of row `i` lies: its bottom and top.
    fn slot(&self, i: usize, s: usize) -> (f64, f64) {
        let height = 0.8 / self.series.len() as f64;
        let top = ticked::row_base(self.rows.len(), i) + 0.9 - height * s as f64;
        (top - height * 0.92, top)
    }

    /// The bars, their intervals, and a note where an index is undefined.
    fn draw_bars<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        chart: &mut ChartContext2d<'_, DB>,
        st: &Style,
        x: &Range<f64>,
    ) -> Result<()> {
        let whisker = BLACK.stroke_width(st.stroke(2.0));
        let note =
            (st.font(Style::TICK * 0.75).color(&GREY)).pos(Pos::new(HPos::Left, VPos::Center));
        for (i, row) in self.rows.iter().enumerate() {
            for (s, (bar, series)) in row.bars.iter().zip(&self.series).enumerate() {
                let (y0, y1) = self.slot(i, s);
                let Some(value) = bar.value else {
                    let at = (x.start.max(0.0) + 0.01 * (x.end - x.start), (y0 + y1) / 2.0);
                    let text = Text::new("not defined", at, note.clone());
                    chart.draw_series(std::iter::once(text))?;
                    continue;
                };
                let rect = Rectangle::new(
                    [(value.min(0.0), y0), (value.max(0.0), y1)],
                    series.colour.filled(),
                );
                chart.draw_series(std::iter::once(rect))?;
                if let Some((lo, hi)) = bar.interval {
                    let (mid, cap) = ((y0 + y1) / 2.0, 0.3 * (y1 - y0));
                    for path in [
                        vec![(lo, mid), (hi, mid)],
                        vec![(lo, mid - cap), (lo, mid + cap)],
                        vec![(hi, mid - cap), (hi, mid + cap)],
                    ] {
                        chart.draw_series(std::iter::once(PathElement::new(path, whisker)))?;
                    }
                }
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
        let group = BAR * self.series.len() as u32 + GAP;
        (figure::WIDTH, FRAME + group * self.rows.len() as u32)
    }

    fn draw<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        root: &DrawingArea<DB, Shift>,
        st: &Style,
    ) -> Result<()> {
        if self.is_empty() {
            let area = style::title(root, st, &self.title)?;
            let text = format!("No index is defined ({})", self.method.title());
            return style::note(&area, st, &text);
        }
        let area = style::heading(root, st, &self.title, &self.legend_items())?;
        let n = self.rows.len();
        let widest = st.px(LABEL_SHARE * f64::from(figure::WIDTH));
        let labels: Vec<String> = (self.rows.iter())
            .map(|r| st.fit_key(&r.path, widest))
            .collect();
        let label_w = (labels.iter())
            .map(|l| st.text_width(l, Style::TICK))
            .max()
            .unwrap_or(0);
        let y_area = label_w + st.px(20.0);
        let plot_w = area.dim_in_pixel().0 as i32 - y_area - st.px(36.0);
        let x = self.x_range();
        let ticks = self.ticks(&x);
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
            .x_desc(st.fit_end(&self.x_desc(), Style::LABEL, plot_w))
            .draw()?;
        if x.start < 0.0 {
            let zero = vec![(0.0, 0.0), (0.0, n as f64)];
            let style = GREY.stroke_width(st.stroke(2.0));
            chart.draw_series(std::iter::once(PathElement::new(zero, style)))?;
        }
        self.draw_bars(&mut chart, st, &x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undefined_values_sort_last() {
        let mut values = [Some(0.1), None, Some(0.7), Some(-0.2)];
        values.sort_by(|a, b| descending(*a, *b));
        assert_eq!(values, [Some(0.7), Some(0.1), Some(-0.2), None]);
    }
}
