//! Global sensitivity analysis of a scenario's headline effects: a Saltelli
//! (Sobol indices) or Morris design run with the sweep machinery (so it
//! shards and resumes like a sweep), then the indices of each output.
//!
//! The parameters are `--range` flags (uniform over each range) or, without
//! them, the scenario's uncertain parameters, each with its own distribution
//! ([`Factor`]). A screening ([`survivors`]) runs Morris on all of them, then
//! Sobol on those whose effect is not negligible.
//!
//! The folder is a sweep folder plus `indices.csv`
//! (`output,parameter,method,index,value,ci_low,ci_high`), `ranking.csv`
//! (`arm,output,parameter,rank,stage,index,value,ci_low,ci_high`, see
//! [`RANKING_COLUMNS`]) and `sensitivity.json` (what was analysed; each range
//! gives its distribution and says whether its field is an integer, whose
//! values the design holds rounded, as run).

use std::cmp::Ordering;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use super::design::Design;
use super::metrics::Statistic;
use super::outcome::Outcome;
use super::parameter::{Axis, Parameter};
use super::sensitivity::{self, Bootstrapped, MORRIS_LEVELS, MorrisPlan};
use super::sweep::Sweep;
use crate::model::uncertain::UncertainParameter;
use crate::output::folder::{AtomicFile, write_atomic};
use crate::table::opt;

/// The outputs analysed: the headline effects of the chosen arm against the baseline.
pub const OUTPUTS: [&str; 4] = super::metrics::HEADLINE;

/// Bootstrap replicates for the intervals.
pub const BOOTSTRAP: u32 = 1000;

/// Columns of `ranking.csv`.
pub const RANKING_COLUMNS: [&str; 9] = [
    "arm",
    "output",
    "parameter",
    "rank",
    "stage",
    "index",
    "value",
    "ci_low",
    "ci_high",
];

/// Which method a design and its indices use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Sobol first-order and total indices (Saltelli sampling, Saltelli 2010 and Jansen estimators).
    Sobol,
    /// Morris elementary effects (mu*, mu, sigma) for screening.
    Morris,
}

impl Method {
    /// The name in the files.
    pub fn name(self) -> &'static str {
        match self {
            Method::Sobol => "sobol",
            Method::Morris => "morris",
        }
    }

    /// The index `ranking.csv` ranks by: the total index ST (Sobol) or mu* (Morris).
    pub fn ranked_by(self) -> &'static str {
        match self {
            Method::Sobol => "ST",
            Method::Morris => "mu_star",
        }
    }
}

/// A parameter of an analysis and the distribution its values are drawn from.
#[derive(Debug, Clone, PartialEq)]
pub enum Factor {
    /// A `--range` flag: uniform over the range.
    Range(Parameter),
    /// One of the scenario's uncertain parameters, with its own distribution.
    Uncertain(UncertainParameter),
}

impl Axis for Factor {
    fn path(&self) -> &str {
        match self {
            Factor::Range(p) => p.path(),
            Factor::Uncertain(p) => &p.key,
        }
    }

    fn value_text(&self, u: f64) -> String {
        match self {
            Factor::Range(p) => p.value_text(u),
            Factor::Uncertain(p) => p.text(p.value_at(u)),
        }
    }
}

impl Factor {
    /// Its entry in `sensitivity.json`: path, smallest and largest value,
    /// integer field or not, and the distribution as in `[uncertain]`.
    pub fn json(&self) -> Value {
        let (integer, distribution, (low, high)) = match self {
            Factor::Range(p) => (
                p.integer,
                json!({"dist": "uniform", "low": p.range.low, "high": p.range.high}),
                (p.range.low, p.range.high),
            ),
            Factor::Uncertain(p) => (p.integer, json!(p.dist), p.dist.support()),
        };
        json!({
            "parameter": self.path(), "low": low, "high": high, "integer": integer,
            "distribution": distribution,
        })
    }
}

/// What to analyse.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Method.
    pub method: Method,
    /// Parameters and their distributions (integer fields rounded when applied).
    pub parameters: Vec<Factor>,
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

    /// The entry of each parameter in `sensitivity.json`.
    fn ranges(&self) -> Vec<Value> {
        self.parameters.iter().map(Factor::json).collect()
    }
}

