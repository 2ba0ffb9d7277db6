//! "Predict, then reveal": each revealed round, the room's guesses next to
//! the model's estimates, kept for the session and exported as CSV.

use serde::Serialize;

use super::state::RoomState;
use crate::experiment::SummaryRow;

/// One arm's guess against the model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Guess {
    /// Arm name.
    pub arm: String,
    /// The room's guess.
    pub guess: f64,
    /// The model's estimate, its 95% interval, and whether the guess lies in it.
    pub estimate: Option<f64>,
    /// Lower end of the interval.
    pub ci_low: Option<f64>,
    /// Upper end of the interval.
    pub ci_high: Option<f64>,
    /// Whether the interval holds the guess.
    pub inside: Option<bool>,
}

/// One revealed round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reveal {
    /// Scenario id.
    pub scenario: String,
    /// Metric guessed.
    pub metric: String,
    /// Every arm's guess.
    pub guesses: Vec<Guess>,
}

impl Reveal {
    /// The round of `state` against the finished run's summary `rows`
    /// (exact, not the rounded numbers of the event stream).
    pub fn of(state: &RoomState, rows: &[SummaryRow]) -> Self {
        let metric = &state.predict.metric;
        let guesses = state
            .predict
            .guesses
            .iter()
            .map(|(arm, guess)| {
                let row = rows
                    .iter()
                    .find(|r| r.is_effect() && r.arm == *arm && r.metric == metric.as_str());
                let e = row.map(|r| r.estimate);
                let (low, high) = (e.and_then(|e| e.ci_low), e.and_then(|e| e.ci_high));
                Guess {
                    arm: arm.clone(),
                    guess: *guess,
                    estimate: e.and_then(|e| e.mean),
                    ci_low: low,
                    ci_high: high,
                    inside: low.zip(high).map(|(l, h)| (l..=h).contains(guess)),
                }
            })
            .collect();
        Reveal {
            scenario: state.scenario.clone(),
            metric: metric.clone(),
            guesses,
        }
    }
}

/// Most rounds one session keeps.
pub const MAX_ROUNDS: usize = 1000;

/// The rounds revealed so far.
#[derive(Debug, Default)]
pub struct Reveals {
    rounds: Vec<Reveal>,
}

impl Reveals {
    /// Keep `reveal` (unless it has no guess, or the session has kept
    /// [`MAX_ROUNDS`] already); the kept round.
    pub fn add(&mut self, reveal: Reveal) -> Option<&Reveal> {
        if reveal.guesses.is_empty() || self.rounds.len() >= MAX_ROUNDS {
            return None;
        }
        self.rounds.push(reveal);
        self.rounds.last()
    }

    /// `round,scenario,metric,arm,guess,estimate,ci_low,ci_high,inside`.
    pub fn csv(&self) -> anyhow::Result<Vec<u8>> {
        let mut csv = csv::Writer::from_writer(Vec::new());
        csv.write_record(COLUMNS)?;
        let cell = |x: Option<f64>| x.map_or_else(String::new, |x| x.to_string());
        for (round, reveal) in self.rounds.iter().enumerate() {
            for g in &reveal.guesses {
                csv.write_record([
                    (round + 1).to_string(),
                    reveal.scenario.clone(),
                    reveal.metric.clone(),
                    g.arm.clone(),
                    g.guess.to_string(),
                    cell(g.estimate),
                    cell(g.ci_low),
                    cell(g.ci_high),
                    g.inside.map_or_else(String::new, |b| b.to_string()),
                ])?;
            }
        }
        Ok(csv.into_inner()?)
    }
}

/// The columns of the predictions CSV.
const COLUMNS: [&str; 9] = [
    "round", "scenario", "metric", "arm", "guess", "estimate", "ci_low", "ci_high", "inside",
];
