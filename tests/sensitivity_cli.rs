//! `caasim sensitivity`: Sobol and Morris analyses of a small scenario write
//! `indices.csv` with every (output, parameter, index), and a sharded analysis
//! merged and finished gives the same bytes as an unsharded one; an integer
//! field's range runs whole numbers and is recorded as such.

mod common;

use std::path::Path;
use std::process::Output;

use common::bin;

const ARGS: [&str; 13] = [
    "sensitivity",
    "scenarios/generic-market.toml",
    "--range",
    "market.search_days=5:40",
    "--range",
    "market.capacity_growth_per_day=0.005:0.05",
    "--reps",
    "2",
    "--set",
    "scenario.days=100",
    "--set",
    "scenario.burn_in_days=100",
    "--quiet",
];

/// Only the takedown arm, to keep the runs short.
const ONE_ARM: &str = r#"arms=[{name="takedown", interventions=[{kind="takedown", start=30, target={provider="Alpha"}, capacity_seized=0.8, downtime_days=30}]}]"#;

fn analyse(extra: &[&str], out: &Path) -> Output {
    bin()
        .args(ARGS)
        .args(["--set", ONE_ARM])
        .args(extra)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

fn ok(output: Output) {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn indices(dir: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_path(dir.join("indices.csv")).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(
        header,
        [
            "output",
            "parameter",
            "method",
            "index",
            "value",
            "ci_low",
            "ci_high"
        ]
    );
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn sobol_analysis_writes_every_index_and_shards_give_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let (whole, parts) = (tmp.path().join("whole"), tmp.path().join("parts"));
    ok(analyse(&["--samples", "8"], &whole));
    let rows = indices(&whole);
    // 4 outputs x 2 parameters x (S1, ST).
    assert_eq!(rows.len(), 4 * 2 * 2);
    assert!(
        rows.iter()
            .all(|r| r[2] == "sobol" && (r[3] == "S1" || r[3] == "ST"))
    );
    let defined = rows.iter().filter(|r| !r[4].is_empty()).count();
    assert!(defined >= 12, "only {defined} indices defined");
    for r in rows.iter().filter(|r| !r[4].is_empty() && !r[5].is_empty()) {
        let (lo, hi): (f64, f64) = (r[5].parse().unwrap(), r[6].parse().unwrap());
        assert!(lo <= hi, "interval {lo}..{hi} of {r:?}");
    }

    for shard in ["0/2", "1/2"] {
        ok(analyse(&["--samples", "8", "--shard", shard], &parts));
    }
    assert!(
        !parts.join("indices.csv").exists(),
        "a shard alone must not analyse"
    );
    ok(bin().arg("merge").arg(&parts).output().unwrap());
    ok(analyse(&["--samples", "8"], &parts));
    let read = |d: &Path| std::fs::read(d.join("indices.csv")).unwrap();
    assert_eq!(read(&parts), read(&whole));
}

#[test]
fn morris_screening_writes_mu_star_mu_and_sigma() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("morris");
    ok(analyse(&["--method", "morris", "--samples", "6"], &out));
    let rows = indices(&out);
    assert_eq!(rows.len(), 4 * 2 * 3);
    for index in ["mu_star", "mu", "sigma"] {
        assert!(rows.iter().any(|r| r[2] == "morris" && r[3] == index));
    }
    let json = std::fs::read_to_string(out.join("sensitivity.json")).unwrap();
    assert!(json.contains("\"method\": \"morris\""));
}

#[test]
fn unknown_arm_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let output = analyse(&["--samples", "8", "--arm", "nope"], &tmp.path().join("x"));
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--arm nope"));
}

#[test]
fn an_integer_range_is_run_with_whole_numbers_and_recorded_as_integer() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("integer");
    let output = bin()
        .args(["sensitivity", "scenarios/generic-market.toml"])
        .args(["--range", "market.patience_days=1:20"])
        .args(["--range", "market.search_days=5:40"])
        .args(["--samples", "4", "--reps", "1", "--set", ONE_ARM])
        .args([
            "--set",
            "scenario.days=100",
            "--set",
            "scenario.burn_in_days=100",
        ])
        .args(["--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    ok(output);
    assert_eq!(indices(&out).len(), 4 * 2 * 2);
    let mut reader = csv::Reader::from_path(out.join("design.csv")).unwrap();
    let values: Vec<(String, String)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[1].to_string(), r[2].to_string())
        })
        .collect();
    assert_eq!(values.len(), 4 * 4);
    for (patience, _) in &values {
        let days: u32 = patience.parse().unwrap();
        assert!((1..=20).contains(&days), "{days}");
    }
    assert!(
        values.iter().any(|(_, search)| search.contains('.')),
        "the real parameter keeps its fractional draws"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("sensitivity.json")).unwrap())
            .unwrap();
    let integer: Vec<bool> = json["ranges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["integer"].as_bool().unwrap())
        .collect();
    assert_eq!(integer, [true, false]);

    let refused = bin()
        .args(["sensitivity", "scenarios/generic-market.toml"])
        .args([
            "--range",
            "market.patience_days=-3:20",
            "--method",
            "morris",
        ])
        .arg("--out")
        .arg(tmp.path().join("bad"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--range market.patience_days at its lower end -3"),
        "{stderr}"
    );
    assert!(!tmp.path().join("bad").exists());
}
