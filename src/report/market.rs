//! Market shares of the largest providers, baseline next to an intervention.

use super::data::Results;
use super::figure::{self, Figure};
use super::style::{self, GREY, LegendItem, Style, Swatch};
use super::timeaxis::TimeAxis;
use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::collections::BTreeMap;

/// Providers shown by name; the rest are summed as "others".
const TOP: usize = 5;

struct Panel {
    arm: String,
    /// Cumulative share (%) per stacked layer, bottom layer first, per day.
    stacked: Vec<Vec<f64>>,
}

/// Stacked market shares over time for up to two arms.
pub struct Market {
    layers: Vec<String>,
    panels: Vec<Panel>,
    axis: TimeAxis,
}

impl Market {
    /// Shares for the baseline and the first intervention arm.
    pub fn new(results: &Results) -> Self {
        let arms: Vec<&str> = std::iter::once(results.baseline.as_str())
            .chain(results.intervention_arms().into_iter().take(1))
            .collect();
        let empty = BTreeMap::new();
        let seats = |arm: &str| results.providers.get(arm).unwrap_or(&empty);
        let top = largest(arms.iter().map(|a| seats(a)));
        let mut layers = top.clone();
        layers.push("others".into());
        let panels = arms
            .iter()
            .map(|arm| Panel {
                arm: (*arm).to_string(),
                stacked: stack(seats(arm), &top, results.days),
            })
            .collect();
        Self {
            layers,
            panels,
            axis: TimeAxis::new(results.start, results.days),
        }
    }

    fn colour(&self, layer: usize) -> RGBColor {
        if layer + 1 == self.layers.len() {
            GREY
        } else {
            style::category_colour(layer)
        }
    }

    fn legend_items(&self) -> Vec<LegendItem> {
        self.layers
            .iter()
            .enumerate()
            .map(|(i, layer)| LegendItem {
                label: layer.clone(),
                swatch: Swatch::Fill(self.colour(i).to_rgba()),
            })
            .collect()
    }

    fn draw_panel<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        area: &DrawingArea<DB, Shift>,
        st: &Style,
        panel: &Panel,
        first: bool,
    ) -> Result<()> {
        let label_w = st.text_width("100%", Style::TICK);
        let x = self.axis.coord(st, area.dim_in_pixel().0 as i32 - label_w);
        let mut chart = ChartBuilder::on(area)
            .caption(&panel.arm, st.font(Style::LABEL))
            .margin_right(st.px(24.0))
            .margin_left(st.px(12.0))
            .x_label_area_size(st.px(Style::TICK + Style::LABEL + 22.0))
            .y_label_area_size(label_w + st.px(Style::LABEL + 30.0))
            .build_cartesian_2d(x, 0.0..100.0)?;
        style::mesh(&mut chart, st)
            .x_label_formatter(&|d| self.axis.label(*d))
            .y_label_formatter(&|v| format!("{v:.0}%"))
            .y_labels(5)
            .x_desc(self.axis.description())
            .y_desc(if first { "share of seats used (%)" } else { "" })
            .draw()?;
        for (layer, shares) in panel.stacked.iter().enumerate().rev() {
            let points = shares.iter().enumerate().map(|(d, s)| (d as f64, *s));
            chart.draw_series(AreaSeries::new(points, 0.0, self.colour(layer).filled()))?;
        }
        Ok(())
    }
}

/// The `TOP` providers with most seats used over all given arms.
fn largest<'a>(arms: impl Iterator<Item = &'a BTreeMap<String, Vec<f64>>>) -> Vec<String> {
    let mut totals: BTreeMap<&str, f64> = BTreeMap::new();
    for arm in arms {
        for (provider, seats) in arm {
            *totals.entry(provider).or_default() += seats.iter().sum::<f64>();
        }
    }
    let mut ranked: Vec<(&str, f64)> = totals.into_iter().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    ranked
        .iter()
        .take(TOP)
        .map(|(p, _)| (*p).to_string())
        .collect()
}

/// Cumulative percentage shares per layer (`top`, then others) per day.
fn stack(seats: &BTreeMap<String, Vec<f64>>, top: &[String], days: usize) -> Vec<Vec<f64>> {
    let at = |p: &Vec<f64>, d: usize| p.get(d).copied().unwrap_or(0.0).max(0.0);
    let per_day: Vec<Vec<f64>> = (0..days)
        .map(|day| {
            let total: f64 = seats.values().map(|p| at(p, day)).sum();
            let mut cumulative = 0.0;
            let mut shares: Vec<f64> = top
                .iter()
                .map(|name| {
                    cumulative += seats.get(name).map_or(0.0, |p| at(p, day));
                    share(cumulative, total)
                })
                .collect();
            shares.push(share(total, total));
            shares
        })
        .collect();
    (0..=top.len())
        .map(|layer| per_day.iter().map(|shares| shares[layer]).collect())
        .collect()
}

fn share(part: f64, total: f64) -> f64 {
    if total > 0.0 {
        100.0 * part / total
    } else {
        0.0
    }
}

impl Figure for Market {
    fn size(&self) -> (u32, u32) {
        (figure::WIDTH, figure::TIME_HEIGHT)
    }

    fn draw<DB: DrawingBackend<ErrorType: 'static>>(
        &self,
        root: &DrawingArea<DB, Shift>,
        st: &Style,
    ) -> Result<()> {
        let title = "Market shares of the largest providers";
        let area = style::heading(root, st, title, &self.legend_items())?;
        let panels = area.split_evenly((1, self.panels.len().max(1)));
        for (i, (panel, sub)) in self.panels.iter().zip(&panels).enumerate() {
            self.draw_panel(sub, st, panel, i == 0)?;
        }
        Ok(())
    }
}
