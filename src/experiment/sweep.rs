//! Parameter sweeps: every point of a design runs all arms for all
//! replications, and its effect estimates are written as one record per
//! point, atomically, so that an interrupted sweep resumes where it stopped.
//!
//! A sweep folder holds `sweep.json` (what the sweep is: scenario, overrides,
//! seed, replications, contrasts and design fingerprints), `design.csv`,
//! `points/` (finished records, two per point) and, once its points are
//! done, `points.csv` (each point's summary rows: effects, effects per
//! outcome of a fork, contrasts) and `points-replications.csv` (each
//! point's effects in every replication, for paired analyses); a shard
//! writes `part-i-of-n.csv`, `part-i-of-n-replications.csv` and
//! `part-i-of-n.json` instead. `caasim merge` joins the parts into exactly
//! the files of the same sweep run without shards.
//!
//! Random streams depend only on (seed, replication): every point of a sweep
//! uses the same streams (common random numbers across points), whatever the
//! sharding, so neighbouring points differ by their parameters, not by noise.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use serde_json::{Value, json};

use super::design::{Design, fnv1a};
use super::effects_table::{EFFECTS_HEADER, effect_records};
use super::summary::parse_contrasts;
use super::tables::SUMMARY_COLUMNS;
use super::{Hooks, SummaryRow};
use crate::model::Model;
use crate::output::folder::{self, AtomicFile, write_atomic};
use crate::scenario::error::Problem;
use crate::scenario::{self, ScenarioError};
use crate::table;

/// What the sweep is; written to `sweep.json`, checked on resume and merge.
pub const IDENTITY: &str = "sweep.json";
/// Folder of finished point records.
pub const POINTS_DIR: &str = "points";
/// The summary rows of every point.
pub const POINTS: &str = "points.csv";
/// The effects of every point in every replication.
pub const REPLICATIONS: &str = "points-replications.csv";

/// The two tables of a sweep: each point's summary rows, and its
/// effects in every replication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Table {
    Points,
    Replications,
}

impl Table {
    const BOTH: [Table; 2] = [Table::Points, Table::Replications];

    /// The file of this table for the whole sweep or for `shard`.
    fn file_name(self, shard: Shard) -> String {
        match (self, shard == Shard::ALL) {
            (Table::Points, true) => POINTS.to_string(),
            (Table::Replications, true) => REPLICATIONS.to_string(),
            (Table::Points, false) => format!("{}.csv", shard.stem()),
            (Table::Replications, false) => format!("{}-replications.csv", shard.stem()),
        }
    }

    /// The record of point `p` in this table, under `dir/points/`. (The
    /// temporary file of either starts `.point-<p>.`, which is how
    /// [`remove_unfinished`] finds it.)
    fn record(self, dir: &Path, p: usize) -> PathBuf {
        let name = match self {
            Table::Points => format!("point-{p}.csv"),
            Table::Replications => format!("point-{p}.replications.csv"),
        };
        dir.join(POINTS_DIR).join(name)
    }
}

/// One part of a sweep: the points with `point % count == index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This part's number, from 0.
    pub index: usize,
    /// Number of parts.
    pub count: usize,
}

impl Shard {
    /// The whole sweep.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// Parse `i/n`, or `slurm` for `SLURM_ARRAY_TASK_ID`/`SLURM_ARRAY_TASK_COUNT`.
    pub fn parse(text: &str) -> Result<Shard> {
        let (index, count) = if text == "slurm" {
            let var = |name: &str| {
                std::env::var(name).with_context(|| {
                    format!("--shard slurm needs {name}; run it inside a Slurm job array")
                })
            };
            (var("SLURM_ARRAY_TASK_ID")?, var("SLURM_ARRAY_TASK_COUNT")?)
        } else {
            let (i, n) = text
                .split_once('/')
                .with_context(|| format!("--shard {text}: expected i/n, e.g. 0/4, or slurm"))?;
            (i.to_string(), n.to_string())
        };
        let parse = |v: &str| v.trim().parse::<usize>().ok();
        match (parse(&index), parse(&count)) {
            (Some(index), Some(count)) if count > 0 && index < count => Ok(Shard { index, count }),
            _ => bail!("--shard {text}: expected i/n with 0 <= i < n, got {index}/{count}"),
        }
    }

