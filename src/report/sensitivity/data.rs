//! Reading and checking a sensitivity folder: `sensitivity.json`,
//! `indices.csv` and `ranking.csv` (absent from folders written before it
//! existed), and of the sweep that was run for them `sweep.json` and
//! the arm column of `points.csv` (to count the runs). `design.csv` and
//! `points/` are not read.

use crate::experiment::gsa::RANKING_COLUMNS;
use crate::experiment::sweep::IDENTITY as SWEEP_IDENTITY;
use crate::report::csvfile::{malformed, open_exact};
use crate::report::sweep::{self, missing_points, read_json};
use anyhow::{Context, Result, bail, ensure};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// What the analysis is.
pub const IDENTITY: &str = "sensitivity.json";
/// The estimated indices.
pub const INDICES: &str = "indices.csv";
/// The ranking of the parameters per output.
pub const RANKING: &str = "ranking.csv";
/// Columns of `indices.csv`.
const COLUMNS: [&str; 7] = [
    "output",
    "parameter",
    "method",
    "index",
    "value",
    "ci_low",
    "ci_high",
];

/// Whether `dir` holds a `sensitivity.json` whose `kind` is `"sensitivity"`.
pub fn is_sensitivity_folder(dir: &Path) -> Result<bool> {
    let path = dir.join(IDENTITY);
    if !path.exists() {
        return Ok(false);
    }
    let value = read_json(&path)?;
    Ok(value.get("kind").and_then(Value::as_str) == Some("sensitivity"))
}

/// How the indices were estimated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Sobol indices from a Saltelli design.
    Sobol,
    /// Morris elementary-effects screening.
    Morris,
}

impl Method {
    /// The name used in the files.
    pub fn id(self) -> &'static str {
        match self {
            Method::Sobol => "sobol",
            Method::Morris => "morris",
        }
    }

    /// The name shown to readers.
    pub fn title(self) -> &'static str {
        match self {
            Method::Sobol => "Sobol indices",
            Method::Morris => "Morris screening",
        }
    }

    /// The indices `indices.csv` holds for this method, in display order.
    pub fn stats(self) -> &'static [Stat] {
        match self {
            Method::Sobol => &[Stat::S1, Stat::ST],
            Method::Morris => &[Stat::MuStar, Stat::Mu, Stat::Sigma],
        }
    }

    /// What the samples are: base rows or trajectories.
    pub fn samples(self) -> &'static str {
        match self {
            Method::Sobol => "base rows",
            Method::Morris => "trajectories",
        }
    }
}

/// One kind of index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stat {
    /// Sobol first-order index.
    S1,
    /// Sobol total index.
    ST,
    /// Morris mean absolute elementary effect.
    MuStar,
    /// Morris mean elementary effect.
    Mu,
    /// Morris standard deviation of the elementary effects.
    Sigma,
}

impl Stat {
    /// The name in `indices.csv`.
    pub fn id(self) -> &'static str {
        match self {
            Stat::S1 => "S1",
            Stat::ST => "ST",
            Stat::MuStar => "mu_star",
            Stat::Mu => "mu",
            Stat::Sigma => "sigma",
        }
    }

    /// The symbol shown to readers.
    pub fn symbol(self) -> &'static str {
        match self {
            Stat::S1 => "S1",
            Stat::ST => "ST",
            Stat::MuStar => "μ*",
            Stat::Mu => "μ",
            Stat::Sigma => "σ",
        }
    }
}

/// The range over which a parameter was varied.
#[derive(Debug, Deserialize)]
pub struct ParameterRange {
    /// Parameter path.
    pub parameter: String,
    /// Lowest value.
    pub low: f64,
    /// Highest value.
    pub high: f64,
    /// The distribution, as in `[uncertain]` (`None` in folders written
    /// before it was recorded, whose ranges were uniform).
    #[serde(default)]
    pub distribution: Option<Value>,
}

impl ParameterRange {
    /// The distribution in words, e.g. `normal(mean 10, sd 4, low 5, high 30)`.
    pub fn distribution_text(&self) -> String {
        let Some(dist) = &self.distribution else {
            return format!("uniform(low {}, high {})", self.low, self.high);
        };
        let name = dist
            .get("dist")
            .and_then(Value::as_str)
            .unwrap_or("unknown");
        let fields: Vec<String> = [
            "mean", "sd", "median", "sigma", "low", "mode", "high", "values",
        ]
        .iter()
        .filter_map(|key| dist.get(*key).map(|v| format!("{key} {v}")))
        .collect();
        format!("{name}({})", fields.join(", "))
    }
}

/// The Morris stage of a screening (`screen` in `sensitivity.json`).
#[derive(Debug, Deserialize)]
pub struct Screen {
    /// Its folder, relative to this one.
    pub folder: String,
    /// Morris trajectories.
    pub trajectories: u64,
    /// The share of the largest mu* a parameter needed to be kept.
    pub cutoff: f64,
    /// The parameters kept for the Sobol stage.
    pub kept: Vec<String>,
    /// The parameters screened out.
    pub screened_out: Vec<String>,
    /// Every parameter screened, with its distribution.
    #[serde(default)]
    pub ranges: Vec<ParameterRange>,
}

