//! Reading and checking a coalition folder: `coalition.json`,
//! `shapley.csv` and `subsets.csv` (see
//! [`crate::experiment::coalition::files`]), each refused with its name
//! (and line) when damaged or unfinished.

use crate::experiment::coalition::files::{
    IDENTITY, SHAPLEY, SHAPLEY_COLUMNS, SUBSET_COLUMNS, SUBSETS,
};
use crate::report::csvfile::{malformed, open_exact};
use crate::report::sweep::read_json;
use crate::stats::Estimate;
use crate::table::header;
use anyhow::{Context, Result, ensure};
use serde::Deserialize;
use serde_json::Value;
use std::path::Path;

/// Whether `dir` holds a `coalition.json` whose `kind` is `"coalition"`.
pub fn is_coalition_folder(dir: &Path) -> Result<bool> {
    let path = dir.join(IDENTITY);
    if !path.exists() {
        return Ok(false);
    }
    let value = read_json(&path)?;
    Ok(value.get("kind").and_then(Value::as_str) == Some("coalition"))
}

/// An estimate as `coalition.json` writes it.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct Written {
    /// Mean.
    pub mean: Option<f64>,
    /// Lower end of the 95% interval.
    pub ci_low: Option<f64>,
    /// Upper end.
    pub ci_high: Option<f64>,
    /// Replications counted.
    pub n: usize,
}

impl Written {
    /// As an estimate.
    pub fn estimate(&self) -> Estimate {
        Estimate {
            mean: self.mean,
            ci_low: self.ci_low,
            ci_high: self.ci_high,
            n: self.n,
        }
    }
}

/// A partner of an intervention's coalition, as the scenario wrote it.
#[derive(Debug, Clone, Deserialize)]
pub struct Partner {
    /// Name.
    pub name: String,
    /// Where it acts.
    pub jurisdiction: String,
    /// `police` or `civil`.
    pub acts: String,
    /// Share of what it reaches that it takes.
    pub effectiveness: f64,
    /// Its cost of each strike, in dollars.
    pub cost_usd: f64,
}

/// An intervention of the arm with a coalition.
#[derive(Debug, Clone, Deserialize)]
pub struct Acting {
    /// Its index among the arm's interventions.
    pub intervention: usize,
    /// Its kind: `takedown`, `sustained_pressure` or `payment_disruption`.
    pub kind: String,
    /// Its partners.
    pub coalition: Vec<Partner>,
}

/// The efficiency check of one metric.
#[derive(Debug, Clone, Deserialize)]
pub struct Efficiency {
    /// The metric.
    pub metric: String,
    /// `v(N) - v(empty)` over the replications used.
    pub full_minus_empty: Written,
    /// The sum of the Shapley estimates.
    pub shapley_sum: Option<f64>,
    /// The largest gap of a replication.
    pub largest_gap: Option<f64>,
}

/// The best partner to add on one metric.
#[derive(Debug, Clone, Deserialize)]
pub struct Best {
    /// The metric.
    pub metric: String,
    /// `higher` or `lower`: which direction is better.
    pub better: String,
    /// The partner.
    pub partner: String,
    /// The runner-up.
    pub runner_up: Option<String>,
    /// Best minus runner-up, added last, paired by replication.
    pub difference: Option<Written>,
    /// Whether that difference's interval is clear of 0 on the better side.
    pub separated: Option<bool>,
}

/// What the analysis is, from `coalition.json`.
#[derive(Debug, Deserialize)]
pub struct Identity {
    /// caasim's version.
    pub version: Option<String>,
    /// The model's version.
    pub model_version: Option<u32>,
    /// The scenario's name.
    pub scenario_name: String,
    /// The scenario file.
    pub scenario_file: String,
    /// The command line's overrides.
    #[serde(default)]
    pub overrides: Vec<String>,
    /// The arm analysed.
    pub arm: String,
    /// Its partners, in order.
    pub partners: Vec<String>,
    /// Its interventions with a coalition.
    pub interventions: Vec<Acting>,
    /// `exhaustive` or `sampled`.
    pub method: String,
    /// Orders drawn, when sampled.
    pub permutations: Option<u64>,
    /// Subsets run as arms.
    pub subsets: u64,
    /// Replications.
    pub replications: u64,
    /// Replications per parameter draw, in an ensemble.
    pub replications_per_draw: Option<u64>,
    /// Master seed.
    pub seed: u64,
    /// The metrics shared out.
    pub metrics: Vec<String>,
    /// The metric the command headlined.
    pub metric: String,
    /// The efficiency check of each metric.
    pub efficiency: Vec<Efficiency>,
    /// The best partner to add on each metric where one is defined.
    pub best: Vec<Best>,
}