/// One row of `indices.csv`.
#[derive(Debug, Clone)]
pub struct IndexRow {
    /// The output (a headline effect).
    pub output: &'static str,
    /// The parameter's path.
    pub parameter: String,
    /// The index: `S1`, `ST`, `mu_star`, `mu` or `sigma`.
    pub index: &'static str,
    /// Its value and interval.
    pub value: Bootstrapped,
}

/// The Morris stage of a screening, for the Sobol stage's folder.
#[derive(Debug, Clone)]
pub struct Screening {
    /// The Morris stage's plan (every parameter).
    pub morris: Plan,
    /// Its indices.
    pub rows: Vec<IndexRow>,
    /// The folder of the Morris stage, relative to the Sobol stage's.
    pub folder: String,
    /// A parameter is kept when its mu* is at least this share of the
    /// largest mu* for some output.
    pub cutoff: f64,
}

impl Screening {
    fn json(&self) -> Value {
        let kept = survivors(&self.rows, &self.morris.parameters, self.cutoff);
        let (kept, dropped): (Vec<&Factor>, Vec<&Factor>) =
            (self.morris.parameters.iter()).partition(|p| kept.contains(p));
        let paths = |list: Vec<&Factor>| {
            list.iter()
                .map(|p| p.path().to_string())
                .collect::<Vec<_>>()
        };
        json!({
            "method": Method::Morris.name(),
            "folder": self.folder,
            "trajectories": self.morris.samples,
            "cutoff": self.cutoff,
            "rule": "kept when mu* >= cutoff x the largest mu* of the parameters for at least one output",
            "kept": paths(kept),
            "screened_out": paths(dropped),
            "ranges": self.morris.ranges(),
        })
    }
}

/// The parameters a Morris screening keeps, in their order: those whose mu*
/// is at least `cutoff` times the largest mu* of any parameter for at least
/// one output whose largest mu* is above 0.
pub fn survivors(rows: &[IndexRow], parameters: &[Factor], cutoff: f64) -> Vec<Factor> {
    let mu_star = |output: &str, parameter: &str| {
        (rows.iter())
            .find(|r| r.output == output && r.parameter == parameter && r.index == "mu_star")
            .and_then(|r| r.value.value)
    };
    let keeps = |p: &Factor| {
        OUTPUTS.iter().any(|output| {
            let largest = (parameters.iter())
                .filter_map(|q| mu_star(output, q.path()))
                .fold(0.0, f64::max);
            largest > 0.0 && mu_star(output, p.path()).is_some_and(|m| m >= cutoff * largest)
        })
    };
    parameters.iter().filter(|p| keeps(p)).cloned().collect()
}

/// Compute the indices from the sweep's `points.csv`; write `indices.csv`,
/// `ranking.csv` (after the screening's parameters, when one is given, those
/// it screened out, ranked by their Morris mu*) and `sensitivity.json`.
/// Returns the indices.
pub fn analyse(
    dir: &Path,
    sweep: &Sweep,
    plan: &Plan,
    screening: Option<&Screening>,
) -> Result<Vec<IndexRow>> {
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
    let mut stages = vec![(plan.method, rows.as_slice())];
    stages.extend(screening.map(|s| (Method::Morris, s.rows.as_slice())));
    write_ranking(&dir.join("ranking.csv"), &plan.arm, &stages)?;
    let manifest = json!({
        "tool": "caasim",
        "kind": "sensitivity",
        "version": env!("CARGO_PKG_VERSION"),
        "model_version": crate::model::MODEL_VERSION,
        "method": plan.method.name(),
        "arm": plan.arm,
        "outputs": OUTPUTS,
        "parameters": plan.parameters.iter().map(|p| p.path().to_string()).collect::<Vec<_>>(),
        "ranges": plan.ranges(),
        "samples": plan.samples,
        "replications": sweep.base.replications,
        "seed": plan.seed,
        "points": points,
        "bootstrap": BOOTSTRAP,
        "rows_used": used,
        "screen": screening.map(Screening::json),
    });
    write_atomic(
        &dir.join("sensitivity.json"),
        format!("{manifest:#}\n").as_bytes(),
    )?;
    Ok(rows)
}

