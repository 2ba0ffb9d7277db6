//! Sweeps and sensitivity analyses of chosen arms (issue 15): `--arms`
//! runs only the baseline and those arms at every point, an added arm can be
//! swept, a finished sweep draws its plots (a shard does not: its merge
//! does), and `caasim report` says what it wrote.

mod common;

use std::fs;
use std::path::Path;
use std::process::Output;

use common::{bin, read_csv, short_generic_text};

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn ok(output: &Output) {
    assert!(output.status.success(), "{}", stderr(output));
}

/// `caasim args...`.
fn caasim(args: &[&str]) -> Output {
    bin().args(args).output().expect("caasim runs")
}

/// The arms of a `points.csv`, each once, in order.
fn arms_of(points: &Path) -> Vec<String> {
    let mut arms: Vec<String> = read_csv(points).iter().map(|r| r["arm"].clone()).collect();
    arms.dedup();
    arms
}

/// The plot files (SVG) in `dir/plots`.
fn svg_count(dir: &Path) -> usize {
    fs::read_dir(dir.join("plots"))
        .map(|entries| {
            entries
                .filter(|e| {
                    e.as_ref()
                        .unwrap()
                        .path()
                        .extension()
                        .is_some_and(|x| x == "svg")
                })
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn a_sweep_of_an_added_arm_runs_only_the_chosen_arms_and_draws_its_plots() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("s.toml");
    fs::write(&file, short_generic_text()).unwrap();
    let out = tmp.path().join("sweep");
    let sweep = |extra: &[&str], out: &Path| {
        let mut args = vec![
            "sweep",
            file.to_str().unwrap(),
            "--arm-add",
            "light: takedown with capacity_seized=0.3",
            "--arms",
            "light",
            "--grid",
            "arms.light.interventions.0.downtime_days=0,30",
            "--reps",
            "1",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(extra);
        caasim(&args)
    };
    let output = sweep(&[], &out);
    ok(&output);
    assert_eq!(arms_of(&out.join("points.csv")), ["light"]);
    let identity = fs::read_to_string(out.join("sweep.json")).unwrap();
    assert!(identity.contains("\"arms\""), "{identity}");
    assert!(
        out.join("sweep.html").is_file(),
        "a finished sweep draws its report"
    );
    let plots = svg_count(&out);
    assert!(plots > 0);
    let told = format!(
        "{} and {plots} plots (SVG, PNG and PDF) in",
        out.join("sweep.html").display()
    );
    assert!(stderr(&output).contains(&told), "{}", stderr(&output));

    let sharded = tmp.path().join("sharded");
    for shard in ["0/2", "1/2"] {
        ok(&sweep(&["--shard", shard, "--quiet"], &sharded));
        assert!(
            !sharded.join("sweep.html").exists(),
            "a shard draws nothing"
        );
    }
    let merged = caasim(&["merge", sharded.to_str().unwrap()]);
    ok(&merged);
    assert!(
        sharded.join("sweep.html").is_file(),
        "the merge draws the report"
    );
    assert_eq!(svg_count(&sharded), plots);
    assert_eq!(
        fs::read(sharded.join("points.csv")).unwrap(),
        fs::read(out.join("points.csv")).unwrap()
    );
}

#[test]
fn a_sensitivity_analysis_runs_only_the_chosen_arms() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("s.toml");
    fs::write(&file, short_generic_text()).unwrap();
    let out = tmp.path().join("gsa");
    let args = |extra: &[&str]| {
        let mut args = vec![
            "sensitivity",
            file.to_str().unwrap(),
            "--range",
            "market.search_days=5:40",
            "--method",
            "morris",
            "--samples",
            "2",
            "--reps",
            "1",
            "--arms",
            "payment-disruption",
            "-q",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(extra);
        caasim(&args)
    };
    let refused = args(&["--arm", "takedown"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("among the --arms"),
        "{}",
        stderr(&refused)
    );
    ok(&args(&[]));
    assert_eq!(arms_of(&out.join("points.csv")), ["payment-disruption"]);
    let ranking = read_csv(&out.join("ranking.csv"));
    assert!(!ranking.is_empty());
    assert!(
        ranking.iter().all(|row| row["arm"] == "payment-disruption"),
        "the analysed arm defaults to the first of --arms"
    );
}

#[test]
fn report_says_what_it_wrote() {
    let dir = common::report_fixture_copy();
    let output = caasim(&["report", dir.path().to_str().unwrap()]);
    ok(&output);
    let plots = svg_count(dir.path());
    let expected = format!(
        "wrote {} and {plots} plots (SVG, PNG and PDF) in {}\n",
        dir.path().join("report.html").display(),
        dir.path().join("plots").display()
    );
    assert_eq!(stderr(&output), expected);
    assert!(plots >= common::REPORT_PLOTS.len());
}
