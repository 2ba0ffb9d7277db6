//! Scenario files: reading the TOML text into the parameters of
//! [`crate::model::params`] with `--set` overrides and `--arm-add` arm
//! additions ([`load`], [`arm_add`]), locating
//! problems ([`locate`], [`error`]), and validation into a [`Model`]
//! ([`validate`]), with the model of each parameter draw of a scenario with
//! uncertain parameters (`ensemble`, built on the scenario without the
//! table, parsed once: `base`), and the posterior of a calibration an
//! ensemble can draw from ([`posterior`]).
//! Every problem is reported with the file, line, key and what is allowed.

pub mod arm_add;
mod base;
mod ensemble;
pub mod error;
pub mod load;
pub mod locate;
pub mod posterior;
pub mod validate;
mod workshop;

use std::path::Path;

use crate::model::params::Scenario;
pub use error::ScenarioError;
pub use posterior::PosteriorError;

use crate::model::Model;

/// Read, override, parse and validate a scenario file.
pub fn load_file(path: &Path, overrides: &[String]) -> Result<Model, ScenarioError> {
    validate::validate(load::read(path, overrides)?)
}

/// Parse and validate scenario text (`origin` names it in messages).
pub fn load_text(text: &str, origin: &str, overrides: &[String]) -> Result<Model, ScenarioError> {
    validate::validate(load::parse(text, origin, overrides)?)
}

/// Why a scenario with a posterior did not load: a problem of the scenario
/// or of the posterior.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// A problem of the scenario file.
    Scenario(ScenarioError),
    /// A problem of the posterior folder.
    Posterior(PosteriorError),
}

impl From<ScenarioError> for LoadError {
    fn from(error: ScenarioError) -> Self {
        LoadError::Scenario(error)
    }
}

impl From<PosteriorError> for LoadError {
    fn from(error: PosteriorError) -> Self {
        LoadError::Posterior(error)
    }
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Scenario(e) => e.fmt(f),
            LoadError::Posterior(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for LoadError {}

/// [`load_file`], with an ensemble that draws the calibrated keys from the
/// posterior of the calibration folder `dir` (see [`posterior`]).
pub fn load_file_with_posterior(
    path: &Path,
    overrides: &[String],
    dir: &Path,
) -> Result<Model, LoadError> {
    let table = posterior::read(dir)?;
    posterior::load(table, load::read(path, overrides)?)
}

/// [`load_text`], with an ensemble that draws the calibrated keys from the
/// posterior of the calibration folder `dir`.
pub fn load_text_with_posterior(
    text: &str,
    origin: &str,
    overrides: &[String],
    dir: &Path,
) -> Result<Model, LoadError> {
    let table = posterior::read(dir)?;
    posterior::load(table, load::parse(text, origin, overrides)?)
}

/// The key of the replications run on each parameter draw of an ensemble
/// (0: none, the central values).
pub const PER_DRAW_KEY: &str = "scenario.replications_per_draw";

/// The JSON Schema of the scenario format.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Scenario);
    serde_json::to_string_pretty(&schema).expect("a schema always serialises")
}

/// The scenario with every default filled in, as TOML.
pub fn resolved_toml(scenario: &Scenario) -> String {
    toml::to_string_pretty(scenario).expect("a validated scenario always serialises")
}
