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

/// Write `effects.csv` into `dir` from the summary of a finished run: the
/// value of each metric (empty where undefined; for `days_to_recover`, empty
/// where campaigns had not recovered by the window's end, i.e. censored),
/// the replication's parameter draw in an ensemble and its outcome.
pub fn write_effects(dir: &Path, model: &Model, summary: &Summary) -> Result<()> {
    let path = dir.join("effects.csv");
    let per_draw = model
        .ensemble
        .as_ref()
        .map(|e| e.replications_per_draw as usize);
    let mut file = AtomicFile::create(&path)?;
    {
        let mut csv = csv::Writer::from_writer(file.writer());
        csv.write_record(EFFECTS_HEADER)?;
        for (a, plan) in model.arms.iter().enumerate().skip(1) {
            let outcomes = summary.outcomes(a);
            for (r, outcome) in outcomes.iter().enumerate() {
                let draw = per_draw.map_or(String::new(), |m| (r / m).to_string());
                for (m, metric) in METRICS.iter().enumerate() {
                    let value = crate::table::opt(summary.values(a, m)[r]);
                    let cells = [
                        &plan.name,
                        &r.to_string(),
                        &draw,
                        outcome.name(),
                        metric.name,
                        &value,
                    ];
                    csv.write_record(cells.iter().map(|c| c.as_bytes()))?;
                }
            }
        }
        csv.flush()?;
    }
    file.commit()
        .with_context(|| format!("cannot write {}", path.display()))
}
