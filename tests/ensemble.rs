//! Runs that integrate over uncertain parameters (issue 14): each group of
//! replications runs on its draw's model, every arm of a replication on the
//! same draw; `--fixed` runs as a scenario without `[uncertain]`; the bytes
//! do not depend on the thread count; the ensemble interval covers at its
//! nominal rate; bad draws are refused with exit code 2.

mod common;

use std::path::Path;

use caasim::engine;
use caasim::experiment::{self, Hooks};
use caasim::model::params::Uncertain;
use caasim::model::uncertain::{UncertainParameter, draw};
use caasim::rng::RunKey;
use caasim::stats::nested::ensemble_estimate;
use common::{generic_text, load, read_csv, run_bin};

/// 12 replications in 4 draws of 3.
fn ensemble_text() -> String {
    ensemble_of(12, 3)
}

/// generic-market with `replications` replications in draws of `per_draw`,
/// and an `[uncertain]` table of parameters that act before and after the
/// takedown.
fn ensemble_of(replications: u32, per_draw: u32) -> String {
    let text = generic_text()
        .replace(
            "replications = 8",
            &format!("replications = {replications}"),
        )
        .replace(
            "replications_per_draw = 2",
            &format!("replications_per_draw = {per_draw}"),
        );
    format!(
        "{text}\n[uncertain]\n{}\n",
        r#""market.emails_per_seat_per_day" = { dist = "log_uniform", low = 200, high = 600 }
"market.search_days" = { dist = "triangular", low = 5, mode = 14, high = 40 }
"arms.takedown.interventions.0.capacity_seized" = { dist = "uniform", low = 0.5, high = 0.9 }"#
    )
}

#[test]
fn replications_run_on_their_draws_model_and_arms_share_it() {
    let model = load(&ensemble_text(), &[]);
    let ensemble = model
        .ensemble
        .as_ref()
        .expect("the scenario runs as an ensemble");
    assert_eq!(
        (ensemble.draws.len(), ensemble.replications_per_draw),
        (4, 3)
    );
    let emails = model
        .uncertain
        .iter()
        .position(|p| p.key == "market.emails_per_seat_per_day")
        .unwrap();
    let experiment = experiment::run(&model, &Hooks::default()).expect("not cancelled");
    for replication in 0..model.replications {
        let drawn = &ensemble.draws[replication as usize / 3];
        assert_eq!(
            drawn.model.market.emails_per_seat_per_day, drawn.values[emails],
            "the draw's model has its value"
        );
        for arm in 0..model.arms.len() {
            // Every arm ran on the draw of its replication.
            let alone = engine::run(&drawn.model, arm, replication);
            let ran = experiment.run_of(arm, replication);
            assert_eq!(alone.days, ran.days, "arm {arm}, replication {replication}");
        }
    }
    // The draws differ, and the central model is not one of them.
    let values: Vec<f64> = ensemble.draws.iter().map(|d| d.values[emails]).collect();
    assert!(values.windows(2).all(|w| w[0] != w[1]), "{values:?}");
    assert_eq!(model.market.emails_per_seat_per_day, 385.0);
}

#[test]
fn a_set_fixes_an_uncertain_parameter_and_fixed_runs_at_the_central_values() {
    let text = ensemble_text();
    let set = load(&text, &["market.search_days=9"]);
    let keys: Vec<&str> = set.uncertain.iter().map(|p| p.key.as_str()).collect();
    assert!(!keys.contains(&"market.search_days"), "{keys:?}");
    for drawn in &set.ensemble.as_ref().unwrap().draws {
        assert_eq!(drawn.model.market.search_days, 9.0);
    }
    let fixed = load(&text, &["scenario.replications_per_draw=0"]);
    assert!(fixed.ensemble.is_none());
    assert_eq!(fixed.uncertain.len(), 3);
}

/// The data files of a results folder, by name.
fn data_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    [
        "timeseries.csv",
        "providers.csv",
        "segments.csv",
        "summary.csv",
        "summary.json",
    ]
    .iter()
    .map(|name| (name.to_string(), std::fs::read(dir.join(name)).unwrap()))
    .collect()
}

/// Run the binary on scenario text into a new folder; returns the folder.
fn run_text(
    text: &str,
    extra: &[&str],
    threads: &str,
    tmp: &Path,
    name: &str,
) -> std::path::PathBuf {
    let file = tmp.join(format!("{name}.toml"));
    std::fs::write(&file, text).unwrap();
    let out = tmp.join(name);
    let mut args = vec![
        "run",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ];
    args.extend_from_slice(extra);
    let output = common::bin()
        .args(&args)
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    out
}

#[test]
fn fixed_gives_the_bytes_of_the_scenario_without_uncertain_parameters() {
    let tmp = tempfile::tempdir().unwrap();
    let plain = generic_text().replace("replications = 8", "replications = 4");
    let without = run_text(&plain, &[], "2", tmp.path(), "plain");
    let fixed = run_text(&ensemble_of(4, 2), &["--fixed"], "2", tmp.path(), "fixed");
    assert_eq!(data_files(&without), data_files(&fixed));
    let manifest = std::fs::read_to_string(fixed.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"mode\": \"fixed"), "{manifest}");
    assert!(!fixed.join("draws.csv").exists());
}

