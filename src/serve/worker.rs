//! The room's worker: one thread that runs the newest what-if, a small
//! wave of replications at a time, and publishes the results as they
//! tighten; a newer state cancels the run, and the worker skips the jobs
//! that are already out of date.

use std::sync::atomic::Ordering;
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use super::room::{Job, Room};
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
        if !job.cancel.load(Ordering::Relaxed) {
            run(&room, &job);
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
        if done == total || (!cancelled && last.elapsed() >= SNAPSHOT_EVERY && done % wave == 0) {
            let at = Done {
                revision: job.revision,
                done,
                total,
            };
            let csv = (done == total).then(|| summary_csv(&summary.rows(model, &[])));
            let csv = match csv.transpose() {
                Ok(csv) => csv,
                Err(error) => return Err(error),
            };
            room.publish(
                job.revision,
                results_json(model, &job.colours, &summary, &series, at),
                csv,
            );
            last = Instant::now();
        } else if !cancelled {
            room.progress(job.revision, done, total);
        }
        Ok(())
    });
    if let Err(error) = finished {
        room.fail(job.revision, &format!("the run failed: {error:#}"));
    }
}
