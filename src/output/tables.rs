//! The CSV and JSON tables of a results folder (columns in `docs/RESULTS.md`).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use super::folder::AtomicFile;
use super::records::{TIMESERIES_HEADER, num, opt};
use crate::experiment::{Experiment, SummaryRow};
use crate::model::Model;

/// Write one CSV file atomically from a header and rows of cells.
fn write_csv<I>(path: &Path, header: &[&str], rows: I) -> Result<()>
where
    I: IntoIterator<Item = Vec<String>>,
{
    let mut file = AtomicFile::create(path)?;
    {
        let mut csv = csv::Writer::from_writer(file.writer());
        csv.write_record(header)?;
        for row in rows {
            csv.write_record(&row)?;
        }
        csv.flush()?;
    }
    file.commit()
        .with_context(|| format!("cannot write {}", path.display()))
}

/// `timeseries.csv`: one row per (arm, replication, day).
pub fn write_timeseries(dir: &Path, model: &Model, experiment: &Experiment) -> Result<()> {
    let rows = experiment.runs.iter().flat_map(|run| {
        let arm = &model.arms[run.arm].name;
        run.days.iter().map(move |record| {
            let date = model
                .date_of(record.day)
                .map(|d| d.to_string())
                .unwrap_or_default();
            let mut cells = vec![
                arm.clone(),
                run.replication.to_string(),
                record.day.to_string(),
                date,
            ];
            cells.extend(record.cells());
            cells
        })
    });
    write_csv(&dir.join("timeseries.csv"), &TIMESERIES_HEADER, rows)
}

/// `segments.csv`: compromises and losses per (arm, replication, segment).
pub fn write_segments(dir: &Path, model: &Model, experiment: &Experiment) -> Result<()> {
    let rows = experiment.runs.iter().flat_map(|run| {
        let arm = &model.arms[run.arm].name;
        model.segments.iter().enumerate().map(move |(s, segment)| {
            vec![
                arm.clone(),
                run.replication.to_string(),
                segment.country.clone(),
                segment.sector.clone(),
                run.segment_compromises[s].to_string(),
                num(run.segment_losses[s]),
            ]
        })
    });
    let header = [
        "arm",
        "replication",
        "country",
        "sector",
        "compromises",
        "losses_usd",
    ];
    write_csv(&dir.join("segments.csv"), &header, rows)
}

/// Sums over replications of one provider on one day.
#[derive(Default, Clone)]
struct ProviderSums {
    class: String,
    seats_used: f64,
    capacity: f64,
    price: f64,
    active: f64,
}

/// `providers.csv`: per (arm, day, provider), means over replications.
pub fn write_providers(dir: &Path, model: &Model, experiment: &Experiment) -> Result<()> {
    let replications = f64::from(experiment.replications);
    let mut rows = Vec::new();
    for (a, arm) in model.arms.iter().enumerate() {
        for day in 0..model.days as usize {
            let mut sums: BTreeMap<(usize, String), ProviderSums> = BTreeMap::new();
            for r in 0..experiment.replications {
                let run = experiment.run_of(a, r);
                for (j, p) in run.provider_days[day].iter().enumerate() {
                    let key = (j.min(model.providers.len()), run.provider_names[j].clone());
                    let entry = sums.entry(key).or_default();
                    entry.class.clone_from(&run.provider_classes[j]);
                    entry.seats_used += p.seats_used as f64;
                    entry.capacity += p.capacity;
                    entry.price += if p.active { p.price } else { 0.0 };
                    entry.active += if p.active { 1.0 } else { 0.0 };
                }
            }
            let date = model
                .date_of(day as u32)
                .map(|d| d.to_string())
                .unwrap_or_default();
            for ((_, name), s) in sums {
                rows.push(vec![
                    arm.name.clone(),
                    day.to_string(),
                    date.clone(),
                    name,
                    s.class,
                    num(s.seats_used / replications),
                    num(s.capacity / replications),
                    opt((s.active > 0.0).then(|| s.price / s.active)),
                    num(s.active / replications),
                ]);
            }
        }
    }
    let header = [
        "arm",
        "day",
        "date",
        "provider",
        "class",
        "seats_used",
        "capacity_seats",
        "price",
        "active_share",
    ];
    write_csv(&dir.join("providers.csv"), &header, rows)
}

/// `summary.csv` and `summary.json`.
pub fn write_summary(dir: &Path, rows: &[SummaryRow]) -> Result<()> {
    let header = ["arm", "metric", "mean", "ci_low", "ci_high", "n"];
    let cells = rows.iter().map(|row| {
        vec![
            row.arm.clone(),
            row.metric.to_string(),
            opt(row.estimate.mean),
            opt(row.estimate.ci_low),
            opt(row.estimate.ci_high),
            row.estimate.n.to_string(),
        ]
    });
    write_csv(&dir.join("summary.csv"), &header, cells)?;
    let json: Vec<serde_json::Value> = rows
        .iter()
        .map(|row| {
            serde_json::json!({
                "arm": row.arm,
                "metric": row.metric,
                "mean": row.estimate.mean,
                "ci_low": row.estimate.ci_low,
                "ci_high": row.estimate.ci_high,
                "n": row.estimate.n,
            })
        })
        .collect();
    let mut file = AtomicFile::create(&dir.join("summary.json"))?;
    serde_json::to_writer_pretty(file.writer(), &json)?;
    file.writer().write_all(b"\n")?;
    file.commit()
}
