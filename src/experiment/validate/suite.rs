//! A validation suite as written: `shared.toml` (the shared parameter set
//! and the settings of every calibration and prediction) and one folder per
//! case with its `case.toml` (what happened, what the model lacks, which
//! parameters the case calibrates), scenario and targets.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail, ensure};
use serde::Deserialize;

use crate::experiment::design::Range;

/// The most parameters one case may calibrate.
pub const MAX_CALIBRATED: usize = 2;

/// How each case is calibrated and predicted (`shared.toml`'s
/// `[calibration]` and `[prediction]`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// ABC-SMC particles per generation.
    pub population: usize,
    /// Generations, generation 0 included.
    pub generations: usize,
    /// Replications per particle.
    pub replications: u32,
    /// Replications of the best fit for `fit.csv`.
    pub final_replications: u32,
    /// Replications of a prediction, each on its own posterior draw.
    pub prediction_replications: u32,
}

/// `shared.toml` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SharedFile {
    shared: BTreeMap<String, toml::Value>,
    settings: Settings,
}

/// `case.toml` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    title: String,
    happened: String,
    missing: String,
    scenario: Option<PathBuf>,
    targets: Option<PathBuf>,
    calibrate: BTreeMap<String, [f64; 2]>,
}

/// One validation case.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The case's folder name, e.g. `emotet-2021`.
    pub name: String,
    /// What the case is, e.g. "Emotet botnet, takedown of January 2021".
    pub title: String,
    /// What happened, with its figures.
    pub happened: String,
    /// What of the real case the model lacks.
    pub missing: String,
    /// Its scenario file.
    pub scenario: PathBuf,
    /// Its targets file.
    pub targets: PathBuf,
    /// The parameters it calibrates, with their uniform priors.
    pub calibrated: Vec<Range>,
}

/// A suite: the shared set, the settings and the cases, in name order.
#[derive(Debug, Clone, PartialEq)]
pub struct Suite {
    /// The folder it was read from.
    pub dir: PathBuf,
    /// The shared parameter set: `(key, value as TOML)`.
    pub shared: Vec<(String, String)>,
    /// How cases are calibrated and predicted.
    pub settings: Settings,
    /// The cases.
    pub cases: Vec<Case>,
}

impl Suite {
    /// Read `dir/shared.toml` and every `dir/<case>/case.toml`.
    pub fn load(dir: &Path) -> Result<Suite> {
        let path = dir.join("shared.toml");
        let text = read(&path)?;
        let file: SharedFile =
            toml::from_str(&text).with_context(|| format!("{} is not valid", path.display()))?;
        let shared = (file.shared.into_iter())
            .map(|(key, value)| (key, value.to_string()))
            .collect();
        let mut cases = Vec::new();
        for entry in fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
            let folder = entry
                .with_context(|| format!("cannot read {}", dir.display()))?
                .path();
            if folder.join("case.toml").is_file() {
                cases.push(Case::load(&folder)?);
            }
        }
        ensure!(
            !cases.is_empty(),
            "{} holds no case (a folder with a case.toml)",
            dir.display()
        );
        cases.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Suite {
            dir: dir.to_path_buf(),
            shared,
            settings: file.settings,
            cases,
        })
    }

    /// The cases named in `names` (all when `None`); the error lists the
    /// cases there are.
    pub fn select(&self, names: Option<&[String]>) -> Result<Vec<&Case>> {
        let Some(names) = names else {
            return Ok(self.cases.iter().collect());
        };
        let mut unique: Vec<&String> = Vec::new();
        for name in names {
            if !unique.contains(&name) {
                unique.push(name);
            }
        }
        unique
            .into_iter()
            .map(|name| {
                self.cases
                    .iter()
                    .find(|c| &c.name == name)
                    .with_context(|| {
                        let known: Vec<&str> = self.cases.iter().map(|c| c.name.as_str()).collect();
                        format!("--cases: no case {name:?}; allowed: {}", known.join(", "))
                    })
            })
            .collect()
    }

    /// The `key=value` overrides that give `case` the shared set: every
    /// shared key but those the case calibrates.
    pub fn overrides(&self, case: &Case) -> Vec<String> {
        (self.shared.iter())
            .filter(|(key, _)| !case.calibrated.iter().any(|r| &r.parameter == key))
            .map(|(key, value)| format!("{key}={value}"))
            .collect()
    }
}

impl Case {
    /// Read `folder/case.toml`.
    fn load(folder: &Path) -> Result<Case> {
        let path = folder.join("case.toml");
        let file: CaseFile = toml::from_str(&read(&path)?)
            .with_context(|| format!("{} is not valid", path.display()))?;
        let calibrated: Vec<Range> = (file.calibrate.into_iter())
            .map(|(parameter, [low, high])| Range {
                parameter,
                low,
                high,
            })
            .collect();
        if calibrated.len() > MAX_CALIBRATED {
            bail!(
                "{}: [calibrate] has {} parameters; allowed: at most {MAX_CALIBRATED} per case",
                path.display(),
                calibrated.len()
            );
        }
        let ordered = |r: &&Range| r.low.is_finite() && r.high.is_finite() && r.low < r.high;
        if let Some(r) = calibrated.iter().find(|r| !ordered(r)) {
            bail!(
                "{}: [calibrate] {:?} = [{}, {}]; allowed: [low, high] with low < high",
                path.display(),
                r.parameter,
                r.low,
                r.high
            );
        }
        let name =
            (folder.file_name().map(|n| n.to_string_lossy().to_string())).unwrap_or_default();
        let file_of = |given: Option<PathBuf>, default: &str| {
            folder.join(given.unwrap_or_else(|| PathBuf::from(default)))
        };
        Ok(Case {
            name,
            title: file.title,
            happened: file.happened,
            missing: file.missing,
            scenario: file_of(file.scenario, "scenario.toml"),
            targets: file_of(file.targets, "targets.toml"),
            calibrated,
        })
    }
}

/// A file's text, with an error naming it.
fn read(path: &Path) -> Result<String> {
    fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}
