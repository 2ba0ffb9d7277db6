//! `manifest.json`: the provenance of a results folder.

use std::path::Path;

use anyhow::Result;
use serde_json::{Value, json};

use super::folder::{MANIFEST, write_atomic};
use crate::model::Model;
use crate::model::config::ArmPlan;
use crate::model::posterior::Posterior;
use crate::model::seizure::{Seized, Seizures, Span};

/// What the manifest records besides the model.
pub struct Provenance<'a> {
    /// The scenario file as given.
    pub scenario_file: &'a str,
    /// `--set` overrides applied.
    pub overrides: &'a [String],
    /// Contrasts asked for (`--contrast A:B`), as given.
    pub contrasts: &'a [String],
    /// Worker threads used.
    pub threads: usize,
    /// When the run started.
    pub started_at: chrono::DateTime<chrono::Utc>,
    /// When it finished.
    pub finished_at: chrono::DateTime<chrono::Utc>,
    /// Files written, with what each holds.
    pub files: &'a [(&'a str, &'a str)],
    /// What the takedown actions seized over the replications.
    pub seizures: &'a Seizures,
}

/// Write `manifest.json` (last, atomically).
pub fn write(dir: &Path, model: &Model, provenance: &Provenance) -> Result<()> {
    let elapsed =
        (provenance.finished_at - provenance.started_at).num_milliseconds() as f64 / 1000.0;
    let mut manifest = json!({
        "tool": "caasim",
        "version": env!("CARGO_PKG_VERSION"),
        "model_version": crate::model::MODEL_VERSION,
        "git_revision": git_revision(),
        "target": target_triple(),
        "scenario_file": provenance.scenario_file,
        "overrides": provenance.overrides,
        "contrasts": provenance.contrasts,
        "scenario_name": model.scenario.scenario.name,
        "description": model.scenario.scenario.description,
        "start_date": model.start_date.map(|d| d.to_string()),
        "days": model.days,
        "burn_in_days": model.burn_in_days,
        "seed": model.seed,
        "replications": model.replications,
        "threads": provenance.threads,
        "started_at": provenance.started_at.to_rfc3339(),
        "finished_at": provenance.finished_at.to_rfc3339(),
        "elapsed_seconds": elapsed,
        "arms": model.arms.iter().enumerate().map(|(a, arm)| arm_json(model, a, arm, provenance.seizures)).collect::<Vec<_>>(),
        "resolved_scenario": resolved_scenario(model),
        "files": provenance.files.iter().map(|(path, description)| json!({"path": path, "description": description})).collect::<Vec<_>>(),
    });
    if let Some(parameters) = parameters(model) {
        manifest["parameters"] = parameters;
    }
    let mut text = serde_json::to_string_pretty(&manifest)?;
    text.push('\n');
    write_atomic(&dir.join(MANIFEST), text.as_bytes())
}

/// How a scenario with `[uncertain]` or a posterior was run: as an
/// ensemble of draws or at the central values, with which distributions and
/// which posterior (`None` without either, so that such a manifest is as
/// before).
fn parameters(model: &Model) -> Option<Value> {
    if model.scenario.uncertain.is_empty() && model.posterior.is_none() {
        return None;
    }
    let drawn: Vec<Value> = model
        .uncertain
        .iter()
        .map(|p| json!({"key": p.key, "distribution": p.dist, "integer": p.integer}))
        .collect();
    let replaced = |key: &str| model.posterior.as_ref().is_some_and(|p| p.has(key));
    let (replaced_by_posterior, fixed_by_set): (Vec<&String>, Vec<&String>) = model
        .scenario
        .uncertain
        .keys()
        .filter(|key| !model.uncertain.iter().any(|p| &p.key == *key))
        .partition(|key| replaced(key));
    let mut block = match &model.ensemble {
        Some(ensemble) => json!({
            "mode": "ensemble: each draw of the uncertain parameters runs for replications_per_draw replications, every arm of a replication on the same draw",
            "draws": ensemble.draws.len(),
            "replications_per_draw": ensemble.replications_per_draw,
            "uncertain": drawn,
            "fixed_by_set": fixed_by_set,
        }),
        None => json!({
            "mode": "fixed: every replication at the central values written in the scenario (scenario.replications_per_draw = 0, or every uncertain parameter fixed by --set)",
            "uncertain": drawn,
            "fixed_by_set": fixed_by_set,
        }),
    };
    if let Some(posterior) = &model.posterior {
        block["posterior"] = posterior_json(posterior, &replaced_by_posterior);
    }
    Some(block)
}

