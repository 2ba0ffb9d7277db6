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
    /// The drawn value of each parameter, in the order of
    /// [`Model::drawn_keys`]: the uncertain parameters, then the posterior's.
    pub values: Vec<f64>,
    /// The posterior's particle the draw picked (`None` without a posterior).
    pub particle: Option<usize>,
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
    /// The keys of the parameters a draw gives values to, in the order of
    /// [`Draw::values`]: [`Model::uncertain`], then the posterior's keys.
    pub fn drawn_keys(&self) -> impl Iterator<Item = &str> {
        let uncertain = self.uncertain.iter().map(|p| p.key.as_str());
        let posterior = self.posterior.iter().flat_map(|p| &p.keys);
        uncertain.chain(posterior.map(|k| k.key.as_str()))
    }

    /// The model replication `replication` runs on: its draw's model in an
    /// ensemble, otherwise this one.
    pub fn model_of(&self, replication: u32) -> &Model {
        match &self.ensemble {
            Some(ensemble) => &ensemble.draws[ensemble.draw_index(replication)].model,
            None => self,
        }
    }
}