    /// Whether point `p` belongs to this part.
    pub fn owns(&self, p: usize) -> bool {
        p % self.count == self.index
    }

    /// The file stem of this part's outputs.
    fn stem(&self) -> String {
        format!("part-{}-of-{}", self.index, self.count)
    }
}

/// A sweep ready to run.
pub struct Sweep {
    /// The scenario file.
    pub scenario_file: PathBuf,
    /// The scenario's text.
    text: String,
    /// Overrides applied to every point (`--set`, `--reps`, `--seed`).
    pub overrides: Vec<String>,
    /// The design.
    pub design: Design,
    /// The arms run besides the baseline (`--arms`; `None`: every arm).
    pub arms: Option<Vec<String>>,
    /// The contrasts `A:B` computed at every point (`--contrast`).
    pub contrasts: Vec<String>,
    /// The base model (overrides applied, no design values).
    pub base: Model,
}

impl Sweep {
    /// Read the scenario and check it, and every point of the design, before any run.
    pub fn new(
        scenario_file: &Path,
        overrides: Vec<String>,
        design: Design,
    ) -> Result<Sweep, ScenarioError> {
        let text = scenario::load::read_text(scenario_file)?;
        let origin = scenario_file.display().to_string();
        let base = scenario::load_text(&text, &origin, &overrides)?;
        let sweep = Sweep {
            scenario_file: scenario_file.to_path_buf(),
            text,
            overrides,
            design,
            arms: None,
            contrasts: Vec::new(),
            base,
        };
        for p in 0..sweep.design.points.len() {
            sweep.model(p).map_err(|mut e| {
                e.origin = format!("{origin} at design point {p}");
                e
            })?;
        }
        Ok(sweep)
    }

    /// The sweep running only the baseline and the arms `names` at every
    /// point; the error names the arms there are.
    pub fn keep_arms(mut self, names: &[String]) -> Result<Sweep, String> {
        self.base.keep_arms(names)?;
        self.arms = Some(names.to_vec());
        Ok(self)
    }

    /// The sweep computing the contrasts `specs` (each `A:B`, two
    /// intervention arms) at every point; the error says what is allowed.
    /// Call it after [`Sweep::keep_arms`].
    pub fn with_contrasts(mut self, specs: &[String]) -> Result<Sweep, String> {
        parse_contrasts(&self.base, specs)?;
        self.contrasts = specs.to_vec();
        Ok(self)
    }

    /// The model of point `p`.
    pub fn model(&self, p: usize) -> Result<Model, ScenarioError> {
        let mut overrides = self.overrides.clone();
        overrides.extend(self.design.assignments(p));
        let origin = self.scenario_file.display().to_string();
        let mut model = scenario::load_text(&self.text, &origin, &overrides)?;
        if let Some(names) = &self.arms {
            model
                .keep_arms(names)
                .map_err(|message| ScenarioError::single(&origin, Problem::file(message)))?;
        }
        Ok(model)
    }

    /// What identifies the sweep: equal identities give equal results.
    /// (`arms` and `contrasts` only when given, so that the identity of a
    /// sweep without them is as before.)
    pub fn identity(&self) -> Value {
        let resolved = scenario::resolved_toml(&self.base.scenario);
        let mut identity = json!({
            "tool": "caasim",
            "kind": "sweep",
            "version": env!("CARGO_PKG_VERSION"),
            "model_version": crate::model::MODEL_VERSION,
            "scenario_name": self.base.scenario.scenario.name,
            "scenario_fingerprint": format!("{:016x}", fnv1a(resolved.as_bytes())),
            "seed": self.base.seed,
            "replications": self.base.replications,
            "overrides": self.overrides,
            "parameters": self.design.parameters,
            "points": self.design.points.len(),
            "design_fingerprint": self.design.fingerprint(),
        });
        if let Some(arms) = &self.arms {
            identity["arms"] = json!(arms);
        }
        if !self.contrasts.is_empty() {
            identity["contrasts"] = json!(self.contrasts);
        }
        identity
    }

