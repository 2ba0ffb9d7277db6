//! The result files written once the generations stop: `posterior.csv`,
//! `posterior_summary.csv`, `best-fit.toml` (the scenario with the weighted
//! posterior medians applied, comments kept) and `fit.csv` (replications of
//! the best fit against each target).

use std::path::Path;

use anyhow::{Context, Result};
use serde_json::{Value, json};
use toml_edit::{DocumentMut, Item, TableLike};

use super::Bound;
use super::abc::{Population, quantile, weighted_moments, weighted_quantile};
use super::checkpoint::{IDENTITY, json_number, population_csv};
use super::setup::Setup;
use super::simulate::{distance, simulated_means};
use super::targets::Target;
use crate::experiment::{self, Experiment, Hooks};
use crate::model::Model;
use crate::output::folder::write_atomic;
use crate::scenario::{self, load};
use crate::stats::mean_defined;
use crate::table::{num, opt};

/// Weighted posterior summary of one parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct ParameterSummary {
    /// Parameter path.
    pub parameter: String,
    /// Weighted mean.
    pub mean: f64,
    /// Weighted standard deviation.
    pub sd: f64,
    /// Weighted 5% quantile.
    pub q05: f64,
    /// Weighted median.
    pub q50: f64,
    /// Weighted 95% quantile.
    pub q95: f64,
}

/// One row of `fit.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct FitRow {
    /// Target name.
    pub target: String,
    /// Target kind.
    pub kind: &'static str,
    /// Arm.
    pub arm: String,
    /// Metric or column.
    pub measure: &'static str,
    /// Day of a series component.
    pub day: Option<u32>,
    /// Observed value.
    pub observed: f64,
    /// Its standard deviation.
    pub sd: f64,
    /// Mean over replications of the best fit.
    pub simulated: Option<f64>,
    /// 5% quantile over replications.
    pub low: Option<f64>,
    /// 95% quantile over replications.
    pub high: Option<f64>,
    /// Replications where the value is defined.
    pub n: usize,
    /// The arm a `summary` or `recovery` target compares its arm with when
    /// it is not the baseline (`versus` in the targets file); else empty.
    pub versus: String,
    /// Whether `observed` is a value or a bound.
    pub bound: Bound,
}

/// The final outputs.
pub(super) struct Finish {
    pub(super) summary: Vec<ParameterSummary>,
    pub(super) best_fit: Vec<f64>,
    pub(super) distance: f64,
    pub(super) fit: Vec<FitRow>,
    pub(super) runs: u64,
}

impl Finish {
    /// The fields `calibration.json` gets when complete.
    pub(super) fn log(&self, setup: &Setup, stopped: &str, runs: u64) -> Value {
        let best: serde_json::Map<String, Value> = setup
            .parameters
            .iter()
            .zip(&self.best_fit)
            .map(|(p, &v)| (p.range.parameter.clone(), json!(v)))
            .collect();
        json!({
            "status": "complete",
            "stopped": stopped,
            "runs": runs,
            "final_runs": self.runs,
            "best_fit": best,
            "best_fit_distance": json_number(self.distance),
            "files": [IDENTITY, "posterior.csv", "posterior_summary.csv", "best-fit.toml", "fit.csv"],
        })
    }
}

/// Write the posterior, its summary, the best-fit scenario and the fit.
pub(super) fn finish(setup: &Setup, out: &Path, posterior: &Population) -> Result<Finish> {
    write_atomic(
        &out.join("posterior.csv"),
        population_csv(&setup.parameters, posterior)?.as_bytes(),
    )?;
    let summary = summarise(setup, posterior);
    write_atomic(
        &out.join("posterior_summary.csv"),
        summary_csv(&summary)?.as_bytes(),
    )?;
    let best_fit: Vec<f64> = summary.iter().map(|s| s.q50).collect();
    write_atomic(
        &out.join("best-fit.toml"),
        best_fit_toml(setup, &summary)?.as_bytes(),
    )?;
    let model =
        setup.particle_model(&best_fit, setup.base.seed, setup.config.final_replications)?;
    let experiment =
        experiment::run(&model, &Hooks::default()).context("a run without a cancel flag ends")?;
    let distance = distance(
        &setup.targets,
        &simulated_means(&setup.targets, &experiment, &model),
    );
    let fit = fit_rows(&setup.targets, &experiment, &model);
    write_atomic(&out.join("fit.csv"), fit_csv(&fit)?.as_bytes())?;
    let runs = (model.arms.len() * model.replications as usize) as u64;
    Ok(Finish {
        summary,
        best_fit,
        distance,
        fit,
        runs,
    })
}

/// Weighted mean, sd and quantiles of each parameter.
fn summarise(setup: &Setup, posterior: &Population) -> Vec<ParameterSummary> {
    setup
        .parameters
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let values = posterior.column(k);
            let w = &posterior.weights;
            let (mean, var) = weighted_moments(&values, w);
            ParameterSummary {
                parameter: p.range.parameter.clone(),
                mean,
                sd: var.sqrt(),
                q05: weighted_quantile(&values, w, 0.05),
                q50: weighted_quantile(&values, w, 0.5),
                q95: weighted_quantile(&values, w, 0.95),
            }
        })
        .collect()
}

