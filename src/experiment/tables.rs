//! The CSV and JSON tables of a results folder (columns in `docs/RESULTS.md`).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::{self as experiment, Hooks, Summary, SummaryRow};
use crate::engine::record::{DAY_COLUMNS, RunOutput, timeseries_header};
use crate::model::Model;
use crate::output::folder::{AtomicFile, Spool};
use crate::table::{self, num, opt};

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

/// Columns of `segments.csv`.
const SEGMENTS_HEADER: [&str; 6] = [
    "arm",
    "replication",
    "country",
    "sector",
    "compromises",
    "losses_usd",
];

/// Columns of `providers.csv`.
const PROVIDERS_HEADER: [&str; 9] = [
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

/// Run the experiment of `model` and write its tables and summary into `dir`
/// as replications finish: the tables of `caasim run`, without its manifest
/// and report. Returns the summary, or `None` when cancelled (then no table
/// is written and no scratch file is left).
pub fn run_into(dir: &Path, model: &Model, hooks: &Hooks) -> Result<Option<Vec<SummaryRow>>> {
    let mut writer = TablesWriter::create(dir, model)?;
    let mut summary = Summary::new(model);
    let finished = experiment::run_each(model, hooks, |outputs| {
        summary.add(model, |arm| &outputs[arm]);
        writer.add(&outputs)
    })?;
    if !finished {
        return Ok(None);
    }
    writer.finish()?;
    let rows = summary.rows(model);
    write_summary(dir, &rows)?;
    Ok(Some(rows))
}

/// `timeseries.csv`, `segments.csv` and `providers.csv`, written as
/// replications finish ([`crate::experiment::run_each`]), so that memory does
/// not grow with replications. The tables are in (arm, replication) order and
/// replications arrive in order, so each arm's rows go to a scratch file of
/// their own ([`Spool`]), joined under the header when the run is complete;
/// the provider means are sums kept per (arm, day, provider). Dropped before
/// [`TablesWriter::finish`], it leaves none of these files behind.
pub struct TablesWriter<'m> {
    dir: PathBuf,
    model: &'m Model,
    /// Per arm, its rows of `timeseries.csv` so far.
    timeseries: Vec<Spool>,
    /// Per arm, its rows of `segments.csv` so far.
    segments: Vec<Spool>,
    /// Per arm and day, sums over replications of each provider.
    provider_sums: Vec<Vec<BTreeMap<(usize, String), ProviderSums>>>,
    /// Replications added.
    replications: u32,
}

impl<'m> TablesWriter<'m> {
    /// Start the tables of `model` in the results folder `dir`.
    pub fn create(dir: &Path, model: &'m Model) -> Result<Self> {
        let spools = |table: &str| -> Result<Vec<Spool>> {
            (0..model.arms.len())
                .map(|arm| Spool::create(dir, &scratch_name(table, arm)))
                .collect()
        };
        Ok(TablesWriter {
            dir: dir.to_path_buf(),
            model,
            timeseries: spools("timeseries.csv")?,
            segments: spools("segments.csv")?,
            provider_sums: vec![vec![BTreeMap::new(); model.days as usize]; model.arms.len()],
            replications: 0,
        })
    }

    /// Add the next replication: its runs, one per arm, in arm order.
    pub fn add(&mut self, outputs: &[RunOutput]) -> Result<()> {
        for (arm, run) in outputs.iter().enumerate() {
            let name = &self.model.arms[arm].name;
            let cannot = |table: &str| {
                format!(
                    "cannot write the rows of arm {name:?} of {table} in {}",
                    self.dir.display()
                )
            };
            let days = csv_lines(|csv| self.day_rows(arm, run, csv))?;
            self.timeseries[arm]
                .append(&days)
                .with_context(|| cannot("timeseries.csv"))?;
            let segments = csv_lines(|csv| self.segment_rows(arm, run, csv))?;
            self.segments[arm]
                .append(&segments)
                .with_context(|| cannot("segments.csv"))?;
            self.add_providers(arm, run);
        }
        self.replications += 1;
        Ok(())
    }

    /// One row of `timeseries.csv` per recorded day.
    fn day_rows(&self, arm: usize, run: &RunOutput, csv: &mut CsvLines) -> csv::Result<()> {
        let name = &self.model.arms[arm].name;
        let replication = run.replication.to_string();
        for record in &run.days {
            let date = self.model.date_of(record.day).map(|d| d.to_string());
            let mut cells = vec![
                name.clone(),
                replication.clone(),
                record.day.to_string(),
                date.unwrap_or_default(),
            ];
            cells.extend(table::cells(DAY_COLUMNS, record));
            csv.write_record(&cells)?;
        }
        Ok(())
    }