    /// The header of `points.csv`: `point`, the columns of `summary.csv`
    /// (without an ensemble's spread), then the parameters.
    pub fn header(&self) -> Vec<String> {
        (std::iter::once("point").chain(table::header(SUMMARY_COLUMNS)))
            .map(str::to_string)
            .chain(self.design.parameters.iter().cloned())
            .collect()
    }

    /// The header of `points-replications.csv`: `point`, then the columns
    /// of `effects.csv` (the point's values are in `design.csv`: repeating
    /// them on every replication's row would multiply the file's size).
    pub fn replications_header(&self) -> Vec<String> {
        (std::iter::once("point").chain(EFFECTS_HEADER))
            .map(str::to_string)
            .collect()
    }
}

/// Make `dir` ready: a new folder, or the same sweep's folder (resume).
pub fn prepare(dir: &Path, sweep: &Sweep, force: bool) -> Result<()> {
    let identity = sweep.identity();
    let path = dir.join(IDENTITY);
    if path.exists() {
        let existing: Value = fs::read_to_string(&path)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .with_context(|| format!("{} is damaged; choose another --out", path.display()))?;
        if existing != identity {
            bail!(
                "{} holds a different sweep (scenario, overrides, seed, replications, arms, contrasts or design differ); choose another --out",
                dir.display()
            );
        }
    } else {
        folder::prepare(dir, force)?;
    }
    fs::create_dir_all(dir.join(POINTS_DIR))
        .with_context(|| format!("cannot create {}", dir.join(POINTS_DIR).display()))?;
    write_atomic(&path, format!("{:#}\n", identity).as_bytes())?;
    write_atomic(&dir.join("design.csv"), sweep.design.to_csv().as_bytes())
}

/// Remove temporary files of this shard's points left by an interrupted run
/// (records are only ever renamed into place, so a temporary file is never a
/// result; other shards' files are left alone, they may be running).
fn remove_unfinished(dir: &Path, shard: Shard) -> Result<()> {
    let points = dir.join(POINTS_DIR);
    for entry in
        fs::read_dir(&points).with_context(|| format!("cannot read {}", points.display()))?
    {
        let path = entry?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let point = name
            .strip_prefix(".point-")
            .and_then(|rest| rest.split('.').next())
            .and_then(|p| p.parse::<usize>().ok());
        if name.ends_with(".tmp") && point.is_some_and(|p| shard.owns(p)) {
            fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
        }
    }
    Ok(())
}

/// Points of `shard` not finished yet: without both records (a folder
/// begun before per-replication records has only the first, and its
/// points are run again).
pub fn remaining(dir: &Path, sweep: &Sweep, shard: Shard) -> Vec<usize> {
    (0..sweep.design.points.len())
        .filter(|&p| shard.owns(p) && !Table::BOTH.iter().all(|t| t.record(dir, p).is_file()))
        .collect()
}

/// Run the points of `shard` not finished yet, writing each record when done.
/// `on_point_done` is told how many points this call has finished.
/// Returns `false` when cancelled.
pub fn run(dir: &Path, sweep: &Sweep, shard: Shard, hooks: &Hooks) -> Result<bool> {
    remove_unfinished(dir, shard)?;
    let todo = remaining(dir, sweep, shard);
    let done = AtomicUsize::new(0);
    let inner = Hooks {
        on_run_done: None,
        cancel: hooks.cancel,
    };
    todo.par_iter().try_for_each(|&p| -> Result<()> {
        let model = sweep.model(p).map_err(|e| anyhow::anyhow!("{e}"))?;
        let contrasts =
            parse_contrasts(&model, &sweep.contrasts).map_err(|e| anyhow::anyhow!("{e}"))?;
        let Some(summary) = super::run_summary(&model, &inner) else {
            return Ok(());
        };
        let values = &sweep.design.points[p];
        let replications = effect_records(&model, &summary);
        write_atomic(
            &Table::Replications.record(dir, p),
            point_lines(p, &[], replications.iter().map(|r| r.to_vec()))?.as_bytes(),
        )?;
        // Written last: once it is there, the point has both its records.
        let rows = summary.rows(&model, &contrasts);
        write_atomic(
            &Table::Points.record(dir, p),
            point_lines(p, values, rows.iter().map(summary_cells))?.as_bytes(),
        )?;
        let finished = done.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(report) = hooks.on_run_done {
            report(finished);
        }
        Ok(())
    })?;
    Ok(remaining(dir, sweep, shard).is_empty())
}

