//! Benchmarks of the engine (`cargo bench`; one group: `cargo bench -- day_step`).
//!
//! - `day_step/<attackers>/<threads>`: one day of the benchmark market
//!   (`benches/market.toml`, scaled) after 60 warm-up days; throughput is
//!   attacker-days, counting every attacker in the population.
//! - `redvds_run`: every arm of `scenarios/redvds-2026.toml` for its 30
//!   replications (simulation only, no files).
//! - `workshop`: its baseline and takedown arms at 10 replications.
//! - `sweep`: a 4-point grid over `generic-market` at 2 replications,
//!   written to a temporary folder as `caasim sweep` writes it.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use caasim::engine::bench::{MARKET_ORIGIN, MARKET_TOML, model_with_attackers, warmed_up};
use caasim::engine::step;
use caasim::experiment::design::{grid, parse_grid};
use caasim::experiment::sweep::{self, Shard, Sweep};
use caasim::experiment::{self, Hooks};
use caasim::scenario::{load_file, load_text};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

const WARMUP_DAYS: u32 = 60;

fn day_step(c: &mut Criterion) {
    let base = load_text(MARKET_TOML, MARKET_ORIGIN, &[]).expect("the bench market is valid");
    let mut group = c.benchmark_group("day_step");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8));
    for attackers in [10_000u64, 100_000, 1_000_000] {
        let model = model_with_attackers(&base, attackers);
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("a thread pool");
            let mut world = pool.install(|| warmed_up(&model, WARMUP_DAYS));
            let counts = world.counts;
            let population = counts.working + counts.searching + counts.dormant;
            group.throughput(Throughput::Elements(population));
            let mut day = WARMUP_DAYS;
            let id = BenchmarkId::new(attackers.to_string(), format!("{threads} threads"));
            group.bench_function(id, |b| {
                b.iter(|| {
                    black_box(pool.install(|| step(&mut world, day)));
                    day += 1;
                })
            });
        }
    }
    group.finish();
}

fn redvds(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/redvds-2026.toml");
    let full = load_file(&path, &[]).expect("redvds-2026 is valid");
    let mut workshop = load_file(&path, &["scenario.replications=10".into()]).expect("valid");
    workshop
        .keep_arms(&["takedown".into()])
        .expect("a takedown arm");
    let mut group = c.benchmark_group("redvds");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("redvds_run", |b| {
        b.iter(|| experiment::run(&full, &Hooks::default()))
    });
    group.bench_function("workshop", |b| {
        b.iter(|| experiment::run(&workshop, &Hooks::default()))
    });
    group.finish();
}

fn small_sweep(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/generic-market.toml");
    let overrides = ["scenario.replications=2", "scenario.days=120"].map(String::from);
    let axis = parse_grid("market.search_days=10,20,30,40").expect("a grid axis");
    let design = grid(&[axis]).expect("a grid");
    let sweep = Sweep::new(&path, overrides.to_vec(), design).expect("a valid sweep");
    let mut group = c.benchmark_group("sweep");
    group.sample_size(10);
    group.bench_function("4_points", |b| {
        b.iter(|| {
            let dir = tempfile::tempdir().expect("a temporary folder");
            sweep::prepare(dir.path(), &sweep, false).expect("a new folder");
            sweep::run(dir.path(), &sweep, Shard::ALL, &Hooks::default()).expect("the sweep runs")
        })
    });
    group.finish();
}

criterion_group!(benches, day_step, redvds, small_sweep);
criterion_main!(benches);
