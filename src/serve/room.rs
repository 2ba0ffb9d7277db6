//! The room: the state every browser shares, its revision, the what-if it
//! runs and the latest results, and the events that tell every browser of
//! a change. A new state cancels the run of the old one; the [`worker`]
//! runs the newest. A state that changes only what does not change the
//! numbers (the prediction round, the notes) keeps the run and its results.
//!
//! [`worker`]: super::worker

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Value, json};
use tokio::sync::broadcast;

use super::budget;
use super::catalog::{Catalog, Entry};
use super::controls::market_value;
use super::defaults::default_state;
use super::predictions::{Reveal, Reveals};
use super::problem::{PageProblem, Where};
use super::state::RoomState;
use super::whatif::{self, WhatIf};
use crate::experiment::SummaryRow;

/// An event for every browser: its name and its JSON data.
#[derive(Debug, Clone)]
pub struct Event {
    /// `state`, `results`, `progress`, `failed` or `reveal`.
    pub name: &'static str,
    /// The data, as JSON text.
    pub data: Arc<String>,
}

impl Event {
    fn new(name: &'static str, data: &Value) -> Self {
        Event {
            name,
            data: Arc::new(data.to_string()),
        }
    }
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

/// A finished or partial run's results, as the worker publishes them.
pub struct Published {
    /// The `results` event's data.
    pub results: Value,
    /// When the run has finished: its summary rows and `summary.csv`.
    pub finished: Option<(Vec<SummaryRow>, Vec<u8>)>,
}

/// What the room holds, behind its lock.
struct Inner {
    revision: u64,
    state: RoomState,
    whatif: Arc<WhatIf>,
    /// The revision whose run the current state shows.
    run_revision: u64,
    cancel: Arc<AtomicBool>,
    /// The latest `results` data of the current run.
    results: Option<Value>,
    /// The current run's summary rows and `summary.csv`, once finished.
    finished: Option<Arc<(Vec<SummaryRow>, Vec<u8>)>>,
    /// Whether a revealed round waits for its run to finish to be recorded.
    reveal_pending: bool,
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
            finished: None,
            reveal_pending: false,
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

    /// The what-if of `state`, checked as the room would take it (shape,
    /// scenario, validation, time budget) against the room's state
    /// `current`; slow (a scenario validation), so never under the lock.
    pub fn check(&self, state: &RoomState, current: Option<&RoomState>) -> Result<WhatIf, Refused> {
        let mut problems = state.shape_problems(current);
        let Some(entry) = self.catalog.get(&state.scenario) else {
            problems.push(PageProblem::new(
                Where::setting("scenario"),
                format!("`{}` is not a scenario of this room", state.scenario),
            ));
            return Err(problems);
        };
        let switched = current.is_some_and(|c| c.scenario != state.scenario);
        if switched && !state.unlocked {
            problems.extend(locked_changes(entry, state));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let whatif = whatif::build(entry, state)?;
        match budget::refusal(&whatif.model, rayon::current_num_threads()) {
            Some(reason) => Err(vec![PageProblem::new(Where::setting("reps"), reason)]),
            None => Ok(whatif),
        }
    }

    /// Take `state` as the room's: its revision, or the problems that
    /// refuse it (the room's state then stays as it was). The what-if is
    /// validated outside the lock, then taken if no other state came
    /// meanwhile (else checked again against that one).
    pub fn submit(&self, state: RoomState) -> Result<u64, Refused> {
        loop {
            let (seen, current) = {
                let inner = self.lock();
                if state == inner.state {
                    return Ok(inner.revision);
                }
                (inner.revision, inner.state.clone())
            };
            let whatif = self.check(&state, Some(&current))?;
            let mut inner = self.lock();
            if inner.revision == seen {
                return Ok(self.take(&mut inner, state, whatif));
            }
        }
    }

    /// Make `state` (with its checked `whatif`) the room's new revision.
    fn take(&self, inner: &mut Inner, state: RoomState, whatif: WhatIf) -> u64 {
        let rerun = !state.runs_like(&inner.state);
        let newly_revealed = state.predict.revealed
            && state.predict.on
            && !(inner.state.predict.revealed && inner.state.predict.on);
        inner.revision += 1;
        inner.state = state;
        inner.whatif = Arc::new(whatif);
        inner.reveal_pending |= newly_revealed;
        if !inner.state.predict.on {
            inner.reveal_pending = false;
        }
        if rerun {
            self.start_run(inner);
        } else {
            self.send(state_event(inner));
            if let Some(results) = &inner.results {
                self.send(results_event(results, inner.revision));
            }
        }
        self.record_reveal(inner);
        inner.revision
    }

    /// Cancel the current run and hand the current what-if to the worker.
    fn start_run(&self, inner: &mut Inner) {
        inner.cancel.store(true, Ordering::Relaxed);
        inner.cancel = Arc::new(AtomicBool::new(false));
        inner.run_revision = inner.revision;
        inner.results = None;
        inner.finished = None;
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

    /// Results of run `revision`: kept and sent when it is still the
    /// current run.
    pub fn publish(&self, revision: u64, published: Published) {
        let mut inner = self.lock();
        if revision != inner.run_revision {
            return;
        }
        self.send(results_event(&published.results, inner.revision));
        inner.results = Some(published.results);
        if let Some(finished) = published.finished {
            inner.finished = Some(Arc::new(finished));
            self.record_reveal(&mut inner);
        }
    }

    /// Progress of run `revision`, when it is the current run.
    pub fn progress(&self, revision: u64, done: usize, total: usize) {
        let inner = self.lock();
        if revision == inner.run_revision {
            let data = json!({"revision": inner.revision, "done": done, "total": total});
            self.send(Event::new("progress", &data));
        }
    }

    /// A run that failed: every browser is told why.
    pub fn fail(&self, revision: u64, message: &str) {
        let inner = self.lock();
        if revision == inner.run_revision {
            self.send(failed_event(inner.revision, message));
        }
    }

    /// Record the round just revealed, once its run has finished.
    fn record_reveal(&self, inner: &mut Inner) {
        let Some(finished) = inner.finished.clone() else {
            return;
        };
        if !inner.reveal_pending {
            return;
        }
        inner.reveal_pending = false;
        let reveal = Reveal::of(&inner.state, &finished.0);
        if let Some(record) = inner.reveals.add(reveal) {
            let data = json!({"revision": inner.revision, "record": record});
            self.send(Event::new("reveal", &data));
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
    pub fn summary_csv(&self) -> Option<Vec<u8>> {
        self.lock().finished.as_ref().map(|f| f.1.clone())
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

fn state_event(inner: &Inner) -> Event {
    let data = json!({
        "revision": inner.revision,
        "state": inner.state,
        "command": format!("caasim run {}", whatif::file_name(&inner.state.scenario)),
    });
    Event::new("state", &data)
}

fn results_event(results: &Value, revision: u64) -> Event {
    let mut results = results.clone();
    results["revision"] = json!(revision);
    Event::new("results", &results)
}

fn failed_event(revision: u64, message: &str) -> Event {
    Event::new("failed", &json!({"revision": revision, "message": message}))
}

/// The market assumptions of `state` that differ from its scenario's own
/// values: refused while the baseline is locked (a new scenario starts
/// from its own baseline).
fn locked_changes(entry: &Entry, state: &RoomState) -> Vec<PageProblem> {
    state
        .market
        .iter()
        .filter(|(key, value)| market_value(&entry.model, key) != Some(**value))
        .map(|(key, _)| {
            PageProblem::new(
                Where::market(key),
                "the baseline is locked; unlock it to change the market assumptions".into(),
            )
        })
        .collect()
}
