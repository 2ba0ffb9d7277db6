//! Parameter sweeps: every point of a design runs all arms for all
//! replications, and its effect estimates are written as one record per
//! point, atomically, so that an interrupted sweep resumes where it stopped.
//!
//! A sweep folder holds `sweep.json` (what the sweep is: scenario, overrides,
//! seed, replications and design fingerprints), `design.csv`, `points/`
//! (one finished record per point) and, once its points are done,
//! `points.csv` (or `part-i-of-n.csv` and `part-i-of-n.json` for a shard).
//! `caasim merge` joins the parts into exactly the `points.csv` of the same
//! sweep run without shards.
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
use super::{Hooks, SummaryRow};
use crate::model::Model;
use crate::output::folder::{self, AtomicFile, write_atomic};
use crate::scenario::error::Problem;
use crate::scenario::{self, ScenarioError};
use crate::table::opt;

/// What the sweep is; written to `sweep.json`, checked on resume and merge.
pub const IDENTITY: &str = "sweep.json";
/// Folder of finished point records.
pub const POINTS_DIR: &str = "points";

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
    /// (`arms` only when `--arms` is given, so that the identity of a sweep
    /// of every arm is as before.)
    pub fn identity(&self) -> Value {
        let resolved = scenario::resolved_toml(&self.base.scenario);
        let mut identity = json!({
            "tool": "caasim",
            "kind": "sweep",
            "version": env!("CARGO_PKG_VERSION"),
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
        identity
    }

    /// The header of `points.csv` and of the parts.
    pub fn header(&self) -> Vec<String> {
        let mut header: Vec<String> = ["point", "arm", "metric", "mean", "ci_low", "ci_high", "n"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        header.extend(self.design.parameters.iter().cloned());
        header
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
                "{} holds a different sweep (scenario, overrides, seed, replications or design differ); choose another --out",
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

/// The record file of point `p`.
fn point_file(dir: &Path, p: usize) -> PathBuf {
    dir.join(POINTS_DIR).join(format!("point-{p}.csv"))
}

/// Points of `shard` not finished yet.
pub fn remaining(dir: &Path, sweep: &Sweep, shard: Shard) -> Vec<usize> {
    (0..sweep.design.points.len())
        .filter(|&p| shard.owns(p) && !point_file(dir, p).is_file())
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
        let Some(summary) = super::run_summary(&model, &inner) else {
            return Ok(());
        };
        // The effects over every replication: points.csv has no columns
        // for outcomes or contrasts (yet).
        let rows: Vec<SummaryRow> = (summary.rows(&model, &[]).into_iter())
            .filter(SummaryRow::is_effect)
            .collect();
        write_atomic(
            &point_file(dir, p),
            point_record(p, &sweep.design.points[p], &rows)?.as_bytes(),
        )?;
        let finished = done.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(report) = hooks.on_run_done {
            report(finished);
        }
        Ok(())
    })?;
    Ok(remaining(dir, sweep, shard).is_empty())
}

/// The CSV lines of one point (no header).
fn point_record(p: usize, values: &[String], rows: &[SummaryRow]) -> Result<String> {
    let mut writer = csv::WriterBuilder::new().from_writer(Vec::new());
    for row in rows {
        let mut cells = vec![
            p.to_string(),
            row.arm.clone(),
            row.metric.to_string(),
            opt(row.estimate.mean),
            opt(row.estimate.ci_low),
            opt(row.estimate.ci_high),
            row.estimate.n.to_string(),
        ];
        cells.extend(values.iter().cloned());
        writer.write_record(&cells)?;
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
}

/// The header line of `points.csv` as CSV text.
fn header_line(header: &[String]) -> Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header)?;
    Ok(String::from_utf8(writer.into_inner()?)?)
}

/// Join the finished records of `shard` into `points.csv` (whole sweep) or
/// `part-i-of-n.csv` with its `part-i-of-n.json`.
pub fn assemble(dir: &Path, sweep: &Sweep, shard: Shard) -> Result<PathBuf> {
    let name = if shard == Shard::ALL {
        "points.csv".to_string()
    } else {
        format!("{}.csv", shard.stem())
    };
    let path = dir.join(&name);
    let mut file = AtomicFile::create(&path)?;
    file.writer()
        .write_all(header_line(&sweep.header())?.as_bytes())?;
    for p in (0..sweep.design.points.len()).filter(|&p| shard.owns(p)) {
        let record = fs::read(point_file(dir, p))
            .with_context(|| format!("point {p} is not finished; run the sweep again to resume"))?;
        file.writer().write_all(&record)?;
    }
    file.commit()?;
    if shard != Shard::ALL {
        let mut identity = sweep.identity();
        identity["shard"] = json!({"index": shard.index, "count": shard.count});
        let manifest = dir.join(format!("{}.json", shard.stem()));
        write_atomic(&manifest, format!("{identity:#}\n").as_bytes())?;
    }
    Ok(path)
}

/// Join `part-i-of-n.csv` files into `points.csv`, refusing parts that are
/// missing, duplicated, or from another sweep.
pub fn merge(dir: &Path) -> Result<PathBuf> {
    let identity: Value = fs::read_to_string(dir.join(IDENTITY))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .with_context(|| {
            format!(
                "{} has no readable {IDENTITY}: is it a sweep folder?",
                dir.display()
            )
        })?;
    let parts = find_parts(dir, &identity)?;
    let points = identity["points"]
        .as_u64()
        .context("sweep.json has no point count")? as usize;
    let mut readers = parts
        .iter()
        .map(|path| PartReader::open(path))
        .collect::<Result<Vec<_>>>()?;
    let header = readers[0].header.clone();
    if let Some(other) = readers.iter().find(|r| r.header != header) {
        bail!(
            "{} has another header than {}",
            other.path.display(),
            readers[0].path.display()
        );
    }
    let path = dir.join("points.csv");
    let mut file = AtomicFile::create(&path)?;
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
    file.commit()?;
    Ok(path)
}

/// The part files of a sweep, in shard order, checked against its identity.
fn find_parts(dir: &Path, identity: &Value) -> Result<Vec<PathBuf>> {
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
                "{} comes from another sweep (scenario, seed, replications or design differ from sweep.json)",
                manifest.display()
            );
        }
        parts.push(dir.join(format!("part-{index}-of-{count}.csv")));
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
