//! The time axis: days from the start, shown as dates when known.

use super::style::Style;
use super::ticked::Ticked;
use chrono::{Datelike, Duration, NaiveDate};
use std::ops::Range;

/// Steps (in days) tried for tick spacing without month boundaries.
const DAY_STEPS: [usize; 12] = [1, 2, 5, 7, 14, 28, 50, 100, 200, 500, 1000, 5000];
/// Steps (in months) tried for tick spacing at month starts.
const MONTH_STEPS: [u32; 6] = [1, 2, 3, 6, 12, 24];

/// Maps day numbers to tick positions and labels.
pub struct TimeAxis {
    start: Option<NaiveDate>,
    first: usize,
    days: usize,
}

impl TimeAxis {
    /// An axis for `days` days starting at `start` (if known).
    pub fn new(start: Option<NaiveDate>, days: usize) -> Self {
        Self {
            start,
            first: 0,
            days,
        }
    }

    /// An axis over the days `first` to `last` (inclusive) of a run that
    /// starts at `start` (if known).
    pub fn window(start: Option<NaiveDate>, first: usize, last: usize) -> Self {
        Self {
            start,
            first,
            days: last + 1,
        }
    }

    /// Plotted range of days.
    pub fn range(&self) -> Range<f64> {
        let last = self.days.saturating_sub(1).max(self.first + 1);
        self.first as f64..last as f64
    }

    /// Axis description.
    pub fn description(&self) -> &'static str {
        if self.start.is_some() { "date" } else { "day" }
    }

    /// A label as wide as the widest tick label, for layout.
    pub fn widest_label(&self) -> &'static str {
        if self.start.is_some() {
            "Sep 2025"
        } else {
            "00000"
        }
    }

    /// The x coordinate of a plot `plot_width` backend pixels wide, with as
    /// many ticks as fit with half a label's width between labels.
    pub fn coord(&self, st: &Style, plot_width: i32) -> Ticked {
        let per_tick = (st.text_width(self.widest_label(), Style::TICK) * 3 / 2).max(1);
        let max_ticks = (plot_width / per_tick).max(1) as usize;
        Ticked::new(self.range(), self.ticks(max_ticks))
    }

    /// At most `max` tick positions: month starts when dates are known
    /// and the run spans two of them, else evenly spaced days.
    pub fn ticks(&self, max: usize) -> Vec<f64> {
        let months = self.month_starts();
        if months.len() >= 2 {
            return thin_months(&months, max.max(1));
        }
        let (first, last) = (self.first, self.range().end as usize);
        let step = DAY_STEPS
            .iter()
            .copied()
            .find(|s| (last - first) / s < max.max(2))
            .unwrap_or((last - first).max(1));
        (first.div_ceil(step) * step..=last)
            .step_by(step)
            .map(|d| d as f64)
            .collect()
    }

    /// Tick label for a day position.
    pub fn label(&self, day: f64) -> String {
        let Some(start) = self.start else {
            return format!("{}", day.round() as i64);
        };
        let date = start + Duration::days(day.round() as i64);
        if date.day() == 1 && self.month_starts().len() >= 2 {
            date.format("%b %Y").to_string()
        } else {
            date.format("%-d %b").to_string()
        }
    }

    /// Day offsets of the first days of months within the range, with the month.
    fn month_starts(&self) -> Vec<(u32, f64)> {
        let Some(start) = self.start else {
            return Vec::new();
        };
        let last = self.range().end as i64;
        (self.first as i64..=last)
            .filter_map(|d| {
                let date = start + Duration::days(d);
                (date.day() == 1).then(|| (date.year() as u32 * 12 + date.month0(), d as f64))
            })
            .collect()
    }
}

fn thin_months(months: &[(u32, f64)], max: usize) -> Vec<f64> {
    let step = MONTH_STEPS
        .iter()
        .copied()
        .find(|s| months.len().div_ceil(*s as usize) <= max)
        .unwrap_or(120);
    let aligned: Vec<f64> = months
        .iter()
        .filter(|(m, _)| m % step == 0)
        .map(|(_, d)| *d)
        .collect();
    if aligned.is_empty() {
        vec![months[0].1]
    } else {
        aligned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_ticks_with_dates() {
        let axis = TimeAxis::new(NaiveDate::from_ymd_opt(2025, 9, 1), 120);
        assert_eq!(axis.ticks(6), vec![0.0, 30.0, 61.0, 91.0]);
        assert_eq!(axis.label(30.0), "Oct 2025");
        assert_eq!(axis.ticks(2), vec![0.0, 61.0]);
    }

    #[test]
    fn day_ticks_without_dates() {
        let axis = TimeAxis::new(None, 120);
        assert_eq!(axis.ticks(6), vec![0.0, 28.0, 56.0, 84.0, 112.0]);
        assert_eq!(axis.label(28.0), "28");
        assert_eq!(axis.description(), "day");
    }

    #[test]
    fn window_ticks_inside_the_window() {
        let axis = TimeAxis::window(None, 30, 90);
        assert_eq!(axis.range(), 30.0..90.0);
        assert_eq!(axis.ticks(6), vec![42.0, 56.0, 70.0, 84.0]);
        let dated = TimeAxis::window(NaiveDate::from_ymd_opt(2025, 3, 1), 60, 200);
        assert_eq!(dated.label(dated.ticks(6)[0]), "May 2025");
    }
}
