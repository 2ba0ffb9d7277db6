//! The CSV and JSON tables of a results folder (columns in `docs/RESULTS.md`).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::jurisdiction_table::JurisdictionSums;
use super::{
    self as experiment, Contrast, Hooks, Summary, SummaryRow, effects_table, ensemble_tables,
};
use crate::engine::record::{DAY_COLUMNS, RunOutput, timeseries_header};
use crate::model::Model;
use crate::model::attacker::Attributed;
use crate::model::seizure::Seizures;
use crate::model::victims::expected_loss;
use crate::output::folder::{AtomicFile, Spool};
use crate::table::{self, Column, Value};

/// Write one CSV file atomically: the header of `columns`, then a row per record.
pub(super) fn write_csv<R>(path: &Path, columns: &[Column<R>], rows: &[R]) -> Result<()> {
    let mut file = AtomicFile::create(path)?;
    write_rows(file.writer(), columns, rows)?;
    file.commit()
        .with_context(|| format!("cannot write {}", path.display()))
}

/// One row of `segments.csv`: the compromises and losses in one segment
/// attributed to one provider, in one replication of one arm.
struct SegmentRow<'a> {
    arm: &'a str,
    replication: u32,
    provider: &'a str,
    class: &'a str,
    country: &'a str,
    sector: &'a str,
    compromises: u64,
    losses_usd: f64,
    expected_losses_usd: f64,
}

/// Columns of `segments.csv`, in order.
fn segment_columns<'a>() -> [Column<SegmentRow<'a>>; 9] {
    [
        Column {
            name: "arm",
            value: |r| Value::Text(r.arm),
        },
        Column {
            name: "replication",
            value: |r| Value::Count(r.replication.into()),
        },
        Column {
            name: "provider",
            value: |r| Value::Text(r.provider),
        },
        Column {
            name: "class",
            value: |r| Value::Text(r.class),
        },
        Column {
            name: "country",
            value: |r| Value::Text(r.country),
        },
        Column {
            name: "sector",
            value: |r| Value::Text(r.sector),
        },
        Column {
            name: "compromises",
            value: |r| Value::Count(r.compromises),
        },
        Column {
            name: "losses_usd",
            value: |r| Value::Num(r.losses_usd),
        },
        Column {
            name: "expected_losses_usd",
            value: |r| Value::Num(r.expected_losses_usd),
        },
    ]
}

/// One row of `providers.csv`: one provider on one day of one arm, means
/// over replications.
struct ProviderRow {
    arm: String,
    day: usize,
    date: String,
    provider: String,
    class: String,
    seats_used: f64,
    capacity_seats: f64,
    price: Option<f64>,
    active_share: f64,
    output: Means,
}

/// Means over replications of what a provider's customers produced on a day.
#[derive(Default, Clone)]
struct Means {
    campaigns: f64,
    compromises: f64,
    losses_usd: f64,
    expected_losses_usd: f64,
}

impl Means {
    /// Add one replication's output.
    fn add(&mut self, output: &Attributed) {
        self.campaigns += output.campaigns as f64;
        self.compromises += output.compromises as f64;
        self.losses_usd += output.losses_usd;
        self.expected_losses_usd += output.expected_losses_usd;
    }

    /// The sums divided by `replications`.
    fn over(&self, replications: f64) -> Means {
        Means {
            campaigns: self.campaigns / replications,
            compromises: self.compromises / replications,
            losses_usd: self.losses_usd / replications,
            expected_losses_usd: self.expected_losses_usd / replications,
        }
    }
}

/// Columns of `providers.csv`, in order.
const PROVIDER_COLUMNS: &[Column<ProviderRow>] = &[
    Column {
        name: "arm",
        value: |r| Value::Text(&r.arm),
    },
    Column {
        name: "day",
        value: |r| Value::Count(r.day as u64),
    },
    Column {
        name: "date",
        value: |r| Value::Text(&r.date),
    },
    Column {
        name: "provider",
        value: |r| Value::Text(&r.provider),
    },
    Column {
        name: "class",
        value: |r| Value::Text(&r.class),
    },
    Column {
        name: "seats_used",
        value: |r| Value::Num(r.seats_used),
    },
    Column {
        name: "capacity_seats",
        value: |r| Value::Num(r.capacity_seats),
    },
    Column {
        name: "price",
        value: |r| Value::Opt(r.price),
    },
    Column {
        name: "active_share",
        value: |r| Value::Num(r.active_share),
    },
    Column {
        name: "campaigns",
        value: |r| Value::Num(r.output.campaigns),
    },
    Column {
        name: "compromises",
        value: |r| Value::Num(r.output.compromises),
    },
    Column {
        name: "losses_usd",
        value: |r| Value::Num(r.output.losses_usd),
    },
    Column {
        name: "expected_losses_usd",
        value: |r| Value::Num(r.output.expected_losses_usd),
    },
];

