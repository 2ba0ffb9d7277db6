//! Global sensitivity analysis of a scenario's headline effects: a Saltelli
//! (Sobol indices) or Morris design run with the sweep machinery (so it
//! shards and resumes like a sweep), then the indices of each output.
//!
//! The folder is a sweep folder plus `indices.csv`
//! (`output,parameter,method,index,value,ci_low,ci_high`) and
//! `sensitivity.json` (what was analysed; each range says whether its field
//! is an integer, whose values the design holds rounded, as run).

use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_json::json;

use super::design::Design;
use super::parameter::Parameter;
use super::sensitivity::{self, Bootstrapped, MORRIS_LEVELS, MorrisPlan};
use super::sweep::Sweep;
use crate::output::folder::{AtomicFile, write_atomic};
use crate::table::opt;

/// The outputs analysed: the headline effects of the chosen arm against the baseline.
pub const OUTPUTS: [&str; 4] = super::metrics::HEADLINE;

/// Bootstrap replicates for the intervals.
pub const BOOTSTRAP: u32 = 1000;

/// Which method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Method {
    /// Sobol first-order and total indices (Saltelli sampling, Saltelli 2010 and Jansen estimators).
    Sobol,
    /// Morris elementary effects (mu*, mu, sigma) for screening.
    Morris,
}

/// What to analyse.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Method.
    pub method: Method,
    /// Parameters and their ranges (uniform; integer fields rounded when applied).
    pub parameters: Vec<Parameter>,
    /// Sobol base rows N (N x (k + 2) points) or Morris trajectories r (r x (k + 1) points).
    pub samples: usize,
    /// The intervention arm whose effects are analysed.
    pub arm: String,
    /// Seed of the design and of the bootstrap.
    pub seed: u64,
}

impl Plan {
    /// The design to run.
    pub fn design(&self) -> Result<Design> {
        match self.method {
            Method::Sobol => sensitivity::saltelli(&self.parameters, self.samples, self.seed),
            Method::Morris => self.morris()?.design(&self.parameters),
        }
    }

    fn morris(&self) -> Result<MorrisPlan> {
        MorrisPlan::new(
            self.parameters.len(),
            self.samples,
            MORRIS_LEVELS,
            self.seed,
        )
    }

    fn method_name(&self) -> &'static str {
        match self.method {
            Method::Sobol => "sobol",
            Method::Morris => "morris",
        }
    }
}

/// One row of `indices.csv`.
struct IndexRow {
    output: &'static str,
    parameter: String,
    index: &'static str,
    value: Bootstrapped,
}

/// Compute the indices from the sweep's `points.csv` and write `indices.csv`
/// and `sensitivity.json`.
pub fn analyse(dir: &Path, sweep: &Sweep, plan: &Plan) -> Result<()> {
    let points = sweep.design.points.len();
    let mut rows = Vec::new();
    let mut used = serde_json::Map::new();
    for output in OUTPUTS {
        let y = outputs(&dir.join("points.csv"), &plan.arm, output, points)?;
        let (indices, rows_used) = indices(plan, output, &y)?;
        rows.extend(indices);
        used.insert(output.to_string(), json!(rows_used));
    }
    write_indices(&dir.join("indices.csv"), plan, &rows)?;
    let manifest = json!({
        "tool": "caasim",
        "kind": "sensitivity",
        "method": plan.method_name(),
        "arm": plan.arm,
        "outputs": OUTPUTS,
        "parameters": plan.parameters.iter().map(|p| p.range.parameter.clone()).collect::<Vec<_>>(),
        "ranges": plan.parameters.iter().map(|p| json!({
            "parameter": p.range.parameter, "low": p.range.low, "high": p.range.high, "integer": p.integer,
        })).collect::<Vec<_>>(),
        "samples": plan.samples,
        "replications": sweep.base.replications,
        "seed": plan.seed,
        "points": points,
        "bootstrap": BOOTSTRAP,
        "rows_used": used,
    });
    write_atomic(
        &dir.join("sensitivity.json"),
        format!("{manifest:#}\n").as_bytes(),
    )
}

/// The indices of one output; returns the rows and the base rows (Sobol) or
/// trajectories (Morris) used.
fn indices(plan: &Plan, output: &'static str, y: &[Option<f64>]) -> Result<(Vec<IndexRow>, usize)> {
    let row = |parameter: &Parameter, index: &'static str, value: Bootstrapped| IndexRow {
        output,
        parameter: parameter.range.parameter.clone(),
        index,
        value,
    };
    let plain = |value: Option<f64>| Bootstrapped {
        value,
        ci_low: None,
        ci_high: None,
    };
    let mut rows = Vec::new();
    match plan.method {
        Method::Sobol => {
            let s = sensitivity::sobol_indices(y, plan.parameters.len(), BOOTSTRAP, plan.seed)?;
            for (k, parameter) in plan.parameters.iter().enumerate() {
                rows.push(row(parameter, "S1", s.first_order[k]));
                rows.push(row(parameter, "ST", s.total[k]));
            }
            Ok((rows, s.rows_used))
        }
        Method::Morris => {
            let m = plan.morris()?.effects(y, BOOTSTRAP, plan.seed)?;
            for (parameter, e) in plan.parameters.iter().zip(&m.parameters) {
                rows.push(row(parameter, "mu_star", e.mu_star));
                rows.push(row(parameter, "mu", plain(e.mu)));
                rows.push(row(parameter, "sigma", plain(e.sigma)));
            }
            Ok((rows, m.trajectories_used))
        }
    }
}

/// The mean of `metric` for `arm` at every point (`None` where undefined).
fn outputs(path: &Path, arm: &str, metric: &str, points: usize) -> Result<Vec<Option<f64>>> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut y = vec![None; points];
    let mut seen_arm = false;
    for (line, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("{}:{}", path.display(), line + 2))?;
        if record.get(1) != Some(arm) {
            continue;
        }
        seen_arm = true;
        if record.get(2) != Some(metric) {
            continue;
        }
        let point: usize = record
            .get(0)
            .and_then(|p| p.parse().ok())
            .filter(|&p| p < points)
            .with_context(|| format!("{}:{}: bad point number", path.display(), line + 2))?;
        y[point] = record
            .get(3)
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|v| v.is_finite());
    }
    if !seen_arm {
        bail!("{} has no rows for arm {arm:?}", path.display());
    }
    Ok(y)
}

fn write_indices(path: &Path, plan: &Plan, rows: &[IndexRow]) -> Result<()> {
    let mut file = AtomicFile::create(path)?;
    {
        let mut csv = csv::Writer::from_writer(file.writer());
        csv.write_record([
            "output",
            "parameter",
            "method",
            "index",
            "value",
            "ci_low",
            "ci_high",
        ])?;
        for row in rows {
            csv.write_record([
                row.output,
                &row.parameter,
                plan.method_name(),
                row.index,
                &opt(row.value.value),
                &opt(row.value.ci_low),
                &opt(row.value.ci_high),
            ])?;
        }
        csv.flush()?;
    }
    file.commit()
}
