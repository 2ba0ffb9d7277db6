//! caasim: an agent-based simulator of cybercrime-as-a-service markets and of
//! the interventions that disrupt them.
//!
//! The crate is organised by the model's concepts (see README, ARCHITECTURE):
//! [`scenario`] reads and validates scenario files into a [`model::Model`];
//! [`model`] holds agents as plain data and the rules of one day;
//! [`engine`] runs the day loop with keyed random streams; [`experiment`] runs
//! arms and replications in parallel and compares arms with the baseline;
//! [`output`] writes tables and the manifest; [`report`] draws plots and the
//! HTML report; [`cli`] is the command-line layer.

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
pub mod stats;
pub mod table;
