//! The model: agents as plain data and the rules that change them.
//!
//! - [`params`]: the scenario's parameters as plain data (serde structs with every default).
//! - [`config`]: the resolved, validated parameters of a scenario.
//! - [`provider`]: providers and their daily update (cash, capacity, price, reputation).
//! - [`attacker`]: attackers (a compact struct) and their daily act.
//! - [`population`]: the attackers of a run by identity, in chunks that drop those who left.
//! - [`victims`]: victim segments, effective compromise probabilities and losses.
//! - [`market`]: the logit provider choice and the sequential market clearing.
//! - [`interventions`]: one module per intervention kind: its fields, checks, effect and description.
//! - [`seizure`]: what takedown strikes seized, as asked and after resilience.
//! - [`calendar`]: days and dates of a run.
//! - [`entry`]: arrival of providers and attackers.
//! - [`uncertain`]: uncertain parameters and the draw of their values for a replication.
//! - [`posterior`]: the weighted particles of a calibration, and the pick of a draw's particle.
//! - [`ensemble`]: the parameter draws of a run and the model of each.
//! - [`world`]: the state of one run (one arm, one replication).
//! - [`version`]: the model's version, recorded with every result.
//!
//! The day loop that calls these in order is in [`crate::engine`].

pub mod attacker;
pub mod calendar;
pub mod config;
pub mod ensemble;
pub mod entry;
pub mod interventions;
pub mod jurisdiction;
pub mod market;
pub mod params;
pub mod population;
pub mod posterior;
pub mod provider;
pub mod relocation;
pub mod seizure;
pub mod uncertain;
pub mod version;
pub mod victims;
pub mod world;

pub use config::Model;
pub use version::MODEL_VERSION;