impl Identity {
    /// Whether the orders were sampled.
    pub fn sampled(&self) -> bool {
        self.method == "sampled"
    }

    /// The parameter draws of an ensemble (`None` without one).
    pub fn draws(&self) -> Option<u64> {
        (self.replications_per_draw).map(|p| self.replications.div_ceil(p.max(1)))
    }
}

/// A row of `shapley.csv`.
#[derive(Debug, Clone, Deserialize)]
struct ShapleyRow {
    partner: String,
    metric: String,
    shapley: Option<f64>,
    shapley_ci_low: Option<f64>,
    shapley_ci_high: Option<f64>,
    alone: Option<f64>,
    alone_ci_low: Option<f64>,
    alone_ci_high: Option<f64>,
    added_last: Option<f64>,
    added_last_ci_low: Option<f64>,
    added_last_ci_high: Option<f64>,
    replications: usize,
    orders_se: Option<f64>,
}

/// A partner's values on one metric.
#[derive(Debug, Clone)]
pub struct Values {
    /// The partner (index in the identity's partners).
    pub partner: usize,
    /// The metric (index in the identity's metrics).
    pub metric: usize,
    /// Shapley value.
    pub shapley: Estimate,
    /// Value alone.
    pub alone: Estimate,
    /// Value added last.
    pub added_last: Estimate,
    /// The standard error due to sampled orders.
    pub orders_se: Option<f64>,
}

/// A row of `subsets.csv`.
#[derive(Debug, Clone, Deserialize)]
struct SubsetRow {
    arm: String,
    partners: String,
    size: usize,
    metric: String,
    effect: Option<f64>,
    ci_low: Option<f64>,
    ci_high: Option<f64>,
    replications: usize,
}

/// A subset's effect on one metric.
#[derive(Debug, Clone)]
pub struct SubsetEffect {
    /// The subset's arm.
    pub arm: String,
    /// Its partners.
    pub partners: Vec<String>,
    /// The metric (index in the identity's metrics).
    pub metric: usize,
    /// Its effect against the baseline.
    pub effect: Estimate,
}

/// Everything the coalition plots and page need.
#[derive(Debug)]
pub struct Coalition {
    /// `coalition.json`.
    pub identity: Identity,
    /// `shapley.csv`, in file order.
    pub values: Vec<Values>,
    /// `subsets.csv`, in file order.
    pub subsets: Vec<SubsetEffect>,
}

impl Coalition {
    /// Reads and checks the files of the coalition folder `dir`.
    pub fn load(dir: &Path) -> Result<Self> {
        let identity = read_identity(dir)?;
        let values = read_values(dir, &identity)?;
        let subsets = read_subsets(dir, &identity)?;
        Ok(Coalition {
            identity,
            values,
            subsets,
        })
    }

    /// The partners' values on metric `m`, in file order.
    pub fn values_of(&self, m: usize) -> impl Iterator<Item = &Values> {
        self.values.iter().filter(move |v| v.metric == m)
    }

    /// The subsets' arms, in file order, once each, with their partners.
    pub fn subset_arms(&self) -> Vec<(&str, &[String])> {
        let mut arms: Vec<(&str, &[String])> = Vec::new();
        for s in &self.subsets {
            if !arms.iter().any(|(a, _)| *a == s.arm) {
                arms.push((&s.arm, &s.partners));
            }
        }
        arms
    }

    /// The effect of the subset arm `arm` on metric `m`.
    pub fn effect(&self, arm: &str, m: usize) -> Option<Estimate> {
        (self.subsets.iter())
            .find(|s| s.arm == arm && s.metric == m)
            .map(|s| s.effect)
    }

    /// What the intervals run over: `replications` or `parameter draws`.
    pub fn units(&self) -> &'static str {
        match self.identity.replications_per_draw {
            Some(_) => "parameter draws",
            None => "replications",
        }
    }
}

