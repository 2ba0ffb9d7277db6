//! Sweeps: sharded and merged equals unsharded byte for byte (both tables);
//! a point's rows are those of a run at its values; merge refuses
//! missing, mixed or foreign parts; an interrupted sweep resumes without
//! redoing or losing points; designs from files reproduce built-in ones; a
//! range over an integer field runs whole numbers and an end the field does
//! not allow is refused before any run.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::bin;

/// A small grid over the takedown of generic-market, short runs.
const SMALL: [&str; 12] = [
    "sweep",
    "scenarios/generic-market.toml",
    "--grid",
    "arms.takedown.interventions.0.capacity_seized=0.2,0.5,0.8",
    "--grid",
    "arms.takedown.interventions.0.downtime_days=0,30",
    "--reps",
    "2",
    "--set",
    "scenario.days=90",
    "--set",
    "scenario.burn_in_days=60",
];

fn sweep(extra: &[&str], out: &Path) -> Output {
    bin()
        .args(SMALL)
        .args(extra)
        .args(["--quiet", "--out"])
        .arg(out)
        .output()
        .expect("the caasim binary runs")
}

fn ok(output: Output) {
    assert!(
        output.status.success(),
        "caasim failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn refused(output: Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert!(stderr.contains(needle), "expected {needle:?} in: {stderr}");
}

fn merge(dir: &Path) -> Output {
    bin()
        .arg("merge")
        .arg(dir)
        .output()
        .expect("the caasim binary runs")
}

fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

#[test]
fn shards_merge_to_the_unsharded_bytes_and_bad_parts_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (whole, parts) = (tmp.path().join("whole"), tmp.path().join("parts"));
    ok(sweep(&[], &whole));
    for shard in ["0/3", "1/3", "2/3"] {
        ok(sweep(&["--shard", shard], &parts));
    }
    ok(merge(&parts));
    let expected = read(&whole.join("points.csv"));
    let replications = read(&whole.join("points-replications.csv"));
    assert_eq!(read(&parts.join("points.csv")), expected);
    assert_eq!(read(&parts.join("points-replications.csv")), replications);
    assert_eq!(
        read(&parts.join("design.csv")),
        read(&whole.join("design.csv"))
    );
    // Over every replication: 6 points x 5 intervention arms x every
    // metric; per replication, twice that (2 replications).
    let metrics = caasim::experiment::metrics::METRICS.len();
    let over_all = column(&whole.join("points.csv"), "outcome");
    assert_eq!(
        over_all.iter().filter(|o| *o == "all").count(),
        6 * 5 * metrics
    );
    let lines = replications.iter().filter(|&&b| b == b'\n').count();
    assert_eq!(lines, 1 + 6 * 5 * 2 * metrics);

    // The Slurm form reads the array task from the environment.
    let slurm = tmp.path().join("slurm");
    for task in 0..2 {
        let output = bin()
            .args(SMALL)
            .args(["--shard", "slurm", "--quiet", "--out"])
            .arg(&slurm)
            .env("SLURM_ARRAY_TASK_ID", task.to_string())
            .env("SLURM_ARRAY_TASK_COUNT", "2")
            .output()
            .unwrap();
        ok(output);
    }
    ok(merge(&slurm));
    assert_eq!(read(&slurm.join("points.csv")), expected);
    assert_eq!(read(&slurm.join("points-replications.csv")), replications);

    // A missing part.
    fs::remove_file(parts.join("part-1-of-3.json")).unwrap();
    refused(merge(&parts), "missing parts: part-1-of-3");
    // Parts of two different splits.
    fs::copy(
        slurm.join("part-0-of-2.json"),
        parts.join("part-0-of-2.json"),
    )
    .unwrap();
    refused(merge(&parts), "different splits");
    fs::remove_file(parts.join("part-0-of-2.json")).unwrap();
    // A part of another sweep (another seed).
    let other = tmp.path().join("other");
    ok(sweep(&["--shard", "1/3", "--seed", "7"], &other));
    for ext in ["csv", "json"] {
        let name = format!("part-1-of-3.{ext}");
        fs::copy(other.join(&name), parts.join(&name)).unwrap();
    }
    refused(merge(&parts), "comes from another sweep");
    // Running another sweep into the folder is refused too.
    refused(sweep(&["--seed", "7"], &parts), "holds a different sweep");
}

