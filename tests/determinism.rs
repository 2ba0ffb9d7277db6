//! The results do not depend on the number of threads, a run repeats exactly,
//! and the seed matters.

mod common;

use std::path::{Path, PathBuf};

use common::bin;

/// Files of a results folder that must be reproducible (the manifest holds
/// times and the thread count, so it is left out).
const FILES: [&str; 5] = [
    "timeseries.csv",
    "segments.csv",
    "providers.csv",
    "summary.csv",
    "summary.json",
];

/// Run generic-market (shortened) with `threads` rayon threads into `dir/name`.
fn run(dir: &Path, name: &str, threads: usize, seed: Option<u64>) -> PathBuf {
    let out = dir.join(name);
    let mut command = bin();
    command
        .env("RAYON_NUM_THREADS", threads.to_string())
        .args([
            "run",
            "scenarios/generic-market.toml",
            "--reps",
            "3",
            "--quiet",
        ])
        .args([
            "--set",
            "scenario.days=120",
            "--set",
            "scenario.burn_in_days=60",
        ])
        .arg("--out")
        .arg(&out);
    if let Some(seed) = seed {
        command.args(["--seed", &seed.to_string()]);
    }
    let output = command.output().expect("the caasim binary runs");
    assert!(
        output.status.success(),
        "caasim run failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    out
}

fn read(dir: &Path, file: &str) -> Vec<u8> {
    std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(file).display()))
}

fn assert_same_files(a: &Path, b: &Path, what: &str) {
    for file in FILES {
        let (x, y) = (read(a, file), read(b, file));
        assert!(!x.is_empty(), "{file} is empty");
        assert!(x == y, "{what}: {file} differs");
    }
}

#[test]
fn results_do_not_depend_on_threads_and_repeat_exactly() {
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let one = run(tmp.path(), "one-thread", 1, None);
    let two = run(tmp.path(), "two-threads", 2, None);
    let again = run(tmp.path(), "two-threads-again", 2, None);
    assert_same_files(&one, &two, "1 thread vs 2 threads");
    assert_same_files(&two, &again, "two runs with the same seed");
}

#[test]
fn a_different_seed_gives_different_results() {
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let default = run(tmp.path(), "seed-default", 2, None);
    let other = run(tmp.path(), "seed-other", 2, Some(12_345));
    assert!(
        read(&default, "timeseries.csv") != read(&other, "timeseries.csv"),
        "--seed 12345 gave the same timeseries.csv as the scenario's seed"
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&read(&other, "manifest.json")).expect("the manifest is JSON");
    assert_eq!(
        manifest["seed"], 12_345,
        "the manifest records the seed used"
    );
}

/// Arms that share the days before their interventions (simulated once, on a
/// trunk) give exactly what each arm run alone from day 0 gives; an arm's
/// output differs from the baseline's once its intervention acts.
#[test]
fn shared_days_before_interventions_change_nothing() {
    let overrides = [
        "scenario.days=150".into(),
        "scenario.burn_in_days=90".into(),
    ];
    let path = common::repo_path("scenarios/generic-market.toml");
    let model = caasim::scenario::load_file(&path, &overrides).expect("valid scenario");
    assert!(
        model.arms.len() >= 5,
        "the scenario has every intervention kind"
    );
    for replication in [0, 3] {
        let shared =
            caasim::engine::run_replication(&model, replication, None).expect("not cancelled");
        assert_eq!(shared.len(), model.arms.len());
        for (arm, output) in shared.iter().enumerate() {
            let alone = caasim::engine::run(&model, arm, replication);
            assert_eq!(output, &alone, "arm {arm}, replication {replication}");
        }
        assert_ne!(shared[0].days, shared[1].days, "the takedown arm acts");
    }
}

/// Replications are simulated a wave at a time and handed on in order: the
/// runs do not depend on the wave size (four replications per thread, so
/// one thread and two give different waves), and when a replication is
/// handed on no more than its own wave has been simulated, so the records
/// held at once do not grow with the number of replications.
#[test]
fn replications_come_in_order_a_wave_at_a_time_whatever_the_threads() {
    use caasim::experiment::{self, Hooks};
    use std::sync::atomic::{AtomicUsize, Ordering};

    let overrides = [
        "scenario.days=90".into(),
        "scenario.burn_in_days=20".into(),
        "scenario.replications=19".into(),
    ];
    let path = common::repo_path("scenarios/generic-market.toml");
    let model = caasim::scenario::load_file(&path, &overrides).expect("valid scenario");
    let arms = model.arms.len();
    let on_threads = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool");
        pool.install(|| {
            let wave = caasim::resources::wave_size();
            assert_eq!(wave, caasim::resources::WAVE_PER_THREAD * threads);
            let simulated = AtomicUsize::new(0);
            let count = |done: usize| {
                simulated.fetch_max(done, Ordering::Relaxed);
            };
            let hooks = Hooks {
                on_run_done: Some(&count),
                cancel: None,
            };
            let mut handed_on = Vec::new();
            let finished = experiment::run_each(&model, &hooks, |outputs| {
                let replication = handed_on.len();
                let wave_end = ((replication / wave + 1) * wave).min(19);
                assert_eq!(
                    simulated.load(Ordering::Relaxed),
                    wave_end * arms,
                    "replication {replication} on {threads} threads is handed on when its wave, and only its wave, is done"
                );
                assert!(outputs.iter().all(|o| o.replication as usize == replication));
                handed_on.push(outputs);
                Ok::<(), ()>(())
            });
            assert_eq!(finished, Ok(true));
            handed_on
        })
    };
    let one = on_threads(1);
    let two = on_threads(2);
    assert_eq!(one.len(), 19);
    assert!(one == two, "the runs depend on the number of threads");
    let alone =
        caasim::engine::run_replication(model.model_of(13), 13, None).expect("not cancelled");
    assert!(one[13] == alone, "replication 13 differs when run alone");
}
