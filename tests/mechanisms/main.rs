//! Unit tests of the model's mechanisms, each on a small world built for the
//! purpose (through the public API, so that the model's modules stay free of
//! imports from the layers above them).

#[path = "../common/mod.rs"]
mod common;

mod attacker;
mod comeback;
mod config;
mod entry;
mod intervention;
mod investment;
mod jurisdictions;
mod market;
mod provider;
mod renewal;
mod small;
mod victims;
mod world;
