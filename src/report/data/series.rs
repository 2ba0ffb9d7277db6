//! The daily bands of `timeseries.csv`, read without holding its rows.
//!
//! A band is the [`estimate`](crate::stats::estimate) over an arm's
//! replications of one measure on one day, raw or smoothed by a trailing
//! mean. The file is read twice: the first pass sums the values, the second
//! the squared deviations from the first pass's means (see [`Daily`]). Only
//! one replication is held at a time, so the rows must come in the order
//! caasim writes them: the rows of one (arm, replication) together, and each
//! arm's replications in ascending order (which is also the order the sums
//! are made in). A file in another order is refused, naming the line.

use super::Measure;
use super::table::{TIMESERIES, each_row};
use crate::report::stats::{Band, Daily, SMOOTHING_DAYS, trailing_mean};
use anyhow::{Context, Result, ensure};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

/// The columns of `timeseries.csv` the report reads.
#[derive(Deserialize)]
struct SeriesRow {
    arm: String,
    replication: u64,
    day: usize,
    campaigns: Option<f64>,
    compromises: Option<f64>,
    losses_usd: Option<f64>,
    mean_price: Option<f64>,
}

impl SeriesRow {
    fn value(&self, m: Measure) -> Option<f64> {
        match m {
            Measure::Campaigns => self.campaigns,
            Measure::Compromises => self.compromises,
            Measure::Losses => self.losses_usd,
            Measure::Price => self.mean_price,
        }
    }
}

/// The rows of one (arm, replication): per measure and day the value
/// (`None` = undefined or not finite), and which days have a row.
#[derive(Debug, Default)]
struct Replication {
    /// Arm name.
    arm: String,
    /// Replication index.
    index: u64,
    /// Per measure (`m as usize`), the value of each day.
    values: [Vec<Option<f64>>; 4],
    /// Whether each day has a row (empty before the first row).
    present: Vec<bool>,
}

impl Replication {
    /// Whether `row` belongs to the replication gathered (none at the start).
    fn holds(&self, row: &SeriesRow) -> bool {
        !self.present.is_empty() && self.index == row.replication && self.arm == row.arm
    }

    /// Empties the replication to gather the rows of `row`'s.
    fn restart(&mut self, row: &SeriesRow) {
        self.arm.clone_from(&row.arm);
        self.index = row.replication;
        self.values.iter_mut().for_each(Vec::clear);
        self.present.clear();
    }

    fn add(&mut self, row: &SeriesRow) {
        let len = self.present.len().max(row.day + 1);
        self.present.resize(len, false);
        self.present[row.day] = true;
        for m in Measure::ALL {
            let column = &mut self.values[m as usize];
            column.resize(len, None);
            column[row.day] = row.value(m).filter(|v| v.is_finite());
        }
    }

    /// Number of days from day 0 on that have a row.
    fn days_from_start(&self) -> usize {
        self.present.iter().take_while(|p| **p).count()
    }

    /// Daily values of a measure, smoothed by the trailing mean if asked.
    fn daily(&self, m: Measure, smooth: bool) -> Cow<'_, [Option<f64>]> {
        let values = &self.values[m as usize];
        if smooth {
            Cow::Owned(trailing_mean(values, SMOOTHING_DAYS))
        } else {
            Cow::Borrowed(values)
        }
    }
}

/// What the report keeps of an arm of `timeseries.csv`.
#[derive(Debug, Default)]
struct ArmSeries {
    /// Arm name.
    name: String,
    /// Replications read, ascending, each with its number of days from day
    /// 0 on that have a row.
    replications: Vec<(u64, usize)>,
    /// Replications read again by the second pass.
    read_again: usize,
    /// Compromises summed over each replication's days.
    compromises: BTreeMap<u64, f64>,
    /// Per measure, the bands of the raw and of the smoothed values.
    daily: [[Daily; 2]; 4],
}

impl ArmSeries {
    /// Each measure of a replication, raw and smoothed, with its accumulator.
    fn each_daily(&mut self, rep: &Replication, mut add: impl FnMut(&mut Daily, &[Option<f64>])) {
        for m in Measure::ALL {
            for smooth in [false, true] {
                add(
                    &mut self.daily[m as usize][smooth as usize],
                    &rep.daily(m, smooth),
                );
            }
        }
    }
}

/// The daily bands of every arm of `timeseries.csv` (none in a
/// summary-only folder).
#[derive(Debug, Default)]
pub struct Series {
    /// Arms in the order of their first row.
    arms: Vec<ArmSeries>,
    /// One more than the last day with a row.
    days: usize,
}

