//! `caasim sensitivity` without `--range`: the scenario's `[uncertain]`
//! parameters are analysed with their own distributions (the design's unit
//! coordinates mapped through each inverse distribution function), a key
//! fixed by `--set` is left out, a parameter of another arm (which cannot
//! change the analysed arm's runs nor the baseline's, so every elementary
//! effect is exactly 0) ranks below the takedown's seized share, and
//! `--method screen` runs Morris on all then Sobol on those it keeps.

mod common;

use std::path::Path;
use std::process::Output;

use caasim::model::params::Uncertain;
use caasim::model::uncertain::UncertainParameter;
use common::{bin, read_csv};

const SEIZED: &str = "arms.takedown.interventions.0.capacity_seized";
const ARRIVAL: &str = "arms.deterrence.interventions.0.arrival_factor";
const SEARCH: &str = "market.search_days";

/// The takedown and a deterrence arm whose parameter cannot matter to the takedown.
const ARMS: &str = r#"arms=[{name="takedown", interventions=[{kind="takedown", start=30, target={provider="Alpha"}, capacity_seized=0.8, downtime_days=30}]}, {name="deterrence", interventions=[{kind="deterrence_messaging", start=30, duration_days=60, arrival_factor=0.6, risk_shock=0.005}]}]"#;

/// The seized share uniform, the deterrence's arrival factor a truncated
/// log-normal, the search time triangular (fixed by `--set` below).
const UNCERTAIN: &str = r#"uncertain={"arms.takedown.interventions.0.capacity_seized"={dist="uniform", low=0.1, high=1.0}, "arms.deterrence.interventions.0.arrival_factor"={dist="log_normal", median=0.6, sigma=0.3, low=0.3, high=0.9}, "market.search_days"={dist="triangular", low=5, mode=20, high=40}}"#;

fn sensitivity(extra: &[&str], out: &Path) -> Output {
    bin()
        .args([
            "sensitivity",
            "scenarios/generic-market.toml",
            "--reps",
            "2",
        ])
        .args([
            "--set",
            "scenario.days=100",
            "--set",
            "scenario.burn_in_days=100",
        ])
        .args(["--set", ARMS, "--quiet", "--out"])
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

fn ok(output: &Output) {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `ranking.csv` rows of the campaign change: (parameter, rank, stage, index, value).
fn campaign_ranking(dir: &Path) -> Vec<(String, usize, String, String, f64)> {
    let path = dir.join("ranking.csv");
    assert_eq!(
        header(&path),
        [
            "arm",
            "output",
            "parameter",
            "rank",
            "stage",
            "index",
            "value",
            "ci_low",
            "ci_high"
        ]
    );
    (read_csv(&path).iter())
        .filter(|r| r["arm"] == "takedown" && r["output"] == "campaigns_change_pct")
        .map(|r| {
            let value = r["value"].parse().unwrap();
            let rank = r["rank"].parse().unwrap();
            (
                r["parameter"].clone(),
                rank,
                r["stage"].clone(),
                r["index"].clone(),
                value,
            )
        })
        .collect()
}

fn header(path: &Path) -> Vec<String> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect()
}

#[test]
fn morris_without_ranges_uses_the_uncertain_parameters_and_their_distributions() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("morris");
    let fixed = "market.search_days=20";
    ok(&sensitivity(
        &[
            "--set",
            UNCERTAIN,
            "--set",
            fixed,
            "--method",
            "morris",
            "--samples",
            "4",
        ],
        &out,
    ));
    let manifest = json(&out.join("sensitivity.json"));
    assert_eq!(manifest["parameters"], serde_json::json!([ARRIVAL, SEIZED]));
    assert_eq!(manifest["ranges"][0]["distribution"]["dist"], "log_normal");
    assert_eq!(manifest["ranges"][1]["distribution"]["dist"], "uniform");
    // The design's values are the distributions' quantiles at the Morris
    // levels 0, 1/3, 2/3, 1 (exactly the numbers written to design.csv).
    let arrival = UncertainParameter {
        key: ARRIVAL.into(),
        dist: Uncertain::LogNormal {
            median: 0.6,
            sigma: 0.3,
            low: 0.3,
            high: 0.9,
        },
        integer: false,
    };
    let levels = |p: &UncertainParameter| -> Vec<String> {
        (0..4)
            .map(|l| p.text(p.value_at(f64::from(l) / 3.0)))
            .collect()
    };
    let design = out.join("design.csv");
    assert_eq!(header(&design), ["point", ARRIVAL, SEIZED]);
    let seized = UncertainParameter {
        key: SEIZED.into(),
        dist: Uncertain::Uniform {
            low: 0.1,
            high: 1.0,
        },
        integer: false,
    };
    for row in read_csv(&design) {
        assert!(levels(&arrival).contains(&row[ARRIVAL]), "{row:?}");
        assert!(levels(&seized).contains(&row[SEIZED]), "{row:?}");
    }
    let ranking = campaign_ranking(&out);
    assert_eq!(ranking[0].0, SEIZED, "{ranking:?}");
    assert!(ranking[0].4 > 0.0, "{ranking:?}");
    assert_eq!((ranking[1].0.as_str(), ranking[1].1), (ARRIVAL, 2));
    assert_eq!(ranking[1].4, 0.0, "another arm's parameter cannot matter");
    assert!(ranking.iter().all(|r| r.2 == "morris" && r.3 == "mu_star"));
    let page = std::fs::read_to_string(out.join("sensitivity.html")).unwrap();
    assert!(page.contains("log_normal(median 0.6, sigma 0.3, low 0.3, high 0.9)"));
}