/// One row of `ranking.csv`.
#[derive(Debug, Clone, Deserialize)]
pub struct Ranked {
    /// The output.
    pub output: String,
    /// The parameter's path.
    pub parameter: String,
    /// 1 for the parameter that drives the output most.
    pub rank: u64,
    /// The method whose index ranks it: `sobol` or `morris`.
    pub stage: String,
    /// The index: `ST` or `mu_star`.
    pub index: String,
    /// Its value (`None` when undefined).
    pub value: Option<f64>,
}

/// What the analysis is, from `sensitivity.json`.
#[derive(Debug, Deserialize)]
pub struct Identity {
    /// How the indices were estimated.
    pub method: Method,
    /// The intervention arm whose effects were analysed.
    pub arm: String,
    /// The effect metrics analysed.
    pub outputs: Vec<String>,
    /// Parameter paths, in design order.
    pub parameters: Vec<String>,
    /// The range of each parameter.
    #[serde(default)]
    pub ranges: Vec<ParameterRange>,
    /// Sobol base rows or Morris trajectories.
    pub samples: Option<u64>,
    /// Replications per arm and point.
    pub replications: Option<u64>,
    /// Master seed.
    pub seed: Option<u64>,
    /// Number of design points.
    pub points: Option<u64>,
    /// Bootstrap replicates of the intervals.
    pub bootstrap: Option<u64>,
    /// Per output, the samples with every output defined (those used).
    #[serde(default)]
    pub rows_used: BTreeMap<String, u64>,
    /// The Morris stage, when this is the Sobol stage of a screening.
    #[serde(default)]
    pub screen: Option<Screen>,
}

/// An index and its 95% interval, each `None` when undefined.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Index {
    /// The estimate.
    pub value: Option<f64>,
    /// The interval, low end first.
    pub interval: Option<(f64, f64)>,
}

/// Everything the sensitivity plots and page need.
#[derive(Debug)]
pub struct Sensitivity {
    /// `sensitivity.json`.
    pub identity: Identity,
    /// `sweep.json` of the sweep that was run.
    pub sweep: sweep::Identity,
    /// Intervention arms run at each point, from `points.csv`.
    pub arms: Vec<String>,
    /// Per (output, parameter, index), by position in `identity`.
    indices: BTreeMap<(usize, usize, Stat), Index>,
    /// `ranking.csv`, in file order (empty when the folder has none).
    pub ranking: Vec<Ranked>,
}

impl Sensitivity {
    /// Reads and checks the files of the sensitivity folder `dir`.
    pub fn load(dir: &Path) -> Result<Self> {
        let identity = read_identity(dir)?;
        let sweep = read_sweep(dir, &identity)?;
        let indices = read_indices(dir, &identity)?;
        let arms = read_arms(dir)?;
        let ranking = read_ranking(dir)?;
        Ok(Self {
            identity,
            sweep,
            arms,
            indices,
            ranking,
        })
    }

    /// Index `stat` of parameter `p` for output `o` (undefined when absent).
    pub fn index(&self, o: usize, p: usize, stat: Stat) -> Index {
        self.indices.get(&(o, p, stat)).copied().unwrap_or_default()
    }

    /// Samples used for output `o`, as far as `sensitivity.json` says.
    pub fn rows_used(&self, o: usize) -> Option<u64> {
        self.identity
            .rows_used
            .get(&self.identity.outputs[o])
            .copied()
    }

    /// Replications per arm and point.
    pub fn replications(&self) -> Option<u64> {
        self.identity.replications.or(self.sweep.replications)
    }

    /// Number of design points.
    pub fn points(&self) -> Option<u64> {
        (self.identity.points).or(self.sweep.points.map(|p| p as u64))
    }

    /// Arms run at each point: the baseline and the intervention arms.
    pub fn arm_count(&self) -> u64 {
        self.arms.len() as u64 + 1
    }

    /// Simulation runs: points × arms × replications.
    pub fn runs(&self) -> Option<u64> {
        Some(self.points()? * self.arm_count() * self.replications()?)
    }

    /// The range of parameter `p`, if `sensitivity.json` gives it.
    pub fn range(&self, p: usize) -> Option<&ParameterRange> {
        let path = &self.identity.parameters[p];
        self.identity.ranges.iter().find(|r| &r.parameter == path)
    }
}

fn read_identity(dir: &Path) -> Result<Identity> {
    let path = dir.join(IDENTITY);
    let identity: Identity = serde_json::from_value(read_json(&path)?)
        .with_context(|| format!("{} is malformed", path.display()))?;
    let name = path.display();
    ensure!(!identity.outputs.is_empty(), "{name} lists no outputs");
    ensure!(
        !identity.parameters.is_empty(),
        "{name} lists no parameters"
    );
    for range in &identity.ranges {
        ensure!(
            identity.parameters.contains(&range.parameter),
            "{name}: the range of {} is not of one of its parameters",
            range.parameter
        );
        ensure!(
            range.low.is_finite() && range.high.is_finite(),
            "{name}: the range of {} is not finite",
            range.parameter
        );
    }
    Ok(identity)
}

