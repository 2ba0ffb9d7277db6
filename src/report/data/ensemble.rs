//! What an ensemble adds to a results folder: the manifest's `parameters`
//! block, its list of files, and `voi.csv` (see `docs/RESULTS.md`).

use super::table::{CsvFile, read_csv};
use anyhow::Result;
use serde::Deserialize;
use serde_json::Value;
use std::path::Path;

/// How a scenario's `[uncertain]` parameters were run, from the manifest.
#[derive(Debug, Deserialize)]
pub struct Parameters {
    /// `"ensemble: ..."` or `"fixed: ..."`, with what it means.
    pub mode: String,
    /// Parameter draws (ensemble only).
    #[serde(default)]
    pub draws: Option<u64>,
    /// Replications run on each draw (ensemble only).
    #[serde(default)]
    pub replications_per_draw: Option<u64>,
    /// The parameters drawn, with their distributions.
    #[serde(default)]
    pub uncertain: Vec<UncertainEntry>,
    /// Uncertain keys a `--set` fixed instead.
    #[serde(default)]
    pub fixed_by_set: Vec<String>,
}

/// One uncertain parameter of the manifest.
#[derive(Debug, Deserialize)]
pub struct UncertainEntry {
    /// Dotted key of the parameter.
    pub key: String,
    /// Its distribution: `dist` and the distribution's own fields.
    #[serde(default)]
    pub distribution: Value,
    /// Whether draws are rounded to whole numbers.
    #[serde(default)]
    pub integer: bool,
}

/// One file the manifest lists.
#[derive(Debug, Deserialize)]
pub struct ManifestFile {
    /// Path in the folder.
    pub path: String,
}

/// One row of `voi.csv`: what knowing a parameter exactly would be worth
/// for an effect.
#[derive(Debug, Deserialize)]
pub struct VoiRow {
    /// Intervention arm.
    pub arm: String,
    /// Metric name.
    pub metric: String,
    /// Dotted key of the uncertain parameter.
    pub parameter: String,
    /// Rank among the effect's parameters (1 = largest first-order index).
    pub rank: u64,
    /// First-order index: the share of the effect's variance across the
    /// draws that knowing the parameter would remove.
    pub first_order: Option<f64>,
    /// p-value of the F test of "no effect".
    pub p_value: Option<f64>,
    /// The share by which knowing the parameter would narrow the 90%
    /// interval across the ensemble, `1 - sqrt(1 - first_order)`.
    pub interval_narrowing: Option<f64>,
}

/// `voi.csv`.
const VOI: CsvFile = CsvFile {
    name: "voi.csv",
    columns: &[
        "arm",
        "metric",
        "parameter",
        "rank",
        "first_order",
        "p_value",
        "interval_narrowing",
    ],
};

/// Reads `dir/voi.csv`.
pub fn read_voi(dir: &Path) -> Result<Vec<VoiRow>> {
    read_csv(dir, &VOI, 0)
}