fn read_identity(dir: &Path) -> Result<Identity> {
    let path = dir.join(IDENTITY);
    let identity: Identity = serde_json::from_value(read_json(&path)?)
        .with_context(|| format!("{} is malformed", path.display()))?;
    let name = path.display();
    ensure!(!identity.partners.is_empty(), "{name} lists no partners");
    ensure!(!identity.metrics.is_empty(), "{name} lists no metrics");
    let known = |m: &str| identity.metrics.iter().any(|k| k == m);
    ensure!(
        known(&identity.metric),
        "{name}: the metric {:?} is not one of its metrics",
        identity.metric
    );
    for metric in (identity.efficiency.iter().map(|e| &e.metric))
        .chain(identity.best.iter().map(|b| &b.metric))
    {
        ensure!(
            known(metric),
            "{name}: {metric:?} is not one of its metrics"
        );
    }
    for best in &identity.best {
        let partners = std::iter::once(&best.partner).chain(&best.runner_up);
        for partner in partners {
            ensure!(
                identity.partners.contains(partner),
                "{name}: the best partner or runner-up {partner:?} of {} is not one of its partners",
                best.metric
            );
        }
    }
    Ok(identity)
}

/// The rows of `shapley.csv`, checked against `coalition.json`.
fn read_values(dir: &Path, identity: &Identity) -> Result<Vec<Values>> {
    let path = dir.join(SHAPLEY);
    let columns: Vec<&str> = header(SHAPLEY_COLUMNS).collect();
    let reader = open_exact(&path, &columns, || unfinished(&path))?;
    let mut values = Vec::new();
    for row in reader.into_deserialize::<ShapleyRow>() {
        let row = row.map_err(|e| malformed(e, &path))?;
        let at = || format!("{}, line {}", path.display(), values.len() + 2);
        let partner = position(&identity.partners, &row.partner, "partner").with_context(at)?;
        let metric = position(&identity.metrics, &row.metric, "metric").with_context(at)?;
        let n = row.replications;
        let estimate = |mean, ci_low, ci_high| Estimate {
            mean,
            ci_low,
            ci_high,
            n,
        };
        values.push(Values {
            partner,
            metric,
            shapley: estimate(row.shapley, row.shapley_ci_low, row.shapley_ci_high),
            alone: estimate(row.alone, row.alone_ci_low, row.alone_ci_high),
            added_last: estimate(
                row.added_last,
                row.added_last_ci_low,
                row.added_last_ci_high,
            ),
            orders_se: row.orders_se,
        });
    }
    ensure!(!values.is_empty(), "{} has no rows", path.display());
    Ok(values)
}

/// The rows of `subsets.csv`, checked against `coalition.json`.
fn read_subsets(dir: &Path, identity: &Identity) -> Result<Vec<SubsetEffect>> {
    let path = dir.join(SUBSETS);
    let columns: Vec<&str> = header(SUBSET_COLUMNS).collect();
    let reader = open_exact(&path, &columns, || unfinished(&path))?;
    let mut subsets = Vec::new();
    for row in reader.into_deserialize::<SubsetRow>() {
        let row = row.map_err(|e| malformed(e, &path))?;
        let at = || format!("{}, line {}", path.display(), subsets.len() + 2);
        let metric = position(&identity.metrics, &row.metric, "metric").with_context(at)?;
        let partners: Vec<String> = (row.partners.split('+'))
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect();
        for partner in &partners {
            position(&identity.partners, partner, "partner").with_context(at)?;
        }
        ensure!(
            partners.len() == row.size,
            "{}: the subset {:?} has {} partners, not its size {}",
            at(),
            row.partners,
            partners.len(),
            row.size
        );
        subsets.push(SubsetEffect {
            arm: row.arm,
            partners,
            metric,
            effect: Estimate {
                mean: row.effect,
                ci_low: row.ci_low,
                ci_high: row.ci_high,
                n: row.replications,
            },
        });
    }
    ensure!(!subsets.is_empty(), "{} has no rows", path.display());
    Ok(subsets)
}

/// The index of `name` in `list`, or an error naming what it should be.
fn position(list: &[String], name: &str, what: &str) -> Result<usize> {
    list.iter().position(|n| n == name).with_context(|| {
        format!(
            "{what} {name:?} is not one of the {what}s of {IDENTITY} ({})",
            list.join(", ")
        )
    })
}

fn unfinished(path: &Path) -> String {
    format!(
        "cannot read {}: the analysis has not finished; run `caasim coalition` again",
        path.display()
    )
}