/// `sweep.json`, checked against `sensitivity.json`.
fn read_sweep(dir: &Path, identity: &Identity) -> Result<sweep::Identity> {
    let path = dir.join(SWEEP_IDENTITY);
    let sweep: sweep::Identity = serde_json::from_value(read_json(&path)?)
        .with_context(|| format!("{} is malformed", path.display()))?;
    ensure!(
        sweep.parameters == identity.parameters,
        "{}: the parameters {} differ from the parameters {} of {IDENTITY}",
        path.display(),
        sweep.parameters.join(", "),
        identity.parameters.join(", ")
    );
    if let (Some(swept), Some(analysed)) = (sweep.points, identity.points) {
        ensure!(
            swept as u64 == analysed,
            "{}: {swept} points, but {IDENTITY} says {analysed}",
            path.display()
        );
    }
    Ok(sweep)
}

/// The intervention arms of `points.csv`, in order of first appearance.
fn read_arms(dir: &Path) -> Result<Vec<String>> {
    let path = dir.join("points.csv");
    let mut reader = csv::Reader::from_path(&path).with_context(|| missing_points(dir))?;
    let header = reader
        .headers()
        .with_context(|| format!("{}, line 1: unreadable header", path.display()))?;
    ensure!(
        header.get(1) == Some("arm"),
        "{}, line 1: the second column is not arm (not a sweep's points.csv)",
        path.display()
    );
    let mut arms: Vec<String> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| malformed(e, &path))?;
        let arm = record.get(1).unwrap_or("").trim();
        if !arm.is_empty() && !arms.iter().any(|a| a == arm) {
            arms.push(arm.to_string());
        }
    }
    Ok(arms)
}

/// The rows of `ranking.csv`, or none when the folder has no ranking.
fn read_ranking(dir: &Path) -> Result<Vec<Ranked>> {
    let path = dir.join(RANKING);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let reader = open_exact(&path, &RANKING_COLUMNS, || {
        format!("cannot read {}", path.display())
    })?;
    (reader.into_deserialize())
        .map(|row| row.map_err(|e| malformed(e, &path)))
        .collect()
}

type Indices = BTreeMap<(usize, usize, Stat), Index>;

/// The rows of `indices.csv`, each checked against `sensitivity.json`.
fn read_indices(dir: &Path, identity: &Identity) -> Result<Indices> {
    let path = dir.join(INDICES);
    let mut reader = open_exact(&path, &COLUMNS, || {
        format!(
            "cannot read {}: the analysis has not finished; run `caasim sensitivity` again",
            path.display()
        )
    })?;
    let mut indices = Indices::new();
    for record in reader.records() {
        let record = record.map_err(|e| malformed(e, &path))?;
        let line = record.position().map_or(0, csv::Position::line);
        let (key, index) = parse_row(&record, identity)
            .with_context(|| format!("{}, line {line}", path.display()))?;
        ensure!(
            indices.insert(key, index).is_none(),
            "{}, line {line}: a second row for output {}, parameter {}, index {}",
            path.display(),
            identity.outputs[key.0],
            identity.parameters[key.1],
            key.2.id()
        );
    }
    ensure!(!indices.is_empty(), "{} has no indices", path.display());
    Ok(indices)
}

/// One row of `indices.csv` whose header has been checked.
fn parse_row(
    record: &csv::StringRecord,
    identity: &Identity,
) -> Result<((usize, usize, Stat), Index)> {
    let cell = |i: usize| record.get(i).unwrap_or("").trim();
    let position = |list: &[String], i: usize, what: &str| {
        list.iter().position(|v| v == cell(i)).with_context(|| {
            format!(
                "{what} {:?} is not one of the {what}s of {IDENTITY} ({})",
                cell(i),
                list.join(", ")
            )
        })
    };
    let output = position(&identity.outputs, 0, "output")?;
    let parameter = position(&identity.parameters, 1, "parameter")?;
    let method = identity.method;
    if cell(2) != method.id() {
        bail!("method {:?}, but {IDENTITY} says {}", cell(2), method.id());
    }
    let stat = (method.stats().iter())
        .find(|s| s.id() == cell(3))
        .with_context(|| {
            let names: Vec<&str> = method.stats().iter().map(|s| s.id()).collect();
            format!(
                "index {:?} is not an index of {} ({})",
                cell(3),
                method.id(),
                names.join(", ")
            )
        })?;
    let value = optional_number(cell(4), "value")?;
    let low = optional_number(cell(5), "ci_low")?;
    let high = optional_number(cell(6), "ci_high")?;
    let index = Index {
        value,
        interval: low.zip(high).map(|(l, h)| (l.min(h), l.max(h))),
    };
    Ok(((output, parameter, *stat), index))
}

/// An empty cell is undefined, as is a non-finite number.
fn optional_number(text: &str, column: &str) -> Result<Option<f64>> {
    if text.is_empty() {
        return Ok(None);
    }
    let value: f64 = text
        .parse()
        .ok()
        .with_context(|| format!("{column} {text:?} is not a number"))?;
    Ok(Some(value).filter(|v| v.is_finite()))
}