/// One row of `ranking.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    /// The output.
    pub output: &'static str,
    /// The parameter's path.
    pub parameter: String,
    /// 1 for the parameter that drives the output most.
    pub rank: usize,
    /// The method of the stage whose index ranks it.
    pub stage: Method,
    /// The index it is ranked by ([`Method::ranked_by`]) and its value.
    pub value: Bootstrapped,
}

/// The ranking of the parameters per output: the first stage's parameters by
/// its index, largest first (undefined last, ties in design order), then each
/// later stage's parameters not ranked yet, ranks continuing.
pub fn ranking(stages: &[(Method, &[IndexRow])]) -> Vec<Ranked> {
    let mut ranked: Vec<Ranked> = Vec::new();
    for output in OUTPUTS {
        let start = ranked.len();
        for &(stage, rows) in stages {
            let mut candidates: Vec<&IndexRow> = (rows.iter())
                .filter(|r| r.output == output && r.index == stage.ranked_by())
                .filter(|r| !ranked[start..].iter().any(|k| k.parameter == r.parameter))
                .collect();
            candidates.sort_by(|a, b| descending(a.value.value, b.value.value));
            for row in candidates {
                ranked.push(Ranked {
                    output,
                    parameter: row.parameter.clone(),
                    rank: ranked.len() - start + 1,
                    stage,
                    value: row.value,
                });
            }
        }
    }
    ranked
}

