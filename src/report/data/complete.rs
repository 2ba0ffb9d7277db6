//! Whether a folder holds every row its manifest promises, checked from
//! counts kept while reading, without a set of the rows.

use super::segments::Segments;
use super::series::Series;
use super::table::{PROVIDERS, SEGMENTS, SUMMARY, TIMESERIES};
use super::{Manifest, ProviderRow, SummaryRow};
use anyhow::{Result, anyhow};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The tables of a folder, as read.
pub struct Tables<'a> {
    /// `timeseries.csv`.
    pub series: &'a Series,
    /// Rows of `providers.csv`.
    pub providers: &'a [ProviderRow],
    /// `segments.csv`.
    pub segments: &'a Segments,
    /// Rows of `summary.csv`.
    pub summary: &'a [SummaryRow],
}

/// A folder whose manifest gives its days and replications (caasim always
/// writes them) must hold every row the run wrote: in `timeseries.csv` one
/// per (arm, replication, day), in `providers.csv` some for each (arm,
/// day), in `segments.csv` rows whose compromises add up to those of
/// `timeseries.csv` for each (arm, replication) (as many rows for each in a
/// folder written before attribution, one row per segment) and in
/// `summary.csv` as many for each intervention arm. A table cut at the end
/// of a line still reads as valid CSV; this finds it (`tests/output_safety.rs`).
///
/// Each check stops at the first missing row, so a manifest claiming a huge
/// run cannot make it long.
pub fn check_complete(
    dir: &Path,
    manifest: &Manifest,
    days: usize,
    replications: u64,
    tables: &Tables,
) -> Result<()> {
    let arms = listed_arms(manifest);
    let missing = |file: &'static str| move |what: String| cut(dir, file, what);
    check_series(&arms, days, replications, tables.series).map_err(missing(TIMESERIES.name))?;
    check_providers(&arms, days, tables.providers).map_err(missing(PROVIDERS.name))?;
    check_segments(&arms, replications, tables).map_err(missing(SEGMENTS.name))?;
    check_summary(&arms, tables.summary).map_err(missing(SUMMARY.name))
}

/// A summary-only folder's `summary.csv` holds as many metrics for every
/// intervention arm of the manifest as for the fullest.
pub fn check_summary_only(dir: &Path, manifest: &Manifest, summary: &[SummaryRow]) -> Result<()> {
    check_summary(&listed_arms(manifest), summary).map_err(|w| cut(dir, SUMMARY.name, w))
}

/// The manifest's arms, each once, in order.
fn listed_arms(manifest: &Manifest) -> Vec<&str> {
    let mut listed = BTreeSet::new();
    (manifest.arms.iter())
        .map(|a| a.name.as_str())
        .filter(|a| listed.insert(*a))
        .collect()
}

/// The error of a table `file` of `dir` without the rows of `what`.
fn cut(dir: &Path, file: &str, what: String) -> anyhow::Error {
    anyhow!(
        "{}: rows missing for {what}, which manifest.json says the run has: the file is incomplete (cut short?)",
        dir.join(file).display()
    )
}

/// Every day of every replication of every arm; else what is missing first.
fn check_series(
    arms: &[&str],
    days: usize,
    replications: u64,
    series: &Series,
) -> Result<(), String> {
    for &arm in arms {
        for r in 0..replications {
            let d = series.days_from_start(arm, r);
            if d < days {
                return Err(format!("arm {arm:?}, replication {r}, day {d}"));
            }
        }
    }
    Ok(())
}

/// Some row for every day of every arm; else what is missing first.
fn check_providers(arms: &[&str], days: usize, rows: &[ProviderRow]) -> Result<(), String> {
    let present: BTreeSet<(&str, usize)> = rows.iter().map(|r| (r.arm.as_str(), r.day)).collect();
    for &arm in arms {
        if let Some(d) = (0..days).find(|&d| !present.contains(&(arm, d))) {
            return Err(format!("arm {arm:?}, day {d}"));
        }
    }
    Ok(())
}

/// For every replication of every arm, the compromises of `segments.csv`
/// add up to those of `timeseries.csv`; else the first where they do not.
/// A folder written before attribution is checked by its row counts.
fn check_segments(arms: &[&str], replications: u64, tables: &Tables) -> Result<(), String> {
    let segments = tables.segments;
    if segments.legacy() {
        return check_segment_rows(arms, replications, segments);
    }
    for &arm in arms {
        for r in 0..replications {
            let (listed, total) = (segments.total(arm, r), tables.series.compromises(arm, r));
            if listed != total {
                return Err(format!(
                    "segments of arm {arm:?}, replication {r} (their compromises add up to {listed}, not {total})"
                ));
            }
        }
    }
    Ok(())
}

/// As many rows for every replication of every arm as for the fullest;
/// else the first with fewer.
fn check_segment_rows(arms: &[&str], replications: u64, segments: &Segments) -> Result<(), String> {
    let most = segments.most_rows();
    for &arm in arms {
        for r in 0..replications {
            if segments.rows(arm, r) < most {
                return Err(format!("segments of arm {arm:?}, replication {r}"));
            }
        }
    }
    Ok(())
}

/// As many metrics for every intervention arm as for the fullest; else the
/// first with fewer.
fn check_summary(arms: &[&str], rows: &[SummaryRow]) -> Result<(), String> {
    let baseline = arms.iter().position(|a| *a == "baseline").unwrap_or(0);
    let mut metrics: BTreeMap<&str, usize> = BTreeMap::new();
    for row in rows {
        *metrics.entry(row.arm.as_str()).or_default() += 1;
    }
    let most = metrics.values().copied().max().unwrap_or(0).max(1);
    for (_, &arm) in arms.iter().enumerate().filter(|&(a, _)| a != baseline) {
        if metrics.get(arm).copied().unwrap_or(0) < most {
            return Err(format!("metrics of arm {arm:?}"));
        }
    }
    Ok(())
}
