//! A linear f64 axis with tick positions chosen by the caller.

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use std::ops::Range;

/// A linear axis over `range` whose ticks (and grid lines) are `ticks`.
pub struct Ticked {
    range: Range<f64>,
    ticks: Vec<f64>,
}

impl Ticked {
    /// An axis over `range` with ticks at `ticks` (those outside are dropped).
    pub fn new(range: Range<f64>, ticks: Vec<f64>) -> Self {
        let inside = |t: &f64| *t >= range.start && *t <= range.end;
        let ticks = ticks.into_iter().filter(inside).collect();
        Self { range, ticks }
    }

    /// An axis over `range` with about `count` round ticks: multiples of a
    /// step of 1, 2 or 5 times a power of ten.
    pub fn round(range: Range<f64>, count: usize) -> Self {
        let span = range.end - range.start;
        let ticks = if span > 0.0 && span.is_finite() {
            let raw = span / count.max(1) as f64;
            let power = 10f64.powf(raw.log10().floor());
            let step = [1.0, 2.0, 5.0, 10.0]
                .iter()
                .map(|m| m * power)
                .find(|s| *s >= raw)
                .unwrap_or(10.0 * power);
            let first = (range.start / step).ceil() as i64;
            let last = (range.end / step).floor() as i64;
            (first..=last).map(|k| k as f64 * step).collect()
        } else {
            vec![range.start]
        };
        Self::new(range, ticks)
    }

    /// An axis of `n` rows, one unit each, ticked at their centres. Row 0 is
    /// drawn at the top: it spans `row_base(n, 0)..row_base(n, 0) + 1.0`.
    pub fn rows(n: usize) -> Self {
        let centres = (0..n).map(|i| i as f64 + 0.5).collect();
        Self::new(0.0..n as f64, centres)
    }
}

/// Bottom of row `index` on a [`Ticked::rows`] axis of `n` rows.
pub fn row_base(n: usize, index: usize) -> f64 {
    (n - 1 - index) as f64
}

/// The row of a [`Ticked::rows`] axis of `n` rows at position `y`.
pub fn row_at(n: usize, y: f64) -> usize {
    n.saturating_sub(1 + y.floor().max(0.0) as usize)
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = self.range.end - self.range.start;
        let t = if span > 0.0 {
            (value - self.range.start) / span
        } else {
            0.5
        };
        limit.0 + (f64::from(limit.1 - limit.0) * t).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.range.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_ticks_step_by_one_two_or_five() {
        let ticks = |lo: f64, hi: f64| Ticked::round(lo..hi, 5).ticks;
        assert_eq!(ticks(0.0, 10.0), [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(ticks(-3.0, 22.0), [0.0, 5.0, 10.0, 15.0, 20.0]);
        assert_eq!(ticks(0.13, 0.9).len(), 4);
        assert_eq!(ticks(1.0, 1.0), [1.0]);
    }
}
