//! The room's state: what every browser in a workshop sees and edits (the
//! scenario, the settings, the what-if arms, the prediction round), as the
//! page sends it, and the checks of its shape that come before the
//! scenario's own validation.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::problem::{PageProblem, Where};

/// Most what-if arms at once (besides the baseline).
pub const MAX_ARMS: usize = 4;
/// Fewest and most replications a room may ask for.
pub const REPS_RANGE: (u32, u32) = (2, 200);
/// Longest arm name and guess key, in characters.
const MAX_NAME: usize = 40;
/// Longest note on an arm, in characters.
const MAX_NOTE: usize = 500;
/// Most interventions in one arm.
const MAX_INTERVENTIONS: usize = 6;

/// The room's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoomState {
    /// Scenario id (a file stem of the catalogue).
    pub scenario: String,
    /// Replications of every arm.
    pub reps: u32,
    /// Master seed.
    pub seed: u64,
    /// Whether the facilitator unlocked the baseline (its market assumptions).
    pub unlocked: bool,
    /// Values of the scenario's adjustable market assumptions, by key.
    pub market: BTreeMap<String, f64>,
    /// The what-if arms, 1 to [`MAX_ARMS`].
    pub arms: Vec<ArmCard>,
    /// The prediction round.
    pub predict: Predict,
}

/// One what-if arm as a card of the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArmCard {
    /// Arm name.
    pub name: String,
    /// Palette index, 1 to [`MAX_ARMS`] (0 is the baseline's black).
    pub colour: u8,
    /// The facilitator's note, kept in the exported arm's description.
    #[serde(default)]
    pub note: String,
    /// Interventions as scenario tables (`kind` and fields), in JSON.
    pub interventions: Vec<serde_json::Map<String, serde_json::Value>>,
}

/// A round of "predict, then reveal".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Predict {
    /// Whether a round is on (results hidden until revealed).
    pub on: bool,
    /// The metric the room guesses.
    pub metric: String,
    /// The room's guess per arm name.
    #[serde(default)]
    pub guesses: BTreeMap<String, f64>,
    /// Whether the results were revealed.
    pub revealed: bool,
}

impl RoomState {
    /// Whether `self` runs the same numbers as `other`: they differ at
    /// most in the prediction round and the arms' notes.
    pub fn runs_like(&self, other: &RoomState) -> bool {
        let numbers = |s: &RoomState| {
            let mut copy = s.clone();
            copy.predict = Predict::default();
            copy.arms.iter_mut().for_each(|a| a.note.clear());
            copy
        };
        numbers(self) == numbers(other)
    }

    /// Problems of the state's shape: counts, names, the replications, the
    /// guesses, and market assumptions changed while the baseline is locked
    /// (against `current`, the room's state, when it is of the same
    /// scenario).
    pub fn shape_problems(&self, current: Option<&RoomState>) -> Vec<PageProblem> {
        let mut problems = Vec::new();
        self.check_settings(&mut problems);
        self.check_arms(&mut problems);
        self.check_predict(&mut problems);
        if let Some(current) = current.filter(|c| c.scenario == self.scenario) {
            self.check_lock(current, &mut problems);
        }
        problems
    }

    fn check_settings(&self, problems: &mut Vec<PageProblem>) {
        let (lo, hi) = REPS_RANGE;
        if !(lo..=hi).contains(&self.reps) {
            problems.push(PageProblem::new(
                Where::setting("reps"),
                format!(
                    "is {}; allowed: a whole number from {lo} to {hi}",
                    self.reps
                ),
            ));
        }
    }

    fn check_arms(&self, problems: &mut Vec<PageProblem>) {
        if self.arms.is_empty() || self.arms.len() > MAX_ARMS {
            problems.push(PageProblem::new(
                Where::setting("arms"),
                format!(
                    "has {} arms; allowed: 1 to {MAX_ARMS} what-if arms",
                    self.arms.len()
                ),
            ));
        }
        for (i, arm) in self.arms.iter().enumerate() {
            if let Some(message) = name_problem(&arm.name) {
                problems.push(PageProblem::new(Where::arm_field(i, "name"), message));
            } else if self.arms[..i].iter().any(|a| a.name == arm.name) {
                problems.push(PageProblem::new(
                    Where::arm_field(i, "name"),
                    format!("`{}` names two arms; allowed: a name of its own", arm.name),
                ));
            }
            arm.check(i, problems);
        }
    }

    fn check_predict(&self, problems: &mut Vec<PageProblem>) {
        for (name, guess) in &self.predict.guesses {
            if !guess.is_finite() || name.chars().count() > MAX_NAME {
                problems.push(PageProblem::new(
                    Where::setting("predict"),
                    format!("the guess for `{name}` is {guess}; allowed: a finite number"),
                ));
            }
        }
    }

    fn check_lock(&self, current: &RoomState, problems: &mut Vec<PageProblem>) {
        if self.unlocked || current.unlocked {
            return;
        }
        for (key, value) in &self.market {
            if current.market.get(key) != Some(value) {
                problems.push(PageProblem::new(
                    Where::market(key),
                    "the baseline is locked; unlock it to change the market assumptions".into(),
                ));
            }
        }
    }
}

impl ArmCard {
    fn check(&self, i: usize, problems: &mut Vec<PageProblem>) {
        if usize::from(self.colour) == 0 || usize::from(self.colour) > MAX_ARMS {
            problems.push(PageProblem::new(
                Where::arm_field(i, "colour"),
                format!("is {}; allowed: 1 to {MAX_ARMS}", self.colour),
            ));
        }
        if self.note.chars().count() > MAX_NOTE {
            problems.push(PageProblem::new(
                Where::arm_field(i, "note"),
                format!("is longer than {MAX_NOTE} characters"),
            ));
        }
        if self.interventions.len() > MAX_INTERVENTIONS {
            problems.push(PageProblem::new(
                Where::arm_field(i, "interventions"),
                format!(
                    "has {} interventions; allowed: at most {MAX_INTERVENTIONS}",
                    self.interventions.len()
                ),
            ));
        }
    }
}

/// Why `name` cannot name an arm, if it cannot: 1 to 40 letters, digits,
/// spaces, `-`, `_` or `+` (a name the baseline has already is the
/// scenario's validation's to refuse).
fn name_problem(name: &str) -> Option<String> {
    name_outside(name, MAX_NAME, "-_+")
}

/// Why `name` is not 1 to `max` letters, digits, spaces and `extra`
/// characters, if it is not.
pub fn name_outside(name: &str, max: usize, extra: &str) -> Option<String> {
    let allowed = |c: char| c.is_alphanumeric() || c == ' ' || extra.contains(c);
    let fits = !name.trim().is_empty() && name.chars().count() <= max;
    let listed: Vec<String> = extra.chars().map(|c| format!("`{c}`")).collect();
    (!fits || !name.chars().all(allowed)).then(|| {
        format!(
            "is `{name}`; allowed: 1 to {max} letters, digits, spaces or {}",
            listed.join(", ")
        )
    })
}
