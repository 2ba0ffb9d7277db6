//! The room: the state every browser shares, its revision, the what-if it
//! runs and the latest results, and the events that tell every browser of
//! a change. A new state cancels the run of the old one; the [`worker`]
//! runs the newest.
//!
//! [`worker`]: super::worker

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Value, json};
use tokio::sync::broadcast;

use super::budget;
use super::catalog::Catalog;
use super::predictions::{Reveal, Reveals};
use super::problem::{PageProblem, Where};
use super::state::{ArmCard, Predict, RoomState};
use super::whatif::{self, WhatIf};

/// An event for every browser: its name and its JSON data.
#[derive(Debug, Clone)]
pub struct Event {
    /// `state`, `results`, `progress`, `failed` or `reveal`.
    pub name: &'static str,
    /// The data, as JSON text.
    pub data: Arc<String>,
}

/// A run for the worker: the what-if of one revision.
pub struct Job {
    /// The revision whose state it runs.
    pub revision: u64,
    /// What it runs.
    pub whatif: Arc<WhatIf>,
    /// Each arm's palette index (the baseline's 0).
    pub colours: Vec<u8>,
    /// Set when a newer state makes it out of date.
    pub cancel: Arc<AtomicBool>,
}

/// What the room holds, behind its lock.
struct Inner {
    revision: u64,
    state: RoomState,
    whatif: Arc<WhatIf>,
    /// The revision whose run the current state shows (a change of the
    /// prediction round alone does not run again).
    run_revision: u64,
    cancel: Arc<AtomicBool>,
    /// The latest `results` data of the current run.
    results: Option<Value>,
    /// `summary.csv` of the current run, once finished.
    summary_csv: Option<Arc<Vec<u8>>>,
    reveals: Reveals,
}

/// The shared room.
pub struct Room {
    /// The scenarios it may pick.
    pub catalog: Catalog,
    inner: Mutex<Inner>,
    events: broadcast::Sender<Event>,
    jobs: Mutex<mpsc::Sender<Job>>,
}

/// Why a state was refused.
pub type Refused = Vec<PageProblem>;