#[test]
fn an_ensemble_gives_the_same_bytes_on_one_and_two_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let text = ensemble_of(6, 2);
    let one = run_text(&text, &[], "1", tmp.path(), "one");
    let two = run_text(&text, &[], "2", tmp.path(), "two");
    assert_eq!(data_files(&one), data_files(&two));
    for extra in ["draws.csv", "voi.csv"] {
        assert_eq!(
            std::fs::read(one.join(extra)).unwrap(),
            std::fs::read(two.join(extra)).unwrap()
        );
    }
    let summary = read_csv(&two.join("summary.csv"));
    let row = summary
        .iter()
        .find(|r| r["arm"] == "takedown" && r["metric"] == "campaigns_change_pct")
        .unwrap();
    assert_eq!(row["draws"], "3");
    let low: f64 = row["ensemble_p05"].parse().unwrap();
    let high: f64 = row["ensemble_p95"].parse().unwrap();
    assert!(low < high, "{low} {high}");
    let manifest = std::fs::read_to_string(two.join("manifest.json")).unwrap();
    assert!(
        manifest.contains("\"replications_per_draw\": 2"),
        "{manifest}"
    );
}

/// The 90% interval across an ensemble of `k` draws, the 5% and 95% sample
/// quantiles (Hyndman-Fan 7) of the draws' effects, covers a new draw with
/// probability `0.9 (k - 1) / (k + 1)` (the expected mass between order
/// statistics of a continuous distribution). Over 3,000 seeds the rate of
/// covering one new draw is within four binomial standard errors of it.
/// The toy effect is the drawn value itself, from a triangular
/// distribution, with one replication per draw.
#[test]
fn the_ensemble_interval_covers_a_new_draw_at_its_nominal_rate() {
    let parameter = UncertainParameter {
        key: "market.search_days".into(),
        dist: Uncertain::Triangular {
            low: 2.0,
            mode: 5.0,
            high: 20.0,
        },
        integer: false,
    };
    let (k, seeds) = (50u64, 3000u64);
    let mut covered = 0;
    for seed in 0..seeds {
        let values: Vec<Option<f64>> = (0..k)
            .map(|replication| {
                Some(
                    draw(
                        std::slice::from_ref(&parameter),
                        RunKey { seed, replication },
                    )[0],
                )
            })
            .collect();
        let (_, spread) = ensemble_estimate(&values, 1);
        let fresh = draw(
            std::slice::from_ref(&parameter),
            RunKey {
                seed,
                replication: k,
            },
        )[0];
        covered += u32::from((spread.low.unwrap()..=spread.high.unwrap()).contains(&fresh));
    }
    let nominal = 0.9 * (k - 1) as f64 / (k + 1) as f64;
    let rate = f64::from(covered) / seeds as f64;
    let se = (nominal * (1.0 - nominal) / seeds as f64).sqrt();
    assert!(
        (rate - nominal).abs() < 4.0 * se,
        "{rate} vs {nominal} (se {se})"
    );
}

#[test]
fn a_last_draw_may_be_short_and_the_split_uses_the_full_draws() {
    let model = load(&ensemble_of(7, 3), &[]);
    let ensemble = model.ensemble.as_ref().unwrap();
    assert_eq!(ensemble.draws.len(), 3);
    assert_eq!(ensemble.draw_index(6), 2);
    // Draws {1, 2, 3}, {4, 5, 6} and {100}: the short draw counts in the
    // means but not in the split.
    let values: Vec<Option<f64>> = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 100.0].map(Some).to_vec();
    let (mean, spread) = ensemble_estimate(&values, 3);
    assert_eq!(mean.mean, Some((2.0 + 5.0 + 100.0) / 3.0));
    assert_eq!(spread.var_noise, Some(1.0));
    // MSB = 3 x ((2 - 3.5)^2 + (5 - 3.5)^2) / 1 = 13.5; (13.5 - 1) / 3.
    assert_eq!(spread.var_parameter, Some(12.5 / 3.0));
}

#[test]
fn a_draw_that_makes_the_scenario_invalid_is_refused_before_the_run() {
    // Each end of each range is valid with the other bound at its central
    // value, but a draw can put the lower bound of the crews' risk
    // tolerance above its upper bound.
    let text = ensemble_of(12, 1).replace(
        "[uncertain]\n",
        "[uncertain]\n\"attackers.bec-crew.risk_tolerance.low\" = { dist = \"uniform\", low = 0.01, high = 0.19 }\n\"attackers.bec-crew.risk_tolerance.high\" = { dist = \"uniform\", low = 0.03, high = 0.2 }\n",
    );
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("crossed.toml");
    std::fs::write(&file, &text).unwrap();
    let out = tmp.path().join("out");
    let output = run_bin(&[
        "run",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let message = String::from_utf8_lossy(&output.stderr);
    let line = text.lines().position(|l| l == "[uncertain]").unwrap() + 1;
    assert!(
        message.contains(&format!("crossed.toml:{line}:")),
        "{message}"
    );
    assert!(message.contains("`uncertain`"), "{message}");
    assert!(message.contains("makes the scenario invalid"), "{message}");
    assert!(!out.exists(), "nothing is written");
}
