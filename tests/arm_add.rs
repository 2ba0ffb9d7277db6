//! Changing a scenario on the command line (issue 15): `--arm-add` adds an
//! arm that runs exactly as the same arm written in the file, and refuses
//! what it cannot do with the choices there are; every bad `--set` is
//! reported, counted right; a bare date is a date.

mod common;

use std::fs;
use std::path::Path;
use std::process::Output;

use common::{bin, read_csv, short_generic_text};

/// Exit code for bad input.
const BAD_INPUT: i32 = 2;

/// The addition of the tests: the takedown with less seized and no customer data.
const HALF: &str = "half: takedown with capacity_seized=0.4, customer_data_seized=false";

/// The same arm written in the file.
const HALF_IN_FILE: &str = r#"
[[arms]]
name = "half"
description = "takedown with capacity_seized=0.4, customer_data_seized=false"
interventions = [
  { kind = "takedown", start = 60, target = { provider = "Alpha" }, capacity_seized = 0.4, downtime_days = 30, customer_data_seized = false, cost_usd = 500000 },
]
"#;

/// Write `text` as `name` in `dir`; its path.
fn scenario(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// `caasim args...`.
fn caasim(args: &[&str]) -> Output {
    bin().args(args).output().expect("caasim runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn an_added_arm_runs_as_the_same_arm_written_in_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let added = scenario(tmp.path(), "added.toml", &short_generic_text());
    let written = format!("{}{HALF_IN_FILE}", short_generic_text());
    let written = scenario(tmp.path(), "written.toml", &written);
    let out = |name: &str| tmp.path().join(name);
    let run = |file: &str, extra: &[&str], dir: &Path| {
        let mut args = vec!["run", file, "-q", "--arms", "takedown,half"];
        args.extend(extra);
        args.extend(["--out", dir.to_str().unwrap()]);
        let output = caasim(&args);
        assert!(output.status.success(), "{}", stderr(&output));
    };
    run(&added, &["--arm-add", HALF], &out("added"));
    run(&written, &[], &out("written"));
    for table in ["summary.csv", "timeseries.csv", "segments.csv"] {
        let (a, w) = (out("added").join(table), out("written").join(table));
        assert_eq!(fs::read(&a).unwrap(), fs::read(&w).unwrap(), "{table}");
    }
    let arms: Vec<String> = read_csv(&out("added").join("summary.csv"))
        .iter()
        .map(|row| row["arm"].clone())
        .collect();
    assert!(arms.contains(&"half".to_string()) && arms.contains(&"takedown".to_string()));
    let manifest = fs::read_to_string(out("added").join("manifest.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!(
        manifest["overrides"][0],
        format!("--arm-add {HALF}"),
        "the manifest records the addition"
    );
    let half = &manifest["arms"][2];
    assert_eq!(half["name"], "half");
    let description = half["interventions"][0].as_str().unwrap();
    assert!(
        description.contains("(40% asked") && description.contains("customer data not seized"),
        "{description}"
    );
}

#[test]
fn a_set_reaches_an_added_arm() {
    let tmp = tempfile::tempdir().unwrap();
    let file = scenario(tmp.path(), "s.toml", &short_generic_text());
    let output = caasim(&[
        "check",
        &file,
        "--arm-add",
        "both: takedown with window_end=60",
        "--set",
        "arms.both.interventions.0.downtime_days=5",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let resolved = String::from_utf8_lossy(&output.stdout);
    let both = &resolved[resolved.find("name = \"both\"").expect("the new arm")..];
    assert!(both.contains("window_end = 60"), "{both}");
    assert!(both.contains("downtime_days = 5"), "{both}");
    assert!(both.contains("description = \"takedown with window_end=60\""));
}

#[test]
fn each_bad_addition_is_refused_with_the_choices() {
    let tmp = tempfile::tempdir().unwrap();
    let text = format!(
        "{}\n[[arms]]\nname = \"double\"\ninterventions = [\n  {{ kind = \"takedown\", start = 60, target = {{ provider = \"Alpha\" }}, capacity_seized = 0.5, downtime_days = 10 }},\n  {{ kind = \"payment_disruption\", start = 60, duration_days = 30, conversion_factor = 0.5, fee_share = 0.1, cost_usd = 1 }},\n]\n",
        short_generic_text()
    );
    let file = scenario(tmp.path(), "s.toml", &text);
    let cases: [(&str, &[&str]); 7] = [
        (
            "x: nope",
            &["no arm is named `nope`", "takedown, sustained-pressure"],
        ),
        ("takedown: takedown", &["already named `takedown`"]),
        ("x takedown", &["has no `:`", "NAME: BASE with KEY=VALUE"]),
        (
            "x: takedown capacity_seized=1",
            &["write `with`", "NAME: BASE with"],
        ),
        (
            "x: takedown with foo=1",
            &["`foo`", "intervention 0 (takedown)", "capacity_seized"],
        ),
        (
            "x: double with cost_usd=5",
            &[
                "0 (takedown), 1 (payment_disruption)",
                "takedown.cost_usd",
                "1.cost_usd",
            ],
        ),
        (
            "x: takedown with capacity_seized=1.5",
            &["capacity_seized", "from 0 to 1"],
        ),
    ];
    for (spec, needles) in cases {
        let output = caasim(&["check", &file, "--arm-add", spec]);
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(BAD_INPUT), "{spec}: {message}");
        assert!(message.contains("(1 problem)"), "{spec}: {message}");
        assert!(
            message.contains(&format!("--arm-add `{spec}`")),
            "{spec}: the message names the flag: {message}"
        );
        for needle in needles {
            assert!(message.contains(needle), "{spec}: `{needle}` in {message}");
        }
    }
}

#[test]
fn every_bad_set_and_addition_is_reported_and_counted() {
    let tmp = tempfile::tempdir().unwrap();
    let file = scenario(tmp.path(), "s.toml", &short_generic_text());
    let output = caasim(&[
        "check",
        &file,
        "--set",
        "market.search_days=soon",
        "--set",
        "market.no_such_key=1",
    ]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(BAD_INPUT), "{message}");
    assert!(message.contains("(2 problems)"), "{message}");
    assert!(
        message.contains("--set `market.search_days=soon`"),
        "{message}"
    );
    assert!(
        message.contains("--set `market.no_such_key=1`"),
        "{message}"
    );
    let output = caasim(&[
        "check",
        &file,
        "--set",
        "no_equals_sign",
        "--arm-add",
        "x: nope",
        "--set",
        "market.search_days=soon",
    ]);
    let message = stderr(&output);
    assert!(message.contains("(3 problems)"), "{message}");
    assert_eq!(
        message.lines().count(),
        4,
        "a header and three problems: {message}"
    );
}

#[test]
fn a_bare_date_is_a_date_and_other_values_parse_as_before() {
    let tmp = tempfile::tempdir().unwrap();
    let file = scenario(tmp.path(), "s.toml", &short_generic_text());
    let output = caasim(&[
        "check",
        &file,
        "--set",
        "arms.takedown.window_end=2026-03-05",
        "--set",
        "market.search_days=12",
        "--set",
        "market.switching_rebuild_days=4",
        "--set",
        "arms.takedown.interventions.0.customer_data_seized=false",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let resolved = String::from_utf8_lossy(&output.stdout);
    for line in [
        "window_end = \"2026-03-05\"",
        "search_days = 12.0\n",
        "switching_rebuild_days = 4\n",
        "customer_data_seized = false",
    ] {
        assert!(resolved.contains(line), "`{line}` in the resolved scenario");
    }
    let output = caasim(&[
        "check",
        &file,
        "--set",
        "arms.takedown.window_end=2026-03-05T10:00:00",
    ]);
    assert_eq!(output.status.code(), Some(BAD_INPUT));
    assert!(
        stderr(&output).contains("write a date in quotes"),
        "{}",
        stderr(&output)
    );
}
