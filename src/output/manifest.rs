//! `manifest.json`: the provenance of a results folder.

use std::path::Path;

use anyhow::Result;
use serde_json::{Value, json};

use super::folder::{MANIFEST, write_atomic};
use crate::model::Model;
use crate::model::config::{ArmPlan, Effect};
use crate::model::params::Target;

/// What the manifest records besides the model.
pub struct Provenance<'a> {
    /// The scenario file as given.
    pub scenario_file: &'a str,
    /// `--set` overrides applied.
    pub overrides: &'a [String],
    /// Worker threads used.
    pub threads: usize,
    /// When the run started.
    pub started_at: chrono::DateTime<chrono::Utc>,
    /// When it finished.
    pub finished_at: chrono::DateTime<chrono::Utc>,
    /// Files written, with what each holds.
    pub files: &'a [(&'a str, &'a str)],
}

/// Write `manifest.json` (last, atomically).
pub fn write(dir: &Path, model: &Model, provenance: &Provenance) -> Result<()> {
    let elapsed =
        (provenance.finished_at - provenance.started_at).num_milliseconds() as f64 / 1000.0;
    let manifest = json!({
        "tool": "caasim",
        "version": env!("CARGO_PKG_VERSION"),
        "git_revision": git_revision(),
        "target": target_triple(),
        "scenario_file": provenance.scenario_file,
        "overrides": provenance.overrides,
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
        "arms": model.arms.iter().map(|arm| arm_json(model, arm)).collect::<Vec<_>>(),
        "resolved_scenario": resolved_scenario(model),
        "files": provenance.files.iter().map(|(path, description)| json!({"path": path, "description": description})).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string_pretty(&manifest)?;
    text.push('\n');
    write_atomic(&dir.join(MANIFEST), text.as_bytes())
}

/// The scenario with defaults filled in, with the implicit baseline arm listed.
fn resolved_scenario(model: &Model) -> Value {
    let mut scenario = serde_json::to_value(&model.scenario).unwrap_or(Value::Null);
    if let Some(arms) = scenario.get_mut("arms").and_then(Value::as_array_mut) {
        if !arms
            .iter()
            .any(|a| a.get("name") == Some(&json!("baseline")))
        {
            arms.insert(
                0,
                json!({"name": "baseline", "description": "No intervention.", "interventions": []}),
            );
        }
    }
    scenario
}

fn arm_json(model: &Model, arm: &ArmPlan) -> Value {
    let burn_in = model.burn_in_days;
    let mut days: Vec<u32> = arm
        .actions
        .iter()
        .flat_map(|a| std::iter::once(a.day).chain(a.repeats.iter().copied()))
        .map(|d| d - burn_in)
        .collect();
    days.sort_unstable();
    days.dedup();
    json!({
        "name": arm.name,
        "description": arm.description,
        "interventions": arm.actions.iter().map(|a| describe(model, a.day - burn_in, &a.effect, a.repeats.len())).collect::<Vec<_>>(),
        "intervention_days": days,
        "window_start": arm.window_start,
        "window_end": arm.window_end,
    })
}

/// One line saying what an intervention does, for people.
pub fn describe(model: &Model, day: u32, effect: &Effect, repeats: usize) -> String {
    let when = match model.date_of(day) {
        Some(date) => format!("day {day} ({date})"),
        None => format!("day {day}"),
    };
    let again = if repeats > 0 {
        format!(", repeated {repeats} more times")
    } else {
        String::new()
    };
    match effect {
        Effect::Takedown { target, strike } => {
            let target = match target {
                Target::Provider(name) => format!("provider {name}"),
                Target::Class(class) => format!("every {class} provider"),
                Target::Jurisdiction(place) => format!("every provider in {place}"),
                Target::TopK(k) => format!("the top {k} provider(s)"),
            };
            format!(
                "{when}: takedown of {target}{again}: {:.0}% of capacity seized, {} days down, arrest probability {:.0}%, customer data {}",
                100.0 * strike.capacity_seized,
                strike.downtime_days,
                100.0 * strike.arrest_probability,
                if strike.customer_data_seized {
                    "seized"
                } else {
                    "not seized"
                }
            )
        }
        Effect::PaymentDisruption {
            end_day,
            conversion_factor,
            fee_share,
        } => format!(
            "{when}: payment disruption for {} days: sign-ups convert x{conversion_factor}, payments cost {:.0}% more",
            end_day - day - model.burn_in_days,
            100.0 * fee_share
        ),
        Effect::DeterrenceMessaging {
            end_day,
            arrival_factor,
            risk_shock,
        } => format!(
            "{when}: deterrence messaging for {} days: arrivals x{arrival_factor}, perceived risk +{risk_shock}",
            end_day - day - model.burn_in_days
        ),
        Effect::VictimHardening {
            segments,
            mfa_adoption_increase,
            bypass_share_factor,
            ramp_days,
        } => format!(
            "{when}: victim hardening of {} segment(s): MFA adoption +{:.0} points, bypass share x{bypass_share_factor}, over {ramp_days} days",
            segments.len(),
            100.0 * mfa_adoption_increase
        ),
    }
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
