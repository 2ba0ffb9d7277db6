//! Bad scenarios are rejected by the binary with exit code 2, a message that
//! names the file, the line and the key, and no results folder; good
//! scenarios pass `caasim check`, whose output parses back to the same scenario.

mod common;

use std::path::Path;

use common::{generic_text, repo_path, run_bin};

/// The 1-based line of the only line of `text` that contains `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    let lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(needle))
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(lines.len(), 1, "{needle:?} should be on exactly one line");
    lines[0]
}

/// generic-market with the only line containing `needle` replaced by `line`.
fn replace_line(needle: &str, line: &str) -> String {
    let text = generic_text();
    line_of(&text, needle);
    text.lines()
        .map(|l| if l.contains(needle) { line } else { l })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// generic-market with `line` inserted after the only line containing `needle`.
fn insert_after(needle: &str, line: &str) -> String {
    let text = generic_text();
    line_of(&text, needle);
    let mut out = String::new();
    for l in text.lines() {
        out.push_str(l);
        out.push('\n');
        if l.contains(needle) {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Run `caasim run` on `bytes` written to `name` and check it is rejected:
/// exit code 2, stderr names the file (at `line` when given) and `key` (when
/// given, as a whole key or the last part of a dotted path, in backticks),
/// and the results folder was not created.
fn assert_rejected(name: &str, bytes: &[u8], line: Option<usize>, key: Option<&str>) {
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let file = tmp.path().join(name);
    std::fs::write(&file, bytes).expect("the scenario is written");
    let out = tmp.path().join("results-that-must-not-exist");
    let output = run_bin(&[
        "run",
        file.to_str().expect("a UTF-8 path"),
        "--out",
        out.to_str().expect("a UTF-8 path"),
        "--quiet",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let context = format!("{name}: stderr was:\n{stderr}");
    assert_eq!(output.status.code(), Some(2), "{context}");
    let place = match line {
        Some(line) => format!("{}:{line}:", file.display()),
        None => format!("{}:", file.display()),
    };
    assert!(
        stderr.contains(&place),
        "{name}: expected `{place}`; {context}"
    );
    if let Some(key) = key {
        assert!(
            stderr.contains(&format!("`{key}`")) || stderr.contains(&format!(".{key}`")),
            "{name}: the key `{key}` is not named; {context}"
        );
    }
    assert!(
        !Path::new(&out).exists(),
        "{name}: a results folder was created for an invalid scenario"
    );
    assert!(
        output.stdout.is_empty(),
        "{name}: nothing is printed on stdout"
    );
}

#[test]
fn unknown_key_at_top_level() {
    let text = format!("colour = \"red\"\n{}", generic_text());
    assert_rejected("unknown-top.toml", text.as_bytes(), Some(1), Some("colour"));
}

#[test]
fn unknown_table_at_top_level() {
    let text = format!("{}\n[extras]\nfoo = 1\n", generic_text());
    let line = line_of(&text, "[extras]");
    assert_rejected(
        "unknown-table.toml",
        text.as_bytes(),
        Some(line),
        Some("extras"),
    );
}

#[test]
fn unknown_key_inside_providers() {
    let text = insert_after("name = \"Beta\"", "colour = \"red\"");
    let line = line_of(&text, "colour = \"red\"");
    assert_rejected(
        "unknown-provider-key.toml",
        text.as_bytes(),
        Some(line),
        Some("colour"),
    );
}

#[test]
fn wrong_type() {
    let text = replace_line("days = 240", "days = \"many\"");
    let line = line_of(&text, "days = \"many\"");
    assert_rejected("wrong-type.toml", text.as_bytes(), Some(line), Some("days"));
}

#[test]
fn reputation_above_one() {
    let text = replace_line("reputation = 0.6", "reputation = 1.5");
    let line = line_of(&text, "reputation = 1.5");
    assert_rejected(
        "reputation.toml",
        text.as_bytes(),
        Some(line),
        Some("reputation"),
    );
}

#[test]
fn probability_outside_zero_one() {
    let text = replace_line("attrition_per_day = 0.004", "attrition_per_day = 1.5");
    let line = line_of(&text, "attrition_per_day = 1.5");
    assert_rejected(
        "probability.toml",
        text.as_bytes(),
        Some(line),
        Some("attrition_per_day"),
    );
}

#[test]
fn nan_value() {
    let text = replace_line("mfa_efficacy = 0.99", "mfa_efficacy = nan");
    let line = line_of(&text, "mfa_efficacy = nan");
    assert_rejected(
        "nan.toml",
        text.as_bytes(),
        Some(line),
        Some("mfa_efficacy"),
    );
}

#[test]
fn negative_capacity() {
    let text = replace_line("capacity_seats = 250", "capacity_seats = -250");
    let line = line_of(&text, "capacity_seats = -250");
    assert_rejected(
        "capacity.toml",
        text.as_bytes(),
        Some(line),
        Some("capacity_seats"),
    );
}

#[test]
fn unknown_provider_in_takedown_target() {
    let text = generic_text().replace("provider = \"Alpha\"", "provider = \"Omega\"");
    let line = line_of(&text, "provider = \"Omega\"");
    assert_rejected("target.toml", text.as_bytes(), Some(line), Some("target"));
}

#[test]
fn date_before_start_date() {
    let text = generic_text().replace(
        "start = 60, target = { provider = \"Alpha\" }",
        "start = \"2025-12-01\", target = { provider = \"Alpha\" }",
    );
    let line = line_of(&text, "start = \"2025-12-01\"");
    assert_rejected("date.toml", text.as_bytes(), Some(line), Some("start"));
}

#[test]
fn empty_file() {
    assert_rejected("empty.toml", b"", Some(1), Some("scenario"));
}

#[test]
fn binary_file() {
    // An ELF header: not UTF-8, with NUL bytes. There is no line to point at.
    let bytes = [
        0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0xff, 0xfe, 0, 0, 0x80, 0x81,
    ];
    assert_rejected("binary.toml", &bytes, None, None);
}

#[test]
fn syntax_error() {
    // The parser cannot know which key was meant; the line is what matters.
    let text = replace_line("seed = 42", "seed = = 42");
    let line = line_of(&text, "seed = = 42");
    assert_rejected("syntax.toml", text.as_bytes(), Some(line), None);
}

/// `caasim check` accepts the scenario and prints TOML that parses back to
/// the same scenario (and prints the same TOML again).
fn assert_check_round_trips(relative: &str) {
    let path = repo_path(relative);
    assert!(
        path.is_file(),
        "{relative} is missing (it is written with the reference results)"
    );
    let output = run_bin(&["check", relative]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "caasim check {relative}: {stderr}");
    assert!(stderr.contains("valid"), "{stderr}");
    let printed = String::from_utf8(output.stdout).expect("check prints UTF-8");
    let original = caasim::scenario::load_file(&path, &[]).expect("the scenario is valid");
    let reparsed = caasim::scenario::load_text(&printed, "check-output.toml", &[])
        .unwrap_or_else(|e| panic!("the output of check does not parse again: {e}"));
    // `[workshop]` (what a workshop room offers) is not part of the model,
    // so the resolved scenario leaves it out; everything else round-trips.
    let mut expected = original.scenario.clone();
    expected.workshop = Default::default();
    assert_eq!(reparsed.scenario, expected);
    assert_eq!(
        caasim::scenario::resolved_toml(&reparsed.scenario),
        printed,
        "printing the reparsed scenario gives different TOML"
    );
}

#[test]
fn check_generic_market_round_trips() {
    assert_check_round_trips("scenarios/generic-market.toml");
}

#[test]
fn check_redvds_2026_round_trips() {
    assert_check_round_trips("scenarios/redvds-2026.toml");
}

#[test]
fn schema_is_json_with_properties() {
    let output = run_bin(&["schema"]);
    assert!(output.status.success());
    let schema: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("schema prints JSON");
    let properties = schema["properties"]
        .as_object()
        .expect("the schema has \"properties\"");
    for key in [
        "scenario",
        "market",
        "entry",
        "providers",
        "attackers",
        "victims",
        "arms",
    ] {
        assert!(properties.contains_key(key), "no property {key}");
    }
}

/// Zero replications is refused as a flag, naming the flag, before anything runs.
#[test]
fn zero_replications_are_refused_as_a_flag() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("zero");
    for command in ["run", "sweep"] {
        let output = common::bin()
            .args([
                command,
                "scenarios/generic-market.toml",
                "--reps",
                "0",
                "--out",
            ])
            .arg(&out)
            .args(if command == "sweep" {
                &["--grid", "market.search_days=10,20"][..]
            } else {
                &[][..]
            })
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{command}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("--reps"), "{command}: {stderr}");
        assert!(!out.exists(), "{command}: no folder");
    }
}

/// The environment variables that size a run are checked at start: a value
/// that is not a number is refused (exit 2, naming the variable), not
/// silently ignored.
#[test]
fn malformed_sizing_variables_are_refused_at_start() {
    for (name, value) in [
        ("CAASIM_MEMORY_GIB", "16G"),
        ("CAASIM_MEMORY_GIB", "0"),
        ("CAASIM_DISK_GIB", "lots"),
        ("CAASIM_DISK_GIB", "-1"),
        ("RAYON_NUM_THREADS", "two"),
    ] {
        let output = common::bin()
            .args(["check", "scenarios/generic-market.toml"])
            .env(name, value)
            .output()
            .expect("the caasim binary runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{name}={value}: {stderr}");
        assert!(
            stderr.contains(name) && stderr.contains(value),
            "{name}={value}: {stderr}"
        );
    }
    let output = common::bin()
        .args(["check", "scenarios/generic-market.toml"])
        .env("CAASIM_MEMORY_GIB", "0.5")
        .env("CAASIM_DISK_GIB", "2")
        .env("RAYON_NUM_THREADS", "1")
        .output()
        .expect("the caasim binary runs");
    assert!(output.status.success(), "{:?}", output);
}