/// The posterior an ensemble draws from: its folder, particles, effective
/// sample size, keys, the `[uncertain]` entries its keys replace, and what
/// its calibration was fitted on.
fn posterior_json(posterior: &Posterior, replaced: &[&String]) -> Value {
    let keys: Vec<Value> = posterior
        .keys
        .iter()
        .map(|k| json!({"key": k.key, "integer": k.integer}))
        .collect();
    let fitted_on = posterior.fitted_on.as_ref().map(|f| {
        json!({"scenario": f.scenario, "scenario_fingerprint": f.scenario_fingerprint, "overrides": f.overrides, "model_version": f.model_version})
    });
    json!({
        "folder": posterior.folder,
        "mode": "each draw picks one particle of posterior.csv with probability proportional to its weight and gives every key that particle's value (integer fields rounded to the nearest whole number); draws.csv names the particle",
        "particles": posterior.particles.len(),
        "effective_sample_size": posterior.effective_sample_size(),
        "keys": keys,
        "replaces_uncertain": replaced,
        "fitted_on": fitted_on,
    })
}

/// The scenario with defaults filled in, with the implicit baseline arm
/// listed: the manifest's `resolved_scenario`.
pub fn resolved_scenario(model: &Model) -> Value {
    let mut scenario = serde_json::to_value(&model.scenario).unwrap_or(Value::Null);
    if let Some(arms) = scenario.get_mut("arms").and_then(Value::as_array_mut)
        && !arms
            .iter()
            .any(|a| a.get("name") == Some(&json!("baseline")))
    {
        arms.insert(
            0,
            json!({"name": "baseline", "description": "No intervention.", "interventions": []}),
        );
    }
    scenario
}

/// Arm `a` of `model`: its interventions described, with what its
/// takedowns asked for and seized (`seized`, one entry per intervention,
/// null for those that are not takedowns).
fn arm_json(model: &Model, a: usize, arm: &ArmPlan, seizures: &Seizures) -> Value {
    let burn_in = model.burn_in_days;
    let mut days: Vec<u32> = arm
        .actions
        .iter()
        .flat_map(|a| std::iter::once(a.day).chain(a.repeats.iter().copied()))
        .map(|d| d - burn_in)
        .collect();
    days.sort_unstable();
    days.dedup();
    let interventions: Vec<String> = (arm.actions.iter().enumerate())
        .map(|(k, action)| {
            let seized = seizures.of(a, k);
            (action.effect).describe(model, action.day - burn_in, action.repeats.len(), seized)
        })
        .collect();
    let seized: Vec<Value> = (0..arm.actions.len())
        .map(|k| seizures.of(a, k).map_or(Value::Null, seized_json))
        .collect();
    json!({
        "name": arm.name,
        "description": arm.description,
        "interventions": interventions,
        "seized": seized,
        "intervention_days": days,
        "window_start": arm.window_start,
        "window_end": arm.window_end,
    })
}

/// What a takedown asked for and what its strikes seized (docs/RESULTS.md).
fn seized_json(seized: &Seized) -> Value {
    let span = |s: &Span| match s.mean() {
        Some(mean) => json!({"mean": mean, "min": s.min, "max": s.max}),
        None => Value::Null,
    };
    // Days down are whole days at every strike.
    let days = |s: &Span| match s.mean() {
        Some(mean) => json!({"mean": mean, "min": s.min as u32, "max": s.max as u32}),
        None => Value::Null,
    };
    let central = seized.central.map(|c| {
        json!({"resilience": c.resilience, "capacity_seized": c.capacity_seized, "downtime_days": c.downtime_days})
    });
    json!({
        "capacity_seized_asked": seized.capacity_asked,
        "capacity_asked_at_strikes": span(&seized.asked),
        "downtime_days_asked": seized.downtime_asked,
        "at_central_values": central,
        "strikes": seized.capacity.count,
        "resilience": span(&seized.resilience),
        "capacity_seized": span(&seized.capacity),
        "downtime_days": days(&seized.downtime),
    })
}

/// The git revision of the working directory, when git is available.
fn git_revision() -> Option<String> {
    let output = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// The target this binary was built for.
fn target_triple() -> String {
    env!("CAASIM_TARGET").to_string()
}