#[test]
fn sweeps_do_not_depend_on_threads_and_design_files_reproduce_designs() {
    let tmp = tempfile::tempdir().unwrap();
    let (one, two, file) = (
        tmp.path().join("1"),
        tmp.path().join("2"),
        tmp.path().join("f"),
    );
    for (dir, threads) in [(&one, "1"), (&two, "2")] {
        let output = bin()
            .args(SMALL)
            .args(["--quiet", "--out"])
            .arg(dir)
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        ok(output);
    }
    assert_eq!(read(&one.join("points.csv")), read(&two.join("points.csv")));

    // design.csv (with its point column) as a --design file: same points.
    let design = tmp.path().join("design.csv");
    fs::copy(one.join("design.csv"), &design).unwrap();
    let output = bin()
        .args(&SMALL[..2])
        .args(&SMALL[6..])
        .arg("--design")
        .arg(&design)
        .args(["--quiet", "--out"])
        .arg(&file)
        .output()
        .unwrap();
    ok(output);
    assert_eq!(
        read(&file.join("points.csv")),
        read(&one.join("points.csv"))
    );
}

#[test]
fn bad_designs_are_refused_before_running() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let run = |args: &[&str]| {
        bin()
            .args(["sweep", "scenarios/generic-market.toml", "--quiet", "--out"])
            .arg(&out)
            .args(args)
            .output()
            .unwrap()
    };
    refused(run(&[]), "give one design");
    refused(
        run(&["--range", "market.search_days=5:40"]),
        "give one design",
    );
    refused(
        run(&["--range", "market.search_days=40:5", "--lhs", "4"]),
        "lower end",
    );
    refused(
        run(&["--grid", "market.target_utilisation=0.5,1.5"]),
        "design point 1",
    );
    refused(
        run(&["--grid", "market.search_days=10", "--shard", "3/3"]),
        "--shard",
    );
    assert!(!out.join("points").exists(), "nothing may be written");
}

/// A sweep long enough to be killed part way: 12 points, full-length runs.
fn long_sweep(out: &Path) -> Command {
    let mut command = bin();
    command
        .args([
            "sweep",
            "scenarios/generic-market.toml",
            "--range",
            "market.search_days=5:40",
            "--range",
            "market.switching_cost_usd=0:100",
            "--lhs",
            "12",
            "--reps",
            "3",
            "--quiet",
            "--out",
        ])
        .arg(out);
    command
}

