//! The tables of an ensemble (columns in `docs/RESULTS.md`): the columns
//! the summary gains, `draws.csv` (each draw's parameter values) and
//! `voi.csv` (the value of knowing each parameter).

use std::path::Path;

use anyhow::Result;

use super::SummaryRow;
use super::tables::write_csv;
use super::voi::VoiRow;
use crate::model::Model;
use crate::table::{Column, Value};

/// The columns `summary.csv` gains in an ensemble, after its own.
pub const SPREAD_COLUMNS: &[Column<SummaryRow>] = &[
    Column {
        name: "draws",
        value: |r| Value::Count(r.spread.map_or(0, |s| s.draws as u64)),
    },
    Column {
        name: "ensemble_p05",
        value: |r| Value::Opt(r.spread.and_then(|s| s.low)),
    },
    Column {
        name: "ensemble_p95",
        value: |r| Value::Opt(r.spread.and_then(|s| s.high)),
    },
    Column {
        name: "var_parameter",
        value: |r| Value::Opt(r.spread.and_then(|s| s.var_parameter)),
    },
    Column {
        name: "var_noise",
        value: |r| Value::Opt(r.spread.and_then(|s| s.var_noise)),
    },
    Column {
        name: "share_parameter",
        value: |r| Value::Opt(r.spread.and_then(|s| s.share_parameter())),
    },
];

/// Columns of `voi.csv`.
const VOI_COLUMNS: &[Column<VoiRow>] = &[
    Column {
        name: "arm",
        value: |r| Value::Text(&r.arm),
    },
    Column {
        name: "metric",
        value: |r| Value::Text(r.metric),
    },
    Column {
        name: "parameter",
        value: |r| Value::Text(&r.parameter),
    },
    Column {
        name: "rank",
        value: |r| Value::Count(r.rank as u64),
    },
    Column {
        name: "first_order",
        value: |r| Value::Opt(r.index.map(|s| s.index)),
    },
    Column {
        name: "p_value",
        value: |r| Value::Opt(r.index.map(|s| s.p_value)),
    },
    Column {
        name: "interval_narrowing",
        value: |r| Value::Opt(r.narrowing()),
    },
];

/// `voi.csv`: one row per (arm, metric, parameter), ranked.
pub fn write_voi(dir: &Path, rows: &[VoiRow]) -> Result<()> {
    write_csv(&dir.join("voi.csv"), VOI_COLUMNS, rows)
}

/// `draws.csv`: each draw's number, first replication, with a posterior the
/// particle it picked (its row in `posterior.csv`, from 0), and the value of
/// each drawn parameter (one column per key, in the order of
/// [`Model::drawn_keys`]: the uncertain parameters, then the posterior's).
pub fn write_draws(dir: &Path, model: &Model) -> Result<()> {
    let Some(ensemble) = &model.ensemble else {
        return Ok(());
    };
    let path = dir.join("draws.csv");
    let mut file = crate::output::folder::AtomicFile::create(&path)?;
    {
        let mut csv = csv::Writer::from_writer(file.writer());
        let particle = model.posterior.as_ref().map(|_| "particle");
        let head = ["draw", "first_replication"].into_iter().chain(particle);
        csv.write_record(head.chain(model.drawn_keys()))?;
        for (draw, d) in ensemble.draws.iter().enumerate() {
            let first = draw as u32 * ensemble.replications_per_draw;
            let head = [draw.to_string(), first.to_string()];
            let particle = d.particle.map(|p| p.to_string());
            let values = d.values.iter().map(|v| Value::Num(*v).cell());
            csv.write_record(head.into_iter().chain(particle).chain(values))?;
        }
        csv.flush()?;
    }
    file.commit()
}