impl Room {
    /// A room on `initial` (a scenario id of `catalog`) in its default
    /// state with `reps` replications; the jobs go to `jobs`.
    pub fn new(
        catalog: Catalog,
        initial: &str,
        reps: u32,
        jobs: mpsc::Sender<Job>,
    ) -> anyhow::Result<Arc<Self>> {
        let entry = catalog
            .get(initial)
            .ok_or_else(|| anyhow::anyhow!("no scenario `{initial}` to start with"))?;
        let state = default_state(entry, reps);
        let whatif = whatif::build(entry, &state).map_err(|problems| {
            let lines: Vec<String> = problems.iter().map(|p| p.message.clone()).collect();
            anyhow::anyhow!(
                "the default what-if of {} does not load: {}",
                entry.id,
                lines.join("; ")
            )
        })?;
        let inner = Inner {
            revision: 0,
            state,
            whatif: Arc::new(whatif),
            run_revision: 0,
            cancel: Arc::new(AtomicBool::new(false)),
            results: None,
            summary_csv: None,
            reveals: Reveals::default(),
        };
        let (events, _) = broadcast::channel(64);
        let room = Arc::new(Room {
            catalog,
            inner: Mutex::new(inner),
            events,
            jobs: Mutex::new(jobs),
        });
        room.start_run(&mut room.lock());
        Ok(room)
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A receiver of every event from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    /// The events a browser that connects now needs: the state, and the
    /// latest results when there are any.
    pub fn greeting(&self) -> Vec<Event> {
        let inner = self.lock();
        let mut events = vec![state_event(&inner)];
        events.extend(
            inner
                .results
                .as_ref()
                .map(|r| results_event(r, inner.revision)),
        );
        events
    }

    /// Take `state` as the room's: its revision, or the problems that
    /// refuse it (the room's state then stays as it was).
    pub fn submit(&self, state: RoomState) -> Result<u64, Refused> {
        let mut inner = self.lock();
        if state == inner.state {
            return Ok(inner.revision);
        }
        let mut problems = state.shape_problems(Some(&inner.state));
        let entry = self.catalog.get(&state.scenario);
        if entry.is_none() {
            problems.push(PageProblem::new(
                Where::setting("scenario"),
                format!("`{}` is not a scenario of this room", state.scenario),
            ));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let entry = entry.expect("checked above");
        let same_run = same_run(&inner.state, &state);
        let whatif = if same_run {
            None
        } else {
            Some(whatif::build(entry, &state)?)
        };
        if let Some(reason) = whatif
            .as_ref()
            .and_then(|w| budget::refusal(&w.model, rayon::current_num_threads()))
        {
            return Err(vec![PageProblem::new(Where::setting("reps"), reason)]);
        }
        inner.revision += 1;
        inner.state = state;
        match whatif {
            Some(whatif) => {
                inner.whatif = Arc::new(whatif);
                self.start_run(&mut inner);
            }
            None => self.restamp_results(&mut inner),
        }
        self.record_reveal(&mut inner);
        Ok(inner.revision)
    }

    /// Cancel the current run and hand the current what-if to the worker.
    fn start_run(&self, inner: &mut Inner) {
        inner.cancel.store(true, Ordering::Relaxed);
        inner.cancel = Arc::new(AtomicBool::new(false));
        inner.run_revision = inner.revision;
        inner.results = None;
        inner.summary_csv = None;
        let mut colours = vec![0];
        colours.extend(inner.state.arms.iter().map(|a| a.colour));
        let job = Job {
            revision: inner.revision,
            whatif: inner.whatif.clone(),
            colours,
            cancel: inner.cancel.clone(),
        };
        let sent = self
            .jobs
            .lock()
            .map(|jobs| jobs.send(job).is_ok())
            .unwrap_or(false);
        self.send(state_event(inner));
        if !sent {
            self.send(failed_event(
                inner.revision,
                "the room's worker has stopped; restart `caasim serve`",
            ));
        }
    }

    /// The same results under the new revision (the run did not change).
    fn restamp_results(&self, inner: &mut Inner) {
        self.send(state_event(inner));
        if let Some(results) = &inner.results {
            self.send(results_event(results, inner.revision));
        }
    }

    /// Results of run `revision`: kept and sent when it is still the
    /// current run (the finished run's `summary.csv` with its last ones).
    pub fn publish(&self, revision: u64, results: Value, summary_csv: Option<Vec<u8>>) {
        let mut inner = self.lock();
        if revision != inner.run_revision {
            return;
        }
        self.send(results_event(&results, inner.revision));
        inner.results = Some(results);
        if let Some(csv) = summary_csv {
            inner.summary_csv = Some(Arc::new(csv));
            self.record_reveal(&mut inner);
        }
    }

    /// Progress of run `revision`, when it is the current run.
    pub fn progress(&self, revision: u64, done: usize, total: usize) {
        let inner = self.lock();
        if revision == inner.run_revision {
            let data = json!({"revision": inner.revision, "done": done, "total": total});
            self.send(Event {
                name: "progress",
                data: Arc::new(data.to_string()),
            });
        }
    }

    /// A run that failed: every browser is told why.
    pub fn fail(&self, revision: u64, message: &str) {
        let inner = self.lock();
        if revision == inner.run_revision {
            self.send(failed_event(inner.revision, message));
        }
    }

    /// Record the revealed round of the current state once its run has
    /// finished (once per round).
    fn record_reveal(&self, inner: &mut Inner) {
        let predict = &inner.state.predict;
        if !(predict.on && predict.revealed) || inner.summary_csv.is_none() {
            return;
        }
        let Some(results) = &inner.results else {
            return;
        };
        let reveal = Reveal::of(&inner.state, results);
        if let Some(record) = inner.reveals.add(reveal) {
            let data = json!({"revision": inner.revision, "record": record});
            self.send(Event {
                name: "reveal",
                data: Arc::new(data.to_string()),
            });
        }
    }

    fn send(&self, event: Event) {
        // No receiver (no browser connected) is not an error.
        let _ = self.events.send(event);
    }

    /// The current what-if's scenario text and its file name.
    pub fn scenario_file(&self) -> (String, String) {
        let inner = self.lock();
        (
            whatif::file_name(&inner.state.scenario),
            inner.whatif.text.clone(),
        )
    }

    /// `summary.csv` of the current run, when it has finished.
    pub fn summary_csv(&self) -> Option<Arc<Vec<u8>>> {
        self.lock().summary_csv.clone()
    }

    /// Every revealed round as CSV.
    pub fn predictions_csv(&self) -> anyhow::Result<Vec<u8>> {
        self.lock().reveals.csv()
    }

    /// The room's state now.
    pub fn state(&self) -> RoomState {
        self.lock().state.clone()
    }
}

/// Whether `a` and `b` run the same what-if (they differ at most in the
/// prediction round).
fn same_run(a: &RoomState, b: &RoomState) -> bool {
    let strip = |s: &RoomState| RoomState {
        predict: Predict {
            on: false,
            metric: String::new(),
            guesses: Default::default(),
            revealed: false,
        },
        ..s.clone()
    };
    strip(a) == strip(b)
}

fn state_event(inner: &Inner) -> Event {
    let data = json!({
        "revision": inner.revision,
        "state": inner.state,
        "command": format!("caasim run {}", whatif::file_name(&inner.state.scenario)),
    });
    Event {
        name: "state",
        data: Arc::new(data.to_string()),
    }
}

fn results_event(results: &Value, revision: u64) -> Event {
    let mut results = results.clone();
    results["revision"] = json!(revision);
    Event {
        name: "results",
        data: Arc::new(results.to_string()),
    }
}

fn failed_event(revision: u64, message: &str) -> Event {
    let data = json!({"revision": revision, "message": message});
    Event {
        name: "failed",
        data: Arc::new(data.to_string()),
    }
}

/// The default state of a scenario: its first intervention arm as the one
/// what-if arm, its market assumptions as written, `reps` replications.
pub fn default_state(entry: &super::catalog::Entry, reps: u32) -> RoomState {
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
            metric: super::snapshot::HEADLINE[0].into(),
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