impl Series {
    /// Reads `dir/timeseries.csv` (twice), refusing rows out of caasim's
    /// order or days from `day_limit` on.
    pub fn read(dir: &Path, day_limit: usize) -> Result<Self> {
        let mut series = Series {
            arms: Vec::new(),
            days: 0,
        };
        each_replication(dir, day_limit, |rep| {
            series.first_pass(rep);
            Ok(())
        })?;
        each_replication(dir, day_limit, |rep| series.second_pass(rep))?;
        let cut = series
            .arms
            .iter()
            .find(|a| a.read_again < a.replications.len());
        if let Some(arm) = cut {
            anyhow::bail!(
                "{}: arm {:?} has fewer replications at the second reading: the file changed while it was read",
                dir.join(TIMESERIES.name).display(),
                arm.name
            );
        }
        Ok(series)
    }

    fn first_pass(&mut self, rep: &Replication) {
        self.days = self.days.max(rep.present.len());
        let arm = match self.arms.iter().position(|a| a.name == rep.arm) {
            Some(a) => &mut self.arms[a],
            None => {
                self.arms.push(ArmSeries {
                    name: rep.arm.clone(),
                    ..ArmSeries::default()
                });
                self.arms.last_mut().expect("an arm just added")
            }
        };
        arm.replications.push((rep.index, rep.days_from_start()));
        let compromises = rep.values[Measure::Compromises as usize].iter().flatten();
        arm.compromises.insert(rep.index, compromises.sum());
        arm.each_daily(rep, |daily, values| daily.add(values));
    }

    fn second_pass(&mut self, rep: &Replication) -> Result<()> {
        let changed = || {
            format!(
                "replication {} of arm {:?} differs from the first reading: the file changed while it was read",
                rep.index, rep.arm
            )
        };
        let arm = (self.arms.iter_mut().find(|a| a.name == rep.arm)).with_context(changed)?;
        let first_reading = arm.replications.get(arm.read_again);
        ensure!(
            first_reading == Some(&(rep.index, rep.days_from_start())),
            changed()
        );
        arm.read_again += 1;
        arm.each_daily(rep, |daily, values| daily.add_deviations(values));
        Ok(())
    }

    /// Names of the arms, in the order of their first row.
    pub fn arms(&self) -> impl Iterator<Item = &str> {
        self.arms.iter().map(|a| a.name.as_str())
    }

    /// One more than the last day with a row (0 for no row).
    pub fn days(&self) -> usize {
        self.days
    }

    /// Number of days from day 0 on that have a row for a replication of an
    /// arm (0 when it has none).
    pub fn days_from_start(&self, arm: &str, replication: u64) -> usize {
        let Some(arm) = self.arms.iter().find(|a| a.name == arm) else {
            return 0;
        };
        let reps = &arm.replications;
        reps.binary_search_by_key(&replication, |r| r.0)
            .map_or(0, |i| reps[i].1)
    }

    /// The numbers of an arm's replications, ascending (none for an arm
    /// without rows).
    pub fn replication_numbers(&self, arm: &str) -> impl Iterator<Item = u64> + '_ {
        let arm = self.arms.iter().find(|a| a.name == arm);
        arm.into_iter()
            .flat_map(|a| a.replications.iter().map(|r| r.0))
    }

    /// Compromises summed over the days of a replication of an arm (0 when
    /// it has none).
    pub fn compromises(&self, arm: &str, replication: u64) -> f64 {
        (self.arms.iter().find(|a| a.name == arm))
            .and_then(|a| a.compromises.get(&replication))
            .copied()
            .unwrap_or(0.0)
    }

    /// Bands of a measure of an arm over the first `days` days, of the
    /// values smoothed by the trailing mean if asked (all `None` for an arm
    /// without rows).
    pub fn bands(&self, arm: &str, m: Measure, smooth: bool, days: usize) -> Vec<Option<Band>> {
        match self.arms.iter().find(|a| a.name == arm) {
            Some(a) => a.daily[m as usize][smooth as usize].bands(days),
            None => vec![None; days],
        }
    }
}

/// Reads `timeseries.csv` and hands the rows of each (arm, replication) to
/// `each`, gathered. Fails, naming the line, at a row out of caasim's order.
fn each_replication(
    dir: &Path,
    day_limit: usize,
    mut each: impl FnMut(&Replication) -> Result<()>,
) -> Result<()> {
    let mut rep = Replication::default();
    // The last replication of each arm so far.
    let mut last: BTreeMap<String, u64> = BTreeMap::new();
    each_row(dir, &TIMESERIES, day_limit, |row: SeriesRow, _| {
        if !rep.holds(&row) {
            if !rep.present.is_empty() {
                each(&rep)?;
            }
            if let Some(&previous) = last.get(&row.arm) {
                ensure!(
                    row.replication > previous,
                    "replication {} of arm {:?} comes after its replication {previous}: \
                     the file must hold each arm's replications in ascending order, \
                     all rows of one replication together, as caasim writes it",
                    row.replication,
                    row.arm
                );
            }
            last.insert(row.arm.clone(), row.replication);
            rep.restart(&row);
        }
        rep.add(&row);
        Ok(())
    })?;
    if !rep.present.is_empty() {
        let path = dir.join(TIMESERIES.name);
        each(&rep).with_context(|| format!("{}, at the end", path.display()))?;
    }
    Ok(())
}