fn summary_csv(summary: &[ParameterSummary]) -> Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(SUMMARY_COLUMNS)?;
    for s in summary {
        writer.write_record([
            s.parameter.clone(),
            num(s.mean),
            num(s.sd),
            num(s.q05),
            num(s.q50),
            num(s.q95),
        ])?;
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
}

/// Per target component: observed, sd, mean and 90% band over replications.
fn fit_rows(targets: &[Target], experiment: &Experiment, model: &Model) -> Vec<FitRow> {
    let mut rows = Vec::new();
    for target in targets {
        for ((day, observed), values) in target
            .observed()
            .into_iter()
            .zip(target.simulated(experiment, model))
        {
            let defined: Vec<f64> = values
                .iter()
                .flatten()
                .copied()
                .filter(|v| v.is_finite())
                .collect();
            let band = |p: f64| (!defined.is_empty()).then(|| quantile(&defined, p));
            rows.push(FitRow {
                target: target.name.clone(),
                kind: target.kind_name(),
                arm: target.arm.clone(),
                measure: target.measure(),
                day,
                observed,
                sd: target.sd,
                simulated: mean_defined(&values),
                low: band(0.05),
                high: band(0.95),
                n: defined.len(),
                versus: target.versus_shown(model),
                bound: target.bound,
            });
        }
    }
    rows
}

/// Columns of `fit.csv`.
pub const FIT_COLUMNS: [&str; 14] = [
    "target",
    "kind",
    "arm",
    "measure",
    "day",
    "observed",
    "sd",
    "simulated",
    "low",
    "high",
    "n",
    "z",
    "versus",
    "bound",
];

/// Columns of `posterior_summary.csv`.
pub const SUMMARY_COLUMNS: [&str; 6] = ["parameter", "mean", "sd", "q05", "q50", "q95"];

fn fit_csv(rows: &[FitRow]) -> Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(FIT_COLUMNS)?;
    for r in rows {
        let z = r.simulated.map(|s| r.bound.z(s, r.observed, r.sd));
        let day = r.day.map(|d| d.to_string()).unwrap_or_default();
        writer.write_record([
            r.target.clone(),
            r.kind.to_string(),
            r.arm.clone(),
            r.measure.to_string(),
            day,
            num(r.observed),
            num(r.sd),
            opt(r.simulated),
            opt(r.low),
            opt(r.high),
            r.n.to_string(),
            opt(z),
            r.versus.clone(),
            r.bound.name().to_string(),
        ])?;
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
}

/// The scenario text (overrides and medians applied, comments kept), checked to load.
fn best_fit_toml(setup: &Setup, summary: &[ParameterSummary]) -> Result<String> {
    let original: DocumentMut = setup
        .text
        .parse()
        .with_context(|| format!("{} is not TOML", setup.origin))?;
    let mut doc = original.clone();
    let values: Vec<String> = setup
        .parameters
        .iter()
        .zip(summary)
        .map(|(p, s)| p.assignment(s.q50))
        .collect();
    for assignment in setup.config.overrides.iter().chain(&values) {
        load::set(&mut doc, assignment).map_err(|e| anyhow::anyhow!("{assignment}: {e}"))?;
    }
    restore_decor(original.as_table(), doc.as_table_mut());
    let mut header = format!(
        "# Best fit of {} to {} by caasim's ABC-SMC calibration:\n# weighted posterior medians (90% interval):\n",
        setup.origin,
        setup.config.targets_file.display()
    );
    for (p, s) in setup.parameters.iter().zip(summary) {
        header.push_str(&format!(
            "#   {} = {} ({} to {})\n",
            p.range.parameter,
            p.text(s.q50),
            num(s.q05),
            num(s.q95)
        ));
    }
    let text = format!("{header}\n{doc}");
    scenario::load_text(&text, "best-fit.toml", &[])
        .map_err(|e| anyhow::anyhow!("the best fit is not a valid scenario: {e}"))?;
    Ok(text)
}

/// Give keys and values of `new` the comments and spacing they had in `old`
/// (`load::set` replaces a value with a bare one).
fn restore_decor(old: &dyn TableLike, new: &mut dyn TableLike) {
    let keys: Vec<String> = new.iter().map(|(k, _)| k.to_string()).collect();
    for key in keys {
        let (Some((old_key, old_item)), Some((mut new_key, new_item))) =
            (old.get_key_value(&key), new.get_key_value_mut(&key))
        else {
            continue;
        };
        *new_key.leaf_decor_mut() = old_key.leaf_decor().clone();
        restore_item(old_item, new_item);
    }
}

fn restore_item(old: &Item, new: &mut Item) {
    match (old, new) {
        (Item::Table(o), Item::Table(n)) => restore_decor(o, n),
        (Item::ArrayOfTables(o), Item::ArrayOfTables(n)) => {
            for (o, n) in o.iter().zip(n.iter_mut()) {
                restore_decor(o, n);
            }
        }
        (Item::Value(o), Item::Value(n)) => restore_value(o, n),
        _ => {}
    }
}

fn restore_value(old: &toml_edit::Value, new: &mut toml_edit::Value) {
    *new.decor_mut() = old.decor().clone();
    match (old, new) {
        (toml_edit::Value::InlineTable(o), toml_edit::Value::InlineTable(n)) => restore_decor(o, n),
        (toml_edit::Value::Array(o), toml_edit::Value::Array(n)) => {
            for (o, n) in o.iter().zip(n.iter_mut()) {
                restore_value(o, n);
            }
        }
        _ => {}
    }
}