/// Columns of `summary.csv`, in order (also those of a sweep's
/// `points.csv` after its `point`).
pub const SUMMARY_COLUMNS: &[Column<SummaryRow>] = &[
    Column {
        name: "arm",
        value: |r| Value::Text(&r.arm),
    },
    Column {
        name: "versus",
        value: |r| Value::Text(&r.versus),
    },
    Column {
        name: "outcome",
        value: |r| Value::Text(r.outcome.name()),
    },
    Column {
        name: "metric",
        value: |r| Value::Text(r.metric),
    },
    Column {
        name: "statistic",
        value: |r| Value::Text(r.statistic.name()),
    },
    Column {
        name: "estimate",
        value: |r| Value::Opt(r.estimate.mean),
    },
    Column {
        name: "ci_low",
        value: |r| Value::Opt(r.estimate.ci_low),
    },
    Column {
        name: "ci_high",
        value: |r| Value::Opt(r.estimate.ci_high),
    },
    Column {
        name: "n",
        value: |r| Value::Count(r.estimate.n as u64),
    },
    Column {
        name: "interval",
        value: |r| Value::Text(r.interval()),
    },
];

/// Which tables a run writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// Every table: the records of each replication and the summary.
    All,
    /// Only the summary (and an ensemble's draws and value of information):
    /// for ensembles too large to keep every replication's records.
    Summary,
}

/// What a finished run gives back besides its tables.
#[derive(Debug)]
pub struct Finished {
    /// The effects of each intervention arm (as written in `summary.csv`).
    pub summary: Vec<SummaryRow>,
    /// What the takedown actions seized, over every replication.
    pub seizures: Seizures,
}

/// Run the experiment of `model` and write its tables and summary into `dir`
/// as replications finish: the tables of `caasim run`, without its manifest
/// and report. Returns the summary and what the takedowns seized, or `None`
/// when cancelled (then no table is written and no scratch file is left).
pub fn run_into(
    dir: &Path,
    model: &Model,
    hooks: &Hooks,
    kept: Kept,
    contrasts: &[Contrast],
) -> Result<Option<Finished>> {
    let mut writer = match kept {
        Kept::All => Some(TablesWriter::create(dir, model)?),
        Kept::Summary => None,
    };
    let mut summary = Summary::new(model);
    let mut seizures = Seizures::new(model);
    let finished = experiment::run_each(model, hooks, |outputs| {
        summary.add(model, |arm| &outputs[arm]);
        for output in &outputs {
            seizures.add(output.arm, &output.strikes);
        }
        writer.as_mut().map_or(Ok(()), |w| w.add(&outputs))
    })?;
    if !finished {
        return Ok(None);
    }
    if let Some(writer) = writer {
        writer.finish()?;
    }
    let rows = summary.rows(model, contrasts);
    write_summary(dir, &rows)?;
    effects_table::write_effects(dir, model, &summary)?;
    if model.ensemble.is_some() {
        ensemble_tables::write_draws(dir, model)?;
        let voi = experiment::voi::value_of_information(model, &summary, &rows);
        ensemble_tables::write_voi(dir, &voi)?;
    }
    Ok(Some(Finished {
        summary: rows,
        seizures,
    }))
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
    /// Per arm and day, sums over replications of the capacity in each
    /// jurisdiction (a model with more than one).
    places: Option<JurisdictionSums>,
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
            places: JurisdictionSums::of(model),
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
            if let Some(places) = &mut self.places {
                places.add(arm, run);
            }
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

    /// One row of `segments.csv` per (provider, segment) with compromises,
    /// in provider index order, then segment order.
    fn segment_rows(&self, arm: usize, run: &RunOutput, csv: &mut CsvLines) -> csv::Result<()> {
        let columns = segment_columns();
        let by_provider = run.segment_compromises.iter().zip(&run.segment_losses);
        for (j, (compromises, losses)) in by_provider.enumerate() {
            let cells = self
                .model
                .segments
                .iter()
                .zip(compromises.iter().zip(losses));
            for (segment, (&compromises, &losses_usd)) in cells.filter(|c| *c.1.0 > 0) {
                let row = SegmentRow {
                    arm: &self.model.arms[arm].name,
                    replication: run.replication,
                    provider: &run.provider_names[j],
                    class: &run.provider_classes[j],
                    country: &segment.country,
                    sector: &segment.sector,
                    compromises,
                    losses_usd,
                    expected_losses_usd: compromises as f64 * expected_loss(segment),
                };
                csv.write_record(table::cells(&columns, &row))?;
            }
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
                entry.output.add(&p.output);
            }
        }
    }

    /// Write the tables, each atomically.
    pub fn finish(self) -> Result<()> {
        join_spools(
            &self.dir.join("timeseries.csv"),
            &timeseries_header(),
            self.timeseries,
        )?;
        let header: Vec<&str> = table::header(&segment_columns()).collect();
        join_spools(&self.dir.join("segments.csv"), &header, self.segments)?;
        let rows = provider_rows(self.model, &self.provider_sums, self.replications);
        write_csv(&self.dir.join("providers.csv"), PROVIDER_COLUMNS, &rows)?;
        match &self.places {
            Some(places) => places.write(&self.dir, self.model, self.replications),
            None => Ok(()),
        }
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
    output: Means,
}

