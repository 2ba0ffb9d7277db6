//! Scenario files: reading the TOML text into the parameters of
//! [`crate::model::params`] with `--set` overrides ([`load`]), locating
//! problems ([`locate`], [`error`]), and validation into a [`Model`]
//! ([`validate`]), with the model of each parameter draw of a scenario with
//! uncertain parameters (`ensemble`).
//! Every problem is reported with the file, line, key and what is allowed.

mod ensemble;
pub mod error;
pub mod load;
pub mod locate;
pub mod validate;

use std::path::Path;

use crate::model::params::Scenario;
pub use error::ScenarioError;

use crate::model::Model;

/// Read, override, parse and validate a scenario file.
pub fn load_file(path: &Path, overrides: &[String]) -> Result<Model, ScenarioError> {
    validate::validate(load::read(path, overrides)?)
}

/// Parse and validate scenario text (`origin` names it in messages).
pub fn load_text(text: &str, origin: &str, overrides: &[String]) -> Result<Model, ScenarioError> {
    validate::validate(load::parse(text, origin, overrides)?)
}

/// The JSON Schema of the scenario format.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Scenario);
    serde_json::to_string_pretty(&schema).expect("a schema always serialises")
}

/// The scenario with every default filled in, as TOML.
pub fn resolved_toml(scenario: &Scenario) -> String {
    toml::to_string_pretty(scenario).expect("a validated scenario always serialises")
}