#[test]
fn screen_runs_sobol_on_the_parameters_morris_keeps() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("screen");
    let flags = [
        "--method",
        "screen",
        "--trajectories",
        "3",
        "--samples",
        "4",
    ];
    ok(&sensitivity(
        &[&["--set", UNCERTAIN][..], &flags].concat(),
        &out,
    ));
    let screen = json(&out.join("screen/sensitivity.json"));
    assert_eq!(screen["method"], "morris");
    assert_eq!(
        screen["parameters"],
        serde_json::json!([ARRIVAL, SEIZED, SEARCH])
    );
    let manifest = json(&out.join("sensitivity.json"));
    assert_eq!(manifest["method"], "sobol");
    assert_eq!(manifest["screen"]["cutoff"], 0.1);
    assert_eq!(
        manifest["screen"]["screened_out"],
        serde_json::json!([ARRIVAL])
    );
    let kept = manifest["screen"]["kept"].as_array().unwrap();
    assert!(kept.iter().any(|k| k == SEIZED), "{kept:?}");
    assert_eq!(manifest["parameters"], manifest["screen"]["kept"]);
    let ranking = campaign_ranking(&out);
    assert_eq!(ranking.len(), 3);
    let last = ranking.last().unwrap();
    assert_eq!(
        (last.0.as_str(), last.1, last.2.as_str()),
        (ARRIVAL, 3, "morris")
    );
    assert!(ranking[..2].iter().all(|r| r.2 == "sobol" && r.3 == "ST"));
    assert!(out.join("screen/sensitivity.html").is_file());
    assert!(out.join("sensitivity.html").is_file());
}

#[test]
fn neither_ranges_nor_uncertain_parameters_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    // generic-market's own `[uncertain]` table emptied.
    let refused = sensitivity(&["--set", "uncertain={}"], &tmp.path().join("none"));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--range") && stderr.contains("[uncertain]"),
        "{stderr}"
    );
    let sharded = sensitivity(
        &["--set", UNCERTAIN, "--method", "screen", "--shard", "0/2"],
        &tmp.path().join("sharded"),
    );
    let stderr = String::from_utf8_lossy(&sharded.stderr);
    assert_eq!(sharded.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot be sharded"), "{stderr}");
    let stray = sensitivity(
        &["--set", UNCERTAIN, "--cutoff", "0.2"],
        &tmp.path().join("s"),
    );
    assert_eq!(stray.status.code(), Some(2));
    assert!(!tmp.path().join("none").exists());
}
