//! A scenario's default room state (its first intervention arm against the
//! baseline, its market assumptions as written) and the interventions of
//! an arm as the page edits them.

use serde_json::Value;

use super::catalog::Entry;
use super::state::{ArmCard, Predict, RoomState};

/// The default state of a scenario: its first intervention arm as the one
/// what-if arm, its market assumptions as written, `reps` replications.
pub fn default_state(entry: &Entry, reps: u32) -> RoomState {
    let model = &entry.model;
    let scenario = &model.scenario;
    let first = scenario.arms.iter().find(|a| !a.interventions.is_empty());
    let interventions = first
        .map(|arm| interventions_json(&arm.interventions))
        .unwrap_or_default();
    let market = scenario
        .workshop
        .adjustable
        .iter()
        .filter_map(|key| Some((key.clone(), super::controls::market_value(model, key)?)))
        .collect();
    RoomState {
        scenario: entry.id.clone(),
        reps,
        seed: model.seed,
        unlocked: false,
        market,
        arms: vec![ArmCard {
            name: first.map_or_else(|| "what-if".to_string(), |a| a.name.clone()),
            colour: 1,
            note: String::new(),
            interventions,
        }],
        predict: Predict {
            on: false,
            metric: crate::experiment::metrics::HEADLINE[0].into(),
            guesses: Default::default(),
            revealed: false,
        },
    }
}

/// Interventions as the page edits them: their scenario tables in JSON,
/// without the fields left unset.
pub fn interventions_json(
    interventions: &[crate::model::interventions::Intervention],
) -> Vec<serde_json::Map<String, Value>> {
    interventions
        .iter()
        .filter_map(|i| serde_json::to_value(i).ok()?.as_object().cloned())
        .map(|mut fields| {
            fields.retain(|_, v| !v.is_null());
            fields
        })
        .collect()
}
