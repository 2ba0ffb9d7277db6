//! Disk: the size of a run's results folder, and the free space it is
//! checked against before anything is simulated or written.

use std::path::Path;

use anyhow::{Result, bail};

use super::{gib, gib_var};
use crate::model::Model;

/// Set this environment variable to `1` to start runs whose results the disk
/// check says will not fit.
pub const NO_DISK_CHECK_VAR: &str = "CAASIM_NO_DISK_CHECK";
/// Set this environment variable to a number of GiB to check results against
/// that much free disk instead of what the disk reports (for tests, or to
/// keep room for other jobs).
pub const DISK_GIB_VAR: &str = "CAASIM_DISK_GIB";

/// Refuse to start a run whose results (about `needed` bytes, `what` says
/// of what) cannot fit on the disk that holds, or will hold, `dir`, unless
/// [`NO_DISK_CHECK_VAR`] is `1`; nothing is refused when the free space is
/// unknown.
pub fn check_space(dir: &Path, needed: f64, what: &str) -> Result<()> {
    if std::env::var(NO_DISK_CHECK_VAR).is_ok_and(|v| v.trim() == "1") {
        return Ok(());
    }
    let free = match gib_var(DISK_GIB_VAR)? {
        Some(bytes) => Some(bytes),
        None => free_space(dir),
    };
    match free {
        Some(free) if free < needed => bail!(
            "the results need about {} on disk but {} is free in {} ({what}); choose another --out, free some space, use fewer replications (--reps) or days, or set {NO_DISK_CHECK_VAR}=1 to run anyway",
            gib(needed),
            gib(free),
            dir.display()
        ),
        _ => Ok(()),
    }
}

/// Free bytes on the disk that holds, or will hold, `dir` (its nearest
/// existing ancestor); `None` when unknown.
fn free_space(dir: &Path) -> Option<f64> {
    let dir = std::path::absolute(dir).ok()?;
    let existing = dir.ancestors().find(|a| a.exists())?;
    fs4::available_space(existing).ok().map(|b| b as f64)
}

/// Bytes of a row of `timeseries.csv`, `segments.csv` and `providers.csv`:
/// the averages of the RedVDS reference results (325, 75 and 123 bytes in
/// a run of `scenarios/redvds-2026.toml`) with a sixth (`segments.csv`) or a
/// quarter more for longer numbers.
const ROW_BYTES: [f64; 3] = [410.0, 88.0, 154.0];
/// Bytes of the report: its plots, each as SVG, PNG and PDF, and its page
/// (RedVDS: 7.9 MiB, of which 6.0 MiB PNG, 0.65 MiB PDF, 0.55 MiB SVG and
/// 0.68 MiB the page), with room for twice as many plots (more arms).
const REPORT_BYTES: f64 = 16.0 * 1024.0 * 1024.0;

/// The disk space the results of `model` take at their fullest, in bytes: the
/// tables, one arm's scratch file still there while they are joined, and the
/// report; with a description of the largest term. `segments.csv` has a
/// row per (provider, segment) with compromises: counted as every segment
/// for each provider at the start and one more for the entrants (the RedVDS
/// reference has 8.5 providers' worth of rows per run, 7 at the start);
/// entrants add rows to the (small) `providers.csv`.
pub fn disk_estimate(model: &Model) -> (f64, String) {
    let arms = model.arms.len() as f64;
    let runs = arms * f64::from(model.replications);
    let days = f64::from(model.days);
    let [series_row, segment_row, provider_row] = ROW_BYTES;
    let start_providers = model.providers.len() as f64;
    let segment_rows = model.segments.len() as f64 * (start_providers + 1.0);
    let per_run = days * series_row + segment_rows * segment_row;
    let providers = arms * days * start_providers * provider_row;
    let bytes = runs * per_run * (1.0 + 1.0 / arms) + providers + REPORT_BYTES;
    let what = format!(
        "{runs} runs (arms x replications) of {days} days, {} segments and {start_providers} providers",
        model.segments.len()
    );
    (bytes, what)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_space_is_known_for_a_relative_folder_still_to_be_made() {
        let free = free_space(Path::new("no-such-folder/nor-this"));
        assert!(free.is_some_and(|b| b > 0.0), "{free:?}");
    }
}