/// The cells of a summary row in `points.csv`, between the point and the
/// parameters.
fn summary_cells(row: &SummaryRow) -> Vec<String> {
    table::cells(SUMMARY_COLUMNS, row).collect()
}

/// The CSV lines of one point (no header): each row's cells between the
/// point's number and `values` (its parameter values, or none).
fn point_lines(
    p: usize,
    values: &[String],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<String> {
    let mut writer = csv::WriterBuilder::new().from_writer(Vec::new());
    for cells in rows {
        let line = (std::iter::once(p.to_string()).chain(cells)).chain(values.iter().cloned());
        writer.write_record(line)?;
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
}

/// The header line of `points.csv` as CSV text.
fn header_line(header: &[String]) -> Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header)?;
    Ok(String::from_utf8(writer.into_inner()?)?)
}

/// Join the finished records of `shard` into `points.csv` and
/// `points-replications.csv` (whole sweep), or into `part-i-of-n.csv` and
/// `part-i-of-n-replications.csv` with their `part-i-of-n.json`; returns
/// the tables written.
pub fn assemble(dir: &Path, sweep: &Sweep, shard: Shard) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for table in Table::BOTH {
        let header = match table {
            Table::Points => sweep.header(),
            Table::Replications => sweep.replications_header(),
        };
        let path = dir.join(table.file_name(shard));
        let mut file = AtomicFile::create(&path)?;
        file.writer().write_all(header_line(&header)?.as_bytes())?;
        for p in (0..sweep.design.points.len()).filter(|&p| shard.owns(p)) {
            let record = fs::read(table.record(dir, p)).with_context(|| {
                format!("point {p} is not finished; run the sweep again to resume")
            })?;
            file.writer().write_all(&record)?;
        }
        file.commit()?;
        written.push(path);
    }
    if shard != Shard::ALL {
        let mut identity = sweep.identity();
        identity["shard"] = json!({"index": shard.index, "count": shard.count});
        let manifest = dir.join(format!("{}.json", shard.stem()));
        write_atomic(&manifest, format!("{identity:#}\n").as_bytes())?;
    }
    Ok(written)
}

/// Join the parts of a sharded sweep into `points.csv` and
/// `points-replications.csv`, refusing parts that are missing, duplicated,
/// or from another sweep; returns the tables written. Neither table is
/// written unless both can be.
pub fn merge(dir: &Path) -> Result<Vec<PathBuf>> {
    let identity: Value = fs::read_to_string(dir.join(IDENTITY))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .with_context(|| {
            format!(
                "{} has no readable {IDENTITY}: is it a sweep folder?",
                dir.display()
            )
        })?;
    let shards = find_parts(dir, &identity)?;
    let points = identity["points"]
        .as_u64()
        .context("sweep.json has no point count")? as usize;
    let joined = Table::BOTH
        .iter()
        .map(|&table| join_parts(dir, table, &shards, points))
        .collect::<Result<Vec<_>>>()?;
    let mut written = Vec::new();
    for (table, file) in Table::BOTH.iter().zip(joined) {
        file.commit()?;
        written.push(dir.join(table.file_name(Shard::ALL)));
    }
    Ok(written)
}