    /// One row of `segments.csv` per segment: its compromises and losses.
    fn segment_rows(&self, arm: usize, run: &RunOutput, csv: &mut CsvLines) -> csv::Result<()> {
        let name = &self.model.arms[arm].name;
        for (s, segment) in self.model.segments.iter().enumerate() {
            csv.write_record([
                name.as_str(),
                &run.replication.to_string(),
                &segment.country,
                &segment.sector,
                &run.segment_compromises[s].to_string(),
                &num(run.segment_losses[s]),
            ])?;
        }
        Ok(())
    }

    /// Each provider's seats, capacity and price, summed per day.
    fn add_providers(&mut self, arm: usize, run: &RunOutput) {
        let providers = self.model.providers.len();
        for (day, sums) in run.provider_days.iter().zip(&mut self.provider_sums[arm]) {
            for (j, p) in day.iter().enumerate() {
                let key = (j.min(providers), run.provider_names[j].clone());
                let entry = sums.entry(key).or_default();
                entry.class.clone_from(&run.provider_classes[j]);
                entry.seats_used += p.seats_used as f64;
                entry.capacity += p.capacity;
                entry.price += if p.active { p.price } else { 0.0 };
                entry.active += if p.active { 1.0 } else { 0.0 };
            }
        }
    }

    /// Write the three tables, each atomically.
    pub fn finish(self) -> Result<()> {
        join_spools(
            &self.dir.join("timeseries.csv"),
            &timeseries_header(),
            self.timeseries,
        )?;
        join_spools(
            &self.dir.join("segments.csv"),
            &SEGMENTS_HEADER,
            self.segments,
        )?;
        let rows = provider_rows(self.model, &self.provider_sums, self.replications);
        write_csv(&self.dir.join("providers.csv"), &PROVIDERS_HEADER, rows)
    }
}

/// A CSV writer of lines without a header, in memory.
type CsvLines = csv::Writer<Vec<u8>>;

/// The CSV lines that `write` writes.
fn csv_lines(write: impl FnOnce(&mut CsvLines) -> csv::Result<()>) -> Result<Vec<u8>> {
    let mut csv = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    write(&mut csv)?;
    Ok(csv.into_inner().map_err(|e| e.into_error())?)
}

/// The name of the scratch file of `table` for `arm` (the [`Spool`] adds a
/// unique suffix and the leading `.`).
fn scratch_name(table: &str, arm: usize) -> String {
    format!("{table}.arm-{arm}")
}

/// Remove the scratch files that a run killed outright (a second Ctrl-C,
/// SIGKILL, a job's time limit) left in the results folder `dir`.
pub fn remove_scratch(dir: &Path) -> Result<()> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    for entry in entries.filter_map(|e| e.ok()) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let scratch = ["timeseries.csv", "segments.csv"]
            .iter()
            .any(|table| name.starts_with(&format!(".{table}.arm-")));
        if scratch && name.ends_with(".tmp") {
            std::fs::remove_file(entry.path())
                .with_context(|| format!("cannot remove {}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// Write `path` atomically: the header, then each arm's rows in arm order,
/// removing each arm's scratch file once copied.
fn join_spools(path: &Path, header: &[&str], arms: Vec<Spool>) -> Result<()> {
    let cannot = || format!("cannot write {}", path.display());
    let mut file = AtomicFile::create(path)?;
    let mut csv = csv::Writer::from_writer(file.writer());
    csv.write_record(header).with_context(cannot)?;
    csv.flush().with_context(cannot)?;
    drop(csv);
    for spool in arms {
        spool.copy_to(file.writer()).with_context(cannot)?;
    }
    file.commit()
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

/// The rows of `providers.csv`: per (arm, day, provider), means over replications.
fn provider_rows(
    model: &Model,
    sums: &[Vec<BTreeMap<(usize, String), ProviderSums>>],
    replications: u32,
) -> Vec<Vec<String>> {
    let replications = f64::from(replications);
    let mut rows = Vec::new();
    for (arm, days) in model.arms.iter().zip(sums) {
        for (day, providers) in days.iter().enumerate() {
            let date = model
                .date_of(day as u32)
                .map(|d| d.to_string())
                .unwrap_or_default();
            for ((_, name), s) in providers {
                rows.push(vec![
                    arm.name.clone(),
                    day.to_string(),
                    date.clone(),
                    name.clone(),
                    s.class.clone(),
                    num(s.seats_used / replications),
                    num(s.capacity / replications),
                    opt((s.active > 0.0).then(|| s.price / s.active)),
                    num(s.active / replications),
                ]);
            }
        }
    }
    rows
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