/// Larger first, `None` last.
fn descending(a: Option<f64>, b: Option<f64>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => b.total_cmp(&a),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// Write `ranking.csv` of `arm` from the stages' indices ([`ranking`]).
pub fn write_ranking(path: &Path, arm: &str, stages: &[(Method, &[IndexRow])]) -> Result<()> {
    let mut file = AtomicFile::create(path)?;
    {
        let mut csv = csv::Writer::from_writer(file.writer());
        csv.write_record(RANKING_COLUMNS)?;
        for r in ranking(stages) {
            csv.write_record([
                arm,
                r.output,
                &r.parameter,
                &r.rank.to_string(),
                r.stage.name(),
                r.stage.ranked_by(),
                &opt(r.value.value),
                &opt(r.value.ci_low),
                &opt(r.value.ci_high),
            ])?;
        }
        csv.flush()?;
    }
    file.commit()
}

/// The indices of one output; returns the rows and the base rows (Sobol) or
/// trajectories (Morris) used.
fn indices(plan: &Plan, output: &'static str, y: &[Option<f64>]) -> Result<(Vec<IndexRow>, usize)> {
    let row = |parameter: &Factor, index: &'static str, value: Bootstrapped| IndexRow {
        output,
        parameter: parameter.path().to_string(),
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

/// The estimate of `metric` for `arm` against the baseline, over every
/// replication, at every point (`None` where undefined): the rows of
/// `points.csv` whose `outcome` is `all` and whose `statistic` is not a
/// contrast.
fn outputs(path: &Path, arm: &str, metric: &str, points: usize) -> Result<Vec<Option<f64>>> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    let header = reader
        .headers()
        .with_context(|| format!("{}, line 1: unreadable header", path.display()))?;
    let column = |name: &str| {
        header.iter().position(|h| h == name).with_context(|| {
            format!(
                "{}, line 1: no column {name}; run the sweep again",
                path.display()
            )
        })
    };
    let (point_at, arm_at, outcome_at) = (column("point")?, column("arm")?, column("outcome")?);
    let (metric_at, statistic_at) = (column("metric")?, column("statistic")?);
    let estimate_at = column("estimate")?;
    let mut y = vec![None; points];
    let mut seen_arm = false;
    for (line, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("{}:{}", path.display(), line + 2))?;
        if record.get(arm_at) != Some(arm) {
            continue;
        }
        seen_arm = true;
        let statistic = record.get(statistic_at);
        let contrast = [Statistic::Difference, Statistic::Ratio]
            .iter()
            .any(|s| statistic == Some(s.name()));
        if record.get(metric_at) != Some(metric)
            || record.get(outcome_at) != Some(Outcome::All.name())
            || contrast
        {
            continue;
        }
        let point: usize = record
            .get(point_at)
            .and_then(|p| p.parse().ok())
            .filter(|&p| p < points)
            .with_context(|| format!("{}:{}: bad point number", path.display(), line + 2))?;
        y[point] = record
            .get(estimate_at)
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
                plan.method.name(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::params::Uncertain;

    fn factor(key: &str) -> Factor {
        Factor::Uncertain(UncertainParameter {
            key: key.into(),
            dist: Uncertain::LogUniform {
                low: 1.0,
                high: 100.0,
            },
            integer: false,
        })
    }

    fn row(output: &'static str, parameter: &str, index: &'static str, v: Option<f64>) -> IndexRow {
        IndexRow {
            output,
            parameter: parameter.into(),
            index,
            value: Bootstrapped {
                value: v,
                ci_low: None,
                ci_high: None,
            },
        }
    }

    /// mu* of `a`, `b`, `c`, `d` for the first output, and of `a` and `c`
    /// for the second (the others undefined there).
    fn morris_rows() -> Vec<IndexRow> {
        let [first, second, ..] = OUTPUTS;
        vec![
            row(first, "a", "mu_star", Some(10.0)),
            row(first, "b", "mu_star", Some(0.9)),
            row(first, "c", "mu_star", Some(0.0)),
            row(first, "d", "mu_star", None),
            row(first, "a", "mu", Some(-10.0)),
            row(second, "a", "mu_star", Some(0.0)),
            row(second, "c", "mu_star", Some(0.2)),
        ]
    }

    #[test]
    fn a_factor_maps_u_through_its_distribution() {
        // log-uniform(1, 100): the median is 10, the 0.25 quantile 10^0.5
        // (to rounding error of exp and ln).
        let at = |u: f64| factor("x").value_text(u).parse::<f64>().unwrap();
        assert!((at(0.5) - 10.0).abs() < 1e-12);
        assert!((at(0.25) - 10f64.sqrt()).abs() < 1e-12);
        let json = factor("x").json();
        assert_eq!(json["distribution"]["dist"], "log_uniform");
        assert_eq!(
            (json["low"].as_f64(), json["high"].as_f64()),
            (Some(1.0), Some(100.0))
        );
    }

    #[test]
    fn survivors_pass_the_cutoff_for_some_output() {
        let parameters: Vec<Factor> = ["a", "b", "c", "d"].map(factor).into();
        let kept = |cutoff| -> Vec<String> {
            (survivors(&morris_rows(), &parameters, cutoff).iter())
                .map(|p| p.path().to_string())
                .collect()
        };
        // First output: largest 10, so 0.1 needs 1 (b's 0.9 fails); second:
        // largest 0.2, which c reaches. d is undefined everywhere.
        assert_eq!(kept(0.1), ["a", "c"]);
        assert_eq!(kept(0.09), ["a", "b", "c"]);
        assert_eq!(kept(1.0), ["a", "c"]);
        assert_eq!(kept(0.0), ["a", "b", "c"]);
    }

    #[test]
    fn ranking_puts_the_first_stage_first_then_the_rest_by_their_index() {
        let first = OUTPUTS[0];
        let sobol = vec![
            row(first, "c", "ST", Some(0.1)),
            row(first, "a", "ST", Some(0.7)),
            row(first, "a", "S1", Some(0.9)),
        ];
        let morris = morris_rows();
        let ranked = ranking(&[(Method::Sobol, &sobol), (Method::Morris, &morris)]);
        let of_first: Vec<(String, usize, Method)> = (ranked.iter())
            .filter(|r| r.output == first)
            .map(|r| (r.parameter.clone(), r.rank, r.stage))
            .collect();
        let expected = [
            ("a", 1, Method::Sobol),
            ("c", 2, Method::Sobol),
            ("b", 3, Method::Morris),
            ("d", 4, Method::Morris),
        ];
        assert_eq!(of_first, expected.map(|(p, r, m)| (p.to_string(), r, m)));
        // The second output has no Sobol rows: Morris alone, c above a.
        let second: Vec<&str> = (ranked.iter())
            .filter(|r| r.output == OUTPUTS[1])
            .map(|r| r.parameter.as_str())
            .collect();
        assert_eq!(second, ["c", "a"]);
    }
}