/// The parts of `table` joined in point order, not yet committed.
fn join_parts(dir: &Path, table: Table, shards: &[Shard], points: usize) -> Result<AtomicFile> {
    let mut readers = shards
        .iter()
        .map(|&shard| PartReader::open(&dir.join(table.file_name(shard))))
        .collect::<Result<Vec<_>>>()?;
    let header = readers[0].header.clone();
    if let Some(other) = readers.iter().find(|r| r.header != header) {
        bail!(
            "{} has another header than {}",
            other.path.display(),
            readers[0].path.display()
        );
    }
    let mut file = AtomicFile::create(&dir.join(table.file_name(Shard::ALL)))?;
    file.writer().write_all(header.as_bytes())?;
    let count = readers.len();
    for p in 0..points {
        let lines = readers[p % count].take_point(p)?;
        for line in lines {
            file.writer().write_all(line.as_bytes())?;
        }
    }
    for reader in &mut readers {
        reader.expect_end()?;
    }
    Ok(file)
}

/// The parts of a sweep, in shard order, checked against its identity.
fn find_parts(dir: &Path, identity: &Value) -> Result<Vec<Shard>> {
    let mut shards: Vec<(usize, usize)> = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let name = entry?.file_name().to_string_lossy().to_string();
        let Some(stem) = name
            .strip_prefix("part-")
            .and_then(|n| n.strip_suffix(".json"))
        else {
            continue;
        };
        let parsed = stem
            .split_once("-of-")
            .and_then(|(i, n)| Some((i.parse().ok()?, n.parse().ok()?)));
        let Some(shard) = parsed else { continue };
        shards.push(shard);
    }
    if shards.is_empty() {
        bail!(
            "{} holds no part-i-of-n.json: run the shards first",
            dir.display()
        );
    }
    shards.sort_unstable();
    let count = shards[0].1;
    if shards.iter().any(|&(_, n)| n != count) {
        bail!(
            "{} holds parts of different splits (part-*-of-n with several n); remove the stale ones",
            dir.display()
        );
    }
    let missing: Vec<String> = (0..count)
        .filter(|i| !shards.contains(&(*i, count)))
        .map(|i| format!("part-{i}-of-{count}"))
        .collect();
    if !missing.is_empty() {
        bail!(
            "missing parts: {}; run those shards (or the sweep again) first",
            missing.join(", ")
        );
    }
    let mut parts = Vec::new();
    for index in 0..count {
        let manifest = dir.join(format!("part-{index}-of-{count}.json"));
        let mut part: Value = fs::read_to_string(&manifest)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .with_context(|| format!("{} is damaged", manifest.display()))?;
        part.as_object_mut().map(|o| o.remove("shard"));
        if &part != identity {
            bail!(
                "{} comes from another sweep (scenario, seed, replications, arms, contrasts or design differ from sweep.json)",
                manifest.display()
            );
        }
        parts.push(Shard { index, count });
    }
    Ok(parts)
}

/// Reads a part's lines point by point.
struct PartReader {
    path: PathBuf,
    header: String,
    lines: std::iter::Peekable<std::io::Lines<BufReader<fs::File>>>,
}

impl PartReader {
    fn open(path: &Path) -> Result<PartReader> {
        let file =
            fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
        let mut lines = BufReader::new(file).lines().peekable();
        let header = match lines.next() {
            Some(line) => line? + "\n",
            None => bail!("{} is empty", path.display()),
        };
        Ok(PartReader {
            path: path.to_path_buf(),
            header,
            lines,
        })
    }

    /// The lines of point `p`, which must come next.
    fn take_point(&mut self, p: usize) -> Result<Vec<String>> {
        let prefix = format!("{p},");
        let mut taken = Vec::new();
        while let Some(Ok(line)) = self.lines.peek() {
            if !line.starts_with(&prefix) {
                break;
            }
            taken.push(self.lines.next().expect("peeked")? + "\n");
        }
        if taken.is_empty() {
            bail!(
                "{} has no rows for point {p}; the part is incomplete or damaged",
                self.path.display()
            );
        }
        Ok(taken)
    }

    fn expect_end(&mut self) -> Result<()> {
        match self.lines.next() {
            None => Ok(()),
            Some(line) => bail!(
                "{} has rows beyond its points: {:?}",
                self.path.display(),
                line.unwrap_or_default()
            ),
        }
    }
}
