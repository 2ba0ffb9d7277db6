//! The files of a coalition folder: `subsets.csv` (each subset's effects),
//! `shapley.csv` (each partner's values) and `coalition.json` (what was
//! analysed, how, the efficiency check and the best partner to add),
//! written last. docs/RESULTS.md defines every column.

use std::path::Path;

use anyhow::Result;
use serde_json::{Value as Json, json};

use super::estimates::{Analysis, Best, Efficiency, PartnerRow, SubsetRow};
use super::partners::{members, subset_name};
use super::{GAME_METRICS, Game};
use crate::model::MODEL_VERSION;
use crate::output::folder::{AtomicFile, write_atomic};
use crate::stats::Estimate;
use crate::table::{self, Column, Value};

/// What the analysis is; written last.
pub const IDENTITY: &str = "coalition.json";
/// Each subset's effect on each metric.
pub const SUBSETS: &str = "subsets.csv";
/// Each partner's values on each metric.
pub const SHAPLEY: &str = "shapley.csv";

/// A row of `subsets.csv`.
pub struct SubsetRecord {
    /// The subset's arm.
    pub arm: String,
    /// Its partners, joined by `+`.
    pub partners: String,
    /// How many.
    pub size: u64,
    /// Its effect on a metric.
    pub row: SubsetRow,
}

/// The columns of `subsets.csv`.
pub const SUBSET_COLUMNS: &[Column<SubsetRecord>] = &[
    Column {
        name: "arm",
        value: |r| Value::Text(&r.arm),
    },
    Column {
        name: "partners",
        value: |r| Value::Text(&r.partners),
    },
    Column {
        name: "size",
        value: |r| Value::Count(r.size),
    },
    Column {
        name: "metric",
        value: |r| Value::Text(r.row.metric),
    },
    Column {
        name: "effect",
        value: |r| Value::Opt(r.row.effect.mean),
    },
    Column {
        name: "ci_low",
        value: |r| Value::Opt(r.row.effect.ci_low),
    },
    Column {
        name: "ci_high",
        value: |r| Value::Opt(r.row.effect.ci_high),
    },
    Column {
        name: "replications",
        value: |r| Value::Count(r.row.effect.n as u64),
    },
];

/// A row of `shapley.csv`.
pub struct PartnerRecord {
    /// The partner's name.
    pub partner: String,
    /// Its values on a metric.
    pub row: PartnerRow,
}

/// The columns of `shapley.csv`.
pub const SHAPLEY_COLUMNS: &[Column<PartnerRecord>] = &[
    Column {
        name: "partner",
        value: |r| Value::Text(&r.partner),
    },
    Column {
        name: "metric",
        value: |r| Value::Text(r.row.metric),
    },
    Column {
        name: "shapley",
        value: |r| Value::Opt(r.row.shapley.mean),
    },
    Column {
        name: "shapley_ci_low",
        value: |r| Value::Opt(r.row.shapley.ci_low),
    },
    Column {
        name: "shapley_ci_high",
        value: |r| Value::Opt(r.row.shapley.ci_high),
    },
    Column {
        name: "alone",
        value: |r| Value::Opt(r.row.alone.mean),
    },
    Column {
        name: "alone_ci_low",
        value: |r| Value::Opt(r.row.alone.ci_low),
    },
    Column {
        name: "alone_ci_high",
        value: |r| Value::Opt(r.row.alone.ci_high),
    },
    Column {
        name: "added_last",
        value: |r| Value::Opt(r.row.added_last.mean),
    },
    Column {
        name: "added_last_ci_low",
        value: |r| Value::Opt(r.row.added_last.ci_low),
    },
    Column {
        name: "added_last_ci_high",
        value: |r| Value::Opt(r.row.added_last.ci_high),
    },
    Column {
        name: "replications",
        value: |r| Value::Count(r.row.shapley.n as u64),
    },
    Column {
        name: "orders_se",
        value: |r| Value::Opt(r.row.orders_se),
    },
];

/// Where the analysis came from, for `coalition.json`.
pub struct Provenance<'a> {
    /// The scenario file.
    pub scenario_file: &'a str,
    /// The overrides of the command line, as recorded.
    pub overrides: &'a [String],
    /// The metric the command headlines (`--metric`).
    pub metric: &'a str,
}

