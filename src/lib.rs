//! caasim: an agent-based simulator of cybercrime-as-a-service markets and of
//! the interventions that disrupt them.
//!
//! The crate is a house of layers, each using only those below it (README,
//! ARCHITECTURE; `tests/layers.rs` checks it). Bottom first:
//! - foundation: [`check`] (key paths and value checks), [`rng`] (keyed
//!   random streams), [`stats`] (means and intervals), [`table`] (CSV cells
//!   and declared columns);
//! - [`model`]: the scenario's parameters as plain data, agents and the
//!   rules of one day;
//! - [`engine`]: the day loop and the day's record;
//! - [`resources`]: memory, disk and wave sizes a run needs;
//! - [`scenario`]: reading and validating scenario files into a [`model::Model`];
//! - [`output`]: the results folder and the manifest;
//! - [`experiment`]: replications, effects and metrics, a run's tables,
//!   sweeps, sensitivity and calibration;
//! - [`report`]: plots and HTML pages from a results folder;
//! - [`cli`]: the command line.

pub mod check;
pub mod cli;
pub mod engine;
pub mod experiment;
pub mod model;
pub mod output;
pub mod report;
pub mod resources;
pub mod rng;
pub mod scenario;
pub mod serve;
pub mod stats;
pub mod table;
