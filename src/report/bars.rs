//! Compromises by victim country or sector: horizontal grouped bars.

use super::data::{Dimension, Results};
use super::figure::{self, Figure};
use super::format::TickFormat;
use super::style::{self, LegendItem, Style, Swatch};
use super::ticked::{self, Ticked};
use anyhow::Result;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use std::collections::BTreeMap;

/// Largest number of categories shown.
const MAX_CATEGORIES: usize = 12;
/// Logical height of one bar.
const BAR: u32 = 13;
/// Logical gap between groups.
const GAP: u32 = 14;
/// Logical height of the title, legend and x axis.
const FRAME: u32 = 190;

struct ArmBars {
    label: String,
    colour: RGBColor,
    values: Vec<f64>,
}

/// Mean compromises per replication by category, one bar per arm.
pub struct Bars {
    title: &'static str,
    categories: Vec<String>,
    arms: Vec<ArmBars>,
}

impl Bars {
    /// Aggregates `segments.csv` along `dim`.
    pub fn new(results: &Results, dim: Dimension, title: &'static str) -> Self {
        let means: Vec<(String, BTreeMap<&str, f64>)> = results
            .arms
            .iter()
            .map(|arm| (arm.clone(), results.segment_means(arm, dim)))
            .collect();
        let categories = ranked(&means, &results.baseline);
        let arms = means
            .iter()
            .filter(|(_, m)| !m.is_empty())
            .map(|(arm, m)| ArmBars {
                label: arm.clone(),
                colour: style::arm_colour(results.arm_index(arm)),
                values: categories
                    .iter()
                    .map(|c| m.get(c.as_str()).copied().unwrap_or(0.0))
                    .collect(),
            })
            .collect();
        Self {
            title,
            categories,
            arms,
        }
    }

    fn max_value(&self) -> f64 {
        self.arms
            .iter()
            .flat_map(|a| a.values.iter().copied())
            .fold(0.0, f64::max)
    }

    fn legend_items(&self) -> Vec<LegendItem> {
        self.arms
            .iter()
            .map(|a| LegendItem {
                label: a.label.clone(),
                swatch: Swatch::Fill(a.colour.to_rgba()),
            })
            .collect()
    }

    /// One bar per arm in each category's row, the first arm on top.
    fn draw_bars<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, Ticked>>,
    ) -> Result<()> {
        let n = self.categories.len();
        let slot = 0.8 / self.arms.len().max(1) as f64;
        for (a, arm) in self.arms.iter().enumerate() {
            let bars = arm.values.iter().enumerate().map(|(i, v)| {
                let y0 = ticked::row_base(n, i) + 0.9 - slot * a as f64;
                Rectangle::new([(0.0, y0 - slot), (*v, y0)], arm.colour.filled())
            });
            chart.draw_series(bars)?;
        }
        Ok(())
    }
}

/// The largest categories: by the baseline, then by the sum over arms.
fn ranked(means: &[(String, BTreeMap<&str, f64>)], baseline: &str) -> Vec<String> {
    let mut score: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    for (arm, m) in means {
        for (cat, v) in m {
            let entry = score.entry(cat).or_default();
            if arm == baseline {
                entry.0 += v;
            }
            entry.1 += v;
        }
    }
    let mut cats: Vec<(&str, (f64, f64))> = score.into_iter().collect();
    cats.sort_by(|(_, a), (_, b)| b.0.total_cmp(&a.0).then(b.1.total_cmp(&a.1)));
    cats.iter()
        .take(MAX_CATEGORIES)
        .map(|(c, _)| (*c).to_string())
        .collect()
}

impl Figure for Bars {
    fn size(&self) -> (u32, u32) {
        if self.categories.is_empty() {
            return (figure::WIDTH, figure::NOTE_HEIGHT);
        }
        let group = BAR * self.arms.len().max(1) as u32 + GAP;
        (figure::WIDTH, FRAME + group * self.categories.len() as u32)
    }

    fn draw<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        root: &DrawingArea<DB, Shift>,
        st: &Style,
    ) -> Result<()> {
        if self.categories.is_empty() {
            let area = style::title(root, st, self.title)?;
            return style::note(&area, st, "No compromises recorded in segments.csv");
        }
        let area = style::heading(root, st, self.title, &self.legend_items())?;
        let n = self.categories.len();
        let label_w = self
            .categories
            .iter()
            .map(|c| st.text_width(c, Style::TICK))
            .max()
            .unwrap_or(0);
        let top = self.max_value().max(1.0) * 1.06;
        let ticks = TickFormat::new(0.0, top, "", "");
        let mut chart = ChartBuilder::on(&area)
            .margin_right(st.px(36.0))
            .x_label_area_size(st.px(Style::TICK + Style::LABEL + 22.0))
            .y_label_area_size(label_w + st.px(20.0))
            .build_cartesian_2d(0.0..top, Ticked::rows(n))?;
        let category = |y: &f64| self.categories[ticked::row_at(n, *y)].clone();
        style::mesh(&mut chart, st)
            .disable_y_mesh()
            .x_labels(6)
            .x_label_formatter(&|v| ticks.label(*v))
            .y_label_formatter(&category)
            .x_desc("compromised accounts (mean per replication)")
            .draw()?;
        self.draw_bars(&mut chart)
    }
}