/// The rows of `providers.csv`: per (arm, day, provider), means over replications.
fn provider_rows(
    model: &Model,
    sums: &[Vec<BTreeMap<(usize, String), ProviderSums>>],
    replications: u32,
) -> Vec<ProviderRow> {
    let replications = f64::from(replications);
    let mut rows = Vec::new();
    for (arm, days) in model.arms.iter().zip(sums) {
        for (day, providers) in days.iter().enumerate() {
            let date = model
                .date_of(day as u32)
                .map(|d| d.to_string())
                .unwrap_or_default();
            for ((_, name), s) in providers {
                rows.push(ProviderRow {
                    arm: arm.name.clone(),
                    day,
                    date: date.clone(),
                    provider: name.clone(),
                    class: s.class.clone(),
                    seats_used: s.seats_used / replications,
                    capacity_seats: s.capacity / replications,
                    price: (s.active > 0.0).then(|| s.price / s.active),
                    active_share: s.active / replications,
                    output: s.output.over(replications),
                });
            }
        }
    }
    rows
}

/// `summary.csv` and `summary.json`: in an ensemble, with the columns of
/// its spread ([`ensemble_tables::SPREAD_COLUMNS`]).
pub fn write_summary(dir: &Path, rows: &[SummaryRow]) -> Result<()> {
    let columns = summary_columns(rows);
    write_csv(&dir.join("summary.csv"), &columns, rows)?;
    let json: Vec<serde_json::Value> = rows
        .iter()
        .map(|row| table::json_object(&columns, row))
        .collect();
    let mut file = AtomicFile::create(&dir.join("summary.json"))?;
    serde_json::to_writer_pretty(file.writer(), &json)?;
    file.writer().write_all(b"\n")?;
    file.commit()
}

/// The columns of `summary.csv` for `rows`: in an ensemble, with those of
/// its spread.
fn summary_columns(rows: &[SummaryRow]) -> Vec<Column<SummaryRow>> {
    let mut columns = SUMMARY_COLUMNS.to_vec();
    if rows.iter().any(|r| r.spread.is_some()) {
        columns.extend_from_slice(ensemble_tables::SPREAD_COLUMNS);
    }
    columns
}

/// The bytes `summary.csv` holds for `rows` (as [`write_summary`] writes
/// them), for a caller that serves them rather than writing a folder.
pub fn summary_csv(rows: &[SummaryRow]) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    write_rows(&mut bytes, &summary_columns(rows), rows)?;
    Ok(bytes)
}

/// The header and `rows` as CSV into `writer`.
fn write_rows<R>(writer: impl Write, columns: &[Column<R>], rows: &[R]) -> Result<()> {
    let mut csv = csv::Writer::from_writer(writer);
    csv.write_record(table::header(columns))?;
    for row in rows {
        csv.write_record(table::cells(columns, row))?;
    }
    csv.flush()?;
    Ok(())
}
