//! The room's worker: one thread that runs the newest what-if, a small
//! wave of replications at a time, and publishes the results as they
//! tighten; a newer state cancels the run, and the worker skips the jobs
//! that are already out of date.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::Ordering;
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use super::room::{Job, Published, Room};
use super::series::Series;
use super::snapshot::{Done, results_json};
use crate::experiment::tables::summary_csv;
use crate::experiment::{Hooks, Summary, run_each_in_waves};

/// Least time between two snapshots of one run (the last one always goes).
const SNAPSHOT_EVERY: Duration = Duration::from_millis(100);

/// Run jobs from `jobs` for `room` until the room is gone.
pub fn work(room: Weak<Room>, jobs: Receiver<Job>) {
    while let Ok(mut job) = jobs.recv() {
        while let Ok(newer) = jobs.try_recv() {
            job = newer;
        }
        let Some(room) = room.upgrade() else { return };
        if job.cancel.load(Ordering::Relaxed) {
            continue;
        }
        // A panic in a run (a bug) fails that run, not the room.
        let ran = std::panic::catch_unwind(AssertUnwindSafe(|| run(&room, &job)));
        if ran.is_err() {
            room.fail(
                job.revision,
                "the run stopped on an internal error (a bug: please report it with the exported scenario)",
            );
        }
    }
}

/// Run one job, publishing snapshots to `room`.
fn run(room: &Arc<Room>, job: &Job) {
    let model = &job.whatif.model;
    let total = model.replications as usize;
    let mut summary = Summary::new(model);
    let mut series = Series::new(model.arms.len());
    let mut done = 0;
    let mut last = Instant::now();
    let hooks = Hooks {
        on_run_done: None,
        cancel: Some(&job.cancel),
    };
    let wave = rayon::current_num_threads();
    let finished = run_each_in_waves(model, &hooks, wave, |outputs| {
        summary.add(model, |arm| &outputs[arm]);
        series.add(&outputs);
        done += 1;
        let cancelled = job.cancel.load(Ordering::Relaxed);
        let due = !cancelled && last.elapsed() >= SNAPSHOT_EVERY && done % wave == 0;
        if done == total || due {
            let at = Done {
                revision: job.revision,
                done,
                total,
            };
            let finished = if done == total {
                let rows = summary.rows(model, &[]);
                let csv = summary_csv(&rows)?;
                Some((rows, csv))
            } else {
                None
            };
            let results = results_json(model, &job.colours, &summary, &series, at);
            room.publish(job.revision, Published { results, finished });
            last = Instant::now();
        } else if !cancelled {
            room.progress(job.revision, done, total);
        }
        Ok::<(), anyhow::Error>(())
    });
    if let Err(error) = finished {
        room.fail(job.revision, &format!("the run failed: {error:#}"));
    }
}
