//! Compromises by victim country and sector, summed per (arm, replication)
//! while reading `segments.csv` row by row (over providers: a row is one
//! provider's compromises in one segment), so that an arm can be compared
//! with the baseline replication by replication.

use super::table::{SEGMENTS, each_row};
use anyhow::Result;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Which segment dimension to plot.
#[derive(Clone, Copy)]
pub enum Dimension {
    /// Victim country.
    Country,
    /// Victim sector.
    Sector,
}

/// The columns of `segments.csv` the report reads.
#[derive(Deserialize)]
struct SegmentRow {
    /// Arm (taken out when the row is added to it).
    arm: String,
    replication: u64,
    country: String,
    sector: String,
    compromises: Option<f64>,
    /// Absent from folders written before compromises were attributed to
    /// providers (one row per segment then).
    #[serde(default)]
    provider: Option<String>,
}

/// Compromises of one replication summed per country and per sector.
#[derive(Debug, Default)]
pub struct Categories {
    /// Per country, rows in file order.
    countries: BTreeMap<String, f64>,
    /// Per sector, rows in file order.
    sectors: BTreeMap<String, f64>,
}

impl Categories {
    /// The sums along `dim`.
    pub fn along(&self, dim: Dimension) -> &BTreeMap<String, f64> {
        match dim {
            Dimension::Country => &self.countries,
            Dimension::Sector => &self.sectors,
        }
    }
}

/// What the report keeps of an arm of `segments.csv`.
#[derive(Debug, Default)]
struct ArmSegments {
    /// Rows per replication.
    rows: BTreeMap<u64, usize>,
    /// Compromises summed per replication.
    totals: BTreeMap<u64, f64>,
    /// Compromises summed per replication and category.
    categories: BTreeMap<u64, Categories>,
}

impl ArmSegments {
    fn add(&mut self, row: SegmentRow) {
        *self.rows.entry(row.replication).or_default() += 1;
        let v = row.compromises.filter(|v| v.is_finite()).unwrap_or(0.0);
        *self.totals.entry(row.replication).or_default() += v;
        let sums = self.categories.entry(row.replication).or_default();
        *sums.countries.entry(row.country).or_default() += v;
        *sums.sectors.entry(row.sector).or_default() += v;
    }
}

/// Per arm and replication, the compromises of `segments.csv` summed by
/// country and by sector, and the number of rows.
#[derive(Debug, Default)]
pub struct Segments {
    arms: BTreeMap<String, ArmSegments>,
    /// Some row has no `provider`: a folder written before attribution.
    legacy: bool,
}

impl Segments {
    /// Reads `dir/segments.csv`, refusing days from `day_limit` on.
    pub fn read(dir: &Path, day_limit: usize) -> Result<Self> {
        let mut segments = Segments::default();
        each_row(dir, &SEGMENTS, day_limit, |mut row: SegmentRow, _| {
            segments.legacy |= row.provider.is_none();
            let arm = std::mem::take(&mut row.arm);
            segments.arms.entry(arm).or_default().add(row);
            Ok(())
        })?;
        Ok(segments)
    }

    /// The compromises of a replication of an arm summed per country and
    /// per sector (`None` when the replication has no row: no compromise).
    pub fn of_replication(&self, arm: &str, replication: u64) -> Option<&Categories> {
        (self.arms.get(arm)).and_then(|a| a.categories.get(&replication))
    }

    /// Whether the file has one row per segment (written before compromises
    /// were attributed to providers), rather than one per provider and
    /// segment with compromises.
    pub fn legacy(&self) -> bool {
        self.legacy
    }

    /// Compromises summed over the rows of a replication of an arm.
    pub fn total(&self, arm: &str, replication: u64) -> f64 {
        (self.arms.get(arm))
            .and_then(|a| a.totals.get(&replication))
            .copied()
            .unwrap_or(0.0)
    }

    /// Number of rows of a replication of an arm.
    pub fn rows(&self, arm: &str, replication: u64) -> usize {
        (self.arms.get(arm))
            .and_then(|a| a.rows.get(&replication))
            .copied()
            .unwrap_or(0)
    }

    /// The largest number of rows of any (arm, replication), at least 1.
    pub fn most_rows(&self) -> usize {
        (self.arms.values())
            .flat_map(|a| a.rows.values().copied())
            .max()
            .unwrap_or(0)
            .max(1)
    }
}
