//! Checkpoints and resume: `generation-<g>.csv` for each complete
//! generation, `calibration.json` (the inputs, their fingerprint and the
//! log), and reopening a folder of the same calibration after its last
//! complete generation.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use super::abc::{GenerationStats, Population};
use super::setup::Setup;
use crate::experiment::parameter::Parameter;
use crate::output::folder::{self, write_atomic};
use crate::table::num;

/// Name of the calibration's identity and log, in the output folder.
pub const IDENTITY: &str = "calibration.json";

/// The checkpoint file of generation `g`.
pub(super) fn generation_file(dir: &Path, g: usize) -> PathBuf {
    dir.join(format!("generation-{g}.csv"))
}

/// A population as CSV: `particle`, parameters, `weight`, `distance`, `model_seed`.
pub(super) fn population_csv(parameters: &[Parameter], population: &Population) -> Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["particle".to_string()];
    header.extend(parameters.iter().map(|p| p.range.parameter.clone()));
    header.extend(["weight", "distance", "model_seed"].map(String::from));
    writer.write_record(&header)?;
    for (i, theta) in population.particles.iter().enumerate() {
        let mut row = vec![i.to_string()];
        row.extend(theta.iter().map(|&v| num(v)));
        row.extend([
            num(population.weights[i]),
            num(population.distances[i]),
            population.seeds[i].to_string(),
        ]);
        writer.write_record(&row)?;
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
}

/// Read a checkpoint written by [`population_csv`].
fn read_population(path: &Path, parameters: &[Parameter]) -> Result<Population> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    let d = parameters.len();
    let mut population = Population {
        particles: Vec::new(),
        weights: Vec::new(),
        distances: Vec::new(),
        seeds: Vec::new(),
    };
    for record in reader.records() {
        let record = record.with_context(|| format!("{} is damaged", path.display()))?;
        let cell = |i: usize| {
            record
                .get(i)
                .with_context(|| format!("{} is damaged", path.display()))
        };
        let number = |i: usize| -> Result<f64> { Ok(cell(i)?.parse()?) };
        population
            .particles
            .push((1..=d).map(number).collect::<Result<_>>()?);
        population.weights.push(number(d + 1)?);
        population.distances.push(number(d + 2)?);
        population.seeds.push(cell(d + 3)?.parse()?);
    }
    Ok(population)
}

/// State found in the folder.
pub(super) struct Resumed {
    pub(super) history: Vec<GenerationStats>,
    pub(super) population: Option<Population>,
    pub(super) elapsed_before: f64,
}

/// Make the folder ready; load the complete generations of the same calibration.
pub(super) fn open_folder(dir: &Path, setup: &Setup) -> Result<Resumed> {
    let path = dir.join(IDENTITY);
    let fresh = Resumed {
        history: Vec::new(),
        population: None,
        elapsed_before: 0.0,
    };
    if !path.exists() {
        folder::prepare(dir, setup.config.force)?;
        return Ok(fresh);
    }
    let log: Value = fs::read_to_string(&path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .with_context(|| {
            format!(
                "{} is damaged; choose another output folder",
                path.display()
            )
        })?;
    if log["fingerprint"] != json!(setup.fingerprint) {
        bail!(
            "{} holds another calibration (scenario, overrides, targets, parameters, population, alpha, replications, seed or final tolerance differ); choose another output folder",
            dir.display()
        );
    }
    remove_temporary(dir)?;
    let mut history: Vec<GenerationStats> = log["generations"]
        .as_array()
        .map(|a| a.iter().filter_map(stats_from_json).collect())
        .unwrap_or_default();
    history.truncate(setup.config.generations);
    while history
        .last()
        .is_some_and(|s| !generation_file(dir, s.generation).is_file())
    {
        history.pop();
    }
    let population = match history.last() {
        Some(s) => Some(read_population(
            &generation_file(dir, s.generation),
            &setup.parameters,
        )?),
        None => None,
    };
    Ok(Resumed {
        history,
        population,
        elapsed_before: log["elapsed_seconds"].as_f64().unwrap_or(0.0),
    })
}

/// Remove temporary files left by an interrupted calibration.
fn remove_temporary(dir: &Path) -> Result<()> {
    for entry in fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let path = entry?.path();
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let ours = ["generation-", "posterior", "best-fit", "fit.csv", IDENTITY]
            .iter()
            .any(|s| name.starts_with(&format!(".{s}")));
        if ours && name.ends_with(".tmp") {
            fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
        }
    }
    Ok(())
}

/// JSON number, or null when not finite.
pub(super) fn json_number(x: f64) -> Value {
    if x.is_finite() { json!(x) } else { Value::Null }
}

fn stats_to_json(s: &GenerationStats) -> Value {
    json!({
        "generation": s.generation,
        "tolerance": json_number(s.tolerance),
        "reached_final_tolerance": s.reached_final_tolerance,
        "attempts": s.attempts,
        "acceptance_rate": s.acceptance_rate,
        "runs": s.runs,
        "ess": s.ess,
    })
}

fn stats_from_json(v: &Value) -> Option<GenerationStats> {
    Some(GenerationStats {
        generation: v["generation"].as_u64()? as usize,
        tolerance: v["tolerance"].as_f64().unwrap_or(f64::INFINITY),
        reached_final_tolerance: v["reached_final_tolerance"].as_bool()?,
        attempts: v["attempts"].as_u64()? as usize,
        acceptance_rate: v["acceptance_rate"].as_f64()?,
        runs: v["runs"].as_u64()?,
        ess: v["ess"].as_f64()?,
    })
}

/// Write `calibration.json` with the state so far and `extra` fields.
pub(super) fn write_log(
    dir: &Path,
    setup: &Setup,
    history: &[GenerationStats],
    elapsed: f64,
    extra: Value,
) -> Result<()> {
    let mut log = json!({
        "tool": "caasim",
        "kind": "calibration",
        "method": "ABC-SMC (Toni et al. 2009; Beaumont et al. 2009): adaptive tolerance at the alpha-quantile of the previous distances, truncated Gaussian kernel with twice the weighted variance",
        "fingerprint": setup.fingerprint,
        "inputs": setup.inputs,
        "settings": {
            "generations": setup.config.generations,
            "max_attempts": setup.config.max_attempts(),
            "final_replications": setup.config.final_replications,
        },
        "generations": history.iter().map(stats_to_json).collect::<Vec<_>>(),
        "runs": history.iter().map(|s| s.runs).sum::<u64>(),
        "elapsed_seconds": elapsed,
    });
    if let (Some(log), Some(extra)) = (log.as_object_mut(), extra.as_object()) {
        log.extend(extra.clone());
    }
    write_atomic(&dir.join(IDENTITY), format!("{log:#}\n").as_bytes())
}
