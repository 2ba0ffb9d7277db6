//! `caasim calibrate` refuses bad input with exit code 2 and a message that
//! names the problem, before running anything.

mod common;

use common::bin;

fn calibrate(extra: &[&str], out: &std::path::Path) -> std::process::Output {
    bin()
        .args([
            "calibrate",
            "scenarios/lumma-2025.toml",
            "--params",
            "market.search_days=3:40",
            "--quiet",
        ])
        .args(extra)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

#[test]
fn bad_calibration_input_exits_with_code_2() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let cases: [(&[&str], &str); 3] = [
        (
            &["--targets", "missing-targets.toml"],
            "missing-targets.toml",
        ),
        (
            &[
                "--targets",
                "scenarios/lumma-2025-targets.toml",
                "--population",
                "0",
            ],
            "population",
        ),
        (
            &[
                "--targets",
                "scenarios/lumma-2025-targets.toml",
                "--params",
                "market.search_days=9:1",
            ],
            "lower end",
        ),
    ];
    for (args, needle) in cases {
        let output = calibrate(args, &out);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(needle),
            "{args:?}: expected {needle:?} in {stderr}"
        );
        assert!(!out.join("posterior.csv").exists());
    }
}