fn finished_points(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir.join("points"))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().to_string())
                .filter(|n| n.starts_with("point-") && !n.contains(".replications"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn an_interrupted_sweep_resumes_without_redoing_or_losing_points() {
    let tmp = tempfile::tempdir().unwrap();
    let (whole, killed) = (tmp.path().join("whole"), tmp.path().join("killed"));
    ok(long_sweep(&whole).output().unwrap());

    let mut child = long_sweep(&killed).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while finished_points(&killed).len() < 3 {
        assert!(Instant::now() < deadline, "the sweep made no progress");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the sweep ended before it could be killed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let before = finished_points(&killed);
    assert!(before.len() < 12, "killed too late to test resuming");
    assert!(
        !killed.join("points.csv").exists(),
        "an interrupted sweep wrote points.csv"
    );
    let stamps: Vec<_> = before
        .iter()
        .map(|n| {
            fs::metadata(killed.join("points").join(n))
                .unwrap()
                .modified()
                .unwrap()
        })
        .collect();

    ok(long_sweep(&killed).output().unwrap());
    for table in ["points.csv", "points-replications.csv"] {
        assert_eq!(read(&killed.join(table)), read(&whole.join(table)));
    }
    for (name, stamp) in before.iter().zip(stamps) {
        let now = fs::metadata(killed.join("points").join(name))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(now, stamp, "{name} was redone");
    }
    let leftovers: Vec<String> = fs::read_dir(killed.join("points"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

/// A Latin hypercube over an integer field of redvds-2026, with short runs
/// of the takedown only.
fn integer_sweep(range: &str, out: &Path) -> Output {
    const ONE_ARM: &str = r#"arms=[{name="takedown", interventions=[{kind="takedown", start=30, target={provider="RedVDS"}, capacity_seized=0.9, downtime_days=30}]}]"#;
    bin()
        .args(["sweep", "scenarios/redvds-2026.toml", "--range", range])
        .args(["--lhs", "5", "--reps", "1", "--set", ONE_ARM])
        .args([
            "--set",
            "scenario.days=60",
            "--set",
            "scenario.burn_in_days=30",
        ])
        .args(["--quiet", "--out"])
        .arg(out)
        .output()
        .expect("the caasim binary runs")
}

/// The values of `column` in a CSV file.
fn column(path: &Path, column: &str) -> Vec<String> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let at = reader.headers().unwrap().iter().position(|h| h == column);
    let at = at.unwrap_or_else(|| panic!("no column {column} in {}", path.display()));
    reader
        .records()
        .map(|r| r.unwrap()[at].to_string())
        .collect()
}

#[test]
fn integer_fields_get_whole_numbers_and_their_ranges_are_checked_first() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("int");
    let key = "market.switching_rebuild_days";
    ok(integer_sweep(&format!("{key}=0:14"), &out));
    let design = column(&out.join("design.csv"), key);
    let points = column(&out.join("points.csv"), key);
    assert_eq!(design.len(), 5);
    for value in design.iter().chain(&points) {
        let whole: u32 = value
            .parse()
            .unwrap_or_else(|_| panic!("{value:?} is not a whole number"));
        assert!(whole <= 14, "{whole} is outside 0:14");
    }
    let distinct: std::collections::BTreeSet<&String> = design.iter().collect();
    assert!(distinct.len() >= 3, "the strata collapsed: {design:?}");
    // The same command finds its points again (same design, same fingerprint).
    let before = read(&out.join("points.csv"));
    ok(integer_sweep(&format!("{key}=0:14"), &out));
    assert_eq!(read(&out.join("points.csv")), before);

    // An end the field does not allow is refused before any run.
    let bad = tmp.path().join("bad");
    let output = integer_sweep(&format!("{key}=-5:14"), &bad);
    refused(output, &format!("--range {key} at its lower end -5"));
    assert!(!bad.join("points").exists(), "nothing may be written");
}

/// The rows of a CSV file as cells, without its header, keeping the
/// columns `keep` of each row (by index).
fn rows(path: &Path, keep: std::ops::Range<usize>) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    reader
        .records()
        .map(|r| {
            r.unwrap()
                .iter()
                .skip(keep.start)
                .take(keep.len())
                .map(String::from)
                .collect()
        })
        .collect()
}

#[test]
fn a_sweep_point_holds_the_rows_of_a_run_at_its_values_with_its_contrasts() {
    let tmp = tempfile::tempdir().unwrap();
    let (swept, single) = (tmp.path().join("swept"), tmp.path().join("single"));
    let arms = ["--arms", "takedown,sustained-pressure"];
    let contrast = ["--contrast", "sustained-pressure:takedown"];
    ok(sweep(&[&arms[..], &contrast[..]].concat(), &swept));
    let output = bin()
        .args(["run", "scenarios/generic-market.toml", "--reps", "2"])
        .args([
            "--set",
            "scenario.days=90",
            "--set",
            "scenario.burn_in_days=60",
        ])
        .args(["--set", "arms.takedown.interventions.0.capacity_seized=0.5"])
        .args(["--set", "arms.takedown.interventions.0.downtime_days=30"])
        .args(arms)
        .args(contrast)
        .args(["--summary-only", "--quiet", "--out"])
        .arg(&single)
        .output()
        .unwrap();
    ok(output);

    // Point 3 of the grid is capacity_seized = 0.5, downtime_days = 30.
    let design = rows(&swept.join("design.csv"), 0..3);
    assert_eq!(design[3], ["3", "0.5", "30"]);
    let at_point = |table: &str, width: usize| -> Vec<Vec<String>> {
        rows(&swept.join(table), 0..1 + width)
            .into_iter()
            .filter(|r| r[0] == "3")
            .map(|r| r[1..].to_vec())
            .collect()
    };
    // summary.csv's ten columns (an ensemble's spread aside) and effects.csv's six.
    let summary = rows(&single.join("summary.csv"), 0..10);
    assert!(summary.iter().any(|r| r[4] == "difference"));
    assert_eq!(at_point("points.csv", 10), summary);
    let effects = rows(&single.join("effects.csv"), 0..6);
    assert_eq!(at_point("points-replications.csv", 6), effects);

    let other = tmp.path().join("other");
    refused(
        sweep(&["--contrast", "takedown:nothing"], &other),
        "no arm is named \"nothing\"",
    );
}
