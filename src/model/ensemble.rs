//! The ensemble of a scenario with uncertain parameters: its replications
//! split into groups, one per parameter draw, each group run on the model
//! built with that draw's values (see [`crate::model::uncertain`]).
//!
//! Replication `r` belongs to draw `r / replications_per_draw`, so the
//! replications of a draw are consecutive. Every arm of a replication runs
//! on the same draw's model: arms stay paired.

use super::config::Model;

/// The parameter draws of a run and the model of each.
#[derive(Debug, Clone)]
pub struct Ensemble {
    /// Consecutive replications that share a draw.
    pub replications_per_draw: u32,
    /// One draw per group of replications, in order.
    pub draws: Vec<Draw>,
}

/// One draw of every uncertain parameter.
#[derive(Debug, Clone)]
pub struct Draw {
    /// The drawn value of each uncertain parameter, in the order of
    /// [`Model::uncertain`].
    pub values: Vec<f64>,
    /// The scenario with those values, validated.
    pub model: Model,
}

impl Ensemble {
    /// The draw that replication `replication` runs with.
    pub fn draw_index(&self, replication: u32) -> usize {
        (replication / self.replications_per_draw) as usize
    }
}

impl Model {
    /// The model replication `replication` runs on: its draw's model in an
    /// ensemble, otherwise this one.
    pub fn model_of(&self, replication: u32) -> &Model {
        match &self.ensemble {
            Some(ensemble) => &ensemble.draws[ensemble.draw_index(replication)].model,
            None => self,
        }
    }
}