/// Write `subsets.csv`, `shapley.csv` and then `coalition.json` into `dir`.
pub fn write(dir: &Path, game: &Game, analysis: &Analysis, provenance: &Provenance) -> Result<()> {
    let subsets: Vec<SubsetRecord> = (analysis.subsets.iter())
        .map(|row| SubsetRecord {
            arm: subset_name(&game.arm, &game.partners, row.set),
            partners: members(&game.partners, row.set).join("+"),
            size: u64::from(row.set.count_ones()),
            row: row.clone(),
        })
        .collect();
    write_table(&dir.join(SUBSETS), SUBSET_COLUMNS, &subsets)?;
    let partners: Vec<PartnerRecord> = (analysis.partners.iter())
        .map(|row| PartnerRecord {
            partner: game.partners[row.partner].clone(),
            row: row.clone(),
        })
        .collect();
    write_table(&dir.join(SHAPLEY), SHAPLEY_COLUMNS, &partners)?;
    let identity = identity(game, analysis, provenance);
    write_atomic(&dir.join(IDENTITY), format!("{identity:#}\n").as_bytes())
}

/// Write `records` as a CSV table of `columns` at `path`, atomically.
fn write_table<R>(path: &Path, columns: &[Column<R>], records: &[R]) -> Result<()> {
    let mut file = AtomicFile::create(path)?;
    {
        let mut csv = csv::Writer::from_writer(file.writer());
        csv.write_record(table::header(columns))?;
        for record in records {
            csv.write_record(table::cells(columns, record))?;
        }
        csv.flush()?;
    }
    file.commit()
}

/// The contents of `coalition.json`.
fn identity(game: &Game, analysis: &Analysis, provenance: &Provenance) -> Json {
    let model = &game.model;
    let per_draw = (model.ensemble.as_ref()).map(|e| e.replications_per_draw);
    let acting: Vec<Json> = (game.acting.iter())
        .map(|a| json!({"intervention": a.intervention, "kind": a.kind, "coalition": a.partners}))
        .collect();
    json!({
        "tool": "caasim",
        "kind": "coalition",
        "version": env!("CARGO_PKG_VERSION"),
        "model_version": MODEL_VERSION,
        "scenario_name": model.scenario.scenario.name,
        "scenario_file": provenance.scenario_file,
        "overrides": provenance.overrides,
        "arm": game.arm,
        "partners": game.partners,
        "interventions": acting,
        "method": game.method.name(),
        "permutations": game.method.permutations(),
        "subsets": game.subsets.len(),
        "replications": model.replications,
        "replications_per_draw": per_draw,
        "seed": model.seed,
        "interval": match per_draw {
            Some(_) => "t over draws",
            None => "t over replications",
        },
        "metrics": GAME_METRICS.iter().map(|(m, _)| *m).collect::<Vec<_>>(),
        "metric": provenance.metric,
        "efficiency": analysis.efficiency.iter().map(efficiency_json).collect::<Vec<_>>(),
        "best": analysis.best.iter().flatten().map(|b| best_json(game, b)).collect::<Vec<_>>(),
    })
}

/// An estimate as `{mean, ci_low, ci_high, n}`.
fn estimate_json(e: &Estimate) -> Json {
    json!({"mean": e.mean, "ci_low": e.ci_low, "ci_high": e.ci_high, "n": e.n})
}

fn efficiency_json(e: &Efficiency) -> Json {
    json!({
        "metric": e.metric,
        "full_minus_empty": estimate_json(&e.full_minus_empty),
        "shapley_sum": e.shapley_sum,
        "largest_gap": e.largest_gap,
    })
}

fn best_json(game: &Game, b: &Best) -> Json {
    let name = |i: usize| game.partners[i].clone();
    json!({
        "metric": b.metric,
        "better": b.better.name(),
        "partner": name(b.partner),
        "runner_up": b.runner_up.map(name),
        "difference": b.difference.as_ref().map(estimate_json),
        "separated": b.separated,
    })
}
