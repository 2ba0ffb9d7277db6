//! The summary's contrasts between arms, its outcome split where an arrest
//! forks the runs, its censoring-aware `days_to_recover` and its share
//! intervals, each checked against `effects.csv`, the per-replication
//! values the summary is made from.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{read_csv, run_bin};

type Row = BTreeMap<String, String>;

/// Run generic-market at its central values into a temporary folder with
/// `extra` arguments; returns the folder.
fn run(extra: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    let mut args = vec![
        "run",
        "scenarios/generic-market.toml",
        "--fixed",
        "--reps",
        "8",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let output = run_bin(&args);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    dir
}

/// The per-replication values of `metric` for `arm` (`None`: empty cell).
fn values(dir: &Path, arm: &str, metric: &str) -> Vec<Option<f64>> {
    read_csv(&dir.join("r/effects.csv"))
        .iter()
        .filter(|r| r["arm"] == arm && r["metric"] == metric)
        .map(|r| r["value"].parse().ok())
        .collect()
}

/// The summary row of (`arm`, `versus`, `outcome`, `metric`, `statistic`).
fn summary_row(dir: &Path, key: [&str; 5]) -> Row {
    let columns = ["arm", "versus", "outcome", "metric", "statistic"];
    read_csv(&dir.join("r/summary.csv"))
        .into_iter()
        .find(|r| columns.iter().zip(key).all(|(c, k)| r[*c] == k))
        .unwrap_or_else(|| panic!("no summary row {key:?}"))
}

fn cell(row: &Row, column: &str) -> Option<f64> {
    row[column].parse().ok()
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

#[test]
fn a_contrast_is_the_paired_mean_and_the_ratio_of_means() {
    let dir = run(&["--contrast", "sustained-pressure:takedown"]);
    let metric = "campaigns_change_pct";
    let a: Vec<f64> = values(dir.path(), "sustained-pressure", metric)
        .into_iter()
        .flatten()
        .collect();
    let b: Vec<f64> = values(dir.path(), "takedown", metric)
        .into_iter()
        .flatten()
        .collect();
    assert_eq!((a.len(), b.len()), (8, 8));
    let differences: Vec<f64> = a.iter().zip(&b).map(|(a, b)| a - b).collect();
    let key = [
        "sustained-pressure",
        "takedown",
        "all",
        metric,
        "difference",
    ];
    let difference = summary_row(dir.path(), key);
    assert!((cell(&difference, "estimate").unwrap() - mean(&differences)).abs() < 1e-9);
    assert_eq!(difference["interval"], "t over replications");
    let ratio = summary_row(dir.path(), [key[0], key[1], key[2], key[3], "ratio"]);
    assert!((cell(&ratio, "estimate").unwrap() - mean(&a) / mean(&b)).abs() < 1e-9);

    // The arms share their random numbers, so the paired interval is
    // narrower than the one two independent samples would give
    // (half-widths combined in quadrature); a pairing of the wrong
    // replications would lose that.
    let half = |row: &Row| (cell(row, "ci_high").unwrap() - cell(row, "ci_low").unwrap()) / 2.0;
    let effect = |arm: &str| summary_row(dir.path(), [arm, "baseline", "all", metric, "mean"]);
    let unpaired = half(&effect("sustained-pressure")).hypot(half(&effect("takedown")));
    assert!(
        half(&difference) < 0.5 * unpaired,
        "{} vs {unpaired}",
        half(&difference)
    );
}

#[test]
fn bad_contrasts_are_refused_with_exit_code_2() {
    for (contrast, says) in [
        ("takedown", "not of the form A:B"),
        ("baseline:takedown", "is the baseline"),
        ("takedown:nothing", "no arm is named \"nothing\""),
        ("takedown:takedown", "an arm against itself"),
    ] {
        let output = run_bin(&[
            "run",
            "scenarios/generic-market.toml",
            "--fixed",
            "--reps",
            "2",
            "--out",
            "/nonexistent/never-written",
            "--contrast",
            contrast,
        ]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{contrast}: {stderr}");
        assert!(
            stderr.contains(says) && stderr.contains("--contrast"),
            "{contrast}: {stderr}"
        );
    }
}

#[test]
fn an_arrest_that_forks_the_runs_is_split_and_counted() {
    let dir = run(&[
        "--set",
        "arms.takedown.interventions.0.arrest_probability=0.5",
        "--arms",
        "takedown",
    ]);
    let effects = read_csv(&dir.path().join("r/effects.csv"));
    let arrested = effects
        .iter()
        .filter(|r| r["metric"] == "arrested_share" && r["arm"] == "takedown")
        .filter(|r| r["outcome"] == "arrested" && r["value"] == "1")
        .count();
    assert!(
        0 < arrested && arrested < 8,
        "a fork needs both outcomes, got {arrested} of 8"
    );
    let share = summary_row(
        dir.path(),
        ["takedown", "baseline", "all", "arrested_share", "share"],
    );
    assert!((cell(&share, "estimate").unwrap() - arrested as f64 / 8.0).abs() < 1e-12);
    let side = |outcome| {
        summary_row(
            dir.path(),
            ["takedown", "baseline", outcome, "arrested_share", "share"],
        )
    };
    assert_eq!(side("arrested")["n"], arrested.to_string());
    assert_eq!(side("not-arrested")["n"], (8 - arrested).to_string());
    // Each side's campaign change is the mean over its own replications.
    let outcome_of: Vec<&str> = effects
        .iter()
        .filter(|r| r["metric"] == "arrested_share")
        .map(|r| r["outcome"].as_str())
        .collect();
    let changes = values(dir.path(), "takedown", "campaigns_change_pct");
    let on_side: Vec<f64> = changes
        .iter()
        .zip(&outcome_of)
        .filter(|(_, o)| **o == "arrested")
        .filter_map(|(v, _)| *v)
        .collect();
    let row = summary_row(
        dir.path(),
        [
            "takedown",
            "baseline",
            "arrested",
            "campaigns_change_pct",
            "mean",
        ],
    );
    assert!((cell(&row, "estimate").unwrap() - mean(&on_side)).abs() < 1e-9);
}

/// The median counts the replications that never recovered (censored) as
/// later than any that did: recomputed here from `effects.csv`.
#[test]
fn days_to_recover_is_the_median_with_the_censored_counted() {
    // A window that ends 40 days after the strike leaves some replications
    // unrecovered.
    let dir = run(&["--set", "scenario.days=100"]);
    for arm in ["takedown", "sustained-pressure", "payment-disruption"] {
        let mut times: Vec<f64> = values(dir.path(), arm, "days_to_recover")
            .into_iter()
            .map(|v| v.unwrap_or(f64::INFINITY))
            .collect();
        times.sort_by(f64::total_cmp);
        let median = times[times.len().div_ceil(2) - 1];
        let row = summary_row(
            dir.path(),
            [arm, "baseline", "all", "days_to_recover", "median"],
        );
        assert_eq!(row["n"], "8", "{arm}: censored replications are counted");
        match cell(&row, "estimate") {
            Some(estimate) => assert_eq!(estimate, median, "{arm}"),
            None => assert!(
                median.is_infinite(),
                "{arm}: not reached only when over half are censored"
            ),
        }
        let low = cell(&row, "ci_low").unwrap_or(f64::INFINITY);
        assert!(
            low <= median,
            "{arm}: the interval starts at or below the median"
        );
    }
}

#[test]
fn share_intervals_stay_inside_zero_and_one() {
    let dir = run(&["--set", "scenario.days=100"]);
    let rows = read_csv(&dir.path().join("r/summary.csv"));
    let shares: Vec<&Row> = rows.iter().filter(|r| r["statistic"] == "share").collect();
    assert!(!shares.is_empty());
    for row in shares {
        for column in ["ci_low", "ci_high"] {
            if let Some(v) = cell(row, column) {
                assert!((0.0..=1.0).contains(&v), "{row:?}");
            }
        }
        assert!(row["interval"].starts_with("wilson"), "{row:?}");
    }
}
