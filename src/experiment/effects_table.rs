//! `effects.csv`: every intervention arm's effects in every replication,
//! one row per (arm, replication, metric), so that any analysis can pair
//! arms or replications itself (columns in `docs/RESULTS.md`).

use std::path::Path;

use anyhow::{Context, Result};

use super::Summary;
use super::metrics::METRICS;
use crate::model::Model;
use crate::output::folder::AtomicFile;

/// The header of `effects.csv`.
pub const EFFECTS_HEADER: [&str; 6] = ["arm", "replication", "draw", "outcome", "metric", "value"];

/// Write `effects.csv` into `dir` from the summary of a finished run.
pub fn write_effects(dir: &Path, model: &Model, summary: &Summary) -> Result<()> {
    let path = dir.join("effects.csv");
    let mut file = AtomicFile::create(&path)?;
    {
        let mut csv = csv::Writer::from_writer(file.writer());
        csv.write_record(EFFECTS_HEADER)?;
        for record in effect_records(model, summary) {
            csv.write_record(&record)?;
        }
        csv.flush()?;
    }
    file.commit()
        .with_context(|| format!("cannot write {}", path.display()))
}

/// The rows of `effects.csv` (without its header), in (arm, replication,
/// metric) order: the value of each metric (empty where undefined; for
/// `days_to_recover`, empty where campaigns had not recovered by the
/// window's end, i.e. censored), the replication's parameter draw in an
/// ensemble and its outcome. A sweep's `points-replications.csv` holds
/// the same rows at each point.
pub fn effect_records(model: &Model, summary: &Summary) -> Vec<[String; 6]> {
    let per_draw = model
        .ensemble
        .as_ref()
        .map(|e| e.replications_per_draw as usize);
    let mut records = Vec::new();
    for (a, plan) in model.arms.iter().enumerate().skip(1) {
        for (r, outcome) in summary.outcomes(a).iter().enumerate() {
            let draw = per_draw.map_or(String::new(), |m| (r / m).to_string());
            for (m, metric) in METRICS.iter().enumerate() {
                records.push([
                    plan.name.clone(),
                    r.to_string(),
                    draw.clone(),
                    outcome.name().to_string(),
                    metric.name.to_string(),
                    crate::table::opt(summary.values(a, m)[r]),
                ]);
            }
        }
    }
    records
}
