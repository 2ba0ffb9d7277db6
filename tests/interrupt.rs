//! Ctrl-C (SIGINT) and SIGTERM stop `run` and `sweep` within a second or two,
//! leave nothing that looks finished, and say how to go on.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::bin;

/// Send `signal` to the child once `ready` holds, and return the exit code,
/// stderr and how long the child took to stop after the signal.
fn interrupt(
    mut child: Child,
    signal: &str,
    ready: impl Fn() -> bool,
) -> (Option<i32>, String, Duration) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !ready() {
        assert!(Instant::now() < deadline, "the job never got going");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the job ended before the signal"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let sent = Instant::now();
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = loop {
        if child.try_wait().unwrap().is_some() {
            break child.wait_with_output().unwrap();
        }
        assert!(
            sent.elapsed() < Duration::from_secs(10),
            "the job did not stop"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    let stopped = sent.elapsed();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).to_string(),
        stopped,
    )
}

fn spawn(command: &mut Command) -> Child {
    command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn ctrl_c_stops_a_run_without_a_finished_looking_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let child = spawn(
        bin()
            .args(["run", "scenarios/redvds-2026.toml", "--out"])
            .arg(&out)
            .env("RAYON_NUM_THREADS", "2"),
    );
    let marker = out.join(".caasim-results");
    let (code, stderr, stopped) = interrupt(child, "-INT", || marker.exists());
    assert_eq!(code, Some(130), "stderr: {stderr}");
    assert!(stopped < Duration::from_secs(2), "took {stopped:?} to stop");
    assert!(
        stderr.contains("run the same command again"),
        "stderr: {stderr}"
    );
    // Nothing but the marker: no table, and no scratch file of rows written
    // so far (the tables are written as replications finish).
    let left: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, [".caasim-results"], "left behind: {left:?}");
}

fn finished_points(dir: &Path) -> usize {
    std::fs::read_dir(dir.join("points"))
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    name.starts_with("point-") && !name.contains(".replications")
                })
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn sigterm_stops_a_sweep_which_then_resumes() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sweep");
    let sweep = |command: &mut Command| {
        command
            .args([
                "sweep",
                "scenarios/generic-market.toml",
                "--range",
                "market.search_days=5:40",
                "--lhs",
                "40",
                "--reps",
                "2",
                "--out",
            ])
            .arg(&out);
    };
    let mut command = bin();
    sweep(&mut command);
    let (code, stderr, stopped) =
        interrupt(spawn(&mut command), "-TERM", || finished_points(&out) >= 1);
    assert_eq!(code, Some(130), "stderr: {stderr}");
    assert!(stopped < Duration::from_secs(2), "took {stopped:?} to stop");
    assert!(
        stderr.contains("run the same command again to resume"),
        "stderr: {stderr}"
    );
    assert!(!out.join("points.csv").exists());
    let kept = finished_points(&out);
    assert!((1..40).contains(&kept), "{kept} points kept");

    let mut command = bin();
    sweep(&mut command);
    let output = command.arg("--quiet").output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(finished_points(&out), 40);
    assert!(out.join("points.csv").is_file());
}
