//! `caasim bench` prints one line per size and thread count, each with its
//! attacker-days per second and peak memory, and refuses bad sizes.

mod common;

use caasim::engine::bench::{
    MARKET_ORIGIN, MARKET_TOML, initial_attackers, model_with_attackers, step_days, warmed_up,
};
use caasim::model::Model;
use caasim::scenario::load_text;
use common::bin;

#[test]
fn bench_prints_a_rate_and_peak_memory_per_size() {
    let output = bin()
        .args(["bench", "--attackers", "2000,4e3", "--threads", "1,2"])
        .args(["--warmup-days", "3", "--days", "2"])
        .output()
        .expect("caasim runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<&str> = stdout.lines().skip(1).collect();
    assert_eq!(
        lines.len(),
        4,
        "one line per size and thread count:\n{stdout}"
    );
    for (line, prefix) in lines.iter().zip([
        "2000 attackers, 1 thread:",
        "2000 attackers, 2 threads:",
        "4000 attackers, 1 thread:",
        "4000 attackers, 2 threads:",
    ]) {
        assert!(line.starts_with(prefix), "{line}");
        let rate: f64 = line
            .split(": ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no rate in {line}"));
        assert!(rate > 1e3, "{line}");
        assert!(line.contains("attacker-days/s"), "{line}");
        assert!(line.contains("peak memory"), "{line}");
    }
}

#[test]
fn bench_refuses_bad_sizes_and_threads() {
    for args in [
        ["--attackers", "0"],
        ["--attackers", "1.5"],
        ["--threads", "0"],
        ["--days", "0"],
    ] {
        let output = bin().arg("bench").args(args).output().expect("caasim runs");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(args[0]), "{args:?}: {stderr}");
    }
}

#[test]
fn scaling_multiplies_attackers_and_capacity() {
    let base = load_text(MARKET_TOML, MARKET_ORIGIN, &[]).unwrap();
    let model = model_with_attackers(&base, 100_000);
    assert_eq!(initial_attackers(&model), 100_000);
    let ratio = |f: fn(&Model) -> f64| f(&model) / f(&base);
    assert_eq!(ratio(|m| m.providers[0].economics.capacity_seats), 10.0);
    assert_eq!(ratio(|m| m.entry.template.cash_usd), 10.0);
}

#[test]
fn attacker_days_count_the_whole_population() {
    let base = load_text(MARKET_TOML, MARKET_ORIGIN, &[]).unwrap();
    let model = model_with_attackers(&base, 2_000);
    let mut world = warmed_up(&model, 30);
    let counts = world.counts;
    let population = counts.working + counts.searching + counts.dormant;
    assert!(
        counts.working < population,
        "some attackers are not working"
    );
    let stepped = step_days(&mut world, 30, 1);
    assert_eq!(stepped.all, population);
    assert_eq!(stepped.working, counts.working);
}
